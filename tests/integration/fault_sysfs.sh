#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# fault_sysfs.sh - sysfs devices vanishing mid-read.
#
# A USB device or a DRM connector can be unplugged between libudev's
# enumeration and the collector's reads of its attributes, descriptors or
# EDID.  A small LD_PRELOAD shim (compiled here) makes that happen
# deterministically inside a umockdev testbed: VANISH_DEV names a device
# (its /sys/devices/... path) and VANISH_AT the read that unplugs it:
#
#   attr:NAME   udev_device_get_sysattr_value(dev, NAME) on that device
#   open:NAME   an open() for reading of a file NAME below that device
#               (report_descriptor of one of its HID interfaces, edid)
#
# At that moment the shim deletes the device's sysfs tree and every
# symlink left dangling in the testbed's sys/bus and sys/class (what the
# kernel does on unplug), notes it in $VANISH_LOG, and lets the read go on:
# it fails like a read of an unplugged device does.  Only once per process.
#
# 1. The real collectors' inventory (tests/tools/sysfs_scan: init, scan,
#    stats, as --scan runs them) over a recorded ordinary laptop bus and a
#    PiKVM display set-up: no crash, the half-read device is not reported
#    (no event with its port/connector), it is counted in stats().skipped,
#    and every other device is reported with its full identity.  Each case
#    is run once without the shim firing too, so the fixture really holds
#    the device and the counts are not given.
# 2. The daemon in a testbed whose PiKVM vanishes during the start-up
#    inventory: no alert from the half-read PiKVM, the daemon keeps running,
#    and the PiKVM plugged in later alerts with its full identity.
. "$(dirname "$0")/lib.sh"

SCAN="$B/tests/tools/sysfs_scan"
UEVENT="$B/tests/uevent"
LAPTOP="$FIX/usb/ordinary-laptop.umockdev"
PIKVM="$FIX/usb/pikvm.umockdev"
DISPLAY="$FIX/display/pikvm-v4plus.umockdev"
USB1=/sys/devices/pci0000:00/0000:00:14.0/usb1
CARD0=/sys/devices/pci0000:00/0000:00:02.0/drm/card0
testbed_scratch fsysfs


cat >"$T/vanish.c" <<'EOC'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct udev_device;

static int fired;

static int rm_one(const char *p, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb; (void)type; (void)ftw;
	remove(p);
	return 0;
}

static int rm_dangling(const char *p, const struct stat *sb, int type, struct FTW *ftw)
{
	struct stat st;

	(void)sb; (void)ftw;
	if (type == FTW_SL && stat(p, &st) < 0)
		unlink(p);
	return 0;
}

/* Unplug VANISH_DEV: its tree, then the links that pointed into it. */
static void vanish(const char *why)
{
	const char *root = getenv("UMOCKDEV_DIR"), *dev = getenv("VANISH_DEV");
	const char *log = getenv("VANISH_LOG");
	const char *dirs[] = { "/sys/bus", "/sys/class", "/sys/block", "/sys/dev" };
	char path[4096];

	fired = 1;
	if (!root || !dev)
		return;
	snprintf(path, sizeof(path), "%s%s", root, dev);
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", root, dirs[i]);
		nftw(path, rm_dangling, 16, FTW_PHYS);
	}
	if (log) {
		FILE *f = fopen(log, "a");

		if (f) {
			fprintf(f, "vanished %s at %s\n", dev, why);
			fclose(f);
		}
	}
}

/* VANISH_AT is "KIND:NAME"; NAME if KIND matches, else NULL. */
static const char *trigger(const char *kind)
{
	const char *at = getenv("VANISH_AT");
	size_t n = strlen(kind);

	if (fired || !at || !getenv("VANISH_DEV") || strncmp(at, kind, n) != 0 || at[n] != ':')
		return NULL;
	return at + n + 1;
}

const char *udev_device_get_sysattr_value(struct udev_device *d, const char *name)
{
	static const char *(*real)(struct udev_device *, const char *);
	static const char *(*syspath)(struct udev_device *);
	const char *want = trigger("attr"), *sp;

	if (!real) {
		real = (const char *(*)(struct udev_device *, const char *))
			dlsym(RTLD_NEXT, "udev_device_get_sysattr_value");
		syspath = (const char *(*)(struct udev_device *))
			dlsym(RTLD_NEXT, "udev_device_get_syspath");
	}
	if (want && name && strcmp(name, want) == 0 && (sp = syspath(d)) &&
	    strcmp(sp, getenv("VANISH_DEV")) == 0)
		vanish(name);
	return real(d, name);
}

