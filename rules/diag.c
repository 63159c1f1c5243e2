/* SPDX-License-Identifier: Apache-2.0 */
/*
 * diag.c - the list of problems a rule load found.
 *
 * Bounded: a hostile or badly broken directory could otherwise produce a
 * diagnostic per line without end; after DIAG_MAX entries one last entry
 * says that the rest were dropped.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"
#include "ruleset_int.h"

#define DIAG_MAX 1000

void diag_list_clear(struct diag_list *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++) {
		free(d->items[i].file);
		free(d->items[i].message);
	}
	free(d->items);
	d->items = NULL;
	d->n = d->cap = 0;
}

size_t diag_list_errors(const struct diag_list *d)
{
	size_t n = 0;

	for (size_t i = 0; d && i < d->n; i++)
		n += !d->items[i].warning;
	return n;
}

static int diag_push(struct diag_list *d, bool warning, const char *file,
		     int line, char *msg)
{
	struct diag *it;

	if (d->n == d->cap) {
		size_t ncap = d->cap ? d->cap * 2 : 16;

		it = realloc(d->items, ncap * sizeof(*it));
		if (!it)
			goto out_nomem;
		d->items = it;
		d->cap = ncap;
	}
	it = &d->items[d->n];
	it->file = strdup(file ? file : "");
	if (!it->file)
		goto out_nomem;
	it->line = line;
	it->message = msg;
	it->warning = warning;
	d->n++;
	return 0;
out_nomem:
	free(msg);
	return -ENOMEM;
}

int diag_add(struct diag_list *d, bool warning, const char *file, int line,
	     const char *fmt, ...)
{
	va_list ap;
	char *msg;
	int r;

	if (!d)
		return 0;
	if (d->n > DIAG_MAX)
		return 0;
	if (d->n == DIAG_MAX) {
		msg = strdup("too many problems; the rest are not shown");
		return msg ? diag_push(d, false, file, 0, msg) : -ENOMEM;
	}
	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	return diag_push(d, warning, file, line, msg);
}

/* Order the entries from index from on by file, then line, keeping the
 * order of entries on the same line: the loader checks lists before rules,
 * but people read a file top to bottom.  Insertion sort: stable, and the
 * list is bounded. */
void diag_sort(struct diag_list *d, size_t from)
{
	for (size_t i = from + 1; i < d->n; i++) {
		struct diag t = d->items[i];
		size_t j = i;

		while (j > from) {
			const struct diag *p = &d->items[j - 1];
			int c = strcmp(p->file, t.file);

			if (c < 0 || (c == 0 && p->line <= t.line))
				break;
			d->items[j] = d->items[j - 1];
			j--;
		}
		d->items[j] = t;
	}
}
