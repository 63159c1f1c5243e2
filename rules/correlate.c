/* SPDX-License-Identifier: Apache-2.0 */
/*
 * correlate.c - what relates one event to others: thresholds, sequences,
 * the laptop-farm verdict and the lifecycle of objects that stay present.
 *
 * All of it lives in struct rule_state (through struct correlate) and is
 * keyed by rule id strings, never by pointers into a ruleset, so a reload
 * that keeps a rule keeps its counts, occurrences and tracked objects.
 *
 * Every table is fixed-size and allocated once (threshold groups lazily,
 * on the first threshold rule that matches): a device or a packet stream
 * can evict entries, never grow memory.  Evictions are counted and shown
 * in the heartbeat.  Lookups are linear scans over a hash column: the
 * tables hold hundreds of entries and are only touched by events that
 * matched a rule, which is rare next to the events that match nothing.
 *
 *  - threshold groups: (rule id, group_by values) -> the last matches'
 *    times (and, with distinct, the values' hashes and a short copy of
 *    the text for the alert).  Reaching the count fires and empties the
 *    group, so the next alert needs count new matches (a cooldown on the
 *    rule bounds it further).
 *  - occurrences: rule id -> last time it occurred (matched, not
 *    allowed), its score and category, its message and how many of its
 *    objects are still present.  Sequences and the verdict read it.
 *  - present objects: (rule id, entity) -> a copy of the event, for the
 *    resolved notice on remove and the daily re-assertion.
 *  - the verdict: whether laptop-farm-suspected is raised, and which
 *    rules it named, so it is said once per crossing and again only when
 *    a new rule adds to it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "correlate.h"

#define TGROUPS_MAX 256
#define OCC_MAX 512
#define ACTIVE_MAX 256
#define KEY_MAX 192
#define CATEGORY_MAX 48

struct tval {
	uint64_t h;
	uint64_t ms;
	char text[CORRELATE_VALUE_MAX];
};

struct tgroup {
	bool live;
	uint64_t hash;
	uint64_t used_ms;
	uint32_t n;
	char key[KEY_MAX];
	struct tval v[THRESHOLD_COUNT_MAX];
};

struct occ {
	bool live;
	uint64_t hash;
	char id[RULES_ID_LEN];
	char category[CATEGORY_MAX];
	int score;
	uint64_t last_ms;
	bool occurred;			/* last_ms is set */
	uint32_t active;		/* objects of this rule still present */
	char message[CORRELATE_MESSAGE_MAX];
};

struct active {
	bool live;
	uint64_t hash;
	char key[KEY_MAX];
	char rule_id[RULES_ID_LEN];
	struct event *ev;		/* our copy */
	uint64_t asserted_ms;		/* last alert or re-assertion */
};

/* The tables are large (the threshold groups half a megabyte, this
 * struct a third of one) and come zeroed from the allocator, whose fresh
 * pages cost a fault at first touch: a scan over a whole table made a
 * short --pcap run fault in every page of them (two hundred faults, as
 * many as the rest of the run).  So each table keeps the bound of the
 * entries ever used, and scans stop there: past it every entry is still
 * zero (not live), so stopping changes nothing but the pages touched. */
struct correlate {
	struct correlate_config cfg;
	struct tgroup *groups;		/* TGROUPS_MAX, NULL until needed */
	size_t ngroups;			/* live: the top ngroups (never freed) */
	struct occ occ[OCC_MAX];
	size_t nocc;			/* live: the first nocc (never freed) */
	struct active act[ACTIVE_MAX];
	size_t act_hw;			/* act[act_hw..] never used */
	bool raised;
	/* The rules the raised verdict named.  Its contributors are drawn
	 * from the occurrence table, so it has that table's bound: a smaller
	 * one forgot the rules past it, and the same evidence was
	 * re-announced as new at every judgement. */
	uint64_t raised_ids[OCC_MAX];
	size_t nraised;
	struct rule_meta verdict_meta;
	struct alert_evidence evidence[CORRELATE_EVIDENCE_MAX];
	struct rule_state_stats stats;
	bool deferred;			/* an inventory is running: verdict at its end */
};

static char *verdict_mitre[] = { (char *)"T1219", (char *)"T1200" };

