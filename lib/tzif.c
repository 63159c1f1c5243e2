/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tzif.c - TZif files (RFC 8536) and POSIX TZ rules, for local time in a
 * zone other than the process's (tzif.h says why not setenv("TZ")).
 *
 * The file: a 44-byte header ("TZif", version, six big-endian counts), a
 * data block of transition times, their type indices, the types (UT
 * offset, isdst, designation index), designations, leap records and two
 * indicator arrays.  Version 2+ files repeat header and block with 64-bit
 * times and end in a footer, "\n" POSIX-TZ-string "\n", which gives local
 * time after the last transition (the "slim" files tzdata builds by
 * default hold no future transitions at all, so the footer is required
 * for the present).  We read the v1 block only from version-1 files and
 * skip it otherwise, as the RFC suggests (section 4).
 *
 * Checks (RFC 8536 section 3.2 "MUST"s and bounds): typecnt >= 1,
 * charcnt >= 1, isutcnt and isstdcnt 0 or typecnt, every count small
 * enough that the block fits in what was read, times strictly ascending,
 * type indices below typecnt, designation indices below charcnt, UT
 * offsets in [-89999, 93599] (section 3.2's range), the footer terminated
 * and a valid TZ string.  Anything else is -EBADMSG and the zone is UTC.
 * Leap-second records are skipped: zoneinfo "right/" files are not what a
 * laptop runs on, and a minute's error would not move an hour's counter.
 *
 * The footer's rule: std offset [dst [offset] [,start[/time],end[/time]]],
 * offsets west-positive as POSIX has them, times up to +-167 h (RFC 8536
 * 3.3.1).  A rule year's changes are computed for the year of t and the
 * years on either side, and the latest change at or before t wins: that
 * is right for rules whose changes cross New Year (southern hemisphere,
 * all-year DST "EST5EDT,0/0,J365/25").  A dst name without dates gets the
 * United States rule since 2007, "M3.2.0,M11.1.0" (POSIX leaves the
 * default to the implementation; tzcode uses the same one).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tzif.h"

#define HDR_LEN 44
#define UTOFF_MIN (-89999)
#define UTOFF_MAX 93599
/* Far enough for any clock; keeps the calendar arithmetic in range. */
#define T_CLAMP ((int64_t)1 << 40)

/* ---- the calendar (H. Hinnant's days_from_civil / civil_from_days) ---- */

int64_t tz_days_from_civil(int64_t y, unsigned int m, unsigned int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void tz_civil_from_days(int64_t z, int64_t *y, unsigned int *m, unsigned int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

unsigned int tz_weekday(int64_t days)
{
	return (unsigned int)(((days % 7) + 7 + 4) % 7);	/* 1970-01-01: Thursday */
}

static bool leap_year(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/* ---- POSIX TZ strings ---- */

struct cursor {
	const char *s;
	size_t len, at;
};

static int peek(const struct cursor *c)
{
	return c->at < c->len ? (unsigned char)c->s[c->at] : -1;
}

static bool is_alpha(int ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z');
}

static bool is_digit(int ch)
{
	return ch >= '0' && ch <= '9';
}

/* An abbreviation: 3+ letters, or <...> of letters, digits, '+', '-'. */
static int parse_name(struct cursor *c)
{
	size_t n = 0;

	if (peek(c) == '<') {
		c->at++;
		while (is_alpha(peek(c)) || is_digit(peek(c)) || peek(c) == '+' || peek(c) == '-') {
			c->at++;
			n++;
		}
		if (peek(c) != '>')
			return -EINVAL;
		c->at++;
	} else {
		while (is_alpha(peek(c))) {
			c->at++;
			n++;
		}
	}
	return n >= 3 ? 0 : -EINVAL;
}

static int parse_num(struct cursor *c, int max, int *out)
{
	int v = 0, digits = 0;

	while (is_digit(peek(c)) && digits < 3) {
		v = v * 10 + (peek(c) - '0');
		c->at++;
		digits++;
	}
	if (!digits || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* [+-]hh[:mm[:ss]] in seconds; hours at most max_h. */
static int parse_hms(struct cursor *c, int max_h, int32_t *out)
{
	int sign = 1, h, m = 0, s = 0;

	if (peek(c) == '+' || peek(c) == '-') {
		sign = peek(c) == '-' ? -1 : 1;
		c->at++;
	}
	if (parse_num(c, max_h, &h) < 0)
		return -EINVAL;
	if (peek(c) == ':') {
		c->at++;
		if (parse_num(c, 59, &m) < 0)
			return -EINVAL;
		if (peek(c) == ':') {
			c->at++;
			if (parse_num(c, 59, &s) < 0)
				return -EINVAL;
		}
	}
	*out = sign * (h * 3600 + m * 60 + s);
	return 0;
}

static int parse_date(struct cursor *c, struct tz_date *d)
{
	int a, b, e;

	memset(d, 0, sizeof(*d));
	if (peek(c) == 'J') {
		c->at++;
		if (parse_num(c, 365, &a) < 0 || a < 1)
			return -EINVAL;
		d->kind = 'J';
		d->day = (int16_t)a;
	} else if (peek(c) == 'M') {
		c->at++;
		if (parse_num(c, 12, &a) < 0 || a < 1 || peek(c) != '.')
			return -EINVAL;
		c->at++;
		if (parse_num(c, 5, &b) < 0 || b < 1 || peek(c) != '.')
			return -EINVAL;
		c->at++;
		if (parse_num(c, 6, &e) < 0)
			return -EINVAL;
		d->kind = 'M';
		d->month = (uint8_t)a;
		d->week = (uint8_t)b;
		d->day = (int16_t)e;
	} else {
		if (parse_num(c, 365, &a) < 0)
			return -EINVAL;
		d->kind = 'D';
		d->day = (int16_t)a;
	}
	d->secs = 2 * 3600;
	if (peek(c) == '/') {
		c->at++;
		return parse_hms(c, 167, &d->secs);
	}
	return 0;
}

int tz_rule_parse(struct tz_rule *r, const char *s, size_t len)
{
	struct cursor c = { s, len, 0 };
	int32_t off;

	memset(r, 0, sizeof(*r));
	if (parse_name(&c) < 0 || parse_hms(&c, 24, &off) < 0)
		return -EINVAL;
	r->std_off = -off;
	r->dst_off = r->std_off;
	if (c.at < c.len) {
		if (parse_name(&c) < 0)
			return -EINVAL;
		r->has_dst = true;
		r->dst_off = r->std_off + 3600;
		if (peek(&c) == '+' || peek(&c) == '-' || is_digit(peek(&c))) {
			if (parse_hms(&c, 24, &off) < 0)
				return -EINVAL;
			r->dst_off = -off;
		}
		if (peek(&c) == ',') {
			c.at++;
			if (parse_date(&c, &r->start) < 0 || peek(&c) != ',')
				return -EINVAL;
			c.at++;
			if (parse_date(&c, &r->end) < 0)
				return -EINVAL;
		} else {
			r->start = (struct tz_date){ 'M', 0, 3, 2, 7200 };
			r->end = (struct tz_date){ 'M', 0, 11, 1, 7200 };
		}
	}
	if (c.at != c.len) {
		memset(r, 0, sizeof(*r));
		return -EINVAL;
	}
	r->valid = true;
	return 0;
}

static const uint8_t month_len[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

/* The UTC instant a rule date of year y takes effect, local offset off. */
static int64_t rule_instant(int64_t y, const struct tz_date *d, int32_t off)
{
	int64_t day;

	if (d->kind == 'J') {
		day = tz_days_from_civil(y, 1, 1) + d->day - 1 + (leap_year(y) && d->day >= 60);
	} else if (d->kind == 'D') {
		day = tz_days_from_civil(y, 1, 1) + d->day;
	} else {
		int64_t first = tz_days_from_civil(y, d->month, 1);
		int mlen = month_len[d->month - 1] + (d->month == 2 && leap_year(y));
		int dom = (d->day - (int)tz_weekday(first) + 7) % 7 + (d->week - 1) * 7;

		while (dom >= mlen)
			dom -= 7;
		day = first + dom;
	}
	return day * 86400 + d->secs - off;
}

static int32_t rule_offset(const struct tz_rule *r, int64_t t)
{
	int64_t y, best_at = INT64_MIN;
	unsigned int m, d;
	bool dst = false;

	if (!r->has_dst)
		return r->std_off;
	t = t > T_CLAMP ? T_CLAMP : t < -T_CLAMP ? -T_CLAMP : t;
	tz_civil_from_days(floor_div(t, 86400), &y, &m, &d);
	for (int64_t yy = y - 1; yy <= y + 1; yy++) {
		int64_t on = rule_instant(yy, &r->start, r->std_off);
		int64_t off = rule_instant(yy, &r->end, r->dst_off);

		/* The latest change at or before t; on a tie DST wins (all-year DST). */
		if (off <= t && off > best_at) {
			best_at = off;
			dst = false;
		}
		if (on <= t && on >= best_at) {
			best_at = on;
			dst = true;
		}
	}
	return dst ? r->dst_off : r->std_off;
}

/* ---- TZif ---- */

struct counts {
	uint32_t isut, isstd, leap, time, type, chars;
};

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const uint8_t *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

static int read_header(const uint8_t *buf, size_t len, size_t at, char *version, struct counts *c)
{
	const uint8_t *p = buf + at;

	if (len < HDR_LEN || at > len - HDR_LEN || memcmp(p, "TZif", 4) != 0)
		return -EBADMSG;
	*version = (char)p[4];
	if (*version != 0 && (*version < '2' || *version > '9'))
		return -EBADMSG;
	*c = (struct counts){ be32(p + 20), be32(p + 24), be32(p + 28),
			      be32(p + 32), be32(p + 36), be32(p + 40) };
	if (c->type == 0 || c->type > TZ_MAX_TYPES || c->chars == 0 ||
	    (c->isut && c->isut != c->type) || (c->isstd && c->isstd != c->type) ||
	    c->time > TZ_MAX_TRANS)
		return -EBADMSG;
	return 0;
}

/* Bytes of a data block; counts are 32-bit, so this cannot overflow. */
static uint64_t block_len(const struct counts *c, unsigned int tsize)
{
	return (uint64_t)c->time * (tsize + 1) + (uint64_t)c->type * 6 + c->chars +
	       (uint64_t)c->leap * (tsize + 4) + c->isstd + c->isut;
}

static int read_block(struct tz *z, const uint8_t *p, const struct counts *c, unsigned int tsize)
{
	const uint8_t *idx = p + (size_t)c->time * tsize;
	const uint8_t *types = idx + c->time;

	for (uint32_t i = 0; i < c->time; i++) {
		z->trans[i] = tsize == 8 ? be64(p + 8 * (size_t)i)
					 : (int32_t)be32(p + 4 * (size_t)i);
		if (i && z->trans[i] <= z->trans[i - 1])
			return -EBADMSG;
		if (idx[i] >= c->type)
			return -EBADMSG;
		z->trans_type[i] = idx[i];
	}
	for (uint32_t i = 0; i < c->type; i++) {
		int32_t off = (int32_t)be32(types + 6 * (size_t)i);

		if (off < UTOFF_MIN || off > UTOFF_MAX || types[6 * i + 4] > 1 ||
		    types[6 * i + 5] >= c->chars)
			return -EBADMSG;
		z->type_off[i] = off;
	}
	z->ntrans = c->time;
	z->ntypes = c->type;
	return 0;
}

void tz_utc(struct tz *z)
{
	z->ntrans = 0;
	z->ntypes = 1;
	z->type_off[0] = 0;
	memset(&z->rule, 0, sizeof(z->rule));
}

static int parse(struct tz *z, const uint8_t *buf, size_t len)
{
	struct counts c;
	char version;
	size_t at;
	const uint8_t *nl;

	if (read_header(buf, len, 0, &version, &c) < 0)
		return -EBADMSG;
	if (block_len(&c, 4) > len - HDR_LEN)
		return -EBADMSG;
	if (version == 0)
		return read_block(z, buf + HDR_LEN, &c, 4);
	at = HDR_LEN + (size_t)block_len(&c, 4);
	if (read_header(buf, len, at, &version, &c) < 0 || version == 0)
		return -EBADMSG;
	at += HDR_LEN;
	if (block_len(&c, 8) > len - at || read_block(z, buf + at, &c, 8) < 0)
		return -EBADMSG;
	at += (size_t)block_len(&c, 8);
	/* The footer: "\n" TZ string "\n"; an empty string means none. */
	if (at >= len || buf[at] != '\n')
		return -EBADMSG;
	at++;
	nl = memchr(buf + at, '\n', len - at);
	if (!nl)
		return -EBADMSG;
	if (nl > buf + at && tz_rule_parse(&z->rule, (const char *)buf + at,
					   (size_t)(nl - (buf + at))) < 0)
		return -EBADMSG;
	return 0;
}

int tz_parse(struct tz *z, const uint8_t *buf, size_t len)
{
	tz_utc(z);
	if (!buf || parse(z, buf, len) < 0) {
		tz_utc(z);
		return -EBADMSG;
	}
	return 0;
}

int tz_load(struct tz *z, const char *path)
{
	uint8_t *buf = malloc(TZ_FILE_MAX + 1);
	size_t len = 0;
	struct stat st;
	int fd, r = 0;

	tz_utc(z);
	if (!buf)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = -EBADMSG;
		goto out;
	}
	while (len <= TZ_FILE_MAX) {
		ssize_t n = read(fd, buf + len, TZ_FILE_MAX + 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	r = len > TZ_FILE_MAX ? -EFBIG : tz_parse(z, buf, len);
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return r;
}

int32_t tz_offset(const struct tz *z, int64_t t)
{
	uint32_t lo = 0, hi = z->ntrans;

	if (z->ntrans == 0)
		return z->rule.valid ? rule_offset(&z->rule, t) : z->type_off[0];
	if (t < z->trans[0])
		return z->type_off[0];
	/* The last transition at or before t. */
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (z->trans[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	if (lo == z->ntrans - 1 && z->rule.valid)
		return rule_offset(&z->rule, t);
	return z->type_off[z->trans_type[lo]];
}

bool tz_name_valid(const char *name)
{
	size_t n = name ? strlen(name) : 0;
	bool part_start = true;

	if (n == 0 || n > 63)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = name[i];

		if (ch == '/') {
			if (part_start)
				return false;	/* empty part or leading '/' */
			part_start = true;
			continue;
		}
		if (part_start && ch == '.')
			return false;
		if (!is_alpha((unsigned char)ch) && !is_digit((unsigned char)ch) &&
		    ch != '_' && ch != '-' && ch != '+' && ch != '.')
			return false;
		part_start = false;
	}
	return !part_start;
}
