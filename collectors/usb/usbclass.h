/* SPDX-License-Identifier: Apache-2.0 */
/*
 * usbclass.h - what an interface is for (the non-HID functions of a
 * device), and the other sysfs values of a usb_device that need reading.
 *
 * A keyboard that is also a network card, a webcam or a disk is not an
 * ordinary keyboard: the functions a device carries beside its HID
 * interfaces are structure its identity (ids, strings) does not change.
 * usb_iface_function() names the function of one interface from its class
 * triplet, as the USB-IF defines the codes (https://www.usb.org/defined-class-codes),
 * and, where the class is vendor-specific (ff), from the Linux driver bound
 * to it.  Pure functions, no I/O: the USB collector and its tests call them.
 */
#ifndef FARMHOUND_USBCLASS_H
#define FARMHOUND_USBCLASS_H

#include <stddef.h>
#include <stdint.h>

#include <libudev.h>

/* Function bits; usb_function_name() lists them in this (the field's) order. */
enum usb_function {
	USB_FN_AUDIO = 1u << 0,		/* class 01 */
	USB_FN_VIDEO = 1u << 1,		/* class 0e (UVC) */
	USB_FN_NETWORK = 1u << 2,	/* CDC ECM/EEM/NCM/MBIM, RNDIS, USB NIC drivers */
	USB_FN_STORAGE = 1u << 3,	/* class 08 */
	USB_FN_SERIAL = 1u << 4,	/* CDC ACM, USB-serial drivers */
	USB_FN_PRINTER = 1u << 5,	/* class 07 */
	USB_FN_SMARTCARD = 1u << 6,	/* class 0b (CCID) */
	USB_FN_WIRELESS = 1u << 7,	/* e0/01/01 Bluetooth */
	USB_FN_VENDOR = 1u << 8,	/* ff without a driver named here */
};
#define USB_FN_COUNT 9

/* The function bits of one interface (0: HID, hub, CDC data, others). */
unsigned int usb_iface_function(unsigned int cls, unsigned int sub, unsigned int proto,
				const char *driver);

/* Name of bit i (0 <= i < USB_FN_COUNT): "audio", ..., "vendor"; NULL past. */
const char *usb_function_name(size_t i);

/* "2.00" and the NUL: at most "ff.ff". */
#define USB_VERSION_LEN 6

/*
 * sysfs "version" (bcdUSB, written by the kernel as "%2x.%02x\n": " 2.00")
 * into out, without the padding, lower-case.  -EINVAL if s is not of that
 * shape (1 or 2 hex digits, a dot, 2 hex digits, an optional newline).
 */
int usb_parse_version(const char *s, char out[USB_VERSION_LEN]);

/*
 * sysfs "bMaxPower" (written as "%dmA\n": "500mA", "896mA") into *ma.
 * -EINVAL if s is not 1 to 4 digits, "mA" and an optional newline.
 */
int usb_parse_max_power(const char *s, int64_t *ma);

/* Whether the DMI identity (sys_vendor, product_name, bios_vendor; any may
 * be NULL) names a hypervisor: 1 yes, 0 no, -ENOENT when all are NULL. */
int usb_dmi_is_virtual(const char *sys_vendor, const char *product_name,
		       const char *bios_vendor);
/* The same, read from this machine's DMI (/sys/class/dmi/id) through
 * udev: 1, 0, or -ENOENT without DMI (containers, some ARM boards). */
int usb_machine_virtual(struct udev *udev);

#endif
