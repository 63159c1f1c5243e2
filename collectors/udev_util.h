/*
 * udev_util.h - what the udev-driven collectors (usb, display) share.
 */
#ifndef FARMHOUND_UDEV_UTIL_H
#define FARMHOUND_UDEV_UTIL_H

#include <stddef.h>

#include <libudev.h>

/* A non-blocking udev monitor for subsystem (and devtype, may be NULL),
 * receiving.  rcvbuf > 0 asks for a larger socket buffer (best effort: it
 * makes ENOBUFS overruns rarer).  The monitor, or NULL: live events are a
 * bonus, the collectors' rescans still find every change, only later. */
struct udev_monitor *udev_monitor_open_nonblock(struct udev *udev, const char *subsystem,
						const char *devtype, int rcvbuf);

#endif
