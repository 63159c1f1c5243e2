/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hours.c - activity_hours: active minutes per local hour over the last 7
 * local days in the laptop's expected time zone, and the share of them
 * outside working hours.  The case it is for (issue 15): a worker abroad
 * keeps a US company's laptop busy during their own day, which is the
 * night in New York.  Those who turn their own day round to US hours
 * (KnowBe4, July 2024, on its DPRK hire's laptop farm: they "work the
 * night shift so that they seem to be working in US daytime",
 * blog.knowbe4.com/how-a-north-korean-fake-it-worker-tried-to-infiltrate-us)
 * are out of its reach; hence context, never a verdict.  65-input.rules'
 * detectors see how input arrives, this one sees when.
 *
 * Memory: a ring of 7 day slots, slot = local date mod 7, each one bit per
 * local minute (180 bytes): a minute counts once however many events, and
 * every figure (histogram, outside share for whatever working hours are
 * configured now) is computed from the bits at summary time, so changing
 * working_hours on reload needs no history rewrite.  Fixed size: 1.3 KiB
 * of ring plus the zone (lib/tzif.h); nothing grows with input.
 *
 * The expected zone (activity_hours_zone()): the timezone option; else the
 * machine's own zone if [geo] timezones expects it; else the first plain
 * zone name in [geo]; else the machine's.  The first idea, always
 * [geo]'s first zone, would judge an employee in Los Angeles by the
 * sample farmhound.conf's "America/<any>, Pacific/Honolulu" in Honolulu
 * time; taking the machine's zone only when it is an expected one keeps
 * the case this detector is for: a laptop re-set to Asia/Seoul is still
 * judged in [geo]'s zone.  A [geo] of patterns only cannot name a zone:
 * then the machine's zone is all there is (set the option).
 *
 * Time zone: read from the TZif file ourselves (lib/tzif.c says why not
 * setenv("TZ")); one offset lookup per note.  A local date is the day
 * count of the zone's wall clock.  On the day clocks go back, the repeated
 * hour's minutes fall on the same bits: at most 60 minutes a year are
 * counted once instead of twice, which no threshold notices.
 *
 * Working time: a minute is inside when its local time is in
 * [work_start, work_end) and its day is a working day; for an overnight
 * range ("22:00-06:00") the part after midnight belongs to the day the
 * shift started, so "mon-fri" with "22:00-06:00" covers Friday night into
 * Saturday morning but not Sunday night into Monday.  Night, for the
 * rules, is 22:00-06:00 expected-zone time whatever is configured.
 *
 * Clock going backwards: a slot holding a date after today's is dropped
 * on the next note (the future cannot have happened), and summaries count
 * only dates in (today - 7, today].
 *
 * State file (activity_hours_save/load, the collector keeps it in the
 * state directory): text, at most HOURS_STATE_MAX bytes,
 *   farmhound activity_hours 1
 *   zone America/New_York
 *   day 20425 <360 hex digits: the 1440 minute bits, minute 0 first, LSB first>
 *   ...                       (at most 7 day lines, dates strictly unique)
 *   sum <fingerprint_hex of every byte before this line>
 * The sum catches truncation and flipped bits; then every line is checked
 * again on its own (the file is attacker-writable if the state directory
 * is): exact header, zone equal to the configured one (else -ESTALE: the
 * dates were another zone's), no day after today (future-dated), no
 * duplicate, exact length and hex.  Days older than the window are
 * skipped.  Any failure leaves the ring empty and says -EBADMSG; the
 * collector counts it and starts afresh.  A bitmap cannot hold more than
 * 1440 minutes a day, so no count read from the file can exceed its
 * bound.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collectors/geo.h"
#include "hours.h"
#include "lib/sha256.h"

#define STATE_MAGIC "farmhound activity_hours 1\n"
#define DAY_HEX (HOURS_MINUTES / 4)	/* 360 */

static const char *const day_names[7] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };

