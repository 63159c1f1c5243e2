/* SPDX-License-Identifier: Apache-2.0 */
/*
 * process.h - field ids of the process source (DESIGN §3), shared with tests.
 */
#ifndef FARMHOUND_PROCESS_H
#define FARMHOUND_PROCESS_H

#include "collectors/collector.h"

enum process_field {
	PROCESS_ACTION,
	PROCESS_PID,
	PROCESS_PPID,
	PROCESS_UID,
	PROCESS_USER,
	PROCESS_COMM,
	PROCESS_EXE,
	PROCESS_EXE_DELETED,
	PROCESS_CMDLINE,
	PROCESS_START_TIME,
	PROCESS_PARENT_COMM,
	PROCESS_EXE_READABLE,
	PROCESS_EXE_UNREADABLE_REASON,
	PROCESS_ARGV0,
	PROCESS_EXE_CANDIDATE,
	PROCESS__NFIELDS,
};

extern const struct source_def process_source;
extern const struct collector process_collector;

#endif
