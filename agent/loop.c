/* SPDX-License-Identifier: Apache-2.0 */
/*
 * loop.c - one process, one thread, one epoll (DESIGN §1).
 *
 * The epoll set holds a signalfd (SIGTERM/SIGINT: stop, SIGHUP: reload),
 * one timerfd and each running collector's fd.  Every periodic job of the
 * agent (collector ticks and retries, correlation deadlines, drop counters,
 * the heartbeat, the systemd watchdog, the sink's retry while it holds a
 * backlog) is a row of one const table, loop_timers[]: a function that
 * says when the job is next due and one that does it.  After each wake-up
 * the timerfd is re-armed one-shot at the earliest due of the table; with
 * nothing due it is disarmed, so an idle agent sleeps in epoll_wait() until
 * the kernel has something to say: no polling.  A new periodic job is one
 * row, not a deadline to add by hand to the arming and the dispatch.
 *
 * Events flow collector -> ctx.emit -> ruleset_eval -> formatter -> sink
 * and are freed right after evaluation; nothing is queued in between, so
 * memory does not grow with the event rate.
 *
 * This file is the loop and that dispatch, the configuration load and
 * reload, and the two drivers (the daemon, and --scan/--pcap: one
 * inventory pass).  Running the collectors is supervise.c, the agent's
 * own notices and heartbeat selfmon.c, the --explain lines explain.c
 * (loop_impl.h says who owns what).
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

#include "collectors/input/input.h"
#include "explain.h"
#include "lib/util.h"
#include "log.h"
#include "loop_impl.h"
#include "notify.h"
#include "selfmon.h"
#include "strict.h"
#include "supervise.h"

/* Retry a sink backlog after this long, doubling up to the maximum while
 * syslog stays away: a dead syslog must not keep the agent awake. */
#define LOOP_FLUSH_MS 1000
#define LOOP_FLUSH_MAX_MS 30000
/* At exit, how long the backlog may wait for the receiver: short next to
 * systemd's stop timeout (90 s), long next to a syslog daemon's hiccup. */
#define LOOP_DRAIN_MS 3000

/* ---- dispatch: events to the rules, alerts out ---- */

void loop_on_alert(void *opaque, const struct alert *a)
{
	struct loop *l = opaque;
	char line[ALERT_LINE_MAX];
	ssize_t n;
	int r;

	l->alerts++;
	if (a->rule->severity <= LOG_NOTICE)
		l->findings++;
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

void loop_eval(struct loop *l, const struct event *ev)
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

/* The config file; a missing one is judged by its directory: whoever can
 * create the file there controls the agent. */
static int loop_strict_config(const char *path, struct diag_list *diags)
{
	char dir[PATH_MAX];
	char *slash;

	if (access(path, F_OK) == 0)
		return loop_strict_one(path, diags);
	strlcpy_fh(dir, path, sizeof(dir));
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	return access(dir, F_OK) == 0 ? loop_strict_one(dir, diags) : 0;
}

/* Every *.rules file of the directory. */
static int loop_strict_rules(const char *rules_dir, struct diag_list *diags)
{
	struct dirent *de;
	char path[PATH_MAX];
	int r = 0;
	DIR *d = opendir(rules_dir);

	if (!d)
		return 0;	/* the loader reports it */
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (n < 7 || strcmp(de->d_name + n - 6, ".rules") != 0)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", rules_dir, de->d_name) >=
		    (int)sizeof(path))
			continue;
		r |= loop_strict_one(path, diags);
	}
	closedir(d);
	return r ? -EPERM : 0;
}

/* Anyone who can edit the config or a rule file can switch detection off,
 * so a privileged agent refuses files (and directories above them) that
 * are not root's or that others may write.  Checked before reading; the
 * window between check and read needs the attacker to already own one of
 * the checked directories. */
static int loop_strict(const struct loop_options *o, struct diag_list *diags)
{
	int r;

	if (!o->strict || !strict_self_privileged())
		return 0;
	r = loop_strict_config(o->config_path, diags);
	if (loop_strict_one(o->rules_dir, diags) < 0)
		return -EPERM;
	r |= loop_strict_rules(o->rules_dir, diags);
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

/* ---- setup ---- */

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
		 supervise_running(l), l->rs ? ruleset_rule_count(l->rs) : (size_t)0,
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
	supervise_init(l);
	return 0;
}

