/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_tzif.c - the TZif reader and POSIX TZ rules (lib/tzif.c) on the
 * project's zone files (tests/fixtures/tz, gen.py: written from the US and
 * EU daylight-saving laws, checked with zdump): the 2026 changes of New
 * York (from the file's transitions and, after 2037, from its footer) and
 * Berlin (footer only), Seoul without DST; every truncation and the
 * RFC 8536 violations refused; footers with default, southern-hemisphere,
 * negative-time and all-year rules; and, where the machine has tzdata, the
 * reader against the C library over 1970-2100 for zones with odd rules.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/tzif.h"

#define ZI "tests/fixtures/tz/root/usr/share/zoneinfo/"
#define H 3600

/* From gen.py's output (and zdump): the 2026 changes. */
#define NY_ON_2026 1772953200	/* 2026-03-08 07:00Z: 02:00 EST -> 03:00 EDT */
#define NY_OFF_2026 1793512800	/* 2026-11-01 06:00Z: 02:00 EDT -> 01:00 EST */
#define BER_ON_2026 1774746000	/* 2026-03-29 01:00Z */
#define BER_OFF_2026 1792890000	/* 2026-10-25 01:00Z */

static struct tz z;	/* 19 KiB: not on the stack */

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = malloc(TZ_FILE_MAX);

	assert_non_null(f);
	assert_non_null(buf);
	*len = fread(buf, 1, TZ_FILE_MAX, f);
	fclose(f);
	return buf;
}

static void around(const struct tz *zone, int64_t t, int32_t before, int32_t after)
{
	assert_int_equal(tz_offset(zone, t - 1), before);
	assert_int_equal(tz_offset(zone, t), after);
}

static void test_new_york(void **state)
{
	int64_t on2040;

	(void)state;
	assert_int_equal(tz_load(&z, ZI "America/New_York"), 0);
	assert_int_equal(z.ntrans, 62);		/* 2007-2037 */
	assert_true(z.rule.valid);
	around(&z, NY_ON_2026, -5 * H, -4 * H);
	around(&z, NY_OFF_2026, -4 * H, -5 * H);
	/* 2040 is past the last transition: the footer's M3.2.0 rule. */
	on2040 = tz_days_from_civil(2040, 3, 11) * 86400 + 7 * H;
	assert_int_equal(tz_weekday(tz_days_from_civil(2040, 3, 11)), 0);
	around(&z, on2040, -5 * H, -4 * H);
	/* Before the first transition: type 0, EST. */
	assert_int_equal(tz_offset(&z, 0), -5 * H);
}

static void test_berlin_footer_only(void **state)
{
	(void)state;
	assert_int_equal(tz_load(&z, ZI "Europe/Berlin"), 0);
	assert_int_equal(z.ntrans, 10);		/* 1996-2000; the present is the footer's */
	around(&z, BER_ON_2026, 1 * H, 2 * H);
	around(&z, BER_OFF_2026, 2 * H, 1 * H);
	/* Inside the table: 2000-10-29 01:00Z. */
	around(&z, tz_days_from_civil(2000, 10, 29) * 86400 + 1 * H, 2 * H, 1 * H);
}

