/*
 * ruleset.c - evaluating an event against a loaded ruleset, and freeing it.
 *
 * Per event: only the rules of the event's source are looked at (the
 * index built at load time), in file order.  The allow-lists of that
 * source are evaluated at most once per event, and only when some rule
 * matched, since most events match nothing.  Nothing here allocates: the
 * alert handed to on_alert lives on the stack for the duration of the
 * call (rule_state's table is allocated when the state is made).
 */
#include <stdlib.h>

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
	for (size_t i = 0; i < SOURCE__MAX; i++) {
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

static void report(void (*on_match)(void *, const struct match_report *),
		   void *opaque, const struct rule *r, enum match_outcome o,
		   const struct allow *a)
{
	struct match_report m = {
		.rule = &r->meta,
		.outcome = o,
		.allow_id = a ? a->id : NULL,
	};

	if (on_match)
		on_match(opaque, &m);
}

int ruleset_eval(const struct ruleset *rs, struct rule_state *st,
		 const struct event *ev, uint64_t now_ms, const char *hostname,
		 void (*on_alert)(void *opaque, const struct alert *a),
		 void (*on_match)(void *opaque, const struct match_report *m),
		 void *opaque)
{
	const struct source_index *ix;
	const struct allow *allow = NULL;
	bool allow_checked = false;
	int n = 0;

	if (!rs || !ev || !ev->source || (unsigned)ev->source->id >= SOURCE__MAX)
		return 0;
	ix = &rs->by_source[ev->source->id];
	/* Field ids were resolved against ix->source's table: an event
	 * built from another table must not be read with them. */
	if (ix->source != ev->source)
		return 0;
	for (size_t i = 0; i < ix->nrules; i++) {
		const struct rule *r = ix->rules[i];
		uint64_t suppressed = 0;
		struct alert a;

		if (!expr_eval(r->when, ev, rs->rt))
			continue;
		if (!allow_checked) {
			allow = first_allow(rs, ix, ev);
			allow_checked = true;
		}
		if (allow) {
			report(on_match, opaque, r, MATCH_ALLOWED, allow);
			continue;
		}
		if (r->cooldown_ms && st &&
		    !rule_state_pass(st, r, ev, now_ms, &suppressed)) {
			report(on_match, opaque, r, MATCH_SUPPRESSED, NULL);
			continue;
		}
		a = (struct alert){
			.rule = &r->meta,
			.event = ev,
			.ts = ev->ts,
			.hostname = hostname,
			.suppressed = suppressed,
		};
		if (on_alert)
			on_alert(opaque, &a);
		report(on_match, opaque, r, MATCH_ALERT, NULL);
		n++;
	}
	return n;
}
