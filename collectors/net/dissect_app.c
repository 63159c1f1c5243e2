/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dissect_app.c - the first bytes of cleartext application protocols that
 * say "a remote session starts here": an HTTP/1.x request head (RFC 9112
 * 3, 5), the RDP Connection Request and Confirm (TPKT RFC 1006, X.224
 * class 0 ITU-T X.224 13.3/13.4, MS-RDPBCGR 2.2.1.1 and 2.2.1.2), RDP's
 * UDP transport SYN and SYN+ACK (MS-RDPEUDP 2.2.2.1, 2.2.2.5, 3.1.5.1.1,
 * 3.1.5.1.3), the RFB ProtocolVersion banner (RFC 6143 7.1.1) and its
 * security handshake (7.1.2-7.1.3, 7.2.1-7.2.2), and the SSH
 * identification string (RFC 4253 4.2).
 *
 * What each protocol lets a passive observer tell about the login: RFB
 * with security None or VNC authentication says it in clear
 * (SecurityResult); RDP's Connection Confirm says the server accepted the
 * connection and its security protocol, RDP_NEG_FAILURE that it refused
 * (MS-RDPBCGR 2.2.1.2.2), but the login itself happens inside TLS/CredSSP
 * afterwards; SSH's authentication result (RFC 4252 5.1) travels inside
 * the encrypted transport, so two identification lines are all there is.
 *
 * Each is a strict recogniser: what does not look exactly like the
 * protocol is -EINVAL, because the capture side feeds these from any port
 * (tunnelled RDP, SSH on 443) and a loose match would invent sessions.
 * A consistent prefix is -EAGAIN; every field is copied cut to its buffer,
 * NUL-terminated, with non-printable bytes as \DDD.
 */
#include <errno.h>
#include <string.h>

#include "dissect.h"

/* How far an HTTP head or an SSH line is looked for before giving up. */
#define HTTP_HEAD_MAX 8192
#define SSH_LINE_MAX 255		/* RFC 4253 4.2, CR LF included */

struct textbuf {
	char *s;
	size_t size, n;
	bool full;
};

static void tb_init(struct textbuf *tb, char *s, size_t size)
{
	tb->s = s;
	tb->size = size;
	tb->n = 0;
	tb->full = false;
	s[0] = '\0';
}

static void tb_put(struct textbuf *tb, uint8_t c, bool lower)
{
	bool plain = c >= 0x20 && c < 0x7f && c != '\\';
	size_t need = plain ? 1 : 4;

	if (tb->full || tb->n + need >= tb->size) {
		tb->full = true;	/* cut: nothing after the first byte that did not fit */
		return;
	}
	if (plain) {
		if (lower && c >= 'A' && c <= 'Z')
			c = (uint8_t)(c - 'A' + 'a');
		tb->s[tb->n++] = (char)c;
	} else {
		tb->s[tb->n++] = '\\';
		tb->s[tb->n++] = (char)('0' + c / 100);
		tb->s[tb->n++] = (char)('0' + c / 10 % 10);
		tb->s[tb->n++] = (char)('0' + c % 10);
	}
	tb->s[tb->n] = '\0';
}

static void copy_text(char *out, size_t size, const uint8_t *p, size_t n, bool lower)
{
	struct textbuf tb;
	tb_init(&tb, out, size);
	for (size_t i = 0; i < n && !tb.full; i++)
		tb_put(&tb, p[i], lower);
}

/* ---- HTTP/1.x request head ---- */

/* The end of the line starting at pos (the index of its LF), or len. */
static size_t line_end(const uint8_t *p, size_t len, size_t pos)
{
	const uint8_t *lf = memchr(p + pos, '\n', len - pos);
	return lf ? (size_t)(lf - p) : len;
}

/* Line [a, b) without its CR. */
static size_t trim_cr(const uint8_t *p, size_t a, size_t b)
{
	return b > a && p[b - 1] == '\r' ? b - 1 : b;
}

/*
 * Request line: method SP request-target SP "HTTP/1." DIGIT.  The method
 * is upper-case letters (every registered method is); the target holds no
 * control bytes.  -EAGAIN while the bytes so far fit that shape.
 */
