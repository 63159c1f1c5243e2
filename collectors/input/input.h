/* SPDX-License-Identifier: Apache-2.0 */
/*
 * input.h - the `input` source: what the input detectors found, one event
 * per finding, with the device it came from and the measured statistics.
 * Only timing and magnitudes (collectors/input/README.md "Privacy
 * contract"): no field can hold a key code, a character or a position.
 *
 * The events come from the live evdev collector (live.c: the daemon and
 * --scan) and from `farmhound --input FILE`, an evemu-record recording
 * judged with its own timestamps (input_file_scan()).  Both build them
 * here, so a finding reads the same whichever path saw it.
 */
#ifndef FARMHOUND_INPUT_H
#define FARMHOUND_INPUT_H

#include "collectors/collector.h"
#include "collectors/event.h"

enum input_field {
	INPUT_ACTION,
	INPUT_DETECTOR,
	INPUT_PATTERN,
	INPUT_DEVICE,
	INPUT_BUS,
	INPUT_VENDOR_ID,
	INPUT_PRODUCT_ID,
	INPUT_VID_PID,
	INPUT_DEVICE_KIND,
	INPUT_COUNT,
	INPUT_BURSTS,
	INPUT_PERIOD_MS,
	INPUT_CV_PCT,
	INPUT_STEP,
	INPUT_STEP_CV_PCT,
	INPUT_HOLD_MS,
	INPUT_NET_PCT,
	INPUT_REVERSALS,
	INPUT_DURATION_MS,
	INPUT_USB_PORT,
	INPUT__NFIELDS
};

extern const struct source_def input_source;
extern const struct collector input_collector;	/* live.c */

struct input_device;
struct input_finding;

/* One event for a detector's finding on device d; usb_port is the USB
 * port path of the device's USB parent ("1-2.3"), or NULL.  NULL on
 * ENOMEM. */
struct event *input_finding_event(const struct input_device *d, const struct input_finding *f,
				  const char *usb_port);

/* --input: read the evemu-record file at path, run every detector over it
 * and hand ctx->emit() one event per finding.  Lines the reader skipped
 * are added to *skipped (may be NULL) and noted once.  0 or -errno (the
 * file could not be opened or read). */
int input_file_scan(const struct collector_ctx *ctx, const char *path, uint64_t *skipped);

#endif
