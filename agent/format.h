/* SPDX-License-Identifier: Apache-2.0 */
/*
 * format.h - the alert formatters: one line per alert (JSON, CEF, text)
 * under ALERT_LINE_MAX bytes, one formatter per file (agent/format_*.c),
 * found by name through one table.  They are pure functions of the alert
 * (rules/alert.h) and never log.
 */
#ifndef FARMHOUND_FORMAT_H
#define FARMHOUND_FORMAT_H

#include <stddef.h>
#include <sys/types.h>

#include "rules/alert.h"

/* Every formatted alert (without syslog framing) fits in this many bytes,
 * NUL included, whatever the event holds.  DESIGN §5: under 2048. */
#define ALERT_LINE_MAX 2048

enum alert_format {
	ALERT_FORMAT_JSON,
	ALERT_FORMAT_CEF,
	ALERT_FORMAT_TEXT,
};

/* One formatter per file (agent/format_*.c), found through this table. */
struct alert_formatter {
	const char *name;		/* "json", "cef", "text" */
	/* Write one line (no trailing newline) into buf; returns its length,
	 * always < len, or -EINVAL if len < ALERT_LINE_MAX. */
	ssize_t (*format)(const struct alert *a, char *buf, size_t len);
};

const struct alert_formatter *alert_formatter_by_name(const char *name);

#endif
