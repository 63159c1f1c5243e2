/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pcapgen.c - the project's capture files, written from scratch with
 * libpcap's pcap_open_dead() + pcap_dump().
 *
 *   pcapgen DIR            every fixture of tests/integration/net_pcap.sh
 *   pcapgen --bench FILE [N]   a large mixed capture (default 600000
 *                          packets, mostly ordinary traffic) for make bench
 *   pcapgen --flood dns|flows FILE N   N distinct DNS names, or N distinct
 *                          flows, for the memory-ceiling floods of make bench
 *
 * Every payload is built here from the protocol documents (RFC 1035 DNS,
 * RFC 6762 mDNS, RFC 1002 NetBIOS, RFC 2131/2132 DHCP, RFC 826 ARP,
 * RFC 8446/5246 TLS, X.690 DER for the certificate, MS-RDPBCGR 2.2.1.1-2
 * X.224 and RDP_NEG_FAILURE, MS-RDPEUDP SYN/SYN+ACK, RFC 6143 RFB and its
 * security handshake, RFC 4253 SSH, Linux's usbip_protocol.rst), TeamViewer's
 * header magic (as nDPI and libprotoident read it) and the wire signatures of the
 * project's signal catalog (ET Open rules quoted there: TeamViewer 2008794,
 * RustDesk 2043343/2044076, AnyDesk 2030348).  Addresses come from the
 * documentation ranges (RFC 5737, RFC 3849) plus RFC 1918 LAN addresses.
 * Checksums are computed, so tcpdump and Wireshark read the files cleanly.
 * Output is deterministic (fixed timestamps, fixed "random" bytes).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#define MAXPKT 20000

/* ---- output ---- */

struct gen {
	pcap_t *dead;
	pcap_dumper_t *d;
	int dlt;
	int vlans;		/* 802.1Q tags on Ethernet frames (0..2) */
	size_t cut;		/* next frames: caplen at most this (0: whole) */
	uint64_t ts_us;
	uint8_t src_mac[6], dst_mac[6];
	unsigned long count;
};

static struct gen G;
static const char *outdir;

static void gen_open(const char *name, int dlt)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", outdir, name);
	memset(&G, 0, sizeof(G));
	G.dlt = dlt;
	G.ts_us = 1795000000ull * 1000000ull;	/* 2026-11-18 */
	G.dead = pcap_open_dead(dlt, 65535);
	G.d = G.dead ? pcap_dump_open(G.dead, path) : NULL;
	if (!G.d) {
		fprintf(stderr, "pcapgen: %s: %s\n", path, G.dead ? pcap_geterr(G.dead) : "?");
		exit(1);
	}
	memcpy(G.src_mac, "\x02\x00\x00\x00\x00\x01", 6);
	memcpy(G.dst_mac, "\x02\x00\x00\x00\x00\x02", 6);
}

static void gen_close(void)
{
	pcap_dump_close(G.d);
	pcap_close(G.dead);
	G.d = NULL;
}

static void put16(uint8_t *p, unsigned v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v >> 16); put16(p + 2, v & 0xffff); }
static void put32le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}

static void dump_frame(const uint8_t *f, size_t len)
{
	struct pcap_pkthdr h;

	G.ts_us += 1000;
	h.ts.tv_sec = (time_t)(G.ts_us / 1000000);
	h.ts.tv_usec = (suseconds_t)(G.ts_us % 1000000);
	h.len = (bpf_u_int32)len;
	h.caplen = (bpf_u_int32)(G.cut && G.cut < len ? G.cut : len);
	pcap_dump((u_char *)G.d, &h, f);
	G.count++;
}

/* Wrap an L3 packet (ethertype et) in the file's link type. */
static void emit_l3(unsigned et, const uint8_t *l3, size_t len)
{
	static uint8_t f[MAXPKT + 64];
	size_t o = 0;
	unsigned af6 = 0;

	switch (G.dlt) {
	case DLT_EN10MB:
		memcpy(f, G.dst_mac, 6);
		memcpy(f + 6, G.src_mac, 6);
		o = 12;
		for (int i = 0; i < G.vlans; i++) {
			put16(f + o, i == 0 && G.vlans > 1 ? 0x88a8 : 0x8100);
			put16(f + o + 2, 100 + (unsigned)i);
			o += 4;
		}
		put16(f + o, et);
		o += 2;
		break;
	case DLT_LINUX_SLL:
		put16(f, 0);		/* to us */
		put16(f + 2, 1);	/* ARPHRD_ETHER */
		put16(f + 4, 6);
		memcpy(f + 6, G.src_mac, 6);
		put16(f + 12, 0);
		put16(f + 14, et);
		o = 16;
		break;
	case DLT_LINUX_SLL2:
		put16(f, et);
		put16(f + 2, 0);
		put32(f + 4, 2);	/* ifindex */
		put16(f + 8, 1);
		f[10] = 0;
		f[11] = 6;
		memcpy(f + 12, G.src_mac, 6);
		put16(f + 18, 0);
		o = 20;
		break;
	case DLT_NULL:		/* host byte order of the capturing host: here little endian */
		af6 = 30;	/* Darwin's AF_INET6 */
		put32le(f, et == 0x0800 ? 2 : af6);
		o = 4;
		break;
	case DLT_LOOP:		/* network order */
		put32(f, et == 0x0800 ? 2 : 24);	/* OpenBSD AF_INET6 */
		o = 4;
		break;
	default:		/* DLT_RAW, DLT_IPV4, DLT_IPV6 */
		break;
	}
	if (len > MAXPKT)
		len = MAXPKT;
	memcpy(f + o, l3, len);
	dump_frame(f, o + len);
}

/* ---- IP ---- */

struct addr {
	int v;			/* 4 or 6 */
	uint8_t b[16];
};

static struct addr A4(unsigned a, unsigned b, unsigned c, unsigned d)
{
	struct addr x = { .v = 4, .b = { (uint8_t)a, (uint8_t)b, (uint8_t)c, (uint8_t)d } };
	return x;
}

/* 2001:db8::N */
static struct addr A6(unsigned n)
{
	struct addr x = { .v = 6, .b = { 0x20, 0x01, 0x0d, 0xb8 } };
	x.b[14] = (uint8_t)(n >> 8);
	x.b[15] = (uint8_t)n;
	return x;
}