static int http_request_line(const uint8_t *p, size_t len, size_t eol,
			     struct http_request *out)
{
	size_t m = 0;
	while (m < eol && m < sizeof(out->method) && p[m] >= 'A' && p[m] <= 'Z')
		m++;
	if (m == eol && eol == len && m < sizeof(out->method))
		return -EAGAIN;
	if (m == 0 || m >= sizeof(out->method) || p[m] != ' ')
		return -EINVAL;
	size_t t = m + 1, te = t;
	while (te < eol && p[te] > 0x20 && p[te] != 0x7f)
		te++;
	if (te == eol && eol == len)
		return -EAGAIN;
	if (te == t || p[te] != ' ')
		return -EINVAL;
	/* "HTTP/1." DIGIT, then CR LF (or a bare LF, RFC 9112 2.2). */
	static const char ver[] = "HTTP/1.9";	/* '9': a digit */
	size_t v = te + 1, ce = eol == len ? len : trim_cr(p, v, eol);
	for (size_t i = 0; i < ce - v && i < 8; i++) {
		bool ok = ver[i] == '9' ? p[v + i] >= '0' && p[v + i] <= '9'
					: p[v + i] == (uint8_t)ver[i];
		if (!ok)
			return -EINVAL;
	}
	if (eol == len) {		/* line not finished */
		bool prefix = ce - v <= 8 || (ce - v == 9 && p[v + 8] == '\r');
		return prefix ? -EAGAIN : -EINVAL;
	}
	if (ce - v != 8)
		return -EINVAL;
	copy_text(out->method, sizeof(out->method), p, m, false);
	copy_text(out->path, sizeof(out->path), p + t, te - t, false);
	return 0;
}

/* "Name: value" with the name compared case-insensitively and the
 * value's surrounding whitespace dropped. */
static bool http_header(const uint8_t *p, size_t a, size_t b, const char *name,
			size_t *va, size_t *vb)
{
	size_t n = strlen(name);
	if (b - a <= n || p[a + n] != ':' || strncasecmp((const char *)p + a, name, n))
		return false;
	a += n + 1;
	while (a < b && (p[a] == ' ' || p[a] == '\t'))
		a++;
	while (b > a && (p[b - 1] == ' ' || p[b - 1] == '\t'))
		b--;
	*va = a;
	*vb = b;
	return true;
}

int dissect_http_request(const uint8_t *p, size_t len, struct http_request *out)
{
	out->method[0] = out->path[0] = out->host[0] = out->user_agent[0] = '\0';
	if (len > HTTP_HEAD_MAX)
		len = HTTP_HEAD_MAX;
	size_t eol = line_end(p, len, 0);
	int r = http_request_line(p, len, eol, out);
	if (r == -EAGAIN && len == HTTP_HEAD_MAX)
		return -EINVAL;		/* a request line that never ends */
	if (r < 0)
		return r;
	/* Header lines until the empty line; each step passes one LF. */
	for (size_t pos = eol + 1; pos < len;) {
		size_t e = line_end(p, len, pos), b = trim_cr(p, pos, e), va, vb;
		if (e == len)
			break;		/* an unfinished line */
		if (b == pos)
			return 0;	/* the empty line: the head is complete */
		if (!out->host[0] && http_header(p, pos, b, "host", &va, &vb))
			copy_text(out->host, sizeof(out->host), p + va, vb - va, true);
		else if (!out->user_agent[0] && http_header(p, pos, b, "user-agent", &va, &vb))
			copy_text(out->user_agent, sizeof(out->user_agent), p + va, vb - va, false);
		pos = e + 1;
	}
	/* Host and User-Agent found so far stay in out for a caller that
	 * gives up waiting; the contract's answer is still "incomplete". */
	return len == HTTP_HEAD_MAX ? -EINVAL : -EAGAIN;
}

/* ---- RDP: TPKT + X.224 Connection Request / Confirm ---- */

#define TPKT_HEADER 4
#define X224_CR 0xe0
#define X224_CC 0xd0
#define X224_FIXED 7			/* LI, code, DST-REF, SRC-REF, class */
#define RDP_NEG_REQ 0x01
#define RDP_NEG_RSP 0x02
#define RDP_NEG_FAILURE 0x03
#define RDP_NEG_LEN 8

