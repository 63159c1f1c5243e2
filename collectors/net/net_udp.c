/* SPDX-License-Identifier: Apache-2.0 */
/*
 * net_udp.c - the findings that take one packet each, no stream state:
 * LAN neighbours (ARP, DHCP, and the names mDNS, NetBIOS and LLMNR
 * announce), DNS questions, and remote-access tools' UDP wire signatures
 * (RDP's UDP handshake pairs a SYN with its answer, so net_tcp.c's flow
 * table keeps it: net_rdpudp).
 * UDP datagrams go to their dissector by the port table (ports.h): a
 * service row names it, and a datagram no service took is offered to the
 * wire-signature table.  ARP sits here too: like a datagram, each packet
 * is a whole finding.
 *
 * Its own file because this is the stateless half of the dispatch; TCP,
 * with its flows and reassembly, is net_tcp.c.
 */
#include <stdbool.h>
#include <stdlib.h>

#include "dissect.h"
#include "net_int.h"
#include "ports.h"

/* ---- the LAN ---- */

void net_arp(struct net_state *st, const struct net_packet *pk)
{
	struct arp_packet a;
	struct net_ev b;
	uint64_t h;

	if (dissect_arp(pk->arp, pk->arp_len, &a) < 0) {
		st->skipped++;
		return;
	}
	h = net_hash(net_hash_str(0xcbf29ce484222325ull, "arp"), a.sender_mac, 6);
	if (net_seen_recently(st, h))
		return;
	b = nev_new(st, "neighbor");
	nev_mac(&b, a.sender_mac);
	nev_ip(&b, NET_SRC_IP, &a.sender_ip);
	nev_str(&b, NET_DIRECTION, "lan");
	nev_emit(&b);
}

static void net_dhcp(struct net_state *st, const struct net_packet *pk)
{
	struct dhcp_message m;
	struct net_ev b;
	uint64_t h;

	if (dissect_dhcp(pk->payload, pk->payload_len, &m) < 0) {
		st->skipped++;
		return;
	}
	if (m.op != 1)
		return;		/* the server's answer says nothing about the peer */
	h = net_hash(net_hash_str(0xcbf29ce484222325ull, "dhcp"), m.client_mac, 6);
	h = net_hash_str(h, m.hostname);
	if (net_seen_recently(st, h))
		return;
	b = nev_new(st, "dhcp");
	nev_mac(&b, m.client_mac);
	nev_name(&b, m.hostname);
	nev_ip(&b, NET_SRC_IP, m.requested_ip.family ? &m.requested_ip : NULL);
	nev_str(&b, NET_DIRECTION, "lan");
	nev_emit(&b);
}

/* One neighbour finding from a name service (mDNS host, NetBIOS, LLMNR)
 * or an mDNS service type. */
static void net_neighbor_name(struct net_state *st, const char *kind, const char *name,
			      const char *service)
{
	const struct net_packet *pk = st->pk;
	struct net_ev b;
	uint64_t h = net_hash_str(0xcbf29ce484222325ull, kind);

	h = net_hash_str(h, name);
	h = net_hash_str(h, service);
	h = net_hash(h, pk->src.bytes, sizeof(pk->src.bytes));
	if (net_seen_recently(st, h))
		return;
	b = nev_new(st, kind);
	if (pk->has_mac)
		nev_mac(&b, pk->src_mac);
	nev_name(&b, name);
	nev_str(&b, NET_MDNS_SERVICE, service);
	nev_ip(&b, NET_SRC_IP, &pk->src);
	nev_int(&b, NET_SRC_PORT, pk->sport);
	nev_str(&b, NET_TRANSPORT, "udp");
	nev_str(&b, NET_DIRECTION, "lan");
	nev_emit(&b);
}

