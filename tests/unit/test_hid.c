/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_hid.c - the HID report descriptor parser (collectors/usb/hid.c).
 *
 * The descriptors below are written for these tests from the HID 1.11
 * specification (Appendix B.1 boot keyboard, B.2 boot mouse, §6.2.2 item
 * format) and the HID Usage Tables 1.4 (Generic Desktop 0x01, Button 0x09,
 * Consumer 0x0C, Digitizers 0x0D), shaped like the devices they stand for.
 * The IP-KVM absolute mice follow the byte patterns in the project's signal
 * catalog: PiKVM/TinyPilot "09 30 09 31 16 00 00 26 FF 7F" (pikvm/kvmd
 * hid/mouse.py, tinypilot init-usb-gadget), NanoKVM "15 00 26 ff 7f 35 00
 * 46 ff 7f" (sipeed/NanoKVM S03usbdev), JetKVM report id 1 with physical
 * 0..32767 (jetkvm/kvm internal/usbgadget/hid_mouse_absolute.go).
 * The touch pad follows the shape the HID Usage Tables 1.4 §16 give a
 * Touch Pad (0x05) application: fingers in logical collections, then a
 * Generic Desktop Mouse application for the legacy relative mode.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "collectors/usb/hid.h"

/* HID 1.11 Appendix B.1: boot keyboard, 8-byte input report, LED output. */
static const uint8_t desc_boot_keyboard[] = {
	0x05, 0x01, 0x09, 0x06, 0xa1, 0x01,		/* GD, Keyboard, App */
	0x05, 0x07, 0x19, 0xe0, 0x29, 0xe7,		/* modifiers E0..E7 */
	0x15, 0x00, 0x25, 0x01, 0x75, 0x01, 0x95, 0x08, 0x81, 0x02,
	0x95, 0x01, 0x75, 0x08, 0x81, 0x01,		/* reserved byte */
	0x95, 0x05, 0x75, 0x01, 0x05, 0x08, 0x19, 0x01, 0x29, 0x05,
	0x91, 0x02,					/* LEDs */
	0x95, 0x01, 0x75, 0x03, 0x91, 0x01,
	0x95, 0x06, 0x75, 0x08, 0x15, 0x00, 0x25, 0x65,
	0x05, 0x07, 0x19, 0x00, 0x29, 0x65, 0x81, 0x00,	/* key array */
	0xc0,
};

/* PiKVM / TinyPilot absolute mouse: 7-byte report, buttons, X/Y
 * 0..32767 absolute, wheel and AC Pan relative. */
static const uint8_t desc_pikvm_mouse[] = {
	0x05, 0x01, 0x09, 0x02, 0xa1, 0x01,		/* GD, Mouse, App */
	0x09, 0x01, 0xa1, 0x00,				/* Pointer, Physical */
	0x05, 0x09, 0x19, 0x01, 0x29, 0x08, 0x15, 0x00, 0x25, 0x01,
	0x95, 0x08, 0x75, 0x01, 0x81, 0x02,		/* 8 buttons */
	0x05, 0x01, 0x09, 0x30, 0x09, 0x31,
	0x16, 0x00, 0x00, 0x26, 0xff, 0x7f,		/* 0..32767 */
	0x75, 0x10, 0x95, 0x02, 0x81, 0x02,		/* Data,Var,Abs */
	0x09, 0x38, 0x15, 0x81, 0x25, 0x7f, 0x75, 0x08, 0x95, 0x01,
	0x81, 0x06,					/* wheel, Rel */
	0x05, 0x0c, 0x0a, 0x38, 0x02, 0x15, 0x81, 0x25, 0x7f,
	0x75, 0x08, 0x95, 0x01, 0x81, 0x06,		/* AC Pan, Rel */
	0xc0, 0xc0,
};

/* NanoKVM "touchpad" (hid.GS2): 6-byte report. */
static const uint8_t desc_nanokvm_touchpad[] = {
	0x05, 0x01, 0x09, 0x02, 0xa1, 0x01, 0x09, 0x01, 0xa1, 0x00,
	0x05, 0x09, 0x19, 0x01, 0x29, 0x03, 0x15, 0x00, 0x25, 0x01,
	0x95, 0x03, 0x75, 0x01, 0x81, 0x02, 0x95, 0x01, 0x75, 0x05, 0x81, 0x01,
	0x05, 0x01, 0x09, 0x30, 0x09, 0x31,
	0x15, 0x00, 0x26, 0xff, 0x7f, 0x35, 0x00, 0x46, 0xff, 0x7f,
	0x75, 0x10, 0x95, 0x02, 0x81, 0x02,
	0x09, 0x38, 0x15, 0x81, 0x25, 0x7f, 0x35, 0x00, 0x45, 0x00,
	0x75, 0x08, 0x95, 0x01, 0x81, 0x06,
	0xc0, 0xc0,
};

