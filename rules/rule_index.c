/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rule_index.c - the candidate rules of an event, without trying them all.
 *
 * Most events match nothing, and DESIGN §8 wants a million of them a
 * second against 500 rules: trying every rule of the event's source (a
 * regex, a string compare each) is twenty times too slow.  So each rule
 * is filed, at load time, under one condition it cannot match without --
 * its "key", chosen from the conjuncts of its top-level "and" (expr_index.c,
 * expr_index_plan()):
 *
 *   EXACT   field == "x", field in (...): a hash table of (field, literal);
 *           an event looks up the value of each such field it carries
 *           (each element of a list field).
 *   SUBSTR  contains/startswith/endswith, and the literal a glob or regex
 *           forces (literal.c): one Aho-Corasick automaton per field, over
 *           ASCII-folded bytes; an event's value is scanned once and every
 *           literal in it names its rules.
 *
 * A rule with no such conjunct is "unkeyed" and tried on every event of
 * its source.  Among several keys a rule takes the one the fewest rules
 * share ("action in (add, present)" is offered by most USB rules and says
 * little; "vendor_id == 2e8a" by one), exact before substring.
 *
 * The index only narrows: the caller still evaluates each candidate, so
 * folding case or cutting a literal to LITERAL_MAX bytes can add
 * candidates but never lose a match.  Candidates are a bitmap of rule
 * positions, so they come out in file order (allow-lists and alerts keep
 * the order rules were written in) and each once.
 *
 * This is the "fast pattern" idea of network IDSes (Suricata's MPM,
 * Snort's fast_pattern), sized for a few hundred host rules.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"
#include "literal.h"
#include "rule_index.h"

#define WORDS(n) (((n) + 63) / 64)
/* Literals this short match too much to narrow anything. */
#define SUBSTR_MIN 3

struct entry {
	char *lit;			/* folded for SUBSTR and icase EXACT */
	size_t len;
	uint64_t hash;
	int field;
	enum expr_key_kind kind;
	bool icase;
	uint32_t offered;		/* rules offering this key */
	uint32_t last_offer;		/* the last rule that did, + 1 */
	uint32_t *pos;			/* rules filed under it, ascending */
	size_t npos;
};

/* The EXACT keys of one (field, case) an event's value is looked up in. */
struct exact_class {
	int field;
	bool icase;
	size_t maxlen;
};

struct ac_node {
	uint32_t child, sibling;	/* 0: none (0 is the root) */
	uint32_t fail, dict;		/* dict: nearest suffix with an entry */
	int32_t entry;			/* -1: no literal ends here */
	unsigned char ch;
};

struct matcher {
	int field;
	struct ac_node *nodes;
	size_t nnodes, cap;
	uint32_t root[256];
};

struct rule_index {
	size_t nrules;
	uint64_t *unkeyed;		/* bitmap */
	struct entry *entries;		/* open addressing, power of two */
	size_t nentries, cap;
	struct exact_class *classes;
	size_t nclasses;
	struct matcher *matchers;
	size_t nmatchers;
	size_t nkeyed;
};

/* ---- entries ---- */

static uint64_t fnv(const char *s, size_t n, uint64_t h)
{
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static uint64_t entry_hash(enum expr_key_kind kind, int field, bool icase,
			   const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ ((uint64_t)field << 2 | (uint64_t)kind << 1 | icase);

	return fnv(s, n, h * 0x100000001b3ULL);
}

static struct entry *entry_find(const struct rule_index *ix, enum expr_key_kind kind,
				int field, bool icase, const char *s, size_t n,
				uint64_t h)
{
	size_t mask = ix->cap - 1;

	if (!ix->cap)
		return NULL;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct entry *e = &ix->entries[i];

		if (!e->lit)
			return e;
		if (e->hash == h && e->len == n && e->field == field &&
		    e->kind == kind && e->icase == icase && memcmp(e->lit, s, n) == 0)
			return e;
	}
}

static int entries_grow(struct rule_index *ix)
{
	size_t ncap = ix->cap ? ix->cap * 2 : 64;
	struct entry *old = ix->entries;
	size_t ocap = ix->cap;

	ix->entries = calloc(ncap, sizeof(*ix->entries));
	if (!ix->entries) {
		ix->entries = old;
		return -ENOMEM;
	}
	ix->cap = ncap;
	for (size_t i = 0; i < ocap; i++)
		if (old[i].lit)
			*entry_find(ix, old[i].kind, old[i].field, old[i].icase,
				    old[i].lit, old[i].len, old[i].hash) = old[i];
	free(old);
	return 0;
}

/* The key text as stored: folded unless it is a case-sensitive EXACT. */
static size_t key_text(const struct expr_key *k, const char *lit, char *buf,
		       size_t cap)
{
	size_t n = strlen(lit);

	if (k->kind == EXPR_KEY_SUBSTR && n > LITERAL_MAX)
		n = LITERAL_MAX;	/* a prefix of it is required too */
	if (n >= cap)
		return SIZE_MAX;	/* never equal to an event string */
	for (size_t i = 0; i < n; i++)
		buf[i] = k->kind == EXPR_KEY_EXACT && !k->icase ?
			lit[i] : (char)literal_fold((unsigned char)lit[i]);
	buf[n] = '\0';
	return n;
}

/* The entry of one literal of k, added if new; NULL if the literal
 * cannot be a key (too short or too long). */
static struct entry *entry_get(struct rule_index *ix, const struct expr_key *k,
			       const char *lit, bool add, int *err)
{
	char buf[EVENT_STR_MAX + 1];
	bool icase = k->kind == EXPR_KEY_EXACT && k->icase;
	size_t n = key_text(k, lit, buf, sizeof(buf));
	uint64_t h;
	struct entry *e;

	if (n == SIZE_MAX || (k->kind == EXPR_KEY_SUBSTR && n < SUBSTR_MIN))
		return NULL;
	h = entry_hash(k->kind, k->field, icase, buf, n);
	e = entry_find(ix, k->kind, k->field, icase, buf, n, h);
	if ((e && e->lit) || !add)
		return e && e->lit ? e : NULL;
	if (2 * (ix->nentries + 1) > ix->cap) {
		if ((*err = entries_grow(ix)) < 0)
			return NULL;
		e = entry_find(ix, k->kind, k->field, icase, buf, n, h);
	}
	e->lit = strndup(buf, n);
	if (!e->lit) {
		*err = -ENOMEM;
		return NULL;
	}
	e->len = n;
	e->hash = h;
	e->field = k->field;
	e->kind = k->kind;
	e->icase = icase;
	ix->nentries++;
	return e;
}

/* ---- choosing each rule's keys ---- */

struct filing {
	struct rule_index *ix;
	uint32_t rule;
	int err;
};

/* Pass 1: how many rules offer each atom (once per rule). */
static void count_offer(void *opaque, const struct expr_key *k)
{
	struct filing *f = opaque;
	struct entry *e;

	if (f->err < 0 || !(e = entry_get(f->ix, k, k->lit, true, &f->err)))
		return;
	if (e->last_offer == f->rule + 1)
		return;
	e->offered++;
	e->last_offer = f->rule + 1;
}

/* An atom's price: the rules that share it, all of them candidates
 * whenever it hits.  Exact before substring on a tie: a hash probe
 * costs less than a scan, and a value says more than a piece of it. */
static uint64_t atom_price(void *opaque, const struct expr_key *k)
{
	struct filing *f = opaque;
	struct entry *e = entry_get(f->ix, k, k->lit, false, &f->err);

	if (!e)
		return UINT64_MAX;
	return (uint64_t)e->offered + (k->kind == EXPR_KEY_SUBSTR);
}

/* Pass 2: file the rule under each atom of its cheapest set. */
static void file_under(void *opaque, const struct expr_key *k)
{
	struct filing *f = opaque;
	struct entry *e = entry_get(f->ix, k, k->lit, false, &f->err);
	uint32_t *np;

	if (f->err < 0 || !e || (e->npos && e->pos[e->npos - 1] == f->rule))
		return;
	np = realloc(e->pos, (e->npos + 1) * sizeof(*np));
	if (!np) {
		f->err = -ENOMEM;
		return;
	}
	np[e->npos++] = f->rule;
	e->pos = np;
}

static int file_rules(struct rule_index *ix, const struct expr *const *whens)
{
	struct filing f = { .ix = ix };

	for (size_t r = 0; r < ix->nrules && f.err == 0; r++) {
		f.rule = (uint32_t)r;
		expr_index_atoms(whens[r], count_offer, &f);
	}
	for (size_t r = 0; r < ix->nrules && f.err == 0; r++) {
		f.rule = (uint32_t)r;
		if (expr_index_plan(whens[r], atom_price, file_under, &f) == UINT64_MAX)
			ix->unkeyed[r / 64] |= 1ULL << (r % 64);
		else
			ix->nkeyed++;
	}
	return f.err;
}

/* ---- exact classes ---- */

static int add_classes(struct rule_index *ix)
{
	for (size_t i = 0; i < ix->cap; i++) {
		const struct entry *e = &ix->entries[i];
		struct exact_class *cl = NULL, *n;

		if (!e->lit || !e->npos || e->kind != EXPR_KEY_EXACT)
			continue;
		for (size_t k = 0; k < ix->nclasses && !cl; k++)
			if (ix->classes[k].field == e->field &&
			    ix->classes[k].icase == e->icase)
				cl = &ix->classes[k];
		if (!cl) {
			n = realloc(ix->classes, (ix->nclasses + 1) * sizeof(*n));
			if (!n)
				return -ENOMEM;
			ix->classes = n;
			cl = &n[ix->nclasses++];
			*cl = (struct exact_class){ .field = e->field, .icase = e->icase };
		}
		if (e->len > cl->maxlen)
			cl->maxlen = e->len;
	}
	return 0;
}

/* ---- Aho-Corasick, one automaton per field ---- */

static uint32_t ac_goto(const struct matcher *m, uint32_t s, unsigned char c)
{
	if (s == 0)
		return m->root[c];
	for (uint32_t k = m->nodes[s].child; k; k = m->nodes[k].sibling)
		if (m->nodes[k].ch == c)
			return k;
	return 0;
}

static int ac_new_node(struct matcher *m, uint32_t parent, unsigned char c,
		       uint32_t *out)
{
	struct ac_node *n;

	if (m->nnodes == m->cap) {
		size_t ncap = m->cap ? m->cap * 2 : 64;

		n = realloc(m->nodes, ncap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		m->nodes = n;
		m->cap = ncap;
	}
	*out = (uint32_t)m->nnodes;
	m->nodes[m->nnodes++] = (struct ac_node){ .entry = -1, .ch = c };
	if (parent == 0) {
		m->root[c] = *out;
	} else {
		m->nodes[*out].sibling = m->nodes[parent].child;
		m->nodes[parent].child = *out;
	}
	return 0;
}

static int ac_insert(struct matcher *m, const char *lit, size_t len, int32_t entry)
{
	uint32_t s = 0, t;

	for (size_t i = 0; i < len; i++, s = t) {
		unsigned char c = (unsigned char)lit[i];

		t = ac_goto(m, s, c);
		if (!t && ac_new_node(m, s, c, &t) < 0)
			return -ENOMEM;
	}
	m->nodes[s].entry = entry;
	return 0;
}

/* Failure and dictionary links, breadth first. */
static int ac_link(struct matcher *m)
{
	uint32_t *queue = malloc(m->nnodes * sizeof(*queue));
	size_t head = 0, tail = 0;

	if (!queue)
		return -ENOMEM;
	for (int c = 0; c < 256; c++)
		if (m->root[c])
			queue[tail++] = m->root[c];	/* fail = dict = root */
	while (head < tail) {
		uint32_t u = queue[head++];

		for (uint32_t v = m->nodes[u].child; v; v = m->nodes[v].sibling) {
			uint32_t f = m->nodes[u].fail, t;

			while (!(t = ac_goto(m, f, m->nodes[v].ch)) && f)
				f = m->nodes[f].fail;
			m->nodes[v].fail = t;
			m->nodes[v].dict = m->nodes[t].entry >= 0 ? t : m->nodes[t].dict;
			queue[tail++] = v;
		}
	}
	free(queue);
	return 0;
}

static struct matcher *matcher_for(struct rule_index *ix, int field)
{
	struct matcher *m;

	for (size_t i = 0; i < ix->nmatchers; i++)
		if (ix->matchers[i].field == field)
			return &ix->matchers[i];
	m = realloc(ix->matchers, (ix->nmatchers + 1) * sizeof(*m));
	if (!m)
		return NULL;
	ix->matchers = m;
	m = &m[ix->nmatchers++];
	memset(m, 0, sizeof(*m));
	m->field = field;
	/* Node 0 is the root: "no node" everywhere else. */
	m->nodes = calloc(1, sizeof(*m->nodes));
	if (!m->nodes)
		return NULL;
	m->nodes[0].entry = -1;
	m->nnodes = m->cap = 1;
	return m;
}

static int add_matchers(struct rule_index *ix)
{
	for (size_t i = 0; i < ix->cap; i++) {
		const struct entry *e = &ix->entries[i];
		struct matcher *m;

		if (!e->lit || !e->npos || e->kind != EXPR_KEY_SUBSTR)
			continue;
		m = matcher_for(ix, e->field);
		if (!m || ac_insert(m, e->lit, e->len, (int32_t)i) < 0)
			return -ENOMEM;
	}
	for (size_t i = 0; i < ix->nmatchers; i++)
		if (ac_link(&ix->matchers[i]) < 0)
			return -ENOMEM;
	return 0;
}

/* ---- life cycle ---- */

void rule_index_free(struct rule_index *ix)
{
	if (!ix)
		return;
	for (size_t i = 0; i < ix->cap; i++) {
		free(ix->entries[i].lit);
		free(ix->entries[i].pos);
	}
	for (size_t i = 0; i < ix->nmatchers; i++)
		free(ix->matchers[i].nodes);
	free(ix->entries);
	free(ix->classes);
	free(ix->matchers);
	free(ix->unkeyed);
	free(ix);
}

int rule_index_build(const struct expr *const *whens, size_t n,
		     struct rule_index **out)
{
	struct rule_index *ix;
	int r;

	*out = NULL;
	if (!n || n > RULE_INDEX_MAX_RULES)
		return 0;
	ix = calloc(1, sizeof(*ix));
	if (!ix)
		return -ENOMEM;
	ix->nrules = n;
	ix->unkeyed = calloc(WORDS(n), sizeof(*ix->unkeyed));
	if (!ix->unkeyed) {
		r = -ENOMEM;
		goto fail;
	}
	if ((r = file_rules(ix, whens)) < 0 || (r = add_classes(ix)) < 0 ||
	    (r = add_matchers(ix)) < 0)
		goto fail;
	*out = ix;
	return 0;
fail:
	rule_index_free(ix);
	return r;
}

size_t rule_index_keyed(const struct rule_index *ix)
{
	return ix ? ix->nkeyed : 0;
}

/* ---- per event ---- */

static void mark(uint64_t *set, const struct entry *e)
{
	for (size_t i = 0; i < e->npos; i++)
		set[e->pos[i] / 64] |= 1ULL << (e->pos[i] % 64);
}

static const struct value *str_value(const struct event *ev, int field)
{
	const struct value *v;

	if (field < 0 || (size_t)field >= ev->source->nfields)
		return NULL;
	v = &ev->values[field];
	return v->set && v->type == FIELD_STRING && v->str.ptr ? v : NULL;
}

/* The rules keyed on text s of class cl into set. */
static void lookup_one(const struct rule_index *ix,
		       const struct exact_class *cl, const char *s, size_t len,
		       uint64_t *set)
{
	char buf[EVENT_STR_MAX + 1];
	const struct entry *e;

	if (len > cl->maxlen)
		return;		/* longer than every key: equals none */
	if (cl->icase) {
		for (size_t i = 0; i < len; i++)
			buf[i] = (char)literal_fold((unsigned char)s[i]);
		s = buf;
	}
	e = entry_find(ix, EXPR_KEY_EXACT, cl->field, cl->icase, s, len,
		       entry_hash(EXPR_KEY_EXACT, cl->field, cl->icase, s, len));
	if (e && e->lit)
		mark(set, e);
}

/* A string field is one lookup; a list field one per element, since a
 * list predicate holds when one element does (expr_eval.c). */
static void lookup_exact(const struct rule_index *ix, const struct event *ev,
			 uint64_t *set)
{
	for (size_t c = 0; c < ix->nclasses; c++) {
		const struct exact_class *cl = &ix->classes[c];
		const struct value *v;

		if (cl->field < 0 || (size_t)cl->field >= ev->source->nfields)
			continue;
		v = &ev->values[cl->field];
		if (!v->set)
			continue;
		if (v->type == FIELD_STRING && v->str.ptr)
			lookup_one(ix, cl, v->str.ptr, v->str.len, set);
		else if (v->type == FIELD_LIST)
			for (size_t i = 0; i < v->list.n; i++)
				lookup_one(ix, cl, v->list.items[i],
					   strlen(v->list.items[i]), set);
	}
}

static void scan_substr(const struct rule_index *ix, const struct event *ev,
			uint64_t *set)
{
	for (size_t k = 0; k < ix->nmatchers; k++) {
		const struct matcher *m = &ix->matchers[k];
		const struct value *v = str_value(ev, m->field);
		uint32_t s = 0;

		if (!v)
			continue;
		for (size_t i = 0; i < v->str.len; i++) {
			unsigned char c = literal_fold((unsigned char)v->str.ptr[i]);
			uint32_t t, o;

			while (!(t = ac_goto(m, s, c)) && s)
				s = m->nodes[s].fail;
			s = t;
			for (o = m->nodes[s].entry >= 0 ? s : m->nodes[s].dict; o;
			     o = m->nodes[o].dict)
				mark(set, &ix->entries[m->nodes[o].entry]);
		}
	}
}

void rule_index_visit(const struct rule_index *ix, const struct event *ev,
		      void (*fn)(void *opaque, uint32_t pos), void *opaque)
{
	uint64_t set[WORDS(RULE_INDEX_MAX_RULES)];
	size_t nw = WORDS(ix->nrules);

	memcpy(set, ix->unkeyed, nw * sizeof(*set));
	lookup_exact(ix, ev, set);
	scan_substr(ix, ev, set);
	for (size_t w = 0; w < nw; w++)
		for (uint64_t b = set[w]; b; b &= b - 1)
			fn(opaque, (uint32_t)(w * 64 + (size_t)__builtin_ctzll(b)));
}