static void loop_teardown(struct loop *l)
{
	for (int i = 0; i < l->ncol; i++)
		supervise_stop(l, &l->col[i]);
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

/* --input: the recording is read here, not by a running collector (the
 * live input collector is to come); its events go through the rules like
 * any collector's. */
static void loop_input_emit(void *opaque, struct event *ev)
{
	if (!ev)
		return;
	loop_eval(opaque, ev);
	event_free(ev);
}

static void loop_input_note(void *opaque, int level, const char *collector,
			    const char *fmt, ...)
{
	char text[LOOP_NOTE_MAX];
	va_list ap;

	(void)opaque;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	log_msg(level, "%s: %s", collector, text);
}

static int loop_input_file(struct loop *l)
{
	const struct collector_ctx ctx = {
		.opaque = l,
		.emit = loop_input_emit,
		.note = loop_input_note,
		.mode = COLLECTOR_INPUT,
		.geo = &l->cfg.geo,
	};
	int r = input_file_scan(&ctx, l->opts->input_file, NULL);

	if (r < 0)
		log_msg(LOG_ERR, "input: %s: %s", l->opts->input_file, strerror(-r));
	return r;
}

/* --scan runs every enabled collector once; --pcap only the net
 * collector, over the file, whatever the config says about it; --input
 * none, the input detectors over the recording. */
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
	if (mode == COLLECTOR_INPUT && loop_input_file(&l) < 0)
		l.failed = true;
	for (int i = 0; i < l.ncol && mode != COLLECTOR_INPUT; i++) {
		struct loop_collector *lc = &l.col[i];

		if (mode == COLLECTOR_PCAP) {
			if (strcmp(lc->c->name, "net") != 0)
				continue;
			lc->cfg.enabled = true;
		}
		supervise_start(&l, lc);
		supervise_stop(&l, lc);
	}
	/* Everything found, judged once: one verdict, naming all of it. */
	if (o->explain)
		explain_verdict(stdout, mode == COLLECTOR_PCAP ? "capture" :
					mode == COLLECTOR_INPUT ? "recording" : "scan");
	ruleset_verdict(l.st, now_monotonic_ms(), l.hostname, loop_on_alert,
			o->explain ? loop_on_match : NULL, &l);
	rc = l.failed ? 2 : l.findings ? 1 : 0;
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

int loop_input(const struct loop_options *o)
{
	return loop_oneshot(o, COLLECTOR_INPUT);
}

/* ---- the daemon: fds ---- */

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

/* ---- the daemon: the timer table ---- */

static uint64_t loop_rules_due(const struct loop *l)
{
	return rule_state_next_due(l->st);
}

/* Correlation deadlines: re-asserting objects still present, windows. */
static void loop_rules_tick(struct loop *l, uint64_t now)
{
	ruleset_tick(l->rs, l->st, now, l->hostname, loop_on_alert, l);
}

static uint64_t loop_watchdog_due(const struct loop *l)
{
	return l->wd_interval ? l->wd_due : UINT64_MAX;
}

static void loop_watchdog(struct loop *l, uint64_t now)
{
	notify_watchdog();
	l->wd_due = now + l->wd_interval;
}

/* The sink's retry: due while it holds a backlog; flushed says a retry
 * just ran (back off if it did not drain everything).  Then what it lost
 * since the last look is reported. */
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
	selfmon_check_undelivered(l);
}

static uint64_t loop_flush_due(const struct loop *l)
{
	return l->flush_due;
}

static void loop_flush(struct loop *l, uint64_t now)
{
	bool flushed = l->flush_due <= now;

	if (flushed)
		syslog_sink_flush(l->sink);
	loop_check_sink(l, now, flushed);
}

/* One periodic job: when it is next due (CLOCK_MONOTONIC ms, UINT64_MAX:
 * not at all) and the work.  run is called when the timer fires and the
 * job is due, or at every firing for a job that looks at its state each
 * time (every_fire). */