static uint32_t csum_add(uint32_t s, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static uint16_t csum_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static int hop_by_hop;	/* next IPv6 packets carry a hop-by-hop header */

/* An IP packet around an L4 segment, with its L4 checksum at csum_off
 * (-1: none).  frag: IPv4 flags+offset field. */
static void emit_ip(const struct addr *s, const struct addr *d, uint8_t proto, uint8_t *l4,
		    size_t l4len, int csum_off, unsigned frag)
{
	static uint8_t pkt[MAXPKT];
	uint32_t sum;
	uint8_t ph[40];

	if (csum_off >= 0) {
		put16(l4 + csum_off, 0);
		if (s->v == 4) {
			memcpy(ph, s->b, 4);
			memcpy(ph + 4, d->b, 4);
			ph[8] = 0;
			ph[9] = proto;
			put16(ph + 10, (unsigned)l4len);
			sum = csum_add(0, ph, 12);
		} else {
			memcpy(ph, s->b, 16);
			memcpy(ph + 16, d->b, 16);
			put32(ph + 32, (uint32_t)l4len);
			memset(ph + 36, 0, 3);
			ph[39] = proto;
			sum = csum_add(0, ph, 40);
		}
		put16(l4 + csum_off, csum_fold(csum_add(sum, l4, l4len)));
	}
	if (s->v == 4) {
		memset(pkt, 0, 20);
		pkt[0] = 0x45;
		put16(pkt + 2, (unsigned)(20 + l4len));
		put16(pkt + 4, 0x1234);
		put16(pkt + 6, frag);
		pkt[8] = 64;
		pkt[9] = proto;
		memcpy(pkt + 12, s->b, 4);
		memcpy(pkt + 16, d->b, 4);
		put16(pkt + 10, csum_fold(csum_add(0, pkt, 20)));
		memcpy(pkt + 20, l4, l4len);
		emit_l3(0x0800, pkt, 20 + l4len);
	} else {
		size_t eh = hop_by_hop ? 8 : 0;

		memset(pkt, 0, 40 + eh);
		pkt[0] = 0x60;
		put16(pkt + 4, (unsigned)(l4len + eh));
		pkt[6] = hop_by_hop ? 0 : proto;
		pkt[7] = 64;
		memcpy(pkt + 8, s->b, 16);
		memcpy(pkt + 24, d->b, 16);
		if (eh) {
			pkt[40] = proto;	/* next header; length 0 = 8 bytes, PadN */
			pkt[42] = 1;
			pkt[43] = 4;
		}
		memcpy(pkt + 40 + eh, l4, l4len);
		emit_l3(0x86dd, pkt, 40 + eh + l4len);
	}
}

static void udp(const struct addr *s, unsigned sp, const struct addr *d, unsigned dp,
		const uint8_t *pl, size_t n)
{
	static uint8_t seg[MAXPKT];

	put16(seg, sp);
	put16(seg + 2, dp);
	put16(seg + 4, (unsigned)(8 + n));
	memcpy(seg + 8, pl, n);
	emit_ip(s, d, 17, seg, 8 + n, 6, 0);
}

/* A TCP connection: client c:cp -> server s:sp. */
struct tcp {
	struct addr c, s;
	unsigned cp, sp;
	uint32_t cseq, sseq;
};

#define F_FIN 0x01
#define F_SYN 0x02
#define F_RST 0x04
#define F_PSH 0x08
#define F_ACK 0x10

static void tcp_seg(struct tcp *t, bool from_client, unsigned flags, const uint8_t *pl, size_t n)
{
	static uint8_t seg[MAXPKT];
	uint32_t *seq = from_client ? &t->cseq : &t->sseq;
	uint32_t ack = from_client ? t->sseq : t->cseq;

	memset(seg, 0, 20);
	put16(seg, from_client ? t->cp : t->sp);
	put16(seg + 2, from_client ? t->sp : t->cp);
	put32(seg + 4, *seq);
	put32(seg + 8, flags & F_ACK ? ack : 0);
	seg[12] = 5 << 4;
	seg[13] = (uint8_t)flags;
	put16(seg + 14, 64240);
	if (n)
		memcpy(seg + 20, pl, n);
	emit_ip(from_client ? &t->c : &t->s, from_client ? &t->s : &t->c, 6, seg, 20 + n, 16, 0);
	*seq += (uint32_t)n + ((flags & (F_SYN | F_FIN)) ? 1 : 0);
}

static struct tcp tcp_open(struct addr c, unsigned cp, struct addr s, unsigned sp)
{
	struct tcp t = { .c = c, .s = s, .cp = cp, .sp = sp, .cseq = 1000, .sseq = 50000 };

	tcp_seg(&t, true, F_SYN, NULL, 0);
	tcp_seg(&t, false, F_SYN | F_ACK, NULL, 0);
	tcp_seg(&t, true, F_ACK, NULL, 0);
	return t;
}

static void tcp_close(struct tcp *t)
{
	tcp_seg(t, true, F_FIN | F_ACK, NULL, 0);
	tcp_seg(t, false, F_FIN | F_ACK, NULL, 0);
	tcp_seg(t, true, F_ACK, NULL, 0);
}

static void tcp_send(struct tcp *t, bool from_client, const void *pl, size_t n)
{
	tcp_seg(t, from_client, F_PSH | F_ACK, pl, n);
	tcp_seg(t, !from_client, F_ACK, NULL, 0);
}

/* ---- byte buffers ---- */

struct buf {
	uint8_t b[MAXPKT];
	size_t n;
};

static void b_bytes(struct buf *b, const void *p, size_t n)
{
	if (b->n + n > sizeof(b->b))
		n = sizeof(b->b) - b->n;
	memcpy(b->b + b->n, p, n);
	b->n += n;
}
static void b_u8(struct buf *b, unsigned v) { uint8_t x = (uint8_t)v; b_bytes(b, &x, 1); }
static void b_u16(struct buf *b, unsigned v) { b_u8(b, v >> 8); b_u8(b, v); }
static void b_u24(struct buf *b, unsigned v) { b_u8(b, v >> 16); b_u16(b, v & 0xffff); }
static void b_u32(struct buf *b, uint32_t v) { b_u16(b, v >> 16); b_u16(b, v & 0xffff); }
static void b_str(struct buf *b, const char *s) { b_bytes(b, s, strlen(s)); }
static void b_fill(struct buf *b, unsigned v, size_t n) { while (n--) b_u8(b, v); }
static void set16(struct buf *b, size_t at, unsigned v) { put16(b->b + at, v); }
static void set24(struct buf *b, size_t at, unsigned v)
{
	b->b[at] = (uint8_t)(v >> 16);
	put16(b->b + at + 1, v & 0xffff);
}

/* ---- DNS (RFC 1035) ---- */

static void dns_name(struct buf *b, const char *name)
{
	while (*name) {
		size_t l = strcspn(name, ".");

		b_u8(b, (unsigned)l);
		b_bytes(b, name, l);
		name += l + (name[l] == '.');
	}
	b_u8(b, 0);
}

static void dns_header(struct buf *b, unsigned id, unsigned flags, unsigned qd, unsigned an,
		       unsigned ns, unsigned ar)
{
	b_u16(b, id);
	b_u16(b, flags);
	b_u16(b, qd);
	b_u16(b, an);
	b_u16(b, ns);
	b_u16(b, ar);
}

/* A query and its answer (A record through a compression pointer). */
static void dns_lookup(const struct addr *client, const struct addr *server, const char *name,
		       unsigned id)
{
	struct buf q = { .n = 0 }, r = { .n = 0 };
	const uint8_t ip[4] = { 192, 0, 2, (uint8_t)(id & 0xff) };

	dns_header(&q, id, 0x0100, 1, 0, 0, 0);
	dns_name(&q, name);
	b_u16(&q, 1);
	b_u16(&q, 1);
	udp(client, 40000 + (id % 20000), server, 53, q.b, q.n);
	dns_header(&r, id, 0x8180, 1, 1, 0, 0);
	dns_name(&r, name);
	b_u16(&r, 1);
	b_u16(&r, 1);
	b_u16(&r, 0xc00c);
	b_u16(&r, 1);
	b_u16(&r, 1);
	b_u32(&r, 300);
	b_u16(&r, 4);
	b_bytes(&r, ip, 4);
	udp(server, 53, client, 40000 + (id % 20000), r.b, r.n);
}

/* ---- TLS (RFC 8446 4.1.2, RFC 6066 3, RFC 7301) ---- */

static void tls_client_hello(struct buf *b, const char *sni, const char *alpn, size_t pad)
{
	size_t rec, hs, ext;

	b_u8(b, 0x16);
	b_u16(b, 0x0301);
	rec = b->n;
	b_u16(b, 0);
	b_u8(b, 0x01);
	hs = b->n;
	b_u24(b, 0);
	b_u16(b, 0x0303);
	for (int i = 0; i < 32; i++)
		b_u8(b, (unsigned)(i * 7 + 3));
	b_u8(b, 32);
	for (int i = 0; i < 32; i++)
		b_u8(b, (unsigned)(i * 11 + 5));
	b_u16(b, 6);
	b_u16(b, 0x1301);
	b_u16(b, 0x1302);
	b_u16(b, 0xc02f);
	b_u8(b, 1);
	b_u8(b, 0);
	ext = b->n;
	b_u16(b, 0);
	if (sni) {
		size_t l = strlen(sni);

		b_u16(b, 0);
		b_u16(b, (unsigned)(l + 5));
		b_u16(b, (unsigned)(l + 3));
		b_u8(b, 0);
		b_u16(b, (unsigned)l);
		b_str(b, sni);
	}
	if (alpn) {		/* comma list */
		size_t at, at2;
		const char *p = alpn;

		b_u16(b, 16);
		at = b->n;
		b_u16(b, 0);
		at2 = b->n;
		b_u16(b, 0);
		while (*p) {
			size_t l = strcspn(p, ",");

			b_u8(b, (unsigned)l);
			b_bytes(b, p, l);
			p += l + (p[l] == ',');
		}
		set16(b, at, (unsigned)(b->n - at - 2));
		set16(b, at2, (unsigned)(b->n - at2 - 2));
	}
	b_u16(b, 43);		/* supported_versions: TLS 1.3, 1.2 */
	b_u16(b, 5);
	b_u8(b, 4);
	b_u16(b, 0x0304);
	b_u16(b, 0x0303);
	if (pad) {		/* padding (RFC 7685), to make it long */
		b_u16(b, 21);
		b_u16(b, (unsigned)pad);
		b_fill(b, 0, pad);
	}
	set16(b, ext, (unsigned)(b->n - ext - 2));
	set24(b, hs, (unsigned)(b->n - hs - 3));
	set16(b, rec, (unsigned)(b->n - rec - 2));
}

/* DER (X.690): tag, length, contents. */
static void der(struct buf *b, unsigned tag, const struct buf *content)
{
	b_u8(b, tag);
	if (content->n < 128) {
		b_u8(b, (unsigned)content->n);
	} else if (content->n < 256) {
		b_u8(b, 0x81);
		b_u8(b, (unsigned)content->n);
	} else {
		b_u8(b, 0x82);
		b_u16(b, (unsigned)content->n);
	}
	b_bytes(b, content->b, content->n);
}

static void der_raw(struct buf *b, unsigned tag, const void *p, size_t n)
{
	struct buf c = { .n = 0 };

	b_bytes(&c, p, n);
	der(b, tag, &c);
}

/* Name: SEQUENCE OF SET OF AttributeTypeAndValue (C, O, CN). */
static void der_name(struct buf *b, const char *c, const char *o, const char *cn)
{
	static const uint8_t oid_c[] = { 0x55, 0x04, 0x06 }, oid_o[] = { 0x55, 0x04, 0x0a },
			     oid_cn[] = { 0x55, 0x04, 0x03 };
	const struct { const uint8_t *oid; const char *v; unsigned tag; } at[] = {
		{ oid_c, c, 0x13 }, { oid_o, o, 0x0c }, { oid_cn, cn, 0x0c },
	};
	struct buf seq = { .n = 0 };

	for (int i = 0; i < 3; i++) {
		struct buf atv = { .n = 0 }, set = { .n = 0 };

		if (!at[i].v)
			continue;
		der_raw(&atv, 0x06, at[i].oid, 3);
		der_raw(&atv, at[i].tag, at[i].v, strlen(at[i].v));
		der(&set, 0x30, &atv);
		der(&seq, 0x31, &set);
	}
	der(b, 0x30, &seq);
}

static void der_cert(struct buf *out, const char *c, const char *o, const char *cn)
{
	static const uint8_t sha256rsa[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b };
	static const uint8_t rsa[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01 };
	struct buf tbs = { .n = 0 }, t = { .n = 0 }, alg = { .n = 0 }, val = { .n = 0 },
		   spki = { .n = 0 }, cert = { .n = 0 }, ver = { .n = 0 }, key = { .n = 0 };
	const uint8_t v2 = 2, serial[] = { 0x0d, 0xbf, 0x15, 0x2d };

	der_raw(&ver, 0x02, &v2, 1);
	der(&tbs, 0xa0, &ver);
	der_raw(&tbs, 0x02, serial, sizeof(serial));
	der_raw(&alg, 0x06, sha256rsa, sizeof(sha256rsa));
	der_raw(&alg, 0x05, "", 0);
	der(&tbs, 0x30, &alg);
	der_name(&tbs, c, o, cn);				/* issuer (self-signed) */
	der_raw(&val, 0x17, "260101000000Z", 13);
	der_raw(&val, 0x17, "361231000000Z", 13);
	der(&tbs, 0x30, &val);
	der_name(&tbs, c, o, cn);				/* subject */
	{
		struct buf a2 = { .n = 0 };

		der_raw(&a2, 0x06, rsa, sizeof(rsa));
		der_raw(&a2, 0x05, "", 0);
		der(&spki, 0x30, &a2);
	}
	b_u8(&key, 0);
	b_fill(&key, 0xab, 64);
	der(&spki, 0x03, &key);
	der(&tbs, 0x30, &spki);
	der(&t, 0x30, &tbs);
	der(&t, 0x30, &alg);
	{
		struct buf sig = { .n = 0 };

		b_u8(&sig, 0);
		b_fill(&sig, 0xcd, 64);
		der(&t, 0x03, &sig);
	}
	der(&cert, 0x30, &t);
	b_bytes(out, cert.b, cert.n);
}

/* TLS 1.2 server flight: ServerHello + Certificate + ServerHelloDone in
 * one record. */
static void tls_server_flight(struct buf *b, const char *c, const char *o, const char *cn)
{
	struct buf cert = { .n = 0 };
	size_t rec, hs, l1, l2;

	der_cert(&cert, c, o, cn);
	b_u8(b, 0x16);
	b_u16(b, 0x0303);
	rec = b->n;
	b_u16(b, 0);
	b_u8(b, 2);		/* ServerHello */
	hs = b->n;
	b_u24(b, 0);
	b_u16(b, 0x0303);
	b_fill(b, 0x42, 32);
	b_u8(b, 0);
	b_u16(b, 0xc02f);
	b_u8(b, 0);
	b_u16(b, 0);
	set24(b, hs, (unsigned)(b->n - hs - 3));
	b_u8(b, 11);		/* Certificate */
	hs = b->n;
	b_u24(b, 0);
	l1 = b->n;
	b_u24(b, 0);
	l2 = b->n;
	b_u24(b, 0);
	b_bytes(b, cert.b, cert.n);
	set24(b, l2, (unsigned)cert.n);
	set24(b, l1, (unsigned)(b->n - l1 - 3));
	set24(b, hs, (unsigned)(b->n - hs - 3));
	b_u8(b, 14);		/* ServerHelloDone */
	b_u24(b, 0);
	set16(b, rec, (unsigned)(b->n - rec - 2));
}

/* ---- RDP (MS-RDPBCGR 2.2.1.1 / 2.2.1.2) ---- */

static void rdp_cr(struct buf *b, const char *user, uint32_t protocols)
{
	char cookie[128];
	size_t start;

	b_u8(b, 3);
	b_u8(b, 0);
	b_u16(b, 0);
	start = b->n;
	b_u8(b, 0);		/* LI */
	b_u8(b, 0xe0);
	b_u16(b, 0);
	b_u16(b, 0);
	b_u8(b, 0);
	if (user) {
		snprintf(cookie, sizeof(cookie), "Cookie: mstshash=%s\r\n", user);
		b_str(b, cookie);
	}
	b_u8(b, 1);		/* RDP_NEG_REQ */
	b_u8(b, 0);
	b_u8(b, 8);
	b_u8(b, 0);
	b_u8(b, protocols & 0xff);
	b_u8(b, (protocols >> 8) & 0xff);
	b_u8(b, 0);
	b_u8(b, 0);
	b->b[start] = (uint8_t)(b->n - start - 1);
	set16(b, 2, (unsigned)b->n);
}

static void rdp_cc(struct buf *b, uint32_t selected)
{
	static const uint8_t cc[] = { 0x03, 0x00, 0x00, 0x13, 0x0e, 0xd0, 0x00, 0x00, 0x12, 0x34,
				      0x00, 0x02, 0x1f, 0x08, 0x00 };

	b_bytes(b, cc, sizeof(cc));
	b_u8(b, selected & 0xff);
	b_fill(b, 0, 3);
}

/* ---- the LAN ---- */

static void arp_announce(const uint8_t mac[6], const struct addr *ip)
{
	struct buf a = { .n = 0 };

	memcpy(G.src_mac, mac, 6);
	memcpy(G.dst_mac, "\xff\xff\xff\xff\xff\xff", 6);
	b_u16(&a, 1);
	b_u16(&a, 0x0800);
	b_u8(&a, 6);
	b_u8(&a, 4);
	b_u16(&a, 1);
	b_bytes(&a, mac, 6);
	b_bytes(&a, ip->b, 4);
	b_fill(&a, 0, 6);
	b_bytes(&a, ip->b, 4);	/* gratuitous */
	emit_l3(0x0806, a.b, a.n);
}

static void dhcp_request(const uint8_t mac[6], const char *hostname, const char *vendor)
{
	struct buf d = { .n = 0 };
	struct addr any = A4(0, 0, 0, 0), bcast = A4(255, 255, 255, 255);

	memcpy(G.src_mac, mac, 6);
	memcpy(G.dst_mac, "\xff\xff\xff\xff\xff\xff", 6);
	b_u8(&d, 1);
	b_u8(&d, 1);
	b_u8(&d, 6);
	b_u8(&d, 0);
	b_u32(&d, 0x3903f326);
	b_u16(&d, 0);
	b_u16(&d, 0x8000);
	b_fill(&d, 0, 16);	/* ciaddr yiaddr siaddr giaddr */
	b_bytes(&d, mac, 6);
	b_fill(&d, 0, 10 + 64 + 128);
	b_u32(&d, 0x63825363);
	b_u8(&d, 53); b_u8(&d, 1); b_u8(&d, 3);		/* REQUEST */
	b_u8(&d, 50); b_u8(&d, 4); b_u8(&d, 192); b_u8(&d, 168); b_u8(&d, 1); b_u8(&d, 77);
	if (hostname) {
		b_u8(&d, 12);
		b_u8(&d, (unsigned)strlen(hostname));
		b_str(&d, hostname);
	}
	if (vendor) {
		b_u8(&d, 60);
		b_u8(&d, (unsigned)strlen(vendor));
		b_str(&d, vendor);
	}
	b_u8(&d, 255);
	udp(&any, 68, &bcast, 67, d.b, d.n);
}

/* mDNS announcement (RFC 6762/6763): PTR service -> instance, SRV
 * instance -> host, A host. */
static void mdns_announce(const uint8_t mac[6], const struct addr *ip, const char *service,
			  const char *host)
{
	struct buf m = { .n = 0 };
	struct addr grp = A4(224, 0, 0, 251);
	char inst[256];
	unsigned an = host ? 1 : 0;

	memcpy(G.src_mac, mac, 6);
	memcpy(G.dst_mac, "\x01\x00\x5e\x00\x00\xfb", 6);
	if (service)
		an += 2;
	dns_header(&m, 0, 0x8400, 0, an, 0, 0);
	if (service) {
		snprintf(inst, sizeof(inst), "%s.%s", host ? host : "device", service);
		dns_name(&m, service);
		b_u16(&m, 12);
		b_u16(&m, 1);
		b_u32(&m, 4500);
		{
			struct buf t = { .n = 0 };

			dns_name(&t, inst);
			b_u16(&m, (unsigned)t.n);
			b_bytes(&m, t.b, t.n);
		}
		dns_name(&m, inst);
		b_u16(&m, 33);
		b_u16(&m, 0x8001);
		b_u32(&m, 120);
		{
			struct buf t = { .n = 0 };
			char hl[256];

			snprintf(hl, sizeof(hl), "%s.local", host ? host : "device");
			b_u16(&t, 0);
			b_u16(&t, 0);
			b_u16(&t, 443);
			dns_name(&t, hl);
			b_u16(&m, (unsigned)t.n);
			b_bytes(&m, t.b, t.n);
		}
	}
	if (host) {
		char hl[256];

		snprintf(hl, sizeof(hl), "%s.local", host);
		dns_name(&m, hl);
		b_u16(&m, 1);
		b_u16(&m, 0x8001);
		b_u32(&m, 120);
		b_u16(&m, 4);
		b_bytes(&m, ip->b, 4);
	}
	udp(ip, 5353, &grp, 5353, m.b, m.n);
}

/* NetBIOS name registration (RFC 1002 4.2.2), broadcast. */
static void netbios_register(const uint8_t mac[6], const struct addr *ip, const char *name)
{
	struct buf n = { .n = 0 };
	struct addr bcast = A4(192, 168, 1, 255);
	char padded[16];

	memcpy(G.src_mac, mac, 6);
	memcpy(G.dst_mac, "\xff\xff\xff\xff\xff\xff", 6);
	memset(padded, ' ', 15);
	memcpy(padded, name, strlen(name) < 15 ? strlen(name) : 15);
	padded[15] = 0;		/* workstation */
	dns_header(&n, 0x8001, 0x2910, 1, 0, 0, 1);
	b_u8(&n, 32);
	for (int i = 0; i < 16; i++) {
		b_u8(&n, 'A' + (((uint8_t)padded[i]) >> 4));
		b_u8(&n, 'A' + (((uint8_t)padded[i]) & 0x0f));
	}
	b_u8(&n, 0);
	b_u16(&n, 0x20);
	b_u16(&n, 1);
	b_u16(&n, 0xc00c);
	b_u16(&n, 0x20);
	b_u16(&n, 1);
	b_u32(&n, 300000);
	b_u16(&n, 6);
	b_u16(&n, 0);
	b_bytes(&n, ip->b, 4);
	udp(ip, 137, &bcast, 137, n.b, n.n);
}

/* LLMNR (RFC 4795) response from the name's owner. */
static void llmnr_response(const uint8_t mac[6], const struct addr *ip, const struct addr *asker,
			   const char *name)
{
	struct buf m = { .n = 0 };

	memcpy(G.src_mac, mac, 6);
	dns_header(&m, 0x4242, 0x8000, 1, 1, 0, 0);
	dns_name(&m, name);
	b_u16(&m, 1);
	b_u16(&m, 1);
	b_u16(&m, 0xc00c);
	b_u16(&m, 1);
	b_u16(&m, 1);
	b_u32(&m, 30);
	b_u16(&m, 4);
	b_bytes(&m, ip->b, 4);
	udp(ip, 5355, asker, 50123, m.b, m.n);
}

/* ---- scenarios ---- */

static const struct addr *LAPTOP, *RESOLVER;
static struct addr laptop4, resolver4, remote4, remote4b, web4, laptop6, remote6;

static void http_get(struct tcp *t, const char *host, const char *ua)
{
	char req[512];

	snprintf(req, sizeof(req),
		 "GET /update HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\nAccept: */*\r\n\r\n", host, ua);
	tcp_send(t, true, req, strlen(req));
}

static void tls_connect(const struct addr *c, unsigned cp, const struct addr *s, const char *sni)
{
	struct buf ch = { .n = 0 };
	struct tcp t = tcp_open(*c, cp, *s, 443);

	tls_client_hello(&ch, sni, "h2,http/1.1", 0);
	tcp_send(&t, true, ch.b, ch.n);
	tcp_close(&t);
}

static void rdp_session(const struct addr *c, const struct addr *s, const char *user, bool confirm)
{
	struct buf cr = { .n = 0 }, cc = { .n = 0 };
	struct tcp t = tcp_open(*c, 51234, *s, 3389);

	rdp_cr(&cr, user, 3);
	tcp_send(&t, true, cr.b, cr.n);
	if (confirm) {
		rdp_cc(&cc, 1);
		tcp_send(&t, false, cc.b, cc.n);
	}
	tcp_close(&t);
}


static void ssh_session(const struct addr *c, const struct addr *s, const char *cb, const char *sb)
{
	struct tcp t = tcp_open(*c, 53456, *s, 22);

	tcp_send(&t, false, sb, strlen(sb));
	tcp_send(&t, true, cb, strlen(cb));
	tcp_close(&t);
}

static void fixture_dns(const char *file, const char *const *names)
{
	gen_open(file, DLT_EN10MB);
	for (unsigned i = 0; names[i]; i++)
		dns_lookup(LAPTOP, RESOLVER, names[i], 0x100 + i);
	gen_close();
}

/* ---- the 2026 network cases (issue 14) ---- */

/* MS-RDPEUDP SYN (3.1.5.1.1: snSourceAck -1, uFlags SYN, SYNDATA with
 * MTUs 1132..1232, zero-padded to 1232 bytes) or SYN+ACK (3.1.5.1.3:
 * snSourceAck = the SYN's ISN, uFlags SYN | ACK), big-endian (4.1.2). */
static void rdpudp_syn(struct buf *b, bool ack, uint32_t syn_isn, uint32_t isn)
{
	b_u32(b, ack ? syn_isn : 0xffffffffu);
	b_u16(b, 64);				/* uReceiveWindowSize */
	b_u16(b, ack ? 0x0005 : 0x0001);	/* RDPUDP_FLAG_SYN (| RDPUDP_FLAG_ACK) */
	b_u32(b, isn);
	b_u16(b, 1232);
	b_u16(b, 1232);
	b_fill(b, 0, 1232 - b->n);
}

/* SYN from the client, SYN+ACK from the server (answer false: none), then
 * a few ACK | DATA datagrams of the stream, which the filter drops. */
static void rdpudp_exchange(const struct addr *c, const struct addr *s, bool answer)
{
	struct buf b = { .n = 0 };

	rdpudp_syn(&b, false, 0, 0x11223344u);
	udp(c, 50123, s, 3389, b.b, b.n);
	udp(c, 50123, s, 3389, b.b, b.n);	/* retransmitted: SYNs are persistent */
	if (!answer)
		return;
	b.n = 0;
	rdpudp_syn(&b, true, 0x11223344u, 0x55667788u);
	udp(s, 3389, c, 50123, b.b, b.n);
	for (int i = 0; i < 3; i++) {
		b.n = 0;
		b_u32(&b, 0x55667788u + (uint32_t)i);
		b_u16(&b, 64);
		b_u16(&b, 0x000c);		/* ACK | DATA */
		b_fill(&b, 0xa5, 1100);
		udp(s, 3389, c, 50123, b.b, b.n);
	}
}

/* The RFB security handshake that follows the banners (RFC 6143 7.1.2-
 * 7.2.2), version 3.8. */
enum vnc_end { VNC_NONE_OK, VNC_AUTH_OK, VNC_AUTH_FAILED, VNC_BANNER_ONLY };

static void vnc_handshake(const struct addr *c, const struct addr *s, unsigned port,
			  enum vnc_end how)
{
	static const char reason[] = "Authentication failed";
	struct tcp t = tcp_open(*c, 52345, *s, port);
	struct buf b = { .n = 0 };

	tcp_send(&t, false, "RFB 003.008\n", 12);
	if (how != VNC_BANNER_ONLY) {
		tcp_send(&t, true, "RFB 003.008\n", 12);
		if (how == VNC_NONE_OK) {
			tcp_send(&t, false, "\x01\x01", 2);	/* one type: None */
			tcp_send(&t, true, "\x01", 1);
			tcp_send(&t, false, "\x00\x00\x00\x00", 4);	/* SecurityResult OK */
		} else {
			tcp_send(&t, false, "\x01\x02", 2);	/* one type: VNC auth */
			tcp_send(&t, true, "\x02", 1);
			b_fill(&b, 0x5c, 16);			/* challenge */
			tcp_send(&t, false, b.b, b.n);
			b.n = 0;
			b_fill(&b, 0xc5, 16);			/* response */
			tcp_send(&t, true, b.b, b.n);
			b.n = 0;
			b_u32(&b, how == VNC_AUTH_OK ? 0 : 1);
			if (how == VNC_AUTH_FAILED) {
				b_u32(&b, sizeof(reason) - 1);
				b_str(&b, reason);
			}
			tcp_send(&t, false, b.b, b.n);
		}
		if (how != VNC_AUTH_FAILED)
			tcp_send(&t, true, "\x01", 1);		/* ClientInit: shared */
	}
	tcp_close(&t);
}

/* An RDP Connection Confirm carrying RDP_NEG_FAILURE (MS-RDPBCGR
 * 2.2.1.2.2): failureCode 5, HYBRID_REQUIRED_BY_SERVER. */
static void rdp_neg_failure(const struct addr *c, const struct addr *s)
{
	static const uint8_t cc[] = { 0x03, 0x00, 0x00, 0x13, 0x0e, 0xd0, 0x00, 0x00, 0x12, 0x34,
				      0x00, 0x03, 0x00, 0x08, 0x00, 0x05, 0x00, 0x00, 0x00 };
	struct buf cr = { .n = 0 };
	struct tcp t = tcp_open(*c, 51235, *s, 3389);

	rdp_cr(&cr, "administrator", 1);
	tcp_send(&t, true, cr.b, cr.n);
	tcp_send(&t, false, cc, sizeof(cc));
	tcp_close(&t);
}

/* TeamViewer's header (magic 17 24, command 0a, as libprotoident's
 * 37-byte first payloads) from the client, and from the server when
 * answer. */
static void teamviewer_flow(const struct addr *c, unsigned cp, const struct addr *s,
			    unsigned sp, bool answer)
{
	struct buf b = { .n = 0 };
	struct tcp t = tcp_open(*c, cp, *s, sp);

	b_bytes(&b, "\x17\x24\x0a\x20", 4);
	for (unsigned i = 0; i < 33; i++)
		b_u8(&b, i * 37 + 11);
	tcp_send(&t, true, b.b, b.n);
	b.b[4] ^= 0xff;
	if (answer)
		tcp_send(&t, false, b.b, b.n);
	else
		tcp_send(&t, false, "HTTP/1.1 400 Bad Request\r\n\r\n", 28);
	tcp_close(&t);
}

/* USB/IP (Linux Documentation/usb/usbip_protocol.rst): OP_REQ_DEVLIST and
 * its empty reply, then OP_REQ_IMPORT of busid 1-1 and its reply. */
static void usbip_attach(const struct addr *c, const struct addr *s)
{
	struct buf b = { .n = 0 };
	struct tcp t = tcp_open(*c, 47000, *s, 3240);

	b_bytes(&b, "\x01\x11\x80\x05\x00\x00\x00\x00", 8);
	tcp_send(&t, true, b.b, b.n);
	b.n = 0;
	b_bytes(&b, "\x01\x11\x00\x05\x00\x00\x00\x00\x00\x00\x00\x00", 12);
	tcp_send(&t, false, b.b, b.n);
	tcp_close(&t);
	t = tcp_open(*c, 47001, *s, 3240);
	b.n = 0;
	b_bytes(&b, "\x01\x11\x80\x03\x00\x00\x00\x00", 8);
	b_str(&b, "1-1");
	b_fill(&b, 0, 29);
	tcp_send(&t, true, b.b, b.n);
	b.n = 0;
	b_bytes(&b, "\x01\x11\x00\x03\x00\x00\x00\x00", 8);
	b_fill(&b, 0, 0x138);
	tcp_send(&t, false, b.b, b.n);
	tcp_close(&t);
}

/* A VNC session: security None, SecurityResult OK. */
static void vnc_session(const struct addr *c, const struct addr *s, unsigned port)
{
	vnc_handshake(c, s, port, VNC_NONE_OK);
}

static void fixtures_gaps(void)
{
	static const char *const overlay[] = { "controlplane.tailscale.com", "log.tailscale.io",
					       "my.zerotier.com", "api.netbird.io",
					       "signal.netbird.io", NULL };
	static const char *const cftunnel[] = { "region1.v2.argotunnel.com",
						"cfd-features.argotunnel.com", NULL };
	static const char *const rmm[] = { "ws.supremocontrol.com", "ultraviewer.net",
					   "aeroadmin.com", "app.action1.com", "agents.level.io",
					   "admin.syncromsp.com", "rmm.kabuto.io", "syncroapi.com",
					   "pulseway.com", "server.islonline.com", "www.islonline.net",
					   "iperiusremote.com", "www.iperius-rs.com",
					   "jumpdesktop.com", "jumpto.me", "www.gotomypc.com",
					   "tenant.teleport.sh", NULL };

	gen_open("rdpudp-inbound.pcap", DLT_EN10MB);
	rdpudp_exchange(&remote4, LAPTOP, true);
	gen_close();
	gen_open("rdpudp-outbound.pcap", DLT_EN10MB);
	rdpudp_exchange(LAPTOP, &remote4b, true);
	gen_close();
	gen_open("rdpudp-syn-only.pcap", DLT_EN10MB);
	rdpudp_exchange(&remote4, LAPTOP, false);
	gen_close();

	gen_open("teamviewer-5938.pcap", DLT_EN10MB);
	teamviewer_flow(LAPTOP, 41020, &remote4, 5938, true);
	gen_close();
	gen_open("teamviewer-443.pcap", DLT_EN10MB);
	teamviewer_flow(LAPTOP, 41021, &remote4, 443, true);
	gen_close();
	gen_open("teamviewer-443-oneway.pcap", DLT_EN10MB);	/* the magic one way only */
	teamviewer_flow(LAPTOP, 41022, &remote4, 443, false);
	gen_close();

	gen_open("vnc-auth-inbound.pcap", DLT_EN10MB);
	vnc_handshake(&remote4, LAPTOP, 5900, VNC_AUTH_OK);
	gen_close();
	gen_open("vnc-auth-failed.pcap", DLT_EN10MB);
	vnc_handshake(&remote4, LAPTOP, 5900, VNC_AUTH_FAILED);
	gen_close();
	gen_open("vnc-banner-scan.pcap", DLT_EN10MB);
	vnc_handshake(&remote4, LAPTOP, 5900, VNC_BANNER_ONLY);
	gen_close();
	/* A client that speaks first, banner, choice and ClientInit in one
	 * segment (as tests/integration/net_live.sh's socat does). */
	gen_open("vnc-pipelined.pcap", DLT_EN10MB);
	{
		struct tcp t = tcp_open(remote4, 52346, *LAPTOP, 5900);

		tcp_send(&t, true, "RFB 003.008\n\x01\x01", 14);
		tcp_send(&t, false, "RFB 003.008\n", 12);
		tcp_send(&t, false, "\x01\x01", 2);
		tcp_send(&t, false, "\x00\x00\x00\x00", 4);
		tcp_close(&t);
	}
	gen_close();
	gen_open("rdp-neg-failure.pcap", DLT_EN10MB);
	rdp_neg_failure(&remote4, LAPTOP);
	gen_close();

	fixture_dns("dns-overlay-vpn.pcap", overlay);
	fixture_dns("dns-cloudflare-tunnel.pcap", cftunnel);
	fixture_dns("dns-rmm-2026.pcap", rmm);
	gen_open("tls-overlay-vpn-sni.pcap", DLT_EN10MB);
	tls_connect(LAPTOP, 41030, &remote4b, "controlplane.tailscale.com");
	tls_connect(LAPTOP, 41031, &remote4b, "api.netbird.io");
	gen_close();
	gen_open("tls-rmm-2026-sni.pcap", DLT_EN10MB);
	for (unsigned i = 0; rmm[i]; i++)
		tls_connect(LAPTOP, 41100 + i, &remote4b, rmm[i]);
	gen_close();

	gen_open("usbip-attach.pcap", DLT_EN10MB);
	usbip_attach(LAPTOP, &remote4);
	gen_close();
}

static const uint8_t MAC_RPI[6] = { 0xdc, 0xa6, 0x32, 0x12, 0x34, 0x56 };
static const uint8_t MAC_GLINET[6] = { 0x94, 0x83, 0xc4, 0x01, 0x02, 0x03 };
static const uint8_t MAC_LAPTOP2[6] = { 0x3c, 0x52, 0x82, 0x11, 0x22, 0x33 };
static const uint8_t MAC_PHONE[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };

static void fixtures_tools(void)
{
	static const char *const anydesk[] = { "relay-1a2b3c4d.net.anydesk.com", NULL };
	static const char *const teamviewer[] = { "router15.teamviewer.com", NULL };
	static const char *const rustdesk[] = { "rs-ny.rustdesk.com", NULL };
	static const char *const crd[] = { "remotedesktop-pa.googleapis.com", NULL };
	static const char *const ngrok[] = { "connect.ngrok-agent.com", "3f2a-198-51-100-4.ngrok-free.app",
					     NULL };
	static const char *const ordinary[] = { "www.debian.org", "deb.debian.org", "www.wikipedia.org",
						"github.com", "mail.google.com", "fonts.gstatic.com",
						"api.github.com", "www.bbc.co.uk", "ntp.ubuntu.com",
						"www.anydesk-review.example", NULL };
	struct buf b = { .n = 0 };
	struct tcp t;

	fixture_dns("dns-anydesk.pcap", anydesk);
	fixture_dns("dns-teamviewer.pcap", teamviewer);
	fixture_dns("dns-rustdesk.pcap", rustdesk);
	fixture_dns("dns-chrome-remote-desktop.pcap", crd);
	fixture_dns("dns-ngrok.pcap", ngrok);
	fixture_dns("ordinary-dns.pcap", ordinary);

	gen_open("tls-anydesk-sni.pcap", DLT_EN10MB);
	tls_connect(LAPTOP, 41000, &remote4, "boot.net.anydesk.com");
	gen_close();

	gen_open("tls-anynet-relay-cert.pcap", DLT_EN10MB);
	t = tcp_open(*LAPTOP, 41001, remote4, 443);
	tls_client_hello(&b, NULL, NULL, 0);	/* AnyDesk sends no SNI to relays */
	tcp_send(&t, true, b.b, b.n);
	b.n = 0;
	tls_server_flight(&b, "DE", "philandro Software GmbH", "AnyNet Relay");
	tcp_send(&t, false, b.b, b.n);
	tcp_close(&t);
	gen_close();

	/* A ClientHello in two segments: 300 bytes, then the rest. */
	gen_open("tls-split-clienthello.pcap", DLT_EN10MB);
	b.n = 0;
	tls_client_hello(&b, "remotedesktop-pa.googleapis.com", "h2", 400);
	t = tcp_open(*LAPTOP, 41002, remote4b, 443);
	tcp_send(&t, true, b.b, 300);
	tcp_send(&t, true, b.b + 300, b.n - 300);
	tcp_close(&t);
	gen_close();

	gen_open("http-anydesk-ua.pcap", DLT_EN10MB);
	t = tcp_open(*LAPTOP, 41003, remote4, 80);
	http_get(&t, "get.anydesk.com", "AnyDesk/7.0.14");
	tcp_close(&t);
	gen_close();

	gen_open("http-teamviewer-dyngate.pcap", DLT_EN10MB);
	t = tcp_open(*LAPTOP, 41004, remote4, 80);
	http_get(&t, "ping3.teamviewer.com", "Mozilla/4.0 (compatible; MSIE 6.0; DynGate)");
	tcp_close(&t);
	gen_close();

	gen_open("teamviewer-keepalive.pcap", DLT_EN10MB);
	t = tcp_open(*LAPTOP, 41005, remote4, 5938);
	tcp_send(&t, true, "\x17\x24\x1b\x00\x00", 5);
	tcp_send(&t, false, "\x17\x24\x1b\x00\x00", 5);
	tcp_close(&t);
	gen_close();

	gen_open("rustdesk-nat-test.pcap", DLT_EN10MB);
	t = tcp_open(*LAPTOP, 41006, remote4, 21115);
	tcp_send(&t, true, "\x14\xa2\x01\x02\x08\x01", 6);
	tcp_close(&t);
	udp(LAPTOP, 41007, &remote4, 21116,
	    (const uint8_t *)"\x32\x0d\x0a\x09" "123456789" "\x10\x01", 15);
	gen_close();

	gen_open("anydesk-discovery.pcap", DLT_EN10MB);
	{
		struct addr bc = A4(192, 168, 1, 255);
		uint8_t pl[64] = { 0x3e, 0xd1, 0x01 };

		udp(LAPTOP, 50001, &bc, 50001, pl, sizeof(pl));
	}
	gen_close();
}

static void fixtures_sessions(void)
{
	gen_open("rdp-inbound.pcap", DLT_EN10MB);
	rdp_session(&remote4, LAPTOP, "operator", true);
	gen_close();

	gen_open("rdp-outbound.pcap", DLT_EN10MB);
	rdp_session(LAPTOP, &remote4b, "jdoe", true);
	gen_close();

	gen_open("rdp-attempt-refused.pcap", DLT_EN10MB);
	rdp_session(&remote4, LAPTOP, "administr", false);
	gen_close();

	gen_open("vnc-inbound.pcap", DLT_EN10MB);
	vnc_session(&remote4, LAPTOP, 5900);
	gen_close();

	gen_open("vnc-outbound.pcap", DLT_EN10MB);
	vnc_session(LAPTOP, &remote4b, 5901);
	gen_close();

	gen_open("ssh-inbound.pcap", DLT_EN10MB);
	ssh_session(&remote4, LAPTOP, "SSH-2.0-PuTTY_Release_0.78\r\n",
		    "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n");
	gen_close();

	/* Ordinary: git over SSH to a forge. */
	gen_open("ordinary-ssh-outbound.pcap", DLT_EN10MB);
	ssh_session(LAPTOP, &web4, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n",
		    "SSH-2.0-babeld-5e0ac6cc\r\n");
	gen_close();

	/* A port scan of the laptop's remote-desktop ports: SYN, RST. */
	gen_open("portscan-3389-5900.pcap", DLT_EN10MB);
	for (unsigned p = 5895; p <= 5910; p++) {
		struct tcp t = { .c = remote4, .s = *LAPTOP, .cp = 61000 + p, .sp = p,
				 .cseq = 7000, .sseq = 0 };

		tcp_seg(&t, true, F_SYN, NULL, 0);
		tcp_seg(&t, false, F_RST | F_ACK, NULL, 0);
	}
	{
		struct tcp t = { .c = remote4, .s = *LAPTOP, .cp = 61389, .sp = 3389, .cseq = 9 };

		tcp_seg(&t, true, F_SYN, NULL, 0);
		tcp_seg(&t, false, F_RST | F_ACK, NULL, 0);
	}
	gen_close();

	/* Mid-stream RDP: data PDUs (TPKT + X.224 Data 0xF0), no handshake. */
	gen_open("rdp-midstream.pcap", DLT_EN10MB);
	{
		struct tcp t = { .c = remote4, .s = *LAPTOP, .cp = 50999, .sp = 3389,
				 .cseq = 123456, .sseq = 654321 };
		uint8_t pdu[40] = { 0x03, 0x00, 0x00, 40, 0x02, 0xf0, 0x80, 0x64, 0x00, 0x06,
				    0x03, 0xeb, 0x70 };

		for (int i = 0; i < 6; i++) {
			tcp_send(&t, i % 2 == 0, pdu, sizeof(pdu));
		}
	}
	gen_close();

	/* A SYN flood from 20000 sources, interleaved with an RDP session
	 * that must survive it (the flow table evicts the oldest flows). */
	gen_open("flood-then-rdp.pcap", DLT_EN10MB);
	{
		struct buf cr = { .n = 0 }, cc = { .n = 0 };
		struct tcp r = tcp_open(remote4, 51234, *LAPTOP, 3389);

		for (unsigned i = 0; i < 20000; i++) {
			struct tcp t = { .c = A4(100, 64 + (i >> 16), (i >> 8) & 0xff, i & 0xff),
					 .s = *LAPTOP, .cp = 1024 + (i % 60000), .sp = 443,
					 .cseq = i * 7919u };

			tcp_seg(&t, true, F_SYN, NULL, 0);
			if (i == 10000) {
				rdp_cr(&cr, "flooded", 3);
				tcp_send(&r, true, cr.b, cr.n);
				rdp_cc(&cc, 1);
				tcp_send(&r, false, cc.b, cc.n);
			}
		}
		tcp_close(&r);
	}
	gen_close();

	/* The same name looked up 50 times a second apart: one finding. */
	gen_open("dns-repeat.pcap", DLT_EN10MB);
	for (unsigned i = 0; i < 50; i++) {
		G.ts_us += 1000000;
		dns_lookup(LAPTOP, RESOLVER, "relay-1a2b3c4d.net.anydesk.com", 0x700 + i);
	}
	gen_close();

	/* HTTP to port 22: not SSH. */
	gen_open("http-on-port-22.pcap", DLT_EN10MB);
	{
		struct tcp t = tcp_open(*LAPTOP, 41010, remote4, 22);

		http_get(&t, "198.51.100.7:22", "curl/7.88.1");
		tcp_close(&t);
	}
	gen_close();
}

static void fixtures_lan(void)
{
	struct addr pi = A4(192, 168, 1, 50), gl = A4(192, 168, 1, 51), l2 = A4(192, 168, 1, 60),
		    l3 = A4(192, 168, 1, 61), l4 = A4(192, 168, 1, 62), phone = A4(192, 168, 1, 70);

	gen_open("lan-pikvm-mdns.pcap", DLT_EN10MB);
	mdns_announce(MAC_RPI, &pi, "_pikvm._tcp.local", "pikvm");
	gen_close();

	gen_open("lan-jetkvm-mdns.pcap", DLT_EN10MB);
	mdns_announce(MAC_PHONE, &pi, NULL, "jetkvm-1a2b3c4d");
	gen_close();

	gen_open("lan-glkvm-dhcp.pcap", DLT_EN10MB);
	dhcp_request(MAC_GLINET, "glkvm", "udhcp 1.36.1");
	gen_close();

	gen_open("lan-raspberrypi-arp.pcap", DLT_EN10MB);
	arp_announce(MAC_RPI, &pi);
	gen_close();

	gen_open("lan-fleet-siblings.pcap", DLT_EN10MB);
	dhcp_request(MAC_LAPTOP2, "lt-0042", "dhcpcd-9.4.1:Linux");
	netbios_register(MAC_LAPTOP2, &l3, "LT-0043");
	mdns_announce(MAC_LAPTOP2, &l4, NULL, "lt-0044");
	llmnr_response(MAC_LAPTOP2, &l2, LAPTOP, "lt-0045");
	gen_close();

	/* Ordinary LAN: a phone, a printer, the router. */
	gen_open("ordinary-lan.pcap", DLT_EN10MB);
	arp_announce(MAC_PHONE, &phone);
	dhcp_request(MAC_PHONE, "Pixel-7", "android-dhcp-14");
	mdns_announce(MAC_PHONE, &phone, "_googlecast._tcp.local", "Living-Room-TV");
	mdns_announce(MAC_PHONE, &gl, "_ipp._tcp.local", "printer");
	netbios_register(MAC_PHONE, &phone, "DESKTOP-7QK2L");
	gen_close();
	(void)l2;
}

static void fixtures_ordinary(void)
{
	static const char *const sites[] = { "www.wikipedia.org", "www.debian.org", "github.com",
					     "fonts.googleapis.com", "www.bbc.co.uk", NULL };
	uint8_t chunk[1448];

	gen_open("ordinary-https.pcap", DLT_EN10MB);
	for (unsigned i = 0; sites[i]; i++) {
		struct buf ch = { .n = 0 };
		struct tcp t = tcp_open(*LAPTOP, 42000 + i, web4, 443);

		tls_client_hello(&ch, sites[i], "h2,http/1.1", 0);
		tcp_send(&t, true, ch.b, ch.n);
		for (int k = 0; k < 20; k++) {
			memset(chunk, 0x17 + k, sizeof(chunk));
			chunk[0] = 0x17;	/* application data records */
			tcp_send(&t, false, chunk, sizeof(chunk));
		}
		tcp_close(&t);
	}
	gen_close();

	gen_open("ordinary-bulk.pcap", DLT_EN10MB);
	{
		struct tcp t = tcp_open(*LAPTOP, 42100, web4, 8080);
		uint32_t x = 12345;

		http_get(&t, "mirror.example.org:8080", "Wget/1.21.3");
		for (int k = 0; k < 400; k++) {
			for (size_t j = 0; j < sizeof(chunk); j++) {
				x = x * 1103515245u + 12345u;
				chunk[j] = (uint8_t)(x >> 16);
			}
			tcp_seg(&t, false, F_ACK, chunk, sizeof(chunk));
			if (k % 2)
				tcp_seg(&t, true, F_ACK, NULL, 0);
		}
		tcp_close(&t);
	}
	gen_close();
}

/* The same findings over every link type, VLANs, IPv6, and the hostile
 * cases. */
static void fixtures_links(void)
{
	static const struct { const char *file; int dlt; } links[] = {
		{ "link-sll.pcap", DLT_LINUX_SLL }, { "link-sll2.pcap", DLT_LINUX_SLL2 },
		{ "link-raw.pcap", DLT_RAW }, { "link-null.pcap", DLT_NULL },
		{ "link-loop.pcap", DLT_LOOP }, { "link-ipv4.pcap", DLT_IPV4 },
	};
	struct buf b = { .n = 0 };

	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		gen_open(links[i].file, links[i].dlt);
		dns_lookup(LAPTOP, RESOLVER, "relay-0badc0de.net.anydesk.com", 0x200);
		rdp_session(&remote4, LAPTOP, "operator", true);
		if (links[i].dlt != DLT_IPV4) {
			dns_lookup(&laptop6, &remote6, "rs-sg.rustdesk.com", 0x201);
			tls_connect(&laptop6, 43000, &remote6, "boot.net.anydesk.com");
		}
		gen_close();
	}

	gen_open("link-ipv6.pcap", DLT_IPV6);
	dns_lookup(&laptop6, &remote6, "rs-sg.rustdesk.com", 0x202);
	vnc_session(&remote6, &laptop6, 5900);
	gen_close();

	gen_open("vlan-8021q.pcap", DLT_EN10MB);
	G.vlans = 1;
	dns_lookup(LAPTOP, RESOLVER, "relay-0badc0de.net.anydesk.com", 0x300);
	G.vlans = 2;	/* 802.1ad outer + 802.1Q inner */
	rdp_session(&remote4, LAPTOP, "operator", true);
	gen_close();

	gen_open("ipv6-ext-headers.pcap", DLT_EN10MB);
	hop_by_hop = 1;
	dns_lookup(&laptop6, &remote6, "rs-sg.rustdesk.com", 0x400);
	hop_by_hop = 0;
	tls_connect(&laptop6, 43001, &remote6, "boot.net.anydesk.com");
	gen_close();

	/* Truncated: a ClientHello cut by a 96-byte snaplen, and frames cut
	 * inside the IP and TCP headers. */
	gen_open("truncated.pcap", DLT_EN10MB);
	{
		struct tcp t = tcp_open(*LAPTOP, 44000, remote4, 443);

		b.n = 0;
		tls_client_hello(&b, "boot.net.anydesk.com", "h2", 0);
		G.cut = 96;
		tcp_send(&t, true, b.b, b.n);
		G.cut = 20;
		dns_lookup(LAPTOP, RESOLVER, "relay-deadbeef.net.anydesk.com", 0x500);
		G.cut = 40;
		rdp_session(&remote4, LAPTOP, "operator", true);
		G.cut = 0;
	}
	gen_close();

	/* DNS compression loops: a pointer to itself, and two pointing at
	 * each other. */
	gen_open("dns-compression-loop.pcap", DLT_EN10MB);
	{
		struct buf r = { .n = 0 };

		dns_header(&r, 0x600, 0x8180, 1, 0, 0, 0);
		b_u16(&r, 0xc00c);		/* the question name points at itself */
		b_u16(&r, 1);
		b_u16(&r, 1);
		udp(RESOLVER, 53, LAPTOP, 40600, r.b, r.n);
		r.n = 0;
		dns_header(&r, 0x601, 0x8180, 1, 0, 0, 0);
		b_u8(&r, 3);
		b_str(&r, "www");
		b_u16(&r, 0xc012);		/* -> 18 */
		b_u16(&r, 0xc00c);		/* at 18: -> 12 */
		b_u16(&r, 1);
		b_u16(&r, 1);
		udp(RESOLVER, 53, LAPTOP, 40601, r.b, r.n);
	}
	gen_close();

	/* IPv4 fragments of a DNS answer (first fragment carries the UDP
	 * header, the second does not). */
	gen_open("ipv4-fragments.pcap", DLT_EN10MB);
	{
		uint8_t seg[64];

		memset(seg, 0, sizeof(seg));
		put16(seg, 53);
		put16(seg + 2, 40700);
		put16(seg + 4, 120);
		emit_ip(RESOLVER, LAPTOP, 17, seg, sizeof(seg), -1, 0x2000);	/* MF */
		emit_ip(RESOLVER, LAPTOP, 17, seg, 56, -1, 64 / 8);		/* offset 64 */
	}
	gen_close();
}

