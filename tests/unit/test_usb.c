/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_usb.c - the USB collector against umockdev testbeds: what each
 * fixture's devices aggregate to (interfaces, drivers, HID flags, storage,
 * network), hot-plug with its settle time, removes that carry what was last
 * reported, rescans, and the known-device bound.  The fields that describe
 * a device's structure (version, power, HID fingerprints, pointer kinds,
 * functions, USB/IP) are test_usb_fields.c's; the harness is
 * usb_testbed.h.
 */
#include <poll.h>

#include "usb_testbed.h"

/* ---- no bus ---- */

static void test_no_usb_bus(void **state)
{
	struct bed b = { 0 };

	(void)state;
	b.st = (void *)&b;
	assert_int_equal(bed_scan(&b, NULL), -ENODEV);
	assert_null(b.st);
	assert_int_equal(nevents, 0);
	bed_free(&b);
}

/* ---- aggregation ---- */

static void test_pikvm(void **state)
{
	struct bed b = { 0 };
	const struct event *ev = scan_port(&b, "pikvm", "1-1");

	(void)state;
	assert_int_equal(nevents, 2);			/* root hub + PiKVM */
	assert_str(ev, USB_VENDOR_ID, "1d6b");
	assert_str(ev, USB_PRODUCT_ID, "0104");
	assert_str(ev, USB_BCD_DEVICE, "0100");
	assert_str(ev, USB_MANUFACTURER, "PiKVM");
	assert_str(ev, USB_PRODUCT, "PiKVM Composite Device");
	assert_str(ev, USB_SERIAL, "CAFEBABE");
	assert_str(ev, USB_CONFIGURATION, NULL);	/* empty attribute */
	assert_str(ev, USB_DEVICE_CLASS, "00");
	assert_int_equal(num(ev, USB_SPEED), 480);
	assert_int_equal(list_len(ev, USB_INTERFACES), 4);
	assert_true(has_item(ev, USB_INTERFACES, "03:01:01"));
	assert_true(has_item(ev, USB_INTERFACES, "03:00:00"));
	assert_true(has_item(ev, USB_INTERFACES, "03:01:02"));
	assert_true(has_item(ev, USB_INTERFACES, "08:06:50"));
	assert_str(ev, USB_DRIVER, "usbhid,usb-storage");
	assert_false(flag(ev, USB_IS_HUB));
	assert_true(flag(ev, USB_IS_GADGET));
	assert_true(flag(ev, USB_HAS_KEYBOARD));
	assert_true(flag(ev, USB_HAS_MOUSE));
	assert_true(flag(ev, USB_HAS_ABSOLUTE_POINTER));
	assert_false(flag(ev, USB_HAS_DIGITIZER));
	assert_int_equal(num(ev, USB_ABS_MAX), 32767);
	assert_true(flag(ev, USB_HAS_MASS_STORAGE));
	assert_str(ev, USB_STORAGE_VENDOR, "PiKVM");
	assert_str(ev, USB_STORAGE_MODEL, "Optical Drive");
	assert_str(ev, USB_NET_INTERFACE, NULL);
	bed_free(&b);
}

static void test_jetkvm(void **state)
{
	struct bed b = { 0 };
	const struct event *ev = scan_port(&b, "jetkvm", "1-1");

	(void)state;
	assert_str(ev, USB_MANUFACTURER, "JetKVM");
	assert_str(ev, USB_PRODUCT, "USB Emulation Device");
	assert_str(ev, USB_SERIAL, NULL);		/* empty iSerial: no file */
	assert_str(ev, USB_CONFIGURATION, "Config 1: HID");
	assert_true(has_item(ev, USB_INTERFACES, "03:00:02"));
	assert_true(flag(ev, USB_IS_GADGET));
	assert_true(flag(ev, USB_HAS_ABSOLUTE_POINTER));
	assert_int_equal(num(ev, USB_ABS_MAX), 32767);
	assert_str(ev, USB_STORAGE_VENDOR, "JetKVM");
	assert_str(ev, USB_STORAGE_MODEL, "Virtual Media");
	bed_free(&b);
}

