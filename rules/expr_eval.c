/* SPDX-License-Identifier: Apache-2.0 */
/*
 * expr_eval.c - evaluating a compiled expression against one event, and
 * the --explain variant that also says which predicate decided a false
 * result.  The semantics (every comparison on an unset field is false,
 * "!=" and "not in" included; a list field matches when some element does;
 * an IPv4 peer seen as ::ffff:a.b.c.d matches its IPv4 form) are in the
 * top comment of expr.c.
 *
 * Its own file because it is the hot path (DESIGN §8: a million events a
 * second against 500 rules): nothing here allocates (but a regex's JIT
 * code, once, on its first match), parses or looks a name up; a field is
 * an array index, a set a binary search, a regex a bounded PCRE2 match
 * (EXPR_MATCH_LIMIT, EXPR_DEPTH_LIMIT) in the ruleset's one scratch
 * runtime.
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "expr_int.h"

/* Bounds on a hostile subject: backtracking budget per match. */
#define EXPR_MATCH_LIMIT 100000
#define EXPR_DEPTH_LIMIT 1000

struct expr_runtime {
	pcre2_match_data *md;
	pcre2_match_context *mctx;
};

static bool net_contains(const struct ip_net *n, const struct ip_addr *a)
{
	unsigned full, rest;

	if (n->addr.family != a->family)
		return false;
	full = n->prefix / 8;
	rest = n->prefix % 8;
	if (memcmp(n->addr.bytes, a->bytes, full) != 0)
		return false;
	if (rest) {
		uint8_t mask = (uint8_t)(0xff << (8 - rest));

		if ((n->addr.bytes[full] & mask) != (a->bytes[full] & mask))
			return false;
	}
	return true;
}

/* ---- evaluation: no allocation, no lookups by name ---- */

struct expr_runtime *expr_runtime_new(void)
{
	struct expr_runtime *rt = calloc(1, sizeof(*rt));

	if (!rt)
		return NULL;
	/* One ovector pair: we only ask whether it matched. */
	rt->md = pcre2_match_data_create(1, NULL);
	rt->mctx = pcre2_match_context_create(NULL);
	if (!rt->md || !rt->mctx) {
		expr_runtime_free(rt);
		return NULL;
	}
	pcre2_set_match_limit(rt->mctx, EXPR_MATCH_LIMIT);
	pcre2_set_depth_limit(rt->mctx, EXPR_DEPTH_LIMIT);
	return rt;
}

void expr_runtime_free(struct expr_runtime *rt)
{
	if (!rt)
		return;
	pcre2_match_data_free(rt->md);
	pcre2_match_context_free(rt->mctx);
	free(rt);
}

/* The regex, JIT-compiled on its first use (once: a failure is not
 * retried).  JIT is an optimisation: without it (MemoryDenyWriteExecute=)
 * the interpreter runs the same pattern, so a JIT done now rather than
 * at load changes no result; rules whose source never sends an event
 * never pay for it. */
static pcre2_code *regex_code(struct expr_regex *re)
{
	if (!re->jit_tried) {
		re->jit_tried = true;
		(void)pcre2_jit_compile(re->code, PCRE2_JIT_COMPLETE);
	}
	return re->code;
}

size_t expr_jit_count(const struct expr *e)
{
	size_t jit = 0;

	if (!e)
		return 0;
	if (e->re && pcre2_pattern_info(e->re->code, PCRE2_INFO_JITSIZE, &jit) == 0)
		jit = jit > 0;
	else
		jit = 0;
	return jit + expr_jit_count(e->l) + expr_jit_count(e->r);
}

static bool str_in(const struct expr *e, const char *s)
{
	return bsearch(&s, e->strs, e->nset, sizeof(*e->strs),
		       e->icase ? expr_cmp_strcase : expr_cmp_str) != NULL;
}

static bool ends_with(const struct expr *e, const char *s, size_t len)
{
	if (len < e->len)
		return false;
	s += len - e->len;
	return e->icase ? strcasecmp(s, e->str) == 0 : memcmp(s, e->str, e->len) == 0;
}

/* One string against a non-negated operator. */
static bool str_test(const struct expr *e, const char *s, size_t len,
		     struct expr_runtime *rt)
{
	switch (e->op) {
	case OP_EQ:
		return e->icase ? strcasecmp(s, e->str) == 0 :
			len == e->len && memcmp(s, e->str, len) == 0;
	case OP_CONTAINS:
		return e->icase ? strcasestr(s, e->str) != NULL :
			memmem(s, len, e->str, e->len) != NULL;
	case OP_STARTS:
		return e->icase ? strncasecmp(s, e->str, e->len) == 0 :
			strncmp(s, e->str, e->len) == 0;
	case OP_ENDS:
		return ends_with(e, s, len);
	case OP_GLOB:
		return fnmatch(e->str, s, e->icase ? FNM_CASEFOLD : 0) == 0;
	case OP_RE:
		/* A limit hit (hostile subject) counts as no match. */
		return pcre2_match(regex_code(e->re), (PCRE2_SPTR)s, len, 0, 0,
				   rt->md, rt->mctx) >= 0;
	case OP_IN:
		return str_in(e, s);
	default:
		return false;
	}
}