/* JetKVM absolute mouse (hid.usb1): report id 1. */
static const uint8_t desc_jetkvm_abs[] = {
	0x05, 0x01, 0x09, 0x02, 0xa1, 0x01, 0x85, 0x01,
	0x09, 0x01, 0xa1, 0x00,
	0x05, 0x09, 0x19, 0x01, 0x29, 0x08, 0x15, 0x00, 0x25, 0x01,
	0x95, 0x08, 0x75, 0x01, 0x81, 0x02,
	0x05, 0x01, 0x09, 0x30, 0x09, 0x31, 0x16, 0x00, 0x00, 0x26, 0xff, 0x7f,
	0x36, 0x00, 0x00, 0x46, 0xff, 0x7f, 0x75, 0x10, 0x95, 0x02, 0x81, 0x02,
	0x09, 0x38, 0x15, 0x81, 0x25, 0x7f, 0x35, 0x00, 0x45, 0x00,
	0x75, 0x08, 0x95, 0x01, 0x81, 0x06,
	0xc0, 0xc0,
};

/* HID 1.11 Appendix B.2: boot mouse, relative X/Y/wheel. */
static const uint8_t desc_rel_mouse[] = {
	0x05, 0x01, 0x09, 0x02, 0xa1, 0x01, 0x09, 0x01, 0xa1, 0x00,
	0x05, 0x09, 0x19, 0x01, 0x29, 0x03, 0x15, 0x00, 0x25, 0x01,
	0x95, 0x03, 0x75, 0x01, 0x81, 0x02, 0x95, 0x01, 0x75, 0x05, 0x81, 0x01,
	0x05, 0x01, 0x09, 0x30, 0x09, 0x31, 0x09, 0x38,
	0x15, 0x81, 0x25, 0x7f, 0x75, 0x08, 0x95, 0x03, 0x81, 0x06,
	0xc0, 0xc0,
};

/* Pen tablet (Wacom Intuos-like): Digitizers page, Pen application,
 * Stylus, tip/barrel/eraser/in-range, X 0..44800, Y 0..29600, pressure. */
static const uint8_t desc_pen[] = {
	0x05, 0x0d, 0x09, 0x02, 0xa1, 0x01, 0x85, 0x02,	/* Digitizer, Pen, App */
	0x09, 0x20, 0xa1, 0x00,				/* Stylus, Physical */
	0x09, 0x42, 0x09, 0x44, 0x09, 0x45, 0x09, 0x32,	/* tip, barrel, eraser, in range */
	0x15, 0x00, 0x25, 0x01, 0x75, 0x01, 0x95, 0x04, 0x81, 0x02,
	0x95, 0x04, 0x81, 0x03,
	0x05, 0x01, 0x09, 0x30, 0x15, 0x00, 0x26, 0x00, 0xaf,	/* X 0..44800 */
	0x75, 0x10, 0x95, 0x01, 0x81, 0x02,
	0x09, 0x31, 0x26, 0xa0, 0x73, 0x81, 0x02,		/* Y 0..29600 */
	0x05, 0x0d, 0x09, 0x30, 0x26, 0xff, 0x1f, 0x81, 0x02,	/* pressure */
	0xc0, 0xc0,
};

/* Multi-touch screen (ELAN-like): Touch Screen application, one finger
 * logical collection, contact count. */
static const uint8_t desc_touchscreen[] = {
	0x05, 0x0d, 0x09, 0x04, 0xa1, 0x01, 0x85, 0x01,	/* Touch Screen, App */
	0x09, 0x22, 0xa1, 0x02,				/* Finger, Logical */
	0x09, 0x42, 0x09, 0x47, 0x15, 0x00, 0x25, 0x01,
	0x75, 0x01, 0x95, 0x02, 0x81, 0x02, 0x95, 0x06, 0x81, 0x03,
	0x09, 0x51, 0x25, 0x0a, 0x75, 0x08, 0x95, 0x01, 0x81, 0x02,
	0x05, 0x01, 0x09, 0x30, 0x26, 0x00, 0x0f, 0x75, 0x10, 0x81, 0x02,
	0x09, 0x31, 0x26, 0x70, 0x08, 0x81, 0x02,
	0xc0,
	0x05, 0x0d, 0x09, 0x54, 0x25, 0x0a, 0x75, 0x08, 0x95, 0x01, 0x81, 0x02,
	0xc0,
};

/* Touch pad: Touch Pad application (id 1), one finger (Tip Switch,
 * Contact Identifier, X 0..2808 / Y 0..1903 absolute), Contact Count,
 * Button 1; then a Mouse application (id 2), relative X/Y. */
