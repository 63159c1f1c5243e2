/* SPDX-License-Identifier: Apache-2.0 */
/*
 * usb.c - USB devices through libudev: inventory, hot-plug, rescans.
 *
 * One event per USB device (devtype usb_device), built from the device's
 * sysfs attributes (ids, strings, speed, bcdUSB, bMaxPower) and from its
 * children: the interfaces (class triplets and bound drivers, and from them
 * the device's non-HID functions: usbclass.c), the HID report descriptors
 * under them (parsed by hid.c: keyboard, mouse, absolute pointer,
 * digitizer, the kind of each pointer; and fingerprinted, the hash of the
 * exact bytes), the SCSI device of a mass storage interface (inquiry
 * vendor/model) and the network interface a USB NIC or gadget creates; and
 * whether the device came over the network (USB/IP's vhci_hcd).  Rules
 * look at the structure, not just the ids, because an IP-KVM's identity is
 * one config line away from a Logitech's, and a KVM that clones a
 * keyboard's identity still carries its own descriptors and functions.
 *
 * Hot-plug: the udev monitor tells us a usb_device was added, but its
 * children (interfaces, hid, input, scsi, block, net) are added one uevent
 * at a time after it.  So an add is parked for settle_ms and built when the
 * timer says so.  At remove time the device's sysfs is already gone, so we
 * keep what we last reported about each device (the known table of
 * collectors/known.h, keyed by syspath) and report that.  Netlink drops
 * messages when its buffer fills (ENOBUFS); a periodic rescan, and an
 * early one after ENOBUFS, reconciles the table with sysfs, reporting only
 * devices that appeared, vanished or changed identity.  A device unplugged
 * while we read it is skipped and counted (stats().skipped), never
 * reported half-read.  The udev plumbing (start, monitor, rescan clock,
 * reconcile walk) is the skeleton the display collector shares
 * (collectors/udev_util.h); what is here is what only USB needs.
 *
 * Everything read from sysfs below a device is device-controlled (strings,
 * descriptors): bounded by the event setters and hid.c, never trusted for
 * lengths.  libudev is used as-is so that umockdev's LD_PRELOAD testbeds can
 * stand in for hardware.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libudev.h>

#include "collectors/known.h"
#include "collectors/udev_util.h"
#include "hid.h"
#include "lib/sha256.h"
#include "lib/util.h"
#include "usb.h"
#include "usbclass.h"

#define USB_SYSFS_BUS		"/sys/bus/usb/devices"
#define USB_KNOWN_MAX		512	/* devices remembered for remove */
#define USB_PENDING_MAX		64	/* adds waiting to settle */
#define USB_DRAIN_MAX		256	/* uevents handled per on_ready */
#define USB_CHILDREN_MAX	1024	/* sysfs descendants looked at per device */
#define USB_SETTLE_DEFAULT_MS	500
#define USB_RESCAN_DEFAULT_MS	(10 * 60 * 1000)
#define USB_RCVBUF		(1024 * 1024)

