/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_net_frames.h - hand-built frames for the net unit tests: Ethernet
 * (optionally VLAN-tagged), IPv4/IPv6, TCP/UDP, ARP, laid out per RFC 791,
 * 8200, 793, 768, 826 and IEEE 802.1Q.  Checksums are left zero: neither
 * the decoder nor the BPF filter looks at them.
 */
#ifndef TEST_NET_FRAMES_H
#define TEST_NET_FRAMES_H

#include <stdint.h>
#include <string.h>

struct frame {
	uint8_t b[4096];
	size_t n;
};

static inline void fr_put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Ethernet header with vlans tags (outer 802.1ad when two). */
static inline size_t fr_eth(struct frame *f, int vlans, unsigned ethertype)
{
	size_t o = 12;

	memset(f->b, 0, sizeof(f->b));
	memcpy(f->b, "\xff\xff\xff\xff\xff\xff", 6);
	memcpy(f->b + 6, "\xdc\xa6\x32\x01\x02\x03", 6);
	for (int i = 0; i < vlans; i++) {
		fr_put16(f->b + o, i == 0 && vlans > 1 ? 0x88a8 : 0x8100);
		fr_put16(f->b + o + 2, 10 + (unsigned)i);
		o += 4;
	}
	fr_put16(f->b + o, ethertype);
	return o + 2;
}

/* IPv4 header at o; returns the L4 offset. */
static inline size_t fr_ip4(struct frame *f, size_t o, uint8_t proto, size_t l4len)
{
	uint8_t *p = f->b + o;

	p[0] = 0x45;
	fr_put16(p + 2, (unsigned)(20 + l4len));
	p[8] = 64;
	p[9] = proto;
	memcpy(p + 12, "\xc0\xa8\x01\x0a", 4);
	memcpy(p + 16, "\xc6\x33\x64\x07", 4);
	return o + 20;
}

static inline size_t fr_ip6(struct frame *f, size_t o, uint8_t proto, size_t l4len)
{
	uint8_t *p = f->b + o;

	p[0] = 0x60;
	fr_put16(p + 4, (unsigned)l4len);
	p[6] = proto;
	p[7] = 64;
	memcpy(p + 8, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x10", 16);
	memcpy(p + 24, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x77", 16);
	return o + 40;
}

static inline size_t fr_tcp(struct frame *f, size_t o, unsigned sport, unsigned dport,
			    uint8_t flags, const void *payload, size_t n)
{
	uint8_t *p = f->b + o;

	fr_put16(p, sport);
	fr_put16(p + 2, dport);
	p[4] = 0x10;		/* seq 0x10000000 */
	p[12] = 5 << 4;
	p[13] = flags;
	fr_put16(p + 14, 65535);
	if (n)
		memcpy(p + 20, payload, n);
	return o + 20 + n;
}

static inline size_t fr_udp(struct frame *f, size_t o, unsigned sport, unsigned dport,
			    const void *payload, size_t n)
{
	uint8_t *p = f->b + o;

	fr_put16(p, sport);
	fr_put16(p + 2, dport);
	fr_put16(p + 4, (unsigned)(8 + n));
	if (n)
		memcpy(p + 8, payload, n);
	return o + 8 + n;
}

/* Whole frames. */
static inline void fr_tcp4(struct frame *f, int vlans, unsigned sport, unsigned dport,
			   uint8_t flags, const void *pl, size_t n)
{
	size_t o = fr_eth(f, vlans, 0x0800);

	o = fr_ip4(f, o, 6, 20 + n);
	f->n = fr_tcp(f, o, sport, dport, flags, pl, n);
}

static inline void fr_tcp6(struct frame *f, int vlans, unsigned sport, unsigned dport,
			   uint8_t flags, const void *pl, size_t n)
{
	size_t o = fr_eth(f, vlans, 0x86dd);

	o = fr_ip6(f, o, 6, 20 + n);
	f->n = fr_tcp(f, o, sport, dport, flags, pl, n);
}

static inline void fr_udp4(struct frame *f, int vlans, unsigned sport, unsigned dport,
			   const void *pl, size_t n)
{
	size_t o = fr_eth(f, vlans, 0x0800);

	o = fr_ip4(f, o, 17, 8 + n);
	f->n = fr_udp(f, o, sport, dport, pl, n);
}

static inline void fr_udp6(struct frame *f, unsigned sport, unsigned dport, const void *pl,
			   size_t n)
{
	size_t o = fr_eth(f, 0, 0x86dd);

	o = fr_ip6(f, o, 17, 8 + n);
	f->n = fr_udp(f, o, sport, dport, pl, n);
}

static inline void fr_arp(struct frame *f)
{
	size_t o = fr_eth(f, 0, 0x0806);
	static const uint8_t arp[28] = { 0, 1, 8, 0, 6, 4, 0, 1, 0xdc, 0xa6, 0x32, 1, 2, 3,
					 192, 168, 1, 50, 0, 0, 0, 0, 0, 0, 192, 168, 1, 1 };

	memcpy(f->b + o, arp, sizeof(arp));
	f->n = o + sizeof(arp);
}

#endif
