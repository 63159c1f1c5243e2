/*
 * host.h - field ids of the host source (DESIGN §3), shared with tests.
 * (Placeholder: the collector is being written.)
 */
#ifndef FARMHOUND_HOST_H
#define FARMHOUND_HOST_H

#include "collector.h"

enum host_field {
	HOST_ACTION,
	HOST__NFIELDS,
};

extern const struct source_def host_source;
extern const struct collector host_collector;

#endif