static const struct field_def usb_fields[USB__NFIELDS] = {
	[USB_ACTION] = { "action", FIELD_STRING, "present (inventory), add, remove" },
	[USB_VENDOR_ID] = { "vendor_id", FIELD_STRING, "idVendor, 4 lower-case hex digits" },
	[USB_PRODUCT_ID] = { "product_id", FIELD_STRING, "idProduct, 4 lower-case hex digits" },
	[USB_MANUFACTURER] = { "manufacturer", FIELD_STRING, "iManufacturer string (device-controlled)" },
	[USB_PRODUCT] = { "product", FIELD_STRING, "iProduct string (device-controlled)" },
	[USB_SERIAL] = { "serial", FIELD_STRING, "iSerialNumber string (device-controlled)" },
	[USB_BCD_DEVICE] = { "bcd_device", FIELD_STRING, "bcdDevice, 4 hex digits" },
	[USB_SPEED] = { "speed", FIELD_INT, "link speed in Mbit/s" },
	[USB_PORT] = { "port", FIELD_STRING, "bus port path, e.g. 1-2.3" },
	[USB_DEVICE_CLASS] = { "device_class", FIELD_STRING, "bDeviceClass, 2 hex digits (09 = hub)" },
	[USB_INTERFACES] = { "interfaces", FIELD_LIST, "each interface as cc:ss:pp (class:subclass:protocol, hex)" },
	[USB_DRIVER] = { "driver", FIELD_STRING, "drivers bound to the interfaces, comma-separated" },
	[USB_IS_HUB] = { "is_hub", FIELD_BOOL, "device class is hub (09), root hubs included" },
	[USB_IS_GADGET] = { "is_gadget", FIELD_BOOL, "Linux gadget vendor id 1d6b on a device that is not a hub" },
	[USB_HAS_KEYBOARD] = { "has_keyboard", FIELD_BOOL, "a HID report descriptor declares a keyboard" },
	[USB_HAS_MOUSE] = { "has_mouse", FIELD_BOOL, "a HID report descriptor declares a mouse or pointer" },
	[USB_HAS_ABSOLUTE_POINTER] = { "has_absolute_pointer", FIELD_BOOL, "a pointer reports absolute X/Y" },
	[USB_HAS_DIGITIZER] = { "has_digitizer", FIELD_BOOL, "digitizer, touch or pen usages (legitimate absolute pointers)" },
	[USB_ABS_MAX] = { "abs_max", FIELD_INT, "largest logical maximum of an absolute X/Y" },
	[USB_HAS_MASS_STORAGE] = { "has_mass_storage", FIELD_BOOL, "a mass-storage interface (class 08)" },
	[USB_STORAGE_VENDOR] = { "storage_vendor", FIELD_STRING, "SCSI inquiry vendor of its disk or CD-ROM" },
	[USB_STORAGE_MODEL] = { "storage_model", FIELD_STRING, "SCSI inquiry model of its disk or CD-ROM" },
	[USB_NET_INTERFACE] = { "net_interface", FIELD_STRING, "network interface it created, e.g. usb0" },
	[USB_NET_MAC] = { "net_mac", FIELD_STRING, "MAC address of that interface" },
	[USB_CONFIGURATION] = { "configuration", FIELD_STRING, "active configuration string (device-controlled)" },
	[USB_USB_VERSION] = { "usb_version", FIELD_STRING, "bcdUSB, the USB version the device claims, e.g. 1.10, 2.00, 3.20" },
	[USB_MAX_POWER_MA] = { "max_power_ma", FIELD_INT, "bMaxPower of the active configuration in mA, e.g. 100, 500, 896" },
	[USB_HID_INTERFACES] = { "hid_interfaces", FIELD_INT, "number of HID interfaces (class 03)" },
	[USB_HID_FINGERPRINTS] = { "hid_fingerprints", FIELD_LIST,
		"one per distinct HID report descriptor, in interface order: first 16 hex digits of the SHA-256 of its exact bytes (sha256sum report_descriptor | cut -c1-16)" },
	[USB_POINTER_KINDS] = { "pointer_kinds", FIELD_LIST,
		"kinds of pointer the HID descriptors declare, in this order: mouse (relative X/Y in a Generic Desktop Mouse/Pointer), absolute (absolute X/Y there, no Digitizers usage in that top-level collection), touchscreen, touchpad, pen (Digitizers application Touch Screen 04, Touch Pad 05, Pen 02 or Digitizer 01)" },
	[USB_FUNCTIONS] = { "functions", FIELD_LIST,
		"non-HID functions of the device, in this order (USB-IF class codes, usb.org/defined-class-codes): audio (01), video (0e), network (02/06 ECM, 02/0c EEM, 02/0d NCM, 02/0e MBIM, 02/02/ff, e0/01/03 and ef/04/01-07 RNDIS, a network interface, or on class ff the drivers rndis_host cdc_ether cdc_eem cdc_ncm cdc_mbim r8152 ax88179_178a asix smsc95xx lan78xx ipheth), storage (08), serial (02/02 ACM but 02/02/ff, or on class ff cdc_acm ch341 cp210x ftdi_sio pl2303), printer (07), smartcard (0b), wireless (e0/01/01 Bluetooth), vendor (ff, other driver or none)" },
	[USB_VID_PID] = { "vid_pid", FIELD_STRING, "vendor_id:product_id, e.g. 046d:c31c" },
	[USB_VIA_USBIP] = { "via_usbip", FIELD_BOOL, "attached over the network through USB/IP (under a vhci_hcd host controller)" },
	[USB_MACHINE_VIRTUAL] = { "machine_virtual", FIELD_BOOL, "this machine is a virtual machine (its DMI identity names a hypervisor); unset without DMI" },
};

static const int usb_entity[] = { USB_PORT, USB_VENDOR_ID, USB_PRODUCT_ID, -1 };

static void usb_describe(const struct event *ev, char *buf, size_t len)
{
	const char *m = event_get_str(ev, USB_MANUFACTURER);
	const char *p = event_get_str(ev, USB_PRODUCT);
	const char *v = event_get_str(ev, USB_VENDOR_ID);
	const char *d = event_get_str(ev, USB_PRODUCT_ID);
	const char *port = event_get_str(ev, USB_PORT);

	snprintf(buf, len, "%s%s%s (%s:%s) on port %s", m ? m : "", m && p ? " " : "",
		 p ? p : (m ? "" : "unnamed device"), v ? v : "????",
		 d ? d : "????", port ? port : "?");
}