static const uint8_t desc_touchpad[] = {
	0x05, 0x0d, 0x09, 0x05, 0xa1, 0x01, 0x85, 0x01,	/* Touch Pad, App */
	0x09, 0x22, 0xa1, 0x02,				/* Finger, Logical */
	0x09, 0x42, 0x15, 0x00, 0x25, 0x01, 0x75, 0x01, 0x95, 0x01, 0x81, 0x02,
	0x95, 0x03, 0x81, 0x03,
	0x09, 0x51, 0x25, 0x0f, 0x75, 0x04, 0x95, 0x01, 0x81, 0x02,
	0x05, 0x01, 0x15, 0x00, 0x26, 0xf8, 0x0a, 0x75, 0x10, 0x95, 0x01,
	0x09, 0x30, 0x81, 0x02, 0x26, 0x6f, 0x07, 0x09, 0x31, 0x81, 0x02,
	0xc0,
	0x05, 0x0d, 0x09, 0x54, 0x25, 0x05, 0x75, 0x08, 0x95, 0x01, 0x81, 0x02,
	0x05, 0x09, 0x09, 0x01, 0x25, 0x01, 0x75, 0x01, 0x95, 0x01, 0x81, 0x02,
	0x95, 0x07, 0x81, 0x03,
	0xc0,
	0x05, 0x01, 0x09, 0x02, 0xa1, 0x01, 0x85, 0x02,	/* Mouse, App */
	0x09, 0x01, 0xa1, 0x00,
	0x05, 0x09, 0x19, 0x01, 0x29, 0x02, 0x15, 0x00, 0x25, 0x01,
	0x95, 0x02, 0x75, 0x01, 0x81, 0x02, 0x95, 0x01, 0x75, 0x06, 0x81, 0x03,
	0x05, 0x01, 0x09, 0x30, 0x09, 0x31, 0x15, 0x81, 0x25, 0x7f,
	0x75, 0x08, 0x95, 0x02, 0x81, 0x06,
	0xc0, 0xc0,
};

/* Single-touch screen: Touch Screen application holding a GD Pointer
 * with a Tip Switch and absolute X/Y (a legacy single-touch shape). */
static const uint8_t desc_single_touch[] = {
	0x05, 0x0d, 0x09, 0x04, 0xa1, 0x01,		/* Touch Screen, App */
	0x05, 0x01, 0x09, 0x01, 0xa1, 0x00,		/* GD Pointer, Physical */
	0x05, 0x0d, 0x09, 0x42, 0x15, 0x00, 0x25, 0x01,
	0x75, 0x01, 0x95, 0x01, 0x81, 0x02, 0x95, 0x07, 0x81, 0x03,
	0x05, 0x01, 0x09, 0x30, 0x09, 0x31, 0x26, 0xff, 0x0f,
	0x75, 0x10, 0x95, 0x02, 0x81, 0x02,
	0xc0, 0xc0,
};

/* Wireless receiver, several application collections on one interface:
 * keyboard (id 1), mouse with 12-bit relative X/Y (id 2), consumer (id 3),
 * system control (id 4), vendor-defined HID++ (id 0x10). */
static const uint8_t desc_receiver[] = {
	0x05, 0x01, 0x09, 0x06, 0xa1, 0x01, 0x85, 0x01,
	0x95, 0x08, 0x75, 0x01, 0x15, 0x00, 0x25, 0x01,
	0x05, 0x07, 0x19, 0xe0, 0x29, 0xe7, 0x81, 0x02,
	0x95, 0x06, 0x75, 0x08, 0x26, 0xff, 0x00, 0x19, 0x00, 0x2a, 0xff, 0x00,
	0x81, 0x00, 0xc0,
	0x05, 0x01, 0x09, 0x02, 0xa1, 0x01, 0x85, 0x02, 0x09, 0x01, 0xa1, 0x00,
	0x05, 0x09, 0x19, 0x01, 0x29, 0x10, 0x15, 0x00, 0x25, 0x01,
	0x95, 0x10, 0x75, 0x01, 0x81, 0x02,
	0x05, 0x01, 0x16, 0x01, 0xf8, 0x26, 0xff, 0x07, 0x75, 0x0c, 0x95, 0x02,
	0x09, 0x30, 0x09, 0x31, 0x81, 0x06,
	0xc0, 0xc0,
	0x05, 0x0c, 0x09, 0x01, 0xa1, 0x01, 0x85, 0x03, 0x75, 0x10, 0x95, 0x02,
	0x15, 0x01, 0x26, 0xff, 0x02, 0x19, 0x01, 0x2a, 0xff, 0x02, 0x81, 0x00,
	0xc0,
	0x05, 0x01, 0x09, 0x80, 0xa1, 0x01, 0x85, 0x04, 0x75, 0x02, 0x95, 0x01,
	0x15, 0x01, 0x25, 0x03, 0x09, 0x82, 0x09, 0x81, 0x09, 0x83, 0x81, 0x60,
	0x75, 0x06, 0x81, 0x03, 0xc0,
	0x06, 0x00, 0xff, 0x09, 0x01, 0xa1, 0x01, 0x85, 0x10, 0x75, 0x08,
	0x95, 0x06, 0x15, 0x00, 0x26, 0xff, 0x00, 0x09, 0x01, 0x81, 0x00,
	0x09, 0x01, 0x91, 0x00, 0xc0,
};

static struct hid_info parse_ok(const uint8_t *d, size_t n)
{
	struct hid_info info;

	assert_int_equal(hid_parse(d, n, &info), 0);
	assert_int_equal(info.parsed_len, n);
	return info;
}

static void test_boot_keyboard(void **state)
{
	struct hid_info i = parse_ok(desc_boot_keyboard, sizeof(desc_boot_keyboard));

	(void)state;
	assert_true(i.has_keyboard);
	assert_false(i.has_mouse);
	assert_false(i.has_absolute_pointer);
	assert_false(i.has_digitizer);
	assert_int_equal(i.n_applications, 1);
	assert_int_equal(i.n_inputs, 3);
	assert_int_equal(i.max_report_id, 0);
}

