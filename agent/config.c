/*
 * config.c - farmhound.conf: [agent], [output], [collector.NAME].
 *
 * Parsed with inih's ini_parse_stream() through our own line reader: the
 * Debian build of inih (r55) hands the handler no line numbers, and every
 * error must be "file:line: message".  The reader counts lines, checks
 * section headers itself (inih does not call the handler for an empty
 * section, so an unknown empty section would otherwise pass unnoticed),
 * rejects over-long lines instead of letting inih split them, and strips
 * leading blanks so an indented key is a key, not a continuation of the
 * previous value (continuations make no sense for these settings).
 *
 * The file is parsed into a fresh config built from the defaults; the
 * caller's config is only replaced when the whole file is valid.
 */
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <syslog.h>

#include "collector.h"
#include "config.h"
#include "util.h"

#define CONFIG_DEFAULT_SOCKET "/dev/log"
#define CONFIG_DEFAULT_TAG "farmhound"
#define CONFIG_DEFAULT_RESCAN_MS (10ULL * 60 * 1000)
#define CONFIG_DEFAULT_SETTLE_MS 500ULL
#define CONFIG_HOSTNAME_MAX 255		/* RFC 5424 HOSTNAME */
#define CONFIG_TAG_MAX 48		/* RFC 5424 APP-NAME */
#define CONFIG_SECTION_MAX 64

