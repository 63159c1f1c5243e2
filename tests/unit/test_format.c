/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_format.c - the alert formats (agent/format_*.c, agent/escape.c).
 *
 * The JSON output is parsed back with a small strict RFC 8259 parser
 * written here (independent of the escaper under test: its own UTF-8
 * validator, its own \u decoding), so "valid JSON" and "decodes to the
 * expected text" are checked, not assumed.  CEF lines are split the way a
 * SIEM does (header on unescaped pipes, extension on unescaped '=').
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "agent/escape.h"
#include "agent/format.h"
#include "collectors/usb/usb.h"

#define FFFD "\xef\xbf\xbd"

/* Quotes, backslashes, CEF/text separators, CR/LF, C0/DEL, invalid UTF-8
 * (lone FF, truncated E2 82, overlong C0 AF, surrogate ED A0 80), C1 NEL,
 * U+2028, and valid multi-byte UTF-8. */
static const char HOSTILE[] =
	"q\"b\\p|e=r]\r\n\x01\x1b\x7f" "\xff" "\xe2\x82" "x" "\xc0\xaf"
	"\xed\xa0\x80" "\xc2\x85" "\xe2\x80\xa8" "é日本😀";
/* What a JSON reader must decode it to. */
static const char HOSTILE_JSON[] =
	"q\"b\\p|e=r]\r\n\x01\x1b\x7f" FFFD FFFD "x" FFFD FFFD FFFD FFFD FFFD
	"\xc2\x85" "\xe2\x80\xa8" "é日本😀";
/* What a CEF reader must get back after unescaping. */
static const char HOSTILE_CEF[] =
	"q\"b\\p|e=r]\r\n" FFFD FFFD FFFD FFFD FFFD "x" FFFD FFFD FFFD FFFD FFFD
	FFFD FFFD "é日本😀";
/* How the text format writes it, quoted. */
static const char HOSTILE_TEXT[] =
	"manufacturer=\"q\\\"b\\\\p|e=r]\\r\\n\\x01\\x1b\\x7f\\xff\\xe2\\x82x"
	"\\xc0\\xaf\\xed\\xa0\\x80\\u0085\\u2028é日本😀\"";

#define TS_SEC 1795346207	/* 2026-11-22T11:16:47Z */

static char *mitre[] = { "T1219.003", "T1200" };

static struct rule_meta pikvm_rule = {
	.id = "ip-kvm-usb-identity",
	.name = "IP-KVM USB gadget identity",
	.category = "ip-kvm",
	.severity = LOG_CRIT,
	.confidence = CONFIDENCE_HIGH,
	.score = 80,
	.mitre = mitre,
	.nmitre = 2,
};

static struct event *pikvm_event(void)
{
	struct event *ev = event_new(&usb_source);

	assert_non_null(ev);
	assert_int_equal(event_set_str(ev, USB_ACTION, "add"), 0);
	assert_int_equal(event_set_str(ev, USB_VENDOR_ID, "1d6b"), 0);
	assert_int_equal(event_set_str(ev, USB_PRODUCT_ID, "0104"), 0);
	assert_int_equal(event_set_str(ev, USB_MANUFACTURER, "PiKVM"), 0);
	assert_int_equal(event_set_str(ev, USB_PRODUCT, "PiKVM Composite Device"), 0);
	assert_int_equal(event_set_int(ev, USB_SPEED, 480), 0);
	assert_int_equal(event_set_str(ev, USB_PORT, "1-1"), 0);
	assert_int_equal(event_list_add(ev, USB_INTERFACES, "03:01:01"), 0);
	assert_int_equal(event_list_add(ev, USB_INTERFACES, "03:00:02"), 0);
	assert_int_equal(event_set_bool(ev, USB_IS_GADGET, true), 0);
	assert_int_equal(event_set_bool(ev, USB_HAS_KEYBOARD, true), 0);
	assert_int_equal(event_set_bool(ev, USB_HAS_MOUSE, false), 0);
	assert_int_equal(event_set_int(ev, USB_ABS_MAX, 32767), 0);
	return ev;
}

static struct alert make_alert(const struct rule_meta *r, const struct event *ev)
{
	return (struct alert){
		.rule = r,
		.event = ev,
		.ts = { TS_SEC, 123456789 },
		.hostname = "lt-042",
	};
}

static ssize_t run_format(const char *name, const struct alert *a, char *buf)
{
	const struct alert_formatter *f = alert_formatter_by_name(name);

	assert_non_null(f);
	memset(buf, 'Z', ALERT_LINE_MAX);
	return f->format(a, buf, ALERT_LINE_MAX);
}

/* ---- an independent strict UTF-8 check -------------------------------- */

/* Length of the well-formed sequence at s, 0 if ill-formed; *cp gets it. */
static size_t t_utf8(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len;
	uint32_t v, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2; v = s[0] & 0x1f; min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3; v = s[0] & 0x0f; min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4; v = s[0] & 0x07; min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

/* One line: right length, < ALERT_LINE_MAX, valid UTF-8, and no control
 * character of any kind (C0, DEL, C1, U+2028/2029). */
static void assert_one_line(const char *buf, ssize_t n)
{
	const unsigned char *s = (const unsigned char *)buf;
	size_t i = 0, k;
	uint32_t cp;

	assert_true(n > 0);
	assert_true(n < ALERT_LINE_MAX);
	assert_int_equal(strlen(buf), (size_t)n);
	while (i < (size_t)n) {
		k = t_utf8(s + i, (size_t)n - i, &cp);
		if (k == 0)
			fail_msg("invalid UTF-8 at offset %zu", i);
		if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 ||
		    cp == 0x2029)
			fail_msg("raw control U+%04X at offset %zu", cp, i);
		i += k;
	}
}

/* ---- a strict RFC 8259 parser ----------------------------------------- */