const struct source_def usb_source = {
	.id = SOURCE_USB,
	.name = "usb",
	.fields = usb_fields,
	.nfields = USB__NFIELDS,
	.entity_fields = usb_entity,
	.describe = usb_describe,
};

/* ---- the collector ---- */

struct usb_pending {
	char *syspath;
	uint64_t due_ms;
};

static const struct udev_collector_def usb_udev = {
	.name = "usb",
	.sysfs = USB_SYSFS_BUS,
	.sysfs_what = "USB bus",
	.changes = "USB",
	.subsystem = "usb",
	.devtype = "usb_device",
	.rcvbuf = USB_RCVBUF,
	.known_max = USB_KNOWN_MAX,
	.settle_default_ms = USB_SETTLE_DEFAULT_MS,
	.rescan_default_ms = USB_RESCAN_DEFAULT_MS,
	.watch_in_scan = true,
};

/* uc first (udev_util.h).  uc.known: what we last reported of each device,
 * by syspath, for its remove; uc.overruns: stats().dropped. */
struct usb_state {
	struct udev_collector uc;
	uint64_t vanished;		/* unplugged while read: stats().skipped */
	uint64_t malformed;		/* attributes, descriptors not as the kernel
					 * writes them: stats().skipped too */
	int machine_virtual;		/* usb_machine_virtual(), read once */
	size_t npending;
	struct usb_pending pending[USB_PENDING_MAX];
};
_Static_assert(offsetof(struct usb_state, uc) == 0, "udev_util.h: uc first");

/* What the children of one device add up to. */
struct usb_agg {
	char drivers[256];
	struct hid_info hid;
	unsigned int functions;		/* enum usb_function bits */
	int64_t hid_interfaces;
	bool mass_storage;
	bool storage_done;
	bool net_done;
};

/* A sysfs attribute, or NULL when the file is absent (string descriptors
 * the device does not have) or empty. */
static const char *usb_attr(struct udev_device *dev, const char *name)
{
	const char *v = udev_device_get_sysattr_value(dev, name);

	return v && *v ? v : NULL;
}

/* Copy a short hex attribute ("1D6B", "09") lower-cased into buf; false if
 * absent or not 1..width hex digits. */
static bool usb_attr_hex(struct udev_device *dev, const char *name, char *buf,
			 size_t width)
{
	const char *v = usb_attr(dev, name);
	size_t n;

	if (!v)
		return false;
	n = strspn(v, "0123456789abcdefABCDEF");
	if (n == 0 || n > width || (v[n] && v[n] != '\n' && v[n] != ' '))
		return false;
	for (size_t i = 0; i < n; i++)
		buf[i] = (char)(v[i] >= 'A' && v[i] <= 'F' ? v[i] - 'A' + 'a' : v[i]);
	buf[n] = '\0';
	return true;
}

/* Same, as a number (class codes). */
static bool usb_attr_byte(struct udev_device *dev, const char *name, unsigned int *out)
{
	char buf[3];

	if (!usb_attr_hex(dev, name, buf, 2))
		return false;
	*out = (unsigned int)strtoul(buf, NULL, 16);
	return true;
}

/* SCSI inquiry fields are space-padded: copy without the padding. */
static void usb_set_trimmed(struct event *ev, int f, const char *s)
{
	size_t n;

	if (!s)
		return;
	while (*s == ' ')
		s++;
	n = strnlen(s, EVENT_STR_MAX);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\n'))
		n--;
	if (n > 0)
		event_set_strn(ev, f, s, n);
}

static void usb_add_driver(struct usb_agg *agg, const char *drv)
{
	size_t have = strlen(agg->drivers), n;
	const char *p = agg->drivers;

	if (!drv || !*drv)
		return;
	n = strlen(drv);
	while (*p) {		/* unique: a composite device repeats usbhid */
		size_t t = strcspn(p, ",");

		if (t == n && strncmp(p, drv, n) == 0)
			return;
		p += t + (p[t] == ',');
	}
	if (have + (have > 0) + n + 1 > sizeof(agg->drivers))
		return;		/* bounded; driver names are short */
	if (have > 0)
		agg->drivers[have++] = ',';
	memcpy(agg->drivers + have, drv, n + 1);
}

static void usb_hid_merge(struct hid_info *acc, const struct hid_info *h)
{
	acc->has_keyboard |= h->has_keyboard;
	acc->has_mouse |= h->has_mouse;
	acc->has_absolute_pointer |= h->has_absolute_pointer;
	acc->has_relative_pointer |= h->has_relative_pointer;
	acc->has_digitizer |= h->has_digitizer;
	acc->has_consumer |= h->has_consumer;
	acc->pointer_kinds |= h->pointer_kinds;
	if (h->abs_max > acc->abs_max)
		acc->abs_max = h->abs_max;
}

