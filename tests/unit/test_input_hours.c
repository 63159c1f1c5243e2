/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_input_hours.c - the activity_hours detector (collectors/input/
 * hours.c) on synthetic weeks in New York time, judged by the shipped rules
 * (66-input-hours.rules): an office worker 09-17 Mon-Fri, an on-call
 * engineer and a traveller in Europe stay at notice or below; a night
 * worker 23-07 and a worker in Seoul keeping Seoul hours fire the warning;
 * a DST week in New York and in Berlin keeps the histogram on the wall
 * clock (the UTC instants are written with explicit offsets, not computed
 * by the code under test); the ring rolls over after 7 days in fixed
 * memory; a save and a load give the same summary, and a corrupt,
 * truncated, oversized, future-dated or foreign file is refused and leaves
 * the detector empty.  Zones: tests/fixtures/tz (gen.py).
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "collectors/geo.h"
#include "collectors/input/hours.h"
#include "collectors/input/input.h"
#include "collectors/process/process.h"
#include "lib/sha256.h"
#include "rules/alert.h"
#include "rules/rules.h"

#define ROOT "tests/fixtures/tz/root"
#define H 3600
#define NOW_RULES 1790000000

static struct activity_hours h, h2;	/* 20 KiB each: not on the stack */
static struct activity_hours_summary s, s2;

static int64_t civil(int y, int m, int d)
{
	return tz_days_from_civil(y, (unsigned int)m, (unsigned int)d);
}

static void config(struct activity_hours *x, const char *wh, const char *wd, const char *zone)
{
	char err[128] = "";

	activity_hours_init(x);
	assert_int_equal(activity_hours_config_root(x, ROOT, wh, wd, zone, err, sizeof(err)), 0);
}

/* Input every 20 s from local minute `from` of day to `to` (to <= from:
 * the next day), the wall clock being UTC+off_h. */
static void active(struct activity_hours *x, int64_t day, int from, int to, int off_h)
{
	int end = to > from ? to : to + HOURS_MINUTES;

	for (int m = from; m < end; m++)
		for (int sec = 0; sec < 60; sec += 20)
			activity_hours_note(x, (time_t)(day * 86400 + m * 60 + sec - off_h * H));
}

static time_t local_at(int64_t day, int minute, int off_h)
{
	return (time_t)(day * 86400 + minute * 60 - off_h * H);
}

/* ---- the shipped rules ---- */

struct verdict {
	bool notice, warning, farm;
	char category[32];	/* of the hours rules that fired */
};

static void on_alert(void *opaque, const struct alert *a)
{
	struct verdict *v = opaque;

	if (strncmp(a->rule->id, "input-hours-", 12) == 0)
		snprintf(v->category, sizeof(v->category), "%s", a->rule->category);

	v->notice |= strcmp(a->rule->id, "input-hours-off-hours") == 0;
	v->warning |= strcmp(a->rule->id, "input-hours-night") == 0;
	v->farm |= strcmp(a->rule->id, "laptop-farm-suspected") == 0;
}

/* AnyDesk running (rmm-anydesk, remote-access, 40), as test_input_verdict.c. */
static struct event *anydesk(void)
{
	struct event *ev = event_new(&process_source);

	event_set_str(ev, PROCESS_ACTION, "present");
	event_set_int(ev, PROCESS_PID, 4242);
	event_set_str(ev, PROCESS_COMM, "anydesk");
	event_set_str(ev, PROCESS_EXE, "/usr/bin/anydesk");
	event_set_str(ev, PROCESS_CMDLINE, "/usr/bin/anydesk --service");
	return event_complete(ev);
}

/* The summary's event through the shipped rules and the verdict, with a
 * remote-access tool running beside it if rmm. */
static struct verdict judge_with(const struct activity_hours_summary *sum, bool rmm)
{
	struct diag_list d = { 0 };
	struct ruleset *rs = NULL;
	struct rule_state *st = rule_state_new();
	struct event *ev[2] = { input_hours_event(sum), rmm ? anydesk() : NULL };
	struct verdict v = { 0 };