struct config_parser {
	FILE *f;
	const char *path;
	struct config *cfg;
	struct diag_list *diags;
	int line;			/* of the chunk last handed to inih */
	bool at_line_start;
	bool skip_section;		/* unknown section: already reported */
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
	memset(cfg, 0, sizeof(*cfg));
	cfg->format = strdup("json");
	cfg->syslog_socket = strdup(CONFIG_DEFAULT_SOCKET);
	cfg->tag = strdup(CONFIG_DEFAULT_TAG);
	if (!cfg->format || !cfg->syslog_socket || !cfg->tag) {
		config_free(cfg);
		return -ENOMEM;
	}
	cfg->facility = LOG_DAEMON;
	/* RFC 3164 by default: it is what every /dev/log reader (rsyslog,
	 * syslog-ng, journald) understands; RFC 5424 is opt-in. */
	cfg->framing = SYSLOG_RFC3164;
	for (size_t i = 0; collector_registry[i]; i++) {
		struct collector_config *c;

		if (cfg->ncollectors == CONFIG_MAX_COLLECTORS)
			break;
		c = &cfg->collectors[cfg->ncollectors++];
		c->name = collector_registry[i]->name;
		c->enabled = true;
		c->rescan_ms = CONFIG_DEFAULT_RESCAN_MS;
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

static bool config_section_known(struct config *cfg, const char *section)
{
	return strcmp(section, "agent") == 0 || strcmp(section, "output") == 0 ||
	       config_collector_mut(cfg, section) != NULL;
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

static int config_agent_key(struct config_parser *p, const char *name,
			    const char *value)
{
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

static int config_collector_key(struct config_parser *p, struct collector_config *c,
				const char *name, const char *value)
{
	if (strcmp(name, "enabled") == 0) {
		if (bool_parse(value, &c->enabled) < 0)
			config_error(p, "enabled: '%s' is not yes or no", value);
		return 0;
	}
	if (strcmp(name, "rescan_interval") == 0) {
		if (duration_parse(value, &c->rescan_ms) < 0)
			config_error(p, "rescan_interval: '%s' is not a duration (e.g. 10m, 0 = never)",
				     value);
		return 0;
	}
	if (strcmp(name, "settle") == 0) {
		if (duration_parse(value, &c->settle_ms) < 0)
			config_error(p, "settle: '%s' is not a duration (e.g. 500ms)", value);
		return 0;
	}
	config_error(p, "unknown key '%s' in a [collector.*] section", name);
	return 0;
}

/* inih handler: returns 1 (go on) even on a bad value, so every error of the
 * file is collected; 0 only when out of memory. */
static int config_handler(void *user, const char *section, const char *name,
			  const char *value)
{
	struct config_parser *p = user;
	struct collector_config *c;
	int r;

	if (p->skip_section)
		return 1;
	if (section[0] == '\0') {
		config_error(p, "key '%s' outside of any section", name);
		return 1;
	}
	if (strcmp(section, "agent") == 0)
		r = config_agent_key(p, name, value);
	else if (strcmp(section, "output") == 0)
		r = config_output_key(p, name, value);
	else if ((c = config_collector_mut(p->cfg, section)))
		r = config_collector_key(p, c, name, value);
	else
		return 1;	/* reported by the reader */
	return r < 0 ? 0 : 1;
}

/* "[name]" -> check the name now, because inih never tells the handler
 * about a section without keys. */
static void config_check_section(struct config_parser *p, const char *line)
{
	char name[CONFIG_SECTION_MAX];
	const char *end = strchr(line + 1, ']');
	size_t n;

	if (!end)
		return;		/* inih reports the syntax error */
	n = (size_t)(end - (line + 1));
	if (n >= sizeof(name)) {
		p->skip_section = true;
		config_error(p, "unknown section '%s'", "(too long)");
		return;
	}
	memcpy(name, line + 1, n);
	name[n] = '\0';
	strstrip(name);
	p->skip_section = !config_section_known(p->cfg, name);
	if (!p->skip_section)
		return;
	if (strncmp(name, "collector.", 10) == 0)
		config_error(p, "unknown collector '%s'", name + 10);
	else
		config_error(p, "unknown section '%s'", name);
}

static char *config_reader(char *str, int num, void *stream)
{
	struct config_parser *p = stream;
	size_t n, lead;

	for (;;) {
		if (!fgets(str, num, p->f))
			return NULL;
		n = strlen(str);
		if (p->at_line_start)
			p->line++;
		p->at_line_start = n > 0 && str[n - 1] == '\n';
		if (p->at_line_start || feof(p->f))
			break;
		/* Longer than inih's buffer: report it once, drop the rest of
		 * the line, and hand inih an empty line in its place. */
		config_error(p, "line longer than %s characters", "198");
		while (!p->at_line_start && fgets(str, num, p->f)) {
			n = strlen(str);
			p->at_line_start = n > 0 && str[n - 1] == '\n';
		}
		p->at_line_start = true;
		str[0] = '\n';
		str[1] = '\0';
		return str;
	}
	lead = strspn(str, " \t");
	if (lead)
		memmove(str, str + lead, strlen(str + lead) + 1);
	if (str[0] == '[')
		config_check_section(p, str);
	return str;
}

int config_load(const char *path, struct config *cfg, struct diag_list *diags)
{
	struct config_parser p = {
		.path = path, .diags = diags, .at_line_start = true,
	};
	struct config fresh;
	int r;

	r = config_init_defaults(&fresh);
	if (r < 0)
		return r;
	p.cfg = &fresh;
	p.f = fopen(path, "re");
	if (!p.f) {
		r = -errno;
		if (r == -ENOENT) {
			/* No file: the built-in defaults are the config. */
			config_free(cfg);
			*cfg = fresh;
			return 0;
		}
		diag_add(diags, false, path, 0, "cannot open: %s", strerror(-r));
		goto out_free;
	}
	r = ini_parse_stream(config_reader, &p, config_handler, &p);
	if (r == -2) {
		r = -ENOMEM;
		goto out_close;
	}
	if (r > 0) {
		/* With our handler never failing, a positive return is inih's
		 * own syntax error (no '=', no ']'); it only gives the first. */
		p.line = r;
		config_error(&p, "syntax error: expected [section] or key = value%s", "");
	}
	if (ferror(p.f)) {
		diag_add(diags, false, path, 0, "read error");
		p.errors++;
	}
	r = p.errors ? -EINVAL : 0;
out_close:
	fclose(p.f);
	if (r == 0) {
		config_free(cfg);
		*cfg = fresh;
		return 0;
	}
out_free:
	config_free(&fresh);
	return r;
}
