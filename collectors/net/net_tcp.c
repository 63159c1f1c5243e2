/* SPDX-License-Identifier: Apache-2.0 */
/*
 * net_tcp.c - TCP: flows and their first bytes.  Each segment finds its
 * flow in the bounded table (net_flow.c), which side is the client is
 * learnt from the SYN (or guessed mid-stream: the higher port), and the
 * payload of each direction is fed in order, once, to the dissectors: TLS
 * ClientHello and server certificate, RDP X.224, SSH and RFB banners, an
 * HTTP request, remote-access wire signatures.  A ClientHello split over
 * segments is reassembled up to TLS_REASSEMBLY_MAX, only while a dissector
 * answers -EAGAIN, and no more than NET_SEGMENTS_MAX segments a direction.
 *
 * A remote-desktop handshake is reported once per flow, with what the
 * protocol said about it (outcome):
 *   - RDP: Connection Request and Confirm, a session; a Confirm carrying
 *     RDP_NEG_FAILURE (MS-RDPBCGR 2.2.1.2.2), refused.  The login happens
 *     later inside TLS/CredSSP: a session means the server accepted the
 *     connection, not that someone logged in.
 *   - RDP over UDP (MS-RDPEUDP): the client's SYN and the server's
 *     SYN+ACK acknowledging it (3.1.5.1.1, 3.1.5.1.3), a session; kept in
 *     the same flow table, marked udp.
 *   - VNC: a session only once the security handshake succeeded (RFC 6143
 *     7.1.2-7.2.2: None chosen, or SecurityResult OK; a type whose result
 *     is sealed inside its own exchange -- TLS, VeNCrypt, Apple -- counts
 *     once the client chose it); SecurityResult failed is auth-failed; no
 *     security type offered is refused; a server banner nobody answered,
 *     or a client that never chose a security type, is a scan.  Both
 *     directions are buffered (the reassembly pool) until the outcome.
 *   - SSH: both identification lines, a session; the server's line alone,
 *     a scan.  Whether the login succeeded (RFC 4252 5.1) is encrypted:
 *     a session says the key exchange began, no more.
 * Anything else that began and ended unresolved (FIN, RST, idle, evicted,
 * end of the capture) is an attempt.
 *
 * TeamViewer's protocol header (dissect_teamviewer) is a finding on its
 * port 5938 from one direction, and elsewhere (its HTTPS-port fallback)
 * only when both directions of the flow start with it.
 *
 * Its own file because it is the only part of the collector that keeps
 * state per connection; the per-packet findings are net_udp.c.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "dissect.h"
#include "lib/util.h"
#include "net_int.h"
#include "ports.h"

/* ---- TCP: flows and their first bytes ---- */

static const char *const net_hs_kind[] = {
	[NET_HS_NONE] = "tcp", [NET_HS_RDP] = "rdp", [NET_HS_VNC] = "vnc", [NET_HS_SSH] = "ssh",
};

/* What the handshake came to (see the top comment). */
static const char *net_outcome(const struct net_flow *f)
{
	bool both = (f->hs_mask & (NET_HS_CLIENT | NET_HS_SERVER)) ==
		    (NET_HS_CLIENT | NET_HS_SERVER);

	switch (f->outcome) {
	case NET_OUT_SESSION:
		return "session";
	case NET_OUT_AUTH_FAILED:
		return "auth-failed";
	case NET_OUT_REFUSED:
		return "refused";
	default:
		break;
	}
	if (f->hs_proto == NET_HS_VNC)
		return f->vnc_security ? "attempt" : (f->hs_mask & NET_HS_SERVER) ? "scan" : "attempt";
	if (both)
		return "session";
	/* The server speaks first in SSH: its banner alone was read and left. */
	if (f->hs_proto == NET_HS_SSH && f->hs_mask == NET_HS_SERVER)
		return "scan";
	return "attempt";
}