/* ---- the benchmark capture ---- */

static void bench(const char *path, unsigned long n)
{
	static const char *const names[] = { "www.debian.org", "github.com", "www.wikipedia.org",
					     "fonts.gstatic.com", "mail.google.com",
					     "relay-1a2b3c4d.net.anydesk.com", "api.github.com",
					     "www.bbc.co.uk" };
	char dir[4096], *slash;
	uint8_t chunk[1448];
	uint32_t x = 7;
	struct tcp bulk[4];
	unsigned long i = 0;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	outdir = ".";
	if (slash) {
		*slash = '\0';
		outdir = dir;
		path = slash + 1;
	}
	gen_open(path, DLT_EN10MB);
	for (int k = 0; k < 4; k++)
		bulk[k] = tcp_open(*LAPTOP, 45000 + (unsigned)k, web4, 443);
	while (G.count < n) {
		struct tcp *t = &bulk[i % 4];

		/* Mostly bulk download segments and their ACKs... */
		for (size_t j = 0; j < sizeof(chunk); j += 4) {
			x = x * 1103515245u + 12345u;
			memcpy(chunk + j, &x, 4);
		}
		tcp_seg(t, false, F_ACK, chunk, sizeof(chunk));
		tcp_seg(t, false, F_ACK, chunk, sizeof(chunk));
		tcp_seg(t, true, F_ACK, NULL, 0);
		/* ...with name lookups and new HTTPS connections between them. */
		if (i % 16 == 0)
			dns_lookup(LAPTOP, RESOLVER, names[(i / 16) % 8], (unsigned)i);
		if (i % 64 == 0)
			tls_connect(LAPTOP, 20000 + (unsigned)(i % 30000), &web4, names[(i / 64) % 8]);
		if (i % 4096 == 0)
			rdp_session(&remote4, LAPTOP, "operator", true);
		i++;
	}
	gen_close();
	printf("%lu packets\n", G.count);
}

