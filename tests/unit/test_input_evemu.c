/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_input_evemu.c - the evemu-record reader (collectors/input/evemu.c)
 * and the frame behind it (frame.c): the format as evemu writes it, the
 * samples and what they may carry, and hostile lines skipped and counted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "collectors/input/evemu.h"

#define MAXS 64

struct got {
	struct input_sample s[MAXS];
	size_t n;
};

static void collect(void *ctx, const struct input_sample *s)
{
	struct got *g = ctx;

	if (g->n < MAXS)
		g->s[g->n++] = *s;
}

static struct evemu_reader rd;

static void read_text(const char *text, struct got *g)
{
	memset(g, 0, sizeof(*g));
	evemu_init(&rd, collect, g);
	evemu_feed(&rd, text, strlen(text));
	evemu_finish(&rd);
}

/* A mouse as evemu-record writes it (evemu.c evemu_write, evemu_write_event). */
static const char mouse[] =
	"# EVEMU 1.3\n"
	"# Input device name: \"Logitech USB Optical Mouse\"\n"
	"N: Logitech USB Optical Mouse\n"
	"I: 0003 046d c077 0111\n"
	"P: 00 00 00 00 00 00 00 00\n"
	"B: 00 0b 00 00 00 00 00 00 00\n"
	"B: 01 00 00 00 00 00 00 00 00\n"
	"B: 01 00 00 00 00 00 00 00 00\n"
	"B: 01 00 00 00 00 00 00 00 00\n"
	"B: 01 00 00 00 00 00 00 00 00\n"
	"B: 01 00 00 07 00 00 00 00 00\n"
	"B: 02 03 01 00 00 00 00 00 00\n"
	"################################\n"
	"#      Waiting for events      #\n"
	"################################\n"
	"E: 0.000001 0002 0000 0003\t# EV_REL / REL_X                3\n"
	"E: 0.000001 0002 0001 -002\t# EV_REL / REL_Y                -2\n"
	"E: 0.000001 0000 0000 0000\t# ------------ SYN_REPORT (0) ---------- +0ms\n"
	"E: 0.008002 0004 0004 589825\t# EV_MSC / MSC_SCAN             589825\n"
	"E: 0.008002 0001 0110 0001\t# EV_KEY / BTN_LEFT             1\n"
	"E: 0.008002 0000 0000 0000\t# ------------ SYN_REPORT (0) ---------- +8ms\n"
	"E: 0.016000 0002 0008 -001\t# EV_REL / REL_WHEEL            -1\n"
	"E: 0.016000 0000 0000 0000\t# ------------ SYN_REPORT (0) ---------- +8ms\n";

static void test_mouse(void **state)
{
	struct got g;

	(void)state;
	read_text(mouse, &g);
	assert_string_equal(rd.frame.dev.name, "Logitech USB Optical Mouse");
	assert_int_equal(rd.frame.dev.bus, 3);
	assert_int_equal(rd.frame.dev.vendor, 0x046d);
	assert_int_equal(rd.frame.dev.product, 0xc077);
	assert_int_equal(rd.frame.dev.version, 0x0111);
	/* BTN_LEFT is bit 0 of the fifth B: 01 line: code 0x110. */
	assert_int_equal(rd.frame.dev.classes, INPUT_CLASS_REL_POINTER);
	assert_int_equal(rd.stats.events, 8);
	assert_int_equal(rd.stats.malformed + rd.stats.unknown + rd.stats.long_lines, 0);
	assert_int_equal(g.n, 3);
	assert_int_equal(g.s[0].kind, INPUT_REL_MOVE);
	assert_int_equal(g.s[0].t_us, 1);
	assert_int_equal(g.s[0].dx, 3);
	assert_int_equal(g.s[0].dy, -2);
	assert_int_equal(g.s[0].mag, 3);
	assert_int_equal(g.s[1].kind, INPUT_BUTTON);
	assert_int_equal(g.s[1].t_us, 8002);
	assert_int_equal(g.s[2].kind, INPUT_OTHER);
	assert_int_equal(rd.stats.samples, 3);
}

