/* SPDX-License-Identifier: Apache-2.0 */
/*
 * geo.c - expected-location sets and MaxMind country lookups (geo.h).
 *
 * Lookups go through libmaxminddb, which mmap()s the database: opening it
 * in two collectors costs one set of pages.  Only the country's ISO code is
 * read; with no "country" record (an anonymous-IP or ASN database) the
 * registered country is tried, then the lookup says -ENOENT.
 */
#include <errno.h>
#include <fnmatch.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <maxminddb.h>

#include "geo.h"

struct geoip {
	MMDB_s db;
};

enum geo_verdict geo_set_match(const struct geo_set *set, const char *value)
{
	if (set->n == 0)
		return GEO_UNCONFIGURED;
	if (!value)
		return GEO_UNEXPECTED;
	for (size_t i = 0; i < set->n; i++)
		if (fnmatch(set->items[i], value, 0) == 0)
			return GEO_EXPECTED;
	return GEO_UNEXPECTED;
}

int geo_set_parse(struct geo_set *set, const char *value)
{
	const char *p = value;

	memset(set, 0, sizeof(*set));
	while (*p) {
		size_t len;

		p += strspn(p, ", \t");
		len = strcspn(p, ", \t");
		if (len == 0)
			break;
		if (set->n == GEO_SET_MAX)
			return -E2BIG;
		if (len >= GEO_ITEM_MAX)
			return -ENAMETOOLONG;
		memcpy(set->items[set->n], p, len);
		set->items[set->n][len] = '\0';
		set->n++;
		p += len;
	}
	return 0;
}

static bool geo_set_equal(const struct geo_set *a, const struct geo_set *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->items[i], b->items[i]) != 0)
			return false;
	return true;
}

bool geo_config_equal(const struct geo_config *a, const struct geo_config *b)
{
	return geo_set_equal(&a->timezones, &b->timezones) &&
	       geo_set_equal(&a->countries, &b->countries) &&
	       geo_set_equal(&a->locales, &b->locales) &&
	       strcmp(a->database, b->database) == 0;
}

int geo_set_field(struct event *ev, int field, enum geo_verdict v)
{
	if (v == GEO_UNCONFIGURED)
		return 0;
	return event_set_bool(ev, field, v == GEO_EXPECTED);
}

int geoip_open(const char *path, struct geoip **out)
{
	struct geoip *g;
	int r;

	*out = NULL;
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	r = MMDB_open(path, MMDB_MODE_MMAP, &g->db);
	if (r != MMDB_SUCCESS) {
		free(g);
		if (r == MMDB_FILE_OPEN_ERROR)
			return errno ? -errno : -ENOENT;
		return r == MMDB_OUT_OF_MEMORY_ERROR ? -ENOMEM : -EINVAL;
	}
	*out = g;
	return 0;
}

void geoip_close(struct geoip *g)
{
	if (!g)
		return;
	MMDB_close(&g->db);
	free(g);
}

static int geoip_iso_code(MMDB_entry_s *entry, const char *record, char cc[3])
{
	MMDB_entry_data_s data;

	if (MMDB_get_value(entry, &data, record, "iso_code", NULL) != MMDB_SUCCESS ||
	    !data.has_data || data.type != MMDB_DATA_TYPE_UTF8_STRING ||
	    data.data_size != 2)
		return -ENOENT;
	memcpy(cc, data.utf8_string, 2);
	cc[2] = '\0';
	return 0;
}

int geoip_country(struct geoip *g, const struct ip_addr *ip, char cc[3])
{
	struct sockaddr_storage ss = { 0 };
	MMDB_lookup_result_s res;
	int mmdb_error = 0;

	if (!g || !ip)
		return -EINVAL;
	if (ip->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, ip->bytes, 4);
	} else if (ip->family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, ip->bytes, 16);
	} else {
		return -EINVAL;
	}
	res = MMDB_lookup_sockaddr(&g->db, (struct sockaddr *)&ss, &mmdb_error);
	if (mmdb_error != MMDB_SUCCESS)
		return -EINVAL;
	if (!res.found_entry)
		return -ENOENT;
	if (geoip_iso_code(&res.entry, "country", cc) == 0)
		return 0;
	return geoip_iso_code(&res.entry, "registered_country", cc);
}
