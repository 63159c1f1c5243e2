/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dissect_tls.c - the cleartext start of a TLS connection: the client's
 * ClientHello (server name and ALPN, RFC 8446 4.1.2, RFC 6066 3, RFC 7301
 * 3.1) and, in TLS 1.2 and earlier, the server's first certificate
 * (RFC 5246 7.4.2), read with a bounded DER walk down to the subject and
 * issuer names (RFC 5280 4.1).
 *
 * Both sides begin the same way: handshake records (type 22) whose
 * fragments, concatenated, form the handshake messages; one message may
 * be split over several records (RFC 8446 5.1).  tls_gather() copies the
 * fragments of consecutive handshake records into one stack buffer of at
 * most TLS_REASSEMBLY_MAX bytes, but only when the message really spans
 * records: the common case (one record) is parsed in place.
 *
 * -EAGAIN means every byte so far is consistent and more are needed; the
 * caller buffers up to TLS_REASSEMBLY_MAX and calls again.  Anything that
 * cannot be TLS, or claims lengths that do not nest, is -EINVAL.
 */
#include <errno.h>
#include <string.h>

#include "dissect.h"

#define TLS_RECORD_HEADER 5
#define TLS_RECORD_MAX 16384		/* plaintext fragment, RFC 8446 5.1 */
#define TLS_CT_CCS 20
#define TLS_CT_ALERT 21
#define TLS_CT_HANDSHAKE 22
#define TLS_HS_CLIENT_HELLO 1
#define TLS_HS_SERVER_HELLO 2
#define TLS_HS_CERTIFICATE 11
#define TLS_EXT_SERVER_NAME 0
#define TLS_EXT_ALPN 16
#define TLS_EXT_SUPPORTED_VERSIONS 43
#define TLS_VERSION_13 0x0304

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static size_t get24(const uint8_t *p)
{
	return (size_t)p[0] << 16 | (size_t)p[1] << 8 | p[2];
}

/* ---- text ---- */

struct textbuf {
	char *s;
	size_t size, n;
	bool full;
};

static void tb_init(struct textbuf *tb, char *s, size_t size)
{
	tb->s = s;
	tb->size = size;
	tb->n = 0;
	tb->full = false;
	s[0] = '\0';
}

/* Printable ASCII as is (lower-cased on request), anything else and the
 * characters in `escape` as \DDD; an escape is written whole or not at
 * all, and nothing is written after the first cut. */
static void tb_put(struct textbuf *tb, uint8_t c, bool lower, const char *escape)
{
	bool plain = c >= 0x20 && c < 0x7f && c != '\\' && !(c && strchr(escape, c));
	size_t need = plain ? 1 : 4;

	if (tb->full || tb->n + need >= tb->size) {
		tb->full = true;
		return;
	}
	if (plain) {
		if (lower && c >= 'A' && c <= 'Z')
			c = (uint8_t)(c - 'A' + 'a');
		tb->s[tb->n++] = (char)c;
	} else {
		tb->s[tb->n++] = '\\';
		tb->s[tb->n++] = (char)('0' + c / 100);
		tb->s[tb->n++] = (char)('0' + c / 10 % 10);
		tb->s[tb->n++] = (char)('0' + c % 10);
	}
	tb->s[tb->n] = '\0';
}

/* ---- records ---- */

/* A plausible record header: content type, version 3.x with x <= 4
 * (SSL 3.0 .. TLS 1.3 legacy versions), length 1..2^14. */
static int tls_record_header(const uint8_t *p, size_t len, uint8_t type, size_t *reclen)
{
	if (len >= 1 && p[0] != type)
		return -EINVAL;
	if (len >= 2 && p[1] != 3)
		return -EINVAL;
	if (len >= 3 && p[2] > 4)
		return -EINVAL;
	if (len < TLS_RECORD_HEADER)
		return -EAGAIN;
	*reclen = get16(p + 3);
	if (*reclen == 0 || *reclen > TLS_RECORD_MAX)
		return -EINVAL;
	return 0;
}

/*
 * The handshake bytes at the start of p: *hs points at them, *hslen is how
 * many are available.  One record: in place.  More: copied into buf (the
 * fragments of consecutive handshake records, the last one possibly
 * partial).  *more says whether later bytes may still arrive (false when
 * a non-handshake record, e.g. ChangeCipherSpec, ended the run).
 */
