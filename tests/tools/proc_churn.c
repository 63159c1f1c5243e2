/*
 * proc_churn.c - fault injection: /proc entries vanishing mid-read.
 *
 *   proc_churn SECONDS [PROCFS]
 *
 * A child forks short-lived processes in a tight loop (each exits at once
 * and is reaped at once, so its /proc/PID directory disappears between the
 * walker's readdir() and its open() of PID/stat), while this process runs
 * the real process collector's inventory walk over and over against the
 * real /proc for SECONDS.  Prints one line:
 *
 *   walks=N errors=N skipped=N tracked=N events=N spawned=N
 *
 * skipped is the collector's own stats() counter: entries that vanished
 * (or were garbage) and were skipped, not reported.  The caller asserts
 * every walk succeeded and the race was really hit (skipped > 0).
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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "collector.h"
#include "event.h"
#include "process.h"

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

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The churner: fork, exit, reap, as fast as possible; count on exit. */
static void churn(volatile unsigned long *count)
{
	for (;;) {
		pid_t p = fork();

		if (p == 0)
			_exit(0);
		if (p > 0) {
			waitpid(p, NULL, 0);
			(*count)++;
		}
	}
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
	volatile unsigned long *spawned;
	double secs = argc > 1 ? atof(argv[1]) : 3.0, end;
	void *st = NULL;
	pid_t kid;
	int r;

	/* The churner's count, shared across fork. */
	spawned = mmap(NULL, sizeof(*spawned), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (spawned == MAP_FAILED)
		return 2;
	r = c->init(&ctx, &st);
	if (r < 0) {
		fprintf(stderr, "proc_churn: init: %s\n", strerror(-r));
		return 2;
	}
	kid = fork();
	if (kid == 0)
		churn(spawned);
	end = now_s() + secs;
	while (now_s() < end) {
		if (c->scan(st) < 0)
			errors++;
		walks++;
	}
	kill(kid, SIGKILL);
	waitpid(kid, NULL, 0);
	c->stats(st, &cs);
	printf("walks=%lu errors=%lu skipped=%llu tracked=%llu events=%lu spawned=%lu\n",
	       walks, errors, (unsigned long long)cs.skipped,
	       (unsigned long long)cs.tracked, events, *spawned);
	c->free(st);
	return errors ? 1 : 0;
}
