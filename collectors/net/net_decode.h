/* SPDX-License-Identifier: Apache-2.0 */
/*
 * net_decode.h - link, IP and transport headers of one captured packet.
 *
 * Pure: bytes in, a struct of pointers into those bytes out.  No
 * allocation, no logging.  The link types are the ones libpcap hands the
 * net collector: Ethernet (with 802.1Q/802.1ad tags), Linux cooked v1 and
 * v2 (the `any` device), raw IP, BSD loopback (NULL, LOOP).  Anything
 * else -- fragments, unknown ethertypes, tunnels -- is reported as
 * -ENOTSUP so the caller counts it and moves on; it is never guessed at.
 */
#ifndef FARMHOUND_NET_DECODE_H
#define FARMHOUND_NET_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collectors/event.h"

/* libpcap DLT_ values, spelled out so the decoder does not depend on the
 * pcap headers (tests feed it hand-built frames). */
#define NET_DLT_NULL		0
#define NET_DLT_EN10MB		1
#define NET_DLT_RAW		12	/* Linux/most BSDs; LINKTYPE_RAW 101 is mapped to it */
#define NET_DLT_RAW_OPENBSD	14
#define NET_DLT_LOOP		108
#define NET_DLT_LINUX_SLL	113
#define NET_DLT_IPV4		228
#define NET_DLT_IPV6		229
#define NET_DLT_LINUX_SLL2	276

#define NET_VLAN_MAX		3	/* tags peeled before giving up */
#define NET_IP6_EXT_MAX		8	/* IPv6 extension headers walked */

enum net_l3 {
	NET_L3_NONE,
	NET_L3_ARP,
	NET_L3_IP,
};

struct net_packet {
	bool has_mac;			/* src_mac is the sender's link address */
	uint8_t src_mac[6];
	uint32_t ifindex;		/* SLL2 only; 0 otherwise */
	bool outgoing_loopback;		/* cooked capture of lo's tx copy: a duplicate */
	enum net_l3 l3;
	const uint8_t *arp;		/* NET_L3_ARP: the ARP body */
	size_t arp_len;
	struct ip_addr src, dst;	/* NET_L3_IP */
	uint8_t proto;			/* 6 TCP, 17 UDP, other: no ports */
	uint16_t sport, dport;
	uint8_t tcp_flags;		/* FIN 0x01 SYN 0x02 RST 0x04 ACK 0x10 */
	uint32_t seq;
	const uint8_t *payload;		/* transport payload as captured */
	size_t payload_len;		/* captured bytes of it */
	bool truncated;			/* the capture cut the payload (caplen < len) */
};

#define NET_TCP_FIN 0x01
#define NET_TCP_SYN 0x02
#define NET_TCP_RST 0x04
#define NET_TCP_ACK 0x10

/* 0 decoded (out filled), -EINVAL malformed or cut inside a header,
 * -ENOTSUP a fragment, an unknown link type or encapsulation. */
int net_decode(int dlt, const uint8_t *p, size_t caplen, struct net_packet *out);

#endif