static void test_nanokvm(void **state)
{
	struct bed b = { 0 };
	const struct event *ev = scan_port(&b, "nanokvm", "1-1");

	(void)state;
	assert_str(ev, USB_VENDOR_ID, "3346");
	assert_str(ev, USB_PRODUCT_ID, "1009");
	assert_str(ev, USB_DEVICE_CLASS, "ef");
	assert_false(flag(ev, USB_IS_GADGET));		/* not the 1d6b vendor id */
	assert_true(has_item(ev, USB_INTERFACES, "03:00:01"));
	assert_true(flag(ev, USB_HAS_KEYBOARD));
	assert_true(flag(ev, USB_HAS_ABSOLUTE_POINTER));
	assert_int_equal(num(ev, USB_ABS_MAX), 32767);
	assert_str(ev, USB_STORAGE_VENDOR, "NanoKVM");
	assert_str(ev, USB_STORAGE_MODEL, "USB Mass Storage");
	bed_free(&b);
}

static void test_pikvm_reidentified(void **state)
{
	struct bed b = { 0 };
	const struct event *ev = scan_port(&b, "pikvm-reidentified", "1-1");

	(void)state;
	assert_str(ev, USB_VENDOR_ID, "046d");
	assert_str(ev, USB_PRODUCT, "USB Keyboard");
	assert_false(flag(ev, USB_IS_GADGET));
	assert_true(flag(ev, USB_HAS_KEYBOARD));
	assert_true(flag(ev, USB_HAS_ABSOLUTE_POINTER));
	assert_false(flag(ev, USB_HAS_DIGITIZER));
	assert_str(ev, USB_STORAGE_VENDOR, "Linux");
	assert_str(ev, USB_STORAGE_MODEL, "File-Stor Gadget");
	bed_free(&b);
}

static void test_flipper_no_strings(void **state)
{
	struct bed b = { 0 };
	const struct event *ev = scan_port(&b, "flipper-badusb", "1-1");

	(void)state;
	assert_str(ev, USB_VENDOR_ID, "046d");
	assert_str(ev, USB_PRODUCT_ID, "c529");
	assert_str(ev, USB_MANUFACTURER, NULL);
	assert_str(ev, USB_PRODUCT, NULL);
	assert_str(ev, USB_SERIAL, NULL);
	assert_int_equal(num(ev, USB_SPEED), 12);
	assert_true(flag(ev, USB_HAS_KEYBOARD));
	assert_true(flag(ev, USB_HAS_MOUSE));
	assert_false(flag(ev, USB_HAS_ABSOLUTE_POINTER));
	assert_null(event_get(ev, USB_ABS_MAX));		/* no absolute pointer */
	bed_free(&b);
}

static void test_root_hubs(void **state)
{
	struct bed b = { 0 };
	const struct event *ev = scan_port(&b, "root-hubs", "usb1");

	(void)state;
	assert_int_equal(nevents, 2);
	assert_str(ev, USB_VENDOR_ID, "1d6b");
	assert_str(ev, USB_PRODUCT_ID, "0002");
	assert_str(ev, USB_DEVICE_CLASS, "09");
	assert_true(flag(ev, USB_IS_HUB));
	assert_false(flag(ev, USB_IS_GADGET));
	assert_str(ev, USB_DRIVER, "hub");
	assert_true(has_item(ev, USB_INTERFACES, "09:00:00"));
	ev = find_port("usb2");
	assert_non_null(ev);
	assert_str(ev, USB_PRODUCT_ID, "0003");
	assert_int_equal(num(ev, USB_SPEED), 5000);
	assert_false(flag(ev, USB_IS_GADGET));
	bed_free(&b);
}

