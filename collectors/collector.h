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

struct collector_config;	/* agent/config.h */

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
};

struct collector {
	const char *name;			/* "usb": [collector.usb], --fields usb */
	const struct source_def *source;	/* the field table it fills */

	/* Allocate state; 0 or -errno.  -ENODEV means "nothing to watch on this
	 * machine" (no USB bus in a container): not an error, the loop notes it
	 * and carries on without the collector. */
	int (*init)(const struct collector_ctx *ctx, void **state);
	/* The fd to watch for input, or -1 if none (poll-only collectors). */
	int (*fd)(void *state);
	/* The fd is readable: drain it without blocking. */
	int (*on_ready)(void *state);
	/* Periodic work; now is CLOCK_MONOTONIC in ms.  Returns 0 or -errno. */
	int (*on_tick)(void *state, uint64_t now_ms);
	/* Full inventory: emit one action=present event per object. */
	int (*scan)(void *state);
	/* Milliseconds until on_tick wants to run again, or UINT64_MAX. */
	uint64_t (*next_tick)(void *state, uint64_t now_ms);
	void (*free)(void *state);		/* accepts NULL */
};

/* NULL-terminated, in a stable order. */
extern const struct collector *const collector_registry[];
const struct collector *collector_by_name(const char *name);

#endif
