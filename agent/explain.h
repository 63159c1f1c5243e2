/* SPDX-License-Identifier: Apache-2.0 */
/*
 * explain.h - the --explain lines of --scan and --pcap: each event, and
 * what every rule made of it.  Printers only (agent/explain.c).
 */
#ifndef FARMHOUND_EXPLAIN_H
#define FARMHOUND_EXPLAIN_H

#include <stdbool.h>
#include <stdio.h>

#include "collectors/event.h"
#include "rules/rules.h"

/* "# event SOURCE: key=value ...": 0, or -ENOMEM with a field left out. */
int explain_event(FILE *out, const struct event *ev);
/* "#   rule ID: OUTCOME" (or "#   verdict: ..."); true if the outcome
 * counts as a match for explain_no_match(). */
bool explain_match(FILE *out, const struct match_report *m);
/* "#   no rule matched", after an event no rule matched. */
void explain_no_match(FILE *out);
/* "# verdict over the whole WHAT" ("scan", "capture"). */
void explain_verdict(FILE *out, const char *what);

#endif
