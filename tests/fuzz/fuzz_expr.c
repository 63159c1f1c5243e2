/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_expr.c - rule expressions (rules/expr.c): the input is the text of
 * a `when =` line.  It is compiled against a field table holding one field
 * of every type plus two @lists, and whatever compiles is evaluated and
 * explained against an event with every field set and one with none set,
 * so the evaluator's paths (unset fields, CIDR, sets, regexes) are fuzzed
 * with the compiler's output, not only the parser.
 *
 * The rule index (rules/rule_index.c) is checked against the evaluator:
 * an expression that holds for the full event must be among the index's
 * candidates for it, whatever literals the index read from its regexes,
 * globs and sets.
 */
#include <stdbool.h>
#include <sys/socket.h>

#include "collectors/event.h"
#include "fuzz.h"
#include "rules/expr.h"
#include "rules/rule_index.h"

enum { F_ACTION, F_NAME, F_NUM, F_FLAG, F_ADDR, F_TAGS, F_SERIAL, F__N };

static const struct field_def fields[F__N] = {
	[F_ACTION] = { "action", FIELD_STRING, "action" },
	[F_NAME] = { "name", FIELD_STRING, "a string" },
	[F_NUM] = { "num", FIELD_INT, "an integer" },
	[F_FLAG] = { "flag", FIELD_BOOL, "a boolean" },
	[F_ADDR] = { "addr", FIELD_IP, "an address" },
	[F_TAGS] = { "tags", FIELD_LIST, "a list of strings" },
	[F_SERIAL] = { "serial", FIELD_STRING, "never set" },
};

static const int entity[] = { F_NAME, -1 };

static const struct source_def src = {
	.id = SOURCE_NET,
	.name = "fuzz",
	.fields = fields,
	.nfields = F__N,
	.entity_fields = entity,
};

static char *vendors[] = { "PiKVM", "TinyPilot", "JetKVM" };
static char *nets[] = { "10.0.0.0/8", "fd00::/8", "192.0.2.7", "not-an-ip" };

static bool find_list(void *opaque, const char *name, char *const **items, size_t *n)
{
	(void)opaque;
	if (strcmp(name, "vendors") == 0) {
		*items = vendors;
		*n = sizeof(vendors) / sizeof(vendors[0]);
		return true;
	}
	if (strcmp(name, "nets") == 0) {
		*items = nets;
		*n = sizeof(nets) / sizeof(nets[0]);
		return true;
	}
	return false;
}

static void on_error(void *opaque, const char *msg)
{
	(*(size_t *)opaque) += strlen(msg);
}

static struct event *full_event(void)
{
	struct event *ev = event_new(&src);
	struct ip_addr ip = { .family = AF_INET, .bytes = { 10, 1, 2, 3 } };

	if (!ev)
		return NULL;
	event_set_str(ev, F_ACTION, "add");
	event_set_str(ev, F_NAME, "PiKVM Composite");
	event_set_int(ev, F_NUM, 16);
	event_set_bool(ev, F_FLAG, true);
	event_set_ip(ev, F_ADDR, &ip);
	event_list_add(ev, F_TAGS, "kvm");
	event_list_add(ev, F_TAGS, "Usb");
	return ev;
}

static void check_key(void *opaque, const struct expr_key *k)
{
	(void)opaque;
	FUZZ_CHECK(k->field >= 0 && k->field < F__N && k->lit != NULL);
}

static void on_candidate(void *opaque, uint32_t pos)
{
	FUZZ_CHECK(pos == 0);
	*(bool *)opaque = true;
}

/* The index must never drop a rule whose condition holds. */
static void check_index(const struct expr *e, const struct event *ev, bool holds)
{
	struct rule_index *ix = NULL;
	bool candidate = false;

	if (rule_index_build(&e, 1, &ix) < 0 || !ix)
		return;
	rule_index_visit(ix, ev, on_candidate, &candidate);
	FUZZ_CHECK(candidate || !holds);
	rule_index_free(ix);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct expr_runtime *rt;
	static struct event *full, *empty;
	size_t errlen = 0;
	struct expr_env env = {
		.source = &src, .find_list = find_list, .error = on_error, .opaque = &errlen,
	};
	struct expr *e = NULL;
	char buf[256];
	char *text;

	if (!rt) {
		rt = expr_runtime_new();
		full = full_event();
		empty = event_new(&src);
		if (!rt || !full || !empty)
			abort();
	}
	text = fuzz_strndup(data, size);
	if (!text)
		return 0;
	if (expr_compile(text, &env, &e) == 0) {
		FUZZ_CHECK(e != NULL);
		bool a = expr_eval(e, full, rt);
		bool b = expr_explain(e, full, rt, buf, sizeof(buf));

		FUZZ_CHECK(a == b);
		FUZZ_CHECK(memchr(buf, '\0', sizeof(buf)) != NULL || b);
		a = expr_eval(e, empty, rt);
		b = expr_explain(e, empty, rt, buf, sizeof(buf));
		FUZZ_CHECK(a == b);
		expr_index_atoms(e, check_key, NULL);
		check_index(e, full, expr_eval(e, full, rt));
		expr_free(e);
	}
	free(text);
	return 0;
}
