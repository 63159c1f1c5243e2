/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_config.c - farmhound.conf parsing: defaults, a complete good file,
 * each kind of error reported at its own line, a missing file.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <cmocka.h>

#include "agent/config.h"
#include "collectors/collector.h"

static char tmp_path[64];

static const char *write_conf(const char *text)
{
	int fd;

	strcpy(tmp_path, "/tmp/test_config.XXXXXX");
	fd = mkstemp(tmp_path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return tmp_path;
}

/* The diagnostic for line, or NULL. */
static const struct diag *diag_at(const struct diag_list *d, int line)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->items[i].line == line)
			return &d->items[i];
	return NULL;
}

static void assert_defaults(const struct config *cfg)
{
	const struct collector_config *usb;

	assert_null(cfg->hostname);
	assert_string_equal(cfg->format, "json");
	assert_string_equal(cfg->syslog_socket, "/dev/log");
	assert_int_equal(cfg->facility, LOG_DAEMON);
	assert_int_equal(cfg->framing, SYSLOG_RFC3164);
	assert_string_equal(cfg->tag, "farmhound");
	usb = config_collector(cfg, "usb");
	assert_non_null(usb);
	assert_true(usb->enabled);
	assert_int_equal(usb->rescan_ms, 600000);
	assert_int_equal(usb->settle_ms, 500);
	/* /proc walkers rescan every 15 s unless told otherwise. */
	assert_int_equal(config_collector(cfg, "process")->rescan_ms, 15000);
	assert_int_equal(config_collector(cfg, "socket")->rescan_ms, 15000);
	assert_int_equal(config_collector(cfg, "host")->rescan_ms, 600000);
	assert_int_equal(cfg->heartbeat_ms, 3600000);
	assert_int_equal(cfg->correlate.reassert_ms, 86400000);
	assert_true(cfg->correlate.verdict_enabled);
	assert_int_equal(cfg->correlate.verdict_threshold, 100);
	assert_int_equal(cfg->correlate.verdict_window_ms, 86400000);
	assert_int_equal(cfg->correlate.verdict_min_categories, 2);
	assert_int_equal(cfg->correlate.verdict_severity, LOG_CRIT);
}

static void test_defaults(void **unused)
{
	struct config cfg;

	(void)unused;
	assert_int_equal(config_init_defaults(&cfg), 0);
	assert_defaults(&cfg);
	assert_null(config_collector(&cfg, "nosuch"));
	config_free(&cfg);
	config_free(NULL);
}

static void test_missing_file_is_defaults(void **unused)
{
	struct diag_list d = { 0 };
	struct config cfg = { 0 };

	(void)unused;
	assert_int_equal(config_load("/nonexistent/farmhound.conf", &cfg, &d), 0);
	assert_int_equal(d.n, 0);
	assert_defaults(&cfg);
	config_free(&cfg);
}

static void test_good_file(void **unused)
{
	const char *path = write_conf(
		"; farmhound test\n"
		"[agent]\n"
		"hostname = lt-042\n"
		"\n"
		"[output]\n"
		"format = cef          ; inline comment\n"
		"syslog_socket = /run/test/log.sock\n"
		"facility = local3\n"
		"framing = rfc5424\n"
		"tag = fh-test\n"
		"[collector.usb]\n"
		"enabled = no\n"
		"rescan_interval = 30s\n"
		"settle = 250ms\n");
	struct diag_list d = { 0 };
	struct config cfg;
	const struct collector_config *usb;

	(void)unused;
	assert_int_equal(config_init_defaults(&cfg), 0);
	assert_int_equal(config_load(path, &cfg, &d), 0);
	unlink(path);
	assert_int_equal(d.n, 0);
	assert_string_equal(cfg.hostname, "lt-042");
	assert_string_equal(cfg.format, "cef");
	assert_string_equal(cfg.syslog_socket, "/run/test/log.sock");
	assert_int_equal(cfg.facility, LOG_LOCAL3);
	assert_int_equal(cfg.framing, SYSLOG_RFC5424);
	assert_string_equal(cfg.tag, "fh-test");
	usb = config_collector(&cfg, "usb");
	assert_non_null(usb);
	assert_false(usb->enabled);
	assert_int_equal(usb->rescan_ms, 30000);
	assert_int_equal(usb->settle_ms, 250);
	config_free(&cfg);
}

/* Every error is found (not only the first), each at its own line, and
 * the config passed in is left as it was. */