static void test_wacom_digitizer(void **state)
{
	struct bed b = { 0 };
	const struct event *ev = scan_port(&b, "wacom-tablet", "1-1");

	(void)state;
	assert_true(flag(ev, USB_HAS_DIGITIZER));
	assert_true(flag(ev, USB_HAS_ABSOLUTE_POINTER));
	assert_false(flag(ev, USB_HAS_MOUSE));
	assert_int_equal(num(ev, USB_ABS_MAX), 44800);
	bed_free(&b);

	ev = scan_port(&b, "touchscreen", "1-1");
	assert_true(flag(ev, USB_HAS_DIGITIZER));
	assert_true(flag(ev, USB_HAS_ABSOLUTE_POINTER));
	bed_free(&b);
}

static void test_usb_stick(void **state)
{
	struct bed b = { 0 };
	const struct event *ev = scan_port(&b, "usb-stick", "2-1");

	(void)state;
	assert_str(ev, USB_VENDOR_ID, "0781");
	assert_true(flag(ev, USB_HAS_MASS_STORAGE));
	assert_str(ev, USB_STORAGE_VENDOR, "SanDisk");
	assert_str(ev, USB_STORAGE_MODEL, "Ultra");
	assert_str(ev, USB_DRIVER, "usb-storage");
	assert_int_equal(num(ev, USB_SPEED), 5000);
	assert_false(flag(ev, USB_HAS_KEYBOARD));
	assert_false(flag(ev, USB_HAS_MOUSE));
	bed_free(&b);
}

/* The dock's NIC belongs to the device behind the hub, not to the hub. */
static void test_dock_net(void **state)
{
	struct bed b = { 0 };
	const struct event *hub = scan_port(&b, "lenovo-dock", "1-1");
	const struct event *nic = find_port("1-1.1");

	(void)state;
	assert_true(flag(hub, USB_IS_HUB));
	assert_str(hub, USB_NET_INTERFACE, NULL);
	assert_int_equal(list_len(hub, USB_INTERFACES), 1);
	assert_str(hub, USB_DRIVER, "hub");
	assert_non_null(nic);
	assert_str(nic, USB_VENDOR_ID, "0bda");
	assert_str(nic, USB_PRODUCT_ID, "8153");
	assert_str(nic, USB_NET_INTERFACE, "enx482ae3a1b2c4");
	assert_str(nic, USB_NET_MAC, "48:2a:e3:a1:b2:c4");
	assert_str(nic, USB_DRIVER, "r8152");
	assert_true(has_item(nic, USB_INTERFACES, "ff:ff:00"));
	bed_free(&b);
}

/* CH9329 behind the Openterface hub: the HID flags land on the CH9329. */
static void test_openterface_behind_hub(void **state)
{
	struct bed b = { 0 };
	const struct event *hub = scan_port(&b, "openterface-ch9329", "1-1");
	const struct event *ch = find_port("1-1.2");

	(void)state;
	assert_false(flag(hub, USB_HAS_KEYBOARD));
	assert_false(flag(hub, USB_HAS_ABSOLUTE_POINTER));
	assert_non_null(ch);
	assert_str(ch, USB_VENDOR_ID, "1a86");
	assert_str(ch, USB_PRODUCT_ID, "e129");
	assert_true(flag(ch, USB_HAS_KEYBOARD));
	assert_true(flag(ch, USB_HAS_ABSOLUTE_POINTER));
	assert_int_equal(num(ch, USB_ABS_MAX), 4095);
	bed_free(&b);
}

static void test_low_speed_and_ordinary_laptop(void **state)
{
	struct bed b = { 0 };
	const struct event *ev = scan_port(&b, "logitech-keyboard", "1-1");

	(void)state;
	assert_int_equal(num(ev, USB_SPEED), 1);	/* "1.5" */
	assert_true(flag(ev, USB_HAS_KEYBOARD));
	assert_false(flag(ev, USB_HAS_ABSOLUTE_POINTER));
	bed_free(&b);

	scan_port(&b, "ordinary-laptop", "1-1");
	/* 2 root hubs, receiver, yubikey, dock hub + NIC, camera, touch, stick */
	assert_int_equal(nevents, 9);
	for (size_t i = 0; i < nevents; i++) {
		const struct event *e = events[i];

		assert_false(flag(e, USB_IS_GADGET));
		if (flag(e, USB_HAS_ABSOLUTE_POINTER))
			assert_true(flag(e, USB_HAS_DIGITIZER));
	}
	assert_str(find_port("1-2"), USB_VENDOR_ID, "1050");
	assert_true(flag(find_port("1-2"), USB_HAS_KEYBOARD));
	assert_str(find_port("1-3.1"), USB_NET_INTERFACE, "enx482ae3a1b2c4");
	bed_free(&b);
}

