/* SPDX-License-Identifier: Apache-2.0 */
/*
 * supervise.c - running the collectors: start, watch, tick, fail, retry,
 * recover.
 *
 * A collector is a const struct of function pointers (collectors/
 * collector.h); here each gets a struct loop_collector: its context (the
 * emit and note callbacks, its own copy of its config), its state, its fd
 * in the loop's epoll set and its next tick.
 *
 * Failure is routine, not fatal: a USB bus can vanish, a capture device go
 * down, /proc refuse a read.  A collector that fails (init, its fd hung up,
 * on_ready failing again and again, a failed inventory or tick) is stopped,
 * one collector-failed notice goes out, and in the daemon it is started
 * again after 5 s, doubling up to an hour while it keeps failing; the retry
 * that works sends collector-recovered.  The notice goes out once per
 * failure, not once per retry, so a source that is gone for good costs one
 * line an hour in the log and nothing in the alert feed.  A source that is
 * simply absent (-ENODEV from init: no USB bus in a container) is skipped
 * with one line, not treated as a failure.
 *
 * Ticks: a collector says when it next needs on_tick (next_tick); the loop
 * arms its timer at the earliest of all (the timer table, loop.c), with a
 * floor so a collector asking for "now" again and again cannot make the
 * loop spin.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <syslog.h>

#include "lib/util.h"
#include "log.h"
#include "selfmon.h"
#include "supervise.h"

/* Floor between two ticks of one collector: a collector asking for "now"
 * again and again must not turn the loop into a busy poll. */
#define SUPERVISE_TICK_MIN_MS 10
/* A collector whose on_ready keeps failing is stopped after this many
 * failures in a row (its fd would otherwise stay readable forever). */
#define SUPERVISE_READY_FAILURES_MAX 100
/* A failed collector is started again after this, doubling up to the
 * maximum while it keeps failing. */
#define SUPERVISE_RETRY_MS 5000
#define SUPERVISE_RETRY_MAX_MS (3600ULL * 1000)

/* ---- the collector's context: events and notes ---- */

static void supervise_emit(void *opaque, struct event *ev)
{
	struct loop_collector *lc = opaque;

	if (!ev)
		return;
	loop_eval(lc->loop, ev);
	event_free(ev);
}

static void supervise_note_flush(struct loop *l)
{
	if (l->note_pending)
		log_msg(l->note_level, "%s", l->note);
	l->note_pending = false;
}

