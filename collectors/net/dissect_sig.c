/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dissect_sig.c - fixed wire patterns of remote-access tools that have no
 * dissector of their own: a payload size, a port and a byte string at an
 * offset, as the Emerging Threats Open rules describe them.
 *
 * Every row carries the ET sids its bytes come from, as the project's
 * signal catalog quotes them (signals.md 5, ET Open rules at
 * jarelllama/Emerging-Threats b3eacf3b, 2024-04-21).  Where the catalog
 * names several sids for one tool without saying which rule holds which
 * bytes, the row names them all rather than guess.  Where an ET rule has
 * a second content match that one pattern cannot express (RustDesk's
 * register-peer serial), a private check below adds it, so the public
 * table keeps the contract's shape.
 *
 * The table is tiny and the checks are a few compares, so a linear scan
 * per payload is the cheapest correct choice; the port test goes first.
 *
 * Besides the ET rows: USB/IP's OP_REQ_DEVLIST and OP_REQ_IMPORT headers
 * on TCP 3240 (Linux Documentation/usb/usbip_protocol.rst, torvalds/linux
 * 1260ed77: version 0x0111 big-endian, command 0x8005 / 0x8003, status 0;
 * port 3240 from tools/usb/usbip/README, 19bc82fa), the way a remote
 * USB device -- a virtual keyboard or mouse among them -- is attached to
 * a machine (robin-collins/usbip-jiggler 04d2fecf README); and TeamViewer's
 * protocol header, dissect_teamviewer() below.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "dissect.h"

#define PATTERN(...) .pattern = (const uint8_t[]){ __VA_ARGS__ }, \
	.pattern_len = sizeof((const uint8_t[]){ __VA_ARGS__ })

/*
 * RustDesk rendezvous messages are protobuf RendezvousMessage unions
 * (rustdesk/hbb_common protos/rendezvous.proto): 0x32 is field 6
 * (register_peer, length-delimited), 0x7a field 15 (register_pk), and on
 * TCP a one-byte length header 0x14 (5 << 2) precedes field 20
 * (test_nat_request, 0xa2 0x01).  The ET rules match those bytes.
 */
const struct wire_signature dissect_wire_signatures[] = {
	{ .id = "teamviewer-keepalive", .tool = "teamviewer", .transport = DISSECT_TCP,
	  .port = 5938, .dsize = 5, .offset = 0, PATTERN(0x17, 0x24, 0x1b, 0x00, 0x00),
	  .reference = "ET 2008794, 2008795 (dsize:5; content:\"|17 24 1B 00 00|\")" },
	{ .id = "anydesk-discovery", .tool = "anydesk", .transport = DISSECT_UDP,
	  .port = 50001, .dsize = -1, .offset = 0, PATTERN(0x3e, 0xd1),
	  .reference = "ET Open AnyDesk rules (2027761, 2027762, 2030348, 2050707): "
		       "UDP discovery to 50001 starting |3e d1|" },
	{ .id = "rustdesk-nat-test", .tool = "rustdesk", .transport = DISSECT_TCP,
	  .port = 21115, .dsize = 6, .offset = 0, PATTERN(0x14, 0xa2, 0x01, 0x02, 0x08, 0x01),
	  .reference = "ET RustDesk rules 2043343, 2044069-71, 2044073-74, 2044076: TCP 21115/21116 NAT test |14 a2 01 02 08 01|" },
	{ .id = "rustdesk-nat-test", .tool = "rustdesk", .transport = DISSECT_TCP,
	  .port = 21116, .dsize = 6, .offset = 0, PATTERN(0x14, 0xa2, 0x01, 0x02, 0x08, 0x01),
	  .reference = "ET RustDesk rules 2043343, 2044069-71, 2044073-74, 2044076: TCP 21115/21116 NAT test |14 a2 01 02 08 01|" },
	{ .id = "rustdesk-register-peer", .tool = "rustdesk", .transport = DISSECT_UDP,
	  .port = 21116, .dsize = 15, .offset = 0, PATTERN(0x32, 0x0d, 0x0a, 0x09),
	  .reference = "ET RustDesk rules 2043343, 2044069-71, 2044073-74, 2044076: UDP 21116 register peer, dsize 15, |32 0d 0a 09| ... |10 01|/|10 00|" },
	{ .id = "rustdesk-register-pk", .tool = "rustdesk", .transport = DISSECT_UDP,
	  .port = 21116, .dsize = -1, .offset = 0, PATTERN(0x7a, 0x53, 0x0a, 0x09),
	  .reference = "ET RustDesk rules 2043343, 2044069-71, 2044073-74, 2044076: UDP 21116 register pk |7A 53 0A 09|" },
	{ .id = "zerotier-hello", .tool = "zerotier", .transport = DISSECT_UDP,
	  .port = 9993, .dsize = 137, .offset = 27,
	  PATTERN(0x01, 0x0c, 0x01, 0x0a, 0x00, 0x01, 0x00, 0x00, 0x01, 0x82),
	  .reference = "ET ZeroTier rules 2038708, 2039784: UDP 9993, 137 bytes, |01 0c 01 0a 00 01 00 00 01 82| at 27" },
	{ .id = "zerotier-peer", .tool = "zerotier", .transport = DISSECT_UDP,
	  .port = 9993, .dsize = -1, .offset = 8, PATTERN(0x77, 0x8c, 0xde, 0x71, 0x90),
	  .reference = "ET ZeroTier rules 2038708, 2039784: UDP 9993 -> 9993, |77 8c de 71 90| at 8" },
	{ .id = "splashtop-checkin", .tool = "splashtop", .transport = DISSECT_TCP,
	  .port = 6783, .dsize = 12, .offset = 0,
	  PATTERN(0x00, 0x01, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x01, 0x00),
	  .reference = "ET Splashtop rules 2014127, 2014128: TCP 6783 12-byte check-in" },
	{ .id = "splashtop-6784", .tool = "splashtop", .transport = DISSECT_TCP,
	  .port = 6784, .dsize = 4, .offset = 0, PATTERN(0x01, 0x00, 0x34, 0x12),
	  .reference = "ET Splashtop rules 2014127, 2014128: TCP 6784 4-byte |01 00 34 12|" },
	{ .id = "screenconnect-hello", .tool = "screenconnect", .transport = DISSECT_TCP,
	  .port = 0, .dsize = -1, .offset = 0,
	  PATTERN(0x87, 0x15, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00,
		  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00),
	  .reference = "ET ScreenConnect rules 2050021, 2036627: first packet |87 15 10 00| + 12 zero bytes" },
	{ .id = "usbip-devlist", .tool = "usbip", .transport = DISSECT_TCP,
	  .port = 3240, .dsize = 8, .offset = 0,
	  PATTERN(0x01, 0x11, 0x80, 0x05, 0x00, 0x00, 0x00, 0x00),
	  .reference = "Linux Documentation/usb/usbip_protocol.rst (torvalds/linux 1260ed77): "
		       "OP_REQ_DEVLIST, version 0x0111, code 0x8005, status 0; TCP 3240" },
	{ .id = "usbip-import", .tool = "usbip", .transport = DISSECT_TCP,
	  .port = 3240, .dsize = 40, .offset = 0,
	  PATTERN(0x01, 0x11, 0x80, 0x03, 0x00, 0x00, 0x00, 0x00),
	  .reference = "Linux Documentation/usb/usbip_protocol.rst (torvalds/linux 1260ed77): "
		       "OP_REQ_IMPORT, version 0x0111, code 0x8003, status 0, 32-byte busid; TCP 3240" },
	{ .id = NULL },
};

