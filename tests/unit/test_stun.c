/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_stun.c - the STUN Binding codec (collectors/host/stun.c).
 *
 * The two good responses are the published test vectors of RFC 5769
 * §2.2 (IPv4) and §2.3 (IPv6): XOR-MAPPED-ADDRESS 192.0.2.1:32853 and
 * [2001:db8:1234:5678:11:2233:4455:6677]:32853, with SOFTWARE,
 * MESSAGE-INTEGRITY and a FINGERPRINT the parser verifies.  The hostile
 * ones are built from them or by hand (RFC 5389 §6, §15).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <cmocka.h>

#include "collectors/host/stun.h"

static const uint8_t txid_5769[STUN_TXID_LEN] = {
	0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae,
};

/* RFC 5769 §2.2 Sample IPv4 Response. */
static const uint8_t resp_v4[] = {
	0x01, 0x01, 0x00, 0x3c, 0x21, 0x12, 0xa4, 0x42,
	0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae,
	0x80, 0x22, 0x00, 0x0b,				/* SOFTWARE */
	0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63, 0x74, 0x6f, 0x72, 0x20,
	0x00, 0x20, 0x00, 0x08,				/* XOR-MAPPED-ADDRESS */
	0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43,
	0x00, 0x08, 0x00, 0x14,				/* MESSAGE-INTEGRITY */
	0x2b, 0x91, 0xf5, 0x99, 0xfd, 0x9e, 0x90, 0xc3, 0x8c, 0x74,
	0x89, 0xf9, 0x2a, 0xf9, 0xba, 0x53, 0xf0, 0x6b, 0xe7, 0xd7,
	0x80, 0x28, 0x00, 0x04, 0xc0, 0x7d, 0x4c, 0x96,	/* FINGERPRINT */
};

/* RFC 5769 §2.3 Sample IPv6 Response. */
static const uint8_t resp_v6[] = {
	0x01, 0x01, 0x00, 0x48, 0x21, 0x12, 0xa4, 0x42,
	0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae,
	0x80, 0x22, 0x00, 0x0b,
	0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63, 0x74, 0x6f, 0x72, 0x20,
	0x00, 0x20, 0x00, 0x14,
	0x00, 0x02, 0xa1, 0x47,
	0x01, 0x13, 0xa9, 0xfa, 0xa5, 0xd3, 0xf1, 0x79,
	0xbc, 0x25, 0xf4, 0xb5, 0xbe, 0xd2, 0xb9, 0xd9,
	0x00, 0x08, 0x00, 0x14,
	0xa3, 0x82, 0x95, 0x4e, 0x4b, 0xe6, 0x7b, 0xf1, 0x17, 0x84,
	0xc9, 0x7c, 0x82, 0x92, 0xc2, 0x75, 0xbf, 0xe3, 0xed, 0x41,
	0x80, 0x28, 0x00, 0x04, 0xc8, 0xfb, 0x0b, 0x4c,
};

/* A message built by hand: header for txid_5769 plus attrs. */
static size_t mkmsg(uint8_t *buf, uint16_t type, const uint8_t *attrs, size_t alen)
{
	buf[0] = (uint8_t)(type >> 8);
	buf[1] = (uint8_t)type;
	buf[2] = (uint8_t)(alen >> 8);
	buf[3] = (uint8_t)alen;
	buf[4] = 0x21, buf[5] = 0x12, buf[6] = 0xa4, buf[7] = 0x42;
	memcpy(buf + 8, txid_5769, STUN_TXID_LEN);
	if (alen)
		memcpy(buf + 20, attrs, alen);
	return 20 + alen;
}

static void assert_ip(const struct ip_addr *ip, int family, const char *text)
{
	char buf[64];

	assert_int_equal(ip->family, family);
	ip_addr_format(ip, buf, sizeof(buf));
	assert_string_equal(buf, text);
}

static void test_request(void **state)
{
	uint8_t buf[32], small[19];
	uint8_t t1[STUN_TXID_LEN], t2[STUN_TXID_LEN];

	(void)state;
	assert_int_equal(stun_txid_new(t1), 0);
	assert_int_equal(stun_txid_new(t2), 0);
	assert_memory_not_equal(t1, t2, STUN_TXID_LEN);	/* 2^-96 to fail */
	assert_int_equal(stun_build_request(buf, sizeof(buf), txid_5769), 20);
	/* Binding request, length 0, magic cookie, our transaction id. */
	assert_memory_equal(buf, "\x00\x01\x00\x00\x21\x12\xa4\x42", 8);
	assert_memory_equal(buf + 8, txid_5769, STUN_TXID_LEN);
	assert_int_equal(stun_build_request(small, sizeof(small), txid_5769), -ENOSPC);
	assert_int_equal(stun_build_request(NULL, 20, txid_5769), -EINVAL);
}

static void test_good_v4(void **state)
{
	struct ip_addr ip;
	uint16_t port = 0;

	(void)state;
	assert_int_equal(stun_parse_response(resp_v4, sizeof(resp_v4), txid_5769, &ip, &port), 0);
	assert_ip(&ip, AF_INET, "192.0.2.1");
	assert_int_equal(port, 32853);
}

