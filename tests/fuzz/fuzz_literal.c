/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_literal.c - the literals the rule index reads from regexes and
 * globs (rules/literal.c).  Input: one byte choosing regex (even) or glob
 * (odd), the pattern, a NUL, the subject.  Whenever PCRE2 (compiled as
 * the rule engine compiles it: bytes, not UTF) or fnmatch matches the
 * subject, every run literal.c returned must be in it, ASCII case folded:
 * a run that is not would make the index skip a rule that holds.
 */
#include <fnmatch.h>
#include <stdbool.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "fuzz.h"
#include "rules/literal.h"

static bool regex_matches(const char *re, const char *s, size_t n)
{
	static pcre2_match_data *md;
	pcre2_code *code;
	PCRE2_SIZE off;
	int err, r;

	if (!md && !(md = pcre2_match_data_create(1, NULL)))
		abort();
	code = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, 0, &err, &off, NULL);
	if (!code)
		return false;
	r = pcre2_match(code, (PCRE2_SPTR)s, n, 0, 0, md, NULL);
	pcre2_code_free(code);
	return r >= 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct literal_runs runs;
	const char *subj;
	size_t plen, slen;
	bool glob, hit;
	char *text;

	if (size < 2)
		return 0;
	glob = data[0] & 1;
	text = fuzz_strndup(data + 1, size - 1);
	if (!text)
		return 0;
	plen = strlen(text);
	subj = plen + 1 < size - 1 ? text + plen + 1 : "";
	slen = plen + 1 < size - 1 ? size - 2 - plen : 0;
	if (glob)
		literal_from_glob(text, &runs);
	else
		literal_from_regex(text, &runs);
	FUZZ_CHECK(runs.n <= LITERAL_RUNS);
	for (size_t i = 0; i < runs.n; i++)
		FUZZ_CHECK(runs.run[i][0] && strlen(runs.run[i]) <= LITERAL_MAX);
	/* fnmatch reads a C string: a subject with a NUL stops there. */
	hit = glob ? fnmatch(text, subj, FNM_CASEFOLD) == 0 : regex_matches(text, subj, slen);
	if (glob)
		slen = strlen(subj);
	for (size_t i = 0; hit && i < runs.n; i++)
		FUZZ_CHECK(literal_in(subj, slen, runs.run[i]));
	free(text);
	return 0;
}
