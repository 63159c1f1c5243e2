/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_dissect_dns.c - DNS/mDNS/LLMNR and NetBIOS-NS dissectors
 * (collectors/net/dissect_dns.c).
 *
 * Messages are assembled here field by field from RFC 1035 4.1 (header,
 * question, resource record, 4.1.4 compression), RFC 6762 (mDNS: QU and
 * cache-flush bits, DNS-SD names of RFC 6763) and RFC 1002 4.2 (NetBIOS
 * name service, first-level encoding of RFC 1001 14.1).  The PiKVM names
 * follow the project's signal catalog (pikvm/kvmd kvmd-bootconfig:
 * "_pikvm._tcp", "pikvm-<serial>.local").  Hostile inputs: every
 * truncation, compression loops, forward pointers, over-long names and
 * labels, bad NetBIOS encodings.  Truncated copies live in heap buffers
 * of exactly their length, so an over-read is an ASan error, not luck.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "collectors/net/dissect.h"

struct msg {
	uint8_t b[4096];
	size_t n;
};

static void put8(struct msg *m, unsigned v)
{
	assert_true(m->n < sizeof(m->b));
	m->b[m->n++] = (uint8_t)v;
}

static void put16(struct msg *m, unsigned v)
{
	put8(m, v >> 8);
	put8(m, v & 0xff);
}

static void put32(struct msg *m, uint32_t v)
{
	put16(m, v >> 16);
	put16(m, v & 0xffff);
}

static void putbytes(struct msg *m, const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put8(m, ((const uint8_t *)p)[i]);
}

/* Labels of a dotted name, without the terminating root. */
static void putlabels(struct msg *m, const char *name)
{
	while (*name) {
		const char *dot = strchr(name, '.');
		size_t l = dot ? (size_t)(dot - name) : strlen(name);
		put8(m, (unsigned)l);
		putbytes(m, name, l);
		name += l + (dot ? 1 : 0);
	}
}

static void putname(struct msg *m, const char *name)
{
	putlabels(m, name);
	put8(m, 0);
}

static void putptr(struct msg *m, size_t off)
{
	put16(m, 0xc000 | (unsigned)off);
}

static void header(struct msg *m, unsigned id, unsigned flags, unsigned qd,
		   unsigned an, unsigned ns, unsigned ar)
{
	m->n = 0;
	put16(m, id);
	put16(m, flags);
	put16(m, qd);
	put16(m, an);
	put16(m, ns);
	put16(m, ar);
}

/* Type, class, TTL; the caller then writes rdlength and rdata. */
static void rrhead(struct msg *m, unsigned type, unsigned rclass, uint32_t ttl)
{
	put16(m, type);
	put16(m, rclass);
	put32(m, ttl);
}

/* Patch a 16-bit rdlength at `at` to cover up to the current end. */
static void fix_rdlen(struct msg *m, size_t at)
{
	size_t n = m->n - at - 2;
	m->b[at] = (uint8_t)(n >> 8);
	m->b[at + 1] = (uint8_t)n;
}

static int dns_exact(const uint8_t *p, size_t len, struct dns_message *out)
{
	uint8_t *copy = malloc(len ? len : 1);
	assert_non_null(copy);
	memcpy(copy, p, len);
	int r = dissect_dns(copy, len, out);
	free(copy);
	return r;
}

static struct dns_message dm;	/* 9 KB: off the test's stack */

/* ---- plain DNS ---- */

static void test_query(void **state)
{
	(void)state;
	struct msg m;
	header(&m, 0x1234, 0x0100, 1, 0, 0, 0);	/* RD */
	putname(&m, "Relay-01.AnyDesk.com");
	put16(&m, 1);
	put16(&m, 1);

	assert_int_equal(dns_exact(m.b, m.n, &dm), 0);
	assert_int_equal(dm.id, 0x1234);
	assert_false(dm.response);
	assert_int_equal(dm.opcode, 0);
	assert_int_equal(dm.nquestions, 1);
	assert_int_equal(dm.nrrs, 0);
	assert_string_equal(dm.questions[0].name, "relay-01.anydesk.com");
	assert_int_equal(dm.questions[0].type, 1);
	assert_int_equal(dm.questions[0].qclass, 1);
}