	assert_int_equal(ruleset_load_dir("rules/rules.d", NOW_RULES, &rs, &d), 0);
	diag_list_clear(&d);
	assert_non_null(st);
	rule_state_defer_verdict(st, true);
	for (int i = 0; i < 2; i++) {
		if (!ev[i])
			continue;
		ruleset_eval(rs, st, ev[i], 10, "lt-042", on_alert, NULL, &v);
		event_free(ev[i]);
	}
	ruleset_verdict(st, 20, "lt-042", on_alert, NULL, &v);
	rule_state_free(st);
	ruleset_free(rs);
	return v;
}

static struct verdict judge(const struct activity_hours_summary *sum)
{
	return judge_with(sum, false);
}

/* ---- weeks in New York, winter (EST, UTC-5): Mon 2026-11-09 .. Sun 11-15 ---- */

#define MON civil(2026, 11, 9)
#define SUNDAY_NIGHT local_at(MON + 6, 23 * 60 + 59, -5)

static void test_office_worker(void **state)
{
	struct verdict v;

	(void)state;
	config(&h, NULL, NULL, "America/New_York");
	for (int d = 0; d < 5; d++)
		active(&h, MON + d, 9 * 60, 17 * 60, -5);
	assert_int_equal(activity_hours_summary(&h, SUNDAY_NIGHT, &s), 0);
	assert_int_equal(s.active_minutes, 5 * 480);	/* three notes a minute count once */
	assert_int_equal(s.outside_minutes, 0);
	assert_int_equal(s.night_minutes, 0);
	assert_int_equal(s.days, 5);
	for (int hr = 0; hr < 24; hr++)
		assert_int_equal(s.hist[hr], hr >= 9 && hr < 17 ? 300 : 0);
	assert_string_equal(s.zone, "America/New_York");
	assert_string_equal(s.working_hours, "08:00-18:00");
	v = judge(&s);
	assert_false(v.notice || v.warning);
}

static void test_night_worker(void **state)
{
	struct verdict v;

	(void)state;
	config(&h, NULL, NULL, "America/New_York");
	for (int d = 0; d < 5; d++)
		active(&h, MON + d, 23 * 60, 7 * 60, -5);
	assert_int_equal(activity_hours_summary(&h, SUNDAY_NIGHT, &s), 0);
	assert_int_equal(s.active_minutes, 5 * 480);
	assert_int_equal(s.outside_pct, 100);
	assert_int_equal(s.night_minutes, 5 * 420);	/* 23:00-06:00 of 23:00-07:00 */
	assert_int_equal(s.night_pct, 88);
	assert_int_equal(s.days, 6);			/* Monday 23:00 .. Saturday 07:00 */
	assert_int_equal(s.hist[23], 300);
	assert_int_equal(s.hist[12], 0);
	v = judge(&s);
	assert_true(v.notice && v.warning);
	assert_false(v.farm);				/* context, never a verdict alone */
	assert_string_equal(v.category, "location");	/* with the [geo] mismatches */
	v = judge_with(&s, true);
	assert_true(v.warning);
	assert_false(v.farm);				/* nor with a remote-access tool: 20 + 40 */
}

/* Seoul's working day, 09:00-18:00 KST (UTC+9), seen from New York. */
static void test_worker_in_seoul(void **state)
{
	(void)state;
	config(&h, NULL, NULL, "America/New_York");
	/* Seoul's Tue 11-10 .. Sat 11-14: New York's Mon 19:00 .. Sat 04:00. */
	for (int d = 1; d <= 5; d++)
		active(&h, MON + d, 9 * 60, 18 * 60, 9);
	assert_int_equal(activity_hours_summary(&h, SUNDAY_NIGHT, &s), 0);
	assert_int_equal(s.active_minutes, 5 * 540);
	assert_int_equal(s.hist[19], 300);		/* 09:00 KST = 19:00 EST */
	assert_int_equal(s.hist[3], 300);
	assert_int_equal(s.hist[4], 0);
	assert_int_equal(s.outside_pct, 100);
	assert_int_equal(s.night_pct, 67);		/* 22:00-04:00 of 19:00-04:00 */
	assert_true(judge(&s).warning);
}

