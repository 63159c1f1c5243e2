/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_input_sysfs.c - a device's capabilities as sysfs prints them
 * (input_frame_set_bitmap, collectors/input/frame.c), the live collector's
 * way of knowing what a device is: the kernel's format, the classes that
 * follow from it, and hostile values refused with nothing set.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "collectors/input/frame.h"

static struct input_frame f;

/* A mouse as the kernel prints it: BTN_LEFT..BTN_MIDDLE (0x110-0x112) are
 * bits 16-18 of the fifth 64-bit word; REL_X, REL_Y, REL_WHEEL. */
static void test_mouse(void **unused)
{
	(void)unused;
	input_frame_init(&f, "mouse");
	assert_int_equal(input_frame_set_bitmap(&f, INPUT_EV_KEY, "70000 0 0 0 0\n"), 0);
	assert_int_equal(input_frame_set_bitmap(&f, INPUT_EV_REL, "103\n"), 0);
	input_frame_classify(&f);
	assert_int_equal(f.dev.classes, INPUT_CLASS_REL_POINTER);
	assert_true(f.key_bits[0x110 / 8] & (1u << (0x110 % 8)));
	assert_int_equal(f.rel_bits, 0x103);
}

/* A keyboard: keys 1..127 in the lowest two words. */
static void test_keyboard(void **unused)
{
	(void)unused;
	input_frame_init(&f, "kbd");
	assert_int_equal(input_frame_set_bitmap(&f, INPUT_EV_KEY,
						"ffffffffffffffff fffffffffffffffe"), 0);
	input_frame_classify(&f);
	assert_int_equal(f.dev.classes, INPUT_CLASS_KEYBOARD);
	assert_false(f.key_bits[0] & 1u);	/* KEY_RESERVED stays clear */
}

/* A touch screen declares INPUT_PROP_DIRECT (bit 1 of properties). */
static void test_properties(void **unused)
{
	(void)unused;
	input_frame_init(&f, "ts");
	assert_int_equal(input_frame_set_bitmap(&f, INPUT_EV_ABS, "3"), 0);
	assert_int_equal(input_frame_set_bitmap(&f, INPUT_EV_CNT, "2"), 0);
	input_frame_classify(&f);
	assert_true(f.dev.classes & INPUT_CLASS_TOUCH);
}

/* Hostile or unknown formats: refused, and nothing of them is set. */
static void test_hostile(void **unused)
{
	static const char *const bad[] = {
		"", " ", "xyz", "-1", "0x10", "1,2", "10 zz", "1\t2",
		"11111111111111111", /* 17 hex digits: more than a word */
		"1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1", /* too many words */
	};

	(void)unused;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		input_frame_init(&f, "bad");
		assert_int_equal(input_frame_set_bitmap(&f, INPUT_EV_KEY, bad[i]), -EINVAL);
		for (size_t k = 0; k < sizeof(f.key_bits); k++)
			assert_int_equal(f.key_bits[k], 0);
	}
	assert_int_equal(input_frame_set_bitmap(&f, INPUT_EV_KEY, NULL), -EINVAL);
}

/* Bits past a type's code count are ignored, not written past the table. */
static void test_bounds(void **unused)
{
	(void)unused;
	input_frame_init(&f, "wide");
	assert_int_equal(input_frame_set_bitmap(&f, INPUT_EV_REL, "ffffffffffffffff ffffffffffffffff"), 0);
	assert_int_equal(f.rel_bits, 0xffff);
	assert_int_equal(input_frame_set_bitmap(&f, INPUT_EV_CNT, "ffffffffffffffff"), 0);
	assert_int_equal(f.prop_bits, 0xffffffffu);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mouse),
		cmocka_unit_test(test_keyboard),
		cmocka_unit_test(test_properties),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
