/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hid.c - HID report descriptor parser (see hid.h).
 *
 * Reference: USB Device Class Definition for HID 1.11, §6.2.2 (item format:
 * prefix byte bSize:2 bType:2 bTag:4; long items 0xFE size tag data) and
 * §6.2.2.4-8 (main, global, local items), and the HID Usage Tables 1.4
 * (Generic Desktop page 0x01: Pointer 0x01, Mouse 0x02, Keyboard 0x06,
 * Keypad 0x07, X 0x30, Y 0x31; Keyboard/Keypad page 0x07; Consumer page
 * 0x0C; Digitizers page 0x0D).  Where the spec leaves room, we do what the
 * Linux parser (drivers/hid/hid-core.c) does, because what Linux accepts is
 * what the laptop will actually use: a Logical Maximum is read unsigned when
 * the Logical Minimum is not negative, a collection takes its first usage,
 * and locals are cleared after every main item.
 *
 * We do not model reports field by field: a few flags and the largest
 * absolute X/Y range are all the rules need.
 *
 * Pointer kinds (hid.h): each open collection carries a context, inherited
 * by the collections inside it: inside a GD Mouse/Pointer, inside a
 * Digitizers-page collection.  X/Y inputs are judged by that context, the
 * digitizer kinds by their application collection's usage.  "Absolute"
 * waits for its top-level collection to close: a single-touch digitizer
 * may put a Tip Switch next to GD Pointer X/Y, and that is not the bare
 * absolute pointer of a hypervisor tablet or an IP-KVM.  Everything is one forward pass
 * over the buffer with bounded stacks; on a fault we stop and keep what was
 * learnt so far, which is a subset of what the whole descriptor would give.
 */
#include <errno.h>
#include <string.h>

#include "hid.h"

#define HID_GLOBAL_STACK_MAX	8	/* Push depth (Linux: 4) */
#define HID_COLLECTION_MAX	32	/* nested collections */
#define HID_LOCAL_USAGES_MAX	64	/* usages kept per main item */

/* Item types (bType). */
#define HID_TYPE_MAIN	0
#define HID_TYPE_GLOBAL	1
#define HID_TYPE_LOCAL	2
#define HID_LONG_ITEM	0xfe

/* Main item tags. */
#define HID_MAIN_INPUT		0x8
#define HID_MAIN_OUTPUT		0x9
#define HID_MAIN_COLLECTION	0xa
#define HID_MAIN_FEATURE	0xb
#define HID_MAIN_END_COLLECTION	0xc

/* Global item tags. */
#define HID_GLOBAL_USAGE_PAGE	0x0
#define HID_GLOBAL_LOGICAL_MIN	0x1
#define HID_GLOBAL_LOGICAL_MAX	0x2
#define HID_GLOBAL_REPORT_SIZE	0x7
#define HID_GLOBAL_REPORT_ID	0x8
#define HID_GLOBAL_REPORT_COUNT	0x9
#define HID_GLOBAL_PUSH		0xa
#define HID_GLOBAL_POP		0xb

/* Local item tags. */
#define HID_LOCAL_USAGE		0x0
#define HID_LOCAL_USAGE_MIN	0x1
#define HID_LOCAL_USAGE_MAX	0x2

/* Input/Output/Feature data bits (HID 1.11 §6.2.2.5). */
#define HID_IO_CONSTANT		0x01
#define HID_IO_RELATIVE		0x04

/* Context of an open collection (hid_parser.ctx). */
#define HID_CTX_POINTER		0x01	/* inside a GD Mouse or Pointer */
#define HID_CTX_DIGITIZER	0x02	/* inside a Digitizers-page collection */

#define HID_COLLECTION_APPLICATION 0x01

