/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_expr.c - the rule expression language (rules/expr.c): every
 * operator on every type, case-insensitive variants, sets and @lists, CIDR
 * v4/v6, exists, not, precedence, unset fields, and the errors.
 *
 * Uses its own source table, so it can have an IP field and a list field
 * whatever the collectors declare.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "collectors/event.h"
#include "rules/expr.h"

enum { T_ACTION, T_NAME, T_NUM, T_FLAG, T_FLAG2, T_ADDR, T_TAGS, T_SERIAL, T__N };

static const struct field_def tfields[T__N] = {
	[T_ACTION] = { "action", FIELD_STRING, "action" },
	[T_NAME] = { "name", FIELD_STRING, "a string" },
	[T_NUM] = { "num", FIELD_INT, "an integer" },
	[T_FLAG] = { "flag", FIELD_BOOL, "a boolean" },
	[T_FLAG2] = { "flag2", FIELD_BOOL, "another boolean" },
	[T_ADDR] = { "addr", FIELD_IP, "an address" },
	[T_TAGS] = { "tags", FIELD_LIST, "a list of strings" },
	[T_SERIAL] = { "serial", FIELD_STRING, "often unset" },
};

static const int tentity[] = { T_NAME, -1 };

static const struct source_def tsrc = {
	.id = SOURCE_NET,
	.name = "test",
	.fields = tfields,
	.nfields = T__N,
	.entity_fields = tentity,
};

static char *vendors[] = { "PiKVM", "TinyPilot", "JetKVM" };
static char *nets[] = { "10.0.0.0/8", "fd00::/8", "192.0.2.7" };
static char *nums[] = { "1", "0x10", "-3" };
static char *badnets[] = { "10.0.0.0/8", "not-an-ip" };

static bool tfind_list(void *opaque, const char *name, char *const **items,
		       size_t *n)
{
	(void)opaque;
#define L(nm, arr) if (strcmp(name, nm) == 0) { *items = arr; *n = sizeof(arr) / sizeof(arr[0]); return true; }
	L("vendors", vendors);
	L("nets", nets);
	L("nums", nums);
	L("badnets", badnets);
#undef L
	return false;
}

struct errs {
	int n;
	char first[512];
	char all[2048];
};

static void terror(void *opaque, const char *msg)
{
	struct errs *e = opaque;

	if (e->n++ == 0)
		snprintf(e->first, sizeof(e->first), "%s", msg);
	strncat(e->all, msg, sizeof(e->all) - strlen(e->all) - 2);
	strcat(e->all, "\n");
}

static struct expr_runtime *rt;
static struct event *ev;

static int compile(const char *text, struct expr **out, struct errs *e)
{
	struct expr_env env = {
		.source = &tsrc,
		.find_list = tfind_list,
		.error = terror,
		.opaque = e,
	};

	memset(e, 0, sizeof(*e));
	return expr_compile(text, &env, out);
}

/* Compile (must succeed) and evaluate against ev. */
static bool match(const char *text)
{
	struct expr *x = NULL;
	struct errs e;
	bool r;

	if (compile(text, &x, &e) != 0)
		fail_msg("\"%s\" did not compile: %s", text, e.first);
	r = expr_eval(x, ev, rt);
	expr_free(x);
	return r;
}

/* Compile must fail; return the first message. */
static const char *error_of(const char *text)
{
	static struct errs e;
	struct expr *x = NULL;
	int r = compile(text, &x, &e);

	if (r != -EINVAL)
		fail_msg("\"%s\" compiled (r=%d) but should not", text, r);
	assert_null(x);
	assert_true(e.n > 0);
	return e.first;
}

#define assert_err(text, part) do {					\
	const char *m_ = error_of(text);				\
	if (!strstr(m_, part))						\
		fail_msg("\"%s\": error \"%s\" lacks \"%s\"", text, m_, part); \
} while (0)

