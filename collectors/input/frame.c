/* SPDX-License-Identifier: Apache-2.0 */
/*
 * frame.c - raw evdev events to privacy-safe samples (frame.h says what a
 * sample may carry and why).  Pure: no I/O, no allocation, no logging.
 *
 * Event codes are those of linux/input-event-codes.h; the classification of
 * a device follows the kernel's own conventions (Documentation/input/
 * event-codes.rst): INPUT_PROP_DIRECT marks touch screens and tablets,
 * INPUT_PROP_POINTER with BTN_TOOL_FINGER a touch pad, BTN_TOOL_PEN and
 * BTN_STYLUS a pen, BTN_JOYSTICK..BTN_GAMEPAD and BTN_TRIGGER_HAPPY
 * joysticks and gamepads.
 */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "stats.h"

#define KEY_Q		16
#define KEY_P		25
#define KEY_A		30
#define BTN_MISC	0x100
#define BTN_JOYSTICK	0x120
#define BTN_GAMEPAD_END	0x13f
#define BTN_TOOL_PEN	0x140
#define BTN_TOOL_FINGER	0x145
#define BTN_TOUCH	0x14a
#define BTN_STYLUS	0x14b
#define BTN_RANGE_END	0x160		/* KEY_OK: keys again from here */
#define BTN_HAPPY	0x2c0
#define BTN_HAPPY_END	0x2e8
#define REL_X		0
#define REL_Y		1
#define ABS_X		0
#define ABS_Y		1
#define PROP_POINTER	0
#define PROP_DIRECT	1

void input_frame_init(struct input_frame *f, const char *name)
{
	memset(f, 0, sizeof(*f));
	input_frame_set_name(f, name);
}

