/* SPDX-License-Identifier: Apache-2.0 */
/*
 * udev_util.h - the skeleton of the udev-driven collectors (usb, display):
 * what they hold in common (the udev context, the monitor, the rescan
 * clock, the known-device table) and do the same way (start, the monitor's
 * drain, the fd, the counters, the end).
 *
 * A udev collector describes itself in a const struct udev_collector_def
 * and puts a struct udev_collector first in its state, so that
 * udev_collector_new() can allocate and set up the state and
 * udev_collector_fd() can serve as its fd().  What it reports, and when,
 * stays its own: the build of an event and the reconcile of the table.
 */
#ifndef FARMHOUND_UDEV_UTIL_H
#define FARMHOUND_UDEV_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libudev.h>

#include "collectors/collector.h"
#include "collectors/known.h"

/* After lost uevents (ENOBUFS) a rescan this much later reconciles the
 * table (DESIGN §8: rescans no more often than every 10 s). */
#define UDEV_RESCAN_SOON_MS 10000

struct udev_collector_def {
	const char *name;		/* the collector's: "usb" */
	const char *sysfs;		/* what must exist: "/sys/bus/usb/devices" */
	const char *sysfs_what;		/* what is missing without it: "USB bus" */
	const char *changes;		/* what a missing monitor delays: "USB" */
	const char *subsystem;		/* the monitor's filter: "usb" */
	const char *devtype;		/* "usb_device", or NULL */
	int rcvbuf;			/* monitor socket buffer; 0: the default */
	size_t known_max;		/* bound of the known-device table */
	uint64_t settle_default_ms;	/* settle when not configured */
	uint64_t rescan_default_ms;	/* rescan_interval when not configured */
	bool watch_in_scan;		/* monitor and rescans in --scan too */
};

struct udev_collector {
	struct collector_ctx ctx;
	const struct udev_collector_def *def;
	struct udev *udev;
	struct udev_monitor *mon;	/* NULL: --scan, or no netlink: rescans only */
	uint64_t settle_ms;
	struct collector_rescan rescan;
	uint64_t overruns;		/* ENOBUFS from the monitor */
	struct known_table known;	/* what was reported of each device, by syspath */
};

/* init() of a udev collector: *state is a zeroed state of size bytes
 * whose first member is its struct udev_collector, set up from def and
 * ctx.  0, -EINVAL, -ENODEV (def->sysfs missing, noted: nothing to watch
 * on this machine, not an error) or -ENOMEM. */
int udev_collector_new(const struct collector_ctx *ctx, const struct udev_collector_def *def,
		       size_t size, void **state);
/* Release what udev_collector_new() set up, not the state; accepts NULL. */
void udev_collector_fini(struct udev_collector *uc);
/* fd() of a udev collector: the monitor's, or -1. */
int udev_collector_fd(void *state);
/* Receive at most max uevents from the monitor, handing each to handle
 * (the device is unreferenced afterwards) until one fails: the rest are
 * received and dropped.  After lost uevents (ENOBUFS: counted in
 * overruns) a rescan UDEV_RESCAN_SOON_MS later.  The first error of
 * handle, or 0. */
int udev_collector_drain(struct udev_collector *uc, int max,
			 int (*handle)(void *opaque, struct udev_device *dev), void *opaque);
/*
 * A reconcile of the known table with sysfs (known.h): the seen marks
 * cleared, every device of en (its matches set by the caller; at most max
 * looked at) handed to visit until one fails, then, if none failed, the
 * removal of every present known device that was not seen handed to gone.
 * A device gone since the enumeration is skipped and counted in *vanished
 * (may be NULL).  en is taken.  0, -EIO (no enumeration) or the first
 * error of visit.
 */
int udev_collector_reconcile(struct udev_collector *uc, struct udev_enumerate *en, size_t max,
			     int (*visit)(void *opaque, struct udev_device *dev),
			     void (*gone)(void *opaque, struct event *ev), void *opaque,
			     uint64_t *vanished);
/* out zeroed, then tracked and evicted of the known table (uc may be
 * NULL: all zero). */
void udev_collector_stats(const struct udev_collector *uc, struct collector_stats *out);

/* Is dev (a USB device, or anything below one) attached over the network
 * through USB/IP, under a vhci_hcd virtual host controller? */
bool udev_device_via_usbip(struct udev_device *dev);

#endif