static void test_good_v6(void **state)
{
	struct ip_addr ip;
	uint16_t port = 0;

	(void)state;
	assert_int_equal(stun_parse_response(resp_v6, sizeof(resp_v6), txid_5769, &ip, &port), 0);
	assert_ip(&ip, AF_INET6, "2001:db8:1234:5678:11:2233:4455:6677");
	assert_int_equal(port, 32853);
}

static void test_wrong_txid(void **state)
{
	uint8_t other[STUN_TXID_LEN];
	struct ip_addr ip;

	(void)state;
	memcpy(other, txid_5769, sizeof(other));
	other[11] ^= 1;
	assert_int_equal(stun_parse_response(resp_v4, sizeof(resp_v4), other, &ip, NULL), -ENOMSG);
}

static void test_fingerprint_checked(void **state)
{
	uint8_t buf[sizeof(resp_v4)];
	struct ip_addr ip;

	(void)state;
	/* One flipped bit in SOFTWARE: the CRC no longer matches. */
	memcpy(buf, resp_v4, sizeof(buf));
	buf[25] ^= 0x01;
	assert_int_equal(stun_parse_response(buf, sizeof(buf), txid_5769, &ip, NULL), -EBADMSG);
	/* A FINGERPRINT that is not the last attribute. */
	{
		static const uint8_t attrs[] = {
			0x80, 0x28, 0x00, 0x04, 0, 0, 0, 0,
			0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43,
		};
		uint8_t m[64];
		size_t n = mkmsg(m, 0x0101, attrs, sizeof(attrs));

		assert_int_equal(stun_parse_response(m, n, txid_5769, &ip, NULL), -EBADMSG);
	}
}

static void test_truncated(void **state)
{
	struct ip_addr ip;

	(void)state;
	/* Every prefix of a good answer is refused, none is over-read
	 * (run under ASan/valgrind to see the latter). */
	for (size_t n = 0; n < sizeof(resp_v4); n++) {
		uint8_t *copy = malloc(n ? n : 1);

		memcpy(copy, resp_v4, n);
		assert_int_equal(stun_parse_response(copy, n, txid_5769, &ip, NULL), -EBADMSG);
		free(copy);
	}
}

static void test_attribute_overflow(void **state)
{
	/* XOR-MAPPED-ADDRESS claims 0xfff0 bytes inside an 8-byte body. */
	static const uint8_t over[] = {
		0x00, 0x20, 0xff, 0xf0, 0x00, 0x01, 0xa1, 0x47,
	};
	/* An attribute header at the very end, its value missing. */
	static const uint8_t half[] = {
		0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43,
		0x80, 0x22, 0x00, 0x05,
	};
	/* Padding: a 5-byte value takes 8 bytes (§15). */
	static const uint8_t pad[] = {
		0x80, 0x22, 0x00, 0x05, 'a', 'b', 'c', 'd', 'e', 0, 0, 0,
	};
	uint8_t m[64];
	struct ip_addr ip;
	size_t n;

	(void)state;
	n = mkmsg(m, 0x0101, over, sizeof(over));
	assert_int_equal(stun_parse_response(m, n, txid_5769, &ip, NULL), -EBADMSG);
	n = mkmsg(m, 0x0101, half, sizeof(half));
	assert_int_equal(stun_parse_response(m, n, txid_5769, &ip, NULL), -EBADMSG);
	m[3] = 14;		/* length not a multiple of 4 */
	assert_int_equal(stun_parse_response(m, n, txid_5769, &ip, NULL), -EBADMSG);
	n = mkmsg(m, 0x0101, pad, sizeof(pad));	/* 5 bytes + 3 padding: fine */
	assert_int_equal(stun_parse_response(m, n, txid_5769, &ip, NULL), -ENOENT);
	m[3] = 8;		/* the message ends inside the padding */
	assert_int_equal(stun_parse_response(m, n, txid_5769, &ip, NULL), -EBADMSG);
	/* Header length beyond the datagram. */
	n = mkmsg(m, 0x0101, over, 0);
	m[3] = 4;
	assert_int_equal(stun_parse_response(m, n, txid_5769, &ip, NULL), -EBADMSG);
}

static void test_unknown_attributes(void **state)
{
	/* Unknown comprehension-optional 0x80ff (5 bytes + 3 padding), then
	 * the address: skipped, the address found. */
	static const uint8_t optional[] = {
		0x80, 0xff, 0x00, 0x05, 1, 2, 3, 4, 5, 0, 0, 0,
		0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43,
	};
	/* Unknown comprehension-required 0x7fff: the response is discarded. */
	static const uint8_t required[] = {
		0x7f, 0xff, 0x00, 0x00,
		0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43,
	};
	uint8_t m[64];
	struct ip_addr ip;
	uint16_t port;
	size_t n;

	(void)state;
	n = mkmsg(m, 0x0101, optional, sizeof(optional));
	assert_int_equal(stun_parse_response(m, n, txid_5769, &ip, &port), 0);
	assert_ip(&ip, AF_INET, "192.0.2.1");
	n = mkmsg(m, 0x0101, required, sizeof(required));
	assert_int_equal(stun_parse_response(m, n, txid_5769, &ip, NULL), -EPROTO);
}