enum jt { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jv {
	enum jt t;
	char *key;
	char *s;		/* string (decoded) or number text */
	size_t slen;
	bool b;
	struct jv *kids, *next;
};

struct jp {
	const unsigned char *p, *end;
	int depth;
};

static void jv_free(struct jv *v)
{
	while (v) {
		struct jv *next = v->next;

		jv_free(v->kids);
		free(v->key);
		free(v->s);
		free(v);
		v = next;
	}
}

static void jp_ws(struct jp *j)
{
	while (j->p < j->end && strchr(" \t\r\n", *j->p) && *j->p)
		j->p++;
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool jp_hex4(struct jp *j, uint32_t *out)
{
	uint32_t v = 0;

	if (j->end - j->p < 4)
		return false;
	for (int i = 0; i < 4; i++) {
		int h = hexval(j->p[i]);

		if (h < 0)
			return false;
		v = v << 4 | (uint32_t)h;
	}
	j->p += 4;
	*out = v;
	return true;
}

static size_t put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

static bool jp_string(struct jp *j, char **out, size_t *outlen)
{
	char *buf = malloc((size_t)(j->end - j->p) * 4 + 8);
	size_t o = 0, k;
	uint32_t cp, lo;

	assert_non_null(buf);
	if (j->p >= j->end || *j->p != '"')
		goto fail;
	j->p++;
	while (j->p < j->end && *j->p != '"') {
		unsigned char c = *j->p;

		if (c < 0x20)
			goto fail;
		if (c != '\\') {
			k = t_utf8(j->p, (size_t)(j->end - j->p), &cp);
			if (!k)
				goto fail;
			memcpy(buf + o, j->p, k);
			o += k;
			j->p += k;
			continue;
		}
		if (++j->p >= j->end)
			goto fail;
		c = *j->p++;
		switch (c) {
		case '"': buf[o++] = '"'; break;
		case '\\': buf[o++] = '\\'; break;
		case '/': buf[o++] = '/'; break;
		case 'b': buf[o++] = '\b'; break;
		case 'f': buf[o++] = '\f'; break;
		case 'n': buf[o++] = '\n'; break;
		case 'r': buf[o++] = '\r'; break;
		case 't': buf[o++] = '\t'; break;
		case 'u':
			if (!jp_hex4(j, &cp))
				goto fail;
			if (cp >= 0xdc00 && cp <= 0xdfff)
				goto fail;	/* lone low surrogate */
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (j->end - j->p < 2 || j->p[0] != '\\' ||
				    j->p[1] != 'u')
					goto fail;
				j->p += 2;
				if (!jp_hex4(j, &lo) || lo < 0xdc00 || lo > 0xdfff)
					goto fail;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			}
			o += put_utf8(buf + o, cp);
			break;
		default:
			goto fail;
		}
	}
	if (j->p >= j->end)
		goto fail;
	j->p++;
	buf[o] = '\0';
	*out = buf;
	*outlen = o;
	return true;
fail:
	free(buf);
	return false;
}

static bool jp_number(struct jp *j, struct jv *v)
{
	const unsigned char *start = j->p;

	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p >= j->end)
		return false;
	if (*j->p == '0') {
		j->p++;
	} else if (*j->p >= '1' && *j->p <= '9') {
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	} else {
		return false;
	}
	if (j->p < j->end && *j->p == '.') {
		if (++j->p >= j->end || *j->p < '0' || *j->p > '9')
			return false;
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (j->p >= j->end || *j->p < '0' || *j->p > '9')
			return false;
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	v->t = J_NUM;
	v->slen = (size_t)(j->p - start);
	v->s = strndup((const char *)start, v->slen);
	return v->s != NULL;
}

static bool jp_lit(struct jp *j, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n) != 0)
		return false;
	j->p += n;
	return true;
}

static struct jv *jp_value(struct jp *j);

/* Members or items up to the closer; members need "key": first. */
static bool jp_container(struct jp *j, struct jv *v, char closer)
{
	struct jv **tail = &v->kids;

	j->p++;
	jp_ws(j);
	if (j->p < j->end && *j->p == closer) {
		j->p++;
		return true;
	}
	for (;;) {
		char *key = NULL;
		size_t klen;
		struct jv *kid;

		jp_ws(j);
		if (closer == '}') {
			if (!jp_string(j, &key, &klen))
				return false;
			jp_ws(j);
			if (j->p >= j->end || *j->p != ':') {
				free(key);
				return false;
			}
			j->p++;
		}
		kid = jp_value(j);
		if (!kid) {
			free(key);
			return false;
		}
		kid->key = key;
		*tail = kid;
		tail = &kid->next;
		jp_ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == closer) {
			j->p++;
			return true;
		}
		return false;
	}
}

static struct jv *jp_value(struct jp *j)
{
	struct jv *v = calloc(1, sizeof(*v));
	bool ok = false;

	assert_non_null(v);
	if (++j->depth > 64)
		goto out;
	jp_ws(j);
	if (j->p >= j->end)
		goto out;
	switch (*j->p) {
	case '{':
		v->t = J_OBJ;
		ok = jp_container(j, v, '}');
		break;
	case '[':
		v->t = J_ARR;
		ok = jp_container(j, v, ']');
		break;
	case '"':
		v->t = J_STR;
		ok = jp_string(j, &v->s, &v->slen);
		break;
	case 't':
		v->t = J_BOOL;
		v->b = true;
		ok = jp_lit(j, "true");
		break;
	case 'f':
		v->t = J_BOOL;
		ok = jp_lit(j, "false");
		break;
	case 'n':
		ok = jp_lit(j, "null");
		break;
	default:
		ok = jp_number(j, v);
	}
out:
	j->depth--;
	if (!ok) {
		jv_free(v);
		return NULL;
	}
	return v;
}

/* Parse a whole document (nothing but whitespace after it), or NULL. */
static struct jv *json_parse(const char *s, size_t n)
{
	struct jp j = { (const unsigned char *)s, (const unsigned char *)s + n, 0 };
	struct jv *v = jp_value(&j);

	jp_ws(&j);
	if (v && j.p != j.end) {
		jv_free(v);
		return NULL;
	}
	return v;
}

/* "event.kind": member lookup by dotted path; a duplicate key fails. */
static const struct jv *jget(const struct jv *v, const char *path)
{
	char part[64];
	const char *dot;

	while (v && *path) {
		const struct jv *found = NULL;
		size_t n;

		dot = strchr(path, '.');
		n = dot ? (size_t)(dot - path) : strlen(path);
		assert_true(n < sizeof(part));
		memcpy(part, path, n);
		part[n] = '\0';
		if (v->t != J_OBJ)
			return NULL;
		for (const struct jv *k = v->kids; k; k = k->next) {
			if (strcmp(k->key, part) == 0) {
				assert_null(found);
				found = k;
			}
		}
		v = found;
		path = dot ? dot + 1 : "";
	}
	return v;
}

static void assert_jstr(const struct jv *root, const char *path, const char *want)
{
	const struct jv *v = jget(root, path);

	if (!v || v->t != J_STR)
		fail_msg("%s: missing or not a string", path);
	assert_int_equal(v->slen, strlen(want));
	assert_memory_equal(v->s, want, v->slen);
}

/* got is want, or (a value with a short output budget) a prefix of want
 * cut at a character boundary and ending with the marker. */
static void assert_cut_of(const char *got, size_t glen, const char *want)
{
	size_t keep;

	if (glen == strlen(want) && memcmp(got, want, glen) == 0)
		return;
	assert_true(glen > ESCAPE_CUT_LEN);
	keep = glen - ESCAPE_CUT_LEN;
	assert_memory_equal(got + keep, ESCAPE_CUT, ESCAPE_CUT_LEN);
	assert_true(keep < strlen(want));
	assert_memory_equal(got, want, keep);
	assert_true(((unsigned char)want[keep] & 0xc0) != 0x80);
}

static void assert_jstr_cut(const struct jv *root, const char *path,
			    const char *want)
{
	const struct jv *v = jget(root, path);

	if (!v || v->t != J_STR)
		fail_msg("%s: missing or not a string", path);
	assert_cut_of(v->s, v->slen, want);
}

static void assert_jnum(const struct jv *root, const char *path, const char *want)
{
	const struct jv *v = jget(root, path);

	if (!v || v->t != J_NUM)
		fail_msg("%s: missing or not a number", path);
	assert_string_equal(v->s, want);
}

