/* SPDX-License-Identifier: Apache-2.0 */
/*
 * supervise.h - running the collectors (agent/supervise.c).
 */
#ifndef FARMHOUND_SUPERVISE_H
#define FARMHOUND_SUPERVISE_H

#include <stdbool.h>
#include <stdint.h>

#include "loop_impl.h"

/* One struct loop_collector per registered collector, with its context;
 * none started. */
void supervise_init(struct loop *l);
/* init, watch, inventory; a collector that cannot start is left stopped
 * (and, in the daemon, retried later). */
void supervise_start(struct loop *l, struct loop_collector *lc);
void supervise_stop(struct loop *l, struct loop_collector *lc);
/* Its fd is readable (events: the epoll flags). */
void supervise_ready(struct loop *l, struct loop_collector *lc, uint32_t events);

/* The timer table's entries (loop.c): the earliest deadline, and the work
 * due at now. */
uint64_t supervise_tick_due(const struct loop *l);
void supervise_tick(struct loop *l, uint64_t now);
uint64_t supervise_retry_due(const struct loop *l);
void supervise_retry(struct loop *l, uint64_t now);

/* After a reload: restart the collectors whose settings changed (all of
 * them if geo_changed). */
void supervise_reconfigure(struct loop *l, bool geo_changed);
int supervise_running(const struct loop *l);
/* An enabled collector was denied its source at start-up: logged; the
 * daemon refuses to run. */
bool supervise_missing_privilege(const struct loop *l);

#endif
