/* SPDX-License-Identifier: Apache-2.0 */
/*
 * notify.c - sd_notify(3) wrappers.
 *
 * Failures are ignored on purpose: the notify socket is best effort, and a
 * daemon that stopped detecting because systemd's socket went away would be
 * worse than one systemd thinks is slow.
 */
#include <stdio.h>
#include <systemd/sd-daemon.h>

#include "lib/util.h"
#include "notify.h"

void notify_ready(const char *status)
{
	sd_notifyf(0, "READY=1\nSTATUS=%s", status);
}

void notify_status(const char *status)
{
	sd_notifyf(0, "STATUS=%s", status);
}

void notify_reloading(void)
{
	/* MONOTONIC_USEC lets systemd >= 253 (Type=notify-reload) match the
	 * reload to its request; older versions ignore it. */
	sd_notifyf(0, "RELOADING=1\nSTATUS=reloading\nMONOTONIC_USEC=%llu",
		   (unsigned long long)now_monotonic_ms() * 1000ULL);
}

void notify_stopping(void)
{
	sd_notify(0, "STOPPING=1\nSTATUS=stopping");
}

uint64_t notify_watchdog_interval_ms(void)
{
	uint64_t usec = 0;

	if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0)
		return 0;
	/* Half the timeout, as sd_watchdog_enabled(3) recommends; never below
	 * 1 ms so a tiny WATCHDOG_USEC cannot make the timer spin. */
	return usec / 2000 ? usec / 2000 : 1;
}

void notify_watchdog(void)
{
	sd_notify(0, "WATCHDOG=1");
}
