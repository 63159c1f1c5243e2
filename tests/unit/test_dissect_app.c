/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_dissect_app.c - HTTP request head, RDP X.224, RDP-UDP SYN, RFB
 * banner and security handshake, SSH banner dissectors
 * (collectors/net/dissect_app.c).
 *
 * Inputs are written here from the specifications: RFC 9112 3 and 5
 * (request line, header fields), RFC 1006 6 (TPKT) with MS-RDPBCGR
 * 2.2.1.1/2.2.1.2 (X.224 Connection Request/Confirm, routing cookie,
 * RDP_NEG_REQ/RSP/FAILURE), MS-RDPEUDP 2.2.2.1, 2.2.2.5, 3.1.5.1.1,
 * 3.1.5.1.3 and the 4.1.2 example (SYN, SYN+ACK), RFC 6143 7.1.1
 * (ProtocolVersion) and 7.1.2-7.2.2 (security handshake), and RFC 4253
 * 4.2 (identification string).  The user agents are the ones the signal
 * catalog names (TeamViewer's "DynGate", ET 2009475; AnyDesk's "AnyDesk"
 * prefix).  Every input is passed in a heap copy of exactly its length.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "collectors/net/dissect.h"

/* Heap copies of exactly len bytes for each dissector. */
#define EXACT(fn, type)							\
	static int fn##_exact(const void *p, size_t len, type *out)	\
	{								\
		uint8_t *c = malloc(len ? len : 1);			\
		assert_non_null(c);					\
		memcpy(c, p, len);					\
		int r = fn(c, len, out);				\
		free(c);						\
		return r;						\
	}
EXACT(dissect_http_request, struct http_request)
EXACT(dissect_rdp_x224, struct rdp_x224)
EXACT(dissect_rfb_banner, struct rfb_banner)
EXACT(dissect_ssh_banner, struct ssh_banner)

static int http(const char *s, struct http_request *out)
{
	return dissect_http_request_exact(s, strlen(s), out);
}

static int ssh(const char *s, struct ssh_banner *out)
{
	return dissect_ssh_banner_exact(s, strlen(s), out);
}

/* ---- HTTP ---- */

static const char http_anydesk[] =
	"GET /download/AnyDesk.exe?v=7 HTTP/1.1\r\n"
	"Host: Download.AnyDesk.COM\r\n"
	"User-Agent: AnyDesk/7.1.0\r\n"
	"Accept: */*\r\n"
	"\r\n";

static void test_http_request(void **state)
{
	(void)state;
	struct http_request h;
	assert_int_equal(http(http_anydesk, &h), 0);
	assert_string_equal(h.method, "GET");
	assert_string_equal(h.path, "/download/AnyDesk.exe?v=7");
	assert_string_equal(h.host, "download.anydesk.com");
	assert_string_equal(h.user_agent, "AnyDesk/7.1.0");
}

/* Header names in any case, whitespace around values, bare LF endings,
 * a body after the head. */
static void test_http_variants(void **state)
{
	(void)state;
	struct http_request h;
	assert_int_equal(http("POST /dout.aspx HTTP/1.0\n"
			      "user-agent:   Mozilla/4.0 (compatible; MSIE 6.0; DynGate)  \n"
			      "HOST:master1.teamviewer.com\n\nbody", &h), 0);
	assert_string_equal(h.method, "POST");
	assert_string_equal(h.user_agent, "Mozilla/4.0 (compatible; MSIE 6.0; DynGate)");
	assert_string_equal(h.host, "master1.teamviewer.com");

	assert_int_equal(http("CONNECT relay.example:443 HTTP/1.1\r\n\r\n", &h), 0);
	assert_string_equal(h.method, "CONNECT");
	assert_string_equal(h.path, "relay.example:443");
	assert_string_equal(h.host, "");
}

/* Every strict prefix of a request head is "incomplete". */
static void test_http_truncation(void **state)
{
	(void)state;
	struct http_request h;
	size_t n = strlen(http_anydesk);
	for (size_t len = 0; len < n; len++)
		assert_int_equal(dissect_http_request_exact(http_anydesk, len, &h), -EAGAIN);
	assert_int_equal(dissect_http_request_exact(http_anydesk, n, &h), 0);
}