static void assert_jbool(const struct jv *root, const char *path, bool want)
{
	const struct jv *v = jget(root, path);

	if (!v || v->t != J_BOOL)
		fail_msg("%s: missing or not a boolean", path);
	assert_int_equal(v->b, want);
}

static struct jv *parse_or_fail(const char *buf, ssize_t n)
{
	struct jv *root;

	assert_one_line(buf, n);
	root = json_parse(buf, (size_t)n);
	if (!root || root->t != J_OBJ)
		fail_msg("not a JSON object: %s", buf);
	return root;
}

/* The contract keys every JSON alert has, whatever the event held. */
static void assert_json_contract(const struct jv *root, const struct alert *a)
{
	const struct jv *v;

	assert_jstr(root, "@timestamp", "2026-11-22T11:16:47.123Z");
	assert_jstr(root, "event.kind", "alert");
	assert_jstr(root, "log.level", severity_name(a->rule->severity));
	assert_jstr(root, "farmhound.source", "usb");
	v = jget(root, "rule.id");
	assert_true(v && v->t == J_STR);
	v = jget(root, "rule.name");
	assert_true(v && v->t == J_STR);
	v = jget(root, "farmhound.fields");
	assert_true(v && v->t == J_OBJ);
	v = jget(root, "message");
	assert_true(v && v->t == J_STR && v->slen > 0);
}

/* ---- JSON ------------------------------------------------------------- */

static void test_json_golden(void **state)
{
	struct event *ev = pikvm_event();
	struct alert a = make_alert(&pikvm_rule, ev);
	char buf[ALERT_LINE_MAX];
	ssize_t n;

	(void)state;
	n = run_format("json", &a, buf);
	assert_one_line(buf, n);
	assert_string_equal(buf,
		"{\"@timestamp\":\"2026-11-22T11:16:47.123Z\","
		"\"event\":{\"kind\":\"alert\",\"module\":\"farmhound\","
		"\"dataset\":\"farmhound.usb\",\"severity\":2,\"action\":\"add\"},"
		"\"log\":{\"level\":\"critical\"},"
		"\"rule\":{\"id\":\"ip-kvm-usb-identity\","
		"\"name\":\"IP-KVM USB gadget identity\",\"category\":\"ip-kvm\"},"
		"\"threat\":{\"technique\":{\"id\":[\"T1219.003\",\"T1200\"]}},"
		"\"farmhound\":{\"source\":\"usb\",\"confidence\":\"high\",\"score\":80,"
		"\"fields\":{\"action\":\"add\",\"vendor_id\":\"1d6b\","
		"\"product_id\":\"0104\",\"manufacturer\":\"PiKVM\","
		"\"product\":\"PiKVM Composite Device\",\"speed\":480,\"port\":\"1-1\","
		"\"interfaces\":[\"03:01:01\",\"03:00:02\"],\"is_gadget\":true,"
		"\"has_keyboard\":true,\"has_mouse\":false,\"abs_max\":32767}},"
		"\"host\":{\"hostname\":\"lt-042\"},"
		"\"agent\":{\"type\":\"farmhound\",\"version\":\"" FARMHOUND_VERSION "\"},"
		"\"message\":\"IP-KVM USB gadget identity: PiKVM PiKVM Composite "
		"Device (1d6b:0104) on port 1-1\"}");
	event_free(ev);
}

static void test_json_contract_typed(void **state)
{
	struct event *ev = pikvm_event();
	struct alert a = make_alert(&pikvm_rule, ev);
	char buf[ALERT_LINE_MAX], msg[1024];
	const struct jv *ids;
	struct jv *root;
	ssize_t n;

	(void)state;
	n = run_format("json", &a, buf);
	root = parse_or_fail(buf, n);
	assert_json_contract(root, &a);
	assert_jstr(root, "log.level", "critical");
	assert_jstr(root, "rule.id", "ip-kvm-usb-identity");
	assert_jstr(root, "event.dataset", "farmhound.usb");
	assert_jstr(root, "event.action", "add");
	assert_jnum(root, "event.severity", "2");
	assert_jnum(root, "farmhound.score", "80");
	assert_jstr(root, "farmhound.confidence", "high");
	assert_jstr(root, "farmhound.fields.vendor_id", "1d6b");
	assert_jnum(root, "farmhound.fields.speed", "480");
	assert_jbool(root, "farmhound.fields.has_keyboard", true);
	assert_jbool(root, "farmhound.fields.has_mouse", false);
	assert_null(jget(root, "farmhound.fields.serial"));	/* unset: absent */
	assert_null(jget(root, "farmhound.suppressed"));
	assert_null(jget(root, "farmhound.truncated"));
	ids = jget(root, "threat.technique.id");
	assert_true(ids && ids->t == J_ARR && ids->kids && ids->kids->next);
	assert_string_equal(ids->kids->s, "T1219.003");
	assert_string_equal(ids->kids->next->s, "T1200");
	assert_jstr(root, "host.hostname", "lt-042");
	assert_jstr(root, "agent.version", FARMHOUND_VERSION);
	alert_message(&a, msg, sizeof(msg));
	assert_jstr(root, "message", msg);
	jv_free(root);
	event_free(ev);
}

static void test_json_suppressed_only_when_positive(void **state)
{
	struct event *ev = pikvm_event();
	struct alert a = make_alert(&pikvm_rule, ev);
	char buf[ALERT_LINE_MAX];
	struct jv *root;
	ssize_t n;

	(void)state;
	a.suppressed = 3;
	n = run_format("json", &a, buf);
	root = parse_or_fail(buf, n);
	assert_jnum(root, "farmhound.suppressed", "3");
	assert_non_null(strstr(jget(root, "message")->s, "(3 similar suppressed)"));
	jv_free(root);
	event_free(ev);
}

/* Correlation keys: lifecycle, threshold count and values, verdict and
 * evidence; all absent from an ordinary alert (checked above). */
