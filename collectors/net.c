/*
 * net.c - placeholder for the net collector: declares the source so the
 * registry, --fields and the config know its name; init says -ENODEV.
 */
#include <errno.h>
#include <stdio.h>

#include "net.h"

static const struct field_def net_fields[NET__NFIELDS] = {
	[NET_ACTION] = { "action", FIELD_STRING, "present, add, remove, change" },
};

static const int net_entity[] = { NET_ACTION, -1 };

static void net_describe(const struct event *ev, char *buf, size_t len)
{
	(void)ev;
	snprintf(buf, len, "net");
}

const struct source_def net_source = {
	.id = SOURCE_NET,
	.name = "net",
	.fields = net_fields,
	.nfields = NET__NFIELDS,
	.entity_fields = net_entity,
	.describe = net_describe,
};

static int net_init(const struct collector_ctx *ctx, void **state)
{
	(void)ctx;
	*state = NULL;
	return -ENODEV;
}

static void net_free(void *state)
{
	(void)state;
}

const struct collector net_collector = {
	.name = "net",
	.source = &net_source,
	.init = net_init,
	.free = net_free,
};