static int setup(void **state)
{
	struct ip_addr a;

	(void)state;
	rt = expr_runtime_new();
	ev = event_new(&tsrc);
	assert_non_null(rt);
	assert_non_null(ev);
	event_set_str(ev, T_ACTION, "add");
	event_set_str(ev, T_NAME, "PiKVM Composite Device");
	event_set_int(ev, T_NUM, 32767);
	event_set_bool(ev, T_FLAG, true);
	event_set_bool(ev, T_FLAG2, false);
	ip_addr_parse("10.1.2.3", &a);
	event_set_ip(ev, T_ADDR, &a);
	event_list_add(ev, T_TAGS, "03:01:01");
	event_list_add(ev, T_TAGS, "08:06:50");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	event_free(ev);
	expr_runtime_free(rt);
	return 0;
}

static void test_string_equality(void **state)
{
	(void)state;
	assert_true(match("action == add"));
	assert_true(match("action == \"add\""));
	assert_false(match("action == remove"));
	assert_true(match("action != remove"));
	assert_false(match("action != add"));
	assert_false(match("action == ADD"));
	assert_true(match("action i== ADD"));
	assert_false(match("action i!= ADD"));
	assert_true(match("action i!= remove"));
	assert_true(match("name == \"PiKVM Composite Device\""));
	assert_false(match("name == \"PiKVM\""));
}

static void test_string_operators(void **state)
{
	(void)state;
	assert_true(match("name contains Composite"));
	assert_false(match("name contains composite"));
	assert_true(match("name icontains composite"));
	assert_true(match("name startswith PiKVM"));
	assert_false(match("name startswith pikvm"));
	assert_true(match("name istartswith pikvm"));
	assert_false(match("name startswith \"PiKVM Composite Device and more\""));
	assert_true(match("name endswith Device"));
	assert_false(match("name endswith device"));
	assert_true(match("name iendswith DEVICE"));
	assert_false(match("name endswith \"Very Long PiKVM Composite Device\""));
	assert_true(match("name glob \"PiKVM*\""));
	assert_true(match("name glob \"*Comp?site*\""));
	assert_false(match("name glob \"pikvm*\""));
	assert_true(match("name iglob \"pikvm*\""));
	assert_true(match("name ~ \"^Pi[A-Z]+ \""));
	assert_false(match("name ~ \"^pikvm\""));
	assert_true(match("name i~ \"^pikvm\""));
	assert_true(match("name ~ \"(?i)^pikvm\""));
	/* Backslashes other than \" and \\ reach the regex untouched. */
	assert_true(match("name ~ \"^\\w+\\s\""));
	assert_true(match("name in (foo, \"PiKVM Composite Device\")"));
	assert_false(match("name in (foo, bar)"));
	assert_true(match("name not in (foo, bar)"));
	assert_false(match("name in (\"pikvm composite device\")"));
	assert_true(match("name iin (\"pikvm composite device\", x)"));
	assert_false(match("name not iin (\"pikvm composite device\")"));
}

static void test_string_escapes(void **state)
{
	struct expr *x;
	struct errs e;

	(void)state;
	event_set_str(ev, T_SERIAL, "a\"b\\c");
	assert_true(match("serial == \"a\\\"b\\\\c\""));
	assert_true(match("serial contains \"\\\"\""));
	assert_int_equal(compile("serial == \"abc", &x, &e), -EINVAL);
	assert_non_null(strstr(e.first, "unclosed string"));
}

static void test_lists_at(void **state)
{
	struct expr *x;
	struct errs e;

	(void)state;
	event_set_str(ev, T_SERIAL, "tinypilot");
	assert_false(match("serial in @vendors"));
	assert_true(match("serial iin @vendors"));
	assert_true(match("serial not in @vendors"));
	assert_false(match("serial not iin @vendors"));
	event_set_str(ev, T_SERIAL, "JetKVM");
	assert_true(match("serial in @vendors"));
	assert_int_equal(compile("serial in @nosuch", &x, &e), -EINVAL);
	assert_string_equal(e.first, "unknown list @nosuch");
}