static int tls_gather(const uint8_t *p, size_t len, uint8_t *buf, size_t need,
		      const uint8_t **hs, size_t *hslen, bool *more)
{
	size_t reclen, pos = 0, n = 0;
	int r = tls_record_header(p, len, TLS_CT_HANDSHAKE, &reclen);

	if (r < 0)
		return r;
	*more = true;
	if (TLS_RECORD_HEADER + reclen >= len || reclen >= need) {
		*hs = p + TLS_RECORD_HEADER;
		*hslen = len - TLS_RECORD_HEADER < reclen ? len - TLS_RECORD_HEADER : reclen;
		return 0;
	}
	/* Each record holds at least one byte, so this ends with the buffer. */
	while (pos < len && n < need && n < TLS_REASSEMBLY_MAX) {
		r = tls_record_header(p + pos, len - pos, TLS_CT_HANDSHAKE, &reclen);
		if (r == -EAGAIN)
			break;
		if (r < 0) {
			if (pos == 0)
				return r;
			*more = false;	/* e.g. ChangeCipherSpec: no more handshake */
			break;
		}
		size_t avail = len - pos - TLS_RECORD_HEADER;
		size_t take = avail < reclen ? avail : reclen;
		if (take > TLS_REASSEMBLY_MAX - n)
			take = TLS_REASSEMBLY_MAX - n;
		memcpy(buf + n, p + pos + TLS_RECORD_HEADER, take);
		n += take;
		pos += TLS_RECORD_HEADER + reclen;
	}
	*hs = buf;
	*hslen = n;
	return 0;
}

/* ---- ClientHello ---- */

static void tls_read_sni(const uint8_t *e, size_t elen, struct tls_client_hello *out)
{
	if (elen < 2)
		return;
	size_t list = get16(e), pos = 2;
	if (list > elen - 2)
		return;
	/* Entries: type(1) length(2) name; the first host_name (type 0). */
	while (pos + 3 <= 2 + list) {
		size_t n = get16(e + pos + 1);
		if (n > 2 + list - pos - 3)
			return;
		if (e[pos] == 0) {
			struct textbuf tb;
			tb_init(&tb, out->sni, sizeof(out->sni));
			for (size_t i = 0; i < n; i++)
				tb_put(&tb, e[pos + 3 + i], true, "");
			out->has_sni = true;
			return;
		}
		pos += 3 + n;
	}
}

static void tls_read_alpn(const uint8_t *e, size_t elen, struct tls_client_hello *out)
{
	if (elen < 2)
		return;
	size_t list = get16(e), pos = 2;
	if (list > elen - 2)
		return;
	struct textbuf tb;
	tb_init(&tb, out->alpn, sizeof(out->alpn));
	while (pos < 2 + list) {
		size_t n = e[pos];
		if (n > 2 + list - pos - 1)
			return;
		if (tb.n > 0)
			tb_put(&tb, ',', false, "");
		for (size_t i = 0; i < n; i++)
			tb_put(&tb, e[pos + 1 + i], false, ",");	/* ',' is the joiner */
		pos += 1 + n;
	}
}

/* Extensions block at b (RFC 8446 4.2): every length must nest. */
static int tls_hello_extensions(const uint8_t *b, size_t len, struct tls_client_hello *out)
{
	if (len == 0)
		return 0;	/* no extensions at all (SSL 3.0 style) */
	if (len < 2 || get16(b) != len - 2)
		return -EINVAL;
	size_t pos = 2;
	while (pos < len) {
		if (len - pos < 4)
			return -EINVAL;
		uint16_t type = get16(b + pos);
		size_t elen = get16(b + pos + 2);
		if (elen > len - pos - 4)
			return -EINVAL;
		if (type == TLS_EXT_SERVER_NAME && !out->has_sni)
			tls_read_sni(b + pos + 4, elen, out);
		else if (type == TLS_EXT_ALPN)
			tls_read_alpn(b + pos + 4, elen, out);
		pos += 4 + elen;
	}
	return 0;
}

