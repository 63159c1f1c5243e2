/* SPDX-License-Identifier: Apache-2.0 */
/*
 * format_json.c - the default alert format: one line of ECS-shaped JSON
 * (DESIGN §5), e.g.
 *
 *   {"@timestamp":"...","event":{...},"log":{...},"rule":{...},
 *    "threat":{...},"farmhound":{"source":..,"fields":{...}},
 *    "host":{...},"agent":{...},"message":"..."}
 *
 * Bounding.  The line must stay under ALERT_LINE_MAX whatever the event
 * holds, and must always be valid JSON.  Three layers:
 *  1. every string value is cut to a per-key output budget (STR_* below)
 *     at a character boundary and marked with "…";
 *  2. the tail ("host", "agent", "message" and the final '}') is rendered
 *     first into its own buffer and its length reserved, and every object
 *     or array reserves its closer when opened (struct escape_buf), so
 *     closers and the message always fit;
 *  3. each member and array item is written all-or-nothing (rolled back if
 *     it does not fit).  Event fields that are left out this way are
 *     reported by "farmhound":{...,"truncated":true}, whose bytes are also
 *     reserved before the first field is written.
 * The JSON contract keys are written before the event fields, so they are
 * never the ones dropped.
 *
 * The rule's own documentation rides along when the rule has it:
 * rule.description (ECS: what was seen, what it means) and
 * farmhound.advice (what to do; ECS has no key for it).  Both are written
 * before the event fields, like every rule fact, so a huge event loses
 * fields, never the text the SOC acts on.
 *
 * Correlation adds, under "farmhound": "lifecycle" (resolved, reasserted;
 * absent for a new alert), "count" and "values" (a threshold), "verdict"
 * {score, threshold, categories, restated} and "evidence" [{rule,
 * category, score, message}] (a sequence or the verdict).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "format.h"

/* Output budgets, in bytes of escaped text, per kind of value. */
#define STR_ID		128	/* rule id */
#define STR_NAME	192	/* rule name, description */
#define STR_SHORT	64	/* category, action, hostname, mitre id */
#define STR_REF		192	/* rule.reference, one URL */
#define STR_ADVICE	256	/* farmhound.advice */
#define STR_MITRE	192	/* all technique ids together */
#define STR_FIELD	256	/* one event string field */
#define STR_ITEM	128	/* one list item */
#define STR_MESSAGE	448
#define STR_EVIDENCE	160	/* one contributing rule's message */
#define STR_VALUES	384	/* a threshold's distinct values together */
#define STR_EVIDENCE_TOTAL 720	/* the whole evidence array */
#define TAIL_MAX	768	/* host + agent + message + '}' */

#define TRUNCATED_MEMBER ",\"truncated\":true"
/* The least farmhound.fields (a contract key) can be. */
#define FIELDS_MIN ",\"fields\":{}"

/* Write ,"key": (no comma before the first member of an object). */
static bool json_key(struct escape_buf *b, bool *first, const char *key)
{
	if (!*first && !escape_buf_put(b, ",", 1))
		return false;
	if (!escape_buf_put(b, "\"", 1) ||
	    !escape_buf_str(b, ESCAPE_JSON, key, strlen(key), STR_SHORT) ||
	    !escape_buf_put(b, "\":", 2))
		return false;
	*first = false;
	return true;
}

static bool json_str(struct escape_buf *b, const char *s, size_t n, size_t max)
{
	/* Room for the closing quote is reserved before the contents. */
	if (!escape_buf_open(b, "\"", 1))
		return false;
	escape_buf_str(b, ESCAPE_JSON, s, n, max);
	escape_buf_close(b, "\"");
	return true;
}

/* The all-or-nothing wrapper: undo a member that did not fit whole. */
struct json_mark {
	size_t len;
	bool first;
};

static struct json_mark json_mark(const struct escape_buf *b, const bool *first)
{
	return (struct json_mark){ b->len, *first };
}

static bool json_rollback(struct escape_buf *b, bool *first, struct json_mark m)
{
	b->len = m.len;
	*first = m.first;
	b->dropped = true;
	return false;
}

