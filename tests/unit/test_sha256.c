/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_sha256.c - lib/sha256.c against known answers: the FIPS 180-4
 * examples ("abc", the two-block 448-bit message), the empty message, one
 * million 'a' fed in uneven pieces, lengths around the 55/56/64-byte
 * padding boundaries (checked against a one-shot digest of the same bytes
 * fed byte by byte), and the 16-digit fingerprint.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lib/sha256.h"

static void hex_of(const uint8_t d[SHA256_DIGEST_LEN], char out[65])
{
	int i;

	for (i = 0; i < SHA256_DIGEST_LEN; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static void assert_digest(const char *msg, size_t len, const char *want)
{
	uint8_t d[SHA256_DIGEST_LEN];
	char got[65];

	sha256(msg, len, d);
	hex_of(d, got);
	assert_string_equal(got, want);
}

static void test_fips_examples(void **state)
{
	(void)state;
	assert_digest("abc", 3,
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
		"248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	assert_digest("", 0,
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_million_a_in_pieces(void **state)
{
	static char buf[1000];
	struct sha256_ctx c;
	uint8_t d[SHA256_DIGEST_LEN];
	char got[65];
	size_t done = 0, step = 1;

	(void)state;
	memset(buf, 'a', sizeof(buf));
	sha256_init(&c);
	while (done < 1000000) {
		size_t n = step < 1000000 - done ? step : 1000000 - done;

		sha256_update(&c, buf, n);
		done += n;
		step = step % 977 + 13;	/* uneven pieces (<= 989) across block edges */
	}
	sha256_final(&c, d);
	hex_of(d, got);
	assert_string_equal(got,
		"cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* Every length across the padding boundaries: byte-by-byte equals
 * one-shot, and neighbouring lengths differ. */
static void test_padding_boundaries(void **state)
{
	uint8_t msg[200], one[SHA256_DIGEST_LEN], piece[SHA256_DIGEST_LEN];
	uint8_t prev[SHA256_DIGEST_LEN] = { 0 };
	size_t len, i;

	(void)state;
	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 7 + 1);
	for (len = 0; len <= 130; len++) {
		struct sha256_ctx c;

		sha256(msg, len, one);
		sha256_init(&c);
		for (i = 0; i < len; i++)
			sha256_update(&c, msg + i, 1);
		sha256_final(&c, piece);
		assert_memory_equal(one, piece, SHA256_DIGEST_LEN);
		assert_memory_not_equal(one, prev, SHA256_DIGEST_LEN);
		memcpy(prev, one, SHA256_DIGEST_LEN);
	}
}

static void test_fingerprint_is_digest_prefix(void **state)
{
	char fp[FINGERPRINT_HEX_LEN];

	(void)state;
	fingerprint_hex("abc", 3, fp);
	assert_string_equal(fp, "ba7816bf8f01cfea");
	assert_int_equal(strlen(fp), 16);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fips_examples),
		cmocka_unit_test(test_million_a_in_pieces),
		cmocka_unit_test(test_padding_boundaries),
		cmocka_unit_test(test_fingerprint_is_digest_prefix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
