/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config.h - farmhound.conf, the agent's own settings (not the rules).
 *
 * The file is INI, read with inih.  A missing file means built-in defaults;
 * an unknown section or key, or a bad value, is a "file:line: message" error
 * and the whole file is rejected.  Like the ruleset, a config is immutable
 * once loaded and replaced whole on reload.
 */
#ifndef FARMHOUND_CONFIG_H
#define FARMHOUND_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "collectors/collector.h"
#include "collectors/geo.h"
#include "rules/rules.h"

#define CONFIG_DEFAULT_PATH "/etc/farmhound/farmhound.conf"
#define CONFIG_DEFAULT_RULES "/etc/farmhound/rules.d"

enum syslog_framing {
	SYSLOG_RFC3164,
	SYSLOG_RFC5424,
};

#define CONFIG_MAX_COLLECTORS 8

struct config {
	/* [agent] */
	char *hostname;			/* NULL: gethostname() */
	uint64_t heartbeat_ms;		/* heartbeat_interval = 1h; 0: off */
	/* [agent] reassert_interval (lifecycle) and [verdict] */
	struct correlate_config correlate;
	/* [output] */
	char *format;			/* json | cef | text */
	char *syslog_socket;		/* default /dev/log */
	int facility;			/* LOG_DAEMON etc. (already shifted, <<3) */
	enum syslog_framing framing;
	char *tag;			/* app name, default "farmhound" */
	/* [collector.*], one per registered collector, in registry order
	 * (struct collector_config is the collectors' own: collector.h) */
	struct collector_config collectors[CONFIG_MAX_COLLECTORS];
	int ncollectors;
	/* [geo] */
	struct geo_config geo;
};

/* Defaults for every registered collector; 0 or -ENOMEM. */
int config_init_defaults(struct config *cfg);
/* Load path over the defaults.  A missing file (ENOENT) is not an error.
 * Errors go to diags as file:line; returns 0, -EINVAL, or -errno. */
int config_load(const char *path, struct config *cfg, struct diag_list *diags);
/* The same two over another NULL-terminated collector table than
 * collector_registry (unit tests). */
int config_init_defaults_from(struct config *cfg, const struct collector *const *registry);
int config_load_from(const char *path, const struct collector *const *registry,
		     struct config *cfg, struct diag_list *diags);
void config_free(struct config *cfg);		/* frees members; accepts zeroed */
const struct collector_config *config_collector(const struct config *cfg,
						const char *name);
bool config_collector_equal(const struct collector_config *a,
			    const struct collector_config *b);

#endif