static void test_pikvm_abs_mouse(void **state)
{
	struct hid_info i = parse_ok(desc_pikvm_mouse, sizeof(desc_pikvm_mouse));

	(void)state;
	assert_true(i.has_mouse);
	assert_true(i.has_absolute_pointer);
	assert_true(i.has_relative_pointer == false);	/* wheel is not X/Y */
	assert_false(i.has_keyboard);
	assert_false(i.has_digitizer);
	assert_int_equal(i.abs_max, 32767);
	assert_int_equal(i.n_collections, 2);
}

static void test_nanokvm_touchpad(void **state)
{
	struct hid_info i = parse_ok(desc_nanokvm_touchpad, sizeof(desc_nanokvm_touchpad));

	(void)state;
	assert_true(i.has_mouse);
	assert_true(i.has_absolute_pointer);
	assert_false(i.has_digitizer);
	assert_int_equal(i.abs_max, 32767);
}

static void test_jetkvm_abs_report_id(void **state)
{
	struct hid_info i = parse_ok(desc_jetkvm_abs, sizeof(desc_jetkvm_abs));

	(void)state;
	assert_true(i.has_absolute_pointer);
	assert_int_equal(i.abs_max, 32767);
	assert_int_equal(i.max_report_id, 1);
}

static void test_relative_mouse(void **state)
{
	struct hid_info i = parse_ok(desc_rel_mouse, sizeof(desc_rel_mouse));

	(void)state;
	assert_true(i.has_mouse);
	assert_true(i.has_relative_pointer);
	assert_false(i.has_absolute_pointer);
	assert_int_equal(i.abs_max, 0);
	assert_false(i.has_keyboard);
}

static void test_pen_digitizer(void **state)
{
	struct hid_info i = parse_ok(desc_pen, sizeof(desc_pen));

	(void)state;
	assert_true(i.has_digitizer);
	assert_true(i.has_absolute_pointer);
	assert_false(i.has_mouse);
	/* 0xAF00 with a non-negative minimum reads unsigned, as Linux does */
	assert_int_equal(i.abs_max, 44800);
	assert_int_equal(i.max_report_id, 2);
}

static void test_touchscreen(void **state)
{
	struct hid_info i = parse_ok(desc_touchscreen, sizeof(desc_touchscreen));

	(void)state;
	assert_true(i.has_digitizer);
	assert_true(i.has_absolute_pointer);
	assert_false(i.has_mouse);
	assert_false(i.has_keyboard);
	assert_int_equal(i.abs_max, 3840);
}

static void test_receiver_multi(void **state)
{
	struct hid_info i = parse_ok(desc_receiver, sizeof(desc_receiver));

	(void)state;
	assert_true(i.has_keyboard);
	assert_true(i.has_mouse);
	assert_true(i.has_relative_pointer);
	assert_true(i.has_consumer);
	assert_false(i.has_absolute_pointer);
	assert_false(i.has_digitizer);
	assert_int_equal(i.n_applications, 5);
	assert_int_equal(i.max_report_id, 0x10);
}

/* A 4-byte Usage carries its own page: GD X/Y declared while the Usage
 * Page is Buttons must still count as X/Y. */
static void test_extended_usage(void **state)
{
	static const uint8_t d[] = {
		0x05, 0x09,
		0x0b, 0x30, 0x00, 0x01, 0x00, 0x0b, 0x31, 0x00, 0x01, 0x00,
		0x15, 0x00, 0x26, 0xff, 0x0f, 0x75, 0x10, 0x95, 0x02, 0x81, 0x02,
		/* the same with 2-byte usages is Button 0x30/0x31: no X/Y */
		0x09, 0x30, 0x09, 0x31, 0x26, 0xff, 0x7f, 0x81, 0x02,
	};
	struct hid_info i = parse_ok(d, sizeof(d));

	(void)state;
	assert_true(i.has_absolute_pointer);
	assert_int_equal(i.abs_max, 4095);
}

static void test_logical_max_sign(void **state)
{
	/* min 0, 4-byte max 0xFFFFFFFF: unsigned */
	static const uint8_t u[] = {
		0x05, 0x01, 0x09, 0x30, 0x15, 0x00, 0x27, 0xff, 0xff, 0xff, 0xff,
		0x75, 0x20, 0x95, 0x01, 0x81, 0x02,
	};
	/* min -1: max 0xFF is -1 (signed), not above the previous 0 */
	static const uint8_t s[] = {
		0x05, 0x01, 0x09, 0x31, 0x15, 0xff, 0x25, 0xff,
		0x75, 0x08, 0x95, 0x01, 0x81, 0x02,
	};
	/* min -32768 max 32767 (2 bytes) */
	static const uint8_t s16[] = {
		0x05, 0x01, 0x09, 0x30, 0x16, 0x00, 0x80, 0x26, 0xff, 0x7f,
		0x75, 0x10, 0x95, 0x01, 0x81, 0x02,
	};
	struct hid_info i;

	(void)state;
	i = parse_ok(u, sizeof(u));
	assert_int_equal(i.abs_max, 4294967295LL);
	i = parse_ok(s, sizeof(s));
	assert_true(i.has_absolute_pointer);
	assert_int_equal(i.abs_max, 0);
	i = parse_ok(s16, sizeof(s16));
	assert_int_equal(i.abs_max, 32767);
}

