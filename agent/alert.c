/*
 * alert.c - the pieces of an alert shared by every format: severity and
 * confidence names, the formatter table, and the human message.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "alert.h"

extern const struct alert_formatter alert_format_json;
extern const struct alert_formatter alert_format_cef;
extern const struct alert_formatter alert_format_text;

static const struct alert_formatter *const formatters[] = {
	&alert_format_json,
	&alert_format_cef,
	&alert_format_text,
	NULL,
};

const struct alert_formatter *alert_formatter_by_name(const char *name)
{
	for (size_t i = 0; formatters[i]; i++)
		if (strcmp(formatters[i]->name, name) == 0)
			return formatters[i];
	return NULL;
}

/* Indexed by syslog level: the words rule authors write. */
static const char *const severity_names[] = {
	[LOG_EMERG] = "emergency", [LOG_ALERT] = "alert",
	[LOG_CRIT] = "critical",   [LOG_ERR] = "error",
	[LOG_WARNING] = "warning", [LOG_NOTICE] = "notice",
	[LOG_INFO] = "info",       [LOG_DEBUG] = "debug",
};

const char *severity_name(int severity)
{
	if (severity < LOG_EMERG || severity > LOG_DEBUG)
		return "unknown";
	return severity_names[severity];
}

int severity_from_name(const char *name)
{
	for (int i = LOG_EMERG; i <= LOG_DEBUG; i++)
		if (strcasecmp(severity_names[i], name) == 0)
			return i;
	return -EINVAL;
}

static const char *const confidence_names[] = {
	[CONFIDENCE_LOW] = "low",
	[CONFIDENCE_MEDIUM] = "medium",
	[CONFIDENCE_HIGH] = "high",
};

const char *confidence_name(enum confidence c)
{
	if ((unsigned)c > CONFIDENCE_HIGH)
		return "unknown";
	return confidence_names[c];
}

int confidence_from_name(const char *name)
{
	for (int i = CONFIDENCE_LOW; i <= CONFIDENCE_HIGH; i++)
		if (strcasecmp(confidence_names[i], name) == 0)
			return i;
	return -EINVAL;
}

void alert_message(const struct alert *a, char *buf, size_t len)
{
	char what[512];
	const struct source_def *src = a->event->source;
	int n;

	what[0] = '\0';
	if (src->describe)
		src->describe(a->event, what, sizeof(what));
	n = snprintf(buf, len, "%s: %s", a->rule->name ? a->rule->name : a->rule->id,
		     what);
	if (a->suppressed && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, " (%llu similar suppressed)",
			 (unsigned long long)a->suppressed);
}
