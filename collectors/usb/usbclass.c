/* SPDX-License-Identifier: Apache-2.0 */
/*
 * usbclass.c - interface class triplets and drivers to functions, and the
 * bcdUSB and bMaxPower attributes (usbclass.h).
 *
 * Class codes: USB-IF "Defined Class Codes" (https://www.usb.org/defined-class-codes):
 * 01 Audio, 02 Communications (CDC), 07 Printer, 08 Mass Storage, 0a CDC
 * Data, 0b Smart Card, 0e Video, e0 Wireless Controller (01/01 Bluetooth
 * Programming Interface, 01/03 RNDIS), ef Miscellaneous (04/01..07 RNDIS
 * over Ethernet, WiFi, WiMAX, WWAN, raw IPv4/IPv6, GPRS), ff vendor
 * specific.  CDC subclasses (USB CDC 1.2 §4.3, Table 4): 02 ACM, 06 ECM,
 * 0c EEM, 0d NCM, 0e MBIM.  02/02/ff is ACM with a vendor protocol, the
 * shape Microsoft's RNDIS takes and Linux's rndis_host binds
 * (drivers/net/usb/rndis_host.c: USB_INTERFACE_INFO(USB_CLASS_COMM, 2, 0xff)),
 * so it is network, not serial.  A CDC Data interface (0a) carries the
 * traffic of its control interface and says nothing by itself.
 *
 * Virtual machines: a QEMU tablet (0627:0001) is ordinary inside a VM and
 * a lie on bare metal, so the event says whether this machine is one, from
 * the DMI identity the firmware reports.  The vendor strings are the ones
 * systemd's virtualization detection matches (systemd src/basic/virt.c,
 * dmi_vendor_table): QEMU, KVM, Amazon EC2, VMware, VirtualBox/innotek,
 * Xen, Bochs, Parallels, BHYVE, Hyper-V ("Microsoft Corporation" with the
 * product "Virtual Machine"), Google Compute Engine, OpenStack, Apple
 * Virtualization.
 *
 * Vendor-specific interfaces say what they are only through the driver
 * Linux binds: the USB NIC drivers and the USB-serial drivers below are
 * named, any other (or none) is "vendor".
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "usbclass.h"

#define CLS_AUDIO	0x01
#define CLS_CDC		0x02
#define CLS_PRINTER	0x07
#define CLS_STORAGE	0x08
#define CLS_SMARTCARD	0x0b
#define CLS_VIDEO	0x0e
#define CLS_WIRELESS	0xe0
#define CLS_MISC	0xef
#define CLS_VENDOR	0xff

static const char *const fn_names[USB_FN_COUNT] = {
	"audio", "video", "network", "storage", "serial", "printer",
	"smartcard", "wireless", "vendor",
};

/* Linux drivers of vendor-class USB network adapters and tethering. */
static const char *const net_drivers[] = {
	"rndis_host", "cdc_ether", "cdc_eem", "cdc_ncm", "cdc_mbim", "r8152",
	"ax88179_178a", "asix", "smsc95xx", "lan78xx", "ipheth", NULL,
};

/* Linux drivers of USB-serial adapters (drivers/usb/serial, cdc-acm). */
static const char *const serial_drivers[] = {
	"cdc_acm", "ch341", "cp210x", "ftdi_sio", "pl2303", NULL,
};

