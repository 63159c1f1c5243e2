/* SPDX-License-Identifier: Apache-2.0 */
/*
 * teleport.h - the pointer_teleport detector: an absolute pointer that is
 * not a touch screen, pad or pen jumping across the screen with no motion
 * in between (a KVM or a remote agent setting coordinates).  One detector
 * per device; teleport.c explains the thresholds.
 */
#ifndef FARMHOUND_INPUT_TELEPORT_H
#define FARMHOUND_INPUT_TELEPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "detect.h"
#include "frame.h"
#include "stats.h"

struct teleport_config {
	uint32_t min_jump_pm;	/* a jump of at least this permille of the axis */
	uint64_t still_us;	/* after no motion for at least this long */
	uint32_t min_count;	/* jumps in one episode to report it */
	uint64_t episode_gap_us;/* an episode ends after this long without a jump */
};

struct teleport {
	struct teleport_config cfg;
	bool eligible;		/* an absolute pointer, not touch/tablet/joystick */
	bool moved;
	uint64_t last_move_us, first_us, last_us;
	uint32_t count;
	struct run_stats iv, jump;
};

void teleport_config_default(struct teleport_config *c);
/* classes: the device's enum input_class bits (frame.h). */
void teleport_init(struct teleport *t, const struct teleport_config *c, unsigned int classes);
void teleport_feed(struct teleport *t, const struct input_sample *s, input_finding_fn fn, void *ctx);
/* Time is now t_us (end of input: UINT64_MAX): close an episode that has ended. */
void teleport_flush(struct teleport *t, uint64_t t_us, input_finding_fn fn, void *ctx);

#endif
