/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_rule_index.c - the rule index (rules/rule_index.c) and the
 * literals it reads from patterns (rules/literal.c).
 *
 * The index may only narrow: every rule whose condition holds for an
 * event must be among its candidates.  That is checked three ways:
 * literal extraction against PCRE2 and fnmatch on random patterns and
 * subjects; the shipped rule packs against events built from the
 * literals in those very rules (so many of them match) and mutations of
 * them; and hand-written conditions with or/and/not, in-lists, regexes
 * and case-insensitive operators.  It must also narrow: the ordinary
 * events of the benchmark get few candidates.
 */
#include <fnmatch.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "rules/literal.h"
#include "rules/rule_index.h"
#include "rules/ruleset_int.h"

/* ---- literal extraction ---- */

static bool has_run(const struct literal_runs *r, const char *s)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->run[i], s) == 0)
			return true;
	return false;
}

static void expect_runs(const char *re, bool glob, const char *const *want,
			size_t n)
{
	struct literal_runs r;
	size_t got = glob ? literal_from_glob(re, &r) : literal_from_regex(re, &r);

	if (got != n)
		fail_msg("%s: %zu runs, expected %zu (first \"%s\")", re, got, n,
			 got ? r.run[0] : "");
	for (size_t i = 0; i < n; i++)
		if (!has_run(&r, want[i]))
			fail_msg("%s: run \"%s\" missing", re, want[i]);
}

#define RUNS(re, ...) do { \
	static const char *const w_[] = { __VA_ARGS__ }; \
	expect_runs(re, false, w_, sizeof(w_) / sizeof(w_[0])); \
} while (0)
#define GLOB_RUNS(g, ...) do { \
	static const char *const w_[] = { __VA_ARGS__ }; \
	expect_runs(g, true, w_, sizeof(w_) / sizeof(w_[0])); \
} while (0)
#define NO_RUNS(re) expect_runs(re, false, NULL, 0)

static void test_regex_runs(void **state)
{
	struct literal_runs r;

	(void)state;
	RUNS("PiKVM", "PiKVM");
	RUNS("^gen1\\.[a-z]+\\.example$", "gen1.", ".example");
	RUNS("ab?c", "a", "c");
	RUNS("ab*cd", "a", "cd");
	RUNS("ab+cd", "ab", "cd");
	RUNS("(abc)?def", "def");
	RUNS("(?:ab|cd)ef", "ef");
	RUNS("x{2}yz", "yz");
	RUNS("foo\\d+bar", "foo", "bar");
	RUNS("[]abc]xy", "xy");
	RUNS("[[:alpha:]]xy", "xy");
	RUNS("a\\.b", "a.b");
	RUNS("anydesk.*relay", "anydesk", "relay");
	NO_RUNS("a|b");
	NO_RUNS("x(?=abc)");
	NO_RUNS("\\x41bc");
	NO_RUNS("\\Qa.b\\E");
	NO_RUNS("(a)\\1");
	NO_RUNS("a{x");
	NO_RUNS("(unclosed");
	NO_RUNS("closed)");
	NO_RUNS("[unclosed");
	NO_RUNS("trailing\\");
	NO_RUNS("(?x)a b");
	assert_int_equal(literal_from_regex("(?i)pikvm v[34]", &r), 1);
	assert_true(r.icase);
	assert_string_equal(r.run[0], "pikvm v");
	assert_int_equal(literal_from_regex("pikvm", &r), 1);
	assert_false(r.icase);
}

static void test_regex_runs_bounded(void **state)
{
	char re[4 * LITERAL_MAX + 64];
	struct literal_runs r;
	size_t o = 0;

	(void)state;
	/* 12 runs of growing length: the 8 longest are kept. */
	for (int i = 1; i <= 12; i++) {
		for (int k = 0; k < i; k++)
			re[o++] = (char)('a' + i);
		re[o++] = '.';
	}
	re[o] = '\0';
	assert_int_equal(literal_from_regex(re, &r), LITERAL_RUNS);
	for (size_t i = 0; i < r.n; i++)
		assert_true(strlen(r.run[i]) >= 5);
	/* A run longer than LITERAL_MAX is cut, not dropped. */
	memset(re, 'z', 3 * LITERAL_MAX);
	re[3 * LITERAL_MAX] = '\0';
	assert_int_equal(literal_from_regex(re, &r), 1);
	assert_int_equal(strlen(r.run[0]), LITERAL_MAX);
}

