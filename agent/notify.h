/* SPDX-License-Identifier: Apache-2.0 */
/*
 * notify.h - the systemd service protocol (Type=notify): readiness, status,
 * reload, stop, watchdog.  Every call is a no-op outside systemd (no
 * NOTIFY_SOCKET), so the foreground and test runs need no special casing.
 */
#ifndef FARMHOUND_NOTIFY_H
#define FARMHOUND_NOTIFY_H

#include <stdint.h>

void notify_ready(const char *status);
void notify_status(const char *status);
void notify_reloading(void);
void notify_stopping(void);
/* Milliseconds between WATCHDOG=1 pings (half of WATCHDOG_USEC), or 0 when
 * the service has no watchdog. */
uint64_t notify_watchdog_interval_ms(void);
void notify_watchdog(void);

#endif
