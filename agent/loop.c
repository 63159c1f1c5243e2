/*
 * loop.c - one process, one thread, one epoll (DESIGN §1).
 *
 * The epoll set holds a signalfd (SIGTERM/SIGINT: stop, SIGHUP: reload),
 * one timerfd and each running collector's fd.  The timerfd is re-armed
 * one-shot at the earliest of: a collector's next_tick, the sink's retry
 * while it holds a backlog, the systemd watchdog ping.  With none of those
 * due it is disarmed, so an idle agent sleeps in epoll_wait() until the
 * kernel has something to say: no polling.
 *
 * Events flow collector -> ctx.emit -> ruleset_eval -> formatter -> sink
 * and are freed right after evaluation; nothing is queued in between, so
 * memory does not grow with the event rate.
 *
 * The agent's own notices (started, stopping, reload-ok/failed, collector
 * failed, alerts lost) are alerts of the "agent" source with built-in rule
 * metadata, sent down the same path, so the SOC sees in its alert feed when
 * detection changed or did not change.  Operational chatter goes to the
 * log (stderr) only.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "collectors/agent_source.h"
#include "collectors/collector.h"
#include "explain.h"
#include "format.h"
#include "lib/util.h"
#include "log.h"
#include "loop.h"
#include "notify.h"
#include "sink.h"
#include "strict.h"

/* Floor between two ticks of one collector: a collector asking for "now"
 * again and again must not turn the loop into a busy poll. */
#define LOOP_TICK_MIN_MS 10
/* Retry a sink backlog after this long, doubling up to the maximum while
 * syslog stays away: a dead syslog must not keep the agent awake. */
#define LOOP_FLUSH_MS 1000
#define LOOP_FLUSH_MAX_MS 30000
/* At exit, how long the backlog may wait for the receiver: short next to
 * systemd's stop timeout (90 s), long next to a syslog daemon's hiccup. */
#define LOOP_DRAIN_MS 3000
/* A collector whose on_ready keeps failing is stopped after this many
 * failures in a row (its fd would otherwise stay readable forever). */
#define LOOP_READY_FAILURES_MAX 100
/* A failed collector is started again after this, doubling up to the
 * maximum while it keeps failing. */
#define LOOP_RETRY_MS 5000
#define LOOP_RETRY_MAX_MS (3600ULL * 1000)
/* Collectors' drop counters are read this often, and a capture-dropped
 * notice goes out at most once per LOOP_DROPPED_NOTICE_MS (the deltas in
 * between are added up, never lost). */
#define LOOP_STATS_MS 60000
#define LOOP_DROPPED_NOTICE_MS (10ULL * 60 * 1000)
#define LOOP_EPOLL_SIGNAL UINT64_MAX
#define LOOP_EPOLL_TIMER (UINT64_MAX - 1)
#define LOOP_NOTE_MAX 256

struct loop;

struct loop_collector {
	struct loop *loop;
	const struct collector *c;
	struct collector_ctx ctx;
	/* Our own copy, pointed to by ctx.config: a reload frees the old
	 * config, and a collector may hold on to ctx->config. */
	struct collector_config cfg;
	void *state;
	bool running;
	int fd;
	uint64_t due_ms;		/* next on_tick, UINT64_MAX: none */
	int ready_failures;
	bool failed;			/* stopped by a failure, being retried */
	int init_error;			/* last init() failure, 0: none */
	uint64_t retry_due;		/* UINT64_MAX: none */
	uint64_t retry_ms;		/* current backoff */
	uint64_t dropped_seen;		/* stats().dropped already accounted */
	uint64_t skipped_seen;		/* stats().skipped already accounted */
	uint64_t skipped_total;		/* since start, across restarts */
};

struct loop {
	const struct loop_options *opts;
	enum collector_mode mode;
	struct config cfg;
	struct ruleset *rs;
	struct rule_state *st;
	const struct alert_formatter *fmt;
	char hostname[256];
	struct syslog_sink *sink;	/* NULL: stdout (--scan) */
	struct loop_collector col[CONFIG_MAX_COLLECTORS];
	int ncol;
	int epfd, sigfd, timerfd;
	uint64_t alerts;
	uint64_t matches;		/* of the current event, for --explain */
	bool failed;			/* --scan: exit 2 */
	bool quit;
	uint64_t wd_interval, wd_due;
	uint64_t flush_due;
	uint64_t flush_backoff_ms;
	uint64_t undelivered_seen;
	uint64_t armed_ms;
	uint64_t events[SOURCE__MAX];	/* per source, since start */
	uint64_t started_ms;
	uint64_t hb_due;		/* next heartbeat, UINT64_MAX: off */
	uint64_t stats_due;		/* next read of collectors' drop counters */
	uint64_t dropped_pending;	/* drops not yet in a notice */
	uint64_t dropped_total;
	uint64_t skipped_total;		/* malformed or vanished input, all collectors */
	uint64_t dropped_notice_ms;	/* last capture-dropped notice, 0: none */
	/* Notes a collector makes during init are held back until init
	 * returns: for -ENODEV, the note and "skipping" become one line. */
	struct loop_collector *initing;
	char note[LOOP_NOTE_MAX];
	int note_level;
	bool note_pending;
};

/* ---- built-in rule metadata for the agent's own notices ---- */

#define LOOP_META(sym, rid, rname, sev)						\
	static const struct rule_meta sym = {					\
		.id = (char *)(rid), .name = (char *)(rname),			\
		.category = (char *)"agent", .severity = (sev),		\
		.confidence = CONFIDENCE_HIGH,					\
	}

LOOP_META(meta_started, "farmhound-started", "farmhound started", LOG_INFO);
LOOP_META(meta_stopping, "farmhound-stopping", "farmhound stopping", LOG_INFO);
LOOP_META(meta_reload_ok, "farmhound-reload-ok", "farmhound reloaded", LOG_INFO);
LOOP_META(meta_reload_failed, "farmhound-reload-failed",
	  "farmhound reload failed, previous rules still in force", LOG_ERR);
