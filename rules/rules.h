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

#include "../agent/alert.h"
#include "../collectors/event.h"

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
/* The same two, resolving "source =" names in sources (NULL-terminated)
 * instead of the collector registry: for tests and tools that bring their
 * own field tables.  sources NULL means the registry. */
int ruleset_load_dir_sources(const char *dir, time_t now,
			     const struct source_def *const *sources,
			     struct ruleset **out, struct diag_list *diags);
int ruleset_load_file_sources(const char *path, time_t now,
			      const struct source_def *const *sources,
			      struct ruleset **out, struct diag_list *diags);
void ruleset_free(struct ruleset *rs);

size_t ruleset_rule_count(const struct ruleset *rs);
size_t ruleset_list_count(const struct ruleset *rs);
size_t ruleset_allow_count(const struct ruleset *rs);

struct rule_state *rule_state_new(void);
void rule_state_free(struct rule_state *st);

/* Why an event did or did not raise an alert, for --explain. */
enum match_outcome {
	MATCH_ALERT,		/* matched, alert emitted */
	MATCH_ALLOWED,		/* matched, an [allow] section covered it */
	MATCH_SUPPRESSED,	/* matched, held back by the cooldown */
};

struct match_report {
	const struct rule_meta *rule;
	enum match_outcome outcome;
	const char *allow_id;		/* for MATCH_ALLOWED */
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

#endif
