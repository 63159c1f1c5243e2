/* SPDX-License-Identifier: Apache-2.0 */
/*
 * alert.c - the pieces of an alert shared by every format: severity and
 * confidence names (the words rule files use), and the human message.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "alert.h"

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

const char *alert_kind_name(enum alert_kind k)
{
	switch (k) {
	case ALERT_NEW:
		return "new";
	case ALERT_RESOLVED:
		return "resolved";
	case ALERT_REASSERTED:
		return "reasserted";
	}
	return "new";
}

static size_t msg_put(char *buf, size_t len, size_t o, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static size_t msg_put(char *buf, size_t len, size_t o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o + 1 >= len)
		return o;
	va_start(ap, fmt);
	n = vsnprintf(buf + o, len - o, fmt, ap);
	va_end(ap);
	if (n < 0)
		return o;
	return o + (size_t)n >= len ? len - 1 : o + (size_t)n;
}

/* "PiKVM USB gadget: <describe>", and for correlations what was
 * correlated: the verdict's arithmetic and rules, a sequence's rules, a
 * threshold's count and values. */
void alert_message(const struct alert *a, char *buf, size_t len)
{
	char what[512];
	const struct source_def *src = a->event->source;
	const char *name = a->rule->name ? a->rule->name : a->rule->id;
	size_t o = 0;

	if (!len)
		return;
	buf[0] = '\0';
	what[0] = '\0';
	if (a->kind == ALERT_RESOLVED)
		o = msg_put(buf, len, o, "resolved: ");
	else if (a->kind == ALERT_REASSERTED)
		o = msg_put(buf, len, o, "still present: ");
	if (a->verdict) {
		o = msg_put(buf, len, o, "%s: score %d (threshold %d, %d categories) from ",
			    name, a->verdict_score, a->verdict_threshold,
			    a->verdict_categories);
		for (size_t i = 0; i < a->nevidence; i++)
			o = msg_put(buf, len, o, "%s%s", i ? ", " : "", a->evidence[i].rule_id);
		return;
	}
	if (src->describe)
		src->describe(a->event, what, sizeof(what));
	o = msg_put(buf, len, o, "%s: %s", name, what);
	if (a->nevidence) {
		o = msg_put(buf, len, o, " (together with ");
		for (size_t i = 0; i < a->nevidence; i++)
			o = msg_put(buf, len, o, "%s%s", i ? " + " : "", a->evidence[i].rule_id);
		o = msg_put(buf, len, o, ")");
	}
	if (a->count) {
		o = msg_put(buf, len, o, " (%llu%s", (unsigned long long)a->count,
			    a->nvalues ? " distinct: " : " times");
		for (size_t i = 0; i < a->nvalues; i++)
			o = msg_put(buf, len, o, "%s%s", i ? ", " : "", a->values[i]);
		o = msg_put(buf, len, o, ")");
	}
	if (a->suppressed)
		msg_put(buf, len, o, " (%llu similar suppressed)",
			(unsigned long long)a->suppressed);
}
