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
 * reports every connector once as `present` and opens no monitor.
 */
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
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
#define DISPLAY_RESCAN_SOON_MS	10000	/* after lost uevents (DESIGN §8: >= 10 s) */

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

struct display_known {
	char *syspath;
	struct event *ev;	/* what we last reported; reused for remove */
	uint64_t hash;		/* EDID fingerprint then; 0 = no EDID */
	bool connected;
	bool seen;		/* reconcile mark */
	uint64_t seq;		/* age, for eviction when the table is full */
};

struct display_state {
	struct collector_ctx ctx;
	struct udev *udev;
	struct udev_monitor *mon;	/* NULL: --scan, or no netlink */
	uint64_t settle_ms;
	uint64_t rescan_ms;		/* 0: periodic rescan off */
	uint64_t next_rescan_ms;	/* 0: none scheduled */
	uint64_t reconcile_ms;		/* 0: no uevent waiting */
	uint64_t skipped;		/* invalid EDIDs reported, connectors
					 * gone while read (not reported) */
	uint64_t seq;
	uint64_t evicted;		/* known connectors forgotten: stats().evicted */
	size_t nknown;
	struct display_known known[DISPLAY_KNOWN_MAX];
};

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

/* Accumulates setter failures so that building reads straight through. */
struct display_build {
	struct event *ev;
	int err;
};

static void display_keep_err(struct display_build *b, int r)
{
	if (r < 0 && b->err == 0)
		b->err = r;
}

static void display_set_str(struct display_build *b, int f, const char *s)
{
	display_keep_err(b, event_set_str(b->ev, f, s));
}

static void display_set_int(struct display_build *b, int f, int64_t v)
{
	display_keep_err(b, event_set_int(b->ev, f, v));
}

static void display_set_bool(struct display_build *b, int f, bool v)
{
	display_keep_err(b, event_set_bool(b->ev, f, v));
}

static void display_emit(struct display_state *st, struct event *ev)
{
	if (st->ctx.emit)
		st->ctx.emit(st->ctx.opaque, ev);
	else
		event_free(ev);
}

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

static void display_set_edid(struct display_state *st, struct display_build *b,
			     const struct display_now *c)
{
	struct edid_info e;
	char hex[24];

	display_set_int(b, DISPLAY_EDID_SIZE, (int64_t)c->len);
	if (!c->edid)
		return;
	if (!edid_parse(c->edid, c->len, &e))
		st->skipped++;
	display_set_bool(b, DISPLAY_EDID_VALID, e.valid);
	snprintf(hex, sizeof(hex), "%016" PRIx64, c->hash);
	display_set_str(b, DISPLAY_EDID_HASH, hex);
	if (e.have & EDID_HAVE_VENDOR)
		display_set_str(b, DISPLAY_EDID_VENDOR, e.vendor);
	if (e.have & EDID_HAVE_PRODUCT) {
		snprintf(hex, sizeof(hex), "%04x", e.product);
		display_set_str(b, DISPLAY_EDID_PRODUCT, hex);
	}
	if (e.have & EDID_HAVE_SERIAL)
		display_set_int(b, DISPLAY_EDID_SERIAL, e.serial);
	if (e.have & EDID_HAVE_DATE) {
		display_set_int(b, DISPLAY_WEEK, e.week);
		display_set_int(b, DISPLAY_YEAR, e.year);
	}
	if (e.have & EDID_HAVE_VERSION) {
		snprintf(hex, sizeof(hex), "%u.%u", e.version, e.revision);
		display_set_str(b, DISPLAY_EDID_VERSION, hex);
	}
	if (e.have & EDID_HAVE_SIZE) {
		display_set_int(b, DISPLAY_WIDTH_CM, e.width_cm);
		display_set_int(b, DISPLAY_HEIGHT_CM, e.height_cm);
	}
	/* An empty descriptor says nothing: leave the field unset. */
	if ((e.have & EDID_HAVE_NAME) && e.name[0])
		display_set_str(b, DISPLAY_MONITOR_NAME, e.name);
	if ((e.have & EDID_HAVE_SERIAL_STR) && e.serial_str[0])
		display_set_str(b, DISPLAY_MONITOR_SERIAL, e.serial_str);
	if ((e.have & EDID_HAVE_TEXT) && e.text[0])
		display_set_str(b, DISPLAY_MONITOR_TEXT, e.text);
	if (e.have & EDID_HAVE_EXTENSIONS)
		display_set_int(b, DISPLAY_EDID_EXTENSIONS, e.extensions);
}

