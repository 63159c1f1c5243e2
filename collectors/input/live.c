/* SPDX-License-Identifier: Apache-2.0 */
/*
 * live.c - the `input` collector: keyboards and pointers read live from
 * evdev, every event through the frame (the privacy boundary, frame.c) to
 * the same detectors `--input` runs, one event per finding.
 *
 * Devices come from libudev (subsystem input, eventN nodes), at start and
 * on hot-plug, like the usb and display collectors (udev_util.h).  What a
 * device is comes from sysfs (its inputN parent's name, id/ and
 * capabilities/ attributes), not from ioctls, so that the identity read
 * here and the one udev and umockdev see are the same; only the absolute
 * axes' ranges need EVIOCGABS (a jump in permille of the screen), and a
 * device that refuses it is judged without them.  Only devices the frame
 * classifies as a keyboard, a pointer, a touch pad or screen or a tablet
 * are opened: power buttons, lid switches and game controllers are not
 * read at all.
 *
 * Each open device is read-only and non-blocking, in an epoll set of our
 * own whose fd is the collector's fd (a collector has one fd; the net
 * collector does the same with its capture handles).  Per event:
 *   - the kernel's timestamp (CLOCK_MONOTONIC once EVIOCSCLOCKID takes;
 *     a clock going backwards is held, never followed) drives the frame;
 *   - a key, button or other activity on one device ends the jiggler
 *     episodes of all the others (a person is there);
 *   - open typing runs and teleport episodes are closed by a tick on the
 *     device's own clock (its last event's time plus the monotonic time
 *     since), a second after the last read, once the queue is drained (so
 *     the agent's own delay is never taken for a pause), armed only while
 *     something is open: no wake-ups while nobody types.
 * activity_hours: every second with a key, click or wheel (not pointer
 * motion alone, which a jiggler makes) marks its minute in a 7-day
 * ring of the expected time zone (hours.c); an event with the week's
 * figures comes hourly, and the ring is saved every 10 minutes and at exit
 * in the state directory ($STATE_DIRECTORY, which systemd's
 * StateDirectory= sets: /var/lib/farmhound), so a restart keeps the week.
 * Without a state directory the week starts afresh at each start.
 * virtual_device: a keyboard or pointer that is a uinput device, a
 * Bluetooth device or a USB device behind USB/IP's vhci_hcd is reported
 * when it appears (and in --scan's inventory), with its name.
 *
 * Batching: a device that was just read leaves the epoll set for
 * INPUT_BATCH_MS, then its queue is read in one go.  A 1000 Hz gaming
 * mouse would otherwise wake the agent a thousand times a second for
 * three events each; the kernel's per-client queue (64 events at least,
 * drivers/input/evdev.c evdev_compute_buffer_size) holds 20 ms of such a
 * mouse, twice the rest, and the detectors use the kernel's timestamps,
 * so the rest changes no figure.  An overrun is a SYN_DROPPED, counted.
 *
 * Memory: at most INPUT_LIVE_MAX devices of fixed size each (the frame's
 * hold-time table and the detectors' rings), whatever they send; a full
 * table skips and counts further devices.  A read pass takes at most
 * INPUT_READS_PER_READY reads per device, so a flooding device cannot
 * starve the loop.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/input.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "collectors/udev_util.h"
#include "lib/util.h"
#include "frame.h"
#include "hours.h"
#include "input.h"
#include "jiggler.h"
#include "teleport.h"
#include "typing.h"

#define INPUT_LIVE_MAX		32	/* devices read at once */
#define INPUT_NODES_MAX		64	/* event nodes known (a laptop has 15-30) */
#define INPUT_READ_BATCH	64	/* struct input_event per read() */
#define INPUT_READS_PER_READY	8
#define INPUT_ENUM_MAX		512	/* input devices looked at per walk */
#define INPUT_FLUSH_MS		1000	/* re-check open runs this often */
#define INPUT_BATCH_MS		10	/* a device just read rests this long */
#define INPUT_RESCAN_DEFAULT_MS	(10 * 60 * 1000)
#define INPUT_HOURS_EMIT_MS	(60 * 60 * 1000)	/* an activity_hours event hourly */
#define INPUT_HOURS_SAVE_MS	(10 * 60 * 1000)	/* and its state saved this often */
#define INPUT_HOURS_FILE	"activity-hours"	/* in the state directory */

