/*
 * ruleset_int.h - the inside of a ruleset, shared by the files of rules/
 * (loading, evaluation, state).  Nothing outside rules/ includes it.
 */
#ifndef FARMHOUND_RULESET_INT_H
#define FARMHOUND_RULESET_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "expr.h"
#include "rules.h"

/* Reserved for thresholds (a later version): count matches of a rule per
 * group in a window, optionally counting distinct values of a field.  The
 * loader rejects the keys for now; the slots are here so that adding them
 * does not reshape struct rule. */
struct rule_threshold {
	uint64_t count;			/* 0: every match is an alert */
	uint64_t window_ms;
	int distinct_field;		/* -1: none */
	int group_by[4];		/* field ids, -1 terminated */
};

struct rule {
	struct rule_meta meta;
	const struct source_def *source;
	struct expr *when;
	uint64_t cooldown_ms;		/* 0: no cooldown */
	struct rule_threshold threshold;
	char *file;
	int line;
};

struct rule_list {
	char *name;
	char **items;
	size_t n;
};

struct allow {
	char *id;
	const struct source_def *source;
	struct expr *when;
	char *reason;
	char *owner;			/* may be NULL */
	time_t expires;			/* end of the expiry day (UTC); 0: never */
};

/* Rules and allows of one source, in file order. */
struct source_index {
	const struct source_def *source;
	struct rule **rules;
	size_t nrules;
	struct allow **allows;
	size_t nallows;
};

struct ruleset {
	struct rule **rules;
	size_t nrules;
	struct rule_list **lists;
	size_t nlists;
	struct allow **allows;		/* in force (expired ones dropped) */
	size_t nallows;
	struct source_index by_source[SOURCE__MAX];
	struct expr_runtime *rt;
};

void diag_sort(struct diag_list *d, size_t from);
void rule_free(struct rule *r);
void allow_free(struct allow *a);

/* Cooldown, rule_state.c.  Returns true if the alert may go out; then
 * *suppressed is how many were held back since the last one. */
bool rule_state_pass(struct rule_state *st, const struct rule *r,
		     const struct event *ev, uint64_t now_ms,
		     uint64_t *suppressed);

#endif
