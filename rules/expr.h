/* SPDX-License-Identifier: Apache-2.0 */
/*
 * expr.h - rule expressions: compiled once from text, evaluated per event.
 *
 * The grammar and the semantics (types, unset fields, case-insensitive
 * operators) are described at the top of expr.c and in rules/README.md.
 * Compilation resolves field names to ids against one source's table,
 * checks every operator against the field's type, parses literals into
 * their typed form (integers, IP networks, sorted string sets) and
 * compiles regular expressions, so evaluation never parses, never looks a
 * name up and never allocates, but for a regex's JIT code, made on its
 * first match (most rules never see an event in a run).
 */
#ifndef FARMHOUND_EXPR_H
#define FARMHOUND_EXPR_H

#include <stdbool.h>
#include <stddef.h>

#include "collectors/event.h"

struct expr;

/* Longest expression text accepted (bytes, after joining continuation
 * lines), and deepest nesting of parentheses and "not". */
#define EXPR_TEXT_MAX 65536
#define EXPR_DEPTH_MAX 64

/* Compiled regexes shared between the expressions of one load: the same
 * pattern (and case flag) is compiled, and JIT-compiled, once.  Rule
 * packs repeat patterns (a domain list for the DNS name and for the TLS
 * server name, an executable pattern for exe and exe_candidate).  Each
 * expression holds its own reference, so the cache may be freed as soon
 * as the compiling is done. */
struct expr_regex_cache;

struct expr_regex_cache *expr_regex_cache_new(void);
void expr_regex_cache_free(struct expr_regex_cache *c);

/* What the compiler needs from its caller. */
struct expr_env {
	const struct source_def *source;
	/* Items of the [list NAME] called name, or NULL if there is none. */
	bool (*find_list)(void *opaque, const char *name, char *const **items,
			  size_t *n);
	/* Called once per problem found; msg is only valid during the call.
	 * Compilation goes on after type and name errors, so one call can
	 * report several; it stops at the first syntax error. */
	void (*error)(void *opaque, const char *msg);
	void *opaque;
	/* Optional (NULL: every regex compiled for itself). */
	struct expr_regex_cache *regexes;
};

/* Scratch space for evaluation (PCRE2 match data and limits), one per
 * ruleset: evaluation is single-threaded by design (DESIGN §1). */
struct expr_runtime;

struct expr_runtime *expr_runtime_new(void);
void expr_runtime_free(struct expr_runtime *rt);

/* 0 and *out set, -EINVAL (problems reported through env->error) or
 * -ENOMEM. */
int expr_compile(const char *text, const struct expr_env *env,
		 struct expr **out);
void expr_free(struct expr *e);

/* Does ev satisfy e?  ev must be of the source e was compiled for. */
bool expr_eval(const struct expr *e, const struct event *ev,
	       struct expr_runtime *rt);

/* expr_eval for --explain: when false, buf holds the predicate that
 * decided it, as written ("manufacturer in @kvm_vendors"), with
 * " (field not set)" when the event does not carry the field. */
bool expr_explain(const struct expr *e, const struct event *ev,
		  struct expr_runtime *rt, char *buf, size_t len);

/* For tests: how many of e's regexes are JIT-compiled now.  A regex is
 * compiled (checked) by expr_compile but JIT-compiled only on its first
 * match, so this is 0 until then (and stays 0 without a usable JIT). */
size_t expr_jit_count(const struct expr *e);

/* The rule index (rule_index.c) files a rule under literals its
 * condition cannot hold without.  One such literal, an "atom": the
 * event's string field equals lit (EXACT; compared ASCII-case-folded when
 * icase) or contains it (SUBSTR: the operand of contains/startswith/
 * endswith, or the literal a glob or regex forces, see literal.c; always
 * compared folded).  lit is valid during the callback only. */
enum expr_key_kind {
	EXPR_KEY_EXACT,
	EXPR_KEY_SUBSTR,
};

struct expr_key {
	enum expr_key_kind kind;
	int field;
	bool icase;
	const char *lit;
};

/* Calls fn with every atom of e outside a "not". */
void expr_index_atoms(const struct expr *e,
		      void (*fn)(void *opaque, const struct expr_key *k),
		      void *opaque);

/* A set of atoms one of which holds whenever e holds, the cheapest by
 * cost() (UINT64_MAX: an atom not to be used): an "and" needs only one
 * side's set, an "or" both sides', "x in (a, b)" both atoms.  Calls emit
 * with each atom of it and returns its cost; UINT64_MAX and no call when
 * e has no such set (then the rule must be tried on every event). */
uint64_t expr_index_plan(const struct expr *e,
			 uint64_t (*cost)(void *opaque, const struct expr_key *k),
			 void (*emit)(void *opaque, const struct expr_key *k),
			 void *opaque);

#endif
