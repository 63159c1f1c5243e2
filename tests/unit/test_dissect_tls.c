/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_dissect_tls.c - ClientHello and server-certificate dissectors
 * (collectors/net/dissect_tls.c).
 *
 * The ClientHello is assembled field by field from RFC 8446 4.1.2 (with
 * the server_name extension of RFC 6066 3 and ALPN of RFC 7301 3.1),
 * wrapped in a handshake header and TLS records (RFC 8446 5.1).  The
 * server flight is ServerHello (RFC 5246 7.4.1.3), Certificate (7.4.2)
 * and ServerHelloDone, the certificate a minimal DER X.509 (RFC 5280 4.1)
 * built by der() below, with the subject the project's signal catalog
 * gives for AnyDesk relays (ET 2027761/2027762: C=DE, O=philandro
 * Software GmbH, CN=AnyNet Relay).  Truncated inputs are heap copies of
 * exactly their length, so ASan sees any over-read.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "collectors/net/dissect.h"

struct buf {
	uint8_t b[8192];
	size_t n;
};

static void put8(struct buf *m, unsigned v)
{
	assert_true(m->n < sizeof(m->b));
	m->b[m->n++] = (uint8_t)v;
}

static void put16(struct buf *m, unsigned v)
{
	put8(m, v >> 8);
	put8(m, v & 0xff);
}

static void put24(struct buf *m, size_t v)
{
	put8(m, (unsigned)(v >> 16));
	put16(m, (unsigned)(v & 0xffff));
}

static void putbytes(struct buf *m, const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put8(m, ((const uint8_t *)p)[i]);
}

static void putbuf(struct buf *m, const struct buf *x)
{
	putbytes(m, x->b, x->n);
}

/* One record of `type` holding all of x. */
static void record(struct buf *out, uint8_t type, uint16_t version, const struct buf *x)
{
	put8(out, type);
	put16(out, version);
	put16(out, (unsigned)x->n);
	putbuf(out, x);
}

static void handshake(struct buf *out, uint8_t type, const struct buf *body)
{
	put8(out, type);
	put24(out, body->n);
	putbuf(out, body);
}

static void extension(struct buf *out, unsigned type, const struct buf *data)
{
	put16(out, type);
	put16(out, (unsigned)data->n);
	putbuf(out, data);
}

/* ---- ClientHello ---- */

static void ext_sni(struct buf *exts, const char *host)
{
	struct buf e = { .n = 0 };
	size_t l = strlen(host);
	put16(&e, (unsigned)(3 + l));		/* server_name_list */
	put8(&e, 0);				/* host_name */
	put16(&e, (unsigned)l);
	putbytes(&e, host, l);
	extension(exts, 0, &e);
}

static void ext_alpn(struct buf *exts, const char *const *protos)
{
	struct buf e = { .n = 0 }, list = { .n = 0 };
	for (; *protos; protos++) {
		put8(&list, (unsigned)strlen(*protos));
		putbytes(&list, *protos, strlen(*protos));
	}
	put16(&e, (unsigned)list.n);
	putbuf(&e, &list);
	extension(exts, 16, &e);
}

static void client_hello_body(struct buf *body, const struct buf *exts)
{
	body->n = 0;
	put16(body, 0x0303);			/* legacy_version */
	for (int i = 0; i < 32; i++)
		put8(body, i);			/* random */
	put8(body, 32);				/* legacy_session_id */
	for (int i = 0; i < 32; i++)
		put8(body, 0xa0 + i % 16);
	put16(body, 6);				/* cipher_suites */
	put16(body, 0x1301);
	put16(body, 0x1302);
	put16(body, 0xc02f);
	put8(body, 1);				/* compression: null */
	put8(body, 0);
	if (exts) {
		put16(body, (unsigned)exts->n);
		putbuf(body, exts);
	}
}

static void build_client_hello(struct buf *out, const char *sni)
{
	struct buf exts = { .n = 0 }, body, hs = { .n = 0 };
	static const char *const alpn[] = { "h2", "http/1.1", NULL };
	struct buf sv = { .n = 0 };
	put8(&sv, 4);
	put16(&sv, 0x0304);
	put16(&sv, 0x0303);

	ext_sni(&exts, sni);
	extension(&exts, 43, &sv);		/* supported_versions */
	ext_alpn(&exts, alpn);
	client_hello_body(&body, &exts);
	handshake(&hs, 1, &body);
	out->n = 0;
	record(out, 22, 0x0301, &hs);
}