LOOP_META(meta_collector_failed, "farmhound-collector-failed",
	  "farmhound collector failed", LOG_WARNING);
LOOP_META(meta_undelivered, "farmhound-alerts-undelivered",
	  "farmhound could not deliver alerts", LOG_WARNING);
LOOP_META(meta_collector_recovered, "farmhound-collector-recovered",
	  "farmhound collector recovered", LOG_NOTICE);
LOOP_META(meta_dropped, "farmhound-capture-dropped",
	  "farmhound lost input before it could read it", LOG_WARNING);
LOOP_META(meta_heartbeat, "farmhound-heartbeat", "farmhound heartbeat", LOG_INFO);

/* ---- output ---- */

static void loop_on_alert(void *opaque, const struct alert *a)
{
	struct loop *l = opaque;
	char line[ALERT_LINE_MAX];
	ssize_t n;
	int r;

	l->alerts++;
	n = l->fmt->format(a, line, sizeof(line));
	if (n < 0) {
		log_msg(LOG_ERR, "%s: cannot format alert: %s", a->rule->id,
			strerror((int)-n));
		l->failed = true;
		return;
	}
	if (!l->sink) {
		fwrite(line, 1, (size_t)n, stdout);
		fputc('\n', stdout);
		return;
	}
	log_msg(LOG_DEBUG, "alert: %s", line);
	r = syslog_sink_send(l->sink, a->rule->severity, line, (size_t)n);
	if (r == -EAGAIN && l->flush_due == UINT64_MAX)
		l->flush_due = now_monotonic_ms() + l->flush_backoff_ms;
}

static void loop_on_match(void *opaque, const struct match_report *m)
{
	struct loop *l = opaque;

	if (explain_match(stdout, m))
		l->matches++;
}

static void loop_eval(struct loop *l, const struct event *ev)
{
	bool explain = l->opts->explain && !l->sink;
	int r;

	if ((unsigned)ev->source->id < SOURCE__MAX)
		l->events[ev->source->id]++;
	if (!l->rs)
		return;
	if (explain) {
		r = explain_event(stdout, ev);
		if (r < 0)
			log_msg(LOG_WARNING, "--explain: event line incomplete: %s",
				strerror(-r));
		l->matches = 0;
	}
	ruleset_eval(l->rs, l->st, ev, now_monotonic_ms(), l->hostname,
		     loop_on_alert, explain ? loop_on_match : NULL, l);
	if (explain && l->matches == 0)
		explain_no_match(stdout);
}

/* An agent notice: a built-in alert, then the rules (an admin may write
 * rules on the agent source, e.g. to page on reload-failed). */
static void loop_notice(struct loop *l, const struct rule_meta *meta,
			const char *action, const char *collector,
			const struct diag_list *errors, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* The agent event of a notice: action, message, version, rule count. */
static struct event *loop_notice_event(struct loop *l, const char *action,
				       const char *collector, const char *msg)
{
	struct event *ev = event_new(&agent_source);
	int r = 0;

	if (!ev)
		return NULL;
	r |= event_set_str(ev, AGENT_ACTION, action);
	r |= event_set_str(ev, AGENT_MESSAGE, msg);
	r |= event_set_str(ev, AGENT_VERSION, FARMHOUND_VERSION);
	if (l->rs)
		r |= event_set_int(ev, AGENT_RULE_COUNT, (int64_t)ruleset_rule_count(l->rs));
	if (collector)
		r |= event_set_str(ev, AGENT_COLLECTOR, collector);
	if (r)
		log_msg(LOG_WARNING, "%s: notice incomplete (out of memory)", action);
	return ev;
}

static void loop_notice_send(struct loop *l, const struct rule_meta *meta,
			     struct event *ev)
{
	struct alert a = { .rule = meta, .hostname = l->hostname, .event = ev };

	a.ts = ev->ts;
	loop_on_alert(l, &a);
	loop_eval(l, ev);
	event_free(ev);
}

static void loop_notice(struct loop *l, const struct rule_meta *meta,
			const char *action, const char *collector,
			const struct diag_list *errors, const char *fmt, ...)
{
	char msg[512], line[512];
	struct event *ev;
	va_list ap;
	int r = 0;

	if (!l->sink)
		return;		/* --scan reports on stderr and its exit code */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ev = loop_notice_event(l, action, collector, msg);
	if (!ev) {
		log_msg(LOG_ERR, "%s: out of memory", meta->id);
		return;
	}
	for (size_t i = 0; errors && i < errors->n; i++) {
		if (errors->items[i].warning)
			continue;
		log_diag_format(&errors->items[i], line, sizeof(line));
		r |= event_list_add(ev, AGENT_ERRORS, line);
	}
	if (r)
		log_msg(LOG_WARNING, "%s: notice incomplete (out of memory)", meta->id);
	loop_notice_send(l, meta, ev);
}

/* ---- collectors ---- */

static void loop_emit(void *opaque, struct event *ev)
{
	struct loop_collector *lc = opaque;

	if (!ev)
		return;
	loop_eval(lc->loop, ev);
	event_free(ev);
}

static void loop_note_flush(struct loop *l)
{
	if (l->note_pending)
		log_msg(l->note_level, "%s", l->note);
	l->note_pending = false;
}

static void loop_note(void *opaque, int level, const char *collector,
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
		loop_note_flush(l);
		snprintf(l->note, sizeof(l->note), "%s: %s", collector, text);
		l->note_level = level;
		l->note_pending = true;
		return;
	}
	log_msg(level, "%s: %s", collector, text);
}

static void loop_collector_schedule(struct loop_collector *lc, uint64_t now)
{
	uint64_t ms;

	lc->due_ms = UINT64_MAX;
	if (!lc->running || !lc->c->next_tick || !lc->c->on_tick)
		return;
	ms = lc->c->next_tick(lc->state, now);
	if (ms == UINT64_MAX)
		return;
	if (ms < LOOP_TICK_MIN_MS)
		ms = LOOP_TICK_MIN_MS;
	lc->due_ms = ms > UINT64_MAX - now ? UINT64_MAX : now + ms;
}

