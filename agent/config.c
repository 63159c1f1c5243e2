/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config.c - farmhound.conf: [agent], [output], [collector.NAME], [geo],
 * [verdict].
 *
 * Read through rules/inifile.c, the same INI layer (inih underneath) as the
 * rule files, so both report "file:line: message" the same way, with the
 * same comment and continuation-line rules an admin already knows.
 *
 * The file is parsed into a fresh config built from the defaults; the
 * caller's config is only replaced when the whole file is valid.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <syslog.h>

#include "collectors/collector.h"
#include "config.h"
#include "format.h"
#include "lib/util.h"
#include "rules/inifile.h"

#define CONFIG_DEFAULT_SOCKET "/dev/log"
#define CONFIG_DEFAULT_TAG "farmhound"
#define CONFIG_DEFAULT_RESCAN_MS (10ULL * 60 * 1000)
#define CONFIG_DEFAULT_SETTLE_MS 500ULL
#define CONFIG_HOSTNAME_MAX 255		/* RFC 5424 HOSTNAME */
#define CONFIG_TAG_MAX 48		/* RFC 5424 APP-NAME */
#define CONFIG_DEFAULT_HEARTBEAT_MS (3600ULL * 1000)
/* A heartbeat more often than this is noise in the SOC's feed (tests use
 * a second). */
#define CONFIG_HEARTBEAT_MIN_MS 1000ULL

enum config_section {
	CONFIG_SECTION_NONE,		/* before the first header */
	CONFIG_SECTION_SKIP,		/* unknown or malformed: reported once */
	CONFIG_SECTION_AGENT,
	CONFIG_SECTION_OUTPUT,
	CONFIG_SECTION_COLLECTOR,
	CONFIG_SECTION_GEO,
	CONFIG_SECTION_VERDICT,
};

struct config_parser {
	const char *path;
	struct config *cfg;
	struct diag_list *diags;
	int line;			/* of the key or header being handled */
	enum config_section section;
	struct collector_config *collector;	/* for CONFIG_SECTION_COLLECTOR */
	const struct collector *plugin;		/* its option table */
	bool oom;
	int errors;
};

static const struct {
	const char *name;
	int facility;
} config_facilities[] = {
	{ "daemon", LOG_DAEMON }, { "auth", LOG_AUTH }, { "authpriv", LOG_AUTHPRIV },
	{ "user", LOG_USER },     { "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 }, { "local4", LOG_LOCAL4 },
	{ "local5", LOG_LOCAL5 }, { "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
};

void config_free(struct config *cfg)
{
	if (!cfg)
		return;
	free(cfg->hostname);
	free(cfg->format);
	free(cfg->syslog_socket);
	free(cfg->tag);
	memset(cfg, 0, sizeof(*cfg));
}

int config_init_defaults(struct config *cfg)
{
	return config_init_defaults_from(cfg, collector_registry);
}

int config_init_defaults_from(struct config *cfg, const struct collector *const *registry)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->format = strdup("json");
	cfg->syslog_socket = strdup(CONFIG_DEFAULT_SOCKET);
	cfg->tag = strdup(CONFIG_DEFAULT_TAG);
	if (!cfg->format || !cfg->syslog_socket || !cfg->tag) {
		config_free(cfg);
		return -ENOMEM;
	}
	cfg->facility = LOG_DAEMON;
	cfg->heartbeat_ms = CONFIG_DEFAULT_HEARTBEAT_MS;
	correlate_config_defaults(&cfg->correlate);
	/* RFC 3164 by default: it is what every /dev/log reader (rsyslog,
	 * syslog-ng, journald) understands; RFC 5424 is opt-in. */
	cfg->framing = SYSLOG_RFC3164;
	for (size_t i = 0; registry[i]; i++) {
		struct collector_config *c;

		if (cfg->ncollectors == CONFIG_MAX_COLLECTORS)
			break;
		c = &cfg->collectors[cfg->ncollectors++];
		c->name = registry[i]->name;
		c->plugin = registry[i];
		c->enabled = true;
		c->rescan_ms = registry[i]->rescan_default_ms ?
			       registry[i]->rescan_default_ms : CONFIG_DEFAULT_RESCAN_MS;
		c->settle_ms = CONFIG_DEFAULT_SETTLE_MS;
	}
	return 0;
}

const struct collector_config *config_collector(const struct config *cfg,
						const char *name)
{
	for (int i = 0; i < cfg->ncollectors; i++)
		if (strcmp(cfg->collectors[i].name, name) == 0)
			return &cfg->collectors[i];
	return NULL;
}

bool config_collector_equal(const struct collector_config *a,
			    const struct collector_config *b)
{
	if (a->enabled != b->enabled || a->rescan_ms != b->rescan_ms ||
	    a->settle_ms != b->settle_ms)
		return false;
	for (int i = 0; i < COLLECTOR_OPTIONS_MAX; i++) {
		if (a->option_set[i] != b->option_set[i])
			return false;
		if (a->option_set[i] && strcmp(a->options[i], b->options[i]) != 0)
			return false;
	}
	return true;
}

static void config_error(struct config_parser *p, const char *fmt, const char *arg)
{
	p->errors++;
	/* A failed allocation here still leaves p->errors set: the file is
	 * rejected either way. */
	diag_add(p->diags, false, p->path, p->line, fmt, arg);
}

static struct collector_config *config_collector_mut(struct config *cfg,
						     const char *section)
{
	if (strncmp(section, "collector.", 10) != 0)
		return NULL;
	return (struct collector_config *)config_collector(cfg, section + 10);
}

/* Printable ASCII, no blanks: these end up in the syslog header. */
static bool config_token_valid(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n > max)
		return false;
	for (; *s; s++)
		if (*s <= ' ' || *s >= 0x7f)
			return false;
	return true;
}

