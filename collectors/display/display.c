/* SPDX-License-Identifier: Apache-2.0 */
/*
 * display.c - DRM connectors and the EDID of whatever is plugged into them.
 *
 * An IP-KVM's HDMI capture input is, to the laptop, a monitor: the laptop
 * reads the KVM's EDID (PiKVM's "LNX"/"PiKVM V4 Plus", TinyPilot's
 * "TinyPilot", ...) from the connector.  This collector reports every DRM
 * connector (libudev subsystem "drm", devices named cardN-TYPE-M with a
 * `status` attribute) with the fields its EDID carries, parsed by edid.c.
 *
 * The EDID is binary (NULs inside), so it is read as a file from the
 * connector's syspath, bounded, and never through
 * udev_device_get_sysattr_value(), which would stop at the first NUL.
 *
 * Hot-plug: the kernel does not send a uevent for the connector itself; it
 * sends `change` (HOTPLUG=1) on the card.  So any drm uevent schedules a
 * reconcile of all connectors, settle_ms later (the EDID property is
 * updated by the probe that follows the hot-plug interrupt), against a
 * small bounded table of connector -> (connected, EDID fingerprint, last
 * event).  A connector that became connected, or shows a different EDID,
 * is reported as `add` (after a `remove` of the monitor it replaced); one
 * that was connected and is not any more is reported as `remove` with what
 * we last saw on it.  A periodic rescan (rescan_interval) does the same, so
 * lost uevents (ENOBUFS) and EDIDs that appear late are caught.  A
 * connector that vanishes while we read it is skipped and counted
 * (stats().skipped), not reported half-read.  --scan
 * reports every connector once as `present` and opens no monitor.  The
 * table is the known table of collectors/known.h (its fingerprint: the
 * EDID hash; present: connected), and the udev plumbing the skeleton the
 * usb collector shares (collectors/udev_util.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libudev.h>

#include "collectors/known.h"
#include "collectors/udev_util.h"
#include "display.h"
#include "edid.h"
#include "lib/util.h"

#define DISPLAY_SYSFS_CLASS	"/sys/class/drm"
#define DISPLAY_KNOWN_MAX	32	/* connectors remembered (a laptop has < 10) */
#define DISPLAY_DRAIN_MAX	256	/* uevents handled per on_ready */
#define DISPLAY_ENUM_MAX	256	/* drm devices looked at per reconcile */
#define DISPLAY_SETTLE_DEFAULT_MS 500
#define DISPLAY_RESCAN_DEFAULT_MS (10 * 60 * 1000)

static const struct field_def display_fields[DISPLAY__NFIELDS] = {
	[DISPLAY_ACTION] = { "action", FIELD_STRING, "present (inventory), add (connected or new EDID), remove (disconnected)" },
	[DISPLAY_CONNECTOR] = { "connector", FIELD_STRING, "DRM connector, e.g. card0-HDMI-A-1" },
	[DISPLAY_CONNECTOR_TYPE] = { "connector_type", FIELD_STRING, "connector kind: HDMI-A, DP, eDP, DVI-D, VGA, ..." },
	[DISPLAY_STATUS] = { "status", FIELD_STRING, "connected, disconnected or unknown" },
	[DISPLAY_IS_EXTERNAL] = { "is_external", FIELD_BOOL, "connector is not a built-in panel (eDP, LVDS, DSI, DPI) or virtual" },
	[DISPLAY_EDID_VENDOR] = { "edid_vendor", FIELD_STRING, "EDID PnP manufacturer id, 3 letters (device-controlled)" },
	[DISPLAY_EDID_PRODUCT] = { "edid_product", FIELD_STRING, "EDID product code, 4 lower-case hex digits" },
	[DISPLAY_EDID_SERIAL] = { "edid_serial", FIELD_INT, "EDID 32-bit serial number as an integer (0 = unused); compare as 0x88888800" },
	[DISPLAY_MONITOR_NAME] = { "monitor_name", FIELD_STRING, "EDID monitor name descriptor 0xFC (device-controlled)" },
	[DISPLAY_MONITOR_SERIAL] = { "monitor_serial", FIELD_STRING, "EDID serial string descriptor 0xFF (device-controlled)" },
	[DISPLAY_MONITOR_TEXT] = { "monitor_text", FIELD_STRING, "EDID text descriptors 0xFE, blank-joined (panel maker and model)" },
	[DISPLAY_WIDTH_CM] = { "width_cm", FIELD_INT, "EDID maximum image width in cm (0 with height 0: undefined)" },
	[DISPLAY_HEIGHT_CM] = { "height_cm", FIELD_INT, "EDID maximum image height in cm" },
	[DISPLAY_WEEK] = { "week", FIELD_INT, "EDID week of manufacture (0 unknown, 255 model year)" },
	[DISPLAY_YEAR] = { "year", FIELD_INT, "EDID year of manufacture (or model year)" },
	[DISPLAY_EDID_VERSION] = { "edid_version", FIELD_STRING, "EDID version.revision, e.g. 1.3" },
	[DISPLAY_EDID_VALID] = { "edid_valid", FIELD_BOOL, "EDID header, version, checksums and extension blocks are all right (set only when there is an EDID)" },
	[DISPLAY_EDID_SIZE] = { "edid_size", FIELD_INT, "bytes in the connector's edid attribute (0: no EDID)" },
	[DISPLAY_EDID_EXTENSIONS] = { "edid_extensions", FIELD_INT, "extension blocks the EDID announces (byte 126)" },
	[DISPLAY_EDID_HASH] = { "edid_hash", FIELD_STRING, "FNV-1a 64 of the EDID bytes, 16 hex digits (to correlate; not cryptographic)" },
	[DISPLAY_EDID_BODY_FINGERPRINT] = { "edid_body_fingerprint", FIELD_STRING, "EDID with its identity zeroed, first 16 hex of SHA-256 (a KVM template whatever name it shows): base block + the extension blocks present, zeroed: base bytes 8-17, 126, 127, bytes 5-17 of each 0xFC/0xFF/0xFE descriptor, byte 127 of each extension (collectors/display/README.md); unset without header and full base block" },
};