static void test_constant_xy_ignored(void **state)
{
	static const uint8_t d[] = {
		0x05, 0x01, 0x09, 0x30, 0x09, 0x31, 0x15, 0x00, 0x26, 0xff, 0x7f,
		0x75, 0x10, 0x95, 0x02, 0x81, 0x03,	/* Constant */
	};
	struct hid_info i = parse_ok(d, sizeof(d));

	(void)state;
	assert_false(i.has_absolute_pointer);
	assert_int_equal(i.n_inputs, 1);
}

/* Push/Pop restores the Usage Page and ranges. */
static void test_push_pop(void **state)
{
	static const uint8_t d[] = {
		0x05, 0x01, 0x15, 0x00, 0x26, 0xff, 0x7f, 0xa4,	/* push GD 0..32767 */
		0x05, 0x09, 0x26, 0x01, 0x00,			/* Buttons 0..1 */
		0x19, 0x01, 0x29, 0x03, 0x75, 0x01, 0x95, 0x03, 0x81, 0x02,
		0xb4,						/* pop */
		0x09, 0x30, 0x75, 0x10, 0x95, 0x01, 0x81, 0x02,
	};
	struct hid_info i = parse_ok(d, sizeof(d));

	(void)state;
	assert_true(i.has_absolute_pointer);
	assert_int_equal(i.abs_max, 32767);
}

static void test_push_overflow_pop_underflow(void **state)
{
	uint8_t d[64];
	struct hid_info i;

	(void)state;
	memset(d, 0xa4, sizeof(d));			/* 64 x Push */
	assert_int_equal(hid_parse(d, sizeof(d), &i), -E2BIG);
	assert_true(i.parsed_len < sizeof(d));
	memset(d, 0xb4, sizeof(d));			/* Pop, nothing pushed */
	assert_int_equal(hid_parse(d, sizeof(d), &i), -EBADMSG);
	assert_int_equal(i.parsed_len, 0);
	/* push without pop is harmless */
	static const uint8_t p[] = { 0xa4, 0xa4, 0xa4 };
	assert_int_equal(hid_parse(p, sizeof(p), &i), 0);
}

static void test_nesting_overflow(void **state)
{
	uint8_t d[2 * 100];
	struct hid_info i;

	(void)state;
	for (size_t k = 0; k < 100; k++) {
		d[2 * k] = 0xa1;
		d[2 * k + 1] = 0x00;
	}
	assert_int_equal(hid_parse(d, sizeof(d), &i), -E2BIG);
	assert_true(i.n_collections <= 32);
	/* End Collection without a collection */
	static const uint8_t e[] = { 0xc0 };
	assert_int_equal(hid_parse(e, sizeof(e), &i), -EBADMSG);
	/* unclosed collection: results kept, error reported */
	static const uint8_t u[] = { 0x05, 0x01, 0x09, 0x06, 0xa1, 0x01 };
	assert_int_equal(hid_parse(u, sizeof(u), &i), -EBADMSG);
	assert_true(i.has_keyboard);
}

static void test_long_items(void **state)
{
	uint8_t d[sizeof(desc_pikvm_mouse) + 7];
	struct hid_info i;

	(void)state;
	/* a well-formed long item is skipped whole, then parsing goes on */
	memcpy(d, (const uint8_t[]){ 0xfe, 0x04, 0x00, 0xa1, 0xa1, 0xa1, 0xa1 }, 7);
	memcpy(d + 7, desc_pikvm_mouse, sizeof(desc_pikvm_mouse));
	assert_int_equal(hid_parse(d, sizeof(d), &i), 0);
	assert_true(i.has_absolute_pointer);
	assert_int_equal(i.n_collections, 2);	/* the a1 bytes were data */
	/* long item length past the end */
	static const uint8_t bad[] = { 0xfe, 0xff, 0x00, 0x01, 0x02 };
	assert_int_equal(hid_parse(bad, sizeof(bad), &i), -EBADMSG);
	assert_int_equal(i.parsed_len, 0);
	static const uint8_t stub[] = { 0xfe };
	assert_int_equal(hid_parse(stub, sizeof(stub), &i), -EBADMSG);
	static const uint8_t stub2[] = { 0xfe, 0x00 };
	assert_int_equal(hid_parse(stub2, sizeof(stub2), &i), -EBADMSG);
	static const uint8_t empty_long[] = { 0xfe, 0x00, 0x00 };
	assert_int_equal(hid_parse(empty_long, sizeof(empty_long), &i), 0);
}

static void test_bad_args_and_empty(void **state)
{
	struct hid_info i;

	(void)state;
	assert_int_equal(hid_parse(desc_rel_mouse, 0, &i), -ENODATA);
	assert_int_equal(hid_parse(NULL, 0, &i), -ENODATA);
	assert_int_equal(hid_parse(NULL, 5, &i), -EINVAL);
	assert_int_equal(hid_parse(desc_rel_mouse, 4, NULL), -EINVAL);
	static const uint8_t id0[] = { 0x85, 0x00 };	/* Report ID 0 is reserved */
	assert_int_equal(hid_parse(id0, sizeof(id0), &i), -EBADMSG);
	static const uint8_t huge[] = { 0x97, 0xff, 0xff, 0xff, 0xff,	/* count 4G */
		0x05, 0x07, 0x19, 0x00, 0x29, 0x65, 0x81, 0x00 };
	assert_int_equal(hid_parse(huge, sizeof(huge), &i), 0);
	assert_true(i.has_keyboard);
}

