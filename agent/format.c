/* SPDX-License-Identifier: Apache-2.0 */
/*
 * format.c - the table of alert formatters, by name (--format, [output]
 * format).
 */
#include <string.h>

#include "format.h"

extern const struct alert_formatter alert_format_json;
extern const struct alert_formatter alert_format_cef;
extern const struct alert_formatter alert_format_text;

static const struct alert_formatter *const formatters[] = {
	&alert_format_json,
	&alert_format_cef,
	&alert_format_text,
	NULL,
};

const struct alert_formatter *alert_formatter_by_name(const char *name)
{
	for (size_t i = 0; formatters[i]; i++)
		if (strcmp(formatters[i]->name, name) == 0)
			return formatters[i];
	return NULL;
}
