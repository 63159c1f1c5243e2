/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_tzif.c - TZif zone files (lib/tzif.c), read from /usr/share/zoneinfo
 * or /etc/localtime of a machine whose administrator may not be us.
 * Checks tzif.h's promises: a refused file leaves UTC; an accepted one has
 * transitions in strictly ascending order within the caps, types below
 * typecnt, offsets in RFC 8536's range; and a lookup at any instant,
 * including the extremes (the footer rule's calendar arithmetic), returns
 * an offset in that range.  The first bytes also feed the POSIX TZ string
 * parser on its own.
 */
#include <errno.h>

#include "fuzz.h"
#include "lib/tzif.h"

static void offsets_in_range(const struct tz *z, int64_t t)
{
	int32_t off = tz_offset(z, t);

	FUZZ_CHECK(off >= -89999 && off <= 93599);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tz z;	/* 19 KiB: not on the stack */
	static const int64_t probes[] = {
		INT64_MIN, -((int64_t)1 << 40), -2208988800, 0, 1772953200,
		2147483647, 4102444800, (int64_t)1 << 40, INT64_MAX,
	};
	struct tz_rule r;
	int ret = tz_parse(&z, data, size);

	FUZZ_CHECK(ret == 0 || ret == -EBADMSG);
	if (ret < 0)
		FUZZ_CHECK(z.ntrans == 0 && z.ntypes == 1 && z.type_off[0] == 0 && !z.rule.valid);
	FUZZ_CHECK(z.ntrans <= TZ_MAX_TRANS && z.ntypes >= 1 && z.ntypes <= TZ_MAX_TYPES);
	for (uint32_t i = 0; i < z.ntrans; i++) {
		FUZZ_CHECK(z.trans_type[i] < z.ntypes);
		FUZZ_CHECK(i == 0 || z.trans[i] > z.trans[i - 1]);
	}
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
		offsets_in_range(&z, probes[i]);
	for (uint32_t i = 0; i < z.ntrans; i += 1 + z.ntrans / 16) {
		offsets_in_range(&z, z.trans[i]);
		if (z.trans[i] > INT64_MIN)
			offsets_in_range(&z, z.trans[i] - 1);
	}
	/* The rule parser alone, on the first line of the input. */
	if (tz_rule_parse(&r, (const char *)data, size < 64 ? size : 64) == 0) {
		FUZZ_CHECK(r.valid);
		FUZZ_CHECK(r.std_off >= -24 * 3600 - 59 * 60 - 59 && r.std_off <= 24 * 3600 + 3599);
	}
	return 0;
}
