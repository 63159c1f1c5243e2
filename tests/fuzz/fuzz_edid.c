/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_edid.c - EDID blobs (collectors/display/edid.c), written by a
 * monitor, a KVM capture chip or an EDID emulator.  Checks edid.h's
 * promises: the strings are terminated and printable, valid means no
 * problems, and the fingerprint is a pure function of the bytes; the body
 * fingerprint exists exactly when there is a header and a full base block,
 * and is 16 lower-case hex digits.
 */
#include "collectors/display/edid.h"
#include "fuzz.h"

static void check_printable(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	FUZZ_CHECK(n < cap);
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(s[i] >= 0x20 && s[i] < 0x7f);
}

static void check_body(const uint8_t *data, size_t size, bool valid)
{
	char fp[FINGERPRINT_HEX_LEN];
	bool have = edid_body_fingerprint(size ? data : NULL, size, fp);

	FUZZ_CHECK(have == (size >= EDID_BLOCK && data[0] == 0 && data[7] == 0 &&
			    memcmp(data + 1, "\xff\xff\xff\xff\xff\xff", 6) == 0));
	FUZZ_CHECK(!valid || have);
	if (!have)
		return;
	FUZZ_CHECK(strlen(fp) == FINGERPRINT_HEX_LEN - 1);
	FUZZ_CHECK(strspn(fp, "0123456789abcdef") == FINGERPRINT_HEX_LEN - 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct edid_info e;
	bool valid = edid_parse(size ? data : NULL, size, &e);

	FUZZ_CHECK(valid == e.valid);
	FUZZ_CHECK(valid == (e.problems == 0));
	FUZZ_CHECK(e.size == size);
	check_printable(e.vendor, sizeof(e.vendor));
	check_printable(e.name, sizeof(e.name));
	check_printable(e.serial_str, sizeof(e.serial_str));
	check_printable(e.text, sizeof(e.text));
	FUZZ_CHECK(edid_fingerprint(data, size) == edid_fingerprint(data, size));
	check_body(data, size, valid);
	return 0;
}
