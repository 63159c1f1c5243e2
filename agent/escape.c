/* SPDX-License-Identifier: Apache-2.0 */
/*
 * escape.c - bounded output buffers and the per-format string escapers.
 *
 * See escape.h for the model.  Two decisions worth knowing:
 *
 * - Ill-formed UTF-8 is replaced one "maximal subpart" at a time (the
 *   Unicode and WHATWG practice, also what Python's errors="replace" does),
 *   so "\xe2\x82" at the end of a cut string is one U+FFFD, while the
 *   overlong "\xc0\xaf" is two (C0 can never start a sequence).
 * - Besides C0 and DEL we also neutralise the C1 controls (U+0080..U+009F,
 *   NEL among them) and U+2028/U+2029: they are valid UTF-8 but some
 *   readers treat them as line breaks, and an alert must stay one line.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"

#define REPLACEMENT_UTF8 "\xef\xbf\xbd"	/* U+FFFD */

void escape_buf_init(struct escape_buf *b, char *p, size_t size)
{
	b->p = p;
	b->len = 0;
	b->cap = size ? size - 1 : 0;
	b->reserve = 0;
	b->dropped = false;
	if (size)
		p[0] = '\0';
}

size_t escape_buf_room(const struct escape_buf *b)
{
	size_t used = b->len + b->reserve;

	return used < b->cap ? b->cap - used : 0;
}

bool escape_buf_put(struct escape_buf *b, const char *s, size_t n)
{
	if (n > escape_buf_room(b)) {
		b->dropped = true;
		return false;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	return true;
}

bool escape_buf_puts(struct escape_buf *b, const char *s)
{
	return escape_buf_put(b, s, strlen(s));
}

bool escape_buf_printf(struct escape_buf *b, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	int n;

	/* Only used for numbers and fixed words: a short scratch buffer. */
	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		b->dropped = true;
		return false;
	}
	return escape_buf_put(b, tmp, (size_t)n);
}

