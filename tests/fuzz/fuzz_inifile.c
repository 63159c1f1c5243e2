/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_inifile.c - the INI layer of rule files and farmhound.conf
 * (rules/inifile.c): sections, keys, continuation lines, comments.
 * The callbacks check what inifile.h promises them: strings terminated,
 * keys and values within their maxima, line numbers that never go back.
 */
#include "fuzz.h"
#include "rules/inifile.h"

struct seen {
	int last_line;
};

static void check_line(struct seen *s, int line)
{
	FUZZ_CHECK(line >= 1);
	FUZZ_CHECK(line >= s->last_line);
	s->last_line = line;
}

static void on_section(void *opaque, const char *header, int line)
{
	check_line(opaque, line);
	if (header)
		FUZZ_CHECK(strlen(header) < INIFILE_LINE_MAX);
}

static void on_key(void *opaque, const char *name, const char *value, int line)
{
	check_line(opaque, line);
	FUZZ_CHECK(name && value);
	FUZZ_CHECK(strlen(name) <= INIFILE_KEY_MAX);
	FUZZ_CHECK(strlen(value) <= INIFILE_VALUE_MAX);
}

static void on_error(void *opaque, int line, const char *msg)
{
	(void)opaque;
	FUZZ_CHECK(line >= 0);
	FUZZ_CHECK(strlen(msg) > 0);
}

static const struct inifile_ops ops = {
	.section = on_section, .key = on_key, .error = on_error,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seen s = { 0 };

	inifile_parse((const char *)data, size, &ops, &s);
	return 0;
}