static int config_set_str(char **dst, const char *value)
{
	char *s = strdup(value);

	if (!s)
		return -ENOMEM;
	free(*dst);
	*dst = s;
	return 0;
}

static int config_duration(struct config_parser *p, const char *name,
			   const char *value, uint64_t min_ms, uint64_t *out)
{
	char what[96];

	if (duration_parse(value, out) < 0) {
		snprintf(what, sizeof(what), "%s: '%%s' is not a duration (e.g. 30s, 10m, 1h, 1d)",
			 name);
		config_error(p, what, value);
		return -EINVAL;
	}
	if (*out && *out < min_ms) {
		snprintf(what, sizeof(what), "%s: '%%s' is too short (0 turns it off)", name);
		config_error(p, what, value);
		return -EINVAL;
	}
	return 0;
}

static int config_agent_key(struct config_parser *p, const char *name,
			    const char *value)
{
	if (strcmp(name, "heartbeat_interval") == 0) {
		config_duration(p, name, value, CONFIG_HEARTBEAT_MIN_MS, &p->cfg->heartbeat_ms);
		return 0;
	}
	if (strcmp(name, "reassert_interval") == 0) {
		config_duration(p, name, value, CONFIG_HEARTBEAT_MIN_MS,
				&p->cfg->correlate.reassert_ms);
		return 0;
	}
	if (strcmp(name, "hostname") != 0) {
		config_error(p, "unknown key '%s' in [agent]", name);
		return 0;
	}
	if (!config_token_valid(value, CONFIG_HOSTNAME_MAX)) {
		config_error(p, "hostname: '%s' is not 1-255 printable characters without blanks",
			     value);
		return 0;
	}
	return config_set_str(&p->cfg->hostname, value);
}

