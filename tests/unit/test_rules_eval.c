/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_rules_eval.c - ruleset_eval: alerts and their contents, rules
 * indexed by source, allow-lists (and expired ones), cooldowns (held-back
 * count on the next alert, per entity, across a reload, bounded state).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "collectors/agent_source.h"
#include "collectors/usb/usb.h"
#include "rules/rules.h"

/* 2026-01-01T00:00:00Z */
#define NOW ((time_t)1767225600)

/* A small source with an IP field, for CIDR rules. */
enum { N_ACTION, N_SRC_IP, N_HOST, N__N };

static const struct field_def nfields[N__N] = {
	[N_ACTION] = { "action", FIELD_STRING, "action" },
	[N_SRC_IP] = { "src_ip", FIELD_IP, "source address" },
	[N_HOST] = { "host", FIELD_STRING, "host name" },
};

static const int nentity[] = { N_SRC_IP, -1 };

static const struct source_def nsrc = {
	.id = SOURCE_NET,
	.name = "net",
	.fields = nfields,
	.nfields = N__N,
	.entity_fields = nentity,
};

static const struct source_def *const sources[] = { &usb_source, &nsrc, NULL };

/* What the callbacks saw. */
struct seen {
	int alerts;
	char ids[16][64];
	uint64_t suppressed[16];
	const struct alert *last_ptr;
	struct alert last;
	int matches;
	enum match_outcome outcome[16];
	char allow_id[64];
};

static void on_alert(void *opaque, const struct alert *a)
{
	struct seen *s = opaque;

	if (s->alerts < 16) {
		snprintf(s->ids[s->alerts], sizeof(s->ids[0]), "%s", a->rule->id);
		s->suppressed[s->alerts] = a->suppressed;
	}
	s->last = *a;
	s->alerts++;
}

static void on_match(void *opaque, const struct match_report *m)
{
	struct seen *s = opaque;

	/* Misses (--explain) and the verdict's arithmetic are not matches. */
	if (m->outcome == MATCH_MISSED || m->outcome == MATCH_VERDICT)
		return;
	if (s->matches < 16)
		s->outcome[s->matches] = m->outcome;
	if (m->allow_id)
		snprintf(s->allow_id, sizeof(s->allow_id), "%s", m->allow_id);
	s->matches++;
}

static char tmpdir[64];