static void test_http_malformed(void **state)
{
	(void)state;
	struct http_request h;
	assert_int_equal(http("GET / HTTP/1.1", &h), -EAGAIN);	/* no CRLF yet */
	assert_int_equal(http("get / HTTP/1.1\r\n\r\n", &h), -EINVAL);
	assert_int_equal(http("GET / HTTP/2.0\r\n\r\n", &h), -EINVAL);
	assert_int_equal(http("GET / HTTP/1.x\r\n\r\n", &h), -EINVAL);
	assert_int_equal(http("GET / HTTP/1.11\r\n\r\n", &h), -EINVAL);
	assert_int_equal(http("GET /\r\n\r\n", &h), -EINVAL);		/* HTTP/0.9 */
	assert_int_equal(http("GET  / HTTP/1.1\r\n\r\n", &h), -EINVAL);
	assert_int_equal(http("GET /a\x01 HTTP/1.1\r\n\r\n", &h), -EINVAL);
	assert_int_equal(http("SSH-2.0-OpenSSH_9.2\r\n", &h), -EINVAL);
	assert_int_equal(http("VERYLONGMETHODNAME / HTTP/1.1\r\n\r\n", &h), -EINVAL);
	assert_int_equal(dissect_http_request_exact("\x16\x03\x01\x00", 4, &h), -EINVAL);

	/* A request line that never ends: given up on, not waited for. */
	/* Static, not malloc()ed: gcc -O1 with ASan misjudges the heap
	 * block's size and warns about the memset below. */
	static char big[9000];
	size_t n = sizeof(big);

	memcpy(big, "GET /", 5);
	memset(big + 5, 'a', n - 5);
	assert_int_equal(dissect_http_request_exact(big, n, &h), -EINVAL);
	/* A head without its empty line, as long as anyone will look. */
	memcpy(big, "GET / HTTP/1.1\r\n", 16);
	for (size_t i = 16; i + 8 <= n; i += 8)
		memcpy(big + i, "X-A: b\r\n", 8);
	assert_int_equal(dissect_http_request_exact(big, n, &h), -EINVAL);
}

/* Long and odd values: cut to their buffers and escaped. */
static void test_http_cut_and_escape(void **state)
{
	(void)state;
	struct http_request h;
	char req[2048];
	char path[600];
	memset(path, 'p', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: a\x07" "b\r\n"
		 "User-Agent: caf\xc3\xa9\r\n\r\n", path);
	assert_int_equal(http(req, &h), 0);
	assert_int_equal(strlen(h.path), sizeof(h.path) - 1);
	assert_string_equal(h.host, "a\\007b");
	assert_string_equal(h.user_agent, "caf\\195\\169");
}

/* ---- RDP ---- */

struct bytes {
	uint8_t b[512];
	size_t n;
};

