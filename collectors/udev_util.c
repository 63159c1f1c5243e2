/* SPDX-License-Identifier: Apache-2.0 */
/*
 * udev_util.c - the skeleton of the udev-driven collectors (udev_util.h):
 * the state they share, the monitor set-up and its drain.
 *
 * Live events are a bonus: without a monitor (no netlink in a sandbox)
 * the rescans still find every change, only later, so a monitor that
 * cannot be opened is said once and the collector runs on.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "lib/util.h"
#include "udev_util.h"

_Static_assert(offsetof(struct udev_collector, ctx) == 0, "collector.h: ctx first");

/* A non-blocking udev monitor for subsystem (and devtype, may be NULL),
 * receiving.  rcvbuf > 0 asks for a larger socket buffer (best effort: it
 * makes ENOBUFS overruns rarer).  NULL if there is none to be had. */
static struct udev_monitor *udev_monitor_open_nonblock(struct udev *udev, const char *subsystem,
						       const char *devtype, int rcvbuf)
{
	struct udev_monitor *mon = udev_monitor_new_from_netlink(udev, "udev");
	int fd, flags;

	if (!mon)
		return NULL;
	if (udev_monitor_filter_add_match_subsystem_devtype(mon, subsystem, devtype) < 0 ||
	    udev_monitor_enable_receiving(mon) < 0)
		goto out_unref;
	if (rcvbuf > 0)
		udev_monitor_set_receive_buffer_size(mon, rcvbuf);
	fd = udev_monitor_get_fd(mon);
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
		goto out_unref;
	return mon;
out_unref:
	udev_monitor_unref(mon);
	return NULL;
}

/* Receive at most max uevents from mon, handing each to handle (the
 * device is unreferenced afterwards), until handle fails: the rest are
 * received and dropped.  The first error of handle, or 0.  *overruns
 * counts the ENOBUFS met. */
static int udev_monitor_drain(struct udev_monitor *mon, int max,
			      int (*handle)(void *opaque, struct udev_device *dev), void *opaque,
			      uint64_t *overruns)
{
	int r = 0;

	for (int n = 0; n < max; n++) {
		struct udev_device *dev;

		errno = 0;
		dev = udev_monitor_receive_device(mon);
		if (!dev) {
			if (errno != ENOBUFS)
				break;
			(*overruns)++;
			continue;
		}
		if (r == 0)
			r = handle(opaque, dev);
		udev_device_unref(dev);
	}
	return r;
}

/* No such bus or class (containers, CI): nothing to watch, said once. */
static int udev_sysfs_check(const struct collector_ctx *ctx, const struct udev_collector_def *def)
{
	if (access(def->sysfs, F_OK) == 0)
		return 0;
	if (ctx->note)
		ctx->note(ctx->opaque, LOG_NOTICE, def->name, "no %s in sysfs (%s missing)",
			  def->sysfs_what, def->sysfs);
	return -ENODEV;
}

static void udev_collector_watch(struct udev_collector *uc)
{
	const struct udev_collector_def *def = uc->def;
	const struct collector_config *cfg = uc->ctx.config;

	uc->mon = udev_monitor_open_nonblock(uc->udev, def->subsystem, def->devtype, def->rcvbuf);
	if (!uc->mon && uc->ctx.note)
		uc->ctx.note(uc->ctx.opaque, LOG_WARNING, def->name,
			     "no udev monitor; %s changes are seen at rescans only", def->changes);
	collector_rescan_arm(&uc->rescan, cfg ? cfg->rescan_ms : def->rescan_default_ms,
			     now_monotonic_ms());
}