/* Keys: no code leaves, the hold time is measured; repeats are repeats. */
static void test_keys(void **state)
{
	struct got g;
	static const char kb[] =
		"N: AT Translated Set 2 keyboard\n"
		"I: 0011 0001 0001 ab41\n"
		"B: 01 fe ff ff ff ff ff ff ff\n"
		"E: 10.000000 0004 0004 0030\n"
		"E: 10.000000 0001 0030 0001\n"
		"E: 10.000000 0000 0000 0000\n"
		"E: 10.250000 0001 0030 0002\n"
		"E: 10.250000 0000 0000 0000\n"
		"E: 10.300000 0001 0012 0001\n"
		"E: 10.300000 0000 0000 0000\n"
		"E: 10.400000 0001 0030 0000\n"
		"E: 10.400000 0000 0000 0000\n"
		"E: 10.410000 0001 0012 0000\n"
		"E: 10.410000 0000 0000 0000\n"
		"E: 10.420000 0001 0020 0000\n";

	(void)state;
	read_text(kb, &g);
	assert_true(rd.frame.dev.classes & INPUT_CLASS_KEYBOARD);
	assert_int_equal(g.n, 6);
	assert_int_equal(g.s[0].kind, INPUT_KEY_DOWN);
	assert_int_equal(g.s[1].kind, INPUT_KEY_REPEAT);
	assert_int_equal(g.s[2].kind, INPUT_KEY_DOWN);
	assert_int_equal(g.s[3].kind, INPUT_KEY_UP);
	assert_int_equal(g.s[3].hold_us, 400000);	/* 0x30 held 10.0 -> 10.4 */
	assert_int_equal(g.s[4].kind, INPUT_KEY_UP);
	assert_int_equal(g.s[4].hold_us, 110000);	/* 0x12, rolled over */
	assert_int_equal(g.s[5].kind, INPUT_KEY_UP);
	assert_int_equal(g.s[5].hold_us, 0);		/* press never seen */
	for (size_t i = 0; i < g.n; i++)
		assert_true(g.s[i].dx == 0 && g.s[i].dy == 0 && g.s[i].mag == 0);
}

/* Absolute motion: jump lengths, never positions; touch is classified. */
static void test_abs(void **state)
{
	struct got g;
	static const char tab[] =
		"N: PiKVM Composite Device\n"
		"I: 0003 1d6b 0104 0100\n"
		"B: 01 00 00 00 00 00 00 00 00\n"
		"B: 01 00 00 00 00 00 00 00 00\n"
		"B: 01 00 00 00 00 00 00 00 00\n"
		"B: 01 00 00 00 00 00 00 00 00\n"
		"B: 01 00 00 07 00 00 00 00 00\n"
		"B: 03 03 00 00 00 00 00 00 00\n"
		"A: 00 0 32767 0 0 0\n"
		"A: 01 0 32767 0 0 0\n"
		"E: 0.000000 0003 0000 16000\n"
		"E: 0.000000 0003 0001 16000\n"
		"E: 0.000000 0000 0000 0000\n"
		"E: 0.100000 0003 0000 16050\n"
		"E: 0.100000 0000 0000 0000\n"
		"E: 0.200000 0003 0000 16000\n"
		"E: 0.200000 0000 0000 0000\n"
		"E: 0.300000 0003 0000 30000\n"
		"E: 0.300000 0003 0001 1000\n"
		"E: 0.300000 0000 0000 0000\n";

	(void)state;
	read_text(tab, &g);
	assert_int_equal(rd.frame.dev.classes, INPUT_CLASS_ABS_POINTER);
	assert_int_equal(g.n, 3);	/* the first position is not a move */
	assert_int_equal(g.s[0].kind, INPUT_ABS_MOVE);
	assert_int_equal(g.s[0].mag, 50);
	assert_false(g.s[0].back);
	assert_int_equal(g.s[1].mag, 50);
	assert_true(g.s[1].back);
	/* dx 14000, dy 15000: |d| 20518, 15000/32767 = 458 permille */
	assert_int_equal(g.s[2].mag, 20518);
	assert_int_equal(g.s[2].span_pm, 458);
	assert_false(g.s[2].back);

	read_text("N: ELAN Touchscreen\nP: 02 00 00 00 00 00 00 00\n"
		  "B: 03 03 00 00 00 00 00 00 00\n", &g);
	assert_int_equal(rd.frame.dev.classes, INPUT_CLASS_ABS_POINTER | INPUT_CLASS_TOUCH);
	read_text("N: Xbox Wireless Controller\n"
		  "B: 01 00 00 00 00 00 00 00 00\nB: 01 00 00 00 00 00 00 00 00\n"
		  "B: 01 00 00 00 00 00 00 00 00\nB: 01 00 00 00 00 00 00 00 00\n"
		  "B: 01 00 00 00 00 00 00 ff 7f\nB: 03 3f 00 00 00 00 00 00 00\n"
		  "E: 1.0 0003 0000 -32000\nE: 1.0 0000 0000 0\n", &g);
	assert_int_equal(rd.frame.dev.classes, INPUT_CLASS_JOYSTICK);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.s[0].kind, INPUT_OTHER);	/* a stick is not a pointer */
}