/* [verdict]: enabled, threshold, window, min_categories, severity. */
static int config_verdict_key(struct config_parser *p, const char *name,
			      const char *value)
{
	struct correlate_config *c = &p->cfg->correlate;
	char *end;
	long v;

	if (strcmp(name, "enabled") == 0) {
		if (bool_parse(value, &c->verdict_enabled) < 0)
			config_error(p, "enabled: '%s' is not yes or no", value);
	} else if (strcmp(name, "window") == 0) {
		if (config_duration(p, name, value, CONFIG_HEARTBEAT_MIN_MS,
				    &c->verdict_window_ms) == 0 && !c->verdict_window_ms)
			config_error(p, "window: '%s' must be more than 0", value);
	} else if (strcmp(name, "threshold") == 0 || strcmp(name, "min_categories") == 0) {
		bool thr = name[0] == 't';

		errno = 0;
		v = strtol(value, &end, 10);
		if (errno || *end || end == value || v < 1 || v > (thr ? 100000 : 16)) {
			config_error(p, thr ? "threshold: '%s' is not an integer from 1 to 100000"
					    : "min_categories: '%s' is not an integer from 1 to 16",
				     value);
			return 0;
		}
		if (thr)
			c->verdict_threshold = (int)v;
		else
			c->verdict_min_categories = (int)v;
	} else if (strcmp(name, "severity") == 0) {
		int sev = severity_from_name(value);

		if (sev < 0)
			config_error(p, "severity: unknown severity '%s'", value);
		else
			c->verdict_severity = sev;
	} else {
		config_error(p, "unknown key '%s' in [verdict]", name);
	}
	return 0;
}

static int config_output_key(struct config_parser *p, const char *name,
			     const char *value)
{
	struct config *cfg = p->cfg;

	if (strcmp(name, "format") == 0) {
		if (!alert_formatter_by_name(value)) {
			config_error(p, "format: '%s' is not json, cef or text", value);
			return 0;
		}
		return config_set_str(&cfg->format, value);
	}
	if (strcmp(name, "syslog_socket") == 0) {
		if (value[0] != '/' || strlen(value) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
			config_error(p, "syslog_socket: '%s' is not an absolute path of at most 107 bytes",
				     value);
			return 0;
		}
		return config_set_str(&cfg->syslog_socket, value);
	}
	if (strcmp(name, "facility") == 0) {
		for (size_t i = 0; i < sizeof(config_facilities) / sizeof(config_facilities[0]); i++) {
			if (strcmp(config_facilities[i].name, value) == 0) {
				cfg->facility = config_facilities[i].facility;
				return 0;
			}
		}
		config_error(p, "facility: '%s' is not daemon, auth, authpriv, user or local0..local7",
			     value);
		return 0;
	}
	if (strcmp(name, "framing") == 0) {
		if (strcmp(value, "rfc3164") == 0)
			cfg->framing = SYSLOG_RFC3164;
		else if (strcmp(value, "rfc5424") == 0)
			cfg->framing = SYSLOG_RFC5424;
		else
			config_error(p, "framing: '%s' is not rfc3164 or rfc5424", value);
		return 0;
	}
	if (strcmp(name, "tag") == 0) {
		if (!config_token_valid(value, CONFIG_TAG_MAX)) {
			config_error(p, "tag: '%s' is not 1-48 printable characters without blanks",
				     value);
			return 0;
		}
		return config_set_str(&cfg->tag, value);
	}
	config_error(p, "unknown key '%s' in [output]", name);
	return 0;
}

/* A key from the collector's own table: checked now, parsed at init. */
static int config_collector_option(struct config_parser *p, struct collector_config *c,
				   const char *name, const char *value)
{
	const struct collector_option *opts = p->plugin ? p->plugin->options : NULL;
	char err[160] = "";
	char msg[COLLECTOR_OPTION_LEN + 200];

	for (int i = 0; opts && opts[i].name && i < COLLECTOR_OPTIONS_MAX; i++) {
		if (strcmp(opts[i].name, name) != 0)
			continue;
		if (strlen(value) >= COLLECTOR_OPTION_LEN) {
			snprintf(msg, sizeof(msg), "%s: longer than %d bytes", name,
				 COLLECTOR_OPTION_LEN - 1);
			config_error(p, "%s", msg);
			return 0;
		}
		if (opts[i].check && opts[i].check(value, err, sizeof(err)) < 0) {
			snprintf(msg, sizeof(msg), "%s: '%s' %s", name, value,
				 err[0] ? err : "is not valid");
			config_error(p, "%s", msg);
			return 0;
		}
		strlcpy_fh(c->options[i], value, sizeof(c->options[i]));
		c->option_set[i] = true;
		return 0;
	}
	snprintf(msg, sizeof(msg), "unknown key '%s' in [collector.%s]", name, c->name);
	config_error(p, "%s", msg);
	return 0;
}