static void supervise_note(void *opaque, int level, const char *collector,
			   const char *fmt, ...)
{
	struct loop_collector *lc = opaque;
	struct loop *l = lc->loop;
	char text[LOOP_NOTE_MAX - 64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (l->initing == lc) {
		supervise_note_flush(l);
		snprintf(l->note, sizeof(l->note), "%s: %s", collector, text);
		l->note_level = level;
		l->note_pending = true;
		return;
	}
	log_msg(level, "%s: %s", collector, text);
}

void supervise_init(struct loop *l)
{
	for (int i = 0; i < CONFIG_MAX_COLLECTORS && collector_registry[i]; i++) {
		struct loop_collector *lc = &l->col[l->ncol++];
		const struct collector_config *cc;

		lc->loop = l;
		lc->c = collector_registry[i];
		lc->fd = -1;
		lc->due_ms = UINT64_MAX;
		lc->retry_due = UINT64_MAX;
		cc = config_collector(&l->cfg, lc->c->name);
		if (cc)
			lc->cfg = *cc;
		lc->ctx = (struct collector_ctx){
			.opaque = lc,
			.emit = supervise_emit,
			.note = supervise_note,
			.config = &lc->cfg,
			.rootfs = l->opts->rootfs ? l->opts->rootfs : "/",
			.procfs = l->opts->procfs ? l->opts->procfs : "/proc",
			.mode = l->mode,
			.pcap_file = l->opts->pcap_file,
			.geo = &l->cfg.geo,
		};
	}
}

/* ---- ticks ---- */

static void supervise_schedule(struct loop_collector *lc, uint64_t now)
{
	uint64_t ms;

	lc->due_ms = UINT64_MAX;
	if (!lc->running || !lc->c->next_tick || !lc->c->on_tick)
		return;
	ms = lc->c->next_tick(lc->state, now);
	if (ms == UINT64_MAX)
		return;
	if (ms < SUPERVISE_TICK_MIN_MS)
		ms = SUPERVISE_TICK_MIN_MS;
	lc->due_ms = ms > UINT64_MAX - now ? UINT64_MAX : now + ms;
}

/* After events were read: the collector may need its tick sooner (an
 * add to settle), never later.  Rescheduling an overdue tick from now on
 * every wake-up postponed it for as long as events kept coming: under a
 * uevent flood the USB collector's settle tick starved, and a PiKVM plugged
 * for a second was dropped unreported by its remove (fault_flood_usb.sh).
 * An early tick that finds nothing due costs nothing. */
static void supervise_schedule_sooner(struct loop_collector *lc, uint64_t now)
{
	uint64_t was = lc->due_ms;

	supervise_schedule(lc, now);
	if (was < lc->due_ms && lc->running)
		lc->due_ms = was;
}

/* ---- failure and recovery ---- */

void supervise_stop(struct loop *l, struct loop_collector *lc)
{
	if (!lc->running)
		return;
	selfmon_account(l, lc);
	lc->dropped_seen = lc->skipped_seen = 0;
	if (lc->fd >= 0 && l->epfd >= 0)
		epoll_ctl(l->epfd, EPOLL_CTL_DEL, lc->fd, NULL);
	lc->c->free(lc->state);
	lc->state = NULL;
	lc->running = false;
	lc->fd = -1;
	lc->due_ms = UINT64_MAX;
}

/* The next back-off: 5 s, then doubling up to an hour. */
static uint64_t supervise_backoff(uint64_t ms)
{
	if (!ms)
		return SUPERVISE_RETRY_MS;
	if (ms >= SUPERVISE_RETRY_MAX_MS / 2)
		return SUPERVISE_RETRY_MAX_MS;
	return ms * 2;
}

/* A collector failed.  In the daemon one that is no longer running is
 * started again later, with a growing backoff; the notice goes out once
 * per failure, not once per retry. */
static void supervise_failed(struct loop *l, struct loop_collector *lc,
			     const char *what, int err)
{
	bool again = lc->failed;

	l->failed = true;
	if (l->mode == COLLECTOR_DAEMON && !lc->running) {
		lc->failed = true;
		lc->retry_ms = supervise_backoff(lc->retry_ms);
		lc->retry_due = now_monotonic_ms() + lc->retry_ms;
	}
	if (again) {
		log_msg(LOG_DEBUG, "%s: %s failed again: %s; next try in %llu s", lc->c->name,
			what, strerror(-err), (unsigned long long)(lc->retry_ms / 1000));
		return;
	}
	log_msg(LOG_ERR, "%s: %s failed: %s%s", lc->c->name, what, strerror(-err),
		lc->failed ? "; retrying" : "");
	selfmon_notice(l, NOTICE_COLLECTOR_FAILED, lc->c->name, NULL,
		       "collector %s: %s failed: %s%s", lc->c->name, what, strerror(-err),
		       lc->failed ? "; retrying with backoff" : "");
}

/* Stop a running collector and report the failure. */
static void supervise_stop_failed(struct loop *l, struct loop_collector *lc,
				  const char *what, int err)
{
	supervise_stop(l, lc);
	supervise_failed(l, lc, what, err);
}

static void supervise_recovered(struct loop *l, struct loop_collector *lc)
{
	if (!lc->failed || !lc->running)
		return;
	lc->failed = false;
	lc->retry_ms = 0;
	lc->retry_due = UINT64_MAX;
	log_msg(LOG_NOTICE, "%s: running again", lc->c->name);
	selfmon_notice(l, NOTICE_COLLECTOR_RECOVERED, lc->c->name, NULL,
		       "collector %s is running again", lc->c->name);
}

/* ---- start ---- */

/* init(), its notes held back: 0, or a negative errno already reported
 * (-ENODEV, nothing to watch here, as a note; a failure as one). */
static int supervise_init_one(struct loop *l, struct loop_collector *lc)
{
	int r;

	l->initing = lc;
	l->note_pending = false;
	r = lc->c->init(&lc->ctx, &lc->state);
	l->initing = NULL;
	if (r == -ENODEV && lc->failed) {
		/* Retrying a failed collector whose source is still gone. */
		l->note_pending = false;
		supervise_failed(l, lc, "init", r);
		return r;
	}
	if (r == -ENODEV) {
		/* Nothing to watch here (a container without a USB bus):
		 * one line, not an error. */
		if (l->note_pending)
			log_msg(LOG_NOTICE, "%s, skipping", l->note);
		else
			log_msg(LOG_NOTICE, "%s: nothing to watch on this machine, skipping",
				lc->c->name);
		l->note_pending = false;
		return r;
	}
	supervise_note_flush(l);
	lc->init_error = r < 0 ? r : 0;
	if (r < 0) {
		supervise_failed(l, lc, "init", r);
		return r;
	}
	return 0;
}

/* Its fd into the epoll set (the daemon; --scan has none). */
static int supervise_watch(struct loop *l, struct loop_collector *lc)
{
	struct epoll_event ee = { .events = EPOLLIN };

	lc->fd = lc->c->fd ? lc->c->fd(lc->state) : -1;
	if (lc->fd < 0 || l->epfd < 0)
		return 0;
	ee.data.u64 = (uint64_t)(lc - l->col);
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, lc->fd, &ee) < 0)
		return -errno;
	return 0;
}

