/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rules.h - the rule engine's face to the agent.
 *
 * A ruleset is built from every *.rules file in a directory, checked
 * completely (all errors collected, not just the first), and is immutable
 * once built: a reload builds a new one and swaps it in only if it loaded
 * without errors.  State that must outlive a ruleset (cooldowns, and later
 * thresholds) lives in struct rule_state, owned by the agent and passed to
 * every evaluation, so a reload does not forget what was already said.
 */
#ifndef FARMHOUND_RULES_H
#define FARMHOUND_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alert.h"
#include "collectors/event.h"

struct ruleset;
struct rule_state;

/* One problem found while loading: "file:line: message". */
struct diag {
	char *file;
	int line;			/* 0 when the problem is the file itself */
	char *message;
	bool warning;			/* warnings (an expired allow) do not reject */
};

struct diag_list {
	struct diag *items;
	size_t n, cap;
};

void diag_list_clear(struct diag_list *d);		/* frees items, keeps list usable */
size_t diag_list_errors(const struct diag_list *d);	/* non-warnings */
/* Append a diagnostic; message is printf-style.  0 or -ENOMEM. */
int diag_add(struct diag_list *d, bool warning, const char *file, int line,
	     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Load every *.rules file of dir (sorted by name).  On success *out is set
 * and 0 returned; warnings may still be in diags.  On any error, returns
 * -EINVAL (or -errno for I/O) with every problem in diags, and *out is NULL.
 * now is the wall-clock time used to judge allow-list expiry. */
int ruleset_load_dir(const char *dir, time_t now, struct ruleset **out,
		     struct diag_list *diags);
/* The same for a single file (tests, -t on one file). */
int ruleset_load_file(const char *path, time_t now, struct ruleset **out,
		      struct diag_list *diags);
/* ruleset_load_file resolving "source =" names in sources (NULL-terminated)
 * instead of the collector registry: for tests and tools that bring their
 * own field tables.  sources NULL means the registry. */
int ruleset_load_file_sources(const char *path, time_t now,
			      const struct source_def *const *sources,
			      struct ruleset **out, struct diag_list *diags);
void ruleset_free(struct ruleset *rs);

size_t ruleset_rule_count(const struct ruleset *rs);
size_t ruleset_list_count(const struct ruleset *rs);
size_t ruleset_allow_count(const struct ruleset *rs);

struct rule_state *rule_state_new(void);
void rule_state_free(struct rule_state *st);

/* The correlation settings farmhound.conf gives the engine: [verdict] and
 * the lifecycle's re-assertion interval.  rule_state_new() starts with
 * correlate_config_defaults(). */
struct correlate_config {
	bool verdict_enabled;
	int verdict_threshold;		/* sum of distinct rules' scores */
	uint64_t verdict_window_ms;	/* a rule counts this long after it fired */
	int verdict_min_categories;	/* distinct categories among them */
	int verdict_severity;		/* syslog level of laptop-farm-suspected */
	uint64_t reassert_ms;		/* still present: say so again; 0 never */
};

void correlate_config_defaults(struct correlate_config *c);
void rule_state_configure(struct rule_state *st, const struct correlate_config *c);

/* Counters for the heartbeat, cumulative. */
struct rule_state_stats {
	uint64_t suppressed;		/* matches held back (cooldown, still present) */
	uint64_t cooldown_evicted;	/* cooldown entries forgotten, table full */
	uint64_t groups_evicted;	/* threshold groups forgotten */
	uint64_t values_evicted;	/* threshold values dropped, group full */
	uint64_t occurrences_evicted;	/* rules' last occurrence forgotten */
	uint64_t active;		/* present objects tracked now */
	uint64_t active_evicted;	/* present objects forgotten, table full */
	uint64_t resolved;		/* resolved notices */
	uint64_t reasserted;		/* re-assertions */
	uint64_t verdicts;		/* laptop-farm-suspected raised or re-stated */
	uint64_t undelivered;		/* alerts that could not be built (no memory) */
};

void rule_state_stats(const struct rule_state *st, struct rule_state_stats *out);

/* The rule id of the verdict alert. */
#define VERDICT_RULE_ID "laptop-farm-suspected"

/* Why an event did or did not raise an alert, for --explain. */
enum match_outcome {
	MATCH_ALERT,		/* matched, alert emitted */
	MATCH_ALLOWED,		/* matched, an [allow] section covered it */
	MATCH_SUPPRESSED,	/* matched, held back by the cooldown */
	MATCH_MISSED,		/* did not match; detail: the failing condition */
	MATCH_COUNTED,		/* threshold: counted; detail: "2 of 3 within 10m" */
	MATCH_HELD,		/* still present, already reported */
	MATCH_SILENT,		/* matched a rule with alert = no */
	MATCH_RESOLVED,		/* a remove ended a reported object */
	MATCH_VERDICT,		/* detail: the verdict arithmetic */
};

struct match_report {
	const struct rule_meta *rule;
	enum match_outcome outcome;
	const char *allow_id;		/* for MATCH_ALLOWED */
	const char *detail;		/* may be NULL */
};

/* Evaluate one event against every rule of its source.  For each rule that
 * matches and is neither allowed nor in cooldown, on_alert is called with
 * an alert valid for the duration of the call.  If on_match is not NULL it
 * is called for every matching rule with the outcome (--explain).
 * now_ms is CLOCK_MONOTONIC (cooldowns); ts is the event time.
 * Returns the number of alerts raised. */
int ruleset_eval(const struct ruleset *rs, struct rule_state *st,
		 const struct event *ev, uint64_t now_ms, const char *hostname,
		 void (*on_alert)(void *opaque, const struct alert *a),
		 void (*on_match)(void *opaque, const struct match_report *m),
		 void *opaque);

/* Periodic work: re-assert objects still present after reassert_ms.
 * Returns the number of alerts raised. */
int ruleset_tick(const struct ruleset *rs, struct rule_state *st,
		 uint64_t now_ms, const char *hostname,
		 void (*on_alert)(void *opaque, const struct alert *a),
		 void *opaque);
/* The verdict waits while an inventory runs (on: start-up inventory,
 * --scan), then ruleset_verdict() judges everything found at once. */
void rule_state_defer_verdict(struct rule_state *st, bool on);
/* Judge now (after an inventory): raises laptop-farm-suspected through
 * on_alert if due, reports the arithmetic through on_match. */
int ruleset_verdict(struct rule_state *st, uint64_t now_ms, const char *hostname,
		    void (*on_alert)(void *opaque, const struct alert *a),
		    void (*on_match)(void *opaque, const struct match_report *m),
		    void *opaque);

/* When ruleset_tick next has work (CLOCK_MONOTONIC ms), UINT64_MAX: none. */
uint64_t rule_state_next_due(const struct rule_state *st);

#endif
