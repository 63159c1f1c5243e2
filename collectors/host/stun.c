/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stun.c - STUN Binding request and response (RFC 5389), see stun.h.
 *
 * The response is attacker-controlled (anything on the path can answer a
 * UDP datagram), so every length is checked against the buffer before it is
 * used: the header's message length must fit what arrived, each attribute
 * must fit the message, and the walk advances by at least four bytes per
 * attribute, so it ends within len / 4 steps whatever the bytes say.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/random.h>

#include "stun.h"

#define STUN_BINDING_REQUEST	0x0001
#define STUN_BINDING_SUCCESS	0x0101

/* Attributes (RFC 5389 §18.2; RFC 5780 §7; RFC 3489 §11.2 for the legacy
 * ones an old server may still send). */
#define STUN_ATTR_MAPPED_ADDRESS	0x0001
#define STUN_ATTR_XOR_MAPPED_ADDRESS	0x0020
#define STUN_ATTR_FINGERPRINT		0x8028
#define STUN_FINGERPRINT_XOR		0x5354554eu
#define STUN_FAMILY_V4			0x01
#define STUN_FAMILY_V6			0x02

static uint16_t stun_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t stun_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void stun_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void stun_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

int stun_txid_new(uint8_t txid[STUN_TXID_LEN])
{
	ssize_t n = getrandom(txid, STUN_TXID_LEN, 0);

	if (n < 0)
		return -errno;
	return n == STUN_TXID_LEN ? 0 : -EIO;
}

int stun_build_request(uint8_t *buf, size_t len, const uint8_t txid[STUN_TXID_LEN])
{
	if (!buf || !txid)
		return -EINVAL;
	if (len < STUN_REQUEST_LEN)
		return -ENOSPC;
	stun_put16(buf, STUN_BINDING_REQUEST);
	stun_put16(buf + 2, 0);
	stun_put32(buf + 4, STUN_MAGIC_COOKIE);
	memcpy(buf + 8, txid, STUN_TXID_LEN);
	return STUN_REQUEST_LEN;
}

/* CRC-32 (ISO-HDLC, as in zlib), bitwise: a STUN message is small. */
static uint32_t stun_crc32(const uint8_t *p, size_t n)
{
	uint32_t crc = 0xffffffffu;

	for (size_t i = 0; i < n; i++) {
		crc ^= p[i];
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
	}
	return ~crc;
}

/* Comprehension-required attributes (type < 0x8000) we know and may skip.
 * Anything else in that range makes the response invalid (§7.3.3). */
static bool stun_attr_known(uint16_t type)
{
	switch (type) {
	case 0x0001:	/* MAPPED-ADDRESS */
	case 0x0004:	/* SOURCE-ADDRESS (RFC 3489) */
	case 0x0005:	/* CHANGED-ADDRESS (RFC 3489) */
	case 0x0006:	/* USERNAME */
	case 0x0008:	/* MESSAGE-INTEGRITY */
	case 0x0009:	/* ERROR-CODE */
	case 0x000a:	/* UNKNOWN-ATTRIBUTES */
	case 0x000b:	/* REFLECTED-FROM (RFC 3489) */
	case 0x0014:	/* REALM */
	case 0x0015:	/* NONCE */
	case 0x0020:	/* XOR-MAPPED-ADDRESS */
	case 0x0026:	/* PADDING (RFC 5780) */
	case 0x0027:	/* RESPONSE-PORT (RFC 5780) */
		return true;
	default:
		return type >= 0x8000;	/* comprehension-optional */
	}
}

/*
 * Decode a (XOR-)MAPPED-ADDRESS value (§15.1, §15.2): reserved byte, family,
 * port, 4 or 16 address bytes.  For the XOR form the port is xored with the
 * cookie's high half and the address with cookie || transaction id.
 */
