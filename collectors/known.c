/* SPDX-License-Identifier: Apache-2.0 */
/*
 * known.c - the known-object table (known.h): find, remember with the one
 * eviction policy (the oldest goes), and the one removal path.
 *
 * Entries are kept unordered in one array; forgetting one moves the last
 * into its place, so a walk that forgets as it goes walks backwards.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "known.h"

static void known_forget(struct known_table *t, struct known_entry *e)
{
	free(e->key);
	event_free(e->ev);
	*e = t->entries[--t->n];
}

int known_init(struct known_table *t, size_t max)
{
	memset(t, 0, sizeof(*t));
	t->entries = calloc(max, sizeof(*t->entries));
	if (!t->entries)
		return -ENOMEM;
	t->max = max;
	return 0;
}

void known_free(struct known_table *t)
{
	if (!t)
		return;
	while (t->n > 0)
		known_forget(t, &t->entries[t->n - 1]);
	free(t->entries);
	t->entries = NULL;
	t->max = 0;
}

struct known_entry *known_find(struct known_table *t, const char *key)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->entries[i].key, key) == 0)
			return &t->entries[i];
	return NULL;
}

/* The entry reported or refreshed longest ago: a linear scan, the table
 * overflows only under a flood. */
static struct known_entry *known_oldest(struct known_table *t)
{
	struct known_entry *old = &t->entries[0];

	for (size_t i = 1; i < t->n; i++)
		if (t->entries[i].seq < old->seq)
			old = &t->entries[i];
	return old;
}

void known_put(struct known_table *t, const char *key, struct event *ev, uint64_t print,
	       bool present)
{
	struct known_entry *e = known_find(t, key);
	char *k;

	if (e) {
		event_free(e->ev);
		*e = (struct known_entry){ e->key, ev, print, ++t->seq, present, true };
		return;
	}
	if (!ev || !(k = strdup(key))) {
		event_free(ev);
		return;
	}
	if (t->n == t->max) {
		known_forget(t, known_oldest(t));
		t->evicted++;
	}
	t->entries[t->n++] = (struct known_entry){ k, ev, print, ++t->seq, present, true };
}

struct event *known_removal(struct known_table *t, struct known_entry *e, bool forget)
{
	struct event *ev;

	if (forget) {
		ev = e->ev;
		e->ev = NULL;
		known_forget(t, e);
	} else {
		ev = event_copy(e->ev);
	}
	if (!ev)
		return NULL;
	if (event_set_str(ev, EVENT_FIELD_ACTION, EVENT_ACTION_REMOVE) < 0) {
		event_free(ev);
		return NULL;
	}
	clock_gettime(CLOCK_REALTIME, &ev->ts);
	return ev;
}

void known_unmark(struct known_table *t)
{
	for (size_t i = 0; i < t->n; i++)
		t->entries[i].seen = false;
}

void known_sweep(struct known_table *t, void (*report)(void *opaque, struct event *ev),
		 void *opaque)
{
	for (size_t i = t->n; i-- > 0;) {
		struct known_entry *e = &t->entries[i];
		struct event *ev;

		if (e->seen)
			continue;
		if (!e->present) {
			known_forget(t, e);
			continue;
		}
		ev = known_removal(t, e, true);
		if (ev)
			report(opaque, ev);
	}
}
