/* SPDX-License-Identifier: Apache-2.0 */
/*
 * selfmon.c - self-monitoring: the agent's own notices, its counters and
 * the heartbeat.
 *
 * A SOC cannot see what the agent did not see, so the agent says so itself,
 * in the alert feed: it started (version, rule count) or is stopping; a
 * reload worked or failed (the previous rules stay in force); a collector
 * failed or recovered; alerts could not be delivered to syslog; input was
 * dropped before it could be read (capture-dropped).  Each notice is an
 * alert of the "agent" source with built-in rule metadata, sent down the
 * same path as any alert, and its event then goes through the rules, so an
 * admin may write rules on the agent source (page on reload-failed).
 *
 * The heartbeat (every [agent] heartbeat_interval) carries the counters: a
 * SOC can alert on them, and on the heartbeat's absence.  Events per
 * source, alerts, suppressed, undelivered (syslog's losses and the alerts
 * the engine could not build), dropped and skipped input, resident memory,
 * uptime, the collectors running and failed.
 *
 * Counters are read from the collectors at least once a minute (more often
 * with a shorter heartbeat), and once more before a collector stops: its
 * counters restart at 0, so the marks restart too, and nothing is lost or
 * counted twice across a restart.  A capture-dropped notice goes out at
 * most once per 10 minutes; the drops in between are added up, never lost.
 *
 * Operational chatter goes to the log (stderr) only.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "collectors/agent_source.h"
#include "lib/util.h"
#include "log.h"
#include "selfmon.h"

/* Collectors' drop counters are read this often, and a capture-dropped
 * notice goes out at most once per SELFMON_DROPPED_NOTICE_MS (the deltas
 * in between are added up, never lost). */
#define SELFMON_STATS_MS 60000
#define SELFMON_DROPPED_NOTICE_MS (10ULL * 60 * 1000)

/* ---- notices ---- */

#define SELFMON_META(rid, rname, sev) {					\
		.id = (char *)(rid), .name = (char *)(rname),		\
		.category = (char *)"agent", .severity = (sev),		\
		.confidence = CONFIDENCE_HIGH,				\
	}

/* Each notice's built-in rule and its event's action. */
static const struct {
	struct rule_meta meta;
	const char *action;
} selfmon_notices[] = {
	[NOTICE_STARTED] = {
		SELFMON_META("farmhound-started", "farmhound started", LOG_INFO),
		"started" },
	[NOTICE_STOPPING] = {
		SELFMON_META("farmhound-stopping", "farmhound stopping", LOG_INFO),
		"stopping" },
	[NOTICE_RELOAD_OK] = {
		SELFMON_META("farmhound-reload-ok", "farmhound reloaded", LOG_INFO),
		"reload-ok" },
	[NOTICE_RELOAD_FAILED] = {
		SELFMON_META("farmhound-reload-failed",
			     "farmhound reload failed, previous rules still in force", LOG_ERR),
		"reload-failed" },
	[NOTICE_COLLECTOR_FAILED] = {
		SELFMON_META("farmhound-collector-failed", "farmhound collector failed",
			     LOG_WARNING),
		"collector-failed" },
	[NOTICE_COLLECTOR_RECOVERED] = {
		SELFMON_META("farmhound-collector-recovered", "farmhound collector recovered",
			     LOG_NOTICE),
		"collector-recovered" },
	[NOTICE_UNDELIVERED] = {
		SELFMON_META("farmhound-alerts-undelivered",
			     "farmhound could not deliver alerts", LOG_WARNING),
		"undelivered" },
	[NOTICE_DROPPED] = {
		SELFMON_META("farmhound-capture-dropped",
			     "farmhound lost input before it could read it", LOG_WARNING),
		"capture-dropped" },
	[NOTICE_HEARTBEAT] = {
		SELFMON_META("farmhound-heartbeat", "farmhound heartbeat", LOG_INFO),
		"heartbeat" },
};

