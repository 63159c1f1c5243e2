/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rule_state.c - what must outlive a ruleset: cooldowns.
 *
 * One entry per (rule id, entity) that alerted, where the entity is the
 * values of the source's entity_fields (usb: port, vendor_id, product_id).
 * Keyed by the rule's id string, not by a pointer into a ruleset, so a
 * reload that keeps a rule keeps its cooldowns.  A match inside the
 * cooldown is counted, and the next alert after it carries the count.
 *
 * Bounded: a fixed table of RULE_STATE_MAX entries, allocated once, with
 * the least recently used entry reused when it is full, so a device that
 * changes its serial on every plug cannot grow memory; the worst it can
 * do is evict cooldowns, which errs towards alerting.  Keys longer than
 * an entry holds are cut and completed by a hash of the whole key.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correlate.h"
#include "ruleset_int.h"

#define RULE_STATE_MAX 4096
#define RULE_STATE_BUCKETS 8192		/* power of two */
#define RULE_STATE_KEY_MAX 192
#define NIL (-1)

struct cd_entry {
	char key[RULE_STATE_KEY_MAX];
	uint64_t hash;
	uint64_t last_ms;		/* last alert */
	uint64_t held;			/* matches held back since */
	bool alerted;			/* last_ms is an alert's time */
	int32_t next;			/* hash chain */
	int32_t prev_lru, next_lru;	/* head = most recent */
};

struct rule_state {
	int32_t buckets[RULE_STATE_BUCKETS];
	struct cd_entry *e;
	int32_t n;
	int32_t head, tail;
	struct correlate *co;		/* thresholds, sequences, verdict, lifecycle */
	uint64_t suppressed_total;	/* for the heartbeat */
	uint64_t evicted;		/* cooldown entries forgotten (full table) */
};

struct correlate *rule_state_correlate(struct rule_state *st)
{
	return st ? st->co : NULL;
}

void rule_state_stats(const struct rule_state *st, struct rule_state_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (!st)
		return;
	out->suppressed = st->suppressed_total;
	out->cooldown_evicted = st->evicted;
	correlate_stats(st->co, out);
}

struct rule_state *rule_state_new(void)
{
	struct rule_state *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	st->e = calloc(RULE_STATE_MAX, sizeof(*st->e));
	if (!st->e) {
		free(st);
		return NULL;
	}
	st->co = correlate_new();
	if (!st->co) {
		free(st->e);
		free(st);
		return NULL;
	}
	for (size_t i = 0; i < RULE_STATE_BUCKETS; i++)
		st->buckets[i] = NIL;
	st->head = st->tail = NIL;
	return st;
}

void rule_state_free(struct rule_state *st)
{
	if (!st)
		return;
	correlate_free(st->co);
	free(st->e);
	free(st);
}

