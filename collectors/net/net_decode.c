/* SPDX-License-Identifier: Apache-2.0 */
/*
 * net_decode.c - link, IP and transport headers (see net_decode.h).
 *
 * Every read is checked against caplen first.  The IP header's own length
 * fields bound the payload too (Ethernet pads short frames to 60 bytes;
 * the padding is not payload).  When the capture cut the packet short
 * (snaplen), the payload is what was captured and truncated is set, so a
 * dissector sees a prefix and says -EAGAIN or -EINVAL, never reads past.
 *
 * IPv4 fragments (MF set or a non-zero offset) and IPv6 Fragment headers
 * are -ENOTSUP: reassembling them would be a second, attacker-driven
 * buffer to bound, and nothing farmhound looks for needs it (DNS, DHCP and
 * handshakes fit in one datagram or segment).
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "net_decode.h"

#define ETH_P_IP	0x0800
#define ETH_P_ARP	0x0806
#define ETH_P_8021Q	0x8100
#define ETH_P_8021AD	0x88a8
#define ETH_P_QINQ	0x9100	/* pre-standard QinQ, still seen */
#define ETH_P_IPV6	0x86dd
#define ARPHRD_LOOPBACK_	772
#define PACKET_OUTGOING_	4

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int decode_tcp(const uint8_t *p, size_t len, bool cut, struct net_packet *out)
{
	size_t hl;

	if (len < 20)
		return -EINVAL;
	hl = (size_t)(p[12] >> 4) * 4;
	if (hl < 20 || hl > len)
		return -EINVAL;
	out->sport = rd16(p);
	out->dport = rd16(p + 2);
	out->seq = rd32(p + 4);
	out->tcp_flags = p[13];
	out->payload = p + hl;
	out->payload_len = len - hl;
	out->truncated = cut;
	return 0;
}

static int decode_udp(const uint8_t *p, size_t len, bool cut, struct net_packet *out)
{
	size_t ulen;

	if (len < 8)
		return -EINVAL;
	ulen = rd16(p + 4);
	if (ulen < 8)
		return -EINVAL;
	out->sport = rd16(p);
	out->dport = rd16(p + 2);
	out->payload = p + 8;
	out->payload_len = len - 8;
	/* The UDP length, when smaller, is the datagram (trailing padding). */
	if (ulen - 8 < out->payload_len)
		out->payload_len = ulen - 8;
	else if (ulen - 8 > out->payload_len)
		cut = true;
	out->truncated = cut;
	return 0;
}

static int decode_l4(const uint8_t *p, size_t len, bool cut, struct net_packet *out)
{
	switch (out->proto) {
	case 6:
		return decode_tcp(p, len, cut, out);
	case 17:
		return decode_udp(p, len, cut, out);
	default:
		out->payload = p;
		out->payload_len = len;
		out->truncated = cut;
		return 0;
	}
}

static int decode_ipv4(const uint8_t *p, size_t len, struct net_packet *out)
{
	size_t hl, tot;
	bool cut = false;

	if (len < 20 || (p[0] >> 4) != 4)
		return -EINVAL;
	hl = (size_t)(p[0] & 0x0f) * 4;
	tot = rd16(p + 2);
	if (hl < 20 || hl > len || tot < hl)
		return -EINVAL;
	if (tot < len)
		len = tot;		/* link-layer padding */
	else if (tot > len)
		cut = true;		/* snaplen */
	if (rd16(p + 6) & 0x3fff)	/* MF or fragment offset */
		return -ENOTSUP;
	out->l3 = NET_L3_IP;
	out->src.family = AF_INET;
	memcpy(out->src.bytes, p + 12, 4);
	out->dst.family = AF_INET;
	memcpy(out->dst.bytes, p + 16, 4);
	out->proto = p[9];
	return decode_l4(p + hl, len - hl, cut, out);
}

/* Skip hop-by-hop, routing and destination options headers (bounded);
 * a Fragment header, AH, ESP or anything unknown ends the walk. */
static int decode_ipv6(const uint8_t *p, size_t len, struct net_packet *out)
{
	size_t off = 40, plen;
	uint8_t nh;
	bool cut = false;

	if (len < 40 || (p[0] >> 4) != 6)
		return -EINVAL;
	plen = rd16(p + 4);
	if (40 + plen < len)
		len = 40 + plen;
	else if (40 + plen > len)
		cut = true;
	out->l3 = NET_L3_IP;
	out->src.family = AF_INET6;
	memcpy(out->src.bytes, p + 8, 16);
	out->dst.family = AF_INET6;
	memcpy(out->dst.bytes, p + 24, 16);
	nh = p[6];
	for (int i = 0; i < NET_IP6_EXT_MAX; i++) {
		switch (nh) {
		case 0:		/* hop-by-hop */
		case 43:	/* routing */
		case 60:	/* destination options */
			if (off + 8 > len)
				return -EINVAL;
			nh = p[off];
			off += ((size_t)p[off + 1] + 1) * 8;
			if (off > len)
				return -EINVAL;
			continue;
		case 44:	/* fragment */
			return -ENOTSUP;
		case 6:
		case 17:
			out->proto = nh;
			return decode_l4(p + off, len - off, cut, out);
		default:
			out->proto = nh;
			return -ENOTSUP;
		}
	}
	return -ENOTSUP;
}