static int ch_exact(const uint8_t *p, size_t len, struct tls_client_hello *out)
{
	uint8_t *copy = malloc(len ? len : 1);
	assert_non_null(copy);
	memcpy(copy, p, len);
	int r = dissect_tls_client_hello(copy, len, out);
	free(copy);
	return r;
}

static void test_client_hello(void **state)
{
	(void)state;
	struct buf m;
	struct tls_client_hello ch;
	build_client_hello(&m, "Relay-7.Net.AnyDesk.com");

	assert_int_equal(ch_exact(m.b, m.n, &ch), 0);
	assert_int_equal(ch.record_version, 0x0301);
	assert_int_equal(ch.client_version, 0x0303);
	assert_true(ch.has_sni);
	assert_string_equal(ch.sni, "relay-7.net.anydesk.com");
	assert_string_equal(ch.alpn, "h2,http/1.1");
}

/* Every strict prefix is a valid beginning: -EAGAIN, then 0 at the end. */
static void test_client_hello_truncation(void **state)
{
	(void)state;
	struct buf m;
	struct tls_client_hello ch;
	build_client_hello(&m, "example.com");
	for (size_t len = 0; len < m.n; len++)
		assert_int_equal(ch_exact(m.b, len, &ch), -EAGAIN);
	assert_int_equal(ch_exact(m.b, m.n, &ch), 0);
}

/* The handshake message split over two records (RFC 8446 5.1 allows it),
 * and the records themselves cut anywhere. */
static void build_split(struct buf *out, size_t first)
{
	struct buf whole, hs = { .n = 0 }, a = { .n = 0 }, b = { .n = 0 };
	build_client_hello(&whole, "split.example.org");
	putbytes(&hs, whole.b + 5, whole.n - 5);	/* the handshake bytes */
	putbytes(&a, hs.b, first);
	putbytes(&b, hs.b + first, hs.n - first);
	out->n = 0;
	record(out, 22, 0x0301, &a);
	record(out, 22, 0x0301, &b);
}

static void test_client_hello_split_records(void **state)
{
	(void)state;
	struct buf m;
	struct tls_client_hello ch;
	const size_t cuts[] = { 1, 3, 4, 40, 100 };
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		build_split(&m, cuts[i]);
		assert_int_equal(ch_exact(m.b, m.n, &ch), 0);
		assert_string_equal(ch.sni, "split.example.org");
		assert_string_equal(ch.alpn, "h2,http/1.1");
		for (size_t len = 0; len < m.n; len++)
			assert_int_equal(ch_exact(m.b, len, &ch), -EAGAIN);
	}
}

/* A record with more bytes after the ClientHello (early data, a second
 * record) still parses. */
static void test_client_hello_trailing(void **state)
{
	(void)state;
	struct buf m, x = { .n = 0 };
	struct tls_client_hello ch;
	build_client_hello(&m, "a.example");
	put8(&x, 1);
	record(&m, 20, 0x0303, &x);		/* ChangeCipherSpec */
	assert_int_equal(ch_exact(m.b, m.n, &ch), 0);
	assert_string_equal(ch.sni, "a.example");
}

static void test_client_hello_no_extensions(void **state)
{
	(void)state;
	struct buf m = { .n = 0 }, body, hs = { .n = 0 };
	struct tls_client_hello ch;
	client_hello_body(&body, NULL);
	handshake(&hs, 1, &body);
	record(&m, 22, 0x0300, &hs);
	assert_int_equal(ch_exact(m.b, m.n, &ch), 0);
	assert_false(ch.has_sni);
	assert_string_equal(ch.sni, "");
	assert_string_equal(ch.alpn, "");
}

