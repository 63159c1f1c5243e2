/* SPDX-License-Identifier: Apache-2.0 */
/*
 * evemu.c - the evemu-record reader (evemu.h has the format and its
 * source).  Lines are cut at newlines into a fixed buffer; each is parsed
 * with hand-written bounded number readers (no sscanf: its %d overflows are
 * undefined and it accepts what evemu would not write).  Header lines fill
 * the frame's device; E: lines go to input_frame_event().  Pure but for the
 * one stdio read in evemu_read_stream(); no allocation, no logging.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "evemu.h"

/* Ten days of recording at most per file would be 8.6e5 s; the bound is
 * only there so that sec * 1e6 cannot overflow. */
#define EVEMU_SEC_MAX	((uint64_t)1 << 40)

void evemu_init(struct evemu_reader *r, input_sample_fn fn, void *ctx)
{
	memset(r, 0, sizeof(*r));
	input_frame_init(&r->frame, NULL);
	r->fn = fn;
	r->ctx = ctx;
}

uint64_t evemu_last_us(const struct evemu_reader *r)
{
	return r->last_us;
}

static void skip_blanks(const char **p)
{
	while (**p == ' ' || **p == '\t')
		(*p)++;
}

static int digit_of(char c, unsigned int base)
{
	int d = c >= '0' && c <= '9' ? c - '0' :
		c >= 'a' && c <= 'f' ? c - 'a' + 10 :
		c >= 'A' && c <= 'F' ? c - 'A' + 10 : 99;

	return d < (int)base ? d : -1;
}

/* An unsigned number of at most maxdigits digits, after blanks, <= max. */
static bool read_uint(const char **p, unsigned int base, unsigned int maxdigits,
		      uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	unsigned int n = 0;
	int d;

	skip_blanks(p);
	if (base == 16 && (*p)[0] == '0' && ((*p)[1] == 'x' || (*p)[1] == 'X'))
		*p += 2;
	while ((d = digit_of(**p, base)) >= 0) {
		if (++n > maxdigits)
			return false;
		v = v * base + (uint64_t)d;
		(*p)++;
	}
	if (n == 0 || v > max)
		return false;
	*out = v;
	return true;
}

static bool read_int(const char **p, int64_t min, int64_t max, int64_t *out)
{
	bool neg = false;
	uint64_t v;

	skip_blanks(p);
	if (**p == '-' || **p == '+') {
		neg = **p == '-';
		(*p)++;
	}
	if (**p == ' ' || **p == '\t' || !read_uint(p, 10, 11, (uint64_t)1 << 32, &v))
		return false;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return *out >= min && *out <= max;
}

/* Nothing but blanks, or a comment, may follow the fields. */
static bool at_end(const char *p)
{
	skip_blanks(&p);
	return *p == '\0' || *p == '#';
}

static bool parse_id(struct evemu_reader *r, const char *p)
{
	uint64_t v[4];

	for (int i = 0; i < 4; i++)
		if (!read_uint(&p, 16, 4, 0xffff, &v[i]))
			return false;
	if (!at_end(p))
		return false;
	r->frame.dev.bus = (uint16_t)v[0];
	r->frame.dev.vendor = (uint16_t)v[1];
	r->frame.dev.product = (uint16_t)v[2];
	r->frame.dev.version = (uint16_t)v[3];
	return true;
}

static bool read_bytes(const char **p, uint8_t b[8])
{
	uint64_t v;

	for (int i = 0; i < 8; i++) {
		if (!read_uint(p, 16, 2, 0xff, &v))
			return false;
		b[i] = (uint8_t)v;
	}
	return at_end(*p);
}

static void set_bits(struct evemu_reader *r, unsigned int type, unsigned int first,
		     const uint8_t b[8])
{
	for (unsigned int i = 0; i < 64; i++)
		if (b[i / 8] & (1u << (i % 8)))
			input_frame_set_bit(&r->frame, type, first + i);
}

static bool parse_props(struct evemu_reader *r, const char *p)
{
	uint8_t b[8];

	if (!read_bytes(&p, b))
		return false;
	if (r->pbytes < INPUT_PROPS_CNT / 8) {
		set_bits(r, INPUT_EV_CNT, r->pbytes * 8u, b);
		r->pbytes += 8;
	}
	return true;
}

static bool parse_mask(struct evemu_reader *r, const char *p)
{
	uint64_t type;
	uint8_t b[8];

	if (!read_uint(&p, 16, 2, INPUT_EV_CNT - 1, &type) || !read_bytes(&p, b))
		return false;
	/* Masks past KEY_CNT codes (96 bytes) would wrap: stop counting. */
	if (r->mbytes[type] < INPUT_KEY_CNT / 8) {
		set_bits(r, (unsigned int)type, r->mbytes[type] * 8u, b);
		r->mbytes[type] += 8;
	}
	return true;
}

