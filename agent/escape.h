/* SPDX-License-Identifier: Apache-2.0 */
/*
 * escape.h - writing untrusted bytes into bounded, one-line output.
 *
 * Every alert format (JSON, CEF, text) is built the same way: a fixed-size
 * buffer (struct escape_buf) that refuses any write that would not fit, so a
 * formatter can never overflow, and that keeps "reserve" bytes aside for the
 * closing parts already promised (a JSON '}' or ']', a trailing marker).
 * Openers reserve their closer before anything goes in between, so however
 * much a hostile event holds, the closer always fits: well-formedness is a
 * property of the writer, not of careful arithmetic in each formatter.
 *
 * Strings are escaped one unit at a time (a code point, or one invalid UTF-8
 * sequence), and a string that does not fit is cut at a unit boundary and
 * ends with the marker ESCAPE_CUT ("…"), so an escape sequence or a UTF-8
 * character is never split.
 *
 * Nothing here allocates or logs.
 */
#ifndef FARMHOUND_ESCAPE_H
#define FARMHOUND_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* U+2026 HORIZONTAL ELLIPSIS: a string value was cut here. */
#define ESCAPE_CUT "\xe2\x80\xa6"
#define ESCAPE_CUT_LEN 3

/* What escape_utf8_next() puts in *cp for an ill-formed sequence. */
#define ESCAPE_UTF8_INVALID (-1)

enum escape_style {
	/* RFC 8259 string contents: \" \\ \b \f \n \r \t, other C0, DEL, C1,
	 * U+2028/2029 as \uXXXX; ill-formed UTF-8 as \ufffd. */
	ESCAPE_JSON,
	/* CEF header field: \\ and \|; every control character and ill-formed
	 * UTF-8 becomes U+FFFD (the header has no escape for them). */
	ESCAPE_CEF_HEADER,
	/* CEF extension value: \\ \= \r \n; other control characters and
	 * ill-formed UTF-8 become U+FFFD. */
	ESCAPE_CEF_EXT,
	/* Text format, inside double quotes: C-style \" \\ \n \r \t, other
	 * control bytes and each byte of ill-formed UTF-8 as \xNN, C1 and
	 * U+2028/2029 as \uXXXX. */
	ESCAPE_TEXT_QUOTED,
	/* Text format, unquoted (message, ids): as above but '"' is kept and
	 * '|' (the text format's separator) becomes \|. */
	ESCAPE_TEXT_BARE,
	/* Printable ASCII only, for inside double quotes (--explain): \" and
	 * \\, every other byte (control, DEL, each byte of UTF-8, valid or
	 * not) as \xNN, so the reader sees the bytes the device sent. */
	ESCAPE_ASCII,
};

struct escape_buf {
	char *p;
	size_t len;		/* bytes written (no NUL) */
	size_t cap;		/* most bytes p may hold, NUL excluded */
	size_t reserve;		/* bytes promised to closers, inside cap */
	bool dropped;		/* some write was refused */
};

/* size includes the NUL; size must be at least 1. */
void escape_buf_init(struct escape_buf *b, char *p, size_t size);
/* Bytes still free for content (cap minus len minus reserve). */
size_t escape_buf_room(const struct escape_buf *b);
/* Append n bytes, all or nothing; false (and b->dropped) if they do not
 * fit. */
bool escape_buf_put(struct escape_buf *b, const char *s, size_t n);
bool escape_buf_puts(struct escape_buf *b, const char *s);
bool escape_buf_printf(struct escape_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Append the opener s and reserve close_len bytes for its closer; all or
 * nothing. */
bool escape_buf_open(struct escape_buf *b, const char *s, size_t close_len);
/* Release the reservation of an open() and write the closer; always fits. */
void escape_buf_close(struct escape_buf *b, const char *s);
/* Narrow the room to at most max bytes from here on (a per-section
 * budget); returns the previous cap for escape_buf_unlimit(). */
size_t escape_buf_limit(struct escape_buf *b, size_t max);
void escape_buf_unlimit(struct escape_buf *b, size_t cap);
/* NUL-terminate and return the length. */
size_t escape_buf_finish(struct escape_buf *b);

/* Append s[0..n) escaped in style st, at most max output bytes (and never
 * more than the room).  A string that does not fit is cut at a unit
 * boundary and ends with ESCAPE_CUT.  False, with nothing written, only if
 * not even the marker fits.  Embedded NULs are treated as control bytes. */
bool escape_buf_str(struct escape_buf *b, enum escape_style st, const char *s,
		    size_t n, size_t max);

/* Decode the UTF-8 sequence at s (n > 0 bytes available): returns the bytes
 * it spans and the code point in *cp, or ESCAPE_UTF8_INVALID for an
 * ill-formed sequence, which then spans its "maximal subpart" (Unicode
 * 15.0 §3.9, Table 3-7): overlongs, surrogates, > U+10FFFF, stray
 * continuation bytes and truncated sequences are ill-formed. */
size_t escape_utf8_next(const unsigned char *s, size_t n, int32_t *cp);

/* The JSON string escaper for reuse (daemon, tests): writes the escaped
 * contents of src (no surrounding quotes) into dst, NUL-terminated, cut
 * with ESCAPE_CUT if dst is too small.  Returns the length written. */
size_t escape_json(char *dst, size_t size, const char *src, size_t srclen);

/* "2026-11-22T11:16:47.123Z": ts in UTC with milliseconds (digits
 * 0 = seconds, 3 = ms, 6 = µs).  Always NUL-terminated. */
void escape_timestamp(char *dst, size_t size, const struct timespec *ts,
		      int digits);

#endif