static bool json_member_str(struct escape_buf *b, bool *first, const char *key,
			    const char *s, size_t max)
{
	struct json_mark m = json_mark(b, first);

	if (!s)
		s = "";
	if (!json_key(b, first, key) || !json_str(b, s, strlen(s), max))
		return json_rollback(b, first, m);
	return true;
}

static bool json_member_raw(struct escape_buf *b, bool *first, const char *key,
			    const char *raw)
{
	struct json_mark m = json_mark(b, first);

	if (!json_key(b, first, key) || !escape_buf_puts(b, raw))
		return json_rollback(b, first, m);
	return true;
}

static bool json_member_int(struct escape_buf *b, bool *first, const char *key,
			    int64_t v)
{
	char num[24];

	snprintf(num, sizeof(num), "%" PRId64, v);
	return json_member_raw(b, first, key, num);
}

/* "key":["a","b"] within a total budget; items that do not fit are left
 * out (and b->dropped set); the whole member goes if none fits. */
static bool json_member_list(struct escape_buf *b, bool *first, const char *key,
			     char *const *items, size_t n, size_t total)
{
	struct json_mark m = json_mark(b, first);
	size_t cap, written = 0;
	bool ifirst = true;

	if (!json_key(b, first, key))
		return json_rollback(b, first, m);
	cap = escape_buf_limit(b, total);
	if (!escape_buf_open(b, "[", 1)) {
		escape_buf_unlimit(b, cap);
		return json_rollback(b, first, m);
	}
	for (size_t i = 0; i < n; i++) {
		struct json_mark im = json_mark(b, &ifirst);
		const char *s = items[i] ? items[i] : "";

		if ((!ifirst && !escape_buf_put(b, ",", 1)) ||
		    !json_str(b, s, strlen(s), STR_ITEM)) {
			json_rollback(b, &ifirst, im);
			break;
		}
		ifirst = false;
		written++;
	}
	escape_buf_close(b, "]");
	escape_buf_unlimit(b, cap);
	if (n && !written)
		return json_rollback(b, first, m);
	return true;
}

static bool json_open_member(struct escape_buf *b, bool *first, const char *key)
{
	struct json_mark m = json_mark(b, first);

	if (!json_key(b, first, key) || !escape_buf_open(b, "{", 1))
		return json_rollback(b, first, m);
	return true;
}

static void json_event(struct escape_buf *b, bool *first, const struct alert *a)
{
	const struct source_def *src = a->event->source;
	const char *action = event_get_str(a->event, 0);	/* field 0: action */
	char dataset[64];
	bool f = true;

	if (!json_open_member(b, first, "event"))
		return;
	snprintf(dataset, sizeof(dataset), "farmhound.%s", src->name);
	json_member_str(b, &f, "kind", "alert", STR_SHORT);
	json_member_str(b, &f, "module", "farmhound", STR_SHORT);
	json_member_str(b, &f, "dataset", dataset, STR_SHORT);
	json_member_int(b, &f, "severity", a->rule->severity);
	if (action)
		json_member_str(b, &f, "action", action, STR_SHORT);
	escape_buf_close(b, "}");
}

static void json_rule(struct escape_buf *b, bool *first, const struct rule_meta *r)
{
	bool f = true;

	if (!json_open_member(b, first, "rule"))
		return;
	json_member_str(b, &f, "id", r->id, STR_ID);
	json_member_str(b, &f, "name", r->name ? r->name : r->id, STR_NAME);
	if (r->category)
		json_member_str(b, &f, "category", r->category, STR_SHORT);
	if (r->description)
		json_member_str(b, &f, "description", r->description, STR_NAME);
	/* ECS rule.reference is one URL: the rule's first, the one its author
	 * put forward.  The full list stays in the rule file; carrying it in
	 * every alert would crowd out the evidence within the 2048 bytes. */
	if (r->nreferences && r->references[0])
		json_member_str(b, &f, "reference", r->references[0], STR_REF);
	escape_buf_close(b, "}");
}

