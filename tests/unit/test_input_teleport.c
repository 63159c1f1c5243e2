/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_input_teleport.c - the pointer_teleport detector (collectors/input/
 * teleport.c) on the fixture recordings (tests/fixtures/input, gen.py) and
 * on synthetic motion: an agent clicking across an absolute KVM pointer
 * fires; a touch screen, a touch pad and smooth absolute motion do not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "input_testbed.h"

static struct testbed tb;

static void test_agent(void **state)
{
	const struct input_finding *f;

	(void)state;
	assert_int_equal(tb_run(&tb, "teleport-agent"), 0);
	assert_int_equal(tb_count(&tb, "pointer_teleport"), 1);
	f = tb_first(&tb, "pointer_teleport");
	assert_int_equal(f->count, 20);
	assert_true(f->period_ms >= 3000 && f->period_ms <= 8000);
	assert_true(f->step >= 300);	/* permille: every jump > 30 % of the screen */
}

static void test_quiet(void **state)
{
	(void)state;
	for (size_t i = 0; i < TB_NFIXTURES; i++) {
		if (strcmp(tb_fixtures[i], "teleport-agent") == 0)
			continue;
		assert_int_equal(tb_run(&tb, tb_fixtures[i]), 0);
		if (tb_count(&tb, "pointer_teleport"))
			fail_msg("%s: a teleport", tb_fixtures[i]);
	}
}

static size_t nfound;

static void count(void *ctx, const struct input_finding *f)
{
	(void)ctx;
	(void)f;
	nfound++;
}

static void jumps(struct teleport *t, unsigned int n, uint32_t span_pm, uint64_t every_us)
{
	for (unsigned int i = 0; i < n; i++)
		teleport_feed(t, &(struct input_sample){ .t_us = 1000000u + i * every_us,
							 .kind = INPUT_ABS_MOVE, .mag = 9000,
							 .span_pm = span_pm }, count, NULL);
	teleport_flush(t, UINT64_MAX, count, NULL);
}

static void test_synthetic(void **state)
{
	static struct teleport t;

	(void)state;
	nfound = 0;
	teleport_init(&t, NULL, INPUT_CLASS_ABS_POINTER);
	jumps(&t, 3, 400, 5000000);
	assert_int_equal(nfound, 1);
	/* Two jumps are not an agent (a VM window entered and left). */
	teleport_init(&t, NULL, INPUT_CLASS_ABS_POINTER);
	jumps(&t, 2, 400, 5000000);
	assert_int_equal(nfound, 1);
	/* A touch screen or a pen may jump. */
	teleport_init(&t, NULL, INPUT_CLASS_ABS_POINTER | INPUT_CLASS_TOUCH);
	jumps(&t, 10, 400, 5000000);
	teleport_init(&t, NULL, INPUT_CLASS_ABS_POINTER | INPUT_CLASS_TABLET);
	jumps(&t, 10, 400, 5000000);
	assert_int_equal(nfound, 1);
	/* Smaller than a quarter of the screen: motion, not a jump. */
	teleport_init(&t, NULL, INPUT_CLASS_ABS_POINTER);
	jumps(&t, 10, 249, 5000000);
	assert_int_equal(nfound, 1);
	/* Big steps 16 ms apart: a fast flick, not from rest. */
	teleport_init(&t, NULL, INPUT_CLASS_ABS_POINTER);
	jumps(&t, 10, 300, 16000);
	assert_int_equal(nfound, 1);
	/* Jumps 11 minutes apart: separate episodes of one, none reported. */
	teleport_init(&t, NULL, INPUT_CLASS_ABS_POINTER);
	jumps(&t, 5, 400, 660000000);
	assert_int_equal(nfound, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_agent),
		cmocka_unit_test(test_quiet),
		cmocka_unit_test(test_synthetic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
