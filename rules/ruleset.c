/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ruleset.c - evaluating an event against a loaded ruleset, and freeing it.
 *
 * Per event: only the rules of the event's source are looked at (through
 * its rule index, built on the source's first event), in file order.  The
 * allow-lists of that source are evaluated at most once per event, and
 * only when some rule matched, since most events match nothing.  Nothing
 * here allocates but that index, once per source: the alert handed to
 * on_alert lives on the stack for the duration of the call (rule_state's
 * table is allocated when the state is made).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "collectors/agent_source.h"
#include "correlate.h"
#include "ruleset_int.h"

static void rule_list_free(struct rule_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		free(l->items[i]);
	free(l->items);
	free(l->name);
	free(l);
}

void ruleset_free(struct ruleset *rs)
{
	if (!rs)
		return;
	for (size_t i = 0; i < rs->nrules; i++)
		rule_free(rs->rules[i]);
	free(rs->rules);
	for (size_t i = 0; i < rs->nlists; i++)
		rule_list_free(rs->lists[i]);
	free(rs->lists);
	for (size_t i = 0; i < rs->nallows; i++)
		allow_free(rs->allows[i]);
	free(rs->allows);
	free(rs->sequences);
	for (size_t i = 0; i < SOURCE__MAX; i++) {
		struct source_index *ix = &rs->by_source[i];

		if (ix->slot)
			rule_index_free(ix->slot->index);
		free(ix->slot);
		free(rs->by_source[i].rules);
		free(rs->by_source[i].allows);
	}
	expr_runtime_free(rs->rt);
	free(rs);
}

size_t ruleset_rule_count(const struct ruleset *rs)
{
	return rs ? rs->nrules : 0;
}

size_t ruleset_list_count(const struct ruleset *rs)
{
	return rs ? rs->nlists : 0;
}

size_t ruleset_allow_count(const struct ruleset *rs)
{
	return rs ? rs->nallows : 0;
}

static const struct allow *first_allow(const struct ruleset *rs,
				       const struct source_index *ix,
				       const struct event *ev)
{
	for (size_t i = 0; i < ix->nallows; i++)
		if (expr_eval(ix->allows[i]->when, ev, rs->rt))
			return ix->allows[i];
	return NULL;
}

/* One evaluation: what every step below needs. */
struct eval {
	const struct ruleset *rs;
	struct rule_state *st;
	struct correlate *co;		/* NULL without state */
	const struct event *ev;
	uint64_t now;
	const char *hostname;
	void (*on_alert)(void *opaque, const struct alert *a);
	void (*on_match)(void *opaque, const struct match_report *m);
	void *opaque;
	int n;
	bool verdict_due;		/* a scored rule occurred: judge at the end */
};

static void report(const struct eval *e, const struct rule_meta *meta,
		   enum match_outcome o, const struct allow *a,
		   const char *detail)
{
	struct match_report m = {
		.rule = meta,
		.outcome = o,
		.allow_id = a ? a->id : NULL,
		.detail = detail,
	};

	if (e->on_match)
		e->on_match(e->opaque, &m);
}

static void emit(struct eval *e, struct alert *a)
{
	if (!a->ts.tv_sec && !a->ts.tv_nsec)
		a->ts = e->ev->ts;
	a->hostname = e->hostname;
	if (!a->event)
		a->event = e->ev;
	if (e->on_alert)
		e->on_alert(e->opaque, a);
	e->n++;
}

static bool action_is(const struct event *ev, const char *action)
{
	const char *s = event_get_str(ev, 0);

	return s && strcmp(s, action) == 0;
}

static void occurred(struct eval *e, const struct rule *r, struct alert *a);

/* The verdict, after a scored rule occurred.  Its alert carries an agent
 * event (action=verdict, the arithmetic as message): it is about the
 * host, not about the event that happened to complete the picture. */
static void verdict(struct eval *e)
{
	char detail[1024];
	struct alert a = { 0 };
	struct event *ev;
	bool raise;

	if (correlate_deferred(e->co))
		return;
	raise = correlate_verdict(e->co, e->now, &a, detail, sizeof(detail));
	if (e->on_match && correlate_config(e->co)->verdict_enabled)
		report(e, a.rule, MATCH_VERDICT, NULL, detail);
	if (!raise)
		return;
	ev = event_new(&agent_source);
	correlate_verdict_sent(e->co, &a, ev != NULL);
	if (!ev)
		return;		/* counted as undelivered, said at the next judgement */
	event_set_str(ev, AGENT_ACTION, "verdict");
	event_set_str(ev, AGENT_MESSAGE, detail);
	event_set_str(ev, AGENT_VERSION, FARMHOUND_VERSION);
	a.event = ev;
	a.ts = ev->ts;
	a.hostname = e->hostname;
	if (e->on_alert)
		e->on_alert(e->opaque, &a);
	e->n++;
	event_free(ev);
}

