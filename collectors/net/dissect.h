/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dissect.h - the packet dissectors of the net collector: bytes in,
 * findings out.
 *
 * Every dissector is a pure function over one buffer: no I/O, no
 * allocation, no logging, no global state, so each can be unit-tested on
 * hand-built bytes and fuzzed alone (tests/fuzz).  They never read past
 * len, bound every loop (DNS compression pointers, TLS extensions, DER
 * lengths) and copy strings into fixed buffers, cut to fit and always
 * NUL-terminated.  Bytes outside printable ASCII in names are written as
 * \DDD (RFC 1035 master-file style), so a name never holds a control
 * character or a NUL.
 *
 * Output structs are not zeroed (a dns_message is ~9 KB): a dissector sets
 * the counts and writes the entries below them, and the caller reads only
 * up to the counts.
 *
 * Return values: 0 parsed (out is filled), -EINVAL not this protocol or
 * malformed, -EAGAIN the bytes so far are a valid prefix but the message
 * is incomplete (the caller may reassemble more of the stream, up to its
 * own bound, and call again).  Predicates return bool.
 *
 * The capture side (collectors/net/net*.c) decodes link, IP and transport
 * headers, keeps the flow table and decides which dissector sees which
 * payload; nothing here knows about ports except the wire signatures,
 * whose definitions include them.
 */
#ifndef FARMHOUND_DISSECT_H
#define FARMHOUND_DISSECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collectors/event.h"

#define DISSECT_NAME_MAX 256	/* a DNS name in text form, NUL included */

/* ---- DNS, mDNS, LLMNR (one wire format; RFC 1035, 6762, 4795) ---- */

#define DNS_QUESTIONS_MAX 4
#define DNS_RRS_MAX 16

struct dns_question {
	char name[DISSECT_NAME_MAX];	/* lower-cased, no trailing dot */
	uint16_t type;
	uint16_t qclass;		/* mDNS unicast-response bit cleared */
};

struct dns_rr {
	char name[DISSECT_NAME_MAX];
	uint16_t type;			/* 1 A, 28 AAAA, 5 CNAME, 12 PTR, 33 SRV, 16 TXT */
	uint16_t rclass;		/* mDNS cache-flush bit cleared */
	uint32_t ttl;
	struct ip_addr addr;		/* A/AAAA; family 0 otherwise */
	char target[DISSECT_NAME_MAX];	/* CNAME/PTR/SRV target, TXT first string */
};

struct dns_message {
	uint16_t id;
	bool response;
	uint8_t opcode, rcode;
	size_t nquestions;		/* parsed, at most DNS_QUESTIONS_MAX */
	struct dns_question questions[DNS_QUESTIONS_MAX];
	size_t nrrs;			/* answer+authority+additional, first DNS_RRS_MAX */
	struct dns_rr rrs[DNS_RRS_MAX];
};

/* Name compression is followed with a hop limit and only backwards, so a
 * pointer loop is -EINVAL, never a hang. */
int dissect_dns(const uint8_t *p, size_t len, struct dns_message *out);

/* mDNS services and host names announced or asked for in one message. */
#define MDNS_ITEMS_MAX 8
struct mdns_info {
	size_t nservices;
	char services[MDNS_ITEMS_MAX][DISSECT_NAME_MAX];	/* "_pikvm._tcp.local" */
	size_t nhosts;
	char hosts[MDNS_ITEMS_MAX][DISSECT_NAME_MAX];		/* "pikvm.local" */
};
void dissect_mdns_summary(const struct dns_message *m, struct mdns_info *out);

/* ---- NetBIOS name service (RFC 1002), UDP 137 ---- */

struct netbios_ns {
	bool response;
	char name[16];			/* decoded, trailing blanks removed */
	uint8_t suffix;			/* 0x00 workstation, 0x20 server, ... */
	struct ip_addr addr;		/* from a response or registration, if any */
};
int dissect_netbios_ns(const uint8_t *p, size_t len, struct netbios_ns *out);

/* ---- TLS (RFC 8446 / 5246) ---- */