/* The remote-desktop finding of a flow, once. */
static void net_report_handshake(struct net_state *st, struct net_flow *f)
{
	const char *outcome;
	struct net_ev b;

	if (f->reported || f->hs_proto == NET_HS_NONE || f->hs_proto > NET_HS_SSH)
		return;
	f->reported = true;
	outcome = net_outcome(f);
	b = nev_new(st, net_hs_kind[f->hs_proto]);
	nev_flow(&b, &f->key.addr[0], f->key.port[0], &f->key.addr[1], f->key.port[1], !f->udp,
		 true);
	nev_bool(&b, NET_SESSION, strcmp(outcome, "session") == 0);
	nev_str(&b, NET_OUTCOME, outcome);
	switch (f->hs_proto) {
	case NET_HS_RDP:
		nev_str(&b, NET_RDP_COOKIE, f->detail);
		if (f->rdp_has_protocols)
			nev_int(&b, NET_RDP_PROTOCOLS, f->rdp_protocols);
		break;
	case NET_HS_VNC:
		nev_str(&b, NET_VNC_VERSION, f->detail);
		if (f->vnc_security)
			nev_int(&b, NET_VNC_SECURITY, f->vnc_security);
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
	/* VNC waits for its security handshake (net_inspect_vnc). */
	if (proto != NET_HS_VNC &&
	    (f->hs_mask & (NET_HS_CLIENT | NET_HS_SERVER)) == (NET_HS_CLIENT | NET_HS_SERVER))
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
		f->hs_proto = f->hs_proto ? f->hs_proto : NET_HS_RDP;	/* refused: not a session */
		f->outcome = NET_OUT_REFUSED;
	} else {
		return -EINVAL;
	}
	return 0;
}

/* The RFB security handshake so far, over both directions' buffered
 * bytes (this direction's are p, n: the segment at hand included).
 * -EAGAIN until the outcome is known, so both directions keep buffering;
 * then the other direction is done too. */
static int net_inspect_vnc(struct net_state *st, struct net_flow *f, int side,
			   const uint8_t *p, size_t n)
{
	static const uint8_t net_outcome_of[] = {
		[RFB_PENDING] = NET_OUT_NONE, [RFB_OK] = NET_OUT_SESSION,
		[RFB_FAILED] = NET_OUT_AUTH_FAILED, [RFB_REFUSED] = NET_OUT_REFUSED,
		[RFB_OPAQUE] = NET_OUT_SESSION,
	};
	struct net_flow_dir *other = &f->dir[!side];
	const uint8_t *o;
	size_t on;
	struct rfb_handshake hs;
	struct rfb_banner v;
	int r;

	/* This side's banner, whenever its bytes arrive (a client may speak
	 * first, banner and choice in one segment). */
	if (n >= RFB_BANNER_LEN && dissect_rfb_banner(p, RFB_BANNER_LEN, &v) == 0) {
		f->hs_mask |= side == 0 ? NET_HS_CLIENT : NET_HS_SERVER;
		if (side == 1 && !f->detail[0])
			strlcpy_fh(f->detail, v.version, sizeof(f->detail));
	}
	net_flow_buffer_peek(st->flows, other, &o, &on);
	r = side == 1 ? dissect_rfb_handshake(p, n, o, on, &hs)
		      : dissect_rfb_handshake(o, on, p, n, &hs);
	if (r == -EAGAIN) {
		f->vnc_security = hs.security;
		return -EAGAIN;
	}
	if (r < 0)
		return r;
	f->vnc_security = hs.security;
	f->outcome = net_outcome_of[hs.outcome];
	other->done = true;
	net_flow_buffer_release(st->flows, other);
	net_report_handshake(st, f);
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

		/* The banner, then whatever followed it in the same segment:
		 * the security handshake is net_inspect_vnc's. */
		r = dissect_rfb_banner(p, n < RFB_BANNER_LEN ? n : RFB_BANNER_LEN, &v);
		if (r < 0)
			return r;
		net_hs_update(st, f, NET_HS_VNC, side == 0 ? NET_HS_CLIENT : NET_HS_SERVER);
		return f->hs_proto == NET_HS_VNC ? net_inspect_vnc(st, f, side, p, n) : 0;
	}
}