/* A read of DEV/.../NAME (the path may already be the testbed's). */
static void maybe_vanish_open(const char *path, int flags)
{
	const char *want = trigger("open"), *dev, *p, *base;
	size_t n;

	if (!want || !path || (flags & O_ACCMODE) != O_RDONLY)
		return;
	dev = getenv("VANISH_DEV");
	n = strlen(dev);
	p = strstr(path, dev);
	base = strrchr(path, '/');
	if (p && p[n] == '/' && base && strcmp(base + 1, want) == 0)
		vanish(want);
}

int open(const char *path, int flags, ...)
{
	static int (*real)(const char *, int, ...);
	mode_t mode = 0;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_list ap;

		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	if (!real)
		real = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
	maybe_vanish_open(path, flags);
	return real(path, flags, mode);
}
EOC
build_shim vanish

# scan NAME FIXTURE SOURCE DEV AT: run sysfs_scan in a testbed of FIXTURE
# with the shim; output in $T/NAME.out, shim log in $T/NAME.log.  DEV empty:
# the shim never fires (the control run).
scan() {
	rm -f "$T/$1.log"
	LD_PRELOAD="$T/vanish.so${LD_PRELOAD:+:$LD_PRELOAD}" VANISH_DEV="$4" VANISH_AT="$5" \
		VANISH_LOG="$T/$1.log" timeout $((30 * FH_TIME_SCALE)) umockdev-run -d "$2" -- "$SCAN" "$3" \
		>"$T/$1.out" 2>"$T/$1.err"
}
stat_of() { sed -n "s/^rc=.* $2=\([0-9]*\).*/\1/p" "$T/$1.out"; }
rc_of() { sed -n 's/^rc=\(-*[0-9]*\) .*/\1/p' "$T/$1.out"; }
events() { grep -c '^event ' "$T/$1.out"; }
# has NAME FIELD=VALUE...: some event carries all of them.
has() {
	f=$1; shift
	grep '^event ' "$T/$f.out" >"$T/has.tmp"
	for kv in "$@"; do
		grep -E " $kv( |\$)" "$T/has.tmp" >"$T/has.tmp2"; mv "$T/has.tmp2" "$T/has.tmp"
	done
	[ -s "$T/has.tmp" ]
}
hasnt() { ! has "$@"; }
fired() { grep -q "^vanished $2 at $3\$" "$T/$1.log" 2>/dev/null; }

# ---- 1. the collectors' inventory ----
scan usb0 "$LAPTOP" usb "" ""
check "control: the laptop's 9 USB devices, none skipped ($(events usb0), skipped=$(stat_of usb0 skipped))" \
	sh -c "[ $(events usb0) -eq 9 ] && [ '$(stat_of usb0 skipped)' = 0 ]"
check "control: the Logitech receiver on 1-1 is reported whole" \
	has usb0 port=1-1 vendor_id=046d manufacturer=Logitech has_keyboard=true

# 1-1 unplugged after idVendor/idProduct/bcdDevice were read, at manufacturer.
scan usb1 "$LAPTOP" usb "$USB1/1-1" attr:manufacturer
check "usb, gone at its manufacturer: the shim fired" fired usb1 "$USB1/1-1" manufacturer
check "usb, gone at its manufacturer: scan succeeded (rc=$(rc_of usb1))" test "$(rc_of usb1)" = 0
check "usb, gone at its manufacturer: no event for port 1-1" hasnt usb1 port=1-1
check "usb, gone at its manufacturer: counted in skipped ($(stat_of usb1 skipped))" \
	test "$(stat_of usb1 skipped)" = 1
check "usb, gone at its manufacturer: the other 8 devices are reported ($(events usb1))" \
	test "$(events usb1)" -eq 8
check "usb, gone at its manufacturer: the rest keep their identity" \
	sh -c "$(command -v grep) -q 'manufacturer=Yubico .*port=1-2 ' '$T/usb1.out' && \
	       $(command -v grep) -q 'port=2-1 .*storage_model=Ultra' '$T/usb1.out'"

# 1-1 unplugged while its children are walked: at its first HID report
# descriptor (so the keyboard/mouse facts would be missing).
scan usb2 "$LAPTOP" usb "$USB1/1-1" open:report_descriptor
check "usb, gone at a HID descriptor: the shim fired" fired usb2 "$USB1/1-1" report_descriptor
check "usb, gone at a HID descriptor: scan succeeded" test "$(rc_of usb2)" = 0
check "usb, gone at a HID descriptor: no event for port 1-1 (no keyboard-less receiver)" \
	hasnt usb2 port=1-1
check "usb, gone at a HID descriptor: counted in skipped ($(stat_of usb2 skipped))" \
	test "$(stat_of usb2 skipped)" = 1
