/* SPDX-License-Identifier: Apache-2.0 */
/*
 * typing.c - injected_typing: a run of key presses, each within fast_iki of
 * the one before, judged when it ends.  It is injected when it has at least
 * min_keys presses, the intervals are nearly constant (sd <= max_iki_sd)
 * and the keys are held for less than a person holds them, steadily (mean
 * <= max_hold, sd <= max_hold_sd).  Auto-repeat (value 2) is not a press
 * and never counts; a key whose press was not seen counts as held 0.
 *
 * What it must catch (the fixture generator, tests/fixtures/input/gen.py,
 * models each): PiKVM's paste, `POST /hid/print`, sends every key event
 * with `delay` before each, 0 by default and 0.02 s in "slow" mode
 * (pikvm/kvmd @f14596e kvmd/apps/kvmd/api/hid.py __print_handler,
 * kvmd/plugins/hid/__init__.py send_key_events): holds
 * of one report interval or 20 ms, presses 2-8 ms or 40 ms apart; a BadUSB
 * (Rubber Ducky, Flipper) types its STRING at the HID polling rate.
 *
 * The human floor, from Dhakal, Feit, Kristensson, Oulasvirta, "Observations
 * on Typing from 136 Million Keystrokes", CHI 2018 (168,000 typists; Table
 * 3 and p. 5, figures checked against the paper): mean 51.6 WPM, mean
 * inter-key interval 238.7 ms (SD 111.6 across typists), mean keypress
 * duration 116.2 ms (SD 23.9), "not shown to vary greatly even for slow
 * typists (80-150 ms)"; the fast group (the top tenth) types with a mean
 * interval of 121.7 ms (SD 12.0); rollover (the next key down before the
 * last is up) is 25 % of keystrokes on average, overlapping by 30 ms, and
 * makes single intervals short but not runs of them.  The fastest users
 * reach about 120 WPM (the authors' press release), 100 ms between presses.
 *   fast_iki 100 ms: the fastest typists' mean interval; a run lasts only
 *     while every interval is at or below it, which a person sustains for a
 *     few presses (rollover bigrams), a machine for the whole paste.
 *   min_keys 16: longer than any word; a paste or payload is far longer.
 *   max_iki_sd 15 ms: machine intervals vary by the USB polling interval
 *     (1-8 ms) and by the extra events of shifted characters; a person's
 *     short intervals within a run range over tens of ms.
 *   max_hold 50 ms: 2.8 SD below the 116.2 ms mean keypress duration and
 *     30 ms under the slowest typists' floor of 80 ms; machines hold for
 *     one report (about 1-8 ms) or their delay (20 ms).
 *   max_hold_sd 15 ms: a person's hold times spread (SD 23.9 ms).
 * Memory: running statistics only.
 */
#include <string.h>

#include "typing.h"

void typing_config_default(struct typing_config *c)
{
	*c = (struct typing_config){
		.fast_iki_us = 100000,
		.min_keys = 16,
		.max_iki_sd_ms = 15,
		.max_hold_ms = 50,
		.max_hold_sd_ms = 15,
	};
}

void typing_init(struct typing *t, const struct typing_config *c)
{
	memset(t, 0, sizeof(*t));
	if (c)
		t->cfg = *c;
	else
		typing_config_default(&t->cfg);
}

static void close_run(struct typing *t, input_finding_fn fn, void *ctx)
{
	double hold_ms = t->hold.mean / 1000.0;
	struct input_finding f = {
		.detector = "injected_typing", .pattern = "run",
		.start_us = t->first_us, .end_us = t->last_us,
		.count = t->keys, .period_ms = t->iki.mean / 1000.0,
		.cv = run_stats_cv(&t->iki), .step = run_stats_sd(&t->iki) / 1000.0,
		.hold_ms = hold_ms,
	};

	if (t->open && t->keys >= t->cfg.min_keys &&
	    run_stats_sd(&t->iki) / 1000.0 <= t->cfg.max_iki_sd_ms &&
	    hold_ms <= t->cfg.max_hold_ms &&
	    run_stats_sd(&t->hold) / 1000.0 <= t->cfg.max_hold_sd_ms && fn)
		fn(ctx, &f);
	t->open = false;
	t->keys = 0;
	memset(&t->iki, 0, sizeof(t->iki));
	memset(&t->hold, 0, sizeof(t->hold));
}

void typing_feed(struct typing *t, const struct input_sample *s, input_finding_fn fn, void *ctx)
{
	if (s->kind == INPUT_KEY_DOWN) {
		if (t->open && (s->t_us < t->last_down_us ||
				s->t_us - t->last_down_us > t->cfg.fast_iki_us))
			close_run(t, fn, ctx);
		if (!t->open) {
			t->open = true;
			t->first_us = s->t_us;
		} else {
			run_stats_add(&t->iki, (double)(s->t_us - t->last_down_us));
		}
		t->keys++;
		t->last_down_us = t->last_us = s->t_us;
	} else if (s->kind == INPUT_KEY_UP && t->open) {
		run_stats_add(&t->hold, (double)s->hold_us);
		t->last_us = s->t_us;
	}
}

void typing_flush(struct typing *t, uint64_t t_us, input_finding_fn fn, void *ctx)
{
	if (t->open && (t_us < t->last_down_us || t_us - t->last_down_us > t->cfg.fast_iki_us))
		close_run(t, fn, ctx);
}
