/* SPDX-License-Identifier: Apache-2.0 */
/*
 * collector.h - the plug-in interface between the agent loop and a source.
 *
 * A collector is a const table of function pointers, found by name in a
 * NULL-terminated registry (collectors/registry.c), the way OpenSMTPD looks
 * up its table backends.  The loop owns every file descriptor's life in
 * epoll; a collector only says which fd it wants watched and what to do when
 * it is readable or when the periodic timer fires.
 *
 * Collectors never block, never log and never exit: they hand events to
 * ctx->emit() and report trouble as negative errno returns plus, where a
 * human needs to know more, a short line in ctx->note() that the loop logs
 * once.  Events passed to emit() are owned by the callee from then on.
 */
#ifndef FARMHOUND_COLLECTOR_H
#define FARMHOUND_COLLECTOR_H

#include <stdbool.h>
#include <stdint.h>

#include "event.h"

struct geo_config;		/* collectors/geo.h */

/* Why the collector runs: as the daemon (watch and tick), for one --scan
 * inventory (scan() then free), or over a capture file (--pcap: only the
 * net collector is started, scan() reads the whole file).  --input starts
 * no collector: the agent reads the recording with input_file_scan()
 * (collectors/input/input.h). */
enum collector_mode {
	COLLECTOR_DAEMON,
	COLLECTOR_SCAN,
	COLLECTOR_PCAP,
	COLLECTOR_INPUT,	/* --input: no collector runs, the file is read */
};

/* A collector's own configuration keys, beyond enabled/rescan_interval/
 * settle: [collector.net] interfaces = ..., [collector.host] stun_server.
 * config.c checks each key against this table (unknown key, bad value ->
 * file:line) and keeps the value as text; the collector parses it at
 * init with collector_option().  Terminated by a NULL name. */
struct collector_option {
	const char *name;
	const char *default_value;	/* NULL: unset unless configured */
	const char *description;	/* one line, for the man page */
	/* 0, or -EINVAL with a reason in err ("not a size").  NULL: any
	 * string is accepted. */
	int (*check)(const char *value, char *err, size_t errlen);
};

/* A collector's own keys (struct collector_option), kept as text: the
 * collector parses them at init.  Inline, so a collector_config can be
 * copied by value. */
#define COLLECTOR_OPTIONS_MAX 12
#define COLLECTOR_OPTION_LEN 512

/* [collector.NAME]: what a collector gets from farmhound.conf.  Defined
 * here, in the collectors' layer, and filled by the agent (agent/config.c):
 * collectors read their configuration without knowing the agent's. */
struct collector_config {
	const char *name;
	const struct collector *plugin;	/* its registry entry: option table */
	bool enabled;			/* enabled = yes|no */
	uint64_t rescan_ms;		/* rescan_interval = 10m (0: never) */
	uint64_t settle_ms;		/* settle = 500ms: wait after add for children */
	/* Indexed like the collector's options table; "" with set false:
	 * not configured (the default applies). */
	bool option_set[COLLECTOR_OPTIONS_MAX];
	char options[COLLECTOR_OPTIONS_MAX][COLLECTOR_OPTION_LEN];
};

struct collector_ctx {
	void *opaque;					/* the loop's */
	void (*emit)(void *opaque, struct event *ev);
	/* A one-line operational remark ("no USB bus in sysfs"), logged by the
	 * loop at the given syslog level.  Collectors call it sparingly. */
	void (*note)(void *opaque, int level, const char *collector,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
	const struct collector_config *config;		/* this collector's section */
	const char *rootfs;	/* "/" normally; --rootfs for tests and forensics */
	const char *procfs;	/* "/proc" normally; --procfs */
	enum collector_mode mode;
	const char *pcap_file;	/* COLLECTOR_PCAP: the capture to read */
	/* The [geo] section: expected time zones, countries and locales, and
	 * the MaxMind database.  Owned by the loop; read it when needed, do
	 * not keep pointers into it across calls (a reload replaces it, and
	 * the loop restarts collectors when it changed). */
	const struct geo_config *geo;
};

/* Counters for the heartbeat (cumulative since init). */
struct collector_stats {
	uint64_t dropped;	/* input lost before we saw it: pcap drops,
				 * udev monitor overruns (ENOBUFS) */
	uint64_t skipped;	/* malformed or vanished input skipped and
				 * counted: hostile EDIDs, truncated packets,
				 * processes gone mid-read */
	uint64_t tracked;	/* objects held now (flows, processes, sockets) */
	uint64_t evicted;	/* known objects forgotten, table full (known.h) */
};

struct collector {
	const char *name;			/* "usb": [collector.usb], --fields usb */
	const struct source_def *source;	/* the field table it fills */
	const struct collector_option *options;	/* NULL: none */
	/* Default of rescan_interval for this collector; 0: the agent-wide
	 * 10 minutes.  /proc walkers want seconds, udev-driven ones only a
	 * safety net. */
	uint64_t rescan_default_ms;

