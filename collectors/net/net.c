/*
 * net.c - the net collector: passive capture with libpcap, live or from a
 * file, turned into one event per finding (a DNS name, a TLS server name, a
 * remote-desktop handshake, a neighbour on the LAN).
 *
 * Capture.  In the daemon, one libpcap handle per configured interface
 * (default: Linux's `any` device, so Wi-Fi, docks and VPN interfaces that
 * come and go are covered without re-opening), each non-blocking, in
 * immediate mode, with a bounded snaplen and the kernel BPF filter of
 * net_filter.c, so bulk transfers never reach user space.  The handles'
 * selectable fds sit in a private epoll set whose fd is the collector's fd:
 * the agent's loop wakes on it and on_ready dispatches at most
 * NET_BUDGET packets per handle, so one busy interface cannot starve the
 * rest or the loop.  --pcap reads a file through the same filter and the
 * same code.
 *
 * Decoding (net_decode.c) gives addresses, ports and the transport payload;
 * fragments, unknown encapsulations and broken headers are counted in
 * stats().skipped.  UDP payloads (DNS, mDNS, LLMNR, NetBIOS, DHCP, wire
 * signatures) are dissected per datagram.  TCP goes through the flow table
 * (net_flow.c): the first bytes of each direction are inspected once, and a
 * ClientHello split over segments is reassembled up to TLS_REASSEMBLY_MAX,
 * only while a dissector answers -EAGAIN.  A remote-desktop *session* (RDP,
 * VNC, SSH) is reported when both halves of its handshake were seen; a flow
 * that ends with only one half is reported once as an attempt
 * (session=false); a port scan (SYN, RST) has no handshake and is not
 * reported at all.
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
 *
 * Everything in a packet is attacker-controlled; the dissectors bound what
 * they copy and the event setters bound it again.
 */
#include <errno.h>
#include <fnmatch.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "collectors/geo.h"
#include "dissect.h"
#include "lib/util.h"
#include "net.h"
#include "net_decode.h"
#include "net_filter.h"
#include "net_flow.h"
#include "ports.h"

#define NET_IF_MAX		16	/* interfaces in the `interfaces` list */
#define NET_SNAPLEN		2048	/* a ClientHello segment, a DHCP packet */
#define NET_BUFFER_BYTES	(512 * 1024)	/* kernel ring per handle: the filter keeps it quiet */
#define NET_TIMEOUT_MS		100
#define NET_BUDGET		256	/* packets per handle per wake-up */
#define NET_FLOW_DEFAULT	4096
#define NET_REASM_BUFS		16	/* flows reassembling at once */
#define NET_SEGMENTS_MAX	8	/* segments looked at per direction */
#define NET_DEDUPE_SLOTS	2048
#define NET_LOCAL_MAX		64
#define NET_LOCAL_REFRESH_MS	30000
#define NET_IDLE_MS		(2 * 60 * 1000)	/* a flow with no packet: done */
#define NET_TICK_MS		30000
#define NET_IFCACHE		16

static const struct field_def net_fields[NET__NFIELDS] = {
	[NET_ACTION] = { "action", FIELD_STRING, "seen" },
	[NET_KIND] = { "kind", FIELD_STRING,
		"dns, tls, http, rdp, vnc, ssh, teamviewer, rustdesk, anydesk, zerotier, splashtop, "
		"screenconnect, neighbor, dhcp, mdns, netbios, llmnr" },
	[NET_SRC_IP] = { "src_ip", FIELD_IP, "client (initiator) address; the sender for neighbours" },
	[NET_SRC_PORT] = { "src_port", FIELD_INT, "client port" },
	[NET_DST_IP] = { "dst_ip", FIELD_IP, "server address" },
	[NET_DST_PORT] = { "dst_port", FIELD_INT, "server port" },
	[NET_TRANSPORT] = { "transport", FIELD_STRING, "tcp or udp" },
	[NET_DIRECTION] = { "direction", FIELD_STRING,
		"inbound (a peer connected to this host), outbound, lan, transit" },
	[NET_DNS_QUERY] = { "dns_query", FIELD_STRING, "name asked for, lower case, no trailing dot" },
	[NET_TLS_SNI] = { "tls_sni", FIELD_STRING, "TLS ClientHello server name" },
	[NET_ALPN] = { "alpn", FIELD_STRING, "TLS ClientHello ALPN protocols, comma-separated" },
	[NET_TLS_CERT_CN] = { "tls_cert_cn", FIELD_STRING, "server certificate subject CN (TLS <= 1.2)" },
	[NET_TLS_CERT_O] = { "tls_cert_o", FIELD_STRING, "server certificate subject O (TLS <= 1.2)" },
	[NET_HTTP_HOST] = { "http_host", FIELD_STRING, "HTTP request Host header" },
	[NET_USER_AGENT] = { "user_agent", FIELD_STRING, "HTTP request User-Agent header" },
	[NET_RDP_COOKIE] = { "rdp_cookie", FIELD_STRING, "RDP Connection Request cookie (mstshash=user)" },
	[NET_RDP_PROTOCOLS] = { "rdp_protocols", FIELD_INT,
		"RDP requested protocols (0 RDP, 1 TLS, 2 CredSSP, 8 RDSTLS)" },
	[NET_VNC_VERSION] = { "vnc_version", FIELD_STRING, "RFB version of the server banner, e.g. 003.008" },
	[NET_SSH_BANNER] = { "ssh_banner", FIELD_STRING,
		"SSH identification line of the client (the server's if the client's was not seen)" },
	[NET_SESSION] = { "session", FIELD_BOOL,
		"rdp/vnc/ssh: both halves of the handshake seen (false: an attempt)" },
	[NET_SIGNATURE] = { "signature", FIELD_STRING, "wire signature id (dissect.h table)" },
	[NET_NEIGHBOR_MAC] = { "neighbor_mac", FIELD_STRING, "link address of a LAN peer, lower-case hex" },
	[NET_NEIGHBOR_VENDOR] = { "neighbor_vendor", FIELD_STRING,
		"KVM-related vendor of that address (Raspberry Pi, GL.iNet, Sipeed, ...)" },
	[NET_NEIGHBOR_NAME] = { "neighbor_name", FIELD_STRING,
		"name a LAN peer announces (DHCP host name, mDNS host, NetBIOS, LLMNR)" },
	[NET_MDNS_SERVICE] = { "mdns_service", FIELD_STRING, "mDNS service type, e.g. _pikvm._tcp.local" },
	[NET_FLEET_SIBLING] = { "fleet_sibling", FIELD_BOOL,
		"neighbor_name matches [collector.net] fleet_hostname" },
	[NET_REMOTE_COUNTRY] = { "remote_country", FIELD_STRING,
		"ISO country of the remote address (MaxMind database of [geo])" },
	[NET_REMOTE_COUNTRY_EXPECTED] = { "remote_country_expected", FIELD_BOOL,
		"remote_country is in [geo] countries (unset when either is not configured)" },
	[NET_INTERFACE] = { "interface", FIELD_STRING, "capture interface, when known" },
};