static void usb_child_interface(struct event *ev, struct usb_agg *agg, struct udev_device *c)
{
	unsigned int cls, sub, proto;
	char triplet[16];

	if (!usb_attr_byte(c, "bInterfaceClass", &cls) ||
	    !usb_attr_byte(c, "bInterfaceSubClass", &sub) ||
	    !usb_attr_byte(c, "bInterfaceProtocol", &proto))
		return;
	snprintf(triplet, sizeof(triplet), "%02x:%02x:%02x", cls, sub, proto);
	event_list_add(ev, USB_INTERFACES, triplet);
	if (cls == 0x08)
		agg->mass_storage = true;
	if (cls == 0x03)
		agg->hid_interfaces++;
	agg->functions |= usb_iface_function(cls, sub, proto, udev_device_get_driver(c));
	usb_add_driver(agg, udev_device_get_driver(c));
}

/* Add item to a list field unless it is there already. */
static void usb_list_add_unique(struct event *ev, int f, const char *item)
{
	const struct value *v = event_get(ev, f);

	for (size_t i = 0; v && v->set && i < v->list.n; i++)
		if (strcmp(v->list.items[i], item) == 0)
			return;
	event_list_add(ev, f, item);
}

static void usb_child_hid(struct usb_state *st, struct event *ev, struct usb_agg *agg,
			  struct udev_device *c)
{
	char fp[FINGERPRINT_HEX_LEN];
	struct hid_info h;
	char path[4096];
	char *desc;
	size_t len;

	/* The descriptor is binary, NULs included, so it is read as a file
	 * and not through udev_device_get_sysattr_value().  One byte more
	 * than Linux allows tells an oversized one from one at the limit. */
	if (snprintf(path, sizeof(path), "%s/report_descriptor",
		     udev_device_get_syspath(c)) >= (int)sizeof(path))
		return;
	if (read_file_bounded(path, HID_DESCRIPTOR_MAX + 1, &desc, &len) < 0)
		return;
	/* The fingerprint is of the exact bytes, so only of a whole
	 * descriptor: an oversized one (Linux refuses it) gets none. */
	if (len > HID_DESCRIPTOR_MAX) {
		st->malformed++;
		len = HID_DESCRIPTOR_MAX;
	} else if (len > 0) {
		fingerprint_hex(desc, len, fp);
		usb_list_add_unique(ev, USB_HID_FINGERPRINTS, fp);
	}
	/* A malformed descriptor still tells us what it declared before the
	 * fault: keep the partial answer rather than let a device hide. */
	hid_parse((const uint8_t *)desc, len, &h);
	free(desc);
	usb_hid_merge(&agg->hid, &h);
}

/* Is c part of dev itself (not of a device behind dev, if dev is a hub)? */
static bool usb_child_of(struct udev_device *c, const char *dev_syspath)
{
	struct udev_device *owner;
	const char *sub = udev_device_get_subsystem(c);
	const char *type = udev_device_get_devtype(c);

	if (sub && type && strcmp(sub, "usb") == 0 && strcmp(type, "usb_device") == 0)
		return false;
	owner = udev_device_get_parent_with_subsystem_devtype(c, "usb", "usb_device");
	return owner && strcmp(udev_device_get_syspath(owner), dev_syspath) == 0;
}

static void usb_child(struct usb_state *st, struct event *ev, struct usb_agg *agg,
		      struct udev_device *c)
{
	const char *sub = udev_device_get_subsystem(c);
	const char *type = udev_device_get_devtype(c);

	if (!sub)
		return;
	if (strcmp(sub, "usb") == 0 && type && strcmp(type, "usb_interface") == 0) {
		usb_child_interface(ev, agg, c);
	} else if (strcmp(sub, "hid") == 0) {
		usb_child_hid(st, ev, agg, c);
	} else if (strcmp(sub, "scsi") == 0 && type && strcmp(type, "scsi_device") == 0 &&
		   !agg->storage_done) {
		agg->storage_done = true;
		usb_set_trimmed(ev, USB_STORAGE_VENDOR, usb_attr(c, "vendor"));
		usb_set_trimmed(ev, USB_STORAGE_MODEL, usb_attr(c, "model"));
	} else if (strcmp(sub, "net") == 0 && !agg->net_done) {
		agg->net_done = true;
		agg->functions |= USB_FN_NETWORK;	/* whatever its class says */
		event_set_str(ev, USB_NET_INTERFACE, udev_device_get_sysname(c));
		event_set_str(ev, USB_NET_MAC, usb_attr(c, "address"));
	}
}