bool escape_buf_open(struct escape_buf *b, const char *s, size_t close_len)
{
	size_t n = strlen(s);

	if (n + close_len > escape_buf_room(b)) {
		b->dropped = true;
		return false;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->reserve += close_len;
	return true;
}

void escape_buf_close(struct escape_buf *b, const char *s)
{
	size_t n = strlen(s);

	/* The bytes were reserved by escape_buf_open(); the checks only
	 * guard against a caller closing what it never opened. */
	if (n > b->reserve || b->len + n > b->cap)
		return;
	b->reserve -= n;
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

size_t escape_buf_limit(struct escape_buf *b, size_t max)
{
	size_t old = b->cap;

	if (escape_buf_room(b) > max)
		b->cap = b->len + b->reserve + max;
	return old;
}

void escape_buf_unlimit(struct escape_buf *b, size_t cap)
{
	b->cap = cap;
}

size_t escape_buf_finish(struct escape_buf *b)
{
	b->p[b->len] = '\0';
	return b->len;
}

size_t escape_utf8_next(const unsigned char *s, size_t n, int32_t *cp)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t need, i;
	int32_t v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	/* Table 3-7: the second byte's range depends on the lead byte, which
	 * is what excludes overlongs (E0, F0), surrogates (ED) and code
	 * points above U+10FFFF (F4). C0, C1 and F5..FF never lead. */
	if (c >= 0xc2 && c <= 0xdf) {
		need = 1;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 2;
		v = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3;
		v = c & 0x07;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else {
		*cp = ESCAPE_UTF8_INVALID;
		return 1;
	}
	for (i = 1; i <= need; i++) {
		if (i >= n || s[i] < lo || s[i] > hi) {
			*cp = ESCAPE_UTF8_INVALID;
			return i;
		}
		v = (v << 6) | (s[i] & 0x3f);
		lo = 0x80;
		hi = 0xbf;
	}
	*cp = v;
	return need + 1;
}

static bool is_control(int32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 ||
	       cp == 0x2029;
}

static size_t put_hex_bytes(char *out, const unsigned char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		out[o++] = '\\';
		out[o++] = 'x';
		out[o++] = hex[s[i] >> 4];
		out[o++] = hex[s[i] & 15];
	}
	return o;
}

static size_t put_u(char *out, int32_t cp)
{
	return (size_t)snprintf(out, 8, "\\u%04x", (unsigned)cp);
}

static size_t put_str(char *out, const char *s)
{
	size_t n = strlen(s);

	memcpy(out, s, n);
	return n;
}

/* The two-character escapes shared by JSON and the text format. */
static const char *short_escape(int32_t cp)
{
	switch (cp) {
	case '\n':
		return "\\n";
	case '\r':
		return "\\r";
	case '\t':
		return "\\t";
	case '\\':
		return "\\\\";
	case '"':
		return "\\\"";
	}
	return NULL;
}

static size_t unit_json(char *out, const unsigned char *s, size_t n,
			int32_t cp)
{
	const char *e = short_escape(cp);

	if (cp == ESCAPE_UTF8_INVALID)
		return put_str(out, "\\ufffd");
	if (e)
		return put_str(out, e);
	if (cp == '\b')
		return put_str(out, "\\b");
	if (cp == '\f')
		return put_str(out, "\\f");
	if (is_control(cp))
		return put_u(out, cp);
	memcpy(out, s, n);
	return n;
}

static size_t unit_cef(char *out, const unsigned char *s, size_t n,
		       int32_t cp, bool header)
{
	if (cp == '\\')
		return put_str(out, "\\\\");
	if (header && cp == '|')
		return put_str(out, "\\|");
	if (!header && cp == '=')
		return put_str(out, "\\=");
	if (!header && cp == '\n')
		return put_str(out, "\\n");
	if (!header && cp == '\r')
		return put_str(out, "\\r");
	if (cp == ESCAPE_UTF8_INVALID || is_control(cp))
		return put_str(out, REPLACEMENT_UTF8);
	memcpy(out, s, n);
	return n;
}

static size_t unit_text(char *out, const unsigned char *s, size_t n,
			int32_t cp, bool quoted)
{
	const char *e = short_escape(cp);

	if (cp == ESCAPE_UTF8_INVALID)
		return put_hex_bytes(out, s, n);
	if (cp == '"' && !quoted)
		e = NULL;
	if (cp == '|' && !quoted)
		e = "\\|";
	if (e)
		return put_str(out, e);
	if (cp < 0x80 && is_control(cp))
		return put_hex_bytes(out, s, n);
	if (is_control(cp))
		return put_u(out, cp);
	memcpy(out, s, n);
	return n;
}

static size_t unit_ascii(char *out, const unsigned char *s, size_t n,
			 int32_t cp)
{
	if (cp == '"' || cp == '\\') {
		out[0] = '\\';
		out[1] = (char)cp;
		return 2;
	}
	if (cp >= 0x20 && cp < 0x7f) {
		out[0] = (char)cp;
		return 1;
	}
	return put_hex_bytes(out, s, n);
}

/* Escape the unit at s into out (at least 16 bytes); *used gets the input
 * bytes consumed.  Returns the output length. */
static size_t escape_unit(enum escape_style st, const unsigned char *s,
			  size_t n, char *out, size_t *used)
{
	int32_t cp;

	*used = escape_utf8_next(s, n, &cp);
	switch (st) {
	case ESCAPE_JSON:
		return unit_json(out, s, *used, cp);
	case ESCAPE_CEF_HEADER:
		return unit_cef(out, s, *used, cp, true);
	case ESCAPE_CEF_EXT:
		return unit_cef(out, s, *used, cp, false);
	case ESCAPE_TEXT_QUOTED:
		return unit_text(out, s, *used, cp, true);
	case ESCAPE_TEXT_BARE:
		return unit_text(out, s, *used, cp, false);
	case ESCAPE_ASCII:
		return unit_ascii(out, s, *used, cp);
	}
	return 0;
}

/* Besides '\\', the one printable ASCII byte each style escapes. */
static const unsigned char plain_except[] = {
	[ESCAPE_JSON] = '"',
	[ESCAPE_CEF_HEADER] = '|',
	[ESCAPE_CEF_EXT] = '=',
	[ESCAPE_TEXT_QUOTED] = '"',
	[ESCAPE_TEXT_BARE] = '|',
	[ESCAPE_ASCII] = '"',
};

/* How many bytes at s stand for themselves in style st: printable ASCII
 * but '\\' and the style's own special byte (each is one unit of one
 * byte, as escape_unit would write it).  Names, descriptions and advice
 * are such runs, so they are measured and copied in bulk: unit by unit
 * they were most of the time it took to format an alert. */
static size_t plain_run(enum escape_style st, const unsigned char *s, size_t n)
{
	unsigned char except = plain_except[st];
	size_t i = 0;

	while (i < n && s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\\' &&
	       s[i] != except)
		i++;
	return i;
}

/* Does s escape to at most max bytes?  Stops scanning as soon as not. */
static bool escaped_fits(enum escape_style st, const unsigned char *s,
			 size_t n, size_t max)
{
	size_t total = 0, used;
	char tmp[16];

	while (n) {
		used = plain_run(st, s, n);
		if (used)
			total += used;
		else
			total += escape_unit(st, s, n, tmp, &used);
		if (total > max)
			return false;
		s += used;
		n -= used;
	}
	return true;
}

bool escape_buf_str(struct escape_buf *b, enum escape_style st, const char *s,
		    size_t n, size_t max)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t room = escape_buf_room(b), used, k;
	bool cut;
	char tmp[16];

	if (max > room)
		max = room;
	cut = !escaped_fits(st, u, n, max);
	if (cut) {
		if (max < ESCAPE_CUT_LEN) {
			b->dropped = true;
			return false;
		}
		max -= ESCAPE_CUT_LEN;
	}
	while (n) {
		/* A plain run is units of one byte each: as many as fit. */
		k = plain_run(st, u, n);
		if (k) {
			if (k > max)
				k = max;
			if (!k)
				break;
			memcpy(b->p + b->len, u, k);
			b->len += k;
			max -= k;
			u += k;
			n -= k;
			continue;
		}
		k = escape_unit(st, u, n, tmp, &used);
		if (k > max)
			break;
		memcpy(b->p + b->len, tmp, k);
		b->len += k;
		max -= k;
		u += used;
		n -= used;
	}
	if (cut) {
		memcpy(b->p + b->len, ESCAPE_CUT, ESCAPE_CUT_LEN);
		b->len += ESCAPE_CUT_LEN;
	}
	return true;
}

size_t escape_json(char *dst, size_t size, const char *src, size_t srclen)
{
	struct escape_buf b;

	if (!size)
		return 0;
	escape_buf_init(&b, dst, size);
	escape_buf_str(&b, ESCAPE_JSON, src, srclen, b.cap);
	return escape_buf_finish(&b);
}

void escape_timestamp(char *dst, size_t size, const struct timespec *ts,
		      int digits)
{
	long frac = ts->tv_nsec;
	time_t sec = ts->tv_sec;
	struct tm tm;
	char base[64];

	/* A bogus tv_nsec or a year gmtime cannot represent must still give
	 * a well-formed stamp: clamp, and fall back to the epoch. */
	if (frac < 0 || frac > 999999999)
		frac = 0;
	if (!gmtime_r(&sec, &tm) || tm.tm_year > 9999 - 1900 ||
	    tm.tm_year < -1900) {
		sec = 0;
		gmtime_r(&sec, &tm);
	}
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	if (digits == 3)
		snprintf(dst, size, "%s.%03ldZ", base, frac / 1000000);
	else if (digits == 6)
		snprintf(dst, size, "%s.%06ldZ", base, frac / 1000);
	else
		snprintf(dst, size, "%sZ", base);
}