static void say(char *err, size_t errlen, const char *msg, const char *value)
{
	if (err && errlen)
		snprintf(err, errlen, "%s: \"%.64s\"", msg, value ? value : "");
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/* ---- configuration ---- */

/* "HH:MM" at s (exactly 5 bytes); minutes, end allows 24:00. */
static int parse_clock(const char *s, bool end)
{
	int h, m;

	if (!(s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9' && s[2] == ':' &&
	      s[3] >= '0' && s[3] <= '9' && s[4] >= '0' && s[4] <= '9'))
		return -1;
	h = (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[3] - '0') * 10 + (s[4] - '0');
	if (m > 59 || h > 24 || (h == 24 && (!end || m != 0)))
		return -1;
	return h * 60 + m;
}

static int parse_hours(const char *v, uint16_t *start, uint16_t *end)
{
	int a, b;

	if (!v || strlen(v) != 11 || v[5] != '-')
		return -EINVAL;
	a = parse_clock(v, false);
	b = parse_clock(v + 6, true);
	if (a < 0 || b < 0 || a == b)
		return -EINVAL;
	*start = (uint16_t)a;
	*end = (uint16_t)b;
	return 0;
}

static int day_index(const char *s, size_t n)
{
	for (int i = 0; i < 7; i++)
		if (n == 3 && strncasecmp(s, day_names[i], 3) == 0)
			return i;
	return -1;
}

/* "mon-fri", "mon,tue,thu", "sat-sun", "fri-mon" (wraps): a day bitmask. */
static int parse_days(const char *v, uint8_t *mask)
{
	uint8_t m = 0;
	const char *p = v;

	if (!v || !*v || strlen(v) >= sizeof(((struct activity_hours *)0)->working_days))
		return -EINVAL;
	while (*p) {
		size_t n = strcspn(p, ",");
		const char *dash = memchr(p, '-', n);
		int a, b;

		if (dash) {
			a = day_index(p, (size_t)(dash - p));
			b = day_index(dash + 1, n - (size_t)(dash - p) - 1);
		} else {
			a = b = day_index(p, n);
		}
		if (a < 0 || b < 0)
			return -EINVAL;
		for (int d = a;; d = (d + 1) % 7) {
			m |= (uint8_t)(1u << d);
			if (d == b)
				break;
		}
		p += n;
		if (*p == ',' && !*++p)
			return -EINVAL;	/* trailing comma */
	}
	*mask = m;
	return 0;
}

int activity_hours_check_working_hours(const char *value, char *err, size_t errlen)
{
	uint16_t a, b;

	if (parse_hours(value, &a, &b) < 0) {
		say(err, errlen, "not a range of hours HH:MM-HH:MM (start != end)", value);
		return -EINVAL;
	}
	return 0;
}

int activity_hours_check_working_days(const char *value, char *err, size_t errlen)
{
	uint8_t m;

	if (parse_days(value, &m) < 0) {
		say(err, errlen, "not a list of days (mon-fri, mon,tue,thu)", value);
		return -EINVAL;
	}
	return 0;
}

int activity_hours_check_timezone(const char *value, char *err, size_t errlen)
{
	if (value && *value && !tz_name_valid(value)) {
		say(err, errlen, "not a time zone name (America/New_York)", value);
		return -EINVAL;
	}
	return 0;
}

static const char *root_of(const char *rootfs)
{
	return rootfs && strcmp(rootfs, "/") != 0 ? rootfs : "";
}

/* The name in the target of /etc/localtime (".../zoneinfo/NAME"). */
static void link_name(const char *path, char name[HOURS_ZONE_LEN])
{
	char link[4096];
	const char *tail;
	ssize_t n = readlink(path, link, sizeof(link) - 1);

	link[n > 0 ? n : 0] = '\0';
	tail = strstr(link, "zoneinfo/");
	tail = tail ? tail + strlen("zoneinfo/") : NULL;
	snprintf(name, HOURS_ZONE_LEN, "%s", tail && tz_name_valid(tail) ? tail : "localtime");
}

void activity_hours_machine_zone(const char *rootfs, char name[HOURS_ZONE_LEN])
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/etc/localtime", root_of(rootfs));
	if (access(path, F_OK) != 0)
		snprintf(name, HOURS_ZONE_LEN, "UTC");	/* glibc's choice too */
	else
		link_name(path, name);
}

/* The machine's zone: /etc/localtime, named after its link target. */
static int load_machine_zone(struct tz *z, char name[HOURS_ZONE_LEN], const char *root)
{
	char path[4096];
	int r;

	snprintf(path, sizeof(path), "%s/etc/localtime", root);
	r = tz_load(z, path);
	if (r == -ENOENT) {
		snprintf(name, HOURS_ZONE_LEN, "UTC");
		return 0;
	}
	if (r < 0)
		return r;
	link_name(path, name);
	return 0;
}

static int load_zone(struct tz *z, char name[HOURS_ZONE_LEN], const char *root,
		     const char *tzname, char *err, size_t errlen)
{
	char path[4096];
	int r;

	if (!tzname || !*tzname) {
		r = load_machine_zone(z, name, root);
		if (r < 0)
			say(err, errlen, "cannot read the machine's time zone /etc/localtime",
			    strerror(-r));
		return r;
	}
	if (!tz_name_valid(tzname)) {
		say(err, errlen, "not a time zone name", tzname);
		return -EINVAL;
	}
	snprintf(path, sizeof(path), "%s/usr/share/zoneinfo/%s", root, tzname);
	r = tz_load(z, path);
	if (r < 0) {
		say(err, errlen, r == -ENOENT ? "no such time zone" : "unreadable time zone file",
		    tzname);
		return r;
	}
	snprintf(name, HOURS_ZONE_LEN, "%s", tzname);
	return 0;
}

