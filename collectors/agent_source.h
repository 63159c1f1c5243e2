/*
 * agent_source.h - field ids of the "agent" source: the agent's own notices
 * (started, stopping, reload failed...), which go through the same rules
 * and formatters as everything else so a SOC sees them in the same feed.
 */
#ifndef FARMHOUND_AGENT_SOURCE_H
#define FARMHOUND_AGENT_SOURCE_H

#include "event.h"

enum agent_field {
	AGENT_ACTION,		/* started, stopping, reload-ok, reload-failed, ... */
	AGENT_MESSAGE,
	AGENT_ERRORS,		/* list of file:line: message */
	AGENT_VERSION,
	AGENT_RULE_COUNT,
	AGENT_COLLECTOR,
	AGENT__NFIELDS,
};

extern const struct source_def agent_source;

#endif