static int make_tmp(void **state)
{
	(void)state;
	strcpy(tmpdir, "/tmp/fh-eval-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int rm_tmp(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static struct ruleset *load(const char *text)
{
	struct diag_list d = { 0 };
	struct ruleset *rs = NULL;
	char path[128];
	FILE *f;
	int r;

	snprintf(path, sizeof(path), "%s/t.rules", tmpdir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	r = ruleset_load_file_sources(path, NOW, sources, &rs, &d);
	for (size_t i = 0; i < d.n; i++)
		print_message("# %d: %s\n", d.items[i].line, d.items[i].message);
	assert_int_equal(r, 0);
	diag_list_clear(&d);
	return rs;
}

static struct event *usb_ev(const char *action, const char *manufacturer,
			    const char *port)
{
	struct event *ev = event_new(&usb_source);

	assert_non_null(ev);
	event_set_str(ev, USB_ACTION, action);
	event_set_str(ev, USB_MANUFACTURER, manufacturer);
	event_set_str(ev, USB_PORT, port);
	event_set_str(ev, USB_VENDOR_ID, "1d6b");
	event_set_str(ev, USB_PRODUCT_ID, "0104");
	return ev;
}

static int eval(const struct ruleset *rs, struct rule_state *st,
		const struct event *ev, uint64_t now_ms, struct seen *s)
{
	memset(s, 0, sizeof(*s));
	return ruleset_eval(rs, st, ev, now_ms, "lt-042", on_alert, on_match, s);
}

static const char design_rules[] =
	"[list kvm_vendors]\n"
	"items = PiKVM, tinypilot, JetKVM, sipeed, Glinet, smart-kvm\n"
	"\n"
	"[rule ip-kvm-usb-identity]\n"
	"name        = IP-KVM USB gadget identity\n"
	"source      = usb\n"
	"when        = action in (present, add)\n"
	"              and (manufacturer in @kvm_vendors or serial == \"CAFEBABE\")\n"
	"severity    = critical          ; debug info notice warning error critical alert emergency\n"
	"confidence  = high              ; low medium high\n"
	"category    = ip-kvm\n"
	"score       = 80\n"
	"mitre       = T1219.003, T1200\n";

static void test_alert_contents(void **state)
{
	struct ruleset *rs = load(design_rules);
	struct event *ev = usb_ev("add", "PiKVM", "1-1");
	struct seen s;

	(void)state;
	assert_int_equal(eval(rs, NULL, ev, 1000, &s), 1);
	assert_int_equal(s.alerts, 1);
	assert_string_equal(s.ids[0], "ip-kvm-usb-identity");
	assert_string_equal(s.last.rule->name, "IP-KVM USB gadget identity");
	assert_int_equal(s.last.rule->score, 80);
	assert_ptr_equal(s.last.event, ev);
	assert_int_equal(s.last.ts.tv_sec, ev->ts.tv_sec);
	assert_int_equal(s.last.ts.tv_nsec, ev->ts.tv_nsec);
	assert_string_equal(s.last.hostname, "lt-042");
	assert_int_equal(s.last.suppressed, 0);
	assert_int_equal(s.matches, 1);
	assert_int_equal(s.outcome[0], MATCH_ALERT);
	event_free(ev);

	/* no match: not a KVM maker, and not the right action */
	ev = usb_ev("add", "Logitech", "1-1");
	assert_int_equal(eval(rs, NULL, ev, 1000, &s), 0);
	assert_int_equal(s.matches, 0);
	event_free(ev);
	ev = usb_ev("remove", "PiKVM", "1-1");
	assert_int_equal(eval(rs, NULL, ev, 1000, &s), 0);
	event_free(ev);
	/* the other branch of the "or" */
	ev = usb_ev("present", "Acme", "1-1");
	event_set_str(ev, USB_SERIAL, "CAFEBABE");
	assert_int_equal(eval(rs, NULL, ev, 1000, &s), 1);
	event_free(ev);
	ruleset_free(rs);
}

static void test_by_source_and_order(void **state)
{
	struct ruleset *rs = load(
		"[rule net-private]\nsource = net\nseverity = info\n"
		"when = src_ip in (10.0.0.0/8, fd00::/8)\n"
		"[rule usb-a]\nsource = usb\nseverity = info\nwhen = action == add\n"
		"[rule usb-b]\nsource = usb\nseverity = info\nwhen = port startswith \"1-\"\n");
	struct event *ev = usb_ev("add", "x", "1-2");
	struct event *nev = event_new(&nsrc);
	struct event *aev = event_new(&agent_source);
	struct ip_addr a;
	struct seen s;

	(void)state;
	assert_int_equal(eval(rs, NULL, ev, 0, &s), 2);
	assert_string_equal(s.ids[0], "usb-a");
	assert_string_equal(s.ids[1], "usb-b");
	ip_addr_parse("fd00::5", &a);
	event_set_ip(nev, N_SRC_IP, &a);
	assert_int_equal(eval(rs, NULL, nev, 0, &s), 1);
	assert_string_equal(s.ids[0], "net-private");
	ip_addr_parse("192.0.2.1", &a);
	event_set_ip(nev, N_SRC_IP, &a);
	assert_int_equal(eval(rs, NULL, nev, 0, &s), 0);
	/* a source without rules */
	assert_int_equal(eval(rs, NULL, aev, 0, &s), 0);
	/* another table under the same source id: field ids would not fit */
	{
		static const struct source_def other = {
			.id = SOURCE_NET, .name = "net", .fields = nfields, .nfields = 1,
		};
		struct event *oev = event_new(&other);

		event_set_str(oev, N_ACTION, "add");
		assert_int_equal(eval(rs, NULL, oev, 0, &s), 0);
		event_free(oev);
	}
	event_free(aev);
	event_free(nev);
	event_free(ev);
	ruleset_free(rs);
}

static const char allow_rules[] =
	"[rule gadget]\nsource = usb\nseverity = warning\nwhen = vendor_id == 1d6b\n"
	"[rule any-add]\nsource = usb\nseverity = info\nwhen = action == add\n"
	"[allow dock]\nsource = usb\nwhen = manufacturer == \"Corp Dock\" and port == 1-1\n"
	"reason = approved docking station\nowner = it\nexpires = 2030-01-01\n"
	"[allow old-dock]\nsource = usb\nwhen = manufacturer == \"Old Dock\"\n"
	"reason = was approved\nexpires = 2020-01-01\n"
	"[allow net-thing]\nsource = net\nwhen = action == add\nreason = other source\n";

static void test_allow(void **state)
{
	struct diag_list d = { 0 };
	struct ruleset *rs = load(allow_rules);
	struct event *ev = usb_ev("add", "Corp Dock", "1-1");
	struct seen s;

	(void)state;
	/* expired allows are dropped at load time */
	assert_int_equal(ruleset_allow_count(rs), 2);
	assert_int_equal(eval(rs, NULL, ev, 0, &s), 0);
	assert_int_equal(s.alerts, 0);
	assert_int_equal(s.matches, 2);
	assert_int_equal(s.outcome[0], MATCH_ALLOWED);
	assert_int_equal(s.outcome[1], MATCH_ALLOWED);
	assert_string_equal(s.allow_id, "dock");
	event_free(ev);

	/* the allow does not cover this port */
	ev = usb_ev("add", "Corp Dock", "1-2");
	assert_int_equal(eval(rs, NULL, ev, 0, &s), 2);
	assert_int_equal(s.outcome[0], MATCH_ALERT);
	assert_string_equal(s.allow_id, "");
	event_free(ev);

	/* the expired allow is not applied */
	ev = usb_ev("add", "Old Dock", "1-1");
	assert_int_equal(eval(rs, NULL, ev, 0, &s), 2);
	event_free(ev);
	diag_list_clear(&d);
	ruleset_free(rs);
}

static const char cooldown_rules[] =
	"[rule kvm]\nsource = usb\nseverity = critical\ncooldown = 10s\n"
	"when = manufacturer == PiKVM\n"
	"[rule kvm2]\nsource = usb\nseverity = critical\ncooldown = 1m\n"
	"when = manufacturer == PiKVM\n"
	"[rule loud]\nsource = usb\nseverity = info\nwhen = manufacturer == PiKVM\n";

static void test_cooldown(void **state)
{
	struct ruleset *rs = load(cooldown_rules);
	struct rule_state *st = rule_state_new();
	struct event *ev = usb_ev("add", "PiKVM", "1-1");
	struct seen s;

	(void)state;
	assert_non_null(st);
	/* first: every rule alerts (rule ids are independent) */
	assert_int_equal(eval(rs, st, ev, 1000, &s), 3);
	assert_int_equal(s.suppressed[0], 0);
	/* inside both cooldowns: only the rule without one */
	assert_int_equal(eval(rs, st, ev, 2000, &s), 1);
	assert_string_equal(s.ids[0], "loud");
	assert_int_equal(s.matches, 3);
	assert_int_equal(s.outcome[0], MATCH_SUPPRESSED);
	assert_int_equal(s.outcome[1], MATCH_SUPPRESSED);
	assert_int_equal(s.outcome[2], MATCH_ALERT);
	assert_int_equal(eval(rs, st, ev, 10999, &s), 1);
	/* kvm's cooldown is over: the alert carries the two held back */
	assert_int_equal(eval(rs, st, ev, 11000, &s), 2);
	assert_string_equal(s.ids[0], "kvm");
	assert_int_equal(s.suppressed[0], 2);
	assert_string_equal(s.ids[1], "loud");
	assert_int_equal(s.suppressed[1], 0);
	/* and the count starts again */
	assert_int_equal(eval(rs, st, ev, 12000, &s), 1);
	assert_int_equal(eval(rs, st, ev, 21000, &s), 2);
	assert_int_equal(s.suppressed[0], 1);
	/* kvm2 (1m) held back 5 */
	assert_int_equal(eval(rs, st, ev, 61000, &s), 3);
	assert_string_equal(s.ids[1], "kvm2");
	assert_int_equal(s.suppressed[1], 5);
	/* no state: no cooldown */
	assert_int_equal(eval(rs, NULL, ev, 61001, &s), 3);
	event_free(ev);
	rule_state_free(st);
	ruleset_free(rs);
}

static void test_cooldown_per_entity(void **state)
{
	struct ruleset *rs = load(cooldown_rules);
	struct rule_state *st = rule_state_new();
	struct event *a = usb_ev("add", "PiKVM", "1-1");
	struct event *b = usb_ev("add", "PiKVM", "1-2");
	struct seen s;

	(void)state;
	assert_int_equal(eval(rs, st, a, 0, &s), 3);
	assert_int_equal(eval(rs, st, b, 100, &s), 3);	/* another port */
	assert_int_equal(eval(rs, st, a, 200, &s), 1);
	assert_int_equal(eval(rs, st, b, 300, &s), 1);
	/* product id is part of the usb entity as well */
	event_set_str(b, USB_PRODUCT_ID, "0105");
	assert_int_equal(eval(rs, st, b, 400, &s), 3);
	event_free(a);
	event_free(b);
	rule_state_free(st);
	ruleset_free(rs);
}

/* A reload with the same rule ids keeps the cooldowns. */
static void test_cooldown_survives_reload(void **state)
{
	struct ruleset *rs = load(cooldown_rules);
	struct rule_state *st = rule_state_new();
	struct event *ev = usb_ev("add", "PiKVM", "1-1");
	struct seen s;

	(void)state;
	assert_int_equal(eval(rs, st, ev, 0, &s), 3);
	ruleset_free(rs);
	/* a new ruleset: same ids, rules in another order, another rule */
	rs = load("[rule other]\nsource = usb\nseverity = info\ncooldown = 1h\n"
		  "when = manufacturer == PiKVM\n"
		  "[rule kvm]\nsource = usb\nseverity = critical\ncooldown = 10s\n"
		  "when = manufacturer exists\n");
	assert_int_equal(eval(rs, st, ev, 5000, &s), 1);
	assert_string_equal(s.ids[0], "other");
	assert_int_equal(eval(rs, st, ev, 10000, &s), 1);
	assert_string_equal(s.ids[0], "kvm");
	assert_int_equal(s.suppressed[0], 1);
	event_free(ev);
	rule_state_free(st);
	ruleset_free(rs);
}

/* The state is bounded: the least recently used entity is forgotten
 * (so it alerts again), the most recent ones are kept. */
static void test_cooldown_bounded(void **state)
{
	struct ruleset *rs = load("[rule kvm]\nsource = usb\nseverity = info\n"
				  "cooldown = 1h\nwhen = manufacturer == PiKVM\n");
	struct rule_state *st = rule_state_new();
	char port[32];
	struct seen s;

	(void)state;
	for (int i = 0; i < 5000; i++) {
		struct event *ev;

		snprintf(port, sizeof(port), "1-%d", i);
		ev = usb_ev("add", "PiKVM", port);
		assert_int_equal(eval(rs, st, ev, (uint64_t)i, &s), 1);
		event_free(ev);
	}
	{
		struct event *old = usb_ev("add", "PiKVM", "1-0");
		struct event *recent = usb_ev("add", "PiKVM", "1-4999");

		assert_int_equal(eval(rs, st, recent, 6000, &s), 0);
		assert_int_equal(eval(rs, st, old, 6000, &s), 1);
		event_free(old);
		event_free(recent);
	}
	/* a long entity (device-controlled strings) is keyed by its hash */
	{
		char big[EVENT_STR_MAX];
		struct event *x, *y;

		memset(big, 'p', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		x = usb_ev("add", "PiKVM", big);
		big[sizeof(big) - 2] = 'q';
		y = usb_ev("add", "PiKVM", big);
		assert_int_equal(eval(rs, st, x, 7000, &s), 1);
		assert_int_equal(eval(rs, st, y, 7000, &s), 1);
		assert_int_equal(eval(rs, st, x, 7001, &s), 0);
		event_free(x);
		event_free(y);
	}
	rule_state_free(st);
	ruleset_free(rs);
}

/* " ;" inside a quoted string is text, outside it starts a comment. */
static void test_inline_comment_in_quotes(void **state)
{
	struct ruleset *rs = load("[rule q]\nsource = usb\nseverity = info ; comment\n"
				  "when = serial == \"a ;b\" ; the comment\n"
				  "       or serial == \"c\" ; another\n");
	struct event *ev = usb_ev("add", "x", "1-1");
	struct seen s;

	(void)state;
	event_set_str(ev, USB_SERIAL, "a ;b");
	assert_int_equal(eval(rs, NULL, ev, 0, &s), 1);
	event_set_str(ev, USB_SERIAL, "c");
	assert_int_equal(eval(rs, NULL, ev, 0, &s), 1);
	event_set_str(ev, USB_SERIAL, "a");
	assert_int_equal(eval(rs, NULL, ev, 0, &s), 0);
	event_free(ev);
	ruleset_free(rs);
}

static void test_null_arguments(void **state)
{
	struct ruleset *rs = load(cooldown_rules);
	struct event *ev = usb_ev("add", "PiKVM", "1-1");

	(void)state;
	assert_int_equal(ruleset_eval(NULL, NULL, ev, 0, "h", on_alert, NULL, NULL), 0);
	assert_int_equal(ruleset_eval(rs, NULL, NULL, 0, "h", on_alert, NULL, NULL), 0);
	/* no callbacks at all still counts */
	assert_int_equal(ruleset_eval(rs, NULL, ev, 0, "h", NULL, NULL, NULL), 3);
	ruleset_free(NULL);
	rule_state_free(NULL);
	event_free(ev);
	ruleset_free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alert_contents),
		cmocka_unit_test(test_by_source_and_order),
		cmocka_unit_test(test_allow),
		cmocka_unit_test(test_cooldown),
		cmocka_unit_test(test_cooldown_per_entity),
		cmocka_unit_test(test_cooldown_survives_reload),
		cmocka_unit_test(test_cooldown_bounded),
		cmocka_unit_test(test_inline_comment_in_quotes),
		cmocka_unit_test(test_null_arguments),
	};

	return cmocka_run_group_tests(tests, make_tmp, rm_tmp);
}
