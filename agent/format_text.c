/* SPDX-License-Identifier: Apache-2.0 */
/*
 * format_text.c - a line for humans (terminals, --scan, journalctl):
 *
 *   2026-11-22T11:16:47.123Z lt-042 CRITICAL ip-kvm-usb-identity
 *     [high, score 80, ip-kvm, T1219.003,T1200] IP-KVM USB gadget
 *     identity: PiKVM ... | source=usb action=add vendor_id=1d6b
 *     manufacturer="PiKVM Inc" ...
 *
 * (one line in reality).  The same facts as JSON and CEF.  A rule that
 * documents itself adds its text between the message and the fields:
 *
 *   ... on port 1-1 | description="The laptop is attached to a PiKVM ..."
 *     advice="Treat it as a confirmed IP-KVM: ..." | source=usb ...
 *
 * (before the fields, as in the other formats: a huge event loses fields,
 * not the advice).  String values
 * are bare when they are plain words ([A-Za-z0-9._:/@+-]) and double-quoted
 * otherwise, with C-style escapes inside: \" \\ \n \r \t, \xNN for other
 * control bytes and for each byte of ill-formed UTF-8, \uXXXX for C1 and
 * U+2028/2029.  Unquoted text (ids, hostname, message) escapes '|' as \|
 * so a device string cannot forge the " | " separator and fake fields.
 *
 * Bounding as in the other formats: per-value budgets cut with "…",
 * all-or-nothing pairs, and " [truncated]" reserved and written when a
 * field was left out.
 *
 * The key=value writer is shared (format_text.h): --explain prints event
 * fields with it in its own style (always quoted, ASCII only, no budget),
 * so the two printers cannot drift apart on the value syntax.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "format.h"
#include "format_text.h"

#define STR_ID		128
#define STR_SHORT	64
#define STR_FIELD	256
#define STR_ITEM	128
#define STR_LIST	256
#define STR_MESSAGE	448

#define TRUNCATED_MARK " [truncated]"

const struct text_style format_text_style = {
	.quoted = ESCAPE_TEXT_QUOTED,
	.always_quote = false,
	.str_max = STR_FIELD,
	.item_max = STR_ITEM,
	.list_max = STR_LIST,
};

static bool text_is_plain(const char *s, size_t n, bool list_item)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x80 || (!isalnum(c) && !strchr("._:/@+-", c)))
			return false;
		if (list_item && c == ',')
			return false;
	}
	return true;
}

/* A string value, bare if plain and bare is allowed, else quoted; all or
 * nothing. */
static bool text_str(struct escape_buf *b, const struct text_style *st,
		     const char *s, size_t n, size_t max, bool list_item,
		     bool may_bare)
{
	size_t mark = b->len;

	if (may_bare && text_is_plain(s, n, list_item) && n <= max)
		return escape_buf_put(b, s, n);
	if (!escape_buf_open(b, "\"", 1)) {
		b->len = mark;
		return false;
	}
	escape_buf_str(b, st->quoted, s, n, max);
	escape_buf_close(b, "\"");
	return true;
}

static bool text_list(struct escape_buf *b, const struct text_style *st,
		      char *const *items, size_t n)
{
	size_t cap = escape_buf_limit(b, st->list_max), written = 0;

	if (!escape_buf_open(b, "[", 1)) {
		escape_buf_unlimit(b, cap);
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		const char *s = items[i] ? items[i] : "";
		size_t mark = b->len;

		if ((i && !escape_buf_put(b, ",", 1)) ||
		    !text_str(b, st, s, strlen(s), st->item_max, true,
			      !st->always_quote)) {
			b->len = mark;
			b->dropped = true;
			break;
		}
		written++;
	}
	escape_buf_close(b, "]");
	escape_buf_unlimit(b, cap);
	return !n || written;
}

