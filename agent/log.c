/* SPDX-License-Identifier: Apache-2.0 */
/*
 * log.c - operational logging to stderr.
 *
 * Kept deliberately tiny: a daemon under systemd has its stderr connected
 * to the journal, so there is no reason to open syslog(3) here -- and doing
 * so would mix our own chatter into the alert feed the SOC parses.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"

static bool log_debug_on;
static bool log_journal;

void log_init(bool debug)
{
	log_debug_on = debug;
	/* systemd sets JOURNAL_STREAM when stderr is the journal: then the
	 * "<N>" prefix gives each line its priority. */
	log_journal = getenv("JOURNAL_STREAM") != NULL;
}

void log_msg(int level, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (level >= LOG_DEBUG && !log_debug_on)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (log_journal)
		fprintf(stderr, "<%d>%s\n", level, line);
	else
		fprintf(stderr, "farmhound: %s\n", line);
}

void log_diag_format(const struct diag *d, char *buf, size_t len)
{
	const char *w = d->warning ? "warning: " : "";
	const char *file = d->file ? d->file : "?";

	if (d->line > 0)
		snprintf(buf, len, "%s%s:%d: %s", w, file, d->line, d->message);
	else
		snprintf(buf, len, "%s%s: %s", w, file, d->message);
}

void log_diags(const struct diag_list *d)
{
	char line[1024];

	for (size_t i = 0; i < d->n; i++) {
		log_diag_format(&d->items[i], line, sizeof(line));
		fprintf(stderr, "%s\n", line);
	}
}
