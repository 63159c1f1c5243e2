/*
 * process.h - field ids of the process source (DESIGN §3), shared with tests.
 * (Placeholder: the collector is being written.)
 */
#ifndef FARMHOUND_PROCESS_H
#define FARMHOUND_PROCESS_H

#include "collector.h"

enum process_field {
	PROCESS_ACTION,
	PROCESS__NFIELDS,
};

extern const struct source_def process_source;
extern const struct collector process_collector;

#endif
