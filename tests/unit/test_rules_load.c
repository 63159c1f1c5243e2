/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_rules_load.c - loading rule files: a good set, and one bad file per
 * kind of error, each checked for the exact line reported and a
 * distinctive part of the message; all errors collected; duplicates
 * across files; continuation lines, inline comments, long lines.
 *
 * Fixtures live in tests/fixtures/rules/ (run from the top of the tree,
 * as tests/run.sh does); generated cases go to a temporary directory.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <cmocka.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "collectors/usb/usb.h"
#include "rules/ruleset_int.h"

#define FIX "tests/fixtures/rules"
/* 2026-01-01T00:00:00Z: "now" for every load, so expiry is reproducible. */
#define NOW ((time_t)1767225600)

static int load_fix(const char *rel, struct ruleset **rs, struct diag_list *d)
{
	char path[512];

	snprintf(path, sizeof(path), FIX "/%s", rel);
	return ruleset_load_file(path, NOW, rs, d);
}

static void dump(const struct diag_list *d)
{
	for (size_t i = 0; i < d->n; i++)
		print_message("# %s:%d: %s%s\n", d->items[i].file, d->items[i].line,
			      d->items[i].warning ? "warning: " : "",
			      d->items[i].message);
}

static void check_diag(const struct diag_list *d, size_t i, const char *file,
		       int line, const char *part)
{
	const struct diag *x;
	size_t fl = strlen(file), l;

	if (i >= d->n) {
		dump(d);
		fail_msg("no diagnostic #%zu (want line %d: %s)", i, line, part);
	}
	x = &d->items[i];
	l = strlen(x->file);
	if (x->line != line || !strstr(x->message, part) || l < fl ||
	    strcmp(x->file + l - fl, file) != 0) {
		dump(d);
		fail_msg("diagnostic #%zu is %s:%d: %s; want %s:%d: ...%s...", i,
			 x->file, x->line, x->message, file, line, part);
	}
}

/* A bad fixture: rejected, *out NULL, exactly nerr errors, the first at
 * line with part in its message. */
static void check_bad(const char *name, size_t nerr, int line, const char *part)
{
	struct diag_list d = { 0 };
	struct ruleset *rs = (struct ruleset *)&d;	/* must be reset */
	char rel[128];
	int r;

	snprintf(rel, sizeof(rel), "bad/%s", name);
	r = load_fix(rel, &rs, &d);
	assert_int_equal(r, -EINVAL);
	assert_null(rs);
	if (diag_list_errors(&d) != nerr) {
		dump(&d);
		fail_msg("%s: %zu errors, want %zu", name, diag_list_errors(&d), nerr);
	}
	check_diag(&d, 0, name, line, part);
	assert_false(d.items[0].warning);
	diag_list_clear(&d);
}

#define BAD(fn, file, nerr, line, part)				\
	static void fn(void **state)				\
	{							\
		(void)state;					\
		check_bad(file, nerr, line, part);		\
	}

BAD(test_unknown_section, "unknown-section.rules", 1, 2,
    "unknown section type \"rulez\" (expected rule, list or allow)")
BAD(test_section_no_id, "section-no-id.rules", 1, 2, "section [rule] needs an id")
BAD(test_section_unclosed, "section-unclosed.rules", 1, 2,
    "section header without closing \"]\"")
BAD(test_unknown_key, "unknown-key.rules", 1, 6, "unknown key \"colour\" in a [rule] section")
BAD(test_advice_in_allow, "advice-in-allow.rules", 1, 5,
    "unknown key \"advice\" in a [allow] section")
BAD(test_count_no_window, "count-no-window.rules", 1, 6,
    "\"count\" needs a \"window\"")
BAD(test_window_no_count, "window-no-count.rules", 1, 6,
    "\"window\" needs \"count\" (a threshold")
BAD(test_count_too_big, "count-too-big.rules", 1, 5,
    "bad count \"500\" (an integer from 2 to 32)")
