#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# fault_udev.sh - a udev monitor overrun (ENOBUFS): uevents the kernel
# dropped are reported and recovered, not lost silently.
#
# umockdev (0.17) cannot make libudev see ENOBUFS: it sends each uevent on a
# non-blocking socket and, when the reader's queue is full, the sending
# process exits (fault_flood_usb.sh paces it for that reason).  A small LD_PRELOAD
# shim (compiled here) wraps udev_monitor_receive_device(): while
# $T/drop holds a positive count, it takes the real device off the monitor,
# throws it away and fails with ENOBUFS -- what libudev returns when the
# kernel dropped uevents.  The PiKVM is plugged while every uevent is
# dropped: no live alert can come; the USB collector counts the overrun
# (stats().dropped -> farmhound-capture-dropped notice, heartbeat dropped)
# and its early rescan (10 s after ENOBUFS) finds the PiKVM and alerts.
#
# No sleeps: the uevents are dropped until the daemon went round its loop
# three times after the plug (three heartbeats: the monitor is drained on
# each turn), and "no live alert" is asserted on the log's order -- no
# PiKVM alert before those heartbeats, where a live one would be (it comes
# 200 ms after its uevent), while the rescan's comes 10 s later.
. "$(dirname "$0")/lib.sh"

UEVENT="$B/tests/uevent"
PIKVM="$FIX/usb/pikvm.umockdev"
testbed_scratch fudev

alive() { kill -0 "$(cat "$T/fh.pid")" 2>/dev/null; }
# no_alert_before N: no PiKVM alert in the log before its Nth heartbeat.
no_alert_before() {
	awk -v n="$1" 'index($0, "\"id\":\"farmhound-heartbeat\"") { if (++h >= n) exit }
		index($0, "\"id\":\"ip-kvm-pikvm\"") { found = 1 }
		END { exit found }' "$T/out.log"
}

cat >"$T/udevdrop.c" <<'EOC'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

struct udev_device;
struct udev_monitor;

/* Drop count in $UDEVDROP_FILE: > 0 means "the kernel overran". */
static long drops(void)
{
	const char *p = getenv("UDEVDROP_FILE");
	FILE *f = p ? fopen(p, "re") : NULL;
	long v = 0;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

struct udev_device *udev_monitor_receive_device(struct udev_monitor *m)
{
	static struct udev_device *(*real)(struct udev_monitor *);
	static struct udev_device *(*unref)(struct udev_device *);
	struct udev_device *d;

	if (!real) {
		real = (struct udev_device *(*)(struct udev_monitor *))
			dlsym(RTLD_NEXT, "udev_monitor_receive_device");
		unref = (struct udev_device *(*)(struct udev_device *))
			dlsym(RTLD_NEXT, "udev_device_unref");
	}
	d = real(m);
	if (d && drops() > 0) {
		unref(d);
		errno = ENOBUFS;
		return NULL;
	}
	return d;
}
EOC
build_shim udevdrop

dgram_receiver "$T/log.sock" "$T/out.log"

cat >"$T/farmhound.conf" <<EOC
$(json_daemon_conf)
[collector.usb]
settle = 200ms
$(collectors_only usb display host)
EOC
echo 0 >"$T/drop"
mkfifo "$T/ctl"
LD_PRELOAD="$T/udevdrop.so${LD_PRELOAD:+:$LD_PRELOAD}" UDEVDROP_FILE="$T/drop" \
	umockdev-wrapper "$UEVENT" "$T/ctl" "$T/fh.pid" "+$FIX/usb/root-hubs.umockdev" \
	"$FH" -c "$T/farmhound.conf" -r "$RULES" >"$T/fh.out" 2>"$T/fh.err" &
helper_pid=$!
check "daemon started in the testbed" wait_for "$T/out.log" '"id":"farmhound-started"' 10
# The first heartbeat follows the collectors' start: the inventory is done
# and the monitor is listening.
check "a heartbeat: the usb collector is running" wait_for "$T/out.log" "$HB"

# ---- every uevent of the PiKVM is dropped ----
echo 1000000 >"$T/drop"
check "testbed helper plugs the PiKVM" ctl "add $PIKVM"
hb_plug=$(count "$T/out.log" "$HB")
check "three heartbeats after the plug" next_heartbeat "$T/out.log" 3
echo 0 >"$T/drop"
check "the shim really dropped them: no live PiKVM alert" no_alert_before $((hb_plug + 3))
check "the overrun is reported: capture-dropped notice naming usb" \
	wait_for "$T/out.log" '"id":"farmhound-capture-dropped".*"usb"'
check "a heartbeat counts it (dropped > 0)" \
	wait_for "$T/out.log" '"id":"farmhound-heartbeat".*"dropped":[1-9]'
# Due 10 s after the overrun on the daemon's clock: the deadline is generous.
check "the early rescan finds the PiKVM and alerts" \
	wait_for "$T/out.log" '"id":"ip-kvm-pikvm"' 40
check "daemon still running" alive

stop_daemon "$(cat "$T/fh.pid")" "$helper_pid"
helper_pid=""
check "farmhound-stopping" wait_for "$T/out.log" '"id":"farmhound-stopping"'
check "daemon exited cleanly (status $rc)" test "$rc" = 0
finish
