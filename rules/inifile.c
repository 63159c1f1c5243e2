/* SPDX-License-Identifier: Apache-2.0 */
/*
 * inifile.c - INI files (rules, farmhound.conf) through inih, with line
 * numbers that are right.
 *
 * The rule files are INI and are parsed with inih (DESIGN §4), but inih
 * r55 as Debian ships it has three properties we cannot live with:
 *  - its handler is not told the line number (INI_HANDLER_LINENO is a
 *    build-time option, off in the packaged library), and every error
 *    must read "file:line: message";
 *  - its line buffer is 200 bytes and a longer line is silently cut in
 *    two, the tail read as a line of its own;
 *  - multi-line values and inline comments are runtime globals
 *    (ini_allow_multiline, ini_allow_inline_comments) shared with every
 *    other user of the library in the process, and upstream builds make
 *    them compile-time constants, so we may neither rely on nor set them.
 *
 * So the lexical work happens here, in the ini_reader that feeds inih:
 * it counts physical lines, skips blank and comment lines, removes inline
 * comments (" ;" outside double quotes), joins indented continuation lines
 * to the key above them, and rejects overlong lines.  It hands inih one
 * logical line per call, already clean, and remembers that line's number
 * and its complete value.  inih then does what it is good at, splitting
 * "name = value" and driving the handler; the handler reports the key
 * with the remembered line number and the complete value, which may be
 * longer than inih's buffer (inih is handed only "name=", its value
 * left empty and unused).
 *
 * Section headers are reported by the reader itself, at the moment it
 * reads them, because inih's handler is never called for a section that
 * has no keys, and an empty [rule x] still deserves "missing key" errors.
 */
#include <errno.h>
#include <ini.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inifile.h"

struct rini {
	const char *p, *end;
	int lineno;			/* physical lines consumed so far */
	char *buf;			/* the logical line being handed out */
	size_t len, cap;
	int line;			/* its physical line */
	char *key;			/* its key and complete value, or NULL */
	char *value;
	int *map;			/* inih's line count -> physical line */
	size_t nmap, mapcap;
	const struct inifile_ops *ops;
	void *opaque;
	bool oom;
};

static void rini_error(struct rini *r, int line, const char *msg)
{
	r->ops->error(r->opaque, line, msg);
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* The next physical line, without its "\n" or "\r\n".  false at EOF. */
static bool next_line(struct rini *r, const char **s, size_t *n)
{
	const char *nl;

	if (r->p >= r->end)
		return false;
	*s = r->p;
	nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
	*n = nl ? (size_t)(nl - r->p) : (size_t)(r->end - r->p);
	r->p = nl ? nl + 1 : r->end;
	if (*n && (*s)[*n - 1] == '\r')
		(*n)--;
	r->lineno++;
	/* A UTF-8 byte order mark is not part of the first line. */
	if (r->lineno == 1 && *n >= 3 && memcmp(*s, "\xef\xbb\xbf", 3) == 0) {
		*s += 3;
		*n -= 3;
	}
	return true;
}

/* The bytes strip_comment must look at: all others are copied as they
 * are, so it skips runs of them without testing each for three cases. */
static const bool comment_special[256] = { ['"'] = true, ['\\'] = true, [';'] = true };

/* Comment-stripped, trimmed extent of s[0..n).  quote carries the
 * double-quote state across the lines of one value, so " ;" inside a
 * string that a continuation line closes is kept. */
static size_t strip_comment(const char *s, size_t n, bool *quote)
{
	size_t i;

	for (i = 0; i < n; i++) {
		while (i < n && !comment_special[(unsigned char)s[i]])
			i++;
		if (i == n)
			break;
		if (*quote && s[i] == '\\' && i + 1 < n) {
			i++;
			continue;
		}
		if (s[i] == '"')
			*quote = !*quote;
		else if (!*quote && s[i] == ';' && (i == 0 || is_blank(s[i - 1])))
			break;
	}
	while (i && is_blank(s[i - 1]))
		i--;
	return i;
}

static int buf_put(struct rini *r, const char *s, size_t n)
{
	if (r->len + n + 1 > r->cap) {
		size_t ncap = r->cap ? r->cap : 256;
		char *b;

		while (ncap < r->len + n + 1)
			ncap *= 2;
		b = realloc(r->buf, ncap);
		if (!b) {
			r->oom = true;
			return -ENOMEM;
		}
		r->buf = b;
		r->cap = ncap;
	}
	memcpy(r->buf + r->len, s, n);
	r->len += n;
	r->buf[r->len] = '\0';
	return 0;
}

/* Classify a raw physical line: false for blank and comment lines. */
static bool has_content(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && is_blank(s[i]))
		i++;
	return i < n && s[i] != ';' && s[i] != '#';
}