void correlate_config_defaults(struct correlate_config *c)
{
	*c = (struct correlate_config){
		.verdict_enabled = true,
		.verdict_threshold = 100,
		.verdict_window_ms = 24ULL * 3600 * 1000,
		.verdict_min_categories = 2,
		.verdict_severity = LOG_CRIT,
		.reassert_ms = 24ULL * 3600 * 1000,
	};
}

struct correlate *correlate_new(void)
{
	struct correlate *co = calloc(1, sizeof(*co));

	if (!co)
		return NULL;
	correlate_config_defaults(&co->cfg);
	co->verdict_meta = (struct rule_meta){
		.id = (char *)VERDICT_RULE_ID,
		.name = (char *)"Laptop farm suspected",
		.description = (char *)"Several independent signals of a laptop farm on this host "
			"within the verdict window; the evidence names each rule.",
		.advice = (char *)"Escalate: open a case with the evidence list, follow each "
			"contributing rule's advice, and run the fleet queries for other "
			"laptops on this network.",
		.category = (char *)"verdict",
		.severity = co->cfg.verdict_severity,
		.confidence = CONFIDENCE_HIGH,
		.mitre = verdict_mitre,
		.nmitre = 2,
	};
	return co;
}

void correlate_free(struct correlate *co)
{
	if (!co)
		return;
	for (size_t i = 0; i < co->act_hw; i++)
		event_free(co->act[i].ev);
	free(co->groups);
	free(co);
}

void correlate_configure(struct correlate *co, const struct correlate_config *c)
{
	if (!co || !c)
		return;
	co->cfg = *c;
	co->verdict_meta.severity = c->verdict_severity;
}

const struct correlate_config *correlate_config(const struct correlate *co)
{
	return &co->cfg;
}

void correlate_stats(const struct correlate *co, struct rule_state_stats *out)
{
	if (!co)
		return;
	out->groups_evicted = co->stats.groups_evicted;
	out->values_evicted = co->stats.values_evicted;
	out->occurrences_evicted = co->stats.occurrences_evicted;
	out->active_evicted = co->stats.active_evicted;
	out->resolved = co->stats.resolved;
	out->reasserted = co->stats.reasserted;
	out->verdicts = co->stats.verdicts;
	out->undelivered = co->stats.undelivered;
	out->active = 0;
	for (size_t i = 0; i < co->act_hw; i++)
		out->active += co->act[i].live;
}