/* The agent event of a notice: action, message, version, rule count. */
static struct event *selfmon_event(struct loop *l, enum selfmon_notice n,
				   const char *collector, const char *msg)
{
	struct event *ev = event_new(&agent_source);
	const char *action = selfmon_notices[n].action;
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

/* The built-in alert, then the rules; frees ev. */
static void selfmon_send(struct loop *l, enum selfmon_notice n, struct event *ev)
{
	struct alert a = { .rule = &selfmon_notices[n].meta, .hostname = l->hostname,
			   .event = ev };

	a.ts = ev->ts;
	loop_on_alert(l, &a);
	loop_eval(l, ev);
	event_free(ev);
}

/* The errors of a diag list (warnings left out) into the notice's list. */
static int selfmon_add_errors(struct event *ev, const struct diag_list *errors)
{
	char line[512];
	int r = 0;

	for (size_t i = 0; errors && i < errors->n; i++) {
		if (errors->items[i].warning)
			continue;
		log_diag_format(&errors->items[i], line, sizeof(line));
		r |= event_list_add(ev, AGENT_ERRORS, line);
	}
	return r;
}

void selfmon_notice(struct loop *l, enum selfmon_notice n, const char *collector,
		    const struct diag_list *errors, const char *fmt, ...)
{
	const char *id = selfmon_notices[n].meta.id;
	struct event *ev;
	char msg[512];
	va_list ap;

	if (!l->sink)
		return;		/* --scan reports on stderr and its exit code */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ev = selfmon_event(l, n, collector, msg);
	if (!ev) {
		log_msg(LOG_ERR, "%s: out of memory", id);
		return;
	}
	if (selfmon_add_errors(ev, errors))
		log_msg(LOG_WARNING, "%s: notice incomplete (out of memory)", id);
	selfmon_send(l, n, ev);
}

void selfmon_check_undelivered(struct loop *l)
{
	struct syslog_sink_stats st;
	uint64_t lost;

	syslog_sink_stats(l->sink, &st);
	if (st.undelivered <= l->undelivered_seen)
		return;
	lost = st.undelivered - l->undelivered_seen;
	/* Update first: the notice itself may be lost too, and must not be
	 * reported again and again. */
	l->undelivered_seen = st.undelivered;
	log_msg(LOG_WARNING, "%llu alerts could not be delivered to %s",
		(unsigned long long)lost, l->cfg.syslog_socket);
	selfmon_notice(l, NOTICE_UNDELIVERED, NULL, NULL,
		       "%llu alerts could not be delivered to syslog (%llu in total)",
		       (unsigned long long)lost, (unsigned long long)st.undelivered);
}

/* ---- counters ---- */

/* Drops are read at least as often as the heartbeat reports them, so a
 * short heartbeat (tests, a SOC that wants minutes) sees them promptly. */
static uint64_t selfmon_stats_interval(const struct loop *l)
{
	if (l->cfg.heartbeat_ms && l->cfg.heartbeat_ms < SELFMON_STATS_MS)
		return l->cfg.heartbeat_ms;
	return SELFMON_STATS_MS;
}

bool selfmon_account(struct loop *l, struct loop_collector *lc)
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

static void selfmon_dropped_notice(struct loop *l, const char *who)
{
	char msg[160];
	struct event *ev;

	snprintf(msg, sizeof(msg), "%llu packets or events dropped before farmhound read them (%llu in total)",
		 (unsigned long long)l->dropped_pending,
		 (unsigned long long)l->dropped_total);
	ev = selfmon_event(l, NOTICE_DROPPED, who, msg);
	if (!ev)
		return;
	event_set_int(ev, AGENT_DROPPED, (int64_t)l->dropped_pending);
	selfmon_send(l, NOTICE_DROPPED, ev);
}

/* Read the collectors' counters; a capture-dropped notice with the drops'
 * delta, at most once per SELFMON_DROPPED_NOTICE_MS.  (Skipped input has
 * no notice of its own: malformed packets and processes gone mid-read are
 * routine, the heartbeat carries their totals.) */
static void selfmon_check_drops(struct loop *l, uint64_t now)
{
	const char *who = NULL;

	for (int i = 0; i < l->ncol; i++)
		if (selfmon_account(l, &l->col[i]))
			who = l->col[i].c->name;
	if (!l->dropped_pending || (l->dropped_notice_ms &&
				    now - l->dropped_notice_ms < SELFMON_DROPPED_NOTICE_MS))
		return;
	log_msg(LOG_WARNING, "%llu input records dropped before they were read",
		(unsigned long long)l->dropped_pending);
	if (l->sink)
		selfmon_dropped_notice(l, who);
	l->dropped_pending = 0;
	l->dropped_notice_ms = now;
}

uint64_t selfmon_stats_due(const struct loop *l)
{
	return l->stats_due;
}

void selfmon_stats(struct loop *l, uint64_t now)
{
	selfmon_check_drops(l, now);
	l->stats_due = now + selfmon_stats_interval(l);
}

void selfmon_start(struct loop *l)
{
	l->started_ms = now_monotonic_ms();
	if (l->cfg.heartbeat_ms)
		l->hb_due = l->started_ms + l->cfg.heartbeat_ms;
	for (int i = 0; i < l->ncol; i++)
		if (l->col[i].running && l->col[i].c->stats)
			l->stats_due = l->started_ms + selfmon_stats_interval(l);
}

void selfmon_reconfigure(struct loop *l, uint64_t old_ms)
{
	if (old_ms != l->cfg.heartbeat_ms)
		l->hb_due = l->cfg.heartbeat_ms ? now_monotonic_ms() + l->cfg.heartbeat_ms
						: UINT64_MAX;
}

/* ---- the heartbeat ---- */

/* VmRSS from /proc/self/status, in KiB; -1 if it cannot be read. */
static int64_t selfmon_rss_kb(void)
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

/* "; N input records skipped as malformed or vanished (process=N, net=N)":
 * which collectors skipped input, for the heartbeat's message (the field
 * carries the total only).
 * Nothing when none did; cut short, never overrun, if buf is too small. */
static void selfmon_skipped_text(const struct loop *l, char *buf, size_t len)
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

static uint64_t selfmon_events_total(const struct loop *l)
{
	uint64_t total = 0;

	for (int i = 0; i < SOURCE__MAX; i++)
		total += l->events[i];
	return total;
}

/* The heartbeat's event, with its message. */
static struct event *selfmon_heartbeat_event(struct loop *l)
{
	int active = 0, failed = 0;
	char skipped[256], msg[512];

	for (int i = 0; i < l->ncol; i++) {
		active += l->col[i].running;
		failed += l->col[i].failed;
	}
	selfmon_skipped_text(l, skipped, sizeof(skipped));
	snprintf(msg, sizeof(msg), "farmhound %s alive: %llu events, %llu alerts, %d collectors running, %d failed%s",
		 FARMHOUND_VERSION, (unsigned long long)selfmon_events_total(l),
		 (unsigned long long)l->alerts, active, failed, skipped);
	return selfmon_event(l, NOTICE_HEARTBEAT, NULL, msg);
}

/* Events per source, the collectors running and failed. */
static int selfmon_heartbeat_lists(const struct loop *l, struct event *ev)
{
	char item[96];
	int r = 0;

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
	return r;
}

static int selfmon_heartbeat_counters(const struct loop *l, struct event *ev,
				      uint64_t now)
{
	struct rule_state_stats rst;
	struct syslog_sink_stats sst = { 0 };
	int r = 0;

	rule_state_stats(l->st, &rst);
	if (l->sink)
		syslog_sink_stats(l->sink, &sst);
	r |= event_set_int(ev, AGENT_EVENTS_TOTAL, (int64_t)selfmon_events_total(l));
	/* Counted before this heartbeat goes out. */
	r |= event_set_int(ev, AGENT_ALERTS, (int64_t)l->alerts);
	r |= event_set_int(ev, AGENT_SUPPRESSED, (int64_t)rst.suppressed);
	/* What syslog did not take, and the alerts the engine could not
	 * build (out of memory): lost either way. */
	r |= event_set_int(ev, AGENT_UNDELIVERED, (int64_t)(sst.undelivered + rst.undelivered));
	r |= event_set_int(ev, AGENT_RSS_KB, selfmon_rss_kb());
	r |= event_set_int(ev, AGENT_DROPPED, (int64_t)l->dropped_total);
	r |= event_set_int(ev, AGENT_SKIPPED, (int64_t)l->skipped_total);
	r |= event_set_int(ev, AGENT_UPTIME, (int64_t)((now - l->started_ms) / 1000));
	return r;
}

/* The heartbeat: counters a SOC can alert on, and alert on the absence of. */
static void selfmon_heartbeat_send(struct loop *l, uint64_t now)
{
	struct event *ev;
	int r;

	selfmon_check_drops(l, now);
	ev = selfmon_heartbeat_event(l);
	if (!ev)
		return;
	r = selfmon_heartbeat_lists(l, ev);
	r |= selfmon_heartbeat_counters(l, ev, now);
	if (r)
		log_msg(LOG_WARNING, "heartbeat incomplete (out of memory)");
	selfmon_send(l, NOTICE_HEARTBEAT, ev);
}

uint64_t selfmon_heartbeat_due(const struct loop *l)
{
	return l->hb_due;
}

void selfmon_heartbeat(struct loop *l, uint64_t now)
{
	selfmon_heartbeat_send(l, now);
	l->hb_due = now + l->cfg.heartbeat_ms;
}