static void test_json_correlation_keys(void **state)
{
	struct event *ev = pikvm_event();
	struct alert a = make_alert(&pikvm_rule, ev);
	static const char *const values[] = { "AnyDesk", "TeamViewer" };
	struct alert_evidence evid[2] = {
		{ "ip-kvm-pikvm", "ip-kvm", 80, "PiKVM USB gadget: PiKVM on port 1-1" },
		{ "remote-access-anydesk", "remote-access", 40, "AnyDesk \"running\"" },
	};
	char buf[ALERT_LINE_MAX], cef[ALERT_LINE_MAX];
	const struct jv *e;
	struct jv *root;
	ssize_t n;

	(void)state;
	a.kind = ALERT_RESOLVED;
	a.count = 2;
	a.values = values;
	a.nvalues = 2;
	n = run_format("json", &a, buf);
	root = parse_or_fail(buf, n);
	assert_json_contract(root, &a);
	assert_jstr(root, "farmhound.lifecycle", "resolved");
	assert_jnum(root, "farmhound.count", "2");
	e = jget(root, "farmhound.values");
	assert_true(e && e->t == J_ARR && e->kids && e->kids->next);
	assert_string_equal(e->kids->next->s, "TeamViewer");
	assert_true(strncmp(jget(root, "message")->s, "resolved: ", 10) == 0);
	assert_non_null(strstr(jget(root, "message")->s, "(2 distinct: AnyDesk, TeamViewer)"));
	jv_free(root);
	assert_true(run_format("cef", &a, cef) > 0);
	assert_non_null(strstr(cef, "cs4Label=lifecycle cs4=resolved"));
	assert_non_null(strstr(cef, "cn3Label=count cn3=2"));

	a = make_alert(&pikvm_rule, ev);
	a.verdict = true;
	a.verdict_score = 120;
	a.verdict_threshold = 100;
	a.verdict_categories = 2;
	a.verdict_restated = true;
	a.evidence = evid;
	a.nevidence = 2;
	n = run_format("json", &a, buf);
	root = parse_or_fail(buf, n);
	assert_jnum(root, "farmhound.verdict.score", "120");
	assert_jnum(root, "farmhound.verdict.threshold", "100");
	assert_jnum(root, "farmhound.verdict.categories", "2");
	assert_jbool(root, "farmhound.verdict.restated", true);
	e = jget(root, "farmhound.evidence");
	assert_true(e && e->t == J_ARR && e->kids && e->kids->next);
	assert_string_equal(jget(e->kids, "rule")->s, "ip-kvm-pikvm");
	assert_string_equal(jget(e->kids->next, "category")->s, "remote-access");
	assert_string_equal(jget(e->kids->next, "message")->s, "AnyDesk \"running\"");
	assert_non_null(strstr(jget(root, "message")->s,
			       "score 120 (threshold 100, 2 categories) from ip-kvm-pikvm, remote-access-anydesk"));
	jv_free(root);
	event_free(ev);
}