static void test_int(void **state)
{
	(void)state;
	assert_true(match("num == 32767"));
	assert_true(match("num == 0x7fff"));
	assert_true(match("num == 0x7FFF"));
	assert_false(match("num != 32767"));
	assert_true(match("num != 1"));
	assert_true(match("num >= 32767"));
	assert_false(match("num > 32767"));
	assert_true(match("num > 32766"));
	assert_true(match("num <= 32767"));
	assert_false(match("num < 32767"));
	assert_true(match("num < 32768"));
	assert_true(match("num > -5"));
	assert_true(match("num in (1, 2, 32767)"));
	assert_false(match("num in (1, 2)"));
	assert_true(match("num not in (1, 2)"));
	assert_false(match("num in @nums"));
	event_set_int(ev, T_NUM, 16);
	assert_true(match("num in @nums"));
	event_set_int(ev, T_NUM, -3);
	assert_true(match("num in @nums"));
	event_set_int(ev, T_NUM, 32767);
	assert_err("num == abc", "expected an integer for num, got \"abc\"");
	assert_err("num == 99999999999999999999", "expected an integer");
	assert_err("num in (1, x)", "expected an integer");
	assert_err("num contains 1", "operator \"contains\" does not apply to num (integer)");
	assert_err("num ~ 1", "operator \"~\" does not apply to num");
	assert_err("num i== 1", "operator \"i==\" does not apply to num");
}

static void test_bool(void **state)
{
	(void)state;
	assert_true(match("flag"));
	assert_false(match("flag2"));
	assert_true(match("not flag2"));
	assert_true(match("flag and not flag2"));
	assert_true(match("flag == true"));
	assert_false(match("flag == false"));
	assert_true(match("flag != false"));
	assert_true(match("flag2 == false"));
	assert_err("flag == yes", "expected true or false for flag");
	assert_err("flag contains x", "operator \"contains\" does not apply to flag (boolean)");
	assert_err("flag < 1", "operator \"<\" does not apply to flag");
	assert_err("flag in (true)", "operator \"in\" does not apply to flag");
	assert_err("name and flag", "name is a string field");
}

static void test_ip(void **state)
{
	struct ip_addr a;

	(void)state;
	assert_true(match("addr == 10.1.2.3"));
	assert_false(match("addr == 10.1.2.4"));
	assert_true(match("addr != 10.1.2.4"));
	assert_true(match("addr in (10.0.0.0/8)"));
	assert_true(match("addr in (192.168.0.0/16, 10.1.2.0/24)"));
	assert_false(match("addr in (10.1.3.0/24, fd00::/8)"));
	assert_true(match("addr not in (10.1.3.0/24)"));
	assert_true(match("addr in (0.0.0.0/0)"));
	assert_true(match("addr in (10.1.2.3)"));
	assert_true(match("addr in (10.1.2.2/31)"));
	assert_false(match("addr in (10.1.2.4/31)"));
	assert_true(match("addr in @nets"));
	/* v6 */
	ip_addr_parse("fd12:3456::1", &a);
	event_set_ip(ev, T_ADDR, &a);
	assert_true(match("addr in (fd00::/8)"));
	assert_false(match("addr in (fe80::/10, 10.0.0.0/8)"));
	assert_true(match("addr == fd12:3456::1"));
	assert_true(match("addr in (fd12:3456::/32)"));
	assert_false(match("addr in (fd12:3457::/32)"));
	assert_true(match("addr in @nets"));
	/* A v4-mapped v6 peer is its v4 address. */
	ip_addr_parse("::ffff:192.0.2.7", &a);
	event_set_ip(ev, T_ADDR, &a);
	assert_true(match("addr == 192.0.2.7"));
	assert_true(match("addr in (192.0.2.0/24)"));
	assert_true(match("addr in @nets"));
	ip_addr_parse("10.1.2.3", &a);
	event_set_ip(ev, T_ADDR, &a);
	assert_err("addr == nope", "expected an IP address for addr");
	assert_err("addr in (10.0.0.0/33)", "expected an IP address or CIDR block");
	assert_err("addr in (fd00::/129)", "expected an IP address or CIDR block");
	assert_err("addr == 10.0.0.0/8", "is a CIDR block: use \"addr in (...)\"");
	assert_err("addr in @badnets", "list @badnets: expected an IP address or CIDR block for addr, got \"not-an-ip\"");
	assert_err("addr < 10.0.0.1", "operator \"<\" does not apply to addr (ip)");
	assert_err("addr contains 10", "operator \"contains\" does not apply to addr (ip)");
	assert_err("addr iin (10.0.0.0/8)", "operator \"iin\" does not apply to addr");
	/* CIDR against a text field is a mistake unless quoted. */
	assert_err("name in (10.0.0.0/8)", "10.0.0.0/8 is a CIDR block but name is a string field");
	assert_err("name == fd00::/8", "is a CIDR block but name is a string field");
	assert_false(match("name == \"10.0.0.0/8\""));
}

