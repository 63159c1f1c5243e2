/* SPDX-License-Identifier: Apache-2.0 */
/*
 * input.c - the `input` source's field table and the --input path: an
 * evemu-record file through the reader (evemu.c) and the frame (frame.c),
 * every sample to the jiggler, injected_typing and pointer_teleport
 * detectors, every finding to one event.  The recording's own timestamps
 * drive the detectors, so hours of recording are judged in the time it
 * takes to read the file.  One device per file (evemu-record's format).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "evemu.h"
#include "hours.h"
#include "input.h"
#include "jiggler.h"
#include "teleport.h"
#include "typing.h"

static const struct field_def input_fields[INPUT__NFIELDS] = {
	[INPUT_ACTION] = { "action", FIELD_STRING, "detected (a detector's finding)" },
	[INPUT_DETECTOR] = { "detector", FIELD_STRING,
		"jiggler, injected_typing, pointer_teleport, virtual_device or activity_hours" },
	[INPUT_PATTERN] = { "pattern", FIELD_STRING,
		"the detector's case: jiggler bursts or continuous; injected_typing run; "
		"pointer_teleport jumps; virtual_device uinput, bluetooth or usbip; "
		"activity_hours week" },
	[INPUT_DEVICE] = { "device", FIELD_STRING, "the input device's name (printable ASCII)" },
	[INPUT_BUS] = { "bus", FIELD_STRING,
		"usb, bluetooth, virtual (uinput), i8042, i2c, host, or 0xNNNN" },
	[INPUT_VENDOR_ID] = { "vendor_id", FIELD_STRING, "the device's vendor id, 4 lower-case hex digits" },
	[INPUT_PRODUCT_ID] = { "product_id", FIELD_STRING, "the device's product id, 4 lower-case hex digits" },
	[INPUT_VID_PID] = { "vid_pid", FIELD_STRING, "vendor_id:product_id, e.g. 1d6b:0104" },
	[INPUT_DEVICE_KIND] = { "device_kind", FIELD_LIST,
		"what the device declares: keyboard, pointer, absolute, touch, tablet, joystick" },
	[INPUT_COUNT] = { "count", FIELD_INT, "moves, key presses or jumps in the finding" },
	[INPUT_BURSTS] = { "bursts", FIELD_INT, "jiggler: bursts of moves judged (0 for the others)" },
	[INPUT_PERIOD_MS] = { "period_ms", FIELD_INT,
		"mean interval in ms: between bursts (jiggler), presses (typing), jumps (teleport)" },
	[INPUT_CV_PCT] = { "cv_pct", FIELD_INT,
		"coefficient of variation of those intervals, in percent (low: machine-regular)" },
	[INPUT_STEP] = { "step", FIELD_INT,
		"mean move size in device units (jiggler), interval sd in ms (typing), "
		"jump in permille of the screen (teleport)" },
	[INPUT_STEP_CV_PCT] = { "step_cv_pct", FIELD_INT, "coefficient of variation of the move sizes, percent" },
	[INPUT_HOLD_MS] = { "hold_ms", FIELD_INT, "injected_typing: mean time a key was held" },
	[INPUT_NET_PCT] = { "net_pct", FIELD_INT,
		"jiggler: net displacement as percent of the path (low: the moves cancel out)" },
	[INPUT_REVERSALS] = { "reversals", FIELD_INT, "jiggler: direction reversals" },
	[INPUT_DURATION_MS] = { "duration_ms", FIELD_INT, "from the finding's first sample to its last" },
	[INPUT_USB_PORT] = { "usb_port", FIELD_STRING,
		"port path of the device's USB parent (the usb event's port, e.g. 1-2.3); "
		"absent for devices not on USB and for --input" },
	/* ---- activity_hours (hours.c): the last 7 local days, expected zone ---- */
	[INPUT_ACTIVE_MINUTES] = { "active_minutes", FIELD_INT,
		"activity_hours: minutes with a key, click or wheel over the last 7 days" },
	[INPUT_OUTSIDE_MINUTES] = { "outside_minutes", FIELD_INT,
		"activity_hours: of those, minutes outside working hours or days" },
	[INPUT_OUTSIDE_PCT] = { "outside_pct", FIELD_INT,
		"activity_hours: outside_minutes in percent of active_minutes" },
	[INPUT_NIGHT_MINUTES] = { "night_minutes", FIELD_INT,
		"activity_hours: active minutes between 22:00 and 06:00 in the expected zone" },
	[INPUT_NIGHT_PCT] = { "night_pct", FIELD_INT,
		"activity_hours: night_minutes in percent of active_minutes" },
	[INPUT_DAYS] = { "days", FIELD_INT, "activity_hours: days of the 7 with any input" },
	[INPUT_HOUR_HISTOGRAM] = { "hour_histogram", FIELD_STRING,
		"activity_hours: active minutes per local hour 00..23, 24 comma-separated numbers" },
	[INPUT_TIMEZONE] = { "timezone", FIELD_STRING,
		"activity_hours: the zone the hours are counted in (the timezone option; the "
		"machine's if [geo] expects it; else [geo]'s first plain zone)" },
	[INPUT_WORKING_HOURS] = { "working_hours", FIELD_STRING,
		"activity_hours: the configured working hours, e.g. 08:00-18:00" },
	[INPUT_WORKING_DAYS] = { "working_days", FIELD_STRING,
		"activity_hours: the configured working days, e.g. mon-fri" },
	/* ---- end activity_hours ---- */
};

