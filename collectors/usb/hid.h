/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hid.h - a small HID report descriptor parser: what kind of device is this?
 *
 * The USB collector reads each HID interface's raw report descriptor from
 * sysfs and asks three questions of it: does it declare a keyboard, a
 * pointer, and does the pointer report *absolute* X/Y (the signature of an
 * IP-KVM's emulated mouse) without the digitizer usages a real tablet or
 * touch screen carries?  hid_parse() answers them from the short items of the
 * descriptor (HID 1.11 §6.2.2) without building the kernel's full report
 * model.
 *
 * The descriptor comes from the device: every length is checked against the
 * buffer, every stack (global Push/Pop, nested collections, local usages) is
 * bounded, and the parse is one forward pass, so it cannot over-read or loop.
 * Pure function, no I/O: tests/fuzz feed it arbitrary bytes.
 *
 * It also names the kind of each pointer (pointer_kinds), because a KVM that
 * hides its identity still has to choose one: a relative mouse, an absolute
 * pointer (what a hypervisor tablet and most IP-KVMs declare), or a
 * digitizer (touch screen, touch pad, pen).  A touch screen is not a touch
 * pad: the Digitizers page gives each its own application usage.
 */
#ifndef FARMHOUND_HID_H
#define FARMHOUND_HID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Linux refuses larger descriptors (HID_MAX_DESCRIPTOR_SIZE). */
#define HID_DESCRIPTOR_MAX 4096

/* Kinds of pointer (struct hid_info.pointer_kinds), HID Usage Tables 1.4:
 * MOUSE: relative X/Y inside a Generic Desktop Mouse or Pointer collection;
 * ABSOLUTE: absolute X/Y inside one, in a top-level collection without any
 *   Digitizers-page usage (a hypervisor tablet, an IP-KVM's mouse);
 * TOUCHSCREEN, TOUCHPAD, PEN: a Digitizers-page (0x0D) application
 *   collection Touch Screen (0x04), Touch Pad (0x05), Pen (0x02) or
 *   Digitizer (0x01). */
enum hid_pointer_kind {
	HID_POINTER_MOUSE = 1u << 0,
	HID_POINTER_ABSOLUTE = 1u << 1,
	HID_POINTER_TOUCHSCREEN = 1u << 2,
	HID_POINTER_TOUCHPAD = 1u << 3,
	HID_POINTER_PEN = 1u << 4,
};

struct hid_info {
	bool has_keyboard;		/* GD Keyboard/Keypad application, or key-page inputs */
	bool has_mouse;			/* GD Mouse collection or Pointer application */
	bool has_absolute_pointer;	/* an input reports GD X/Y as absolute values */
	bool has_relative_pointer;	/* an input reports GD X/Y as relative values */
	bool has_digitizer;		/* Digitizers page (0x0D) collection or pen/touch usages */
	bool has_consumer;		/* Consumer Control application (media keys) */
	int64_t abs_max;		/* largest logical max of an absolute X/Y; 0 if none */
	unsigned int pointer_kinds;	/* enum hid_pointer_kind bits */
	unsigned int n_items;		/* short and long items parsed */
	unsigned int n_collections;	/* collections opened */
	unsigned int n_applications;	/* of which application collections */
	unsigned int n_inputs;		/* input main items */
	unsigned int max_report_id;	/* highest Report ID seen; 0 if none */
	size_t parsed_len;		/* bytes consumed before the parse stopped */
};

/*
 * Parse len bytes of a report descriptor into *info (always cleared first).
 * Returns 0 for a well-formed descriptor, -ENODATA for an empty one,
 * -EINVAL for NULL arguments, -EBADMSG when the descriptor is truncated or
 * malformed (an item runs past the end, Pop or End Collection without a
 * match, unclosed collections) and -E2BIG when a bounded stack overflows.
 * On -EBADMSG/-E2BIG *info holds what was learnt before the fault, never
 * more than a parse of the whole well-formed descriptor would claim (so an
 * ABSOLUTE pointer, decided when its top-level collection closes without a
 * digitizer usage, is not claimed for a collection the fault left open).
 */
int hid_parse(const uint8_t *desc, size_t len, struct hid_info *info);

#endif