static const int net_entity[] = { NET_KIND, NET_SRC_IP, NET_DST_IP, NET_DNS_QUERY,
				   NET_TLS_SNI, NET_NEIGHBOR_MAC, NET_NEIGHBOR_NAME,
				   NET_MDNS_SERVICE, -1 };

/* The most telling value of an event, for the human message. */
static const char *net_subject(const struct event *ev)
{
	static const int order[] = { NET_DNS_QUERY, NET_TLS_SNI, NET_TLS_CERT_CN, NET_HTTP_HOST,
				     NET_MDNS_SERVICE, NET_NEIGHBOR_NAME, NET_RDP_COOKIE,
				     NET_VNC_VERSION, NET_SSH_BANNER, NET_SIGNATURE,
				     NET_NEIGHBOR_VENDOR, NET_NEIGHBOR_MAC };

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		const char *s = event_get_str(ev, order[i]);

		if (s)
			return s;
	}
	return NULL;
}

static void net_describe(const struct event *ev, char *buf, size_t len)
{
	const char *kind = event_get_str(ev, NET_KIND);
	const char *subj = net_subject(ev);
	const struct value *src = event_get(ev, NET_SRC_IP);
	const struct value *dst = event_get(ev, NET_DST_IP);
	const struct value *dp = event_get(ev, NET_DST_PORT);
	const struct value *sess = event_get(ev, NET_SESSION);
	char s[64] = "", d[64] = "", port[16] = "";

	if (src && src->set)
		ip_addr_format(&src->ip, s, sizeof(s));
	if (dst && dst->set)
		ip_addr_format(&dst->ip, d, sizeof(d));
	if (dp && dp->set)
		snprintf(port, sizeof(port), " port %lld", (long long)dp->i);
	snprintf(buf, len, "%s%s%s%s%s%s%s%s%s", kind ? kind : "net",
		 sess && sess->set ? (sess->b ? " session" : " attempt") : "",
		 subj ? " " : "", subj ? subj : "", s[0] ? " from " : "", s,
		 d[0] ? " to " : "", d, port);
}

const struct source_def net_source = {
	.id = SOURCE_NET,
	.name = "net",
	.fields = net_fields,
	.nfields = NET__NFIELDS,
	.entity_fields = net_entity,
	.describe = net_describe,
};

/* ---- options ---- */

static int net_check_interfaces(const char *v, char *err, size_t errlen)
{
	size_t n = 0;

	for (const char *p = v; *p; p++) {
		if (*p == ',' || *p == ' ')
			continue;
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("._-@:", *p))) {
			snprintf(err, errlen, "'%c' in an interface name", *p);
			return -EINVAL;
		}
		n++;
	}
	if (n == 0) {
		snprintf(err, errlen, "no interface named");
		return -EINVAL;
	}
	return 0;
}

static int net_parse_size(const char *v, size_t *out)
{
	char *end;
	unsigned long long n;

	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno || end == v || *end || n < 16 || n > 1048576)
		return -EINVAL;
	*out = (size_t)n;
	return 0;
}