/* The body of a ClientHello (after the 4-byte handshake header). */
static int tls_client_hello_body(const uint8_t *b, size_t len, struct tls_client_hello *out)
{
	size_t pos = 2 + 32;		/* client_version, random */

	if (len < pos + 1)
		return -EINVAL;
	out->client_version = get16(b);
	if (b[pos] > 32 || len - pos - 1 < b[pos])	/* session id */
		return -EINVAL;
	pos += 1 + b[pos];
	if (len - pos < 2)
		return -EINVAL;
	size_t cs = get16(b + pos);	/* cipher suites: even, non-empty */
	if (cs < 2 || cs % 2 || cs > len - pos - 2)
		return -EINVAL;
	pos += 2 + cs;
	if (len - pos < 1 || b[pos] < 1 || b[pos] > len - pos - 1)
		return -EINVAL;		/* compression methods */
	pos += 1 + b[pos];
	return tls_hello_extensions(b + pos, len - pos, out);
}

int dissect_tls_client_hello(const uint8_t *p, size_t len, struct tls_client_hello *out)
{
	uint8_t buf[TLS_REASSEMBLY_MAX];
	const uint8_t *hs;
	size_t hslen, need = 4;
	bool more;

	out->record_version = 0;
	out->client_version = 0;
	out->has_sni = false;
	out->sni[0] = '\0';
	out->alpn[0] = '\0';

	/* First the handshake header, then the whole message. */
	for (int pass = 0; pass < 2; pass++) {
		int r = tls_gather(p, len, buf, need, &hs, &hslen, &more);
		if (r < 0)
			return r;
		if (hslen >= 1 && hs[0] != TLS_HS_CLIENT_HELLO)
			return -EINVAL;
		if (hslen < 4)
			return more ? -EAGAIN : -EINVAL;
		size_t body = get24(hs + 1);
		if (body < 2 + 32 + 1 + 2 + 2 + 1 ||
		    body > TLS_REASSEMBLY_MAX - 4 - TLS_RECORD_HEADER)
			return -EINVAL;
		need = 4 + body;
		if (pass == 0)
			continue;
		if (hslen < need)
			return more ? -EAGAIN : -EINVAL;
		out->record_version = get16(p + 1);
		return tls_client_hello_body(hs + 4, body, out);
	}
	return -EINVAL;
}

/* ---- DER (X.690 8.1), bounded ---- */

/*
 * A DER cursor over [pos, end): end is where the enclosing element ends
 * by its declared length; avail is how many bytes of the certificate the
 * caller actually has.  Reading past end is -EINVAL (lengths do not
 * nest), reading past avail but within end is -EAGAIN (send more).
 */
struct der {
	const uint8_t *b;
	size_t pos, end, avail;
};

static int der_need(const struct der *d, size_t pos, size_t n)
{
	if (n > d->end - pos)
		return -EINVAL;
	if (pos + n > d->avail)
		return -EAGAIN;
	return 0;
}

/* Read the next element's tag and content length; d->pos is left at the
 * content.  Lengths of more than 3 octets (16 MB) never occur in a
 * certificate a TLS record can carry, and indefinite length is not DER. */
static int der_header(struct der *d, uint8_t *tag, size_t *len)
{
	int r = der_need(d, d->pos, 2);
	if (r < 0)
		return r;
	*tag = d->b[d->pos];
	if ((*tag & 0x1f) == 0x1f)	/* high tag numbers: not in a Name */
		return -EINVAL;
	uint8_t l = d->b[d->pos + 1];
	size_t hdr = 2;
	if (l < 0x80) {
		*len = l;
	} else {
		size_t nbytes = l & 0x7f;
		if (nbytes == 0 || nbytes > 3)
			return -EINVAL;
		if ((r = der_need(d, d->pos + 2, nbytes)) < 0)
			return r;
		*len = 0;
		for (size_t i = 0; i < nbytes; i++)
			*len = *len << 8 | d->b[d->pos + 2 + i];
		hdr += nbytes;
	}
	if (*len > d->end - d->pos - hdr)
		return -EINVAL;
	d->pos += hdr;
	return 0;
}