static void net_mdns(struct net_state *st, const struct net_packet *pk)
{
	struct dns_message *m = malloc(sizeof(*m));
	struct mdns_info *info = malloc(sizeof(*info));

	if (!m || !info)
		goto out;
	if (dissect_dns(pk->payload, pk->payload_len, m) < 0) {
		st->skipped++;
		goto out;
	}
	dissect_mdns_summary(m, info);
	for (size_t i = 0; i < info->nservices && i < MDNS_ITEMS_MAX; i++)
		net_neighbor_name(st, "mdns", NULL, info->services[i]);
	/* A host name in an answer is the sender's own (a query asks for
	 * someone else's). */
	if (m->response)
		for (size_t i = 0; i < info->nhosts && i < MDNS_ITEMS_MAX; i++)
			net_neighbor_name(st, "mdns", info->hosts[i], NULL);
out:
	free(m);
	free(info);
}

static void net_llmnr(struct net_state *st, const struct net_packet *pk)
{
	struct dns_message *m = malloc(sizeof(*m));

	if (!m)
		return;
	if (dissect_dns(pk->payload, pk->payload_len, m) < 0)
		st->skipped++;
	else if (m->response && m->nquestions > 0)
		net_neighbor_name(st, "llmnr", m->questions[0].name, NULL);
	free(m);
}

static void net_netbios(struct net_state *st, const struct net_packet *pk)
{
	struct netbios_ns n;

	if (dissect_netbios_ns(pk->payload, pk->payload_len, &n) < 0) {
		st->skipped++;
		return;
	}
	/* Responses and registrations (which carry an address) name their
	 * sender; a query names the peer being looked for. */
	if ((n.response || n.addr.family) && n.name[0])
		net_neighbor_name(st, "netbios", n.name, NULL);
}

/* ---- DNS ---- */

static void net_dns(struct net_state *st, const struct net_packet *pk)
{
	struct dns_message *m = malloc(sizeof(*m));
	bool from_server = pk->sport == 53 && pk->dport != 53;
	const struct ip_addr *client = from_server ? &pk->dst : &pk->src;
	const struct ip_addr *server = from_server ? &pk->src : &pk->dst;
	uint16_t cport = from_server ? pk->dport : pk->sport;

	if (!m)
		return;
	if (dissect_dns(pk->payload, pk->payload_len, m) < 0) {
		st->skipped++;
		goto out;
	}
	for (size_t i = 0; i < m->nquestions && i < DNS_QUESTIONS_MAX; i++) {
		const char *name = m->questions[i].name;
		struct net_ev b;

		if (!name[0] || net_seen_recently(st, net_hash_str(net_hash_str(
			0xcbf29ce484222325ull, "dns"), name)))
			continue;
		b = nev_new(st, "dns");
		nev_str(&b, NET_DNS_QUERY, name);
		nev_flow(&b, client, cport, server, 53, false, false);
		nev_emit(&b);
	}
out:
	free(m);
}

/* The dissector of each UDP service of the port table (ports.h). */
static void (*const net_udp_service[])(struct net_state *, const struct net_packet *) = {
	[NET_PORT_DNS] = net_dns, [NET_PORT_MDNS] = net_mdns, [NET_PORT_LLMNR] = net_llmnr,
	[NET_PORT_NETBIOS] = net_netbios, [NET_PORT_DHCP] = net_dhcp,
	[NET_PORT_RDPUDP] = net_rdpudp,		/* net_tcp.c: it keeps a flow */
};

void net_udp(struct net_state *st, const struct net_packet *pk)
{
	const struct wire_signature *sig;
	uint16_t s = pk->sport, d = pk->dport;
	int service = net_port_udp_service(s, d);

	if (service >= 0)
		net_udp_service[service](st, pk);
	else if ((sig = dissect_wire_signature(pk->payload, pk->payload_len, DISSECT_UDP, d)))
		net_signature(st, sig, &pk->src, s, &pk->dst, d, false);
	else if ((sig = dissect_wire_signature(pk->payload, pk->payload_len, DISSECT_UDP, s)))
		net_signature(st, sig, &pk->dst, d, &pk->src, s, false);
}
