/* SPDX-License-Identifier: Apache-2.0 */
/*
 * correlate.h - state that relates events to each other: threshold groups,
 * each rule's last occurrence (for sequences and the verdict), the objects
 * still present (lifecycle), and the verdict.  Inside rules/ only; owned
 * by struct rule_state so that all of it survives a reload.
 */
#ifndef FARMHOUND_CORRELATE_H
#define FARMHOUND_CORRELATE_H

#include "ruleset_int.h"

struct correlate;

#define CORRELATE_EVIDENCE_MAX 16
#define CORRELATE_MESSAGE_MAX 160
#define CORRELATE_VALUE_MAX 40

struct correlate *correlate_new(void);
void correlate_free(struct correlate *co);
void correlate_stats(const struct correlate *co, struct rule_state_stats *out);
struct correlate *rule_state_correlate(struct rule_state *st);
const struct correlate_config *correlate_config(const struct correlate *co);
void correlate_configure(struct correlate *co, const struct correlate_config *c);

/* A threshold rule matched: count it.  True when the threshold is
 * reached (the group then starts again); *count is what was counted and
 * values[] the distinct values (at most THRESHOLD_COUNT_MAX). */
struct threshold_hit {
	uint64_t count;
	size_t nvalues;
	char values[THRESHOLD_COUNT_MAX][CORRELATE_VALUE_MAX];
};

bool correlate_threshold(struct correlate *co, const struct rule *r,
			 const struct event *ev, uint64_t now_ms,
			 struct threshold_hit *hit);

/* The rule occurred (matched, not allowed): remember when and what.
 * True if that may change the verdict (the rule was not counted yet). */
bool correlate_occurred(struct correlate *co, const struct rule *r,
			const struct event *ev, uint64_t now_ms);

/* A sequence rule: are enough of its rules recent?  If so the evidence
 * is filled (at most CORRELATE_EVIDENCE_MAX) and true returned. */
bool correlate_sequence(struct correlate *co, const struct rule *s,
			uint64_t now_ms, struct alert_evidence *ev, size_t *nev,
			size_t *have);

enum lifecycle {
	LIFE_NEW,		/* first seen: alert */
	LIFE_AGAIN,		/* added again while tracked: cooldown decides */
	LIFE_HELD,		/* still present, reported: hold */
	LIFE_REASSERT,		/* still present, due to be said again */
};

/* r matched ev with action present or add: track the object. */
enum lifecycle correlate_present(struct correlate *co, const struct rule *r,
				 const struct event *ev, bool is_add,
				 uint64_t now_ms);
/* ev is a remove: for each tracked (rule of ev's source, entity), call
 * resolved.  Returns how many. */
int correlate_remove(struct correlate *co, const struct source_index *ix,
		     const struct event *ev,
		     void (*resolved)(void *opaque, const struct rule *r),
		     void *opaque);
/* Objects due for re-assertion: call due(rule, stored event) for each;
 * rules are looked up by id in rs (gone: forgotten). */
int correlate_tick(struct correlate *co, const struct ruleset *rs,
		   uint64_t now_ms,
		   void (*due)(void *opaque, const struct rule *r,
			       const struct event *ev),
		   void *opaque);
uint64_t correlate_next_due(const struct correlate *co);

/* The verdict after a scored rule occurred.  Returns true with *a filled
 * (evidence in the correlate's own storage, valid until the next call)
 * when laptop-farm-suspected must be raised or re-stated.  detail (may
 * be NULL) gets the arithmetic, for --explain. */
bool correlate_verdict(struct correlate *co, uint64_t now_ms, struct alert *a,
		       char *detail, size_t dlen);
/* What became of the alert correlate_verdict() asked for: sent (counted
 * in verdicts), or not built (out of memory: counted as undelivered, and
 * said again at the next judgement). */
void correlate_verdict_sent(struct correlate *co, const struct alert *a, bool sent);

/* During an inventory (start-up, --scan) the verdict waits for the end,
 * so all of what is already there makes one verdict, not one per rule. */
void correlate_defer(struct correlate *co, bool on);
bool correlate_deferred(struct correlate *co);	/* true: skip now */

#endif
