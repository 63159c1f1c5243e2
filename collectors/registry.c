/* SPDX-License-Identifier: Apache-2.0 */
/*
 * registry.c - the collectors and sources farmhound knows, by name, and
 * the lookup of a collector's option in its configuration section.
 *
 * Adding a collector is one line in collector_registry[] and one in
 * sources[]; nothing else in the agent names a collector.
 */
#include <stdio.h>
#include <string.h>

#include "agent_source.h"
#include "collector.h"
#include "collectors/display/display.h"
#include "collectors/host/host.h"
#include "collectors/input/input.h"
#include "collectors/net/net.h"
#include "collectors/process/process.h"
#include "collectors/process/socket.h"
#include "collectors/usb/usb.h"

const struct collector *const collector_registry[] = {
	&usb_collector,
	&display_collector,
	&process_collector,
	&socket_collector,
	&host_collector,
	&net_collector,
	&input_collector,
	NULL,
};

static const struct source_def *const sources[] = {
	&usb_source,
	&display_source,
	&process_source,
	&socket_source,
	&host_source,
	&net_source,
	&input_source,
	&agent_source,
	NULL,
};

const struct source_def *source_by_name(const char *name)
{
	for (size_t i = 0; sources[i]; i++)
		if (strcmp(sources[i]->name, name) == 0)
			return sources[i];
	return NULL;
}

const struct source_def *source_by_id(enum event_source id)
{
	for (size_t i = 0; sources[i]; i++)
		if (sources[i]->id == id)
			return sources[i];
	return NULL;
}

const char *collector_option(const struct collector *c,
			     const struct collector_config *cfg, const char *name)
{
	if (!c || !c->options)
		return NULL;
	for (int i = 0; c->options[i].name && i < COLLECTOR_OPTIONS_MAX; i++) {
		if (strcmp(c->options[i].name, name) != 0)
			continue;
		if (cfg && cfg->option_set[i])
			return cfg->options[i];
		return c->options[i].default_value;
	}
	return NULL;
}

/* ---- the agent's own source ---- */

static const struct field_def agent_fields[AGENT__NFIELDS] = {
	[AGENT_ACTION] = { "action", FIELD_STRING,
		"what happened: started, stopping, reload-ok, reload-failed, collector-failed, "
		"collector-recovered, capture-dropped, undelivered, heartbeat, verdict" },
	[AGENT_MESSAGE] = { "message", FIELD_STRING, "human-readable detail" },
	[AGENT_ERRORS] = { "errors", FIELD_LIST,
		"file:line: message for each configuration or rule error" },
	[AGENT_VERSION] = { "version", FIELD_STRING, "farmhound version" },
	[AGENT_RULE_COUNT] = { "rule_count", FIELD_INT, "rules loaded and in force" },
	[AGENT_COLLECTOR] = { "collector", FIELD_STRING, "collector concerned, if any" },
	[AGENT_EVENTS] = { "events", FIELD_LIST,
		"heartbeat: events per source since start, as source=count" },
	[AGENT_EVENTS_TOTAL] = { "events_total", FIELD_INT, "heartbeat: events since start" },
	[AGENT_ALERTS] = { "alerts", FIELD_INT, "heartbeat: alerts raised since start" },
	[AGENT_SUPPRESSED] = { "suppressed", FIELD_INT,
		"heartbeat: matches held back (cooldown, still present) since start" },
	[AGENT_UNDELIVERED] = { "undelivered", FIELD_INT,
		"heartbeat: alerts syslog did not take, since the sink was set up" },
	[AGENT_COLLECTORS_ACTIVE] = { "collectors_active", FIELD_LIST,
		"heartbeat: collectors running" },
	[AGENT_COLLECTORS_FAILED] = { "collectors_failed", FIELD_LIST,
		"heartbeat: collectors that failed and are being retried" },
	[AGENT_RSS_KB] = { "rss_kb", FIELD_INT, "heartbeat: resident memory (VmRSS), KiB" },
	[AGENT_DROPPED] = { "dropped", FIELD_INT,
		"input lost before farmhound saw it (capture drops, udev overruns)" },
	[AGENT_SKIPPED] = { "skipped", FIELD_INT,
		"heartbeat: input records skipped since start as malformed or vanished mid-read "
		"(hostile EDIDs, truncated packets, processes gone during a /proc walk)" },
	[AGENT_UPTIME] = { "uptime", FIELD_INT, "heartbeat: seconds since start" },
};

static const int agent_entity[] = { AGENT_ACTION, -1 };

static void agent_describe(const struct event *ev, char *buf, size_t len)
{
	const char *msg = event_get_str(ev, AGENT_MESSAGE);
	const char *act = event_get_str(ev, AGENT_ACTION);

	snprintf(buf, len, "%s", msg ? msg : act ? act : "agent notice");
}

const struct source_def agent_source = {
	.id = SOURCE_AGENT,
	.name = "agent",
	.fields = agent_fields,
	.nfields = AGENT__NFIELDS,
	.entity_fields = agent_entity,
	.describe = agent_describe,
};