static const int display_entity[] = { DISPLAY_CONNECTOR, -1 };

static void display_describe(const struct event *ev, char *buf, size_t len)
{
	const char *name = event_get_str(ev, DISPLAY_MONITOR_NAME);
	const char *v = event_get_str(ev, DISPLAY_EDID_VENDOR);
	const char *p = event_get_str(ev, DISPLAY_EDID_PRODUCT);
	const char *c = event_get_str(ev, DISPLAY_CONNECTOR);
	const char *s = event_get_str(ev, DISPLAY_STATUS);

	c = c ? c : "?";
	if (!v && !p && !name) {
		snprintf(buf, len, "no EDID on %s (%s)", c, s ? s : "status unknown");
		return;
	}
	snprintf(buf, len, "%s%s%s(%s %s) on %s", name ? "\"" : "", name ? name : "",
		 name ? "\" " : "", v ? v : "???", p ? p : "????", c);
}

const struct source_def display_source = {
	.id = SOURCE_DISPLAY,
	.name = "display",
	.fields = display_fields,
	.nfields = DISPLAY__NFIELDS,
	.entity_fields = display_entity,
	.describe = display_describe,
};

/* ---- the collector ---- */

static const struct udev_collector_def display_udev = {
	.name = "display",
	.sysfs = DISPLAY_SYSFS_CLASS,
	.sysfs_what = "DRM",
	.changes = "display",
	.subsystem = "drm",
	.known_max = DISPLAY_KNOWN_MAX,
	.settle_default_ms = DISPLAY_SETTLE_DEFAULT_MS,
	.rescan_default_ms = DISPLAY_RESCAN_DEFAULT_MS,
};

/* uc first (udev_util.h).  uc.known holds each connector by syspath: the
 * event last reported, its EDID fingerprint then (print; 0: no EDID), and
 * whether it was connected (present: its removal is reported).  Monitor
 * overruns are not in stats(). */
struct display_state {
	struct udev_collector uc;
	uint64_t reconcile_ms;		/* 0: no uevent waiting */
	uint64_t skipped;		/* invalid EDIDs reported, connectors
					 * gone while read (not reported) */
};
_Static_assert(offsetof(struct display_state, uc) == 0, "udev_util.h: uc first");

/* What one connector looks like now. */
struct display_now {
	struct udev_device *dev;
	const char *syspath;
	const char *name;	/* sysname, card0-HDMI-A-1 */
	char status[16];
	bool connected;
	uint8_t *edid;		/* NULL or len bytes */
	size_t len;
	uint64_t hash;
};