static void test_mapped_address_fallback(void **state)
{
	/* RFC 3489 server: MAPPED-ADDRESS only, not xored. */
	static const uint8_t legacy[] = {
		0x00, 0x01, 0x00, 0x08, 0x00, 0x01, 0x0d, 0x96, 198, 51, 100, 7,
	};
	/* Both: XOR-MAPPED-ADDRESS wins whatever the order. */
	static const uint8_t both[] = {
		0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43,
		0x00, 0x01, 0x00, 0x08, 0x00, 0x01, 0x0d, 0x96, 198, 51, 100, 7,
	};
	uint8_t m[64];
	struct ip_addr ip;
	uint16_t port;
	size_t n;

	(void)state;
	n = mkmsg(m, 0x0101, legacy, sizeof(legacy));
	assert_int_equal(stun_parse_response(m, n, txid_5769, &ip, &port), 0);
	assert_ip(&ip, AF_INET, "198.51.100.7");
	assert_int_equal(port, 3478);
	n = mkmsg(m, 0x0101, both, sizeof(both));
	assert_int_equal(stun_parse_response(m, n, txid_5769, &ip, &port), 0);
	assert_ip(&ip, AF_INET, "192.0.2.1");
}

static void test_bad_header_and_address(void **state)
{
	static const uint8_t bad_family[] = {
		0x00, 0x20, 0x00, 0x08, 0x00, 0x03, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43,
	};
	static const uint8_t v6_short[] = {	/* family v6, 4 address bytes */
		0x00, 0x20, 0x00, 0x08, 0x00, 0x02, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43,
	};
	static const uint8_t err_code[] = {	/* 400 Bad Request */
		0x00, 0x09, 0x00, 0x04, 0x00, 0x00, 0x04, 0x00,
	};
	uint8_t buf[sizeof(resp_v4)], m[64];
	struct ip_addr ip;
	size_t n;

	(void)state;
	memcpy(buf, resp_v4, sizeof(buf));
	buf[4] = 0x00;		/* cookie */
	assert_int_equal(stun_parse_response(buf, sizeof(buf), txid_5769, &ip, NULL), -EBADMSG);
	memcpy(buf, resp_v4, sizeof(buf));
	buf[0] = 0xc1;		/* top bits set: not STUN */
	assert_int_equal(stun_parse_response(buf, sizeof(buf), txid_5769, &ip, NULL), -EBADMSG);
	n = mkmsg(m, 0x0111, err_code, sizeof(err_code));	/* error response */
	assert_int_equal(stun_parse_response(m, n, txid_5769, &ip, NULL), -EPROTO);
	n = mkmsg(m, 0x0001, NULL, 0);	/* a request echoed back */
	assert_int_equal(stun_parse_response(m, n, txid_5769, &ip, NULL), -EPROTO);
	n = mkmsg(m, 0x0101, NULL, 0);	/* success without an address */
	assert_int_equal(stun_parse_response(m, n, txid_5769, &ip, NULL), -ENOENT);
	n = mkmsg(m, 0x0101, bad_family, sizeof(bad_family));
	assert_int_equal(stun_parse_response(m, n, txid_5769, &ip, NULL), -EBADMSG);
	n = mkmsg(m, 0x0101, v6_short, sizeof(v6_short));
	assert_int_equal(stun_parse_response(m, n, txid_5769, &ip, NULL), -EBADMSG);
	assert_int_equal(stun_parse_response(NULL, 20, txid_5769, &ip, NULL), -EINVAL);
}

static void test_random_bytes(void **state)
{
	uint8_t buf[256];
	struct ip_addr ip;
	uint32_t x = 12345;

	(void)state;
	/* Random bodies behind a valid header: any verdict, no crash. */
	for (int round = 0; round < 20000; round++) {
		size_t n = 20 + (x % 200);

		for (size_t i = 0; i < sizeof(buf); i++) {
			x = x * 1103515245u + 12345u;
			buf[i] = (uint8_t)(x >> 16);
		}
		mkmsg(buf, 0x0101, buf + 20, 0);
		buf[2] = 0;
		buf[3] = (uint8_t)((n - 20) & ~3u);
		(void)stun_parse_response(buf, n, txid_5769, &ip, NULL);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_good_v4),
		cmocka_unit_test(test_good_v6),
		cmocka_unit_test(test_wrong_txid),
		cmocka_unit_test(test_fingerprint_checked),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_attribute_overflow),
		cmocka_unit_test(test_unknown_attributes),
		cmocka_unit_test(test_mapped_address_fallback),
		cmocka_unit_test(test_bad_header_and_address),
		cmocka_unit_test(test_random_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