/* Enter the next element, which must have this tag: *inner covers it. */
static int der_enter(struct der *d, uint8_t want, struct der *inner)
{
	uint8_t tag;
	size_t len;
	int r = der_header(d, &tag, &len);
	if (r < 0)
		return r;
	if (tag != want)
		return -EINVAL;
	*inner = *d;
	inner->end = d->pos + len;
	d->pos += len;
	return 0;
}

static int der_skip(struct der *d, uint8_t want)
{
	struct der inner;
	return der_enter(d, want, &inner);
}

#define DER_SEQUENCE 0x30
#define DER_SET 0x31
#define DER_OID 0x06
#define DER_INTEGER 0x02
#define DER_CTX0 0xa0

/* A directory string into out: UTF8/Printable/IA5/T61 bytes as they are
 * (escaped), BMPString's 16-bit units as one byte when ASCII. */
static void der_string(const uint8_t *v, size_t n, uint8_t tag, char *out, size_t size)
{
	struct textbuf tb;
	tb_init(&tb, out, size);
	if (tag == 0x1e) {		/* BMPString, UCS-2 big-endian */
		for (size_t i = 0; i + 1 < n; i += 2) {
			if (v[i] == 0) {
				tb_put(&tb, v[i + 1], false, "");
			} else {
				tb_put(&tb, v[i], false, "");
				tb_put(&tb, v[i + 1], false, "");
			}
		}
		return;
	}
	for (size_t i = 0; i < n; i++)
		tb_put(&tb, v[i], false, "");
}

static const uint8_t oid_cn[] = { 0x55, 0x04, 0x03 };	/* 2.5.4.3 commonName */
static const uint8_t oid_o[] = { 0x55, 0x04, 0x0a };	/* 2.5.4.10 organizationName */

/* One AttributeTypeAndValue: copy it to cn or o when its type is one of
 * those and the field is still empty (the first one wins). */
static int der_attribute(struct der *set, char *cn, size_t cnsize, char *o, size_t osize)
{
	struct der atv, oid;
	uint8_t tag;
	size_t vlen;
	int r;

	if ((r = der_enter(set, DER_SEQUENCE, &atv)) < 0 ||
	    (r = der_enter(&atv, DER_OID, &oid)) < 0 ||
	    (r = der_need(&oid, oid.pos, oid.end - oid.pos)) < 0 ||
	    (r = der_header(&atv, &tag, &vlen)) < 0 ||
	    (r = der_need(&atv, atv.pos, vlen)) < 0)
		return r;
	size_t olen = oid.end - oid.pos;
	const uint8_t *ob = oid.b + oid.pos, *v = atv.b + atv.pos;
	if (cn && !cn[0] && olen == sizeof(oid_cn) && !memcmp(ob, oid_cn, olen))
		der_string(v, vlen, tag, cn, cnsize);
	else if (o && !o[0] && olen == sizeof(oid_o) && !memcmp(ob, oid_o, olen))
		der_string(v, vlen, tag, o, osize);
	return 0;
}

/* Name ::= SEQUENCE OF SET OF AttributeTypeAndValue.  Every loop step
 * consumes at least two bytes of a bounded element. */
static int der_name(struct der *d, char *cn, size_t cnsize, char *o, size_t osize)
{
	struct der name, set;
	int r = der_enter(d, DER_SEQUENCE, &name);

	if (r < 0)
		return r;
	if (cn)
		cn[0] = '\0';
	if (o)
		o[0] = '\0';
	while (name.pos < name.end) {
		if ((r = der_enter(&name, DER_SET, &set)) < 0)
			return r;
		while (set.pos < set.end)
			if ((r = der_attribute(&set, cn, cnsize, o, osize)) < 0)
				return r;
	}
	return 0;
}

/* Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version
 * OPTIONAL, serialNumber, signature, issuer, validity, subject, ... } } */
static int der_certificate(const uint8_t *c, size_t declared, size_t avail,
			   struct tls_server_cert *out)
{
	struct der top = { c, 0, declared, avail }, cert, tbs;
	int r;