static void test_errors_with_lines(void **unused)
{
	static const struct {
		int line;
		const char *needle;
	} want[] = {
		{ 1, "outside" },		/* key before any section */
		{ 2, "unknown section 'bogus'" },
		{ 4, "unknown key 'colour'" },
		{ 5, "format" },
		{ 6, "facility" },
		{ 7, "framing" },
		{ 8, "syslog_socket" },
		{ 9, "tag" },
		{ 10, "unknown collector 'floppy'" },
		{ 12, "enabled" },
		{ 13, "rescan_interval" },
		{ 14, "settle" },
		{ 15, "unknown key 'speed'" },
		{ 17, "hostname" },
		{ 18, "unknown section 'empty'" },
	};
	const char *path = write_conf(
		"early = 1\n"			/* 1 */
		"[bogus]\n"			/* 2 */
		"[output]\n"			/* 3 */
		"colour = blue\n"		/* 4 */
		"format = xml\n"		/* 5 */
		"facility = kern\n"		/* 6 */
		"framing = rfc9999\n"		/* 7 */
		"syslog_socket = relative/log\n"	/* 8 */
		"tag = has space\n"		/* 9 */
		"[collector.floppy]\n"		/* 10 */
		"[collector.usb]\n"		/* 11 */
		"enabled = maybe\n"		/* 12 */
		"rescan_interval = soon\n"	/* 13 */
		"settle = -5ms\n"		/* 14 */
		"speed = 3\n"			/* 15 */
		"[agent]\n"			/* 16 */
		"hostname = a\x01" "b\n"	/* 17 */
		"[empty]\n");			/* 18 */
	struct diag_list d = { 0 };
	struct config cfg;

	(void)unused;
	assert_int_equal(config_init_defaults(&cfg), 0);
	assert_int_equal(config_load(path, &cfg, &d), -EINVAL);
	assert_int_equal(diag_list_errors(&d), sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct diag *x = diag_at(&d, want[i].line);

		if (!x)
			fail_msg("no diagnostic at line %d", want[i].line);
		assert_string_equal(x->file, path);
		if (!strstr(x->message, want[i].needle))
			fail_msg("line %d: '%s' lacks '%s'", want[i].line, x->message,
				 want[i].needle);
	}
	unlink(path);
	assert_defaults(&cfg);
	diag_list_clear(&d);
	config_free(&cfg);
}

/* A single bad value rejects the whole file: good keys before it do not
 * leak into the config. */
static void test_one_error_rejects_file(void **unused)
{
	const char *path = write_conf("[output]\nformat = text\nframing = bogus\n");
	struct diag_list d = { 0 };
	struct config cfg;

	(void)unused;
	assert_int_equal(config_init_defaults(&cfg), 0);
	assert_int_equal(config_load(path, &cfg, &d), -EINVAL);
	unlink(path);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.items[0].line, 3);
	assert_string_equal(cfg.format, "json");
	diag_list_clear(&d);
	config_free(&cfg);
}

static void test_syntax_and_long_line(void **unused)
{
	char text[6000];
	struct diag_list d = { 0 };
	struct config cfg = { 0 };
	const char *path;

	(void)unused;
	/* Line 2: no '='; line 3: longer than any line we accept; line 4: a
	 * broken header; lines 5-7: an indented line continues the value above
	 * (as in rule files), so the tag becomes "fh test" and is refused. */
	snprintf(text, sizeof(text),
		 "[output]\nthis is not ini\ntag = %05000d\n[agent\n[output]\ntag = fh\n  test\n", 0);
	path = write_conf(text);
	assert_int_equal(config_load(path, &cfg, &d), -EINVAL);
	unlink(path);
	assert_non_null(diag_at(&d, 2));
	assert_non_null(strstr(diag_at(&d, 2)->message, "syntax"));
	assert_non_null(diag_at(&d, 3));
	assert_non_null(strstr(diag_at(&d, 3)->message, "too long"));
	assert_non_null(diag_at(&d, 4));
	assert_non_null(diag_at(&d, 6));
	assert_non_null(strstr(diag_at(&d, 6)->message, "'fh test'"));
	assert_null(cfg.format);	/* untouched */
	diag_list_clear(&d);
}

static void test_unreadable_is_error(void **unused)
{
	struct diag_list d = { 0 };
	struct config cfg = { 0 };

	(void)unused;
	/* A directory cannot be read as a file: reading fails with EISDIR. */
	assert_int_not_equal(config_load("/", &cfg, &d), 0);
	assert_true(diag_list_errors(&d) >= 1);
	diag_list_clear(&d);
	config_free(&cfg);
}

