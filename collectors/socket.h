/*
 * socket.h - field ids of the socket source (DESIGN §3), shared with tests.
 * (Placeholder: the collector is being written.)
 */
#ifndef FARMHOUND_SOCKET_H
#define FARMHOUND_SOCKET_H

#include "collector.h"

enum socket_field {
	SOCKET_ACTION,
	SOCKET__NFIELDS,
};

extern const struct source_def socket_source;
extern const struct collector socket_collector;

#endif