static void test_glob_runs(void **state)
{
	(void)state;
	GLOB_RUNS("*PiKVM*", "PiKVM");
	GLOB_RUNS("a?bc*d", "a", "bc", "d");
	GLOB_RUNS("[\\]ab]xy", "xy");
	GLOB_RUNS("[[:digit:]]zz", "zz");
	GLOB_RUNS("\\*x", "*x");
	GLOB_RUNS("/opt/*/anydesk", "/opt/", "/anydesk");
	GLOB_RUNS("[unclosed", "unclosed");
	expect_runs("bad\\", true, NULL, 0);
}

static void random_text(char *buf, size_t len, const char *alphabet)
{
	size_t na = strlen(alphabet);

	for (size_t i = 0; i < len; i++)
		buf[i] = alphabet[(size_t)rand() % na];
	buf[len] = '\0';
}

/* Random patterns from regex pieces, random subjects from the same
 * letters: whenever PCRE2 matches, every run is in the subject. */
static void test_regex_runs_sound(void **state)
{
	static const char *const pieces[] = {
		"a", "b", "c", "A", "ab", "bc", "\\.", ".", "?", "*", "+", "(",
		")", "|", "[ab]", "[^a]", "{2}", "{1,3}", "^", "$", "(?:", "\\d",
		"+?", "(?i)", "x",
	};
	pcre2_match_data *md = pcre2_match_data_create(1, NULL);
	unsigned long checked = 0;

	(void)state;
	srand(7);
	for (int i = 0; i < 20000; i++) {
		char re[128] = "", subj[24];
		struct literal_runs r;
		pcre2_code *code;
		PCRE2_SIZE off;
		int err;

		for (int k = rand() % 8 + 1; k > 0; k--)
			strcat(re, pieces[(size_t)rand() % (sizeof(pieces) / sizeof(pieces[0]))]);
		code = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, 0, &err,
				     &off, NULL);
		if (!code)
			continue;
		literal_from_regex(re, &r);
		for (int s = 0; s < 40; s++) {
			size_t len = (size_t)(rand() % 10);

			random_text(subj, len, "abcABx.1");
			if (pcre2_match(code, (PCRE2_SPTR)subj, len, 0, 0, md, NULL) < 0)
				continue;
			checked++;
			for (size_t k = 0; k < r.n; k++)
				if (!literal_in(subj, len, r.run[k]))
					fail_msg("/%s/ matched \"%s\" without run \"%s\"", re,
						 subj, r.run[k]);
		}
		pcre2_code_free(code);
	}
	pcre2_match_data_free(md);
	assert_true(checked > 10000);
}

static void test_glob_runs_sound(void **state)
{
	static const char *const pieces[] = {
		"a", "b", "ab", "*", "?", "[ab]", "[!a]", "\\*", "*", "B",
	};
	unsigned long checked = 0;

	(void)state;
	srand(11);
	for (int i = 0; i < 20000; i++) {
		char g[64] = "", subj[16];
		struct literal_runs r;

		for (int k = rand() % 6 + 1; k > 0; k--)
			strcat(g, pieces[(size_t)rand() % (sizeof(pieces) / sizeof(pieces[0]))]);
		literal_from_glob(g, &r);
		for (int s = 0; s < 40; s++) {
			random_text(subj, (size_t)(rand() % 8), "abB*");
			if (fnmatch(g, subj, FNM_CASEFOLD) != 0)
				continue;
			checked++;
			for (size_t k = 0; k < r.n; k++)
				if (!literal_in(subj, strlen(subj), r.run[k]))
					fail_msg("glob %s matched \"%s\" without \"%s\"", g,
						 subj, r.run[k]);
		}
	}
	assert_true(checked > 5000);
}

