/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_hours_state.c - the activity_hours state file (collectors/input/
 * hours.c), read back at start-up from the state directory, which an
 * attacker with the daemon's uid could rewrite.  Checks hours.h's
 * promises: the result is 0, -EBADMSG or -ESTALE; a refused file leaves
 * the detector empty; an accepted one never holds more than 7 days of
 * 1440 minutes, no day after now's, and its histogram adds up to its
 * active minutes; and format() of what was accepted parses again to the
 * same summary.  The zone is UTC (no file is read).  An input whose
 * first byte is odd is the body alone: the target appends the right
 * checksum line, so the line checks behind the checksum get fuzzed too.
 */
#include <errno.h>

#include "collectors/input/hours.h"
#include "fuzz.h"
#include "lib/sha256.h"

#define NOW 1790000000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct activity_hours h, h2;
	static struct activity_hours_summary s, s2;
	static char img[HOURS_STATE_MAX], signed_body[HOURS_STATE_MAX + 32];
	const char *in = (const char *)data;
	uint32_t sum = 0;
	size_t len;
	int r;

	if (size && (data[0] & 1) && size - 1 <= HOURS_STATE_MAX) {
		char fp[FINGERPRINT_HEX_LEN];

		memcpy(signed_body, data + 1, size - 1);
		fingerprint_hex(data + 1, size - 1, fp);
		size = size - 1 + (size_t)snprintf(signed_body + size - 1, 32, "sum %s\n", fp);
		in = signed_body;
	}
	activity_hours_init(&h);
	r = activity_hours_parse(&h, in, size, NOW);
	FUZZ_CHECK(r == 0 || r == -EBADMSG || r == -ESTALE);
	FUZZ_CHECK(activity_hours_summary(&h, NOW, &s) == 0);
	if (r < 0) {
		FUZZ_CHECK(s.active_minutes == 0 && s.days == 0);
		for (size_t i = 0; i < HOURS_DAYS; i++)
			FUZZ_CHECK(!h.ring[i].used);
		return 0;
	}
	FUZZ_CHECK(s.days <= HOURS_DAYS && s.active_minutes <= HOURS_DAYS * HOURS_MINUTES);
	FUZZ_CHECK(s.outside_pct <= 100 && s.night_pct <= 100);
	for (int i = 0; i < 24; i++) {
		FUZZ_CHECK(s.hist[i] <= HOURS_DAYS * 60);
		sum += s.hist[i];
	}
	FUZZ_CHECK(sum == s.active_minutes);
	for (size_t i = 0; i < HOURS_DAYS; i++)
		FUZZ_CHECK(!h.ring[i].used || h.ring[i].day <= NOW / 86400);
	len = activity_hours_format(&h, img, sizeof(img));
	FUZZ_CHECK(len > 0);
	activity_hours_init(&h2);
	FUZZ_CHECK(activity_hours_parse(&h2, img, len, NOW) == 0);
	FUZZ_CHECK(activity_hours_summary(&h2, NOW, &s2) == 0);
	FUZZ_CHECK(memcmp(&s, &s2, sizeof(s)) == 0);
	return 0;
}
