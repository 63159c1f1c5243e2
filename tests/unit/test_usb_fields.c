/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_usb_fields.c - the USB collector's structure fields against umockdev
 * testbeds: usb_version, max_power_ma, hid_interfaces, hid_fingerprints,
 * pointer_kinds, functions, vid_pid and via_usbip, on the fixtures of
 * tests/fixtures/usb/ and on copies edited to be hostile (a repeated or
 * oversized descriptor, malformed attributes) or to isolate one cause (a
 * renamed USB/IP controller, an unknown NIC driver).  Harness:
 * usb_testbed.h.
 */
#include "usb_testbed.h"

static void test_structure_pikvm(void **state)
{
	struct bed b = { 0 };
	const struct event *ev = scan_port(&b, "pikvm", "1-1");
	const struct event *hub = find_port("usb1");
	struct collector_stats st = { 0 };

	(void)state;
	assert_str(ev, USB_USB_VERSION, "2.00");		/* sysfs " 2.00" */
	assert_int_equal(num(ev, USB_MAX_POWER_MA), 250);
	assert_int_equal(num(ev, USB_HID_INTERFACES), 3);
	assert_str(ev, USB_VID_PID, "1d6b:0104");
	assert_false(flag(ev, USB_VIA_USBIP));
	/* interface order: keyboard 1.0, absolute mouse 1.1, boot mouse 1.2 */
	ASSERT_LIST(ev, USB_HID_FINGERPRINTS, FP_BOOT_KEYBOARD, FP_PIKVM_ABS_MOUSE,
		    FP_BOOT_MOUSE);
	ASSERT_LIST(ev, USB_POINTER_KINDS, "mouse", "absolute");
	ASSERT_LIST(ev, USB_FUNCTIONS, "storage");
	/* the root hub: no HID, no function, no power of its own */
	assert_non_null(hub);
	assert_int_equal(num(hub, USB_HID_INTERFACES), 0);
	assert_int_equal(list_len(hub, USB_HID_FINGERPRINTS), 0);
	assert_int_equal(list_len(hub, USB_POINTER_KINDS), 0);
	assert_int_equal(list_len(hub, USB_FUNCTIONS), 0);
	assert_int_equal(num(hub, USB_MAX_POWER_MA), 0);
	assert_str(hub, USB_VID_PID, "1d6b:0002");
	usb_collector.stats(b.st, &st);
	assert_int_equal(st.skipped, 0);		/* nothing malformed */
	bed_free(&b);
}

/* Pointer kinds of real-looking devices: a touch screen is not a touch
 * pad nor an absolute mouse; a pen tablet is a pen; a CH9329 declares both
 * an absolute and a relative mouse. */
static void test_structure_pointer_kinds(void **state)
{
	struct bed b = { 0 };
	const struct event *ev;

	(void)state;
	ev = scan_port(&b, "touchscreen", "1-1");
	ASSERT_LIST(ev, USB_POINTER_KINDS, "touchscreen");
	assert_int_equal(num(ev, USB_HID_INTERFACES), 1);
	bed_free(&b);
	ev = scan_port(&b, "wacom-tablet", "1-1");
	ASSERT_LIST(ev, USB_POINTER_KINDS, "pen");
	assert_int_equal(num(ev, USB_MAX_POWER_MA), 498);
	bed_free(&b);
	ev = scan_port(&b, "logitech-mouse", "1-1");
	ASSERT_LIST(ev, USB_POINTER_KINDS, "mouse");
	bed_free(&b);
	ev = scan_port(&b, "logitech-unifying", "1-1");
	ASSERT_LIST(ev, USB_POINTER_KINDS, "mouse");
	assert_int_equal(num(ev, USB_HID_INTERFACES), 3);
	assert_int_equal(list_len(ev, USB_HID_FINGERPRINTS), 3);
	bed_free(&b);
	scan_port(&b, "openterface-ch9329", "1-1");
	ASSERT_LIST(find_port("1-1.2"), USB_POINTER_KINDS, "mouse", "absolute");
	assert_int_equal(list_len(find_port("1-1"), USB_POINTER_KINDS), 0);	/* its hub */
	bed_free(&b);
	ev = scan_port(&b, "logitech-keyboard", "1-1");
	assert_int_equal(list_len(ev, USB_POINTER_KINDS), 0);
	assert_int_equal(num(ev, USB_MAX_POWER_MA), 90);
	bed_free(&b);
}

