/* SPDX-License-Identifier: Apache-2.0 */
/*
 * literal.c - required literals of regexes and globs.
 *
 * The rule index (rule_index.c) finds the rules an event may match by the
 * text the event carries: a rule "product ~ \"(?i)pikvm v[34]\"" can only
 * match a product that contains "pikvm v", so an event whose product does
 * not is never run through PCRE2.  This file proves such literals from
 * the pattern text.
 *
 * Proving is conservative: a run is returned only when every subject
 * the pattern matches contains it.  So only runs of plain bytes outside
 * any group count (a group may be optional or one branch of several), a
 * byte followed by ?, * or {..} is dropped (it may be absent), and any
 * construct this reader does not fully understand -- alternation at the
 * top, (?...) other than a leading (?i), \Q, \x, back references, verbs
 * -- makes it give up and return 0.  Giving up costs speed (the rule is
 * then tried against every event of its source), never a missed match.
 */
#include <ctype.h>
#include <string.h>

#include "literal.h"

struct run {
	char cur[LITERAL_MAX + 1];
	size_t n;
	bool last_kept;		/* the last atom's byte is in cur */
	struct literal_runs *out;
};

static void run_add(struct run *r, char c)
{
	r->last_kept = r->n < LITERAL_MAX;
	if (r->last_kept)
		r->cur[r->n++] = c;
}

/* Keep the run that just ended; when full, in place of the shortest
 * kept if it is longer. */
static void run_end(struct run *r)
{
	struct literal_runs *o = r->out;
	size_t slot = o->n;

	if (r->n && o->n == LITERAL_RUNS) {
		slot = 0;
		for (size_t i = 1; i < LITERAL_RUNS; i++)
			if (strlen(o->run[i]) < strlen(o->run[slot]))
				slot = i;
		if (strlen(o->run[slot]) >= r->n)
			slot = LITERAL_RUNS;
	}
	if (r->n && slot < LITERAL_RUNS) {
		memcpy(o->run[slot], r->cur, r->n);
		o->run[slot][r->n] = '\0';
		if (slot == o->n)
			o->n++;
	}
	r->n = 0;
	r->last_kept = false;
}

/* The previous atom may be absent (?, *, {0,...}): take it back. */
static void run_drop_last(struct run *r)
{
	if (r->last_kept && r->n)
		r->n--;
	run_end(r);
}

/* Escapes that stand for a class or an assertion: they end a run.  Any
 * other letter or digit (\x41, \Q, \1, \p{..}, \k<..>...) has arguments
 * or meanings not followed here. */
static bool regex_escape_ends_run(char c)
{
	return c && strchr("dDwWsSbBhHvVRAzZGntrfe", c) != NULL;
}

/* Past a [...] bracket expression (p at '['), escapes and [:name:]
 * classes inside it included; NULL if it does not close.  Both regexes
 * and fnmatch read "[]..." and "[^]..." with the ] as a member. */
static const char *skip_bracket(const char *p, bool negate_bang)
{
	p++;
	if (*p == '^' || (negate_bang && *p == '!'))
		p++;
	if (*p == ']')
		p++;
	while (*p && *p != ']') {
		if (*p == '\\' && p[1]) {
			p += 2;
		} else if (*p == '[' && (p[1] == ':' || p[1] == '=' || p[1] == '.')) {
			const char close[3] = { p[1], ']', '\0' };
			const char *e = strstr(p + 2, close);

			if (!e)
				return NULL;
			p = e + 2;
		} else {
			p++;
		}
	}
	return *p ? p + 1 : NULL;
}

/* Past a {n}, {n,}, {n,m} or {,m} quantifier (p at '{'); NULL if the
 * brace is not one (PCRE2 then reads it as a literal: not followed). */
static const char *regex_skip_quantifier(const char *p)
{
	const char *q = p + 1;
	bool digits = false;

	while (isdigit((unsigned char)*q)) {
		q++;
		digits = true;
	}
	if (*q == ',') {
		q++;
		while (isdigit((unsigned char)*q)) {
			q++;
			digits = true;
		}
	}
	return digits && *q == '}' ? q + 1 : NULL;
}

size_t literal_from_regex(const char *re, struct literal_runs *out)
{
	struct run r = { .out = out };
	const char *p = re;
	int depth = 0;

	out->n = 0;
	out->icase = false;
	if (!re)
		return 0;
	if (strncmp(p, "(?i)", 4) == 0) {
		out->icase = true;
		p += 4;
	}
	while (*p) {
		const char *q;

		switch (*p) {
		case '\\':
			if (isalnum((unsigned char)p[1])) {
				if (!regex_escape_ends_run(p[1]))
					goto give_up;
				run_end(&r);
			} else if (!p[1]) {
				goto give_up;
			} else if (depth == 0) {
				run_add(&r, p[1]);
			}
			p += 2;
			continue;
		case '[':
			run_end(&r);
			if (!(q = skip_bracket(p, false)))
				goto give_up;
			p = q;
			continue;
		case '(':
			if (p[1] == '*' || (p[1] == '?' && p[2] != ':'))
				goto give_up;
			depth++;
			run_end(&r);
			break;
		case ')':
			if (--depth < 0)
				goto give_up;
			run_end(&r);
			break;
		case '|':
			if (depth == 0)
				goto give_up;
			break;
		case '?':
		case '*':
			run_drop_last(&r);
			break;
		case '{':
			if (!(q = regex_skip_quantifier(p)))
				goto give_up;
			run_drop_last(&r);
			p = q;
			continue;
		case '+':
		case '.':
		case '^':
		case '$':
			run_end(&r);
			break;
		default:
			if (depth == 0)
				run_add(&r, *p);
			break;
		}
		p++;
	}
	if (depth != 0)
		goto give_up;
	run_end(&r);
	return out->n;
give_up:
	out->n = 0;
	return 0;
}

size_t literal_from_glob(const char *glob, struct literal_runs *out)
{
	struct run r = { .out = out };
	const char *p = glob;

	out->n = 0;
	out->icase = false;
	if (!glob)
		return 0;
	while (*p) {
		const char *q;

		switch (*p) {
		case '*':
		case '?':
			run_end(&r);
			p++;
			break;
		case '[':
			/* An unclosed [ is a literal to fnmatch; the bytes
			 * after it are read as usual either way. */
			run_end(&r);
			q = skip_bracket(p, true);
			p = q ? q : p + 1;
			break;
		case '\\':
			if (!p[1]) {
				out->n = 0;
				return 0;
			}
			run_add(&r, p[1]);
			p += 2;
			break;
		default:
			run_add(&r, *p++);
			break;
		}
	}
	run_end(&r);
	return out->n;
}
