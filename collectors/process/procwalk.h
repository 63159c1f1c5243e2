/* SPDX-License-Identifier: Apache-2.0 */
/*
 * procwalk.h - the skeleton of the /proc walkers (process, socket): what
 * they hold in common (the procfs path, the rescan clock, the skipped
 * count) and do the same way (start, the periodic walk and its deadline,
 * the walk over the process directories).
 *
 * A walker puts a struct procwalk first in its state, so that
 * procwalk_new() can allocate and set up the state and procwalk_on_tick()
 * and procwalk_next_tick() can serve as its on_tick() and next_tick().
 * scan() runs the collector's walk with action present from an empty
 * table, on_tick() every rescan_interval with action add: a walk reports
 * the difference with what the last one found (its own sorted table of
 * compact records; collectors/known.h says why not the known table).
 */
#ifndef FARMHOUND_PROCWALK_H
#define FARMHOUND_PROCWALK_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collectors/collector.h"

#define PROCWALK_RESCAN_DEFAULT_MS 15000

/* The collector's walk: report what appeared (as action) and what went
 * since the last walk.  0 or -errno. */
typedef int procwalk_fn(void *state, const char *action);

struct procwalk {
	struct collector_ctx ctx;
	char procfs[PATH_MAX];		/* ctx->procfs, or /proc */
	struct collector_rescan rescan;	/* the daemon's periodic walk */
	uint64_t skipped;		/* vanished or malformed: stats().skipped */
	procwalk_fn *walk;
};

/* init() of a walker: *state is a zeroed state of size bytes whose first
 * member is its struct procwalk, set up from ctx; the daemon walks every
 * rescan_interval (config.c checks 0 or >= 1 s; 15 s by default).  0,
 * -EINVAL, -ENOMEM or -ENAMETOOLONG (procfs path), *state NULL on error. */
int procwalk_new(const struct collector_ctx *ctx, size_t size, procwalk_fn *walk, void **state);
int procwalk_on_tick(void *state, uint64_t now_ms);
uint64_t procwalk_next_tick(void *state, uint64_t now_ms);
/* out zeroed, then skipped (state may be NULL: all zero). */
void procwalk_stats(const struct procwalk *pw, struct collector_stats *out);

/* Hand the pid of each process directory of procfs to visit while it
 * returns true.  0, or -errno when procfs cannot be read. */
int procwalk_pids(const char *procfs, bool (*visit)(void *opaque, int32_t pid), void *opaque);

#endif
