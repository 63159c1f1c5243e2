/* SPDX-License-Identifier: Apache-2.0 */
/*
 * typing.h - the injected_typing detector: runs of key presses faster and
 * steadier than a person types (a KVM's paste, a BadUSB payload).  One
 * detector per keyboard; typing.c explains the thresholds.
 */
#ifndef FARMHOUND_INPUT_TYPING_H
#define FARMHOUND_INPUT_TYPING_H

#include <stdbool.h>
#include <stdint.h>

#include "detect.h"
#include "frame.h"
#include "stats.h"

struct typing_config {
	uint64_t fast_iki_us;	/* a run continues while presses are this close */
	uint32_t min_keys;	/* presses in a run to judge it */
	double max_iki_sd_ms;	/* intervals nearly constant: sd at most */
	double max_hold_ms;	/* holds below the human floor: mean at most */
	double max_hold_sd_ms;	/* and nearly constant: sd at most */
};

struct typing {
	struct typing_config cfg;
	bool open;
	uint64_t first_us, last_down_us, last_us;
	uint32_t keys;
	struct run_stats iki, hold;
};

void typing_config_default(struct typing_config *c);
void typing_init(struct typing *t, const struct typing_config *c);
/* One sample of this device; fn gets a finding when an injected run ends. */
void typing_feed(struct typing *t, const struct input_sample *s, input_finding_fn fn, void *ctx);
/* Time is now t_us (end of input: UINT64_MAX): close a run that has ended. */
void typing_flush(struct typing *t, uint64_t t_us, input_finding_fn fn, void *ctx);

#endif