static void copy_str(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

/* A key cut to KEY_MAX keeps its hash at the end, like rule_state's. */
static uint64_t make_key(const struct rule *r, const struct event *ev,
			 char key[KEY_MAX])
{
	char buf[4096];
	size_t n = rule_entity_key(r, ev, buf, sizeof(buf));
	uint64_t h = rule_key_hash(buf, n);

	if (n >= KEY_MAX)
		snprintf(buf + KEY_MAX - 18, 18, "#%016" PRIx64, h);
	memcpy(key, buf, KEY_MAX - 1);
	key[KEY_MAX - 1] = '\0';
	return h;
}

/* One value as text (distinct counting, evidence). */
static size_t value_text(const struct value *v, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	if (!v || !v->set)
		return 0;
	switch (v->type) {
	case FIELD_STRING:
		snprintf(buf, len, "%s", v->str.ptr);
		break;
	case FIELD_INT:
		snprintf(buf, len, "%" PRId64, v->i);
		break;
	case FIELD_BOOL:
		snprintf(buf, len, "%s", v->b ? "true" : "false");
		break;
	case FIELD_IP:
		ip_addr_format(&v->ip, buf, len);
		break;
	case FIELD_LIST:
		for (size_t i = 0; i < v->list.n && o + 1 < len; i++) {
			int k = snprintf(buf + o, len - o, "%s%s", i ? "," : "",
					 v->list.items[i]);

			if (k < 0)
				break;
			o += (size_t)k;
		}
		break;
	}
	return strnlen(buf, len);
}

/* ---- thresholds ---- */

static struct tgroup *group_get(struct correlate *co, const struct rule *r,
				const struct event *ev, uint64_t now_ms)
{
	char key[KEY_MAX];
	uint64_t h = make_key(r, ev, key);
	struct tgroup *g, *lru = NULL;
	size_t first = TGROUPS_MAX - co->ngroups;

	if (!co->groups) {
		co->groups = calloc(TGROUPS_MAX, sizeof(*co->groups));
		if (!co->groups)
			return NULL;
	}
	/* A new group takes the highest free slot, so the live ones are
	 * groups[first..]; the least recently used goes when all are. */
	for (size_t i = first; i < TGROUPS_MAX; i++) {
		g = &co->groups[i];
		if (g->hash == h && strcmp(g->key, key) == 0) {
			g->used_ms = now_ms;
			return g;
		}
		if (!lru || g->used_ms < lru->used_ms)
			lru = g;
	}
	if (first) {
		lru = &co->groups[first - 1];
		co->ngroups++;
	} else {
		co->stats.groups_evicted++;
	}
	memset(lru, 0, sizeof(*lru));
	lru->live = true;
	lru->hash = h;
	lru->used_ms = now_ms;
	memcpy(lru->key, key, KEY_MAX);
	return lru;
}

static void group_expire(struct tgroup *g, uint64_t now_ms, uint64_t window_ms)
{
	uint32_t k = 0;

	for (uint32_t i = 0; i < g->n; i++)
		if (now_ms < g->v[i].ms || now_ms - g->v[i].ms < window_ms)
			g->v[k++] = g->v[i];
	g->n = k;
}

/* Room for one more value: the oldest goes when the group is full. */
static struct tval *group_slot(struct correlate *co, struct tgroup *g)
{
	uint32_t old = 0;

	if (g->n < THRESHOLD_COUNT_MAX)
		return &g->v[g->n++];
	for (uint32_t i = 1; i < g->n; i++)
		if (g->v[i].ms < g->v[old].ms)
			old = i;
	co->stats.values_evicted++;
	return &g->v[old];
}

bool correlate_threshold(struct correlate *co, const struct rule *r,
			 const struct event *ev, uint64_t now_ms,
			 struct threshold_hit *hit)
{
	const struct rule_threshold *t = &r->threshold;
	char text[EVENT_STR_MAX + 64];
	struct tgroup *g;
	struct tval *v = NULL;
	uint64_t h = 0;
	size_t n;

	hit->count = 0;
	hit->nvalues = 0;
	if (t->distinct_field >= 0) {
		n = value_text(event_get(ev, t->distinct_field), text, sizeof(text));
		if (!n)
			return false;	/* nothing to count distinctly */
		h = rule_key_hash(text, n);
	}
	g = group_get(co, r, ev, now_ms);
	if (!g)
		return false;
	group_expire(g, now_ms, t->window_ms);
	if (t->distinct_field >= 0)
		for (uint32_t i = 0; i < g->n && !v; i++)
			if (g->v[i].h == h)
				v = &g->v[i];
	if (!v) {
		v = group_slot(co, g);
		v->h = h;
		copy_str(v->text, sizeof(v->text), t->distinct_field >= 0 ? text : "");
	}
	v->ms = now_ms;
	hit->count = g->n;
	if (g->n < t->count)
		return false;
	if (t->distinct_field >= 0)
		for (uint32_t i = 0; i < g->n; i++)
			memcpy(hit->values[hit->nvalues++], g->v[i].text,
			       CORRELATE_VALUE_MAX);
	g->n = 0;
	return true;
}

/* ---- occurrences ---- */

static struct occ *occ_find(struct correlate *co, const char *id, uint64_t h)
{
	for (size_t i = 0; i < co->nocc; i++)
		if (co->occ[i].live && co->occ[i].hash == h &&
		    strcmp(co->occ[i].id, id) == 0)
			return &co->occ[i];
	return NULL;
}

/* The entry of id, made if missing: a free one, else the oldest without
 * present objects (those still count for the verdict), else the oldest. */
static struct occ *occ_get(struct correlate *co, const char *id)
{
	uint64_t h = rule_key_hash(id, strlen(id));
	struct occ *o = occ_find(co, id, h), *victim = NULL;

	if (o)
		return o;
	/* Entries are never freed: the first nocc are live. */
	if (co->nocc < OCC_MAX) {
		victim = &co->occ[co->nocc++];
	} else {
		for (size_t i = 0; i < OCC_MAX; i++) {
			o = &co->occ[i];
			if (!victim || (victim->active && !o->active) ||
			    ((!victim->active) == (!o->active) &&
			     o->last_ms < victim->last_ms))
				victim = o;
		}
		co->stats.occurrences_evicted++;
	}
	memset(victim, 0, sizeof(*victim));
	victim->live = true;
	victim->hash = h;
	copy_str(victim->id, sizeof(victim->id), id);
	return victim;
}

static bool occ_recent(const struct occ *o, uint64_t now_ms, uint64_t window_ms)
{
	return o && o->live && o->occurred && now_ms >= o->last_ms &&
	       now_ms - o->last_ms < window_ms;
}

bool correlate_occurred(struct correlate *co, const struct rule *r,
			const struct event *ev, uint64_t now_ms)
{
	struct occ *o = occ_get(co, r->meta.id);
	struct alert a = { .rule = &r->meta, .event = ev };
	/* Counted by the verdict already (recent or present): refreshing it
	 * cannot add to the verdict, and the message is kept from the first
	 * time, which is the cheap path for a rule that matches often. */
	bool counted = o->occurred && (o->active ||
		occ_recent(o, now_ms, co->cfg.verdict_window_ms));

	if (counted && o->score == r->meta.score) {
		o->last_ms = now_ms;
		return false;
	}
	o->last_ms = now_ms;
	o->occurred = true;
	o->score = r->meta.score;
	copy_str(o->category, sizeof(o->category), r->meta.category);
	alert_message(&a, o->message, sizeof(o->message));
	return true;
}


static void evidence_of(struct alert_evidence *e, const struct occ *o)
{
	*e = (struct alert_evidence){
		.rule_id = o->id,
		.category = o->category[0] ? o->category : NULL,
		.score = o->score,
		.message = o->message,
	};
}

bool correlate_sequence(struct correlate *co, const struct rule *s,
			uint64_t now_ms, struct alert_evidence *ev, size_t *nev,
			size_t *have)
{
	size_t got = 0;

	*nev = 0;
	for (size_t i = 0; i < s->seq.nrefs; i++) {
		const char *id = s->seq.refs[i]->meta.id;
		struct occ *o = occ_find(co, id, rule_key_hash(id, strlen(id)));

		if (!occ_recent(o, now_ms, s->seq.window_ms))
			continue;
		got++;
		if (*nev < CORRELATE_EVIDENCE_MAX)
			evidence_of(&ev[(*nev)++], o);
	}
	*have = got;
	return got >= s->seq.need;
}

/* ---- present objects ---- */

static struct active *active_find(struct correlate *co, const char *key, uint64_t h)
{
	for (size_t i = 0; i < co->act_hw; i++)
		if (co->act[i].live && co->act[i].hash == h &&
		    strcmp(co->act[i].key, key) == 0)
			return &co->act[i];
	return NULL;
}

static void active_drop(struct correlate *co, struct active *a)
{
	const char *id = a->rule_id;
	struct occ *o = occ_find(co, id, rule_key_hash(id, strlen(id)));

	if (o && o->active)
		o->active--;
	event_free(a->ev);
	memset(a, 0, sizeof(*a));
}

enum lifecycle correlate_present(struct correlate *co, const struct rule *r,
				 const struct event *ev, bool is_add,
				 uint64_t now_ms)
{
	char key[KEY_MAX];
	uint64_t h = make_key(r, ev, key);
	struct active *a = active_find(co, key, h), *victim = NULL;
	struct event *copy;

	if (a) {
		if (is_add) {
			/* A new appearance we missed the remove of: the
			 * cooldown decides.  The stored event is kept (same
			 * entity; copying on every add would make a flapping
			 * device expensive). */
			a->asserted_ms = now_ms;
			return LIFE_AGAIN;
		}
		if (co->cfg.reassert_ms && now_ms >= a->asserted_ms &&
		    now_ms - a->asserted_ms >= co->cfg.reassert_ms) {
			a->asserted_ms = now_ms;
			return LIFE_REASSERT;
		}
		return LIFE_HELD;
	}
	/* A deep copy: the stored event must not point into the collector's,
	 * which is freed after evaluation. */
	copy = event_copy(ev);
	if (!copy)
		return LIFE_NEW;	/* untracked: it alerts, no resolved */
	/* The first free slot, else the one asserted longest ago; slots
	 * from act_hw on were never used (free). */
	for (size_t i = 0; i < co->act_hw && !(victim && !victim->live); i++)
		if (!victim || !co->act[i].live ||
		    co->act[i].asserted_ms < victim->asserted_ms)
			victim = &co->act[i];
	if ((!victim || victim->live) && co->act_hw < ACTIVE_MAX)
		victim = &co->act[co->act_hw++];
	if (victim->live) {
		co->stats.active_evicted++;
		active_drop(co, victim);
	}
	victim->live = true;
	victim->hash = h;
	memcpy(victim->key, key, KEY_MAX);
	copy_str(victim->rule_id, sizeof(victim->rule_id), r->meta.id);
	victim->ev = copy;
	victim->asserted_ms = now_ms;
	occ_get(co, r->meta.id)->active++;
	return LIFE_NEW;
}

int correlate_remove(struct correlate *co, const struct source_index *ix,
		     const struct event *ev,
		     void (*resolved)(void *opaque, const struct rule *r),
		     void *opaque)
{
	bool any = false;
	int n = 0;

	for (size_t i = 0; i < co->act_hw && !any; i++)
		any = co->act[i].live && co->act[i].ev->source == ev->source;
	if (!any)
		return 0;
	for (size_t i = 0; i < ix->nrules; i++) {
		const struct rule *r = ix->rules[i];
		char key[KEY_MAX];
		struct active *a;
		uint64_t h;

		if (r->threshold.count || r->silent)
			continue;
		h = make_key(r, ev, key);
		a = active_find(co, key, h);
		if (!a)
			continue;
		active_drop(co, a);
		co->stats.resolved++;
		resolved(opaque, r);
		n++;
	}
	return n;
}

static const struct rule *rule_by_id(const struct ruleset *rs, const char *id)
{
	for (size_t i = 0; i < rs->nrules; i++)
		if (strcmp(rs->rules[i]->meta.id, id) == 0)
			return rs->rules[i];
	return NULL;
}

int correlate_tick(struct correlate *co, const struct ruleset *rs,
		   uint64_t now_ms,
		   void (*due)(void *opaque, const struct rule *r,
			       const struct event *ev),
		   void *opaque)
{
	int n = 0;

	if (!co->cfg.reassert_ms)
		return 0;
	for (size_t i = 0; i < co->act_hw; i++) {
		struct active *a = &co->act[i];
		const struct rule *r;

		if (!a->live || now_ms < a->asserted_ms ||
		    now_ms - a->asserted_ms < co->cfg.reassert_ms)
			continue;
		r = rs ? rule_by_id(rs, a->rule_id) : NULL;
		if (!r || r->source != a->ev->source || r->silent) {
			/* The rule went away with a reload. */
			active_drop(co, a);
			continue;
		}
		a->asserted_ms = now_ms;
		co->stats.reasserted++;
		due(opaque, r, a->ev);
		n++;
	}
	return n;
}

uint64_t correlate_next_due(const struct correlate *co)
{
	uint64_t due = UINT64_MAX;

	if (!co || !co->cfg.reassert_ms)
		return due;
	for (size_t i = 0; i < co->act_hw; i++) {
		const struct active *a = &co->act[i];

		if (a->live && a->asserted_ms + co->cfg.reassert_ms < due)
			due = a->asserted_ms + co->cfg.reassert_ms;
	}
	return due;
}

/* ---- the verdict ---- */

static int cmp_evidence(const void *x, const void *y)
{
	const struct alert_evidence *a = x, *b = y;

	if (a->score != b->score)
		return b->score - a->score;
	return strcmp(a->rule_id, b->rule_id);
}

static bool was_named(const struct correlate *co, uint64_t h)
{
	for (size_t i = 0; i < co->nraised; i++)
		if (co->raised_ids[i] == h)
			return true;
	return false;
}

static size_t append(char *buf, size_t len, size_t o, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static size_t append(char *buf, size_t len, size_t o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!buf || o + 1 >= len)
		return o;
	va_start(ap, fmt);
	n = vsnprintf(buf + o, len - o, fmt, ap);
	va_end(ap);
	if (n < 0)
		return o;
	return o + (size_t)n >= len ? len - 1 : o + (size_t)n;
}

/* The verdict adds up categories, not rules: each category counts with
 * its strongest rule.  Rules of one category are mostly views of one
 * thing (a PiKVM matches its identity rule and three structure rules);
 * summing them would let one device pass for several signals.  Rules
 * without a category do not count. */
bool correlate_verdict(struct correlate *co, uint64_t now_ms, struct alert *a,
		       char *detail, size_t dlen)
{
	struct { const char *name; int max; } cats[CORRELATE_EVIDENCE_MAX];
	struct alert_evidence all[OCC_MAX];
	size_t n = 0, ncats = 0, o = 0;
	bool crossing, news = false;
	int sum = 0;

	if (detail && dlen)
		detail[0] = '\0';
	if (!co->cfg.verdict_enabled)
		return false;
	for (size_t i = 0; i < co->nocc; i++) {
		const struct occ *e = &co->occ[i];

		if (!e->live || e->score <= 0 || !e->category[0] ||
		    !(e->active || occ_recent(e, now_ms, co->cfg.verdict_window_ms)))
			continue;
		evidence_of(&all[n++], e);
	}
	qsort(all, n, sizeof(all[0]), cmp_evidence);
	for (size_t i = 0; i < n; i++) {
		size_t k;

		for (k = 0; k < ncats; k++)
			if (strcmp(cats[k].name, all[i].category) == 0)
				break;
		if (k < ncats)
			continue;	/* sorted: the first one was the strongest */
		if (ncats == CORRELATE_EVIDENCE_MAX)
			continue;
		cats[ncats].name = all[i].category;
		cats[ncats++].max = all[i].score;
		sum += all[i].score;
		o = append(detail, dlen, o, "%s%s %d (%s)", ncats > 1 ? " + " : "",
			   all[i].category, all[i].score, all[i].rule_id);
	}
	crossing = sum >= co->cfg.verdict_threshold &&
		   (int)ncats >= co->cfg.verdict_min_categories;
	o = append(detail, dlen, o, "%s= %d %s threshold %d, %zu categories (need %d): %s",
		   n ? " " : "", sum, sum >= co->cfg.verdict_threshold ? ">=" : "<",
		   co->cfg.verdict_threshold, ncats, co->cfg.verdict_min_categories,
		   crossing ? "laptop farm suspected" : "no verdict");
	if (!crossing) {
		co->raised = false;
		co->nraised = 0;
		return false;
	}
	for (size_t i = 0; i < n; i++)
		if (!was_named(co, rule_key_hash(all[i].rule_id, strlen(all[i].rule_id))))
			news = true;
	if (co->raised && !news) {
		append(detail, dlen, o, " (already raised)");
		return false;
	}
	append(detail, dlen, o, co->raised ? " (re-stated: new evidence)" : " (raised)");
	a->verdict_restated = co->raised;
	co->raised = true;
	co->nraised = 0;
	for (size_t i = 0; i < n; i++)	/* n <= OCC_MAX */
		co->raised_ids[co->nraised++] =
			rule_key_hash(all[i].rule_id, strlen(all[i].rule_id));
	/* Evidence order: the rule that counts for each category first
	 * (strongest first), then the other rules of those categories, so a
	 * bounded alert line keeps every kind of evidence. */
	{
		size_t k = 0;

		for (size_t i = 0; i < n && k < CORRELATE_EVIDENCE_MAX; i++)
			for (size_t c = 0; c < ncats; c++)
				if (all[i].category == cats[c].name && all[i].score == cats[c].max) {
					co->evidence[k++] = all[i];
					cats[c].max = -1;	/* once per category */
					break;
				}
		for (size_t i = 0; i < n && k < CORRELATE_EVIDENCE_MAX; i++) {
			bool done = false;

			for (size_t j = 0; j < k && !done; j++)
				done = co->evidence[j].rule_id == all[i].rule_id;
			if (!done)
				co->evidence[k++] = all[i];
		}
		n = k;
	}
	a->rule = &co->verdict_meta;
	a->evidence = co->evidence;
	a->nevidence = n;
	a->verdict = true;
	a->verdict_score = sum;
	a->verdict_threshold = co->cfg.verdict_threshold;
	a->verdict_categories = (int)ncats;
	return true;
}

void correlate_verdict_sent(struct correlate *co, const struct alert *a, bool sent)
{
	if (sent) {
		co->stats.verdicts++;
		return;
	}
	/* Counted as lost, and the verdict is back where it was before this
	 * judgement with nothing named: the next judgement says it again
	 * rather than taking it for already raised. */
	co->stats.undelivered++;
	co->raised = a->verdict_restated;
	co->nraised = 0;
}

void correlate_defer(struct correlate *co, bool on)
{
	co->deferred = on;
}

bool correlate_deferred(struct correlate *co)
{
	return co->deferred;
}