static void test_verdict_and_heartbeat(void **unused)
{
	struct diag_list d = { 0 };
	struct config cfg = { 0 };
	const char *path = write_conf(
		"[agent]\nheartbeat_interval = 5m\nreassert_interval = 12h\n"
		"[verdict]\nenabled = yes\nthreshold = 150\nwindow = 2d\n"
		"min_categories = 3\nseverity = alert\n");

	(void)unused;
	assert_int_equal(config_init_defaults(&cfg), 0);
	assert_int_equal(config_load(path, &cfg, &d), 0);
	assert_int_equal(cfg.heartbeat_ms, 300000);
	assert_int_equal(cfg.correlate.reassert_ms, 43200000);
	assert_int_equal(cfg.correlate.verdict_threshold, 150);
	assert_int_equal(cfg.correlate.verdict_window_ms, 2 * 86400000ULL);
	assert_int_equal(cfg.correlate.verdict_min_categories, 3);
	assert_int_equal(cfg.correlate.verdict_severity, LOG_ALERT);
	config_free(&cfg);
	unlink(path);
	/* off switches */
	path = write_conf("[agent]\nheartbeat_interval = 0\nreassert_interval = 0\n"
			  "[verdict]\nenabled = no\n");
	assert_int_equal(config_init_defaults(&cfg), 0);
	assert_int_equal(config_load(path, &cfg, &d), 0);
	assert_int_equal(cfg.heartbeat_ms, 0);
	assert_int_equal(cfg.correlate.reassert_ms, 0);
	assert_false(cfg.correlate.verdict_enabled);
	config_free(&cfg);
	unlink(path);
	diag_list_clear(&d);
}

static void test_verdict_errors(void **unused)
{
	struct diag_list d = { 0 };
	struct config cfg = { 0 };
	const char *path = write_conf(
		"[agent]\n"			/* 1 */
		"heartbeat_interval = 10ms\n"	/* 2 */
		"reassert_interval = soon\n"	/* 3 */
		"[verdict]\n"			/* 4 */
		"threshold = 0\n"		/* 5 */
		"window = forever\n"		/* 6 */
		"min_categories = 99\n"		/* 7 */
		"severity = loud\n"		/* 8 */
		"enabled = maybe\n"		/* 9 */
		"colour = red\n");		/* 10 */

	(void)unused;
	assert_int_equal(config_init_defaults(&cfg), 0);
	assert_int_equal(config_load(path, &cfg, &d), -EINVAL);
	assert_int_equal(diag_list_errors(&d), 8);
	assert_non_null(strstr(diag_at(&d, 2)->message, "heartbeat_interval: '10ms' is too short"));
	assert_non_null(strstr(diag_at(&d, 3)->message, "reassert_interval: 'soon' is not a duration"));
	assert_non_null(strstr(diag_at(&d, 5)->message, "threshold: '0' is not an integer"));
	assert_non_null(strstr(diag_at(&d, 6)->message, "window: 'forever' is not a duration"));
	assert_non_null(strstr(diag_at(&d, 7)->message, "min_categories: '99'"));
	assert_non_null(strstr(diag_at(&d, 8)->message, "unknown severity 'loud'"));
	assert_non_null(strstr(diag_at(&d, 9)->message, "enabled: 'maybe' is not yes or no"));
	assert_non_null(strstr(diag_at(&d, 10)->message, "unknown key 'colour' in [verdict]"));
	config_free(&cfg);
	unlink(path);
	diag_list_clear(&d);
}

/* ---- the bounds of the config itself ---- */

/* A stand-in collector table: n collectors c0, c1, ...; the one at index
 * big (if any) has nopts options o0, o1, ... */
static struct collector fake[CONFIG_MAX_COLLECTORS + 2];
static const struct collector *fake_reg[CONFIG_MAX_COLLECTORS + 3];
static struct collector_option fake_opts[COLLECTOR_OPTIONS_MAX + 2];
static char fake_names[CONFIG_MAX_COLLECTORS + 2][16];
static char fake_opt_names[COLLECTOR_OPTIONS_MAX + 2][16];