static void test_not_client_hello(void **state)
{
	(void)state;
	struct tls_client_hello ch;
	struct buf m;
	const char *http = "GET / HTTP/1.1\r\n";
	assert_int_equal(ch_exact((const uint8_t *)http, strlen(http), &ch), -EINVAL);
	const char *ssh = "SSH-2.0-OpenSSH_9.2\r\n";
	assert_int_equal(ch_exact((const uint8_t *)ssh, strlen(ssh), &ch), -EINVAL);

	build_client_hello(&m, "x.example");
	m.b[0] = 23;				/* application data */
	assert_int_equal(ch_exact(m.b, m.n, &ch), -EINVAL);
	build_client_hello(&m, "x.example");
	m.b[2] = 5;				/* version 3.5 */
	assert_int_equal(ch_exact(m.b, m.n, &ch), -EINVAL);
	build_client_hello(&m, "x.example");
	m.b[5] = 2;				/* a ServerHello */
	assert_int_equal(ch_exact(m.b, m.n, &ch), -EINVAL);
	build_client_hello(&m, "x.example");
	m.b[3] = 0;				/* record length 0 */
	m.b[4] = 0;
	assert_int_equal(ch_exact(m.b, m.n, &ch), -EINVAL);
	build_client_hello(&m, "x.example");
	m.b[3] = 0x48;				/* record longer than 2^14 */
	assert_int_equal(ch_exact(m.b, m.n, &ch), -EINVAL);
	build_client_hello(&m, "x.example");
	m.b[6] = 0x7f;				/* handshake longer than any reassembly */
	assert_int_equal(ch_exact(m.b, m.n, &ch), -EINVAL);
}

/* Offsets into build_client_hello's output: record 5, handshake 4,
 * version 2, random 32, session id 33, suites 8, compression 2. */
#define CH_EXTS (5 + 4 + 2 + 32 + 33 + 8 + 2)

static void test_extension_length_overflow(void **state)
{
	(void)state;
	struct buf m;
	struct tls_client_hello ch;

	build_client_hello(&m, "x.example");
	m.b[CH_EXTS + 2 + 2] = 0x40;		/* first extension's length: 16 KB */
	assert_int_equal(ch_exact(m.b, m.n, &ch), -EINVAL);

	build_client_hello(&m, "x.example");
	m.b[CH_EXTS + 1] += 1;			/* block length one past the end */
	assert_int_equal(ch_exact(m.b, m.n, &ch), -EINVAL);

	build_client_hello(&m, "x.example");
	m.b[CH_EXTS + 2 + 4 + 1] = 0xff;	/* server_name_list overflows: ignored */
	assert_int_equal(ch_exact(m.b, m.n, &ch), 0);
	assert_false(ch.has_sni);
	assert_string_equal(ch.alpn, "h2,http/1.1");

	build_client_hello(&m, "x.example");
	m.b[CH_EXTS + 2 + 4 + 2 + 1 + 1] = 0xff;	/* host name length overflows */
	assert_int_equal(ch_exact(m.b, m.n, &ch), 0);
	assert_false(ch.has_sni);

	build_client_hello(&m, "x.example");
	m.b[5 + 4 + 2 + 32] = 33;		/* session id longer than 32 */
	assert_int_equal(ch_exact(m.b, m.n, &ch), -EINVAL);

	build_client_hello(&m, "x.example");
	m.b[5 + 4 + 2 + 32 + 33 + 1] = 7;	/* odd cipher suites length */
	assert_int_equal(ch_exact(m.b, m.n, &ch), -EINVAL);
}

/* Long ALPN lists and odd bytes: cut to the buffer, escaped, the joiner
 * never ambiguous. */
static void test_alpn_cut_and_escape(void **state)
{
	(void)state;
	struct buf exts = { .n = 0 }, body, hs = { .n = 0 }, m = { .n = 0 };
	struct tls_client_hello ch;
	static const char *const many[] = {
		"protocol-number-one-0123456789", "protocol-number-two-0123456789",
		"protocol-number-three-0123456789", "protocol-number-four-0123456789",
		"protocol-number-five-0123456789", NULL,
	};
	ext_alpn(&exts, many);
	client_hello_body(&body, &exts);
	handshake(&hs, 1, &body);
	record(&m, 22, 0x0301, &hs);
	assert_int_equal(ch_exact(m.b, m.n, &ch), 0);
	assert_true(strlen(ch.alpn) < sizeof(ch.alpn));
	assert_true(strncmp(ch.alpn, "protocol-number-one-0123456789,protocol", 39) == 0);

	static const char *const odd[] = { "a,b", "x\ny", NULL };
	exts.n = 0;
	ext_alpn(&exts, odd);
	ext_sni(&exts, "ev\x01l.example");
	client_hello_body(&body, &exts);
	hs.n = m.n = 0;
	handshake(&hs, 1, &body);
	record(&m, 22, 0x0301, &hs);
	assert_int_equal(ch_exact(m.b, m.n, &ch), 0);
	assert_string_equal(ch.alpn, "a\\044b,x\\010y");
	assert_string_equal(ch.sni, "ev\\001l.example");
}

