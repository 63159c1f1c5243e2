/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ruleset_corr.c - pass 2 of rule loading for a rule's correlation keys:
 * a threshold (count, window, distinct, group_by), and a sequence (match =
 * all of (A, B) within T | N of (A, category:X) within T), parsed where
 * the rule is built and resolved to rules once every rule of the set is,
 * since a sequence may name a rule defined further down or in another
 * file.  The semantics are in rules/README.md ("Correlation"); the state
 * they keep at run time is correlate.c's.
 *
 * Its own file because these keys relate a rule to other events and
 * other rules, and their checks (counts that can never be reached, a
 * sequence naming a sequence, a rule listed twice) are a concern of their
 * own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "ruleset_load_int.h"

/* A field of src named by key k's value: its id, or -1 (reported). */
static int field_of(struct loader *l, const struct raw_section *sec,
		    enum key_id k, const struct source_def *src, const char *name)
{
	int f = source_field_index(src, name);

	if (f < 0)
		load_err(l, sec->file, sec->vline[k], "%s: unknown field \"%.40s\" for source %s",
			 load_keys[k].name, name, src->name);
	return f;
}

/* count, window, distinct, group_by.  src is NULL if source was bad. */
bool load_threshold_keys(struct loader *l, struct raw_section *sec,
			 struct rule *r)
{
	struct rule_threshold *t = &r->threshold;
	const struct source_def *src = r->source;
	char **names = NULL;
	size_t n = 0;
	bool ok = true;
	int f;

	if (!sec->val[K_COUNT]) {
		static const enum key_id needs_count[] = { K_WINDOW, K_DISTINCT, K_GROUP_BY };

		for (size_t i = 0; i < 3; i++) {
			if (!sec->val[needs_count[i]])
				continue;
			load_err(l, sec->file, sec->vline[needs_count[i]],
				 "\"%s\" needs \"count\" (a threshold: count = N within window)",
				 load_keys[needs_count[i]].name);
			ok = false;
		}
		return ok;
	}
	if (load_parse_score(sec->val[K_COUNT], &f) < 0 || f < 2 || f > THRESHOLD_COUNT_MAX) {
		load_err(l, sec->file, sec->vline[K_COUNT], "bad count \"%.40s\" (an integer from 2 to %d)",
			 sec->val[K_COUNT], THRESHOLD_COUNT_MAX);
		ok = false;
	}
	t->count = f > 0 ? (uint64_t)f : 0;
	if (!sec->val[K_WINDOW]) {
		load_err(l, sec->file, sec->vline[K_COUNT], "\"count\" needs a \"window\" (e.g. window = 10m)");
		ok = false;
	} else if (duration_parse(sec->val[K_WINDOW], &t->window_ms) < 0 || !t->window_ms) {
		load_err(l, sec->file, sec->vline[K_WINDOW],
			 "bad duration \"%.40s\" for window (e.g. 30s, 10m, 1h, 2d)", sec->val[K_WINDOW]);
		ok = false;
	}
	if (sec->val[K_DISTINCT] && src &&
	    (t->distinct_field = field_of(l, sec, K_DISTINCT, src, sec->val[K_DISTINCT])) < 0)
		ok = false;
	if (sec->val[K_GROUP_BY] && load_parse_items(l, sec, K_GROUP_BY, &names, &n) == 0) {
		/* Too many fields: none is resolved, but all n are freed below. */
		size_t use = n;

		if (n > THRESHOLD_GROUP_BY_MAX) {
			load_err(l, sec->file, sec->vline[K_GROUP_BY], "group_by: at most %d fields",
				 THRESHOLD_GROUP_BY_MAX);
			ok = false;
			use = 0;
		}
		for (size_t i = 0; src && i < use; i++) {
			if ((f = field_of(l, sec, K_GROUP_BY, src, names[i])) < 0)
				ok = false;
			t->group_by[i] = f;
			t->group_by[i + 1] = -1;
		}
		load_strv_free(names, n);
	} else if (sec->val[K_GROUP_BY]) {
		ok = false;
	}
	if (!ok)
		t->count = 0;
	return ok;
}

/* match = all of (a, b) within 60s | N of (a, category:x) within 10m.
 * The names are kept and resolved once every rule is built. */