BAD(test_distinct_unknown_field, "distinct-unknown-field.rules", 1, 7,
    "distinct: unknown field \"vendor\" for source usb")
BAD(test_group_by_unknown_field, "group-by-unknown-field.rules", 1, 7,
    "group_by: unknown field \"colour\" for source usb")
BAD(test_match_unknown_rule, "match-unknown-rule.rules", 1, 7,
    "match: unknown rule \"nosuchrule\"")
BAD(test_match_syntax, "match-syntax.rules", 1, 7, "match: expected \"all of (RULE, ...)")
BAD(test_match_with_when, "match-with-when.rules", 1, 8,
    "\"when\" does not go with \"match\"")
BAD(test_match_nested, "match-nested.rules", 1, 16,
    "match: \"seq\" is itself a sequence")
BAD(test_match_too_many, "match-too-many.rules", 1, 7,
    "match: 3 of 1 rules can never happen")
BAD(test_unknown_source, "unknown-source.rules", 1, 3, "unknown source \"usbx\"")
BAD(test_unknown_field, "unknown-field.rules", 1, 4,
    "unknown field \"vendor\" for source usb")
BAD(test_type_lt_string, "type-lt-string.rules", 1, 5,
    "operator \"<\" does not apply to vendor_id (string)")
BAD(test_type_contains_bool, "type-contains-bool.rules", 1, 5,
    "operator \"contains\" does not apply to has_keyboard (boolean)")
BAD(test_type_cidr_string, "type-cidr-string.rules", 1, 5,
    "10.0.0.0/8 is a CIDR block but port is a string field")
BAD(test_bad_regex, "bad-regex.rules", 1, 5,
    "bad regex \"(oops\": missing closing parenthesis at offset 5")
BAD(test_unknown_list, "unknown-list.rules", 1, 5, "unknown list @nope")
BAD(test_syntax_paren, "syntax-paren.rules", 1, 5, "unclosed \"(\"")
BAD(test_syntax_string, "syntax-string.rules", 1, 5, "unclosed string")
BAD(test_syntax_token, "syntax-token.rules", 1, 5,
    "unexpected \"remove\" (expected and, or, or the end)")
BAD(test_dup_id, "dup-id.rules", 1, 7, "duplicate rule id \"r\" (first defined at")
BAD(test_bad_severity, "bad-severity.rules", 1, 5, "unknown severity \"severe\"")
BAD(test_bad_confidence, "bad-confidence.rules", 1, 6,
    "unknown confidence \"certain\" (low, medium, high)")
BAD(test_bad_score, "bad-score.rules", 1, 6, "bad score \"5000\" (an integer from 0 to 1000)")
BAD(test_bad_score_text, "bad-score-text.rules", 1, 6, "bad score \"lots\"")
BAD(test_bad_duration, "bad-duration.rules", 1, 6, "bad duration \"1 hour\" for cooldown")
BAD(test_missing_when, "missing-when.rules", 1, 3,
    "[rule r]: missing required key \"when\"")
BAD(test_missing_all, "missing-all.rules", 3, 2, "missing required key \"source\"")
BAD(test_allow_no_reason, "allow-no-reason.rules", 1, 2,
    "[allow a]: missing required key \"reason\"")
BAD(test_allow_bad_date, "allow-bad-date.rules", 1, 6,
    "bad expires date \"2027-02-30\" (YYYY-MM-DD)")
BAD(test_list_empty_item, "list-empty-item.rules", 1, 3, "items: empty item")
BAD(test_indent_nothing, "indent-nothing.rules", 1, 3, "indented line continues nothing")
BAD(test_no_equals, "no-equals.rules", 1, 6, "expected \"key = value\" or a [section] header")
BAD(test_dup_key, "dup-key.rules", 1, 6, "duplicate key \"when\" (first set on line 4)")