/* "card0-HDMI-A-1" -> "HDMI-A" in out; false if the name is not cardN-X. */
static bool display_connector_type(const char *name, char *out, size_t len)
{
	const char *p, *end;
	size_t n;

	if (strncmp(name, "card", 4) != 0)
		return false;
	p = name + 4;
	if (*p < '0' || *p > '9')
		return false;
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p != '-' || !p[1])
		return false;
	p++;
	end = strrchr(p, '-');
	/* The trailing -M is the connector's index; MST names such as
	 * DP-3 keep the same shape. */
	if (end && end > p && end[1] && strspn(end + 1, "0123456789") == strlen(end + 1))
		n = (size_t)(end - p);
	else
		n = strlen(p);
	if (n == 0 || n >= len)
		return false;
	memcpy(out, p, n);
	out[n] = '\0';
	return true;
}

/* Built-in panels and virtual outputs are not something plugged in. */
static bool display_type_external(const char *type)
{
	static const char *const internal[] = {
		"eDP", "LVDS", "DSI", "DPI", "SPI", "Virtual", "Writeback", NULL,
	};

	for (size_t i = 0; internal[i]; i++)
		if (strcmp(type, internal[i]) == 0)
			return false;
	return true;
}

/* Is dev a connector we report?  Writeback connectors are not displays. */
static bool display_is_connector(struct udev_device *dev, char *type, size_t len)
{
	const char *sub = udev_device_get_subsystem(dev);
	const char *name = udev_device_get_sysname(dev);

	if (!sub || strcmp(sub, "drm") != 0 || !name)
		return false;
	if (!display_connector_type(name, type, len) || strcmp(type, "Writeback") == 0)
		return false;
	return udev_device_get_sysattr_value(dev, "status") != NULL;
}

/* The EDID bytes, as a file: binary, bounded.  One byte more than the
 * largest EDID is read so that an oversized attribute is cut, not trusted. */
static void display_read_edid(struct display_now *c)
{
	char path[4096];
	char *buf;
	size_t len;

	if (snprintf(path, sizeof(path), "%s/edid", c->syspath) >= (int)sizeof(path))
		return;
	if (read_file_bounded(path, EDID_MAX_SIZE + 1, &buf, &len) < 0)
		return;		/* no attribute: no EDID */
	if (len == 0) {
		free(buf);
		return;
	}
	if (len > EDID_MAX_SIZE)
		len = EDID_MAX_SIZE;
	c->edid = (uint8_t *)buf;
	c->len = len;
	c->hash = edid_fingerprint(c->edid, len);
}

static void display_now_load(struct display_now *c, struct udev_device *dev)
{
	const char *s = udev_device_get_sysattr_value(dev, "status");

	memset(c, 0, sizeof(*c));
	c->dev = dev;
	c->syspath = udev_device_get_syspath(dev);
	c->name = udev_device_get_sysname(dev);
	strlcpy_fh(c->status, s ? s : "", sizeof(c->status));
	strstrip(c->status);
	c->connected = strcmp(c->status, "connected") == 0;
	display_read_edid(c);
}

/*
 * Is the connector still in sysfs, after we read it?  One that vanished
 * between the enumeration and the EDID read (a DP MST hub unplugged, the
 * driver unbound) reads as "connected, no EDID": a half-read connector
 * that would pass for a monitor hiding its identity.  Looked at through
 * the file system (libudev caches the status it already read).
 */
static bool display_still_there(const struct display_now *c)
{
	char path[4096];

	if (snprintf(path, sizeof(path), "%s/status", c->syspath) >= (int)sizeof(path))
		return false;
	return access(path, F_OK) == 0;
}

static void display_now_clear(struct display_now *c)
{
	free(c->edid);
	c->edid = NULL;
}

