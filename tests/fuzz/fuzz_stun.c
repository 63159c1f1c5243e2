/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_stun.c - STUN Binding responses (collectors/host/stun.c), the answer a
 * STUN server (or anyone on the path) sends back.
 *
 * Each input is parsed twice: expecting the transaction id in its own
 * bytes 8-19 (so the fuzzer gets past the id check and into the
 * attributes), and expecting an all-zero id (the -ENOMSG path).
 */
#include <errno.h>
#include <sys/socket.h>

#include "collectors/host/stun.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t txid[STUN_TXID_LEN] = { 0 };
	struct ip_addr addr;
	uint16_t port;
	int r;

	uint8_t zero[STUN_TXID_LEN] = { 0 };

	if (size >= STUN_HEADER_LEN)
		memcpy(txid, data + 8, STUN_TXID_LEN);
	r = stun_parse_response(data, size, txid, &addr, &port);
	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -EBADMSG || r == -ENOMSG ||
		   r == -EPROTO || r == -ENOENT);
	if (r == 0)
		FUZZ_CHECK(addr.family == AF_INET || addr.family == AF_INET6);
	r = stun_parse_response(data, size, zero, &addr, NULL);
	FUZZ_CHECK(r != -EINVAL);
	return 0;
}
