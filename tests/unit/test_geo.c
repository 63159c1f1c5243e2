/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_geo.c - the [geo] section and collector options: parsing of the
 * expected-location sets, glob matching, the boolean fields they set, the
 * file:line errors of bad values, and MaxMind database opening errors.
 * (Country lookups in a real database are covered by the host and net
 * integration suites, which generate one.)
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "agent/config.h"
#include "collectors/geo.h"
#include "collectors/usb/usb.h"

static char tmp_path[64];

static const char *write_tmp(const char *text)
{
	int fd;

	strcpy(tmp_path, "/tmp/test_geo.XXXXXX");
	fd = mkstemp(tmp_path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return tmp_path;
}

static const struct diag *diag_at(const struct diag_list *d, int line)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->items[i].line == line)
			return &d->items[i];
	return NULL;
}

static void test_set_parse(void **unused)
{
	struct geo_set s;

	(void)unused;
	assert_int_equal(geo_set_parse(&s, "America/*, Europe/Berlin  UTC,,"), 0);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.items[0], "America/*");
	assert_string_equal(s.items[1], "Europe/Berlin");
	assert_string_equal(s.items[2], "UTC");
	assert_int_equal(geo_set_parse(&s, ""), 0);
	assert_int_equal(s.n, 0);
}

static void test_set_parse_bounds(void **unused)
{
	char big[GEO_SET_MAX * 3 + 16] = "";
	char longitem[GEO_ITEM_MAX + 8];
	struct geo_set s;

	(void)unused;
	for (int i = 0; i <= GEO_SET_MAX; i++)
		strcat(big, "a, ");
	assert_int_equal(geo_set_parse(&s, big), -E2BIG);
	memset(longitem, 'x', sizeof(longitem) - 1);
	longitem[sizeof(longitem) - 1] = '\0';
	assert_int_equal(geo_set_parse(&s, longitem), -ENAMETOOLONG);
	/* 63 bytes is the longest item that fits. */
	longitem[GEO_ITEM_MAX - 1] = '\0';
	assert_int_equal(geo_set_parse(&s, longitem), 0);
	assert_int_equal(s.n, 1);
}

static void test_set_match(void **unused)
{
	struct geo_set s;

	(void)unused;
	assert_int_equal(geo_set_parse(&s, ""), 0);
	assert_int_equal(geo_set_match(&s, "Asia/Pyongyang"), GEO_UNCONFIGURED);
	assert_int_equal(geo_set_parse(&s, "America/*, en_US*"), 0);
	assert_int_equal(geo_set_match(&s, "America/New_York"), GEO_EXPECTED);
	assert_int_equal(geo_set_match(&s, "en_US.UTF-8"), GEO_EXPECTED);
	assert_int_equal(geo_set_match(&s, "Asia/Shanghai"), GEO_UNEXPECTED);
	/* Case matters: time zone and locale names are case-sensitive. */
	assert_int_equal(geo_set_match(&s, "america/New_York"), GEO_UNEXPECTED);
	/* Nothing known is not "expected". */
	assert_int_equal(geo_set_match(&s, NULL), GEO_UNEXPECTED);
}

static void test_set_field(void **unused)
{
	static const struct field_def f[] = {
		{ "action", FIELD_STRING, "" },
		{ "timezone_expected", FIELD_BOOL, "" },
	};
	static const struct source_def src = {
		.id = SOURCE_HOST, .name = "t", .fields = f, .nfields = 2,
	};
	struct event *ev = event_new(&src);

	(void)unused;
	assert_non_null(ev);
	assert_int_equal(geo_set_field(ev, 1, GEO_UNCONFIGURED), 0);
	assert_null(event_get(ev, 1));
	assert_int_equal(geo_set_field(ev, 1, GEO_UNEXPECTED), 0);
	assert_non_null(event_get(ev, 1));
	assert_false(event_get(ev, 1)->b);
	assert_int_equal(geo_set_field(ev, 1, GEO_EXPECTED), 0);
	assert_true(event_get(ev, 1)->b);
	event_free(ev);
}

