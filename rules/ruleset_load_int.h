/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ruleset_load_int.h - the inside of rule loading, shared by its files:
 * ruleset_load.c (the files, the raw sections, the two passes),
 * ruleset_build.c (what every section needs, [list], [allow], the index),
 * ruleset_rule.c ([rule]) and ruleset_corr.c (thresholds, sequences).
 * The raw sections of pass 1 and the loader's state live here; what a
 * loaded ruleset is made of stays in ruleset_int.h.  Nothing outside
 * rules/ includes it.
 */
#ifndef FARMHOUND_RULESET_LOAD_INT_H
#define FARMHOUND_RULESET_LOAD_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "ruleset_int.h"

#define RULES_FILE_MAX (1024 * 1024)	/* bytes per file */
#define RULES_FILES_MAX 1024		/* files per directory */
#define RULES_SECTIONS_MAX 20000	/* sections in all */
#define RULES_ITEMS_MAX 10000		/* items per comma list */
#define RULES_ID_MAX 128
#define RULES_SCORE_MAX 1000

enum section_kind {
	SEC_RULE,
	SEC_LIST,
	SEC_ALLOW,
};

enum key_id {
	K_NAME, K_DESCRIPTION, K_ADVICE, K_SOURCE, K_WHEN, K_SEVERITY, K_CONFIDENCE,
	K_CATEGORY, K_SCORE, K_MITRE, K_REFERENCES, K_COOLDOWN,
	K_COUNT, K_WINDOW, K_DISTINCT, K_GROUP_BY, K_MATCH, K_ALERT,
	K_ITEMS, K_REASON, K_OWNER, K_EXPIRES,
	K__MAX,
};

/* The keys each kind of section takes (ruleset_load.c). */
struct load_key {
	const char *name;
	unsigned kinds;			/* 1 << enum section_kind, or'ed */
	bool reserved;			/* a key for a later version */
};

extern const struct load_key load_keys[K__MAX];
extern const char *const load_kind_names[];

struct raw_section {
	enum section_kind kind;
	char *id;
	const char *file;		/* owned by the loader */
	int line;
	size_t order;			/* load order, for duplicate reports */
	char *val[K__MAX];
	int vline[K__MAX];
};

struct loader {
	const struct source_def *const *sources;	/* NULL: registry */
	struct diag_list *diags;
	time_t now;
	char **files;
	size_t nfiles;
	struct raw_section **secs;
	size_t nsecs, cap;
	struct raw_section *cur;	/* NULL: ignore keys */
	const char *file;
	bool oom;
	int io_error;			/* first -errno reading files */
	size_t from;			/* first diagnostic of this load */
	struct ruleset *rs;
	struct expr_regex_cache *regexes;	/* NULL: not shared */
};

/* One diagnostic "file:line: message" for this load (ruleset_load.c). */
void load_err(struct loader *l, const char *file, int line, const char *fmt,
	      ...) __attribute__((format(printf, 4, 5)));

/* ---- ruleset_build.c: pass 2, what every section needs ---- */

void load_strv_free(char **v, size_t n);
/* "a, b, \"c, d\"": items split on commas outside double quotes, trimmed,
 * quotes removed (\" and \\ escapes).  0, -EINVAL (reported) or -ENOMEM. */
int load_parse_items(struct loader *l, const struct raw_section *sec,
		     enum key_id k, char ***out, size_t *nout);
/* Every key of req set and not empty (the others reported). */
bool load_require(struct loader *l, const struct raw_section *sec,
		  const enum key_id *req, size_t n);
/* Report every id defined twice (per kind); mark the later ones. */
void load_check_duplicates(struct loader *l, bool *dup);
const struct source_def *load_find_source(struct loader *l, const char *name);
/* Resolve source and compile when (both present). */
int load_compile_when(struct loader *l, const struct raw_section *sec,
		      const struct source_def **src, struct expr **when);
/* Append to a growable array of rules: 0 or -ENOMEM. */
int load_push_rule(struct rule ***v, size_t *n, struct rule *p);
void load_build_list(struct loader *l, struct raw_section *sec);
void load_build_allow(struct loader *l, struct raw_section *sec);
/* by_source: every rule and allow under its source's id. */
int load_build_index(struct loader *l);

/* ---- ruleset_rule.c: [rule] ---- */

/* An integer 0..RULES_SCORE_MAX: 0 or -EINVAL. */
int load_parse_score(const char *s, int *out);
void load_build_rule(struct loader *l, struct raw_section *sec);

/* ---- ruleset_corr.c: thresholds and sequences ---- */

/* count, window, distinct, group_by.  src is NULL if source was bad. */
bool load_threshold_keys(struct loader *l, struct raw_section *sec,
			 struct rule *r);
/* match = ...: the names are kept and resolved once every rule is built. */
bool load_parse_match(struct loader *l, struct raw_section *sec, struct rule *r);
/* A sequence's names to rules; each referenced rule learns its
 * dependents. */
void load_resolve_sequence(struct loader *l, struct rule *s);

#endif