void input_frame_set_name(struct input_frame *f, const char *name)
{
	size_t n = 0;

	/* The name is the device's to choose: printable ASCII only, cut. */
	for (; name && name[n] && n < INPUT_NAME_MAX - 1; n++) {
		unsigned char c = (unsigned char)name[n];

		f->dev.name[n] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	f->dev.name[n] = '\0';
}

static bool key_bit(const struct input_frame *f, unsigned int code)
{
	return code < INPUT_KEY_CNT && (f->key_bits[code / 8] & (1u << (code % 8)));
}

void input_frame_set_bit(struct input_frame *f, unsigned int type, unsigned int code)
{
	if (type == INPUT_EV_KEY && code < INPUT_KEY_CNT)
		f->key_bits[code / 8] |= (uint8_t)(1u << (code % 8));
	else if (type == INPUT_EV_REL && code < INPUT_REL_CNT)
		f->rel_bits |= (uint16_t)(1u << code);
	else if (type == INPUT_EV_ABS && code < INPUT_ABS_CNT)
		f->abs_bits |= (uint64_t)1 << code;
	else if (type == INPUT_EV_CNT && code < INPUT_PROPS_CNT)
		f->prop_bits |= 1u << code;
}

/*
 * A capability bitmap as sysfs prints it (capabilities/key, .../rel,
 * .../abs, properties): hexadecimal words of the kernel's unsigned long,
 * most significant first, separated by single spaces ("10000 0 0 0"; the
 * kernel's input_print_bitmap() in drivers/input/input.c).  The word size
 * is ours: this agent runs on the kernel it was built for.  Bits past the
 * type's code count are ignored; -EINVAL for anything that is not a list
 * of at most INPUT_BITMAP_WORDS hex words (nothing is set then).
 */
int input_frame_set_bitmap(struct input_frame *f, unsigned int type, const char *words)
{
	const unsigned int wbits = sizeof(unsigned long) * 8;
	unsigned long w[INPUT_BITMAP_WORDS];
	size_t n = 0;
	const char *p = words;

	if (!words)
		return -EINVAL;
	while (*p) {
		char *end;

		while (*p == ' ')
			p++;
		if (!*p || *p == '\n')
			break;
		/* Hex digits only: strtoul alone would take "0x10" or "-1". */
		end = (char *)p;
		while (isxdigit((unsigned char)*end))
			end++;
		if (n == INPUT_BITMAP_WORDS || end == p || end - p > (ptrdiff_t)(wbits / 4) ||
		    (*end && *end != ' ' && *end != '\n'))
			return -EINVAL;
		w[n] = strtoul(p, NULL, 16);
		n++;
		p = end;
	}
	if (n == 0)
		return -EINVAL;
	/* The last word holds bits 0..wbits-1. */
	for (size_t i = 0; i < n; i++)
		for (unsigned int b = 0; b < wbits; b++)
			if (w[n - 1 - i] & (1ul << b))
				input_frame_set_bit(f, type, (unsigned int)(i * wbits + b));
	return 0;
}

void input_frame_set_range(struct input_frame *f, unsigned int code, int32_t min, int32_t max)
{
	if (code > ABS_Y)
		return;
	f->abs_min[code] = min;
	f->abs_max[code] = max;
}

static bool any_key_in(const struct input_frame *f, unsigned int from, unsigned int to)
{
	for (unsigned int c = from; c < to; c++)
		if (key_bit(f, c))
			return true;
	return false;
}

void input_frame_classify(struct input_frame *f)
{
	unsigned int c = 0;
	bool direct = f->prop_bits & (1u << PROP_DIRECT);

	/* A keyboard has letters: a power button or a headset's volume keys
	 * (EV_KEY devices too) are not one. */
	if (any_key_in(f, KEY_Q, KEY_P + 1) || key_bit(f, KEY_A))
		c |= INPUT_CLASS_KEYBOARD;
	if ((f->rel_bits & 3u) == 3u)
		c |= INPUT_CLASS_REL_POINTER;
	if (any_key_in(f, BTN_JOYSTICK, BTN_GAMEPAD_END + 1) ||
	    any_key_in(f, BTN_HAPPY, BTN_HAPPY_END))
		c |= INPUT_CLASS_JOYSTICK;
	if (key_bit(f, BTN_TOOL_PEN) || key_bit(f, BTN_STYLUS))
		c |= INPUT_CLASS_TABLET;
	else if (key_bit(f, BTN_TOOL_FINGER) || key_bit(f, BTN_TOUCH) || direct)
		c |= INPUT_CLASS_TOUCH;
	if ((f->abs_bits & 3u) == 3u && !(c & INPUT_CLASS_JOYSTICK))
		c |= INPUT_CLASS_ABS_POINTER;
	f->dev.classes = c;
}

const char *input_kind_name(enum input_kind k)
{
	static const char *const names[INPUT_KIND_COUNT] = {
		"key-down", "key-up", "key-repeat", "rel-move", "abs-move", "button", "other",
	};

	return (unsigned int)k < INPUT_KIND_COUNT ? names[k] : "?";
}

static void emit(input_sample_fn fn, void *ctx, const struct input_sample *s)
{
	if (fn)
		fn(ctx, s);
}

static bool is_button(unsigned int code)
{
	return (code >= BTN_MISC && code < BTN_RANGE_END) ||
	       (code >= BTN_HAPPY && code < BTN_HAPPY_END);
}

static void on_key(struct input_frame *f, uint64_t t, unsigned int code, int32_t value,
		   input_sample_fn fn, void *ctx)
{
	struct input_sample s = { .t_us = t };

	if (code >= INPUT_KEY_CNT)
		return;
	if (is_button(code)) {
		if (value == 1)
			f->button_pending = true;
		return;
	}
	if (value == 1) {
		s.kind = INPUT_KEY_DOWN;
		/* 0 means "up": a press at time 0 is kept as 1 us. */
		f->down_us[code] = t ? t : 1;
	} else if (value == 0) {
		s.kind = INPUT_KEY_UP;
		if (f->down_us[code] && t >= f->down_us[code]) {
			uint64_t h = t - f->down_us[code];

			s.hold_us = h > UINT32_MAX ? UINT32_MAX : (uint32_t)h;
		}
		f->down_us[code] = 0;
	} else if (value == 2) {
		s.kind = INPUT_KEY_REPEAT;
	} else {
		return;
	}
	emit(fn, ctx, &s);
}

static int32_t sat_add(int32_t a, int32_t b)
{
	int64_t r = (int64_t)a + b;

	return r > INT32_MAX ? INT32_MAX : r < INT32_MIN ? INT32_MIN : (int32_t)r;
}

static void on_rel(struct input_frame *f, unsigned int code, int32_t value)
{
	if (code == REL_X)
		f->rel_dx = sat_add(f->rel_dx, value);
	else if (code == REL_Y)
		f->rel_dy = sat_add(f->rel_dy, value);
	else {
		/* Wheel and the rest: activity, not pointer motion. */
		f->other_pending = true;
		return;
	}
	f->rel_pending = true;
}

static void on_abs(struct input_frame *f, unsigned int code, int32_t value)
{
	if (code > ABS_Y || (f->dev.classes & INPUT_CLASS_JOYSTICK)) {
		f->other_pending = true;
		return;
	}
	if (!f->abs_pending) {
		f->nx = f->x;
		f->ny = f->y;
	}
	if (code == ABS_X)
		f->nx = value;
	else
		f->ny = value;
	f->abs_pending = true;
}

static uint32_t u32_of(double d)
{
	return d >= (double)UINT32_MAX ? UINT32_MAX : d <= 0 ? 0 : (uint32_t)(d + 0.5);
}

static double absdiff(int32_t a, int32_t b)
{
	double d = (double)a - b;

	return d < 0 ? -d : d;
}

static uint32_t span_pm(const struct input_frame *f, double ax, double ay)
{
	double rx = (double)f->abs_max[0] - f->abs_min[0];
	double ry = (double)f->abs_max[1] - f->abs_min[1];
	double px = rx > 0 ? ax * 1000.0 / rx : 0, py = ry > 0 ? ay * 1000.0 / ry : 0;

	return u32_of(px > py ? px : py);
}

static void flush_abs(struct input_frame *f, uint64_t t, input_sample_fn fn, void *ctx)
{
	struct input_sample s = { .t_us = t, .kind = INPUT_ABS_MOVE };
	double ax = absdiff(f->nx, f->x), ay = absdiff(f->ny, f->y);

	if (!f->pos_known) {
		/* The first position is where the pointer is, not a jump. */
		f->pos_known = true;
		f->x = f->nx;
		f->y = f->ny;
		f->hx[0] = f->hx[1] = f->x;
		f->hy[0] = f->hy[1] = f->y;
		return;
	}
	if (ax == 0 && ay == 0)
		return;
	s.mag = u32_of(input_sqrt(ax * ax + ay * ay));
	s.span_pm = span_pm(f, ax, ay);
	s.back = f->hist_full && absdiff(f->nx, f->hx[1]) <= 1 &&
		 absdiff(f->ny, f->hy[1]) <= 1;
	f->hx[0] = f->hx[1];
	f->hy[0] = f->hy[1];
	f->hx[1] = f->x;
	f->hy[1] = f->y;
	/* hx[1] now holds the position two moves before the next one. */
	f->hist_full = true;
	f->x = f->nx;
	f->y = f->ny;
	emit(fn, ctx, &s);
}

static void flush(struct input_frame *f, uint64_t t, input_sample_fn fn, void *ctx)
{
	if (f->rel_pending && (f->rel_dx || f->rel_dy)) {
		struct input_sample s = { .t_us = t, .kind = INPUT_REL_MOVE,
					  .dx = f->rel_dx, .dy = f->rel_dy };
		uint64_t ax = f->rel_dx < 0 ? -(int64_t)f->rel_dx : f->rel_dx;
		uint64_t ay = f->rel_dy < 0 ? -(int64_t)f->rel_dy : f->rel_dy;
		uint64_t m = ax > ay ? ax : ay;

		s.mag = m > UINT32_MAX ? UINT32_MAX : (uint32_t)m;
		emit(fn, ctx, &s);
	}
	if (f->abs_pending)
		flush_abs(f, t, fn, ctx);
	if (f->button_pending)
		emit(fn, ctx, &(struct input_sample){ .t_us = t, .kind = INPUT_BUTTON });
	if (f->other_pending)
		emit(fn, ctx, &(struct input_sample){ .t_us = t, .kind = INPUT_OTHER });
	f->rel_dx = f->rel_dy = 0;
	f->rel_pending = f->abs_pending = f->button_pending = f->other_pending = false;
}

void input_frame_event(struct input_frame *f, uint64_t t_us, unsigned int type,
		       unsigned int code, int32_t value, input_sample_fn fn, void *ctx)
{
	switch (type) {
	case INPUT_EV_SYN:
		if (code == INPUT_SYN_REPORT) {
			flush(f, t_us, fn, ctx);
		} else if (code == INPUT_SYN_DROPPED) {
			/* The kernel lost events: the partial frame is junk. */
			f->dropped++;
			f->rel_dx = f->rel_dy = 0;
			f->rel_pending = f->abs_pending = f->button_pending = false;
			f->other_pending = false;
		}
		break;
	case INPUT_EV_KEY:
		on_key(f, t_us, code, value, fn, ctx);
		break;
	case INPUT_EV_REL:
		on_rel(f, code, value);
		break;
	case INPUT_EV_ABS:
		on_abs(f, code, value);
		break;
	default:
		/* MSC (scancodes), LED, SND, REP, SW, FF: nothing leaves. */
		break;
	}
}