static void json_threat(struct escape_buf *b, bool *first, const struct rule_meta *r)
{
	bool f = true, t = true;

	if (!r->nmitre || !json_open_member(b, first, "threat"))
		return;
	if (json_open_member(b, &f, "technique")) {
		json_member_list(b, &t, "id", r->mitre, r->nmitre, STR_MITRE);
		escape_buf_close(b, "}");
	}
	escape_buf_close(b, "}");
}

static void json_value(struct escape_buf *b, bool *first, const char *key,
		       const struct value *v)
{
	char ip[64];

	switch (v->type) {
	case FIELD_STRING:
		json_member_str(b, first, key, v->str.ptr, STR_FIELD);
		break;
	case FIELD_INT:
		json_member_int(b, first, key, v->i);
		break;
	case FIELD_BOOL:
		json_member_raw(b, first, key, v->b ? "true" : "false");
		break;
	case FIELD_IP:
		ip_addr_format(&v->ip, ip, sizeof(ip));
		json_member_str(b, first, key, ip, STR_SHORT);
		break;
	case FIELD_LIST:
		json_member_list(b, first, key, v->list.items, v->list.n,
				 escape_buf_room(b));
		break;
	}
}

static void json_fields(struct escape_buf *b, bool *first, const struct event *ev)
{
	const struct source_def *src = ev->source;
	bool f = true;

	if (!json_open_member(b, first, "fields"))
		return;
	for (size_t i = 0; i < src->nfields; i++) {
		const struct value *v = event_get(ev, (int)i);

		if (v)
			json_value(b, &f, src->fields[i].name, v);
	}
	escape_buf_close(b, "}");
}

/* One contributing rule of a sequence or a verdict, all or nothing. */
static bool json_evidence_item(struct escape_buf *b, bool *ifirst,
			       const struct alert_evidence *e)
{
	struct json_mark m = json_mark(b, ifirst);
	bool f = true;

	if ((!*ifirst && !escape_buf_put(b, ",", 1)) || !escape_buf_open(b, "{", 1))
		return json_rollback(b, ifirst, m);
	if (!json_member_str(b, &f, "rule", e->rule_id, STR_ID) ||
	    (e->category && !json_member_str(b, &f, "category", e->category, STR_SHORT)) ||
	    !json_member_int(b, &f, "score", e->score) ||
	    !json_member_str(b, &f, "message", e->message, STR_EVIDENCE)) {
		escape_buf_close(b, "}");
		return json_rollback(b, ifirst, m);
	}
	escape_buf_close(b, "}");
	*ifirst = false;
	return true;
}

/* "evidence":[{"rule":..,"category":..,"score":..,"message":..},...]:
 * the strongest first; what does not fit is left out (truncated). */
static void json_evidence(struct escape_buf *b, bool *first, const struct alert *a)
{
	struct json_mark m = json_mark(b, first);
	bool ifirst = true;
	size_t cap;

	if (!a->nevidence)
		return;
	/* A budget of its own, so the event's fields (a contract key)
	 * always keep room after it. */
	cap = escape_buf_limit(b, STR_EVIDENCE_TOTAL);
	if (!json_key(b, first, "evidence") || !escape_buf_open(b, "[", 1)) {
		escape_buf_unlimit(b, cap);
		json_rollback(b, first, m);
		return;
	}
	for (size_t i = 0; i < a->nevidence; i++)
		if (!json_evidence_item(b, &ifirst, &a->evidence[i]))
			break;
	escape_buf_close(b, "]");
	escape_buf_unlimit(b, cap);
	if (ifirst)
		json_rollback(b, first, m);
}

static void json_verdict(struct escape_buf *b, bool *first, const struct alert *a)
{
	bool f = true;

	if (!a->verdict || !json_open_member(b, first, "verdict"))
		return;
	json_member_int(b, &f, "score", a->verdict_score);
	json_member_int(b, &f, "threshold", a->verdict_threshold);
	json_member_int(b, &f, "categories", a->verdict_categories);
	json_member_raw(b, &f, "restated", a->verdict_restated ? "true" : "false");
	escape_buf_close(b, "}");
}

