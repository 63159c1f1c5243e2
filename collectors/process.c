/*
 * process.c - placeholder for the process collector: declares the source so the
 * registry, --fields and the config know its name; init says -ENODEV.
 */
#include <errno.h>
#include <stdio.h>

#include "process.h"

static const struct field_def process_fields[PROCESS__NFIELDS] = {
	[PROCESS_ACTION] = { "action", FIELD_STRING, "present, add, remove, change" },
};

static const int process_entity[] = { PROCESS_ACTION, -1 };

static void process_describe(const struct event *ev, char *buf, size_t len)
{
	(void)ev;
	snprintf(buf, len, "process");
}

const struct source_def process_source = {
	.id = SOURCE_PROCESS,
	.name = "process",
	.fields = process_fields,
	.nfields = PROCESS__NFIELDS,
	.entity_fields = process_entity,
	.describe = process_describe,
};

static int process_init(const struct collector_ctx *ctx, void **state)
{
	(void)ctx;
	*state = NULL;
	return -ENODEV;
}

static void process_free(void *state)
{
	(void)state;
}

const struct collector process_collector = {
	.name = "process",
	.source = &process_source,
	.init = process_init,
	.free = process_free,
};