static void test_on_call(void **state)
{
	struct verdict v;

	(void)state;
	config(&h, NULL, NULL, "America/New_York");
	/* In time order: a note before one already made is a clock gone back. */
	for (int d = 0; d < 5; d++) {
		if (d == 1)
			active(&h, MON + d, 1 * 60, 2 * 60, -5);		/* paged at 01:00 */
		if (d == 3)
			active(&h, MON + d, 2 * 60 + 30, 3 * 60 + 30, -5);
		active(&h, MON + d, 9 * 60, 17 * 60, -5);
	}
	assert_int_equal(activity_hours_summary(&h, SUNDAY_NIGHT, &s), 0);
	assert_int_equal(s.active_minutes, 2520);
	assert_int_equal(s.outside_minutes, 120);
	assert_int_equal(s.outside_pct, 5);
	v = judge(&s);
	assert_false(v.notice || v.warning);
}

/* A traveller in Berlin (CET, UTC+1) keeping 09:00-17:00 there. */
static void test_traveller(void **state)
{
	struct verdict v;

	(void)state;
	config(&h, NULL, NULL, "America/New_York");
	for (int d = 0; d < 5; d++)
		active(&h, MON + d, 9 * 60, 17 * 60, 1);
	assert_int_equal(activity_hours_summary(&h, SUNDAY_NIGHT, &s), 0);
	assert_int_equal(s.outside_pct, 63);		/* 03:00-08:00 of 03:00-11:00 */
	assert_int_equal(s.night_pct, 38);		/* 03:00-06:00 */
	v = judge(&s);
	assert_true(v.notice);
	assert_false(v.warning);
}

/* Three nights 22-06, two days 06-14. */
static void test_rotating_shift(void **state)
{
	struct verdict v;

	(void)state;
	config(&h, NULL, NULL, "America/New_York");
	for (int d = 0; d < 3; d++)
		active(&h, MON + d, 22 * 60, 6 * 60, -5);
	for (int d = 3; d < 5; d++)
		active(&h, MON + d, 6 * 60, 14 * 60, -5);
	assert_int_equal(activity_hours_summary(&h, SUNDAY_NIGHT, &s), 0);
	assert_int_equal(s.outside_pct, 70);
	assert_int_equal(s.night_pct, 60);
	v = judge(&s);
	assert_true(v.notice);
	assert_false(v.warning);
	/* Not enough data: 12 hours of night work on two days are silent. */
	config(&h, NULL, NULL, "America/New_York");
	active(&h, MON, 18 * 60, 6 * 60, -5);
	assert_int_equal(activity_hours_summary(&h, SUNDAY_NIGHT, &s), 0);
	assert_int_equal(s.days, 2);
	assert_int_equal(s.active_minutes, 720);
	assert_int_equal(s.outside_pct, 100);
	v = judge(&s);
	assert_false(v.notice || v.warning);
}

/* The edges of the rules: each case misses one condition of the warning. */
static void test_rule_edges(void **state)
{
	struct verdict v;

	(void)state;
	/* A late worker, 16:00-02:00: 80% outside but 40% at night. */
	config(&h, NULL, NULL, "America/New_York");
	for (int d = 0; d < 5; d++)
		active(&h, MON + d, 16 * 60, 2 * 60, -5);
	assert_int_equal(activity_hours_summary(&h, SUNDAY_NIGHT, &s), 0);
	assert_int_equal(s.outside_pct, 80);
	assert_int_equal(s.night_pct, 40);
	v = judge(&s);
	assert_true(v.notice);
	assert_false(v.warning);
	/* Two nights 23-07: everything at night, but on 3 days only. */
	config(&h, NULL, NULL, "America/New_York");
	for (int d = 0; d < 2; d++)
		active(&h, MON + d, 23 * 60, 7 * 60, -5);
	assert_int_equal(activity_hours_summary(&h, SUNDAY_NIGHT, &s), 0);
	assert_int_equal(s.days, 3);
	assert_int_equal(s.active_minutes, 960);
	v = judge(&s);
	assert_true(v.notice);
	assert_false(v.warning);
	/* Five short nights 00:00-02:30: 750 minutes, under the warning's 900. */
	config(&h, NULL, NULL, "America/New_York");
	for (int d = 0; d < 5; d++)
		active(&h, MON + d, 0, 150, -5);
	assert_int_equal(activity_hours_summary(&h, SUNDAY_NIGHT, &s), 0);
	assert_int_equal(s.days, 5);
	assert_int_equal(s.night_pct, 100);
	v = judge(&s);
	assert_true(v.notice);
	assert_false(v.warning);
}

