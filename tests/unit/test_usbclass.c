/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_usbclass.c - collectors/usb/usbclass.c: interface class triplets and
 * drivers to the functions field (USB-IF defined class codes,
 * https://www.usb.org/defined-class-codes; USB CDC 1.2 subclasses), and the
 * sysfs bcdUSB ("%2x.%02x") and bMaxPower ("%dmA") values as the kernel
 * writes them, with what is refused.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "collectors/usb/usbclass.h"

/* Class triplets and drivers to functions (usbclass.c), one row per
 * mapping the field description promises. */
static void test_iface_function_table(void **state)
{
	static const struct {
		unsigned int cls, sub, proto;
		const char *driver;
		unsigned int want;
	} rows[] = {
		{ 0x01, 0x01, 0x00, "snd-usb-audio", USB_FN_AUDIO },
		{ 0x0e, 0x02, 0x00, "uvcvideo", USB_FN_VIDEO },
		{ 0x02, 0x06, 0x00, "cdc_ether", USB_FN_NETWORK },	/* ECM */
		{ 0x02, 0x0c, 0x07, NULL, USB_FN_NETWORK },		/* EEM */
		{ 0x02, 0x0d, 0x00, "cdc_ncm", USB_FN_NETWORK },	/* NCM */
		{ 0x02, 0x0e, 0x00, "cdc_mbim", USB_FN_NETWORK },	/* MBIM */
		{ 0x02, 0x02, 0xff, "rndis_host", USB_FN_NETWORK },	/* RNDIS */
		{ 0xe0, 0x01, 0x03, "rndis_host", USB_FN_NETWORK },
		{ 0xef, 0x04, 0x01, "rndis_host", USB_FN_NETWORK },
		{ 0xff, 0xff, 0x00, "r8152", USB_FN_NETWORK },
		{ 0xff, 0xff, 0x00, "ax88179_178a", USB_FN_NETWORK },
		{ 0xff, 0xff, 0x00, "asix", USB_FN_NETWORK },
		{ 0x08, 0x06, 0x50, "usb-storage", USB_FN_STORAGE },
		{ 0x08, 0x06, 0x62, "uas", USB_FN_STORAGE },
		{ 0x02, 0x02, 0x01, "cdc_acm", USB_FN_SERIAL },
		{ 0x02, 0x02, 0x00, NULL, USB_FN_SERIAL },
		{ 0xff, 0x01, 0x02, "ch341", USB_FN_SERIAL },
		{ 0xff, 0x00, 0x00, "cp210x", USB_FN_SERIAL },
		{ 0xff, 0xff, 0xff, "ftdi_sio", USB_FN_SERIAL },
		{ 0xff, 0x00, 0x00, "pl2303", USB_FN_SERIAL },
		{ 0x07, 0x01, 0x02, "usblp", USB_FN_PRINTER },
		{ 0x0b, 0x00, 0x00, NULL, USB_FN_SMARTCARD },
		{ 0xe0, 0x01, 0x01, "btusb", USB_FN_WIRELESS },
		{ 0xff, 0xff, 0xff, NULL, USB_FN_VENDOR },
		{ 0xff, 0x5d, 0x01, "xpad", USB_FN_VENDOR },
		{ 0x03, 0x01, 0x01, "usbhid", 0 },		/* HID: its own fields */
		{ 0x09, 0x00, 0x00, "hub", 0 },
		{ 0x0a, 0x00, 0x00, "cdc_ether", 0 },		/* CDC data */
		{ 0x02, 0x0a, 0x00, NULL, 0 },
		{ 0xe0, 0x01, 0x02, NULL, 0 },
		{ 0xef, 0x04, 0x08, NULL, 0 },
		{ 0xef, 0x02, 0x01, NULL, 0 },
		{ 0xfe, 0x01, 0x01, NULL, 0 },			/* DFU */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		unsigned int got = usb_iface_function(rows[i].cls, rows[i].sub, rows[i].proto,
						      rows[i].driver);

		if (got != rows[i].want)
			fail_msg("row %zu (%02x/%02x/%02x %s): %#x, want %#x", i, rows[i].cls,
				 rows[i].sub, rows[i].proto,
				 rows[i].driver ? rows[i].driver : "-", got, rows[i].want);
	}
	assert_string_equal(usb_function_name(0), "audio");
	assert_string_equal(usb_function_name(USB_FN_COUNT - 1), "vendor");
	assert_null(usb_function_name(USB_FN_COUNT));
}

/* bcdUSB and bMaxPower as the kernel writes them, and what is refused. */
static void test_parse_version_power(void **state)
{
	static const char *const bad_version[] = {
		"", "2", "2.0", "2.000", " 2.0 0", "x.00", "123.00", ".00", "2..00", "2.00x",
		"2.00\n\n", "-2.00",
	};
	static const char *const bad_power[] = {
		"", "mA", "250", "250 mA", "250ma", "99999mA", "-5mA", "250mAx", "25O mA",
		"250mA\n\n", " 250mA",
	};
	char v[USB_VERSION_LEN];
	int64_t ma;

	(void)state;
	assert_int_equal(usb_parse_version(" 2.00", v), 0);
	assert_string_equal(v, "2.00");
	assert_int_equal(usb_parse_version(" 1.10\n", v), 0);
	assert_string_equal(v, "1.10");
	assert_int_equal(usb_parse_version(" 3.20", v), 0);
	assert_string_equal(v, "3.20");
	assert_int_equal(usb_parse_version("ff.FF", v), 0);	/* hostile bcdUSB 0xffff */
	assert_string_equal(v, "ff.ff");
	for (size_t i = 0; i < sizeof(bad_version) / sizeof(bad_version[0]); i++)
		if (usb_parse_version(bad_version[i], v) != -EINVAL)
			fail_msg("version \"%s\" accepted", bad_version[i]);
	assert_int_equal(usb_parse_version(NULL, v), -EINVAL);

	assert_int_equal(usb_parse_max_power("250mA", &ma), 0);
	assert_int_equal(ma, 250);
	assert_int_equal(usb_parse_max_power("896mA\n", &ma), 0);
	assert_int_equal(ma, 896);
	assert_int_equal(usb_parse_max_power("0mA", &ma), 0);
	assert_int_equal(ma, 0);
	assert_int_equal(usb_parse_max_power("2040mA", &ma), 0);
	assert_int_equal(ma, 2040);
	for (size_t i = 0; i < sizeof(bad_power) / sizeof(bad_power[0]); i++)
		if (usb_parse_max_power(bad_power[i], &ma) != -EINVAL)
			fail_msg("bMaxPower \"%s\" accepted", bad_power[i]);
	assert_int_equal(usb_parse_max_power(NULL, &ma), -EINVAL);
}

/* usb_dmi_is_virtual: the hypervisors' DMI identities say "virtual", real
 * laptops and the vendors that also sell hardware (Microsoft's Surface,
 * Google's Chromebooks, Oracle's servers) do not, and no DMI is unknown. */
static void test_dmi_is_virtual(void **state)
{
	(void)state;
	assert_int_equal(usb_dmi_is_virtual("QEMU", "Standard PC (Q35 + ICH9, 2009)", "SeaBIOS"), 1);
	assert_int_equal(usb_dmi_is_virtual("VMware, Inc.", "VMware Virtual Platform", NULL), 1);
	assert_int_equal(usb_dmi_is_virtual("innotek GmbH", "VirtualBox", "innotek GmbH"), 1);
	assert_int_equal(usb_dmi_is_virtual("Oracle Corporation", "VirtualBox", NULL), 1);
	assert_int_equal(usb_dmi_is_virtual("Microsoft Corporation", "Virtual Machine", NULL), 1);
	assert_int_equal(usb_dmi_is_virtual("Amazon EC2", "c5.large", NULL), 1);
	assert_int_equal(usb_dmi_is_virtual("Google", "Google Compute Engine", NULL), 1);
	assert_int_equal(usb_dmi_is_virtual(NULL, NULL, "SeaBIOS"), 0);
	assert_int_equal(usb_dmi_is_virtual("Xen", "HVM domU", NULL), 1);
	assert_int_equal(usb_dmi_is_virtual("LENOVO", "21HD0053US", "LENOVO"), 0);
	assert_int_equal(usb_dmi_is_virtual("Dell Inc.", "Latitude 7440", "Dell Inc."), 0);
	assert_int_equal(usb_dmi_is_virtual("Microsoft Corporation", "Surface Laptop 5", NULL), 0);
	assert_int_equal(usb_dmi_is_virtual("Google", "Brya", NULL), 0);
	assert_int_equal(usb_dmi_is_virtual("Oracle Corporation", "SUN SERVER X4-2", NULL), 0);
	assert_int_equal(usb_dmi_is_virtual(NULL, NULL, NULL), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iface_function_table),
		cmocka_unit_test(test_parse_version_power),
		cmocka_unit_test(test_dmi_is_virtual),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
