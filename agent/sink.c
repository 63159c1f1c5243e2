/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sink.c - the syslog sink: one datagram per alert to a unix socket.
 *
 * Never blocks, never logs (it is what logging would go through).
 *
 * - The socket is AF_UNIX/SOCK_DGRAM, SOCK_NONBLOCK, and every send uses
 *   MSG_DONTWAIT: a syslog daemon that stops reading can never stall the
 *   event loop.
 * - It connects lazily, on the first send, and reconnects when the peer
 *   went away (ECONNREFUSED, ENOTCONN, ENOENT, EPIPE...: rsyslog or
 *   journald restarted and re-created the socket): one reconnect and one
 *   resend per attempt, then the message waits in the backlog.
 * - A receiver that is full (EAGAIN, ENOBUFS) or absent puts the message in
 *   a bounded FIFO backlog (SINK_BACKLOG_MAX), drained in order before any
 *   new message goes out, by the next send or by syslog_sink_flush() from
 *   the periodic timer.  Datagrams are framed (and time-stamped) when the
 *   alert happens, not when they are finally delivered.
 * - When the backlog is full the OLDEST message is dropped and counted as
 *   undelivered: during a long outage the newest alerts are the ones a SOC
 *   can still act on, and the heartbeat reports how many were lost.
 * - EMSGSIZE (the kernel will never take a datagram that large) drops the
 *   message and counts it: retrying could never succeed.
 * - The one exception to "never blocks": syslog_sink_drain(), at shutdown,
 *   waits a bounded time (poll() for room, or re-connecting) so the backlog
 *   and the stopping notice are not lost to a receiver that is only slow
 *   or just back; what still cannot go is dropped and counted.
 *
 * Framing:
 *   RFC 3164  <PRI>Mmm dd hh:mm:ss host tag[pid]: msg
 *             (local time, day space-padded, English month names whatever
 *             the locale).  syslog_frame() writes the host when given one,
 *             but the sink itself leaves it out in 3164, as syslog(3) does
 *             on the local socket: rsyslog's default /dev/log parser
 *             (imuxsock's "special parser") expects no hostname and would
 *             take "lt-042" for the tag and push "farmhound[pid]:" into the
 *             message, breaking the JSON.  The local daemon adds the host.
 *             (Checked with rsyslogd 8 here.)
 *   RFC 5424  <PRI>1 2026-11-22T11:16:47.123456Z host tag pid - - msg
 *             (UTC, microseconds; no MSGID, no structured data).  The
 *             message is sent without the UTF-8 BOM: RFC 5424 §6.4 makes the
 *             BOM optional, rsyslog and journald accept UTF-8 either way,
 *             and a BOM in front of a JSON line would break consumers that
 *             read the message verbatim.  rsyslog needs
 *             UseSpecialParser="off" on its imuxsock input for 5424.
 * Header tokens (host, tag) are cut to the RFC lengths and any byte outside
 * printable US-ASCII (or one that would break the 3164 tag syntax) becomes
 * '_', so a hostile hostname cannot forge the header.  The message itself
 * is already one escaped line (the formatters' job).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "escape.h"
#include "format.h"
#include "sink.h"

#define SINK_DEFAULT_PATH "/dev/log"
/* A formatted alert plus the largest header we build. */
#define SINK_DATAGRAM_MAX (ALERT_LINE_MAX + 512)

#define HOST_MAX_3164 255
#define TAG_MAX_3164 32		/* RFC 3164 §4.1.3 */
#define HOST_MAX_5424 255	/* RFC 5424 §6.2.4 */
#define TAG_MAX_5424 48		/* APP-NAME, §6.2.5 */

struct sink_msg {
	char *data;
	size_t len;
};

struct syslog_sink {
	struct sockaddr_un addr;
	int fd;
	bool connected_once;
	int facility;
	enum syslog_framing framing;
	char *tag;
	char *hostname;			/* NULL: not framed (3164) / "-" (5424) */
	struct sink_msg backlog[SINK_BACKLOG_MAX];
	size_t head, count;		/* FIFO ring */
	struct syslog_sink_stats st;
};

/* ---- framing ---------------------------------------------------------- */

/* Copy a header token: printable ASCII only, at most max bytes, and none
 * of the bytes in bad (for the 3164 tag: ':' '[' ']'). */
static void frame_token(char *dst, size_t size, const char *src, size_t max,
			const char *bad)
{
	size_t o = 0;

	for (; src && *src && o < max && o < size - 1; src++) {
		unsigned char c = (unsigned char)*src;

		dst[o++] = (c < 33 || c > 126 || strchr(bad, c)) ? '_' : (char)c;
	}
	dst[o] = '\0';
}

static int frame_3164_time(char *dst, size_t size, const struct timespec *ts)
{
	static const char months[12][4] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
	};
	time_t sec = ts->tv_sec;
	struct tm tm;

	if (!localtime_r(&sec, &tm)) {
		sec = 0;
		localtime_r(&sec, &tm);
	}
	return snprintf(dst, size, "%s %2d %02d:%02d:%02d",
			months[tm.tm_mon % 12], tm.tm_mday, tm.tm_hour,
			tm.tm_min, tm.tm_sec);
}

int syslog_frame(char *buf, size_t len, enum syslog_framing framing, int facility,
		 int severity, const struct timespec *ts, const char *hostname,
		 const char *tag, int pid, const char *msg, size_t msglen)
{
	char host[HOST_MAX_3164 + 1], app[TAG_MAX_5424 + 1], when[48], procid[16];
	int pri = (facility & LOG_FACMASK) | (severity & LOG_PRIMASK), n;

	if (!buf || !len || !ts || (!msg && msglen))
		return -EINVAL;
	if (framing == SYSLOG_RFC5424) {
		frame_token(host, sizeof(host), hostname, HOST_MAX_5424, "");
		frame_token(app, sizeof(app), tag, TAG_MAX_5424, "");
		escape_timestamp(when, sizeof(when), ts, 6);
		if (pid > 0)
			snprintf(procid, sizeof(procid), "%d", pid);
		else
			strcpy(procid, "-");
		n = snprintf(buf, len, "<%d>1 %s %s %s %s - - ", pri, when,
			     *host ? host : "-", *app ? app : "-", procid);
	} else {
		frame_token(host, sizeof(host), hostname, HOST_MAX_3164, "");
		frame_token(app, sizeof(app), tag, TAG_MAX_3164, ":[]");
		frame_3164_time(when, sizeof(when), ts);
		procid[0] = '\0';
		if (pid > 0)
			snprintf(procid, sizeof(procid), "[%d]", pid);
		n = snprintf(buf, len, "<%d>%s %s%s%s%s: ", pri, when, host,
			     *host ? " " : "", *app ? app : "-", procid);
	}
	if (n < 0 || (size_t)n >= len || msglen >= len - (size_t)n)
		return -ENOBUFS;
	if (msglen)
		memcpy(buf + n, msg, msglen);
	buf[(size_t)n + msglen] = '\0';
	return n + (int)msglen;
}

/* ---- the socket ------------------------------------------------------- */

static void sink_disconnect(struct syslog_sink *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

static int sink_connect(struct syslog_sink *s)
{
	int fd, err;

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)&s->addr, sizeof(s->addr)) < 0) {
		err = errno;
		close(fd);
		return -err;
	}
	if (s->connected_once)
		s->st.reconnects++;
	s->connected_once = true;
	s->fd = fd;
	return 0;
}

