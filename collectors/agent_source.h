/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agent_source.h - field ids of the "agent" source: the agent's own notices
 * (started, stopping, reload failed...), which go through the same rules
 * and formatters as everything else so a SOC sees them in the same feed.
 */
#ifndef FARMHOUND_AGENT_SOURCE_H
#define FARMHOUND_AGENT_SOURCE_H

#include "event.h"

enum agent_field {
	AGENT_ACTION,		/* started, stopping, reload-ok, reload-failed, heartbeat, ... */
	AGENT_MESSAGE,
	AGENT_ERRORS,		/* list of file:line: message */
	AGENT_VERSION,
	AGENT_RULE_COUNT,
	AGENT_COLLECTOR,
	/* the heartbeat's counters (and dropped for capture-dropped) */
	AGENT_EVENTS,		/* list "usb=12", per source since start */
	AGENT_EVENTS_TOTAL,
	AGENT_ALERTS,
	AGENT_SUPPRESSED,
	AGENT_UNDELIVERED,
	AGENT_COLLECTORS_ACTIVE,	/* list of names */
	AGENT_COLLECTORS_FAILED,	/* list of names */
	AGENT_RSS_KB,
	AGENT_DROPPED,		/* input lost (capture drops): total, or the delta in a notice */
	AGENT_SKIPPED,		/* heartbeat: malformed or vanished input skipped, total */
	AGENT_UPTIME,		/* seconds */
	AGENT__NFIELDS,
};

extern const struct source_def agent_source;

#endif