/* --flood dns|flows FILE N: resource-bound floods for make bench.
 * dns: N lookups (query + answer) of N distinct names; flows: N TCP
 * connection attempts (SYN) from N distinct client address/port pairs.
 * Every 100000th item is a detectable one (an AnyDesk relay lookup, an
 * inbound RDP session), so the reader can check alerts keep flowing. */
static void flood(const char *kind, const char *path, unsigned long n)
{
	char dir[4096], name[128], *slash;
	bool dns = strcmp(kind, "dns") == 0;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	outdir = ".";
	if (slash) {
		*slash = '\0';
		outdir = dir;
		path = slash + 1;
	}
	gen_open(path, DLT_EN10MB);
	for (unsigned long i = 0; i < n; i++) {
		if (dns) {
			if (i % 100000 == 99999)
				snprintf(name, sizeof(name), "relay-%08lx.net.anydesk.com", i);
			else
				snprintf(name, sizeof(name), "h%lu.z%lu.example.com", i, i / 1000);
			dns_lookup(LAPTOP, RESOLVER, name, (unsigned)i);
		} else if (i % 100000 == 99999) {
			rdp_session(&remote4, LAPTOP, "operator", true);
		} else {
			/* 10.0.0.0/8 clients: (address, port) distinct for i < 2^24 * 16 */
			struct addr c = A4(10, (unsigned)(i >> 16) & 0xff,
					   (unsigned)(i >> 8) & 0xff, (unsigned)i & 0xff);
			struct tcp t = { .c = c, .s = web4, .cp = 30000 + (unsigned)((i >> 24) & 0xfff),
					 .sp = 443, .cseq = 1000, .sseq = 50000 };

			tcp_seg(&t, true, F_SYN, NULL, 0);
		}
	}
	gen_close();
	printf("%lu packets\n", G.count);
}

