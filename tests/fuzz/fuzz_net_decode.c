/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_net_decode.c - link, IP and transport headers (collectors/
 * net_decode.c) for every link type libpcap hands the net collector.
 *
 * Byte 0 picks the DLT (modulo the table below, which also holds one link
 * type the decoder must refuse); the rest is the captured frame.  Beyond
 * "no crash", every pointer the decoder returns must lie inside the frame.
 */
#include <errno.h>

#include "collectors/net/net_decode.h"
#include "fuzz.h"

static const int dlts[] = {
	NET_DLT_EN10MB, NET_DLT_LINUX_SLL, NET_DLT_LINUX_SLL2, NET_DLT_RAW,
	NET_DLT_RAW_OPENBSD, NET_DLT_IPV4, NET_DLT_IPV6, NET_DLT_NULL,
	NET_DLT_LOOP, 105 /* IEEE 802.11: not decoded */,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct net_packet pkt;
	int dlt, r;

	if (size < 1)
		return 0;
	dlt = dlts[data[0] % (sizeof(dlts) / sizeof(dlts[0]))];
	data++;
	size--;
	r = net_decode(dlt, data, size, &pkt);
	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ENOTSUP);
	if (r != 0)
		return 0;
	if (pkt.l3 == NET_L3_ARP)
		FUZZ_CHECK(fuzz_within(data, size, pkt.arp, pkt.arp_len));
	if (pkt.payload)
		FUZZ_CHECK(fuzz_within(data, size, pkt.payload, pkt.payload_len));
	return 0;
}