	/* Allocate state; 0 or -errno.  -ENODEV means "nothing to watch on this
	 * machine" (no USB bus in a container): not an error, the loop notes it
	 * and carries on without the collector. */
	int (*init)(const struct collector_ctx *ctx, void **state);
	/* The fd to watch for input, or -1 if none (poll-only collectors). */
	int (*fd)(void *state);
	/* The fd is readable: drain it without blocking.  -ENODEV: the source
	 * is gone (capture device removed): the loop stops the collector,
	 * raises collector-failed and retries it with backoff.  Other errors
	 * are counted; only a long run of them stops the collector. */
	int (*on_ready)(void *state);
	/* Periodic work; now is CLOCK_MONOTONIC in ms.  Returns 0 or -errno.
	 * An error is a failure of the collector, like a failed init or
	 * scan: the daemon stops it, raises collector-failed and starts it
	 * again with backoff.  Return 0 for what is routine (an object gone
	 * mid-read: count it in stats().skipped). */
	int (*on_tick)(void *state, uint64_t now_ms);
	/* Full inventory: emit one action=present event per object. */
	int (*scan)(void *state);
	/* Milliseconds until on_tick wants to run again, or UINT64_MAX. */
	uint64_t (*next_tick)(void *state, uint64_t now_ms);
	void (*free)(void *state);		/* accepts NULL */
	/* Fill *out; NULL if the collector keeps no counters. */
	void (*stats)(void *state, struct collector_stats *out);
};

/* ---- the plumbing every collector shares (collector.c) ---- */

/* The start of init(): *state a zeroed state of size bytes whose first
 * member is its struct collector_ctx, a copy of ctx.  0, or -EINVAL (ctx
 * or state NULL) or -ENOMEM with *state NULL.  An init() that fails after
 * it frees the state and sets *state back to NULL. */
int collector_state_new(const struct collector_ctx *ctx, size_t size, void **state);

/* Hand ev to ctx->emit, which owns it from then on; without an emit
 * (unit tests) ev is freed.  ev may be NULL (nothing to report). */
void collector_emit(const struct collector_ctx *ctx, struct event *ev);

/* The rescan clock: a collector walks its source again every
 * rescan_interval, and sooner after input was lost.  All in
 * CLOCK_MONOTONIC milliseconds. */
struct collector_rescan {
	uint64_t interval_ms;	/* 0: no periodic rescan */
	uint64_t next_ms;	/* 0: none scheduled */
};

/* Schedule the first rescan one interval after now (none if interval_ms
 * is 0). */
void collector_rescan_arm(struct collector_rescan *r, uint64_t interval_ms, uint64_t now_ms);
/* Is a rescan due at now?  If so the next is scheduled an interval later
 * (or none). */
bool collector_rescan_due(struct collector_rescan *r, uint64_t now_ms);
/* A rescan at at_ms if none comes earlier: never later than planned, so a
 * flood of lost input cannot postpone it. */
void collector_rescan_soon(struct collector_rescan *r, uint64_t at_ms);
/* The earlier of two deadlines, where 0 is "none". */
uint64_t collector_earlier(uint64_t a_ms, uint64_t b_ms);
/* What next_tick() returns for a deadline: milliseconds from now until
 * due (0 if past), UINT64_MAX for none (0). */
uint64_t collector_ms_until(uint64_t due_ms, uint64_t now_ms);

/* NULL-terminated, in a stable order. */
extern const struct collector *const collector_registry[];

/* The value of a collector option: configured, else its default, else
 * NULL.  cfg may be NULL (unit tests): defaults only. */
const char *collector_option(const struct collector *c,
			     const struct collector_config *cfg, const char *name);

#endif