/* "b is no more than a" for everything hid_parse claims. */
static void assert_within(const struct hid_info *b, const struct hid_info *a)
{
	assert_true(!b->has_keyboard || a->has_keyboard);
	assert_true(!b->has_mouse || a->has_mouse);
	assert_true(!b->has_absolute_pointer || a->has_absolute_pointer);
	assert_true(!b->has_relative_pointer || a->has_relative_pointer);
	assert_true(!b->has_digitizer || a->has_digitizer);
	assert_true(!b->has_consumer || a->has_consumer);
	assert_true(b->abs_max <= a->abs_max);
	assert_true(b->n_collections <= a->n_collections);
	assert_true(b->n_inputs <= a->n_inputs);
	assert_true(b->max_report_id <= a->max_report_id);
	assert_int_equal(b->pointer_kinds & ~a->pointer_kinds, 0);
}

/* Every prefix of a valid descriptor, each in a buffer of exactly that size
 * (so ASan or valgrind would see a one-byte over-read). */
static void check_prefixes(const uint8_t *d, size_t n)
{
	struct hid_info full, part;

	assert_int_equal(hid_parse(d, n, &full), 0);
	for (size_t k = 0; k < n; k++) {
		uint8_t *buf = malloc(k ? k : 1);
		int r;

		assert_non_null(buf);
		memcpy(buf, d, k);
		r = hid_parse(buf, k, &part);
		assert_true(r == 0 || r == -EBADMSG || r == -ENODATA);
		assert_true(part.parsed_len <= k);
		assert_within(&part, &full);
		free(buf);
	}
}

static void test_truncated_prefixes(void **state)
{
	(void)state;
	check_prefixes(desc_boot_keyboard, sizeof(desc_boot_keyboard));
	check_prefixes(desc_pikvm_mouse, sizeof(desc_pikvm_mouse));
	check_prefixes(desc_jetkvm_abs, sizeof(desc_jetkvm_abs));
	check_prefixes(desc_pen, sizeof(desc_pen));
	check_prefixes(desc_touchscreen, sizeof(desc_touchscreen));
	check_prefixes(desc_receiver, sizeof(desc_receiver));
	check_prefixes(desc_touchpad, sizeof(desc_touchpad));
	check_prefixes(desc_single_touch, sizeof(desc_single_touch));
	check_prefixes(desc_nanokvm_touchpad, sizeof(desc_nanokvm_touchpad));
}

/* The truncated PiKVM mouse must not report the absolute range before the
 * Input item that declares it has been read. */
static void test_truncated_before_input(void **state)
{
	struct hid_info i;
	/* up to and including "26 ff 7f 75 10 95 02", without "81 02" */
	size_t cut = 0;

	(void)state;
	for (size_t k = 0; k + 1 < sizeof(desc_pikvm_mouse); k++)
		if (desc_pikvm_mouse[k] == 0x95 && desc_pikvm_mouse[k + 1] == 0x02)
			cut = k + 2;
	assert_true(cut > 0);
	hid_parse(desc_pikvm_mouse, cut, &i);
	assert_false(i.has_absolute_pointer);
	hid_parse(desc_pikvm_mouse, cut + 2, &i);
	assert_true(i.has_absolute_pointer);
}

/* ---- pointer kinds ---- */

static unsigned int kinds_of(const uint8_t *d, size_t n)
{
	return parse_ok(d, n).pointer_kinds;
}

/* Relative X/Y in a Mouse/Pointer collection is a mouse; absolute X/Y
 * there, with no digitizer usage, an absolute pointer (IP-KVMs, QEMU's
 * tablet); a wheel is not X/Y; keyboards and consumer keys are neither. */
static void test_kinds_mouse_absolute(void **state)
{
	(void)state;
	assert_int_equal(kinds_of(desc_rel_mouse, sizeof(desc_rel_mouse)), HID_POINTER_MOUSE);
	assert_int_equal(kinds_of(desc_receiver, sizeof(desc_receiver)), HID_POINTER_MOUSE);
	assert_int_equal(kinds_of(desc_pikvm_mouse, sizeof(desc_pikvm_mouse)),
			 HID_POINTER_ABSOLUTE);
	assert_int_equal(kinds_of(desc_nanokvm_touchpad, sizeof(desc_nanokvm_touchpad)),
			 HID_POINTER_ABSOLUTE);
	assert_int_equal(kinds_of(desc_jetkvm_abs, sizeof(desc_jetkvm_abs)),
			 HID_POINTER_ABSOLUTE);
	assert_int_equal(kinds_of(desc_boot_keyboard, sizeof(desc_boot_keyboard)), 0);
}

/* A touch screen is not a touch pad, nor (its fingers' X/Y) an absolute
 * pointer; a touch pad's legacy mouse mode is a mouse. */
