/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rulebench.c - `make bench`: the rule engine's events per second on one
 * core (DESIGN §8 budget: at least a million).
 *
 *   rulebench RULES_DIR [SECONDS]         evaluate against a rule pack
 *   rulebench --gen DIR N                 write N generated rules to DIR
 *
 * The events are an everyday mix, the kind the engine sees all day and
 * must dismiss quickly: DNS lookups and TLS connections to ordinary sites
 * (net), a shell and a browser starting (process), a keyboard plugged
 * (usb).  Each is built once, with varying names, and evaluated round-robin
 * through ruleset_eval() with a real rule_state (cooldowns, lifecycle,
 * correlation all on); alerts are counted, not formatted.  Prints:
 *
 *   rules=N events=M seconds=S events_per_sec=X alerts=A
 *
 * Generated rules (--gen) look like the shipped ones: a source, an action
 * test, and an equality, startswith, in-list or regex condition on a
 * string field, spread over the three sources.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collectors/event.h"
#include "rules/alert.h"
#include "rules/rules.h"

#define NEVENTS 64

static unsigned long alerts;

static void on_alert(void *opaque, const struct alert *a)
{
	(void)opaque; (void)a;
	alerts++;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Set a field by name; the tables are the collectors' own. */
static void set_str(struct event *ev, const struct source_def *s, const char *f, const char *v)
{
	int i = source_field_index(s, f);

	if (i >= 0)
		event_set_str(ev, i, v);
}

static void set_int(struct event *ev, const struct source_def *s, const char *f, int64_t v)
{
	int i = source_field_index(s, f);

	if (i >= 0)
		event_set_int(ev, i, v);
}

static void set_ip(struct event *ev, const struct source_def *s, const char *f, const char *v)
{
	struct ip_addr ip;
	int i = source_field_index(s, f);

	if (i >= 0 && ip_addr_parse(v, &ip) == 0)
		event_set_ip(ev, i, &ip);
}

static struct event *make_event(int k)
{
	static const char *const sites[] = {
		"www.example.com", "mail.example.org", "cdn.example.net", "docs.example.com",
	};
	const struct source_def *net = source_by_name("net");
	const struct source_def *proc = source_by_name("process");
	const struct source_def *usb = source_by_name("usb");
	char name[96];
	struct event *ev;

	switch (k % 4) {
	case 0:		/* DNS lookup */
	case 1:		/* TLS connection */
		ev = event_new(net);
		if (!ev)
			return NULL;
		snprintf(name, sizeof(name), "host%d.%s", k, sites[k % 4]);
		set_str(ev, net, "action", "seen");
		set_str(ev, net, "kind", k % 4 ? "tls" : "dns");
		set_ip(ev, net, "src_ip", "192.168.1.20");
		set_ip(ev, net, "dst_ip", k % 4 ? "203.0.113.10" : "192.168.1.1");
		set_int(ev, net, "src_port", 40000 + k);
		set_int(ev, net, "dst_port", k % 4 ? 443 : 53);
		set_str(ev, net, "transport", k % 4 ? "tcp" : "udp");
		set_str(ev, net, "direction", "outbound");
		set_str(ev, net, k % 4 ? "tls_sni" : "dns_query", name);
		if (k % 4)
			set_str(ev, net, "alpn", "h2,http/1.1");
		return ev;
	case 2:		/* a process starts */
		ev = event_new(proc);
		if (!ev)
			return NULL;
		set_str(ev, proc, "action", "add");
		set_int(ev, proc, "pid", 1000 + k);
		set_int(ev, proc, "ppid", 1);
		set_int(ev, proc, "uid", 1000);
		set_str(ev, proc, "comm", k % 8 == 2 ? "bash" : "firefox");
		set_str(ev, proc, "exe", k % 8 == 2 ? "/usr/bin/bash" : "/usr/lib/firefox/firefox");
		set_str(ev, proc, "cmdline", k % 8 == 2 ? "-bash" : "/usr/lib/firefox/firefox --new-window");
		set_str(ev, proc, "parent_comm", "systemd");
		return ev;
	default:	/* a keyboard */
		ev = event_new(usb);
		if (!ev)
			return NULL;
		set_str(ev, usb, "action", "add");
		set_str(ev, usb, "vendor_id", "046d");
		set_str(ev, usb, "product_id", "c31c");
		set_str(ev, usb, "manufacturer", "Logitech");
		set_str(ev, usb, "product", "USB Keyboard");
		snprintf(name, sizeof(name), "1-%d", 1 + k % 4);
		set_str(ev, usb, "port", name);
		set_str(ev, usb, "speed", "low");
		set_str(ev, usb, "interfaces", "03:01:01,03:00:00");
		return ev;
	}
}

static int gen(const char *dir, int n)
{
	static const char *const src[] = { "net", "process", "usb" };

	for (int i = 0; i < n; i++) {
		char path[4096], when[256];
		FILE *f;

		snprintf(path, sizeof(path), "%s/gen-%04d.rules", dir, i);
		switch (i % 6) {
		case 0: snprintf(when, sizeof(when), "dns_query == \"gen%d.example\"", i); break;
		case 1: snprintf(when, sizeof(when), "tls_sni ~ \"^gen%d\\\\.[a-z]+\\\\.example$\"", i); break;
		case 2: snprintf(when, sizeof(when), "action in (present, add) and exe startswith \"/opt/gen%d/\"", i); break;
		case 3: snprintf(when, sizeof(when), "action in (present, add) and comm in (\"gen%da\", \"gen%db\", \"gen%dc\")", i, i, i); break;
		case 4: snprintf(when, sizeof(when), "action == add and vendor_id == \"%04x\" and product_id == \"%04x\"", 0x1000 + i, i); break;
		default: snprintf(when, sizeof(when), "action == add and product ~ \"(?i)gen%d\"", i); break;
		}
		f = fopen(path, "w");
		if (!f) {
			perror(path);
			return 1;
		}
		fprintf(f, "[rule gen-%04d]\nname        = generated rule %d\nsource      = %s\n"
			"when        = %s\nseverity    = notice\nconfidence  = low\ncategory    = test\n"
			"score       = 0\nmitre       = T1219\nreferences  = tests/tools/rulebench.c\n",
			i, i, src[(i % 6) / 2], when);
		fclose(f);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct event *ev[NEVENTS];
	struct diag_list diags = { 0 };
	struct ruleset *rs = NULL;
	struct rule_state *st;
	unsigned long n = 0;
	double secs, t0, t;
	int r;

	if (argc == 4 && strcmp(argv[1], "--gen") == 0)
		return gen(argv[2], atoi(argv[3]));
	if (argc < 2) {
		fprintf(stderr, "usage: rulebench RULES_DIR [SECONDS] | rulebench --gen DIR N\n");
		return 2;
	}
	secs = argc > 2 ? atof(argv[2]) : 2.0;
	r = ruleset_load_dir(argv[1], time(NULL), &rs, &diags);
	if (r < 0) {
		fprintf(stderr, "rulebench: %s: cannot load rules (%d errors)\n", argv[1],
			(int)diag_list_errors(&diags));
		return 1;
	}
	diag_list_clear(&diags);
	st = rule_state_new();
	for (int i = 0; i < NEVENTS; i++)
		if (!(ev[i] = make_event(i)))
			return 1;
	t0 = now_s();
	do {
		uint64_t ms = mono_ms();

		for (int k = 0; k < 4096; k++)
			ruleset_eval(rs, st, ev[k % NEVENTS], ms, "bench", on_alert, NULL, NULL);
		n += 4096;
		t = now_s() - t0;
	} while (t < secs);
	printf("rules=%zu events=%lu seconds=%.2f events_per_sec=%.0f alerts=%lu\n",
	       ruleset_rule_count(rs), n, t, (double)n / t, alerts);
	for (int i = 0; i < NEVENTS; i++)
		event_free(ev[i]);
	rule_state_free(st);
	ruleset_free(rs);
	return 0;
}