struct loop_timer {
	const char *name;
	uint64_t (*due)(const struct loop *l);
	void (*run)(struct loop *l, uint64_t now);
	bool every_fire;
};

/* Every deadline of the daemon, in the order the jobs run when several are
 * due at once. */
static const struct loop_timer loop_timers[] = {
	/* next_tick of each collector: rescans, settle delays, /proc polls */
	{ "collector ticks", supervise_tick_due, supervise_tick, false },
	/* failed collectors, started again with back-off */
	{ "collector retries", supervise_retry_due, supervise_retry, false },
	/* re-assertion of objects still present, correlation windows */
	{ "correlation", loop_rules_due, loop_rules_tick, false },
	/* the collectors' drop counters, capture-dropped */
	{ "drop counters", selfmon_stats_due, selfmon_stats, false },
	/* [agent] heartbeat_interval */
	{ "heartbeat", selfmon_heartbeat_due, selfmon_heartbeat, false },
	/* WATCHDOG=1, every half WatchdogSec */
	{ "watchdog", loop_watchdog_due, loop_watchdog, false },
	/* the sink's backlog, with back-off; also reports undelivered
	 * alerts, whatever job woke the loop */
	{ "sink retry", loop_flush_due, loop_flush, true },
};

#define LOOP_NTIMERS (sizeof(loop_timers) / sizeof(loop_timers[0]))

static void loop_arm_timer(struct loop *l)
{
	struct itimerspec its = { 0 };
	uint64_t due = UINT64_MAX, d;

	for (size_t i = 0; i < LOOP_NTIMERS; i++) {
		d = loop_timers[i].due(l);
		if (d < due)
			due = d;
	}
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

static void loop_on_timer(struct loop *l)
{
	uint64_t expirations, now;

	while (read(l->timerfd, &expirations, sizeof(expirations)) > 0)
		;
	now = now_monotonic_ms();
	for (size_t i = 0; i < LOOP_NTIMERS; i++) {
		const struct loop_timer *t = &loop_timers[i];

		if (t->every_fire || t->due(l) <= now)
			t->run(l, now);
	}
}

/* ---- the daemon: reload ---- */

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
	selfmon_reconfigure(l, old.heartbeat_ms);
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
	supervise_reconfigure(l, geo_changed);
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

static void loop_reload_failed(struct loop *l, const struct diag_list *diags)
{
	size_t nerr = diag_list_errors(diags);
	char first[256];

	log_msg(LOG_ERR, "reload failed (%zu errors): keeping the previous configuration and %zu rules",
		nerr, ruleset_rule_count(l->rs));
	loop_first_error(diags, first, sizeof(first));
	/* The first error goes into the message as well: the list may be
	 * cut to fit the alert line, the message never is. */
	selfmon_notice(l, NOTICE_RELOAD_FAILED, NULL, diags,
		       "%zu errors, first: %s; the previous %zu rules stay in force",
		       nerr, first, ruleset_rule_count(l->rs));
}

static void loop_reload(struct loop *l)
{
	struct diag_list diags = { 0 };
	struct ruleset *nrs = NULL;
	struct config ncfg;
	int r;

	notify_reloading();
	log_msg(LOG_INFO, "reloading %s and %s", l->opts->config_path, l->opts->rules_dir);
	r = config_init_defaults(&ncfg);
	if (r == 0)
		r = loop_load(l->opts, &ncfg, &nrs, &diags);
	log_diags(&diags);
	if (r < 0) {
		loop_reload_failed(l, &diags);
		config_free(&ncfg);
	} else {
		loop_apply(l, &ncfg, nrs);
		log_msg(LOG_INFO, "reloaded: %zu rules", ruleset_rule_count(l->rs));
		selfmon_notice(l, NOTICE_RELOAD_OK, NULL, NULL,
			       "reloaded: %zu rules in force", ruleset_rule_count(l->rs));
	}
	diag_list_clear(&diags);
	notify_ready("running");
	loop_status(l);
}

/* ---- the daemon: the loop ---- */

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
				supervise_ready(l, &l->col[id], evs[i].events);
		}
		if (l->alerts != alerts) {
			alerts = l->alerts;
			loop_status(l);
		}
		loop_arm_timer(l);
	}
	return 0;
}

