/* SPDX-License-Identifier: Apache-2.0 */
/*
 * net.c - the net collector: passive capture with libpcap, live or from a
 * file, turned into one event per finding (a DNS name, a TLS server name, a
 * remote-desktop handshake, a neighbour on the LAN).  This file is the
 * collector itself: its fields, its options and the operations the loop
 * calls (init, tick, scan, stats, free); the work is done in the files
 * named below, which share net_int.h.
 *
 * Capture (net_capture.c).  In the daemon, one libpcap handle per
 * configured interface (default: Linux's `any` device, so Wi-Fi, docks and
 * VPN interfaces that come and go are covered without re-opening), each
 * non-blocking, in immediate mode, with a bounded snaplen and the kernel
 * BPF filter of net_filter.c, so bulk transfers never reach user space.
 * The handles' selectable fds sit in a private epoll set whose fd is the
 * collector's fd: the agent's loop wakes on it and on_ready dispatches at
 * most NET_BUDGET packets per handle, so one busy interface cannot starve
 * the rest or the loop.  --pcap reads a file through the same filter and
 * the same code.
 *
 * Decoding (net_decode.c) gives addresses, ports and the transport payload;
 * fragments, unknown encapsulations and broken headers are counted in
 * stats().skipped.  UDP payloads (DNS, mDNS, LLMNR, NetBIOS, DHCP, wire
 * signatures) are dissected per datagram (net_udp.c).  TCP goes through the
 * flow table (net_flow.c, net_tcp.c): the first bytes of each direction are
 * inspected once, and a ClientHello split over segments is reassembled up
 * to TLS_REASSEMBLY_MAX, only while a dissector answers -EAGAIN.  A
 * remote-desktop *session* (RDP, VNC, SSH) is reported when both halves of
 * its handshake were seen; a flow that ends with only one half is reported
 * once as an attempt (session=false); a port scan (SYN, RST) has no
 * handshake and is not reported at all.
 *
 * Findings become events in net_event.c, which also keeps each to one event
 * per dedupe_window and decides the direction of a flow (its top comment
 * says how).
 *
 * Everything in a packet is attacker-controlled; the dissectors bound what
 * they copy and the event setters bound it again.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "dissect.h"
#include "lib/util.h"
#include "net_int.h"

static const struct field_def net_fields[NET__NFIELDS] = {
	[NET_ACTION] = { "action", FIELD_STRING, "seen" },
	[NET_KIND] = { "kind", FIELD_STRING,
		"dns, tls, http, rdp, vnc, ssh, teamviewer, rustdesk, anydesk, zerotier, splashtop, "
		"screenconnect, usbip, neighbor, dhcp, mdns, netbios, llmnr" },
	[NET_SRC_IP] = { "src_ip", FIELD_IP, "client (initiator) address; the sender for neighbours" },
	[NET_SRC_PORT] = { "src_port", FIELD_INT, "client port" },
	[NET_DST_IP] = { "dst_ip", FIELD_IP, "server address" },
	[NET_DST_PORT] = { "dst_port", FIELD_INT, "server port" },
	[NET_TRANSPORT] = { "transport", FIELD_STRING, "tcp or udp (rdp over udp: MS-RDPEUDP)" },
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
	[NET_VNC_SECURITY] = { "vnc_security", FIELD_INT,
		"RFB security type in use (1 None, 2 VNC authentication, 18 TLS, 19 VeNCrypt, ...)" },
	[NET_SSH_BANNER] = { "ssh_banner", FIELD_STRING,
		"SSH identification line of the client (the server's if the client's was not seen)" },
	[NET_SESSION] = { "session", FIELD_BOOL,
		"rdp/vnc/ssh: the handshake went through (outcome session); false otherwise" },
	[NET_OUTCOME] = { "outcome", FIELD_STRING,
		"rdp/vnc/ssh: session, auth-failed (VNC SecurityResult), refused (RDP_NEG_FAILURE, "
		"VNC without security types), scan (the server's banner only), attempt" },
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
	free(st->file_buf);	/* after pcap_close(): the file's buffer */
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
