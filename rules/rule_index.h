/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rule_index.h - which rules of a source an event can possibly match.
 */
#ifndef FARMHOUND_RULE_INDEX_H
#define FARMHOUND_RULE_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "collectors/event.h"

struct expr;
struct rule_index;

/* Above this many rules in one source the index is not built and every
 * rule is tried (the candidate set lives on the stack as a bitmap). */
#define RULE_INDEX_MAX_RULES 4096

/* Index the rules whose conditions are whens[0..n) (positions are the
 * array's).  *out is NULL when n is 0 or above RULE_INDEX_MAX_RULES. */
int rule_index_build(const struct expr *const *whens, size_t n,
		     struct rule_index **out);
void rule_index_free(struct rule_index *ix);

/* Calls fn with the position of every rule ev may match, ascending: a
 * superset of the rules whose condition holds (each is still
 * evaluated by the caller), never missing one. */
void rule_index_visit(const struct rule_index *ix, const struct event *ev,
		      void (*fn)(void *opaque, uint32_t pos), void *opaque);

/* For tests and benchmarks: how many rules sit under a literal key. */
size_t rule_index_keyed(const struct rule_index *ix);

#endif
