/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_correlate.c - thresholds (count, distinct, group_by), sequences,
 * the laptop-farm verdict, the lifecycle of present objects (resolved,
 * re-asserted) and the suppressed count, with a fake clock (now_ms is an
 * argument) and test-only field tables for the display, process and net
 * sources, whose real collectors land later.
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

#include "agent/format.h"
#include "collectors/agent_source.h"
#include "collectors/display/display.h"
#include "collectors/host/host.h"
#include "collectors/process/process.h"
#include "collectors/usb/usb.h"
#include "rules/rules.h"

#define NOW ((time_t)1767225600)
#define MIN 60000ULL
#define HOUR (60 * MIN)

/* display: a connector and its EDID */
enum { D_ACTION, D_CONNECTOR, D_EDID_VENDOR, D_MONITOR_NAME, D_STATUS, D__N };
static const struct field_def dfields[D__N] = {
	[D_ACTION] = { "action", FIELD_STRING, "action" },
	[D_STATUS] = { "status", FIELD_STRING, "connected, disconnected" },
	[D_CONNECTOR] = { "connector", FIELD_STRING, "connector" },
	[D_EDID_VENDOR] = { "edid_vendor", FIELD_STRING, "PnP id" },
	[D_MONITOR_NAME] = { "monitor_name", FIELD_STRING, "name" },
};
static const int dentity[] = { D_CONNECTOR, -1 };
static void ddescribe(const struct event *ev, char *buf, size_t len)
{
	snprintf(buf, len, "%s on %s", event_get_str(ev, D_MONITOR_NAME) ?: "?",
		 event_get_str(ev, D_CONNECTOR) ?: "?");
}
static const struct source_def dsrc = {
	.id = SOURCE_DISPLAY, .name = "display", .fields = dfields, .nfields = D__N,
	.entity_fields = dentity, .describe = ddescribe,
};

/* process */
enum { P_ACTION, P_PID, P_COMM, P__N };
static const struct field_def pfields[P__N] = {
	[P_ACTION] = { "action", FIELD_STRING, "action" },
	[P_PID] = { "pid", FIELD_INT, "pid" },
	[P_COMM] = { "comm", FIELD_STRING, "comm" },
};
static const int pentity[] = { P_PID, -1 };
static const struct source_def psrc = {
	.id = SOURCE_PROCESS, .name = "process", .fields = pfields, .nfields = P__N,
	.entity_fields = pentity,
};

/* net */
enum { N_ACTION, N_KIND, N_SRC_IP, N_NEIGHBOR_MAC, N_NEIGHBOR_NAME, N_DIRECTION, N__N };
static const struct field_def nfields[N__N] = {
	[N_ACTION] = { "action", FIELD_STRING, "action" },
	[N_NEIGHBOR_NAME] = { "neighbor_name", FIELD_STRING, "name" },
	[N_DIRECTION] = { "direction", FIELD_STRING, "inbound, outbound" },
	[N_KIND] = { "kind", FIELD_STRING, "kind" },
	[N_SRC_IP] = { "src_ip", FIELD_IP, "source" },
	[N_NEIGHBOR_MAC] = { "neighbor_mac", FIELD_STRING, "mac" },
};
static const int nentity[] = { N_SRC_IP, -1 };
static const struct source_def nsrc = {
	.id = SOURCE_NET, .name = "net", .fields = nfields, .nfields = N__N,
	.entity_fields = nentity,
};

/* host: a weak signal */
enum { H_ACTION, H_LAYOUTS, H_VPN, H__N };
static const struct field_def hfields[H__N] = {
	[H_ACTION] = { "action", FIELD_STRING, "action" },
	[H_VPN] = { "vpn_interfaces", FIELD_LIST, "vpn" },
	[H_LAYOUTS] = { "keyboard_layouts", FIELD_LIST, "layouts" },
};
static const struct source_def hsrc = {
	.id = SOURCE_HOST, .name = "host", .fields = hfields, .nfields = H__N,
};

static const struct source_def *const sources[] = {
	&usb_source, &dsrc, &psrc, &nsrc, &hsrc, &agent_source, NULL,
};

#define MAXA 256

struct seen {
	int alerts;
	char ids[MAXA][64];
	char msg[MAXA][512];
	struct alert a[MAXA];		/* pointers inside are only valid in the call */
	char evidence[MAXA][8][64];
	char values[MAXA][8][64];
	int severity[MAXA];
	char missed[512];
	char verdict[1024];
};

static void on_alert(void *opaque, const struct alert *a)
{
	struct seen *s = opaque;
	int i = s->alerts++;

	if (i >= MAXA)
		return;
	snprintf(s->ids[i], sizeof(s->ids[i]), "%s", a->rule->id);
	alert_message(a, s->msg[i], sizeof(s->msg[i]));
	s->a[i] = *a;
	s->severity[i] = a->rule->severity;
	for (size_t k = 0; k < a->nevidence && k < 8; k++)
		snprintf(s->evidence[i][k], 64, "%s", a->evidence[k].rule_id);
	for (size_t k = 0; k < a->nvalues && k < 8; k++)
		snprintf(s->values[i][k], 64, "%s", a->values[k]);
}

static void on_match(void *opaque, const struct match_report *m)
{
	struct seen *s = opaque;

	if (m->outcome == MATCH_MISSED && !s->missed[0])
		snprintf(s->missed, sizeof(s->missed), "%s: %s", m->rule->id, m->detail);
	if (m->outcome == MATCH_VERDICT)
		snprintf(s->verdict, sizeof(s->verdict), "%s", m->detail);
}

static char tmpdir[64];