static const struct collector *const *fake_registry(int n, int big, int nopts)
{
	memset(fake, 0, sizeof(fake));
	memset(fake_opts, 0, sizeof(fake_opts));
	for (int i = 0; i < nopts; i++) {
		snprintf(fake_opt_names[i], sizeof(fake_opt_names[i]), "o%d", i);
		fake_opts[i].name = fake_opt_names[i];
		fake_opts[i].default_value = "d";
	}
	for (int i = 0; i < n; i++) {
		snprintf(fake_names[i], sizeof(fake_names[i]), "c%d", i);
		fake[i].name = fake_names[i];
		if (i == big)
			fake[i].options = fake_opts;
		fake_reg[i] = &fake[i];
	}
	fake_reg[n] = NULL;
	return fake_reg;
}

static const struct diag *diag_with(const struct diag_list *d, const char *needle)
{
	for (size_t i = 0; i < d->n; i++)
		if (strstr(d->items[i].message, needle))
			return &d->items[i];
	return NULL;
}

/* One collector more than the config holds: a load error naming it
 * (it used to be left out without a word: never configured, never run),
 * with or without a config file. */
static void test_too_many_collectors(void **unused)
{
	const struct collector *const *reg = fake_registry(CONFIG_MAX_COLLECTORS + 1, -1, 0);
	const char *path = write_conf("[agent]\nheartbeat_interval = 1m\n");
	struct diag_list d = { 0 };
	const struct diag *x;
	struct config cfg;
	char name[8];

	(void)unused;
	snprintf(name, sizeof(name), "'c%d'", CONFIG_MAX_COLLECTORS);
	assert_int_equal(config_init_defaults_from(&cfg, reg), 0);
	assert_int_equal(config_load_from(path, reg, &cfg, &d), -EINVAL);
	x = diag_with(&d, name);
	assert_non_null(x);
	assert_string_equal(x->file, path);
	assert_false(x->warning);
	diag_list_clear(&d);
	assert_int_equal(config_load_from("/nonexistent/farmhound.conf", reg, &cfg, &d),
			 -EINVAL);
	assert_non_null(diag_with(&d, name));
	diag_list_clear(&d);
	/* At the bound: fine. */
	reg = fake_registry(CONFIG_MAX_COLLECTORS, -1, 0);
	assert_int_equal(config_load_from(path, reg, &cfg, &d), 0);
	assert_int_equal(cfg.ncollectors, CONFIG_MAX_COLLECTORS);
	unlink(path);
	diag_list_clear(&d);
	config_free(&cfg);
}

/* A collector with one option more than a section holds: a load error
 * naming the option (it used to be ignored: its default never applied,
 * and setting it said "unknown key"). */
static void test_too_many_options(void **unused)
{
	const struct collector *const *reg = fake_registry(2, 1, COLLECTOR_OPTIONS_MAX + 1);
	const char *path = write_conf("[collector.c1]\no0 = x\n");
	struct diag_list d = { 0 };
	const struct diag *x;
	struct config cfg;
	char name[8];

	(void)unused;
	snprintf(name, sizeof(name), "'o%d'", COLLECTOR_OPTIONS_MAX);
	assert_int_equal(config_init_defaults_from(&cfg, reg), 0);
	assert_int_equal(config_load_from(path, reg, &cfg, &d), -EINVAL);
	x = diag_with(&d, name);
	assert_non_null(x);
	assert_string_equal(x->file, path);
	assert_non_null(strstr(x->message, "'c1'"));
	diag_list_clear(&d);
	/* At the bound: every option is set and read back. */
	unlink(path);
	path = write_conf("[collector.c1]\no11 = eleven\n");
	reg = fake_registry(2, 1, COLLECTOR_OPTIONS_MAX);
	assert_int_equal(config_load_from(path, reg, &cfg, &d), 0);
	assert_string_equal(collector_option(&fake[1], config_collector(&cfg, "c1"), "o11"),
			    "eleven");
	assert_string_equal(collector_option(&fake[1], config_collector(&cfg, "c1"), "o0"), "d");
	unlink(path);
	diag_list_clear(&d);
	config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_missing_file_is_defaults),
		cmocka_unit_test(test_good_file),
		cmocka_unit_test(test_errors_with_lines),
		cmocka_unit_test(test_one_error_rejects_file),
		cmocka_unit_test(test_syntax_and_long_line),
		cmocka_unit_test(test_unreadable_is_error),
		cmocka_unit_test(test_verdict_and_heartbeat),
		cmocka_unit_test(test_verdict_errors),
		cmocka_unit_test(test_too_many_collectors),
		cmocka_unit_test(test_too_many_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