void activity_hours_init(struct activity_hours *h)
{
	memset(h, 0, sizeof(*h));
	tz_utc(&h->zone);
	snprintf(h->zone_name, sizeof(h->zone_name), "UTC");
	parse_hours(HOURS_DEFAULT_WORKING_HOURS, &h->work_start, &h->work_end);
	parse_days(HOURS_DEFAULT_WORKING_DAYS, &h->work_days);
	snprintf(h->working_hours, sizeof(h->working_hours), HOURS_DEFAULT_WORKING_HOURS);
	snprintf(h->working_days, sizeof(h->working_days), HOURS_DEFAULT_WORKING_DAYS);
}

int activity_hours_config_root(struct activity_hours *h, const char *rootfs,
			       const char *working_hours, const char *working_days,
			       const char *timezone, char *err, size_t errlen)
{
	struct tz *zone;	/* 19 KiB: not on the stack; h is untouched until it loads */
	char name[HOURS_ZONE_LEN];
	const char *root = root_of(rootfs);
	uint16_t a, b;
	uint8_t days;
	int r;

	if (!working_hours || !*working_hours)
		working_hours = HOURS_DEFAULT_WORKING_HOURS;
	if (!working_days || !*working_days)
		working_days = HOURS_DEFAULT_WORKING_DAYS;
	if (activity_hours_check_working_hours(working_hours, err, errlen) < 0 ||
	    activity_hours_check_working_days(working_days, err, errlen) < 0)
		return -EINVAL;
	parse_hours(working_hours, &a, &b);
	parse_days(working_days, &days);
	zone = malloc(sizeof(*zone));
	if (!zone)
		return -ENOMEM;
	r = load_zone(zone, name, root, timezone, err, errlen);
	if (r < 0) {
		free(zone);
		return r;
	}
	if (strcmp(name, h->zone_name) != 0)
		memset(h->ring, 0, sizeof(h->ring));
	h->zone = *zone;
	free(zone);
	snprintf(h->zone_name, sizeof(h->zone_name), "%s", name);
	h->work_start = a;
	h->work_end = b;
	h->work_days = days;
	snprintf(h->working_hours, sizeof(h->working_hours), "%s", working_hours);
	snprintf(h->working_days, sizeof(h->working_days), "%s", working_days);
	for (char *p = h->working_days; *p; p++)
		*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
	return 0;
}

int activity_hours_config(struct activity_hours *h, const char *working_hours,
			  const char *working_days, const char *timezone, char *err, size_t errlen)
{
	return activity_hours_config_root(h, NULL, working_hours, working_days, timezone,
					  err, errlen);
}

const char *activity_hours_zone(const struct geo_config *geo, const char *configured,
				const char *machine)
{
	if (configured && *configured)
		return configured;
	if (!geo)
		return NULL;
	/* The machine's own zone when [geo] expects it: in an America/<any>
	 * fleet a laptop in Los Angeles is judged in Los Angeles time. */
	if (machine && geo_set_match(&geo->timezones, machine) == GEO_EXPECTED)
		return machine;
	/* Otherwise [geo]'s first plain name: a laptop set to Asia/Seoul in a
	 * New York fleet is judged in New York time, which is the point.
	 * Items are fnmatch patterns; tz_name_valid() refuses '*', '?', '['
	 * and '\\', so a pattern is never taken for a zone. */
	for (size_t i = 0; i < geo->timezones.n && i < GEO_SET_MAX; i++)
		if (tz_name_valid(geo->timezones.items[i]))
			return geo->timezones.items[i];
	return NULL;
}

/* ---- the ring ---- */

static void local_minute(const struct activity_hours *h, time_t now, int64_t *day, int *minute)
{
	int64_t local = (int64_t)now + tz_offset(&h->zone, (int64_t)now);

	*day = floor_div(local, 86400);
	*minute = (int)((local - *day * 86400) / 60);
}

static struct hours_day *slot(struct activity_hours *h, int64_t day)
{
	return &h->ring[(size_t)(((day % HOURS_DAYS) + HOURS_DAYS) % HOURS_DAYS)];
}