/* Most bytes of a ClientHello or server flight the caller should buffer
 * when a dissector says -EAGAIN. */
#define TLS_REASSEMBLY_MAX 16384

struct tls_client_hello {
	uint16_t record_version, client_version;
	bool has_sni;
	char sni[DISSECT_NAME_MAX];
	char alpn[128];			/* protocols joined with ',' ("h2,http/1.1") */
};
/* p: the client's first bytes of the stream (one or more TLS records). */
int dissect_tls_client_hello(const uint8_t *p, size_t len,
			     struct tls_client_hello *out);

struct tls_server_cert {
	uint16_t version;		/* from ServerHello */
	char subject_cn[DISSECT_NAME_MAX];
	char subject_o[128];
	char issuer_cn[DISSECT_NAME_MAX];
};
/* p: the server's first bytes (ServerHello, Certificate, ... in TLS 1.2 and
 * earlier).  Reads the first certificate's subject and issuer with a
 * bounded DER walk.  TLS 1.3 (encrypted certificate): -EINVAL. */
int dissect_tls_server_cert(const uint8_t *p, size_t len,
			    struct tls_server_cert *out);

/* ---- HTTP/1.x request head ---- */

struct http_request {
	char method[16];
	char path[256];
	char host[DISSECT_NAME_MAX];
	char user_agent[256];
};
int dissect_http_request(const uint8_t *p, size_t len, struct http_request *out);

/* ---- RDP: TPKT + X.224 (MS-RDPBCGR 2.2.1.1, 2.2.1.2) ---- */

struct rdp_x224 {
	bool request;			/* Connection Request, TPDU 0xE0 */
	bool confirm;			/* Connection Confirm, TPDU 0xD0 */
	char cookie[128];		/* "mstshash=user" value, without "Cookie: " */
	bool has_negotiation;
	uint32_t requested_protocols;	/* RDP_NEG_REQ */
	uint32_t selected_protocol;	/* RDP_NEG_RSP */
	bool negotiation_failure;	/* RDP_NEG_FAILURE */
};
int dissect_rdp_x224(const uint8_t *p, size_t len, struct rdp_x224 *out);

/* ---- RDP over UDP: the MS-RDPEUDP SYN and SYN+ACK datagrams ---- */

struct rdpudp_syn {
	bool ack;			/* SYN+ACK: the server's answer */
	uint32_t source_ack;		/* snSourceAck: -1 in a SYN, the SYN's ISN in a SYN+ACK */
	uint32_t initial_seq;		/* snInitialSequenceNumber */
	uint16_t flags;			/* uFlags */
	uint16_t up_mtu, down_mtu;	/* 1132..1232 */
};
/* p: the UDP payload.  0 a SYN or SYN+ACK, -EINVAL anything else (data
 * datagrams, other protocols). */
int dissect_rdpudp_syn(const uint8_t *p, size_t len, struct rdpudp_syn *out);

/* ---- banners: RFB (RFC 6143 7.1.1) and SSH (RFC 4253 4.2) ---- */

#define RFB_BANNER_LEN 12		/* "RFB xxx.yyy\n" */

struct rfb_banner {
	int major, minor;
	char version[8];		/* "003.008" */
};
int dissect_rfb_banner(const uint8_t *p, size_t len, struct rfb_banner *out);

/*
 * The RFB security handshake after the two banners (RFC 6143 7.1.2,
 * 7.1.3, 7.2.1, 7.2.2): srv and cli are each direction's stream from its
 * first byte (banner included), as much of it as was seen.  What the
 * bytes say, not what was meant: 0 the outcome is known, -EAGAIN a
 * consistent prefix (out holds what is known so far), -EINVAL not RFB.
 */
enum rfb_outcome {
	RFB_PENDING,
	RFB_OK,			/* None chosen, or SecurityResult 0 */
	RFB_FAILED,		/* SecurityResult non-zero */
	RFB_REFUSED,		/* the server offered no security type */
	RFB_OPAQUE,		/* a type whose result travels inside its own exchange */
};