static struct event *display_build(struct display_state *st, const struct display_now *c,
				   const char *action)
{
	struct display_build b = { event_new(&display_source), 0 };
	char type[32];

	if (!b.ev)
		return NULL;
	display_set_str(&b, DISPLAY_ACTION, action);
	display_set_str(&b, DISPLAY_CONNECTOR, c->name);
	if (display_connector_type(c->name, type, sizeof(type))) {
		display_set_str(&b, DISPLAY_CONNECTOR_TYPE, type);
		display_set_bool(&b, DISPLAY_IS_EXTERNAL, display_type_external(type));
	}
	if (c->status[0])
		display_set_str(&b, DISPLAY_STATUS, c->status);
	display_set_edid(st, &b, c);
	if (b.err == -ENOMEM) {
		event_free(b.ev);
		return NULL;
	}
	return b.ev;
}

static struct event *display_event_copy(const struct event *src)
{
	struct event *ev = event_new(src->source);
	int r = 0;

	if (!ev)
		return NULL;
	ev->ts = src->ts;
	for (size_t f = 0; f < src->source->nfields && r == 0; f++) {
		const struct value *v = &src->values[f];

		if (!v->set)
			continue;
		switch (v->type) {	/* display has no IP or list fields */
		case FIELD_STRING:
			r = event_set_strn(ev, (int)f, v->str.ptr, v->str.len);
			break;
		case FIELD_INT:
			r = event_set_int(ev, (int)f, v->i);
			break;
		case FIELD_BOOL:
			r = event_set_bool(ev, (int)f, v->b);
			break;
		default:
			break;
		}
	}
	if (r < 0) {
		event_free(ev);
		return NULL;
	}
	return ev;
}

/* ---- the known-connector table ---- */

static int display_known_find(const struct display_state *st, const char *syspath)
{
	for (size_t i = 0; i < st->nknown; i++)
		if (strcmp(st->known[i].syspath, syspath) == 0)
			return (int)i;
	return -1;
}

static void display_known_drop(struct display_state *st, size_t i)
{
	free(st->known[i].syspath);
	event_free(st->known[i].ev);
	st->known[i] = st->known[--st->nknown];
}

/* Remember ev (taking it) as the state of c.  Bounded: past
 * DISPLAY_KNOWN_MAX connectors the oldest is forgotten (known.h); a new
 * one that went untracked would have its removal never reported. */
static void display_known_put(struct display_state *st, const struct display_now *c,
			      struct event *ev)
{
	int i = display_known_find(st, c->syspath);
	char *key;

	if (i >= 0) {
		struct display_known *k = &st->known[i];

		event_free(k->ev);
		*k = (struct display_known){ k->syspath, ev, c->hash, c->connected, true,
					     ++st->seq };
		return;
	}
	if (!ev || !(key = strdup(c->syspath))) {
		event_free(ev);
		return;
	}
	if (st->nknown == DISPLAY_KNOWN_MAX) {
		display_known_drop(st, known_oldest(st->known, st->nknown, sizeof(st->known[0]),
						    offsetof(struct display_known, seq)));
		st->evicted++;
	}
	st->known[st->nknown++] = (struct display_known){ key, ev, c->hash, c->connected, true,
							  ++st->seq };
}

/* Build, emit and (a copy) remember the event of connector c. */
static int display_report(struct display_state *st, const struct display_now *c,
			  const char *action)
{
	struct event *ev = display_build(st, c, action);

	if (!ev)
		return -ENOMEM;
	display_known_put(st, c, display_event_copy(ev));
	display_emit(st, ev);
	return 0;
}

/* Report what known[i] last showed as removed; status is what the
 * connector says now ("disconnected"), NULL if it is gone. */
