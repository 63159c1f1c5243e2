/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_skeleton.c - what every collector shares, driven directly: the
 * known-object table (bound, eviction of the oldest, refresh, the removal
 * moved or copied, the reconcile sweep), the event that keeps its first
 * error (and event_complete() that drops a half-built one), the event
 * copy (every field type, independent of its original), the rescan clock
 * and the state allocation and emit of collector.c.  The collectors that
 * use them are tested with real input in test_usb, test_display,
 * test_procsock and test_host.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "collectors/collector.h"
#include "collectors/event.h"
#include "collectors/known.h"

enum { T_ACTION, T_NAME, T_N, T_B, T_IP, T_LIST, T__NFIELDS };

static const struct field_def t_fields[T__NFIELDS] = {
	[T_ACTION] = { "action", FIELD_STRING, "present, add, remove" },
	[T_NAME] = { "name", FIELD_STRING, "a string" },
	[T_N] = { "n", FIELD_INT, "an integer" },
	[T_B] = { "b", FIELD_BOOL, "a boolean" },
	[T_IP] = { "ip", FIELD_IP, "an address" },
	[T_LIST] = { "list", FIELD_LIST, "strings" },
};

static const int t_entity[] = { T_NAME, -1 };

static const struct source_def t_source = {
	.id = SOURCE_USB,
	.name = "test",
	.fields = t_fields,
	.nfields = T__NFIELDS,
	.entity_fields = t_entity,
};

/* An event "add" named name, with n = n. */
static struct event *ev_named(const char *name, int64_t n)
{
	struct event *ev = event_new(&t_source);

	assert_non_null(ev);
	event_set_str(ev, T_ACTION, EVENT_ACTION_ADD);
	event_set_str(ev, T_NAME, name);
	event_set_int(ev, T_N, n);
	return event_complete(ev);
}

static const char *name_of(const struct event *ev)
{
	return event_get_str(ev, T_NAME);
}

/* ---- the event's first error ---- */

static void test_first_error_kept(void **unused)
{
	struct event *ev = event_new(&t_source);

	(void)unused;
	assert_non_null(ev);
	assert_int_equal(event_error(ev), 0);
	assert_int_equal(event_set_str(ev, T_NAME, "ok"), 0);
	assert_int_equal(event_set_str(ev, T_NAME, NULL), 0);	/* NULL: unset, no error */
	assert_int_equal(event_error(ev), 0);
	/* The wrong type, then a bad field, then out of memory: the first stays. */
	assert_int_equal(event_set_int(ev, T_NAME, 1), -EINVAL);
	assert_int_equal(event_set_bool(ev, 99, true), -EINVAL);
	assert_int_equal(event_fail(ev, -ENOMEM), -ENOMEM);
	assert_int_equal(event_set_int(ev, T_N, 7), 0);	/* later setters still work */
	assert_int_equal(event_error(ev), -EINVAL);
	assert_int_equal(event_get(ev, T_N)->i, 7);
	/* Half-built: dropped (and freed: the leak checker of test-asan). */
	assert_null(event_complete(ev));
}

/* The setter that failed, on a fresh event: -EINVAL, kept. */
static int fail_setter(struct event *ev, int which, const struct ip_addr *ip)
{
	switch (which) {
	case 0:
		return event_set_str(ev, T_N, "x");
	case 1:
		return event_set_strn(ev, -1, "x", 1);
	case 2:
		return event_set_int(ev, T_B, 1);
	case 3:
		return event_set_bool(ev, T_IP, true);
	case 4:
		return event_set_ip(ev, T_LIST, ip);
	default:
		return event_list_add(ev, T_LIST, NULL);
	}
}

static void test_first_error_each_setter(void **unused)
{
	struct event *ev;
	struct ip_addr ip;

	(void)unused;
	assert_int_equal(ip_addr_parse("192.0.2.1", &ip), 0);
	for (int which = 0; which < 6; which++) {
		ev = event_new(&t_source);
		assert_non_null(ev);
		assert_int_equal(fail_setter(ev, which, &ip), -EINVAL);
		assert_int_equal(event_error(ev), -EINVAL);
		event_free(ev);
	}
	/* Nothing to keep it in: no crash. */
	assert_int_equal(event_fail(NULL, -ENOMEM), -ENOMEM);
	assert_int_equal(event_error(NULL), -EINVAL);
	assert_null(event_complete(NULL));
	/* 0 is no error. */
	ev = event_new(&t_source);
	assert_int_equal(event_fail(ev, 0), 0);
	assert_ptr_equal(event_complete(ev), ev);
	event_free(ev);
}