static void test_list_field(void **state)
{
	(void)state;
	assert_true(match("tags contains \"03:01:01\""));
	assert_true(match("tags contains 08:06:50"));
	assert_false(match("tags contains \"03:01\""));	/* element equality */
	assert_true(match("tags icontains \"08:06:50\""));
	assert_true(match("tags in (\"09:00:00\", \"03:01:01\")"));
	assert_false(match("tags in (\"09:00:00\")"));
	assert_true(match("tags not in (\"09:00:00\")"));
	assert_true(match("tags startswith \"08:\""));
	assert_false(match("tags startswith \"09:\""));
	assert_true(match("tags endswith \":50\""));
	assert_true(match("tags glob \"03:*\""));
	assert_true(match("tags ~ \"^08:06:[0-9]+$\""));
	assert_false(match("tags ~ \"^ff\""));
	event_list_add(ev, T_TAGS, "E0:01:01");
	assert_false(match("tags contains \"e0:01:01\""));
	assert_true(match("tags icontains \"e0:01:01\""));
	assert_true(match("tags iin (\"e0:01:01\")"));
	assert_true(match("tags istartswith \"e0\""));
	assert_true(match("tags iglob \"e0:*\""));
	assert_true(match("tags i~ \"^e0\""));
	assert_err("tags == x", "operator \"==\" does not apply to tags (list)");
	assert_err("tags < 3", "operator \"<\" does not apply to tags");
}

static void test_exists_and_unset(void **state)
{
	(void)state;
	assert_true(match("name exists"));
	assert_false(match("serial exists"));
	assert_true(match("not serial exists"));
	/* Every comparison on an unset field is false... */
	assert_false(match("serial == x"));
	assert_false(match("serial != x"));
	assert_false(match("serial in (x)"));
	assert_false(match("serial not in (x)"));
	assert_false(match("serial contains x"));
	assert_false(match("serial ~ \".*\""));
	/* ...and not inverts that. */
	assert_true(match("not serial == x"));
	assert_true(match("not serial in (x)"));
	event_set_str(ev, T_SERIAL, "");
	assert_true(match("serial exists"));
	assert_true(match("serial == \"\""));
	assert_true(match("serial != x"));
}

static void test_unset_other_types(void **state)
{
	struct event *e2 = event_new(&tsrc);
	struct event *save = ev;

	(void)state;
	ev = e2;
	assert_false(match("num != 1"));
	assert_false(match("num < 1"));
	assert_false(match("flag"));
	assert_false(match("flag == false"));
	assert_false(match("addr not in (10.0.0.0/8)"));
	assert_false(match("tags contains x"));
	assert_false(match("tags not in (x)"));
	assert_true(match("not tags exists"));
	ev = save;
	event_free(e2);
}

static void test_precedence(void **state)
{
	(void)state;
	/* and binds tighter than or */
	assert_true(match("action == add or action == x and action == y"));
	assert_false(match("(action == add or action == x) and action == y"));
	/* not binds tighter than and */
	assert_false(match("not action == add and flag"));
	assert_true(match("not (action == x and flag)"));
	assert_true(match("not not flag"));
	assert_true(match("((flag))"));
	assert_true(match("flag and (num > 5 or name == x) and not flag2"));
	assert_true(match("action in (present, add)\n and (name contains PiKVM or serial == \"CAFEBABE\")"));
}