/* " key=value"; all or nothing. */
void format_text_pair(struct escape_buf *b, const struct text_style *st,
		      const char *key, const struct value *v)
{
	size_t mark = b->len;
	char ip[64];
	bool ok;

	if (!escape_buf_put(b, " ", 1) || !escape_buf_puts(b, key) ||
	    !escape_buf_put(b, "=", 1))
		goto rollback;
	switch (v->type) {
	case FIELD_STRING:
		ok = text_str(b, st, v->str.ptr, v->str.len, st->str_max, false,
			      !st->always_quote);
		break;
	case FIELD_INT:
		ok = escape_buf_printf(b, "%" PRId64, v->i);
		break;
	case FIELD_BOOL:
		ok = escape_buf_puts(b, v->b ? "true" : "false");
		break;
	case FIELD_IP:
		/* inet_ntop() writes a plain word: bare in every style. */
		ip_addr_format(&v->ip, ip, sizeof(ip));
		ok = text_str(b, st, ip, strlen(ip), STR_SHORT, false, true);
		break;
	case FIELD_LIST:
		ok = text_list(b, st, v->list.items, v->list.n);
		break;
	default:
		ok = false;
	}
	if (ok)
		return;
rollback:
	b->len = mark;
	b->dropped = true;
}

static void text_bare(struct escape_buf *b, const char *s, size_t max)
{
	if (!s || !*s)
		s = "-";
	escape_buf_str(b, ESCAPE_TEXT_BARE, s, strlen(s), max);
}

/* "[high, score 80, ip-kvm, T1219.003,T1200] " */
static void text_summary(struct escape_buf *b, const struct rule_meta *r)
{
	escape_buf_printf(b, "[%s, score %d", confidence_name(r->confidence),
			  r->score);
	if (r->category) {
		escape_buf_puts(b, ", ");
		text_bare(b, r->category, STR_SHORT);
	}
	for (size_t i = 0; i < r->nmitre && i < 8; i++) {
		escape_buf_puts(b, i ? "," : ", ");
		text_bare(b, r->mitre[i], STR_SHORT);
	}
	escape_buf_puts(b, "] ");
}

static void text_head(struct escape_buf *b, const struct alert *a)
{
	const char *sev = severity_name(a->rule->severity);
	char ts[48], msg[1024];

	escape_timestamp(ts, sizeof(ts), &a->ts, 3);
	escape_buf_puts(b, ts);
	escape_buf_puts(b, " ");
	text_bare(b, a->hostname, STR_SHORT);
	escape_buf_puts(b, " ");
	for (; *sev; sev++) {
		char c = (char)toupper((unsigned char)*sev);

		escape_buf_put(b, &c, 1);
	}
	escape_buf_puts(b, " ");
	text_bare(b, a->rule->id, STR_ID);
	escape_buf_puts(b, " ");
	text_summary(b, a->rule);
	alert_message(a, msg, sizeof(msg));
	text_bare(b, msg, STR_MESSAGE);
}

/* " | description=\"...\" advice=\"...\"": whichever the rule has. */
static void text_rule_doc(struct escape_buf *b, const struct rule_meta *r)
{
	const char *keys[] = { "description", "advice" };
	const char *vals[] = { r->description, r->advice };

	if (!r->description && !r->advice)
		return;
	escape_buf_puts(b, " |");
	for (size_t i = 0; i < 2; i++) {
		struct value v = { .set = true, .type = FIELD_STRING };

		if (!vals[i])
			continue;
		v.str.ptr = (char *)vals[i];
		v.str.len = strlen(vals[i]);
		format_text_pair(b, &format_text_style, keys[i], &v);
	}
}

static ssize_t format_text(const struct alert *a, char *buf, size_t len)
{
	const struct source_def *src;
	struct escape_buf b;
	struct value source;

	if (len < ALERT_LINE_MAX || !a || !a->rule || !a->event)
		return -EINVAL;
	src = a->event->source;
	escape_buf_init(&b, buf, ALERT_LINE_MAX);
	b.reserve = strlen(TRUNCATED_MARK);
	text_head(&b, a);
	text_rule_doc(&b, a->rule);
	escape_buf_puts(&b, " |");
	source = (struct value){ .set = true, .type = FIELD_STRING,
				 .str = { (char *)src->name, strlen(src->name) } };
	format_text_pair(&b, &format_text_style, "source", &source);
	for (size_t i = 0; i < src->nfields; i++) {
		const struct value *v = event_get(a->event, (int)i);

		if (v)
			format_text_pair(&b, &format_text_style,
					 src->fields[i].name, v);
	}
	b.reserve = 0;
	if (b.dropped)
		escape_buf_puts(&b, TRUNCATED_MARK);
	return (ssize_t)escape_buf_finish(&b);
}

const struct alert_formatter alert_format_text = { "text", format_text };
