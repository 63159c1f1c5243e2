/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_input_typing.c - the injected_typing detector (collectors/input/
 * typing.c) on the fixture recordings (tests/fixtures/input, gen.py) and on
 * synthetic runs: a KVM paste at 0 ms and at 20 ms and a BadUSB payload
 * fire with their measured pace and hold; people typing (intervals and
 * holds from Dhakal et al. 2018), a screen reader user, a clicker and
 * auto-repeat stay quiet.
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
	assert_int_equal(tb_count(&tb, "injected_typing"), 1);
	return tb_first(&tb, "injected_typing");
}

static void test_paste(void **state)
{
	const struct input_finding *f;

	(void)state;
	f = fired("paste-0ms");
	/* 500 characters, 16 of them shifted: 516 presses, one run */
	assert_int_equal(f->count, 516);
	assert_true(f->period_ms < 10 && f->hold_ms < 5);
	f = fired("paste-20ms");
	assert_int_equal(f->count, 516);
	assert_true(f->period_ms > 38 && f->period_ms < 44);	/* press, 20 ms, release, 20 ms */
	assert_true(f->hold_ms > 19 && f->hold_ms < 25);
	assert_true(f->end_us - f->start_us > 20000000u);
}

static void test_badusb(void **state)
{
	const struct input_finding *f;

	(void)state;
	f = fired("badusb");
	assert_true(f->count >= 76);	/* the command, not the GUI+r before the pause */
	assert_true(f->period_ms < 15 && f->hold_ms < 10);
}

static void test_quiet(void **state)
{
	static const char *const quiet[] = {
		"typist-fast", "typist-average", "screen-reader", "clicker", "autorepeat",
		"pikvm-rel", "pikvm-abs", "jetkvm", "nanokvm-usb", "mechanical", "mouse", "touchpad",
		"video", "gamepad", "teleport-agent", "touchscreen",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(quiet) / sizeof(quiet[0]); i++) {
		assert_int_equal(tb_run(&tb, quiet[i]), 0);
		if (tb_count(&tb, "injected_typing"))
			fail_msg("%s: injected typing", quiet[i]);
	}
}

static size_t nfound;
static struct input_finding last;

static void keep(void *ctx, const struct input_finding *f)
{
	(void)ctx;
	nfound++;
	last = *f;
}

/* n presses iki_us apart held hold_us, from t; returns the time after. */
static uint64_t type(struct typing *t, uint64_t at, unsigned int n, uint64_t iki_us, uint32_t hold_us)
{
	for (unsigned int i = 0; i < n; i++, at += iki_us) {
		typing_feed(t, &(struct input_sample){ .t_us = at, .kind = INPUT_KEY_DOWN }, keep, NULL);
		typing_feed(t, &(struct input_sample){ .t_us = at + hold_us, .kind = INPUT_KEY_UP,
						       .hold_us = hold_us }, keep, NULL);
	}
	return at;
}

static void test_thresholds(void **state)
{
	static struct typing t;
	uint64_t at;

	(void)state;
	/* 15 machine presses: below min_keys. */
	typing_init(&t, NULL);
	nfound = 0;
	type(&t, 1000000, 15, 10000, 5000);
	typing_flush(&t, UINT64_MAX, keep, NULL);
	assert_int_equal(nfound, 0);
	/* 16: found, but only once the run is over. */
	at = type(&t, 2000000, 16, 10000, 5000);
	typing_flush(&t, at + 50000, keep, NULL);
	assert_int_equal(nfound, 0);
	typing_flush(&t, at + 200000, keep, NULL);
	assert_int_equal(nfound, 1);
	assert_int_equal(last.count, 16);
	/* Fast presses held like a person (90 ms): not injected. */
	type(&t, 3000000, 40, 60000, 90000);
	typing_flush(&t, UINT64_MAX, keep, NULL);
	assert_int_equal(nfound, 1);
	/* Auto-repeat alone is no run at all. */
	for (unsigned int i = 0; i < 300; i++)
		typing_feed(&t, &(struct input_sample){ .t_us = 9000000u + i * 33000u,
							.kind = INPUT_KEY_REPEAT }, keep, NULL);
	typing_flush(&t, UINT64_MAX, keep, NULL);
	assert_int_equal(nfound, 1);
	/* Machine holds but intervals all over the place (sd > 15 ms). */
	at = 20000000;
	for (unsigned int i = 0; i < 40; i++) {
		at += (i % 2) ? 5000 : 90000;
		typing_feed(&t, &(struct input_sample){ .t_us = at, .kind = INPUT_KEY_DOWN }, keep, NULL);
	}
	typing_flush(&t, UINT64_MAX, keep, NULL);
	assert_int_equal(nfound, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paste),
		cmocka_unit_test(test_badusb),
		cmocka_unit_test(test_quiet),
		cmocka_unit_test(test_thresholds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