static int make_tmp(void **state)
{
	(void)state;
	strcpy(tmpdir, "/tmp/fh-corr-XXXXXX");
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

static int eval(const struct ruleset *rs, struct rule_state *st,
		const struct event *ev, uint64_t now, struct seen *s)
{
	return ruleset_eval(rs, st, ev, now, "lt-042", on_alert, on_match, s);
}

static struct event *net_ev(const char *kind, const char *ip, const char *mac)
{
	struct event *ev = event_new(&nsrc);
	struct ip_addr a;

	assert_non_null(ev);
	event_set_str(ev, N_ACTION, "seen");
	event_set_str(ev, N_KIND, kind);
	if (ip) {
		assert_int_equal(ip_addr_parse(ip, &a), 0);
		event_set_ip(ev, N_SRC_IP, &a);
	}
	event_set_str(ev, N_NEIGHBOR_MAC, mac);
	return ev;
}

static struct event *proc_ev(const char *action, int pid, const char *comm)
{
	struct event *ev = event_new(&psrc);

	assert_non_null(ev);
	event_set_str(ev, P_ACTION, action);
	event_set_int(ev, P_PID, pid);
	event_set_str(ev, P_COMM, comm);
	return ev;
}

static struct event *disp_ev(const char *action, const char *vendor, const char *name)
{
	struct event *ev = event_new(&dsrc);

	assert_non_null(ev);
	event_set_str(ev, D_ACTION, action);
	event_set_str(ev, D_CONNECTOR, "card0-HDMI-A-1");
	event_set_str(ev, D_EDID_VENDOR, vendor);
	event_set_str(ev, D_MONITOR_NAME, name);
	return ev;
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
	event_set_bool(ev, USB_HAS_KEYBOARD, true);
	event_set_bool(ev, USB_HAS_ABSOLUTE_POINTER, true);
	return ev;
}

/* ---- thresholds ---- */

static const char rdp_rules[] =
	"[rule rdp-repeated]\nsource = net\nseverity = warning\ncategory = remote-access\n"
	"when = kind == rdp\ncount = 3\nwindow = 1m\ngroup_by = src_ip\n";

static void test_threshold_count_group_by(void **state)
{
	struct ruleset *rs = load(rdp_rules);
	struct rule_state *st = rule_state_new();
	struct event *a = net_ev("rdp", "192.0.2.1", NULL);
	struct event *b = net_ev("rdp", "192.0.2.2", NULL);
	struct seen s = { 0 };

	(void)state;
	assert_int_equal(eval(rs, st, a, 0, &s), 0);
	assert_int_equal(eval(rs, st, a, 1000, &s), 0);
	/* another group does not add to this one */
	assert_int_equal(eval(rs, st, b, 2000, &s), 0);
	assert_int_equal(eval(rs, st, a, 3000, &s), 1);
	assert_string_equal(s.ids[0], "rdp-repeated");
	assert_int_equal(s.a[0].count, 3);
	assert_non_null(strstr(s.msg[0], "(3 times)"));
	/* the group starts again after firing */
	assert_int_equal(eval(rs, st, a, 4000, &s), 0);
	assert_int_equal(eval(rs, st, a, 5000, &s), 0);
	/* matches older than the window no longer count */
	assert_int_equal(eval(rs, st, b, 70000, &s), 0);
	assert_int_equal(eval(rs, st, b, 71000, &s), 0);
	assert_int_equal(eval(rs, st, b, 72000, &s), 1);
	/* without state a threshold can never be reached */
	assert_int_equal(eval(rs, NULL, a, 0, &s), 0);
	event_free(a);
	event_free(b);
	rule_state_free(st);
	ruleset_free(rs);
}

static void test_threshold_distinct(void **state)
{
	struct ruleset *rs = load(
		"[rule sibling-laptops]\nsource = net\nseverity = warning\ncategory = network\n"
		"score = 30\nwhen = kind == neighbor and neighbor_mac startswith \"f8:75:a4\"\n"
		"count = 3\nwindow = 1h\ndistinct = neighbor_mac\n");
	struct rule_state *st = rule_state_new();
	struct seen s = { 0 };
	const char *macs[] = { "f8:75:a4:00:00:01", "f8:75:a4:00:00:01",
			       "f8:75:a4:00:00:02", "f8:75:a4:00:00:02",
			       "f8:75:a4:00:00:03" };

	(void)state;
	for (int i = 0; i < 5; i++) {
		struct event *ev = net_ev("neighbor", "192.0.2.9", macs[i]);

		assert_int_equal(eval(rs, st, ev, (uint64_t)i * 1000, &s), i == 4);
		event_free(ev);
	}
	assert_int_equal(s.a[0].count, 3);
	assert_int_equal(s.a[0].nvalues, 3);
	assert_string_equal(s.values[0][0], "f8:75:a4:00:00:01");
	assert_string_equal(s.values[0][2], "f8:75:a4:00:00:03");
	assert_non_null(strstr(s.msg[0], "3 distinct: f8:75:a4:00:00:01"));
	/* an event without the distinct field does not count */
	{
		struct event *ev = net_ev("neighbor", "192.0.2.9", NULL);

		assert_int_equal(eval(rs, st, ev, 9000, &s), 0);
		event_free(ev);
	}
	rule_state_free(st);
	ruleset_free(rs);
}

/* Threshold groups are bounded; evictions are counted. */
static void test_threshold_bounded(void **state)
{
	struct ruleset *rs = load(rdp_rules);
	struct rule_state *st = rule_state_new();
	struct rule_state_stats stats;
	char ip[32];
	struct seen s = { 0 };

	(void)state;
	for (int i = 0; i < 1000; i++) {
		struct event *ev;

		snprintf(ip, sizeof(ip), "10.0.%d.%d", i / 250, i % 250 + 1);
		ev = net_ev("rdp", ip, NULL);
		assert_int_equal(eval(rs, st, ev, (uint64_t)i, &s), 0);
		event_free(ev);
	}
	rule_state_stats(st, &stats);
	assert_true(stats.groups_evicted >= 1000 - 256);
	rule_state_free(st);
	ruleset_free(rs);
}

static int rdp_hit(const struct ruleset *rs, struct rule_state *st, int host,
		   uint64_t now, struct seen *s)
{
	char ip[32];
	struct event *ev;
	int n;

	snprintf(ip, sizeof(ip), "10.2.%d.%d", host / 250, host % 250 + 1);
	ev = net_ev("rdp", ip, NULL);
	n = eval(rs, st, ev, now, s);
	event_free(ev);
	return n;
}

/* With all 256 groups in use a new one evicts the least recently used,
 * and only it: the others keep their counts. */
static void test_threshold_evicts_lru(void **state)
{
	struct ruleset *rs = load(rdp_rules);
	struct rule_state *st = rule_state_new();
	struct rule_state_stats stats;
	struct seen s = { 0 };

	(void)state;
	for (int i = 0; i < 256; i++)
		assert_int_equal(rdp_hit(rs, st, i, (uint64_t)i, &s), 0);
	assert_int_equal(rdp_hit(rs, st, 0, 300, &s), 0);	/* host 0: 2 */
	rule_state_stats(st, &stats);
	assert_int_equal(stats.groups_evicted, 0);
	assert_int_equal(rdp_hit(rs, st, 256, 301, &s), 0);	/* evicts host 1 */
	rule_state_stats(st, &stats);
	assert_int_equal(stats.groups_evicted, 1);
	assert_int_equal(rdp_hit(rs, st, 0, 302, &s), 1);	/* host 0 kept: 3 */
	assert_int_equal(rdp_hit(rs, st, 255, 303, &s), 0);	/* host 255 kept: 2 */
	assert_int_equal(rdp_hit(rs, st, 255, 304, &s), 1);	/* 3 */
	/* host 1 starts again (evicting host 2): 1, then 2 */
	assert_int_equal(rdp_hit(rs, st, 1, 305, &s), 0);
	assert_int_equal(rdp_hit(rs, st, 1, 306, &s), 0);
	rule_state_stats(st, &stats);
	assert_int_equal(stats.groups_evicted, 2);
	rule_state_free(st);
	ruleset_free(rs);
}

/* ---- sequences ---- */

static const char kvm_rules[] =
	"[rule usb-kbd-abs]\nsource = usb\nseverity = warning\ncategory = ip-kvm\nscore = 60\n"
	"when = action in (present, add) and has_keyboard and has_absolute_pointer\n"
	"[rule display-new]\nsource = display\nseverity = info\nalert = no\n"
	"when = action == add\n"
	"[rule ip-kvm-plugged]\nname = IP-KVM plugged in\nseverity = critical\n"
	"category = ip-kvm-video\nscore = 60\n"
	"match = all of (usb-kbd-abs, display-new) within 60s\n";

static void test_sequence(void **state)
{
	struct ruleset *rs = load(kvm_rules);
	struct rule_state *st = rule_state_new();
	struct event *u = usb_ev("add", "Acme", "1-1");
	struct event *d = disp_ev("add", "XXX", "Capture");
	struct seen s = { 0 };

	(void)state;
	/* the display alone: a silent building block */
	assert_int_equal(eval(rs, st, d, 0, &s), 0);
	/* too late for the sequence; the gadget alerts on its own */
	assert_int_equal(eval(rs, st, u, 61000, &s), 1);
	assert_string_equal(s.ids[0], "usb-kbd-abs");
	/* the display again within 60 s of the gadget: the sequence */
	memset(&s, 0, sizeof(s));
	assert_true(eval(rs, st, d, 100000, &s) >= 1);
	assert_string_equal(s.ids[0], "ip-kvm-plugged");
	assert_int_equal(s.a[0].nevidence, 2);
	assert_string_equal(s.evidence[0][0], "usb-kbd-abs");
	assert_string_equal(s.evidence[0][1], "display-new");
	assert_non_null(strstr(s.msg[0], "together with usb-kbd-abs + display-new"));
	/* once: its window is its cooldown */
	memset(&s, 0, sizeof(s));
	assert_int_equal(eval(rs, st, d, 101000, &s), 0);
	event_free(u);
	event_free(d);
	rule_state_free(st);
	ruleset_free(rs);
}

static void test_sequence_n_of_category(void **state)
{
	struct ruleset *rs = load(
		"[rule anydesk]\nsource = process\nseverity = warning\ncategory = remote-access\n"
		"score = 40\nwhen = comm == anydesk\n"
		"[rule teamviewer]\nsource = process\nseverity = warning\ncategory = remote-access\n"
		"score = 40\nwhen = comm == TeamViewer\n"
		"[rule rustdesk]\nsource = process\nseverity = warning\ncategory = remote-access\n"
		"score = 40\nwhen = comm == rustdesk\n"
		"[rule two-remote-tools]\nseverity = error\ncategory = remote-access\nscore = 50\n"
		"match = 2 of (category:remote-access) within 1h\n");
	struct rule_state *st = rule_state_new();
	struct event *a = proc_ev("seen", 10, "anydesk");
	struct event *b = proc_ev("seen", 11, "rustdesk");
	struct seen s = { 0 };

	(void)state;
	assert_int_equal(eval(rs, st, a, 0, &s), 1);
	assert_int_equal(eval(rs, st, a, 1000, &s), 1);	/* same tool twice: not two tools */
	memset(&s, 0, sizeof(s));
	assert_int_equal(eval(rs, st, b, 2000, &s), 2);
	assert_string_equal(s.ids[0], "rustdesk");
	assert_string_equal(s.ids[1], "two-remote-tools");
	assert_int_equal(s.a[1].nevidence, 2);
	event_free(a);
	event_free(b);
	rule_state_free(st);
	ruleset_free(rs);
}

/* ---- the verdict ---- */

static const char farm_rules[] =
	"[rule ip-kvm-pikvm]\nsource = usb\nseverity = critical\ncategory = ip-kvm\nscore = 80\n"
	"when = action in (present, add) and manufacturer == PiKVM\n"
	"[rule usb-kbd-abs]\nsource = usb\nseverity = warning\ncategory = ip-kvm\nscore = 60\n"
	"when = action in (present, add) and has_keyboard and has_absolute_pointer\n"
	"[rule display-pikvm-edid]\nsource = display\nseverity = critical\n"
	"category = ip-kvm-video\nscore = 60\n"
	"when = action in (present, add) and monitor_name == PiKVM\n"
	"[rule remote-access-anydesk]\nsource = process\nseverity = warning\n"
	"category = remote-access\nscore = 40\nwhen = comm == anydesk\n"
	"[rule host-korean-layout]\nsource = host\nseverity = notice\ncategory = location\n"
	"score = 10\nwhen = keyboard_layouts contains kr\n";

static int count_id(const struct seen *s, const char *id)
{
	int n = 0;

	for (int i = 0; i < s->alerts && i < MAXA; i++)
		n += strcmp(s->ids[i], id) == 0;
	return n;
}

static int last_of(const struct seen *s, const char *id)
{
	for (int i = s->alerts - 1; i >= 0; i--)
		if (strcmp(s->ids[i], id) == 0)
			return i;
	return -1;
}

/* An inventory (start-up, --scan): PiKVM gadget, PiKVM EDID, AnyDesk
 * give one verdict, naming all three, at the end. */
static void test_verdict_inventory(void **state)
{
	struct ruleset *rs = load(farm_rules);
	struct rule_state *st = rule_state_new();
	struct event *u = usb_ev("present", "PiKVM", "1-1");
	struct event *d = disp_ev("present", "LNX", "PiKVM");
	struct event *p = proc_ev("present", 4242, "anydesk");
	struct seen s = { 0 };
	int i;

	(void)state;
	rule_state_defer_verdict(st, true);
	eval(rs, st, u, 0, &s);
	eval(rs, st, d, 10, &s);
	eval(rs, st, p, 20, &s);
	assert_int_equal(count_id(&s, VERDICT_RULE_ID), 0);
	assert_int_equal(ruleset_verdict(st, 30, "lt-042", on_alert, on_match, &s), 1);
	assert_int_equal(count_id(&s, VERDICT_RULE_ID), 1);
	i = last_of(&s, VERDICT_RULE_ID);
	assert_true(s.a[i].verdict);
	assert_int_equal(s.a[i].verdict_score, 80 + 60 + 40);
	assert_int_equal(s.a[i].verdict_threshold, 100);
	assert_int_equal(s.a[i].verdict_categories, 3);
	assert_false(s.a[i].verdict_restated);
	/* every contributing rule is named: the one counting for each
	 * category first, strongest first, then the others */
	assert_int_equal(s.a[i].nevidence, 4);
	assert_string_equal(s.evidence[i][0], "ip-kvm-pikvm");
	assert_string_equal(s.evidence[i][1], "display-pikvm-edid");
	assert_string_equal(s.evidence[i][2], "remote-access-anydesk");
	assert_string_equal(s.evidence[i][3], "usb-kbd-abs");
	assert_non_null(strstr(s.msg[i], "score 180 (threshold 100, 3 categories)"));
	assert_non_null(strstr(s.verdict, "ip-kvm 80 (ip-kvm-pikvm)"));
	/* the same evidence again: not said twice */
	memset(&s, 0, sizeof(s));
	eval(rs, st, p, 40, &s);
	assert_int_equal(count_id(&s, VERDICT_RULE_ID), 0);
	assert_non_null(strstr(s.verdict, "already raised"));
	event_free(u);
	event_free(d);
	event_free(p);
	rule_state_free(st);
	ruleset_free(rs);
}

/* Live: raised once when crossing, re-stated when new evidence adds. */
static void test_verdict_live(void **state)
{
	struct ruleset *rs = load(farm_rules);
	struct rule_state *st = rule_state_new();
	struct event *u = usb_ev("add", "PiKVM", "1-1");
	struct event *d = disp_ev("add", "LNX", "PiKVM");
	struct event *p = proc_ev("seen", 4242, "anydesk");
	struct seen s = { 0 };

	(void)state;
	eval(rs, st, u, 0, &s);
	/* a KVM alone, however many of its rules match: one category */
	assert_int_equal(count_id(&s, VERDICT_RULE_ID), 0);
	assert_non_null(strstr(s.verdict, "= 80 < threshold 100"));
	eval(rs, st, d, 1000, &s);
	assert_int_equal(count_id(&s, VERDICT_RULE_ID), 1);
	eval(rs, st, p, 2000, &s);
	assert_int_equal(count_id(&s, VERDICT_RULE_ID), 2);
	assert_true(s.a[last_of(&s, VERDICT_RULE_ID)].verdict_restated);
	eval(rs, st, p, 3000, &s);
	assert_int_equal(count_id(&s, VERDICT_RULE_ID), 2);
	event_free(u);
	event_free(d);
	event_free(p);
	rule_state_free(st);
	ruleset_free(rs);
}

/* One weak signal, or a KVM's USB side alone: no verdict.  Outside the
 * window a transient signal no longer counts; a present one still does. */
static void test_verdict_weak_and_window(void **state)
{
	struct ruleset *rs = load(farm_rules);
	struct rule_state *st = rule_state_new();
	struct event *h = event_new(&hsrc);
	struct event *p = proc_ev("seen", 1, "anydesk");
	struct event *u = usb_ev("add", "PiKVM", "1-1");
	struct seen s = { 0 };

	(void)state;
	event_set_str(h, H_ACTION, "present");
	event_list_add(h, H_LAYOUTS, "kr");
	eval(rs, st, h, 0, &s);
	eval(rs, st, p, 0, &s);
	/* 10 + 40, two categories: under the threshold */
	assert_int_equal(count_id(&s, VERDICT_RULE_ID), 0);
	/* a day later AnyDesk is forgotten; the KVM alone is one category */
	eval(rs, st, u, 25 * HOUR, &s);
	assert_int_equal(count_id(&s, VERDICT_RULE_ID), 0);
	/* AnyDesk again: the KVM, still plugged in, counts */
	eval(rs, st, p, 50 * HOUR, &s);
	assert_int_equal(count_id(&s, VERDICT_RULE_ID), 1);
	event_free(h);
	event_free(p);
	event_free(u);
	rule_state_free(st);
	ruleset_free(rs);
}

static void test_verdict_config(void **state)
{
	struct ruleset *rs = load(farm_rules);
	struct rule_state *st = rule_state_new();
	struct correlate_config c;
	struct event *u = usb_ev("add", "PiKVM", "1-1");
	struct seen s = { 0 };

	(void)state;
	correlate_config_defaults(&c);
	c.verdict_threshold = 50;
	c.verdict_min_categories = 1;
	c.verdict_severity = 1;
	rule_state_configure(st, &c);
	eval(rs, st, u, 0, &s);
	assert_int_equal(count_id(&s, VERDICT_RULE_ID), 1);
	assert_int_equal(s.severity[last_of(&s, VERDICT_RULE_ID)], 1);
	c.verdict_enabled = false;
	rule_state_configure(st, &c);
	memset(&s, 0, sizeof(s));
	event_set_str(u, USB_PORT, "1-2");
	eval(rs, st, u, 10, &s);
	assert_int_equal(count_id(&s, VERDICT_RULE_ID), 0);
	event_free(u);
	rule_state_free(st);
	ruleset_free(rs);
}

/* ---- lifecycle ---- */

static void test_lifecycle(void **state)
{
	struct ruleset *rs = load("[rule kvm]\nsource = usb\nseverity = critical\n"
				  "when = action in (present, add) and manufacturer == PiKVM\n");
	struct rule_state *st = rule_state_new();
	struct event *pres = usb_ev("present", "PiKVM", "1-1");
	struct event *rem = usb_ev("remove", "PiKVM", "1-1");
	struct rule_state_stats stats;
	struct seen s = { 0 };

	(void)state;
	pres->ts.tv_sec = 1000;		/* when the device appeared */
	assert_int_equal(eval(rs, st, pres, 0, &s), 1);
	assert_int_equal(s.a[0].kind, ALERT_NEW);
	assert_int_equal(s.a[0].ts.tv_sec, 1000);
	assert_int_equal(rule_state_next_due(st), 24 * HOUR);
	/* seen again by an inventory: already reported */
	assert_int_equal(eval(rs, st, pres, HOUR, &s), 0);
	/* nothing due yet */
	assert_int_equal(ruleset_tick(rs, st, 23 * HOUR, "h", on_alert, &s), 0);
	/* a day later: re-asserted from the stored event */
	assert_int_equal(ruleset_tick(rs, st, 24 * HOUR, "h", on_alert, &s), 1);
	assert_int_equal(s.a[1].kind, ALERT_REASSERTED);
	assert_true(s.a[1].ts.tv_sec > NOW - 86400);	/* said now */
	assert_string_equal(s.ids[1], "kvm");
	assert_non_null(strstr(s.msg[1], "still present: kvm"));
	assert_int_equal(rule_state_next_due(st), 48 * HOUR);
	/* unplugged: resolved, even though the remove does not match "when" */
	assert_int_equal(eval(rs, st, rem, 25 * HOUR, &s), 1);
	assert_int_equal(s.a[2].kind, ALERT_RESOLVED);
	assert_string_equal(s.ids[2], "kvm");
	assert_int_equal(s.severity[2], 5);	/* notice, not critical */
	assert_non_null(strstr(s.msg[2], "resolved: kvm"));
	assert_int_equal(rule_state_next_due(st), UINT64_MAX);
	/* a second remove resolves nothing */
	assert_int_equal(eval(rs, st, rem, 25 * HOUR + 1, &s), 0);
	rule_state_stats(st, &stats);
	assert_int_equal(stats.resolved, 1);
	assert_int_equal(stats.reasserted, 1);
	assert_int_equal(stats.active, 0);
	assert_int_equal(stats.suppressed, 1);
	/* plugged in again: a new alert, carrying the one held back */
	assert_int_equal(eval(rs, st, pres, 26 * HOUR, &s), 1);
	assert_int_equal(s.a[3].kind, ALERT_NEW);
	assert_int_equal(s.a[3].suppressed, 1);
	event_free(pres);
	event_free(rem);
	rule_state_free(st);
	ruleset_free(rs);
}

/* The tracked objects survive a reload; one whose rule is gone is
 * forgotten at its re-assertion. */
static int kvm_on_port(const struct ruleset *rs, struct rule_state *st,
		       const char *action, int port, uint64_t now, struct seen *s)
{
	char name[16];
	struct event *ev;
	int n;

	snprintf(name, sizeof(name), "1-%d", port);
	ev = usb_ev(action, "PiKVM", name);
	n = eval(rs, st, ev, now, s);
	event_free(ev);
	return n;
}

/* 256 present objects at most: a new one takes a freed slot first, and
 * only with none free evicts the one asserted longest ago. */
static void test_present_evicts_oldest(void **state)
{
	struct ruleset *rs = load("[rule kvm]\nsource = usb\nseverity = critical\n"
				  "when = action in (present, add) and manufacturer == PiKVM\n");
	struct rule_state *st = rule_state_new();
	struct rule_state_stats stats;
	struct seen s = { 0 };

	(void)state;
	for (int i = 0; i < 256; i++)
		assert_int_equal(kvm_on_port(rs, st, "add", i, (uint64_t)i, &s), 1);
	assert_int_equal(kvm_on_port(rs, st, "remove", 5, 300, &s), 1);	/* resolved */
	assert_int_equal(kvm_on_port(rs, st, "add", 256, 301, &s), 1);	/* the freed slot */
	rule_state_stats(st, &stats);
	assert_int_equal(stats.active_evicted, 0);
	assert_int_equal(stats.active, 256);
	assert_int_equal(kvm_on_port(rs, st, "add", 257, 302, &s), 1);	/* evicts 1-0 */
	rule_state_stats(st, &stats);
	assert_int_equal(stats.active_evicted, 1);
	assert_int_equal(kvm_on_port(rs, st, "remove", 0, 303, &s), 0);	/* forgotten */
	assert_int_equal(kvm_on_port(rs, st, "remove", 1, 304, &s), 1);	/* kept */
	assert_int_equal(kvm_on_port(rs, st, "remove", 256, 305, &s), 1);
	rule_state_stats(st, &stats);
	assert_int_equal(stats.active, 254);
	assert_int_equal(stats.resolved, 3);
	rule_state_free(st);
	ruleset_free(rs);
}

static void test_lifecycle_reload(void **state)
{
	struct ruleset *rs = load("[rule kvm]\nsource = usb\nseverity = critical\n"
				  "when = manufacturer == PiKVM\n");
	struct rule_state *st = rule_state_new();
	struct event *pres = usb_ev("present", "PiKVM", "1-1");
	struct event *rem = usb_ev("remove", "PiKVM", "1-1");
	struct seen s = { 0 };

	(void)state;
	assert_int_equal(eval(rs, st, pres, 0, &s), 1);
	ruleset_free(rs);
	rs = load("[rule kvm]\nsource = usb\nseverity = critical\n"
		  "when = manufacturer == PiKVM and action != remove\n");
	assert_int_equal(eval(rs, st, rem, 10, &s), 1);
	assert_int_equal(s.a[1].kind, ALERT_RESOLVED);
	assert_int_equal(eval(rs, st, pres, 20, &s), 1);
	ruleset_free(rs);
	rs = load("[rule other]\nsource = usb\nseverity = info\nwhen = manufacturer == x\n");
	assert_int_equal(ruleset_tick(rs, st, 25 * HOUR, "h", on_alert, &s), 0);
	assert_int_equal(rule_state_next_due(st), UINT64_MAX);
	event_free(pres);
	event_free(rem);
	rule_state_free(st);
	ruleset_free(rs);
}

/* A hundred identical events inside a cooldown: one alert; the next one
 * after the cooldown says 99 were suppressed. */
static void test_suppressed_99(void **state)
{
	struct ruleset *rs = load("[rule anydesk]\nsource = process\nseverity = warning\n"
				  "cooldown = 1h\nwhen = comm == anydesk\n");
	struct rule_state *st = rule_state_new();
	struct event *p = proc_ev("seen", 7, "anydesk");
	struct seen s = { 0 };
	char json[ALERT_LINE_MAX];
	int alerts = 0;

	(void)state;
	for (int i = 0; i < 100; i++)
		alerts += eval(rs, st, p, (uint64_t)i * 1000, &s);
	assert_int_equal(alerts, 1);
	assert_int_equal(s.a[0].suppressed, 0);
	assert_int_equal(eval(rs, st, p, HOUR, &s), 1);
	assert_int_equal(s.a[1].suppressed, 99);
	assert_non_null(strstr(s.msg[1], "(99 similar suppressed)"));
	/* and the JSON says so */
	s.a[1].event = p;
	assert_true(alert_formatter_by_name("json")->format(&s.a[1], json, sizeof(json)) > 0);
	assert_non_null(strstr(json, "\"suppressed\":99"));
	event_free(p);
	rule_state_free(st);
	ruleset_free(rs);
}

/* --explain: the condition a rule missed on. */
static void test_explain_missed(void **state)
{
	struct ruleset *rs = load(
		"[rule kvm]\nsource = usb\nseverity = critical\n"
		"when = action in (present, add) and (manufacturer i== \"PiKVM\" or serial == CAFEBABE)\n"
		"[rule notgadget]\nsource = usb\nseverity = info\nwhen = not is_gadget\n");
	struct event *u = usb_ev("add", "Logitech", "1-1");
	struct seen s = { 0 };

	(void)state;
	assert_int_equal(eval(rs, NULL, u, 0, &s), 1);
	assert_string_equal(s.missed, "kvm: manufacturer i== \"PiKVM\"");
	memset(&s, 0, sizeof(s));
	event_set_str(u, USB_ACTION, "remove");
	eval(rs, NULL, u, 0, &s);
	assert_string_equal(s.missed, "kvm: action in (present, add)");
	ruleset_free(rs);
	rs = load("[rule ser]\nsource = usb\nseverity = info\nwhen = serial == x\n"
		  "[rule g]\nsource = usb\nseverity = info\nwhen = not has_keyboard\n");
	memset(&s, 0, sizeof(s));
	eval(rs, NULL, u, 0, &s);
	assert_string_equal(s.missed, "ser: serial == x (field not set)");
	event_free(u);
	ruleset_free(rs);
}

/* The shipped packs, as farmhound loads them: the collectors' own field
 * tables (the registry), not the test ones above. */
static struct ruleset *load_farm(void)
{
	struct diag_list d = { 0 };
	struct ruleset *rs = NULL;
	int r;

	r = ruleset_load_dir("rules/rules.d", NOW, &rs, &d);
	for (size_t i = 0; i < d.n; i++)
		print_message("# %s:%d: %s\n", d.items[i].file, d.items[i].line,
			      d.items[i].message);
	assert_int_equal(r, 0);
	assert_int_equal(diag_list_errors(&d), 0);
	diag_list_clear(&d);
	return rs;
}

/* Events as the display, process and host collectors build them. */
static struct event *real_display(const char *action, const char *vendor,
				  const char *name)
{
	struct event *ev = event_new(&display_source);

	assert_non_null(ev);
	event_set_str(ev, DISPLAY_ACTION, action);
	event_set_str(ev, DISPLAY_CONNECTOR, "card0-HDMI-A-1");
	event_set_str(ev, DISPLAY_STATUS, "connected");
	event_set_bool(ev, DISPLAY_IS_EXTERNAL, true);
	event_set_str(ev, DISPLAY_EDID_VENDOR, vendor);
	event_set_str(ev, DISPLAY_MONITOR_NAME, name);
	event_set_int(ev, DISPLAY_WIDTH_CM, 60);
	event_set_int(ev, DISPLAY_HEIGHT_CM, 34);
	event_set_bool(ev, DISPLAY_EDID_VALID, true);
	return ev;
}

static struct event *real_process(const char *action, int pid, const char *comm,
				  const char *exe)
{
	struct event *ev = event_new(&process_source);

	assert_non_null(ev);
	event_set_str(ev, PROCESS_ACTION, action);
	event_set_int(ev, PROCESS_PID, pid);
	event_set_int(ev, PROCESS_PPID, 1);
	event_set_str(ev, PROCESS_COMM, comm);
	event_set_str(ev, PROCESS_EXE, exe);
	return ev;
}

static struct event *pikvm_ev(const char *action)
{
	struct event *ev = usb_ev(action, "PiKVM", "1-1");

	event_set_str(ev, USB_PRODUCT, "PiKVM Composite Device");
	event_set_str(ev, USB_SERIAL, "CAFEBABE");
	event_set_bool(ev, USB_IS_GADGET, true);
	event_set_int(ev, USB_ABS_MAX, 32767);
	return ev;
}

/* Issue 5, "done when" 2: PiKVM gadget + PiKVM EDID + AnyDesk at start-up
 * give one laptop-farm-suspected naming all three; with the shipped
 * packs and defaults. */
static void test_scenario_pikvm_edid_anydesk(void **state)
{
	struct ruleset *rs = load_farm();
	struct rule_state *st = rule_state_new();
	struct event *u = pikvm_ev("present");
	struct event *d = real_display("present", "LNX", "PiKVM V4 Plus");
	struct event *p = real_process("present", 4242, "anydesk", "/usr/bin/anydesk");
	struct seen s = { 0 };
	int i;

	(void)state;
	rule_state_defer_verdict(st, true);
	eval(rs, st, u, 0, &s);
	eval(rs, st, d, 10, &s);
	eval(rs, st, p, 20, &s);
	ruleset_verdict(st, 30, "lt-042", on_alert, on_match, &s);
	assert_int_equal(count_id(&s, VERDICT_RULE_ID), 1);
	i = last_of(&s, VERDICT_RULE_ID);
	assert_true(s.a[i].verdict_score >= 100);
	assert_int_equal(s.a[i].verdict_categories, 3);
	{
		bool usb = false, edid = false, anydesk = false;

		for (size_t k = 0; k < s.a[i].nevidence && k < 8; k++) {
			usb |= strcmp(s.evidence[i][k], "ip-kvm-pikvm") == 0;
			edid |= strcmp(s.evidence[i][k], "display-kvm-pikvm") == 0;
			anydesk |= strcmp(s.evidence[i][k], "rmm-anydesk") == 0;
		}
		assert_true(usb && edid && anydesk);
	}
	event_free(u);
	event_free(d);
	event_free(p);
	rule_state_free(st);
	ruleset_free(rs);
}

/* A single weak signal (a Korean layout, a VPN interface), and the USB
 * side of a KVM alone, raise none. */
static void test_scenario_weak_signals(void **state)
{
	struct ruleset *rs = load_farm();
	struct rule_state *st = rule_state_new();
	struct event *h = event_new(&host_source);
	struct event *u = pikvm_ev("add");
	struct seen s = { 0 };

	(void)state;
	event_set_str(h, HOST_ACTION, "present");
	event_list_add(h, HOST_KEYBOARD_LAYOUTS, "kr");
	eval(rs, st, h, 0, &s);
	assert_int_equal(count_id(&s, "host-korean-keyboard"), 1);
	assert_int_equal(count_id(&s, VERDICT_RULE_ID), 0);
	event_set_str(h, HOST_ACTION, "change");
	event_list_add(h, HOST_VPN_INTERFACES, "tailscale0");
	eval(rs, st, h, 10, &s);
	assert_int_equal(count_id(&s, "host-overlay-vpn-interface"), 1);
	assert_int_equal(count_id(&s, VERDICT_RULE_ID), 0);
	rule_state_free(st);
	st = rule_state_new();
	memset(&s, 0, sizeof(s));
	eval(rs, st, u, 20, &s);
	assert_true(s.alerts >= 1);
	assert_int_equal(count_id(&s, VERDICT_RULE_ID), 0);
	event_free(h);
	event_free(u);
	rule_state_free(st);
	ruleset_free(rs);
}

/* IP-KVM plugged: the gadget and a display within 60 s -> the sequence,
 * and, with it, the verdict (two kinds of KVM evidence). */
static void test_scenario_kvm_plugged(void **state)
{
	struct ruleset *rs = load_farm();
	struct rule_state *st = rule_state_new();
	struct event *u = usb_ev("add", "Acme", "1-3");
	struct event *d = real_display("add", "XYZ", "HDMI capture");
	struct seen s = { 0 };

	(void)state;
	event_set_int(u, USB_ABS_MAX, 32767);
	eval(rs, st, u, 0, &s);
	assert_int_equal(count_id(&s, "usb-keyboard-absolute-pointer"), 1);
	assert_int_equal(count_id(&s, VERDICT_RULE_ID), 0);
	eval(rs, st, d, 20000, &s);
	assert_int_equal(count_id(&s, "ip-kvm-plugged"), 1);
	assert_int_equal(count_id(&s, VERDICT_RULE_ID), 1);
	event_free(u);
	event_free(d);
	rule_state_free(st);
	ruleset_free(rs);
}

/* The index by a key literal (vendor_id == X) gives the same alerts, in
 * file order, as visiting every rule (the --explain path). */
static void test_index_same_result(void **state)
{
	char text[8192];
	size_t o = 0;
	struct ruleset *rs;
	struct seen a = { 0 }, b = { 0 };
	const char *vendors[] = { "0001", "0002", "1d6b", "ffff" };

	(void)state;
	for (int i = 0; i < 12; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o,
			"[rule k%d]\nsource = usb\nseverity = info\n"
			"when = action == add and vendor_id == \"%04x\" and port exists\n"
			"[rule u%d]\nsource = usb\nseverity = info\n"
			"when = manufacturer == PiKVM and (vendor_id == \"%04x\" or port == \"1-%d\")\n",
			i, i % 3, i, i, i);
	rs = load(text);
	for (size_t v = 0; v < 4; v++) {
		struct event *ev = usb_ev("add", "PiKVM", "1-2");

		event_set_str(ev, USB_VENDOR_ID, vendors[v]);
		memset(&a, 0, sizeof(a));
		memset(&b, 0, sizeof(b));
		ruleset_eval(rs, NULL, ev, 0, "h", on_alert, NULL, &a);
		ruleset_eval(rs, NULL, ev, 0, "h", on_alert, on_match, &b);
		assert_int_equal(a.alerts, b.alerts);
		for (int i = 0; i < a.alerts; i++)
			assert_string_equal(a.ids[i], b.ids[i]);
		if (v == 1)	/* 0002: k2, k5, k8, k11, and u2 (vendor and port) */
			assert_int_equal(a.alerts, 4 + 1);
		event_free(ev);
	}
	ruleset_free(rs);
}

/* ---- the verdict past 64 contributing rules ---- */

#define MANY_RULES 80	/* more than the 64 the verdict once remembered */

/* MANY_RULES scored rules of one category on the process source, a
 * threshold they cross together: each new one re-states the verdict. */
static struct ruleset *load_many(struct rule_state *st)
{
	static char text[MANY_RULES * 160];
	struct correlate_config c;
	size_t o = 0;

	for (int i = 0; i < MANY_RULES; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o,
			"[rule many-%02d]\nsource = process\nseverity = warning\n"
			"category = remote-access\nscore = 10\nwhen = comm == \"p%02d\"\n", i, i);
	correlate_config_defaults(&c);
	c.verdict_threshold = 10;
	c.verdict_min_categories = 1;
	rule_state_configure(st, &c);
	return load(text);
}

static void occur(const struct ruleset *rs, struct rule_state *st, int i,
		  uint64_t now, struct seen *s)
{
	char comm[16];
	struct event *ev;

	snprintf(comm, sizeof(comm), "p%02d", i);
	ev = proc_ev("seen", 1000 + i, comm);
	eval(rs, st, ev, now, s);
	event_free(ev);
}

/* Every contributing rule is remembered (the occurrence table's bound),
 * so evidence already named is never re-announced as new: with more than
 * 64 rules, evaluating the verdict again over the same evidence used to
 * re-state it every time. */
static void test_verdict_many_rules(void **state)
{
	struct rule_state *st = rule_state_new();
	struct ruleset *rs = load_many(st);
	struct seen *s = calloc(1, sizeof(*s));

	(void)state;
	assert_non_null(s);
	for (int i = 0; i < MANY_RULES; i++) {
		memset(s, 0, sizeof(*s));
		occur(rs, st, i, (uint64_t)i * 10, s);
		assert_int_equal(count_id(s, VERDICT_RULE_ID), 1);	/* new evidence */
	}
	/* The same evidence again (the verdict is judged on every match
	 * under --explain): already raised, whichever rule matches. */
	for (int i = 0; i < MANY_RULES; i += 7) {
		memset(s, 0, sizeof(*s));
		occur(rs, st, i, 10000 + (uint64_t)i, s);
		assert_int_equal(count_id(s, VERDICT_RULE_ID), 0);
		assert_non_null(strstr(s->verdict, "already raised"));
	}
	free(s);
	rule_state_free(st);
	ruleset_free(rs);
}

/* ---- a verdict that cannot be built (out of memory) ---- */

/* The test binary is linked with -Wl,--wrap=event_new (Makefile,
 * LDWRAP_correlate): the agent event of the verdict alert can be made
 * to fail. */
struct event *__real_event_new(const struct source_def *source);
struct event *__wrap_event_new(const struct source_def *source);
static bool fail_agent_events;

struct event *__wrap_event_new(const struct source_def *source)
{
	if (fail_agent_events && source == &agent_source)
		return NULL;
	return __real_event_new(source);
}

/* A verdict lost to an allocation failure is counted as undelivered, not
 * as sent, and is said at the next judgement instead of being taken for
 * already raised. */
static void test_verdict_out_of_memory(void **state)
{
	struct ruleset *rs = load(farm_rules);
	struct rule_state *st = rule_state_new();
	struct event *u = usb_ev("add", "PiKVM", "1-1");
	struct event *d = disp_ev("add", "LNX", "PiKVM");
	struct rule_state_stats rst;
	struct seen s = { 0 };

	(void)state;
	eval(rs, st, u, 0, &s);
	fail_agent_events = true;
	eval(rs, st, d, 1000, &s);		/* crosses: the alert cannot be built */
	fail_agent_events = false;
	assert_int_equal(count_id(&s, VERDICT_RULE_ID), 0);
	rule_state_stats(st, &rst);
	assert_int_equal(rst.undelivered, 1);
	assert_int_equal(rst.verdicts, 0);
	/* The next judgement over the same evidence says it. */
	eval(rs, st, d, 2000, &s);
	assert_int_equal(count_id(&s, VERDICT_RULE_ID), 1);
	assert_false(s.a[last_of(&s, VERDICT_RULE_ID)].verdict_restated);
	rule_state_stats(st, &rst);
	assert_int_equal(rst.undelivered, 1);
	assert_int_equal(rst.verdicts, 1);
	event_free(u);
	event_free(d);
	rule_state_free(st);
	ruleset_free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threshold_count_group_by),
		cmocka_unit_test(test_threshold_distinct),
		cmocka_unit_test(test_threshold_bounded),
		cmocka_unit_test(test_threshold_evicts_lru),
		cmocka_unit_test(test_sequence),
		cmocka_unit_test(test_sequence_n_of_category),
		cmocka_unit_test(test_verdict_inventory),
		cmocka_unit_test(test_verdict_live),
		cmocka_unit_test(test_verdict_weak_and_window),
		cmocka_unit_test(test_verdict_config),
		cmocka_unit_test(test_lifecycle),
		cmocka_unit_test(test_present_evicts_oldest),
		cmocka_unit_test(test_lifecycle_reload),
		cmocka_unit_test(test_suppressed_99),
		cmocka_unit_test(test_explain_missed),
		cmocka_unit_test(test_scenario_pikvm_edid_anydesk),
		cmocka_unit_test(test_scenario_weak_signals),
		cmocka_unit_test(test_scenario_kvm_plugged),
		cmocka_unit_test(test_index_same_result),
		cmocka_unit_test(test_verdict_many_rules),
		cmocka_unit_test(test_verdict_out_of_memory),
	};

	return cmocka_run_group_tests(tests, make_tmp, rm_tmp);
}
