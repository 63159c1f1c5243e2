/*
 * net.h - field ids of the net source (DESIGN §3), shared with tests.
 * (Placeholder: the collector is being written.)
 */
#ifndef FARMHOUND_NET_H
#define FARMHOUND_NET_H

#include "collector.h"

enum net_field {
	NET_ACTION,
	NET__NFIELDS,
};

extern const struct source_def net_source;
extern const struct collector net_collector;

#endif