static void usb_children(struct usb_state *st, struct udev_device *dev, struct event *ev,
			 struct usb_agg *agg)
{
	struct udev_enumerate *en = udev_enumerate_new(st->uc.udev);
	struct udev_list_entry *e;
	const char *self = udev_device_get_syspath(dev);
	size_t seen = 0;

	if (!en) {
		event_fail(ev, -ENOMEM);
		return;
	}
	if (udev_enumerate_add_match_parent(en, dev) < 0 ||
	    udev_enumerate_scan_devices(en) < 0)
		goto out_unref;
	udev_list_entry_foreach(e, udev_enumerate_get_list_entry(en)) {
		struct udev_device *c;

		if (++seen > USB_CHILDREN_MAX)
			break;	/* a hub tree this large is not one device */
		c = udev_device_new_from_syspath(st->uc.udev, udev_list_entry_get_name(e));
		if (!c)
			continue;
		if (usb_child_of(c, self))
			usb_child(st, ev, agg, c);
		udev_device_unref(c);
	}
out_unref:
	udev_enumerate_unref(en);
}

static void usb_set_speed(struct event *ev, struct udev_device *dev)
{
	const char *v = usb_attr(dev, "speed");
	char *end;
	long long mbit;

	if (!v)
		return;
	/* "1.5" (low speed) truncates to 1: the field is whole Mbit/s. */
	mbit = strtoll(v, &end, 10);
	if (end != v && mbit >= 0)
		event_set_int(ev, USB_SPEED, mbit);
}

/* bcdUSB and bMaxPower (usbclass.h): absent is unset, any other value
 * not as the kernel writes it is counted as malformed. */
static void usb_set_version(struct usb_state *st, struct event *ev, struct udev_device *dev)
{
	const char *v = usb_attr(dev, "version");
	char buf[USB_VERSION_LEN];

	if (v && usb_parse_version(v, buf) < 0)
		st->malformed++;
	else if (v)
		event_set_str(ev, USB_USB_VERSION, buf);
}

static void usb_set_max_power(struct usb_state *st, struct event *ev, struct udev_device *dev)
{
	const char *v = usb_attr(dev, "bMaxPower");
	int64_t ma;

	if (v && usb_parse_max_power(v, &ma) < 0)
		st->malformed++;
	else if (v)
		event_set_int(ev, USB_MAX_POWER_MA, ma);
}

/* The aggregated HID and function facts, as fields. */
static void usb_set_structure(struct event *ev, const struct usb_agg *agg)
{
	static const struct {
		unsigned int bit;
		const char *name;
	} kinds[] = {
		{ HID_POINTER_MOUSE, "mouse" },
		{ HID_POINTER_ABSOLUTE, "absolute" },
		{ HID_POINTER_TOUCHSCREEN, "touchscreen" },
		{ HID_POINTER_TOUCHPAD, "touchpad" },
		{ HID_POINTER_PEN, "pen" },
	};

	event_set_int(ev, USB_HID_INTERFACES, agg->hid_interfaces);
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (agg->hid.pointer_kinds & kinds[i].bit)
			event_list_add(ev, USB_POINTER_KINDS, kinds[i].name);
	for (size_t i = 0; i < USB_FN_COUNT; i++)
		if (agg->functions & (1u << i))
			event_list_add(ev, USB_FUNCTIONS, usb_function_name(i));
}