/* ---- the daemon: start and stop ---- */

/* Config, rules, fds, sink; each failure logged. */
static int loop_daemon_open(struct loop *l, const struct loop_options *o)
{
	int r;

	r = loop_setup(l, o, COLLECTOR_DAEMON);
	if (r < 0) {
		log_msg(LOG_ERR, "cannot start: invalid configuration or rules");
		return r;
	}
	r = loop_open_fds(l);
	if (r < 0) {
		log_msg(LOG_ERR, "cannot set up the event loop: %s", strerror(-r));
		return r;
	}
	r = loop_open_sink(l, &l->cfg, &l->sink);
	if (r < 0)
		log_msg(LOG_ERR, "cannot set up the syslog sink: %s", strerror(-r));
	return r;
}

/* The started notice and the first inventory (action=present), before
 * READY=1, so "active" in systemd means the machine has been looked at
 * once.  -EPERM: a collector lacks a privilege it needs. */
/* Which collectors run, by name: what a journal reader (and the
 * real-systemd suite) checks, that the sandbox let each one start. */
static void loop_log_running(const struct loop *l)
{
	char names[256] = "";
	size_t n = 0;

	for (int i = 0; i < l->ncol && n < sizeof(names); i++)
		if (l->col[i].running)
			n += (size_t)snprintf(names + n, sizeof(names) - n, "%s%s",
					      n ? ", " : "", l->col[i].c->name);
	log_msg(LOG_INFO, "collectors running: %s", n ? names : "none");
}

static int loop_daemon_start(struct loop *l)
{
	char status[160];

	l->armed_ms = 0;
	log_msg(LOG_INFO, "starting: %zu rules, alerts to %s", ruleset_rule_count(l->rs),
		l->cfg.syslog_socket);
	selfmon_notice(l, NOTICE_STARTED, NULL, NULL, "farmhound %s started with %zu rules",
		       FARMHOUND_VERSION, ruleset_rule_count(l->rs));
	rule_state_defer_verdict(l->st, true);
	for (int i = 0; i < l->ncol; i++)
		supervise_start(l, &l->col[i]);
	if (supervise_missing_privilege(l))
		return -EPERM;
	ruleset_verdict(l->st, now_monotonic_ms(), l->hostname, loop_on_alert, NULL, l);
	selfmon_start(l);
	l->wd_interval = notify_watchdog_interval_ms();
	l->wd_due = now_monotonic_ms() + l->wd_interval;
	if (l->wd_interval)
		notify_watchdog();
	loop_check_sink(l, now_monotonic_ms(), false);
	snprintf(status, sizeof(status), "%d collectors, %zu rules, %llu alerts",
		 supervise_running(l), ruleset_rule_count(l->rs),
		 (unsigned long long)l->alerts);
	notify_ready(status);
	log_msg(LOG_INFO, "ready: %s", status);
	loop_log_running(l);
	return 0;
}

/* At exit the sink may hold a backlog (the receiver full or away, the
 * retry timer not yet due), with the stopping notice at its end: one short,
 * bounded, blocking attempt to deliver it, so a receiver that is only slow
 * or just back gets everything.  What still cannot go is counted and said
 * here, the last chance to say it. */
static void loop_daemon_stop(struct loop *l)
{
	size_t lost;

	notify_stopping();
	log_msg(LOG_INFO, "stopping");
	selfmon_notice(l, NOTICE_STOPPING, NULL, NULL, "farmhound %s stopping",
		       FARMHOUND_VERSION);
	lost = syslog_sink_drain(l->sink, LOOP_DRAIN_MS);
	if (lost)
		log_msg(LOG_WARNING, "%zu alerts could not be delivered to %s before exit",
			lost, l->cfg.syslog_socket);
}

int loop_daemon(const struct loop_options *o)
{
	struct loop l;
	int r, rc = 1;

	if (loop_daemon_open(&l, o) < 0 || loop_daemon_start(&l) < 0)
		goto out;
	loop_arm_timer(&l);
	r = loop_run(&l);
	loop_daemon_stop(&l);
	rc = r < 0 ? 1 : 0;
out:
	loop_teardown(&l);
	return rc;
}