static void test_syntax_errors(void **state)
{
	char deep[512];
	size_t o = 0;

	(void)state;
	assert_err("", "empty expression");
	assert_err("(flag", "unclosed \"(\"");
	assert_err("flag)", "unexpected \")\"");
	assert_err("flag and", "unexpected end of expression (expected a field name)");
	assert_err("and flag", "unexpected \"and\" (expected a field name)");
	assert_err("action = add", "unexpected \"=\" (equality is ==)");
	assert_err("action == 'add'", "single quotes");
	assert_err("action ==", "expected a value after \"==\", got end of expression");
	assert_err("action add", "expected an operator after \"action\", got \"add\"");
	assert_err("action in (a, b", "unclosed \"(\" in the list");
	assert_err("action in a", "expected \"(\" or @list after \"in\"");
	assert_err("action in (a b)", "expected \",\" or \")\"");
	assert_err("action in ()", "expected a value in the list");
	assert_err("action == @vendors", "a list needs \"in\"");
	assert_err("flag flag2", "expected an operator after \"flag\"");
	assert_err("action == a b", "unexpected \"b\" (expected and, or, or the end)");
	assert_err("action ! add", "unexpected \"!\"");
	assert_err("action in @", "expected a list name after \"@\"");
	assert_err("serial not x", "expected an operator after \"serial\"");
	for (int i = 0; i < 100; i++)
		deep[o++] = '(';
	strcpy(deep + o, "flag");
	assert_err(deep, "nested too deeply");
}

static void test_name_errors(void **state)
{
	struct expr *x;
	struct errs e;

	(void)state;
	assert_err("nosuch == 1", "unknown field \"nosuch\" for source test");
	assert_err("name ~ \"(unclosed\"", "bad regex \"(unclosed\": missing closing parenthesis");
	assert_err("name ~ \"a{2,1}\"", "bad regex");
	/* Name and type errors do not stop compilation: all are reported. */
	assert_int_equal(compile("nosuch == 1 and num < x and name in @nolist", &x, &e), -EINVAL);
	assert_int_equal(e.n, 3);
	assert_non_null(strstr(e.all, "unknown field \"nosuch\""));
	assert_non_null(strstr(e.all, "expected an integer for num"));
	assert_non_null(strstr(e.all, "unknown list @nolist"));
}

/* scaled(S): S seconds times FH_TIME_SCALE (1 unless set; make test-asan
 * sets 3), for the bound of a hang detector: a test asserts behaviour,
 * never the speed of the machine it runs on. */
static unsigned scaled(unsigned s)
{
	const char *e = getenv("FH_TIME_SCALE");
	long k = e ? strtol(e, NULL, 10) : 1;

	return s * (unsigned)(k > 0 ? k : 1);
}

static void regex_hung(int sig)
{
	static const char msg[] = "not ok - the backtracking regex did not end: no match limit\n";

	(void)sig;
	(void)!write(STDOUT_FILENO, msg, sizeof(msg) - 1);
	_exit(1);
}

/* A pattern with catastrophic backtracking against a hostile subject must
 * end (as a non-match) within the match limit.  Without the limit it runs
 * for longer than any machine's patience (2^998 ways to split the a's), so
 * whether it ends is the fact, not how fast: the alarm is a hang detector,
 * its bound far above the milliseconds the limit allows. */
static void test_regex_bounded(void **state)
{
	char s[1000];	/* under EVENT_STR_MAX, so the "!" stays */
	bool r;

	(void)state;
	memset(s, 'a', sizeof(s) - 2);
	s[sizeof(s) - 2] = '!';
	s[sizeof(s) - 1] = '\0';
	event_set_str(ev, T_SERIAL, s);
	signal(SIGALRM, regex_hung);
	alarm(scaled(60));
	r = match("serial ~ \"^(\\w+\\s?)*$\"");
	alarm(0);
	signal(SIGALRM, SIG_DFL);
	assert_false(r);
}

/* expr_explain names the predicate that decided a false result as
 * written: tokens joined by one space, none inside parentheses or before
 * a comma, strings quoted, lists with their "@". */
static void explain_is(const char *text, const char *want)
{
	struct expr *x = NULL;
	struct errs e;
	char buf[512];

	if (compile(text, &x, &e) != 0)
		fail_msg("\"%s\" did not compile: %s", text, e.first);
	assert_false(expr_explain(x, ev, rt, buf, sizeof(buf)));
	expr_free(x);
	assert_string_equal(buf, want);
}