/* The event for a usb_device that is present in sysfs now. */
static struct event *usb_build(struct usb_state *st, struct udev_device *dev,
			       const char *action)
{
	struct event *ev = event_new(&usb_source);
	struct usb_agg agg;
	char vid[5] = "", pid[5] = "", hex[5], vid_pid[10];
	unsigned int cls = 0;
	bool hub, have_cls;

	if (!ev)
		return NULL;
	memset(&agg, 0, sizeof(agg));
	event_set_str(ev, USB_ACTION, action);
	if (usb_attr_hex(dev, "idVendor", vid, 4))
		event_set_str(ev, USB_VENDOR_ID, vid);
	if (usb_attr_hex(dev, "idProduct", pid, 4))
		event_set_str(ev, USB_PRODUCT_ID, pid);
	if (vid[0] && pid[0]) {
		snprintf(vid_pid, sizeof(vid_pid), "%s:%s", vid, pid);
		event_set_str(ev, USB_VID_PID, vid_pid);
	}
	if (usb_attr_hex(dev, "bcdDevice", hex, 4))
		event_set_str(ev, USB_BCD_DEVICE, hex);
	event_set_str(ev, USB_MANUFACTURER, usb_attr(dev, "manufacturer"));
	event_set_str(ev, USB_PRODUCT, usb_attr(dev, "product"));
	event_set_str(ev, USB_SERIAL, usb_attr(dev, "serial"));
	event_set_str(ev, USB_CONFIGURATION, usb_attr(dev, "configuration"));
	usb_set_speed(ev, dev);
	usb_set_version(st, ev, dev);
	usb_set_max_power(st, ev, dev);
	event_set_bool(ev, USB_VIA_USBIP, udev_device_via_usbip(dev));
	if (st->machine_virtual >= 0)
		event_set_bool(ev, USB_MACHINE_VIRTUAL, st->machine_virtual);
	event_set_str(ev, USB_PORT, udev_device_get_sysname(dev));
	have_cls = usb_attr_byte(dev, "bDeviceClass", &cls);
	if (have_cls) {
		snprintf(hex, sizeof(hex), "%02x", cls);
		event_set_str(ev, USB_DEVICE_CLASS, hex);
	}
	hub = have_cls && cls == 0x09;
	event_set_bool(ev, USB_IS_HUB, hub);
	event_set_bool(ev, USB_IS_GADGET, !hub && strcmp(vid, "1d6b") == 0);

	usb_children(st, dev, ev, &agg);
	if (agg.drivers[0])
		event_set_str(ev, USB_DRIVER, agg.drivers);
	event_set_bool(ev, USB_HAS_KEYBOARD, agg.hid.has_keyboard);
	event_set_bool(ev, USB_HAS_MOUSE, agg.hid.has_mouse);
	event_set_bool(ev, USB_HAS_ABSOLUTE_POINTER, agg.hid.has_absolute_pointer);
	event_set_bool(ev, USB_HAS_DIGITIZER, agg.hid.has_digitizer);
	if (agg.hid.has_absolute_pointer)
		event_set_int(ev, USB_ABS_MAX, agg.hid.abs_max);
	event_set_bool(ev, USB_HAS_MASS_STORAGE, agg.mass_storage);
	usb_set_structure(ev, &agg);
	return event_complete(ev);
}

/* A remove for a device we never reported: what the uevent itself says. */
static struct event *usb_build_gone(struct udev_device *dev)
{
	struct event *ev = event_new(&usb_source);
	const char *v = udev_device_get_property_value(dev, "ID_VENDOR_ID");
	const char *p = udev_device_get_property_value(dev, "ID_MODEL_ID");
	const char *prod = udev_device_get_property_value(dev, "PRODUCT");
	char vid[5], pid[5], vid_pid[10];
	unsigned int a, c;

	if (!ev)
		return NULL;
	event_set_str(ev, USB_ACTION, EVENT_ACTION_REMOVE);
	event_set_str(ev, USB_PORT, udev_device_get_sysname(dev));
	/* PRODUCT=1d6b/104/100 is in every kernel uevent of a usb_device. */
	if ((!v || !p) && prod && sscanf(prod, "%x/%x/", &a, &c) == 2 &&
	    a <= 0xffff && c <= 0xffff) {
		snprintf(vid, sizeof(vid), "%04x", a);
		snprintf(pid, sizeof(pid), "%04x", c);
		v = vid;
		p = pid;
	}
	if (v && strlen(v) == 4)
		event_set_str(ev, USB_VENDOR_ID, v);
	if (p && strlen(p) == 4)
		event_set_str(ev, USB_PRODUCT_ID, p);
	if (v && p && strlen(v) == 4 && strlen(p) == 4) {
		snprintf(vid_pid, sizeof(vid_pid), "%s:%s", v, p);
		event_set_str(ev, USB_VID_PID, vid_pid);
	}
	/* Its parents outlive it: a device gone from under vhci_hcd says so. */
	event_set_bool(ev, USB_VIA_USBIP, udev_device_via_usbip(dev));
	return event_complete(ev);
}

/*
 * Is the device still in sysfs, after we read it?  A device unplugged
 * between the enumeration and our reads loses its attributes one by one:
 * what we read then is a half-empty event (ids without names, a hub
 * without its class, a keyboard without its report descriptor) that would
 * pass for a real device.  The kernel removes the attributes before the
 * device's directory, so idVendor (every usb_device has it) is looked at,
 * not the directory, and through the file system: libudev caches the
 * values it already read.  Gone now means some read may have missed.
 */
static bool usb_still_there(struct udev_device *dev)
{
	char path[4096];

	if (snprintf(path, sizeof(path), "%s/idVendor", udev_device_get_syspath(dev)) >=
	    (int)sizeof(path))
		return false;
	return access(path, F_OK) == 0;
}

/* Build, remember (a copy) and emit the event of a present device.  One
 * unplugged while we read it is skipped and counted: its remove uevent,
 * or the rescan, reports it gone. */