/* With "22:00-06:00" "mon-fri", is one minute of input outside? */
static uint32_t outside_once(int64_t day, int minute)
{
	config(&h, "22:00-06:00", "mon-fri", "America/New_York");
	activity_hours_note(&h, local_at(day, minute, -5));
	assert_int_equal(activity_hours_summary(&h, SUNDAY_NIGHT, &s), 0);
	assert_int_equal(s.active_minutes, 1);
	return s.outside_minutes;
}

/* A night shift configured as such is inside its hours; the part after
 * midnight belongs to the day the shift began. */
static void test_overnight_hours(void **state)
{
	(void)state;
	assert_int_equal(outside_once(MON + 4, 23 * 60), 0);	/* Fri 23:00 */
	assert_int_equal(outside_once(MON + 5, 3 * 60), 0);	/* Sat 03:00: Friday's shift */
	assert_int_equal(outside_once(MON + 1, 3 * 60), 0);	/* Tue 03:00: Monday's */
	assert_int_equal(outside_once(MON, 3 * 60), 1);		/* Mon 03:00: Sunday's */
	assert_int_equal(outside_once(MON + 5, 23 * 60), 1);	/* Sat 23:00 */
	assert_int_equal(outside_once(MON + 2, 12 * 60), 1);	/* Wed noon */
	assert_int_equal(outside_once(MON + 2, 6 * 60), 1);	/* Wed 06:00: the end is out */
	assert_int_equal(outside_once(MON + 2, 22 * 60), 0);	/* Wed 22:00: the start is in */
	assert_string_equal(s.working_hours, "22:00-06:00");
}

/* New York falls back on Sun 2026-11-01 (EDT -4 -> EST -5); Berlin
 * springs forward on Sun 2026-03-29 (CET +1 -> CEST +2).  An office worker
 * around each: the histogram stays on 09-17 wall-clock time. */
static void test_dst_weeks(void **state)
{
	int64_t thu = civil(2026, 10, 29);
	const int ny[] = { 0, 1, 4, 5, 6 };	/* Thu, Fri, Mon, Tue, Wed */

	(void)state;
	config(&h, NULL, NULL, "America/New_York");
	for (int i = 0; i < 5; i++)
		active(&h, thu + ny[i], 9 * 60, 17 * 60, thu + ny[i] < civil(2026, 11, 1) ? -4 : -5);
	assert_int_equal(activity_hours_summary(&h, local_at(thu + 6, 23 * 60, -5), &s), 0);
	assert_int_equal(s.days, 5);
	for (int hr = 0; hr < 24; hr++)
		assert_int_equal(s.hist[hr], hr >= 9 && hr < 17 ? 300 : 0);
	assert_int_equal(s.outside_minutes, 0);

	thu = civil(2026, 3, 26);
	config(&h, NULL, NULL, "Europe/Berlin");
	for (int i = 0; i < 5; i++)
		active(&h, thu + ny[i], 9 * 60, 17 * 60, thu + ny[i] < civil(2026, 3, 29) ? 1 : 2);
	assert_int_equal(activity_hours_summary(&h, local_at(thu + 6, 23 * 60, 2), &s), 0);
	for (int hr = 0; hr < 24; hr++)
		assert_int_equal(s.hist[hr], hr >= 9 && hr < 17 ? 300 : 0);
	assert_string_equal(s.zone, "Europe/Berlin");
}