/* Hostile lines: each skipped and counted, the rest still read. */
static void test_hostile(void **state)
{
	struct got g;
	char big[EVEMU_LINE_MAX * 3];
	static const char tail[] = "\nN: Short\nE: 1.0 0002 0000 1\nE: 1.0 0000 0000 0\n";
	static const char bad[] =
		"N: Bad\x01Name\xff\n"
		"I: 0003 10000 0001 0001\n"		/* vendor > 0xffff */
		"B: 40 00 00 00 00 00 00 00 00\n"	/* type >= EV_CNT */
		"A: 00 0 99999999999 0 0 0\n"		/* > INT32_MAX */
		"Q: what\n"
		"E: 5.000000 0002 0000 0001\n"
		"E: 5.000000 0000 0000 0000\n"
		"E: 4.000000 0002 0000 0001\n"		/* backwards */
		"E: 4.500000 0002 0000 0001\n"		/* still before 5.0 */
		"E: 5.1234567 0002 0000 0001\n"	/* seven usec digits */
		"E: 5.100000 0002 0000 2147483648\n"	/* > INT32_MAX */
		"E: 5.100000 0002 0000 12abc\n"
		"E: 5.100000 0002 0000 - 1\n"
		"E: x.100000 0002 0000 1\n"
		"N: Late\n"
		"E: 6.000000 0002 0000 -0002\n"
		"E: 6.000000 0000 0000 0000";		/* no final newline */

	(void)state;
	read_text(bad, &g);
	assert_string_equal(rd.frame.dev.name, "Bad?Name?");
	assert_int_equal(rd.stats.malformed, 8);
	assert_int_equal(rd.stats.unknown, 1);
	assert_int_equal(rd.stats.backwards, 2);
	assert_int_equal(rd.stats.late_header, 1);
	assert_int_equal(rd.stats.events, 4);
	assert_int_equal(rd.stats.lines, 17);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.s[1].dx, -2);
	assert_int_equal(g.s[1].t_us, 6000000);

	memset(big, 'x', sizeof(big));
	memcpy(big, "N: ", 3);
	big[sizeof(big) - 1] = '\0';
	memset(&g, 0, sizeof(g));
	evemu_init(&rd, collect, &g);
	evemu_feed(&rd, big, strlen(big));
	evemu_feed(&rd, tail, strlen(tail));
	evemu_finish(&rd);
	assert_int_equal(rd.stats.long_lines, 1);
	assert_string_equal(rd.frame.dev.name, "Short");
	assert_int_equal(g.n, 1);
}