static void display_set_edid(struct display_state *st, struct event *ev,
			     const struct display_now *c)
{
	struct edid_info e;
	char hex[24];
	char body[FINGERPRINT_HEX_LEN];

	event_set_int(ev, DISPLAY_EDID_SIZE, (int64_t)c->len);
	if (!c->edid)
		return;
	if (!edid_parse(c->edid, c->len, &e))
		st->skipped++;
	event_set_bool(ev, DISPLAY_EDID_VALID, e.valid);
	snprintf(hex, sizeof(hex), "%016" PRIx64, c->hash);
	event_set_str(ev, DISPLAY_EDID_HASH, hex);
	/* Not for a blob that is no EDID at all; a bad checksum keeps it
	 * (checksums are blanked), so a hand-edited template still matches. */
	if (edid_body_fingerprint(c->edid, c->len, body))
		event_set_str(ev, DISPLAY_EDID_BODY_FINGERPRINT, body);
	if (e.have & EDID_HAVE_VENDOR)
		event_set_str(ev, DISPLAY_EDID_VENDOR, e.vendor);
	if (e.have & EDID_HAVE_PRODUCT) {
		snprintf(hex, sizeof(hex), "%04x", e.product);
		event_set_str(ev, DISPLAY_EDID_PRODUCT, hex);
	}
	if (e.have & EDID_HAVE_SERIAL)
		event_set_int(ev, DISPLAY_EDID_SERIAL, e.serial);
	if (e.have & EDID_HAVE_DATE) {
		event_set_int(ev, DISPLAY_WEEK, e.week);
		event_set_int(ev, DISPLAY_YEAR, e.year);
	}
	if (e.have & EDID_HAVE_VERSION) {
		snprintf(hex, sizeof(hex), "%u.%u", e.version, e.revision);
		event_set_str(ev, DISPLAY_EDID_VERSION, hex);
	}
	if (e.have & EDID_HAVE_SIZE) {
		event_set_int(ev, DISPLAY_WIDTH_CM, e.width_cm);
		event_set_int(ev, DISPLAY_HEIGHT_CM, e.height_cm);
	}
	/* An empty descriptor says nothing: leave the field unset. */
	if ((e.have & EDID_HAVE_NAME) && e.name[0])
		event_set_str(ev, DISPLAY_MONITOR_NAME, e.name);
	if ((e.have & EDID_HAVE_SERIAL_STR) && e.serial_str[0])
		event_set_str(ev, DISPLAY_MONITOR_SERIAL, e.serial_str);
	if ((e.have & EDID_HAVE_TEXT) && e.text[0])
		event_set_str(ev, DISPLAY_MONITOR_TEXT, e.text);
	if (e.have & EDID_HAVE_EXTENSIONS)
		event_set_int(ev, DISPLAY_EDID_EXTENSIONS, e.extensions);
}

static struct event *display_build(struct display_state *st, const struct display_now *c,
				   const char *action)
{
	struct event *ev = event_new(&display_source);
	char type[32];

	if (!ev)
		return NULL;
	event_set_str(ev, DISPLAY_ACTION, action);
	event_set_str(ev, DISPLAY_CONNECTOR, c->name);
	if (display_connector_type(c->name, type, sizeof(type))) {
		event_set_str(ev, DISPLAY_CONNECTOR_TYPE, type);
		event_set_bool(ev, DISPLAY_IS_EXTERNAL, display_type_external(type));
	}
	if (c->status[0])
		event_set_str(ev, DISPLAY_STATUS, c->status);
	display_set_edid(st, ev, c);
	return event_complete(ev);
}

/* Build, emit and (a copy) remember the event of connector c. */
static int display_report(struct display_state *st, const struct display_now *c,
			  const char *action)
{
	struct event *ev = display_build(st, c, action);

	if (!ev)
		return -ENOMEM;
	known_put(&st->uc.known, c->syspath, event_copy(ev), c->hash, c->connected);
	collector_emit(&st->uc.ctx, ev);
	return 0;
}

/* Remember c quietly: a connector seen disconnected reports nothing. */
static void display_remember(struct display_state *st, const struct display_now *c)
{
	known_put(&st->uc.known, c->syspath, display_build(st, c, EVENT_ACTION_PRESENT), c->hash,
		  c->connected);
}

/* A removal (known.h) carries the status the connector says now
 * ("disconnected"), or "disconnected" if it is gone. */
static void display_emit_removal(struct display_state *st, struct event *ev, const char *status)
{
	if (ev && event_set_str(ev, DISPLAY_STATUS, status ? status : "disconnected") < 0) {
		event_free(ev);
		return;
	}
	collector_emit(&st->uc.ctx, ev);
}

/* The monitor last seen on a connector that is still there left it. */
static void display_report_gone(struct display_state *st, struct known_entry *k,
				const char *status)
{
	display_emit_removal(st, known_removal(&st->uc.known, k, false), status);
}

/*
 * One connector during a reconcile (not the inventory): report what
 * changed since we last looked.  A connector first seen disconnected is
 * remembered quietly.
 */
static int display_reconcile_one(struct display_state *st, const struct display_now *c)
{
	struct known_entry *k = known_find(&st->uc.known, c->syspath);

	if (!k) {
		if (c->connected)
			return display_report(st, c, EVENT_ACTION_ADD);
		display_remember(st, c);
		return 0;
	}
	k->seen = true;
	if (c->connected && (!k->present || k->print != c->hash)) {
		/* Another monitor on the same connector: the old one left. */
		if (k->present && k->print != 0)
			display_report_gone(st, k, c->status);
		return display_report(st, c, EVENT_ACTION_ADD);
	}
	if (!c->connected && k->present) {
		display_report_gone(st, k, c->status);
		display_remember(st, c);
	}
	return 0;
}