/* ---- the index over rule sets ---- */

struct seen {
	uint64_t bits[RULE_INDEX_MAX_RULES / 64];
	size_t n;
};

static void on_candidate(void *opaque, uint32_t pos)
{
	struct seen *s = opaque;

	s->bits[pos / 64] |= 1ULL << (pos % 64);
	s->n++;
}

/* Every rule of ev's source that holds is a candidate; returns how many
 * candidates there were. */
static size_t check_event(const struct ruleset *rs, const struct event *ev,
			  size_t *holds)
{
	const struct source_index *ix = &rs->by_source[ev->source->id];
	const struct rule_index *rix = source_rule_index(ix);
	struct seen s = { 0 };

	if (!rix)
		return ix->nrules;
	rule_index_visit(rix, ev, on_candidate, &s);
	for (size_t i = 0; i < ix->nrules; i++) {
		if (!expr_eval(ix->rules[i]->when, ev, rs->rt))
			continue;
		(*holds)++;
		if (!(s.bits[i / 64] & (1ULL << (i % 64))))
			fail_msg("%s rule %s holds but the index skipped it",
				 ix->source->name, ix->rules[i]->meta.id);
	}
	return s.n;
}

/* The string literals of the rules of a source, to build events from. */
struct pool {
	char **s;
	size_t n, cap;
};

static void pool_add(void *opaque, const struct expr_key *k)
{
	struct pool *p = opaque;

	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 64;
		p->s = realloc(p->s, p->cap * sizeof(*p->s));
		assert_non_null(p->s);
	}
	p->s[p->n++] = strdup(k->lit);
}

static void pool_free(struct pool *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->s[i]);
	free(p->s);
}

/* A value for a string field: a rule literal as it is, in upper case,
 * inside other text, or cut; or plain text. */
static void pick_value(const struct pool *p, char *buf, size_t len)
{
	const char *lit = p->n ? p->s[(size_t)rand() % p->n] : "x";

	switch (rand() % 6) {
	case 0:
	case 1:
		snprintf(buf, len, "%s", lit);
		break;
	case 2:
		snprintf(buf, len, "%s", lit);
		for (char *c = buf; *c; c++)
			if (*c >= 'a' && *c <= 'z')
				*c = (char)(*c - 'a' + 'A');
		break;
	case 3:
		snprintf(buf, len, "pre-%s-post", lit);
		break;
	case 4:
		snprintf(buf, len, "%.*s", (int)(strlen(lit) / 2), lit);
		break;
	default:
		snprintf(buf, len, "ordinary %d", rand() % 100);
		break;
	}
}

static void fuzz_source(const struct ruleset *rs, const struct source_index *ix,
			int rounds, size_t *holds)
{
	const struct source_def *src = ix->source;
	struct pool pool = { 0 };
	char val[256];

	for (size_t i = 0; i < ix->nrules; i++)
		expr_index_atoms(ix->rules[i]->when, pool_add, &pool);
	for (int k = 0; k < rounds; k++) {
		struct event *ev = event_new(src);

		assert_non_null(ev);
		for (size_t f = 0; f < src->nfields; f++) {
			if (rand() % 4 == 0)
				continue;	/* unset */
			pick_value(&pool, val, sizeof(val));
			switch (src->fields[f].type) {
			case FIELD_STRING:
				event_set_str(ev, (int)f, val);
				break;
			case FIELD_LIST:
				/* several elements: a key may sit in any one */
				for (int n = rand() % 3; ; n--) {
					event_list_add(ev, (int)f, val);
					if (n <= 0)
						break;
					pick_value(&pool, val, sizeof(val));
				}
				break;
			case FIELD_INT:
				event_set_int(ev, (int)f, rand() % 70000);
				break;
			case FIELD_BOOL:
				event_set_bool(ev, (int)f, rand() % 2);
				break;
			default:
				break;
			}
		}
		check_event(rs, ev, holds);
		event_free(ev);
	}
	pool_free(&pool);
}