/* Evidence that cannot all fit is cut, never the JSON. */
static void test_json_evidence_bounded(void **state)
{
	struct event *ev = pikvm_event();
	struct alert a = make_alert(&pikvm_rule, ev);
	struct alert_evidence evid[16];
	char buf[ALERT_LINE_MAX], big[400], ids[16][32];
	struct jv *root;
	ssize_t n;

	(void)state;
	memset(big, 'm', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (int i = 0; i < 16; i++) {
		snprintf(ids[i], sizeof(ids[i]), "rule-%d", i);
		evid[i] = (struct alert_evidence){ ids[i], "cat", 10, big };
	}
	a.verdict = true;
	a.evidence = evid;
	a.nevidence = 16;
	n = run_format("json", &a, buf);
	assert_true(n > 0 && n < ALERT_LINE_MAX);
	root = parse_or_fail(buf, n);
	assert_json_contract(root, &a);
	assert_non_null(jget(root, "farmhound.evidence"));
	jv_free(root);
	event_free(ev);
}

static void test_json_hostile_strings(void **state)
{
	struct event *ev = pikvm_event();
	struct alert a = make_alert(&pikvm_rule, ev);
	char buf[ALERT_LINE_MAX];
	const struct jv *list;
	struct jv *root;
	ssize_t n;

	(void)state;
	assert_int_equal(event_set_str(ev, USB_MANUFACTURER, HOSTILE), 0);
	assert_int_equal(event_list_add(ev, USB_INTERFACES, HOSTILE), 0);
	n = run_format("json", &a, buf);
	root = parse_or_fail(buf, n);
	assert_json_contract(root, &a);
	assert_jstr(root, "farmhound.fields.manufacturer", HOSTILE_JSON);
	list = jget(root, "farmhound.fields.interfaces");
	assert_true(list && list->t == J_ARR);
	assert_string_equal(list->kids->next->next->s, HOSTILE_JSON);
	/* The raw line spells the escapes the RFC way. */
	assert_non_null(strstr(buf, "\\r\\n\\u0001\\u001b\\u007f\\ufffd\\ufffdx"));
	assert_non_null(strstr(buf, "\\u0085\\u2028é日本😀"));
	jv_free(root);
	event_free(ev);
}

/* A hostile rule file and hostname too: every string the alert carries. */
static void test_json_hostile_rule_and_host(void **state)
{
	struct event *ev = pikvm_event();
	char *refs[] = { (char *)HOSTILE, "https://example.org/x" };
	struct rule_meta r = pikvm_rule;
	struct alert a;
	char buf[ALERT_LINE_MAX];
	struct jv *root;
	ssize_t n;

	(void)state;
	r.id = (char *)HOSTILE;
	r.name = (char *)HOSTILE;
	r.category = (char *)HOSTILE;
	r.description = (char *)HOSTILE;
	r.advice = (char *)HOSTILE;
	r.references = refs;
	r.nreferences = 2;
	a = make_alert(&r, ev);
	a.hostname = HOSTILE;
	n = run_format("json", &a, buf);
	root = parse_or_fail(buf, n);
	assert_json_contract(root, &a);
	assert_jstr(root, "rule.id", HOSTILE_JSON);
	assert_jstr(root, "rule.description", HOSTILE_JSON);
	assert_jstr(root, "farmhound.advice", HOSTILE_JSON);
	assert_jstr_cut(root, "rule.category", HOSTILE_JSON);
	assert_jstr_cut(root, "host.hostname", HOSTILE_JSON);
	/* One URL (ECS rule.reference): the first, escaped like the rest. */
	assert_jstr(root, "rule.reference", HOSTILE_JSON);
	jv_free(root);
	event_free(ev);
}

/* Everything as long as it can be: the line stays under the limit, valid,
 * with its contract keys, long values cut with "…" and dropped fields
 * flagged. */
static struct event *huge_event(size_t len, char fill)
{
	struct event *ev = event_new(&usb_source);
	char *big = malloc(len + 1);

	assert_non_null(ev);
	assert_non_null(big);
	memset(big, fill, len);
	big[len] = '\0';
	for (size_t i = 0; i < usb_source.nfields; i++) {
		switch (usb_source.fields[i].type) {
		case FIELD_STRING:
			assert_int_equal(event_set_str(ev, (int)i, big), 0);
			break;
		case FIELD_LIST:
			for (int k = 0; k < EVENT_LIST_MAX; k++)
				assert_int_equal(event_list_add(ev, (int)i, big), 0);
			break;
		case FIELD_INT:
			assert_int_equal(event_set_int(ev, (int)i, INT64_MIN), 0);
			break;
		case FIELD_BOOL:
			assert_int_equal(event_set_bool(ev, (int)i, true), 0);
			break;
		default:
			break;
		}
	}
	free(big);
	return ev;
}

static void test_json_truncation_stays_valid(void **state)
{
	struct event *ev = huge_event(5000, 'A');
	struct alert a = make_alert(&pikvm_rule, ev);
	char buf[ALERT_LINE_MAX];
	const struct jv *v;
	struct jv *root;
	ssize_t n;

	(void)state;
	/* The setters kept EVENT_STR_MAX bytes of the 5000. */
	assert_int_equal(event_get(ev, USB_MANUFACTURER)->str.len, EVENT_STR_MAX);
	n = run_format("json", &a, buf);
	root = parse_or_fail(buf, n);
	assert_json_contract(root, &a);
	assert_jbool(root, "farmhound.truncated", true);
	v = jget(root, "farmhound.fields.action");
	assert_true(v && v->t == J_STR);
	/* Cut at a character boundary, marked, a prefix of the input. */
	assert_true(v->slen > ESCAPE_CUT_LEN && v->slen < 300);
	assert_memory_equal(v->s + v->slen - ESCAPE_CUT_LEN, ESCAPE_CUT,
			    ESCAPE_CUT_LEN);
	for (size_t i = 0; i < v->slen - ESCAPE_CUT_LEN; i++)
		assert_int_equal(v->s[i], 'A');
	jv_free(root);
	event_free(ev);
}

/* Values longer than the setters allow, built by hand, of units that each
 * escape to six bytes, and a rule whose every string is huge. */
static void test_json_oversized_by_hand(void **state)
{
	struct event *ev = huge_event(10, 'B');
	struct rule_meta r = pikvm_rule;
	char *big = malloc(5001), *refs[40];
	struct value *v = &ev->values[USB_PRODUCT];
	char buf[ALERT_LINE_MAX];
	struct alert a;
	struct jv *root;
	ssize_t n;

	(void)state;
	assert_non_null(big);
	memset(big, '\x01', 5000);
	big[5000] = '\0';
	free(v->str.ptr);
	v->str.ptr = strdup(big);
	v->str.len = 5000;
	for (size_t i = 0; i < 40; i++)
		refs[i] = big;
	r.id = r.name = r.category = r.description = r.advice = big;
	r.references = refs;
	r.nreferences = 40;
	r.mitre = refs;
	r.nmitre = 40;
	a = make_alert(&r, ev);
	a.hostname = big;
	n = run_format("json", &a, buf);
	root = parse_or_fail(buf, n);
	assert_json_contract(root, &a);
	jv_free(root);
	free(big);
	event_free(ev);
}

static void test_json_escaper(void **state)
{
	char dst[32];

	(void)state;
	assert_int_equal(escape_json(dst, sizeof(dst), "a\"\\\n", 4), 7);
	assert_string_equal(dst, "a\\\"\\\\\\n");
	/* Two \u0001 (12 bytes) do not fit in 9: one, and the marker; an
	 * escape is never split. */
	assert_int_equal(escape_json(dst, 10, "\x01\x01", 2), 9);
	assert_string_equal(dst, "\\u0001" ESCAPE_CUT);
	/* A multi-byte character is never split either. */
	assert_int_equal(escape_json(dst, 9, "ab日本", 8), 8);
	assert_string_equal(dst, "ab日本");
	assert_int_equal(escape_json(dst, 9, "ab日本x", 9), 8);
	assert_string_equal(dst, "ab日" ESCAPE_CUT);
	assert_int_equal(escape_json(dst, sizeof(dst), "\xed\xa0\x80", 3), 18);
	assert_int_equal(escape_json(dst, sizeof(dst), "", 0), 0);
}

/* escape_buf_str(s, max) for every style and every max against the unit
 * at a time definition: s split into units (escape_utf8_next), each
 * escaped alone; if all fit in max, all of them, else as many whole units
 * as fit in max - ESCAPE_CUT_LEN and the marker (nothing at all when not
 * even the marker fits).  Runs of plain ASCII are copied in bulk, so this
 * pins that the bulk path cuts where the unit path would. */
static size_t put_unit(char *dst, size_t w, const char *u)
{
	memcpy(dst + w, u, strlen(u));
	return w + strlen(u);
}

static void test_escape_runs_cut_like_units(void **state)
{
	static const char *const pieces[] = {
		"a", "Zz", "hello world ", "\"", "\\", "|", "=", "\n", "\x01",
		"\x7f", "\xc2\x85", "日", "\xe2\x80\xa8", "\xff", "\xe2\x82", "~",
	};
	char in[64], one[64], want[2048], got[2048];
	size_t ulen[64], nu;

	(void)state;
	srand(11);
	for (int iter = 0; iter < 300; iter++) {
		size_t n = 0;

		while (n < 40) {
			const char *p = pieces[rand() % (int)(sizeof(pieces) / sizeof(pieces[0]))];

			memcpy(in + n, p, strlen(p));
			n += strlen(p);
		}
		for (int st = ESCAPE_JSON; st <= ESCAPE_ASCII; st++) {
			char units[64][24];
			size_t total = 0;

			nu = 0;
			for (size_t o = 0; o < n; nu++) {
				struct escape_buf b;
				int32_t cp;

				ulen[nu] = escape_utf8_next((const unsigned char *)in + o, n - o, &cp);
				escape_buf_init(&b, one, sizeof(one));
				assert_true(escape_buf_str(&b, st, in + o, ulen[nu], sizeof(one)));
				escape_buf_finish(&b);
				assert_true(strlen(one) < sizeof(units[nu]));
				memcpy(units[nu], one, strlen(one) + 1);
				total += strlen(one);
				o += ulen[nu];
			}
			for (size_t max = 0; max <= total + 2; max++) {
				struct escape_buf b;
				size_t w = 0;
				bool ok;

				if (total <= max) {
					for (size_t u = 0; u < nu; u++)
						w = put_unit(want, w, units[u]);
				} else if (max >= ESCAPE_CUT_LEN) {
					for (size_t u = 0; u < nu &&
					     w + strlen(units[u]) <= max - ESCAPE_CUT_LEN; u++)
						w = put_unit(want, w, units[u]);
					w = put_unit(want, w, ESCAPE_CUT);
				}
				want[w] = '\0';
				escape_buf_init(&b, got, sizeof(got));
				ok = escape_buf_str(&b, st, in, n, max);
				escape_buf_finish(&b);
				assert_int_equal(ok, total <= max || max >= ESCAPE_CUT_LEN);
				if (strcmp(got, want) != 0)
					fail_msg("style %d, max %zu: \"%s\", want \"%s\"", st, max,
						 got, want);
			}
		}
	}
}

static void test_utf8_decoder(void **state)
{
	static const struct {
		const char *s;
		size_t n, span;
		int32_t cp;
	} cases[] = {
		{ "A", 1, 1, 'A' },
		{ "é", 2, 2, 0xe9 },
		{ "日", 3, 3, 0x65e5 },
		{ "😀", 4, 4, 0x1f600 },
		{ "\xf4\x8f\xbf\xbf", 4, 4, 0x10ffff },
		{ "\xff", 1, 1, ESCAPE_UTF8_INVALID },
		{ "\x80", 1, 1, ESCAPE_UTF8_INVALID },
		{ "\xc0\xaf", 2, 1, ESCAPE_UTF8_INVALID },	/* overlong */
		{ "\xe0\x80\xaf", 3, 1, ESCAPE_UTF8_INVALID },	/* overlong */
		{ "\xed\xa0\x80", 3, 1, ESCAPE_UTF8_INVALID },	/* surrogate */
		{ "\xf4\x90\x80\x80", 4, 1, ESCAPE_UTF8_INVALID }, /* > 10FFFF */
		{ "\xe2\x82", 2, 2, ESCAPE_UTF8_INVALID },	/* truncated */
		{ "\xe2\x82x", 3, 2, ESCAPE_UTF8_INVALID },
		{ "\xf0\x9f\x98", 3, 3, ESCAPE_UTF8_INVALID },
	};
	int32_t cp;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t span = escape_utf8_next((const unsigned char *)cases[i].s,
					       cases[i].n, &cp);

		assert_int_equal(span, cases[i].span);
		assert_int_equal(cp, cases[i].cp);
	}
}

