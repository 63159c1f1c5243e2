/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_explain.c - the --explain lines (agent/explain.c).
 *
 * explain.c prints event fields through the text formatter's key=value
 * writer, in --explain's own style.  Its output must stay byte for byte
 * what the printer it replaced wrote (scripts and suites read it), so that
 * printer is kept here, verbatim but for the stream, as the reference, and
 * both are run over hostile and random events: every byte value, invalid
 * and valid UTF-8, strings and lists at their bounds (EVENT_STR_MAX,
 * EVENT_LIST_MAX), every field type, and every match outcome.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/explain.h"

enum { F_ACTION, F_STR, F_INT, F_BOOL, F_IP, F_LIST, F_UNSET, F__N };

static const struct field_def test_fields[] = {
	[F_ACTION] = { "action", FIELD_STRING, "" },
	[F_STR] = { "manufacturer", FIELD_STRING, "" },
	[F_INT] = { "abs_max", FIELD_INT, "" },
	[F_BOOL] = { "is_gadget", FIELD_BOOL, "" },
	[F_IP] = { "src_ip", FIELD_IP, "" },
	[F_LIST] = { "interfaces", FIELD_LIST, "" },
	[F_UNSET] = { "serial", FIELD_STRING, "" },
};

static const struct source_def test_source = {
	.id = SOURCE_USB,
	.name = "usb",
	.fields = test_fields,
	.nfields = F__N,
};

/* ---- the printer explain.c replaced (agent/loop.c before the split) ---- */