static bool in_list(const char *const *list, const char *s)
{
	if (!s)
		return false;
	for (; *list; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

static unsigned int cdc_function(unsigned int sub, unsigned int proto)
{
	switch (sub) {
	case 0x02:
		return proto == 0xff ? USB_FN_NETWORK : USB_FN_SERIAL;
	case 0x06:	/* ECM */
	case 0x0c:	/* EEM */
	case 0x0d:	/* NCM */
	case 0x0e:	/* MBIM */
		return USB_FN_NETWORK;
	default:
		return 0;
	}
}

unsigned int usb_iface_function(unsigned int cls, unsigned int sub, unsigned int proto,
				const char *driver)
{
	switch (cls) {
	case CLS_AUDIO:
		return USB_FN_AUDIO;
	case CLS_CDC:
		return cdc_function(sub, proto);
	case CLS_PRINTER:
		return USB_FN_PRINTER;
	case CLS_STORAGE:
		return USB_FN_STORAGE;
	case CLS_SMARTCARD:
		return USB_FN_SMARTCARD;
	case CLS_VIDEO:
		return USB_FN_VIDEO;
	case CLS_WIRELESS:
		if (sub == 0x01 && proto == 0x01)
			return USB_FN_WIRELESS;
		return sub == 0x01 && proto == 0x03 ? USB_FN_NETWORK : 0;
	case CLS_MISC:
		return sub == 0x04 && proto >= 0x01 && proto <= 0x07 ? USB_FN_NETWORK : 0;
	case CLS_VENDOR:
		if (in_list(net_drivers, driver))
			return USB_FN_NETWORK;
		return in_list(serial_drivers, driver) ? USB_FN_SERIAL : USB_FN_VENDOR;
	default:
		return 0;
	}
}

const char *usb_function_name(size_t i)
{
	return i < USB_FN_COUNT ? fn_names[i] : NULL;
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* The end of a sysfs value: nothing, or the newline the kernel adds. */
static bool at_end(const char *s)
{
	return s[0] == '\0' || (s[0] == '\n' && s[1] == '\0');
}

int usb_parse_version(const char *s, char out[USB_VERSION_LEN])
{
	size_t major = 0, n;

	if (!s || !out)
		return -EINVAL;
	while (*s == ' ')
		s++;
	while (major < 3 && is_hex(s[major]))
		major++;
	if (major == 0 || major > 2 || s[major] != '.' || !is_hex(s[major + 1]) ||
	    !is_hex(s[major + 2]) || !at_end(s + major + 3))
		return -EINVAL;
	for (n = 0; n < major + 3; n++)
		out[n] = (char)(s[n] >= 'A' && s[n] <= 'F' ? s[n] - 'A' + 'a' : s[n]);
	out[n] = '\0';
	return 0;
}

int usb_parse_max_power(const char *s, int64_t *ma)
{
	int64_t v = 0;
	size_t n = 0;

	if (!s || !ma)
		return -EINVAL;
	/* Why 4 digits: the kernel's value is at most 255 * 8 = 2040. */
	while (n < 5 && s[n] >= '0' && s[n] <= '9')
		v = v * 10 + (s[n++] - '0');
	if (n == 0 || n > 4 || s[n] != 'm' || s[n + 1] != 'A' || !at_end(s + n + 2))
		return -EINVAL;
	*ma = v;
	return 0;
}

static bool starts_with(const char *s, const char *prefix)
{
	return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

int usb_dmi_is_virtual(const char *sys_vendor, const char *product_name,
		       const char *bios_vendor)
{
	static const char *const vendors[] = {
		"QEMU", "KVM", "Amazon EC2", "VMware", "VMW", "innotek GmbH",
		"VirtualBox", "Oracle Corporation", "Xen", "Bochs", "Parallels",
		"BHYVE", "Google", "OpenStack", "Apple Virtualization",
	};
	const char *const fields[] = { sys_vendor, product_name, bios_vendor };

	if (!sys_vendor && !product_name && !bios_vendor)
		return -ENOENT;
	/* Hyper-V: the vendor is Microsoft's, the product says what it is. */
	if (starts_with(sys_vendor, "Microsoft Corporation") &&
	    starts_with(product_name, "Virtual Machine"))
		return 1;
	for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++)
		for (size_t i = 0; i < sizeof(vendors) / sizeof(vendors[0]); i++)
			if (starts_with(fields[f], vendors[i]) &&
			    /* Oracle sells servers too: only its VirtualBox. */
			    (strcmp(vendors[i], "Oracle Corporation") != 0 ||
			     starts_with(product_name, "VirtualBox")) &&
			    /* Google sells laptops: only its cloud. */
			    (strcmp(vendors[i], "Google") != 0 ||
			     starts_with(product_name, "Google Compute Engine")))
				return 1;
	return 0;
}

int usb_machine_virtual(struct udev *udev)
{
	struct udev_device *d = udev ?
		udev_device_new_from_subsystem_sysname(udev, "dmi", "id") : NULL;
	int r;

	if (!d)
		return -ENOENT;
	r = usb_dmi_is_virtual(udev_device_get_sysattr_value(d, "sys_vendor"),
			       udev_device_get_sysattr_value(d, "product_name"),
			       udev_device_get_sysattr_value(d, "bios_vendor"));
	udev_device_unref(d);
	return r;
}