static void test_bad_arguments(void **state)
{
	struct event *ev = pikvm_event();
	struct alert a = make_alert(&pikvm_rule, ev);
	char buf[ALERT_LINE_MAX];
	const char *names[] = { "json", "cef", "text" };

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		const struct alert_formatter *f = alert_formatter_by_name(names[i]);

		assert_int_equal(f->format(&a, buf, ALERT_LINE_MAX - 1), -EINVAL);
		assert_int_equal(f->format(NULL, buf, sizeof(buf)), -EINVAL);
	}
	event_free(ev);
}

/* ---- CEF -------------------------------------------------------------- */

struct cef {
	char *hdr[7];
	char *key[64];
	char *val[64];
	size_t nkv;
};

/* Undo CEF escapes: header (\\ \|) or extension (\\ \= \n \r). */
static char *cef_unescape(const char *s, size_t n, bool header)
{
	char *out = malloc(n + 1);
	size_t o = 0;

	assert_non_null(out);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n) {
			char c = s[++i];

			if (c == '\\' || (header && c == '|') || (!header && c == '='))
				out[o++] = c;
			else if (!header && c == 'n')
				out[o++] = '\n';
			else if (!header && c == 'r')
				out[o++] = '\r';
			else
				fail_msg("undefined CEF escape \\%c", c);
		} else {
			if (header && s[i] == '|')
				fail_msg("unescaped pipe inside a header field");
			if (!header && s[i] == '=')
				fail_msg("unescaped '=' inside a value");
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	return out;
}

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

/* Split like a SIEM: 7 header fields on unescaped pipes, then key=value
 * pairs where a key is the alphanumeric word before an unescaped '='. */
static void cef_parse(const char *line, struct cef *c)
{
	const char *p = line, *start = line, *ext;
	size_t nf = 0, eq[64], neq = 0, len;

	memset(c, 0, sizeof(*c));
	for (; *p && nf < 7; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			continue;
		}
		if (*p == '|') {
			c->hdr[nf++] = cef_unescape(start, (size_t)(p - start), true);
			start = p + 1;
		}
	}
	assert_int_equal(nf, 7);
	ext = start;
	len = strlen(ext);
	for (size_t i = 0; i < len; i++) {
		if (ext[i] == '\\') {
			i++;
			continue;
		}
		if (ext[i] == '=') {
			assert_true(neq < 64);
			eq[neq++] = i;
		}
	}
	for (size_t k = 0; k < neq; k++) {
		size_t ks = eq[k], vend;

		while (ks > 0 && is_alnum(ext[ks - 1]))
			ks--;
		assert_true(ks < eq[k]);
		assert_true(ks == 0 || ext[ks - 1] == ' ');
		if (k + 1 < neq) {
			vend = eq[k + 1];
			while (vend > 0 && is_alnum(ext[vend - 1]))
				vend--;
			assert_true(vend > 0 && ext[vend - 1] == ' ');
			vend--;
		} else {
			vend = len;
		}
		c->key[c->nkv] = strndup(ext + ks, eq[k] - ks);
		c->val[c->nkv] = cef_unescape(ext + eq[k] + 1, vend - eq[k] - 1,
					      false);
		c->nkv++;
	}
}

static const char *cef_get(const struct cef *c, const char *key)
{
	const char *found = NULL;

	for (size_t i = 0; i < c->nkv; i++) {
		if (strcmp(c->key[i], key) == 0) {
			assert_null(found);
			found = c->val[i];
		}
	}
	return found;
}

static void cef_free(struct cef *c)
{
	for (size_t i = 0; i < 7; i++)
		free(c->hdr[i]);
	for (size_t i = 0; i < c->nkv; i++) {
		free(c->key[i]);
		free(c->val[i]);
	}
}

static void test_cef_golden(void **state)
{
	struct event *ev = pikvm_event();
	struct alert a = make_alert(&pikvm_rule, ev);
	char buf[ALERT_LINE_MAX];
	ssize_t n;

	(void)state;
	n = run_format("cef", &a, buf);
	assert_one_line(buf, n);
	assert_string_equal(buf,
		"CEF:0|farmhound|farmhound|" FARMHOUND_VERSION "|ip-kvm-usb-identity|"
		"IP-KVM USB gadget identity|8|rt=1795346207123 dvchost=lt-042 "
		"cat=ip-kvm act=add cs1Label=source cs1=usb cs2Label=confidence "
		"cs2=high cn1Label=score cn1=80 cs3Label=mitre cs3=T1219.003,T1200 "
		"msg=IP-KVM USB gadget identity: PiKVM PiKVM Composite Device "
		"(1d6b:0104) on port 1-1 farmhoundAction=add farmhoundVendorId=1d6b "
		"farmhoundProductId=0104 farmhoundManufacturer=PiKVM "
		"farmhoundProduct=PiKVM Composite Device farmhoundSpeed=480 "
		"farmhoundPort=1-1 farmhoundInterfaces=03:01:01,03:00:02 "
		"farmhoundIsGadget=true farmhoundHasKeyboard=true "
		"farmhoundHasMouse=false farmhoundAbsMax=32767");
	event_free(ev);
}

static void test_cef_hostile(void **state)
{
	struct event *ev = pikvm_event();
	struct rule_meta r = pikvm_rule;
	char buf[ALERT_LINE_MAX];
	struct alert a;
	struct cef c;
	ssize_t n;

	(void)state;
	r.id = "id|with\\pipe";
	r.name = "name|x=y\\z";
	r.category = (char *)HOSTILE;
	r.severity = LOG_WARNING;
	a = make_alert(&r, ev);
	a.suppressed = 7;
	assert_int_equal(event_set_str(ev, USB_MANUFACTURER, HOSTILE), 0);
	n = run_format("cef", &a, buf);
	assert_one_line(buf, n);
	assert_non_null(strstr(buf, "|id\\|with\\\\pipe|name\\|x=y\\\\z|5|"));
	assert_non_null(strstr(buf, " farmhoundManufacturer=q\"b\\\\p|e\\=r]\\r\\n"));
	cef_parse(buf, &c);
	assert_string_equal(c.hdr[0], "CEF:0");
	assert_string_equal(c.hdr[3], FARMHOUND_VERSION);
	assert_string_equal(c.hdr[4], "id|with\\pipe");
	assert_string_equal(c.hdr[5], "name|x=y\\z");
	assert_string_equal(c.hdr[6], "5");
	assert_string_equal(cef_get(&c, "rt"), "1795346207123");
	assert_string_equal(cef_get(&c, "cs1"), "usb");
	assert_string_equal(cef_get(&c, "cs2"), "high");
	assert_string_equal(cef_get(&c, "cn1"), "80");
	assert_string_equal(cef_get(&c, "cn2Label"), "suppressed");
	assert_string_equal(cef_get(&c, "cn2"), "7");
	assert_string_equal(cef_get(&c, "act"), "add");
	assert_cut_of(cef_get(&c, "cat"), strlen(cef_get(&c, "cat")), HOSTILE_CEF);
	assert_string_equal(cef_get(&c, "farmhoundManufacturer"), HOSTILE_CEF);
	assert_string_equal(cef_get(&c, "farmhoundVendorId"), "1d6b");
	assert_string_equal(cef_get(&c, "farmhoundHasKeyboard"), "true");
	assert_null(cef_get(&c, "farmhoundTruncated"));
	cef_free(&c);
	event_free(ev);
}