/* One delivery attempt: 0 sent, -EAGAIN not now (keep it), -EMSGSIZE
 * never (drop it). */
static int sink_transmit(struct syslog_sink *s, const char *data, size_t len)
{
	ssize_t n;

	/* Two rounds: the second one after reconnecting to a socket that was
	 * re-created under us. */
	for (int round = 0; round < 2; round++) {
		if (s->fd < 0 && sink_connect(s) < 0)
			return -EAGAIN;
		n = send(s->fd, data, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n >= 0)
			return (size_t)n == len ? 0 : -EMSGSIZE;
		switch (errno) {
		case EAGAIN:
#if EWOULDBLOCK != EAGAIN
		case EWOULDBLOCK:
#endif
		case ENOBUFS:
		case EINTR:
			return -EAGAIN;		/* receiver full: keep the socket */
		case EMSGSIZE:
			return -EMSGSIZE;
		default:
			/* ECONNREFUSED, ENOTCONN, ENOENT, EPIPE, ...: the peer
			 * is gone; reconnect (at most once here). */
			sink_disconnect(s);
			break;
		}
	}
	return -EAGAIN;
}

/* ---- backlog ---------------------------------------------------------- */

static void sink_pop(struct syslog_sink *s)
{
	free(s->backlog[s->head].data);
	s->backlog[s->head].data = NULL;
	s->head = (s->head + 1) % SINK_BACKLOG_MAX;
	s->count--;
}