int ruleset_verdict(struct rule_state *st, uint64_t now_ms, const char *hostname,
		    void (*on_alert)(void *opaque, const struct alert *a),
		    void (*on_match)(void *opaque, const struct match_report *m),
		    void *opaque)
{
	struct eval e = {
		.st = st, .co = rule_state_correlate(st), .now = now_ms,
		.hostname = hostname, .on_alert = on_alert, .on_match = on_match,
		.opaque = opaque,
	};

	if (!e.co)
		return 0;
	correlate_defer(e.co, false);
	verdict(&e);
	return e.n;
}

static void sequences_of(struct eval *e, const struct rule *r)
{
	for (size_t i = 0; i < r->ndependents; i++) {
		const struct rule *s = r->dependents[i];
		struct alert_evidence ev[CORRELATE_EVIDENCE_MAX];
		struct alert a = { .rule = &s->meta };
		size_t nev, have;
		char detail[64];

		if (!correlate_sequence(e->co, s, e->now, ev, &nev, &have)) {
			snprintf(detail, sizeof(detail), "%zu of %zu rules within the window",
				 have, s->seq.need);
			report(e, &s->meta, MATCH_COUNTED, NULL, detail);
			continue;
		}
		a.evidence = ev;
		a.nevidence = nev;
		occurred(e, s, &a);
	}
}

/* r occurred (matched, not allowed, threshold reached): remember it,
 * decide between alert, hold and cooldown, then what depends on it. */
static void occurred(struct eval *e, const struct rule *r, struct alert *a)
{
	bool present = action_is(e->ev, EVENT_ACTION_PRESENT);
	bool add = !present && action_is(e->ev, EVENT_ACTION_ADD);
	uint64_t suppressed = 0;
	bool news = false;

	if (e->co && r->tracked)
		news = correlate_occurred(e->co, r, e->ev, e->now);
	if (e->st && (present || add) && !r->threshold.count && !r->is_sequence &&
	    !r->silent) {
		switch (correlate_present(e->co, r, e->ev, add, e->now)) {
		case LIFE_HELD:
			rule_state_hold(e->st, r, e->ev, e->now);
			report(e, &r->meta, MATCH_HELD, NULL, NULL);
			goto out_dependents;
		case LIFE_REASSERT:
			a->kind = ALERT_REASSERTED;
			break;
		case LIFE_NEW:
		case LIFE_AGAIN:
			break;
		}
	}
	if (e->st) {
		/* A sequence's cooldown defaults to its window: its rules
		 * stay recent that long, and must not re-raise it on every
		 * further match. */
		struct rule tmp;
		const struct rule *cr = r;

		if (r->is_sequence && !r->cooldown_ms) {
			tmp = *r;
			tmp.cooldown_ms = r->seq.window_ms;
			cr = &tmp;
		}
		if (a->kind != ALERT_REASSERTED && cr->cooldown_ms &&
		    !rule_state_pass(e->st, cr, e->ev, e->now, &suppressed)) {
			report(e, &r->meta, MATCH_SUPPRESSED, NULL, NULL);
			goto out_dependents;
		}
		if (a->kind == ALERT_REASSERTED || !cr->cooldown_ms)
			rule_state_pass(e->st, cr, e->ev, e->now, &suppressed);
	}
	if (r->silent) {
		report(e, &r->meta, MATCH_SILENT, NULL, NULL);
		goto out_dependents;
	}
	a->suppressed = suppressed;
	emit(e, a);
	report(e, &r->meta, MATCH_ALERT, NULL, NULL);
out_dependents:
	if (!e->co)
		return;
	sequences_of(e, r);
	if (r->meta.score > 0 && (news || e->on_match))
		e->verdict_due = true;
}

static void on_resolved(void *opaque, const struct rule *r)
{
	struct eval *e = opaque;
	/* A going-away is news, not an incident: notice, whatever the rule's
	 * severity, so it does not page like the appearance did. */
	struct rule_meta meta = r->meta;
	struct alert a = { .rule = &meta, .kind = ALERT_RESOLVED };

	if (meta.severity < LOG_NOTICE)
		meta.severity = LOG_NOTICE;
	emit(e, &a);
	report(e, &r->meta, MATCH_RESOLVED, NULL, NULL);
}

/* r matched: allow-lists, threshold, then what occurred() decides.  Kept
 * apart from eval_rule so that the common case, no match, touches none
 * of these locals. */