bool load_parse_match(struct loader *l, struct raw_section *sec, struct rule *r)
{
	const char *s = sec->val[K_MATCH], *open, *close, *w;
	struct rule_match *m = &r->seq;
	struct raw_section tmp;
	char *inner;
	int need = 0;
	bool ok;

	m->line = sec->vline[K_MATCH];
	s += strspn(s, " \t");
	if (strncmp(s, "all", 3) == 0 && strchr(" \t", s[3])) {
		m->all = true;
		s += 3;
	} else if (strspn(s, "0123456789") > 0 && strspn(s, "0123456789") < 4) {
		need = atoi(s);
		s += strspn(s, "0123456789");
	} else {
		goto out_syntax;
	}
	s += strspn(s, " \t");
	if (strncmp(s, "of", 2) != 0)
		goto out_syntax;
	s += 2 + strspn(s + 2, " \t");
	open = s;
	close = strchr(s, ')');
	if (*open != '(' || !close)
		goto out_syntax;
	w = close + 1 + strspn(close + 1, " \t");
	if (strncmp(w, "within", 6) != 0 || !strchr(" \t", w[6]))
		goto out_syntax;
	w += 6 + strspn(w + 6, " \t");
	if (duration_parse(w, &m->window_ms) < 0 || !m->window_ms) {
		load_err(l, sec->file, m->line, "match: bad duration \"%.40s\" after \"within\"", w);
		return false;
	}
	inner = strndup(open + 1, (size_t)(close - open - 1));
	if (!inner) {
		l->oom = true;
		return false;
	}
	/* load_parse_items reads a key of a section: lend it the inner text. */
	tmp = *sec;
	tmp.val[K_MATCH] = inner;
	ok = load_parse_items(l, &tmp, K_MATCH, &m->names, &m->nnames) == 0;
	free(inner);
	if (!ok)
		return false;
	if (!m->nnames) {
		load_err(l, sec->file, m->line, "match: no rules listed");
		return false;
	}
	if (!m->all && (need < 1 || (size_t)need > m->nnames) &&
	    !(need >= 1 && m->nnames == 1 && strncmp(m->names[0], "category:", 9) == 0)) {
		load_err(l, sec->file, m->line, "match: %d of %zu rules can never happen",
			 need, m->nnames);
		return false;
	}
	m->need = m->all ? m->nnames : (size_t)need;
	return true;
out_syntax:
	load_err(l, sec->file, sec->vline[K_MATCH],
		 "match: expected \"all of (RULE, ...) within DURATION\" or \"N of (RULE, category:NAME, ...) within DURATION\"");
	return false;
}

static struct rule *rule_named(struct ruleset *rs, const char *id)
{
	for (size_t i = 0; i < rs->nrules; i++)
		if (strcmp(rs->rules[i]->meta.id, id) == 0)
			return rs->rules[i];
	return NULL;
}

static bool has_ref(const struct rule_match *m, const struct rule *r)
{
	for (size_t i = 0; i < m->nrefs; i++)
		if (m->refs[i] == r)
			return true;
	return false;
}

/* A sequence's names to rules: ids, and category:NAME for every plain
 * rule of that category.  Each referenced rule learns its dependents. */
void load_resolve_sequence(struct loader *l, struct rule *s)
{
	struct ruleset *rs = l->rs;
	struct rule_match *m = &s->seq;
	bool ok = true;

	for (size_t i = 0; i < m->nnames; i++) {
		const char *name = m->names[i];
		size_t before = m->nrefs;

		if (strncmp(name, "category:", 9) == 0) {
			if (m->all) {
				load_err(l, s->file, m->line,
					 "match: \"all of\" takes rule ids; use \"N of (%s)\"", name);
				ok = false;
				continue;
			}
			for (size_t k = 0; k < rs->nrules; k++) {
				struct rule *r = rs->rules[k];

				if (r->is_sequence || r == s || !r->meta.category ||
				    strcmp(r->meta.category, name + 9) || has_ref(m, r))
					continue;
				if (load_push_rule(&m->refs, &m->nrefs, r) < 0)
					l->oom = true;
			}
			if (m->nrefs == before &&
			    diag_add(l->diags, true, s->file, m->line,
				     "match: no rule has category \"%.40s\" (yet): this part never matches",
				     name + 9) < 0)
				l->oom = true;
			continue;
		}
		{
			struct rule *r = rule_named(rs, name);

			if (!r) {
				load_err(l, s->file, m->line, "match: unknown rule \"%.60s\"", name);
				ok = false;
			} else if (r->is_sequence) {
				load_err(l, s->file, m->line,
					 "match: \"%.60s\" is itself a sequence (sequences name plain rules)",
					 name);
				ok = false;
			} else if (r == s) {
				ok = false;
			} else if (has_ref(m, r)) {
				load_err(l, s->file, m->line, "match: \"%.60s\" listed twice", name);
				ok = false;
			} else if (load_push_rule(&m->refs, &m->nrefs, r) < 0) {
				l->oom = true;
			}
		}
	}
	if (ok && !m->all && m->need > m->nrefs && m->nrefs)
		load_err(l, s->file, m->line, "match: %zu of %zu rules can never happen",
			 m->need, m->nrefs);
	if (m->all)
		m->need = m->nrefs;
	for (size_t i = 0; i < m->nrefs && !l->oom; i++) {
		struct rule *r = m->refs[i];

		r->tracked = true;
		if (load_push_rule(&r->dependents, &r->ndependents, s) < 0)
			l->oom = true;
	}
	if (load_push_rule(&rs->sequences, &rs->nsequences, s) < 0)
		l->oom = true;
}
