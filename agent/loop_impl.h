/* SPDX-License-Identifier: Apache-2.0 */
/*
 * loop_impl.h - the state the loop's files share; main.c sees loop.h only.
 *
 * The agent proper is four files around one struct, the way Redis keeps
 * ae.c (the event loop) apart from the server it drives:
 *
 *   loop.c       the loop: setup, epoll, signals, the timer table, and the
 *                dispatch of every event to the rules and of every alert to
 *                the formatter and the sink;
 *   supervise.c  the collectors: start, watch, tick, fail, retry with
 *                back-off, recover;
 *   selfmon.c    self-monitoring: the agent's own notices (started,
 *                collector-failed, alerts-undelivered, ...), the counters
 *                and the heartbeat that reports them;
 *   explain.c    the --explain lines (a printer, no state of its own).
 *
 * They share struct loop rather than pass a dozen fields around; the
 * comments below say which file owns (writes) which fields.
 */
#ifndef FARMHOUND_LOOP_IMPL_H
#define FARMHOUND_LOOP_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include "collectors/collector.h"
#include "config.h"
#include "format.h"
#include "loop.h"
#include "sink.h"

/* epoll data of the loop's own fds; a collector's fd carries its index in
 * struct loop.col. */
#define LOOP_EPOLL_SIGNAL UINT64_MAX
#define LOOP_EPOLL_TIMER (UINT64_MAX - 1)
/* A note a collector makes during init, held back (supervise.c). */
#define LOOP_NOTE_MAX 256

struct loop;

/* One registered collector (supervise.c). */
struct loop_collector {
	struct loop *loop;
	const struct collector *c;
	struct collector_ctx ctx;
	/* Our own copy, pointed to by ctx.config: a reload frees the old
	 * config, and a collector may hold on to ctx->config. */
	struct collector_config cfg;
	void *state;
	bool running;
	int fd;
	uint64_t due_ms;		/* next on_tick, UINT64_MAX: none */
	int ready_failures;
	bool failed;			/* stopped by a failure, being retried */
	int init_error;			/* last init() failure, 0: none */
	uint64_t retry_due;		/* UINT64_MAX: none */
	uint64_t retry_ms;		/* current backoff */
	/* selfmon.c: the collector's counters */
	uint64_t dropped_seen;		/* stats().dropped already accounted */
	uint64_t skipped_seen;		/* stats().skipped already accounted */
	uint64_t skipped_total;		/* since start, across restarts */
};

struct loop {
	/* loop.c */
	const struct loop_options *opts;
	enum collector_mode mode;
	struct config cfg;
	struct ruleset *rs;
	struct rule_state *st;
	const struct alert_formatter *fmt;
	char hostname[256];
	struct syslog_sink *sink;	/* NULL: stdout (--scan) */
	int epfd, sigfd, timerfd;
	uint64_t alerts;
	/* Of those, the findings: notice or more severe.  An info record
	 * (the fleet inventory) is not a finding, so --scan's exit status
	 * does not count it. */
	uint64_t findings;
	uint64_t matches;		/* of the current event, for --explain */
	bool failed;			/* --scan: exit 2 */
	bool quit;
	uint64_t armed_ms;		/* the timerfd's deadline */
	uint64_t wd_interval, wd_due;
	uint64_t flush_due;
	uint64_t flush_backoff_ms;
	uint64_t events[SOURCE__MAX];	/* per source, since start */

	/* supervise.c */
	struct loop_collector col[CONFIG_MAX_COLLECTORS];
	int ncol;
	/* Notes a collector makes during init are held back until init
	 * returns: for -ENODEV, the note and "skipping" become one line. */
	struct loop_collector *initing;
	char note[LOOP_NOTE_MAX];
	int note_level;
	bool note_pending;

	/* selfmon.c */
	uint64_t undelivered_seen;
	uint64_t started_ms;
	uint64_t hb_due;		/* next heartbeat, UINT64_MAX: off */
	uint64_t stats_due;		/* next read of collectors' drop counters */
	uint64_t dropped_pending;	/* drops not yet in a notice */
	uint64_t dropped_total;
	uint64_t skipped_total;		/* malformed or vanished input, all collectors */
	uint64_t dropped_notice_ms;	/* last capture-dropped notice, 0: none */
};

/* loop.c: an alert out (formatter, then the sink or stdout). */
void loop_on_alert(void *opaque, const struct alert *a);
/* loop.c: one event through the rules (counted, explained if asked). */
void loop_eval(struct loop *l, const struct event *ev);

#endif
