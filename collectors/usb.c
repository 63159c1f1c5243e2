/*
 * usb.c - USB devices through libudev (STUB: being written; only the field
 * table is final).
 */
#include <errno.h>
#include <stdio.h>

#include "usb.h"

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

static int usb_init(const struct collector_ctx *ctx, void **state)
{
	(void)ctx;
	*state = NULL;
	return -ENODEV;
}

const struct collector usb_collector = {
	.name = "usb",
	.source = &usb_source,
	.init = usb_init,
};