/* What a device is reported as in a virtual_device finding, or NULL. */
static const char *virtual_kind(uint16_t bus, bool usbip)
{
	if (usbip)
		return "usbip";
	if (bus == BUS_VIRTUAL)
		return "uinput";
	if (bus == BUS_BLUETOOTH)
		return "bluetooth";
	return NULL;
}

struct input_live;

struct input_dev {
	struct input_live *owner;
	char syspath[256];
	char usb_port[32];
	int fd;
	bool seen;			/* in the walk under way */
	bool flush_armed;
	uint64_t flush_ms;		/* monotonic: close open runs then */
	bool parked;			/* out of the epoll set until rearm_ms */
	uint64_t rearm_ms;
	uint64_t last_us;		/* device clock: last event */
	uint64_t last_mono_ms;		/* monotonic time of that event */
	uint8_t carry[sizeof(struct input_event)];	/* part of an event read */
	size_t ncarry;
	struct input_frame frame;
	struct jiggler jig;
	struct typing typ;
	struct teleport tel;
};

struct input_live {
	struct udev_collector uc;	/* first: udev_util.h */
	int epfd;
	struct jiggler_config jcfg;
	struct input_dev *dev[INPUT_NODES_MAX];
	size_t ndev;
	uint64_t skipped;		/* malformed attributes, torn reads, time backwards */
	uint64_t full;			/* devices not known or not read: table full */
	int open_errno;			/* last open failure noted (0: none) */
	/* activity_hours (hours.c): when someone used the laptop, in its
	 * expected zone; kept in the state directory across restarts. */
	bool hours_on;
	struct activity_hours hours;
	time_t hours_noted;		/* last second noted */
	uint64_t hours_emit_ms, hours_save_ms;
	int state_fd;			/* the state directory, or -1: not kept */
};
_Static_assert(offsetof(struct input_live, uc) == 0, "udev_util.h: uc first");

static const struct udev_collector_def input_udev = {
	.name = "input",
	.sysfs = "/sys/class/input",
	.sysfs_what = "input class",
	.changes = "input device",
	.subsystem = "input",
	.known_max = INPUT_NODES_MAX,
	.rescan_default_ms = INPUT_RESCAN_DEFAULT_MS,
};

/* ---- identity from sysfs ---- */

static const char *attr(struct udev_device *d, const char *name)
{
	return d ? udev_device_get_sysattr_value(d, name) : NULL;
}

static uint16_t hex16(const char *s, bool *bad)
{
	char *end;
	unsigned long v;

	if (!s) {
		*bad = true;
		return 0;
	}
	errno = 0;
	v = strtoul(s, &end, 16);
	if (errno || end == s || v > 0xffff || (*end && *end != '\n')) {
		*bad = true;
		return 0;
	}
	return (uint16_t)v;
}

/* Name, ids and capabilities of the event node's inputN parent into f.
 * False when the parent or a required attribute is missing or malformed
 * (counted by the caller). */
static bool identity_load(struct input_frame *f, struct udev_device *ev)
{
	static const struct { const char *attr; unsigned int type; } caps[] = {
		{ "capabilities/key", INPUT_EV_KEY }, { "capabilities/rel", INPUT_EV_REL },
		{ "capabilities/abs", INPUT_EV_ABS }, { "properties", INPUT_EV_CNT },
	};
	struct udev_device *in = udev_device_get_parent_with_subsystem_devtype(ev, "input", NULL);
	bool bad = false;

	if (!in)
		return false;
	input_frame_init(f, attr(in, "name"));
	f->dev.bus = hex16(attr(in, "id/bustype"), &bad);
	f->dev.vendor = hex16(attr(in, "id/vendor"), &bad);
	f->dev.product = hex16(attr(in, "id/product"), &bad);
	f->dev.version = hex16(attr(in, "id/version"), &bad);
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		const char *v = attr(in, caps[i].attr);

		/* Absent: the kernel has no such capability file for this
		 * type; present and malformed: hostile or a new format. */
		if (v && input_frame_set_bitmap(f, caps[i].type, v) < 0)
			bad = true;
	}
	input_frame_classify(f);
	return !bad;
}