/* After events were read: the collector may need its tick sooner (an
 * add to settle), never later.  Rescheduling an overdue tick from now on
 * every wake-up postponed it for as long as events kept coming: under a
 * uevent flood the USB collector's settle tick starved, and a PiKVM plugged
 * for a second was dropped unreported by its remove (fault_flood_usb.sh).
 * An early tick that finds nothing due costs nothing. */
static void loop_collector_schedule_sooner(struct loop_collector *lc, uint64_t now)
{
	uint64_t was = lc->due_ms;

	loop_collector_schedule(lc, now);
	if (was < lc->due_ms && lc->running)
		lc->due_ms = was;
}

static bool loop_collector_account(struct loop *l, struct loop_collector *lc);

static void loop_collector_stop(struct loop *l, struct loop_collector *lc)
{
	if (!lc->running)
		return;
	loop_collector_account(l, lc);
	lc->dropped_seen = lc->skipped_seen = 0;
	if (lc->fd >= 0 && l->epfd >= 0)
		epoll_ctl(l->epfd, EPOLL_CTL_DEL, lc->fd, NULL);
	lc->c->free(lc->state);
	lc->state = NULL;
	lc->running = false;
	lc->fd = -1;
	lc->due_ms = UINT64_MAX;
}

/* A collector failed.  In the daemon one that is no longer running is
 * started again later, with a growing backoff; the notice goes out once
 * per failure, not once per retry. */
static void loop_collector_failed(struct loop *l, struct loop_collector *lc,
				  const char *what, int err)
{
	bool again = lc->failed;

	l->failed = true;
	if (l->mode == COLLECTOR_DAEMON && !lc->running) {
		lc->failed = true;
		lc->retry_ms = !lc->retry_ms ? LOOP_RETRY_MS :
			       lc->retry_ms >= LOOP_RETRY_MAX_MS / 2 ? LOOP_RETRY_MAX_MS :
			       lc->retry_ms * 2;
		lc->retry_due = now_monotonic_ms() + lc->retry_ms;
	}
	if (again) {
		log_msg(LOG_DEBUG, "%s: %s failed again: %s; next try in %llu s", lc->c->name,
			what, strerror(-err), (unsigned long long)(lc->retry_ms / 1000));
		return;
	}
	log_msg(LOG_ERR, "%s: %s failed: %s%s", lc->c->name, what, strerror(-err),
		lc->failed ? "; retrying" : "");
	loop_notice(l, &meta_collector_failed, "collector-failed", lc->c->name, NULL,
		    "collector %s: %s failed: %s%s", lc->c->name, what, strerror(-err),
		    lc->failed ? "; retrying with backoff" : "");
}

static void loop_collector_recovered(struct loop *l, struct loop_collector *lc)
{
	if (!lc->failed || !lc->running)
		return;
	lc->failed = false;
	lc->retry_ms = 0;
	lc->retry_due = UINT64_MAX;
	log_msg(LOG_NOTICE, "%s: running again", lc->c->name);
	loop_notice(l, &meta_collector_recovered, "collector-recovered", lc->c->name, NULL,
		    "collector %s is running again", lc->c->name);
}

/* init, watch, inventory.  A collector that cannot start is left stopped;
 * the agent carries on with the others. */
static void loop_collector_start(struct loop *l, struct loop_collector *lc)
{
	struct epoll_event ee = { .events = EPOLLIN };
	int r;

	if (!lc->cfg.enabled || lc->running)
		return;
	l->initing = lc;
	l->note_pending = false;
	r = lc->c->init(&lc->ctx, &lc->state);
	l->initing = NULL;
	if (r == -ENODEV && lc->failed) {
		/* Retrying a failed collector whose source is still gone. */
		l->note_pending = false;
		loop_collector_failed(l, lc, "init", r);
		return;
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
		return;
	}
	loop_note_flush(l);
	lc->init_error = r < 0 ? r : 0;
	if (r < 0) {
		loop_collector_failed(l, lc, "init", r);
		return;
	}
	lc->running = true;
	lc->ready_failures = 0;
	lc->fd = lc->c->fd ? lc->c->fd(lc->state) : -1;
	if (lc->fd >= 0 && l->epfd >= 0) {
		ee.data.u64 = (uint64_t)(lc - l->col);
		if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, lc->fd, &ee) < 0) {
			r = -errno;
			loop_collector_stop(l, lc);
			loop_collector_failed(l, lc, "watch", r);
			return;
		}
	}
	if (lc->c->scan) {
		r = lc->c->scan(lc->state);
		/* In the daemon an inventory that failed is a start that
		 * failed: stopped and retried, so a retry that finds the
		 * source still broken is not taken for a recovery. */
		if (r < 0 && l->mode == COLLECTOR_DAEMON) {
			loop_collector_stop(l, lc);
			loop_collector_failed(l, lc, "scan", r);
			return;
		}
		if (r < 0)
			loop_collector_failed(l, lc, "scan", r);
	}
	loop_collector_recovered(l, lc);
	loop_collector_schedule(lc, now_monotonic_ms());
}

static void loop_collectors_init(struct loop *l)
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
			.emit = loop_emit,
			.note = loop_note,
			.config = &lc->cfg,
			.rootfs = l->opts->rootfs ? l->opts->rootfs : "/",
			.procfs = l->opts->procfs ? l->opts->procfs : "/proc",
			.mode = l->mode,
			.pcap_file = l->opts->pcap_file,
			.geo = &l->cfg.geo,
		};
	}
}

static int loop_collectors_running(const struct loop *l)
{
	int n = 0;

	for (int i = 0; i < l->ncol; i++)
		n += l->col[i].running;
	return n;
}