static int decode_ethertype(uint16_t type, const uint8_t *p, size_t len,
			    struct net_packet *out)
{
	switch (type) {
	case ETH_P_IP:
		return decode_ipv4(p, len, out);
	case ETH_P_IPV6:
		return decode_ipv6(p, len, out);
	case ETH_P_ARP:
		out->l3 = NET_L3_ARP;
		out->arp = p;
		out->arp_len = len;
		return 0;
	default:
		return -ENOTSUP;
	}
}

static int decode_ether(const uint8_t *p, size_t len, struct net_packet *out)
{
	size_t off = 14;
	uint16_t type;

	if (len < 14)
		return -EINVAL;
	out->has_mac = true;
	memcpy(out->src_mac, p + 6, 6);
	type = rd16(p + 12);
	for (int i = 0; i < NET_VLAN_MAX; i++) {
		if (type != ETH_P_8021Q && type != ETH_P_8021AD && type != ETH_P_QINQ)
			break;
		if (off + 4 > len)
			return -EINVAL;
		type = rd16(p + off + 2);
		off += 4;
	}
	if (type == ETH_P_8021Q || type == ETH_P_8021AD || type == ETH_P_QINQ)
		return -ENOTSUP;	/* more tags than we peel */
	if (type < 0x0600)
		return -ENOTSUP;	/* 802.3 length field: LLC, not IP */
	return decode_ethertype(type, p + off, len - off, out);
}

/* Cooked v1: pkttype(2) hatype(2) halen(2) addr(8) protocol(2). */
static int decode_sll(const uint8_t *p, size_t len, struct net_packet *out)
{
	uint16_t hatype, halen;

	if (len < 16)
		return -EINVAL;
	hatype = rd16(p + 2);
	halen = rd16(p + 4);
	out->outgoing_loopback = hatype == ARPHRD_LOOPBACK_ &&
				 rd16(p) == PACKET_OUTGOING_;
	if (hatype == 1 && halen == 6) {
		out->has_mac = true;
		memcpy(out->src_mac, p + 6, 6);
	}
	return decode_ethertype(rd16(p + 14), p + 16, len - 16, out);
}

/* Cooked v2: protocol(2) reserved(2) ifindex(4) hatype(2) pkttype(1)
 * halen(1) addr(8). */
static int decode_sll2(const uint8_t *p, size_t len, struct net_packet *out)
{
	uint16_t hatype;

	if (len < 20)
		return -EINVAL;
	out->ifindex = rd32(p + 4);
	hatype = rd16(p + 8);
	out->outgoing_loopback = hatype == ARPHRD_LOOPBACK_ && p[10] == PACKET_OUTGOING_;
	if (hatype == 1 && p[11] == 6) {
		out->has_mac = true;
		memcpy(out->src_mac, p + 12, 6);
	}
	return decode_ethertype(rd16(p), p + 20, len - 20, out);
}

static int decode_raw(const uint8_t *p, size_t len, struct net_packet *out)
{
	if (len < 1)
		return -EINVAL;
	switch (p[0] >> 4) {
	case 4:
		return decode_ipv4(p, len, out);
	case 6:
		return decode_ipv6(p, len, out);
	default:
		return -ENOTSUP;
	}
}

/* BSD loopback: a 4-byte address family, in the capturing host's byte
 * order for NULL and in network order for LOOP.  Values are small, so a
 * NULL header written on the other endianness shows up in the high bytes:
 * swap it.  AF_INET6 differs between BSDs (24 NetBSD/OpenBSD, 28 FreeBSD,
 * 30 Darwin) and is 10 on Linux. */
static int decode_null(const uint8_t *p, size_t len, bool network_order,
		       struct net_packet *out)
{
	uint32_t af;

	if (len < 4)
		return -EINVAL;
	af = rd32(p);
	if (!network_order && (af & 0xffff0000u))
		af = (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
	switch (af) {
	case 2:
		return decode_ipv4(p + 4, len - 4, out);
	case 10: case 24: case 28: case 30:
		return decode_ipv6(p + 4, len - 4, out);
	default:
		return -ENOTSUP;
	}
}

int net_decode(int dlt, const uint8_t *p, size_t caplen, struct net_packet *out)
{
	memset(out, 0, sizeof(*out));
	if (!p)
		return -EINVAL;
	switch (dlt) {
	case NET_DLT_EN10MB:
		return decode_ether(p, caplen, out);
	case NET_DLT_LINUX_SLL:
		return decode_sll(p, caplen, out);
	case NET_DLT_LINUX_SLL2:
		return decode_sll2(p, caplen, out);
	case NET_DLT_RAW:
	case NET_DLT_RAW_OPENBSD:
		return decode_raw(p, caplen, out);
	case NET_DLT_IPV4:
		return decode_ipv4(p, caplen, out);
	case NET_DLT_IPV6:
		return decode_ipv6(p, caplen, out);
	case NET_DLT_NULL:
		return decode_null(p, caplen, false, out);
	case NET_DLT_LOOP:
		return decode_null(p, caplen, true, out);
	default:
		return -ENOTSUP;
	}
}