int udev_collector_new(const struct collector_ctx *ctx, const struct udev_collector_def *def,
		       size_t size, void **state)
{
	struct udev_collector *uc;
	int r;

	if (!ctx || !state)
		return -EINVAL;
	*state = NULL;
	r = udev_sysfs_check(ctx, def);
	if (r == 0)
		r = collector_state_new(ctx, size, state);
	if (r < 0)
		return r;
	uc = *state;
	uc->def = def;
	uc->settle_ms = ctx->config ? ctx->config->settle_ms : def->settle_default_ms;
	uc->udev = udev_new();
	if (!uc->udev || known_init(&uc->known, def->known_max) < 0) {
		udev_collector_fini(uc);
		free(uc);
		*state = NULL;
		return -ENOMEM;
	}
	/* --scan is one inventory: nothing to watch afterwards (display);
	 * usb sets its monitor up all the same. */
	if (ctx->mode == COLLECTOR_DAEMON || def->watch_in_scan)
		udev_collector_watch(uc);
	return 0;
}

void udev_collector_fini(struct udev_collector *uc)
{
	if (!uc)
		return;
	known_free(&uc->known);
	udev_monitor_unref(uc->mon);
	uc->mon = NULL;
	udev_unref(uc->udev);
	uc->udev = NULL;
}

int udev_collector_fd(void *state)
{
	struct udev_collector *uc = state;

	return uc && uc->mon ? udev_monitor_get_fd(uc->mon) : -1;
}

int udev_collector_drain(struct udev_collector *uc, int max,
			 int (*handle)(void *opaque, struct udev_device *dev), void *opaque)
{
	uint64_t lost = uc->overruns;
	int r = udev_monitor_drain(uc->mon, max, handle, opaque, &uc->overruns);

	/* Only ever earlier: a flood cannot postpone the reconcile. */
	if (uc->overruns != lost)
		collector_rescan_soon(&uc->rescan, now_monotonic_ms() + UDEV_RESCAN_SOON_MS);
	return r;
}

int udev_collector_reconcile(struct udev_collector *uc, struct udev_enumerate *en, size_t max,
			     int (*visit)(void *opaque, struct udev_device *dev),
			     void (*gone)(void *opaque, struct event *ev), void *opaque,
			     uint64_t *vanished)
{
	struct udev_list_entry *e;
	size_t looked = 0;
	int r = 0;

	if (udev_enumerate_scan_devices(en) < 0) {
		r = -EIO;
		goto out_unref;
	}
	known_unmark(&uc->known);
	udev_list_entry_foreach(e, udev_enumerate_get_list_entry(en)) {
		struct udev_device *dev;

		if (++looked > max)
			break;
		dev = udev_device_new_from_syspath(uc->udev, udev_list_entry_get_name(e));
		if (!dev) {
			if (vanished)
				(*vanished)++;
			continue;
		}
		r = visit(opaque, dev);
		udev_device_unref(dev);
		if (r < 0)
			break;
	}
	if (r == 0)
		known_sweep(&uc->known, gone, opaque);
out_unref:
	udev_enumerate_unref(en);
	return r;
}

void udev_collector_stats(const struct udev_collector *uc, struct collector_stats *out)
{
	*out = (struct collector_stats){ 0 };
	if (!uc)
		return;
	out->tracked = uc->known.n;
	out->evicted = uc->known.evicted;
}

/*
 * Is the device attached through USB/IP?  The vhci_hcd driver is the
 * virtual host controller of USB/IP's client side, a platform device:
 * /sys/devices/platform/vhci_hcd.0/usb3/3-1 (drivers/usb/usbip/vhci_hcd.c
 * names its platform devices "vhci_hcd"; vhci_hcd.0, .1, ... with more
 * controllers).  The path says so, and so does the driver of an ancestor
 * (bounded walk: a USB tree is at most 7 tiers deep under its controller).
 */
bool udev_device_via_usbip(struct udev_device *dev)
{
	const char *path = udev_device_get_syspath(dev);
	struct udev_device *p = udev_device_get_parent(dev);

	if (path && strstr(path, "/vhci_hcd."))
		return true;
	for (int n = 0; p && n < 16; n++, p = udev_device_get_parent(p)) {
		const char *drv = udev_device_get_driver(p);

		if (drv && strcmp(drv, "vhci_hcd") == 0)
			return true;
	}
	return false;
}