static void usb_port_of(struct udev_device *ev, char *out, size_t len)
{
	struct udev_device *u = udev_device_get_parent_with_subsystem_devtype(ev, "usb", "usb_device");
	const char *name = u ? udev_device_get_sysname(u) : NULL;

	out[0] = '\0';
	if (name && strlen(name) < len)
		strlcpy_fh(out, name, len);
}

/* Read: keyboards, pointers, touch and pen; not joysticks or buttons. */
static bool worth_reading(const struct input_frame *f)
{
	return f->dev.classes & (INPUT_CLASS_KEYBOARD | INPUT_CLASS_REL_POINTER |
				 INPUT_CLASS_ABS_POINTER | INPUT_CLASS_TOUCH | INPUT_CLASS_TABLET);
}

static void report_virtual(struct input_live *st, const struct input_frame *f,
			   struct udev_device *ev, const char *usb_port)
{
	const char *kind = virtual_kind(f->dev.bus, usb_port[0] && udev_device_via_usbip(ev));
	struct input_finding fd = { .detector = "virtual_device" };

	if (!kind || !(f->dev.classes & (INPUT_CLASS_KEYBOARD | INPUT_CLASS_REL_POINTER |
					 INPUT_CLASS_ABS_POINTER)))
		return;
	fd.pattern = kind;
	collector_emit(&st->uc.ctx, input_finding_event(&f->dev, &fd, usb_port));
}

/* ---- the detectors of one device ---- */

static void on_finding(void *opaque, const struct input_finding *f)
{
	struct input_dev *d = opaque;

	collector_emit(&d->owner->uc.ctx, input_finding_event(&d->frame.dev, f, d->usb_port));
}

/* Input now: its minute of the week, at most one call a second. */
static void hours_note(struct input_live *st)
{
	time_t now;

	if (!st->hours_on)
		return;
	now = time(NULL);
	if (now == st->hours_noted)
		return;
	st->hours_noted = now;
	activity_hours_note(&st->hours, now);
}

/* A person is at the machine: every other device's jiggler episode ends. */
static void activity_elsewhere(struct input_live *st, const struct input_dev *from, uint64_t t_us)
{
	for (size_t i = 0; i < st->ndev; i++)
		if (st->dev[i] != from && st->dev[i]->fd >= 0)
			jiggler_activity(&st->dev[i]->jig, t_us);
}

static void on_sample(void *opaque, const struct input_sample *s)
{
	struct input_dev *d = opaque;

	jiggler_feed(&d->jig, s, on_finding, d);
	typing_feed(&d->typ, s, on_finding, d);
	teleport_feed(&d->tel, s, on_finding, d);
	/* A key, a click or the wheel: a person's (or a remote operator's)
	 * deliberate input.  Pointer motion alone counts for neither: a
	 * jiggler moves the pointer, and must neither end another device's
	 * jiggler episode nor fill activity_hours' nights. */
	if (s->kind == INPUT_KEY_DOWN || s->kind == INPUT_BUTTON || s->kind == INPUT_OTHER) {
		activity_elsewhere(d->owner, d, s->t_us);
		hours_note(d->owner);
	}
}

static bool runs_open(const struct input_dev *d)
{
	return d->typ.open || d->tel.count;
}

/* The device's clock now: its last event's time plus what passed since. */
static uint64_t device_now_us(const struct input_dev *d, uint64_t now_ms)
{
	return d->last_us + (now_ms - d->last_mono_ms) * 1000;
}

static void flush_runs(struct input_dev *d, uint64_t now_ms)
{
	uint64_t t = device_now_us(d, now_ms);

	typing_flush(&d->typ, t, on_finding, d);
	teleport_flush(&d->tel, t, on_finding, d);
	d->flush_armed = runs_open(d);
	d->flush_ms = now_ms + INPUT_FLUSH_MS;
}

