/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sink.h - where formatted alerts go: a syslog datagram socket, or stdout.
 *
 * The syslog sink writes one datagram per alert to a unix socket (default
 * /dev/log) with RFC 3164 or RFC 5424 framing.  It never blocks the loop:
 * the socket is non-blocking, a full or missing socket queues the message in
 * a bounded in-memory backlog, and whatever falls off the backlog is counted
 * as undelivered (reported in the heartbeat).  A later send, or
 * syslog_sink_flush() from the periodic timer, reconnects and drains.
 */
#ifndef FARMHOUND_SINK_H
#define FARMHOUND_SINK_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "config.h"

#define SINK_BACKLOG_MAX 256	/* messages held while the socket is away */

struct syslog_sink;

struct syslog_sink_stats {
	uint64_t sent;
	uint64_t queued;	/* currently in the backlog */
	uint64_t undelivered;	/* dropped: backlog full or message rejected */
	uint64_t reconnects;
};

/* hostname and tag are copied.  Never fails because the socket is absent:
 * it connects lazily.  0 or -ENOMEM/-EINVAL. */
int syslog_sink_new(const char *path, int facility, enum syslog_framing framing,
		    const char *tag, const char *hostname, struct syslog_sink **out);
/* Frame and send msg at the given severity (LOG_*).  0 if sent, -EAGAIN if
 * queued for later, -ENOBUFS if dropped (and counted). */
int syslog_sink_send(struct syslog_sink *s, int severity, const char *msg, size_t len);
/* Retry the backlog; returns the number of messages still queued. */
size_t syslog_sink_flush(struct syslog_sink *s);
/* At shutdown: deliver the backlog, waiting up to timeout_ms for the
 * receiver (the only call that may block).  What is still queued then is
 * dropped and counted as undelivered; returns how many. */
#define SINK_DRAIN_STEP_MS 100
size_t syslog_sink_drain(struct syslog_sink *s, uint64_t timeout_ms);
void syslog_sink_stats(const struct syslog_sink *s, struct syslog_sink_stats *out);
void syslog_sink_free(struct syslog_sink *s);

/* Build the framed datagram (exposed for unit tests).  Returns the length
 * written (< len), or -ENOBUFS. */
int syslog_frame(char *buf, size_t len, enum syslog_framing framing, int facility,
		 int severity, const struct timespec *ts, const char *hostname,
		 const char *tag, int pid, const char *msg, size_t msglen);

#endif