static void test_seoul_and_utc(void **state)
{
	(void)state;
	assert_int_equal(tz_load(&z, ZI "Asia/Seoul"), 0);
	assert_int_equal(tz_offset(&z, NY_ON_2026), 9 * H);
	assert_int_equal(tz_offset(&z, BER_OFF_2026), 9 * H);
	assert_int_equal(tz_load(&z, ZI "Nowhere/Atlantis"), -ENOENT);
	assert_int_equal(tz_offset(&z, NY_ON_2026), 0);	/* UTC after a failure */
	assert_int_equal(tz_load(&z, ZI "America"), -EBADMSG);	/* a directory */
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* A mutated copy of the New York file must be refused. */
static void refused(const uint8_t *orig, size_t len, size_t at, const uint8_t *bytes, size_t n)
{
	uint8_t *m = malloc(len);

	assert_non_null(m);
	memcpy(m, orig, len);
	memcpy(m + at, bytes, n);
	assert_int_equal(tz_parse(&z, m, len), -EBADMSG);
	assert_int_equal(z.ntrans, 0);
	free(m);
}

static void test_hostile(void **state)
{
	size_t len;
	uint8_t *f = slurp(ZI "America/New_York", &len);
	/* gen.py's layout: v1 header (44) + v1 block (one type, one char: 7),
	 * then the v2 header at 51, its counts at 71.., data at 95. */
	const size_t v2 = 51, data = 95, ntr = 62;
	const size_t idx = data + ntr * 8, types = idx + ntr;
	uint8_t b4[4], big[8] = { 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	(void)state;
	assert_int_equal(tz_parse(&z, f, len), 0);
	for (size_t n = 0; n < len; n++)
		assert_int_equal(tz_parse(&z, f, n), -EBADMSG);
	refused(f, len, 0, (const uint8_t *)"TZiF", 4);			/* magic */
	refused(f, len, v2 + 4, (const uint8_t *)"1", 1);		/* v2 header says v1 */
	put32(b4, TZ_MAX_TRANS + 1);
	refused(f, len, v2 + 32, b4, 4);				/* timecnt over the cap */
	put32(b4, 63);
	refused(f, len, v2 + 32, b4, 4);				/* timecnt past the data */
	put32(b4, 0);
	refused(f, len, v2 + 36, b4, 4);				/* typecnt 0 */
	put32(b4, 1);
	refused(f, len, v2 + 20, b4, 4);				/* isutcnt != typecnt */
	refused(f, len, data + 8, big, 8);				/* times not ascending */
	refused(f, len, idx + 3, (const uint8_t *)"\x02", 1);		/* type index >= typecnt */
	put32(b4, 93600);
	refused(f, len, types, b4, 4);					/* UT offset out of range */
	refused(f, len, types + 5, (const uint8_t *)"\x09", 1);		/* designation past chars */
	refused(f, len, len - 4, (const uint8_t *)"Q", 1);		/* footer "...M11.Q.0" */
	refused(f, len, len - 1, (const uint8_t *)"x", 1);		/* footer unterminated */
	free(f);
}

static void rule_zone(const char *rule)
{
	tz_utc(&z);
	assert_int_equal(tz_rule_parse(&z.rule, rule, strlen(rule)), 0);
}

static void test_rules(void **state)
{
	static const char *const bad[] = {
		"E5", "EST", "EST5EDT,M3.2.0", "EST5EDT,M13.1.0,M11.1.0", "EST5x", "EST25",
		"EST5EDT,M3.6.0,M11.1.0", "EST5EDT,J0,J365", "<AB>5", "EST5EDT,M3.2.0/168,M11.1.0",
		"", "EST5EDT,M3.2.0,M11.1.0,",
	};
	int64_t y2026 = tz_days_from_civil(2026, 1, 1) * 86400;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(tz_rule_parse(&z.rule, bad[i], strlen(bad[i])), -EINVAL);
	/* A dst name without dates: the US rule. */
	rule_zone("EST5EDT");
	around(&z, NY_ON_2026, -5 * H, -4 * H);
	around(&z, NY_OFF_2026, -4 * H, -5 * H);
	/* Quoted names, east of UTC, no DST. */
	rule_zone("<+03>-3");
	assert_int_equal(tz_offset(&z, NY_ON_2026), 3 * H);
	/* Southern hemisphere (Sydney): DST from October to April. */
	rule_zone("AEST-10AEDT,M10.1.0,M4.1.0/3");
	assert_int_equal(tz_offset(&z, y2026 + 10 * 86400), 11 * H);	/* January */
	assert_int_equal(tz_offset(&z, y2026 + 180 * 86400), 10 * H);	/* July */
	/* A negative rule time (Nuuk's footer since 2023): "Sunday at -1:00"
	 * is Saturday 23:00 local (-02), Sunday 01:00Z; 2026-03-29 is the
	 * last Sunday of March. */
	rule_zone("<-02>2<-01>,M3.5.0/-1,M10.5.0/0");
	around(&z, tz_days_from_civil(2026, 3, 29) * 86400 + 1 * H, -2 * H, -1 * H);
	/* Jn never counts Feb 29, n does: J60 is March 1 and 59 is Feb 29 in 2028. */
	rule_zone("AAA0BBB,J60/0,J300/0");
	around(&z, tz_days_from_civil(2028, 3, 1) * 86400, 0, 1 * H);
	rule_zone("AAA0BBB,59/0,J300/0");
	around(&z, tz_days_from_civil(2028, 2, 29) * 86400, 0, 1 * H);
	/* DST all year: no gap at New Year. */
	rule_zone("EST5EDT,0/0,J365/25");
	for (int64_t t = y2026 - 2 * 86400; t < y2026 + 2 * 86400; t += 1800)
		assert_int_equal(tz_offset(&z, t), -4 * H);
}

static void test_calendar(void **state)
{
	int64_t y;
	unsigned int m, d;

	(void)state;
	assert_int_equal(tz_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(tz_weekday(0), 4);				/* Thursday */
	assert_int_equal(tz_weekday(-1), 3);
	assert_int_equal(tz_days_from_civil(2026, 12, 3), 20790);
	tz_civil_from_days(20790, &y, &m, &d);
	assert_true(y == 2026 && m == 12 && d == 3);
	tz_civil_from_days(-1, &y, &m, &d);
	assert_true(y == 1969 && m == 12 && d == 31);
	assert_true(tz_name_valid("America/New_York"));
	assert_true(tz_name_valid("Etc/GMT+5"));
	assert_false(tz_name_valid("../etc/shadow"));
	assert_false(tz_name_valid("America/../../etc"));
	assert_false(tz_name_valid("/etc/localtime"));
	assert_false(tz_name_valid("America//New_York"));
	assert_false(tz_name_valid("America/"));
	assert_false(tz_name_valid("New York"));
	assert_false(tz_name_valid(""));
	assert_true(tz_name_valid("Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/B"));	/* 63 bytes */
	assert_false(tz_name_valid("Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/B"));	/* 64 */
}

/* The reader against glibc's, on the machine's tzdata, every 3 h. */
static void test_against_libc(void **state)
{
	static const char *const zones[] = {
		"America/New_York", "Europe/Berlin", "Australia/Sydney", "Australia/Lord_Howe",
		"America/Santiago", "Europe/Dublin", "Asia/Kolkata", "Pacific/Chatham",
	};
	char path[128];
	const char *old = getenv("TZ");
	char *saved = old ? strdup(old) : NULL;
	int compared = 0;

	(void)state;
	if (access("/usr/share/zoneinfo/America/New_York", R_OK) != 0)
		skip();
	for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
		snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", zones[i]);
		if (tz_load(&z, path) != 0)
			continue;
		setenv("TZ", zones[i], 1);
		tzset();
		for (int64_t t = 0; t < 4102444800; t += 3 * H + 17) {
			time_t tt = (time_t)t;
			struct tm tm;

			localtime_r(&tt, &tm);
			if (tm.tm_gmtoff != tz_offset(&z, t))
				fail_msg("%s at %lld: libc %ld, ours %d", zones[i], (long long)t,
					 tm.tm_gmtoff, tz_offset(&z, t));
		}
		compared++;
	}
	if (saved)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
	free(saved);
	assert_true(compared >= 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_york),
		cmocka_unit_test(test_berlin_footer_only),
		cmocka_unit_test(test_seoul_and_utc),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_calendar),
		cmocka_unit_test(test_against_libc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
