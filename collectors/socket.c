/*
 * socket.c - placeholder for the socket collector: declares the source so the
 * registry, --fields and the config know its name; init says -ENODEV.
 */
#include <errno.h>
#include <stdio.h>

#include "socket.h"

static const struct field_def socket_fields[SOCKET__NFIELDS] = {
	[SOCKET_ACTION] = { "action", FIELD_STRING, "present, add, remove, change" },
};

static const int socket_entity[] = { SOCKET_ACTION, -1 };

static void socket_describe(const struct event *ev, char *buf, size_t len)
{
	(void)ev;
	snprintf(buf, len, "socket");
}

const struct source_def socket_source = {
	.id = SOURCE_SOCKET,
	.name = "socket",
	.fields = socket_fields,
	.nfields = SOCKET__NFIELDS,
	.entity_fields = socket_entity,
	.describe = socket_describe,
};

static int socket_init(const struct collector_ctx *ctx, void **state)
{
	(void)ctx;
	*state = NULL;
	return -ENODEV;
}

static void socket_free(void *state)
{
	(void)state;
}

const struct collector socket_collector = {
	.name = "socket",
	.source = &socket_source,
	.init = socket_init,
	.free = socket_free,
};