/* ---- self-monitoring ---- */

/* VmRSS from /proc/self/status, in KiB; -1 if it cannot be read. */
static int64_t loop_rss_kb(void)
{
	char line[256];
	long long kb = -1;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %lld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* Drops are read at least as often as the heartbeat reports them, so a
 * short heartbeat (tests, a SOC that wants minutes) sees them promptly. */
static uint64_t loop_stats_interval(const struct loop *l)
{
	if (l->cfg.heartbeat_ms && l->cfg.heartbeat_ms < LOOP_STATS_MS)
		return l->cfg.heartbeat_ms;
	return LOOP_STATS_MS;
}

/* Add what one collector counted since the last read to the totals.  The
 * collector's counters start again at 0 when it is restarted (reload,
 * retry), so loop_collector_stop() reads them one last time and resets
 * the marks: nothing counted before a restart is lost or counted twice. */
static bool loop_collector_account(struct loop *l, struct loop_collector *lc)
{
	struct collector_stats cs = { 0 };
	bool dropped = false;

	if (!lc->running || !lc->c->stats)
		return false;
	lc->c->stats(lc->state, &cs);
	if (cs.dropped > lc->dropped_seen) {
		l->dropped_pending += cs.dropped - lc->dropped_seen;
		l->dropped_total += cs.dropped - lc->dropped_seen;
		dropped = true;
	}
	if (cs.skipped > lc->skipped_seen) {
		lc->skipped_total += cs.skipped - lc->skipped_seen;
		l->skipped_total += cs.skipped - lc->skipped_seen;
	}
	lc->dropped_seen = cs.dropped;
	lc->skipped_seen = cs.skipped;
	return dropped;
}

/* Read the collectors' counters; a capture-dropped notice with the drops'
 * delta, at most once per LOOP_DROPPED_NOTICE_MS.  (Skipped input has no
 * notice of its own: malformed packets and processes gone mid-read are
 * routine, the heartbeat carries their totals.) */
static void loop_check_drops(struct loop *l, uint64_t now)
{
	const char *who = NULL;

	for (int i = 0; i < l->ncol; i++)
		if (loop_collector_account(l, &l->col[i]))
			who = l->col[i].c->name;
	if (!l->dropped_pending || (l->dropped_notice_ms &&
				    now - l->dropped_notice_ms < LOOP_DROPPED_NOTICE_MS))
		return;
	log_msg(LOG_WARNING, "%llu input records dropped before they were read",
		(unsigned long long)l->dropped_pending);
	if (l->sink) {
		char msg[160];
		struct event *ev;

		snprintf(msg, sizeof(msg), "%llu packets or events dropped before farmhound read them (%llu in total)",
			 (unsigned long long)l->dropped_pending,
			 (unsigned long long)l->dropped_total);
		ev = loop_notice_event(l, "capture-dropped", who, msg);
		if (ev) {
			event_set_int(ev, AGENT_DROPPED, (int64_t)l->dropped_pending);
			loop_notice_send(l, &meta_dropped, ev);
		}
	}
	l->dropped_pending = 0;
	l->dropped_notice_ms = now;
}

/* "; N input records skipped as malformed or vanished (process=N, net=N)":
 * which collectors skipped input, for the heartbeat's message (the field
 * carries the total only).
 * Nothing when none did; cut short, never overrun, if buf is too small. */
static void loop_skipped_text(const struct loop *l, char *buf, size_t len)
{
	size_t n;
	int w;

	buf[0] = '\0';
	if (!l->skipped_total)
		return;
	w = snprintf(buf, len, "; %llu input records skipped as malformed or vanished (",
		     (unsigned long long)l->skipped_total);
	for (int i = 0; i < l->ncol && w > 0 && (size_t)w < len; i++) {
		const struct loop_collector *lc = &l->col[i];

		if (!lc->skipped_total)
			continue;
		n = (size_t)w;
		w = snprintf(buf + n, len - n, "%s%s=%llu", buf[n - 1] == '(' ? "" : ", ",
			     lc->c->name, (unsigned long long)lc->skipped_total);
		w = w < 0 ? w : (int)n + w;
	}
	if (w > 0 && (size_t)w < len)
		snprintf(buf + w, len - (size_t)w, ")");
}

/* The heartbeat: counters a SOC can alert on, and alert on the absence of. */
static void loop_heartbeat(struct loop *l, uint64_t now)
{
	struct rule_state_stats rst;
	struct syslog_sink_stats sst = { 0 };
	uint64_t total = 0;
	int active = 0, failed = 0;
	char item[96], skipped[256], msg[512];
	struct event *ev;
	int r = 0;

	loop_check_drops(l, now);
	rule_state_stats(l->st, &rst);
	if (l->sink)
		syslog_sink_stats(l->sink, &sst);
	for (int i = 0; i < SOURCE__MAX; i++)
		total += l->events[i];
	for (int i = 0; i < l->ncol; i++) {
		active += l->col[i].running;
		failed += l->col[i].failed;
	}
	loop_skipped_text(l, skipped, sizeof(skipped));
	snprintf(msg, sizeof(msg), "farmhound %s alive: %llu events, %llu alerts, %d collectors running, %d failed%s",
		 FARMHOUND_VERSION, (unsigned long long)total, (unsigned long long)l->alerts,
		 active, failed, skipped);
	ev = loop_notice_event(l, "heartbeat", NULL, msg);
	if (!ev)
		return;
	for (int i = 0; i < SOURCE__MAX; i++) {
		const struct source_def *src = source_by_id((enum event_source)i);

		if (!src)
			continue;
		snprintf(item, sizeof(item), "%s=%llu", src->name, (unsigned long long)l->events[i]);
		r |= event_list_add(ev, AGENT_EVENTS, item);
	}
	for (int i = 0; i < l->ncol; i++) {
		if (l->col[i].running)
			r |= event_list_add(ev, AGENT_COLLECTORS_ACTIVE, l->col[i].c->name);
		if (l->col[i].failed)
			r |= event_list_add(ev, AGENT_COLLECTORS_FAILED, l->col[i].c->name);
	}
	r |= event_set_int(ev, AGENT_EVENTS_TOTAL, (int64_t)total);
	/* Counted before this heartbeat goes out. */
	r |= event_set_int(ev, AGENT_ALERTS, (int64_t)l->alerts);
	r |= event_set_int(ev, AGENT_SUPPRESSED, (int64_t)rst.suppressed);
	/* What syslog did not take, and the alerts the engine could not
	 * build (out of memory): lost either way. */
	r |= event_set_int(ev, AGENT_UNDELIVERED, (int64_t)(sst.undelivered + rst.undelivered));
	r |= event_set_int(ev, AGENT_RSS_KB, loop_rss_kb());
	r |= event_set_int(ev, AGENT_DROPPED, (int64_t)l->dropped_total);
	r |= event_set_int(ev, AGENT_SKIPPED, (int64_t)l->skipped_total);
	r |= event_set_int(ev, AGENT_UPTIME, (int64_t)((now - l->started_ms) / 1000));
	if (r)
		log_msg(LOG_WARNING, "heartbeat incomplete (out of memory)");
	loop_notice_send(l, &meta_heartbeat, ev);
}

/* ---- loading ---- */

/* One path through strict_check_path(); a refusal becomes a diag of that
 * file (line 0), so -t, start-up and reload report it like any error. */
static int loop_strict_one(const char *path, struct diag_list *diags)
{
	char why[512];
	int r = strict_check_path(path, geteuid(), why, sizeof(why));
	const char *reason = why;
	size_t n = strlen(path);

	if (r == 0)
		return 0;
	/* The reason names the path; the diag already starts with it. */
	if (strncmp(why, path, n) == 0 && strncmp(why + n, ": ", 2) == 0)
		reason = why + n + 2;
	diag_add(diags, false, path, 0, "refused (StrictModes): %s", reason);
	return -EPERM;
}

/* Anyone who can edit the config or a rule file can switch detection off,
 * so a privileged agent refuses files (and directories above them) that
 * are not root's or that others may write.  A missing config is judged by
 * its directory: whoever can create the file there controls the agent.
 * Checked before reading; the window between check and read needs the
 * attacker to already own one of the checked directories. */
static int loop_strict(const struct loop_options *o, struct diag_list *diags)
{
	struct dirent *de;
	char path[PATH_MAX];
	int r = 0;
	DIR *d;

	if (!o->strict || !strict_self_privileged())
		return 0;
	if (access(o->config_path, F_OK) == 0) {
		r |= loop_strict_one(o->config_path, diags);
	} else {
		char dir[PATH_MAX];
		char *slash;

		strlcpy_fh(dir, o->config_path, sizeof(dir));
		slash = strrchr(dir, '/');
		if (slash && slash != dir) {
			*slash = '\0';
			if (access(dir, F_OK) == 0)
				r |= loop_strict_one(dir, diags);
		}
	}
	if (loop_strict_one(o->rules_dir, diags) < 0)
		return -EPERM;
	d = opendir(o->rules_dir);
	if (!d)
		return r ? -EPERM : 0;	/* the loader reports it */
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (n < 7 || strcmp(de->d_name + n - 6, ".rules") != 0)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", o->rules_dir, de->d_name) >=
		    (int)sizeof(path))
			continue;
		r |= loop_strict_one(path, diags);
	}
	closedir(d);
	return r ? -EPERM : 0;
}