static bool int_test(const struct expr *e, int64_t v)
{
	switch (e->op) {
	case OP_EQ:
		return v == e->num;
	case OP_LT:
		return v < e->num;
	case OP_LE:
		return v <= e->num;
	case OP_GT:
		return v > e->num;
	case OP_GE:
		return v >= e->num;
	case OP_IN:
		for (size_t i = 0; i < e->nset; i++)
			if (e->nums[i] == v)
				return true;
		return false;
	default:
		return false;
	}
}

static bool ip_test(const struct expr *e, const struct ip_addr *raw)
{
	struct ip_addr a = expr_ip_normalize(raw);

	if (e->op == OP_EQ)
		return net_contains(&e->net, &a);
	for (size_t i = 0; i < e->nset; i++)
		if (net_contains(&e->nets[i], &a))
			return true;
	return false;
}

static bool cmp_eval(const struct expr *e, const struct event *ev,
		     struct expr_runtime *rt)
{
	const struct value *v;
	bool r = false;

	if (e->field < 0 || (size_t)e->field >= ev->source->nfields)
		return false;
	v = &ev->values[e->field];
	if (!v->set || v->type != e->ftype)
		return false;
	switch (e->op) {
	case OP_EXISTS:
		return true;
	case OP_TRUTH:
		return v->type == FIELD_BOOL && v->b;
	default:
		break;
	}
	switch (v->type) {
	case FIELD_STRING:
		r = str_test(e, v->str.ptr, v->str.len, rt);
		break;
	case FIELD_LIST:
		for (size_t i = 0; i < v->list.n && !r; i++)
			r = str_test(e, v->list.items[i],
				     strlen(v->list.items[i]), rt);
		break;
	case FIELD_INT:
		r = int_test(e, v->i);
		break;
	case FIELD_BOOL:
		r = e->op == OP_EQ && v->b == e->b;
		break;
	case FIELD_IP:
		r = ip_test(e, &v->ip);
		break;
	}
	return e->negate ? !r : r;
}

bool expr_eval(const struct expr *e, const struct event *ev,
	       struct expr_runtime *rt)
{
	switch (e->kind) {
	case EX_AND:
		return expr_eval(e->l, ev, rt) && expr_eval(e->r, ev, rt);
	case EX_OR:
		return expr_eval(e->l, ev, rt) || expr_eval(e->r, ev, rt);
	case EX_NOT:
		return !expr_eval(e->l, ev, rt);
	case EX_CMP:
		return cmp_eval(e, ev, rt);
	}
	return false;
}

/* Like expr_eval; when the result is false, *why points at the text of
 * the predicate that decided it (for "not", the predicate that was true),
 * and *negated says whether it failed by being true. */
static bool explain(const struct expr *e, const struct event *ev,
		    struct expr_runtime *rt, const struct expr **why, bool neg)
{
	bool v;

	switch (e->kind) {
	case EX_AND:
		return explain(e->l, ev, rt, why, neg) && explain(e->r, ev, rt, why, neg);
	case EX_OR:
		/* Both sides failed: the first one is reported. */
		if (explain(e->l, ev, rt, why, neg))
			return true;
		{
			const struct expr *first = *why;
			bool r = explain(e->r, ev, rt, why, neg);

			if (!r)
				*why = first;
			return r;
		}
	case EX_NOT:
		v = !explain(e->l, ev, rt, why, !neg);
		return v;
	case EX_CMP:
		v = cmp_eval(e, ev, rt);
		if (v == neg)
			*why = e;
		return v;
	}
	return false;
}

bool expr_explain(const struct expr *e, const struct event *ev,
		  struct expr_runtime *rt, char *buf, size_t len)
{
	const struct expr *why = NULL;
	bool v = explain(e, ev, rt, &why, false);

	if (len)
		buf[0] = '\0';
	if (!v && why && len) {
		const char *t = why->text ? why->text : "?";

		if (why->op != OP_EXISTS && why->field >= 0 && !ev->values[why->field].set)
			snprintf(buf, len, "%s (field not set)", t);
		else
			snprintf(buf, len, "%s", t);
	}
	return v;
}