void activity_hours_note(struct activity_hours *h, time_t now)
{
	struct hours_day *s;
	int64_t day;
	int minute;

	local_minute(h, now, &day, &minute);
	for (size_t i = 0; i < HOURS_DAYS; i++)
		if (h->ring[i].used && h->ring[i].day > day)
			memset(&h->ring[i], 0, sizeof(h->ring[i]));	/* the clock went back */
	s = slot(h, day);
	if (!s->used || s->day != day) {
		memset(s, 0, sizeof(*s));
		s->used = true;
		s->day = day;
	}
	s->minutes[minute / 8] |= (uint8_t)(1u << (minute % 8));
}

static bool working_day(const struct activity_hours *h, int64_t day)
{
	return h->work_days & (1u << tz_weekday(day));
}

/* Is minute m of local date day inside working time? */
static bool inside(const struct activity_hours *h, int64_t day, int m)
{
	if (h->work_start < h->work_end)
		return m >= h->work_start && m < h->work_end && working_day(h, day);
	if (m >= h->work_start)
		return working_day(h, day);
	if (m < h->work_end)
		return working_day(h, day - 1);	/* the shift began the day before */
	return false;
}

static uint32_t pct(uint32_t part, uint32_t whole)
{
	return whole ? (uint32_t)(((uint64_t)part * 100 + whole / 2) / whole) : 0;
}

int activity_hours_summary(const struct activity_hours *h, time_t now,
			   struct activity_hours_summary *out)
{
	int64_t today;
	int minute;