static int sink_enqueue(struct syslog_sink *s, const char *data, size_t len)
{
	struct sink_msg *m;
	char *copy;

	copy = malloc(len);
	if (!copy) {
		s->st.undelivered++;
		return -ENOBUFS;
	}
	memcpy(copy, data, len);
	if (s->count == SINK_BACKLOG_MAX) {
		sink_pop(s);			/* drop the oldest */
		s->st.undelivered++;
	}
	m = &s->backlog[(s->head + s->count) % SINK_BACKLOG_MAX];
	m->data = copy;
	m->len = len;
	s->count++;
	return -EAGAIN;
}

size_t syslog_sink_flush(struct syslog_sink *s)
{
	if (!s)
		return 0;
	while (s->count) {
		const struct sink_msg *m = &s->backlog[s->head];
		int rc = sink_transmit(s, m->data, m->len);

		if (rc == -EAGAIN)
			break;
		if (rc == 0)
			s->st.sent++;
		else
			s->st.undelivered++;
		sink_pop(s);
	}
	return s->count;
}

/* Milliseconds of CLOCK_MONOTONIC, for the drain's deadline. */
static uint64_t sink_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Until there may be room again: POLLOUT on a connected socket (a unix
 * datagram socket is writable when its peer's queue has room), else a
 * short pause before connecting again (the socket is absent). */
static void sink_wait(const struct syslog_sink *s, uint64_t left_ms)
{
	struct pollfd pfd = { .fd = s->fd, .events = POLLOUT };
	int ms = left_ms < SINK_DRAIN_STEP_MS ? (int)left_ms : SINK_DRAIN_STEP_MS;

	if (s->fd >= 0)
		poll(&pfd, 1, ms);
	else
		poll(NULL, 0, ms);
}

size_t syslog_sink_drain(struct syslog_sink *s, uint64_t timeout_ms)
{
	uint64_t deadline = sink_now_ms() + timeout_ms, now;
	size_t lost;

	if (!s)
		return 0;
	while (syslog_sink_flush(s) && (now = sink_now_ms()) < deadline)
		sink_wait(s, deadline - now);
	lost = s->count;
	while (s->count) {
		sink_pop(s);
		s->st.undelivered++;
	}
	return lost;
}

/* ---- API -------------------------------------------------------------- */

int syslog_sink_new(const char *path, int facility, enum syslog_framing framing,
		    const char *tag, const char *hostname, struct syslog_sink **out)
{
	struct syslog_sink *s;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!path)
		path = SINK_DEFAULT_PATH;
	if (!*path || strlen(path) >= sizeof(s->addr.sun_path))
		return -EINVAL;
	if (framing != SYSLOG_RFC3164 && framing != SYSLOG_RFC5424)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->fd = -1;
	s->addr.sun_family = AF_UNIX;
	memcpy(s->addr.sun_path, path, strlen(path) + 1);
	s->facility = facility;
	s->framing = framing;
	s->tag = strdup(tag ? tag : "farmhound");
	s->hostname = hostname ? strdup(hostname) : NULL;
	if (!s->tag || (hostname && !s->hostname)) {
		syslog_sink_free(s);
		return -ENOMEM;
	}
	*out = s;
	return 0;
}

int syslog_sink_send(struct syslog_sink *s, int severity, const char *msg, size_t len)
{
	char dgram[SINK_DATAGRAM_MAX];
	struct timespec now;
	int n, rc;

	if (!s || (!msg && len))
		return -EINVAL;
	clock_gettime(CLOCK_REALTIME, &now);
	n = syslog_frame(dgram, sizeof(dgram), s->framing, s->facility, severity,
			 &now, s->framing == SYSLOG_RFC5424 ? s->hostname : NULL,
			 s->tag, (int)getpid(), msg, len);
	if (n < 0) {
		s->st.undelivered++;
		return -ENOBUFS;
	}
	/* Order matters: older queued alerts go first, and a new one may
	 * only skip the queue when the queue is empty. */
	if (syslog_sink_flush(s) == 0) {
		rc = sink_transmit(s, dgram, (size_t)n);
		if (rc == 0) {
			s->st.sent++;
			return 0;
		}
		if (rc == -EMSGSIZE) {
			s->st.undelivered++;
			return -ENOBUFS;
		}
	}
	return sink_enqueue(s, dgram, (size_t)n);
}

void syslog_sink_stats(const struct syslog_sink *s, struct syslog_sink_stats *out)
{
	if (!out)
		return;
	memset(out, 0, sizeof(*out));
	if (!s)
		return;
	*out = s->st;
	out->queued = s->count;
}

void syslog_sink_free(struct syslog_sink *s)
{
	if (!s)
		return;
	sink_disconnect(s);
	while (s->count)
		sink_pop(s);
	free(s->tag);
	free(s->hostname);
	free(s);
}