/* ---- the event copy ---- */

static void test_copy_every_type(void **unused)
{
	struct event *ev = event_new(&t_source), *c;
	const char bin[] = "a\x01z";
	struct ip_addr ip;
	char buf[64];

	(void)unused;
	assert_non_null(ev);
	assert_int_equal(ip_addr_parse("2001:db8::1", &ip), 0);
	event_set_str(ev, T_ACTION, EVENT_ACTION_PRESENT);
	event_set_strn(ev, T_NAME, bin, 3);
	event_set_int(ev, T_N, -42);
	event_set_bool(ev, T_B, false);
	event_set_ip(ev, T_IP, &ip);
	event_list_add(ev, T_LIST, "one");
	event_list_add(ev, T_LIST, "two");
	ev->ts.tv_sec = 12345;
	ev->ts.tv_nsec = 678;
	c = event_copy(ev);
	assert_non_null(c);
	assert_ptr_equal(c->source, &t_source);
	assert_int_equal(c->ts.tv_sec, 12345);
	assert_int_equal(c->ts.tv_nsec, 678);
	assert_int_equal(event_error(c), 0);
	assert_string_equal(event_get_str(c, T_ACTION), "present");
	assert_int_equal(event_get(c, T_NAME)->str.len, 3);
	assert_memory_equal(event_get(c, T_NAME)->str.ptr, bin, 3);
	assert_int_equal(event_get(c, T_N)->i, -42);
	assert_true(event_get(c, T_B)->set);
	assert_false(event_get(c, T_B)->b);
	ip_addr_format(&event_get(c, T_IP)->ip, buf, sizeof(buf));
	assert_string_equal(buf, "2001:db8::1");
	assert_int_equal(event_get(c, T_LIST)->list.n, 2);
	assert_string_equal(event_get(c, T_LIST)->list.items[1], "two");
	/* Its own memory: the original changed or freed, the copy stays. */
	assert_ptr_not_equal(event_get(c, T_NAME)->str.ptr, event_get(ev, T_NAME)->str.ptr);
	event_set_str(ev, T_ACTION, EVENT_ACTION_REMOVE);
	event_free(ev);
	assert_string_equal(event_get_str(c, T_ACTION), "present");
	assert_string_equal(event_get(c, T_LIST)->list.items[0], "one");
	event_free(c);
}

static void test_copy_unset_and_null(void **unused)
{
	struct event *ev = event_new(&t_source), *c;

	(void)unused;
	assert_null(event_copy(NULL));
	/* An unset field stays unset; the first error is not copied. */
	event_set_int(ev, T_NAME, 1);
	c = event_copy(ev);
	assert_non_null(c);
	assert_int_equal(event_error(c), 0);
	for (int f = 0; f < T__NFIELDS; f++)
		assert_null(event_get(c, f));
	event_free(c);
	event_free(ev);
}

/* ---- the known table ---- */

static void test_known_bound_evicts_oldest(void **unused)
{
	struct known_table t;
	char key[16];

	(void)unused;
	assert_int_equal(known_init(&t, 4), 0);
	for (int i = 0; i < 4; i++) {
		snprintf(key, sizeof(key), "/d/%d", i);
		known_put(&t, key, ev_named(key, i), 0, true);
	}
	assert_int_equal(t.n, 4);
	assert_int_equal(t.evicted, 0);
	/* Refreshed: /d/0 is now the youngest, /d/1 the oldest. */
	known_put(&t, "/d/0", ev_named("/d/0 again", 0), 0, true);
	assert_int_equal(t.n, 4);
	known_put(&t, "/d/4", ev_named("/d/4", 4), 0, true);
	known_put(&t, "/d/5", ev_named("/d/5", 5), 0, true);
	assert_int_equal(t.n, 4);
	assert_int_equal(t.evicted, 2);
	assert_null(known_find(&t, "/d/1"));
	assert_null(known_find(&t, "/d/2"));
	assert_string_equal(name_of(known_find(&t, "/d/0")->ev), "/d/0 again");
	assert_non_null(known_find(&t, "/d/3"));
	assert_non_null(known_find(&t, "/d/4"));
	assert_non_null(known_find(&t, "/d/5"));
	/* What is tracked never exceeds the bound, however many come. */
	for (int i = 6; i < 1000; i++) {
		snprintf(key, sizeof(key), "/d/%d", i);
		known_put(&t, key, ev_named(key, i), 0, true);
		assert_true(t.n <= 4);
	}
	assert_int_equal(t.evicted, 2 + 994);
	assert_non_null(known_find(&t, "/d/999"));	/* the newest is tracked */
	known_free(&t);
	assert_int_equal(t.n, 0);
	known_free(&t);		/* twice, and NULL: fine */
	known_free(NULL);
}

