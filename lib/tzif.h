/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tzif.h - local time in a named time zone without touching the process's
 * TZ: a bounded reader of TZif files (RFC 8536, versions 1 to 4, as under
 * /usr/share/zoneinfo) and the POSIX TZ rule of their footer.
 *
 * Why our own: the daemon needs "what hour is it in America/New_York" while
 * the machine runs in another zone.  The C library only answers that for
 * the process-wide TZ, and swapping TZ with setenv()/tzset() around every
 * call is global state behind the back of every other localtime() user,
 * re-reads the zone file twice a call, and is unsafe the day a thread is
 * added.  A zone is loaded once, at configuration, into fixed memory; a
 * lookup is a binary search.  Every file is hostile input: sizes are
 * checked before each read, counts are capped, and a file that breaks the
 * RFC's constraints is refused with -EBADMSG (tests/fuzz/fuzz_tzif.c).
 */
#ifndef FARMHOUND_TZIF_H
#define FARMHOUND_TZIF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TZ_MAX_TRANS 2000	/* tzcode's TZ_MAX_TIMES; fat files hold a few hundred */
#define TZ_MAX_TYPES 256	/* a transition's type is one byte */
#define TZ_FILE_MAX 65536	/* the largest zone file in tzdata 2025b: 3.9 KiB */

/* A POSIX TZ rule's date: Jn (julian, no Feb 29), n (zero-based day) or
 * Mm.w.d; secs is the time of day it takes effect, local time in force
 * before the change (-167 h .. 167 h, RFC 8536 section 3.3.1). */
struct tz_date {
	char kind;		/* 'J', 'D' (plain n) or 'M' */
	int16_t day;		/* J: 1..365, D: 0..365, M: d 0..6 (Sunday 0) */
	uint8_t month, week;	/* M only: 1..12, 1..5 */
	int32_t secs;
};

struct tz_rule {
	bool valid;		/* a footer rule is present */
	bool has_dst;
	int32_t std_off, dst_off;	/* seconds east of UTC */
	struct tz_date start, end;	/* has_dst only */
};

struct tz {
	uint32_t ntrans, ntypes;
	int64_t trans[TZ_MAX_TRANS];	/* ascending, UTC seconds */
	uint8_t trans_type[TZ_MAX_TRANS];
	int32_t type_off[TZ_MAX_TYPES];	/* seconds east of UTC */
	struct tz_rule rule;		/* after the last transition */
};

/* UTC everywhere (the zone of an empty file name, and the fallback). */
void tz_utc(struct tz *z);
/* Parse a TZif image; 0 or -EBADMSG (z is then UTC). */
int tz_parse(struct tz *z, const uint8_t *buf, size_t len);
/* Read and parse the file at path (at most TZ_FILE_MAX bytes, a regular
 * file, symlinks followed as /etc/localtime needs); 0, -errno from open or
 * read, -EFBIG, or -EBADMSG.  On error z is UTC. */
int tz_load(struct tz *z, const char *path);
/* Parse a POSIX TZ string such as "EST5EDT,M3.2.0,M11.1.0"; 0 or -EINVAL. */
int tz_rule_parse(struct tz_rule *r, const char *s, size_t len);
/* Seconds east of UTC in force at t. */
int32_t tz_offset(const struct tz *z, int64_t t);

/* The civil calendar (proleptic Gregorian), days counted from 1970-01-01. */
int64_t tz_days_from_civil(int64_t y, unsigned int m, unsigned int d);
void tz_civil_from_days(int64_t days, int64_t *y, unsigned int *m, unsigned int *d);
/* 0 Sunday .. 6 Saturday. */
unsigned int tz_weekday(int64_t days);

/* Is name a plausible zone name, safe to append to a directory: 1-63
 * bytes of [A-Za-z0-9._+-] in '/'-separated parts, none empty, none
 * starting with '.' (so no "..", no absolute path). */
bool tz_name_valid(const char *name);

#endif