/* ---- hot-plug ---- */

/* The device records of a fixture, without its root hub (already there). */
static char *device_records(const char *fixture, const char *from)
{
	char path[256], *buf, *p, *out;
	size_t len;

	snprintf(path, sizeof(path), FIXTURES "%s.umockdev", fixture);
	assert_int_equal(read_file_bounded(path, 1 << 20, &buf, &len), 0);
	p = strstr(buf, from);
	assert_non_null(p);
	out = strdup(p);
	free(buf);
	return out;
}

static void add_device(UMockdevTestbed *tb, const char *fixture)
{
	char *recs = device_records(fixture, "P: " DEV_PATH "\n");
	GError *err = NULL;

	if (!umockdev_testbed_add_from_string(tb, recs, &err))
		fail_msg("add: %s", err ? err->message : "?");
	free(recs);
}

/* scaled(S): S seconds times FH_TIME_SCALE (1 unless set; make test-asan
 * sets 3), for the bound of a hang detector: a test asserts behaviour,
 * never the speed of the machine it runs on. */
static unsigned scaled(unsigned s)
{
	const char *e = getenv("FH_TIME_SCALE");
	long k = e ? strtol(e, NULL, 10) : 1;

	return s * (unsigned)(k > 0 ? k : 1);
}

/* Until the uevent umockdev sent is readable: poll returns as soon as it
 * is, the (scaled) bound only decides when to give up. */
static void wait_readable(void *st)
{
	struct pollfd p = { .fd = usb_collector.fd(st), .events = POLLIN };

	assert_true(p.fd >= 0);
	assert_int_equal(poll(&p, 1, (int)scaled(30) * 1000), 1);
}