/* ---- the device table ---- */

static struct input_dev *dev_find(struct input_live *st, const char *syspath)
{
	for (size_t i = 0; i < st->ndev; i++)
		if (strcmp(st->dev[i]->syspath, syspath) == 0)
			return st->dev[i];
	return NULL;
}

static void dev_free(struct input_live *st, struct input_dev *d)
{
	if (!d)
		return;
	if (d->fd >= 0) {
		if (st->epfd >= 0)
			epoll_ctl(st->epfd, EPOLL_CTL_DEL, d->fd, NULL);
		close(d->fd);
	}
	free(d);
}

static void dev_remove(struct input_live *st, size_t i)
{
	/* What was open is judged as it stands, like the end of a file. */
	if (st->dev[i]->fd >= 0) {
		typing_flush(&st->dev[i]->typ, UINT64_MAX, on_finding, st->dev[i]);
		teleport_flush(&st->dev[i]->tel, UINT64_MAX, on_finding, st->dev[i]);
	}
	dev_free(st, st->dev[i]);
	st->dev[i] = st->dev[--st->ndev];
	st->dev[st->ndev] = NULL;
}

/* EVIOCGABS of ABS_X and ABS_Y: the ranges a jump is measured against. */
static void read_ranges(struct input_dev *d)
{
	for (unsigned int code = ABS_X; code <= ABS_Y; code++) {
		struct input_absinfo ai;

		if (ioctl(d->fd, EVIOCGABS(code), &ai) == 0)
			input_frame_set_range(&d->frame, code, ai.minimum, ai.maximum);
	}
}