static void test_ring(void **state)
{
	int64_t d0 = MON;

	(void)state;
	config(&h, NULL, NULL, "Asia/Seoul");
	/* One minute on each of 10 days: the window holds the last 7. */
	for (int d = 0; d < 10; d++)
		activity_hours_note(&h, local_at(d0 + d, d * 60, 9));
	assert_int_equal(activity_hours_summary(&h, local_at(d0 + 9, 23 * 60, 9), &s), 0);
	assert_int_equal(s.days, 7);
	assert_int_equal(s.active_minutes, 7);
	assert_int_equal(s.hist[2], 0);		/* day 2 rolled out */
	assert_int_equal(s.hist[3], 1);
	/* A day later, one more is gone without any note. */
	assert_int_equal(activity_hours_summary(&h, local_at(d0 + 10, 12 * 60, 9), &s), 0);
	assert_int_equal(s.days, 6);
	/* The clock going back a week: the "future" days 3..9 are dropped
	 * (days 0..2 had been overwritten by 7..9 already). */
	activity_hours_note(&h, local_at(d0 + 2, 5 * 60, 9));
	assert_int_equal(activity_hours_summary(&h, local_at(d0 + 2, 6 * 60, 9), &s), 0);
	assert_int_equal(s.active_minutes, 1);
	assert_int_equal(activity_hours_summary(&h, local_at(d0 + 8, 6 * 60, 9), &s), 0);
	assert_int_equal(s.active_minutes, 1);		/* not days 3..8 */
}

/* A note every second for 5 weeks: nothing grows, nothing overflows. */
static void test_bounded(void **state)
{
	uint32_t sum = 0;
	time_t t0 = local_at(MON, 0, 9);

	(void)state;
	assert_true(sizeof(struct activity_hours) < 24 * 1024);
	config(&h, NULL, NULL, "Asia/Seoul");
	for (time_t t = t0; t < t0 + 35 * 86400; t++)
		activity_hours_note(&h, t);
	assert_int_equal(activity_hours_summary(&h, t0 + 35 * 86400 - 1, &s), 0);
	assert_int_equal(s.active_minutes, HOURS_DAYS * HOURS_MINUTES);
	assert_int_equal(s.days, HOURS_DAYS);
	for (int hr = 0; hr < 24; hr++)
		sum += s.hist[hr];
	assert_int_equal(sum, s.active_minutes);
}

