/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hours.h - the activity_hours detector: when, in the laptop's expected
 * time zone, someone used it over the last 7 days, and how much of that
 * fell outside the configured working hours and days.  hours.c explains
 * the design, the state file and its checks.
 *
 * Use: activity_hours_init(), activity_hours_config() (again on reload),
 * activity_hours_load() once at start; activity_hours_note() on input (at
 * most once a second is plenty: a minute counts once); from time to time
 * activity_hours_summary() for the event and activity_hours_save().
 */
#ifndef FARMHOUND_INPUT_HOURS_H
#define FARMHOUND_INPUT_HOURS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "lib/tzif.h"

struct geo_config;		/* collectors/geo.h */

#define HOURS_DAYS 7			/* the window: the last 7 local days */
#define HOURS_MINUTES 1440		/* minutes of a local day */
#define HOURS_ZONE_LEN 64		/* a zone name, NUL included (GEO_ITEM_MAX) */
#define HOURS_STATE_MAX 4096		/* a state file is at most this long */
#define HOURS_NIGHT_START (22 * 60)	/* night: 22:00 .. */
#define HOURS_NIGHT_END (6 * 60)	/* .. 06:00, expected-zone time */
/* Option defaults ([collector.input]): a ten-hour office day. */
#define HOURS_DEFAULT_WORKING_HOURS "08:00-18:00"
#define HOURS_DEFAULT_WORKING_DAYS "mon-fri"

/* One local day: a bit per minute that saw input. */
struct hours_day {
	bool used;
	int64_t day;				/* local date: days since 1970-01-01 */
	uint8_t minutes[HOURS_MINUTES / 8];
};

struct activity_hours {
	struct tz zone;
	char zone_name[HOURS_ZONE_LEN];		/* as configured, or the machine's */
	uint16_t work_start, work_end;		/* minutes after midnight; start > end:
						 * overnight */
	uint8_t work_days;			/* bit 0 Sunday .. bit 6 Saturday */
	char working_hours[16];			/* normalised, "08:00-18:00" */
	char working_days[48];			/* as configured, lower case */
	struct hours_day ring[HOURS_DAYS];	/* slot: local date mod 7 */
};

struct activity_hours_summary {
	uint32_t active_minutes;	/* minutes with input in the window */
	uint32_t outside_minutes;	/* of those, outside working hours or days */
	uint32_t night_minutes;		/* of those, 22:00-06:00 */
	uint32_t outside_pct, night_pct;	/* rounded shares of active_minutes */
	uint32_t hist[24];		/* active minutes per local hour */
	uint32_t days;			/* local days in the window with input */
	char zone[HOURS_ZONE_LEN];
	char working_hours[16];
	char working_days[48];
};

/* Empty ring, UTC, default working hours and days. */
void activity_hours_init(struct activity_hours *h);

/* Option checks for [collector.input] (struct collector_option): 0 or
 * -EINVAL with a reason in err.  working_hours "HH:MM-HH:MM" (end may be
 * 24:00; start after end: overnight, "22:00-06:00"); working_days names
 * and ranges, "mon-fri", "mon,tue,thu", "sun-thu"; timezone an IANA name
 * (syntax only: whether it exists is known at init). */
int activity_hours_check_working_hours(const char *value, char *err, size_t errlen);
int activity_hours_check_working_days(const char *value, char *err, size_t errlen);
int activity_hours_check_timezone(const char *value, char *err, size_t errlen);

/* Configure: NULL or "" working_hours/working_days take the defaults;
 * NULL or "" timezone is the machine's zone (/etc/localtime; UTC when
 * there is none).  Reads the zone file under rootfs ("/" or NULL normally;
 * a test tree or --rootfs) .../usr/share/zoneinfo/NAME.  0, or -EINVAL
 * (bad value) or the zone file's error (-ENOENT, -EBADMSG...), with a
 * reason in err; on error h is unchanged.  A different zone than before
 * empties the ring (its dates were another zone's). */
int activity_hours_config(struct activity_hours *h, const char *working_hours,
			  const char *working_days, const char *timezone, char *err, size_t errlen);
int activity_hours_config_root(struct activity_hours *h, const char *rootfs,
			       const char *working_hours, const char *working_days,
			       const char *timezone, char *err, size_t errlen);

/* The machine's zone name: the target of rootfs/etc/localtime
 * (".../zoneinfo/NAME"), "UTC" without that file, "localtime" if the
 * target names no zone.  rootfs "/" or NULL normally. */
void activity_hours_machine_zone(const char *rootfs, char name[HOURS_ZONE_LEN]);

/* The zone to judge in: the configured timezone option if set; else the
 * machine's zone (machine, from activity_hours_machine_zone(); may be
 * NULL) if [geo] timezones expects it; else the first [geo] timezones item
 * that is a plain zone name (not an fnmatch pattern: no '*', '?' or '[');
 * else NULL: the machine's zone.  geo may be NULL.  The result points
 * into configured, machine or geo. */
const char *activity_hours_zone(const struct geo_config *geo, const char *configured,
				const char *machine);

/* Input was seen at now (wall clock). */
void activity_hours_note(struct activity_hours *h, time_t now);

/* The window ending at now: 0, or -EINVAL (NULL). */
int activity_hours_summary(const struct activity_hours *h, time_t now,
			   struct activity_hours_summary *out);

/* ---- state (under the state directory; survives restarts) ---- */

/* Text image of the ring into buf: its length, or 0 if buf is too small
 * (HOURS_STATE_MAX always suffices). */
size_t activity_hours_format(const struct activity_hours *h, char *buf, size_t len);
/* Replace the ring with the image in buf: 0; -EBADMSG (corrupt, truncated,
 * oversized, a day after now's, a checksum that does not match) or -ESTALE
 * (another zone's state); on error the ring is empty. */
int activity_hours_parse(struct activity_hours *h, const char *buf, size_t len, time_t now);
/* name in dirfd, written to name.tmp, fsynced, renamed over name and the
 * directory fsynced: 0 or -errno.  name: one path component. */
int activity_hours_save(const struct activity_hours *h, int dirfd, const char *name);
/* 0; -ENOENT (no state yet: start empty); -EBADMSG / -ESTALE as
 * activity_hours_parse (oversized, or not a regular file: -EBADMSG); other
 * -errno.  On every error the ring is empty. */
int activity_hours_load(struct activity_hours *h, int dirfd, const char *name, time_t now);

#endif
