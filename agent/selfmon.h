/* SPDX-License-Identifier: Apache-2.0 */
/*
 * selfmon.h - self-monitoring: the agent's own notices, its counters and
 * the heartbeat (agent/selfmon.c).
 */
#ifndef FARMHOUND_SELFMON_H
#define FARMHOUND_SELFMON_H

#include <stdbool.h>
#include <stdint.h>

#include "loop_impl.h"

/* The agent's own alerts (source "agent", rule ids farmhound-*). */
enum selfmon_notice {
	NOTICE_STARTED,
	NOTICE_STOPPING,
	NOTICE_RELOAD_OK,
	NOTICE_RELOAD_FAILED,
	NOTICE_COLLECTOR_FAILED,
	NOTICE_COLLECTOR_RECOVERED,
	NOTICE_UNDELIVERED,
	NOTICE_DROPPED,
	NOTICE_HEARTBEAT,
};

/* Send a notice (the daemon only: --scan reports on stderr and its exit
 * code): its built-in alert, then the event through the rules.  collector
 * may be NULL; errors (may be NULL) become the notice's error list. */
void selfmon_notice(struct loop *l, enum selfmon_notice n, const char *collector,
		    const struct diag_list *errors, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Add what one collector counted since the last read to the totals; true
 * if it dropped input.  Called before a collector stops (its counters
 * start again at 0). */
bool selfmon_account(struct loop *l, struct loop_collector *lc);
/* After the start-up inventory: the heartbeat and counter deadlines. */
void selfmon_start(struct loop *l);
/* After a reload: the heartbeat interval was old_ms. */
void selfmon_reconfigure(struct loop *l, uint64_t old_ms);
/* Report what the sink could not deliver since the last call. */
void selfmon_check_undelivered(struct loop *l);

/* The timer table's entries (loop.c). */
uint64_t selfmon_stats_due(const struct loop *l);
void selfmon_stats(struct loop *l, uint64_t now);
uint64_t selfmon_heartbeat_due(const struct loop *l);
void selfmon_heartbeat(struct loop *l, uint64_t now);

#endif