/* ---- DER certificate and server flight ---- */

/* A DER element: tag, definite length (short or long form), content. */
static void der(struct buf *out, uint8_t tag, const struct buf *content)
{
	put8(out, tag);
	size_t n = content->n;
	if (n < 0x80) {
		put8(out, (unsigned)n);
	} else if (n < 0x100) {
		put8(out, 0x81);
		put8(out, (unsigned)n);
	} else {
		put8(out, 0x82);
		put16(out, (unsigned)n);
	}
	putbuf(out, content);
}

static void der_raw(struct buf *out, uint8_t tag, const void *p, size_t n)
{
	struct buf c = { .n = 0 };
	putbytes(&c, p, n);
	der(out, tag, &c);
}

static const uint8_t OID_C[] = { 0x55, 0x04, 0x06 };
static const uint8_t OID_O[] = { 0x55, 0x04, 0x0a };
static const uint8_t OID_CN[] = { 0x55, 0x04, 0x03 };

static void rdn(struct buf *name, const uint8_t *oid, uint8_t strtag, const void *v, size_t n)
{
	struct buf atv = { .n = 0 }, set = { .n = 0 };
	der_raw(&atv, 0x06, oid, 3);
	der_raw(&atv, strtag, v, n);
	der(&set, 0x30, &atv);
	der(name, 0x31, &set);
}

static void x509_name(struct buf *out, const char *c, const char *o, const char *cn)
{
	struct buf rdns = { .n = 0 };
	if (c)
		rdn(&rdns, OID_C, 0x13, c, strlen(c));
	if (o)
		rdn(&rdns, OID_O, 0x0c, o, strlen(o));
	if (cn)
		rdn(&rdns, OID_CN, 0x0c, cn, strlen(cn));
	der(out, 0x30, &rdns);
}

/* A certificate with the given names; v1 omits the [0] version. */
static void build_cert(struct buf *out, bool v3, const struct buf *issuer,
		       const struct buf *subject)
{
	struct buf tbs = { .n = 0 }, t = { .n = 0 }, x = { .n = 0 };
	static const uint8_t sha256rsa[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b };
	struct buf alg = { .n = 0 };
	der_raw(&alg, 0x06, sha256rsa, sizeof(sha256rsa));
	der_raw(&alg, 0x05, "", 0);

	if (v3) {
		der_raw(&x, 0x02, "\x02", 1);
		der(&t, 0xa0, &x);
	}
	der_raw(&t, 0x02, "\x0d\xbf\x15\x2d\xea\xf0\xb9\x81", 8);	/* serial */
	der(&t, 0x30, &alg);
	putbuf(&t, issuer);
	x.n = 0;
	der_raw(&x, 0x17, "240101000000Z", 13);
	der_raw(&x, 0x17, "340101000000Z", 13);
	der(&t, 0x30, &x);
	putbuf(&t, subject);
	x.n = 0;					/* a dummy SubjectPublicKeyInfo */
	struct buf key = { .n = 0 };
	for (int i = 0; i < 300; i++)
		put8(&key, (unsigned)(i * 7));
	der(&x, 0x03, &key);
	der(&t, 0x30, &x);
	der(&tbs, 0x30, &t);

	struct buf c = { .n = 0 };
	putbuf(&c, &tbs);
	der(&c, 0x30, &alg);
	der(&c, 0x03, &key);
	out->n = 0;
	der(out, 0x30, &c);
}