static void test_config_geo(void **unused)
{
	struct diag_list d = { 0 };
	struct config cfg, other;
	const char *path = write_tmp(
		"[geo]\n"
		"timezones = America/*, Pacific/Honolulu\n"
		"countries = US, CA\n"
		"locales = en_US*\n"
		"database = /var/lib/GeoIP/GeoLite2-Country.mmdb\n");

	(void)unused;
	assert_int_equal(config_init_defaults(&cfg), 0);
	assert_int_equal(config_load(path, &cfg, &d), 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(cfg.geo.timezones.n, 2);
	assert_string_equal(cfg.geo.timezones.items[1], "Pacific/Honolulu");
	assert_int_equal(cfg.geo.countries.n, 2);
	assert_string_equal(cfg.geo.countries.items[1], "CA");
	assert_int_equal(cfg.geo.locales.n, 1);
	assert_string_equal(cfg.geo.database, "/var/lib/GeoIP/GeoLite2-Country.mmdb");
	/* The defaults know no location: nothing is judged. */
	assert_int_equal(config_init_defaults(&other), 0);
	assert_int_equal(other.geo.timezones.n, 0);
	assert_false(geo_config_equal(&cfg.geo, &other.geo));
	assert_true(geo_config_equal(&cfg.geo, &cfg.geo));
	config_free(&other);
	config_free(&cfg);
	unlink(path);
}

static void test_config_geo_errors(void **unused)
{
	struct diag_list d = { 0 };
	struct config cfg;
	const struct diag *e;
	const char *path = write_tmp(
		"[geo]\n"
		"countries = US, usa\n"			/* 2 */
		"database = relative.mmdb\n"		/* 3 */
		"timezone = America/*\n"		/* 4: the key is timezones */
		"[collector.usb]\n"
		"interfaces = lo\n");			/* 6: usb has no such option */

	(void)unused;
	assert_int_equal(config_init_defaults(&cfg), 0);
	assert_int_equal(config_load(path, &cfg, &d), -EINVAL);
	e = diag_at(&d, 2);
	assert_non_null(e);
	assert_non_null(strstr(e->message, "'usa' is not an ISO 3166 code"));
	e = diag_at(&d, 3);
	assert_non_null(e);
	assert_non_null(strstr(e->message, "database"));
	e = diag_at(&d, 4);
	assert_non_null(e);
	assert_non_null(strstr(e->message, "unknown key 'timezone' in [geo]"));
	e = diag_at(&d, 6);
	assert_non_null(e);
	assert_non_null(strstr(e->message, "unknown key 'interfaces' in [collector.usb]"));
	/* The caller's config is untouched by a rejected file. */
	assert_int_equal(cfg.geo.countries.n, 0);
	diag_list_clear(&d);
	config_free(&cfg);
	unlink(path);
}

/* A collector with options of its own, as the net collector has. */
static int check_positive(const char *value, char *err, size_t errlen)
{
	if (atoi(value) > 0)
		return 0;
	snprintf(err, errlen, "is not a positive number");
	return -EINVAL;
}

static const struct collector_option fake_options[] = {
	{ "size", "4096", "table size", check_positive },
	{ "pattern", NULL, "a name pattern", NULL },
	{ NULL, NULL, NULL, NULL },
};

static const struct collector fake = {
	.name = "fake", .source = &usb_source, .options = fake_options,
};

static void test_collector_option(void **unused)
{
	struct collector_config cc = { .name = "fake" };

	(void)unused;
	assert_string_equal(collector_option(&fake, NULL, "size"), "4096");
	assert_string_equal(collector_option(&fake, &cc, "size"), "4096");
	assert_null(collector_option(&fake, &cc, "pattern"));
	assert_null(collector_option(&fake, &cc, "nonexistent"));
	strcpy(cc.options[0], "128");
	cc.option_set[0] = true;
	strcpy(cc.options[1], "lt-*");
	cc.option_set[1] = true;
	assert_string_equal(collector_option(&fake, &cc, "size"), "128");
	assert_string_equal(collector_option(&fake, &cc, "pattern"), "lt-*");
	/* A collector without options has none. */
	assert_null(collector_option(&usb_collector, &cc, "size"));
}

static void test_collector_config_equal(void **unused)
{
	struct collector_config a = { .name = "fake", .enabled = true };
	struct collector_config b = a;

	(void)unused;
	assert_true(config_collector_equal(&a, &b));
	strcpy(b.options[0], "128");
	b.option_set[0] = true;
	assert_false(config_collector_equal(&a, &b));
	a = b;
	assert_true(config_collector_equal(&a, &b));
	strcpy(b.options[0], "256");
	assert_false(config_collector_equal(&a, &b));
}

static void test_geoip_open_errors(void **unused)
{
	struct geoip *g = (struct geoip *)&g;
	const char *path;

	(void)unused;
	assert_int_equal(geoip_open("/nonexistent/farmhound.mmdb", &g), -ENOENT);
	assert_null(g);
	path = write_tmp("this is not a MaxMind database\n");
	assert_int_equal(geoip_open(path, &g), -EINVAL);
	assert_null(g);
	unlink(path);
	geoip_close(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_parse),
		cmocka_unit_test(test_set_parse_bounds),
		cmocka_unit_test(test_set_match),
		cmocka_unit_test(test_set_field),
		cmocka_unit_test(test_config_geo),
		cmocka_unit_test(test_config_geo_errors),
		cmocka_unit_test(test_collector_option),
		cmocka_unit_test(test_collector_config_equal),
		cmocka_unit_test(test_geoip_open_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