/* Every error of a file is reported, in line order, not just the first. */
static void test_all_errors_collected(void **state)
{
	struct diag_list d = { 0 };
	struct ruleset *rs;

	(void)state;
	assert_int_equal(load_fix("bad/multi.rules", &rs, &d), -EINVAL);
	assert_null(rs);
	assert_int_equal(d.n, 5);
	check_diag(&d, 0, "multi.rules", 4, "unknown field \"nosuch\"");
	check_diag(&d, 1, "multi.rules", 5, "unknown severity \"loud\"");
	check_diag(&d, 2, "multi.rules", 9, "bad regex \"[\"");
	check_diag(&d, 3, "multi.rules", 11, "bad score \"-1\"");
	check_diag(&d, 4, "multi.rules", 13, "unknown section type \"widget\"");
	diag_list_clear(&d);
}

static void test_good_dir(void **state)
{
	struct diag_list d = { 0 };
	struct ruleset *rs = NULL;
	const struct rule *r;
	const struct rule_list *l;

	(void)state;
	assert_int_equal(ruleset_load_dir(FIX "/good", NOW, &rs, &d), 0);
	if (d.n)
		dump(&d);
	assert_int_equal(d.n, 0);
	assert_non_null(rs);
	assert_int_equal(ruleset_rule_count(rs), 2);
	assert_int_equal(ruleset_list_count(rs), 2);
	assert_int_equal(ruleset_allow_count(rs), 1);

	r = rs->rules[0];
	assert_string_equal(r->meta.id, "ip-kvm-usb-identity");
	assert_string_equal(r->meta.name, "IP-KVM USB gadget identity");
	/* continuation joined with one space; "maker;" is no comment */
	assert_string_equal(r->meta.description,
			    "A USB device that names itself after an IP-KVM maker; "
			    "continuation lines join with one space.");
	assert_string_equal(r->meta.advice,
			    "Ask the user to unplug it; check the display side too.");
	assert_ptr_equal(r->source, &usb_source);
	assert_int_equal(r->meta.severity, LOG_CRIT);
	assert_int_equal(r->meta.confidence, CONFIDENCE_HIGH);
	assert_string_equal(r->meta.category, "ip-kvm");
	assert_int_equal(r->meta.score, 80);
	assert_int_equal(r->meta.nmitre, 2);
	assert_string_equal(r->meta.mitre[0], "T1219.003");
	assert_string_equal(r->meta.mitre[1], "T1200");
	assert_int_equal(r->meta.nreferences, 1);
	assert_string_equal(r->meta.references[0],
			    "https://attack.mitre.org/techniques/T1219/003/");
	assert_int_equal(r->cooldown_ms, 3600000);
	assert_int_equal(r->line, 3);
	assert_non_null(strstr(r->file, "10-usb.rules"));

	/* defaults */
	r = rs->rules[1];
	assert_string_equal(r->meta.id, "minimal");
	assert_string_equal(r->meta.name, "minimal");
	/* description, advice and references are optional: an admin's rule
	 * without them loads without a word (d.n == 0 above). */
	assert_null(r->meta.description);
	assert_null(r->meta.advice);
	assert_int_equal(r->meta.nreferences, 0);
	assert_null(r->meta.category);
	assert_int_equal(r->meta.severity, LOG_WARNING);
	assert_int_equal(r->meta.confidence, CONFIDENCE_MEDIUM);
	assert_int_equal(r->meta.score, 0);
	assert_int_equal(r->meta.nmitre, 0);
	assert_int_equal(r->cooldown_ms, 0);

	l = rs->lists[1];
	assert_string_equal(l->name, "odd_names");
	assert_int_equal(l->n, 3);
	assert_string_equal(l->items[0], "a, b");
	assert_string_equal(l->items[1], "say \"hi\"");
	assert_string_equal(l->items[2], "plain");

	assert_string_equal(rs->allows[0]->id, "corp-dock-7");
	assert_string_equal(rs->allows[0]->reason, "approved docking station");
	assert_string_equal(rs->allows[0]->owner, "it-security");
	ruleset_free(rs);
	diag_list_clear(&d);
}