static void display_report_gone(struct display_state *st, size_t i, const char *status)
{
	struct event *ev;

	if (!st->known[i].ev)
		return;		/* not remembered (out of memory then) */
	ev = display_event_copy(st->known[i].ev);
	if (!ev)
		return;
	if (event_set_str(ev, DISPLAY_ACTION, EVENT_ACTION_REMOVE) < 0 ||
	    event_set_str(ev, DISPLAY_STATUS, status ? status : "disconnected") < 0) {
		event_free(ev);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ev->ts);
	display_emit(st, ev);
}

/*
 * One connector during a reconcile (not the inventory): report what
 * changed since we last looked.  A connector first seen disconnected is
 * remembered quietly.
 */
static int display_reconcile_one(struct display_state *st, const struct display_now *c)
{
	int k = display_known_find(st, c->syspath);
	struct display_known *kn;

	if (k < 0) {
		if (c->connected)
			return display_report(st, c, EVENT_ACTION_ADD);
		display_known_put(st, c, display_build(st, c, EVENT_ACTION_PRESENT));
		return 0;
	}
	kn = &st->known[k];
	kn->seen = true;
	if (c->connected && (!kn->connected || kn->hash != c->hash)) {
		/* Another monitor on the same connector: the old one left. */
		if (kn->connected && kn->hash != 0)
			display_report_gone(st, (size_t)k, c->status);
		return display_report(st, c, EVENT_ACTION_ADD);
	}
	if (!c->connected && kn->connected) {
		display_report_gone(st, (size_t)k, c->status);
		display_known_put(st, c, display_build(st, c, EVENT_ACTION_PRESENT));
	}
	return 0;
}

/*
 * Walk every connector.  present: report each one (inventory).  Otherwise
 * report only the differences with the table; connectors that vanished
 * from sysfs (a DP MST hub unplugged) are removed either way.
 */
static int display_enumerate(struct display_state *st, bool present)
{
	struct udev_enumerate *en = udev_enumerate_new(st->udev);
	struct udev_list_entry *e;
	size_t looked = 0;
	int r = 0;

	if (!en)
		return -ENOMEM;
	if (udev_enumerate_add_match_subsystem(en, "drm") < 0 ||
	    udev_enumerate_scan_devices(en) < 0) {
		r = -EIO;
		goto out_unref;
	}
	for (size_t i = 0; i < st->nknown; i++)
		st->known[i].seen = false;
	udev_list_entry_foreach(e, udev_enumerate_get_list_entry(en)) {
		struct udev_device *dev;
		struct display_now c;
		char type[32];

		if (++looked > DISPLAY_ENUM_MAX)
			break;
		dev = udev_device_new_from_syspath(st->udev, udev_list_entry_get_name(e));
		if (!dev)
			continue;
		if (display_is_connector(dev, type, sizeof(type))) {
			display_now_load(&c, dev);
			/* Gone while read: skipped and counted; not marked
			 * seen, so a known one is reported removed below. */
			if (!display_still_there(&c)) {
				st->skipped++;
				display_now_clear(&c);
				udev_device_unref(dev);
				continue;
			}
			r = present ? display_report(st, &c, EVENT_ACTION_PRESENT)
				    : display_reconcile_one(st, &c);
			display_now_clear(&c);
		}
		udev_device_unref(dev);
		if (r < 0)
			break;
	}
	/* Backwards: display_known_drop() moves the last entry into the hole. */
	for (size_t i = st->nknown; r == 0 && i-- > 0;) {
		if (st->known[i].seen)
			continue;
		if (st->known[i].connected)
			display_report_gone(st, i, NULL);
		display_known_drop(st, i);
	}
out_unref:
	udev_enumerate_unref(en);
	return r;
}

static int display_scan(void *state)
{
	return state ? display_enumerate(state, true) : -EINVAL;
}

/* ---- the monitor ---- */

static void display_schedule(struct display_state *st, uint64_t due)
{
	if (!st->reconcile_ms || due < st->reconcile_ms)
		st->reconcile_ms = due;
}