static int config_collector_key(struct config_parser *p, struct collector_config *c,
				const char *name, const char *value)
{
	if (strcmp(name, "enabled") == 0) {
		if (bool_parse(value, &c->enabled) < 0)
			config_error(p, "enabled: '%s' is not yes or no", value);
		return 0;
	}
	if (strcmp(name, "rescan_interval") == 0) {
		/* Below a second a rescan is a busy poll, not a safety net. */
		if (duration_parse(value, &c->rescan_ms) < 0 ||
		    (c->rescan_ms != 0 && c->rescan_ms < 1000))
			config_error(p, "rescan_interval: '%s' is not a duration of at least 1s (e.g. 10m; 0 = never)",
				     value);
		return 0;
	}
	if (strcmp(name, "settle") == 0) {
		if (duration_parse(value, &c->settle_ms) < 0)
			config_error(p, "settle: '%s' is not a duration (e.g. 500ms)", value);
		return 0;
	}
	return config_collector_option(p, c, name, value);
}

static int config_geo_set(struct config_parser *p, struct geo_set *set,
			  const char *name, const char *value)
{
	char msg[160];
	int r = geo_set_parse(set, value);

	if (r == 0)
		return 0;
	snprintf(msg, sizeof(msg), "%s: %s", name,
		 r == -E2BIG ? "more than 64 items" : "an item is longer than 63 bytes");
	config_error(p, "%s", msg);
	return 0;
}

static bool config_country_code(const char *s)
{
	return strlen(s) == 2 && isupper((unsigned char)s[0]) && isupper((unsigned char)s[1]);
}

static int config_geo_key(struct config_parser *p, const char *name, const char *value)
{
	struct geo_config *geo = &p->cfg->geo;

	if (strcmp(name, "timezones") == 0)
		return config_geo_set(p, &geo->timezones, name, value);
	if (strcmp(name, "locales") == 0)
		return config_geo_set(p, &geo->locales, name, value);
	if (strcmp(name, "countries") == 0) {
		config_geo_set(p, &geo->countries, name, value);
		for (size_t i = 0; i < geo->countries.n; i++)
			if (!config_country_code(geo->countries.items[i]))
				config_error(p, "countries: '%s' is not an ISO 3166 code such as US",
					     geo->countries.items[i]);
		return 0;
	}
	if (strcmp(name, "database") == 0) {
		if (value[0] != '/' || strlen(value) >= sizeof(geo->database)) {
			config_error(p, "database: '%s' is not an absolute path", value);
			return 0;
		}
		strlcpy_fh(geo->database, value, sizeof(geo->database));
		return 0;
	}
	config_error(p, "unknown key '%s' in [geo]", name);
	return 0;
}

/* inifile callbacks: a bad value is reported and parsing goes on, so every
 * error of the file is collected in one pass. */
static void config_on_section(void *opaque, const char *header, int line)
{
	struct config_parser *p = opaque;

	p->line = line;
	p->section = CONFIG_SECTION_SKIP;
	if (!header)
		return;		/* malformed header: inifile reported it */
	if (strcmp(header, "agent") == 0) {
		p->section = CONFIG_SECTION_AGENT;
	} else if (strcmp(header, "output") == 0) {
		p->section = CONFIG_SECTION_OUTPUT;
	} else if (strcmp(header, "geo") == 0) {
		p->section = CONFIG_SECTION_GEO;
	} else if (strcmp(header, "verdict") == 0) {
		p->section = CONFIG_SECTION_VERDICT;
	} else if ((p->collector = config_collector_mut(p->cfg, header))) {
		p->section = CONFIG_SECTION_COLLECTOR;
		p->plugin = p->collector->plugin;
	} else if (strncmp(header, "collector.", 10) == 0) {
		config_error(p, "unknown collector '%s'", header + 10);
	} else {
		config_error(p, "unknown section '%s'", header);
	}
}