static int net_check_size(const char *v, char *err, size_t errlen)
{
	size_t n;

	if (net_parse_size(v, &n) < 0) {
		snprintf(err, errlen, "not a number of flows in 16..1048576");
		return -EINVAL;
	}
	return 0;
}

static int net_check_duration(const char *v, char *err, size_t errlen)
{
	uint64_t ms;

	if (duration_parse(v, &ms) < 0) {
		snprintf(err, errlen, "not a duration (10m, 1h)");
		return -EINVAL;
	}
	return 0;
}

static const struct collector_option net_options[] = {
	{ "interfaces", "any", "interfaces to capture on, comma-separated (any: all of them)",
	  net_check_interfaces },
	{ "flow_table_size", "4096", "TCP flows tracked at once (least recently used evicted)",
	  net_check_size },
	{ "fleet_hostname", NULL,
	  "fnmatch pattern of this fleet's host names (lt-*): LAN peers announcing one are fleet_sibling",
	  NULL },
	{ "dedupe_window", "10m", "the same finding is reported at most once per window",
	  net_check_duration },
	{ NULL, NULL, NULL, NULL },
};

/* ---- state ---- */

struct net_handle {
	pcap_t *p;
	int dlt;
	bool any;
	char ifname[IF_NAMESIZE];
};

struct net_state {
	struct collector_ctx ctx;
	struct net_handle h[NET_IF_MAX];
	size_t nh;
	int epfd;
	struct net_flow_table *flows;
	struct geoip *geoip;
	struct geo_set countries;
	char fleet[COLLECTOR_OPTION_LEN];	/* "" none */
	uint64_t dedupe_ms;
	uint64_t dedupe[NET_DEDUPE_SLOTS][2];	/* hash, packet ms */
	struct ip_addr local[NET_LOCAL_MAX];
	size_t nlocal;
	uint64_t local_due;
	uint64_t now_ms;			/* timestamp of the packet at hand */
	uint64_t packets, skipped, truncated;
	struct { uint32_t index; char name[IF_NAMESIZE]; } ifcache[NET_IFCACHE];
	size_t nifcache;
	const struct net_handle *cur;		/* handle being dispatched */
	const struct net_packet *pk;		/* packet at hand */
};

/* ---- small helpers ---- */