/* A walk over the DRM devices: an inventory (present) or a reconcile. */
struct display_walk {
	struct display_state *st;
	bool present;
};

static int display_visit(void *walk, struct udev_device *dev)
{
	struct display_walk *w = walk;
	struct display_now c;
	char type[32];
	int r;

	if (!display_is_connector(dev, type, sizeof(type)))
		return 0;
	display_now_load(&c, dev);
	/* Gone while read: skipped and counted; not marked seen, so a known
	 * one is reported removed. */
	if (!display_still_there(&c)) {
		w->st->skipped++;
		display_now_clear(&c);
		return 0;
	}
	r = w->present ? display_report(w->st, &c, EVENT_ACTION_PRESENT)
		       : display_reconcile_one(w->st, &c);
	display_now_clear(&c);
	return r;
}

static void display_gone(void *walk, struct event *ev)
{
	struct display_walk *w = walk;

	display_emit_removal(w->st, ev, NULL);
}

/*
 * Walk every connector.  present: report each one (inventory).  Otherwise
 * report only the differences with the table; connectors that vanished
 * from sysfs (a DP MST hub unplugged) are removed either way.
 */
static int display_enumerate(struct display_state *st, bool present)
{
	struct display_walk w = { st, present };
	struct udev_enumerate *en = udev_enumerate_new(st->uc.udev);

	if (!en)
		return -ENOMEM;
	if (udev_enumerate_add_match_subsystem(en, "drm") < 0) {
		udev_enumerate_unref(en);
		return -EIO;
	}
	return udev_collector_reconcile(&st->uc, en, DISPLAY_ENUM_MAX, display_visit,
					display_gone, &w, NULL);
}

static int display_scan(void *state)
{
	return state ? display_enumerate(state, true) : -EINVAL;
}

/* ---- the monitor ---- */

/* change (HOTPLUG=1 on the card), add/remove (MST connectors): all mean
 * "look again". */
static int display_uevent(void *changed, struct udev_device *dev)
{
	(void)dev;
	*(bool *)changed = true;
	return 0;
}

static int display_on_ready(void *state)
{
	struct display_state *st = state;
	bool changed = false;

	if (!st || !st->uc.mon)
		return 0;
	udev_collector_drain(&st->uc, DISPLAY_DRAIN_MAX, display_uevent, &changed);
	if (!changed)
		return 0;
	if (st->uc.settle_ms == 0)
		return display_enumerate(st, false);
	st->reconcile_ms = collector_earlier(st->reconcile_ms,
					     now_monotonic_ms() + st->uc.settle_ms);
	return 0;
}

static int display_on_tick(void *state, uint64_t now_ms)
{
	struct display_state *st = state;
	bool due = false;

	if (!st)
		return -EINVAL;
	if (st->reconcile_ms && now_ms >= st->reconcile_ms) {
		st->reconcile_ms = 0;
		due = true;
	}
	if (collector_rescan_due(&st->uc.rescan, now_ms))
		due = true;
	return due ? display_enumerate(st, false) : 0;
}

static uint64_t display_next_tick(void *state, uint64_t now_ms)
{
	struct display_state *st = state;

	if (!st)
		return UINT64_MAX;
	return collector_ms_until(collector_earlier(st->reconcile_ms, st->uc.rescan.next_ms),
				  now_ms);
}

static void display_stats(void *state, struct collector_stats *out)
{
	struct display_state *st = state;

	udev_collector_stats(st ? &st->uc : NULL, out);
	if (st)
		out->skipped = st->skipped;
}

static void display_free(void *state)
{
	struct display_state *st = state;

	if (!st)
		return;
	udev_collector_fini(&st->uc);
	free(st);
}

static int display_init(const struct collector_ctx *ctx, void **state)
{
	return udev_collector_new(ctx, &display_udev, sizeof(struct display_state), state);
}

const struct collector display_collector = {
	.name = "display",
	.source = &display_source,
	.init = display_init,
	.fd = udev_collector_fd,
	.on_ready = display_on_ready,
	.on_tick = display_on_tick,
	.scan = display_scan,
	.next_tick = display_next_tick,
	.free = display_free,
	.stats = display_stats,
};
