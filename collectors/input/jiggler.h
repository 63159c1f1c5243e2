/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jiggler.h - pointer motion on a schedule with nothing else happening:
 * a KVM's built-in jiggler or a mechanical one under the user's mouse.
 * One detector per pointing device; jiggler.c explains the thresholds.
 */
#ifndef FARMHOUND_INPUT_JIGGLER_H
#define FARMHOUND_INPUT_JIGGLER_H

#include <stdbool.h>
#include <stdint.h>

#include "detect.h"
#include "frame.h"
#include "stats.h"

/* Bursts kept to measure the schedule: 64 at 15 s apart (the shortest
 * documented schedule) is 16 minutes, more than min_span needs. */
#define JIGGLER_RING	64

struct jiggler_config {
	uint64_t min_span_us;		/* idle with motion at least this long */
	uint64_t burst_gap_us;		/* moves closer than this are one burst */
	uint32_t min_bursts;		/* bursts needed to judge a schedule */
	double max_cv;			/* schedule regular: CV of intervals at most */
	uint32_t small_step;		/* rel: every move at most this many counts */
	uint32_t small_span_pm;		/* abs: every jump at most this permille */
	double cancel_ratio;		/* |net| / path at most this: cancels out */
	double const_cv;		/* move sizes constant: CV at most */
	uint32_t cont_min_moves;	/* continuous: moves needed */
	uint32_t cont_min_reversals;	/* continuous: direction reversals needed */
};

/* One burst: what the bursts pattern needs of it. */
struct jiggler_burst {
	uint64_t start, end;
	uint32_t moves, reversals, backs, max_step, max_span_pm;
	int64_t net_x, net_y;
	double path, step_sum, step_sq;
};

struct jiggler {
	struct jiggler_config cfg;
	bool active, fired, absolute;
	uint64_t last_us, last_eval_us;
	struct jiggler_burst ring[JIGGLER_RING];	/* the latest bursts, newest at head - 1 */
	uint32_t head, nring;
	struct run_stats cur_gap;	/* intervals between the current burst's moves */
	int sx, sy;			/* last nonzero direction per axis */
};

/* The documented defaults (jiggler.c says why). */
void jiggler_config_default(struct jiggler_config *c);
void jiggler_init(struct jiggler *j, const struct jiggler_config *c);
/* One sample of this device; fn gets a finding when the episode qualifies
 * (once per episode). */
void jiggler_feed(struct jiggler *j, const struct input_sample *s, input_finding_fn fn, void *ctx);
/* Key, button or other activity on another device at t_us: a person is
 * there, the episode ends. */
void jiggler_activity(struct jiggler *j, uint64_t t_us);
/* End of input (or a periodic check) at t_us: judge what is open. */
void jiggler_flush(struct jiggler *j, uint64_t t_us, input_finding_fn fn, void *ctx);

#endif