static bool parse_abs(struct evemu_reader *r, const char *p)
{
	uint64_t code;
	int64_t v[4], res;

	if (!read_uint(&p, 16, 2, INPUT_ABS_CNT - 1, &code))
		return false;
	for (int i = 0; i < 4; i++)
		if (!read_int(&p, INT32_MIN, INT32_MAX, &v[i]))
			return false;
	/* The resolution came with file format 1.2; older files lack it. */
	skip_blanks(&p);
	if (*p && *p != '#' && !read_int(&p, INT32_MIN, INT32_MAX, &res))
		return false;
	if (!at_end(p))
		return false;
	input_frame_set_range(&r->frame, (unsigned int)code, (int32_t)v[0], (int32_t)v[1]);
	return true;
}

static void on_sample(void *ctx, const struct input_sample *s)
{
	struct evemu_reader *r = ctx;

	r->stats.samples++;
	if (r->fn)
		r->fn(r->ctx, s);
}

static bool parse_event(struct evemu_reader *r, const char *p)
{
	uint64_t sec, usec = 0, type, code, t;
	int64_t value;
	const char *u;

	if (!read_uint(&p, 10, 13, EVEMU_SEC_MAX, &sec) || *p != '.')
		return false;
	p++;
	u = p;
	/* evemu writes %06u; read as sscanf's %06u would: up to six digits. */
	if (!read_uint(&p, 10, 6, 999999, &usec) || p == u)
		return false;
	if (!read_uint(&p, 16, 4, 0xffff, &type) || !read_uint(&p, 16, 4, 0xffff, &code) ||
	    !read_int(&p, INT32_MIN, INT32_MAX, &value) || !at_end(p))
		return false;
	t = sec * 1000000u + usec;
	if (r->in_events && t < r->last_us) {
		r->stats.backwards++;
		return true;
	}
	if (!r->in_events)
		input_frame_classify(&r->frame);
	r->in_events = 1;
	r->last_us = t;
	r->stats.events++;
	input_frame_event(&r->frame, t, (unsigned int)type, (unsigned int)code,
			  (int32_t)value, on_sample, r);
	return true;
}

static bool parse_header(struct evemu_reader *r, char tag, const char *p)
{
	switch (tag) {
	case 'N':
		/* The first name counts; a second is not evemu's. */
		if (!r->have_name) {
			skip_blanks(&p);
			input_frame_set_name(&r->frame, p);
			r->have_name = 1;
		}
		return true;
	case 'I':
		return parse_id(r, p);
	case 'P':
		return parse_props(r, p);
	case 'B':
		return parse_mask(r, p);
	case 'A':
		return parse_abs(r, p);
	default:	/* L:, S: states: not needed */
		return true;
	}
}

static void parse_line(struct evemu_reader *r, char *s)
{
	size_t n = strlen(s);
	bool ok;

	while (n && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	if (n == 0 || s[0] == '#')
		return;
	if (n < 2 || s[1] != ':' || !strchr("NIPBALSE", s[0])) {
		r->stats.unknown++;
		return;
	}
	if (s[0] == 'E') {
		ok = parse_event(r, s + 2);
	} else if (r->in_events) {
		r->stats.late_header++;
		return;
	} else {
		ok = parse_header(r, s[0], s + 2);
	}
	if (!ok)
		r->stats.malformed++;
}

static void end_line(struct evemu_reader *r)
{
	r->stats.lines++;
	if (r->overlong) {
		r->stats.long_lines++;
	} else if (memchr(r->line, '\0', r->len)) {
		/* A NUL inside a text line: not something evemu writes. */
		r->stats.malformed++;
	} else {
		r->line[r->len] = '\0';
		parse_line(r, r->line);
	}
	r->len = 0;
	r->overlong = 0;
}

void evemu_feed(struct evemu_reader *r, const void *data, size_t len)
{
	const char *p = data;

	for (size_t i = 0; i < len; i++) {
		if (p[i] == '\n') {
			end_line(r);
		} else if (r->len < EVEMU_LINE_MAX - 1) {
			r->line[r->len++] = p[i];
		} else {
			r->overlong = 1;
		}
	}
}

void evemu_finish(struct evemu_reader *r)
{
	if (r->len || r->overlong)
		end_line(r);
	if (!r->in_events)
		input_frame_classify(&r->frame);
}

int evemu_read_stream(struct evemu_reader *r, FILE *in)
{
	char buf[8192];
	size_t n;

	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		evemu_feed(r, buf, n);
	if (ferror(in))
		return -EIO;
	evemu_finish(r);
	return 0;
}
