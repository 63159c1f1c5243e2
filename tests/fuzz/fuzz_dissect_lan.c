/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_dissect_lan.c - ARP and DHCP (collectors/net/dissect_lan.c), plus the
 * MAC vendor lookup (collectors/net/oui.c) over the first six bytes.
 */
#include <errno.h>

#include "collectors/net/dissect.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arp_packet arp;
	struct dhcp_message dhcp;

	if (dissect_arp(data, size, &arp) == 0)
		FUZZ_CHECK(oui_vendor(arp.sender_mac) == oui_vendor(arp.sender_mac));
	if (dissect_dhcp(data, size, &dhcp) == 0) {
		FUZZ_TERMINATED(dhcp.hostname);
		FUZZ_TERMINATED(dhcp.vendor_class);
	}
	if (size >= 6) {
		const char *v = oui_vendor(data);

		if (v)
			FUZZ_CHECK(strlen(v) > 0);
	}
	return 0;
}