static void test_known_put_null_event(void **unused)
{
	struct known_table t;
	struct known_entry *e;

	(void)unused;
	assert_int_equal(known_init(&t, 2), 0);
	/* A new key without an event is not tracked. */
	known_put(&t, "/d/a", NULL, 7, true);
	assert_int_equal(t.n, 0);
	/* A known one keeps its state, not the old (wrong) event. */
	known_put(&t, "/d/a", ev_named("old", 1), 7, true);
	known_put(&t, "/d/a", NULL, 9, false);
	e = known_find(&t, "/d/a");
	assert_non_null(e);
	assert_null(e->ev);
	assert_int_equal(e->print, 9);
	assert_false(e->present);
	/* Nothing remembered: no removal to report. */
	assert_null(known_removal(&t, e, false));
	assert_int_equal(t.n, 1);
	assert_null(known_removal(&t, e, true));
	assert_int_equal(t.n, 0);
	known_free(&t);
}

static void test_known_removal(void **unused)
{
	struct known_table t;
	struct known_entry *e;
	struct event *ev;

	(void)unused;
	assert_int_equal(known_init(&t, 8), 0);
	known_put(&t, "/d/a", ev_named("a", 1), 0x1234, true);
	known_put(&t, "/d/b", ev_named("b", 2), 0, true);
	e = known_find(&t, "/d/a");
	e->ev->ts.tv_sec = 1;
	/* Copied: the entry stays as it was. */
	ev = known_removal(&t, e, false);
	assert_non_null(ev);
	assert_string_equal(event_get_str(ev, EVENT_FIELD_ACTION), EVENT_ACTION_REMOVE);
	assert_string_equal(name_of(ev), "a");
	assert_int_equal(event_get(ev, T_N)->i, 1);
	assert_true(ev->ts.tv_sec > 1);		/* stamped now */
	assert_int_equal(t.n, 2);
	assert_string_equal(event_get_str(e->ev, T_ACTION), EVENT_ACTION_ADD);
	assert_int_equal(e->ev->ts.tv_sec, 1);
	event_free(ev);
	/* Forgotten: the event moves out, the entry goes. */
	ev = known_removal(&t, known_find(&t, "/d/b"), true);
	assert_non_null(ev);
	assert_string_equal(event_get_str(ev, T_ACTION), EVENT_ACTION_REMOVE);
	assert_string_equal(name_of(ev), "b");
	assert_int_equal(t.n, 1);
	assert_null(known_find(&t, "/d/b"));
	assert_non_null(known_find(&t, "/d/a"));
	event_free(ev);
	known_free(&t);
}

struct swept {
	size_t n;
	char names[8][16];
};

static void sweep_catch(void *opaque, struct event *ev)
{
	struct swept *s = opaque;

	assert_string_equal(event_get_str(ev, T_ACTION), EVENT_ACTION_REMOVE);
	assert_true(s->n < 8);
	snprintf(s->names[s->n++], sizeof(s->names[0]), "%s", name_of(ev));
	event_free(ev);
}

static bool swept_has(const struct swept *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->names[i], name) == 0)
			return true;
	return false;
}

/* A reconcile: what it did not see goes; only what was present is
 * reported removed. */