static void test_explain_text(void **state)
{
	char text[600], want[600];
	size_t o;

	(void)state;
	explain_is("name in (\"a\",\"b\" ,  c)", "name in (\"a\", \"b\", c)");
	explain_is("num>5 and num<5", "num < 5");
	explain_is("name in @vendors", "name in @vendors");
	explain_is("not name ~ \"^Pi\"", "name ~ \"^Pi\"");
	explain_is("flag and ( serial i== x )", "serial i== x (field not set)");
	/* A long predicate is kept to its first 255 bytes. */
	o = (size_t)snprintf(text, sizeof(text), "name in (");
	for (int i = 0; i < 40; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o, "%s\"v%02d\"",
				      i ? "," : "", i);
	snprintf(text + o, sizeof(text) - o, ")");
	o = (size_t)snprintf(want, sizeof(want), "name in (");
	for (int i = 0; i < 40; i++)
		o += (size_t)snprintf(want + o, sizeof(want) - o, "%s\"v%02d\"",
				      i ? ", " : "", i);
	want[255] = '\0';
	explain_is(text, want);
}

/* The tokens' texts share one block sized from the expression: the
 * densest texts (one-byte words between commas, empty strings) fit, and
 * every text is its own (make test-asan checks the bounds). */
static void test_dense_tokens(void **state)
{
	char text[2048];
	size_t o;

	(void)state;
	o = (size_t)snprintf(text, sizeof(text), "name in (");
	for (int i = 0; i < 300; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o, "%s%c", i ? "," : "",
				      'a' + i % 26);
	snprintf(text + o, sizeof(text) - o, ")");
	assert_false(match(text));
	o = (size_t)snprintf(text, sizeof(text), "name in (");
	for (int i = 0; i < 300; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o, "%s\"\"", i ? "," : "");
	snprintf(text + o, sizeof(text) - o, ",\"PiKVM Composite Device\")");
	assert_true(match(text));
	assert_true(match("name==\"PiKVM Composite Device\"and(num>1)and(tags in (\"x\",\"08:06:50\"))"));
	assert_true(match("(((name~\"^P\")))and not name==\"x\"and flag"));
}

/* A regex is compiled (so checked) with its rule, but JIT-compiled only
 * when it is first matched: the rules of a source that never sends an
 * event (--pcap: everything but net) cost no JIT at start-up. */
static void test_regex_jit_lazy(void **state)
{
	struct expr *x = NULL;
	struct errs e;
	pcre2_code *probe;
	PCRE2_SIZE off;
	int err;
	bool jit;

	(void)state;
	/* Whether this process can JIT at all (not under
	 * MemoryDenyWriteExecute=, say). */
	probe = pcre2_compile((PCRE2_SPTR)"a", PCRE2_ZERO_TERMINATED, 0, &err,
			      &off, NULL);
	assert_non_null(probe);
	jit = pcre2_jit_compile(probe, PCRE2_JIT_COMPLETE) == 0;
	pcre2_code_free(probe);

	assert_int_equal(compile("name ~ \"^Pi\" or tags ~ \"^ff\"", &x, &e), 0);
	assert_int_equal(expr_jit_count(x), 0);
	assert_true(expr_eval(x, ev, rt));
	/* Only the regex that was tried ("or" stopped at the first). */
	assert_int_equal(expr_jit_count(x), jit ? 1 : 0);
	assert_true(expr_eval(x, ev, rt));
	assert_int_equal(expr_jit_count(x), jit ? 1 : 0);
	expr_free(x);
	/* A bad pattern is still an error of the expression. */
	assert_err("tags ~ \"^(ff\"", "bad regex");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_string_equality, setup, teardown),
		cmocka_unit_test_setup_teardown(test_string_operators, setup, teardown),
		cmocka_unit_test_setup_teardown(test_string_escapes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lists_at, setup, teardown),
		cmocka_unit_test_setup_teardown(test_int, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bool, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_field, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exists_and_unset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unset_other_types, setup, teardown),
		cmocka_unit_test_setup_teardown(test_precedence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syntax_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_name_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_regex_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_explain_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_regex_jit_lazy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dense_tokens, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
