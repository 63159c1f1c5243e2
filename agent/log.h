/* SPDX-License-Identifier: Apache-2.0 */
/*
 * log.h - the agent's operational log: what the daemon itself has to say
 * (started, socket gone, collector failed), as opposed to alerts, which go
 * through the formatters and the sink.
 *
 * Lines go to stderr.  Under systemd (JOURNAL_STREAM set) each line carries
 * a "<N>" sd-daemon priority prefix so the journal keeps the level; in a
 * terminal it is "farmhound: message".  Only the loop layer logs (DESIGN §7).
 */
#ifndef FARMHOUND_LOG_H
#define FARMHOUND_LOG_H

#include <stdbool.h>
#include <syslog.h>

#include "rules/rules.h"

/* debug: also print LOG_DEBUG lines. */
void log_init(bool debug);
void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print each diagnostic as "file:line: message" ("warning: " in front of
 * warnings), without any other prefix, so editors and CI can parse it. */
void log_diags(const struct diag_list *d);
/* The same text for one diagnostic, for alerts and tests; bounded. */
void log_diag_format(const struct diag *d, char *buf, size_t len);

#endif