static void config_on_key(void *opaque, const char *name, const char *value, int line)
{
	struct config_parser *p = opaque;
	int r = 0;

	p->line = line;
	switch (p->section) {
	case CONFIG_SECTION_NONE:
		config_error(p, "key '%s' outside of any section", name);
		break;
	case CONFIG_SECTION_SKIP:
		break;
	case CONFIG_SECTION_AGENT:
		r = config_agent_key(p, name, value);
		break;
	case CONFIG_SECTION_OUTPUT:
		r = config_output_key(p, name, value);
		break;
	case CONFIG_SECTION_COLLECTOR:
		r = config_collector_key(p, p->collector, name, value);
		break;
	case CONFIG_SECTION_GEO:
		r = config_geo_key(p, name, value);
		break;
	case CONFIG_SECTION_VERDICT:
		r = config_verdict_key(p, name, value);
		break;
	}
	if (r < 0)
		p->oom = true;
}

static void config_on_error(void *opaque, int line, const char *msg)
{
	struct config_parser *p = opaque;

	p->line = line;
	config_error(p, "%s", msg);
}

static const struct inifile_ops config_ini_ops = {
	.section = config_on_section,
	.key = config_on_key,
	.error = config_on_error,
};

/* The config holds at most CONFIG_MAX_COLLECTORS collectors and
 * COLLECTOR_OPTIONS_MAX options each, inline so a collector's section can
 * be copied by value.  A build that registers more would leave the excess
 * unconfigured (a collector never run, an option whose default never
 * applies): refused instead, at every load (-t included), with the file's
 * name so it reads like any other load error.  Returns the errors added. */
static int config_check_bounds(const char *path, const struct collector *const *registry,
			       struct diag_list *diags)
{
	int errors = 0;

	for (size_t i = 0; registry[i]; i++) {
		const struct collector_option *o = registry[i]->options;
		size_t n = 0;

		if (i == CONFIG_MAX_COLLECTORS) {
			diag_add(diags, false, path, 0,
				 "collector '%s' cannot be configured: this build holds at most %d collectors (CONFIG_MAX_COLLECTORS)",
				 registry[i]->name, CONFIG_MAX_COLLECTORS);
			errors++;
		}
		while (o && o[n].name)
			n++;
		if (n > COLLECTOR_OPTIONS_MAX) {
			diag_add(diags, false, path, 0,
				 "collector '%s': option '%s' cannot be configured: a section holds at most %d options (COLLECTOR_OPTIONS_MAX)",
				 registry[i]->name, o[COLLECTOR_OPTIONS_MAX].name,
				 COLLECTOR_OPTIONS_MAX);
			errors++;
		}
	}
	return errors;
}

/* A config file is a few dozen lines; anything near this is not one. */
#define CONFIG_FILE_MAX (1024 * 1024)

int config_load(const char *path, struct config *cfg, struct diag_list *diags)
{
	return config_load_from(path, collector_registry, cfg, diags);
}

int config_load_from(const char *path, const struct collector *const *registry,
		     struct config *cfg, struct diag_list *diags)
{
	struct config_parser p = { .path = path, .diags = diags };
	struct config fresh;
	char *text = NULL;
	size_t len;
	int r;

	r = config_init_defaults_from(&fresh, registry);
	if (r < 0)
		return r;
	if (config_check_bounds(path, registry, diags) > 0) {
		config_free(&fresh);
		return -EINVAL;
	}
	p.cfg = &fresh;
	r = read_file_bounded(path, CONFIG_FILE_MAX, &text, &len);
	if (r == -ENOENT) {
		/* No file: the built-in defaults are the config. */
		config_free(cfg);
		*cfg = fresh;
		return 0;
	}
	if (r < 0) {
		diag_add(diags, false, path, 0, "cannot read: %s", strerror(-r));
		goto out_free;
	}
	if (len == CONFIG_FILE_MAX) {
		diag_add(diags, false, path, 0, "larger than %d bytes", CONFIG_FILE_MAX);
		r = -EINVAL;
		goto out_free;
	}
	r = inifile_parse(text, len, &config_ini_ops, &p);
	if (r == 0 && p.oom)
		r = -ENOMEM;
	if (r == 0 && p.errors)
		r = -EINVAL;
	if (r == 0) {
		free(text);
		config_free(cfg);
		*cfg = fresh;
		return 0;
	}
out_free:
	free(text);
	config_free(&fresh);
	return r;
}