static void add(struct bytes *m, const void *p, size_t n)
{
	assert_true(m->n + n <= sizeof(m->b));
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

/* TPKT + X.224 fixed part, then `var`, with lengths filled in. */
static void x224(struct bytes *m, uint8_t code, const struct bytes *var)
{
	uint8_t hdr[11] = { 3, 0, 0, 0, 0, code, 0, 0, 0x12, 0x34, 0 };
	size_t total = sizeof(hdr) + var->n;
	hdr[2] = (uint8_t)(total >> 8);
	hdr[3] = (uint8_t)total;
	hdr[4] = (uint8_t)(total - 5);		/* LI: the bytes after itself */
	m->n = 0;
	add(m, hdr, sizeof(hdr));
	add(m, var->b, var->n);
}

/* RDP_NEG_REQ/RSP/FAILURE: type, flags, length 8 LE, 32-bit LE value. */
static void neg(struct bytes *var, uint8_t type, uint8_t flags, uint32_t v)
{
	uint8_t b[8] = { type, flags, 8, 0, (uint8_t)v, (uint8_t)(v >> 8),
			 (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	add(var, b, sizeof(b));
}

static void build_cr(struct bytes *m, const char *cookie, bool with_neg, uint32_t protocols)
{
	struct bytes var = { .n = 0 };
	if (cookie) {
		add(&var, "Cookie: ", 8);
		add(&var, cookie, strlen(cookie));
		add(&var, "\r\n", 2);
	}
	if (with_neg)
		neg(&var, 1, 0, protocols);
	x224(m, 0xe0, &var);
}

static void test_rdp_connection_request(void **state)
{
	(void)state;
	struct bytes m;
	struct rdp_x224 r;
	build_cr(&m, "mstshash=eltons", true, 0x0b);	/* SSL | HYBRID | HYBRID_EX */
	assert_int_equal(m.n, 44);
	assert_int_equal(dissect_rdp_x224_exact(m.b, m.n, &r), 0);
	assert_true(r.request);
	assert_false(r.confirm);
	assert_string_equal(r.cookie, "mstshash=eltons");
	assert_true(r.has_negotiation);
	assert_int_equal(r.requested_protocols, 0x0b);

	/* The ET 2027192 shape: "03 00 00", e0 two bytes on, cookie 5 later. */
	assert_memory_equal(m.b, "\x03\x00\x00", 3);
	assert_int_equal(m.b[5], 0xe0);
	assert_memory_equal(m.b + 11, "Cookie: mstshash=", 17);
}

static void test_rdp_request_variants(void **state)
{
	(void)state;
	struct bytes m;
	struct rdp_x224 r;
	build_cr(&m, NULL, false, 0);			/* bare CR, 11 bytes */
	assert_int_equal(dissect_rdp_x224_exact(m.b, m.n, &r), 0);
	assert_true(r.request);
	assert_false(r.has_negotiation);
	assert_string_equal(r.cookie, "");

	build_cr(&m, NULL, true, 0);			/* standard RDP security */
	assert_int_equal(dissect_rdp_x224_exact(m.b, m.n, &r), 0);
	assert_true(r.has_negotiation);
	assert_int_equal(r.requested_protocols, 0);

	build_cr(&m, "msts=3640205228.15629.0000", true, 1);	/* routing token */
	assert_int_equal(dissect_rdp_x224_exact(m.b, m.n, &r), 0);
	assert_string_equal(r.cookie, "msts=3640205228.15629.0000");
	assert_int_equal(r.requested_protocols, 1);

	char longc[300] = "mstshash=";
	memset(longc + 9, 'u', 200);		/* LI is one byte: stay under 255 */
	longc[209] = '\0';
	build_cr(&m, longc, false, 0);
	assert_int_equal(dissect_rdp_x224_exact(m.b, m.n, &r), 0);
	assert_int_equal(strlen(r.cookie), sizeof(r.cookie) - 1);

	build_cr(&m, "mstshash=a\x01z", false, 0);
	assert_int_equal(dissect_rdp_x224_exact(m.b, m.n, &r), 0);
	assert_string_equal(r.cookie, "mstshash=a\\001z");
}

static void test_rdp_connection_confirm(void **state)
{
	(void)state;
	struct bytes m, var = { .n = 0 };
	struct rdp_x224 r;
	neg(&var, 2, 0x1f, 2);				/* RSP, PROTOCOL_HYBRID */
	x224(&m, 0xd0, &var);
	assert_int_equal(dissect_rdp_x224_exact(m.b, m.n, &r), 0);
	assert_true(r.confirm);
	assert_false(r.request);
	assert_true(r.has_negotiation);
	assert_int_equal(r.selected_protocol, 2);
	assert_false(r.negotiation_failure);

	var.n = 0;
	neg(&var, 3, 0, 5);				/* FAILURE: HYBRID_REQUIRED_BY_SERVER */
	x224(&m, 0xd0, &var);
	assert_int_equal(dissect_rdp_x224_exact(m.b, m.n, &r), 0);
	assert_true(r.negotiation_failure);

	var.n = 0;					/* a legacy confirm, no negotiation */
	x224(&m, 0xd0, &var);
	assert_int_equal(dissect_rdp_x224_exact(m.b, m.n, &r), 0);
	assert_true(r.confirm);
	assert_false(r.has_negotiation);
}

static void test_rdp_truncation(void **state)
{
	(void)state;
	struct bytes m;
	struct rdp_x224 r;
	build_cr(&m, "mstshash=user", true, 3);
	for (size_t len = 0; len < m.n; len++)
		assert_int_equal(dissect_rdp_x224_exact(m.b, len, &r), -EAGAIN);
	assert_int_equal(dissect_rdp_x224_exact(m.b, m.n, &r), 0);
}

static void test_rdp_malformed(void **state)
{
	(void)state;
	struct bytes m, var = { .n = 0 };
	struct rdp_x224 r;

	build_cr(&m, "mstshash=user", true, 3);
	m.b[0] = 2;					/* TPKT version */
	assert_int_equal(dissect_rdp_x224_exact(m.b, m.n, &r), -EINVAL);
	build_cr(&m, "mstshash=user", true, 3);
	m.b[4] += 1;					/* LI disagrees with TPKT */
	assert_int_equal(dissect_rdp_x224_exact(m.b, m.n, &r), -EINVAL);
	build_cr(&m, "mstshash=user", true, 3);
	m.b[5] = 0xf0;					/* a Data TPDU: mid-stream */
	assert_int_equal(dissect_rdp_x224_exact(m.b, m.n, &r), -EINVAL);
	build_cr(&m, "mstshash=user", true, 3);
	m.b[m.n - 6] = 9;				/* RDP_NEG_REQ length not 8 */
	assert_int_equal(dissect_rdp_x224_exact(m.b, m.n, &r), -EINVAL);
	build_cr(&m, "mstshash=user", true, 3);
	m.b[m.n - 8] = 2;				/* a RSP inside a request */
	assert_int_equal(dissect_rdp_x224_exact(m.b, m.n, &r), -EINVAL);

	add(&var, "Cookie: mstshash=never-ends", 27);	/* no CR LF */
	x224(&m, 0xe0, &var);
	assert_int_equal(dissect_rdp_x224_exact(m.b, m.n, &r), -EINVAL);

	uint8_t tiny[] = { 3, 0, 0, 5, 0, 0xe0 };	/* TPKT shorter than X.224 */
	assert_int_equal(dissect_rdp_x224_exact(tiny, sizeof(tiny), &r), -EINVAL);
	assert_int_equal(dissect_rdp_x224_exact("GET / HTTP/1.1\r\n", 16, &r), -EINVAL);
}

/* ---- RFB ---- */

static void test_rfb_banner(void **state)
{
	(void)state;
	struct rfb_banner b;
	assert_int_equal(dissect_rfb_banner_exact("RFB 003.008\n", 12, &b), 0);
	assert_int_equal(b.major, 3);
	assert_int_equal(b.minor, 8);
	assert_string_equal(b.version, "003.008");
	assert_int_equal(dissect_rfb_banner_exact("RFB 003.889\n", 12, &b), 0);
	assert_int_equal(b.minor, 889);
	assert_int_equal(dissect_rfb_banner_exact("RFB 003.003\n", 12, &b), 0);
	assert_int_equal(b.minor, 3);
}

static void test_rfb_malformed(void **state)
{
	(void)state;
	struct rfb_banner b;
	for (size_t len = 0; len < 12; len++)
		assert_int_equal(dissect_rfb_banner_exact("RFB 003.008\n", len, &b), -EAGAIN);
	assert_int_equal(dissect_rfb_banner_exact("RFB 00a.008\n", 12, &b), -EINVAL);
	assert_int_equal(dissect_rfb_banner_exact("RFB 003.0O8\n", 12, &b), -EINVAL);
	assert_int_equal(dissect_rfb_banner_exact("RFB 003.008\r", 12, &b), -EINVAL);
	assert_int_equal(dissect_rfb_banner_exact("RFB 003-008\n", 12, &b), -EINVAL);
	assert_int_equal(dissect_rfb_banner_exact("rfb 003.008\n", 12, &b), -EINVAL);
	assert_int_equal(dissect_rfb_banner_exact("RFB 003.008\nX", 13, &b), -EINVAL);
	assert_int_equal(dissect_rfb_banner_exact("RFB 3.8\n", 8, &b), -EINVAL);
	assert_int_equal(dissect_rfb_banner_exact("SSH-2.0-x\r\n", 11, &b), -EINVAL);
}

/* ---- RFB security handshake (RFC 6143 7.1.2-7.2.2) ---- */

/* Both streams in heap copies of exactly their lengths. */
static int rfb_hs(const void *srv, size_t slen, const void *cli, size_t clen,
		  struct rfb_handshake *out)
{
	uint8_t *s = malloc(slen ? slen : 1), *c = malloc(clen ? clen : 1);
	assert_non_null(s);
	assert_non_null(c);
	memcpy(s, srv, slen);
	memcpy(c, cli, clen);
	int r = dissect_rfb_handshake(s, slen, c, clen, out);
	free(s);
	free(c);
	return r;
}

/* 3.8: banner, 2 types (None, VNC auth), 16-byte challenge, SecurityResult
 * 1 with "Authentication failed" -- the server side of a failed login. */
static const uint8_t rfb38_srv_fail[] =
	"RFB 003.008\n" "\x02\x01\x02" "0123456789abcdef" "\x00\x00\x00\x01"
	"\x00\x00\x00\x15" "Authentication failed";
static const uint8_t rfb38_cli_vncauth[] = "RFB 003.008\n" "\x02" "fedcba9876543210";

static void test_rfb_handshake_outcomes(void **state)
{
	(void)state;
	struct rfb_handshake h;
	static const uint8_t none_srv[] = "RFB 003.008\n\x01\x01\x00\x00\x00\x00";
	static const uint8_t none_cli[] = "RFB 003.008\n\x01";
	static const uint8_t ok_srv[] = "RFB 003.008\n\x01\x02" "0123456789abcdef\x00\x00\x00\x00";

	/* None chosen, SecurityResult OK (3.8 sends one for None). */
	assert_int_equal(rfb_hs(none_srv, 18, none_cli, 13, &h), 0);
	assert_int_equal(h.outcome, RFB_OK);
	assert_int_equal(h.security, 1);
	assert_int_equal(h.minor, 8);
	/* VNC authentication, SecurityResult OK. */
	assert_int_equal(rfb_hs(ok_srv, 34, rfb38_cli_vncauth, 29, &h), 0);
	assert_int_equal(h.outcome, RFB_OK);
	assert_int_equal(h.security, 2);
	/* VNC authentication failed, with its reason. */
	assert_int_equal(rfb_hs(rfb38_srv_fail, sizeof(rfb38_srv_fail) - 1, rfb38_cli_vncauth,
				29, &h), 0);
	assert_int_equal(h.outcome, RFB_FAILED);
	assert_string_equal(h.reason, "Authentication failed");
	/* 3.7: None goes straight to initialisation, no SecurityResult. */
	assert_int_equal(rfb_hs("RFB 003.007\n\x01\x01", 14, "RFB 003.007\n\x01", 13, &h), 0);
	assert_int_equal(h.outcome, RFB_OK);
	assert_int_equal(h.minor, 7);
	/* 3.7 failure: no reason string. */
	assert_int_equal(rfb_hs("RFB 003.007\n\x01\x02" "0123456789abcdef\x00\x00\x00\x01", 34,
				"RFB 003.007\n\x02", 13, &h), 0);
	assert_int_equal(h.outcome, RFB_FAILED);
	assert_string_equal(h.reason, "");
	/* 3.3: the server decides (U32): None, or VNC auth then a result. */
	assert_int_equal(rfb_hs("RFB 003.003\n\x00\x00\x00\x01", 16, "RFB 003.003\n", 12, &h), 0);
	assert_int_equal(h.outcome, RFB_OK);
	assert_int_equal(h.minor, 3);
	assert_int_equal(rfb_hs("RFB 003.008\n\x00\x00\x00\x02" "0123456789abcdef\x00\x00\x00\x01",
				36, "RFB 003.003\n", 12, &h), 0);
	assert_int_equal(h.outcome, RFB_FAILED);	/* the client's version counts */
	/* Refused: no security types (3.8) or type 0 (3.3), with a reason. */
	assert_int_equal(rfb_hs("RFB 003.008\n\x00\x00\x00\x00\x04" "busy", 21, "RFB 003.008\n", 12,
				&h), 0);
	assert_int_equal(h.outcome, RFB_REFUSED);
	assert_string_equal(h.reason, "busy");
	assert_int_equal(rfb_hs("RFB 003.003\n\x00\x00\x00\x00\x00\x00\x00\x02no", 22,
				"RFB 003.003\n", 12, &h), 0);
	assert_int_equal(h.outcome, RFB_REFUSED);
	assert_string_equal(h.reason, "no");
	/* An opaque type (19 VeNCrypt): chosen, its result is sealed. */
	assert_int_equal(rfb_hs("RFB 003.008\n\x02\x13\x02", 15, "RFB 003.008\n\x13", 13, &h), 0);
	assert_int_equal(h.outcome, RFB_OPAQUE);
	assert_int_equal(h.security, 19);
	/* Apple's 3.889 behaves as 3.8. */
	assert_int_equal(rfb_hs("RFB 003.889\n\x01\x01\x00\x00\x00\x00", 18,
				"RFB 003.889\n\x01", 13, &h), 0);
	assert_int_equal(h.minor, 8);
	assert_int_equal(h.outcome, RFB_OK);
}

/* Every prefix of either stream is -EAGAIN (never a verdict, never a
 * read past the end); what is known so far is reported. */
static void test_rfb_handshake_prefixes(void **state)
{
	(void)state;
	struct rfb_handshake h;
	size_t slen = sizeof(rfb38_srv_fail) - 1, clen = sizeof(rfb38_cli_vncauth) - 1;

	/* The server's result is its 35th-38th bytes (12 + 3 + 16 + 4). */
	for (size_t s = 0; s < 35; s++)
		assert_int_equal(rfb_hs(rfb38_srv_fail, s, rfb38_cli_vncauth, clen, &h), -EAGAIN);
	for (size_t s = 35; s <= slen; s++) {
		assert_int_equal(rfb_hs(rfb38_srv_fail, s, rfb38_cli_vncauth, clen, &h), 0);
		assert_int_equal(h.outcome, RFB_FAILED);	/* a cut reason is cut, not read past */
	}
	/* Without the client's choice nothing is decided. */
	for (size_t c = 0; c < 13; c++)
		assert_int_equal(rfb_hs(rfb38_srv_fail, slen, rfb38_cli_vncauth, c, &h), -EAGAIN);
	/* The choice is remembered while the result is pending (a scan vs an
	 * abandoned login, net_tcp.c). */
	assert_int_equal(rfb_hs(rfb38_srv_fail, 20, rfb38_cli_vncauth, 13, &h), -EAGAIN);
	assert_int_equal(h.security, 2);
	assert_int_equal(rfb_hs(rfb38_srv_fail, 14, rfb38_cli_vncauth, 0, &h), -EAGAIN);
	assert_int_equal(h.security, 0);
}

static void test_rfb_handshake_hostile(void **state)
{
	(void)state;
	struct rfb_handshake h;
	uint8_t big[64];

	/* Not RFB on either side. */
	assert_int_equal(rfb_hs("SSH-2.0-x\r\n\n", 12, "RFB 003.008\n", 12, &h), -EINVAL);
	assert_int_equal(rfb_hs("RFB 003.008\n", 12, "GET / HTTP/1.1", 14, &h), -EINVAL);
	/* A choice the server did not offer. */
	assert_int_equal(rfb_hs("RFB 003.008\n\x01\x02", 14, "RFB 003.008\n\x01", 13, &h), -EINVAL);
	/* 3.3 type beyond a byte. */
	assert_int_equal(rfb_hs("RFB 003.003\n\x01\x00\x00\x01", 16, "RFB 003.003\n", 12, &h),
			 -EINVAL);
	/* A reason length far beyond the bytes: copied only as far as seen. */
	assert_int_equal(rfb_hs("RFB 003.008\n\x00\xff\xff\xff\xff" "abc", 20, "RFB 003.008\n", 12,
				&h), 0);
	assert_int_equal(h.outcome, RFB_REFUSED);
	assert_string_equal(h.reason, "abc");
	/* 255 offered types, only some of them present: wait, never overread. */
	memcpy(big, "RFB 003.008\n\xff", 13);
	memset(big + 13, 0x01, sizeof(big) - 13);
	assert_int_equal(rfb_hs(big, sizeof(big), "RFB 003.008\n\x01", 13, &h), -EAGAIN);
	/* A reason with control bytes is escaped, cut to the buffer. */
	{
		uint8_t r[12 + 1 + 4 + 300];
		memcpy(r, "RFB 003.008\n\x00\x00\x00\x01\x2c", 17);
		memset(r + 17, '\n', 300);
		assert_int_equal(rfb_hs(r, sizeof(r), "RFB 003.008\n", 12, &h), 0);
		assert_true(strlen(h.reason) < sizeof(h.reason));
		assert_null(strchr(h.reason, '\n'));
	}
}

/* ---- RDP over UDP (MS-RDPEUDP) ---- */

EXACT(dissect_rdpudp_syn, struct rdpudp_syn)

/* The SYN+ACK of [MS-RDPEUDP] 4.1.2, zero-padded to 1232 bytes, and a SYN
 * built from 3.1.5.1.1 the same way. */
static void rdpudp_dgram(uint8_t *p, bool ack)
{
	static const uint8_t synack[] = { 0x00, 0x00, 0x00, 0x42, 0x04, 0x00, 0x00, 0x05,
					  0x00, 0x00, 0x00, 0x42, 0x04, 0xd0, 0x04, 0xd0 };
	static const uint8_t syn[] = { 0xff, 0xff, 0xff, 0xff, 0x00, 0x40, 0x00, 0x01,
				       0x00, 0x00, 0x00, 0x42, 0x04, 0x6c, 0x04, 0xd0 };
	memset(p, 0, 1232);
	memcpy(p, ack ? synack : syn, 16);
}

static void test_rdpudp_syn(void **state)
{
	(void)state;
	uint8_t d[1232];
	struct rdpudp_syn s;

	rdpudp_dgram(d, false);
	assert_int_equal(dissect_rdpudp_syn_exact(d, sizeof(d), &s), 0);
	assert_false(s.ack);
	assert_int_equal(s.initial_seq, 0x42);
	assert_int_equal(s.up_mtu, 1132);
	assert_int_equal(s.down_mtu, 1232);
	rdpudp_dgram(d, true);
	assert_int_equal(dissect_rdpudp_syn_exact(d, sizeof(d), &s), 0);
	assert_true(s.ack);
	assert_int_equal(s.source_ack, 0x42);
	assert_int_equal(s.flags, 0x0005);
	/* Extra flags of a SYN (SYNEX, CORRELATION_ID) are fine. */
	rdpudp_dgram(d, false);
	d[6] = 0x18;
	assert_int_equal(dissect_rdpudp_syn_exact(d, sizeof(d), &s), 0);
	/* Only the two headers are needed. */
	assert_int_equal(dissect_rdpudp_syn_exact(d, 16, &s), 0);
}

static void test_rdpudp_malformed(void **state)
{
	(void)state;
	uint8_t d[1232];
	struct rdpudp_syn s;

	rdpudp_dgram(d, false);
	for (size_t len = 0; len < 16; len++)
		assert_int_equal(dissect_rdpudp_syn_exact(d, len, &s), -EINVAL);
	d[3] = 0xfe;			/* a SYN's snSourceAck must be -1 */
	assert_int_equal(dissect_rdpudp_syn_exact(d, sizeof(d), &s), -EINVAL);
	rdpudp_dgram(d, false);
	d[7] = 0x04;			/* no SYN: an ACK */
	assert_int_equal(dissect_rdpudp_syn_exact(d, sizeof(d), &s), -EINVAL);
	d[7] = 0x0d;			/* SYN | ACK | DATA */
	assert_int_equal(dissect_rdpudp_syn_exact(d, sizeof(d), &s), -EINVAL);
	d[7] = 0x03;			/* SYN | FIN */
	assert_int_equal(dissect_rdpudp_syn_exact(d, sizeof(d), &s), -EINVAL);
	rdpudp_dgram(d, true);
	d[12] = 0x04;
	d[13] = 0x6b;			/* up MTU 1131 */
	assert_int_equal(dissect_rdpudp_syn_exact(d, sizeof(d), &s), -EINVAL);
	rdpudp_dgram(d, true);
	d[14] = 0x04;
	d[15] = 0xd1;			/* down MTU 1233 */
	assert_int_equal(dissect_rdpudp_syn_exact(d, sizeof(d), &s), -EINVAL);
	/* DNS on 3389 is not RDP. */
	assert_int_equal(dissect_rdpudp_syn_exact("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
						  "\x03www\x00", 17, &s), -EINVAL);
}

/* ---- SSH ---- */

static void test_ssh_banner(void **state)
{
	(void)state;
	struct ssh_banner s;
	assert_int_equal(ssh("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n", &s), 0);
	assert_string_equal(s.proto, "2.0");
	assert_string_equal(s.software, "OpenSSH_9.2p1");
	assert_string_equal(s.banner, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3");

	assert_int_equal(ssh("SSH-1.99-Cisco-1.25\n", &s), 0);	/* bare LF */
	assert_string_equal(s.proto, "1.99");
	assert_string_equal(s.software, "Cisco-1.25");

	/* KEXINIT in the same segment: only the line is read. */
	assert_int_equal(dissect_ssh_banner_exact("SSH-2.0-dropbear\r\n\x00\x00\x01\x14\x0a\x14",
						  24, &s), 0);
	assert_string_equal(s.software, "dropbear");
}

static void test_ssh_truncation(void **state)
{
	(void)state;
	struct ssh_banner s;
	const char *b = "SSH-2.0-OpenSSH_9.6 Ubuntu\r\n";
	for (size_t len = 0; len < strlen(b); len++)
		assert_int_equal(dissect_ssh_banner_exact(b, len, &s), -EAGAIN);
	assert_int_equal(ssh(b, &s), 0);
}

static void test_ssh_malformed(void **state)
{
	(void)state;
	struct ssh_banner s;
	char line[400];

	assert_int_equal(ssh("SSH-2.0-OpenSSH_9.2", &s), -EAGAIN);	/* no newline yet */
	memset(line, 'x', sizeof(line));
	memcpy(line, "SSH-2.0-", 8);
	assert_int_equal(dissect_ssh_banner_exact(line, 255, &s), -EINVAL);	/* never ends */
	memcpy(line + 300, "\r\n", 2);
	assert_int_equal(dissect_ssh_banner_exact(line, 302, &s), -EINVAL);	/* too long */
	memcpy(line + 252, "\r\n", 2);		/* 254 bytes with CR LF: legal */
	assert_int_equal(dissect_ssh_banner_exact(line, 254, &s), 0);
	assert_int_equal(strlen(s.banner), 252);

	assert_int_equal(ssh("SSH-2.0-\r\n", &s), -EINVAL);
	assert_int_equal(ssh("SSH--OpenSSH\r\n", &s), -EINVAL);
	assert_int_equal(ssh("SSH-2.0\r\n", &s), -EINVAL);
	assert_int_equal(ssh("SSH-2.0-Open\x01SSH\r\n", &s), -EINVAL);
	assert_int_equal(ssh("SSH-2.0-Open\x01", &s), -EINVAL);
	assert_int_equal(ssh("SSH-x.y-OpenSSH\r\n", &s), -EINVAL);
	assert_int_equal(ssh("ssh-2.0-OpenSSH\r\n", &s), -EINVAL);
	assert_int_equal(ssh("GET / HTTP/1.1\r\n", &s), -EINVAL);	/* HTTP on port 22 */
	assert_int_equal(ssh("RFB 003.008\n", &s), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_request),
		cmocka_unit_test(test_http_variants),
		cmocka_unit_test(test_http_truncation),
		cmocka_unit_test(test_http_malformed),
		cmocka_unit_test(test_http_cut_and_escape),
		cmocka_unit_test(test_rdp_connection_request),
		cmocka_unit_test(test_rdp_request_variants),
		cmocka_unit_test(test_rdp_connection_confirm),
		cmocka_unit_test(test_rdp_truncation),
		cmocka_unit_test(test_rdp_malformed),
		cmocka_unit_test(test_rfb_banner),
		cmocka_unit_test(test_rfb_malformed),
		cmocka_unit_test(test_rfb_handshake_outcomes),
		cmocka_unit_test(test_rfb_handshake_prefixes),
		cmocka_unit_test(test_rfb_handshake_hostile),
		cmocka_unit_test(test_rdpudp_syn),
		cmocka_unit_test(test_rdpudp_malformed),
		cmocka_unit_test(test_ssh_banner),
		cmocka_unit_test(test_ssh_truncation),
		cmocka_unit_test(test_ssh_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
