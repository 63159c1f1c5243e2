/* SPDX-License-Identifier: Apache-2.0 */
/*
 * format_cef.c - ArcSight Common Event Format (CEF:0), one line:
 *
 *   CEF:0|farmhound|farmhound|<version>|<rule id>|<rule name>|<severity>|<ext>
 *
 * Escaping (CEF Implementation Standard): header fields escape '\' and
 * '|'; extension values escape '\', '=', and CR/LF as \r \n.  CEF has no
 * escape for other control characters, and the header none for CR/LF, so
 * those (C0, DEL, C1, U+2028/2029) and ill-formed UTF-8 are replaced with
 * U+FFFD: visible, unambiguous, and the line stays one line of UTF-8.
 *
 * Severity: syslog level -> CEF 0..10 (low 0-3, medium 4-6, high 7-8,
 * very high 9-10): emerg 10, alert 9, crit 8, err 7, warning 5, notice 3,
 * info 1, debug 0; anything else 5.
 *
 * Extension keys.  Alert facts use the standard dictionary keys that every
 * CEF consumer maps:
 *   rt (ms since the epoch)  dvchost  cat (rule category)  act (the
 *   event's action)  msg  cs1Label=source cs1  cs2Label=confidence cs2
 *   cn1Label=score cn1  cs3Label=mitre cs3 (ids joined with ',')
 *   cn2Label=suppressed cn2 (only when > 0)
 *   cs4Label=lifecycle cs4 (resolved, reasserted; only then)
 *   cn3Label=count cn3 (a threshold's count; only then)
 *   cs5Label=description cs5, cs6Label=advice cs6 (the rule's own text,
 *   when it has it: JSON's rule.description and farmhound.advice)
 * That uses the last two of the six custom strings; a later fact takes a
 * vendor key ("farmhound" + CamelCase) like the event fields.
 * Event fields have no dictionary keys, so each becomes a vendor custom key
 * "farmhound" + CamelCase(field name): vendor_id -> farmhoundVendorId,
 * has_keyboard -> farmhoundHasKeyboard.  CEF keys must be alphanumeric,
 * and the vendor prefix is how the standard says custom keys are named;
 * generic parsers (Elastic's cef processor, Splunk, QRadar) keep unknown
 * keys as-is, so every field stays a separate, searchable key.  Lists are
 * joined with ','; booleans are true/false; IPs in their usual text form.
 *
 * Bounding: each value has an output budget (cut with "…"), pairs are
 * written all-or-nothing, and room for " farmhoundTruncated=true" is
 * reserved up front and written when any field had to be left out.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "format.h"

#define STR_ID		128
#define STR_NAME	192
#define STR_SHORT	64
#define STR_FIELD	256
#define STR_ADVICE	256
#define STR_MESSAGE	448
#define KEY_MAX		64

#define TRUNCATED_PAIR " farmhoundTruncated=true"

static int cef_severity(int level)
{
	static const int map[] = { 10, 9, 8, 7, 5, 3, 1, 0 };

	if (level < 0 || level > 7)
		return 5;
	return map[level];
}

/* " key=" then the escaped value; all or nothing. */
static bool cef_pair(struct escape_buf *b, const char *key, const char *s,
		     size_t n, size_t max)
{
	size_t mark = b->len;

	if (!escape_buf_puts(b, " ") || !escape_buf_puts(b, key) ||
	    !escape_buf_puts(b, "=") ||
	    !escape_buf_str(b, ESCAPE_CEF_EXT, s, n, max)) {
		b->len = mark;
		b->dropped = true;
		return false;
	}
	return true;
}

static bool cef_pair_str(struct escape_buf *b, const char *key, const char *s,
			 size_t max)
{
	if (!s)
		s = "";
	return cef_pair(b, key, s, strlen(s), max);
}

static bool cef_pair_int(struct escape_buf *b, const char *key, int64_t v)
{
	char num[24];

	snprintf(num, sizeof(num), "%" PRId64, v);
	return cef_pair_str(b, key, num, sizeof(num));
}

/* Items joined by ',' within max bytes: the join is escaped as one value,
 * built in a scratch buffer (bounded: it is cut at max anyway). */
static bool cef_pair_list(struct escape_buf *b, const char *key,
			  char *const *items, size_t n, size_t max)
{
	char joined[512];
	size_t len = 0;

	for (size_t i = 0; i < n && len < sizeof(joined) - 1; i++) {
		const char *s = items[i] ? items[i] : "";
		size_t k = strnlen(s, sizeof(joined));

		if (i)
			joined[len++] = ',';
		if (k > sizeof(joined) - 1 - len)
			k = sizeof(joined) - 1 - len;
		memcpy(joined + len, s, k);
		len += k;
	}
	return cef_pair(b, key, joined, len, max);
}

/* farmhound + CamelCase(name): "vendor_id" -> "farmhoundVendorId".  Only
 * [A-Za-z0-9] survive, whatever the field table says. */
static void cef_key(const char *name, char *key, size_t size)
{
	size_t o = strlen("farmhound");
	bool up = true;

	memcpy(key, "farmhound", o);
	for (; *name && o < size - 1; name++) {
		char c = *name;

		if (c >= 'a' && c <= 'z') {
			key[o++] = up ? (char)(c - 'a' + 'A') : c;
			up = false;
		} else if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
			key[o++] = c;
			up = false;
		} else {
			up = true;
		}
	}
	key[o] = '\0';
}