static void test_known_sweep(void **unused)
{
	static const char *const keys[] = { "a", "b", "c", "d", "e", "f" };
	struct known_table t;
	struct swept s = { 0 };

	(void)unused;
	assert_int_equal(known_init(&t, 8), 0);
	for (size_t i = 0; i < 6; i++)	/* c and f: known, not present */
		known_put(&t, keys[i], ev_named(keys[i], (int64_t)i), 0, i != 2 && i != 5);
	known_unmark(&t);
	for (size_t i = 0; i < t.n; i++)
		assert_false(t.entries[i].seen);
	known_find(&t, "a")->seen = true;
	known_put(&t, "d", ev_named("d2", 3), 0, true);	/* put marks seen */
	known_sweep(&t, sweep_catch, &s);
	assert_int_equal(s.n, 2);
	assert_true(swept_has(&s, "b"));
	assert_true(swept_has(&s, "e"));
	assert_int_equal(t.n, 2);
	assert_non_null(known_find(&t, "a"));
	assert_string_equal(name_of(known_find(&t, "d")->ev), "d2");
	/* A sweep with everything seen reports nothing. */
	s.n = 0;
	known_sweep(&t, sweep_catch, &s);
	assert_int_equal(s.n, 0);
	assert_int_equal(t.n, 2);
	/* Unmarked and swept: all go. */
	known_unmark(&t);
	known_sweep(&t, sweep_catch, &s);
	assert_int_equal(s.n, 2);
	assert_int_equal(t.n, 0);
	known_free(&t);
}

/* ---- collector.c ---- */

static void test_rescan_clock(void **unused)
{
	struct collector_rescan r = { 0 };

	(void)unused;
	collector_rescan_arm(&r, 0, 1000);
	assert_int_equal(r.next_ms, 0);			/* interval 0: never */
	assert_false(collector_rescan_due(&r, UINT64_MAX - 1));
	collector_rescan_soon(&r, 5000);		/* lost input: once */
	assert_false(collector_rescan_due(&r, 4999));
	assert_true(collector_rescan_due(&r, 5000));
	assert_int_equal(r.next_ms, 0);
	collector_rescan_arm(&r, 100, 1000);
	assert_int_equal(r.next_ms, 1100);
	assert_int_equal(collector_ms_until(r.next_ms, 1000), 100);
	assert_false(collector_rescan_due(&r, 1099));
	assert_true(collector_rescan_due(&r, 1150));	/* late: next from now */
	assert_int_equal(r.next_ms, 1250);
	collector_rescan_soon(&r, 2000);		/* never later than planned */
	assert_int_equal(r.next_ms, 1250);
	collector_rescan_soon(&r, 1200);
	assert_int_equal(r.next_ms, 1200);
	assert_int_equal(collector_ms_until(1200, 1300), 0);
	assert_int_equal(collector_ms_until(0, 1300), UINT64_MAX);
	assert_int_equal(collector_earlier(0, 0), 0);
	assert_int_equal(collector_earlier(0, 7), 7);
	assert_int_equal(collector_earlier(7, 0), 7);
	assert_int_equal(collector_earlier(9, 7), 7);
}

struct big_state {
	struct collector_ctx ctx;
	char rest[4096];
};

static size_t emitted;

static void count_emit(void *opaque, struct event *ev)
{
	assert_ptr_equal(opaque, &emitted);
	emitted++;
	event_free(ev);
}

static void test_state_and_emit(void **unused)
{
	struct collector_ctx ctx = { .opaque = &emitted, .emit = count_emit, .rootfs = "/r" };
	void *state = &ctx;
	struct big_state *st;

	(void)unused;
	assert_int_equal(collector_state_new(NULL, sizeof(*st), &state), -EINVAL);
	assert_int_equal(collector_state_new(&ctx, sizeof(*st), NULL), -EINVAL);
	assert_int_equal(collector_state_new(&ctx, sizeof(*st), &state), 0);
	st = state;
	assert_string_equal(st->ctx.rootfs, "/r");
	for (size_t i = 0; i < sizeof(st->rest); i++)
		assert_int_equal(st->rest[i], 0);
	collector_emit(&st->ctx, ev_named("x", 1));
	collector_emit(&st->ctx, NULL);			/* nothing to report */
	assert_int_equal(emitted, 1);
	st->ctx.emit = NULL;				/* nobody listens: freed */
	collector_emit(&st->ctx, ev_named("y", 2));
	assert_int_equal(emitted, 1);
	free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_error_kept),
		cmocka_unit_test(test_first_error_each_setter),
		cmocka_unit_test(test_copy_every_type),
		cmocka_unit_test(test_copy_unset_and_null),
		cmocka_unit_test(test_known_bound_evicts_oldest),
		cmocka_unit_test(test_known_put_null_event),
		cmocka_unit_test(test_known_removal),
		cmocka_unit_test(test_known_sweep),
		cmocka_unit_test(test_rescan_clock),
		cmocka_unit_test(test_state_and_emit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
