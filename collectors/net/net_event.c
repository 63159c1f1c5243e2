/* SPDX-License-Identifier: Apache-2.0 */
/*
 * net_event.c - the net collector's findings become events: a builder
 * that sets the common fields (kind, time, interface, addresses, ports,
 * direction, remote country, a neighbour's MAC, vendor and name), the
 * dedupe cache, and the direction of a flow.  Its own file because every
 * dissector's finding, UDP or TCP, goes through it, and because which way
 * a flow goes is a decision worth reading on its own.
 *
 * Findings repeat (every DNS lookup of the same name, every ARP of the same
 * neighbour): a small direct-mapped cache of what was reported, keyed by a
 * hash of the finding and timed by packet timestamps (so --pcap behaves
 * like the wire), keeps it to one event per dedupe_window.
 *
 * Direction of a flow finding (src is always the client, dst the server):
 * "inbound" when the server address is one of this host's, "outbound" when
 * the client's is, otherwise "lan" when both are private and "transit" when
 * not.  A capture file has no local addresses: there, when exactly one side
 * is private, that side is taken as this host; otherwise the server side
 * (the one that listened) is taken as this host for remote-desktop
 * handshakes (inbound) and the client side for everything else (outbound).
 * Neighbour findings (ARP, DHCP, mDNS, NetBIOS, LLMNR) are "lan".
 */
#include <errno.h>
#include <fnmatch.h>
#include <ifaddrs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "dissect.h"
#include "lib/util.h"
#include "net_int.h"

/* ---- small helpers ---- */

uint64_t net_hash(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

uint64_t net_hash_str(uint64_t h, const char *s)
{
	return net_hash(h, s ? s : "", s ? strlen(s) + 1 : 1);
}

/* True when this finding was already reported within the window (and
 * remember it now otherwise). */
bool net_seen_recently(struct net_state *st, uint64_t h)
{
	uint64_t *slot;

	if (h == 0)
		h = 1;		/* 0 marks an empty slot */
	slot = st->dedupe[h % NET_DEDUPE_SLOTS];
	if (slot[0] == h && st->now_ms >= slot[1] && st->now_ms - slot[1] < st->dedupe_ms)
		return true;
	slot[0] = h;
	slot[1] = st->now_ms;
	return false;
}

static bool net_is_private(const struct ip_addr *a)
{
	const uint8_t *b = a->bytes;

	if (a->family == AF_INET)
		return b[0] == 10 || b[0] == 127 || (b[0] == 172 && (b[1] & 0xf0) == 16) ||
		       (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254);
	if ((b[0] & 0xfe) == 0xfc || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80))
		return true;
	for (int i = 0; i < 15; i++)
		if (b[i])
			return false;
	return b[15] == 1;	/* ::1 */
}

static bool net_is_local(const struct net_state *st, const struct ip_addr *a)
{
	size_t n = a->family == AF_INET ? 4 : 16;

	for (size_t i = 0; i < st->nlocal; i++)
		if (st->local[i].family == a->family && memcmp(st->local[i].bytes, a->bytes, n) == 0)
			return true;
	return false;
}

