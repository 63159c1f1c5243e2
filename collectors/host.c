/*
 * host.c - placeholder for the host collector: declares the source so the
 * registry, --fields and the config know its name; init says -ENODEV.
 */
#include <errno.h>
#include <stdio.h>

#include "host.h"

static const struct field_def host_fields[HOST__NFIELDS] = {
	[HOST_ACTION] = { "action", FIELD_STRING, "present, add, remove, change" },
};

static const int host_entity[] = { HOST_ACTION, -1 };

static void host_describe(const struct event *ev, char *buf, size_t len)
{
	(void)ev;
	snprintf(buf, len, "host");
}

const struct source_def host_source = {
	.id = SOURCE_HOST,
	.name = "host",
	.fields = host_fields,
	.nfields = HOST__NFIELDS,
	.entity_fields = host_entity,
	.describe = host_describe,
};

static int host_init(const struct collector_ctx *ctx, void **state)
{
	(void)ctx;
	*state = NULL;
	return -ENODEV;
}

static void host_free(void *state)
{
	(void)state;
}

const struct collector host_collector = {
	.name = "host",
	.source = &host_source,
	.init = host_init,
	.free = host_free,
};