/* The register-peer rule's second content: RegisterPeer's serial field (0x10, varint 0 or 1)
 * follows the 9-byte id, at offset 13 of the 15-byte datagram. */
static bool rustdesk_serial(const uint8_t *p, size_t len)
{
	return len >= 15 && p[13] == 0x10 && p[14] <= 0x01;
}

static bool extra_check(const struct wire_signature *s, const uint8_t *p, size_t len)
{
	if (strcmp(s->id, "rustdesk-register-peer") == 0)
		return rustdesk_serial(p, len);
	return true;
}

const struct wire_signature *dissect_wire_signature(const uint8_t *p, size_t len,
						    enum dissect_transport t,
						    uint16_t port)
{
	for (const struct wire_signature *s = dissect_wire_signatures; s->id; s++) {
		if (s->transport != t || (s->port != 0 && s->port != port))
			continue;
		if (s->dsize >= 0 ? len != (size_t)s->dsize
				  : len < (size_t)s->offset + s->pattern_len)
			continue;
		if ((size_t)s->offset + s->pattern_len > len ||
		    memcmp(p + s->offset, s->pattern, s->pattern_len) != 0)
			continue;
		if (extra_check(s, p, len))
			return s;
	}
	return NULL;
}

/*
 * TeamViewer's own protocol: its TCP packets start with the magic 0x1724,
 * a second header form with 0x1130, then a command byte (the 5-byte
 * keep-alive above is 17 24 1b 00 00).  Facts from public dissectors:
 * nDPI src/lib/protocols/teamviewer.c (ntop/nDPI 07ebed7f: TCP payload
 * starting 17 24, then 11 30 once a 17 24 was seen; one packet suffices
 * on port 5938, elsewhere several), libprotoident lib/tcp/lpi_teamviewer.cc
 * (LibtraceTeam/libprotoident fe37f09b: both directions' first payloads
 * 17 24 0a 20).  Wireshark's epan/dissectors/packet-teamviewer.c is
 * reported to key on the same two magics; it was not read for this (its
 * repository was not available), so nothing here rests on it.
 */
int dissect_teamviewer(const uint8_t *p, size_t len, struct teamviewer_header *out)
{
	uint16_t magic;

	if (len < 2)
		return len == 1 && p[0] != 0x17 && p[0] != 0x11 ? -EINVAL : -EAGAIN;
	magic = (uint16_t)(p[0] << 8 | p[1]);
	if (magic != TEAMVIEWER_MAGIC && magic != TEAMVIEWER_MAGIC_MASTER)
		return -EINVAL;
	if (len < 3)
		return -EAGAIN;
	out->magic = magic;
	out->command = p[2];
	return 0;
}
