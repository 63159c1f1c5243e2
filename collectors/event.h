/* SPDX-License-Identifier: Apache-2.0 */
/*
 * event.h - the typed record every collector produces and every rule reads.
 *
 * An event is a source (usb, display, ...) plus one value slot per field of
 * that source's field table.  Rules resolve field names to indices once, at
 * load time, so evaluation is an array lookup and never a string compare on
 * the field name.
 *
 * Values are copied out of libudev/libpcap/proc objects when the event is
 * built: an event owns all of its memory and outlives the object it came
 * from.  A collector sets field after field without checking each setter:
 * the event keeps the first error one of them returned, and
 * event_complete() hands back the event only if there was none, so a
 * half-built event is never reported.  Strings are attacker-controlled
 * (USB descriptors, packets), so they are bounded on the way in
 * (EVENT_STR_MAX) and escaped on the way out by the formatters; nothing
 * here interprets them.
 */
#ifndef FARMHOUND_EVENT_H
#define FARMHOUND_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Longest string kept from any single input (bytes, before escaping).
 * USB string descriptors top out at 126 UTF-16 units (~380 UTF-8 bytes);
 * command lines are the longest legitimate input we keep. */
#define EVENT_STR_MAX 1024
/* Most items a list field may hold (e.g. USB interfaces). */
#define EVENT_LIST_MAX 64

enum field_type {
	FIELD_STRING,
	FIELD_INT,
	FIELD_BOOL,
	FIELD_IP,
	FIELD_LIST,	/* list of strings */
};

enum event_source {
	SOURCE_USB,
	SOURCE_DISPLAY,
	SOURCE_PROCESS,
	SOURCE_SOCKET,
	SOURCE_HOST,
	SOURCE_NET,
	SOURCE_INPUT,
	SOURCE_AGENT,
	SOURCE__MAX,
};

struct event;

struct field_def {
	const char *name;		/* lower_snake_case, stable: the rule API */
	enum field_type type;
	const char *description;	/* one line, for --fields and the man page */
};

/* A source's field table.  Field 0 of every source is "action". */
struct source_def {
	enum event_source id;
	const char *name;		/* "usb", ... as written in rules */
	const struct field_def *fields;
	size_t nfields;
	/* Field ids that name the entity an event is about (for cooldown and
	 * the human message), terminated by -1.  E.g. usb: port, vendor_id. */
	const int *entity_fields;
	/* One human line about the event's object ("PiKVM PiKVM Composite
	 * Device (1d6b:0104) on port 1-1"), bounded and never failing. */
	void (*describe)(const struct event *ev, char *buf, size_t len);
};

struct ip_addr {
	uint8_t family;			/* AF_INET or AF_INET6 */
	uint8_t bytes[16];		/* network order; v4 uses the first 4 */
};

struct value {
	bool set;
	enum field_type type;
	union {
		struct {
			char *ptr;	/* NUL-terminated; may hold any bytes but NUL */
			size_t len;
		} str;
		int64_t i;
		bool b;
		struct ip_addr ip;
		struct {
			char **items;
			size_t n;
		} list;
	};
};

struct event {
	const struct source_def *source;
	struct timespec ts;		/* CLOCK_REALTIME when built */
	int err;			/* first error a setter returned on it; 0: none */
	struct value values[];		/* source->nfields slots */
};

/* "action": field 0 of every source that reports objects (all but net,
 * whose field 0 is "kind"). */
#define EVENT_FIELD_ACTION 0

/* The event action values (field "action"). */
#define EVENT_ACTION_PRESENT "present"
#define EVENT_ACTION_ADD "add"
#define EVENT_ACTION_REMOVE "remove"
#define EVENT_ACTION_CHANGE "change"
#define EVENT_ACTION_SEEN "seen"

struct event *event_new(const struct source_def *source);
void event_free(struct event *ev);
/* A deep copy (time stamp included, first error not), or NULL if out of
 * memory or ev is NULL: what a collector keeps of what it reported, what
 * the rule state keeps of an event it holds. */
struct event *event_copy(const struct event *ev);

/* Setters copy their input and return 0, -EINVAL (bad field id or type),
 * or -ENOMEM.  Strings longer than EVENT_STR_MAX are cut (at a byte: the
 * formatters cope with a split UTF-8 sequence), lists longer than
 * EVENT_LIST_MAX drop the excess.  A NULL string leaves the field unset.
 * A setter that fails also keeps its error in the event (the first one:
 * event_error()). */
int event_set_str(struct event *ev, int field, const char *s);
int event_set_strn(struct event *ev, int field, const char *s, size_t len);
int event_set_int(struct event *ev, int field, int64_t v);
int event_set_bool(struct event *ev, int field, bool v);
int event_set_ip(struct event *ev, int field, const struct ip_addr *ip);
int event_list_add(struct event *ev, int field, const char *s);

/* Keep err (< 0) as ev's error unless it already has one; returns err.
 * For a failure met while building ev outside the setters. */
int event_fail(struct event *ev, int err);
/* The first error kept in ev, 0 if none. */
int event_error(const struct event *ev);
/* ev if no setter failed on it; else NULL, ev freed.  The one end of
 * building an event: a half-built event is never reported. */
struct event *event_complete(struct event *ev);

const struct value *event_get(const struct event *ev, int field);
const char *event_get_str(const struct event *ev, int field);	/* NULL if unset */

/* Field lookup in a source table: index, or -ENOENT. */
int source_field_index(const struct source_def *source, const char *name);
const struct source_def *source_by_name(const char *name);
const struct source_def *source_by_id(enum event_source id);
const char *field_type_name(enum field_type t);

/* Parse/format IP addresses ("192.0.2.1", "2001:db8::1"). */
int ip_addr_parse(const char *s, struct ip_addr *out);
void ip_addr_format(const struct ip_addr *ip, char *buf, size_t len);

#endif