static uint32_t get32le(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The cookie or routing token of a Connection Request (MS-RDPBCGR
 * 2.2.1.1): "Cookie: " then up to CR LF.  *pos moves past it. */
static int rdp_cookie(const uint8_t *p, size_t end, size_t *pos, struct rdp_x224 *out)
{
	static const char prefix[] = "Cookie: ";
	size_t n = sizeof(prefix) - 1, a = *pos;

	if (end - a < n || memcmp(p + a, prefix, n) != 0)
		return 0;
	for (size_t i = a + n; i + 1 < end; i++) {
		if (p[i] == '\r' && p[i + 1] == '\n') {
			copy_text(out->cookie, sizeof(out->cookie), p + a + n, i - a - n, false);
			*pos = i + 2;
			return 0;
		}
	}
	return -EINVAL;			/* a cookie must end with CR LF */
}

/* RDP_NEG_REQ / RSP / FAILURE: type, flags, length 8 (LE16), then 4 bytes. */
static int rdp_negotiation(const uint8_t *p, size_t pos, size_t end, struct rdp_x224 *out)
{
	if (end - pos < RDP_NEG_LEN)
		return 0;		/* optional: absent or trailing bytes ignored */
	uint8_t type = p[pos];
	if (p[pos + 2] != RDP_NEG_LEN || p[pos + 3] != 0)
		return -EINVAL;
	uint32_t v = get32le(p + pos + 4);
	if (out->request && type == RDP_NEG_REQ) {
		out->requested_protocols = v;
	} else if (out->confirm && type == RDP_NEG_RSP) {
		out->selected_protocol = v;
	} else if (out->confirm && type == RDP_NEG_FAILURE) {
		out->negotiation_failure = true;
	} else {
		return -EINVAL;
	}
	out->has_negotiation = true;
	return 0;
}

int dissect_rdp_x224(const uint8_t *p, size_t len, struct rdp_x224 *out)
{
	memset(out, 0, sizeof(*out));	/* small; every field has a meaning at 0 */
	/* TPKT version 3, reserved 0 (RFC 1006 6). */
	if ((len >= 1 && p[0] != 3) || (len >= 2 && p[1] != 0))
		return -EINVAL;
	if (len < TPKT_HEADER + 2)
		return -EAGAIN;
	size_t tlen = (size_t)p[2] << 8 | p[3], li = p[4];
	uint8_t code = p[5] & 0xf0;
	if (code != X224_CR && code != X224_CC)
		return -EINVAL;
	if (tlen < TPKT_HEADER + X224_FIXED || li + 5 != tlen)
		return -EINVAL;		/* LI counts the X.224 bytes after itself */
	if (len < tlen)
		return -EAGAIN;
	if ((p[5] & 0x0f) != 0 || p[10] != 0)
		return -EINVAL;		/* class 0, no options: what RDP sends */
	out->request = code == X224_CR;
	out->confirm = code == X224_CC;
	size_t pos = TPKT_HEADER + X224_FIXED;
	if (out->request && rdp_cookie(p, tlen, &pos, out) < 0)
		return -EINVAL;
	return rdp_negotiation(p, pos, tlen, out);
}

/* ---- RFB ProtocolVersion: "RFB xxx.yyy\n", exactly 12 bytes ---- */

int dissect_rfb_banner(const uint8_t *p, size_t len, struct rfb_banner *out)
{
	static const char shape[] = "RFB 999.999\n";	/* '9': a digit */

	for (size_t i = 0; i < len && i < RFB_BANNER_LEN; i++) {
		bool ok = shape[i] == '9' ? p[i] >= '0' && p[i] <= '9' : p[i] == (uint8_t)shape[i];
		if (!ok)
			return -EINVAL;
	}
	if (len < RFB_BANNER_LEN)
		return -EAGAIN;
	if (len > RFB_BANNER_LEN)
		return -EINVAL;		/* the server's first message is the banner alone */
	out->major = (p[4] - '0') * 100 + (p[5] - '0') * 10 + (p[6] - '0');
	out->minor = (p[8] - '0') * 100 + (p[9] - '0') * 10 + (p[10] - '0');
	memcpy(out->version, p + 4, 7);
	out->version[7] = '\0';
	return 0;
}

/* ---- RFB security handshake (RFC 6143 7.1.2, 7.1.3, 7.2) ---- */

#define RFB_SEC_INVALID 0
#define RFB_SEC_NONE 1
#define RFB_SEC_VNC_AUTH 2
#define RFB_CHALLENGE_LEN 16		/* 7.2.2: the server's random challenge */

static uint32_t get32be(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t get16be(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* reason-length (U32) then reason-string (7.1.2, 7.1.3), copied as far
 * as it was seen. */
static void rfb_reason(const uint8_t *p, size_t len, size_t pos, struct rfb_handshake *out)
{
	if (pos > len || len - pos < 4)
		return;
	size_t n = get32be(p + pos);
	if (n > len - pos - 4)
		n = len - pos - 4;
	copy_text(out->reason, sizeof(out->reason), p + pos + 4, n, false);
}

/* SecurityResult (7.1.3): U32 0 OK, anything else failed; from 3.8 on a
 * failure carries a reason. */
static int rfb_result(const uint8_t *srv, size_t slen, size_t pos, struct rfb_handshake *out)
{
	if (pos > slen || slen - pos < 4)
		return -EAGAIN;
	if (get32be(srv + pos) == 0) {
		out->outcome = RFB_OK;
		return 0;
	}
	out->outcome = RFB_FAILED;
	if (out->minor >= 8)
		rfb_reason(srv, slen, pos + 4, out);
	return 0;
}

/* The type in use, from the server's side at s onwards: None, VNC
 * authentication (challenge, then SecurityResult), or another type. */
static int rfb_security(const uint8_t *srv, size_t slen, size_t s, struct rfb_handshake *out)
{
	if (out->security == RFB_SEC_NONE) {
		/* 7.2.1: 3.8 sends a SecurityResult even for None; 3.3 and
		 * 3.7 go straight to initialisation. */
		if (out->minor >= 8)
			return rfb_result(srv, slen, s, out);
		out->outcome = RFB_OK;
		return 0;
	}
	if (out->security == RFB_SEC_VNC_AUTH)
		return rfb_result(srv, slen, s + RFB_CHALLENGE_LEN, out);
	out->outcome = RFB_OPAQUE;	/* TLS, VeNCrypt, Apple, RA2...: sealed */
	return 0;
}

/* One banner of the pair: -EAGAIN while short, -EINVAL when not RFB. */
static int rfb_banner_of(const uint8_t *p, size_t len, struct rfb_banner *b)
{
	if (len < RFB_BANNER_LEN)
		return dissect_rfb_banner(p, len, b) == -EINVAL ? -EINVAL : -EAGAIN;
	return dissect_rfb_banner(p, RFB_BANNER_LEN, b);
}

/* 3.3: the server decides, one U32 type; 0 means refused, with a reason. */
static int rfb_v33(const uint8_t *srv, size_t slen, size_t s, struct rfb_handshake *out)
{
	if (slen - s < 4)
		return -EAGAIN;
	uint32_t type = get32be(srv + s);
	if (type > 0xff)
		return -EINVAL;
	if (type == RFB_SEC_INVALID) {
		out->outcome = RFB_REFUSED;
		rfb_reason(srv, slen, s + 4, out);
		return 0;
	}
	out->security = (uint8_t)type;
	return rfb_security(srv, slen, s + 4, out);
}

int dissect_rfb_handshake(const uint8_t *srv, size_t slen, const uint8_t *cli, size_t clen,
			  struct rfb_handshake *out)
{
	struct rfb_banner sb, cb;
	size_t s = RFB_BANNER_LEN, c = RFB_BANNER_LEN;
	int r;

	memset(out, 0, sizeof(*out));
	r = rfb_banner_of(srv, slen, &sb);
	if (r == 0)
		r = rfb_banner_of(cli, clen, &cb);
	if (r < 0)
		return r;
	/* 7.1.1: the client answers with the version to use; 3.889 (Apple)
	 * and later majors behave as 3.8, anything below 3.7 as 3.3. */
	out->minor = cb.major > 3 || cb.minor >= 8 ? 8 : cb.minor == 7 ? 7 : 3;
	if (out->minor == 3)
		return rfb_v33(srv, slen, s, out);
	/* 3.7 and 3.8: U8 number-of-security-types, the types; 0 types is a
	 * refusal with a reason.  The client answers with one of them. */
	if (slen - s < 1)
		return -EAGAIN;
	size_t n = srv[s++];
	if (n == 0) {
		out->outcome = RFB_REFUSED;
		rfb_reason(srv, slen, s, out);
		return 0;
	}
	if (slen - s < n)
		return -EAGAIN;
	const uint8_t *types = srv + s;
	s += n;
	if (clen - c < 1)
		return -EAGAIN;
	if (!memchr(types, cli[c], n))
		return -EINVAL;		/* a choice the server did not offer */
	out->security = cli[c];
	return rfb_security(srv, slen, s, out);
}

/* ---- RDP over UDP (MS-RDPEUDP) ---- */

/* 2.2.2.1 RDPUDP_FEC_HEADER: snSourceAck (4), uReceiveWindowSize (2),
 * uFlags (2), big-endian (the 4.1.2 example: "00 05" = SYN | ACK). */
#define RDPUDP_FEC_HEADER_LEN 8
#define RDPUDP_SYNDATA_LEN 8		/* 2.2.2.5: ISN (4), up MTU (2), down MTU (2) */
#define RDPUDP_FLAG_SYN 0x0001
#define RDPUDP_FLAG_FIN 0x0002
#define RDPUDP_FLAG_ACK 0x0004
#define RDPUDP_FLAG_DATA 0x0008
#define RDPUDP_MTU_MIN 1132		/* 3.1.5.1.1, 3.1.5.1.3: 1132..1232 */
#define RDPUDP_MTU_MAX 1232

int dissect_rdpudp_syn(const uint8_t *p, size_t len, struct rdpudp_syn *out)
{
	memset(out, 0, sizeof(*out));
	if (len < RDPUDP_FEC_HEADER_LEN + RDPUDP_SYNDATA_LEN)
		return -EINVAL;
	out->source_ack = get32be(p);
	out->flags = get16be(p + 6);
	/* A SYN or SYN+ACK: SYN set, no FIN and no data (3.1.5.1.1). */
	if (!(out->flags & RDPUDP_FLAG_SYN) || (out->flags & (RDPUDP_FLAG_FIN | RDPUDP_FLAG_DATA)))
		return -EINVAL;
	out->ack = out->flags & RDPUDP_FLAG_ACK;
	/* 3.1.5.1.1: a SYN's snSourceAck is -1; 3.1.5.1.3: a SYN+ACK's is
	 * the SYN's snInitialSequenceNumber (the caller checks the pair). */
	if (!out->ack && out->source_ack != UINT32_MAX)
		return -EINVAL;
	out->initial_seq = get32be(p + RDPUDP_FEC_HEADER_LEN);
	out->up_mtu = get16be(p + RDPUDP_FEC_HEADER_LEN + 4);
	out->down_mtu = get16be(p + RDPUDP_FEC_HEADER_LEN + 6);
	if (out->up_mtu < RDPUDP_MTU_MIN || out->up_mtu > RDPUDP_MTU_MAX ||
	    out->down_mtu < RDPUDP_MTU_MIN || out->down_mtu > RDPUDP_MTU_MAX)
		return -EINVAL;
	return 0;
}

/* ---- SSH identification: "SSH-protoversion-softwareversion [SP comments]" ---- */

static bool ssh_char(uint8_t c)
{
	return c > 0x20 && c < 0x7f;	/* printable, no space */
}

int dissect_ssh_banner(const uint8_t *p, size_t len, struct ssh_banner *out)
{
	static const char magic[] = "SSH-";

	out->banner[0] = out->proto[0] = out->software[0] = '\0';
	if (memcmp(p, magic, len < 4 ? len : 4) != 0)
		return -EINVAL;
	size_t scan = len < SSH_LINE_MAX ? len : SSH_LINE_MAX;
	const uint8_t *lf = memchr(p, '\n', scan);
	if (!lf) {
		for (size_t i = 0; i < scan; i++)
			if ((p[i] < 0x20 || p[i] >= 0x7f) && p[i] != '\r')
				return -EINVAL;
		return len < SSH_LINE_MAX ? -EAGAIN : -EINVAL;
	}
	size_t eol = (size_t)(lf - p);
	if (eol > 0 && p[eol - 1] == '\r')
		eol--;			/* a bare LF is accepted, as OpenSSH does */
	if (eol < 4)
		return -EINVAL;
	for (size_t i = 0; i < eol; i++)
		if (p[i] < 0x20 || p[i] >= 0x7f)
			return -EINVAL;
	/* protoversion: up to the next '-', digits and dots ("2.0", "1.99"). */
	size_t a = 4, b = a;
	while (b < eol && p[b] != '-' && (p[b] == '.' || (p[b] >= '0' && p[b] <= '9')))
		b++;
	if (b == a || b >= eol || p[b] != '-' || b - a >= sizeof(out->proto))
		return -EINVAL;
	size_t s = b + 1, se = s;
	while (se < eol && ssh_char(p[se]))
		se++;
	if (se == s || (se < eol && p[se] != ' '))
		return -EINVAL;
	copy_text(out->proto, sizeof(out->proto), p + a, b - a, false);
	copy_text(out->software, sizeof(out->software), p + s, se - s, false);
	copy_text(out->banner, sizeof(out->banner), p, eol, false);
	return 0;
}
