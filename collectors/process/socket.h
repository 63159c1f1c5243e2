/* SPDX-License-Identifier: Apache-2.0 */
/*
 * socket.h - field ids of the socket source (DESIGN §3), shared with tests.
 */
#ifndef FARMHOUND_SOCKET_H
#define FARMHOUND_SOCKET_H

#include "collectors/collector.h"

enum socket_field {
	SOCKET_ACTION,
	SOCKET_PROTOCOL,
	SOCKET_FAMILY,
	SOCKET_STATE,
	SOCKET_LISTENING,
	SOCKET_LOCAL_IP,
	SOCKET_LOCAL_PORT,
	SOCKET_REMOTE_IP,
	SOCKET_REMOTE_PORT,
	SOCKET_DIRECTION,
	SOCKET_IS_LOOPBACK,
	SOCKET_PID,
	SOCKET_COMM,
	SOCKET_EXE,
	SOCKET_UID,
	SOCKET_INODE,
	SOCKET_USER,
	SOCKET__NFIELDS,
};

extern const struct source_def socket_source;
extern const struct collector socket_collector;

#endif
