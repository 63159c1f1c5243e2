/* SPDX-License-Identifier: Apache-2.0 */
/*
 * format_text.h - the text format's key=value writer, for other printers
 * of event fields (--explain, agent/explain.c).
 *
 * One writer for " key=value" in two styles: the alert line's (plain
 * words bare, everything else quoted with C-style escapes, each value cut
 * to a budget) and whatever style a caller describes.  The value syntax
 * (numbers, true/false, bare addresses, [lists,of,items]) is the same in
 * every style; only quoting, escaping and budgets differ.
 */
#ifndef FARMHOUND_FORMAT_TEXT_H
#define FARMHOUND_FORMAT_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "collectors/event.h"
#include "escape.h"

struct text_style {
	enum escape_style quoted;	/* the escaper between double quotes */
	bool always_quote;		/* strings quoted even when plain words */
	size_t str_max;			/* output bytes of a string value */
	size_t item_max;		/* of one list item */
	size_t list_max;		/* of a whole list, brackets included */
};

/* The alert line's style (format_text.c). */
extern const struct text_style format_text_style;

/* Append " key=value" to b, all or nothing: a pair that does not fit
 * leaves b as it was, with b->dropped set. */
void format_text_pair(struct escape_buf *b, const struct text_style *st,
		      const char *key, const struct value *v);

#endif