int main(int argc, char **argv)
{
	laptop4 = A4(192, 168, 1, 10);
	resolver4 = A4(192, 168, 1, 1);
	remote4 = A4(198, 51, 100, 7);
	remote4b = A4(203, 0, 113, 20);
	web4 = A4(203, 0, 113, 80);
	laptop6 = A6(0x10);
	remote6 = A6(0x77);
	laptop6.b[0] = 0x20;
	remote6.b[4] = 0x99;
	LAPTOP = &laptop4;
	RESOLVER = &resolver4;
	if (argc >= 3 && strcmp(argv[1], "--bench") == 0) {
		bench(argv[2], argc > 3 ? strtoul(argv[3], NULL, 10) : 600000);
		return 0;
	}
	if (argc == 5 && strcmp(argv[1], "--flood") == 0 &&
	    (strcmp(argv[2], "dns") == 0 || strcmp(argv[2], "flows") == 0)) {
		flood(argv[2], argv[3], strtoul(argv[4], NULL, 10));
		return 0;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: pcapgen DIR | pcapgen --bench FILE [PACKETS]"
			" | pcapgen --flood dns|flows FILE N\n");
		return 2;
	}
	outdir = argv[1];
	fixtures_tools();
	fixtures_sessions();
	fixtures_lan();
	fixtures_ordinary();
	fixtures_links();
	fixtures_gaps();
	return 0;
}
