/*
 * rule_ini.h - the INI layer of rule files: sections, keys, line numbers.
 *
 * Turns a rule file's text into a stream of callbacks, each carrying the
 * physical line it comes from, with continuation lines joined and
 * comments removed.  Knows nothing about what sections and keys mean.
 */
#ifndef FARMHOUND_RULE_INI_H
#define FARMHOUND_RULE_INI_H

#include <stddef.h>

/* Longest physical line, and longest value once continuation lines are
 * joined.  Longer ones are errors, never silently split. */
#define RULE_INI_LINE_MAX 4096
#define RULE_INI_VALUE_MAX 65536
#define RULE_INI_KEY_MAX 64

struct rule_ini_ops {
	/* "[rule x]" gives "rule x" (inner text, trimmed).  header is NULL
	 * after a malformed header: ignore keys until the next section. */
	void (*section)(void *opaque, const char *header, int line);
	/* value is complete (continuations joined by one space), trimmed. */
	void (*key)(void *opaque, const char *name, const char *value, int line);
	void (*error)(void *opaque, int line, const char *msg);
};

/* 0, or -ENOMEM.  Problems in the text go to ops->error; parsing goes on
 * after each, so every one of them is reported. */
int rule_ini_parse(const char *text, size_t len, const struct rule_ini_ops *ops,
		   void *opaque);

#endif