/* The non-HID functions, in the field's fixed order. */
static void test_structure_functions(void **state)
{
	struct bed b = { 0 };
	const struct event *ev;

	(void)state;
	/* ACM + mass storage + HID + two audio interfaces */
	ev = scan_port(&b, "pico-ducky", "1-1");
	ASSERT_LIST(ev, USB_FUNCTIONS, "audio", "storage", "serial");
	assert_int_equal(num(ev, USB_HID_INTERFACES), 1);
	bed_free(&b);
	ev = scan_port(&b, "generic-linux-gadget", "1-1");	/* CDC ECM */
	ASSERT_LIST(ev, USB_FUNCTIONS, "network");
	bed_free(&b);
	ev = scan_port(&b, "flipper-zero-vcp", "1-1");		/* CDC ACM */
	ASSERT_LIST(ev, USB_FUNCTIONS, "serial");
	bed_free(&b);
	scan_port(&b, "ordinary-laptop", "1-1");
	ASSERT_LIST(find_port("1-2"), USB_FUNCTIONS, "smartcard");	/* YubiKey CCID */
	ASSERT_LIST(find_port("1-3.1"), USB_FUNCTIONS, "network");	/* ff + r8152 */
	assert_int_equal(list_len(find_port("1-3"), USB_FUNCTIONS), 0);	/* the dock hub */
	ASSERT_LIST(find_port("1-6"), USB_FUNCTIONS, "video");
	ASSERT_LIST(find_port("2-1"), USB_FUNCTIONS, "storage");
	assert_str(find_port("usb2"), USB_USB_VERSION, "3.00");	/* SuperSpeed root hub */
	assert_str(find_port("1-2"), USB_USB_VERSION, "2.00");
	assert_int_equal(num(find_port("2-1"), USB_MAX_POWER_MA), 896);
	assert_str(find_port("2-1"), USB_USB_VERSION, "3.20");		/* SuperSpeed stick */
	assert_int_equal(list_len(find_port("1-1"), USB_FUNCTIONS), 0);	/* HID only */
	for (size_t i = 0; i < nevents; i++)
		assert_false(flag(events[i], USB_VIA_USBIP));
	bed_free(&b);
}

#define PIKVM_HID_2 PIKVM_PATH "/1-1:1.1/0003:1D6B:0104.0002"
#define PIKVM_HID_3 PIKVM_PATH "/1-1:1.2/0003:1D6B:0104.0003"

/* The same descriptor on two interfaces is fingerprinted once; the
 * interface is still counted. */
static void test_fingerprint_dedupe(void **state)
{
	struct bed b = { 0 };
	UMockdevTestbed *tb = bed_edit_begin(&b, "pikvm");
	char *kbd;
	size_t len;
	const struct event *ev;

	(void)state;
	/* the test runs under the umockdev preload: /sys is the testbed */
	assert_int_equal(read_file_bounded("/sys" DEV_PATH "/1-1:1.0/0003:1D6B:0104.0001/report_descriptor",
					   4096, &kbd, &len), 0);
	assert_true(len > 0);
	umockdev_testbed_set_attribute_binary(tb, PIKVM_HID_3, "report_descriptor",
					      (guint8 *)kbd, (gssize)len);
	free(kbd);
	bed_edit_scan(&b);
	ev = find_port("1-1");
	assert_non_null(ev);
	assert_int_equal(num(ev, USB_HID_INTERFACES), 3);
	ASSERT_LIST(ev, USB_HID_FINGERPRINTS, FP_BOOT_KEYBOARD, FP_PIKVM_ABS_MOUSE);
	ASSERT_LIST(ev, USB_POINTER_KINDS, "absolute");	/* the boot mouse is gone */
	bed_free(&b);
}

/* Attributes not as the kernel writes them, and a descriptor larger than
 * Linux accepts: the field is left unset (no fingerprint), the rest of the
 * event stands, each is counted in stats().skipped. */