static void test_kinds_touchscreen_touchpad(void **state)
{
	(void)state;
	assert_int_equal(kinds_of(desc_touchscreen, sizeof(desc_touchscreen)),
			 HID_POINTER_TOUCHSCREEN);
	assert_int_equal(kinds_of(desc_touchpad, sizeof(desc_touchpad)),
			 HID_POINTER_TOUCHPAD | HID_POINTER_MOUSE);
	/* GD Pointer inside a Touch Screen: a touch screen only */
	assert_int_equal(kinds_of(desc_single_touch, sizeof(desc_single_touch)),
			 HID_POINTER_TOUCHSCREEN);
	/* relative X/Y of a GD Pointer inside a Touch Pad: a touch pad only */
	static const uint8_t rel_pad[] = {
		0x05, 0x0d, 0x09, 0x05, 0xa1, 0x01, 0x05, 0x01, 0x09, 0x01, 0xa1, 0x00,
		0x09, 0x30, 0x09, 0x31, 0x15, 0x81, 0x25, 0x7f, 0x75, 0x08, 0x95, 0x02,
		0x81, 0x06, 0xc0, 0xc0,
	};
	assert_int_equal(kinds_of(rel_pad, sizeof(rel_pad)), HID_POINTER_TOUCHPAD);
}

static void test_kinds_pen(void **state)
{
	/* Digitizer (0x01) application: a pen tablet too */
	static const uint8_t dig[] = {
		0x05, 0x0d, 0x09, 0x01, 0xa1, 0x01, 0x09, 0x20, 0xa1, 0x00,
		0x09, 0x42, 0x15, 0x00, 0x25, 0x01, 0x75, 0x01, 0x95, 0x01, 0x81, 0x02,
		0x95, 0x07, 0x81, 0x03,
		0x05, 0x01, 0x09, 0x30, 0x09, 0x31, 0x26, 0xff, 0x3f,
		0x75, 0x10, 0x95, 0x02, 0x81, 0x02, 0xc0, 0xc0,
	};

	(void)state;
	assert_int_equal(kinds_of(desc_pen, sizeof(desc_pen)), HID_POINTER_PEN);
	assert_int_equal(kinds_of(dig, sizeof(dig)), HID_POINTER_PEN);
}

/* Each top-level collection is judged on its own: an absolute mouse next
 * to a touch screen is both, in either order; a digitizer usage inside the
 * mouse's own collection (a Tip Switch) makes it no bare absolute pointer. */
static void test_kinds_per_collection(void **state)
{
	uint8_t d[sizeof(desc_pikvm_mouse) + sizeof(desc_touchscreen)];
	static const uint8_t tip[] = {
		0x05, 0x01, 0x09, 0x02, 0xa1, 0x01, 0x09, 0x01, 0xa1, 0x00,
		0x05, 0x0d, 0x09, 0x42, 0x15, 0x00, 0x25, 0x01, 0x75, 0x01,
		0x95, 0x01, 0x81, 0x02, 0x95, 0x07, 0x81, 0x03,
		0x05, 0x01, 0x09, 0x30, 0x09, 0x31, 0x26, 0xff, 0x7f,
		0x75, 0x10, 0x95, 0x02, 0x81, 0x02, 0xc0, 0xc0,
	};
	/* Touch Screen usage on a Physical collection names no digitizer */
	static const uint8_t phys[] = { 0x05, 0x0d, 0x09, 0x04, 0xa1, 0x00, 0xc0 };
	/* the same usage as an extended (4-byte) usage on another page */
	static const uint8_t ext[] = {
		0x05, 0x01, 0x0b, 0x05, 0x00, 0x0d, 0x00, 0xa1, 0x01, 0xc0,
	};

	(void)state;
	memcpy(d, desc_pikvm_mouse, sizeof(desc_pikvm_mouse));
	memcpy(d + sizeof(desc_pikvm_mouse), desc_touchscreen, sizeof(desc_touchscreen));
	assert_int_equal(kinds_of(d, sizeof(d)),
			 HID_POINTER_ABSOLUTE | HID_POINTER_TOUCHSCREEN);
	memcpy(d, desc_touchscreen, sizeof(desc_touchscreen));
	memcpy(d + sizeof(desc_touchscreen), desc_pikvm_mouse, sizeof(desc_pikvm_mouse));
	assert_int_equal(kinds_of(d, sizeof(d)),
			 HID_POINTER_ABSOLUTE | HID_POINTER_TOUCHSCREEN);
	assert_int_equal(kinds_of(tip, sizeof(tip)), 0);
	assert_true(parse_ok(tip, sizeof(tip)).has_absolute_pointer);
	assert_int_equal(kinds_of(phys, sizeof(phys)), 0);
	assert_int_equal(kinds_of(ext, sizeof(ext)), HID_POINTER_TOUCHPAD);
}

/* Hostile shapes: X/Y outside any collection names no kind; an absolute
 * pointer whose collection never closes is not claimed (Linux refuses the
 * descriptor), a relative one is (what it declared before the fault); a
 * pointer buried past the nesting bound is not claimed. */