/* FNV-1a: keys are not secret and chains stay short at this size. */
uint64_t rule_key_hash(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static size_t put(char *buf, size_t len, size_t o, const char *s)
{
	size_t n = strlen(s);

	if (o >= len)
		return o;
	if (n > len - 1 - o)
		n = len - 1 - o;
	memcpy(buf + o, s, n);
	buf[o + n] = '\0';
	return o + n;
}

/* "ruleid\x1fvalue\x1fvalue..." into buf; returns its length.  The
 * entity of a threshold rule is its group (group_by values: the alert is
 * about the group, not the last event's object); a sequence has none. */
size_t rule_entity_key(const struct rule *r, const struct event *ev,
		       char *buf, size_t len)
{
	const int *f = ev->source->entity_fields;
	char num[64];
	size_t o = put(buf, len, 0, r->meta.id);

	if (r->is_sequence)
		return o;
	if (r->threshold.count)
		f = r->threshold.group_by;
	for (; f && *f >= 0; f++) {
		const struct value *v = event_get(ev, *f);

		o = put(buf, len, o, "\x1f");
		if (!v)
			continue;
		switch (v->type) {
		case FIELD_STRING:
			o = put(buf, len, o, v->str.ptr);
			break;
		case FIELD_INT:
			snprintf(num, sizeof(num), "%" PRId64, v->i);
			o = put(buf, len, o, num);
			break;
		case FIELD_BOOL:
			o = put(buf, len, o, v->b ? "true" : "false");
			break;
		case FIELD_IP:
			ip_addr_format(&v->ip, num, sizeof(num));
			o = put(buf, len, o, num);
			break;
		case FIELD_LIST:
			for (size_t i = 0; i < v->list.n; i++) {
				o = put(buf, len, o, i ? "," : "");
				o = put(buf, len, o, v->list.items[i]);
			}
			break;
		}
	}
	return o;
}

static void lru_unlink(struct rule_state *st, int32_t i)
{
	struct cd_entry *e = &st->e[i];

	if (e->prev_lru != NIL)
		st->e[e->prev_lru].next_lru = e->next_lru;
	else
		st->head = e->next_lru;
	if (e->next_lru != NIL)
		st->e[e->next_lru].prev_lru = e->prev_lru;
	else
		st->tail = e->prev_lru;
}

static void lru_push_front(struct rule_state *st, int32_t i)
{
	struct cd_entry *e = &st->e[i];

	e->prev_lru = NIL;
	e->next_lru = st->head;
	if (st->head != NIL)
		st->e[st->head].prev_lru = i;
	st->head = i;
	if (st->tail == NIL)
		st->tail = i;
}

static void chain_unlink(struct rule_state *st, int32_t i)
{
	int32_t *p = &st->buckets[st->e[i].hash & (RULE_STATE_BUCKETS - 1)];

	while (*p != NIL && *p != i)
		p = &st->e[*p].next;
	if (*p == i)
		*p = st->e[i].next;
}

/* A fresh entry: a never-used one, or the least recently used. */
static int32_t entry_take(struct rule_state *st)
{
	int32_t i;

	if (st->n < RULE_STATE_MAX)
		return st->n++;
	i = st->tail;
	lru_unlink(st, i);
	chain_unlink(st, i);
	return i;
}

/* The entry of (r, entity), made if missing (*fresh then true). */
static struct cd_entry *entry_get(struct rule_state *st, const struct rule *r,
				  const struct event *ev, uint64_t now_ms,
				  bool *fresh)
{
	char key[8192];			/* entity values are cut beyond this */
	size_t n = rule_entity_key(r, ev, key, sizeof(key));
	uint64_t h = rule_key_hash(key, n);
	int32_t *b = &st->buckets[h & (RULE_STATE_BUCKETS - 1)];
	struct cd_entry *e;
	int32_t i;

	*fresh = false;
	if (n >= RULE_STATE_KEY_MAX)
		snprintf(key + RULE_STATE_KEY_MAX - 18, 18, "#%016" PRIx64, h);
	for (i = *b; i != NIL; i = st->e[i].next)
		if (st->e[i].hash == h && strcmp(st->e[i].key, key) == 0)
			break;
	if (i != NIL) {
		lru_unlink(st, i);
		lru_push_front(st, i);
		return &st->e[i];
	}
	if (st->n >= RULE_STATE_MAX)
		st->evicted++;
	i = entry_take(st);
	e = &st->e[i];
	memset(e, 0, sizeof(*e));
	memcpy(e->key, key, strnlen(key, RULE_STATE_KEY_MAX - 1));
	e->hash = h;
	e->last_ms = now_ms;
	e->next = *b;
	*b = i;
	lru_push_front(st, i);
	*fresh = true;
	return e;
}

bool rule_state_pass(struct rule_state *st, const struct rule *r,
		     const struct event *ev, uint64_t now_ms,
		     uint64_t *suppressed)
{
	bool fresh;
	struct cd_entry *e = entry_get(st, r, ev, now_ms, &fresh);

	*suppressed = 0;
	if (fresh || !e->alerted)
		goto out_pass;
	if (now_ms >= e->last_ms && now_ms - e->last_ms < r->cooldown_ms) {
		e->held++;
		st->suppressed_total++;
		return false;
	}
out_pass:
	*suppressed = e->held;
	e->held = 0;
	e->last_ms = now_ms;
	e->alerted = true;
	return true;
}

void rule_state_hold(struct rule_state *st, const struct rule *r,
		     const struct event *ev, uint64_t now_ms)
{
	bool fresh;
	struct cd_entry *e = entry_get(st, r, ev, now_ms, &fresh);

	(void)fresh;	/* a fresh entry is not "alerted": the next alert passes */
	e->held++;
	st->suppressed_total++;
}

void rule_state_configure(struct rule_state *st, const struct correlate_config *c)
{
	if (st)
		correlate_configure(st->co, c);
}

uint64_t rule_state_next_due(const struct rule_state *st)
{
	return st ? correlate_next_due(st->co) : UINT64_MAX;
}

void rule_state_defer_verdict(struct rule_state *st, bool on)
{
	if (st)
		correlate_defer(st->co, on);
}