static void test_cef_truncation(void **state)
{
	struct event *ev = huge_event(5000, '=');
	struct alert a = make_alert(&pikvm_rule, ev);
	char buf[ALERT_LINE_MAX];
	struct cef c;
	ssize_t n;

	(void)state;
	n = run_format("cef", &a, buf);
	assert_one_line(buf, n);
	cef_parse(buf, &c);
	assert_string_equal(c.hdr[4], "ip-kvm-usb-identity");
	assert_string_equal(cef_get(&c, "farmhoundTruncated"), "true");
	assert_non_null(cef_get(&c, "msg"));
	assert_non_null(cef_get(&c, "farmhoundAction"));
	cef_free(&c);
	event_free(ev);
}

/* ---- text ------------------------------------------------------------- */

static void test_text_golden(void **state)
{
	struct event *ev = pikvm_event();
	struct alert a = make_alert(&pikvm_rule, ev);
	char buf[ALERT_LINE_MAX];
	ssize_t n;

	(void)state;
	n = run_format("text", &a, buf);
	assert_one_line(buf, n);
	assert_string_equal(buf,
		"2026-11-22T11:16:47.123Z lt-042 CRITICAL ip-kvm-usb-identity "
		"[high, score 80, ip-kvm, T1219.003,T1200] IP-KVM USB gadget "
		"identity: PiKVM PiKVM Composite Device (1d6b:0104) on port 1-1 | "
		"source=usb action=add vendor_id=1d6b product_id=0104 "
		"manufacturer=PiKVM product=\"PiKVM Composite Device\" speed=480 "
		"port=1-1 interfaces=[03:01:01,03:00:02] is_gadget=true "
		"has_keyboard=true has_mouse=false abs_max=32767");
	event_free(ev);
}

static void test_text_hostile(void **state)
{
	struct event *ev = pikvm_event();
	struct alert a = make_alert(&pikvm_rule, ev);
	char buf[ALERT_LINE_MAX];
	ssize_t n;

	(void)state;
	assert_int_equal(event_set_str(ev, USB_MANUFACTURER, HOSTILE), 0);
	n = run_format("text", &a, buf);
	assert_one_line(buf, n);
	assert_non_null(strstr(buf, HOSTILE_TEXT));
	/* Only one unescaped " | " separator: the message cannot fake one. */
	assert_non_null(strstr(buf, "identity: q\"b\\\\p\\|e=r]"));
	event_free(ev);

	/* A device string cannot forge the " | " separator in the message. */
	ev = pikvm_event();
	a = make_alert(&pikvm_rule, ev);
	assert_int_equal(event_set_str(ev, USB_PRODUCT, "x | vendor_id=dead"), 0);
	n = run_format("text", &a, buf);
	assert_one_line(buf, n);
	assert_non_null(strstr(buf, "PiKVM x \\| vendor_id=dead (1d6b:0104)"));
	assert_non_null(strstr(buf, " | source=usb "));
	assert_ptr_equal(strstr(buf, " | "), strstr(buf, " | source=usb "));
	event_free(ev);
}

static void test_text_truncation(void **state)
{
	struct event *ev = huge_event(5000, 'C');
	struct alert a = make_alert(&pikvm_rule, ev);
	char buf[ALERT_LINE_MAX];
	ssize_t n;

	(void)state;
	n = run_format("text", &a, buf);
	assert_one_line(buf, n);
	assert_int_equal(strncmp(buf, "2026-11-22T11:16:47.123Z lt-042 CRITICAL "
				 "ip-kvm-usb-identity ", 61), 0);
	assert_non_null(strstr(buf, " | source=usb action=\"CCC"));
	assert_true(n > 12 && strcmp(buf + n - 12, " [truncated]") == 0);
	event_free(ev);
}

/* ---- a rule that documents itself (description, advice) ------------- */

static struct rule_meta documented_rule(void)
{
	struct rule_meta r = pikvm_rule;

	r.description = (char *)"A PiKVM: someone can type on this laptop remotely.";
	r.advice = (char *)"Ask the user to unplug it; isolate the laptop.";
	return r;
}

/* rule.description and farmhound.advice, each where the contract puts it;
 * the rest of the line is the golden one's (test_json_golden). */
static void test_json_rule_doc(void **state)
{
	struct event *ev = pikvm_event();
	struct rule_meta r = documented_rule();
	struct alert a = make_alert(&r, ev);
	char buf[ALERT_LINE_MAX];
	struct jv *root;
	ssize_t n;

	(void)state;
	n = run_format("json", &a, buf);
	root = parse_or_fail(buf, n);
	assert_json_contract(root, &a);
	assert_non_null(strstr(buf,
		"\"rule\":{\"id\":\"ip-kvm-usb-identity\","
		"\"name\":\"IP-KVM USB gadget identity\",\"category\":\"ip-kvm\","
		"\"description\":\"A PiKVM: someone can type on this laptop remotely.\"},"));
	assert_non_null(strstr(buf,
		"\"farmhound\":{\"source\":\"usb\",\"confidence\":\"high\",\"score\":80,"
		"\"advice\":\"Ask the user to unplug it; isolate the laptop.\","
		"\"fields\":{\"action\":\"add\","));
	jv_free(root);
	event_free(ev);
}

static void test_cef_rule_doc(void **state)
{
	struct event *ev = pikvm_event();
	struct rule_meta r = documented_rule();
	struct alert a = make_alert(&r, ev);
	char buf[ALERT_LINE_MAX];
	struct cef c;
	ssize_t n;

	(void)state;
	n = run_format("cef", &a, buf);
	assert_one_line(buf, n);
	assert_non_null(strstr(buf,
		"(1d6b:0104) on port 1-1 cs5Label=description "
		"cs5=A PiKVM: someone can type on this laptop remotely. "
		"cs6Label=advice cs6=Ask the user to unplug it; isolate the laptop. "
		"farmhoundAction=add "));
	r.description = (char *)HOSTILE;
	r.advice = (char *)HOSTILE;
	n = run_format("cef", &a, buf);
	assert_one_line(buf, n);
	cef_parse(buf, &c);
	assert_string_equal(cef_get(&c, "cs5Label"), "description");
	assert_string_equal(cef_get(&c, "cs5"), HOSTILE_CEF);
	assert_string_equal(cef_get(&c, "cs6Label"), "advice");
	assert_string_equal(cef_get(&c, "cs6"), HOSTILE_CEF);
	cef_free(&c);
	event_free(ev);
}

