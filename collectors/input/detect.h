/* SPDX-License-Identifier: Apache-2.0 */
/*
 * detect.h - what an input detector reports: one finding per episode (a
 * jiggling spell, an injected burst, a run of teleports), with the measured
 * statistics that let an analyst judge it without the samples.  Times are
 * the recording's (or the live clock's) microseconds.
 */
#ifndef FARMHOUND_INPUT_DETECT_H
#define FARMHOUND_INPUT_DETECT_H

#include <stdint.h>

struct input_finding {
	const char *detector;	/* "jiggler", "injected_typing", "pointer_teleport" */
	const char *pattern;	/* detector's sub-case, e.g. "bursts", "continuous" */
	uint64_t start_us, end_us;	/* first and last sample of the episode */
	uint32_t count;		/* moves, key presses or jumps */
	uint32_t bursts;	/* jiggler: bursts; others 0 */
	double period_ms;	/* mean interval: between bursts, keys or jumps */
	double cv;		/* coefficient of variation of those intervals */
	double step;		/* mean move size (device units) / jump (permille) */
	double step_cv;		/* its coefficient of variation */
	double hold_ms;		/* injected_typing: mean key hold time */
	double net;		/* jiggler: |net displacement| / path length */
	uint32_t reversals;	/* jiggler: direction reversals */
};

typedef void (*input_finding_fn)(void *ctx, const struct input_finding *f);

#endif
