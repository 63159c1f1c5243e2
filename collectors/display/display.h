/* SPDX-License-Identifier: Apache-2.0 */
/*
 * display.h - field ids of the display source (DESIGN §3), shared with tests.
 */
#ifndef FARMHOUND_DISPLAY_H
#define FARMHOUND_DISPLAY_H

#include "collectors/collector.h"

enum display_field {
	DISPLAY_ACTION,
	DISPLAY_CONNECTOR,
	DISPLAY_CONNECTOR_TYPE,
	DISPLAY_STATUS,
	DISPLAY_IS_EXTERNAL,
	DISPLAY_EDID_VENDOR,
	DISPLAY_EDID_PRODUCT,
	DISPLAY_EDID_SERIAL,
	DISPLAY_MONITOR_NAME,
	DISPLAY_MONITOR_SERIAL,
	DISPLAY_MONITOR_TEXT,
	DISPLAY_WIDTH_CM,
	DISPLAY_HEIGHT_CM,
	DISPLAY_WEEK,
	DISPLAY_YEAR,
	DISPLAY_EDID_VERSION,
	DISPLAY_EDID_VALID,
	DISPLAY_EDID_SIZE,
	DISPLAY_EDID_EXTENSIONS,
	DISPLAY_EDID_HASH,
	DISPLAY__NFIELDS,
};

extern const struct source_def display_source;
extern const struct collector display_collector;

#endif
