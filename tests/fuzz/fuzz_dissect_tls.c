/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_dissect_tls.c - the TLS dissectors (collectors/net/dissect_tls.c): a
 * client's first bytes (ClientHello: SNI, ALPN) and a server's first
 * flight (ServerHello, Certificate: a bounded DER walk to subject and
 * issuer).  The same bytes go to both, so the fuzzer's finds for one
 * record layer serve the other.
 */
#include <errno.h>

#include "collectors/net/dissect.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tls_client_hello ch;
	struct tls_server_cert sc;
	int r;

	r = dissect_tls_client_hello(data, size, &ch);
	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -EAGAIN);
	if (r == 0) {
		FUZZ_TERMINATED(ch.sni);
		FUZZ_TERMINATED(ch.alpn);
	}
	r = dissect_tls_server_cert(data, size, &sc);
	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -EAGAIN);
	if (r == 0) {
		FUZZ_TERMINATED(sc.subject_cn);
		FUZZ_TERMINATED(sc.subject_o);
		FUZZ_TERMINATED(sc.issuer_cn);
	}
	return 0;
}