static int usb_report(struct usb_state *st, struct udev_device *dev, const char *action)
{
	struct event *ev = usb_build(st, dev, action);

	if (!ev)
		return -ENOMEM;
	if (!usb_still_there(dev)) {
		event_free(ev);
		st->vanished++;
		return 0;
	}
	known_put(&st->uc.known, udev_device_get_syspath(dev), event_copy(ev), 0, true);
	collector_emit(&st->uc.ctx, ev);
	return 0;
}

/* Emit the remembered event of e as a remove and forget it. */
static void usb_report_known_gone(struct usb_state *st, struct known_entry *e)
{
	collector_emit(&st->uc.ctx, known_removal(&st->uc.known, e, true));
}

/* ---- pending adds ---- */

static int usb_pending_find(const struct usb_state *st, const char *syspath)
{
	for (size_t i = 0; i < st->npending; i++)
		if (strcmp(st->pending[i].syspath, syspath) == 0)
			return (int)i;
	return -1;
}

static void usb_pending_drop(struct usb_state *st, size_t i)
{
	free(st->pending[i].syspath);
	st->pending[i] = st->pending[--st->npending];
}

static int usb_pending_add(struct usb_state *st, struct udev_device *dev)
{
	const char *syspath = udev_device_get_syspath(dev);
	uint64_t due = now_monotonic_ms() + st->uc.settle_ms;
	int i = usb_pending_find(st, syspath);
	char *key;

	if (i >= 0) {
		st->pending[i].due_ms = due;
		return 0;
	}
	if (st->npending == USB_PENDING_MAX)
		return usb_report(st, dev, EVENT_ACTION_ADD);	/* no room: build now */
	key = strdup(syspath);
	if (!key)
		return -ENOMEM;
	st->pending[st->npending++] = (struct usb_pending){ key, due };
	return 0;
}

/* ---- monitor ---- */

static bool usb_is_device(struct udev_device *dev)
{
	const char *sub = udev_device_get_subsystem(dev);
	const char *type = udev_device_get_devtype(dev);

	return sub && type && strcmp(sub, "usb") == 0 && strcmp(type, "usb_device") == 0;
}

/* A known device is reported as it was last seen; another (or one whose
 * report we could not keep) from what the uevent says. */
static int usb_on_remove(struct usb_state *st, struct udev_device *dev)
{
	const char *syspath = udev_device_get_syspath(dev);
	struct known_entry *e = known_find(&st->uc.known, syspath);
	struct event *ev = e ? known_removal(&st->uc.known, e, true) : NULL;
	int i;

	if (!ev) {
		i = usb_pending_find(st, syspath);
		if (i >= 0)
			usb_pending_drop(st, (size_t)i);	/* gone before it settled */
		ev = usb_build_gone(dev);
		if (!ev)
			return -ENOMEM;
	}
	collector_emit(&st->uc.ctx, ev);
	return 0;
}

static int usb_handle(void *state, struct udev_device *dev)
{
	const char *action = udev_device_get_action(dev);

	if (!action || !usb_is_device(dev))
		return 0;
	if (strcmp(action, "add") == 0)
		return usb_pending_add(state, dev);
	if (strcmp(action, "remove") == 0)
		return usb_on_remove(state, dev);
	return 0;	/* bind, change: the add already covers them */
}

static int usb_on_ready(void *state)
{
	struct usb_state *st = state;

	if (!st || !st->uc.mon)
		return 0;
	return udev_collector_drain(&st->uc, USB_DRAIN_MAX, usb_handle, st);
}

/* ---- enumeration: scan and rescan ---- */

static bool usb_same_str(const struct event *ev, int f, const char *now)
{
	const char *was = event_get_str(ev, f);

	if (!was || !now)
		return !was && !now;
	return strcmp(was, now) == 0;
}

/* Did the device at this syspath change identity since we reported it
 * (a lost remove+add pair, e.g. a gadget re-enumerating as another)? */
static bool usb_same_device(const struct event *ev, struct udev_device *dev)
{
	char vid[5], pid[5];
	const char *v = usb_attr_hex(dev, "idVendor", vid, 4) ? vid : NULL;
	const char *p = usb_attr_hex(dev, "idProduct", pid, 4) ? pid : NULL;

	return usb_same_str(ev, USB_VENDOR_ID, v) && usb_same_str(ev, USB_PRODUCT_ID, p) &&
	       usb_same_str(ev, USB_MANUFACTURER, usb_attr(dev, "manufacturer")) &&
	       usb_same_str(ev, USB_PRODUCT, usb_attr(dev, "product")) &&
	       usb_same_str(ev, USB_SERIAL, usb_attr(dev, "serial"));
}

/* A walk over the usb_devices: an inventory (present) or a rescan. */
struct usb_walk {
	struct usb_state *st;
	bool present;
};

/* One device of a walk: inventory (present), or the difference with what
 * we know of it.  A pending add reports itself. */
