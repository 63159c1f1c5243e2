/* SPDX-License-Identifier: Apache-2.0 */
/*
 * expr_index.c - what the rule index (rule_index.c) reads from a compiled
 * condition: its atoms, the literal texts ("==", "in", "contains", and the
 * runs a glob or regex forces, literal.c) a rule cannot match without, and
 * the cheapest set of them one of which must hold whenever the condition
 * does ("and": one side's set, "or": both sides', "not": none).
 *
 * Its own file because it reads the tree for a different purpose than the
 * evaluator: it runs once per rule at load time, decides only speed, and
 * never a result (every rule the index offers is still evaluated in full).
 */
#include <stdint.h>

#include "expr_int.h"
#include "literal.h"

/* A top-level conjunct "field == literal" (string, case-sensitive, not
 * negated) on a field other than skip_field: the rule can only match
 * events whose field holds exactly that text, which lets the ruleset
 * index rules by it. */
/* ---- for the rule index ---- */

/* The atoms of predicate e into fn, each an alternative (*all_of false:
 * an in-list, or the single atom of ==, contains...) or each required
 * on its own (*all_of true: the runs a regex or glob forces).  Stops
 * and returns false when e has none or fn refuses one. */
static bool pred_atoms(const struct expr *e, bool *all_of,
		       bool (*fn)(void *opaque, const struct expr_key *k),
		       void *opaque)
{
	struct literal_runs runs;
	struct expr_key k = {
		.kind = EXPR_KEY_SUBSTR, .field = e->field, .icase = e->icase,
		.lit = e->str,
	};

	*all_of = false;
	if (e->kind != EX_CMP || e->negate || e->field < 0)
		return false;
	/* A list field matches when one element does; only exact keys are
	 * looked up per element (rule_index.c), so a list offers "in" and
	 * "==" ("contains" compiles to "==") and nothing else. */
	if (e->ftype == FIELD_LIST ? e->op != OP_IN && e->op != OP_EQ :
	    e->ftype != FIELD_STRING)
		return false;
	switch (e->op) {
	case OP_IN:
		if (!e->strs || !e->nset)
			return false;
		k.kind = EXPR_KEY_EXACT;
		for (size_t i = 0; i < e->nset; i++) {
			k.lit = e->strs[i];
			if (!fn(opaque, &k))
				return false;
		}
		return true;
	case OP_EQ:
		k.kind = EXPR_KEY_EXACT;
		return e->str && fn(opaque, &k);
	case OP_CONTAINS:
	case OP_STARTS:
	case OP_ENDS:
		return e->str && e->len && fn(opaque, &k);
	case OP_GLOB:
	case OP_RE:
		if (!e->str || !(e->op == OP_RE ? literal_from_regex(e->str, &runs) :
				 literal_from_glob(e->str, &runs)))
			return false;
		*all_of = true;
		for (size_t i = 0; i < runs.n; i++) {
			k.lit = runs.run[i];
			if (!fn(opaque, &k))
				return false;
		}
		return true;
	default:
		return false;
	}
}

struct plan {
	uint64_t (*cost)(void *opaque, const struct expr_key *k);
	void (*emit)(void *opaque, const struct expr_key *k);
	void *opaque;
	uint64_t sum;
	bool all_of;			/* the predicate's atoms are runs */
	size_t n, pick;			/* runs seen, the cheapest one's place */
};

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* Sums the atoms' costs, or (all_of) keeps the least and its place. */
static bool atom_cost(void *opaque, const struct expr_key *k)
{
	struct plan *p = opaque;
	uint64_t c = p->cost(p->opaque, k);

	if (p->all_of) {
		if (c < p->sum) {
			p->sum = c;
			p->pick = p->n;
		}
		p->n++;
		return true;
	}
	if (c == UINT64_MAX)
		return false;
	p->sum = add_sat(p->sum, c);
	return true;
}

static bool atom_emit(void *opaque, const struct expr_key *k)
{
	struct plan *p = opaque;

	if (!p->all_of || p->n++ == p->pick)
		p->emit(p->opaque, k);
	return true;
}

/* A predicate's cost; *q left ready for pred_emit(). */
static uint64_t pred_cost(const struct expr *e, const struct plan *p,
			  struct plan *q)
{
	bool all_of, ok;

	*q = *p;
	q->sum = 0;
	q->n = 0;
	q->pick = SIZE_MAX;
	/* A regex's runs: the cheapest one; the first pass learns that
	 * they are runs, the second takes their minimum. */
	ok = pred_atoms(e, &all_of, atom_cost, q);
	if (all_of) {
		q->all_of = true;
		q->sum = UINT64_MAX;
		q->n = 0;
		ok = pred_atoms(e, &all_of, atom_cost, q);
	}
	return ok ? q->sum : UINT64_MAX;
}

static uint64_t plan_cost(const struct expr *e, const struct plan *p)
{
	struct plan q;
	uint64_t l, r;

	switch (e->kind) {
	case EX_AND:
		l = plan_cost(e->l, p);
		r = plan_cost(e->r, p);
		return l < r ? l : r;
	case EX_OR:
		l = plan_cost(e->l, p);
		r = plan_cost(e->r, p);
		return l == UINT64_MAX || r == UINT64_MAX ? UINT64_MAX : add_sat(l, r);
	case EX_CMP:
		return pred_cost(e, p, &q);
	default:		/* what "not" excludes is no literal */
		return UINT64_MAX;
	}
}

/* Only called on an e whose plan_cost() is finite. */
static void plan_emit(const struct expr *e, struct plan *p)
{
	struct plan q;
	bool all_of;

	switch (e->kind) {
	case EX_AND:
		plan_emit(plan_cost(e->l, p) <= plan_cost(e->r, p) ? e->l : e->r, p);
		break;
	case EX_OR:
		plan_emit(e->l, p);
		plan_emit(e->r, p);
		break;
	case EX_CMP:
		if (pred_cost(e, p, &q) != UINT64_MAX) {
			q.n = 0;
			pred_atoms(e, &all_of, atom_emit, &q);
		}
		break;
	default:
		break;
	}
}

uint64_t expr_index_plan(const struct expr *e,
			 uint64_t (*cost)(void *opaque, const struct expr_key *k),
			 void (*emit)(void *opaque, const struct expr_key *k),
			 void *opaque)
{
	struct plan p = { .cost = cost, .emit = emit, .opaque = opaque };
	uint64_t c;

	if (!e)
		return UINT64_MAX;
	c = plan_cost(e, &p);
	if (c != UINT64_MAX)
		plan_emit(e, &p);
	return c;
}

void expr_index_atoms(const struct expr *e,
		      void (*fn)(void *opaque, const struct expr_key *k),
		      void *opaque)
{
	struct plan p = { .emit = fn, .opaque = opaque };
	bool all_of;

	if (!e)
		return;
	switch (e->kind) {
	case EX_AND:
	case EX_OR:
		expr_index_atoms(e->l, fn, opaque);
		expr_index_atoms(e->r, fn, opaque);
		break;
	case EX_CMP:
		pred_atoms(e, &all_of, atom_emit, &p);
		break;
	default:
		break;
	}
}
