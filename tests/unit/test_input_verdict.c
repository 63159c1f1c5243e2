/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_input_verdict.c - the input source in the verdict, with the shipped
 * rules (rules/rules.d): a KVM jiggler's rhythm read from a recording
 * (tests/fixtures/input) plus a remote-access tool is a laptop-farm verdict
 * with no USB or display evidence at all, because 65-input.rules puts it
 * in its own category, injected-input; each alone is not, nor is the
 * weaker pointer_teleport with the tool.  Events go from input_file_scan()
 * (the --input path) straight into ruleset_eval(), as the agent does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "collectors/input/input.h"
#include "collectors/process/process.h"
#include "rules/alert.h"
#include "rules/rules.h"

#define NOW 1770000000

struct run {
	struct ruleset *rs;
	struct rule_state *st;
	int verdicts, categories, score;
	char ids[16][64];
	int n;
};

static void on_alert(void *opaque, const struct alert *a)
{
	struct run *r = opaque;

	if (r->n < 16)
		snprintf(r->ids[r->n++], sizeof(r->ids[0]), "%s", a->rule->id);
	if (strcmp(a->rule->id, "laptop-farm-suspected") == 0) {
		r->verdicts++;
		r->categories = a->verdict_categories;
		r->score = a->verdict_score;
	}
}

static void emit(void *opaque, struct event *ev)
{
	struct run *r = opaque;

	if (!ev)
		return;
	ruleset_eval(r->rs, r->st, ev, 10, "lt-042", on_alert, NULL, r);
	event_free(ev);
}

static void start(struct run *r)
{
	struct diag_list d = { 0 };

	memset(r, 0, sizeof(*r));
	assert_int_equal(ruleset_load_dir("rules/rules.d", NOW, &r->rs, &d), 0);
	diag_list_clear(&d);
	r->st = rule_state_new();
	assert_non_null(r->st);
	rule_state_defer_verdict(r->st, true);
}

static void recording(struct run *r, const char *name)
{
	char path[128];
	const struct collector_ctx ctx = { .opaque = r, .emit = emit, .mode = COLLECTOR_INPUT };

	snprintf(path, sizeof(path), "tests/fixtures/input/%s.evemu", name);
	assert_int_equal(input_file_scan(&ctx, path, NULL), 0);
}

static void anydesk(struct run *r)
{
	struct event *ev = event_new(&process_source);

	event_set_str(ev, PROCESS_ACTION, "present");
	event_set_int(ev, PROCESS_PID, 4242);
	event_set_str(ev, PROCESS_COMM, "anydesk");
	event_set_str(ev, PROCESS_EXE, "/usr/bin/anydesk");
	event_set_str(ev, PROCESS_CMDLINE, "/usr/bin/anydesk --service");
	emit(r, event_complete(ev));
}

static void judge(struct run *r)
{
	ruleset_verdict(r->st, 20, "lt-042", on_alert, NULL, r);
}

static void stop(struct run *r)
{
	rule_state_free(r->st);
	ruleset_free(r->rs);
}

static bool fired(const struct run *r, const char *id)
{
	for (int i = 0; i < r->n; i++)
		if (strcmp(r->ids[i], id) == 0)
			return true;
	return false;
}

static void test_jiggler_and_rmm(void **state)
{
	struct run r;

	(void)state;
	start(&r);
	recording(&r, "jetkvm");
	anydesk(&r);
	judge(&r);
	assert_true(fired(&r, "input-jiggler-schedule"));
	assert_true(fired(&r, "rmm-anydesk"));
	assert_int_equal(r.verdicts, 1);
	assert_int_equal(r.categories, 2);	/* injected-input + remote-access */
	assert_int_equal(r.score, 100);
	stop(&r);

	/* A KVM paste counts the same way. */
	start(&r);
	recording(&r, "paste-20ms");
	anydesk(&r);
	judge(&r);
	assert_int_equal(r.verdicts, 1);
	stop(&r);
}

static void test_alone(void **state)
{
	struct run r;

	(void)state;
	start(&r);
	recording(&r, "pikvm-rel");
	judge(&r);
	assert_true(fired(&r, "input-jiggler-schedule"));
	assert_int_equal(r.verdicts, 0);
	stop(&r);

	start(&r);
	anydesk(&r);
	judge(&r);
	assert_int_equal(r.verdicts, 0);
	stop(&r);

	/* A person's typing and mouse add nothing to the tool. */
	start(&r);
	recording(&r, "typist-fast");
	recording(&r, "mouse");
	anydesk(&r);
	judge(&r);
	assert_int_equal(r.verdicts, 0);
	stop(&r);

	/* Teleports (30, a VM's tablet can jump) with the tool: 70 < 100. */
	start(&r);
	recording(&r, "teleport-agent");
	anydesk(&r);
	judge(&r);
	assert_true(fired(&r, "input-pointer-teleport"));
	assert_int_equal(r.verdicts, 0);
	stop(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jiggler_and_rmm),
		cmocka_unit_test(test_alone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
