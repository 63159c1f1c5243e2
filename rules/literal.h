/* SPDX-License-Identifier: Apache-2.0 */
/*
 * literal.h - the literal text a pattern forces into every string it
 * matches, for the rule index's substring prefilter (rule_index.c).
 */
#ifndef FARMHOUND_LITERAL_H
#define FARMHOUND_LITERAL_H

#include <stdbool.h>
#include <stddef.h>

/* Longest literal patterns are cut to: a prefix of a required literal is
 * still required. */
#define LITERAL_MAX 64

/* Runs of bytes a pattern forces into every subject it matches, each
 * required on its own (a rarer one narrows more); the longest
 * LITERAL_RUNS when there are more. */
#define LITERAL_RUNS 8

struct literal_runs {
	size_t n;
	bool icase;			/* regex: a leading "(?i)" */
	char run[LITERAL_RUNS][LITERAL_MAX + 1];
};

/* For a PCRE2 pattern compiled as bytes (not UTF).  Returns out->n: 0
 * when the pattern forces nothing this reader can prove (alternation at
 * the top, options other than a leading (?i), \Q, \x, back references). */
size_t literal_from_regex(const char *re, struct literal_runs *out);

/* The same for an fnmatch(3) pattern (flags 0 or FNM_CASEFOLD). */
size_t literal_from_glob(const char *glob, struct literal_runs *out);

/* The byte the prefilter compares: ASCII lower case, every other byte as
 * it is (strcasecmp's folding in the C and UTF-8 locales). */
static inline unsigned char literal_fold(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + ('a' - 'A')) : c;
}

/* What the index relies on: subject s (n bytes) contains lit, both
 * folded.  For tests that hold literal.c to it against PCRE2/fnmatch. */
static inline bool literal_in(const char *s, size_t n, const char *lit)
{
	size_t m = 0;

	while (lit[m])
		m++;
	for (size_t i = 0; i + m <= n; i++) {
		size_t k = 0;

		while (k < m && literal_fold((unsigned char)s[i + k]) ==
				literal_fold((unsigned char)lit[k]))
			k++;
		if (k == m)
			return true;
	}
	return false;
}

#endif