/* Usage pages and full (page << 16 | id) usages. */
#define HID_PAGE_GENERIC_DESKTOP 0x01
#define HID_PAGE_KEYBOARD	0x07
#define HID_PAGE_CONSUMER	0x0c
#define HID_PAGE_DIGITIZER	0x0d
#define HID_USAGE(page, id)	(((uint32_t)(page) << 16) | (id))
#define HID_GD_POINTER		HID_USAGE(HID_PAGE_GENERIC_DESKTOP, 0x01)
#define HID_GD_MOUSE		HID_USAGE(HID_PAGE_GENERIC_DESKTOP, 0x02)
#define HID_GD_KEYBOARD		HID_USAGE(HID_PAGE_GENERIC_DESKTOP, 0x06)
#define HID_GD_KEYPAD		HID_USAGE(HID_PAGE_GENERIC_DESKTOP, 0x07)
#define HID_GD_X		HID_USAGE(HID_PAGE_GENERIC_DESKTOP, 0x30)
#define HID_GD_Y		HID_USAGE(HID_PAGE_GENERIC_DESKTOP, 0x31)
#define HID_CONSUMER_CONTROL	HID_USAGE(HID_PAGE_CONSUMER, 0x01)
#define HID_DIG_DIGITIZER	HID_USAGE(HID_PAGE_DIGITIZER, 0x01)
#define HID_DIG_PEN		HID_USAGE(HID_PAGE_DIGITIZER, 0x02)
#define HID_DIG_TOUCH_SCREEN	HID_USAGE(HID_PAGE_DIGITIZER, 0x04)
#define HID_DIG_TOUCH_PAD	HID_USAGE(HID_PAGE_DIGITIZER, 0x05)

struct hid_global {
	uint32_t usage_page;
	int64_t logical_min;
	int64_t logical_max;
	uint32_t report_size;
	uint32_t report_count;
	uint32_t report_id;
};

/* A Usage (lo == hi) or a Usage Minimum..Maximum range.  A 4-byte usage
 * carries its own page ("extended"); a shorter one takes the Usage Page in
 * force at the main item. */
struct hid_usage {
	uint32_t lo, hi;
	bool lo_ext, hi_ext;
};

struct hid_local {
	struct hid_usage usages[HID_LOCAL_USAGES_MAX];
	size_t n;
	bool has_min;
	uint32_t min;
	bool min_ext;
};

struct hid_parser {
	struct hid_global global;
	struct hid_global stack[HID_GLOBAL_STACK_MAX];
	size_t stack_n;
	struct hid_local local;
	uint32_t collections[HID_COLLECTION_MAX];	/* usage of each open one */
	uint8_t ctx[HID_COLLECTION_MAX];		/* HID_CTX_* of each */
	size_t depth;
	/* The open top-level collection: absolute X/Y in a pointer context,
	 * and any Digitizers-page usage (collection or input). */
	bool top_abs;
	bool top_digitizer;
	struct hid_info *info;
};

