/* SPDX-License-Identifier: Apache-2.0 */
/*
 * event.c - building, reading and freeing events; source and field lookup.
 *
 * Setters copy and bound everything they are given: the collector that
 * calls them may be holding a pointer into a libudev object or a packet
 * buffer that is gone a moment later.  A setter that fails keeps its error
 * in the event (the first only), so building reads straight through and
 * asks event_complete() once, instead of every collector writing its own
 * "keep the first error" helper around the setters.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"

struct event *event_new(const struct source_def *source)
{
	struct event *ev;

	ev = calloc(1, sizeof(*ev) + source->nfields * sizeof(struct value));
	if (!ev)
		return NULL;
	ev->source = source;
	clock_gettime(CLOCK_REALTIME, &ev->ts);
	for (size_t i = 0; i < source->nfields; i++)
		ev->values[i].type = source->fields[i].type;
	return ev;
}

static void value_clear(struct value *v)
{
	if (!v->set)
		return;
	if (v->type == FIELD_STRING) {
		free(v->str.ptr);
	} else if (v->type == FIELD_LIST) {
		for (size_t i = 0; i < v->list.n; i++)
			free(v->list.items[i]);
		free(v->list.items);
	}
	/* The whole value but its type: the union through all of its
	 * members (an IP address is larger than the string's pointer and
	 * length, which the old memset through .str with .list's size
	 * cleared). */
	*v = (struct value){ .type = v->type };
}

void event_free(struct event *ev)
{
	if (!ev)
		return;
	for (size_t i = 0; i < ev->source->nfields; i++)
		value_clear(&ev->values[i]);
	free(ev);
}

int event_fail(struct event *ev, int err)
{
	if (ev && err < 0 && ev->err == 0)
		ev->err = err;
	return err;
}

int event_error(const struct event *ev)
{
	return ev ? ev->err : -EINVAL;
}

struct event *event_complete(struct event *ev)
{
	if (ev && ev->err < 0) {
		event_free(ev);
		return NULL;
	}
	return ev;
}

static struct value *slot(struct event *ev, int field, enum field_type type)
{
	if (!ev || field < 0 || (size_t)field >= ev->source->nfields)
		return NULL;
	if (ev->values[field].type != type)
		return NULL;
	return &ev->values[field];
}

/* Copy at most EVENT_STR_MAX bytes, stopping at an embedded NUL: C strings
 * downstream could not carry it anyway. */
static char *bounded_dup(const char *s, size_t len, size_t *outlen)
{
	char *p;

	if (len > EVENT_STR_MAX)
		len = EVENT_STR_MAX;
	len = strnlen(s, len);
	p = malloc(len + 1);
	if (!p)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	*outlen = len;
	return p;
}

int event_set_strn(struct event *ev, int field, const char *s, size_t len)
{
	struct value *v = slot(ev, field, FIELD_STRING);
	size_t n;
	char *p;

	if (!v)
		return event_fail(ev, -EINVAL);
	if (!s)
		return 0;
	p = bounded_dup(s, len, &n);
	if (!p)
		return event_fail(ev, -ENOMEM);
	value_clear(v);
	v->str.ptr = p;
	v->str.len = n;
	v->set = true;
	return 0;
}

int event_set_str(struct event *ev, int field, const char *s)
{
	if (!s)
		return slot(ev, field, FIELD_STRING) ? 0 : event_fail(ev, -EINVAL);
	return event_set_strn(ev, field, s, strnlen(s, EVENT_STR_MAX));
}

int event_set_int(struct event *ev, int field, int64_t i)
{
	struct value *v = slot(ev, field, FIELD_INT);

	if (!v)
		return event_fail(ev, -EINVAL);
	v->i = i;
	v->set = true;
	return 0;
}

int event_set_bool(struct event *ev, int field, bool b)
{
	struct value *v = slot(ev, field, FIELD_BOOL);

	if (!v)
		return event_fail(ev, -EINVAL);
	v->b = b;
	v->set = true;
	return 0;
}

