/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ruleset_build.c - pass 2 of rule loading (ruleset_load.c): what every
 * kind of section needs on its way from raw text to an object (comma
 * lists of items, required keys, duplicate ids, the source and the `when`
 * expression compiled against its field table), the two small kinds,
 * [list] and [allow], and the per-source index of a built ruleset
 * (built on the source's first event: source_rule_index).
 *
 * Its own file because these are the pieces every section builder shares;
 * [rule], the big one, is ruleset_rule.c and ruleset_corr.c.  Every
 * problem is reported at its key's line and building goes on.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ruleset_load_int.h"

/* ---- pass 2: raw sections to objects ---- */

void load_strv_free(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

/* "a, b, \"c, d\"": items split on commas outside double quotes, trimmed,
 * quotes removed (\" and \\ escapes).  0, -EINVAL (reported) or -ENOMEM. */
int load_parse_items(struct loader *l, const struct raw_section *sec,
		     enum key_id k, char ***out, size_t *nout)
{
	const char *s = sec->val[k];
	char **v = NULL, **nv, *item;
	size_t n = 0;

	*out = NULL;
	*nout = 0;
	while (*s) {
		size_t cap = strlen(s) + 1, o = 0;
		bool quoted = false;

		s += strspn(s, " \t");
		item = malloc(cap);
		if (!item)
			goto out_nomem;
		if (*s == '"') {
			for (s++; *s && *s != '"'; s++) {
				if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
					s++;
				item[o++] = *s;
			}
			if (*s != '"') {
				free(item);
				load_err(l, sec->file, sec->vline[k], "%s: unclosed string",
					 load_keys[k].name);
				goto out_inval;
			}
			s++;
			quoted = true;
			s += strspn(s, " \t");
		} else {
			while (*s && *s != ',')
				item[o++] = *s++;
			while (o && (item[o - 1] == ' ' || item[o - 1] == '\t'))
				o--;
		}
		item[o] = '\0';
		if (*s && *s != ',') {
			free(item);
			load_err(l, sec->file, sec->vline[k], "%s: expected \",\" after a quoted item",
				 load_keys[k].name);
			goto out_inval;
		}
		if (!o && !quoted) {
			free(item);
			load_err(l, sec->file, sec->vline[k], "%s: empty item", load_keys[k].name);
			goto out_inval;
		}
		if (n >= RULES_ITEMS_MAX) {
			free(item);
			load_err(l, sec->file, sec->vline[k], "%s: too many items (more than %d)",
				 load_keys[k].name, RULES_ITEMS_MAX);
			goto out_inval;
		}
		nv = realloc(v, (n + 1) * sizeof(*nv));
		if (!nv) {
			free(item);
			goto out_nomem;
		}
		v = nv;
		v[n++] = item;
		if (*s == ',') {
			s++;
			if (!*(s + strspn(s, " \t"))) {
				load_err(l, sec->file, sec->vline[k], "%s: empty item",
					 load_keys[k].name);
				goto out_inval;
			}
		}
	}
	*out = v;
	*nout = n;
	return 0;
out_inval:
	load_strv_free(v, n);
	return -EINVAL;
out_nomem:
	load_strv_free(v, n);
	l->oom = true;
	return -ENOMEM;
}

bool load_require(struct loader *l, const struct raw_section *sec,
		  const enum key_id *req, size_t n)
{
	bool ok = true;

	for (size_t i = 0; i < n; i++) {
		if (sec->val[req[i]] && *sec->val[req[i]])
			continue;
		if (sec->val[req[i]])
			load_err(l, sec->file, sec->vline[req[i]], "empty value for \"%s\"",
				 load_keys[req[i]].name);
		else
			load_err(l, sec->file, sec->line, "[%s %s]: missing required key \"%s\"",
				 load_kind_names[sec->kind], sec->id, load_keys[req[i]].name);
		ok = false;
	}
	return ok;
}

static int cmp_sec(const void *a, const void *b)
{
	const struct raw_section *x = *(struct raw_section *const *)a;
	const struct raw_section *y = *(struct raw_section *const *)b;
	int c = (int)x->kind - (int)y->kind;

	if (!c)
		c = strcmp(x->id, y->id);
	if (!c)
		c = x->order < y->order ? -1 : x->order > y->order;
	return c;
}

/* Report every id defined twice (per kind); mark the later ones. */
void load_check_duplicates(struct loader *l, bool *dup)
{
	struct raw_section **v;

	if (!l->nsecs)
		return;
	v = malloc(l->nsecs * sizeof(*v));
	if (!v) {
		l->oom = true;
		return;
	}
	memcpy(v, l->secs, l->nsecs * sizeof(*v));
	qsort(v, l->nsecs, sizeof(*v), cmp_sec);
	for (size_t i = 1, first = 0; i < l->nsecs; i++) {
		if (v[i]->kind != v[first]->kind || strcmp(v[i]->id, v[first]->id)) {
			first = i;
			continue;
		}
		load_err(l, v[i]->file, v[i]->line, "duplicate %s id \"%s\" (first defined at %s:%d)",
			 load_kind_names[v[i]->kind], v[i]->id, v[first]->file, v[first]->line);
		dup[v[i]->order] = true;
	}
	free(v);
}

const struct source_def *load_find_source(struct loader *l, const char *name)
{
	if (!l->sources)
		return source_by_name(name);
	for (size_t i = 0; l->sources[i]; i++)
		if (strcmp(l->sources[i]->name, name) == 0)
			return l->sources[i];
	return NULL;
}

/* The context of one expression's compilation: where its errors go. */
struct expr_ctx {
	struct loader *l;
	const char *file;
	int line;
};

static bool find_list(void *opaque, const char *name, char *const **items,
		      size_t *n)
{
	const struct ruleset *rs = ((struct expr_ctx *)opaque)->l->rs;

	for (size_t i = 0; i < rs->nlists; i++) {
		if (strcmp(rs->lists[i]->name, name) == 0) {
			*items = rs->lists[i]->items;
			*n = rs->lists[i]->n;
			return true;
		}
	}
	return false;
}

static void on_expr_error(void *opaque, const char *msg)
{
	struct expr_ctx *c = opaque;

	load_err(c->l, c->file, c->line, "%s", msg);
}

/* Resolve source and compile when (both present). */
int load_compile_when(struct loader *l, const struct raw_section *sec,
		      const struct source_def **src, struct expr **when)
{
	struct expr_ctx ec = { l, sec->file, sec->vline[K_WHEN] };
	struct expr_env env = {
		.find_list = find_list,
		.error = on_expr_error,
		.opaque = &ec,
		.regexes = l->regexes,
	};
	int r;

	*src = load_find_source(l, sec->val[K_SOURCE]);
	if (!*src) {
		load_err(l, sec->file, sec->vline[K_SOURCE], "unknown source \"%.40s\"",
			 sec->val[K_SOURCE]);
		return -EINVAL;
	}
	env.source = *src;
	r = expr_compile(sec->val[K_WHEN], &env, when);
	if (r == -ENOMEM)
		l->oom = true;
	return r;
}

/* Append to a growable array of pointers: 0 or -ENOMEM.  load_push_rule
 * is shared with the other builders (ruleset_load_int.h); the others
 * are static. */
#define DEFINE_PUSH(fn, type)						\
	int fn(type ***v, size_t *n, type *p)				\
	{								\
		type **nv = realloc(*v, (*n + 1) * sizeof(*nv));	\
									\
		if (!nv)						\
			return -ENOMEM;					\
		nv[(*n)++] = p;						\
		*v = nv;						\
		return 0;						\
	}

DEFINE_PUSH(load_push_rule, struct rule)
static DEFINE_PUSH(push_list, struct rule_list)
static DEFINE_PUSH(push_allow, struct allow)

void load_build_list(struct loader *l, struct raw_section *sec)
{
	static const enum key_id req[] = { K_ITEMS };
	struct rule_list *list;

	if (!load_require(l, sec, req, 1))
		return;
	list = calloc(1, sizeof(*list));
	if (!list) {
		l->oom = true;
		return;
	}
	list->name = sec->id;
	sec->id = NULL;
	if (load_parse_items(l, sec, K_ITEMS, &list->items, &list->n) < 0 ||
	    push_list(&l->rs->lists, &l->rs->nlists, list) < 0) {
		load_strv_free(list->items, list->n);
		free(list->name);
		free(list);
		return;
	}
}

void allow_free(struct allow *a)
{
	if (!a)
		return;
	free(a->id);
	expr_free(a->when);
	free(a->reason);
	free(a->owner);
	free(a);
}

/* "2027-06-30": the end of that day, UTC.  0 or -EINVAL. */
static int parse_expiry(const char *s, time_t *out)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	struct tm tm = { 0 };
	int y, m, d, leap;
	char tail;

	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 ||
	    s[4] != '-' || s[7] != '-' || strspn(s, "0123456789-") != 10)
		return -EINVAL;
	if (y < 1970 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return -EINVAL;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (m == 2 && d == 29 && !leap)
		return -EINVAL;
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	*out = timegm(&tm) + 86400;
	return 0;
}

void load_build_allow(struct loader *l, struct raw_section *sec)
{
	static const enum key_id req[] = { K_SOURCE, K_WHEN, K_REASON };
	bool ok = load_require(l, sec, req, 3), expired = false;
	struct allow *a;

	a = calloc(1, sizeof(*a));
	if (!a) {
		l->oom = true;
		return;
	}
	a->id = sec->id;
	sec->id = NULL;
	if (sec->val[K_SOURCE] && *sec->val[K_SOURCE] && sec->val[K_WHEN] &&
	    *sec->val[K_WHEN] && load_compile_when(l, sec, &a->source, &a->when) < 0)
		ok = false;
	if (sec->val[K_EXPIRES]) {
		if (parse_expiry(sec->val[K_EXPIRES], &a->expires) < 0) {
			load_err(l, sec->file, sec->vline[K_EXPIRES],
				 "bad expires date \"%.40s\" (YYYY-MM-DD)",
				 sec->val[K_EXPIRES]);
			ok = false;
		} else if (l->now >= a->expires) {
			expired = true;
			if (diag_add(l->diags, true, sec->file, sec->vline[K_EXPIRES],
				     "allow %s expired on %s and is not applied",
				     a->id, sec->val[K_EXPIRES]) < 0)
				l->oom = true;
		}
	}
	a->reason = sec->val[K_REASON];
	sec->val[K_REASON] = NULL;
	a->owner = sec->val[K_OWNER];
	sec->val[K_OWNER] = NULL;
	if (!ok || expired || l->oom ||
	    push_allow(&l->rs->allows, &l->rs->nallows, a) < 0) {
		allow_free(a);
		return;
	}
}

const struct rule_index *source_rule_index(const struct source_index *ix)
{
	struct index_slot *slot = ix->slot;
	const struct expr **whens;

	if (!slot)
		return NULL;
	if (slot->built)
		return slot->index;
	slot->built = true;
	whens = calloc(ix->nrules, sizeof(*whens));
	if (!whens)
		return NULL;
	for (size_t i = 0; i < ix->nrules; i++)
		whens[i] = ix->rules[i]->when;
	if (rule_index_build(whens, ix->nrules, &slot->index) < 0)
		slot->index = NULL;
	free(whens);
	return slot->index;
}

/* by_source: every rule and allow under its source's id. */
int load_build_index(struct loader *l)
{
	struct ruleset *rs = l->rs;

	for (size_t i = 0; i < rs->nrules; i++) {
		const struct source_def *src = rs->rules[i]->source;
		struct source_index *ix;

		if (rs->rules[i]->is_sequence)
			continue;
		ix = &rs->by_source[src->id];

		if (ix->source && ix->source != src) {
			load_err(l, rs->rules[i]->file, rs->rules[i]->line,
				 "source %s: two field tables share its id", src->name);
			continue;
		}
		ix->source = src;
		if (load_push_rule(&ix->rules, &ix->nrules, rs->rules[i]) < 0)
			return -ENOMEM;
	}
	for (size_t i = 0; i < rs->nallows; i++) {
		const struct source_def *src = rs->allows[i]->source;
		struct source_index *ix = &rs->by_source[src->id];

		if (ix->source && ix->source != src)
			continue;
		ix->source = src;
		if (push_allow(&ix->allows, &ix->nallows, rs->allows[i]) < 0)
			return -ENOMEM;
	}
	/* The indexes themselves wait for each source's first event
	 * (source_rule_index). */
	for (size_t i = 0; i < SOURCE__MAX; i++) {
		struct source_index *ix = &rs->by_source[i];

		if (ix->nrules && !(ix->slot = calloc(1, sizeof(*ix->slot))))
			return -ENOMEM;
	}
	return 0;
}