struct rfb_handshake {
	int minor;			/* protocol in use: 3, 7 or 8 (RFC 6143 7.1.1) */
	uint8_t security;		/* type in use (1 None, 2 VNC auth); 0 not chosen yet */
	enum rfb_outcome outcome;
	char reason[128];		/* failure or refusal reason, when sent */
};
int dissect_rfb_handshake(const uint8_t *srv, size_t slen, const uint8_t *cli, size_t clen,
			  struct rfb_handshake *out);

struct ssh_banner {
	char banner[256];		/* the whole identification line, no CRLF */
	char proto[8];			/* "2.0" */
	char software[128];		/* "OpenSSH_9.2p1" */
};
int dissect_ssh_banner(const uint8_t *p, size_t len, struct ssh_banner *out);

/* ---- wire signatures of remote-access tools (signals.md 5) ---- */

enum dissect_transport {
	DISSECT_TCP = 6,
	DISSECT_UDP = 17,
};

struct wire_signature {
	const char *id;			/* "teamviewer-keepalive" */
	const char *tool;		/* "teamviewer": the net event's kind */
	enum dissect_transport transport;
	uint16_t port;			/* server port it is seen on; 0: any */
	int16_t dsize;			/* exact payload size; -1: any */
	uint16_t offset;		/* where the pattern starts */
	const uint8_t *pattern;
	uint16_t pattern_len;
	const char *reference;		/* ET sid or spec the bytes come from */
};

/* The first signature matching this payload, or NULL.  port is the flow's
 * server-side port (either direction of the flow). */
const struct wire_signature *dissect_wire_signature(const uint8_t *p, size_t len,
						    enum dissect_transport t,
						    uint16_t port);
/* The table, NULL-id terminated, for --explain and the man page. */
extern const struct wire_signature dissect_wire_signatures[];

/* ---- TeamViewer's own protocol header ---- */

#define TEAMVIEWER_MAGIC 0x1724		/* the protocol's packets */
#define TEAMVIEWER_MAGIC_MASTER 0x1130	/* a second header form (see dissect_sig.c) */

struct teamviewer_header {
	uint16_t magic;			/* TEAMVIEWER_MAGIC or TEAMVIEWER_MAGIC_MASTER */
	uint8_t command;		/* the byte after the magic */
};
/* p: the first bytes of a TCP direction.  0 it starts with one of the
 * magics and a command byte, -EAGAIN too short to tell, -EINVAL not it.
 * Two bytes are weak on their own: the caller adds the port (5938) or
 * asks both directions to carry the magic (the 443 fallback). */
int dissect_teamviewer(const uint8_t *p, size_t len, struct teamviewer_header *out);

/* ---- the LAN: ARP (RFC 826), DHCP (RFC 2131/2132) ---- */

struct arp_packet {
	uint16_t op;			/* 1 request, 2 reply */
	uint8_t sender_mac[6];
	struct ip_addr sender_ip;
	uint8_t target_mac[6];
	struct ip_addr target_ip;
};
/* p: the ARP payload after the link header (Ethernet/IPv4 only). */
int dissect_arp(const uint8_t *p, size_t len, struct arp_packet *out);

struct dhcp_message {
	uint8_t op;			/* 1 request, 2 reply */
	uint8_t msg_type;		/* option 53; 0 if absent */
	uint8_t client_mac[6];		/* chaddr */
	struct ip_addr requested_ip;	/* option 50 or yiaddr */
	char hostname[64];		/* option 12 */
	char vendor_class[64];		/* option 60 */
};
/* p: the UDP payload (BOOTP header, magic cookie, options). */
int dissect_dhcp(const uint8_t *p, size_t len, struct dhcp_message *out);

/* ---- MAC address vendors (IEEE registry blocks of signals.md 1.3) ---- */

/* "Raspberry Pi", "GL.iNet", "Sipeed", ... for the KVM-related vendors
 * farmhound knows, NULL for every other address.  MA-L (24-bit), MA-M
 * (28-bit) and MA-S (36-bit) blocks are all honoured. */
const char *oui_vendor(const uint8_t mac[6]);

#endif