static int usb_visit(void *walk, struct udev_device *dev)
{
	struct usb_walk *w = walk;
	struct usb_state *st = w->st;
	struct known_entry *k;

	if (!usb_is_device(dev) || usb_pending_find(st, udev_device_get_syspath(dev)) >= 0)
		return 0;
	k = known_find(&st->uc.known, udev_device_get_syspath(dev));
	if (w->present || !k)
		return usb_report(st, dev, w->present ? EVENT_ACTION_PRESENT : EVENT_ACTION_ADD);
	if (usb_same_device(k->ev, dev)) {
		k->seen = true;
		return 0;
	}
	usb_report_known_gone(st, k);
	return usb_report(st, dev, EVENT_ACTION_ADD);
}

static void usb_gone(void *walk, struct event *ev)
{
	struct usb_walk *w = walk;

	collector_emit(&w->st->uc.ctx, ev);
}

/*
 * Walk every usb_device.  present: report each one (inventory).  Otherwise
 * (rescan) report only the difference with the known table, as add and
 * remove.  Devices that vanished are reported as removed either way.
 */
static int usb_enumerate(struct usb_state *st, bool present)
{
	struct usb_walk w = { st, present };
	struct udev_enumerate *en = udev_enumerate_new(st->uc.udev);

	if (!en)
		return -ENOMEM;
	if (udev_enumerate_add_match_subsystem(en, "usb") < 0 ||
	    udev_enumerate_add_match_property(en, "DEVTYPE", "usb_device") < 0) {
		udev_enumerate_unref(en);
		return -EIO;
	}
	return udev_collector_reconcile(&st->uc, en, SIZE_MAX, usb_visit, usb_gone, &w,
					&st->vanished);
}

static int usb_scan(void *state)
{
	return state ? usb_enumerate(state, true) : -EINVAL;
}

/* The adds that settled by now. */
static int usb_settled(struct usb_state *st, uint64_t now_ms)
{
	int r = 0;

	for (size_t i = st->npending; i-- > 0;) {
		struct udev_device *dev;
		int q;

		if (st->pending[i].due_ms > now_ms)
			continue;
		dev = udev_device_new_from_syspath(st->uc.udev, st->pending[i].syspath);
		usb_pending_drop(st, i);
		if (!dev) {
			st->vanished++;	/* gone already; its remove says so */
			continue;
		}
		q = usb_report(st, dev, EVENT_ACTION_ADD);
		udev_device_unref(dev);
		if (r == 0)
			r = q;
	}
	return r;
}

static int usb_on_tick(void *state, uint64_t now_ms)
{
	struct usb_state *st = state;
	int r, q;

	if (!st)
		return -EINVAL;
	r = usb_settled(st, now_ms);
	if (collector_rescan_due(&st->uc.rescan, now_ms)) {
		q = usb_enumerate(st, false);
		if (r == 0)
			r = q;
	}
	return r;
}

static uint64_t usb_next_tick(void *state, uint64_t now_ms)
{
	struct usb_state *st = state;
	uint64_t due;

	if (!st)
		return UINT64_MAX;
	due = st->uc.rescan.next_ms;
	for (size_t i = 0; i < st->npending; i++)
		due = collector_earlier(due, st->pending[i].due_ms);
	return collector_ms_until(due, now_ms);
}

/* dropped: monitor overruns (the number of ENOBUFS, not of lost uevents:
 * the kernel does not say how many), so the loop says input was lost
 * (capture-dropped, heartbeat dropped); skipped: devices unplugged while
 * we read them; tracked: devices known. */
static void usb_stats(void *state, struct collector_stats *out)
{
	struct usb_state *st = state;

	udev_collector_stats(st ? &st->uc : NULL, out);
	if (!st)
		return;
	out->dropped = st->uc.overruns;
	out->skipped = st->vanished + st->malformed;
}

static void usb_free(void *state)
{
	struct usb_state *st = state;

	if (!st)
		return;
	while (st->npending > 0)
		usb_pending_drop(st, st->npending - 1);
	udev_collector_fini(&st->uc);
	free(st);
}

static int usb_init(const struct collector_ctx *ctx, void **state)
{
	int r = udev_collector_new(ctx, &usb_udev, sizeof(struct usb_state), state);
	struct usb_state *st = *state;

	if (r >= 0)	/* the machine does not change while we run */
		st->machine_virtual = usb_machine_virtual(st->uc.udev);
	return r;
}

const struct collector usb_collector = {
	.name = "usb",
	.source = &usb_source,
	.init = usb_init,
	.fd = udev_collector_fd,
	.on_ready = usb_on_ready,
	.on_tick = usb_on_tick,
	.scan = usb_scan,
	.next_tick = usb_next_tick,
	.free = usb_free,
	.stats = usb_stats,
};
