/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stun.h - the STUN Binding request codec (RFC 5389), for the host
 * collector's optional public address.
 *
 * Pure functions over byte buffers: building a request and checking the
 * answer never touch a socket, so the unit tests drive them with hostile
 * bytes.  Only what a Binding exchange needs is decoded: the header, the
 * (XOR-)MAPPED-ADDRESS and FINGERPRINT attributes; every other attribute is
 * walked over within the message's length.
 */
#ifndef FARMHOUND_STUN_H
#define FARMHOUND_STUN_H

#include <stddef.h>
#include <stdint.h>

#include "collectors/event.h"

#define STUN_MAGIC_COOKIE	0x2112A442u
#define STUN_HEADER_LEN		20
#define STUN_TXID_LEN		12
#define STUN_REQUEST_LEN	STUN_HEADER_LEN	/* a Binding request has no attributes */
/* RFC 5389 §7.1: a message over UDP should fit the path MTU; 548 bytes is
 * the IPv4 minimum, but servers may add attributes: accept up to 1500. */
#define STUN_MAX_MESSAGE	1500

/* A fresh random transaction id (getrandom(2)); 0 or -errno. */
int stun_txid_new(uint8_t txid[STUN_TXID_LEN]);

/* Write a Binding request with txid into buf; the number of bytes written
 * (STUN_REQUEST_LEN) or -ENOSPC. */
int stun_build_request(uint8_t *buf, size_t len, const uint8_t txid[STUN_TXID_LEN]);

/*
 * Check that buf is the Binding success response to txid and take the
 * mapped address from it (XOR-MAPPED-ADDRESS, else MAPPED-ADDRESS).
 * 0 with *addr (and *port when port is not NULL), or:
 *   -EINVAL   NULL arguments
 *   -EBADMSG  not a well-formed STUN message (short, bad cookie, a length
 *             that overruns the buffer, a malformed address, a FINGERPRINT
 *             that does not match)
 *   -ENOMSG   well formed, but another transaction id: not our answer
 *   -EPROTO   another message type (an error response), or an unknown
 *             comprehension-required attribute (RFC 5389 §7.3.3: discard)
 *   -ENOENT   a success response without an address
 */
int stun_parse_response(const uint8_t *buf, size_t len, const uint8_t txid[STUN_TXID_LEN],
			struct ip_addr *addr, uint16_t *port);

#endif
