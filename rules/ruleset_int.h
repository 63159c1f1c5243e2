/* SPDX-License-Identifier: Apache-2.0 */
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
#include "rule_index.h"
#include "rules.h"

/* Thresholds (count, window, distinct, group_by): the rule alerts when
 * count matching events, or count distinct values of a field, arrive
 * within window, per group of group_by values.  correlate.c keeps the
 * per-group state, bounded. */
#define RULES_ID_LEN 129		/* an id (at most 128) and its NUL */
#define THRESHOLD_COUNT_MAX 32
#define THRESHOLD_GROUP_BY_MAX 4

struct rule_threshold {
	uint64_t count;			/* 0: every match is an alert */
	uint64_t window_ms;
	int distinct_field;		/* -1: none */
	int group_by[THRESHOLD_GROUP_BY_MAX + 1];	/* field ids, -1 terminated */
};

/* Co-occurrence (match = all of (a, b) within 60s, or 2 of (...)): the
 * rule fires when `need` distinct rules of refs occurred within window.
 * refs are resolved at load time (rule ids, category:X expanded). */
struct rule_match {
	size_t need;
	bool all;
	struct rule **refs;
	size_t nrefs;
	uint64_t window_ms;
	char **names;			/* as written, until resolved */
	size_t nnames;
	int line;			/* of "match =" */
};

struct rule {
	struct rule_meta meta;
	const struct source_def *source;	/* NULL for a sequence */
	struct expr *when;			/* NULL for a sequence */
	uint64_t cooldown_ms;		/* 0: no cooldown */
	struct rule_threshold threshold;
	bool is_sequence;
	struct rule_match seq;
	bool silent;			/* alert = no: a building block */
	bool tracked;			/* score > 0 or referenced: remember occurrences */
	struct rule **dependents;	/* sequences that reference this rule */
	size_t ndependents;
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

/* The rule index of one source, built on the source's first event
 * (source_rule_index), not at load: a run feeds only some sources
 * (--pcap: net alone) and indexing all of them was an eighth of the
 * start-up.  Behind a pointer so that evaluation, which holds the
 * ruleset const, can fill it in (one thread, DESIGN §1). */
struct index_slot {
	struct rule_index *index;	/* NULL: try every rule */
	bool built;
};

/* Rules and allows of one source, in file order, and the index that
 * finds the few rules an event can match (rule_index.c). */
struct source_index {
	const struct source_def *source;
	struct rule **rules;
	size_t nrules;
	struct allow **allows;
	size_t nallows;
	struct index_slot *slot;	/* NULL: the source has no rules */
};

/* ix's rule index, built by the first call (ruleset_build.c).  NULL: try
 * every rule (no rules, too many to index, or no memory to build it,
 * which costs speed, never a match). */
const struct rule_index *source_rule_index(const struct source_index *ix);

struct ruleset {
	struct rule **rules;
	size_t nrules;
	struct rule_list **lists;
	size_t nlists;
	struct allow **allows;		/* in force (expired ones dropped) */
	size_t nallows;
	struct source_index by_source[SOURCE__MAX];
	struct expr_runtime *rt;
	struct rule **sequences;	/* the match = rules, in file order */
	size_t nsequences;
};

void diag_sort(struct diag_list *d, size_t from);
void rule_free(struct rule *r);
void allow_free(struct allow *a);

/* Cooldown, rule_state.c.  Returns true if the alert may go out; then
 * *suppressed is how many were held back since the last one. */
bool rule_state_pass(struct rule_state *st, const struct rule *r,
		     const struct event *ev, uint64_t now_ms,
		     uint64_t *suppressed);
/* Count one more match held back for (r, entity) without an alert
 * (a still-present object seen again), for the next alert's count. */
void rule_state_hold(struct rule_state *st, const struct rule *r,
		     const struct event *ev, uint64_t now_ms);
/* "ruleid\x1fvalue..." of the entity (or, for a threshold rule, its
 * group_by values) into buf; returns the length. */
size_t rule_entity_key(const struct rule *r, const struct event *ev,
		       char *buf, size_t len);
uint64_t rule_key_hash(const char *s, size_t n);

#endif