static void test_options(void **state)
{
	static const char *const good_h[] = { "08:00-18:00", "22:00-06:00", "00:00-24:00" };
	static const char *const bad_h[] = { "8:00-18:00", "08:00-08:00", "24:00-08:00",
					     "08:60-18:00", "08:00-18:00x", "", "08:00_18:00" };
	static const char *const good_d[] = { "mon-fri", "mon,tue,thu", "MON-FRI", "fri-mon", "sun" };
	static const char *const bad_d[] = { "", "mon,", "monday", "mon-", "xyz", "mon--fri", ",mon" };
	static struct geo_config geo;	/* 12 KiB */
	char err[128], name[HOURS_ZONE_LEN];

	(void)state;
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(activity_hours_check_working_hours(good_h[i], err, sizeof(err)), 0);
	for (size_t i = 0; i < 7; i++)
		assert_int_equal(activity_hours_check_working_hours(bad_h[i], err, sizeof(err)), -EINVAL);
	assert_int_equal(activity_hours_check_working_hours(NULL, err, sizeof(err)), -EINVAL);
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(activity_hours_check_working_days(good_d[i], err, sizeof(err)), 0);
	for (size_t i = 0; i < 7; i++)
		assert_int_equal(activity_hours_check_working_days(bad_d[i], err, sizeof(err)), -EINVAL);
	assert_int_equal(activity_hours_check_timezone("America/New_York", err, sizeof(err)), 0);
	assert_int_equal(activity_hours_check_timezone("", err, sizeof(err)), 0);
	assert_int_equal(activity_hours_check_timezone("../../etc/shadow", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "time zone"));

	/* A reload keeps the minutes unless the zone changed (their dates
	 * were another zone's). */
	config(&h, NULL, NULL, "America/New_York");
	activity_hours_note(&h, local_at(MON + 2, 12 * 60, -5));
	assert_int_equal(activity_hours_config_root(&h, ROOT, "10:00-11:00", NULL, "America/New_York",
						    err, sizeof(err)), 0);
	assert_int_equal(activity_hours_summary(&h, SUNDAY_NIGHT, &s), 0);
	assert_int_equal(s.active_minutes, 1);
	assert_int_equal(s.outside_minutes, 1);		/* judged by the new hours */
	assert_int_equal(activity_hours_config_root(&h, ROOT, NULL, NULL, "Europe/Berlin",
						    err, sizeof(err)), 0);
	assert_int_equal(activity_hours_summary(&h, SUNDAY_NIGHT, &s), 0);
	assert_int_equal(s.active_minutes, 0);

	/* The machine's own tree: a bad value before any file is read; a zone
	 * that exists nowhere. */
	assert_int_equal(activity_hours_config(&h, "8-18", NULL, NULL, err, sizeof(err)), -EINVAL);
	assert_int_equal(activity_hours_config(&h, NULL, NULL, "Nowhere/Atlantis", err,
					       sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "no such time zone"));

	/* Config: an unknown zone fails and changes nothing. */
	config(&h, "09:00-17:00", "mon,wed", "America/New_York");
	assert_int_equal(activity_hours_config_root(&h, ROOT, NULL, NULL, "Nowhere/Atlantis",
						    err, sizeof(err)), -ENOENT);
	assert_string_equal(h.zone_name, "America/New_York");
	assert_string_equal(h.working_days, "mon,wed");
	/* The machine's zone: etc/localtime, named by its link. */
	config(&h, NULL, NULL, NULL);
	assert_string_equal(h.zone_name, "Asia/Seoul");
	assert_int_equal(tz_offset(&h.zone, NOW_RULES), 9 * H);
	activity_hours_init(&h);
	assert_int_equal(activity_hours_config_root(&h, ROOT "/usr", NULL, NULL, "", err,
						    sizeof(err)), 0);
	assert_string_equal(h.zone_name, "UTC");	/* no /etc/localtime */

	/* [geo]: the machine's zone if expected, else the first plain name;
	 * patterns are not zones. */
	activity_hours_machine_zone(ROOT, name);
	assert_string_equal(name, "Asia/Seoul");
	activity_hours_machine_zone(ROOT "/usr", name);
	assert_string_equal(name, "UTC");
	assert_null(activity_hours_zone(NULL, NULL, "Asia/Seoul"));
	assert_null(activity_hours_zone(&geo, "", "Asia/Seoul"));
	assert_int_equal(geo_set_parse(&geo.timezones, "America/*, US/Eas?ern, America/Chicago"), 0);
	assert_string_equal(activity_hours_zone(&geo, NULL, "America/Los_Angeles"),
			    "America/Los_Angeles");
	assert_string_equal(activity_hours_zone(&geo, NULL, "Asia/Seoul"), "America/Chicago");
	assert_string_equal(activity_hours_zone(&geo, NULL, NULL), "America/Chicago");
	assert_string_equal(activity_hours_zone(&geo, "Asia/Seoul", "America/Denver"), "Asia/Seoul");
	assert_int_equal(geo_set_parse(&geo.timezones, "Europe/*"), 0);
	assert_null(activity_hours_zone(&geo, NULL, "Asia/Seoul"));
}

/* ---- state ---- */

static char dir[64];

static int open_dir(void)
{
	int fd;

	snprintf(dir, sizeof(dir), "/tmp/fh-hours-XXXXXX");
	assert_non_null(mkdtemp(dir));
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	return fd;
}

