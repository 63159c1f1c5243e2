/* SPDX-License-Identifier: Apache-2.0 */
/*
 * proc_churn.c - fault injection: /proc entries vanishing mid-read.
 *
 *   proc_churn SPAWNS [PROCFS]
 *
 * A child forks short-lived processes in a tight loop (each exits at once
 * and is reaped at once, so its /proc/PID directory disappears between the
 * walker's readdir() and its open() of PID/stat), while this process runs
 * the real process collector's inventory walk over and over against the
 * real /proc.  Prints one line:
 *
 *   walks=N errors=N skipped=N tracked=N events=N spawned=N
 *
 * skipped is the collector's own stats() counter: entries that vanished
 * (or were garbage) and were skipped, not reported.  The caller asserts
 * every walk succeeded and the race was really hit (skipped > 0).
 *
 * A fixed amount of work, never a fixed time (a test asserts behaviour, not
 * the speed of the machine): the churn goes on, however long it takes,
 * until at least SPAWNS processes came and went, CHURN_MIN_WALKS walks ran
 * and at least one walk skipped a vanished entry.  Whether a walk loses the
 * race is scheduling (on a busy machine the churner may be descheduled for
 * whole walks), so the skip is waited for, not expected within SPAWNS; the
 * cap CHURN_MAX_FACTOR x SPAWNS spawns only ends a run where the race is
 * never hit (the walker does not skip vanished entries, or does not count
 * them), which then reports skipped=0.
 *
 * Why the collector's scan() and not the daemon: the heartbeat does not
 * carry per-collector skipped counters, and a walk per loop iteration hits
 * the race thousands of times a second instead of once per rescan.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "collectors/collector.h"
#include "collectors/event.h"
#include "collectors/process/process.h"

#define CHURN_MIN_WALKS		10
#define CHURN_MAX_FACTOR	50

/* Shared across fork: the churner counts, the walker says when to stop. */
struct shared {
	volatile unsigned long spawned;
	volatile int stop;
};

static unsigned long events;

static void on_emit(void *opaque, struct event *ev)
{
	(void)opaque;
	events++;
	event_free(ev);		/* the loop owns emitted events: so do we */
}

static void on_note(void *opaque, int level, const char *collector, const char *fmt, ...)
{
	(void)opaque; (void)level; (void)collector; (void)fmt;	/* quiet */
}

/* The churner: fork, exit, reap, as fast as possible, until told to stop
 * or the cap is reached. */
static void churn(struct shared *sh, unsigned long cap)
{
	while (!sh->stop && sh->spawned < cap) {
		pid_t p = fork();

		if (p == 0)
			_exit(0);
		if (p > 0) {
			waitpid(p, NULL, 0);
			sh->spawned++;
		}
	}
	_exit(0);
}

/* Enough work done: the spawns, the walks and a skip seen. */
static int done(const struct collector *c, void *st, const struct shared *sh,
		unsigned long spawns, unsigned long walks)
{
	struct collector_stats cs = { 0 };

	if (sh->spawned < spawns || walks < CHURN_MIN_WALKS)
		return 0;
	c->stats(st, &cs);
	return cs.skipped > 0;
}

int main(int argc, char **argv)
{
	const struct collector *c = &process_collector;
	struct collector_ctx ctx = {
		.emit = on_emit, .note = on_note, .rootfs = "/",
		.procfs = argc > 2 ? argv[2] : "/proc", .mode = COLLECTOR_SCAN,
	};
	struct collector_stats cs = { 0 };
	unsigned long walks = 0, errors = 0;
	unsigned long spawns = argc > 1 ? strtoul(argv[1], NULL, 10) : 2000;
	struct shared *sh;
	void *st = NULL;
	pid_t kid;
	int r;

	if (spawns == 0)
		spawns = 1;
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 2;
	r = c->init(&ctx, &st);
	if (r < 0) {
		fprintf(stderr, "proc_churn: init: %s\n", strerror(-r));
		return 2;
	}
	kid = fork();
	if (kid < 0) {
		fprintf(stderr, "proc_churn: fork: %s\n", strerror(errno));
		return 2;
	}
	if (kid == 0) {
		/* Killed with us: a test interrupted never leaves it forking. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		churn(sh, spawns * CHURN_MAX_FACTOR);
	}
	/* Walk until the work is done, or the churner gave up at its cap (a
	 * last walk after that races nothing, so stop there). */
	while (!done(c, st, sh, spawns, walks) && waitpid(kid, NULL, WNOHANG) == 0) {
		if (c->scan(st) < 0)
			errors++;
		walks++;
	}
	sh->stop = 1;
	waitpid(kid, NULL, 0);
	c->stats(st, &cs);
	printf("walks=%lu errors=%lu skipped=%llu tracked=%llu events=%lu spawned=%lu\n",
	       walks, errors, (unsigned long long)cs.skipped,
	       (unsigned long long)cs.tracked, events, sh->spawned);
	c->free(st);
	return errors ? 1 : 0;
}