static bool line_ok(struct rini *r, const char *s, size_t n)
{
	char msg[96];

	if (n > INIFILE_LINE_MAX) {
		snprintf(msg, sizeof(msg), "line too long (more than %d bytes)",
			 INIFILE_LINE_MAX);
		rini_error(r, r->lineno, msg);
		return false;
	}
	if (memchr(s, '\0', n)) {
		rini_error(r, r->lineno, "NUL byte in line");
		return false;
	}
	return true;
}

/* Append the indented lines that follow a key (blank and comment lines
 * in between are skipped).  ok false: consume them, keep nothing. */
static void take_continuations(struct rini *r, bool ok, bool *quote)
{
	const char *s, *save_p;
	int save_no;
	size_t n, k;

	for (;;) {
		save_p = r->p;
		save_no = r->lineno;
		if (!next_line(r, &s, &n))
			return;
		if (!has_content(s, n))
			continue;
		if (!is_blank(s[0])) {
			r->p = save_p;
			r->lineno = save_no;
			return;
		}
		if (!line_ok(r, s, n)) {
			ok = false;
			continue;
		}
		for (k = 0; k < n && is_blank(s[k]); k++)
			;
		n = strip_comment(s + k, n - k, quote);
		if (ok && n && (buf_put(r, " ", 1) < 0 || buf_put(r, s + k, n) < 0))
			return;
	}
}

/* A key line: "name = value" plus its continuation lines. */
static bool read_key(struct rini *r, const char *s, size_t n, bool ok)
{
	bool quote = false;
	char msg[96];
	size_t k, eq;

	n = ok ? strip_comment(s, n, &quote) : 0;
	r->len = 0;
	if (ok && buf_put(r, s, n) < 0)
		return false;
	take_continuations(r, ok, &quote);
	if (!ok || r->oom)
		return false;
	if (!(r->key = memchr(r->buf, '=', r->len))) {
		rini_error(r, r->line, "syntax error: expected \"key = value\" or a [section] header");
		return false;
	}
	eq = (size_t)(r->key - r->buf);
	for (k = eq; k && is_blank(r->buf[k - 1]); k--)
		;
	for (size_t i = 0; i < k; i++) {
		if (!key_char(r->buf[i])) {
			rini_error(r, r->line, "bad key name (letters, digits, _ and - only)");
			return false;
		}
	}
	if (k == 0) {
		rini_error(r, r->line, "missing key name before \"=\"");
		return false;
	}
	if (k > INIFILE_KEY_MAX) {
		rini_error(r, r->line, "key name too long");
		return false;
	}
	if (r->len - eq - 1 > INIFILE_VALUE_MAX) {
		snprintf(msg, sizeof(msg), "value too long (more than %d bytes)",
			 INIFILE_VALUE_MAX);
		rini_error(r, r->line, msg);
		return false;
	}
	r->buf[k] = '\0';
	r->key = r->buf;
	r->value = r->buf + eq + 1;
	while (is_blank(*r->value))
		r->value++;
	return true;
}