static void test_shipped_rules_never_skipped(void **state)
{
	struct diag_list d = { 0 };
	struct ruleset *rs = NULL;
	size_t holds = 0, keyed = 0, total = 0;

	(void)state;
	assert_int_equal(ruleset_load_dir("rules/rules.d", time(NULL), &rs, &d), 0);
	srand(3);
	for (int s = 0; s < SOURCE__MAX; s++) {
		const struct source_index *ix = &rs->by_source[s];

		if (!ix->nrules)
			continue;
		assert_non_null(source_rule_index(ix));
		keyed += rule_index_keyed(source_rule_index(ix));
		total += ix->nrules;
		fuzz_source(rs, ix, 20000, &holds);
	}
	/* The events did hit rules (else nothing was checked), and most
	 * rules have a key (else the index narrows nothing). */
	assert_true(holds > 1000);
	assert_true(keyed * 10 >= total * 9);
	ruleset_free(rs);
	diag_list_clear(&d);
}

/* Conditions of every shape, each in a file of its own source. */
static const char *const shapes[] = {
	"action in (add, present) and (manufacturer i== \"PiKVM\" or (vendor_id == 1d6b and product_id == 0104))",
	"product icontains \"jetkvm\" or serial istartswith \"KVM-\"",
	"product ~ \"(?i)nano ?kvm\" and not vendor_id == 1234",
	"product glob \"*Composite*\" and manufacturer iglob \"tiny*\"",
	"not product == \"x\"",
	"product iin (\"Keyboard\", \"MOUSE\") and vendor_id != 046d",
	"manufacturer endswith \"Ltd\" and product ~ \"^USB [0-9]+ Hub$\"",
	"serial exists and (product ~ \"a|b\" or product contains \"kv\")",
	"interfaces contains \"03:01:01\" and vendor_id == \"1d6b\"",
	"hid_fingerprints in (\"3a71a5a23705ee80\", \"0eab8b0c15825160\")",
	"action in (add, present) and interfaces iin (\"E0:01:03\", \"02:0d:00\")",
	"interfaces glob \"0e:*\" and has_keyboard",
};

static void test_shapes_never_skipped(void **state)
{
	char dir[] = "/tmp/fh-rix.XXXXXX", path[256];
	struct diag_list d = { 0 };
	struct ruleset *rs = NULL;
	const struct source_index *ix;
	size_t holds = 0;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/shapes.rules", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++)
		fprintf(f, "[rule shape-%zu]\nsource = usb\nwhen = %s\nseverity = notice\n"
			"confidence = low\ncategory = test\n\n", i, shapes[i]);
	fclose(f);
	if (ruleset_load_dir(dir, time(NULL), &rs, &d) != 0) {
		for (size_t i = 0; i < d.n; i++)
			print_error("%s:%d: %s\n", d.items[i].file, d.items[i].line, d.items[i].message);
		fail_msg("shapes did not load");
	}
	ix = &rs->by_source[SOURCE_USB];
	assert_non_null(source_rule_index(ix));
	/* No key for "not ...", "serial exists and (regex with | or ...)"
	 * and a list field's glob (lists are keyed by "in" and "==" only). */
	assert_int_equal(rule_index_keyed(source_rule_index(ix)), ix->nrules - 3);
	srand(5);
	fuzz_source(rs, ix, 50000, &holds);
	assert_true(holds > 500);
	ruleset_free(rs);
	unlink(path);
	rmdir(dir);
}

/* A rule keyed on a list field is offered when any element holds the key,
 * the second as well as the first, and not offered when none does. */