/* Item data, little-endian, 0/1/2/4 bytes. */
static uint32_t hid_udata(const uint8_t *p, size_t n)
{
	uint32_t v = 0;

	for (size_t i = 0; i < n; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

static int64_t hid_sdata(const uint8_t *p, size_t n)
{
	uint32_t v = hid_udata(p, n);

	switch (n) {
	case 1:
		return (int8_t)v;
	case 2:
		return (int16_t)v;
	case 4:
		return (int32_t)v;
	default:
		return 0;
	}
}

static uint32_t hid_resolve(const struct hid_parser *ps, uint32_t u, bool ext)
{
	if (ext)
		return u;
	return HID_USAGE(ps->global.usage_page & 0xffff, u & 0xffff);
}

static bool hid_range_has(uint32_t lo, uint32_t hi, uint32_t u)
{
	return lo <= u && u <= hi;
}

static void hid_local_add(struct hid_local *l, uint32_t lo, bool lo_ext,
			  uint32_t hi, bool hi_ext)
{
	/* Bounded: further usages of one main item are dropped, as they
	 * cannot change any answer we give (X/Y/keys come first in practice). */
	if (l->n >= HID_LOCAL_USAGES_MAX)
		return;
	l->usages[l->n++] = (struct hid_usage){ lo, hi, lo_ext, hi_ext };
}

/* X/Y of an input, by the context of the innermost open collection. */
static void hid_input_pointer(struct hid_parser *ps, bool relative)
{
	uint8_t ctx = ps->depth > 0 ? ps->ctx[ps->depth - 1] : 0;

	if (!(ctx & HID_CTX_POINTER) || (ctx & HID_CTX_DIGITIZER))
		return;		/* a digitizer's X/Y: its kind comes from its usage */
	if (relative)
		ps->info->pointer_kinds |= HID_POINTER_MOUSE;
	else
		ps->top_abs = true;
}

static void hid_input(struct hid_parser *ps, uint32_t data)
{
	struct hid_info *info = ps->info;

	info->n_inputs++;
	if (data & HID_IO_CONSTANT)
		return;		/* padding */
	for (size_t i = 0; i < ps->local.n; i++) {
		const struct hid_usage *u = &ps->local.usages[i];
		uint32_t lo = hid_resolve(ps, u->lo, u->lo_ext);
		uint32_t hi = hid_resolve(ps, u->hi, u->hi_ext);
		uint32_t page = lo >> 16;

		if (hid_range_has(lo, hi, HID_GD_X) || hid_range_has(lo, hi, HID_GD_Y)) {
			if (data & HID_IO_RELATIVE) {
				info->has_relative_pointer = true;
			} else {
				info->has_absolute_pointer = true;
				if (ps->global.logical_max > info->abs_max)
					info->abs_max = ps->global.logical_max;
			}
			hid_input_pointer(ps, data & HID_IO_RELATIVE);
		}
		if (page == HID_PAGE_KEYBOARD)
			info->has_keyboard = true;
		if (page == HID_PAGE_DIGITIZER) {
			info->has_digitizer = true;
			ps->top_digitizer = true;
		}
	}
}

/* The context a collection opens, and the digitizer kind its usage names
 * (Usage Tables 1.4 §16: application collections of the Digitizers page). */
static uint8_t hid_collection_ctx(struct hid_parser *ps, uint32_t usage, bool app)
{
	uint8_t ctx = ps->depth > 0 ? ps->ctx[ps->depth - 1] : 0;

	if (usage == HID_GD_MOUSE || usage == HID_GD_POINTER)
		ctx |= HID_CTX_POINTER;
	if ((usage >> 16) == HID_PAGE_DIGITIZER && (usage & 0xffff) != 0) {
		ctx |= HID_CTX_DIGITIZER;
		ps->top_digitizer = true;
	}
	if (!app)
		return ctx;
	if (usage == HID_DIG_TOUCH_SCREEN)
		ps->info->pointer_kinds |= HID_POINTER_TOUCHSCREEN;
	else if (usage == HID_DIG_TOUCH_PAD)
		ps->info->pointer_kinds |= HID_POINTER_TOUCHPAD;
	else if (usage == HID_DIG_PEN || usage == HID_DIG_DIGITIZER)
		ps->info->pointer_kinds |= HID_POINTER_PEN;
	return ctx;
}

/* A top-level collection closed: was it a bare absolute pointer? */
static void hid_top_closed(struct hid_parser *ps)
{
	if (ps->top_abs && !ps->top_digitizer)
		ps->info->pointer_kinds |= HID_POINTER_ABSOLUTE;
	ps->top_abs = false;
	ps->top_digitizer = false;
}

static int hid_collection(struct hid_parser *ps, uint32_t type)
{
	struct hid_info *info = ps->info;
	uint32_t usage = 0;
	bool app = type == HID_COLLECTION_APPLICATION;

	if (ps->depth >= HID_COLLECTION_MAX)
		return -E2BIG;
	if (ps->local.n > 0)
		usage = hid_resolve(ps, ps->local.usages[0].lo, ps->local.usages[0].lo_ext);
	ps->ctx[ps->depth] = hid_collection_ctx(ps, usage, app);
	ps->collections[ps->depth++] = usage;
	info->n_collections++;
	if (app)
		info->n_applications++;

	if (usage == HID_GD_MOUSE || (app && usage == HID_GD_POINTER))
		info->has_mouse = true;
	if (app && (usage == HID_GD_KEYBOARD || usage == HID_GD_KEYPAD))
		info->has_keyboard = true;
	if (app && usage == HID_CONSUMER_CONTROL)
		info->has_consumer = true;
	/* Digitizer, Pen, Touch Screen, Touch Pad, ... (Usage Tables §16). */
	if ((usage >> 16) == HID_PAGE_DIGITIZER && (usage & 0xffff) != 0)
		info->has_digitizer = true;
	return 0;
}

static int hid_main(struct hid_parser *ps, uint8_t tag, uint32_t data)
{
	int r = 0;

	switch (tag) {
	case HID_MAIN_INPUT:
		hid_input(ps, data);
		break;
	case HID_MAIN_COLLECTION:
		r = hid_collection(ps, data & 0xff);
		break;
	case HID_MAIN_END_COLLECTION:
		if (ps->depth == 0)
			r = -EBADMSG;
		else if (--ps->depth == 0)
			hid_top_closed(ps);
		break;
	default:
		break;	/* Output, Feature, reserved: nothing we need */
	}
	/* Locals apply to one main item only (HID 1.11 §6.2.2.8). */
	memset(&ps->local, 0, sizeof(ps->local));
	return r;
}

static int hid_global_item(struct hid_parser *ps, uint8_t tag, const uint8_t *p,
			   size_t n)
{
	struct hid_global *g = &ps->global;
	uint32_t u = hid_udata(p, n);

	switch (tag) {
	case HID_GLOBAL_USAGE_PAGE:
		g->usage_page = u;
		break;
	case HID_GLOBAL_LOGICAL_MIN:
		g->logical_min = hid_sdata(p, n);
		break;
	case HID_GLOBAL_LOGICAL_MAX:
		/* Linux: signed only when the minimum is negative, so that
		 * "15 00 26 FF 00" means 0..255 and not 0..-1. */
		g->logical_max = g->logical_min < 0 ? hid_sdata(p, n) : (int64_t)u;
		break;
	case HID_GLOBAL_REPORT_SIZE:
		g->report_size = u;
		break;
	case HID_GLOBAL_REPORT_ID:
		if (u == 0 || u > 255)
			return -EBADMSG;	/* 0 is reserved; ids are one byte */
		g->report_id = u;
		if (u > ps->info->max_report_id)
			ps->info->max_report_id = u;
		break;
	case HID_GLOBAL_REPORT_COUNT:
		/* Not used to size anything here, so any value is harmless. */
		g->report_count = u;
		break;
	case HID_GLOBAL_PUSH:
		if (ps->stack_n >= HID_GLOBAL_STACK_MAX)
			return -E2BIG;
		ps->stack[ps->stack_n++] = *g;
		break;
	case HID_GLOBAL_POP:
		if (ps->stack_n == 0)
			return -EBADMSG;
		*g = ps->stack[--ps->stack_n];
		break;
	default:
		break;	/* physical range, unit, reserved */
	}
	return 0;
}

static void hid_local_item(struct hid_parser *ps, uint8_t tag, const uint8_t *p,
			   size_t n)
{
	struct hid_local *l = &ps->local;
	uint32_t u = hid_udata(p, n);
	bool ext = n == 4;

	switch (tag) {
	case HID_LOCAL_USAGE:
		hid_local_add(l, u, ext, u, ext);
		break;
	case HID_LOCAL_USAGE_MIN:
		l->has_min = true;
		l->min = u;
		l->min_ext = ext;
		break;
	case HID_LOCAL_USAGE_MAX:
		if (l->has_min)
			hid_local_add(l, l->min, l->min_ext, u, ext);
		l->has_min = false;
		break;
	default:
		break;	/* designators, strings, delimiters */
	}
}

static int hid_short_item(struct hid_parser *ps, uint8_t prefix, const uint8_t *p,
			  size_t n)
{
	uint8_t type = (prefix >> 2) & 3;
	uint8_t tag = prefix >> 4;

	switch (type) {
	case HID_TYPE_MAIN:
		return hid_main(ps, tag, hid_udata(p, n));
	case HID_TYPE_GLOBAL:
		return hid_global_item(ps, tag, p, n);
	case HID_TYPE_LOCAL:
		hid_local_item(ps, tag, p, n);
		return 0;
	default:
		return 0;	/* reserved type: skipped, its size is known */
	}
}

int hid_parse(const uint8_t *desc, size_t len, struct hid_info *info)
{
	struct hid_parser ps;
	size_t i = 0;
	int r = 0;

	if (!info)
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	if (!desc && len > 0)
		return -EINVAL;
	if (len == 0)
		return -ENODATA;
	memset(&ps, 0, sizeof(ps));
	ps.info = info;

	while (i < len && r == 0) {
		uint8_t prefix = desc[i];

		if (prefix == HID_LONG_ITEM) {
			/* 0xFE bDataSize bLongItemTag data...: no long item
			 * tags are defined, so skip it whole. */
			if (len - i < 3 || len - i - 3 < desc[i + 1]) {
				r = -EBADMSG;
				break;
			}
			i += 3 + (size_t)desc[i + 1];
		} else {
			size_t n = prefix & 3;

			if (n == 3)
				n = 4;
			if (len - i - 1 < n) {
				r = -EBADMSG;
				break;
			}
			r = hid_short_item(&ps, prefix, desc + i + 1, n);
			if (r < 0)
				break;
			i += 1 + n;
		}
		info->n_items++;
	}
	info->parsed_len = i;
	if (r == 0 && ps.depth != 0)
		r = -EBADMSG;	/* unclosed collection; Linux refuses these */
	return r;
}
