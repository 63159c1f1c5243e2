/* SPDX-License-Identifier: Apache-2.0 */
/*
 * teleport.c - pointer_teleport: on an absolute pointer that is not a touch
 * screen, touch pad, pen or joystick (frame.c's classes), a jump of at
 * least min_jump_pm of the axis in one report, after the pointer had been
 * still for still_us.  A hand moving a pointer passes through the points
 * between (a mouse reports every 1-8 ms, a browser relaying it to a KVM
 * every 10-20 ms); a KVM's "click here", a remote-control agent or a script
 * sets the position outright.  Touch screens, pads and pens do jump (a
 * finger lands elsewhere): they are not judged.  Jumps are grouped into
 * episodes (ended by episode_gap without a jump); an episode with at least
 * min_count jumps is reported when it ends, with the jumps' count, mean
 * interval and its CV, and mean size in permille.
 *   min_jump_pm 250: a quarter of the screen, far beyond one report of
 *     even a fast flick (about 8 % of a 1920-pixel screen per 16 ms report
 *     at 10,000 px/s).
 *   still_us 200 ms: the jump starts from rest, not as the last step of a
 *     fast movement.
 *   min_count 3, episode_gap 10 min: one jump happens (the host pointer
 *     entering a virtual machine's window moves its tablet at once); an
 *     agent working the screen makes many.
 * Known false positive: a virtual machine guest's tablet (QEMU usb-tablet,
 * VirtualBox, VMware) when the host pointer enters and leaves its window;
 * the device's name and ids travel with the finding for rules to tell.
 * Memory: running statistics only.
 */
#include <string.h>

#include "teleport.h"

void teleport_config_default(struct teleport_config *c)
{
	*c = (struct teleport_config){
		.min_jump_pm = 250,
		.still_us = 200000,
		.min_count = 3,
		.episode_gap_us = 600u * 1000000u,
	};
}

void teleport_init(struct teleport *t, const struct teleport_config *c, unsigned int classes)
{
	memset(t, 0, sizeof(*t));
	if (c)
		t->cfg = *c;
	else
		teleport_config_default(&t->cfg);
	t->eligible = (classes & INPUT_CLASS_ABS_POINTER) &&
		      !(classes & (INPUT_CLASS_TOUCH | INPUT_CLASS_TABLET | INPUT_CLASS_JOYSTICK));
}

static void close_episode(struct teleport *t, input_finding_fn fn, void *ctx)
{
	struct input_finding f = {
		.detector = "pointer_teleport", .pattern = "jumps",
		.start_us = t->first_us, .end_us = t->last_us, .count = t->count,
		.period_ms = t->iv.mean / 1000.0, .cv = run_stats_cv(&t->iv),
		.step = t->jump.mean, .step_cv = run_stats_cv(&t->jump),
	};

	if (t->count >= t->cfg.min_count && fn)
		fn(ctx, &f);
	t->count = 0;
	memset(&t->iv, 0, sizeof(t->iv));
	memset(&t->jump, 0, sizeof(t->jump));
}

void teleport_feed(struct teleport *t, const struct input_sample *s, input_finding_fn fn, void *ctx)
{
	bool still;

	if (!t->eligible || s->kind != INPUT_ABS_MOVE)
		return;
	still = !t->moved || s->t_us < t->last_move_us ||
		s->t_us - t->last_move_us >= t->cfg.still_us;
	t->moved = true;
	t->last_move_us = s->t_us;
	if (!still || s->span_pm < t->cfg.min_jump_pm)
		return;
	if (t->count && (s->t_us < t->last_us || s->t_us - t->last_us > t->cfg.episode_gap_us))
		close_episode(t, fn, ctx);
	if (t->count == 0)
		t->first_us = s->t_us;
	else
		run_stats_add(&t->iv, (double)(s->t_us - t->last_us));
	run_stats_add(&t->jump, (double)s->span_pm);
	t->count++;
	t->last_us = s->t_us;
}

void teleport_flush(struct teleport *t, uint64_t t_us, input_finding_fn fn, void *ctx)
{
	if (t->count && (t_us < t->last_us || t_us - t->last_us > t->cfg.episode_gap_us))
		close_episode(t, fn, ctx);
}