static void server_hello(struct buf *hs, uint16_t version, bool tls13)
{
	struct buf body = { .n = 0 }, exts = { .n = 0 }, e = { .n = 0 };
	put16(&body, version);
	for (int i = 0; i < 32; i++)
		put8(&body, 0x55);
	put8(&body, 0);				/* session id */
	put16(&body, tls13 ? 0x1301 : 0xc02f);
	put8(&body, 0);
	put8(&e, 0);				/* renegotiation_info, empty */
	extension(&exts, 0xff01, &e);
	if (tls13) {
		e.n = 0;
		put16(&e, 0x0304);
		extension(&exts, 43, &e);
	}
	put16(&body, (unsigned)exts.n);
	putbuf(&body, &exts);
	handshake(hs, 2, &body);
}

static void certificate_msg(struct buf *hs, const struct buf *cert)
{
	struct buf body = { .n = 0 }, second = { .n = 0 };
	putbytes(&second, "\x30\x03\x02\x01\x01", 5);	/* a second, tiny "cert" */
	put24(&body, 3 + cert->n + 3 + second.n);
	put24(&body, cert->n);
	putbuf(&body, cert);
	put24(&body, second.n);
	putbuf(&body, &second);
	handshake(hs, 11, &body);
}

static void anydesk_cert(struct buf *cert)
{
	struct buf issuer = { .n = 0 }, subject = { .n = 0 };
	x509_name(&issuer, "DE", "Test Issuer GmbH", "Test Issuer CA");
	x509_name(&subject, "DE", "philandro Software GmbH", "AnyNet Relay");
	build_cert(cert, true, &issuer, &subject);
}

/* ServerHello, Certificate, ServerHelloDone in one record, or one record
 * per message. */
static void build_server_flight(struct buf *out, const struct buf *cert, bool split)
{
	struct buf hs = { .n = 0 }, a = { .n = 0 }, b = { .n = 0 }, c = { .n = 0 };
	server_hello(&a, 0x0303, false);
	certificate_msg(&b, cert);
	put8(&c, 14);
	put24(&c, 0);
	out->n = 0;
	if (split) {
		record(out, 22, 0x0303, &a);
		record(out, 22, 0x0303, &b);
		record(out, 22, 0x0303, &c);
		return;
	}
	putbuf(&hs, &a);
	putbuf(&hs, &b);
	putbuf(&hs, &c);
	record(out, 22, 0x0303, &hs);
}

static int sc_exact(const uint8_t *p, size_t len, struct tls_server_cert *out)
{
	uint8_t *copy = malloc(len ? len : 1);
	assert_non_null(copy);
	memcpy(copy, p, len);
	int r = dissect_tls_server_cert(copy, len, out);
	free(copy);
	return r;
}

static void test_server_cert(void **state)
{
	(void)state;
	struct buf cert, m;
	struct tls_server_cert sc;
	anydesk_cert(&cert);
	for (int split = 0; split < 2; split++) {
		build_server_flight(&m, &cert, split);
		assert_int_equal(sc_exact(m.b, m.n, &sc), 0);
		assert_int_equal(sc.version, 0x0303);
		assert_string_equal(sc.subject_cn, "AnyNet Relay");
		assert_string_equal(sc.subject_o, "philandro Software GmbH");
		assert_string_equal(sc.issuer_cn, "Test Issuer CA");
	}
}

/* Cut anywhere: -EAGAIN until the subject has arrived, then 0 with the
 * right names, and never anything else. */
static void test_server_cert_truncation(void **state)
{
	(void)state;
	struct buf cert, m;
	struct tls_server_cert sc;
	anydesk_cert(&cert);
	for (int split = 0; split < 2; split++) {
		build_server_flight(&m, &cert, split);
		size_t first_ok = 0;
		for (size_t len = 0; len <= m.n; len++) {
			int r = sc_exact(m.b, len, &sc);
			if (first_ok == 0 && r == 0)
				first_ok = len;
			if (first_ok) {
				assert_int_equal(r, 0);
				assert_string_equal(sc.subject_cn, "AnyNet Relay");
			} else {
				assert_int_equal(r, -EAGAIN);
			}
		}
		/* The subject ends before the public key (300+ bytes) and
		 * the signature, so the names arrive well before the end. */
		assert_true(first_ok > 0 && first_ok < m.n - 600);
	}
}