/* Lists belong to one load: the rules file alone does not see them. */
static void test_file_alone_has_no_lists(void **state)
{
	struct diag_list d = { 0 };
	struct ruleset *rs;

	(void)state;
	assert_int_equal(load_fix("good/10-usb.rules", &rs, &d), -EINVAL);
	assert_int_equal(d.n, 1);
	check_diag(&d, 0, "10-usb.rules", 8, "unknown list @kvm_vendors");
	diag_list_clear(&d);
}

static void test_dup_across_files(void **state)
{
	struct diag_list d = { 0 };
	struct ruleset *rs;

	(void)state;
	assert_int_equal(ruleset_load_dir(FIX "/dup", NOW, &rs, &d), -EINVAL);
	assert_null(rs);
	assert_int_equal(d.n, 2);
	check_diag(&d, 0, "dup/b.rules", 3, "duplicate rule id \"same-id\" (first defined at "
		   FIX "/dup/a.rules:4)");
	check_diag(&d, 1, "dup/b.rules", 8, "duplicate list id \"vendors\" (first defined at "
		   FIX "/dup/a.rules:1)");
	diag_list_clear(&d);
}

static void test_missing_paths(void **state)
{
	struct diag_list d = { 0 };
	struct ruleset *rs;

	(void)state;
	assert_int_equal(ruleset_load_file(FIX "/nosuch.rules", NOW, &rs, &d), -ENOENT);
	assert_null(rs);
	check_diag(&d, 0, "nosuch.rules", 0, "cannot read");
	diag_list_clear(&d);
	assert_int_equal(ruleset_load_dir(FIX "/nosuchdir", NOW, &rs, &d), -ENOENT);
	assert_null(rs);
	check_diag(&d, 0, "nosuchdir", 0, "cannot open rules directory");
	diag_list_clear(&d);
}

/* ---- generated files ---- */

static char tmpdir[64];