static void matched(struct eval *e, const struct source_index *ix,
		    const struct rule *r, const struct allow **allow,
		    bool *allow_checked)
{
	struct threshold_hit hit;
	const char *values[THRESHOLD_COUNT_MAX];
	struct alert a = { .rule = &r->meta };
	char why[64];

	if (!*allow_checked) {
		*allow = first_allow(e->rs, ix, e->ev);
		*allow_checked = true;
	}
	if (*allow) {
		report(e, &r->meta, MATCH_ALLOWED, *allow, NULL);
		return;
	}
	if (r->threshold.count) {
		if (!e->co || !correlate_threshold(e->co, r, e->ev, e->now, &hit)) {
			snprintf(why, sizeof(why), "%llu of %llu within the window",
				 e->co ? (unsigned long long)hit.count : 0ULL,
				 (unsigned long long)r->threshold.count);
			report(e, &r->meta, MATCH_COUNTED, NULL, e->co ? why : "no state");
			return;
		}
		for (size_t i = 0; i < hit.nvalues; i++)
			values[i] = hit.values[i];
		a.count = hit.count;
		a.values = values;
		a.nvalues = hit.nvalues;
	}
	occurred(e, r, &a);
}

static void explain_miss(struct eval *e, const struct rule *r)
{
	char why[300];

	if (!expr_explain(r->when, e->ev, e->rs->rt, why, sizeof(why)))
		report(e, &r->meta, MATCH_MISSED, NULL, why);
}

static inline bool rule_matches(struct eval *e, const struct rule *r)
{
	if (e->on_match && !expr_eval(r->when, e->ev, e->rs->rt)) {
		explain_miss(e, r);
		return false;
	}
	return expr_eval(r->when, e->ev, e->rs->rt);
}

struct visit {
	struct eval *e;
	const struct source_index *ix;
	const struct allow *allow;
	bool allow_checked;
};

static void visit_candidate(void *opaque, uint32_t pos)
{
	struct visit *v = opaque;
	struct rule *r = v->ix->rules[pos];

	if (expr_eval(r->when, v->e->ev, v->e->rs->rt))
		matched(v->e, v->ix, r, &v->allow, &v->allow_checked);
}

int ruleset_eval(const struct ruleset *rs, struct rule_state *st,
		 const struct event *ev, uint64_t now_ms, const char *hostname,
		 void (*on_alert)(void *opaque, const struct alert *a),
		 void (*on_match)(void *opaque, const struct match_report *m),
		 void *opaque)
{
	const struct source_index *ix;
	const struct rule_index *rix;
	const struct allow *allow = NULL;
	bool allow_checked = false;
	struct eval e = {
		.rs = rs, .st = st, .co = rule_state_correlate(st), .ev = ev,
		.now = now_ms, .hostname = hostname, .on_alert = on_alert,
		.on_match = on_match, .opaque = opaque,
	};

	if (!rs || !ev || !ev->source || (unsigned)ev->source->id >= SOURCE__MAX)
		return 0;
	ix = &rs->by_source[ev->source->id];
	/* Field ids were resolved against ix->source's table: an event
	 * built from another table must not be read with them. */
	if (ix->source != ev->source)
		return 0;
	if (e.co && action_is(ev, EVENT_ACTION_REMOVE))
		correlate_remove(e.co, ix, ev, on_resolved, &e);
	if (!on_match && (rix = source_rule_index(ix))) {
		struct visit v = { .e = &e, .ix = ix };

		rule_index_visit(rix, ev, visit_candidate, &v);
	} else {
		for (size_t i = 0; i < ix->nrules; i++)
			if (rule_matches(&e, ix->rules[i]))
				matched(&e, ix, ix->rules[i], &allow, &allow_checked);
	}
	/* Once per event, after all its rules: one device matching three
	 * rules is one step of the verdict, not three. */
	if (e.verdict_due)
		verdict(&e);
	return e.n;
}

static void on_due(void *opaque, const struct rule *r, const struct event *ev)
{
	struct eval *e = opaque;
	struct alert a = { .rule = &r->meta, .event = ev, .kind = ALERT_REASSERTED };

	/* Said now, about an event stored when the object appeared. */
	clock_gettime(CLOCK_REALTIME, &a.ts);
	e->ev = ev;
	emit(e, &a);
}

int ruleset_tick(const struct ruleset *rs, struct rule_state *st,
		 uint64_t now_ms, const char *hostname,
		 void (*on_alert)(void *opaque, const struct alert *a),
		 void *opaque)
{
	struct eval e = {
		.rs = rs, .st = st, .co = rule_state_correlate(st), .now = now_ms,
		.hostname = hostname, .on_alert = on_alert, .opaque = opaque,
	};

	if (!e.co)
		return 0;
	correlate_tick(e.co, rs, now_ms, on_due, &e);
	return e.n;
}