static int dev_open(struct input_live *st, struct input_dev *d, const char *node)
{
	struct epoll_event ee = { .events = EPOLLIN, .data.ptr = d };
	int clk = CLOCK_MONOTONIC;

	d->fd = open(node, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (d->fd < 0)
		return -errno;
	/* Best effort: without it the kernel stamps CLOCK_REALTIME, which
	 * the detectors survive (only differences count, backwards is held). */
	(void)ioctl(d->fd, EVIOCSCLOCKID, &clk);
	if (d->frame.abs_bits & 3u)
		read_ranges(d);
	if (epoll_ctl(st->epfd, EPOLL_CTL_ADD, d->fd, &ee) < 0)
		return -errno;
	return 0;
}

static void note_open_failure(struct input_live *st, const char *node, int err)
{
	/* Once per distinct cause: the unit's sandbox or group settings are
	 * the usual one, and every device would say the same. */
	if (st->open_errno == err || !st->uc.ctx.note)
		return;
	st->open_errno = err;
	st->uc.ctx.note(st->uc.ctx.opaque, LOG_WARNING, "input",
			"cannot read %s (%s): input behaviour is not watched on such devices",
			node, strerror(err));
}

static size_t readers(const struct input_live *st)
{
	size_t n = 0;

	for (size_t i = 0; i < st->ndev; i++)
		n += st->dev[i]->fd >= 0;
	return n;
}

/* Open d if it is worth reading and there is room; a failure is noted
 * and leaves it unread (the next walk does not retry: a device that could
 * not be opened once is retried when it is plugged again). */
static void dev_start_reading(struct input_live *st, struct input_dev *d, const char *node)
{
	int r;

	if (st->uc.ctx.mode != COLLECTOR_DAEMON || !node || !worth_reading(&d->frame))
		return;
	if (readers(st) == INPUT_LIVE_MAX) {
		st->full++;
		return;
	}
	jiggler_init(&d->jig, &st->jcfg);
	typing_init(&d->typ, NULL);
	teleport_init(&d->tel, NULL, d->frame.dev.classes);
	r = dev_open(st, d, node);
	if (r < 0) {
		note_open_failure(st, node, -r);
		if (d->fd >= 0)
			close(d->fd);
		d->fd = -1;
	}
}

/*
 * A device of a walk or of a uevent.  Every event node is kept in the
 * table once seen (read or not), so that its virtual_device finding is
 * reported once per appearance and its sysfs attributes are read once.
 */
static int dev_add(struct input_live *st, struct udev_device *ev)
{
	const char *syspath = udev_device_get_syspath(ev);
	const char *sysname = udev_device_get_sysname(ev);
	struct input_dev *d;

	if (!syspath || !sysname || strncmp(sysname, "event", 5) != 0)
		return 0;
	d = dev_find(st, syspath);
	if (d) {
		d->seen = true;
		return 0;
	}
	if (st->ndev == INPUT_NODES_MAX || strlen(syspath) >= sizeof(d->syspath)) {
		st->full++;
		return 0;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->owner = st;
	d->fd = -1;
	d->seen = true;
	strlcpy_fh(d->syspath, syspath, sizeof(d->syspath));
	st->dev[st->ndev++] = d;
	if (!identity_load(&d->frame, ev)) {
		st->skipped++;	/* kept, unread: not looked at again */
		return 0;
	}
	usb_port_of(ev, d->usb_port, sizeof(d->usb_port));
	report_virtual(st, &d->frame, ev, d->usb_port);
	dev_start_reading(st, d, udev_device_get_devnode(ev));
	return 0;
}

/* ---- events ---- */

/* One event into the frame, on the device's clock (never backwards). */
static void dev_event(struct input_dev *d, const struct input_event *e, uint64_t now_ms)
{
	uint64_t t = (uint64_t)e->input_event_sec * 1000000u + (uint64_t)e->input_event_usec;

	if (t < d->last_us) {
		d->owner->skipped++;
		t = d->last_us;
	}
	d->last_us = t;
	d->last_mono_ms = now_ms;
	input_frame_event(&d->frame, t, e->type, e->code, e->value, on_sample, d);
}

/*
 * What the queue holds, in reads of INPUT_READ_BATCH events, at most
 * INPUT_READS_PER_READY of them.  evdev returns whole events only; a
 * stream that returns part of one (an emulated node) has the rest kept
 * for the next read rather than every later event misread.  -ENODEV: the
 * device is gone.
 */
static int dev_read(struct input_dev *d, uint64_t now_ms)
{
	union {
		struct input_event ev[INPUT_READ_BATCH];
		uint8_t bytes[INPUT_READ_BATCH * sizeof(struct input_event)];
	} buf;

	for (int pass = 0; pass < INPUT_READS_PER_READY; pass++) {
		size_t have, whole;
		ssize_t n;

		memcpy(buf.bytes, d->carry, d->ncarry);
		n = read(d->fd, buf.bytes + d->ncarry, sizeof(buf) - d->ncarry);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -errno;
		if (n == 0)
			return -ENODEV;
		have = d->ncarry + (size_t)n;
		whole = have / sizeof(struct input_event);
		for (size_t i = 0; i < whole; i++)
			dev_event(d, &buf.ev[i], now_ms);
		d->ncarry = have - whole * sizeof(struct input_event);
		memcpy(d->carry, buf.bytes + whole * sizeof(struct input_event), d->ncarry);
		if (have < sizeof(buf))
			break;
	}
	if (runs_open(d) && !d->flush_armed) {
		d->flush_armed = true;
		d->flush_ms = now_ms + INPUT_FLUSH_MS;
	}
	return 0;
}

static int input_uevent(void *opaque, struct udev_device *ev)
{
	struct input_live *st = opaque;
	const char *action = udev_device_get_action(ev);
	const char *syspath = udev_device_get_syspath(ev);

	bool add = action && strcmp(action, "add") == 0;

	/* remove: gone.  add of a device we know but do not read: what we
	 * read of it may have been half-written (its attributes appear after
	 * a first uevent in some set-ups) or its remove was lost, so it is
	 * looked at afresh.  A device being read is kept: closing its fd
	 * would drop the events queued in it (an add racing the start-up
	 * walk is the usual case). */
	for (size_t i = 0; action && syspath && i < st->ndev; i++)
		if (strcmp(st->dev[i]->syspath, syspath) == 0) {
			if (strcmp(action, "remove") == 0 || (add && st->dev[i]->fd < 0))
				dev_remove(st, i);
			break;
		}
	if (action && strcmp(action, "remove") == 0)
		return 0;
	return dev_add(st, ev);
}

/* Walk every event node: new ones are added (with their virtual_device
 * findings), devices no longer there are dropped. */
static int input_walk(struct input_live *st)
{
	struct udev_enumerate *en = udev_enumerate_new(st->uc.udev);
	struct udev_list_entry *e;
	size_t looked = 0;
	int r = 0;

	if (!en)
		return -ENOMEM;
	if (udev_enumerate_add_match_subsystem(en, "input") < 0 ||
	    udev_enumerate_add_match_sysname(en, "event*") < 0 ||
	    udev_enumerate_scan_devices(en) < 0) {
		udev_enumerate_unref(en);
		return -EIO;
	}
	for (size_t i = 0; i < st->ndev; i++)
		st->dev[i]->seen = false;
	udev_list_entry_foreach(e, udev_enumerate_get_list_entry(en)) {
		struct udev_device *ev;

		if (++looked > INPUT_ENUM_MAX)
			break;
		ev = udev_device_new_from_syspath(st->uc.udev, udev_list_entry_get_name(e));
		if (!ev)
			continue;	/* gone since the enumeration */
		r = dev_add(st, ev);
		udev_device_unref(ev);
		if (r < 0)
			break;
	}
	udev_enumerate_unref(en);
	for (size_t i = st->ndev; r == 0 && i-- > 0;)
		if (!st->dev[i]->seen)
			dev_remove(st, i);
	return r;
}

/* ---- the collector ---- */

static int input_check_duration(const char *v, char *err, size_t errlen)
{
	uint64_t ms;

	if (duration_parse(v, &ms) < 0 || ms < 1000) {
		snprintf(err, errlen, "not a duration of at least 1s (5m, 90s)");
		return -EINVAL;
	}
	return 0;
}

static const struct collector_option input_options[] = {
	{ "jiggler_min_span", "5m",
	  "pointer motion with nothing else happening for this long is judged as a jiggler",
	  input_check_duration },
	{ "working_hours", HOURS_DEFAULT_WORKING_HOURS,
	  "activity_hours: working hours in the expected time zone, HH:MM-HH:MM (22:00-06:00 overnight)",
	  activity_hours_check_working_hours },
	{ "working_days", HOURS_DEFAULT_WORKING_DAYS,
	  "activity_hours: working days, e.g. mon-fri or sun-thu",
	  activity_hours_check_working_days },
	{ "timezone", NULL,
	  "activity_hours: the expected time zone (IANA name); unset: from [geo] timezones, else the machine's",
	  activity_hours_check_timezone },
	{ NULL, NULL, NULL, NULL },
};

/* ---- activity_hours: configuration, state, events ---- */

/* The state directory: systemd's StateDirectory= ($STATE_DIRECTORY, the
 * first of a colon-separated list), or -1. */
static int open_state_dir(void)
{
	const char *v = getenv("STATE_DIRECTORY");
	char dir[4096];
	size_t n;

	if (!v || v[0] != '/')
		return -1;
	n = strcspn(v, ":");
	if (n >= sizeof(dir))
		return -1;
	memcpy(dir, v, n);
	dir[n] = '\0';
	return open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static void hours_start(struct input_live *st)
{
	const struct collector_ctx *ctx = &st->uc.ctx;
	const struct collector_config *cfg = ctx->config;
	char machine[HOURS_ZONE_LEN], err[160];
	const char *zone;
	int r;

	activity_hours_init(&st->hours);
	activity_hours_machine_zone(ctx->rootfs, machine);
	zone = activity_hours_zone(ctx->geo, collector_option(&input_collector, cfg, "timezone"),
				   machine);
	r = activity_hours_config_root(&st->hours, ctx->rootfs,
				       collector_option(&input_collector, cfg, "working_hours"),
				       collector_option(&input_collector, cfg, "working_days"),
				       zone, err, sizeof(err));
	if (r < 0) {
		if (ctx->note)
			ctx->note(ctx->opaque, LOG_WARNING, "input",
				  "activity_hours off: %s", err);
		return;
	}
	st->hours_on = true;
	st->hours_emit_ms = now_monotonic_ms() + INPUT_HOURS_EMIT_MS;
	st->hours_save_ms = now_monotonic_ms() + INPUT_HOURS_SAVE_MS;
	st->state_fd = open_state_dir();
	if (st->state_fd < 0)
		return;
	r = activity_hours_load(&st->hours, st->state_fd, INPUT_HOURS_FILE, time(NULL));
	if (r == -EBADMSG || r == -ESTALE) {
		st->skipped++;
		if (ctx->note)
			ctx->note(ctx->opaque, LOG_NOTICE, "input", "%s: %s; the week starts afresh",
				  INPUT_HOURS_FILE, r == -ESTALE ? "another time zone's state"
								 : "not a valid state file");
	}
}

static void hours_save(struct input_live *st)
{
	if (st->hours_on && st->state_fd >= 0 &&
	    activity_hours_save(&st->hours, st->state_fd, INPUT_HOURS_FILE) < 0)
		st->skipped++;	/* kept in memory; tried again next time */
}

/* The week's figures as one event. */
static void hours_report(struct input_live *st)
{
	struct activity_hours_summary sum;

	if (st->hours_on && activity_hours_summary(&st->hours, time(NULL), &sum) == 0)
		collector_emit(&st->uc.ctx, input_hours_event(&sum));
}

static void hours_tick(struct input_live *st, uint64_t now_ms)
{
	if (!st->hours_on)
		return;
	if (now_ms >= st->hours_emit_ms) {
		st->hours_emit_ms = now_ms + INPUT_HOURS_EMIT_MS;
		hours_report(st);
	}
	if (now_ms >= st->hours_save_ms) {
		st->hours_save_ms = now_ms + INPUT_HOURS_SAVE_MS;
		hours_save(st);
	}
}

static int input_fd(void *state)
{
	struct input_live *st = state;

	return st ? st->epfd : -1;
}

/* Out of the epoll set for INPUT_BATCH_MS (see the top of the file). */
static void park(struct input_live *st, struct input_dev *d, uint64_t now_ms)
{
	struct epoll_event ee = { .events = 0, .data.ptr = d };

	if (epoll_ctl(st->epfd, EPOLL_CTL_MOD, d->fd, &ee) < 0)
		return;		/* stays armed: more wake-ups, nothing lost */
	d->parked = true;
	d->rearm_ms = now_ms + INPUT_BATCH_MS;
}

static void rearm(struct input_live *st, struct input_dev *d)
{
	struct epoll_event ee = { .events = EPOLLIN, .data.ptr = d };

	if (epoll_ctl(st->epfd, EPOLL_CTL_MOD, d->fd, &ee) == 0)
		d->parked = false;
	else
		d->rearm_ms += INPUT_BATCH_MS;	/* try again later */
}

static int input_on_ready(void *state)
{
	struct input_live *st = state;
	struct epoll_event evs[INPUT_LIVE_MAX + 1];
	uint64_t now = now_monotonic_ms();
	int n;

	if (!st)
		return -EINVAL;
	n = epoll_wait(st->epfd, evs, INPUT_LIVE_MAX + 1, 0);
	for (int i = 0; i < n; i++) {
		struct input_dev *d = evs[i].data.ptr;

		if (!d) {	/* the udev monitor */
			udev_collector_drain(&st->uc, 64, input_uevent, st);
			/* A device removed above may still be in evs: stop
			 * here, epoll reports the rest again. */
			break;
		}
		if (dev_read(d, now) == 0) {
			park(st, d, now);
			continue;
		}
		for (size_t k = 0; k < st->ndev; k++)
			if (st->dev[k] == d) {
				dev_remove(st, k);
				break;
			}
		break;	/* same reason */
	}
	return 0;
}

static int input_on_tick(void *state, uint64_t now_ms)
{
	struct input_live *st = state;

	if (!st)
		return -EINVAL;
	for (size_t i = 0; i < st->ndev; i++) {
		if (st->dev[i]->parked && now_ms >= st->dev[i]->rearm_ms)
			rearm(st, st->dev[i]);
		if (st->dev[i]->flush_armed && now_ms >= st->dev[i]->flush_ms) {
			/* What waits in the queue first: a daemon that was
			 * slow to come round (a busy machine) must not take
			 * its own delay for a pause in the typing.  A read
			 * error is left to on_ready, which sees it again. */
			(void)dev_read(st->dev[i], now_ms);
			flush_runs(st->dev[i], now_ms);
		}
	}
	hours_tick(st, now_ms);
	if (collector_rescan_due(&st->uc.rescan, now_ms))
		return input_walk(st);
	return 0;
}

static uint64_t input_next_tick(void *state, uint64_t now_ms)
{
	struct input_live *st = state;
	uint64_t due = 0;

	if (!st)
		return UINT64_MAX;
	due = st->uc.rescan.next_ms;
	for (size_t i = 0; i < st->ndev; i++) {
		if (st->dev[i]->flush_armed)
			due = collector_earlier(due, st->dev[i]->flush_ms);
		if (st->dev[i]->parked)
			due = collector_earlier(due, st->dev[i]->rearm_ms);
	}
	if (st->hours_on) {
		due = collector_earlier(due, st->hours_emit_ms);
		due = collector_earlier(due, st->hours_save_ms);
	}
	return collector_ms_until(due, now_ms);
}

/* The inventory: the devices, and (daemon) the week so far, so a restart
 * does not wait an hour to say it. */
static int input_scan(void *state)
{
	struct input_live *st = state;

	if (!st)
		return -EINVAL;
	hours_report(st);
	return input_walk(st);
}

static void input_stats(void *state, struct collector_stats *out)
{
	struct input_live *st = state;

	*out = (struct collector_stats){ 0 };
	if (!st)
		return;
	out->tracked = readers(st);
	out->skipped = st->skipped;
	out->evicted = st->full;
	out->dropped = st->uc.overruns;
	for (size_t i = 0; i < st->ndev; i++)
		out->dropped += st->dev[i]->frame.dropped;
}

static void input_free(void *state)
{
	struct input_live *st = state;

	if (!st)
		return;
	hours_save(st);
	if (st->state_fd >= 0)
		close(st->state_fd);
	while (st->ndev)
		dev_free(st, st->dev[--st->ndev]);
	if (st->epfd >= 0)
		close(st->epfd);
	udev_collector_fini(&st->uc);
	free(st);
}

static int input_watch(struct input_live *st)
{
	struct epoll_event ee = { .events = EPOLLIN, .data.ptr = NULL };

	st->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (st->epfd < 0)
		return -errno;
	if (st->uc.mon &&
	    epoll_ctl(st->epfd, EPOLL_CTL_ADD, udev_monitor_get_fd(st->uc.mon), &ee) < 0)
		return -errno;
	return 0;
}

static int input_init(const struct collector_ctx *ctx, void **state)
{
	struct input_live *st;
	const char *v;
	uint64_t span_ms;
	int r = udev_collector_new(ctx, &input_udev, sizeof(*st), state);

	if (r < 0)
		return r;
	st = *state;
	st->epfd = -1;
	st->state_fd = -1;
	jiggler_config_default(&st->jcfg);
	v = collector_option(&input_collector, ctx->config, "jiggler_min_span");
	if (v && duration_parse(v, &span_ms) == 0 && span_ms >= 1000)
		st->jcfg.min_span_us = span_ms * 1000;
	/* The devices present now are found by the first inventory,
	 * scan(), which the agent runs right after init. */
	if (ctx->mode == COLLECTOR_DAEMON) {
		r = input_watch(st);
		hours_start(st);
	}
	if (r < 0) {
		input_free(st);
		*state = NULL;
	}
	return r;
}

const struct collector input_collector = {
	.name = "input",
	.source = &input_source,
	.options = input_options,
	.rescan_default_ms = INPUT_RESCAN_DEFAULT_MS,
	.init = input_init,
	.fd = input_fd,
	.on_ready = input_on_ready,
	.on_tick = input_on_tick,
	.scan = input_scan,
	.next_tick = input_next_tick,
	.free = input_free,
	.stats = input_stats,
};