static void test_server_cert_v1_and_bmp(void **state)
{
	(void)state;
	struct buf cert, m, issuer = { .n = 0 }, subject = { .n = 0 }, rdns = { .n = 0 };
	struct tls_server_cert sc;
	x509_name(&issuer, NULL, NULL, "Old CA");
	rdn(&rdns, OID_CN, 0x1e, "\x00t\x00i\x00n\x00y\x00p\x00i\x00l\x00o\x00t", 18);
	der(&subject, 0x30, &rdns);
	build_cert(&cert, false, &issuer, &subject);
	build_server_flight(&m, &cert, false);
	assert_int_equal(sc_exact(m.b, m.n, &sc), 0);
	assert_string_equal(sc.subject_cn, "tinypilot");
	assert_string_equal(sc.subject_o, "");
	assert_string_equal(sc.issuer_cn, "Old CA");
}

/* TLS 1.3: the certificate is encrypted, nothing to read. */
static void test_server_tls13(void **state)
{
	(void)state;
	struct buf hs = { .n = 0 }, m = { .n = 0 }, ccs = { .n = 0 }, app = { .n = 0 };
	struct tls_server_cert sc;
	server_hello(&hs, 0x0303, true);
	record(&m, 22, 0x0303, &hs);
	put8(&ccs, 1);
	record(&m, 20, 0x0303, &ccs);
	for (int i = 0; i < 50; i++)
		put8(&app, (unsigned)i);
	record(&m, 23, 0x0303, &app);
	assert_int_equal(sc_exact(m.b, m.n, &sc), -EINVAL);
	assert_int_equal(sc.version, 0x0304);
}

/* Session resumption: ServerHello then ChangeCipherSpec, no certificate. */
static void test_server_resumption(void **state)
{
	(void)state;
	struct buf hs = { .n = 0 }, m = { .n = 0 }, ccs = { .n = 0 };
	struct tls_server_cert sc;
	server_hello(&hs, 0x0303, false);
	record(&m, 22, 0x0303, &hs);
	assert_int_equal(sc_exact(m.b, m.n, &sc), -EAGAIN);	/* could still come */
	put8(&ccs, 1);
	record(&m, 20, 0x0303, &ccs);
	assert_int_equal(sc_exact(m.b, m.n, &sc), -EINVAL);
}

/* An empty certificate_list (RFC 5246 7.4.2 allows it for a client;
 * a server flight carrying one has nothing to read). */
static void test_server_empty_certificate_list(void **state)
{
	(void)state;
	struct buf hs = { .n = 0 }, body = { .n = 0 }, m = { .n = 0 };
	struct tls_server_cert sc;
	server_hello(&hs, 0x0303, false);
	put24(&body, 0);
	handshake(&hs, 11, &body);
	record(&m, 22, 0x0303, &hs);
	assert_int_equal(sc_exact(m.b, m.n, &sc), -EINVAL);
}

static void test_server_not_hello(void **state)
{
	(void)state;
	struct buf cert, m;
	struct tls_server_cert sc;
	anydesk_cert(&cert);
	build_server_flight(&m, &cert, false);
	m.b[5] = 1;				/* a ClientHello */
	assert_int_equal(sc_exact(m.b, m.n, &sc), -EINVAL);
	const char *rfb = "RFB 003.008\n";
	assert_int_equal(sc_exact((const uint8_t *)rfb, 12, &sc), -EINVAL);
}

/* Locate the subject Name's SEQUENCE in a flight built with the AnyDesk
 * certificate: the first "30 xx 31" after the validity's two UTCTimes. */
static size_t find_bytes(const struct buf *m, const void *needle, size_t n)
{
	for (size_t i = 0; i + n <= m->n; i++)
		if (memcmp(m->b + i, needle, n) == 0)
			return i;
	fail_msg("pattern not found");
	return 0;
}