static int make_tmp(void **state)
{
	(void)state;
	strcpy(tmpdir, "/tmp/fh-rules-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int rm_tmp(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

#define write_tmp_s(name, text) write_tmp(name, text, strlen(text))

static const char *write_tmp(const char *name, const char *text, size_t len)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
	return path;
}

static void test_long_line_is_an_error(void **state)
{
	char text[8192];
	struct diag_list d = { 0 };
	struct ruleset *rs;
	int n;

	(void)state;
	n = snprintf(text, sizeof(text), "[rule r]\nsource = usb\ndescription = ");
	memset(text + n, 'x', 5000);
	n += 5000;
	n += snprintf(text + n, sizeof(text) - (size_t)n,
		      "\n  more of it\nwhen = is_gadget\nseverity = info\n");
	assert_int_equal(ruleset_load_file(write_tmp("long.rules", text, (size_t)n),
					   NOW, &rs, &d), -EINVAL);
	assert_int_equal(d.n, 1);
	check_diag(&d, 0, "long.rules", 3, "line too long (more than 4096 bytes)");
	diag_list_clear(&d);
}

/* Lines and values longer than inih's 200-byte buffer arrive whole. */
static void test_long_values_whole(void **state)
{
	char text[8192], expect[4096];
	struct diag_list d = { 0 };
	struct ruleset *rs;
	int n, e = 0;

	(void)state;
	n = snprintf(text, sizeof(text), "[rule r]\nsource = usb\nseverity = info\n"
		     "when = action == add\n");
	for (int i = 0; i < 40; i++)
		n += snprintf(text + n, sizeof(text) - (size_t)n,
			      "   or product == \"product number %d\"\n", i);
	n += snprintf(text + n, sizeof(text) - (size_t)n, "description = ");
	for (int i = 0; i < 30; i++) {
		n += snprintf(text + n, sizeof(text) - (size_t)n, "word%02d ", i);
		e += snprintf(expect + e, sizeof(expect) - (size_t)e, "%sword%02d",
			      i ? " " : "", i);
	}
	n += snprintf(text + n, sizeof(text) - (size_t)n, "\nname = after the long line\n");
	assert_int_equal(ruleset_load_file(write_tmp("longok.rules", text, (size_t)n),
					   NOW, &rs, &d), 0);
	assert_string_equal(rs->rules[0]->meta.description, expect);
	assert_string_equal(rs->rules[0]->meta.name, "after the long line");
	{
		struct event *ev = event_new(&usb_source);

		event_set_str(ev, USB_PRODUCT, "product number 39");
		assert_true(expr_eval(rs->rules[0]->when, ev, rs->rt));
		event_free(ev);
	}
	ruleset_free(rs);
	diag_list_clear(&d);
}

static void test_crlf_bom_nul(void **state)
{
	static const char crlf[] = "\xef\xbb\xbf[rule r]\r\nsource = usb\r\n"
		"when = action == add\r\n   and is_gadget\r\nseverity = info ; c\r\n";
	static const char nul[] = "[rule r]\nsource = usb\nwhen = is_ga\0dget\nseverity = info\n";
	struct diag_list d = { 0 };
	struct ruleset *rs;

	(void)state;
	assert_int_equal(ruleset_load_file(write_tmp("crlf.rules", crlf, sizeof(crlf) - 1),
					   NOW, &rs, &d), 0);
	assert_int_equal(rs->rules[0]->meta.severity, LOG_INFO);
	ruleset_free(rs);
	assert_int_equal(ruleset_load_file(write_tmp("nul.rules", nul, sizeof(nul) - 1),
					   NOW, &rs, &d), -EINVAL);
	/* the line is dropped, so "when" is missing too */
	assert_int_equal(d.n, 2);
	check_diag(&d, 0, "nul.rules", 1, "missing required key \"when\"");
	check_diag(&d, 1, "nul.rules", 3, "NUL byte in line");
	diag_list_clear(&d);
}

/* An error on a continuation line is reported at the line of its key. */
static void test_continuation_error_line(void **state)
{
	static const char text[] = "[rule r]\nsource = usb\nseverity = info\n\n"
		"when = action == add\n  ; a comment inside the value\n\n"
		"     and nosuch == 1\n";
	struct diag_list d = { 0 };
	struct ruleset *rs;

	(void)state;
	assert_int_equal(ruleset_load_file(write_tmp("cont.rules", text, sizeof(text) - 1),
					   NOW, &rs, &d), -EINVAL);
	assert_int_equal(d.n, 1);
	check_diag(&d, 0, "cont.rules", 5, "unknown field \"nosuch\"");
	diag_list_clear(&d);
}

/* Only *.rules files, in name order, and the ruleset sees all of them. */
static void test_dir_order_and_filter(void **state)
{
	struct diag_list d = { 0 };
	struct ruleset *rs;
	char sub[128];

	(void)state;
	snprintf(sub, sizeof(sub), "%s/d", tmpdir);
	assert_int_equal(mkdir(sub, 0700), 0);
	write_tmp_s("d/20-b.rules", "[rule b]\nsource = usb\nwhen = manufacturer in @l\nseverity = info\n");
	write_tmp_s("d/10-a.rules", "[list l]\nitems = x\n[rule a]\nsource = usb\nwhen = is_hub\nseverity = info\n");
	write_tmp_s("d/30-c.rules.dpkg-old", "[junk]\n");
	write_tmp_s("d/.hidden.rules", "[junk]\n");
	write_tmp_s("d/x.rules.d", "[junk]\n");
	assert_int_equal(ruleset_load_dir(sub, NOW, &rs, &d), 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(ruleset_rule_count(rs), 2);
	assert_string_equal(rs->rules[0]->meta.id, "a");
	assert_string_equal(rs->rules[1]->meta.id, "b");
	ruleset_free(rs);
}

/* Inline comments: " ;" outside double quotes ends the line's text; in
 * quotes (\" escaped, a quote a continuation line closes) it is text; a
 * backslash outside quotes escapes nothing. */
static void test_inline_comment_quotes(void **state)
{
	static const char text[] = "[rule q]\nsource = usb\nwhen = is_hub\nseverity = info\n"
		"description = a \"b ; \\\" ; c\" d ; gone\n"
		"  e \"f ;\n"
		"  g ; h\"   ; gone too\n"
		"  i\\ ; gone\n"
		"advice = x;y ;z\n";
	struct diag_list d = { 0 };
	struct ruleset *rs;

	(void)state;
	assert_int_equal(ruleset_load_file(write_tmp("q.rules", text, sizeof(text) - 1),
					   NOW, &rs, &d), 0);
	assert_int_equal(d.n, 0);
	assert_string_equal(rs->rules[0]->meta.description,
			    "a \"b ; \\\" ; c\" d e \"f ; g ; h\" i\\");
	assert_string_equal(rs->rules[0]->meta.advice, "x;y");
	ruleset_free(rs);
}

/* One pattern, one compiled regex for the whole load: JIT-compiling it
 * for one rule's match has compiled it for the other rule too; another
 * pattern or the i~ of the same one are their own.  A bad pattern is
 * reported at every line that uses it. */
static void test_regex_shared_in_load(void **state)
{
	static const char text[] = "[rule a]\nsource = usb\nseverity = info\nwhen = product ~ \"^Pi\"\n"
		"[rule b]\nsource = usb\nseverity = info\nwhen = manufacturer ~ \"^Pi\"\n"
		"[rule c]\nsource = usb\nseverity = info\nwhen = manufacturer i~ \"^Pi\"\n"
		"[rule d]\nsource = usb\nseverity = info\nwhen = manufacturer ~ \"^Pj\"\n";
	static const char bad[] = "[rule a]\nsource = usb\nseverity = info\nwhen = product ~ \"(x\"\n"
		"[rule b]\nsource = usb\nseverity = info\nwhen = manufacturer ~ \"(x\"\n";
	struct diag_list d = { 0 };
	struct ruleset *rs;
	struct event *ev = event_new(&usb_source);
	pcre2_code *probe;
	PCRE2_SIZE off;
	size_t a_jit;
	int err;
	bool jit;

	(void)state;
	/* Whether this process can JIT at all (not under
	 * MemoryDenyWriteExecute=, say). */
	probe = pcre2_compile((PCRE2_SPTR)"a", PCRE2_ZERO_TERMINATED, 0, &err, &off, NULL);
	assert_non_null(probe);
	jit = pcre2_jit_compile(probe, PCRE2_JIT_COMPLETE) == 0;
	pcre2_code_free(probe);
	assert_non_null(ev);
	event_set_str(ev, USB_PRODUCT, "PiKVM");
	assert_int_equal(ruleset_load_file(write_tmp("re.rules", text, sizeof(text) - 1),
					   NOW, &rs, &d), 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(expr_jit_count(rs->rules[1]->when), 0);
	assert_true(expr_eval(rs->rules[0]->when, ev, rs->rt));
	a_jit = expr_jit_count(rs->rules[0]->when);
	assert_int_equal(a_jit, jit ? 1 : 0);
	assert_int_equal(expr_jit_count(rs->rules[1]->when), a_jit);
	assert_int_equal(expr_jit_count(rs->rules[2]->when), 0);
	assert_int_equal(expr_jit_count(rs->rules[3]->when), 0);
	ruleset_free(rs);
	event_free(ev);
	assert_int_equal(ruleset_load_file(write_tmp("re-bad.rules", bad, sizeof(bad) - 1),
					   NOW, &rs, &d), -EINVAL);
	assert_int_equal(d.n, 2);
	check_diag(&d, 0, "re-bad.rules", 4, "bad regex \"(x\"");
	check_diag(&d, 1, "re-bad.rules", 8, "bad regex \"(x\"");
	diag_list_clear(&d);
}

static void test_expired_allow_is_warning(void **state)
{
	static const char text[] = "[allow old]\nsource = usb\nwhen = vendor_id == 17ef\n"
		"reason = was fine once\nexpires = 2025-12-31\n\n"
		"[allow today]\nsource = usb\nwhen = vendor_id == 17ee\n"
		"reason = last day\nexpires = 2026-01-01\n";
	struct diag_list d = { 0 };
	struct ruleset *rs;

	(void)state;
	assert_int_equal(ruleset_load_file(write_tmp("exp.rules", text, sizeof(text) - 1),
					   NOW, &rs, &d), 0);
	assert_non_null(rs);
	assert_int_equal(diag_list_errors(&d), 0);
	assert_int_equal(d.n, 1);
	assert_true(d.items[0].warning);
	check_diag(&d, 0, "exp.rules", 5, "allow old expired on 2025-12-31 and is not applied");
	/* "old" is not in force; "today" is, through the whole day */
	assert_int_equal(ruleset_allow_count(rs), 1);
	assert_string_equal(rs->allows[0]->id, "today");
	ruleset_free(rs);
	diag_list_clear(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_dir),
		cmocka_unit_test(test_inline_comment_quotes),
		cmocka_unit_test(test_regex_shared_in_load),
		cmocka_unit_test(test_file_alone_has_no_lists),
		cmocka_unit_test(test_dup_across_files),
		cmocka_unit_test(test_missing_paths),
		cmocka_unit_test(test_all_errors_collected),
		cmocka_unit_test(test_unknown_section),
		cmocka_unit_test(test_section_no_id),
		cmocka_unit_test(test_section_unclosed),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_advice_in_allow),
		cmocka_unit_test(test_count_no_window),
		cmocka_unit_test(test_window_no_count),
		cmocka_unit_test(test_count_too_big),
		cmocka_unit_test(test_distinct_unknown_field),
		cmocka_unit_test(test_group_by_unknown_field),
		cmocka_unit_test(test_match_unknown_rule),
		cmocka_unit_test(test_match_syntax),
		cmocka_unit_test(test_match_with_when),
		cmocka_unit_test(test_match_nested),
		cmocka_unit_test(test_match_too_many),
		cmocka_unit_test(test_unknown_source),
		cmocka_unit_test(test_unknown_field),
		cmocka_unit_test(test_type_lt_string),
		cmocka_unit_test(test_type_contains_bool),
		cmocka_unit_test(test_type_cidr_string),
		cmocka_unit_test(test_bad_regex),
		cmocka_unit_test(test_unknown_list),
		cmocka_unit_test(test_syntax_paren),
		cmocka_unit_test(test_syntax_string),
		cmocka_unit_test(test_syntax_token),
		cmocka_unit_test(test_dup_id),
		cmocka_unit_test(test_bad_severity),
		cmocka_unit_test(test_bad_confidence),
		cmocka_unit_test(test_bad_score),
		cmocka_unit_test(test_bad_score_text),
		cmocka_unit_test(test_bad_duration),
		cmocka_unit_test(test_missing_when),
		cmocka_unit_test(test_missing_all),
		cmocka_unit_test(test_allow_no_reason),
		cmocka_unit_test(test_allow_bad_date),
		cmocka_unit_test(test_list_empty_item),
		cmocka_unit_test(test_indent_nothing),
		cmocka_unit_test(test_no_equals),
		cmocka_unit_test(test_dup_key),
		cmocka_unit_test(test_long_line_is_an_error),
		cmocka_unit_test(test_long_values_whole),
		cmocka_unit_test(test_crlf_bom_nul),
		cmocka_unit_test(test_continuation_error_line),
		cmocka_unit_test(test_dir_order_and_filter),
		cmocka_unit_test(test_expired_allow_is_warning),
	};

	return cmocka_run_group_tests(tests, make_tmp, rm_tmp);
}
