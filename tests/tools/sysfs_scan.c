/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sysfs_scan.c - fault injection: one inventory of a udev collector, with
 * every event and the collector's counters printed.
 *
 *   sysfs_scan usb|display
 *
 * Runs the real collector's init + scan() + stats() + free, the way
 * `farmhound --scan` does, and prints one line per emitted event:
 *
 *   event action=present port=1-2 vendor_id=046d ...
 *
 * (every field that is set, in field-table order; lists comma-joined),
 * then one last line:
 *
 *   rc=0 events=N skipped=N tracked=N
 *
 * rc is scan()'s return, skipped/tracked the collector's stats().
 * tests/integration/fault_sysfs.sh runs it inside a umockdev testbed with
 * an LD_PRELOAD shim that removes a device from sysfs while the collector
 * reads it, and checks the device was skipped and counted, not reported
 * half-read.  Why a tool and not `farmhound --scan`: --scan does not print
 * the collectors' skipped counters, and rules only show the events that
 * matched one.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/collector.h"
#include "collectors/display/display.h"
#include "collectors/event.h"
#include "collectors/usb/usb.h"

static unsigned long events;

static void print_value(const struct value *v)
{
	switch (v->type) {
	case FIELD_STRING:
		/* Fixture strings only; a blank would split the field. */
		for (size_t i = 0; i < v->str.len; i++)
			putchar(v->str.ptr[i] == ' ' ? '_' : v->str.ptr[i]);
		break;
	case FIELD_INT:
		printf("%" PRId64, v->i);
		break;
	case FIELD_BOOL:
		fputs(v->b ? "true" : "false", stdout);
		break;
	case FIELD_IP: {
		char buf[64];

		ip_addr_format(&v->ip, buf, sizeof(buf));
		fputs(buf, stdout);
		break;
	}
	case FIELD_LIST:
		for (size_t i = 0; i < v->list.n; i++)
			printf("%s%s", i ? "," : "", v->list.items[i]);
		break;
	}
}

static void on_emit(void *opaque, struct event *ev)
{
	const struct source_def *s = ev->source;

	(void)opaque;
	events++;
	fputs("event", stdout);
	for (size_t f = 0; f < s->nfields; f++) {
		if (!ev->values[f].set)
			continue;
		printf(" %s=", s->fields[f].name);
		print_value(&ev->values[f]);
	}
	putchar('\n');
	event_free(ev);		/* the loop owns emitted events: so do we */
}

static void on_note(void *opaque, int level, const char *collector, const char *fmt, ...)
{
	(void)opaque; (void)level; (void)collector; (void)fmt;	/* quiet */
}

int main(int argc, char **argv)
{
	struct collector_ctx ctx = {
		.emit = on_emit, .note = on_note, .rootfs = "/", .procfs = "/proc",
		.mode = COLLECTOR_SCAN,
	};
	struct collector_stats cs = { 0 };
	const struct collector *c;
	void *st = NULL;
	int r;

	if (argc != 2 || (strcmp(argv[1], "usb") != 0 && strcmp(argv[1], "display") != 0)) {
		fprintf(stderr, "usage: sysfs_scan usb|display\n");
		return 2;
	}
	c = strcmp(argv[1], "usb") == 0 ? &usb_collector : &display_collector;
	r = c->init(&ctx, &st);
	if (r < 0) {
		fprintf(stderr, "sysfs_scan: init: %s\n", strerror(-r));
		return 2;
	}
	r = c->scan(st);
	c->stats(st, &cs);
	printf("rc=%d events=%lu skipped=%" PRIu64 " tracked=%" PRIu64 "\n", r, events,
	       cs.skipped, cs.tracked);
	c->free(st);
	return r < 0 ? 1 : 0;
}