static const int input_entity[] = { INPUT_DETECTOR, INPUT_DEVICE, INPUT_VID_PID, -1 };

/* "activity_hours: 1500 of 2000 active minutes (75%) outside 08:00-18:00
 * mon-fri, 60% at night, America/New_York, 5 days" */
static long long int_of(const struct event *ev, int field)
{
	const struct value *v = event_get(ev, field);

	return v && v->set ? (long long)v->i : 0;
}

static void hours_describe(const struct event *ev, char *buf, size_t len)
{
	const char *tz = event_get_str(ev, INPUT_TIMEZONE);
	const char *wh = event_get_str(ev, INPUT_WORKING_HOURS);
	const char *wd = event_get_str(ev, INPUT_WORKING_DAYS);

	snprintf(buf, len, "activity_hours: %lld of %lld active minutes (%lld%%) outside %s %s, "
		 "%lld%% at night, %s, %lld days", int_of(ev, INPUT_OUTSIDE_MINUTES),
		 int_of(ev, INPUT_ACTIVE_MINUTES), int_of(ev, INPUT_OUTSIDE_PCT), wh ? wh : "?",
		 wd ? wd : "?", int_of(ev, INPUT_NIGHT_PCT), tz ? tz : "?", int_of(ev, INPUT_DAYS));
}

static void input_describe(const struct event *ev, char *buf, size_t len)
{
	const char *d = event_get_str(ev, INPUT_DETECTOR);
	const char *n = event_get_str(ev, INPUT_DEVICE);
	const char *id = event_get_str(ev, INPUT_VID_PID);
	const char *bus = event_get_str(ev, INPUT_BUS);
	const char *port = event_get_str(ev, INPUT_USB_PORT);

	if (d && strcmp(d, "activity_hours") == 0) {
		hours_describe(ev, buf, len);
		return;
	}
	snprintf(buf, len, "%s on input device %s (%s, %s%s%s)", d ? d : "finding",
		 n && n[0] ? n : "unnamed", id ? id : "????:????", bus ? bus : "?",
		 port ? " port " : "", port ? port : "");
}

const struct source_def input_source = {
	.id = SOURCE_INPUT,
	.name = "input",
	.fields = input_fields,
	.nfields = INPUT__NFIELDS,
	.entity_fields = input_entity,
	.describe = input_describe,
};

/* linux/input.h BUS_* values. */
static void bus_name(uint16_t bus, char *out, size_t len)
{
	static const struct { uint16_t id; const char *name; } names[] = {
		{ 0x03, "usb" }, { 0x05, "bluetooth" }, { 0x06, "virtual" },
		{ 0x11, "i8042" }, { 0x18, "i2c" }, { 0x19, "host" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].id == bus) {
			snprintf(out, len, "%s", names[i].name);
			return;
		}
	snprintf(out, len, "0x%04x", bus);
}

static int64_t rounded(double v)
{
	return v >= 9e18 ? INT64_MAX : v <= 0 ? 0 : (int64_t)(v + 0.5);
}

static void kinds(struct event *ev, unsigned int classes)
{
	static const struct { unsigned int bit; const char *name; } k[] = {
		{ INPUT_CLASS_KEYBOARD, "keyboard" }, { INPUT_CLASS_REL_POINTER, "pointer" },
		{ INPUT_CLASS_ABS_POINTER, "absolute" }, { INPUT_CLASS_TOUCH, "touch" },
		{ INPUT_CLASS_TABLET, "tablet" }, { INPUT_CLASS_JOYSTICK, "joystick" },
	};

	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++)
		if (classes & k[i].bit)
			event_list_add(ev, INPUT_DEVICE_KIND, k[i].name);
}