static int stun_decode_address(const uint8_t *v, size_t vlen, const uint8_t *hdr,
			       bool xored, struct ip_addr *addr, uint16_t *port)
{
	size_t alen;

	if (vlen < 4)
		return -EBADMSG;
	if (v[1] == STUN_FAMILY_V4)
		alen = 4;
	else if (v[1] == STUN_FAMILY_V6)
		alen = 16;
	else
		return -EBADMSG;
	if (vlen != 4 + alen)
		return -EBADMSG;
	memset(addr, 0, sizeof(*addr));
	addr->family = alen == 4 ? AF_INET : AF_INET6;
	*port = stun_get16(v + 2);
	memcpy(addr->bytes, v + 4, alen);
	if (xored) {
		/* hdr + 4 is the cookie followed by the transaction id. */
		*port ^= (uint16_t)(STUN_MAGIC_COOKIE >> 16);
		for (size_t i = 0; i < alen; i++)
			addr->bytes[i] ^= hdr[4 + i];
	}
	return 0;
}

static int stun_check_header(const uint8_t *buf, size_t len, const uint8_t *txid,
			     size_t *msglen)
{
	if (len < STUN_HEADER_LEN)
		return -EBADMSG;
	/* §6: the two top bits are zero, the length a multiple of four. */
	if ((buf[0] & 0xc0) != 0 || stun_get32(buf + 4) != STUN_MAGIC_COOKIE)
		return -EBADMSG;
	*msglen = stun_get16(buf + 2);
	if (*msglen % 4 != 0 || *msglen > len - STUN_HEADER_LEN)
		return -EBADMSG;
	if (memcmp(buf + 8, txid, STUN_TXID_LEN) != 0)
		return -ENOMSG;
	if (stun_get16(buf) != STUN_BINDING_SUCCESS)
		return -EPROTO;
	return 0;
}

struct stun_found {
	struct ip_addr addr;
	uint16_t port;
	int rank;		/* 0 none, 1 MAPPED-ADDRESS, 2 XOR-MAPPED-ADDRESS */
};

/* One attribute at buf + off (its value at + 4, vlen bytes). */
static int stun_attr(const uint8_t *buf, size_t off, uint16_t type, size_t vlen,
		     size_t end, struct stun_found *f)
{
	const uint8_t *v = buf + off + 4;
	int r;

	if (type == STUN_ATTR_FINGERPRINT) {
		/* §15.5: the last attribute, CRC over everything before it. */
		if (vlen != 4 || off + 8 != end)
			return -EBADMSG;
		if (stun_get32(v) != (stun_crc32(buf, off) ^ STUN_FINGERPRINT_XOR))
			return -EBADMSG;
		return 0;
	}
	if (!stun_attr_known(type))
		return -EPROTO;
	if (type == STUN_ATTR_XOR_MAPPED_ADDRESS || (type == STUN_ATTR_MAPPED_ADDRESS && f->rank < 2)) {
		bool x = type == STUN_ATTR_XOR_MAPPED_ADDRESS;

		r = stun_decode_address(v, vlen, buf, x, &f->addr, &f->port);
		if (r < 0)
			return r;
		f->rank = x ? 2 : 1;
	}
	return 0;
}

int stun_parse_response(const uint8_t *buf, size_t len, const uint8_t txid[STUN_TXID_LEN],
			struct ip_addr *addr, uint16_t *port)
{
	struct stun_found f = { .rank = 0 };
	size_t msglen, off, end;
	int r;

	if (!buf || !txid || !addr)
		return -EINVAL;
	r = stun_check_header(buf, len, txid, &msglen);
	if (r < 0)
		return r;
	end = STUN_HEADER_LEN + msglen;
	for (off = STUN_HEADER_LEN; off < end;) {
		size_t vlen, padded;

		if (end - off < 4)
			return -EBADMSG;
		vlen = stun_get16(buf + off + 2);
		padded = (vlen + 3) & ~(size_t)3;	/* §15: 32-bit aligned */
		if (padded > end - off - 4)
			return -EBADMSG;
		r = stun_attr(buf, off, stun_get16(buf + off), vlen, end, &f);
		if (r < 0)
			return r;
		off += 4 + padded;
	}
	if (f.rank == 0)
		return -ENOENT;
	*addr = f.addr;
	if (port)
		*port = f.port;
	return 0;
}
