/* SPDX-License-Identifier: Apache-2.0 */
/*
 * frame.h - the privacy boundary of the input collector: raw evdev events
 * (time, type, code, value) in, timing and magnitudes out.
 *
 * Whatever reads input events (the evemu-record reader, evemu.c; later the
 * live evdev reader) hands each one to input_frame_event(), which groups
 * them into the kernel's SYN_REPORT frames and emits `struct input_sample`s.
 * A sample carries what the detectors need and nothing from which typed
 * text or a screen position could be rebuilt (collectors/input/README.md
 * "Privacy contract"):
 *   - keys: down, up (with how long the key was held) or auto-repeat; never
 *     which key.  Hold times are measured here, against a per-code table
 *     that stays inside the frame;
 *   - relative pointer motion: the frame's summed (dx, dy) in device counts
 *     (motion of the hand, not a place on the screen);
 *   - absolute pointer motion: only the length of the jump from the last
 *     position, in device units and in permille of the axis range, and
 *     whether the pointer went back to where it was two moves before;
 *     the positions themselves stay here;
 *   - buttons and anything else (wheel, touch contacts, joystick axes,
 *     switches): that there was activity, nothing more.
 * MSC_SCAN (the scancode of a key) and LEDs are dropped on arrival.
 *
 * Memory is fixed per device (the hold-time table is KEY_CNT entries),
 * whatever the device sends.
 */
#ifndef FARMHOUND_INPUT_FRAME_H
#define FARMHOUND_INPUT_FRAME_H

#include <stdbool.h>
#include <stdint.h>

/* linux/input-event-codes.h values used here, spelled out so the pure
 * modules build without kernel headers and say what they depend on. */
#define INPUT_EV_SYN		0x00
#define INPUT_EV_KEY		0x01
#define INPUT_EV_REL		0x02
#define INPUT_EV_ABS		0x03
#define INPUT_EV_MSC		0x04
#define INPUT_EV_SW		0x05
#define INPUT_EV_CNT		0x20
#define INPUT_SYN_REPORT	0
#define INPUT_SYN_DROPPED	3
#define INPUT_KEY_CNT		0x300
#define INPUT_REL_CNT		0x10
#define INPUT_ABS_CNT		0x40
#define INPUT_PROPS_CNT		0x20

/* Device name as kept and emitted (evdev's EVIOCGNAME is 256 at most;
 * longer names are cut). */
#define INPUT_NAME_MAX		128

enum input_kind {
	INPUT_KEY_DOWN,
	INPUT_KEY_UP,
	INPUT_KEY_REPEAT,
	INPUT_REL_MOVE,
	INPUT_ABS_MOVE,
	INPUT_BUTTON,		/* a mouse, touch or gamepad button pressed */
	INPUT_OTHER,		/* wheel, contacts, joystick axes, other codes */
	INPUT_KIND_COUNT
};

struct input_sample {
	uint64_t t_us;		/* the event's time, microseconds */
	enum input_kind kind;
	int32_t dx, dy;		/* REL_MOVE: the frame's relative motion */
	uint32_t mag;		/* REL_MOVE: max(|dx|, |dy|); ABS_MOVE: jump length, device units */
	uint32_t span_pm;	/* ABS_MOVE: jump as permille of the axis range (larger axis) */
	uint32_t hold_us;	/* KEY_UP: time the key was down; 0 when its press was not seen */
	bool back;		/* ABS_MOVE: returned to within 1 unit of the position two moves ago */
};

/* What a device is, from its declared capabilities (B:/P: lines, or the
 * EVIOCGBIT/EVIOCGPROP ioctls). */
enum input_class {
	INPUT_CLASS_KEYBOARD	= 1u << 0,	/* letter keys */
	INPUT_CLASS_REL_POINTER	= 1u << 1,	/* REL_X and REL_Y */
	INPUT_CLASS_ABS_POINTER	= 1u << 2,	/* ABS_X and ABS_Y, not a joystick */
	INPUT_CLASS_TOUCH	= 1u << 3,	/* touch pad or touch screen */
	INPUT_CLASS_TABLET	= 1u << 4,	/* pen or stylus */
	INPUT_CLASS_JOYSTICK	= 1u << 5,	/* joystick or gamepad buttons */
};

struct input_device {
	char name[INPUT_NAME_MAX];	/* printable ASCII, cut, never NULL */
	uint16_t bus, vendor, product, version;
	unsigned int classes;		/* enum input_class, from input_frame_classify() */
};

typedef void (*input_sample_fn)(void *ctx, const struct input_sample *s);

struct input_frame {
	struct input_device dev;
	/* Capabilities, as declared. */
	uint8_t key_bits[INPUT_KEY_CNT / 8];
	uint16_t rel_bits;
	uint64_t abs_bits;
	uint32_t prop_bits;
	int32_t abs_min[2], abs_max[2];		/* ABS_X, ABS_Y */
	/* The frame being built (until SYN_REPORT). */
	int32_t rel_dx, rel_dy;
	bool rel_pending, abs_pending, other_pending, button_pending;
	/* Absolute position: private, never emitted (see above). */
	bool pos_known, hist_full;
	int32_t x, y, nx, ny;			/* last emitted, and pending */
	int32_t hx[2], hy[2];			/* the two positions before */
	uint64_t down_us[INPUT_KEY_CNT];	/* when each key went down; 0 up */
	uint64_t dropped;			/* SYN_DROPPED seen */
};

/* Start a device with no capabilities and the given name (may be NULL). */
void input_frame_init(struct input_frame *f, const char *name);
/* Set the name: printable ASCII kept, anything else '?', cut. */
void input_frame_set_name(struct input_frame *f, const char *name);
/* Declare a capability bit: type EV_KEY/REL/ABS with its code, or
 * INPUT_EV_CNT for an input property (INPUT_PROP_*). */
void input_frame_set_bit(struct input_frame *f, unsigned int type, unsigned int code);
/* Words a sysfs capability bitmap may have: KEY_CNT bits in 32-bit
 * words, the longest. */
#define INPUT_BITMAP_WORDS	(INPUT_KEY_CNT / 32)
/* Declare the capabilities of one type (INPUT_EV_KEY/REL/ABS, or
 * INPUT_EV_CNT for properties) from a sysfs bitmap: hex words of an
 * unsigned long, most significant first.  0, or -EINVAL (malformed:
 * nothing set). */
int input_frame_set_bitmap(struct input_frame *f, unsigned int type, const char *words);
/* The range of ABS_X (code 0) or ABS_Y (code 1); others are ignored. */
void input_frame_set_range(struct input_frame *f, unsigned int code, int32_t min, int32_t max);
/* Compute dev.classes from the capabilities declared so far. */
void input_frame_classify(struct input_frame *f);
/* One raw event; calls fn for each sample it completes. */
void input_frame_event(struct input_frame *f, uint64_t t_us, unsigned int type,
		       unsigned int code, int32_t value, input_sample_fn fn, void *ctx);
/* A printable name for a kind ("key-down", "rel-move"...). */
const char *input_kind_name(enum input_kind k);

#endif