void supervise_start(struct loop *l, struct loop_collector *lc)
{
	int r;

	if (!lc->cfg.enabled || lc->running)
		return;
	if (supervise_init_one(l, lc) < 0)
		return;
	lc->running = true;
	lc->ready_failures = 0;
	r = supervise_watch(l, lc);
	if (r < 0) {
		supervise_stop_failed(l, lc, "watch", r);
		return;
	}
	if (lc->c->scan) {
		r = lc->c->scan(lc->state);
		/* In the daemon an inventory that failed is a start that
		 * failed: stopped and retried, so a retry that finds the
		 * source still broken is not taken for a recovery. */
		if (r < 0 && l->mode == COLLECTOR_DAEMON) {
			supervise_stop_failed(l, lc, "scan", r);
			return;
		}
		if (r < 0)
			supervise_failed(l, lc, "scan", r);
	}
	supervise_recovered(l, lc);
	supervise_schedule(lc, now_monotonic_ms());
}

/* ---- the loop's calls ---- */

void supervise_ready(struct loop *l, struct loop_collector *lc, uint32_t events)
{
	int r;

	if (!lc->running)
		return;
	r = lc->c->on_ready(lc->state);
	if (events & (EPOLLHUP | EPOLLERR)) {
		/* The source is gone (its socket closed, the capture device
		 * went away): the fd would stay readable forever.  Stop the
		 * collector, say so, and try again later. */
		supervise_stop_failed(l, lc, "watch", (events & EPOLLERR) ? -EIO : -EPIPE);
		return;
	}
	if (r == -ENODEV) {
		supervise_stop_failed(l, lc, "reading events", r);
		return;
	}
	if (r < 0 && r != -EAGAIN && r != -EINTR) {
		log_msg(LOG_WARNING, "%s: reading events failed: %s", lc->c->name,
			strerror(-r));
		if (++lc->ready_failures >= SUPERVISE_READY_FAILURES_MAX) {
			supervise_stop_failed(l, lc, "reading events", r);
			return;
		}
	} else {
		lc->ready_failures = 0;
	}
	supervise_schedule_sooner(lc, now_monotonic_ms());
}

uint64_t supervise_tick_due(const struct loop *l)
{
	uint64_t due = UINT64_MAX;

	for (int i = 0; i < l->ncol; i++)
		if (l->col[i].due_ms < due)
			due = l->col[i].due_ms;
	return due;
}

void supervise_tick(struct loop *l, uint64_t now)
{
	for (int i = 0; i < l->ncol; i++) {
		struct loop_collector *lc = &l->col[i];
		int r;

		if (!lc->running || lc->due_ms > now)
			continue;
		r = lc->c->on_tick(lc->state, now);
		if (r < 0) {
			/* The process and socket collectors work only through
			 * their tick: one that keeps failing is as blind as one
			 * that cannot start, and is treated the same (stopped,
			 * one collector-failed notice, heartbeats list it
			 * failed, retried with backoff, collector-recovered). */
			supervise_stop_failed(l, lc, "periodic work", r);
			continue;
		}
		supervise_schedule(lc, now);
	}
}

uint64_t supervise_retry_due(const struct loop *l)
{
	uint64_t due = UINT64_MAX;

	for (int i = 0; i < l->ncol; i++)
		if (l->col[i].retry_due < due)
			due = l->col[i].retry_due;
	return due;
}

void supervise_retry(struct loop *l, uint64_t now)
{
	for (int i = 0; i < l->ncol; i++) {
		struct loop_collector *lc = &l->col[i];

		if (lc->retry_due > now)
			continue;
		lc->retry_due = UINT64_MAX;
		supervise_start(l, lc);
	}
}

void supervise_reconfigure(struct loop *l, bool geo_changed)
{
	for (int i = 0; i < l->ncol; i++) {
		struct loop_collector *lc = &l->col[i];
		const struct collector_config *cc = config_collector(&l->cfg, lc->c->name);

		if (!cc || (config_collector_equal(cc, &lc->cfg) && !geo_changed))
			continue;
		/* Settings changed: restart it; its inventory re-runs, and the
		 * cooldowns keep known objects from alerting twice.  A new [geo]
		 * restarts them all: their expected_* fields depend on it. */
		supervise_stop(l, lc);
		lc->cfg = *cc;
		supervise_start(l, lc);
	}
}

int supervise_running(const struct loop *l)
{
	int n = 0;

	for (int i = 0; i < l->ncol; i++)
		n += l->col[i].running;
	return n;
}

/* An enabled collector that was denied its source (the net collector
 * without CAP_NET_RAW) would leave the agent blind to it for good, not
 * for a while: refuse to start, so systemd shows the failure and IT either
 * grants the capability or disables the collector on purpose. */
bool supervise_missing_privilege(const struct loop *l)
{
	bool missing = false;

	for (int i = 0; i < l->ncol; i++) {
		const struct loop_collector *lc = &l->col[i];

		if (lc->init_error != -EPERM && lc->init_error != -EACCES)
			continue;
		log_msg(LOG_ERR, "cannot start: the %s collector lacks a privilege it needs "
			"(see the line above); grant it (the systemd unit grants CAP_NET_RAW) "
			"or set [collector.%s] enabled = no", lc->c->name, lc->c->name);
		missing = true;
	}
	return missing;
}