static void test_malformed_counted(void **state)
{
	struct bed b = { 0 };
	UMockdevTestbed *tb = bed_edit_begin(&b, "pikvm");
	struct collector_stats st = { 0 };
	static guint8 big[5000];
	const struct event *ev;

	(void)state;
	memset(big, 0xc0, sizeof(big));
	umockdev_testbed_set_attribute(tb, PIKVM_PATH, "bMaxPower", "lots");
	umockdev_testbed_set_attribute(tb, PIKVM_PATH, "version", "2.0");
	umockdev_testbed_set_attribute_binary(tb, PIKVM_HID_2, "report_descriptor", big,
					      sizeof(big));
	bed_edit_scan(&b);
	ev = find_port("1-1");
	assert_non_null(ev);
	assert_null(event_get_str(ev, USB_USB_VERSION));
	assert_false(event_get(ev, USB_MAX_POWER_MA) && event_get(ev, USB_MAX_POWER_MA)->set);
	ASSERT_LIST(ev, USB_HID_FINGERPRINTS, FP_BOOT_KEYBOARD, FP_BOOT_MOUSE);
	assert_int_equal(num(ev, USB_HID_INTERFACES), 3);
	assert_true(flag(ev, USB_HAS_KEYBOARD));
	assert_str(ev, USB_VID_PID, "1d6b:0104");
	usb_collector.stats(b.st, &st);
	assert_int_equal(st.skipped, 3);
	bed_free(&b);
}

/* A network interface makes a device a network function whatever its
 * interface class and driver say: the dock's NIC with an unknown driver
 * is a vendor interface that created a network interface. */
static void test_structure_net_child(void **state)
{
	static const char *const edits[] = {
		"drivers/r8152", "drivers/mystery_nic", "DRIVER=r8152", "DRIVER=mystery_nic",
	};
	struct bed b = { 0 };
	const struct event *nic;

	(void)state;
	bed_scan_edited(&b, "lenovo-dock", edits, 4);
	nic = find_port("1-1.1");
	assert_non_null(nic);
	assert_str(nic, USB_DRIVER, "mystery_nic");
	ASSERT_LIST(nic, USB_FUNCTIONS, "network", "vendor");
	bed_free(&b);
}

/* QEMU's tablet imported over USB/IP: under vhci_hcd.0, known by its path
 * and, with the path renamed, by its controller's driver; with neither,
 * not via USB/IP. */
static void test_usbip(void **state)
{
	static const char *const renamed[] = { "/vhci_hcd.0", "/virt-hc.0" };
	static const char *const driverless[] = {
		"drivers/vhci_hcd", "drivers/dummy_hcd", "DRIVER=vhci_hcd", "DRIVER=dummy_hcd",
	};
	static const char *const other[] = {
		"/vhci_hcd.0", "/virt-hc.0", "drivers/vhci_hcd", "drivers/dummy_hcd",
		"DRIVER=vhci_hcd", "DRIVER=dummy_hcd",
	};
	struct bed b = { 0 };
	const struct event *ev = scan_port(&b, "usbip-qemu-tablet", "3-1");

	(void)state;
	assert_true(flag(ev, USB_VIA_USBIP));
	assert_true(flag(find_port("usb3"), USB_VIA_USBIP));	/* vhci's root hub */
	assert_str(ev, USB_VID_PID, "0627:0001");
	assert_str(ev, USB_PRODUCT, "QEMU USB Tablet");
	assert_str(ev, USB_USB_VERSION, "2.00");
	assert_int_equal(num(ev, USB_MAX_POWER_MA), 100);
	assert_int_equal(num(ev, USB_HID_INTERFACES), 1);
	ASSERT_LIST(ev, USB_HID_FINGERPRINTS, FP_QEMU_TABLET);
	ASSERT_LIST(ev, USB_POINTER_KINDS, "absolute");
	assert_int_equal(list_len(ev, USB_FUNCTIONS), 0);
	bed_free(&b);

	bed_scan_edited(&b, "usbip-qemu-tablet", renamed, 2);
	ev = find_port("3-1");
	assert_non_null(ev);
	assert_int_equal(access("/sys/devices/platform/virt-hc.0/usb3/3-1", F_OK), 0);
	assert_true(flag(ev, USB_VIA_USBIP));
	bed_free(&b);

	bed_scan_edited(&b, "usbip-qemu-tablet", driverless, 4);
	ev = find_port("3-1");
	assert_non_null(ev);
	assert_true(flag(ev, USB_VIA_USBIP));		/* the path alone says so */
	bed_free(&b);

	bed_scan_edited(&b, "usbip-qemu-tablet", other, 6);
	ev = find_port("3-1");
	assert_non_null(ev);
	assert_false(flag(ev, USB_VIA_USBIP));
	bed_free(&b);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_structure_pikvm),
		cmocka_unit_test(test_structure_pointer_kinds),
		cmocka_unit_test(test_structure_functions),
		cmocka_unit_test(test_structure_net_child),
		cmocka_unit_test(test_fingerprint_dedupe),
		cmocka_unit_test(test_malformed_counted),
		cmocka_unit_test(test_usbip),
	};

	(void)argc;
	if (usb_testbed_wrap("test_usb_fields", argv[0]) != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
