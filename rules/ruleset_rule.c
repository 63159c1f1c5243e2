/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ruleset_rule.c - pass 2 of rule loading for a [rule] section: the
 * required keys (source, when and severity, or match and severity for a
 * sequence), the metadata (name, description, advice, confidence, category,
 * score, mitre, references, cooldown; the defaults are in the top comment
 * of ruleset_load.c), `alert = no`, and freeing a rule.  The threshold
 * and sequence keys are ruleset_corr.c's.
 *
 * Its own file because a [rule] is the one section with many keys and
 * two shapes (a plain rule and a sequence), each key checked on its own
 * and reported at its line.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "ruleset_load_int.h"

int load_parse_score(const char *s, int *out)
{
	char *end;
	long v;

	if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 6)
		return -EINVAL;
	v = strtol(s, &end, 10);
	if (*end || v > RULES_SCORE_MAX)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

/* The optional metadata keys of a rule; false if one was bad. */
static bool rule_meta_keys(struct loader *l, struct raw_section *sec,
			   struct rule *r)
{
	struct rule_meta *m = &r->meta;
	bool ok = true;
	int v;

	m->confidence = CONFIDENCE_MEDIUM;
	if ((v = severity_from_name(sec->val[K_SEVERITY])) < 0) {
		load_err(l, sec->file, sec->vline[K_SEVERITY],
			 "unknown severity \"%.40s\" (debug, info, notice, warning, error, critical, alert, emergency)",
			 sec->val[K_SEVERITY]);
		ok = false;
	}
	m->severity = v;
	if (sec->val[K_CONFIDENCE]) {
		if ((v = confidence_from_name(sec->val[K_CONFIDENCE])) < 0) {
			load_err(l, sec->file, sec->vline[K_CONFIDENCE],
				 "unknown confidence \"%.40s\" (low, medium, high)",
				 sec->val[K_CONFIDENCE]);
			ok = false;
		} else {
			m->confidence = (enum confidence)v;
		}
	}
	if (sec->val[K_SCORE] && load_parse_score(sec->val[K_SCORE], &m->score) < 0) {
		load_err(l, sec->file, sec->vline[K_SCORE],
			 "bad score \"%.40s\" (an integer from 0 to %d)",
			 sec->val[K_SCORE], RULES_SCORE_MAX);
		ok = false;
	}
	if (sec->val[K_COOLDOWN] &&
	    duration_parse(sec->val[K_COOLDOWN], &r->cooldown_ms) < 0) {
		load_err(l, sec->file, sec->vline[K_COOLDOWN],
			 "bad duration \"%.40s\" for cooldown (e.g. 30s, 10m, 1h, 2d)",
			 sec->val[K_COOLDOWN]);
		ok = false;
	}
	if (sec->val[K_MITRE] &&
	    load_parse_items(l, sec, K_MITRE, &m->mitre, &m->nmitre) < 0)
		ok = false;
	if (sec->val[K_REFERENCES] &&
	    load_parse_items(l, sec, K_REFERENCES, &m->references, &m->nreferences) < 0)
		ok = false;
	/* Take the strings over from the raw section. */
	m->name = sec->val[K_NAME] && *sec->val[K_NAME] ? sec->val[K_NAME] : NULL;
	if (m->name)
		sec->val[K_NAME] = NULL;
	else if (!(m->name = strdup(m->id)))
		l->oom = true;
	if (sec->val[K_DESCRIPTION] && *sec->val[K_DESCRIPTION]) {
		m->description = sec->val[K_DESCRIPTION];
		sec->val[K_DESCRIPTION] = NULL;
	}
	if (sec->val[K_ADVICE] && *sec->val[K_ADVICE]) {
		m->advice = sec->val[K_ADVICE];
		sec->val[K_ADVICE] = NULL;
	}
	if (sec->val[K_CATEGORY] && *sec->val[K_CATEGORY]) {
		m->category = sec->val[K_CATEGORY];
		sec->val[K_CATEGORY] = NULL;
	}
	return ok;
}

void rule_free(struct rule *r)
{
	if (!r)
		return;
	free(r->meta.id);
	free(r->meta.name);
	free(r->meta.description);
	free(r->meta.advice);
	free(r->meta.category);
	load_strv_free(r->meta.mitre, r->meta.nmitre);
	load_strv_free(r->meta.references, r->meta.nreferences);
	expr_free(r->when);
	free(r->seq.refs);
	load_strv_free(r->seq.names, r->seq.nnames);
	free(r->dependents);
	free(r->file);
	free(r);
}

static bool bool_key(struct loader *l, struct raw_section *sec, enum key_id k,
		     bool *out)
{
	if (bool_parse(sec->val[k], out) == 0)
		return true;
	load_err(l, sec->file, sec->vline[k], "bad %s \"%.40s\" (yes or no)", load_keys[k].name,
		 sec->val[k]);
	return false;
}

void load_build_rule(struct loader *l, struct raw_section *sec)
{
	static const enum key_id req[] = { K_SOURCE, K_WHEN, K_SEVERITY };
	static const enum key_id req_seq[] = { K_MATCH, K_SEVERITY };
	static const enum key_id not_seq[] = {
		K_SOURCE, K_WHEN, K_COUNT, K_WINDOW, K_DISTINCT, K_GROUP_BY,
	};
	bool is_seq = sec->val[K_MATCH] != NULL;
	bool ok = is_seq ? load_require(l, sec, req_seq, 2) : load_require(l, sec, req, 3);
	struct rule *r;

	r = calloc(1, sizeof(*r));
	if (!r) {
		l->oom = true;
		return;
	}
	r->threshold.distinct_field = -1;
	r->threshold.group_by[0] = -1;
	r->line = sec->line;
	if (!(r->file = strdup(sec->file)))
		l->oom = true;
	r->meta.id = sec->id;
	sec->id = NULL;
	if (is_seq) {
		r->is_sequence = true;
		for (size_t i = 0; i < sizeof(not_seq) / sizeof(not_seq[0]); i++) {
			if (!sec->val[not_seq[i]])
				continue;
			load_err(l, sec->file, sec->vline[not_seq[i]],
				 "\"%s\" does not go with \"match\" (a sequence takes its events from the rules it names)",
				 load_keys[not_seq[i]].name);
			ok = false;
		}
		if (*sec->val[K_MATCH] && !load_parse_match(l, sec, r))
			ok = false;
	} else {
		if (sec->val[K_SOURCE] && *sec->val[K_SOURCE] && sec->val[K_WHEN] &&
		    *sec->val[K_WHEN] && load_compile_when(l, sec, &r->source, &r->when) < 0)
			ok = false;
		if (!r->source && sec->val[K_SOURCE] && *sec->val[K_SOURCE])
			r->source = load_find_source(l, sec->val[K_SOURCE]);
		if (!load_threshold_keys(l, sec, r))
			ok = false;
	}
	if (sec->val[K_ALERT]) {
		bool alert = true;

		if (!bool_key(l, sec, K_ALERT, &alert))
			ok = false;
		r->silent = !alert;
	}
	if (sec->val[K_SEVERITY] && *sec->val[K_SEVERITY] &&
	    !rule_meta_keys(l, sec, r))
		ok = false;
	r->tracked = r->meta.score > 0;
	if (!ok || l->oom || load_push_rule(&l->rs->rules, &l->rs->nrules, r) < 0) {
		rule_free(r);
		return;
	}
}