int loop_load(const struct loop_options *o, struct config *cfg,
	      struct ruleset **rs, struct diag_list *diags)
{
	int rc, rr;

	*rs = NULL;
	if (loop_strict(o, diags) < 0)
		return -EPERM;
	/* Both are always read, so one -t run reports every error. */
	rc = config_load(o->config_path, cfg, diags);
	rr = ruleset_load_dir(o->rules_dir, time(NULL), rs, diags);
	if (rr < 0 && diag_list_errors(diags) == 0)
		diag_add(diags, false, o->rules_dir, 0, "cannot load rules: %s",
			 strerror(-rr));
	if (rc < 0 || rr < 0) {
		ruleset_free(*rs);
		*rs = NULL;
		return rc < 0 ? rc : rr;
	}
	return 0;
}

static void loop_set_hostname(struct loop *l)
{
	if (l->cfg.hostname) {
		strlcpy_fh(l->hostname, l->cfg.hostname, sizeof(l->hostname));
		return;
	}
	if (gethostname(l->hostname, sizeof(l->hostname) - 1) < 0 || !l->hostname[0])
		strlcpy_fh(l->hostname, "localhost", sizeof(l->hostname));
	l->hostname[sizeof(l->hostname) - 1] = '\0';
}

static const struct alert_formatter *loop_formatter(const struct loop *l)
{
	const char *name = l->opts->format ? l->opts->format : l->cfg.format;
	const struct alert_formatter *f = alert_formatter_by_name(name);

	/* main.c checked -f and config.c checked [output] format. */
	return f ? f : alert_formatter_by_name("json");
}

static void loop_status(struct loop *l)
{
	char status[160];

	snprintf(status, sizeof(status), "%d collectors, %zu rules, %llu alerts",
		 loop_collectors_running(l), l->rs ? ruleset_rule_count(l->rs) : (size_t)0,
		 (unsigned long long)l->alerts);
	notify_status(status);
}

static int loop_setup(struct loop *l, const struct loop_options *o,
		      enum collector_mode mode)
{
	struct diag_list diags = { 0 };
	int r;

