/* SPDX-License-Identifier: Apache-2.0 */
/*
 * usb.h - field ids of the usb source (DESIGN §3), shared with tests.
 */
#ifndef FARMHOUND_USB_H
#define FARMHOUND_USB_H

#include "collectors/collector.h"

enum usb_field {
	USB_ACTION,
	USB_VENDOR_ID,
	USB_PRODUCT_ID,
	USB_MANUFACTURER,
	USB_PRODUCT,
	USB_SERIAL,
	USB_BCD_DEVICE,
	USB_SPEED,
	USB_PORT,
	USB_DEVICE_CLASS,
	USB_INTERFACES,
	USB_DRIVER,
	USB_IS_HUB,
	USB_IS_GADGET,
	USB_HAS_KEYBOARD,
	USB_HAS_MOUSE,
	USB_HAS_ABSOLUTE_POINTER,
	USB_HAS_DIGITIZER,
	USB_ABS_MAX,
	USB_HAS_MASS_STORAGE,
	USB_STORAGE_VENDOR,
	USB_STORAGE_MODEL,
	USB_NET_INTERFACE,
	USB_NET_MAC,
	USB_CONFIGURATION,
	USB__NFIELDS,
};

extern const struct source_def usb_source;
extern const struct collector usb_collector;

#endif