static void test_kinds_hostile(void **state)
{
	static const uint8_t bare[] = {
		0x05, 0x01, 0x09, 0x30, 0x09, 0x31, 0x15, 0x00, 0x26, 0xff, 0x7f,
		0x75, 0x10, 0x95, 0x02, 0x81, 0x02,
		0x09, 0x30, 0x15, 0x81, 0x25, 0x7f, 0x75, 0x08, 0x95, 0x01, 0x81, 0x06,
	};
	uint8_t deep[2 + 4 * 40 + 7];
	struct hid_info i;
	size_t n = 0;

	(void)state;
	assert_int_equal(kinds_of(bare, sizeof(bare)), 0);
	assert_true(parse_ok(bare, sizeof(bare)).has_absolute_pointer);

	assert_int_equal(hid_parse(desc_pikvm_mouse, sizeof(desc_pikvm_mouse) - 2, &i),
			 -EBADMSG);
	assert_true(i.has_absolute_pointer);
	assert_int_equal(i.pointer_kinds, 0);
	assert_int_equal(hid_parse(desc_rel_mouse, sizeof(desc_rel_mouse) - 2, &i), -EBADMSG);
	assert_int_equal(i.pointer_kinds, HID_POINTER_MOUSE);

	deep[n++] = 0x05;
	deep[n++] = 0x01;
	for (int k = 0; k < 40; k++) {		/* 40 nested Mouse applications */
		deep[n++] = 0x09;
		deep[n++] = 0x02;
		deep[n++] = 0xa1;
		deep[n++] = 0x01;
	}
	memcpy(deep + n, (const uint8_t[]){ 0x09, 0x30, 0x26, 0xff, 0x7f, 0x81, 0x02 }, 7);
	n += 7;
	assert_int_equal(hid_parse(deep, n, &i), -E2BIG);
	assert_int_equal(i.pointer_kinds, 0);
}

static uint64_t prng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t prng(void)
{
	/* xorshift64*: deterministic, so a failure reproduces */
	prng_state ^= prng_state >> 12;
	prng_state ^= prng_state << 25;
	prng_state ^= prng_state >> 27;
	return prng_state * 0x2545f4914f6cdd1dULL;
}

static void fuzz_one(const uint8_t *src, size_t n)
{
	uint8_t *buf = malloc(n ? n : 1);
	struct hid_info i;
	int r;

	assert_non_null(buf);
	memcpy(buf, src, n);
	r = hid_parse(buf, n, &i);
	assert_true(r == 0 || r == -EBADMSG || r == -E2BIG || r == -ENODATA);
	assert_true(i.parsed_len <= n);
	assert_true(i.n_collections <= n);
	assert_int_equal(i.pointer_kinds & ~(unsigned)(HID_POINTER_MOUSE | HID_POINTER_ABSOLUTE |
		HID_POINTER_TOUCHSCREEN | HID_POINTER_TOUCHPAD | HID_POINTER_PEN), 0);
	free(buf);
}

static void test_random_blobs(void **state)
{
	uint8_t blob[HID_DESCRIPTOR_MAX];

	(void)state;
	for (int round = 0; round < 4000; round++) {
		size_t n = prng() % 600;

		for (size_t k = 0; k < n; k++)
			blob[k] = (uint8_t)prng();
		fuzz_one(blob, n);
	}
	/* mutations of real descriptors reach deeper states than noise */
	for (int round = 0; round < 4000; round++) {
		size_t n = sizeof(desc_receiver);

		memcpy(blob, desc_receiver, n);
		for (int m = 0; m < 1 + (int)(prng() % 6); m++)
			blob[prng() % n] = (uint8_t)prng();
		fuzz_one(blob, prng() % (n + 1));
	}
	/* the largest descriptor Linux accepts, all Push/Collection noise */
	for (size_t k = 0; k < sizeof(blob); k++)
		blob[k] = (k & 1) ? 0xa1 : 0xa4;
	fuzz_one(blob, sizeof(blob));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boot_keyboard),
		cmocka_unit_test(test_pikvm_abs_mouse),
		cmocka_unit_test(test_nanokvm_touchpad),
		cmocka_unit_test(test_jetkvm_abs_report_id),
		cmocka_unit_test(test_relative_mouse),
		cmocka_unit_test(test_pen_digitizer),
		cmocka_unit_test(test_touchscreen),
		cmocka_unit_test(test_receiver_multi),
		cmocka_unit_test(test_extended_usage),
		cmocka_unit_test(test_logical_max_sign),
		cmocka_unit_test(test_constant_xy_ignored),
		cmocka_unit_test(test_push_pop),
		cmocka_unit_test(test_push_overflow_pop_underflow),
		cmocka_unit_test(test_nesting_overflow),
		cmocka_unit_test(test_long_items),
		cmocka_unit_test(test_bad_args_and_empty),
		cmocka_unit_test(test_truncated_prefixes),
		cmocka_unit_test(test_truncated_before_input),
		cmocka_unit_test(test_random_blobs),
		cmocka_unit_test(test_kinds_mouse_absolute),
		cmocka_unit_test(test_kinds_touchscreen_touchpad),
		cmocka_unit_test(test_kinds_pen),
		cmocka_unit_test(test_kinds_per_collection),
		cmocka_unit_test(test_kinds_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