	memset(l, 0, sizeof(*l));
	l->opts = o;
	l->mode = mode;
	l->epfd = l->sigfd = l->timerfd = -1;
	l->flush_due = UINT64_MAX;
	l->flush_backoff_ms = LOOP_FLUSH_MS;
	r = config_init_defaults(&l->cfg);
	if (r < 0)
		return r;
	r = loop_load(o, &l->cfg, &l->rs, &diags);
	log_diags(&diags);
	diag_list_clear(&diags);
	if (r < 0)
		return r;
	l->st = rule_state_new();
	if (!l->st)
		return -ENOMEM;
	rule_state_configure(l->st, &l->cfg.correlate);
	l->hb_due = l->stats_due = UINT64_MAX;
	loop_set_hostname(l);
	l->fmt = loop_formatter(l);
	loop_collectors_init(l);
	return 0;
}

static void loop_teardown(struct loop *l)
{
	for (int i = 0; i < l->ncol; i++)
		loop_collector_stop(l, &l->col[i]);
	syslog_sink_free(l->sink);
	ruleset_free(l->rs);
	rule_state_free(l->st);
	config_free(&l->cfg);
	if (l->epfd >= 0)
		close(l->epfd);
	if (l->sigfd >= 0)
		close(l->sigfd);
	if (l->timerfd >= 0)
		close(l->timerfd);
}

/* ---- --scan ---- */

/* --scan runs every enabled collector once; --pcap only the net
 * collector, over the file, whatever the config says about it. */
static int loop_oneshot(const struct loop_options *o, enum collector_mode mode)
{
	struct loop l;
	int r, rc;

	r = loop_setup(&l, o, mode);
	if (r < 0) {
		loop_teardown(&l);
		return 2;
	}
	rule_state_defer_verdict(l.st, true);
	for (int i = 0; i < l.ncol; i++) {
		struct loop_collector *lc = &l.col[i];

		if (mode == COLLECTOR_PCAP) {
			if (strcmp(lc->c->name, "net") != 0)
				continue;
			lc->cfg.enabled = true;
		}
		loop_collector_start(&l, lc);
		loop_collector_stop(&l, lc);
	}
	/* Everything found, judged once: one verdict, naming all of it. */
	if (o->explain)
		explain_verdict(stdout, mode == COLLECTOR_PCAP ? "capture" : "scan");
	ruleset_verdict(l.st, now_monotonic_ms(), l.hostname, loop_on_alert,
			o->explain ? loop_on_match : NULL, &l);
	rc = l.failed ? 2 : l.alerts ? 1 : 0;
	if (fflush(stdout) != 0)
		rc = 2;
	loop_teardown(&l);
	return rc;
}

int loop_scan(const struct loop_options *o)
{
	return loop_oneshot(o, COLLECTOR_SCAN);
}

int loop_pcap(const struct loop_options *o)
{
	return loop_oneshot(o, COLLECTOR_PCAP);
}

/* ---- the daemon ---- */

static int loop_open_fds(struct loop *l)
{
	struct epoll_event ee = { .events = EPOLLIN };
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return -errno;
	/* The sink writes to a datagram socket that may vanish. */
	signal(SIGPIPE, SIG_IGN);
	l->sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	l->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->sigfd < 0 || l->timerfd < 0 || l->epfd < 0)
		return -errno;
	ee.data.u64 = LOOP_EPOLL_SIGNAL;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->sigfd, &ee) < 0)
		return -errno;
	ee.data.u64 = LOOP_EPOLL_TIMER;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->timerfd, &ee) < 0)
		return -errno;
	return 0;
}

static int loop_open_sink(struct loop *l, const struct config *cfg,
			  struct syslog_sink **out)
{
	return syslog_sink_new(cfg->syslog_socket, cfg->facility, cfg->framing,
			       cfg->tag, l->hostname, out);
}

static void loop_arm_timer(struct loop *l)
{
	struct itimerspec its = { 0 };
	uint64_t due = UINT64_MAX;

	for (int i = 0; i < l->ncol; i++) {
		if (l->col[i].due_ms < due)
			due = l->col[i].due_ms;
		if (l->col[i].retry_due < due)
			due = l->col[i].retry_due;
	}
	if (l->hb_due < due)
		due = l->hb_due;
	if (l->stats_due < due)
		due = l->stats_due;
	if (rule_state_next_due(l->st) < due)
		due = rule_state_next_due(l->st);
	if (l->wd_interval && l->wd_due < due)
		due = l->wd_due;
	if (l->flush_due < due)
		due = l->flush_due;
	if (due == l->armed_ms)
		return;
	l->armed_ms = due;
	if (due != UINT64_MAX) {
		/* An all-zero it_value disarms: never hand it time 0. */
		its.it_value.tv_sec = (time_t)(due / 1000);
		its.it_value.tv_nsec = (long)(due % 1000) * 1000000L + 1;
	}
	if (timerfd_settime(l->timerfd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
		log_msg(LOG_ERR, "timerfd_settime: %s", strerror(errno));
}

/* flushed: a retry just ran (back off if it did not drain everything). */
static void loop_check_sink(struct loop *l, uint64_t now, bool flushed)
{
	struct syslog_sink_stats st;

	syslog_sink_stats(l->sink, &st);
	if (!st.queued) {
		l->flush_due = UINT64_MAX;
		l->flush_backoff_ms = LOOP_FLUSH_MS;
	} else if (flushed || l->flush_due == UINT64_MAX) {
		if (flushed && l->flush_backoff_ms < LOOP_FLUSH_MAX_MS)
			l->flush_backoff_ms *= 2;
		l->flush_due = now + l->flush_backoff_ms;
	}
	if (st.undelivered > l->undelivered_seen) {
		uint64_t lost = st.undelivered - l->undelivered_seen;

		/* Update first: the notice itself may be lost too, and must
		 * not be reported again and again. */
		l->undelivered_seen = st.undelivered;
		log_msg(LOG_WARNING, "%llu alerts could not be delivered to %s",
			(unsigned long long)lost, l->cfg.syslog_socket);
		loop_notice(l, &meta_undelivered, "undelivered", NULL, NULL,
			    "%llu alerts could not be delivered to syslog (%llu in total)",
			    (unsigned long long)lost, (unsigned long long)st.undelivered);
	}
}

static void loop_on_timer(struct loop *l)
{
	uint64_t expirations, now;
	bool flushed;

	while (read(l->timerfd, &expirations, sizeof(expirations)) > 0)
		;
	now = now_monotonic_ms();
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
			loop_collector_stop(l, lc);
			loop_collector_failed(l, lc, "periodic work", r);
			continue;
		}
		loop_collector_schedule(lc, now);
	}
	for (int i = 0; i < l->ncol; i++) {
		struct loop_collector *lc = &l->col[i];

		if (lc->retry_due > now)
			continue;
		lc->retry_due = UINT64_MAX;
		loop_collector_start(l, lc);
	}
	if (rule_state_next_due(l->st) <= now)
		ruleset_tick(l->rs, l->st, now, l->hostname, loop_on_alert, l);
	if (l->stats_due <= now) {
		loop_check_drops(l, now);
		l->stats_due = now + loop_stats_interval(l);
	}
	if (l->hb_due <= now) {
		loop_heartbeat(l, now);
		l->hb_due = now + l->cfg.heartbeat_ms;
	}
	if (l->wd_interval && l->wd_due <= now) {
		notify_watchdog();
		l->wd_due = now + l->wd_interval;
	}
	flushed = l->flush_due <= now;
	if (flushed)
		syslog_sink_flush(l->sink);
	loop_check_sink(l, now, flushed);
}