	if ((r = der_enter(&top, DER_SEQUENCE, &cert)) < 0 ||
	    (r = der_enter(&cert, DER_SEQUENCE, &tbs)) < 0)
		return r;
	if ((r = der_need(&tbs, tbs.pos, 1)) < 0)
		return r;
	if (tbs.b[tbs.pos] == DER_CTX0 && (r = der_skip(&tbs, DER_CTX0)) < 0)
		return r;
	if ((r = der_skip(&tbs, DER_INTEGER)) < 0 ||
	    (r = der_skip(&tbs, DER_SEQUENCE)) < 0 ||
	    (r = der_name(&tbs, out->issuer_cn, sizeof(out->issuer_cn), NULL, 0)) < 0 ||
	    (r = der_skip(&tbs, DER_SEQUENCE)) < 0 ||
	    (r = der_name(&tbs, out->subject_cn, sizeof(out->subject_cn),
			  out->subject_o, sizeof(out->subject_o))) < 0)
		return r;
	return 0;
}

/* ---- server flight ---- */

/* ServerHello (RFC 5246 7.4.1.3, RFC 8446 4.1.3): the negotiated version,
 * which is the supported_versions extension's when there is one. */
static int tls_server_hello(const uint8_t *b, size_t len, uint16_t *version)
{
	size_t pos = 2 + 32;

	if (len < pos + 1)
		return -EINVAL;
	*version = get16(b);
	if (b[pos] > 32 || len - pos - 1 < b[pos])
		return -EINVAL;
	pos += 1 + b[pos] + 2 + 1;	/* session id, cipher suite, compression */
	if (pos > len)
		return -EINVAL;
	if (pos == len)
		return 0;
	if (len - pos < 2 || get16(b + pos) != len - pos - 2)
		return -EINVAL;
	for (pos += 2; pos < len;) {
		if (len - pos < 4)
			return -EINVAL;
		uint16_t type = get16(b + pos);
		size_t elen = get16(b + pos + 2);
		if (elen > len - pos - 4)
			return -EINVAL;
		if (type == TLS_EXT_SUPPORTED_VERSIONS && elen == 2)
			*version = get16(b + pos + 4);
		pos += 4 + elen;
	}
	return 0;
}

/* Certificate message body: certificate_list<3>, then the first cert<3>. */
static int tls_first_certificate(const uint8_t *b, size_t declared, size_t avail,
				 struct tls_server_cert *out)
{
	if (declared < 6)
		return -EINVAL;		/* an empty list: no certificate */
	if (avail < 6)
		return -EAGAIN;
	size_t list = get24(b), clen = get24(b + 3);
	if (declared < 3 || list != declared - 3 || list < 3 || clen > list - 3 || clen == 0)
		return -EINVAL;
	return der_certificate(b + 6, clen, avail - 6, out);
}

int dissect_tls_server_cert(const uint8_t *p, size_t len, struct tls_server_cert *out)
{
	uint8_t buf[TLS_REASSEMBLY_MAX];
	const uint8_t *hs;
	size_t hslen, pos = 0;
	bool more, hello = false;

	out->version = 0;
	out->subject_cn[0] = out->subject_o[0] = out->issuer_cn[0] = '\0';
	int r = tls_gather(p, len, buf, TLS_REASSEMBLY_MAX, &hs, &hslen, &more);
	if (r < 0)
		return r;
	/* Messages in order: ServerHello, then Certificate.  Each step
	 * consumes its header, so the loop ends with the buffer. */
	for (;;) {
		if (hslen - pos < 4)
			return more ? -EAGAIN : -EINVAL;
		uint8_t type = hs[pos];
		size_t body = get24(hs + pos + 1), have = hslen - pos - 4;
		const uint8_t *b = hs + pos + 4;
		if (!hello) {
			if (type != TLS_HS_SERVER_HELLO)
				return -EINVAL;
			if (have < body)
				return more ? -EAGAIN : -EINVAL;
			if ((r = tls_server_hello(b, body, &out->version)) < 0)
				return r;
			if (out->version >= TLS_VERSION_13)
				return -EINVAL;	/* the certificate is encrypted */
			hello = true;
			pos += 4 + body;
			continue;
		}
		if (type != TLS_HS_CERTIFICATE)
			return -EINVAL;		/* resumption, anonymous, PSK */
		r = tls_first_certificate(b, body, have < body ? have : body, out);
		if (r == -EAGAIN && !more)
			return -EINVAL;
		return r;
	}
}