struct event *input_finding_event(const struct input_device *d, const struct input_finding *f,
				  const char *usb_port)
{
	struct event *ev = event_new(&input_source);
	char bus[16], v[8], p[8], vp[16];

	if (!ev)
		return NULL;
	bus_name(d->bus, bus, sizeof(bus));
	snprintf(v, sizeof(v), "%04x", d->vendor);
	snprintf(p, sizeof(p), "%04x", d->product);
	snprintf(vp, sizeof(vp), "%s:%s", v, p);
	event_set_str(ev, INPUT_ACTION, "detected");
	event_set_str(ev, INPUT_DETECTOR, f->detector);
	event_set_str(ev, INPUT_PATTERN, f->pattern);
	event_set_str(ev, INPUT_DEVICE, d->name);
	event_set_str(ev, INPUT_BUS, bus);
	event_set_str(ev, INPUT_VENDOR_ID, v);
	event_set_str(ev, INPUT_PRODUCT_ID, p);
	event_set_str(ev, INPUT_VID_PID, vp);
	kinds(ev, d->classes);
	event_set_int(ev, INPUT_COUNT, f->count);
	event_set_int(ev, INPUT_BURSTS, f->bursts);
	event_set_int(ev, INPUT_PERIOD_MS, rounded(f->period_ms));
	event_set_int(ev, INPUT_CV_PCT, rounded(f->cv * 100));
	event_set_int(ev, INPUT_STEP, rounded(f->step));
	event_set_int(ev, INPUT_STEP_CV_PCT, rounded(f->step_cv * 100));
	event_set_int(ev, INPUT_HOLD_MS, rounded(f->hold_ms));
	event_set_int(ev, INPUT_NET_PCT, rounded(f->net * 100));
	event_set_int(ev, INPUT_REVERSALS, f->reversals);
	event_set_int(ev, INPUT_DURATION_MS,
		      f->end_us >= f->start_us ? (int64_t)((f->end_us - f->start_us) / 1000) : 0);
	if (usb_port && usb_port[0])
		event_set_str(ev, INPUT_USB_PORT, usb_port);
	return event_complete(ev);
}

struct event *input_hours_event(const struct activity_hours_summary *s)
{
	struct event *ev = event_new(&input_source);
	char hist[24 * 11 + 1];
	size_t n = 0;

	if (!ev)
		return NULL;
	for (int i = 0; i < 24; i++)
		n += (size_t)snprintf(hist + n, sizeof(hist) - n, "%s%u", i ? "," : "", s->hist[i]);
	event_set_str(ev, INPUT_ACTION, "detected");
	event_set_str(ev, INPUT_DETECTOR, "activity_hours");
	event_set_str(ev, INPUT_PATTERN, "week");
	event_set_int(ev, INPUT_ACTIVE_MINUTES, s->active_minutes);
	event_set_int(ev, INPUT_OUTSIDE_MINUTES, s->outside_minutes);
	event_set_int(ev, INPUT_OUTSIDE_PCT, s->outside_pct);
	event_set_int(ev, INPUT_NIGHT_MINUTES, s->night_minutes);
	event_set_int(ev, INPUT_NIGHT_PCT, s->night_pct);
	event_set_int(ev, INPUT_DAYS, s->days);
	event_set_str(ev, INPUT_HOUR_HISTOGRAM, hist);
	event_set_str(ev, INPUT_TIMEZONE, s->zone);
	event_set_str(ev, INPUT_WORKING_HOURS, s->working_hours);
	event_set_str(ev, INPUT_WORKING_DAYS, s->working_days);
	return event_complete(ev);
}

/* Everything one --input run keeps: the reader and a device's detectors. */
struct input_run {
	const struct collector_ctx *ctx;
	struct evemu_reader rd;
	struct jiggler jig;
	struct typing typ;
	struct teleport tel;
	bool started;
};

static void on_finding(void *opaque, const struct input_finding *f)
{
	struct input_run *run = opaque;

	collector_emit(run->ctx, input_finding_event(&run->rd.frame.dev, f, NULL));
}

static void on_sample(void *opaque, const struct input_sample *s)
{
	struct input_run *run = opaque;

	/* The device's classes are known once the header is read. */
	if (!run->started) {
		teleport_init(&run->tel, NULL, run->rd.frame.dev.classes);
		run->started = true;
	}
	jiggler_feed(&run->jig, s, on_finding, run);
	typing_feed(&run->typ, s, on_finding, run);
	teleport_feed(&run->tel, s, on_finding, run);
}

static uint64_t skipped_lines(const struct evemu_stats *st)
{
	return st->long_lines + st->malformed + st->backwards + st->late_header + st->unknown;
}

int input_file_scan(const struct collector_ctx *ctx, const char *path, uint64_t *skipped)
{
	static struct input_run run;	/* 40 KiB: not on the stack */
	FILE *in = fopen(path, "re");
	int r;

	if (!in)
		return -errno;
	memset(&run, 0, sizeof(run));
	run.ctx = ctx;
	jiggler_init(&run.jig, NULL);
	typing_init(&run.typ, NULL);
	evemu_init(&run.rd, on_sample, &run);
	r = evemu_read_stream(&run.rd, in);
	fclose(in);
	if (r < 0)
		return r;
	jiggler_flush(&run.jig, evemu_last_us(&run.rd), on_finding, &run);
	typing_flush(&run.typ, UINT64_MAX, on_finding, &run);
	teleport_flush(&run.tel, UINT64_MAX, on_finding, &run);
	if (skipped)
		*skipped += skipped_lines(&run.rd.stats);
	if (skipped_lines(&run.rd.stats) && ctx->note)
		ctx->note(ctx->opaque, LOG_NOTICE, "input", "%s: %llu of %llu lines skipped (malformed, "
			  "too long, time going backwards or out of place)", path,
			  (unsigned long long)skipped_lines(&run.rd.stats),
			  (unsigned long long)run.rd.stats.lines);
	return 0;
}