static void ref_put_escaped(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(out, "\\x%02x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void ref_explain_event(FILE *out, const struct event *ev)
{
	const struct source_def *src = ev->source;
	char ip[64];

	fprintf(out, "# event %s:", src->name);
	for (size_t i = 0; i < src->nfields; i++) {
		const struct value *v = &ev->values[i];

		if (!v->set)
			continue;
		fprintf(out, " %s=", src->fields[i].name);
		switch (v->type) {
		case FIELD_STRING:
			ref_put_escaped(out, v->str.ptr);
			break;
		case FIELD_INT:
			fprintf(out, "%lld", (long long)v->i);
			break;
		case FIELD_BOOL:
			fputs(v->b ? "true" : "false", out);
			break;
		case FIELD_IP:
			ip_addr_format(&v->ip, ip, sizeof(ip));
			fputs(ip, out);
			break;
		case FIELD_LIST:
			fputc('[', out);
			for (size_t j = 0; j < v->list.n; j++) {
				if (j)
					fputc(',', out);
				ref_put_escaped(out, v->list.items[j]);
			}
			fputc(']', out);
			break;
		}
	}
	fputc('\n', out);
}

static bool ref_explain_match(FILE *out, const struct match_report *m)
{
	const char *id = m->rule ? m->rule->id : VERDICT_RULE_ID;
	const char *d = m->detail ? m->detail : "";

	switch (m->outcome) {
	case MATCH_ALERT:
		fprintf(out, "#   rule %s: alert\n", id);
		return true;
	case MATCH_ALLOWED:
		fprintf(out, "#   rule %s: allowed by %s\n", id, m->allow_id ? m->allow_id : "?");
		return true;
	case MATCH_SUPPRESSED:
		fprintf(out, "#   rule %s: suppressed (cooldown)\n", id);
		return true;
	case MATCH_MISSED:
		fprintf(out, "#   rule %s: missed: ", id);
		for (const char *c = d; *c; c++) {
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				fprintf(out, "\\x%02x", (unsigned char)*c);
			else
				fputc(*c, out);
		}
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

/* ---- helpers ---- */

/* Both printers over ev; their lines must be equal. */
static void assert_same_event(const struct event *ev)
{
	char *a = NULL, *b = NULL;
	size_t na = 0, nb = 0;
	FILE *fa = open_memstream(&a, &na), *fb = open_memstream(&b, &nb);

	assert_non_null(fa);
	assert_non_null(fb);
	ref_explain_event(fa, ev);
	assert_int_equal(explain_event(fb, ev), 0);
	fclose(fa);
	fclose(fb);
	assert_int_equal(na, nb);
	assert_memory_equal(a, b, na);
	free(a);
	free(b);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
	/* xorshift64: deterministic, so a failure reproduces. */
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* n random bytes, none NUL (an event string cannot hold one); biased
 * towards the interesting ones: ASCII, quotes, controls, UTF-8 leads. */
static void rng_bytes(char *buf, size_t n)
{
	static const char pick[] = "\"\\\x01\n\r\t\x7f\x80\x9f\xc2\xe2\xed\xf0\xf4\xff a,|=]";

	for (size_t i = 0; i < n; i++) {
		uint64_t r = rng();

		if (r % 3 == 0)
			buf[i] = pick[(r >> 8) % (sizeof(pick) - 1)];
		else
			buf[i] = (char)(1 + (r >> 8) % 255);
	}
	buf[n] = '\0';
}

static struct event *event_with_str(const char *s)
{
	struct event *ev = event_new(&test_source);

	assert_non_null(ev);
	assert_int_equal(event_set_str(ev, F_ACTION, "present"), 0);
	assert_int_equal(event_set_str(ev, F_STR, s), 0);
	return ev;
}

/* ---- tests ---- */

static void test_every_byte(void **state)
{
	char all[256], one[2] = { 0 };
	struct event *ev;

	(void)state;
	for (int c = 1; c < 256; c++) {
		one[0] = (char)c;
		all[c - 1] = (char)c;
		ev = event_with_str(one);
		assert_int_equal(event_list_add(ev, F_LIST, one), 0);
		assert_same_event(ev);
		event_free(ev);
	}
	all[255] = '\0';
	ev = event_with_str(all);
	assert_same_event(ev);
	event_free(ev);
}

static void test_known_line(void **state)
{
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	struct ip_addr ip = { .family = AF_INET6 };
	struct event *ev = event_with_str("PiKVM \"v4\" \xc3\xa9\n");
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);

	(void)state;
	memcpy(ip.bytes, v6, sizeof(v6));
	assert_int_equal(event_set_int(ev, F_INT, -32767), 0);
	assert_int_equal(event_set_bool(ev, F_BOOL, true), 0);
	assert_int_equal(event_set_ip(ev, F_IP, &ip), 0);
	assert_int_equal(event_list_add(ev, F_LIST, "03:01:01"), 0);
	assert_int_equal(event_list_add(ev, F_LIST, ""), 0);
	assert_int_equal(explain_event(f, ev), 0);
	fclose(f);
	assert_string_equal(out, "# event usb: action=\"present\" manufacturer=\"PiKVM \\\"v4\\\" "
			    "\\xc3\\xa9\\x0a\" abs_max=-32767 is_gadget=true src_ip=2001:db8::1 "
			    "interfaces=[\"03:01:01\",\"\"]\n");
	free(out);
	event_free(ev);
}

/* Strings and lists at their bounds: every byte escaped to 4, a 64-item
 * list of 1024-byte items (about 260 KB on one line): nothing cut. */
static void test_bounds(void **state)
{
	char big[EVENT_STR_MAX + 1];
	struct event *ev;

	(void)state;
	memset(big, 0xff, EVENT_STR_MAX);
	big[EVENT_STR_MAX] = '\0';
	ev = event_with_str(big);
	for (int i = 0; i < EVENT_LIST_MAX; i++)
		assert_int_equal(event_list_add(ev, F_LIST, big), 0);
	assert_same_event(ev);
	event_free(ev);
	/* An empty list and an empty string. */
	ev = event_with_str("");
	ev->values[F_LIST] = (struct value){ .set = true, .type = FIELD_LIST };
	assert_same_event(ev);
	event_free(ev);
}

static void test_random(void **state)
{
	static char buf[EVENT_STR_MAX + 1];

	(void)state;
	for (int k = 0; k < 3000; k++) {
		struct event *ev;
		struct ip_addr ip = { .family = (rng() & 1) ? AF_INET : AF_INET6 };
		size_t items = rng() % (EVENT_LIST_MAX + 1);

		rng_bytes(buf, rng() % (k < 2900 ? 64 : EVENT_STR_MAX + 1));
		ev = event_with_str(buf);
		for (size_t i = 0; i < sizeof(ip.bytes); i++)
			ip.bytes[i] = (uint8_t)rng();
		if (rng() & 1)
			assert_int_equal(event_set_ip(ev, F_IP, &ip), 0);
		if (rng() & 1)
			assert_int_equal(event_set_int(ev, F_INT, (int64_t)rng()), 0);
		if (rng() & 1)
			assert_int_equal(event_set_bool(ev, F_BOOL, rng() & 1), 0);
		for (size_t i = 0; i < items; i++) {
			rng_bytes(buf, rng() % 24);
			assert_int_equal(event_list_add(ev, F_LIST, buf), 0);
		}
		assert_same_event(ev);
		event_free(ev);
	}
}

static void test_int_extremes(void **state)
{
	const int64_t v[] = { 0, 1, -1, INT64_MAX, INT64_MIN };
	struct event *ev;

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		ev = event_with_str("x");
		assert_int_equal(event_set_int(ev, F_INT, v[i]), 0);
		assert_int_equal(event_set_bool(ev, F_BOOL, false), 0);
		assert_same_event(ev);
		event_free(ev);
	}
}

static void test_matches(void **state)
{
	static const struct rule_meta rule = { .id = (char *)"ip-kvm-pikvm" };
	const char *details[] = { NULL, "", "manufacturer i== \"PiKVM\"",
				  "a\x01" "b\x1f\x7f\xc3\xa9\\\"", "3 of 5 in 10m" };
	char *a = NULL, *b = NULL;
	size_t na = 0, nb = 0;
	FILE *fa = open_memstream(&a, &na), *fb = open_memstream(&b, &nb);

	(void)state;
	for (int o = MATCH_ALERT; o <= MATCH_VERDICT; o++) {
		for (size_t d = 0; d < sizeof(details) / sizeof(details[0]); d++) {
			for (int r = 0; r < 2; r++) {
				struct match_report m = {
					.rule = r ? &rule : NULL, .outcome = (enum match_outcome)o,
					.allow_id = d & 1 ? "corp-dock-7" : NULL,
					.detail = details[d],
				};

				assert_int_equal(explain_match(fb, &m), ref_explain_match(fa, &m));
			}
		}
	}
	explain_no_match(fb);
	fputs("#   no rule matched\n", fa);
	explain_verdict(fb, "capture");
	fputs("# verdict over the whole capture\n", fa);
	fclose(fa);
	fclose(fb);
	assert_int_equal(na, nb);
	assert_memory_equal(a, b, na);
	free(a);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_byte),
		cmocka_unit_test(test_known_line),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_int_extremes),
		cmocka_unit_test(test_matches),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