static void test_der_hostile_lengths(void **state)
{
	(void)state;
	struct buf cert, m;
	struct tls_server_cert sc;
	anydesk_cert(&cert);
	build_server_flight(&m, &cert, false);
	/* The subject is the Name right after "340101000000Z". */
	size_t v = find_bytes(&m, "340101000000Z", 13) + 13;
	assert_int_equal(m.b[v], 0x30);

	struct buf bad = m;
	bad.b[v + 1] = 0x84;			/* 4-byte long-form length */
	assert_int_equal(sc_exact(bad.b, bad.n, &sc), -EINVAL);
	bad = m;
	bad.b[v + 1] = 0x80;			/* indefinite length: not DER */
	assert_int_equal(sc_exact(bad.b, bad.n, &sc), -EINVAL);
	bad = m;
	bad.b[v + 1] = 0x7f;			/* longer than its parent */
	assert_int_equal(sc_exact(bad.b, bad.n, &sc), -EINVAL);
	bad = m;
	bad.b[v] = 0x1f;			/* high-tag-number form */
	assert_int_equal(sc_exact(bad.b, bad.n, &sc), -EINVAL);

	/* The outer certificate length: 0x82 -> 0x84 with 4 bytes 0xff... */
	size_t c = find_bytes(&m, "\x30\x82", 2);
	bad = m;
	bad.b[c + 1] = 0x84;
	assert_int_equal(sc_exact(bad.b, bad.n, &sc), -EINVAL);

	/* The certificate list length disagreeing with the message. */
	size_t hs_cert = 5 + 4 + ((size_t)m.b[6] << 16 | (size_t)m.b[7] << 8 | m.b[8]);
	assert_int_equal(m.b[hs_cert], 11);
	bad = m;
	bad.b[hs_cert + 6] ^= 0x01;
	assert_int_equal(sc_exact(bad.b, bad.n, &sc), -EINVAL);
	/* The first certificate claiming more than the list holds. */
	bad = m;
	bad.b[hs_cert + 7] = 0x7f;
	assert_int_equal(sc_exact(bad.b, bad.n, &sc), -EINVAL);
}

/* Every single-byte corruption of a valid flight: any return, no crash,
 * names always NUL-terminated printable text. */
static void test_server_mutations(void **state)
{
	(void)state;
	struct buf cert, m;
	struct tls_server_cert sc;
	anydesk_cert(&cert);
	build_server_flight(&m, &cert, false);
	for (size_t i = 0; i < m.n; i++) {
		for (unsigned x = 1; x < 256; x <<= 2) {
			struct buf bad = m;
			bad.b[i] ^= (uint8_t)x;
			int r = sc_exact(bad.b, bad.n, &sc);
			assert_true(r == 0 || r == -EINVAL || r == -EAGAIN);
			if (r == 0) {
				assert_true(strlen(sc.subject_cn) < sizeof(sc.subject_cn));
				for (const char *s = sc.subject_cn; *s; s++)
					assert_true(*s >= 0x20 && *s < 0x7f);
			}
		}
	}
}

static void test_client_hello_mutations(void **state)
{
	(void)state;
	struct buf m;
	struct tls_client_hello ch;
	build_client_hello(&m, "mut.example");
	for (size_t i = 0; i < m.n; i++) {
		for (unsigned x = 1; x < 256; x <<= 1) {
			struct buf bad = m;
			bad.b[i] ^= (uint8_t)x;
			int r = ch_exact(bad.b, bad.n, &ch);
			assert_true(r == 0 || r == -EINVAL || r == -EAGAIN);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_client_hello),
		cmocka_unit_test(test_client_hello_truncation),
		cmocka_unit_test(test_client_hello_split_records),
		cmocka_unit_test(test_client_hello_trailing),
		cmocka_unit_test(test_client_hello_no_extensions),
		cmocka_unit_test(test_not_client_hello),
		cmocka_unit_test(test_extension_length_overflow),
		cmocka_unit_test(test_alpn_cut_and_escape),
		cmocka_unit_test(test_client_hello_mutations),
		cmocka_unit_test(test_server_cert),
		cmocka_unit_test(test_server_cert_truncation),
		cmocka_unit_test(test_server_cert_v1_and_bmp),
		cmocka_unit_test(test_server_tls13),
		cmocka_unit_test(test_server_resumption),
		cmocka_unit_test(test_server_empty_certificate_list),
		cmocka_unit_test(test_server_not_hello),
		cmocka_unit_test(test_der_hostile_lengths),
		cmocka_unit_test(test_server_mutations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
