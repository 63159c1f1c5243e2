/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_dissect_app.c - the application dissectors that look at a TCP
 * stream's first bytes (collectors/net/dissect_app.c: HTTP request head,
 * RDP X.224, RDP-UDP SYN, RFB and SSH banners, the RFB security
 * handshake) and the wire signatures and TeamViewer header of
 * remote-access tools (collectors/net/dissect_sig.c).
 *
 * Input layout: byte 0 picks the transport for the signature table (even
 * TCP, odd UDP), bytes 1-2 the server port (big endian); the rest is the
 * payload, which every dissector sees.  Inputs shorter than 3 bytes are
 * payloads on TCP port 0.  The RFB handshake takes two streams: the
 * payload split where byte 1 (modulo its length) says, server first.
 */
#include <errno.h>

#include "collectors/net/dissect.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum dissect_transport t = DISSECT_TCP;
	uint16_t port = 0;
	struct http_request http;
	struct rdp_x224 rdp;
	struct rfb_banner rfb;
	struct ssh_banner ssh;
	struct rfb_handshake hs;
	struct rdpudp_syn syn;
	struct teamviewer_header tv;
	const struct wire_signature *sig;
	size_t split = 0;

	if (size >= 3) {
		t = (data[0] & 1) ? DISSECT_UDP : DISSECT_TCP;
		port = (uint16_t)(data[1] << 8 | data[2]);
		split = data[1];
		data += 3;
		size -= 3;
	}
	if (dissect_http_request(data, size, &http) == 0) {
		FUZZ_TERMINATED(http.method);
		FUZZ_TERMINATED(http.path);
		FUZZ_TERMINATED(http.host);
		FUZZ_TERMINATED(http.user_agent);
	}
	if (dissect_rdp_x224(data, size, &rdp) == 0)
		FUZZ_TERMINATED(rdp.cookie);
	if (dissect_rfb_banner(data, size, &rfb) == 0)
		FUZZ_TERMINATED(rfb.version);
	if (dissect_ssh_banner(data, size, &ssh) == 0) {
		FUZZ_TERMINATED(ssh.banner);
		FUZZ_TERMINATED(ssh.proto);
		FUZZ_TERMINATED(ssh.software);
	}
	split = size ? split % (size + 1) : 0;
	if (dissect_rfb_handshake(data, split, data + split, size - split, &hs) == 0) {
		FUZZ_TERMINATED(hs.reason);
		FUZZ_CHECK(hs.outcome != RFB_PENDING);
	}
	if (dissect_rdpudp_syn(data, size, &syn) == 0)
		FUZZ_CHECK(syn.up_mtu >= 1132 && syn.up_mtu <= 1232 && (syn.flags & 1));
	if (dissect_teamviewer(data, size, &tv) == 0)
		FUZZ_CHECK(size >= 3 && (tv.magic == 0x1724 || tv.magic == 0x1130));
	sig = dissect_wire_signature(data, size, t, port);
	if (sig) {
		/* A match is a match: the pattern really is in the payload. */
		FUZZ_CHECK(sig->transport == t);
		FUZZ_CHECK((size_t)sig->offset + sig->pattern_len <= size);
		FUZZ_CHECK(memcmp(data + sig->offset, sig->pattern, sig->pattern_len) == 0);
		FUZZ_CHECK(sig->dsize < 0 || (size_t)sig->dsize == size);
	}
	return 0;
}