/* "[type id]": reported straight away (see the top of the file). */
static bool read_section(struct rini *r, const char *s, size_t n)
{
	bool quote = false;
	size_t a, b;

	n = strip_comment(s, n, &quote);
	if (n < 2 || s[n - 1] != ']') {
		rini_error(r, r->line, "section header without closing \"]\"");
		r->ops->section(r->opaque, NULL, r->line);
		return false;
	}
	for (a = 1; a < n - 1 && is_blank(s[a]); a++)
		;
	for (b = n - 1; b > a && is_blank(s[b - 1]); b--)
		;
	r->len = 0;
	if (buf_put(r, s + a, b - a) < 0)
		return false;
	r->ops->section(r->opaque, r->buf, r->line);
	return true;
}

static bool map_line(struct rini *r)
{
	if (r->nmap == r->mapcap) {
		size_t ncap = r->mapcap ? r->mapcap * 2 : 64;
		int *m = realloc(r->map, ncap * sizeof(*m));

		if (!m) {
			r->oom = true;
			return false;
		}
		r->map = m;
		r->mapcap = ncap;
	}
	r->map[r->nmap++] = r->line;
	return true;
}

/* Copy "head" + text + "tail\n" into inih's buffer of num bytes, cutting
 * text to fit.  head is short (a key name is at most INIFILE_KEY_MAX). */
static char *hand_out(char *str, int num, const char *head, const char *text,
		      const char *tail)
{
	size_t hn = strlen(head), tl = strlen(tail), tn = strlen(text);
	size_t fixed = hn + tl + 2;

	if (num < 0 || (size_t)num < fixed)
		return NULL;
	if (tn > (size_t)num - fixed)
		tn = (size_t)num - fixed;
	memcpy(str, head, hn);
	memcpy(str + hn, text, tn);
	memcpy(str + hn + tn, tail, tl);
	memcpy(str + hn + tn + tl, "\n", 2);
	return str;
}

static char *rini_reader(char *str, int num, void *stream)
{
	struct rini *r = stream;
	const char *s;
	size_t n;
	bool ok;

	r->key = NULL;
	while (!r->oom && next_line(r, &s, &n)) {
		r->line = r->lineno;
		if (!has_content(s, n))
			continue;
		ok = line_ok(r, s, n);
		if (ok && is_blank(s[0])) {
			rini_error(r, r->line,
				   "indented line continues nothing (indentation marks a continuation line)");
			continue;
		}
		if (ok && s[0] == '[') {
			if (!read_section(r, s, n) || !map_line(r))
				continue;
			return hand_out(str, num, "[", r->buf, "]");
		}
		if (!read_key(r, s, n, ok) || !map_line(r))
			continue;
		/* inih gets "name=" alone: the handler takes the complete
		 * value from r, so copying the value for inih to split and
		 * trim again was wasted work (a third of the rule files'
		 * parse time). */
		return hand_out(str, num, r->key, "", "=");
	}
	return NULL;
}

static int rini_handler(void *user, const char *section, const char *name,
			const char *value)
{
	struct rini *r = user;

	(void)section;
	(void)value;
	if (!r->key || strcmp(name, r->key) != 0) {
		rini_error(r, r->line, "key not understood");
		return 1;
	}
	r->ops->key(r->opaque, r->key, r->value, r->line);
	return 1;
}

int inifile_parse(const char *text, size_t len, const struct inifile_ops *ops,
		   void *opaque)
{
	struct rini r = {
		.p = text, .end = text + len, .ops = ops, .opaque = opaque,
	};
	int rc;

	rc = ini_parse_stream(rini_reader, &r, rini_handler, &r);
	if (rc > 0 && (size_t)rc <= r.nmap)
		rini_error(&r, r.map[rc - 1], "syntax error");
	else if (rc < 0)
		r.oom = true;
	free(r.buf);
	free(r.map);
	return r.oom ? -ENOMEM : 0;
}
