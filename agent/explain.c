/* SPDX-License-Identifier: Apache-2.0 */
/*
 * explain.c - the --explain lines (--scan and --pcap): each event, and what
 * every rule made of it, between the alert lines on stdout:
 *
 *   # event usb: action="present" vendor_id="1d6b" ... speed=480 ...
 *   #   rule ip-kvm-pikvm: alert
 *   #   rule ip-kvm-tinypilot: missed: manufacturer i== "tinypilot"
 *   # verdict over the whole scan
 *   #   verdict: ip-kvm 80 (ip-kvm-pikvm) = 80 < threshold 100, ...
 *
 * Every line starts with "# ", so a script can tell them from alerts.
 *
 * The fields are written by the text formatter's key=value writer
 * (format_text.h), so the value syntax (numbers, true/false, bare
 * addresses, [lists]) is the alert line's.  The style is --explain's own,
 * as it was before the writer was shared, because scripts and tests read
 * these lines: every string quoted (a rule author sees where a value ends,
 * and that "1d6b" is a string), printable ASCII only (\" \\ and \xNN for
 * every other byte, UTF-8 included: the bytes the device sent, which a
 * terminal would otherwise interpret), and no per-value budget: the event
 * was bounded on the way in (EVENT_STR_MAX, EVENT_LIST_MAX), and --explain
 * is where an admin sees all of it.  Each pair is written into a buffer of
 * its worst-case size, so nothing is ever cut.
 *
 * A rule's missed condition is the admin's own text, not device data: it
 * is shown as written, with control bytes as \xNN.
 *
 * Nothing here logs or counts: the loop counts matches and reports errors.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "explain.h"
#include "format_text.h"

static const struct text_style explain_style = {
	.quoted = ESCAPE_ASCII,
	.always_quote = true,
	.str_max = SIZE_MAX,
	.item_max = SIZE_MAX,
	.list_max = SIZE_MAX,
};

/* The most bytes " key=value" takes in explain_style, NUL included: at
 * most 4 per byte of a string (\xNN), plus quotes, commas and brackets. */
static size_t explain_pair_size(const char *key, const struct value *v)
{
	size_t n = 1 + strlen(key) + 1 + 1;	/* ' ', key, '=', NUL */

	switch (v->type) {
	case FIELD_STRING:
		return n + 2 + 4 * v->str.len;
	case FIELD_LIST:
		n += 2;
		for (size_t i = 0; i < v->list.n; i++)
			n += 3 + 4 * (v->list.items[i] ? strlen(v->list.items[i]) : 0);
		return n;
	default:
		return n + 64;	/* a number, true/false, an address */
	}
}

static int explain_pair(FILE *out, const char *key, const struct value *v)
{
	char small[2048], *p = small;
	size_t size = explain_pair_size(key, v);
	struct escape_buf b;

	if (size > sizeof(small) && !(p = malloc(size)))
		return -ENOMEM;
	escape_buf_init(&b, p, size);
	format_text_pair(&b, &explain_style, key, v);
	fwrite(p, 1, b.len, out);
	if (p != small)
		free(p);
	return b.dropped ? -ENOBUFS : 0;
}

int explain_event(FILE *out, const struct event *ev)
{
	const struct source_def *src = ev->source;
	int r = 0, e;

	fprintf(out, "# event %s:", src->name);
	for (size_t i = 0; i < src->nfields; i++) {
		if (!ev->values[i].set)
			continue;
		e = explain_pair(out, src->fields[i].name, &ev->values[i]);
		if (e < 0)
			r = e;
	}
	fputc('\n', out);
	return r;
}

/* The admin's text: as written, control bytes as \xNN. */
static void explain_put_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\x%02x", c);
		else
			fputc(c, out);
	}
}

bool explain_match(FILE *out, const struct match_report *m)
{
	const char *id = m->rule ? m->rule->id : VERDICT_RULE_ID;
	const char *d = m->detail ? m->detail : "";

	switch (m->outcome) {
	case MATCH_ALERT:
		fprintf(out, "#   rule %s: alert\n", id);
		return true;
	case MATCH_ALLOWED:
		fprintf(out, "#   rule %s: allowed by %s\n", id,
			m->allow_id ? m->allow_id : "?");
		return true;
	case MATCH_SUPPRESSED:
		fprintf(out, "#   rule %s: suppressed (cooldown)\n", id);
		return true;
	case MATCH_MISSED:
		fprintf(out, "#   rule %s: missed: ", id);
		explain_put_text(out, d);
		fputc('\n', out);
		return false;
	case MATCH_COUNTED:
		fprintf(out, "#   rule %s: counted, %s\n", id, d);
		return true;
	case MATCH_HELD:
		fprintf(out, "#   rule %s: still present, already reported\n", id);
		return true;
	case MATCH_SILENT:
		fprintf(out, "#   rule %s: matched (alert = no)\n", id);
		return true;
	case MATCH_RESOLVED:
		fprintf(out, "#   rule %s: resolved\n", id);
		return false;
	case MATCH_VERDICT:
		fprintf(out, "#   verdict: %s\n", d);
		return false;
	}
	return false;
}

void explain_no_match(FILE *out)
{
	fputs("#   no rule matched\n", out);
}

void explain_verdict(FILE *out, const char *what)
{
	fprintf(out, "# verdict over the whole %s\n", what);
}
