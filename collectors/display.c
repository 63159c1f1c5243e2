/*
 * display.c - placeholder for the display collector: declares the source so the
 * registry, --fields and the config know its name; init says -ENODEV.
 */
#include <errno.h>
#include <stdio.h>

#include "display.h"

static const struct field_def display_fields[DISPLAY__NFIELDS] = {
	[DISPLAY_ACTION] = { "action", FIELD_STRING, "present, add, remove, change" },
};

static const int display_entity[] = { DISPLAY_ACTION, -1 };

static void display_describe(const struct event *ev, char *buf, size_t len)
{
	(void)ev;
	snprintf(buf, len, "display");
}

const struct source_def display_source = {
	.id = SOURCE_DISPLAY,
	.name = "display",
	.fields = display_fields,
	.nfields = DISPLAY__NFIELDS,
	.entity_fields = display_entity,
	.describe = display_describe,
};

static int display_init(const struct collector_ctx *ctx, void **state)
{
	(void)ctx;
	*state = NULL;
	return -ENODEV;
}

static void display_free(void *state)
{
	(void)state;
}

const struct collector display_collector = {
	.name = "display",
	.source = &display_source,
	.init = display_init,
	.free = display_free,
};