static void test_list_key_any_element(void **state)
{
	char dir[] = "/tmp/fh-rix.XXXXXX", path[256];
	struct diag_list d = { 0 };
	struct ruleset *rs = NULL;
	const struct source_def *usb = source_by_name("usb");
	int fp = source_field_index(usb, "hid_fingerprints");
	struct event *ev;
	size_t holds = 0;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/list.rules", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "[rule fp]\nsource = usb\nwhen = action in (add, present) and "
		"hid_fingerprints in (\"3a71a5a23705ee80\")\nseverity = notice\n");
	fclose(f);
	assert_int_equal(ruleset_load_dir(dir, time(NULL), &rs, &d), 0);
	assert_int_equal(rule_index_keyed(source_rule_index(&rs->by_source[SOURCE_USB])), 1);
	ev = event_new(usb);
	assert_non_null(ev);
	event_set_str(ev, source_field_index(usb, "action"), "add");
	event_list_add(ev, fp, "5333cc3a23db1dd7");
	assert_int_equal(check_event(rs, ev, &holds), 0);
	event_list_add(ev, fp, "3a71a5a23705ee80");
	assert_int_equal(check_event(rs, ev, &holds), 1);
	assert_int_equal(holds, 1);
	event_free(ev);
	ruleset_free(rs);
	diag_list_clear(&d);
	unlink(path);
	rmdir(dir);
}

/* An ordinary keyboard is a candidate for few of the shipped USB rules. */
static void test_ordinary_event_narrowed(void **state)
{
	struct diag_list d = { 0 };
	struct ruleset *rs = NULL;
	const struct source_def *usb = source_by_name("usb");
	struct event *ev = event_new(usb);
	size_t holds = 0, cand;

	(void)state;
	assert_int_equal(ruleset_load_dir("rules/rules.d", time(NULL), &rs, &d), 0);
	assert_non_null(ev);
	event_set_str(ev, source_field_index(usb, "action"), "add");
	event_set_str(ev, source_field_index(usb, "vendor_id"), "046d");
	event_set_str(ev, source_field_index(usb, "product_id"), "c31c");
	event_set_str(ev, source_field_index(usb, "manufacturer"), "Logitech");
	event_set_str(ev, source_field_index(usb, "product"), "USB Keyboard");
	cand = check_event(rs, ev, &holds);
	assert_true(cand * 4 < rs->by_source[SOURCE_USB].nrules);
	event_free(ev);
	ruleset_free(rs);
	diag_list_clear(&d);
}

static void no_alert(void *opaque, const struct alert *a)
{
	(void)opaque;
	(void)a;
}

/* A source's index is built by its first event, not at load, and only
 * its own: a run that feeds one source (--pcap: net) indexes no other. */
static void test_index_built_on_first_event(void **state)
{
	struct diag_list d = { 0 };
	struct ruleset *rs = NULL;
	const struct source_def *usb = source_by_name("usb");
	struct event *ev = event_new(usb);

	(void)state;
	assert_int_equal(ruleset_load_dir("rules/rules.d", time(NULL), &rs, &d), 0);
	assert_non_null(ev);
	for (int s = 0; s < SOURCE__MAX; s++) {
		const struct source_index *ix = &rs->by_source[s];

		assert_true(ix->nrules ? ix->slot && !ix->slot->built : !ix->slot);
	}
	event_set_str(ev, source_field_index(usb, "action"), "add");
	ruleset_eval(rs, NULL, ev, 0, "h", no_alert, NULL, NULL);
	for (int s = 0; s < SOURCE__MAX; s++) {
		const struct source_index *ix = &rs->by_source[s];

		if (ix->nrules)
			assert_int_equal(ix->slot->built, s == SOURCE_USB);
	}
	assert_non_null(rs->by_source[SOURCE_USB].slot->index);
	event_free(ev);
	ruleset_free(rs);
	diag_list_clear(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_regex_runs),
		cmocka_unit_test(test_regex_runs_bounded),
		cmocka_unit_test(test_glob_runs),
		cmocka_unit_test(test_regex_runs_sound),
		cmocka_unit_test(test_glob_runs_sound),
		cmocka_unit_test(test_shipped_rules_never_skipped),
		cmocka_unit_test(test_shapes_never_skipped),
		cmocka_unit_test(test_list_key_any_element),
		cmocka_unit_test(test_ordinary_event_narrowed),
		cmocka_unit_test(test_index_built_on_first_event),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