static void test_hotplug_add_settle_remove(void **state)
{
	struct bed b = { 0 };
	const struct event *ev;
	uint64_t before, after;

	(void)state;
	assert_int_equal(bed_scan(&b, "root-hubs"), 0);
	assert_int_equal(nevents, 2);
	clear_events();

	add_device(b.tb, "pikvm");
	umockdev_testbed_uevent(b.tb, PIKVM_PATH, "add");
	wait_readable(b.st);
	/* The add is parked at some moment between before and after, due
	 * settle_ms (500) later.  Asked at those two bounds, the answers hold
	 * however long the machine took between them (a clock read after
	 * on_ready, taken as "still within the settle time", did not). */
	before = now_monotonic_ms();
	assert_int_equal(usb_collector.on_ready(b.st), 0);
	after = now_monotonic_ms();
	assert_int_equal(nevents, 0);			/* parked, not built */

	assert_true(usb_collector.next_tick(b.st, after) <= 500);
	assert_true(usb_collector.next_tick(b.st, before) > 0);
	assert_int_equal(usb_collector.on_tick(b.st, before), 0);
	assert_int_equal(nevents, 0);			/* settle not over */
	assert_int_equal(usb_collector.on_tick(b.st, after + 600), 0);
	assert_int_equal(nevents, 1);
	ev = events[0];
	assert_str(ev, USB_ACTION, "add");
	assert_str(ev, USB_PORT, "1-1");
	assert_true(flag(ev, USB_HAS_ABSOLUTE_POINTER));
	assert_str(ev, USB_STORAGE_VENDOR, "PiKVM");
	/* nothing else pending: only the periodic rescan remains */
	assert_true(usb_collector.next_tick(b.st, after + 600) > 500);
	clear_events();

	/* remove: sysfs is gone, the remembered fields are reported */
	umockdev_testbed_uevent(b.tb, PIKVM_PATH, "remove");
	umockdev_testbed_remove_device(b.tb, PIKVM_PATH);
	wait_readable(b.st);
	assert_int_equal(usb_collector.on_ready(b.st), 0);
	assert_int_equal(nevents, 1);
	ev = events[0];
	assert_str(ev, USB_ACTION, "remove");
	assert_str(ev, USB_PORT, "1-1");
	assert_str(ev, USB_VENDOR_ID, "1d6b");
	assert_str(ev, USB_MANUFACTURER, "PiKVM");
	assert_true(flag(ev, USB_HAS_ABSOLUTE_POINTER));
	assert_int_equal(num(ev, USB_ABS_MAX), 32767);
	assert_str(ev, USB_STORAGE_MODEL, "Optical Drive");
	/* the structure fields too, as last reported */
	assert_str(ev, USB_USB_VERSION, "2.00");
	assert_int_equal(num(ev, USB_MAX_POWER_MA), 250);
	assert_int_equal(num(ev, USB_HID_INTERFACES), 3);
	ASSERT_LIST(ev, USB_HID_FINGERPRINTS, FP_BOOT_KEYBOARD, FP_PIKVM_ABS_MOUSE,
		    FP_BOOT_MOUSE);
	ASSERT_LIST(ev, USB_POINTER_KINDS, "mouse", "absolute");
	ASSERT_LIST(ev, USB_FUNCTIONS, "storage");
	assert_str(ev, USB_VID_PID, "1d6b:0104");
	assert_false(flag(ev, USB_VIA_USBIP));
	bed_free(&b);
}

/* Plugged and pulled within the settle time: one remove, never an add. */
static void test_hotplug_gone_before_settle(void **state)
{
	struct bed b = { 0 };

	(void)state;
	assert_int_equal(bed_scan(&b, "root-hubs"), 0);
	clear_events();
	add_device(b.tb, "jetkvm");
	umockdev_testbed_uevent(b.tb, PIKVM_PATH, "add");
	wait_readable(b.st);
	assert_int_equal(usb_collector.on_ready(b.st), 0);
	umockdev_testbed_uevent(b.tb, PIKVM_PATH, "remove");
	umockdev_testbed_remove_device(b.tb, PIKVM_PATH);
	wait_readable(b.st);
	assert_int_equal(usb_collector.on_ready(b.st), 0);
	assert_int_equal(nevents, 1);
	assert_str(events[0], USB_ACTION, "remove");
	assert_str(events[0], USB_PORT, "1-1");
	assert_str(events[0], USB_VENDOR_ID, "1d6b");	/* from PRODUCT= */
	assert_str(events[0], USB_PRODUCT_ID, "0104");
	assert_str(events[0], USB_VID_PID, "1d6b:0104");
	assert_false(flag(events[0], USB_VIA_USBIP));
	clear_events();
	assert_int_equal(usb_collector.on_tick(b.st, now_monotonic_ms() + 5000), 0);
	assert_int_equal(nevents, 0);
	bed_free(&b);
}

/* A USB/IP device never reported (plugged and pulled within the settle
 * time): its remove still says it came over USB/IP, from the controller
 * that outlives it. */