	if (!h || !out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	snprintf(out->zone, sizeof(out->zone), "%s", h->zone_name);
	snprintf(out->working_hours, sizeof(out->working_hours), "%s", h->working_hours);
	snprintf(out->working_days, sizeof(out->working_days), "%s", h->working_days);
	local_minute(h, now, &today, &minute);
	for (size_t i = 0; i < HOURS_DAYS; i++) {
		const struct hours_day *s = &h->ring[i];
		bool any = false;

		if (!s->used || s->day > today || s->day <= today - HOURS_DAYS)
			continue;
		for (int m = 0; m < HOURS_MINUTES; m++) {
			if (!(s->minutes[m / 8] & (1u << (m % 8))))
				continue;
			any = true;
			out->active_minutes++;
			out->hist[m / 60]++;
			out->outside_minutes += !inside(h, s->day, m);
			out->night_minutes += m >= HOURS_NIGHT_START || m < HOURS_NIGHT_END;
		}
		out->days += any;
	}
	out->outside_pct = pct(out->outside_minutes, out->active_minutes);
	out->night_pct = pct(out->night_minutes, out->active_minutes);
	return 0;
}

/* ---- state ---- */

static const char hexdig[] = "0123456789abcdef";

size_t activity_hours_format(const struct activity_hours *h, char *buf, size_t len)
{
	char fp[FINGERPRINT_HEX_LEN];
	size_t n = 0;
	int w;

	w = snprintf(buf, len, STATE_MAGIC "zone %s\n", h->zone_name);
	if (w < 0 || (size_t)w >= len)
		return 0;
	n = (size_t)w;
	for (size_t i = 0; i < HOURS_DAYS; i++) {
		const struct hours_day *s = &h->ring[i];

		if (!s->used)
			continue;
		w = snprintf(buf + n, len - n, "day %lld ", (long long)s->day);
		if (w < 0 || (size_t)w + DAY_HEX + 1 >= len - n)
			return 0;
		n += (size_t)w;
		for (size_t b = 0; b < sizeof(s->minutes); b++) {
			buf[n++] = hexdig[s->minutes[b] >> 4];
			buf[n++] = hexdig[s->minutes[b] & 15];
		}
		buf[n++] = '\n';
	}
	fingerprint_hex(buf, n, fp);
	w = snprintf(buf + n, len - n, "sum %s\n", fp);
	if (w < 0 || (size_t)w >= len - n)
		return 0;
	return n + (size_t)w;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* "day N HEX" (no newline, n bytes) into d; 0 or -EBADMSG. */
static int parse_day(const char *p, size_t n, struct hours_day *d)
{
	int64_t day = 0;
	size_t i = 4, digits = 0;

	if (n < 4 || memcmp(p, "day ", 4) != 0)
		return -EBADMSG;
	while (i < n && p[i] >= '0' && p[i] <= '9' && digits < 9) {
		day = day * 10 + (p[i++] - '0');
		digits++;
	}
	if (!digits || i >= n || p[i] != ' ' || n - i - 1 != DAY_HEX)
		return -EBADMSG;
	i++;
	for (size_t b = 0; b < sizeof(d->minutes); b++) {
		int hi = hexval(p[i + 2 * b]), lo = hexval(p[i + 2 * b + 1]);

		if (hi < 0 || lo < 0)
			return -EBADMSG;
		d->minutes[b] = (uint8_t)(hi << 4 | lo);
	}
	d->used = true;
	d->day = day;
	return 0;
}

/* Checksum line last; returns the length of what it covers, or 0. */
static size_t check_sum(const char *buf, size_t len)
{
	char fp[FINGERPRINT_HEX_LEN];
	const size_t line = 4 + 16 + 1;	/* "sum " 16 hex "\n" */
	size_t body;

	if (len < line || buf[len - 1] != '\n')
		return 0;
	body = len - line;
	if (memcmp(buf + body, "sum ", 4) != 0 || (body && buf[body - 1] != '\n'))
		return 0;
	fingerprint_hex(buf, body, fp);
	return memcmp(buf + body + 4, fp, 16) == 0 ? body : 0;
}

static int parse_body(struct activity_hours *h, const char *buf, size_t len, int64_t today)
{
	size_t at = strlen(STATE_MAGIC), zl = strlen(h->zone_name);
	bool seen_zone = false;

	if (len < at || memcmp(buf, STATE_MAGIC, at) != 0)
		return -EBADMSG;
	while (at < len) {
		const char *p = buf + at, *nl = memchr(p, '\n', len - at);
		size_t n = nl ? (size_t)(nl - p) : 0;
		struct hours_day d;

		if (!nl)
			return -EBADMSG;
		at += n + 1;
		if (!seen_zone) {
			if (n < 5 || memcmp(p, "zone ", 5) != 0)
				return -EBADMSG;
			if (n - 5 != zl || memcmp(p + 5, h->zone_name, zl) != 0)
				return -ESTALE;
			seen_zone = true;
			continue;
		}
		if (parse_day(p, n, &d) < 0 || d.day > today)
			return -EBADMSG;	/* malformed, or future-dated */
		if (d.day <= today - HOURS_DAYS)
			continue;		/* aged out while we were down */
		if (slot(h, d.day)->used)
			return -EBADMSG;	/* a date twice */
		*slot(h, d.day) = d;
	}
	return seen_zone ? 0 : -EBADMSG;
}

int activity_hours_parse(struct activity_hours *h, const char *buf, size_t len, time_t now)
{
	size_t body;
	int64_t today;
	int minute, r;

	memset(h->ring, 0, sizeof(h->ring));
	if (!buf || len > HOURS_STATE_MAX)
		return -EBADMSG;
	body = check_sum(buf, len);
	if (!body)
		return -EBADMSG;
	local_minute(h, now, &today, &minute);
	r = parse_body(h, buf, body, today);
	if (r < 0)
		memset(h->ring, 0, sizeof(h->ring));
	return r;
}

static bool name_ok(const char *name)
{
	return name && *name && !strchr(name, '/') && strcmp(name, ".") != 0 &&
	       strcmp(name, "..") != 0 && strlen(name) < 200;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int activity_hours_save(const struct activity_hours *h, int dirfd, const char *name)
{
	char buf[HOURS_STATE_MAX], tmp[256];
	size_t len = activity_hours_format(h, buf, sizeof(buf));
	int fd, r;

	if (!name_ok(name) || !len)
		return -EINVAL;
	snprintf(tmp, sizeof(tmp), "%s.tmp", name);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	r = write_all(fd, buf, len);
	if (!r && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && !r)
		r = -errno;
	if (!r && renameat(dirfd, tmp, dirfd, name) < 0)
		r = -errno;
	if (r) {
		unlinkat(dirfd, tmp, 0);
		return r;
	}
	/* The rename itself must reach the disk. */
	return fsync(dirfd) < 0 ? -errno : 0;
}

int activity_hours_load(struct activity_hours *h, int dirfd, const char *name, time_t now)
{
	char buf[HOURS_STATE_MAX + 1];
	size_t len = 0;
	struct stat st;
	int fd, r = 0;

	memset(h->ring, 0, sizeof(h->ring));
	if (!name_ok(name))
		return -EINVAL;
	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return errno == ELOOP ? -EBADMSG : -errno;
	if (fstat(fd, &st) < 0)
		r = -errno;
	else if (!S_ISREG(st.st_mode) || st.st_size > HOURS_STATE_MAX)
		r = -EBADMSG;
	while (!r && len < sizeof(buf)) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			r = -errno;
		else if (n == 0)
			break;
		else
			len += (size_t)n;
	}
	close(fd);
	if (r)
		return r;
	/* Grown since fstat: still oversized, parse says so. */
	return activity_hours_parse(h, buf, len, now);
}