static void loop_on_collector(struct loop *l, struct loop_collector *lc,
			      uint32_t events)
{
	int r;

	if (!lc->running)
		return;
	r = lc->c->on_ready(lc->state);
	if (events & (EPOLLHUP | EPOLLERR)) {
		/* The source is gone (its socket closed, the capture device
		 * went away): the fd would stay readable forever.  Stop the
		 * collector, say so, and try again later. */
		loop_collector_stop(l, lc);
		loop_collector_failed(l, lc, "watch", (events & EPOLLERR) ? -EIO : -EPIPE);
		return;
	}
	if (r == -ENODEV) {
		loop_collector_stop(l, lc);
		loop_collector_failed(l, lc, "reading events", r);
		return;
	}
	if (r < 0 && r != -EAGAIN && r != -EINTR) {
		log_msg(LOG_WARNING, "%s: reading events failed: %s", lc->c->name,
			strerror(-r));
		if (++lc->ready_failures >= LOOP_READY_FAILURES_MAX) {
			loop_collector_stop(l, lc);
			loop_collector_failed(l, lc, "reading events", r);
			return;
		}
	} else {
		lc->ready_failures = 0;
	}
	loop_collector_schedule_sooner(lc, now_monotonic_ms());
}

/* Swap in a validated config and ruleset.  The rule_state stays, so
 * cooldowns survive the reload. */
static void loop_apply(struct loop *l, struct config *ncfg, struct ruleset *nrs)
{
	struct syslog_sink *nsink = NULL;
	struct config old = l->cfg;
	bool geo_changed = !geo_config_equal(&old.geo, &ncfg->geo);
	int r;

	ruleset_free(l->rs);
	l->rs = nrs;
	l->cfg = *ncfg;
	memset(ncfg, 0, sizeof(*ncfg));
	loop_set_hostname(l);
	l->fmt = loop_formatter(l);
	rule_state_configure(l->st, &l->cfg.correlate);
	if (old.heartbeat_ms != l->cfg.heartbeat_ms)
		l->hb_due = l->cfg.heartbeat_ms ? now_monotonic_ms() + l->cfg.heartbeat_ms
						: UINT64_MAX;
	r = loop_open_sink(l, &l->cfg, &nsink);
	if (r < 0) {
		log_msg(LOG_ERR, "reload: cannot set up the syslog sink: %s; keeping the old one",
			strerror(-r));
	} else {
		syslog_sink_flush(l->sink);
		syslog_sink_free(l->sink);
		l->sink = nsink;
		l->undelivered_seen = 0;
		l->flush_due = UINT64_MAX;
		loop_check_sink(l, now_monotonic_ms(), false);
	}
	for (int i = 0; i < l->ncol; i++) {
		struct loop_collector *lc = &l->col[i];
		const struct collector_config *cc = config_collector(&l->cfg, lc->c->name);

		if (!cc || (config_collector_equal(cc, &lc->cfg) && !geo_changed))
			continue;
		/* Settings changed: restart it; its inventory re-runs, and the
		 * cooldowns keep known objects from alerting twice.  A new [geo]
		 * restarts them all: their expected_* fields depend on it. */
		loop_collector_stop(l, lc);
		lc->cfg = *cc;
		loop_collector_start(l, lc);
	}
	config_free(&old);
}

static void loop_first_error(const struct diag_list *d, char *buf, size_t len)
{
	snprintf(buf, len, "cannot load the configuration");
	for (size_t i = 0; i < d->n; i++) {
		if (!d->items[i].warning) {
			log_diag_format(&d->items[i], buf, len);
			return;
		}
	}
}

static void loop_reload(struct loop *l)
{
	struct diag_list diags = { 0 };
	struct ruleset *nrs = NULL;
	struct config ncfg;
	char first[256];
	size_t nerr;
	int r;

	notify_reloading();
	log_msg(LOG_INFO, "reloading %s and %s", l->opts->config_path, l->opts->rules_dir);
	r = config_init_defaults(&ncfg);
	if (r == 0)
		r = loop_load(l->opts, &ncfg, &nrs, &diags);
	log_diags(&diags);
	if (r < 0) {
		nerr = diag_list_errors(&diags);
		log_msg(LOG_ERR, "reload failed (%zu errors): keeping the previous configuration and %zu rules",
			nerr, ruleset_rule_count(l->rs));
		loop_first_error(&diags, first, sizeof(first));
		/* The first error goes into the message as well: the list may
		 * be cut to fit the alert line, the message never is. */
		loop_notice(l, &meta_reload_failed, "reload-failed", NULL, &diags,
			    "%zu errors, first: %s; the previous %zu rules stay in force",
			    nerr, first, ruleset_rule_count(l->rs));
		config_free(&ncfg);
	} else {
		loop_apply(l, &ncfg, nrs);
		log_msg(LOG_INFO, "reloaded: %zu rules", ruleset_rule_count(l->rs));
		loop_notice(l, &meta_reload_ok, "reload-ok", NULL, NULL,
			    "reloaded: %zu rules in force", ruleset_rule_count(l->rs));
	}
	diag_list_clear(&diags);
	notify_ready("running");
	loop_status(l);
}