int event_set_ip(struct event *ev, int field, const struct ip_addr *ip)
{
	struct value *v = slot(ev, field, FIELD_IP);

	if (!v || !ip)
		return event_fail(ev, -EINVAL);
	v->ip = *ip;
	v->set = true;
	return 0;
}

int event_list_add(struct event *ev, int field, const char *s)
{
	struct value *v = slot(ev, field, FIELD_LIST);
	char **items;
	size_t n;
	char *p;

	if (!v || !s)
		return event_fail(ev, -EINVAL);
	if (v->set && v->list.n >= EVENT_LIST_MAX)
		return 0;	/* bounded: the excess is dropped */
	p = bounded_dup(s, strnlen(s, EVENT_STR_MAX), &n);
	if (!p)
		return event_fail(ev, -ENOMEM);
	items = realloc(v->set ? v->list.items : NULL,
			((v->set ? v->list.n : 0) + 1) * sizeof(*items));
	if (!items) {
		free(p);
		return event_fail(ev, -ENOMEM);
	}
	if (!v->set)
		v->list.n = 0;
	items[v->list.n++] = p;
	v->list.items = items;
	v->set = true;
	return 0;
}

/* One set value of src into the same field of dst. */
static int value_copy(struct event *dst, int f, const struct value *v)
{
	int r = 0;

	switch (v->type) {
	case FIELD_STRING:
		return event_set_strn(dst, f, v->str.ptr, v->str.len);
	case FIELD_INT:
		return event_set_int(dst, f, v->i);
	case FIELD_BOOL:
		return event_set_bool(dst, f, v->b);
	case FIELD_IP:
		return event_set_ip(dst, f, &v->ip);
	case FIELD_LIST:
		for (size_t i = 0; i < v->list.n && r == 0; i++)
			r = event_list_add(dst, f, v->list.items[i]);
		return r;
	}
	return -EINVAL;
}

/* Through the setters, so the copy is bounded and owned like any event. */
struct event *event_copy(const struct event *ev)
{
	struct event *c;

	if (!ev)
		return NULL;
	c = event_new(ev->source);
	if (!c)
		return NULL;
	c->ts = ev->ts;
	for (size_t f = 0; f < ev->source->nfields && c->err == 0; f++)
		if (ev->values[f].set)
			event_fail(c, value_copy(c, (int)f, &ev->values[f]));
	return event_complete(c);
}

const struct value *event_get(const struct event *ev, int field)
{
	if (!ev || field < 0 || (size_t)field >= ev->source->nfields)
		return NULL;
	return ev->values[field].set ? &ev->values[field] : NULL;
}

const char *event_get_str(const struct event *ev, int field)
{
	const struct value *v = event_get(ev, field);

	return v && v->type == FIELD_STRING ? v->str.ptr : NULL;
}

int source_field_index(const struct source_def *source, const char *name)
{
	for (size_t i = 0; i < source->nfields; i++)
		if (strcmp(source->fields[i].name, name) == 0)
			return (int)i;
	return -ENOENT;
}

const char *field_type_name(enum field_type t)
{
	switch (t) {
	case FIELD_STRING:
		return "string";
	case FIELD_INT:
		return "integer";
	case FIELD_BOOL:
		return "boolean";
	case FIELD_IP:
		return "ip";
	case FIELD_LIST:
		return "list";
	}
	return "?";
}

int ip_addr_parse(const char *s, struct ip_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, s, out->bytes) == 1) {
		out->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, out->bytes) == 1) {
		out->family = AF_INET6;
		return 0;
	}
	return -EINVAL;
}

void ip_addr_format(const struct ip_addr *ip, char *buf, size_t len)
{
	if (!inet_ntop(ip->family == AF_INET6 ? AF_INET6 : AF_INET, ip->bytes,
		       buf, (socklen_t)len) && len)
		buf[0] = '\0';
}