static void test_text_rule_doc(void **state)
{
	struct event *ev = pikvm_event();
	struct rule_meta r = documented_rule();
	struct alert a = make_alert(&r, ev);
	char buf[ALERT_LINE_MAX], want[256];
	ssize_t n;

	(void)state;
	n = run_format("text", &a, buf);
	assert_one_line(buf, n);
	assert_non_null(strstr(buf,
		"(1d6b:0104) on port 1-1 | "
		"description=\"A PiKVM: someone can type on this laptop remotely.\" "
		"advice=\"Ask the user to unplug it; isolate the laptop.\" | "
		"source=usb action=add vendor_id=1d6b "));
	/* Only advice: the section holds just that. */
	r.description = NULL;
	r.advice = (char *)HOSTILE;
	n = run_format("text", &a, buf);
	assert_one_line(buf, n);
	snprintf(want, sizeof(want), "on port 1-1 | advice=%s | source=usb ",
		 HOSTILE_TEXT + strlen("manufacturer="));
	assert_non_null(strstr(buf, want));
	event_free(ev);
}

/* A huge event loses fields in every format, never the rule's text. */
static void test_rule_doc_survives_huge_event(void **state)
{
	struct event *ev = huge_event(5000, 'D');
	struct rule_meta r = documented_rule();
	struct alert a = make_alert(&r, ev);
	char buf[ALERT_LINE_MAX];
	struct jv *root;
	struct cef c;
	ssize_t n;

	(void)state;
	n = run_format("json", &a, buf);
	root = parse_or_fail(buf, n);
	assert_jbool(root, "farmhound.truncated", true);
	assert_jstr(root, "rule.description", r.description);
	assert_jstr(root, "farmhound.advice", r.advice);
	jv_free(root);
	n = run_format("cef", &a, buf);
	cef_parse(buf, &c);
	assert_string_equal(cef_get(&c, "farmhoundTruncated"), "true");
	assert_string_equal(cef_get(&c, "cs5"), r.description);
	assert_string_equal(cef_get(&c, "cs6"), r.advice);
	cef_free(&c);
	n = run_format("text", &a, buf);
	assert_true(n > 12 && strcmp(buf + n - 12, " [truncated]") == 0);
	assert_non_null(strstr(buf, " advice=\"Ask the user to unplug it; isolate the laptop.\" | "));
	event_free(ev);
}

/* ---- every format against random bytes -------------------------------- */

static char *random_string(size_t max)
{
	size_t n = (size_t)rand() % (max + 1);
	char *s = malloc(n + 1);
	/* Bias towards the interesting bytes. */
	static const char pick[] = "\"\\|=]\r\n\x01\x1b\x7f\xff\xc0\xaf\xed\xa0"
				   "\x80\xe2\x82\xc2\x85 aZ9";

	assert_non_null(s);
	for (size_t i = 0; i < n; i++) {
		int r = rand();

		s[i] = (r & 1) ? pick[(size_t)(r >> 1) % (sizeof(pick) - 1)]
			       : (char)((r >> 1) % 255 + 1);
	}
	s[n] = '\0';
	return s;
}

static void test_all_formats_random(void **state)
{
	const char *names[] = { "json", "cef", "text" };
	char buf[ALERT_LINE_MAX];

	(void)state;
	srand(20261122);
	for (int iter = 0; iter < 400; iter++) {
		struct event *ev = event_new(&usb_source);
		char *id = random_string(300), *name = random_string(300);
		char *host = random_string(300), *items[3];
		struct rule_meta r = pikvm_rule;
		struct alert a;

		for (int k = 0; k < 3; k++)
			items[k] = random_string(200);
		for (size_t i = 0; i < usb_source.nfields; i++) {
			char *s = random_string(iter % 2 ? 1500 : 100);

			if (rand() % 3 == 0) {
				free(s);
				continue;
			}
			if (usb_source.fields[i].type == FIELD_STRING)
				event_set_str(ev, (int)i, s);
			else if (usb_source.fields[i].type == FIELD_LIST)
				for (int k = 0; k < rand() % 10; k++)
					event_list_add(ev, (int)i, s);
			else if (usb_source.fields[i].type == FIELD_INT)
				event_set_int(ev, (int)i, (int64_t)rand() - RAND_MAX / 2);
			else
				event_set_bool(ev, (int)i, rand() & 1);
			free(s);
		}
		r.id = id;
		r.name = name;
		r.description = items[0];
		r.advice = rand() % 2 ? items[1] : NULL;
		r.references = items;
		r.nreferences = 3;
		r.mitre = items;
		r.nmitre = (size_t)rand() % 4;
		r.severity = rand() % 10 - 1;
		a = make_alert(&r, ev);
		a.hostname = host;
		a.suppressed = (uint64_t)(rand() % 3);
		for (size_t f = 0; f < 3; f++) {
			ssize_t n = run_format(names[f], &a, buf);

			assert_one_line(buf, n);
			if (f == 0) {
				struct jv *root = parse_or_fail(buf, n);

				assert_json_contract(root, &a);
				jv_free(root);
			} else if (f == 1) {
				struct cef c;

				cef_parse(buf, &c);
				assert_non_null(cef_get(&c, "msg"));
				cef_free(&c);
			}
		}
		for (int k = 0; k < 3; k++)
			free(items[k]);
		free(id);
		free(name);
		free(host);
		event_free(ev);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_golden),
		cmocka_unit_test(test_json_contract_typed),
		cmocka_unit_test(test_json_suppressed_only_when_positive),
		cmocka_unit_test(test_json_correlation_keys),
		cmocka_unit_test(test_json_evidence_bounded),
		cmocka_unit_test(test_json_hostile_strings),
		cmocka_unit_test(test_json_hostile_rule_and_host),
		cmocka_unit_test(test_json_rule_doc),
		cmocka_unit_test(test_cef_rule_doc),
		cmocka_unit_test(test_text_rule_doc),
		cmocka_unit_test(test_rule_doc_survives_huge_event),
		cmocka_unit_test(test_json_truncation_stays_valid),
		cmocka_unit_test(test_json_oversized_by_hand),
		cmocka_unit_test(test_json_escaper),
		cmocka_unit_test(test_utf8_decoder),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_cef_golden),
		cmocka_unit_test(test_cef_hostile),
		cmocka_unit_test(test_cef_truncation),
		cmocka_unit_test(test_text_golden),
		cmocka_unit_test(test_text_hostile),
		cmocka_unit_test(test_text_truncation),
		cmocka_unit_test(test_all_formats_random),
		cmocka_unit_test(test_escape_runs_cut_like_units),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
