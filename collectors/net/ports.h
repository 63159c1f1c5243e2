/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ports.h - the capture's port table: every port the net collector treats
 * by its number, listed once.  The kernel filter (net_filter.c) and the
 * UDP dispatch (net_udp.c) are both built from it, so a port cannot be let
 * through without a dissector, nor dissected without being let through.
 *
 * UDP rows, in dispatch order (the first row holding either port wins):
 *   - a service (DNS, mDNS, LLMNR, NetBIOS name service, DHCP): the filter
 *     passes every datagram, the dispatch hands it to that dissector;
 *   - NET_PORT_SIGNATURE, the remote-access tools' UDP ports (signals.md
 *     §5): the filter passes small datagrams; the dispatch gives the
 *     wire-signature table (dissect_sig.c) every datagram no service row
 *     took, whatever its port, and each signature checks its own.
 *   - NET_PORT_RDPUDP, RDP's UDP transport (MS-RDPEUDP) on 3389: the
 *     filter passes only datagrams with the RDPUDP_FLAG_SYN bit of uFlags
 *     set (the handshake; the graphics stream after it never does), the
 *     dispatch hands them to net_rdpudp.
 * TCP is dissected by its first bytes on any port; the TCP ports the
 * filter names are NET_TCP_PORT_TLS (the tail of a split ClientHello) and
 * VNC's 5900-5999 (small segments: the RFB security handshake after the
 * banners, RFC 6143 7.1.2-7.1.3).  NET_TCP_PORT_TEAMVIEWER is where one
 * direction's TeamViewer header is enough (net_tcp.c).
 */
#ifndef FARMHOUND_NET_PORTS_H
#define FARMHOUND_NET_PORTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum net_port_use {
	NET_PORT_DNS,
	NET_PORT_MDNS,
	NET_PORT_LLMNR,
	NET_PORT_NETBIOS,
	NET_PORT_DHCP,
	NET_PORT_SIGNATURE,	/* small datagrams only, for the wire signatures */
	NET_PORT_RDPUDP,	/* MS-RDPEUDP SYN datagrams only */
};

struct net_port_range {
	uint16_t first, last;	/* inclusive */
	enum net_port_use use;
};

static const struct net_port_range net_udp_ports[] = {
	{ 53, 53, NET_PORT_DNS },
	{ 5353, 5353, NET_PORT_MDNS },
	{ 5355, 5355, NET_PORT_LLMNR },
	{ 137, 137, NET_PORT_NETBIOS },
	{ 67, 67, NET_PORT_DHCP },		/* server */
	{ 68, 68, NET_PORT_DHCP },		/* client */
	{ 50001, 50001, NET_PORT_SIGNATURE },	/* AnyDesk discovery */
	{ 21115, 21119, NET_PORT_SIGNATURE },	/* RustDesk */
	{ 9993, 9993, NET_PORT_SIGNATURE },	/* ZeroTier */
	{ 5938, 5938, NET_PORT_SIGNATURE },	/* TeamViewer */
	{ 3389, 3389, NET_PORT_RDPUDP },	/* RDP over UDP */
};

#define NET_UDP_PORTS_N (sizeof(net_udp_ports) / sizeof(net_udp_ports[0]))

#define NET_TCP_PORT_TLS 443
#define NET_TCP_PORT_TEAMVIEWER 5938
#define NET_TCP_PORT_VNC_FIRST 5900	/* RFC 6143 1: 5900 + display number */
#define NET_TCP_PORT_VNC_LAST 5999
#define NET_UDP_PORT_RDP 3389

static inline bool net_port_in(const struct net_port_range *r, uint16_t port)
{
	return port >= r->first && port <= r->last;
}

/* The service of the first service row holding sport or dport, or -1:
 * none (signature rows are not services; RDP-UDP rows are). */
static inline int net_port_udp_service(uint16_t sport, uint16_t dport)
{
	for (size_t i = 0; i < NET_UDP_PORTS_N; i++) {
		const struct net_port_range *r = &net_udp_ports[i];

		if (r->use != NET_PORT_SIGNATURE &&
		    (net_port_in(r, sport) || net_port_in(r, dport)))
			return (int)r->use;
	}
	return -1;
}

#endif