static void test_hotplug_usbip_gone(void **state)
{
	static const char dev[] = "P: /devices/platform/vhci_hcd.0/usb3/3-1\n";
	struct bed b = { 0 };
	char path[256], *text, *cut;
	GError *err = NULL;
	size_t len;

	(void)state;
	snprintf(path, sizeof(path), FIXTURES "usbip-qemu-tablet.umockdev");
	assert_int_equal(read_file_bounded(path, 1 << 20, &text, &len), 0);
	cut = strstr(text, dev);
	assert_non_null(cut);
	*cut = '\0';				/* the controller and its root hub */
	clear_events();
	b.tb = bed_new(NULL);
	if (!umockdev_testbed_add_from_string(b.tb, text, &err))
		fail_msg("controller: %s", err ? err->message : "?");
	free(text);
	bed_edit_scan(&b);
	assert_int_equal(nevents, 1);			/* the vhci root hub */
	clear_events();
	text = device_records("usbip-qemu-tablet", dev);
	if (!umockdev_testbed_add_from_string(b.tb, text, &err))
		fail_msg("device: %s", err ? err->message : "?");
	free(text);
	umockdev_testbed_uevent(b.tb, "/sys/devices/platform/vhci_hcd.0/usb3/3-1", "add");
	wait_readable(b.st);
	assert_int_equal(usb_collector.on_ready(b.st), 0);
	umockdev_testbed_uevent(b.tb, "/sys/devices/platform/vhci_hcd.0/usb3/3-1", "remove");
	umockdev_testbed_remove_device(b.tb, "/sys/devices/platform/vhci_hcd.0/usb3/3-1");
	wait_readable(b.st);
	assert_int_equal(usb_collector.on_ready(b.st), 0);
	assert_int_equal(nevents, 1);
	assert_str(events[0], USB_ACTION, "remove");
	assert_str(events[0], USB_PORT, "3-1");
	assert_str(events[0], USB_VID_PID, "0627:0001");
	assert_true(flag(events[0], USB_VIA_USBIP));
	bed_free(&b);
}

/* A device that arrived while uevents were lost is found by the rescan;
 * unchanged devices are not reported again; vanished ones are removed. */
static void test_rescan(void **state)
{
	struct bed b = { 0 };
	uint64_t t0 = now_monotonic_ms();

	(void)state;
	assert_int_equal(bed_scan(&b, "root-hubs"), 0);
	clear_events();
	add_device(b.tb, "nanokvm");			/* no uevent sent */

	assert_int_equal(usb_collector.on_tick(b.st, t0 + 1000), 0);
	assert_int_equal(nevents, 0);			/* rescan not due yet */
	assert_int_equal(usb_collector.on_tick(b.st, t0 + cfg.rescan_ms + 1000), 0);
	assert_int_equal(nevents, 1);
	assert_str(events[0], USB_ACTION, "add");
	assert_str(events[0], USB_PORT, "1-1");
	assert_str(events[0], USB_VENDOR_ID, "3346");
	clear_events();

	assert_int_equal(usb_collector.on_tick(b.st, t0 + 2 * cfg.rescan_ms + 2000), 0);
	assert_int_equal(nevents, 0);			/* unchanged: silent */

	umockdev_testbed_remove_device(b.tb, PIKVM_PATH);
	assert_int_equal(usb_collector.on_tick(b.st, t0 + 3 * cfg.rescan_ms + 3000), 0);
	assert_int_equal(nevents, 1);
	assert_str(events[0], USB_ACTION, "remove");
	assert_str(events[0], USB_PRODUCT, "NanoKVM");
	assert_str(events[0], USB_STORAGE_VENDOR, "NanoKVM");
	bed_free(&b);
}

/* Same port, other identity (remove+add lost): rescan reports both. */
static void test_rescan_identity_change(void **state)
{
	struct bed b = { 0 };
	uint64_t t0 = now_monotonic_ms();

	(void)state;
	assert_int_equal(bed_scan(&b, "pikvm"), 0);
	clear_events();
	umockdev_testbed_set_attribute(b.tb, PIKVM_PATH, "idVendor", "046d");
	umockdev_testbed_set_attribute(b.tb, PIKVM_PATH, "idProduct", "c31c");
	assert_int_equal(usb_collector.on_tick(b.st, t0 + cfg.rescan_ms + 1000), 0);
	assert_int_equal(nevents, 2);
	assert_str(events[0], USB_ACTION, "remove");
	assert_str(events[0], USB_VENDOR_ID, "1d6b");
	assert_str(events[1], USB_ACTION, "add");
	assert_str(events[1], USB_VENDOR_ID, "046d");
	assert_true(flag(events[1], USB_HAS_ABSOLUTE_POINTER));
	bed_free(&b);
}

