/* SPDX-License-Identifier: Apache-2.0 */
/*
 * alert.h - what the rule engine hands to the output layer.
 *
 * An alert is a rule's metadata plus the event that matched it, the time,
 * and how many alerts for the same rule and entity the cooldown held back
 * since the last one (so suppression is never silent).  The rules build
 * alerts, so the type lives in their layer; the agent's formatters
 * (agent/format.h) turn one into a line.
 */
#ifndef FARMHOUND_ALERT_H
#define FARMHOUND_ALERT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "collectors/event.h"

enum confidence {
	CONFIDENCE_LOW,
	CONFIDENCE_MEDIUM,
	CONFIDENCE_HIGH,
};

/* The descriptive part of a rule, shared by rule-file rules and the agent's
 * built-in notices (reload failed, ...). */
struct rule_meta {
	char *id;
	char *name;
	char *description;		/* what was seen, what it means; may be NULL */
	char *advice;			/* what the SOC should do; may be NULL */
	char *category;			/* may be NULL */
	int severity;			/* syslog level, LOG_EMERG(0)..LOG_DEBUG(7) */
	enum confidence confidence;
	int score;
	char **mitre;			/* technique ids */
	size_t nmitre;
	char **references;
	size_t nreferences;
};

/* Where an alert stands in the life of the object it is about. */
enum alert_kind {
	ALERT_NEW,		/* appeared, or matched */
	ALERT_RESOLVED,		/* the object went away (action=remove) */
	ALERT_REASSERTED,	/* still present, said again (reassert_interval) */
};

/* One rule behind a sequence or a verdict: what it saw. */
struct alert_evidence {
	const char *rule_id;
	const char *category;		/* may be NULL */
	int score;
	const char *message;		/* the rule's alert message */
};

struct alert {
	const struct rule_meta *rule;
	const struct event *event;
	struct timespec ts;		/* CLOCK_REALTIME */
	const char *hostname;
	uint64_t suppressed;		/* alerts held back by cooldown since the last */
	enum alert_kind kind;
	/* A threshold rule: matches (or distinct values) counted in its
	 * window, and the distinct values; 0 / NULL otherwise. */
	uint64_t count;
	const char *const *values;
	size_t nvalues;
	/* A sequence or the verdict: the contributing rules. */
	const struct alert_evidence *evidence;
	size_t nevidence;
	/* The verdict (rule id laptop-farm-suspected): its arithmetic. */
	bool verdict;
	int verdict_score;
	int verdict_threshold;
	int verdict_categories;
	bool verdict_restated;		/* raised before; new evidence added */
};

const char *alert_kind_name(enum alert_kind k);	/* "new", "resolved", ... */

/* "PiKVM PiKVM Composite Device (1d6b:0104) on port 1-1": the rule name,
 * a colon and the event's own one-line description.  Bounded, never fails. */
void alert_message(const struct alert *a, char *buf, size_t len);

const char *severity_name(int severity);		/* "critical" */
int severity_from_name(const char *name);		/* level or -EINVAL */
const char *confidence_name(enum confidence c);
int confidence_from_name(const char *name);	/* value or -EINVAL */

/* FARMHOUND_VERSION, the version string, comes from the Makefile (-D), which
 * reads it from the VERSION file: the one place it is written. */

#endif