/* A response with compressed names in owners and in rdata. */
static void build_response(struct msg *m)
{
	header(m, 0xbeef, 0x8183, 1, 3, 0, 0);	/* QR, RD, RA, rcode 3 */
	putname(m, "www.rustdesk.com");		/* at 12 */
	put16(m, 1);
	put16(m, 1);
	/* www.rustdesk.com CNAME rs-ny.rustdesk.com */
	putptr(m, 12);
	rrhead(m, 5, 1, 300);
	size_t at = m->n;
	put16(m, 0);
	putlabels(m, "rs-ny");
	putptr(m, 16);			/* "rustdesk.com" inside the question */
	fix_rdlen(m, at);
	/* rs-ny.rustdesk.com A 192.0.2.7 */
	putptr(m, at + 2);
	rrhead(m, 1, 1, 60);
	put16(m, 4);
	putbytes(m, "\xc0\x00\x02\x07", 4);
	/* rs-ny.rustdesk.com AAAA 2001:db8::7 */
	putptr(m, at + 2);
	rrhead(m, 28, 1, 60);
	put16(m, 16);
	putbytes(m, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x07", 16);
}

static void test_response_compression(void **state)
{
	(void)state;
	struct msg m;
	build_response(&m);

	assert_int_equal(dns_exact(m.b, m.n, &dm), 0);
	assert_true(dm.response);
	assert_int_equal(dm.rcode, 3);
	assert_int_equal(dm.nrrs, 3);
	assert_string_equal(dm.rrs[0].name, "www.rustdesk.com");
	assert_int_equal(dm.rrs[0].type, 5);
	assert_int_equal(dm.rrs[0].ttl, 300);
	assert_string_equal(dm.rrs[0].target, "rs-ny.rustdesk.com");
	assert_int_equal(dm.rrs[0].addr.family, 0);
	assert_string_equal(dm.rrs[1].name, "rs-ny.rustdesk.com");
	assert_int_equal(dm.rrs[1].addr.family, AF_INET);
	assert_memory_equal(dm.rrs[1].addr.bytes, "\xc0\x00\x02\x07", 4);
	assert_int_equal(dm.rrs[2].type, 28);
	assert_int_equal(dm.rrs[2].addr.family, AF_INET6);
	assert_int_equal(dm.rrs[2].addr.bytes[15], 7);
}

/* Every strict prefix of a valid message is malformed, never a crash. */
static void test_truncation(void **state)
{
	(void)state;
	struct msg m;
	build_response(&m);
	for (size_t len = 0; len < m.n; len++)
		assert_int_equal(dns_exact(m.b, len, &dm), -EINVAL);
	assert_int_equal(dns_exact(m.b, m.n, &dm), 0);
}

/* The dissector writes only the entries below its counts. */
static void test_touches_only_counted_entries(void **state)
{
	(void)state;
	struct msg m;
	header(&m, 1, 0, 1, 0, 0, 0);
	putname(&m, "a.example");
	put16(&m, 1);
	put16(&m, 1);

	memset(&dm, 0xa5, sizeof(dm));
	assert_int_equal(dns_exact(m.b, m.n, &dm), 0);
	assert_int_equal(dm.nquestions, 1);
	assert_int_equal(dm.nrrs, 0);
	const uint8_t *rest = (const uint8_t *)&dm.questions[1];
	const uint8_t *end = (const uint8_t *)&dm.nrrs;
	for (const uint8_t *q = rest; q < end; q++)
		assert_int_equal(*q, 0xa5);
	rest = (const uint8_t *)&dm.rrs[0];
	end = (const uint8_t *)(&dm + 1);
	for (const uint8_t *q = rest; q < end; q++)
		assert_int_equal(*q, 0xa5);
}

/* More questions than kept: the rest are skipped and the answer found. */
static void test_many_questions(void **state)
{
	(void)state;
	struct msg m;
	header(&m, 2, 0x8000, 6, 1, 0, 0);
	for (int i = 0; i < 6; i++) {
		char name[32];
		snprintf(name, sizeof(name), "q%d.example", i);
		putname(&m, name);
		put16(&m, 1);
		put16(&m, 1);
	}
	putname(&m, "a.example");
	rrhead(&m, 1, 1, 5);
	put16(&m, 4);
	putbytes(&m, "\x0a\x00\x00\x01", 4);

	assert_int_equal(dns_exact(m.b, m.n, &dm), 0);
	assert_int_equal(dm.nquestions, DNS_QUESTIONS_MAX);
	assert_string_equal(dm.questions[3].name, "q3.example");
	assert_int_equal(dm.nrrs, 1);
	assert_string_equal(dm.rrs[0].name, "a.example");
}

static void test_more_rrs_than_kept(void **state)
{
	(void)state;
	struct msg m;
	header(&m, 3, 0x8000, 0, 40, 0, 0);
	for (int i = 0; i < 40; i++) {
		put8(&m, 0);			/* root owner */
		rrhead(&m, 16, 1, 0);
		put16(&m, 2);
		putbytes(&m, "\x01x", 2);
	}
	assert_int_equal(dns_exact(m.b, m.n, &dm), 0);
	assert_int_equal(dm.nrrs, DNS_RRS_MAX);
	assert_string_equal(dm.rrs[0].name, "");
	assert_string_equal(dm.rrs[0].target, "x");
}

/* Control bytes, '.', '\' and 8-bit bytes in a label become \DDD. */
static void test_escaping(void **state)
{
	(void)state;
	struct msg m;
	header(&m, 4, 0, 1, 0, 0, 0);
	put8(&m, 7);
	putbytes(&m, "a\x07" "b.c\\\xff", 7);
	put8(&m, 0);
	put16(&m, 1);
	put16(&m, 1);

	assert_int_equal(dns_exact(m.b, m.n, &dm), 0);
	assert_string_equal(dm.questions[0].name, "a\\007b\\046c\\092\\255");
	for (const char *c = dm.questions[0].name; *c; c++)
		assert_true(*c >= 0x20 && *c < 0x7f);
}

/* ---- hostile names ---- */

static void question_at_12(struct msg *m, const uint8_t *name, size_t n)
{
	header(m, 5, 0, 1, 0, 0, 0);
	putbytes(m, name, n);
	put16(m, 1);
	put16(m, 1);
}

static void test_pointer_to_self(void **state)
{
	(void)state;
	struct msg m;
	question_at_12(&m, (const uint8_t *)"\xc0\x0c", 2);
	assert_int_equal(dns_exact(m.b, m.n, &dm), -EINVAL);
}

/* A label, then a pointer back to that label: a loop through data. */
static void test_pointer_to_own_label(void **state)
{
	(void)state;
	struct msg m;
	question_at_12(&m, (const uint8_t *)"\x01" "a\xc0\x0c", 4);
	assert_int_equal(dns_exact(m.b, m.n, &dm), -EINVAL);
}

/* Two pointers pointing at each other (the second owner points at the
 * first, which points forward at the second). */
static void test_two_pointer_cycle(void **state)
{
	(void)state;
	struct msg m;
	header(&m, 6, 0x8000, 0, 2, 0, 0);
	size_t a = m.n;			/* owner 1: pointer to owner 2 */
	putptr(&m, a + 2 + 10 + 4);
	rrhead(&m, 1, 1, 0);
	put16(&m, 4);
	putbytes(&m, "\0\0\0\0", 4);
	putptr(&m, a);			/* owner 2: pointer to owner 1 */
	rrhead(&m, 1, 1, 0);
	put16(&m, 4);
	putbytes(&m, "\0\0\0\0", 4);
	assert_int_equal(dns_exact(m.b, m.n, &dm), -EINVAL);
}

static void test_forward_pointer(void **state)
{
	(void)state;
	struct msg m;
	header(&m, 7, 0, 1, 0, 0, 0);
	putptr(&m, 18);			/* points at the label just below */
	put16(&m, 1);
	put16(&m, 1);
	putname(&m, "later");
	assert_int_equal(dns_exact(m.b, m.n, &dm), -EINVAL);
}

static void test_pointer_past_end(void **state)
{
	(void)state;
	struct msg m;
	question_at_12(&m, (const uint8_t *)"\xc0", 1);	/* half a pointer */
	m.n = 13;
	assert_int_equal(dns_exact(m.b, m.n, &dm), -EINVAL);
}

static void test_label_types(void **state)
{
	(void)state;
	struct msg m;
	uint8_t name[66] = { 64 };		/* 0x40: extended label type */
	memset(name + 1, 'a', 64);
	question_at_12(&m, name, 66);
	assert_int_equal(dns_exact(m.b, m.n, &dm), -EINVAL);
	name[0] = 0x80;				/* reserved */
	question_at_12(&m, name, 66);
	assert_int_equal(dns_exact(m.b, m.n, &dm), -EINVAL);
	name[0] = 63;				/* the largest legal label */
	name[64] = 0;
	question_at_12(&m, name, 65);
	assert_int_equal(dns_exact(m.b, m.n, &dm), 0);
	assert_int_equal(strlen(dm.questions[0].name), 63);
}

/* 255 octets on the wire is the limit (RFC 1035 3.1): 63+63+63+61 labels
 * plus length bytes and root make 255; one more byte is too long. */
static void test_name_length_limit(void **state)
{
	(void)state;
	struct msg m;
	uint8_t name[260];
	size_t n = 0;
	const int lens[] = { 63, 63, 63, 61 };
	for (int i = 0; i < 4; i++) {
		name[n++] = (uint8_t)lens[i];
		memset(name + n, 'a' + i, (size_t)lens[i]);
		n += (size_t)lens[i];
	}
	name[n++] = 0;
	assert_int_equal(n, 255);
	question_at_12(&m, name, n);
	assert_int_equal(dns_exact(m.b, m.n, &dm), 0);
	assert_int_equal(strlen(dm.questions[0].name), 253);

	n = 0;					/* 63+63+63+62: 256 octets */
	const int longer[] = { 63, 63, 63, 62 };
	for (int i = 0; i < 4; i++) {
		name[n++] = (uint8_t)longer[i];
		memset(name + n, 'a' + i, (size_t)longer[i]);
		n += (size_t)longer[i];
	}
	name[n++] = 0;
	question_at_12(&m, name, n);
	assert_int_equal(dns_exact(m.b, m.n, &dm), -EINVAL);
}

/* A name that is short in the message but over 255 once its pointer is
 * followed. */
static void test_name_too_long_through_pointer(void **state)
{
	(void)state;
	struct msg m;
	header(&m, 8, 0x8000, 1, 1, 0, 0);
	size_t first = m.n;
	for (int i = 0; i < 3; i++) {
		put8(&m, 63);
		for (int j = 0; j < 63; j++)
			put8(&m, 'b');
	}
	put8(&m, 0);				/* 193 octets: legal */
	put16(&m, 1);
	put16(&m, 1);
	put8(&m, 63);
	for (int j = 0; j < 63; j++)
		put8(&m, 'c');
	putptr(&m, first);			/* 64 + 193 = 257 */
	rrhead(&m, 1, 1, 0);
	put16(&m, 4);
	putbytes(&m, "\0\0\0\0", 4);
	assert_int_equal(dns_exact(m.b, m.n, &dm), -EINVAL);
}

static void test_rdata_overflow(void **state)
{
	(void)state;
	struct msg m;
	header(&m, 9, 0x8000, 0, 1, 0, 0);
	put8(&m, 0);
	rrhead(&m, 1, 1, 0);
	put16(&m, 400);				/* rdlength past the end */
	putbytes(&m, "\1\2\3\4", 4);
	assert_int_equal(dns_exact(m.b, m.n, &dm), -EINVAL);

	header(&m, 9, 0x8000, 0, 1, 0, 0);	/* an A record of 5 bytes */
	put8(&m, 0);
	rrhead(&m, 1, 1, 0);
	put16(&m, 5);
	putbytes(&m, "\1\2\3\4\5", 5);
	assert_int_equal(dns_exact(m.b, m.n, &dm), -EINVAL);

	header(&m, 9, 0x8000, 0, 1, 0, 0);	/* a PTR whose name overruns rdata */
	put8(&m, 0);
	rrhead(&m, 12, 1, 0);
	put16(&m, 3);
	putname(&m, "host.local");
	assert_int_equal(dns_exact(m.b, m.n, &dm), -EINVAL);
}

/* A header claiming 65535 records of each kind in a tiny packet. */
static void test_huge_counts(void **state)
{
	(void)state;
	struct msg m;
	header(&m, 10, 0x8000, 0xffff, 0xffff, 0xffff, 0xffff);
	put8(&m, 0);
	put16(&m, 1);
	put16(&m, 1);
	assert_int_equal(dns_exact(m.b, m.n, &dm), -EINVAL);
}

/* Random bytes: any return, no crash, no hang, sane counts. */
static void test_random_bytes(void **state)
{
	(void)state;
	uint32_t x = 0x12345678;
	uint8_t buf[600];
	for (int round = 0; round < 3000; round++) {
		size_t len = 12 + (size_t)(round % 500);
		for (size_t i = 0; i < len; i++) {
			x = x * 1103515245u + 12345u;
			buf[i] = (uint8_t)(x >> 16);
		}
		buf[4] = 0;
		buf[5] = (uint8_t)(round % 5);	/* small qdcount */
		if (dns_exact(buf, len, &dm) == 0) {
			assert_true(dm.nquestions <= DNS_QUESTIONS_MAX);
			assert_true(dm.nrrs <= DNS_RRS_MAX);
		}
	}
}

/* ---- mDNS ---- */

/* A PiKVM announcing itself (kvmd-bootconfig): DNS-SD meta PTR, type PTR,
 * SRV, TXT and A, names compressed the way Avahi writes them. */
static void build_pikvm_announcement(struct msg *m)
{
	header(m, 0, 0x8400, 0, 5, 0, 0);	/* QR, AA */
	size_t meta = m->n;
	putname(m, "_services._dns-sd._udp.local");
	rrhead(m, 12, 1, 4500);
	size_t at = m->n;
	put16(m, 0);
	size_t type = m->n;
	putlabels(m, "_pikvm._tcp");
	putptr(m, meta + 23);			/* "local": after 10+8+5 label bytes */
	fix_rdlen(m, at);

	putptr(m, type);			/* _pikvm._tcp.local PTR instance */
	rrhead(m, 12, 1, 4500);
	at = m->n;
	put16(m, 0);
	size_t inst = m->n;
	putlabels(m, "pikvm-CAFE01");
	putptr(m, type);
	fix_rdlen(m, at);

	putptr(m, inst);			/* instance SRV 0 0 443 pikvm.local */
	rrhead(m, 33, 0x8001, 120);
	at = m->n;
	put16(m, 0);
	put16(m, 0);
	put16(m, 0);
	put16(m, 443);
	size_t host = m->n;
	putlabels(m, "pikvm");
	putptr(m, meta + 23);
	fix_rdlen(m, at);

	putptr(m, inst);			/* instance TXT */
	rrhead(m, 16, 0x8001, 4500);
	at = m->n;
	put16(m, 0);
	put8(m, 28);
	putbytes(m, "description=PiKVM Web Server", 28);
	put8(m, 11);
	putbytes(m, "model=v4plus", 11);
	fix_rdlen(m, at);

	putptr(m, host);			/* pikvm.local A 192.168.1.50 */
	rrhead(m, 1, 0x8001, 120);
	put16(m, 4);
	putbytes(m, "\xc0\xa8\x01\x32", 4);
}

static void test_mdns_announcement(void **state)
{
	(void)state;
	struct msg m;
	struct mdns_info info;
	build_pikvm_announcement(&m);

	assert_int_equal(dns_exact(m.b, m.n, &dm), 0);
	assert_int_equal(dm.nrrs, 5);
	assert_string_equal(dm.rrs[0].target, "_pikvm._tcp.local");
	assert_string_equal(dm.rrs[1].target, "pikvm-cafe01._pikvm._tcp.local");
	assert_string_equal(dm.rrs[2].target, "pikvm.local");
	assert_int_equal(dm.rrs[2].rclass, 1);	/* cache-flush bit cleared */
	assert_string_equal(dm.rrs[3].target, "description=PiKVM Web Server");
	assert_int_equal(dm.rrs[4].addr.family, AF_INET);

	dissect_mdns_summary(&dm, &info);
	assert_int_equal(info.nservices, 1);	/* once, and not _dns-sd */
	assert_string_equal(info.services[0], "_pikvm._tcp.local");
	assert_int_equal(info.nhosts, 1);
	assert_string_equal(info.hosts[0], "pikvm.local");
}

static void test_mdns_truncation(void **state)
{
	(void)state;
	struct msg m;
	build_pikvm_announcement(&m);
	for (size_t len = 0; len < m.n; len++)
		assert_int_equal(dns_exact(m.b, len, &dm), -EINVAL);
}

/* A QU query for a JetKVM host name (jetkvm/kvm hw.go: jetkvm-<serial>)
 * and a browse for _pikvm._tcp. */
static void test_mdns_query(void **state)
{
	(void)state;
	struct msg m;
	struct mdns_info info;
	header(&m, 0, 0, 3, 0, 0, 0);
	putname(&m, "jetkvm-0123abcd.local");
	put16(&m, 1);
	put16(&m, 0x8001);			/* QU */
	putname(&m, "_pikvm._tcp.local");
	put16(&m, 12);
	put16(&m, 1);
	putname(&m, "4.3.2.1.in-addr.arpa");	/* not a host name */
	put16(&m, 255);
	put16(&m, 1);

	assert_int_equal(dns_exact(m.b, m.n, &dm), 0);
	assert_int_equal(dm.questions[0].qclass, 1);
	dissect_mdns_summary(&dm, &info);
	assert_int_equal(info.nhosts, 1);
	assert_string_equal(info.hosts[0], "jetkvm-0123abcd.local");
	assert_int_equal(info.nservices, 1);
	assert_string_equal(info.services[0], "_pikvm._tcp.local");
}

/* More distinct hosts than MDNS_ITEMS_MAX: the list stops, bounded. */
static void test_mdns_summary_bounded(void **state)
{
	(void)state;
	struct msg m;
	struct mdns_info info;
	header(&m, 0, 0x8400, 0, 12, 0, 0);
	for (int i = 0; i < 12; i++) {
		char name[32];
		snprintf(name, sizeof(name), "host%d.local", i);
		putname(&m, name);
		rrhead(&m, 1, 1, 120);
		put16(&m, 4);
		putbytes(&m, "\x0a\0\0\x01", 4);
	}
	assert_int_equal(dns_exact(m.b, m.n, &dm), 0);
	dissect_mdns_summary(&dm, &info);
	assert_int_equal(info.nhosts, MDNS_ITEMS_MAX);
	assert_string_equal(info.hosts[7], "host7.local");
	assert_int_equal(info.nservices, 0);
}

/* ---- NetBIOS name service ---- */

static void put_nb_name(struct msg *m, const char *name, uint8_t suffix)
{
	uint8_t raw[16];
	memset(raw, ' ', 15);
	memcpy(raw, name, strlen(name));
	raw[15] = suffix;
	put8(m, 32);
	for (int i = 0; i < 16; i++) {
		put8(m, 'A' + (raw[i] >> 4));
		put8(m, 'A' + (raw[i] & 0x0f));
	}
	put8(m, 0);
}

static int nb_exact(const uint8_t *p, size_t len, struct netbios_ns *out)
{
	uint8_t *copy = malloc(len ? len : 1);
	assert_non_null(copy);
	memcpy(copy, p, len);
	int r = dissect_netbios_ns(copy, len, out);
	free(copy);
	return r;
}

static void test_netbios_query(void **state)
{
	(void)state;
	struct msg m;
	struct netbios_ns nb;
	header(&m, 0x8001, 0x0110, 1, 0, 0, 0);	/* query, RD, broadcast */
	put_nb_name(&m, "FARM-LT-042", 0x20);
	put16(&m, 0x20);
	put16(&m, 1);

	assert_int_equal(nb_exact(m.b, m.n, &nb), 0);
	assert_false(nb.response);
	assert_string_equal(nb.name, "FARM-LT-042");
	assert_int_equal(nb.suffix, 0x20);
	assert_int_equal(nb.addr.family, 0);
}

/* A registration: the question plus an additional NB record pointing
 * back at it, with the address being registered (RFC 1002 4.2.2). */
static void build_registration(struct msg *m)
{
	header(m, 0x8002, 0x2910, 1, 0, 0, 1);
	put_nb_name(m, "LAPTOP7", 0x00);
	put16(m, 0x20);
	put16(m, 1);
	putptr(m, 12);
	rrhead(m, 0x20, 1, 300000);
	put16(m, 6);
	put16(m, 0x0000);			/* NB_FLAGS: B node, unique */
	putbytes(m, "\xc0\xa8\x01\x07", 4);
}

static void test_netbios_registration(void **state)
{
	(void)state;
	struct msg m;
	struct netbios_ns nb;
	build_registration(&m);
	assert_int_equal(nb_exact(m.b, m.n, &nb), 0);
	assert_string_equal(nb.name, "LAPTOP7");
	assert_int_equal(nb.suffix, 0);
	assert_int_equal(nb.addr.family, AF_INET);
	assert_memory_equal(nb.addr.bytes, "\xc0\xa8\x01\x07", 4);

	for (size_t len = 0; len < m.n; len++)
		assert_int_equal(nb_exact(m.b, len, &nb), -EINVAL);
}

static void test_netbios_response(void **state)
{
	(void)state;
	struct msg m;
	struct netbios_ns nb;
	header(&m, 0x8003, 0x8500, 0, 1, 0, 0);	/* positive query response */
	put_nb_name(&m, "PIKVM", 0x00);
	rrhead(&m, 0x20, 1, 300000);
	put16(&m, 6);
	put16(&m, 0x0000);
	putbytes(&m, "\x0a\x00\x00\x09", 4);
	assert_int_equal(nb_exact(m.b, m.n, &nb), 0);
	assert_true(nb.response);
	assert_string_equal(nb.name, "PIKVM");
	assert_memory_equal(nb.addr.bytes, "\x0a\x00\x00\x09", 4);
}

/* The node-status wildcard "*" padded with NULs. */
static void test_netbios_wildcard(void **state)
{
	(void)state;
	struct msg m;
	struct netbios_ns nb;
	header(&m, 0x8004, 0, 1, 0, 0, 0);
	put8(&m, 32);
	put8(&m, 'C');
	put8(&m, 'K');				/* '*' = 0x2a */
	for (int i = 0; i < 30; i++)
		put8(&m, 'A');
	put8(&m, 0);
	put16(&m, 0x21);
	put16(&m, 1);
	assert_int_equal(nb_exact(m.b, m.n, &nb), 0);
	assert_string_equal(nb.name, "*");
}

static void test_netbios_bad_encoding(void **state)
{
	(void)state;
	struct msg m;
	struct netbios_ns nb;
	header(&m, 0x8005, 0, 1, 0, 0, 0);
	put_nb_name(&m, "HOST", 0x20);
	put16(&m, 0x20);
	put16(&m, 1);
	m.b[13] = 'Q';				/* outside 'A'..'P' */
	assert_int_equal(nb_exact(m.b, m.n, &nb), -EINVAL);
	m.b[13] = 'a';				/* lower case is not the encoding */
	assert_int_equal(nb_exact(m.b, m.n, &nb), -EINVAL);
	m.b[13] = 'E';
	assert_int_equal(nb_exact(m.b, m.n, &nb), 0);
	m.b[12] = 31;				/* wrong encoded length */
	assert_int_equal(nb_exact(m.b, m.n, &nb), -EINVAL);
}

/* Non-printable name bytes are escaped, and cut to fit name[16]. */
static void test_netbios_escape(void **state)
{
	(void)state;
	struct msg m;
	struct netbios_ns nb;
	header(&m, 0x8006, 0, 1, 0, 0, 0);
	put_nb_name(&m, "\x01\x02\x03\x04\x05", 0x00);
	put16(&m, 0x20);
	put16(&m, 1);
	assert_int_equal(nb_exact(m.b, m.n, &nb), 0);
	assert_string_equal(nb.name, "\\001\\002\\003");	/* 12 chars; a 4th escape would not fit */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query),
		cmocka_unit_test(test_response_compression),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_touches_only_counted_entries),
		cmocka_unit_test(test_many_questions),
		cmocka_unit_test(test_more_rrs_than_kept),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_pointer_to_self),
		cmocka_unit_test(test_pointer_to_own_label),
		cmocka_unit_test(test_two_pointer_cycle),
		cmocka_unit_test(test_forward_pointer),
		cmocka_unit_test(test_pointer_past_end),
		cmocka_unit_test(test_label_types),
		cmocka_unit_test(test_name_length_limit),
		cmocka_unit_test(test_name_too_long_through_pointer),
		cmocka_unit_test(test_rdata_overflow),
		cmocka_unit_test(test_huge_counts),
		cmocka_unit_test(test_random_bytes),
		cmocka_unit_test(test_mdns_announcement),
		cmocka_unit_test(test_mdns_truncation),
		cmocka_unit_test(test_mdns_query),
		cmocka_unit_test(test_mdns_summary_bounded),
		cmocka_unit_test(test_netbios_query),
		cmocka_unit_test(test_netbios_registration),
		cmocka_unit_test(test_netbios_response),
		cmocka_unit_test(test_netbios_wildcard),
		cmocka_unit_test(test_netbios_bad_encoding),
		cmocka_unit_test(test_netbios_escape),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