static void loop_on_signal(struct loop *l)
{
	struct signalfd_siginfo si;

	while (read(l->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			l->quit = true;
			break;
		case SIGHUP:
			loop_reload(l);
			break;
		}
	}
}

static int loop_run(struct loop *l)
{
	struct epoll_event evs[16];
	uint64_t alerts = l->alerts;

	while (!l->quit) {
		int n = epoll_wait(l->epfd, evs, 16, -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_msg(LOG_ERR, "epoll_wait: %s", strerror(errno));
			return -errno;
		}
		for (int i = 0; i < n; i++) {
			uint64_t id = evs[i].data.u64;

			if (id == LOOP_EPOLL_SIGNAL)
				loop_on_signal(l);
			else if (id == LOOP_EPOLL_TIMER)
				loop_on_timer(l);
			else if (id < (uint64_t)l->ncol)
				loop_on_collector(l, &l->col[id], evs[i].events);
		}
		if (l->alerts != alerts) {
			alerts = l->alerts;
			loop_status(l);
		}
		loop_arm_timer(l);
	}
	return 0;
}

/* At exit the sink may hold a backlog (the receiver full or away, the
 * retry timer not yet due), with the stopping notice at its end: one short,
 * bounded, blocking attempt to deliver it, so a receiver that is only slow
 * or just back gets everything.  What still cannot go is counted and said
 * here, the last chance to say it. */
static void loop_drain(struct loop *l)
{
	size_t lost = syslog_sink_drain(l->sink, LOOP_DRAIN_MS);

	if (lost)
		log_msg(LOG_WARNING, "%zu alerts could not be delivered to %s before exit",
			lost, l->cfg.syslog_socket);
}

/* An enabled collector that was denied its source (the net collector
 * without CAP_NET_RAW) would leave the agent blind to it for good, not
 * for a while: refuse to start, so systemd shows the failure and IT either
 * grants the capability or disables the collector on purpose. */
static bool loop_missing_privilege(struct loop *l)
{
	bool missing = false;

	for (int i = 0; i < l->ncol; i++) {
		struct loop_collector *lc = &l->col[i];

		if (lc->init_error != -EPERM && lc->init_error != -EACCES)
			continue;
		log_msg(LOG_ERR, "cannot start: the %s collector lacks a privilege it needs "
			"(see the line above); grant it (the systemd unit grants CAP_NET_RAW) "
			"or set [collector.%s] enabled = no", lc->c->name, lc->c->name);
		missing = true;
	}
	return missing;
}

int loop_daemon(const struct loop_options *o)
{
	struct loop l;
	char status[160];
	int r, rc = 1;

	r = loop_setup(&l, o, COLLECTOR_DAEMON);
	if (r < 0) {
		log_msg(LOG_ERR, "cannot start: invalid configuration or rules");
		goto out;
	}
	r = loop_open_fds(&l);
	if (r < 0) {
		log_msg(LOG_ERR, "cannot set up the event loop: %s", strerror(-r));
		goto out;
	}
	r = loop_open_sink(&l, &l.cfg, &l.sink);
	if (r < 0) {
		log_msg(LOG_ERR, "cannot set up the syslog sink: %s", strerror(-r));
		goto out;
	}
	l.armed_ms = 0;
	log_msg(LOG_INFO, "starting: %zu rules, alerts to %s", ruleset_rule_count(l.rs),
		l.cfg.syslog_socket);
	loop_notice(&l, &meta_started, "started", NULL, NULL,
		    "farmhound %s started with %zu rules", FARMHOUND_VERSION,
		    ruleset_rule_count(l.rs));
	/* The first inventory (action=present) runs before READY=1, so
	 * "active" in systemd means the machine has been looked at once. */
	rule_state_defer_verdict(l.st, true);
	for (int i = 0; i < l.ncol; i++)
		loop_collector_start(&l, &l.col[i]);
	if (loop_missing_privilege(&l))
		goto out;
	ruleset_verdict(l.st, now_monotonic_ms(), l.hostname, loop_on_alert, NULL, &l);
	l.started_ms = now_monotonic_ms();
	if (l.cfg.heartbeat_ms)
		l.hb_due = l.started_ms + l.cfg.heartbeat_ms;
	for (int i = 0; i < l.ncol; i++)
		if (l.col[i].running && l.col[i].c->stats)
			l.stats_due = l.started_ms + loop_stats_interval(&l);
	l.wd_interval = notify_watchdog_interval_ms();
	l.wd_due = now_monotonic_ms() + l.wd_interval;
	if (l.wd_interval)
		notify_watchdog();
	loop_check_sink(&l, now_monotonic_ms(), false);
	snprintf(status, sizeof(status), "%d collectors, %zu rules, %llu alerts",
		 loop_collectors_running(&l), ruleset_rule_count(l.rs),
		 (unsigned long long)l.alerts);
	notify_ready(status);
	log_msg(LOG_INFO, "ready: %s", status);
	loop_arm_timer(&l);
	r = loop_run(&l);
	notify_stopping();
	log_msg(LOG_INFO, "stopping");
	loop_notice(&l, &meta_stopping, "stopping", NULL, NULL,
		    "farmhound %s stopping", FARMHOUND_VERSION);
	loop_drain(&l);
	rc = r < 0 ? 1 : 0;
out:
	loop_teardown(&l);
	return rc;
}