static void cef_value(struct escape_buf *b, const char *key, const struct value *v)
{
	char ip[64];

	switch (v->type) {
	case FIELD_STRING:
		cef_pair(b, key, v->str.ptr, v->str.len, STR_FIELD);
		break;
	case FIELD_INT:
		cef_pair_int(b, key, v->i);
		break;
	case FIELD_BOOL:
		cef_pair_str(b, key, v->b ? "true" : "false", STR_SHORT);
		break;
	case FIELD_IP:
		ip_addr_format(&v->ip, ip, sizeof(ip));
		cef_pair_str(b, key, ip, STR_SHORT);
		break;
	case FIELD_LIST:
		cef_pair_list(b, key, v->list.items, v->list.n, STR_FIELD);
		break;
	}
}

static void cef_header(struct escape_buf *b, const struct rule_meta *r)
{
	const char *id = r->id ? r->id : "";
	const char *name = r->name ? r->name : id;

	escape_buf_puts(b, "CEF:0|farmhound|farmhound|" FARMHOUND_VERSION "|");
	escape_buf_str(b, ESCAPE_CEF_HEADER, id, strlen(id), STR_ID);
	escape_buf_puts(b, "|");
	escape_buf_str(b, ESCAPE_CEF_HEADER, name, strlen(name), STR_NAME);
	escape_buf_printf(b, "|%d|", cef_severity(r->severity));
}

/* The alert's own facts, in standard keys.  The first pair has no leading
 * space: the extension starts right after the last '|'. */
static void cef_facts(struct escape_buf *b, const struct alert *a)
{
	const struct rule_meta *r = a->rule;
	const char *action = event_get_str(a->event, 0);
	int64_t ms = (int64_t)a->ts.tv_sec * 1000 + a->ts.tv_nsec / 1000000;
	char msg[1024];

	escape_buf_printf(b, "rt=%" PRId64, ms);
	cef_pair_str(b, "dvchost", a->hostname, STR_SHORT);
	if (r->category)
		cef_pair_str(b, "cat", r->category, STR_SHORT);
	if (action)
		cef_pair_str(b, "act", action, STR_SHORT);
	cef_pair_str(b, "cs1Label", "source", STR_SHORT);
	cef_pair_str(b, "cs1", a->event->source->name, STR_SHORT);
	cef_pair_str(b, "cs2Label", "confidence", STR_SHORT);
	cef_pair_str(b, "cs2", confidence_name(r->confidence), STR_SHORT);
	cef_pair_str(b, "cn1Label", "score", STR_SHORT);
	cef_pair_int(b, "cn1", r->score);
	if (r->nmitre) {
		cef_pair_str(b, "cs3Label", "mitre", STR_SHORT);
		cef_pair_list(b, "cs3", r->mitre, r->nmitre, STR_NAME);
	}
	if (a->suppressed) {
		cef_pair_str(b, "cn2Label", "suppressed", STR_SHORT);
		cef_pair_int(b, "cn2", (int64_t)(a->suppressed > INT64_MAX ?
						 INT64_MAX : a->suppressed));
	}
	if (a->kind != ALERT_NEW) {
		cef_pair_str(b, "cs4Label", "lifecycle", STR_SHORT);
		cef_pair_str(b, "cs4", alert_kind_name(a->kind), STR_SHORT);
	}
	if (a->count) {
		cef_pair_str(b, "cn3Label", "count", STR_SHORT);
		cef_pair_int(b, "cn3", (int64_t)(a->count > INT64_MAX ? INT64_MAX : a->count));
	}
	/* The verdict's score and rules are in msg (alert_message). */
	alert_message(a, msg, sizeof(msg));
	cef_pair_str(b, "msg", msg, STR_MESSAGE);
	if (r->description) {
		cef_pair_str(b, "cs5Label", "description", STR_SHORT);
		cef_pair_str(b, "cs5", r->description, STR_NAME);
	}
	if (r->advice) {
		cef_pair_str(b, "cs6Label", "advice", STR_SHORT);
		cef_pair_str(b, "cs6", r->advice, STR_ADVICE);
	}
}

static ssize_t format_cef(const struct alert *a, char *buf, size_t len)
{
	const struct source_def *src;
	struct escape_buf b;
	char key[KEY_MAX];

	if (len < ALERT_LINE_MAX || !a || !a->rule || !a->event)
		return -EINVAL;
	src = a->event->source;
	escape_buf_init(&b, buf, ALERT_LINE_MAX);
	b.reserve = strlen(TRUNCATED_PAIR);
	cef_header(&b, a->rule);
	cef_facts(&b, a);
	for (size_t i = 0; i < src->nfields; i++) {
		const struct value *v = event_get(a->event, (int)i);

		if (!v)
			continue;
		cef_key(src->fields[i].name, key, sizeof(key));
		cef_value(&b, key, v);
	}
	b.reserve = 0;
	if (b.dropped)
		escape_buf_puts(&b, TRUNCATED_PAIR);
	return (ssize_t)escape_buf_finish(&b);
}

const struct alert_formatter alert_format_cef = { "cef", format_cef };