static void json_farmhound(struct escape_buf *b, bool *first, const struct alert *a)
{
	bool f = true;

	if (!json_open_member(b, first, "farmhound"))
		return;
	json_member_str(b, &f, "source", a->event->source->name, STR_SHORT);
	json_member_str(b, &f, "confidence", confidence_name(a->rule->confidence),
			STR_SHORT);
	json_member_int(b, &f, "score", a->rule->score);
	/* The optional members below are cut or left out before the
	 * (possibly empty) fields object and the truncation flag are: their
	 * bytes are held back. */
	b->reserve += strlen(FIELDS_MIN) + strlen(TRUNCATED_MEMBER);
	if (a->rule->advice)
		json_member_str(b, &f, "advice", a->rule->advice, STR_ADVICE);
	if (a->suppressed) {
		char num[24];

		snprintf(num, sizeof(num), "%" PRIu64, a->suppressed);
		json_member_raw(b, &f, "suppressed", num);
	}
	if (a->kind != ALERT_NEW)
		json_member_str(b, &f, "lifecycle", alert_kind_name(a->kind), STR_SHORT);
	if (a->count) {
		json_member_int(b, &f, "count", (int64_t)(a->count > INT64_MAX ? INT64_MAX : a->count));
		if (a->nvalues)
			json_member_list(b, &f, "values", (char *const *)a->values,
					 a->nvalues, STR_VALUES);
	}
	json_verdict(b, &f, a);
	json_evidence(b, &f, a);
	/* Whatever was dropped so far (or among the fields) is flagged after
	 * the fields; its bytes stay held back so the flag always fits. */
	b->reserve -= strlen(FIELDS_MIN);
	json_fields(b, &f, a->event);
	b->reserve -= strlen(TRUNCATED_MEMBER);
	if (b->dropped)
		escape_buf_puts(b, TRUNCATED_MEMBER);
	escape_buf_close(b, "}");
}

/* ,"host":{...},"agent":{...},"message":"..."} into its own buffer. */
static size_t json_tail(const struct alert *a, char *buf, size_t size)
{
	struct escape_buf b;
	char msg[1024];
	bool f = false, h = true;

	escape_buf_init(&b, buf, size);
	b.reserve = 1;				/* the root object's '}' */
	if (json_open_member(&b, &f, "host")) {
		json_member_str(&b, &h, "hostname", a->hostname, STR_SHORT);
		escape_buf_close(&b, "}");
	}
	json_member_raw(&b, &f, "agent",
			"{\"type\":\"farmhound\",\"version\":\"" FARMHOUND_VERSION "\"}");
	alert_message(a, msg, sizeof(msg));
	json_member_str(&b, &f, "message", msg, STR_MESSAGE);
	b.reserve = 0;
	escape_buf_put(&b, "}", 1);
	return escape_buf_finish(&b);
}

static ssize_t format_json(const struct alert *a, char *buf, size_t len)
{
	struct escape_buf b;
	char tail[TAIL_MAX], ts[48];
	size_t tlen;
	bool f = true;

	if (len < ALERT_LINE_MAX || !a || !a->rule || !a->event)
		return -EINVAL;
	escape_buf_init(&b, buf, ALERT_LINE_MAX);
	tlen = json_tail(a, tail, sizeof(tail));
	b.reserve = tlen;
	escape_buf_put(&b, "{", 1);
	escape_timestamp(ts, sizeof(ts), &a->ts, 3);
	json_member_str(&b, &f, "@timestamp", ts, STR_SHORT);
	json_event(&b, &f, a);
	if (json_open_member(&b, &f, "log")) {
		bool l = true;

		json_member_str(&b, &l, "level", severity_name(a->rule->severity),
				STR_SHORT);
		escape_buf_close(&b, "}");
	}
	json_rule(&b, &f, a->rule);
	json_threat(&b, &f, a->rule);
	json_farmhound(&b, &f, a);
	b.reserve = 0;
	escape_buf_put(&b, tail, tlen);
	return (ssize_t)escape_buf_finish(&b);
}

const struct alert_formatter alert_format_json = { "json", format_json };