static void close_dir(int fd)
{
	char cmd[128];

	close(fd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void write_file(int dfd, const char *name, const char *buf, size_t len)
{
	int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	close(fd);
}

static void night_week(struct activity_hours *x)
{
	config(x, NULL, NULL, "America/New_York");
	for (int d = 0; d < 5; d++)
		active(x, MON + d, 23 * 60, 7 * 60, -5);
}

static void test_restart(void **state)
{
	int dfd = open_dir();

	(void)state;
	night_week(&h);
	assert_int_equal(activity_hours_save(&h, dfd, "activity-hours"), 0);
	assert_int_equal(faccessat(dfd, "activity-hours.tmp", F_OK, 0), -1);	/* renamed */
	config(&h2, NULL, NULL, "America/New_York");
	assert_int_equal(activity_hours_load(&h2, dfd, "activity-hours", SUNDAY_NIGHT), 0);
	assert_int_equal(activity_hours_summary(&h, SUNDAY_NIGHT, &s), 0);
	assert_int_equal(activity_hours_summary(&h2, SUNDAY_NIGHT, &s2), 0);
	assert_int_equal(s2.active_minutes, 2400);
	assert_memory_equal(&s, &s2, sizeof(s));
	/* Another zone's state is not ours. */
	config(&h2, NULL, NULL, "Europe/Berlin");
	assert_int_equal(activity_hours_load(&h2, dfd, "activity-hours", SUNDAY_NIGHT), -ESTALE);
	/* A week and more later, every day has aged out. */
	config(&h2, NULL, NULL, "America/New_York");
	assert_int_equal(activity_hours_load(&h2, dfd, "activity-hours", SUNDAY_NIGHT + 8 * 86400), 0);
	assert_int_equal(activity_hours_summary(&h2, SUNDAY_NIGHT + 8 * 86400, &s2), 0);
	assert_int_equal(s2.active_minutes, 0);
	assert_int_equal(activity_hours_load(&h2, dfd, "nothing-yet", SUNDAY_NIGHT), -ENOENT);
	close_dir(dfd);
}

/* Refused, and the detector left empty. */
static void rejected(const char *buf, size_t len, time_t now, int err)
{
	night_week(&h2);
	assert_int_equal(activity_hours_parse(&h2, buf, len, now), err);
	assert_int_equal(activity_hours_summary(&h2, now, &s2), 0);
	assert_int_equal(s2.active_minutes, 0);
}

/* A file with a valid checksum over body: only its content can fail it. */
static size_t signed_image(char *out, size_t cap, const char *body)
{
	char fp[FINGERPRINT_HEX_LEN];
	size_t n = strlen(body);

	fingerprint_hex(body, n, fp);
	return (size_t)snprintf(out, cap, "%ssum %s\n", body, fp);
}

static void test_bad_files(void **state)
{
	static char img[HOURS_STATE_MAX + 64], body[HOURS_STATE_MAX], hex[HOURS_MINUTES / 4 + 1];
	int64_t sat = MON + 5;
	size_t len;
	int dfd = open_dir();

	(void)state;
	night_week(&h);
	len = activity_hours_format(&h, img, sizeof(img));
	assert_true(len > 0 && len < HOURS_STATE_MAX);
	/* Truncated anywhere. */
	for (size_t n = 0; n < len; n++)
		rejected(img, n, SUNDAY_NIGHT, -EBADMSG);
	/* One digit changed. */
	img[len / 2] = img[len / 2] == '0' ? '1' : '0';
	rejected(img, len, SUNDAY_NIGHT, -EBADMSG);
	img[len / 2] = img[len / 2] == '0' ? '1' : '0';
	assert_int_equal(activity_hours_parse(&h2, img, len, SUNDAY_NIGHT), 0);	/* restored */
	/* Future-dated: the file was written "after" now. */
	rejected(img, len, local_at(MON + 2, 0, -5), -EBADMSG);

	/* Crafted with a valid checksum: a good one, then each fault alone. */
	memset(hex, 'f', sizeof(hex) - 1);
	hex[sizeof(hex) - 1] = '\0';
	snprintf(body, sizeof(body), "farmhound activity_hours 1\nzone America/New_York\n"
		 "day %lld %s\n", (long long)sat, hex);
	len = signed_image(img, sizeof(img), body);
	night_week(&h2);
	assert_int_equal(activity_hours_parse(&h2, img, len, SUNDAY_NIGHT), 0);
	assert_int_equal(activity_hours_summary(&h2, SUNDAY_NIGHT, &s2), 0);
	assert_int_equal(s2.active_minutes, HOURS_MINUTES);	/* never more than a day's */
	snprintf(body, sizeof(body), "farmhound activity_hours 1\nzone America/New_York\n"
		 "day %lld %s\n", (long long)sat + 2, hex);
	len = signed_image(img, sizeof(img), body);
	rejected(img, len, SUNDAY_NIGHT, -EBADMSG);		/* a day after today */
	snprintf(body, sizeof(body), "farmhound activity_hours 1\nzone America/New_York\n"
		 "day %lld %s\nday %lld %s\n", (long long)sat, hex, (long long)sat, hex);
	len = signed_image(img, sizeof(img), body);
	rejected(img, len, SUNDAY_NIGHT, -EBADMSG);		/* the same day twice */
	snprintf(body, sizeof(body), "farmhound activity_hours 2\nzone America/New_York\n");
	len = signed_image(img, sizeof(img), body);
	rejected(img, len, SUNDAY_NIGHT, -EBADMSG);		/* a future version */
	hex[7] = 'g';
	snprintf(body, sizeof(body), "farmhound activity_hours 1\nzone America/New_York\n"
		 "day %lld %s\n", (long long)sat, hex);
	len = signed_image(img, sizeof(img), body);
	rejected(img, len, SUNDAY_NIGHT, -EBADMSG);		/* not hex */
	hex[7] = 'f';
	snprintf(body, sizeof(body), "farmhound activity_hours 1\nzone America/New_York\n"
		 "day %lld %.359s\n", (long long)sat, hex);
	len = signed_image(img, sizeof(img), body);
	rejected(img, len, SUNDAY_NIGHT, -EBADMSG);		/* a digit short */
	snprintf(body, sizeof(body), "farmhound activity_hours 1\nzone America/New_York\n"
		 "day %lld %.360s0\n", (long long)sat, hex);
	len = signed_image(img, sizeof(img), body);
	rejected(img, len, SUNDAY_NIGHT, -EBADMSG);		/* a digit too many */
	snprintf(body, sizeof(body), "farmhound activity_hours 1\nzne America/New_York\n");
	len = signed_image(img, sizeof(img), body);
	rejected(img, len, SUNDAY_NIGHT, -EBADMSG);		/* a bad zone line */
	len = signed_image(img, sizeof(img), "farmhound activity_hours 1\n");
	rejected(img, len, SUNDAY_NIGHT, -EBADMSG);		/* no zone line */

	/* Through the file system: oversized, a symlink. */
	memset(img, 'x', sizeof(img));
	write_file(dfd, "big", img, HOURS_STATE_MAX + 1);
	night_week(&h2);
	assert_int_equal(activity_hours_load(&h2, dfd, "big", SUNDAY_NIGHT), -EBADMSG);
	assert_int_equal(activity_hours_summary(&h2, SUNDAY_NIGHT, &s2), 0);
	assert_int_equal(s2.active_minutes, 0);
	assert_int_equal(activity_hours_save(&h, dfd, "good"), 0);
	assert_int_equal(symlinkat("good", dfd, "link"), 0);
	assert_int_equal(activity_hours_load(&h2, dfd, "link", SUNDAY_NIGHT), -EBADMSG);
	assert_int_equal(activity_hours_load(&h2, dfd, "good", SUNDAY_NIGHT), 0);
	assert_int_equal(activity_hours_save(&h, dfd, "../escape"), -EINVAL);
	close_dir(dfd);
}

static void test_event(void **state)
{
	struct event *ev;
	char text[256];

	(void)state;
	night_week(&h);
	assert_int_equal(activity_hours_summary(&h, SUNDAY_NIGHT, &s), 0);
	ev = input_hours_event(&s);
	assert_non_null(ev);
	assert_string_equal(event_get_str(ev, INPUT_DETECTOR), "activity_hours");
	assert_string_equal(event_get_str(ev, INPUT_HOUR_HISTOGRAM),
			    "300,300,300,300,300,300,300,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,300");
	assert_string_equal(event_get_str(ev, INPUT_TIMEZONE), "America/New_York");
	assert_int_equal(event_get(ev, INPUT_OUTSIDE_PCT)->i, 100);
	input_source.describe(ev, text, sizeof(text));
	assert_string_equal(text, "activity_hours: 2400 of 2400 active minutes (100%) outside "
			    "08:00-18:00 mon-fri, 88% at night, America/New_York, 6 days");
	event_free(ev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_office_worker),
		cmocka_unit_test(test_night_worker),
		cmocka_unit_test(test_worker_in_seoul),
		cmocka_unit_test(test_on_call),
		cmocka_unit_test(test_traveller),
		cmocka_unit_test(test_rotating_shift),
		cmocka_unit_test(test_rule_edges),
		cmocka_unit_test(test_overnight_hours),
		cmocka_unit_test(test_dst_weeks),
		cmocka_unit_test(test_ring),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_restart),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_event),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
