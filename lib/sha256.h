/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sha256.h - SHA-256 (FIPS 180-4) and the short fingerprint built on it.
 *
 * Why our own: the collectors fingerprint device-supplied bytes (HID report
 * descriptors, EDID bodies) so that rules and the fleet can match the
 * structure of a device whatever identity it claims.  A fingerprint must be
 * reproducible by an admin with standard tools, so it is the first 16 hex
 * digits of the SHA-256 of the exact bytes: `sha256sum report_descriptor |
 * cut -c1-16`.  Pulling in a crypto library for one hash of a few hundred
 * bytes per device plug would be the larger attack surface.
 */
#ifndef FARMHOUND_SHA256_H
#define FARMHOUND_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_LEN 32
/* 16 hex digits (64 bits) and the NUL. */
#define FINGERPRINT_HEX_LEN 17

struct sha256_ctx {
	uint32_t h[8];
	uint64_t total;		/* bytes hashed so far */
	uint8_t block[64];
	size_t used;		/* bytes waiting in block */
};

void sha256_init(struct sha256_ctx *c);
void sha256_update(struct sha256_ctx *c, const void *data, size_t len);
void sha256_final(struct sha256_ctx *c, uint8_t out[SHA256_DIGEST_LEN]);
/* One-shot digest of data[0..len). */
void sha256(const void *data, size_t len, uint8_t out[SHA256_DIGEST_LEN]);
/* Lowercase hex of the first 8 bytes of the SHA-256 of data[0..len). */
void fingerprint_hex(const void *data, size_t len, char out[FINGERPRINT_HEX_LEN]);

#endif
