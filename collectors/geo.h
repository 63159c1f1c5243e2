/* SPDX-License-Identifier: Apache-2.0 */
/*
 * geo.h - where this fleet is supposed to be: the [geo] section of
 * farmhound.conf, and country lookups in a MaxMind database.
 *
 * The host and net collectors compare what they see (time zone, locale,
 * public address, a remote peer's address) with these sets and say so in
 * boolean fields (timezone_expected, ...), so rules stay simple and a rule
 * pack does not have to know the fleet.  A set that is not configured
 * leaves the matching field unset: no [geo], no location alerts.
 */
#ifndef FARMHOUND_GEO_H
#define FARMHOUND_GEO_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "event.h"

#define GEO_SET_MAX 64		/* items per set */
#define GEO_ITEM_MAX 64		/* bytes per item, NUL included */

/* Items are fnmatch(3) patterns such as "America/New_York" or "en_US*"; countries are
 * ISO 3166-1 alpha-2 codes, upper case.  Inline storage: a config is
 * copied by value and swapped whole on reload. */
struct geo_set {
	size_t n;
	char items[GEO_SET_MAX][GEO_ITEM_MAX];
};

struct geo_config {
	struct geo_set timezones;
	struct geo_set countries;
	struct geo_set locales;
	char database[PATH_MAX];	/* MaxMind .mmdb; "" none */
};

enum geo_verdict {
	GEO_UNCONFIGURED = -1,	/* empty set: say nothing */
	GEO_UNEXPECTED = 0,
	GEO_EXPECTED = 1,
};

/* Is value in set?  Case-sensitive glob match.  NULL value: unexpected. */
enum geo_verdict geo_set_match(const struct geo_set *set, const char *value);
/* Parse "a, b c" into set; 0, -E2BIG (too many), -ENAMETOOLONG (an item). */
int geo_set_parse(struct geo_set *set, const char *value);
bool geo_config_equal(const struct geo_config *a, const struct geo_config *b);

/* Set a boolean field of ev from a verdict (unset when unconfigured). */
int geo_set_field(struct event *ev, int field, enum geo_verdict v);

/* ---- MaxMind (libmaxminddb) ---- */

struct geoip;

/* 0 or -errno (-ENOENT missing, -EINVAL not a MaxMind database). */
int geoip_open(const char *path, struct geoip **out);
void geoip_close(struct geoip *g);		/* accepts NULL */
/* The ISO country code of ip into cc: 0, -ENOENT (not in the database or
 * no country), -EINVAL.  Private and loopback addresses are whatever the
 * database says (tests map 127.0.0.1 to a country on purpose). */
int geoip_country(struct geoip *g, const struct ip_addr *ip, char cc[3]);

#endif
