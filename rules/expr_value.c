/* SPDX-License-Identifier: Apache-2.0 */
/*
 * expr_value.c - the operands of rule expressions, converted once, at
 * compile time, to the type of the field they are compared with: integers
 * (decimal or hex, range-checked), IP addresses and CIDR blocks (an IPv4
 * address mapped in IPv6 taken as the IPv4 one), booleans, strings kept
 * with their length, regexes compiled (PCRE2, bytes; the JIT waits for the first match,
 * expr_eval.c),
 * and sets (literal or @list) sorted for a binary search.  A bare CIDR
 * block compared with a text field is refused as a likely mistake.
 *
 * Its own file because it is where the types of DESIGN §3 meet the text
 * of a rule: the parser (expr.c) decides which operator applies to which
 * field, this file makes the operand, and the evaluator (expr_eval.c)
 * never parses again.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "expr_int.h"

/* ---- literal conversion ---- */

static int parse_int(const char *s, int64_t *out)
{
	bool neg = false;
	uint64_t v = 0, lim;
	int base = 10;

	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return -EINVAL;
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; *s; s++) {
		unsigned d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			return -EINVAL;
		if (v > (lim - d) / (unsigned)base)
			return -ERANGE;
		v = v * (unsigned)base + d;
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

/* "192.0.2.0/24", "fd00::/8" or a bare address (full-length prefix). */
static int parse_net(const char *s, struct ip_net *out, bool *is_cidr)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	unsigned max;
	int64_t pfx;

	if (alen >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (ip_addr_parse(buf, &out->addr) < 0)
		return -EINVAL;
	max = out->addr.family == AF_INET ? 32 : 128;
	*is_cidr = slash != NULL;
	if (!slash) {
		out->prefix = (uint8_t)max;
		return 0;
	}
	if (strlen(slash + 1) < 1 || strlen(slash + 1) > 3 ||
	    strspn(slash + 1, "0123456789") != strlen(slash + 1) ||
	    parse_int(slash + 1, &pfx) < 0 || pfx > max)
		return -EINVAL;
	out->prefix = (uint8_t)pfx;
	return 0;
}

/* ::ffff:a.b.c.d is a.b.c.d: dual-stack sockets report v4 peers so. */
struct ip_addr expr_ip_normalize(const struct ip_addr *a)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	struct ip_addr r = *a;

	if (a->family == AF_INET6 && memcmp(a->bytes, mapped, 12) == 0) {
		memset(&r, 0, sizeof(r));
		r.family = AF_INET;
		memcpy(r.bytes, a->bytes + 12, 4);
	}
	return r;
}

/* The same for a network written in the mapped form (::ffff:0:0/96...). */
static void net_normalize(struct ip_net *n)
{
	struct ip_addr a = expr_ip_normalize(&n->addr);

	if (a.family == n->addr.family || n->prefix < 96)
		return;
	n->addr = a;
	n->prefix = (uint8_t)(n->prefix - 96);
}

static const char *field_name(const struct parser *p, int field)
{
	return p->env->source->fields[field].name;
}

struct expr_regex_cache {
	struct expr_regex **v;		/* one reference each */
	size_t n, cap;
};

struct expr_regex_cache *expr_regex_cache_new(void)
{
	return calloc(1, sizeof(struct expr_regex_cache));
}

void expr_regex_cache_free(struct expr_regex_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		expr_regex_unref(c->v[i]);
	free(c->v);
	free(c);
}

void expr_regex_unref(struct expr_regex *re)
{
	if (!re || --re->refs)
		return;
	pcre2_code_free(re->code);
	free(re->pattern);
	free(re);
}

/* A compiled pattern of the cache, with a reference for the caller. */
static struct expr_regex *cache_find(struct expr_regex_cache *c,
				     const char *pat, bool icase)
{
	for (size_t i = 0; c && i < c->n; i++)
		if (c->v[i]->icase == icase && strcmp(c->v[i]->pattern, pat) == 0) {
			c->v[i]->refs++;
			return c->v[i];
		}
	return NULL;
}

/* Remember re (compiled) in the cache.  Without memory it is simply
 * not shared. */
static void cache_add(struct expr_regex_cache *c, struct expr_regex *re,
		      const char *pat)
{
	if (!c || !(re->pattern = strdup(pat)))
		return;
	if (c->n == c->cap) {
		size_t ncap = c->cap ? 2 * c->cap : 16;
		struct expr_regex **v = realloc(c->v, ncap * sizeof(*v));

		if (!v)
			return;
		c->v = v;
		c->cap = ncap;
	}
	re->refs++;
	c->v[c->n++] = re;
}

