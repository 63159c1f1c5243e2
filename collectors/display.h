/*
 * display.h - field ids of the display source (DESIGN §3), shared with tests.
 * (Placeholder: the collector is being written.)
 */
#ifndef FARMHOUND_DISPLAY_H
#define FARMHOUND_DISPLAY_H

#include "collector.h"

enum display_field {
	DISPLAY_ACTION,
	DISPLAY__NFIELDS,
};

extern const struct source_def display_source;
extern const struct collector display_collector;

#endif