/* A line split across feed calls is one line. */
static void test_split(void **state)
{
	struct got g;

	(void)state;
	memset(&g, 0, sizeof(g));
	evemu_init(&rd, collect, &g);
	for (size_t i = 0; i < sizeof(mouse) - 1; i++)
		evemu_feed(&rd, mouse + i, 1);
	evemu_finish(&rd);
	assert_int_equal(g.n, 3);
	assert_int_equal(rd.stats.events, 8);
	assert_string_equal(input_kind_name(INPUT_REL_MOVE), "rel-move");
	assert_string_equal(input_kind_name(INPUT_KIND_COUNT), "?");
}

/* Write evemu text for a keyboard typing `keys` (codes) at fixed times. */
static void typed(char *out, size_t cap, const unsigned int *codes, size_t n)
{
	size_t len = (size_t)snprintf(out, cap, "N: kbd\nB: 01 fe ff ff ff ff ff ff ff\n");

	for (size_t i = 0; i < n; i++) {
		unsigned int ms = 100 + 137 * (unsigned int)i, hold = 60 + 11 * (unsigned int)(i % 5);

		unsigned int up = ms + hold;

		len += (size_t)snprintf(out + len, cap - len,
			"E: %u.%06u 0004 0004 %u\nE: %u.%06u 0001 %04x 0001\nE: %u.%06u 0000 0000 0000\n"
			"E: %u.%06u 0001 %04x 0000\nE: %u.%06u 0000 0000 0000\n",
			ms / 1000, ms % 1000 * 1000, 0x70000 + codes[i], ms / 1000, ms % 1000 * 1000,
			codes[i], ms / 1000, ms % 1000 * 1000, up / 1000, up % 1000 * 1000, codes[i],
			up / 1000, up % 1000 * 1000);
	}
}

/* The privacy contract (README "Privacy contract"): what leaves the frame
 * is a function of timing and magnitudes only.  Typing two different
 * phrases with the same timing gives identical samples, byte for byte; so
 * does the same absolute path drawn at another place on the screen. */
static void test_privacy(void **state)
{
	static const unsigned int secret[] = { 35, 22, 49, 20, 18, 19, 3, 57, 25, 30, 31, 31 };
	static const unsigned int other[] = { 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30 };
	static char a[4096], b[4096];
	static struct got ga, gb;

	(void)state;
	typed(a, sizeof(a), secret, 12);
	typed(b, sizeof(b), other, 12);
	read_text(a, &ga);
	read_text(b, &gb);
	assert_int_equal(ga.n, 24);
	assert_int_equal(ga.n, gb.n);
	assert_memory_equal(ga.s, gb.s, sizeof(ga.s[0]) * ga.n);

	static const char pa[] = "N: t\nB: 03 03 00 00 00 00 00 00 00\nA: 00 0 1000 0 0 0\n"
		"A: 01 0 1000 0 0 0\nE: 0.0 0003 0000 100\nE: 0.0 0003 0001 100\nE: 0.0 0000 0000 0\n"
		"E: 0.1 0003 0000 400\nE: 0.1 0000 0000 0\nE: 0.2 0003 0001 500\nE: 0.2 0000 0000 0\n";
	static const char pb[] = "N: t\nB: 03 03 00 00 00 00 00 00 00\nA: 00 0 1000 0 0 0\n"
		"A: 01 0 1000 0 0 0\nE: 0.0 0003 0000 550\nE: 0.0 0003 0001 350\nE: 0.0 0000 0000 0\n"
		"E: 0.1 0003 0000 850\nE: 0.1 0000 0000 0\nE: 0.2 0003 0001 750\nE: 0.2 0000 0000 0\n";
	read_text(pa, &ga);
	read_text(pb, &gb);
	assert_int_equal(ga.n, 2);
	assert_int_equal(ga.s[0].span_pm, 300);
	assert_memory_equal(ga.s, gb.s, sizeof(ga.s[0]) * ga.n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mouse),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_abs),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_privacy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