static void compile_regex(struct parser *p, struct expr *e, const char *pat)
{
	char show_buf[48];
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE off;
	int err;

	if ((e->re = cache_find(p->env->regexes, pat, e->icase)))
		return;
	e->re = calloc(1, sizeof(*e->re));
	if (!e->re) {
		p->oom = true;
		return;
	}
	e->re->refs = 1;
	e->re->icase = e->icase;
	/* Bytes, not UTF: device strings may be invalid UTF-8 and must still
	 * be matched rather than rejected.  No JIT here: the evaluator does
	 * it on the first match (expr_int.h, struct expr_regex).  A bad
	 * pattern is not cached: each use is reported at its own line. */
	e->re->code = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED,
				    e->icase ? PCRE2_CASELESS : 0, &err, &off, NULL);
	if (!e->re->code) {
		pcre2_get_error_message(err, msg, sizeof(msg));
		expr_perr(p, "bad regex \"%s\": %s at offset %zu",
			  expr_show(pat, show_buf, sizeof(show_buf)), (const char *)msg,
			  (size_t)off);
		return;
	}
	cache_add(p->env->regexes, e->re, pat);
}

/* A bare word that reads as a CIDR block, compared with a text field, is
 * almost certainly a mistake (DESIGN §4: CIDR only for IP fields). */
static bool looks_cidr(const char *s)
{
	struct ip_net n;
	bool cidr;

	return strchr(s, '/') && parse_net(s, &n, &cidr) == 0 && cidr;
}

/* Convert the operand of a scalar operator to the field's type. */
void expr_compile_value(struct parser *p, struct expr *e,
			const struct token *v)
{
	char buf[48];
	const char *fname = field_name(p, e->field);
	bool cidr;

	switch (e->ftype) {
	case FIELD_INT:
		if (parse_int(v->text, &e->num) < 0)
			expr_perr(p, "expected an integer for %s, got \"%s\"", fname,
				  expr_show(v->text, buf, sizeof(buf)));
		return;
	case FIELD_BOOL:
		if (strcmp(v->text, "true") == 0)
			e->b = true;
		else if (strcmp(v->text, "false") == 0)
			e->b = false;
		else
			expr_perr(p, "expected true or false for %s, got \"%s\"",
				  fname, expr_show(v->text, buf, sizeof(buf)));
		return;
	case FIELD_IP:
		if (parse_net(v->text, &e->net, &cidr) < 0)
			expr_perr(p, "expected an IP address for %s, got \"%s\"",
				  fname, expr_show(v->text, buf, sizeof(buf)));
		else if (cidr)
			expr_perr(p, "%s is a CIDR block: use \"%s in (...)\"",
				  expr_show(v->text, buf, sizeof(buf)), fname);
		net_normalize(&e->net);
		return;
	case FIELD_STRING:
	case FIELD_LIST:
		break;
	}
	if (e->op == OP_EQ && v->kind == TOK_WORD && looks_cidr(v->text)) {
		expr_perr(p, "%s is a CIDR block but %s is a %s field (quote it to compare text)",
			  expr_show(v->text, buf, sizeof(buf)), fname,
			  field_type_name(e->ftype));
		return;
	}
	/* A regex keeps its text too: the rule index reads literals from
	 * it (literal.c). */
	if (e->op == OP_RE)
		compile_regex(p, e, v->text);
	e->str = strdup(v->text);
	if (!e->str) {
		p->oom = true;
		return;
	}
	e->len = strlen(e->str);
}

int expr_cmp_strcase(const void *a, const void *b)
{
	return strcasecmp(*(char *const *)a, *(char *const *)b);
}

int expr_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Convert the members of a set (literal or @list) to the field's type. */
void expr_compile_set(struct parser *p, struct expr *e, char *const *items,
		      const bool *quoted, size_t n, const char *list)
{
	char buf[48], where[96] = "";
	const char *fname = field_name(p, e->field);
	bool cidr;

	if (list)
		snprintf(where, sizeof(where), "list @%s: ", list);
	if (e->ftype == FIELD_INT)
		e->nums = calloc(n, sizeof(*e->nums));
	else if (e->ftype == FIELD_IP)
		e->nets = calloc(n, sizeof(*e->nets));
	else
		e->strs = calloc(n, sizeof(*e->strs));
	if (!e->nums && !e->nets && !e->strs) {
		p->oom = true;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const char *s = items[i];

		if (e->ftype == FIELD_INT) {
			if (parse_int(s, &e->nums[e->nset]) < 0) {
				expr_perr(p, "%sexpected an integer for %s, got \"%s\"",
					  where, fname, expr_show(s, buf, sizeof(buf)));
				continue;
			}
		} else if (e->ftype == FIELD_IP) {
			if (parse_net(s, &e->nets[e->nset], &cidr) < 0) {
				expr_perr(p, "%sexpected an IP address or CIDR block for %s, got \"%s\"",
					  where, fname, expr_show(s, buf, sizeof(buf)));
				continue;
			}
			net_normalize(&e->nets[e->nset]);
		} else {
			if (quoted && !quoted[i] && looks_cidr(s)) {
				expr_perr(p, "%s is a CIDR block but %s is a %s field (quote it to compare text)",
					  expr_show(s, buf, sizeof(buf)), fname,
					  field_type_name(e->ftype));
				continue;
			}
			if (!(e->strs[e->nset] = strdup(s))) {
				p->oom = true;
				return;
			}
		}
		e->nset++;
	}
	if (e->strs)
		qsort(e->strs, e->nset, sizeof(*e->strs),
		      e->icase ? expr_cmp_strcase : expr_cmp_str);
}
