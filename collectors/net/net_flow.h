/* SPDX-License-Identifier: Apache-2.0 */
/*
 * net_flow.h - the net collector's bounded TCP flow table.
 *
 * One entry per TCP connection, keyed by its 5-tuple in either direction,
 * in a fixed array allocated once at init: a flood of new flows (a port
 * scan, a SYN flood) evicts the least recently used entry and never grows
 * memory.  Each entry remembers, per direction, where the stream's first
 * bytes are (so each direction's opening bytes are inspected once) and
 * which half of a remote-desktop handshake was seen.
 *
 * Reassembly buffers (for a ClientHello split over segments) are a
 * separate small pool: only a handful of flows are ever mid-handshake at
 * once, and a 16 KiB buffer per flow would dwarf the table.
 */
#ifndef FARMHOUND_NET_FLOW_H
#define FARMHOUND_NET_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collectors/event.h"

#define NET_FLOW_NONE UINT32_MAX
#define NET_FLOW_DETAIL_MAX 96

/* The remote-desktop protocol a flow's handshake belongs to. */
enum net_hs_proto {
	NET_HS_NONE,
	NET_HS_RDP,
	NET_HS_VNC,
	NET_HS_SSH,
};

/* What the protocol said about the handshake, when it said something. */
enum net_outcome {
	NET_OUT_NONE,		/* nothing beyond the halves seen (hs_mask) */
	NET_OUT_SESSION,	/* accepted: RFB None / SecurityResult OK / an opaque type */
	NET_OUT_AUTH_FAILED,	/* RFB SecurityResult failed */
	NET_OUT_REFUSED,	/* RDP_NEG_FAILURE, RFB with no security type */
};

#define NET_HS_CLIENT 0x01	/* client's half seen (CR, RFB reply, SSH banner) */
#define NET_HS_SERVER 0x02	/* server's half seen (CC, RFB banner, SSH banner) */

struct net_flow_dir {
	uint32_t next_seq;	/* next stream byte expected */
	uint32_t consumed;	/* stream bytes inspected so far */
	uint32_t buf;		/* reassembly buffer index, or NET_FLOW_NONE */
	uint8_t segments;	/* payload segments looked at */
	bool seq_known;
	bool done;		/* nothing more to learn from this direction */
	bool fin;
};

struct net_flow_key {
	struct ip_addr addr[2];	/* [0] the client (initiator) once known */
	uint16_t port[2];
};

struct net_flow {
	struct net_flow_key key;
	bool client_known;	/* a SYN or SYN-ACK said who connected */
	uint8_t hs_proto;	/* enum net_hs_proto */
	uint8_t hs_mask;	/* NET_HS_CLIENT | NET_HS_SERVER */
	bool reported;		/* the session (or attempt) event went out */
	bool udp;		/* an RDP-UDP exchange (MS-RDPEUDP), not a TCP flow */
	uint8_t outcome;	/* enum net_outcome */
	uint8_t vnc_security;	/* RFB security type in use; 0 none chosen */
	uint8_t tv_sides;	/* TeamViewer magic seen: 1 << side */
	uint32_t rdp_protocols;	/* RDP requested protocols; RDP-UDP: the SYN's ISN */
	bool rdp_has_protocols;
	/* rdp cookie, vnc version, ssh banner (the client's; the server's
	 * until the client's arrives) */
	char detail[NET_FLOW_DETAIL_MAX];
	uint64_t last_ms;
	struct net_flow_dir dir[2];	/* [0] client -> server, [1] server -> client */
	/* table links */
	uint32_t hnext, prev, next;
	bool used;
};

struct net_flow_table;

/* capacity flows, nbufs reassembly buffers of bufsize bytes each. */
int net_flow_table_new(size_t capacity, size_t nbufs, size_t bufsize,
		       struct net_flow_table **out);
void net_flow_table_free(struct net_flow_table *t);	/* accepts NULL */

/* The flow of this packet, and which side sent it (0 client, 1 server);
 * NULL if unknown. */
struct net_flow *net_flow_find(struct net_flow_table *t, const struct ip_addr *src,
			       uint16_t sport, const struct ip_addr *dst, uint16_t dport,
			       int *side);
/* A new flow with src as side 0, evicting the least recently used one if
 * the table is full; *evicted gets a copy of the evicted entry (used set)
 * so the caller can report what it knew. */
struct net_flow *net_flow_add(struct net_flow_table *t, const struct ip_addr *src,
			      uint16_t sport, const struct ip_addr *dst, uint16_t dport,
			      uint64_t now_ms, struct net_flow *evicted);
/* Mark most recently used. */
void net_flow_touch(struct net_flow_table *t, struct net_flow *f, uint64_t now_ms);
/* Swap sides 0 and 1 (the first packet seen came from the server). */
void net_flow_swap(struct net_flow *f);
void net_flow_remove(struct net_flow_table *t, struct net_flow *f);
/* The least recently used flow, or NULL when empty. */
struct net_flow *net_flow_oldest(struct net_flow_table *t);
size_t net_flow_count(const struct net_flow_table *t);
/* Bytes allocated at creation; never changes afterwards. */
size_t net_flow_memory(const struct net_flow_table *t);

/* Reassembly: append len bytes to the direction's buffer (taking one from
 * the pool first).  0 with *data, *dlen the whole buffer, -ENOBUFS no buffer
 * free, -E2BIG the buffer would overflow. */
int net_flow_buffer_append(struct net_flow_table *t, struct net_flow_dir *d,
			   const uint8_t *p, size_t len,
			   const uint8_t **data, size_t *dlen);
void net_flow_buffer_release(struct net_flow_table *t, struct net_flow_dir *d);
/* The bytes buffered so far for a direction (*dlen 0 when it has none). */
void net_flow_buffer_peek(const struct net_flow_table *t, const struct net_flow_dir *d,
			  const uint8_t **data, size_t *dlen);
size_t net_flow_buffers_free(const struct net_flow_table *t);

#endif