static int display_on_ready(void *state)
{
	struct display_state *st = state;
	bool changed = false;

	if (!st || !st->mon)
		return 0;
	for (int n = 0; n < DISPLAY_DRAIN_MAX; n++) {
		struct udev_device *dev;

		errno = 0;
		dev = udev_monitor_receive_device(st->mon);
		if (!dev) {
			if (errno == ENOBUFS) {
				/* Lost uevents: reconcile soon; never later than
				 * already planned, so a flood cannot postpone it. */
				uint64_t soon = now_monotonic_ms() + DISPLAY_RESCAN_SOON_MS;

				if (!st->next_rescan_ms || soon < st->next_rescan_ms)
					st->next_rescan_ms = soon;
				continue;
			}
			break;
		}
		/* change (HOTPLUG=1 on the card), add/remove (MST connectors):
		 * all mean "look again". */
		changed = true;
		udev_device_unref(dev);
	}
	if (!changed)
		return 0;
	if (st->settle_ms == 0)
		return display_enumerate(st, false);
	display_schedule(st, now_monotonic_ms() + st->settle_ms);
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
	if (st->next_rescan_ms && now_ms >= st->next_rescan_ms) {
		st->next_rescan_ms = st->rescan_ms ? now_ms + st->rescan_ms : 0;
		due = true;
	}
	return due ? display_enumerate(st, false) : 0;
}

static uint64_t display_next_tick(void *state, uint64_t now_ms)
{
	struct display_state *st = state;
	uint64_t due = UINT64_MAX;

	if (!st)
		return UINT64_MAX;
	if (st->reconcile_ms)
		due = st->reconcile_ms;
	if (st->next_rescan_ms && st->next_rescan_ms < due)
		due = st->next_rescan_ms;
	if (due == UINT64_MAX)
		return UINT64_MAX;
	return due > now_ms ? due - now_ms : 0;
}

static int display_fd(void *state)
{
	struct display_state *st = state;

	return st && st->mon ? udev_monitor_get_fd(st->mon) : -1;
}

static void display_stats(void *state, struct collector_stats *out)
{
	struct display_state *st = state;

	memset(out, 0, sizeof(*out));
	if (!st)
		return;
	out->skipped = st->skipped;
	out->tracked = st->nknown;
	out->evicted = st->evicted;
}

static void display_free(void *state)
{
	struct display_state *st = state;

	if (!st)
		return;
	while (st->nknown > 0)
		display_known_drop(st, st->nknown - 1);
	udev_monitor_unref(st->mon);
	udev_unref(st->udev);
	free(st);
}

/* Live events are a bonus: without a monitor the rescans still find every
 * change, only later. */
static void display_monitor_open(struct display_state *st)
{
	st->mon = udev_monitor_open_nonblock(st->udev, "drm", NULL, 0);
	if (!st->mon && st->ctx.note)
		st->ctx.note(st->ctx.opaque, LOG_WARNING, "display",
			     "no udev monitor; display changes are seen at rescans only");
}

static int display_init(const struct collector_ctx *ctx, void **state)
{
	const struct collector_config *cfg = ctx ? ctx->config : NULL;
	struct display_state *st;

	if (!ctx || !state)
		return -EINVAL;
	*state = NULL;
	/* No DRM (containers, servers without a GPU driver): nothing to watch. */
	if (access(DISPLAY_SYSFS_CLASS, F_OK) < 0) {
		if (ctx->note)
			ctx->note(ctx->opaque, LOG_NOTICE, "display",
				  "no DRM in sysfs (" DISPLAY_SYSFS_CLASS " missing)");
		return -ENODEV;
	}
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->ctx = *ctx;
	st->settle_ms = cfg ? cfg->settle_ms : DISPLAY_SETTLE_DEFAULT_MS;
	st->rescan_ms = cfg ? cfg->rescan_ms : DISPLAY_RESCAN_DEFAULT_MS;
	st->udev = udev_new();
	if (!st->udev) {
		free(st);
		return -ENOMEM;
	}
	/* --scan is one inventory: nothing to watch afterwards. */
	if (ctx->mode == COLLECTOR_DAEMON) {
		display_monitor_open(st);
		if (st->rescan_ms)
			st->next_rescan_ms = now_monotonic_ms() + st->rescan_ms;
	}
	*state = st;
	return 0;
}

const struct collector display_collector = {
	.name = "display",
	.source = &display_source,
	.init = display_init,
	.fd = display_fd,
	.on_ready = display_on_ready,
	.on_tick = display_on_tick,
	.scan = display_scan,
	.next_tick = display_next_tick,
	.free = display_free,
	.stats = display_stats,
};
