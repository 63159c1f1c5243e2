/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_notify.c - the watchdog period (agent/notify.c): WATCHDOG=1 pings
 * go out at half of WATCHDOG_USEC, as sd_watchdog_enabled(3) recommends.
 * tests/integration/daemon.sh sees the pings keep coming from the real
 * daemon; the period itself is asserted here, where no scheduler can stretch
 * it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>

#include "agent/notify.h"

static int clean_env(void **unused)
{
	(void)unused;
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	return 0;
}

static void test_half_of_watchdog_usec(void **unused)
{
	(void)unused;
	setenv("WATCHDOG_USEC", "400000", 1);
	assert_int_equal(notify_watchdog_interval_ms(), 200);
	setenv("WATCHDOG_USEC", "30000000", 1);
	assert_int_equal(notify_watchdog_interval_ms(), 15000);
}

static void test_never_below_1ms(void **unused)
{
	(void)unused;
	setenv("WATCHDOG_USEC", "1000", 1);
	assert_int_equal(notify_watchdog_interval_ms(), 1);
}

static void test_no_watchdog(void **unused)
{
	char pid[32];

	(void)unused;
	assert_int_equal(notify_watchdog_interval_ms(), 0);
	/* Meant for another process (WATCHDOG_PID): not ours to ping. */
	setenv("WATCHDOG_USEC", "400000", 1);
	snprintf(pid, sizeof(pid), "%ld", (long)getpid() + 1);
	setenv("WATCHDOG_PID", pid, 1);
	assert_int_equal(notify_watchdog_interval_ms(), 0);
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	setenv("WATCHDOG_PID", pid, 1);
	assert_int_equal(notify_watchdog_interval_ms(), 200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_half_of_watchdog_usec, clean_env),
		cmocka_unit_test_setup(test_never_below_1ms, clean_env),
		cmocka_unit_test_setup(test_no_watchdog, clean_env),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