check "usb, gone at a HID descriptor: the other 8 devices are reported ($(events usb2))" \
	test "$(events usb2)" -eq 8

# The dock's hub 1-3 unplugged at its product string: the hub is half-read,
# and the NIC behind it (1-3.1, later in the enumeration) is gone before
# the collector opens it.  Both skipped and counted.
scan usb3 "$LAPTOP" usb "$USB1/1-3" attr:product
check "usb, a hub gone with a device behind it: the shim fired" fired usb3 "$USB1/1-3" product
check "usb, a hub gone: scan succeeded" test "$(rc_of usb3)" = 0
check "usb, a hub gone: no event for 1-3 nor 1-3.1" \
	sh -c "! grep -Eq ' port=1-3(\\.1)? ' '$T/usb3.out'"
check "usb, a hub gone: both counted in skipped ($(stat_of usb3 skipped))" \
	test "$(stat_of usb3 skipped)" = 2
check "usb, a hub gone: the other 7 devices are reported ($(events usb3))" \
	test "$(events usb3)" -eq 7

scan disp0 "$DISPLAY" display "" ""
check "control: 3 connectors, the PiKVM's EDID on HDMI-A-1, none skipped" \
	sh -c "[ $(events disp0) -eq 3 ] && [ '$(stat_of disp0 skipped)' = 0 ] && \
	       grep -q ' connector=card0-HDMI-A-1 .*edid_vendor=LNX' '$T/disp0.out'"

# HDMI-A-1 unplugged after its status was read, at the EDID read.
scan disp1 "$DISPLAY" display "$CARD0/card0-HDMI-A-1" open:edid
check "display, gone at its EDID: the shim fired" fired disp1 "$CARD0/card0-HDMI-A-1" edid
check "display, gone at its EDID: scan succeeded" test "$(rc_of disp1)" = 0
check "display, gone at its EDID: no 'connected, no EDID' event for HDMI-A-1" \
	hasnt disp1 connector=card0-HDMI-A-1
check "display, gone at its EDID: counted in skipped ($(stat_of disp1 skipped))" \
	test "$(stat_of disp1 skipped)" = 1
check "display, gone at its EDID: eDP-1 and DP-1 are reported" \
	sh -c "[ $(events disp1) -eq 2 ] && grep -q ' connector=card0-eDP-1 .*edid_vendor=BOE' '$T/disp1.out'"

# ---- 2. the daemon: the PiKVM vanishes during the start-up inventory ----
dgram_receiver "$T/log.sock" "$T/out.log"

alive() { kill -0 "$(cat "$T/fh.pid")" 2>/dev/null; }

cat >"$T/farmhound.conf" <<EOC
$(json_daemon_conf)
[collector.usb]
settle = 200ms
$(collectors_only usb)
EOC
mkfifo "$T/ctl"
LD_PRELOAD="$T/vanish.so${LD_PRELOAD:+:$LD_PRELOAD}" VANISH_DEV="$USB1/1-1" \
	VANISH_AT=attr:manufacturer VANISH_LOG="$T/daemon.log" \
	umockdev-wrapper "$UEVENT" "$T/ctl" "$T/fh.pid" "+$FIX/usb/root-hubs.umockdev" "+$PIKVM" \
	"$FH" -c "$T/farmhound.conf" -r "$RULES" >"$T/fh.out" 2>"$T/fh.err" &
helper_pid=$!
check "daemon started in the testbed" wait_for "$T/out.log" '"id":"farmhound-started"' 15
# The sync point of the checks after it: the first heartbeat is sent after
# the start-up inventory (run before the loop), so any alert from the half-read
# PiKVM would be in the log before it.
check "a heartbeat follows (the inventory is over)" wait_for "$T/out.log" "$HB"
check "the PiKVM vanished during the start-up inventory" \
	fired daemon "$USB1/1-1" manufacturer
check "no alert from the half-read PiKVM (nothing names port 1-1)" \
	test "$(count "$T/out.log" '"port":"1-1"')" -eq 0
check "daemon still running" alive
check "testbed helper plugs the PiKVM again" ctl "add $PIKVM"
check "the later plug alerts with its full identity" \
	wait_for "$T/out.log" '"id":"ip-kvm-pikvm".*"manufacturer":"PiKVM"'
check "daemon still running after the plug" alive

stop_daemon "$(cat "$T/fh.pid")" "$helper_pid"
helper_pid=""
check "farmhound-stopping" wait_for "$T/out.log" '"id":"farmhound-stopping"'
check "daemon exited cleanly (status $rc)" test "$rc" = 0
finish