static uint64_t net_hash(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static uint64_t net_hash_str(uint64_t h, const char *s)
{
	return net_hash(h, s ? s : "", s ? strlen(s) + 1 : 1);
}

/* True when this finding was already reported within the window (and
 * remember it now otherwise). */
static bool net_seen_recently(struct net_state *st, uint64_t h)
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

static void net_refresh_local(struct net_state *st)
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

struct net_ev {
	struct net_state *st;
	struct event *ev;
	int err;
};

static void nev_keep(struct net_ev *b, int r)
{
	if (r < 0 && b->err == 0)
		b->err = r;
}

static void nev_str(struct net_ev *b, int f, const char *s)
{
	if (b->ev && s && *s)
		nev_keep(b, event_set_str(b->ev, f, s));
}

static void nev_int(struct net_ev *b, int f, int64_t v)
{
	if (b->ev)
		nev_keep(b, event_set_int(b->ev, f, v));
}

static void nev_bool(struct net_ev *b, int f, bool v)
{
	if (b->ev)
		nev_keep(b, event_set_bool(b->ev, f, v));
}

static void nev_ip(struct net_ev *b, int f, const struct ip_addr *a)
{
	if (b->ev && a && a->family)
		nev_keep(b, event_set_ip(b->ev, f, a));
}

static struct net_ev nev_new(struct net_state *st, const char *kind)
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
static void nev_flow(struct net_ev *b, const struct ip_addr *client, uint16_t cport,
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

static void nev_mac(struct net_ev *b, const uint8_t mac[6])
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
static void nev_name(struct net_ev *b, const char *name)
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

static void nev_emit(struct net_ev *b)
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

/* ---- the LAN ---- */

static void net_arp(struct net_state *st, const struct net_packet *pk)
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

/* ---- wire signatures ---- */

static void net_signature(struct net_state *st, const struct wire_signature *sig,
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

/* The dissector of each UDP service of the port table (ports.h). */
static void (*const net_udp_service[])(struct net_state *, const struct net_packet *) = {
	[NET_PORT_DNS] = net_dns, [NET_PORT_MDNS] = net_mdns, [NET_PORT_LLMNR] = net_llmnr,
	[NET_PORT_NETBIOS] = net_netbios, [NET_PORT_DHCP] = net_dhcp,
};

static void net_udp(struct net_state *st, const struct net_packet *pk)
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

/* ---- TCP: flows and their first bytes ---- */

static const char *const net_hs_kind[] = {
	[NET_HS_NONE] = "tcp", [NET_HS_RDP] = "rdp", [NET_HS_VNC] = "vnc", [NET_HS_SSH] = "ssh",
};

/* The remote-desktop finding of a flow: a session when both halves of the
 * handshake were seen, otherwise an attempt.  Once per flow. */
static void net_report_handshake(struct net_state *st, struct net_flow *f)
{
	bool session = (f->hs_mask & (NET_HS_CLIENT | NET_HS_SERVER)) ==
		       (NET_HS_CLIENT | NET_HS_SERVER);
	struct net_ev b;

	if (f->reported || f->hs_proto == NET_HS_NONE || f->hs_proto > NET_HS_SSH)
		return;
	f->reported = true;
	b = nev_new(st, net_hs_kind[f->hs_proto]);
	nev_flow(&b, &f->key.addr[0], f->key.port[0], &f->key.addr[1], f->key.port[1], true, true);
	nev_bool(&b, NET_SESSION, session);
	switch (f->hs_proto) {
	case NET_HS_RDP:
		nev_str(&b, NET_RDP_COOKIE, f->detail);
		if (f->rdp_has_protocols)
			nev_int(&b, NET_RDP_PROTOCOLS, f->rdp_protocols);
		break;
	case NET_HS_VNC:
		nev_str(&b, NET_VNC_VERSION, f->detail);
		break;
	case NET_HS_SSH:
		nev_str(&b, NET_SSH_BANNER, f->detail);
		break;
	default:
		break;
	}
	nev_emit(&b);
}

static void net_hs_update(struct net_state *st, struct net_flow *f, enum net_hs_proto proto,
			  uint8_t half)
{
	if (f->hs_proto != NET_HS_NONE && f->hs_proto != proto)
		return;		/* a flow speaks one protocol */
	f->hs_proto = (uint8_t)proto;
	f->hs_mask |= half;
	if ((f->hs_mask & (NET_HS_CLIENT | NET_HS_SERVER)) == (NET_HS_CLIENT | NET_HS_SERVER))
		net_report_handshake(st, f);
}

static int net_inspect_tls(struct net_state *st, struct net_flow *f, int side,
			   const uint8_t *p, size_t n)
{
	struct net_ev b;
	uint64_t h;
	int r;

	if (side == 0) {
		struct tls_client_hello ch;

		r = dissect_tls_client_hello(p, n, &ch);
		if (r < 0 || !ch.has_sni || !ch.sni[0])
			return r;
		h = net_hash_str(net_hash_str(0xcbf29ce484222325ull, "tls"), ch.sni);
		if (net_seen_recently(st, h))
			return 0;
		b = nev_new(st, "tls");
		nev_str(&b, NET_TLS_SNI, ch.sni);
		nev_str(&b, NET_ALPN, ch.alpn);
	} else {
		struct tls_server_cert c;

		r = dissect_tls_server_cert(p, n, &c);
		if (r < 0 || (!c.subject_cn[0] && !c.subject_o[0]))
			return r;
		h = net_hash_str(net_hash_str(0xcbf29ce484222325ull, "cert"), c.subject_cn);
		h = net_hash_str(h, c.subject_o);
		h = net_hash(h, f->key.addr[1].bytes, sizeof(f->key.addr[1].bytes));
		if (net_seen_recently(st, h))
			return 0;
		b = nev_new(st, "tls");
		nev_str(&b, NET_TLS_CERT_CN, c.subject_cn);
		nev_str(&b, NET_TLS_CERT_O, c.subject_o);
	}
	nev_flow(&b, &f->key.addr[0], f->key.port[0], &f->key.addr[1], f->key.port[1], true, false);
	nev_emit(&b);
	return 0;
}

static int net_inspect_rdp(struct net_state *st, struct net_flow *f, int side,
			   const uint8_t *p, size_t n)
{
	struct rdp_x224 x;
	int r = dissect_rdp_x224(p, n, &x);

	if (r < 0)
		return r;
	if (side == 0 && x.request) {
		strlcpy_fh(f->detail, x.cookie, sizeof(f->detail));
		f->rdp_has_protocols = x.has_negotiation;
		f->rdp_protocols = x.requested_protocols;
		net_hs_update(st, f, NET_HS_RDP, NET_HS_CLIENT);
	} else if (side == 1 && x.confirm && !x.negotiation_failure) {
		net_hs_update(st, f, NET_HS_RDP, NET_HS_SERVER);
	} else if (side == 1 && x.confirm) {
		f->hs_proto = f->hs_proto ? f->hs_proto : NET_HS_RDP;	/* refused: an attempt */
	} else {
		return -EINVAL;
	}
	return 0;
}

static int net_inspect_banner(struct net_state *st, struct net_flow *f, int side,
			      const uint8_t *p, size_t n)
{
	int r;

	if (p[0] == 'S') {
		struct ssh_banner s;

		r = dissect_ssh_banner(p, n, &s);
		if (r < 0)
			return r;
		if (side == 0 || !f->detail[0])
			strlcpy_fh(f->detail, s.banner, sizeof(f->detail));
		net_hs_update(st, f, NET_HS_SSH, side == 0 ? NET_HS_CLIENT : NET_HS_SERVER);
		return 0;
	} else {
		struct rfb_banner v;

		r = dissect_rfb_banner(p, n, &v);
		if (r < 0)
			return r;
		/* The server speaks first; the client answers with the
		 * version it picked. */
		if (side == 1)
			strlcpy_fh(f->detail, v.version, sizeof(f->detail));
		net_hs_update(st, f, NET_HS_VNC, side == 0 ? NET_HS_CLIENT : NET_HS_SERVER);
		return 0;
	}
}

static int net_inspect_http(struct net_state *st, struct net_flow *f, const uint8_t *p,
			    size_t n)
{
	struct http_request *req = malloc(sizeof(*req));
	struct net_ev b;
	uint64_t h;
	int r;

	if (!req)
		return -ENOMEM;
	r = dissect_http_request(p, n, req);
	if (r < 0 || (!req->host[0] && !req->user_agent[0]))
		goto out;
	h = net_hash_str(net_hash_str(0xcbf29ce484222325ull, "http"), req->host);
	h = net_hash_str(h, req->user_agent);
	h = net_hash(h, &f->key.port[1], sizeof(f->key.port[1]));
	if (net_seen_recently(st, h))
		goto out;
	b = nev_new(st, "http");
	nev_str(&b, NET_HTTP_HOST, req->host);
	nev_str(&b, NET_USER_AGENT, req->user_agent);
	nev_flow(&b, &f->key.addr[0], f->key.port[0], &f->key.addr[1], f->key.port[1], true, false);
	nev_emit(&b);
out:
	free(req);
	return r;
}

static bool net_starts(const uint8_t *p, size_t n, const char *s)
{
	size_t l = strlen(s);

	return n >= l && memcmp(p, s, l) == 0;
}

/* The first bytes of one direction: 0 something was found, -EAGAIN a
 * dissector wants more of the stream, -EINVAL nothing here. */
static int net_inspect(struct net_state *st, struct net_flow *f, int side,
		       const uint8_t *p, size_t n)
{
	const struct wire_signature *sig;
	int r = -EINVAL;

	if (n == 0)
		return -EINVAL;
	if (p[0] == 0x16)
		r = net_inspect_tls(st, f, side, p, n);
	else if (p[0] == 0x03 && (n < 2 || p[1] == 0x00))
		r = net_inspect_rdp(st, f, side, p, n);
	else if (net_starts(p, n, "SSH-") || net_starts(p, n, "RFB "))
		r = net_inspect_banner(st, f, side, p, n);
	else if (side == 0 && p[0] >= 'A' && p[0] <= 'Z')
		r = net_inspect_http(st, f, p, n);
	if (r == 0 || r == -EAGAIN)
		return r;
	sig = dissect_wire_signature(p, n, DISSECT_TCP, f->key.port[1]);
	if (sig) {
		net_signature(st, sig, &f->key.addr[0], f->key.port[0], &f->key.addr[1],
			      f->key.port[1], true);
		return 0;
	}
	return -EINVAL;
}

static void net_dir_done(struct net_state *st, struct net_flow_dir *d)
{
	d->done = true;
	net_flow_buffer_release(st->flows, d);
}

/* Feed one segment's payload to its direction: in order, once, bounded. */
static void net_stream(struct net_state *st, struct net_flow *f, int side,
		       const struct net_packet *pk)
{
	struct net_flow_dir *d = &f->dir[side];
	const uint8_t *p = pk->payload, *data;
	size_t n = pk->payload_len, dlen;
	int32_t delta;
	int r;

	if (d->done || n == 0)
		return;
	if (!d->seq_known) {
		d->next_seq = pk->seq;
		d->seq_known = true;
	}
	delta = (int32_t)(pk->seq - d->next_seq);
	if (delta < 0) {		/* retransmission, or overlap */
		if ((uint32_t)-(int64_t)delta >= n)
			return;
		p += -(int64_t)delta;
		n -= (size_t)-(int64_t)delta;
	} else if (delta > 0) {		/* a gap: lost, or not passed by the filter */
		net_dir_done(st, d);
		return;
	}
	d->next_seq += (uint32_t)n;
	d->consumed += (uint32_t)n;
	d->segments++;
	data = p;
	dlen = n;
	if (d->buf != NET_FLOW_NONE &&
	    net_flow_buffer_append(st->flows, d, p, n, &data, &dlen) < 0) {
		net_dir_done(st, d);
		return;
	}
	r = net_inspect(st, f, side, data, dlen);
	if (r == -EAGAIN && !pk->truncated && d->segments < NET_SEGMENTS_MAX) {
		/* Keep the bytes for the next segment (the first time: copy). */
		if (d->buf == NET_FLOW_NONE &&
		    net_flow_buffer_append(st->flows, d, p, n, &data, &dlen) < 0)
			net_dir_done(st, d);
		return;
	}
	if (pk->truncated)
		st->truncated++;
	net_dir_done(st, d);
}

static void net_flow_close(struct net_state *st, struct net_flow *f)
{
	net_report_handshake(st, f);
	net_flow_remove(st->flows, f);
}

static struct net_flow *net_flow_new(struct net_state *st, const struct ip_addr *client,
				     uint16_t cport, const struct ip_addr *server,
				     uint16_t sport)
{
	struct net_flow old;
	struct net_flow *f = net_flow_add(st->flows, client, cport, server, sport,
					  st->now_ms, &old);

	/* The evicted flow's attempt, if it had one, is still a finding. */
	if (old.used)
		net_report_handshake(st, &old);
	return f;
}

static void net_tcp(struct net_state *st, const struct net_packet *pk)
{
	bool syn = pk->tcp_flags & NET_TCP_SYN, ack = pk->tcp_flags & NET_TCP_ACK;
	int side = 0;
	struct net_flow *f = net_flow_find(st->flows, &pk->src, pk->sport, &pk->dst,
					   pk->dport, &side);

	/* A new connection on a 5-tuple still in the table. */
	if (f && syn && !ack && f->client_known &&
	    (side != 0 || !f->dir[0].seq_known || f->dir[0].next_seq != pk->seq + 1)) {
		net_flow_close(st, f);
		f = NULL;
	}
	if (!f) {
		if (pk->tcp_flags & NET_TCP_RST)
			return;
		if (syn) {
			if (ack)
				f = net_flow_new(st, &pk->dst, pk->dport, &pk->src, pk->sport);
			else
				f = net_flow_new(st, &pk->src, pk->sport, &pk->dst, pk->dport);
			f->client_known = true;
			side = ack ? 1 : 0;
		} else if (pk->payload_len > 0) {
			/* Mid-stream: guess that the higher port is the client's. */
			if (pk->sport >= pk->dport) {
				f = net_flow_new(st, &pk->src, pk->sport, &pk->dst, pk->dport);
				side = 0;
			} else {
				f = net_flow_new(st, &pk->dst, pk->dport, &pk->src, pk->sport);
				side = 1;
			}
		} else {
			return;		/* a bare ACK or FIN of a flow we never saw */
		}
	} else {
		net_flow_touch(st->flows, f, st->now_ms);
		if (syn && !f->client_known) {
			if ((side == 0) == (bool)ack) {
				net_flow_swap(f);
				side = !side;
			}
			f->client_known = true;
		}
	}
	if (syn) {
		f->dir[side].next_seq = pk->seq + 1;
		f->dir[side].seq_known = true;
	}
	if (pk->tcp_flags & NET_TCP_RST) {
		net_flow_close(st, f);
		return;
	}
	net_stream(st, f, side, pk);
	if (pk->tcp_flags & NET_TCP_FIN) {
		f->dir[side].fin = true;
		if (f->dir[0].fin && f->dir[1].fin)
			net_flow_close(st, f);
	}
}

/* ---- per packet ---- */

static void net_packet(struct net_state *st, const struct net_handle *h, const uint8_t *bytes,
		       size_t caplen, uint64_t ts_ms)
{
	struct net_packet pk;
	int r;

	st->packets++;
	st->now_ms = ts_ms;
	r = net_decode(h->dlt, bytes, caplen, &pk);
	if (r < 0) {
		st->skipped++;
		return;
	}
	if (pk.outgoing_loopback)
		return;		/* `any` sees lo's packets twice */
	st->cur = h;
	st->pk = &pk;
	if (pk.l3 == NET_L3_ARP)
		net_arp(st, &pk);
	else if (pk.proto == 17)
		net_udp(st, &pk);
	else if (pk.proto == 6)
		net_tcp(st, &pk);
	st->pk = NULL;
}

struct net_cb {
	struct net_state *st;
	const struct net_handle *h;
};

static void net_pcap_cb(u_char *user, const struct pcap_pkthdr *ph, const u_char *bytes)
{
	struct net_cb *cb = (struct net_cb *)(void *)user;
	uint64_t ts = (uint64_t)ph->ts.tv_sec * 1000 + (uint64_t)ph->ts.tv_usec / 1000;

	net_packet(cb->st, cb->h, bytes, ph->caplen, ts);
}

/* ---- capture handles ---- */

static int net_set_filter(struct net_state *st, struct net_handle *h)
{
	char text[16384], err[PCAP_ERRBUF_SIZE];
	struct bpf_program prog;
	int r = 0;

	if (!net_filter_text(h->dlt, text, sizeof(text)))
		return -ENAMETOOLONG;
	if (net_filter_compile(h->p, text, &prog, err, sizeof(err)) < 0) {
		st->ctx.note(st->ctx.opaque, LOG_ERR, "net", "filter for link type %s: %s",
			     pcap_datalink_val_to_name(h->dlt), err);
		return -EINVAL;
	}
	if (pcap_setfilter(h->p, &prog) < 0) {
		st->ctx.note(st->ctx.opaque, LOG_ERR, "net", "cannot set the filter: %s",
			     pcap_geterr(h->p));
		r = -EINVAL;
	}
	pcap_freecode(&prog);
	return r;
}

static int net_pcap_errno(int r)
{
	switch (r) {
	case PCAP_ERROR_PERM_DENIED:
		return -EPERM;
	case PCAP_ERROR_NO_SUCH_DEVICE:
		return -ENXIO;
	case PCAP_ERROR_IFACE_NOT_UP:
		return -ENETDOWN;
	default:
		return -EIO;
	}
}

static int net_open_live(struct net_state *st, const char *name)
{
	struct net_handle *h = &st->h[st->nh];
	char err[PCAP_ERRBUF_SIZE] = "";
	struct epoll_event ee = { .events = EPOLLIN };
	int r, fd;

	h->p = pcap_create(name, err);
	if (!h->p) {
		st->ctx.note(st->ctx.opaque, LOG_ERR, "net", "cannot capture on %s: %s", name, err);
		return -EIO;
	}
	strlcpy_fh(h->ifname, name, sizeof(h->ifname));
	h->any = strcmp(name, "any") == 0;
	pcap_set_snaplen(h->p, NET_SNAPLEN);
	pcap_set_promisc(h->p, 0);
	pcap_set_timeout(h->p, NET_TIMEOUT_MS);
	pcap_set_immediate_mode(h->p, 1);
	pcap_set_buffer_size(h->p, NET_BUFFER_BYTES);
	r = pcap_activate(h->p);
	if (r < 0) {
		st->ctx.note(st->ctx.opaque, LOG_ERR, "net", "cannot capture on %s: %s%s", name,
			     r == PCAP_ERROR ? pcap_geterr(h->p) : pcap_statustostr(r),
			     r == PCAP_ERROR_PERM_DENIED ? " (needs CAP_NET_RAW)" : "");
		pcap_close(h->p);
		h->p = NULL;
		return net_pcap_errno(r);
	}
	/* Cooked v2 carries the interface index, for the interface field. */
	if (h->any)
		(void)pcap_set_datalink(h->p, DLT_LINUX_SLL2);
	h->dlt = pcap_datalink(h->p);
	r = net_set_filter(st, h);
	if (r == 0 && pcap_setnonblock(h->p, 1, err) < 0) {
		st->ctx.note(st->ctx.opaque, LOG_ERR, "net", "%s: %s", name, err);
		r = -EIO;
	}
	fd = r == 0 ? pcap_get_selectable_fd(h->p) : -1;
	ee.data.u64 = st->nh;
	if (r == 0 && (fd < 0 || epoll_ctl(st->epfd, EPOLL_CTL_ADD, fd, &ee) < 0))
		r = fd < 0 ? -ENOTSUP : -errno;
	if (r < 0) {
		pcap_close(h->p);
		h->p = NULL;
		return r;
	}
	st->nh++;
	return 0;
}

/* Open every interface of the list; the ones that fail are noted, and the
 * collector runs on the others (a dock's NIC may be unplugged). */
static int net_open_interfaces(struct net_state *st, const char *list)
{
	char buf[COLLECTOR_OPTION_LEN], *save = NULL, *tok;
	int first_err = 0;

	strlcpy_fh(buf, list, sizeof(buf));
	for (tok = strtok_r(buf, ", ", &save); tok && st->nh < NET_IF_MAX;
	     tok = strtok_r(NULL, ", ", &save)) {
		int r = net_open_live(st, tok);

		if (r < 0 && first_err == 0)
			first_err = r;
	}
	return st->nh > 0 ? 0 : (first_err ? first_err : -ENODEV);
}

/* ---- the collector ---- */

static void net_free(void *state)
{
	struct net_state *st = state;

	if (!st)
		return;
	for (size_t i = 0; i < st->nh; i++)
		if (st->h[i].p)
			pcap_close(st->h[i].p);
	if (st->epfd >= 0)
		close(st->epfd);
	net_flow_table_free(st->flows);
	geoip_close(st->geoip);
	free(st);
}

static void net_open_geo(struct net_state *st)
{
	const struct geo_config *g = st->ctx.geo;
	int r;

	if (!g)
		return;
	st->countries = g->countries;
	if (!g->database[0])
		return;
	r = geoip_open(g->database, &st->geoip);
	if (r < 0)
		st->ctx.note(st->ctx.opaque, LOG_WARNING, "net",
			     "MaxMind database %s: %s; remote_country stays unset", g->database,
			     strerror(-r));
}

static int net_init(const struct collector_ctx *ctx, void **state)
{
	const struct collector_config *cfg = ctx->config;
	struct net_state *st;
	const char *v;
	size_t nflows = NET_FLOW_DEFAULT;
	int r;

	*state = NULL;
	if (ctx->mode == COLLECTOR_SCAN) {
		ctx->note(ctx->opaque, LOG_INFO, "net",
			  "live capture runs in the daemon; use --pcap for a file");
		return -ENODEV;
	}
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->ctx = *ctx;
	st->epfd = -1;
	v = collector_option(&net_collector, cfg, "flow_table_size");
	if (v && net_parse_size(v, &nflows) < 0)
		nflows = NET_FLOW_DEFAULT;
	v = collector_option(&net_collector, cfg, "dedupe_window");
	if (!v || duration_parse(v, &st->dedupe_ms) < 0)
		st->dedupe_ms = 10 * 60 * 1000;
	v = collector_option(&net_collector, cfg, "fleet_hostname");
	if (v)
		strlcpy_fh(st->fleet, v, sizeof(st->fleet));
	r = net_flow_table_new(nflows, NET_REASM_BUFS, TLS_REASSEMBLY_MAX, &st->flows);
	if (r < 0)
		goto fail;
	net_open_geo(st);
	if (ctx->mode == COLLECTOR_PCAP) {
		*state = st;
		return 0;	/* scan() opens the file */
	}
	st->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (st->epfd < 0) {
		r = -errno;
		goto fail;
	}
	net_refresh_local(st);
	st->local_due = now_monotonic_ms() + NET_LOCAL_REFRESH_MS;
	r = net_open_interfaces(st, collector_option(&net_collector, cfg, "interfaces"));
	if (r < 0)
		goto fail;
	*state = st;
	return 0;
fail:
	net_free(st);
	return r;
}

static int net_fd(void *state)
{
	struct net_state *st = state;

	return st->epfd;
}

static int net_on_ready(void *state)
{
	struct net_state *st = state;
	struct epoll_event ev[NET_IF_MAX];
	int n = epoll_wait(st->epfd, ev, NET_IF_MAX, 0);

	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (int i = 0; i < n; i++) {
		size_t k = (size_t)ev[i].data.u64;
		struct net_cb cb = { .st = st };

		if (k >= st->nh || !st->h[k].p)
			continue;
		cb.h = &st->h[k];
		if (pcap_dispatch(st->h[k].p, NET_BUDGET, net_pcap_cb, (u_char *)&cb) ==
		    PCAP_ERROR) {
			/* The interface went away (or the capture broke): the
			 * handle is dead, so say the source is gone and let
			 * the loop restart the collector with backoff. */
			st->ctx.note(st->ctx.opaque, LOG_WARNING, "net", "%s: %s",
				     st->h[k].ifname, pcap_geterr(st->h[k].p));
			return -ENODEV;
		}
	}
	return 0;
}

/* Flows idle for NET_IDLE_MS (packet time) are done: report attempts. */
static void net_expire(struct net_state *st, uint64_t now_ms)
{
	struct net_flow *f;

	while ((f = net_flow_oldest(st->flows)) && now_ms > f->last_ms &&
	       now_ms - f->last_ms > NET_IDLE_MS)
		net_flow_close(st, f);
}

static int net_on_tick(void *state, uint64_t now_ms)
{
	struct net_state *st = state;
	struct timespec ts;

	if (now_ms >= st->local_due) {
		net_refresh_local(st);
		st->local_due = now_ms + NET_LOCAL_REFRESH_MS;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	st->now_ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	st->cur = NULL;
	net_expire(st, st->now_ms);
	return 0;
}

static uint64_t net_next_tick(void *state, uint64_t now_ms)
{
	(void)state;
	(void)now_ms;
	return NET_TICK_MS;
}

static int net_read_file(struct net_state *st)
{
	char err[PCAP_ERRBUF_SIZE] = "";
	struct net_handle *h = &st->h[0];
	struct net_cb cb = { .st = st, .h = h };
	struct net_flow *f;
	int r;

	errno = 0;
	h->p = pcap_open_offline(st->ctx.pcap_file, err);
	if (!h->p) {
		int e = errno;

		st->ctx.note(st->ctx.opaque, LOG_ERR, "net", "%s", err);
		return e == ENOENT || e == EACCES || e == EISDIR ? -e : -EINVAL;
	}
	st->nh = 1;
	h->dlt = pcap_datalink(h->p);
	h->any = h->dlt == DLT_LINUX_SLL || h->dlt == DLT_LINUX_SLL2;
	r = net_set_filter(st, h);
	if (r < 0)
		return r;
	while ((r = pcap_dispatch(h->p, 4096, net_pcap_cb, (u_char *)&cb)) > 0)
		;
	st->cur = NULL;
	while ((f = net_flow_oldest(st->flows)))	/* the end of the capture ends every flow */
		net_flow_close(st, f);
	if (r == PCAP_ERROR) {
		st->ctx.note(st->ctx.opaque, LOG_ERR, "net", "%s: %s", st->ctx.pcap_file,
			     pcap_geterr(h->p));
		return -EIO;
	}
	st->ctx.note(st->ctx.opaque, LOG_INFO, "net",
		     "%s: %llu packets passed the filter, %llu skipped (fragments, broken or unknown "
		     "headers), %llu cut short by the capture",
		     st->ctx.pcap_file, (unsigned long long)st->packets,
		     (unsigned long long)st->skipped, (unsigned long long)st->truncated);
	return 0;
}

static int net_scan(void *state)
{
	struct net_state *st = state;

	if (st->ctx.mode == COLLECTOR_PCAP)
		return net_read_file(st);
	return 0;	/* live: findings come as packets do */
}

static void net_stats(void *state, struct collector_stats *out)
{
	struct net_state *st = state;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < st->nh; i++) {
		struct pcap_stat ps;

		if (st->ctx.mode != COLLECTOR_PCAP && st->h[i].p &&
		    pcap_stats(st->h[i].p, &ps) == 0)
			out->dropped += (uint64_t)ps.ps_drop + ps.ps_ifdrop;
	}
	out->skipped = st->skipped + st->truncated;
	out->tracked = net_flow_count(st->flows);
}

const struct collector net_collector = {
	.name = "net",
	.source = &net_source,
	.options = net_options,
	.init = net_init,
	.fd = net_fd,
	.on_ready = net_on_ready,
	.on_tick = net_on_tick,
	.scan = net_scan,
	.next_tick = net_next_tick,
	.free = net_free,
	.stats = net_stats,
};