/* TeamViewer's header: on 5938 one direction is enough, on any other
 * port (the 443 fallback) both must carry it.  Its keep-alive keeps the
 * wire-signature id it always had. */
static int net_inspect_teamviewer(struct net_state *st, struct net_flow *f, int side,
				  const uint8_t *p, size_t n)
{
	static const struct wire_signature tv = {
		.id = "teamviewer-protocol", .tool = "teamviewer", .transport = DISSECT_TCP,
		.port = 0, .dsize = -1,
		.reference = "TeamViewer header magic 0x1724 / 0x1130 (dissect_sig.c)",
	};
	const struct wire_signature *sig = dissect_wire_signature(p, n, DISSECT_TCP,
								  f->key.port[1]);
	struct teamviewer_header h;
	int r;

	if (sig && strcmp(sig->tool, "teamviewer") == 0) {
		net_signature(st, sig, &f->key.addr[0], f->key.port[0], &f->key.addr[1],
			      f->key.port[1], true);
		return 0;
	}
	r = dissect_teamviewer(p, n, &h);
	if (r < 0)
		return r;
	f->tv_sides |= (uint8_t)(1u << side);
	if (f->key.port[1] == NET_TCP_PORT_TEAMVIEWER || f->tv_sides == 3)
		net_signature(st, &tv, &f->key.addr[0], f->key.port[0], &f->key.addr[1],
			      f->key.port[1], true);
	return 0;
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
	if (f->hs_proto == NET_HS_VNC && !f->reported)
		return net_inspect_vnc(st, f, side, p, n);
	if ((p[0] == 0x17 && (n < 2 || p[1] == 0x24)) || (p[0] == 0x11 && (n < 2 || p[1] == 0x30)))
		r = net_inspect_teamviewer(st, f, side, p, n);
	else if (p[0] == 0x16)
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

void net_flow_close(struct net_state *st, struct net_flow *f)
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

/* RDP's UDP transport: the client's SYN opens the exchange, the server's
 * SYN+ACK naming the SYN's sequence number answers it (MS-RDPEUDP
 * 3.1.5.1.3).  Either alone ends, like a TCP flow, as an attempt. */
void net_rdpudp(struct net_state *st, const struct net_packet *pk)
{
	struct rdpudp_syn syn;
	int side = 0;
	struct net_flow *f;

	if (dissect_rdpudp_syn(pk->payload, pk->payload_len, &syn) < 0)
		return;		/* the datagrams after the handshake: not ours */
	f = net_flow_find(st->flows, &pk->src, pk->sport, &pk->dst, pk->dport, &side);
	if (f && !f->udp)
		return;
	if (f)
		net_flow_touch(st->flows, f, st->now_ms);
	if (!syn.ack) {
		if (!f) {
			f = net_flow_new(st, &pk->src, pk->sport, &pk->dst, pk->dport);
			f->udp = f->client_known = true;
			side = 0;
		}
		if (side != 0)
			return;
		f->rdp_protocols = syn.initial_seq;	/* the ISN the answer must name */
		net_hs_update(st, f, NET_HS_RDP, NET_HS_CLIENT);
		return;
	}
	if (!f) {
		f = net_flow_new(st, &pk->dst, pk->dport, &pk->src, pk->sport);
		f->udp = f->client_known = true;
		net_hs_update(st, f, NET_HS_RDP, NET_HS_SERVER);
		return;
	}
	if (side == 1 && (!(f->hs_mask & NET_HS_CLIENT) || syn.source_ack == f->rdp_protocols))
		net_hs_update(st, f, NET_HS_RDP, NET_HS_SERVER);
}

void net_tcp(struct net_state *st, const struct net_packet *pk)
{
	bool syn = pk->tcp_flags & NET_TCP_SYN, ack = pk->tcp_flags & NET_TCP_ACK;
	int side = 0;
	struct net_flow *f = net_flow_find(st->flows, &pk->src, pk->sport, &pk->dst,
					   pk->dport, &side);

	if (f && f->udp)
		return;		/* an RDP-UDP exchange on the same addresses and ports */
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
