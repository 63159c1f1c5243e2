/* SPDX-License-Identifier: Apache-2.0 */
/*
 * inifile.h - the INI layer of rule files and farmhound.conf: sections,
 * keys, line numbers.
 *
 * Turns a rule file's text into a stream of callbacks, each carrying the
 * physical line it comes from, with continuation lines joined and
 * comments removed.  Knows nothing about what sections and keys mean.
 */
#ifndef FARMHOUND_INIFILE_H
#define FARMHOUND_INIFILE_H

#include <stddef.h>

/* Longest physical line, and longest value once continuation lines are
 * joined.  Longer ones are errors, never silently split. */
#define INIFILE_LINE_MAX 4096
#define INIFILE_VALUE_MAX 65536
#define INIFILE_KEY_MAX 64

struct inifile_ops {
	/* "[rule x]" gives "rule x" (inner text, trimmed).  header is NULL
	 * after a malformed header: ignore keys until the next section. */
	void (*section)(void *opaque, const char *header, int line);
	/* value is complete (continuations joined by one space), trimmed. */
	void (*key)(void *opaque, const char *name, const char *value, int line);
	void (*error)(void *opaque, int line, const char *msg);
};

/* 0, or -ENOMEM.  Problems in the text go to ops->error; parsing goes on
 * after each, so every one of them is reported. */
int inifile_parse(const char *text, size_t len, const struct inifile_ops *ops,
		   void *opaque);

#endif
