/*
 * udev_util.c - the udev monitor set-up the usb and display collectors
 * share (udev_util.h).
 */
#include <fcntl.h>

#include "udev_util.h"

struct udev_monitor *udev_monitor_open_nonblock(struct udev *udev, const char *subsystem,
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