/* The known-device table at its bound (512, collectors/known.h: the
 * oldest is forgotten and counted, the new one tracked).  BOUND_EXTRA
 * devices more than the table holds are there at start; every one is
 * reported, the table holds 512, the rest are counted as evicted; then
 * every device goes and a rescan reports the removal of each device the
 * table still holds, and of no other. */
#define USB_BOUND 512
#define BOUND_EXTRA 9

static void add_plain_device(UMockdevTestbed *tb, int i)
{
	char name[32], pid[8], devpath[16];
	gchar *sys;

	snprintf(name, sizeof(name), "1-%d", i + 1);
	snprintf(pid, sizeof(pid), "%04x", (unsigned)i);
	snprintf(devpath, sizeof(devpath), "%d", i + 1);
	sys = umockdev_testbed_add_device(tb, "usb", name, NULL,
		"idVendor", "abcd", "idProduct", pid, "bcdDevice", "0100",
		"bDeviceClass", "00", "speed", "12", "devpath", devpath, NULL,
		"DEVTYPE", "usb_device", "PRODUCT", "abcd/1/100", NULL);
	assert_non_null(sys);
	g_free(sys);		/* the new device's sysfs path, ours to free */
}

static void test_known_bound(void **state)
{
	const int n = USB_BOUND + BOUND_EXTRA;
	struct bed b = { 0 };
	struct collector_stats s = { 0 };
	char path[64];

	(void)state;
	clear_events();
	b.tb = bed_new(NULL);
	for (int i = 0; i < n; i++)
		add_plain_device(b.tb, i);
	count_only = true;
	counted_present = counted_remove = 0;
	assert_int_equal(usb_collector.init(&ctx, &b.st), 0);
	assert_int_equal(usb_collector.scan(b.st), 0);
	assert_int_equal(counted_present, n);		/* all reported */
	usb_collector.stats(b.st, &s);
	assert_int_equal(s.tracked, USB_BOUND);
	assert_int_equal(s.evicted, BOUND_EXTRA);
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/sys/devices/1-%d", i + 1);
		umockdev_testbed_remove_device(b.tb, path);
	}
	assert_int_equal(usb_collector.on_tick(b.st, now_monotonic_ms() + cfg.rescan_ms + 1000), 0);
	assert_int_equal(counted_remove, USB_BOUND);	/* the tracked ones, once each */
	usb_collector.stats(b.st, &s);
	assert_int_equal(s.tracked, 0);
	count_only = false;
	bed_free(&b);
}

static void test_free_null(void **state)
{
	(void)state;
	usb_collector.free(NULL);
	assert_int_equal(usb_collector.next_tick(NULL, 0), UINT64_MAX);
	assert_int_equal(usb_collector.fd(NULL), -1);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_usb_bus),
		cmocka_unit_test(test_pikvm),
		cmocka_unit_test(test_jetkvm),
		cmocka_unit_test(test_nanokvm),
		cmocka_unit_test(test_pikvm_reidentified),
		cmocka_unit_test(test_flipper_no_strings),
		cmocka_unit_test(test_root_hubs),
		cmocka_unit_test(test_wacom_digitizer),
		cmocka_unit_test(test_usb_stick),
		cmocka_unit_test(test_dock_net),
		cmocka_unit_test(test_openterface_behind_hub),
		cmocka_unit_test(test_low_speed_and_ordinary_laptop),
		cmocka_unit_test(test_hotplug_add_settle_remove),
		cmocka_unit_test(test_hotplug_gone_before_settle),
		cmocka_unit_test(test_hotplug_usbip_gone),
		cmocka_unit_test(test_rescan),
		cmocka_unit_test(test_rescan_identity_change),
		cmocka_unit_test(test_known_bound),
		cmocka_unit_test(test_free_null),
	};

	(void)argc;
	if (usb_testbed_wrap("test_usb", argv[0]) != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
