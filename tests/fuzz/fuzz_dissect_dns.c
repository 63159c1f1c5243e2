/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_dissect_dns.c - DNS/mDNS/LLMNR messages and NetBIOS name service
 * (collectors/net/dissect_dns.c): UDP payloads from anyone on the LAN.
 * Checks dissect.h's promises on what comes out: counts within their
 * arrays, every name terminated and free of control bytes (non-printable
 * bytes are escaped as \DDD).
 */
#include <errno.h>

#include "collectors/net/dissect.h"
#include "fuzz.h"

static void check_name(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	FUZZ_CHECK(n < cap);
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK((unsigned char)s[i] >= 0x20 && s[i] != 0x7f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dns_message m;
	static struct mdns_info mi;
	struct netbios_ns nb;
	int r = dissect_dns(data, size, &m);

	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -EAGAIN);
	if (r == 0) {
		FUZZ_CHECK(m.nquestions <= DNS_QUESTIONS_MAX);
		FUZZ_CHECK(m.nrrs <= DNS_RRS_MAX);
		for (size_t i = 0; i < m.nquestions; i++)
			check_name(m.questions[i].name, sizeof(m.questions[i].name));
		for (size_t i = 0; i < m.nrrs; i++) {
			check_name(m.rrs[i].name, sizeof(m.rrs[i].name));
			check_name(m.rrs[i].target, sizeof(m.rrs[i].target));
		}
		dissect_mdns_summary(&m, &mi);
		FUZZ_CHECK(mi.nservices <= MDNS_ITEMS_MAX && mi.nhosts <= MDNS_ITEMS_MAX);
		for (size_t i = 0; i < mi.nservices; i++)
			check_name(mi.services[i], sizeof(mi.services[i]));
		for (size_t i = 0; i < mi.nhosts; i++)
			check_name(mi.hosts[i], sizeof(mi.hosts[i]));
	}
	if (dissect_netbios_ns(data, size, &nb) == 0)
		FUZZ_TERMINATED(nb.name);
	return 0;
}
