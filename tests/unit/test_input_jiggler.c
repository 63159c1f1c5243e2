/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_input_jiggler.c - the jiggler detector (collectors/input/jiggler.c)
 * on the fixture recordings (tests/fixtures/input, gen.py) read through the
 * evemu reader, and on synthetic schedules: each documented KVM schedule
 * and the mechanical jiggler fire, with their measured period; the
 * ordinary traces stay quiet; activity on another device ends an episode;
 * an endless jiggle is reported once, in fixed memory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "input_testbed.h"

static struct testbed tb;

static const struct input_finding *fired(const char *name)
{
	assert_int_equal(tb_run(&tb, name), 0);
	assert_int_equal(tb_count(&tb, "jiggler"), 1);
	return tb_first(&tb, "jiggler");
}

static void test_pikvm(void **state)
{
	const struct input_finding *f;

	(void)state;
	f = fired("pikvm-rel");
	assert_string_equal(f->pattern, "bursts");
	assert_true(f->period_ms >= 45000 && f->period_ms <= 75000);
	assert_true(f->cv <= 0.30);
	assert_true(f->step == 10.0 && f->step_cv == 0);
	assert_true(f->bursts >= 5);
	f = fired("pikvm-abs");
	assert_true(f->period_ms >= 45000 && f->period_ms <= 75000);
	/* x+100, x-100 ...: the pointer keeps going back where it was */
	assert_true(f->reversals * 4 >= f->count);
}

static void test_jetkvm(void **state)
{
	const struct input_finding *f;

	(void)state;
	f = fired("jetkvm");
	assert_string_equal(f->pattern, "bursts");
	assert_true(f->period_ms >= 45000 && f->period_ms <= 75000);
	assert_true(f->step >= 1 && f->step <= 3);
	assert_int_equal(f->count, f->bursts);	/* one move a burst */
}

static void test_nanokvm(void **state)
{
	const struct input_finding *f;

	(void)state;
	f = fired("nanokvm-usb");
	assert_true(f->period_ms > 14900 && f->period_ms < 15100);
	assert_true(f->cv < 0.01);
	/* a pair a burst; judged at the first move of the newest burst */
	assert_int_equal(f->count, 2 * f->bursts - 1);
}

static void test_mechanical(void **state)
{
	const struct input_finding *f;

	(void)state;
	f = fired("mechanical");
	assert_string_equal(f->pattern, "continuous");
	assert_true(f->step == 1.0);		/* unit steps */
	assert_true(f->period_ms > 95 && f->period_ms < 105);
	assert_true(f->reversals >= 10);
	assert_true(f->end_us - f->start_us >= 300000000u);
}

static void test_quiet(void **state)
{
	static const char *const quiet[] = {
		"paste-0ms", "paste-20ms", "badusb", "typist-fast", "typist-average", "mouse",
		"touchpad", "video", "gamepad", "clicker", "screen-reader", "autorepeat",
		"teleport-agent", "touchscreen",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(quiet) / sizeof(quiet[0]); i++) {
		assert_int_equal(tb_run(&tb, quiet[i]), 0);
		if (tb_count(&tb, "jiggler"))
			fail_msg("%s: a jiggler", quiet[i]);
	}
}

static size_t nfound;

static void count(void *ctx, const struct input_finding *f)
{
	(void)ctx;
	(void)f;
	nfound++;
}

/* A NanoKVM-like pair every 15 s from t0 for n bursts; every
 * `other_every`-th burst (0: never) a key is pressed on another device. */
static void schedule(struct jiggler *j, uint64_t t0, unsigned int n, unsigned int other_every)
{
	for (unsigned int i = 0; i < n; i++) {
		uint64_t t = t0 + (uint64_t)i * 15000000u;
		struct input_sample a = { .t_us = t, .kind = INPUT_REL_MOVE, .dx = 10, .dy = 10, .mag = 10 };
		struct input_sample b = { .t_us = t + 2000, .kind = INPUT_REL_MOVE, .dx = -10, .dy = -10, .mag = 10 };

		if (other_every && i % other_every == other_every - 1)
			jiggler_activity(j, t - 1000000u);
		jiggler_feed(j, &a, count, NULL);
		jiggler_feed(j, &b, count, NULL);
	}
}

static void test_other_device(void **state)
{
	static struct jiggler j;

	(void)state;
	/* Someone types on the keyboard every 4 minutes: never 5 idle. */
	jiggler_init(&j, NULL);
	nfound = 0;
	schedule(&j, 1000000, 200, 16);
	jiggler_flush(&j, 0, count, NULL);
	assert_int_equal(nfound, 0);
	/* The same without the keyboard: found. */
	jiggler_init(&j, NULL);
	schedule(&j, 1000000, 200, 0);
	assert_int_equal(nfound, 1);
}

static void test_bounded(void **state)
{
	static struct jiggler j;
	size_t before = sizeof(j);

	(void)state;
	/* Two days of jiggling: reported once, memory is the struct. */
	jiggler_init(&j, NULL);
	nfound = 0;
	schedule(&j, 1000000, 2 * 24 * 240, 0);
	assert_int_equal(nfound, 1);
	assert_int_equal(sizeof(j), before);
	/* Its own button ends the episode; a new one is found again. */
	jiggler_feed(&j, &(struct input_sample){ .t_us = 3000000000000u, .kind = INPUT_BUTTON },
		     count, NULL);
	schedule(&j, 3000001000000u, 40, 0);
	assert_int_equal(nfound, 2);
	/* A key going up is not activity. */
	jiggler_init(&j, NULL);
	nfound = 0;
	for (unsigned int i = 0; i < 40; i++) {
		schedule(&j, 1000000u + (uint64_t)i * 15000000u, 1, 0);
		jiggler_feed(&j, &(struct input_sample){ .t_us = 2000000u + (uint64_t)i * 15000000u,
							 .kind = INPUT_KEY_UP }, count, NULL);
	}
	assert_int_equal(nfound, 1);
}

/* An irregular schedule of the same moves is not a jiggler. */
static void test_irregular(void **state)
{
	static struct jiggler j;
	static const unsigned int gaps_s[] = { 5, 61, 12, 140, 33, 9, 88, 20, 47, 3, 110, 26 };
	uint64_t t = 1000000;

	(void)state;
	jiggler_init(&j, NULL);
	nfound = 0;
	for (unsigned int k = 0; k < 4; k++)
		for (unsigned int i = 0; i < 12; i++) {
			t += (uint64_t)gaps_s[i] * 1000000u;
			jiggler_feed(&j, &(struct input_sample){ .t_us = t, .kind = INPUT_REL_MOVE,
								 .dx = 2, .dy = -1, .mag = 2 }, count, NULL);
			jiggler_feed(&j, &(struct input_sample){ .t_us = t + 8000, .kind = INPUT_REL_MOVE,
								 .dx = -2, .dy = 1, .mag = 2 }, count, NULL);
		}
	jiggler_flush(&j, t, count, NULL);
	assert_int_equal(nfound, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pikvm),
		cmocka_unit_test(test_jetkvm),
		cmocka_unit_test(test_nanokvm),
		cmocka_unit_test(test_mechanical),
		cmocka_unit_test(test_quiet),
		cmocka_unit_test(test_other_device),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_irregular),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