void net_refresh_local(struct net_state *st)
{
	struct ifaddrs *ifa, *i;

	st->nlocal = 0;
	if (getifaddrs(&ifa) < 0)
		return;
	for (i = ifa; i && st->nlocal < NET_LOCAL_MAX; i = i->ifa_next) {
		struct ip_addr *a = &st->local[st->nlocal];

		if (!i->ifa_addr)
			continue;
		memset(a, 0, sizeof(*a));
		if (i->ifa_addr->sa_family == AF_INET) {
			a->family = AF_INET;
			memcpy(a->bytes, &((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr, 4);
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			a->family = AF_INET6;
			memcpy(a->bytes, &((struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr, 16);
		} else {
			continue;
		}
		st->nlocal++;
	}
	freeifaddrs(ifa);
}

/* "inbound", "outbound", "lan" or "transit" for a client -> server flow;
 * session: a remote-desktop handshake (see the top comment). */
static const char *net_direction(const struct net_state *st, const struct ip_addr *client,
				 const struct ip_addr *server, bool session)
{
	bool cp, sp;

	if (net_is_local(st, server))
		return "inbound";
	if (net_is_local(st, client))
		return "outbound";
	cp = net_is_private(client);
	sp = net_is_private(server);
	if (st->ctx.mode == COLLECTOR_PCAP) {
		if (sp && !cp)
			return "inbound";
		if (cp && !sp)
			return "outbound";
		return session ? "inbound" : "outbound";
	}
	return cp && sp ? "lan" : "transit";
}

static const char *net_ifname(struct net_state *st)
{
	uint32_t idx;

	if (!st->cur)
		return NULL;
	if (!st->cur->any)
		return st->cur->ifname[0] ? st->cur->ifname : NULL;
	idx = st->pk ? st->pk->ifindex : 0;
	if (idx == 0)
		return NULL;
	for (size_t i = 0; i < st->nifcache; i++)
		if (st->ifcache[i].index == idx)
			return st->ifcache[i].name;
	if (st->ctx.mode == COLLECTOR_PCAP)
		return NULL;	/* the capture host's index, not ours */
	{
		size_t slot = st->nifcache < NET_IFCACHE ? st->nifcache++ : idx % NET_IFCACHE;

		if (!if_indextoname(idx, st->ifcache[slot].name))
			snprintf(st->ifcache[slot].name, IF_NAMESIZE, "if%u", idx);
		st->ifcache[slot].index = idx;
		return st->ifcache[slot].name;
	}
}

/* ---- events ---- */

static void nev_keep(struct net_ev *b, int r)
{
	if (r < 0 && b->err == 0)
		b->err = r;
}

void nev_str(struct net_ev *b, int f, const char *s)
{
	if (b->ev && s && *s)
		nev_keep(b, event_set_str(b->ev, f, s));
}

void nev_int(struct net_ev *b, int f, int64_t v)
{
	if (b->ev)
		nev_keep(b, event_set_int(b->ev, f, v));
}

void nev_bool(struct net_ev *b, int f, bool v)
{
	if (b->ev)
		nev_keep(b, event_set_bool(b->ev, f, v));
}

void nev_ip(struct net_ev *b, int f, const struct ip_addr *a)
{
	if (b->ev && a && a->family)
		nev_keep(b, event_set_ip(b->ev, f, a));
}

struct net_ev nev_new(struct net_state *st, const char *kind)
{
	struct net_ev b = { .st = st };

	b.ev = event_new(&net_source);
	if (!b.ev) {
		b.err = -ENOMEM;
		return b;
	}
	b.ev->ts.tv_sec = (time_t)(st->now_ms / 1000);
	b.ev->ts.tv_nsec = (long)(st->now_ms % 1000) * 1000000L;
	nev_str(&b, NET_ACTION, EVENT_ACTION_SEEN);
	nev_str(&b, NET_KIND, kind);
	nev_str(&b, NET_INTERFACE, net_ifname(st));
	return b;
}

static void nev_country(struct net_ev *b, const struct ip_addr *remote)
{
	char cc[3];

	if (!b->st->geoip || !remote || !remote->family)
		return;
	if (geoip_country(b->st->geoip, remote, cc) < 0)
		return;
	nev_str(b, NET_REMOTE_COUNTRY, cc);
	if (b->ev)
		nev_keep(b, geo_set_field(b->ev, NET_REMOTE_COUNTRY_EXPECTED,
					  geo_set_match(&b->st->countries, cc)));
}

/* src = client, dst = server. */
void nev_flow(struct net_ev *b, const struct ip_addr *client, uint16_t cport,
	      const struct ip_addr *server, uint16_t sport, bool tcp, bool session)
{
	const char *dir = net_direction(b->st, client, server, session);

	nev_ip(b, NET_SRC_IP, client);
	nev_int(b, NET_SRC_PORT, cport);
	nev_ip(b, NET_DST_IP, server);
	nev_int(b, NET_DST_PORT, sport);
	nev_str(b, NET_TRANSPORT, tcp ? "tcp" : "udp");
	nev_str(b, NET_DIRECTION, dir);
	if (strcmp(dir, "inbound") == 0)
		nev_country(b, client);
	else if (strcmp(dir, "outbound") == 0 || strcmp(dir, "transit") == 0)
		nev_country(b, server);
}

void nev_mac(struct net_ev *b, const uint8_t mac[6])
{
	char s[18];
	static const uint8_t zero[6];

	if (!mac || memcmp(mac, zero, 6) == 0)
		return;
	snprintf(s, sizeof(s), "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2],
		 mac[3], mac[4], mac[5]);
	nev_str(b, NET_NEIGHBOR_MAC, s);
	nev_str(b, NET_NEIGHBOR_VENDOR, oui_vendor(mac));
}

/* A LAN peer's announced name: without ".local", matched against the
 * fleet's host name pattern. */
void nev_name(struct net_ev *b, const char *name)
{
	char n[DISSECT_NAME_MAX];
	size_t len;

	if (!name || !*name)
		return;
	strlcpy_fh(n, name, sizeof(n));
	len = strlen(n);
	if (len > 6 && strcasecmp(n + len - 6, ".local") == 0)
		n[len - 6] = '\0';
	nev_str(b, NET_NEIGHBOR_NAME, n);
	if (b->st->fleet[0])
		nev_bool(b, NET_FLEET_SIBLING, fnmatch(b->st->fleet, n, FNM_CASEFOLD) == 0);
}

void nev_emit(struct net_ev *b)
{
	if (!b->ev)
		return;
	/* A setter failed (out of memory): the event is still true as far as
	 * it goes; rules on the missing field simply do not match. */
	if (b->st->ctx.emit)
		b->st->ctx.emit(b->st->ctx.opaque, b->ev);
	else
		event_free(b->ev);
	b->ev = NULL;
}

/* ---- wire signatures ---- */

void net_signature(struct net_state *st, const struct wire_signature *sig,
		   const struct ip_addr *client, uint16_t cport,
		   const struct ip_addr *server, uint16_t sport, bool tcp)
{
	struct net_ev b;
	uint64_t h = net_hash_str(net_hash_str(0xcbf29ce484222325ull, "sig"), sig->id);

	h = net_hash(h, server->bytes, sizeof(server->bytes));
	if (net_seen_recently(st, h))
		return;
	b = nev_new(st, sig->tool);
	nev_str(&b, NET_SIGNATURE, sig->id);
	nev_flow(&b, client, cport, server, sport, tcp, false);
	nev_emit(&b);
}
