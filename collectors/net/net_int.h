/* SPDX-License-Identifier: Apache-2.0 */
/*
 * net_int.h - the inside of the net collector, shared by its files
 * (net.c, net_capture.c, net_event.c, net_udp.c, net_tcp.c): the bounds,
 * the collector's state, the event builder and the entry points each file
 * offers the others.  Nothing outside collectors/net/ includes it; the
 * collector's public face stays net.h.
 */
#ifndef FARMHOUND_NET_INT_H
#define FARMHOUND_NET_INT_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pcap/pcap.h>

#include "collectors/geo.h"
#include "net.h"
#include "net_decode.h"
#include "net_filter.h"
#include "net_flow.h"

struct wire_signature;

#define NET_IF_MAX		16	/* interfaces in the `interfaces` list */
#define NET_SNAPLEN		2048	/* a ClientHello segment, a DHCP packet */
#define NET_BUFFER_BYTES	(512 * 1024)	/* kernel ring per handle: the filter keeps it quiet */
#define NET_TIMEOUT_MS		100
#define NET_BUDGET		256	/* packets per handle per wake-up */
#define NET_FILE_BUFFER		(256 * 1024)	/* --pcap: stdio buffer of the capture file */
#define NET_FLOW_DEFAULT	4096
#define NET_REASM_BUFS		16	/* flows reassembling at once */
#define NET_SEGMENTS_MAX	8	/* segments looked at per direction */
#define NET_DEDUPE_SLOTS	2048
#define NET_LOCAL_MAX		64
#define NET_LOCAL_REFRESH_MS	30000
#define NET_IDLE_MS		(2 * 60 * 1000)	/* a flow with no packet: done */
#define NET_TICK_MS		30000
#define NET_IFCACHE		16

/* ---- state ---- */

struct net_handle {
	pcap_t *p;
	net_filter_fn fn;	/* --pcap: the filter as C, or NULL (net_filter.h) */
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
	char *file_buf;				/* --pcap: the file's stdio buffer */
};

/* ---- net_event.c: dedupe, direction, events ---- */

uint64_t net_hash(uint64_t h, const void *p, size_t n);
uint64_t net_hash_str(uint64_t h, const char *s);
/* True when this finding was already reported within the window (and
 * remember it now otherwise). */
bool net_seen_recently(struct net_state *st, uint64_t h);
/* This host's addresses, for the direction of a flow. */
void net_refresh_local(struct net_state *st);

/* One event being built: the setters skip empty values and keep the
 * first error; nev_emit hands it to the loop. */
struct net_ev {
	struct net_state *st;
	struct event *ev;
	int err;
};

struct net_ev nev_new(struct net_state *st, const char *kind);
void nev_str(struct net_ev *b, int f, const char *s);
void nev_int(struct net_ev *b, int f, int64_t v);
void nev_bool(struct net_ev *b, int f, bool v);
void nev_ip(struct net_ev *b, int f, const struct ip_addr *a);
/* src = client, dst = server; sets direction and remote_country. */
void nev_flow(struct net_ev *b, const struct ip_addr *client, uint16_t cport,
	      const struct ip_addr *server, uint16_t sport, bool tcp, bool session);
void nev_mac(struct net_ev *b, const uint8_t mac[6]);
void nev_name(struct net_ev *b, const char *name);
void nev_emit(struct net_ev *b);
/* A remote-access tool's wire signature, over UDP or TCP. */
void net_signature(struct net_state *st, const struct wire_signature *sig,
		   const struct ip_addr *client, uint16_t cport,
		   const struct ip_addr *server, uint16_t sport, bool tcp);

/* ---- net_udp.c: one finding per packet ---- */

void net_arp(struct net_state *st, const struct net_packet *pk);
void net_udp(struct net_state *st, const struct net_packet *pk);

/* ---- net_tcp.c: flows and their first bytes ---- */

void net_tcp(struct net_state *st, const struct net_packet *pk);
/* RDP over UDP: a SYN / SYN+ACK datagram on 3389 (MS-RDPEUDP). */
void net_rdpudp(struct net_state *st, const struct net_packet *pk);
/* Report the flow's handshake attempt, if any, and forget the flow. */
void net_flow_close(struct net_state *st, struct net_flow *f);

/* ---- net_capture.c: libpcap handles ---- */

/* Open every interface of the list (0 if at least one opened). */
int net_open_interfaces(struct net_state *st, const char *list);
int net_on_ready(void *state);
/* --pcap: the whole file, then every flow ends. */
int net_read_file(struct net_state *st);

#endif
