/* SPDX-License-Identifier: Apache-2.0 */
/*
 * known.h - the known-object table of the collectors that report objects
 * one by one (USB devices, DRM connectors): what was reported about each,
 * kept to report its removal.
 *
 * One entry per object, named by a key (its syspath), holding the event
 * last reported about it.  The object's removal is always built the same
 * way, by known_removal(): that event, as action "remove", stamped now --
 * at remove time the object's sysfs is gone, so what was last reported is
 * all there is to say.  A reconcile (rescan) clears the seen marks, marks
 * what it finds (known_put() marks), and known_sweep() reports and forgets
 * the rest.
 *
 * The one overflow policy: the table is bounded (max entries, fixed at
 * known_init()).  When it is full and a new object comes, the OLDEST entry
 * (the one reported or refreshed longest ago) is forgotten and counted
 * (evicted, for stats().evicted), and the new one is tracked: what just
 * appeared is what a removal will most likely be asked about next, and an
 * object nobody tracks would have its removal never reported.  A
 * forgotten object's removal is reported from what the uevent carries, or
 * not at all.
 *
 * Lookups are a linear scan: the tables hold tens to hundreds of entries.
 * The /proc walkers (process, socket), which track tens of thousands of
 * objects as compact records and rebuild their set at each walk, keep
 * their own sorted tables (collectors/process/).
 */
#ifndef FARMHOUND_KNOWN_H
#define FARMHOUND_KNOWN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collectors/event.h"

struct known_entry {
	char *key;		/* what names the object: its syspath */
	struct event *ev;	/* what was last reported; NULL: not kept (out
				 * of memory then), its removal is not reported */
	uint64_t print;		/* the collector's fingerprint of the object
				 * then (display: EDID hash); 0: none */
	uint64_t seq;		/* age: the oldest goes when the table is full */
	bool present;		/* its disappearance is a removal to report
				 * (display: connected) */
	bool seen;		/* found by the reconcile under way */
};

struct known_table {
	struct known_entry *entries;
	size_t n;
	size_t max;
	uint64_t seq;
	uint64_t evicted;	/* entries forgotten to make room */
};

/* An empty table of at most max (> 0) entries; 0 or -ENOMEM. */
int known_init(struct known_table *t, size_t max);
/* Forget every entry and free the table; accepts NULL and a table that
 * known_init() never filled (all zero). */
void known_free(struct known_table *t);

struct known_entry *known_find(struct known_table *t, const char *key);
/* Remember ev (taking it) as what key looks like now, with the
 * collector's fingerprint and whether its disappearance is reported; the
 * entry is marked seen and made the youngest.  A known key has its event
 * replaced, even by NULL (an old event would report the wrong object); a
 * new key with ev NULL is not tracked. */
void known_put(struct known_table *t, const char *key, struct event *ev, uint64_t print,
	       bool present);

/* The removal of e: what was last reported about it, as action "remove"
 * stamped now; NULL if nothing was kept or out of memory.  forget: e
 * goes too (its event is moved, not copied), and e is no longer valid. */
struct event *known_removal(struct known_table *t, struct known_entry *e, bool forget);

/* A reconcile: known_unmark() before it, known_put() or e->seen = true for
 * what it finds, known_sweep() after: every entry not seen is forgotten,
 * and the removal of each present one handed to report (which owns it). */
void known_unmark(struct known_table *t);
void known_sweep(struct known_table *t, void (*report)(void *opaque, struct event *ev),
		 void *opaque);

#endif
