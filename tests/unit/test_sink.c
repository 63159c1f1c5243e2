/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_sink.c - the syslog sink (agent/sink.c): framing, and delivery to a
 * real AF_UNIX datagram socket bound in a temporary directory.
 *
 * send(2) is interposed below (a program's own definition wins over
 * libc's) so a test can make the kernel "answer" EMSGSIZE, which a unix
 * socket only does for datagrams larger than the sender's SO_SNDBUF
 * (~200 kB), far beyond what the sink ever builds.  Every other case uses
 * the real socket: absent, re-created, and full.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "agent/sink.h"

#define TS_SEC 1795346207	/* 2026-11-22T11:16:47Z */

static int fake_send_errno;

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	if (fake_send_errno) {
		errno = fake_send_errno;
		return -1;
	}
	return sendto(fd, buf, len, flags, NULL, 0);
}

struct fixture {
	char dir[64];
	char path[128];
	int rx;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/fh-sink-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/log", f->dir);
	f->rx = -1;
	fake_send_errno = 0;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (f->rx >= 0)
		close(f->rx);
	unlink(f->path);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* The "syslog daemon": a bound datagram socket we read without blocking. */
static void receiver_up(struct fixture *f, int rcvbuf)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	f->rx = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	assert_true(f->rx >= 0);
	if (rcvbuf)
		assert_int_equal(setsockopt(f->rx, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
					    sizeof(rcvbuf)), 0);
	strcpy(sa.sun_path, f->path);
	assert_int_equal(bind(f->rx, (struct sockaddr *)&sa, sizeof(sa)), 0);
}

static void receiver_down(struct fixture *f)
{
	close(f->rx);
	f->rx = -1;
	unlink(f->path);
}

/* One datagram, NUL-terminated, or -1 if none is waiting. */
static ssize_t receive(struct fixture *f, char *buf, size_t size)
{
	ssize_t n = recv(f->rx, buf, size - 1, MSG_DONTWAIT);

	if (n >= 0)
		buf[n] = '\0';
	return n;
}

/* The message part of a 5424 datagram (after "- - "). */
static const char *msg_of(const char *dgram)
{
	const char *p = strstr(dgram, " - - ");

	assert_non_null(p);
	return p + 5;
}

static struct syslog_sink *new_sink(struct fixture *f)
{
	struct syslog_sink *s;

	assert_int_equal(syslog_sink_new(f->path, LOG_LOCAL0, SYSLOG_RFC5424,
					 "farmhound", "lt-042", &s), 0);
	return s;
}

static int send_str(struct syslog_sink *s, const char *msg)
{
	return syslog_sink_send(s, LOG_CRIT, msg, strlen(msg));
}

/* ---- framing ---------------------------------------------------------- */

static void test_frame_3164(void **state)
{
	struct timespec ts = { TS_SEC, 123456789 };
	char buf[256];
	int n;

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	n = syslog_frame(buf, sizeof(buf), SYSLOG_RFC3164, LOG_DAEMON, LOG_CRIT,
			 &ts, "lt-042", "farmhound", 1234, "hello", 5);
	assert_string_equal(buf, "<26>Nov 22 11:16:47 lt-042 farmhound[1234]: hello");
	assert_int_equal(n, (int)strlen(buf));
	/* Day of month padded with a space; no host: the local convention. */
	ts.tv_sec = TS_SEC - 20 * 86400;
	syslog_frame(buf, sizeof(buf), SYSLOG_RFC3164, LOG_AUTH, LOG_WARNING,
		     &ts, NULL, "farmhound", 0, "x", 1);
	assert_string_equal(buf, "<36>Nov  2 11:16:47 farmhound: x");
	/* Header tokens cannot be forged. */
	syslog_frame(buf, sizeof(buf), SYSLOG_RFC3164, LOG_DAEMON, LOG_CRIT,
		     &ts, "a b\nc", "t:a[g]", 7, "m", 1);
	assert_string_equal(buf, "<26>Nov  2 11:16:47 a_b_c t_a_g_[7]: m");
}

static void test_frame_5424(void **state)
{
	struct timespec ts = { TS_SEC, 123456789 };
	char buf[256];
	int n;

	(void)state;
	n = syslog_frame(buf, sizeof(buf), SYSLOG_RFC5424, LOG_LOCAL0, LOG_CRIT,
			 &ts, "lt-042", "farmhound", 1234, "{\"a\":1}", 7);
	assert_string_equal(buf, "<130>1 2026-11-22T11:16:47.123456Z lt-042 "
			    "farmhound 1234 - - {\"a\":1}");
	assert_int_equal(n, (int)strlen(buf));
	syslog_frame(buf, sizeof(buf), SYSLOG_RFC5424, LOG_DAEMON, LOG_DEBUG,
		     &ts, NULL, "", 0, "", 0);
	assert_string_equal(buf, "<31>1 2026-11-22T11:16:47.123456Z - - - - - ");
}

static void test_frame_bounds(void **state)
{
	struct timespec ts = { TS_SEC, 0 };
	const char *want = "<26>1 2026-11-22T11:16:47.000000Z h t 1 - - msg";
	size_t len = strlen(want);
	char buf[128];

	(void)state;
	assert_int_equal(syslog_frame(buf, len + 1, SYSLOG_RFC5424, LOG_DAEMON,
				      LOG_CRIT, &ts, "h", "t", 1, "msg", 3),
			 (int)len);
	assert_string_equal(buf, want);
	assert_int_equal(syslog_frame(buf, len, SYSLOG_RFC5424, LOG_DAEMON,
				      LOG_CRIT, &ts, "h", "t", 1, "msg", 3),
			 -ENOBUFS);
	assert_int_equal(syslog_frame(buf, 10, SYSLOG_RFC3164, LOG_DAEMON,
				      LOG_CRIT, &ts, "h", "t", 1, "msg", 3),
			 -ENOBUFS);
}

/* ---- delivery --------------------------------------------------------- */

static void test_send_delivers(void **state)
{
	struct fixture *f = *state;
	struct syslog_sink_stats st;
	struct syslog_sink *s;
	char buf[4096], pid[64];

	receiver_up(f, 0);
	s = new_sink(f);
	assert_int_equal(send_str(s, "hello"), 0);
	assert_true(receive(f, buf, sizeof(buf)) > 0);
	assert_int_equal(strncmp(buf, "<130>1 ", 7), 0);
	snprintf(pid, sizeof(pid), " lt-042 farmhound %d - - hello", (int)getpid());
	assert_non_null(strstr(buf, pid));
	assert_string_equal(buf + strlen(buf) - strlen(pid), pid);
	syslog_sink_stats(s, &st);
	assert_int_equal(st.sent, 1);
	assert_int_equal(st.queued, 0);
	assert_int_equal(st.undelivered, 0);
	syslog_sink_free(s);
}

/* RFC 3164 on the local socket: no hostname, the syslog(3) convention. */
static void test_send_3164_without_host(void **state)
{
	struct fixture *f = *state;
	struct syslog_sink *s;
	char buf[4096], want[64];

	receiver_up(f, 0);
	assert_int_equal(syslog_sink_new(f->path, LOG_DAEMON, SYSLOG_RFC3164,
					 "farmhound", "lt-042", &s), 0);
	assert_int_equal(syslog_sink_send(s, LOG_WARNING, "hi", 2), 0);
	assert_true(receive(f, buf, sizeof(buf)) > 0);
	/* "<28>Mmm dd hh:mm:ss farmhound[pid]: hi" */
	snprintf(want, sizeof(want), " farmhound[%d]: hi", (int)getpid());
	assert_int_equal(strncmp(buf, "<28>", 4), 0);
	assert_int_equal(strlen(buf), 4 + 15 + strlen(want));
	assert_string_equal(buf + 4 + 15, want);
	assert_null(strstr(buf, "lt-042"));
	syslog_sink_free(s);
}

static void test_socket_appears_later(void **state)
{
	struct fixture *f = *state;
	struct syslog_sink_stats st;
	struct syslog_sink *s = new_sink(f);
	char buf[4096];

	assert_int_equal(send_str(s, "one"), -EAGAIN);
	assert_int_equal(send_str(s, "two"), -EAGAIN);
	assert_int_equal(send_str(s, "three"), -EAGAIN);
	syslog_sink_stats(s, &st);
	assert_int_equal(st.queued, 3);
	assert_int_equal(st.sent, 0);
	assert_int_equal(syslog_sink_flush(s), 3);	/* still nobody there */

	receiver_up(f, 0);
	assert_int_equal(syslog_sink_flush(s), 0);
	/* A new message after the backlog drained goes straight out. */
	assert_int_equal(send_str(s, "four"), 0);
	const char *want[] = { "one", "two", "three", "four" };
	for (size_t i = 0; i < 4; i++) {
		assert_true(receive(f, buf, sizeof(buf)) > 0);
		assert_string_equal(msg_of(buf), want[i]);
	}
	assert_true(receive(f, buf, sizeof(buf)) < 0);
	syslog_sink_stats(s, &st);
	assert_int_equal(st.sent, 4);
	assert_int_equal(st.queued, 0);
	assert_int_equal(st.undelivered, 0);
	syslog_sink_free(s);
}

/* A new send with a backlog waiting: the backlog goes first. */
static void test_send_keeps_order(void **state)
{
	struct fixture *f = *state;
	struct syslog_sink *s = new_sink(f);
	char buf[4096];

	assert_int_equal(send_str(s, "old"), -EAGAIN);
	receiver_up(f, 0);
	assert_int_equal(send_str(s, "new"), 0);
	assert_true(receive(f, buf, sizeof(buf)) > 0);
	assert_string_equal(msg_of(buf), "old");
	assert_true(receive(f, buf, sizeof(buf)) > 0);
	assert_string_equal(msg_of(buf), "new");
	syslog_sink_free(s);
}

/* Drain the receiver and the backlog together until both are empty;
 * returns how many arrived, checking they come in increasing order. */
static int drain_all(struct fixture *f, struct syslog_sink *s, int *first,
		     int *last)
{
	char buf[4096];
	int got = 0, prev = -1;

	for (int rounds = 0; rounds < 10000; rounds++) {
		size_t left = syslog_sink_flush(s);
		int k = 0;

		while (receive(f, buf, sizeof(buf)) > 0) {
			int seq = atoi(msg_of(buf) + 1);	/* "m<seq>" */

			assert_true(seq > prev);
			if (!got)
				*first = seq;
			prev = *last = seq;
			got++;
			k++;
		}
		if (!left && !k)
			return got;
	}
	fail_msg("backlog never drained");
	return -1;
}

static void test_backlog_overflow_keeps_newest(void **state)
{
	struct fixture *f = *state;
	struct syslog_sink_stats st;
	struct syslog_sink *s = new_sink(f);
	int first = -1, last = -1;
	char msg[32];

	for (int i = 0; i < SINK_BACKLOG_MAX + 10; i++) {
		snprintf(msg, sizeof(msg), "m%d", i);
		assert_int_equal(send_str(s, msg), -EAGAIN);
	}
	syslog_sink_stats(s, &st);
	assert_int_equal(st.queued, SINK_BACKLOG_MAX);
	assert_int_equal(st.undelivered, 10);
	receiver_up(f, 0);
	assert_int_equal(drain_all(f, s, &first, &last), SINK_BACKLOG_MAX);
	assert_int_equal(first, 10);			/* the oldest went */
	assert_int_equal(last, SINK_BACKLOG_MAX + 9);	/* the newest stayed */
	syslog_sink_stats(s, &st);
	assert_int_equal(st.sent, SINK_BACKLOG_MAX);
	assert_int_equal(st.queued, 0);
	assert_int_equal(st.undelivered, 10);
	syslog_sink_free(s);
}

/* scaled(S): S seconds times FH_TIME_SCALE (1 unless set; make test-asan
 * sets 3), for the bound of a hang detector: a test asserts behaviour,
 * never the speed of the machine it runs on. */
static unsigned scaled(unsigned s)
{
	const char *e = getenv("FH_TIME_SCALE");
	long k = e ? strtol(e, NULL, 10) : 1;

	return s * (unsigned)(k > 0 ? k : 1);
}

/* A receiver that stops reading: sends return at once, the excess is
 * queued, then dropped oldest-first and counted; nothing is reordered. */
static void test_receiver_full_never_blocks(void **state)
{
	struct fixture *f = *state;
	struct syslog_sink_stats st;
	struct syslog_sink *s;
	int first = -1, last = -1, queued_seen = 0, total = 1000, got;
	char msg[1200];

	receiver_up(f, 1);		/* the kernel's minimum buffer */
	s = new_sink(f);
	/* A blocking send would hang for good: the alarm (a hang detector,
	 * far above the time 1000 sends take) kills the test.  Not blocking is
	 * the fact asserted, by this and by the -EAGAIN returns; how fast the
	 * sends went is the machine's speed. */
	alarm(scaled(60));
	memset(msg, 'x', sizeof(msg) - 1);
	msg[sizeof(msg) - 1] = '\0';
	for (int i = 0; i < total; i++) {
		int rc, n = snprintf(msg, sizeof(msg), "m%d ", i);

		msg[n] = 'x';		/* keep the padding after the number */
		rc = send_str(s, msg);
		assert_true(rc == 0 || rc == -EAGAIN);
		if (rc == -EAGAIN)
			queued_seen++;
	}
	alarm(0);
	syslog_sink_stats(s, &st);
	assert_true(queued_seen > 0);
	assert_int_equal(st.queued, SINK_BACKLOG_MAX);
	assert_true(st.sent > 0);
	assert_int_equal(st.sent + st.queued + st.undelivered, (uint64_t)total);

	got = drain_all(f, s, &first, &last);
	assert_int_equal(last, total - 1);		/* the newest arrived */
	syslog_sink_stats(s, &st);
	assert_int_equal(st.queued, 0);
	assert_int_equal(st.sent + st.undelivered, (uint64_t)total);
	assert_int_equal((uint64_t)got, st.sent);
	syslog_sink_free(s);
}

/* rsyslog restarted: the old socket is gone, a new one has the path. */
static void test_reconnects_after_restart(void **state)
{
	struct fixture *f = *state;
	struct syslog_sink_stats st;
	struct syslog_sink *s;
	char buf[4096];

	receiver_up(f, 0);
	s = new_sink(f);
	assert_int_equal(send_str(s, "before"), 0);
	receiver_down(f);
	assert_int_equal(send_str(s, "during"), -EAGAIN);
	receiver_up(f, 0);
	assert_int_equal(send_str(s, "after"), 0);
	assert_true(receive(f, buf, sizeof(buf)) > 0);
	assert_string_equal(msg_of(buf), "during");
	assert_true(receive(f, buf, sizeof(buf)) > 0);
	assert_string_equal(msg_of(buf), "after");
	syslog_sink_stats(s, &st);
	assert_int_equal(st.sent, 3);
	assert_int_equal(st.reconnects, 1);
	syslog_sink_free(s);
}

static void test_emsgsize_counted(void **state)
{
	struct fixture *f = *state;
	struct syslog_sink_stats st;
	struct syslog_sink *s;
	char buf[4096];

	receiver_up(f, 0);
	s = new_sink(f);
	fake_send_errno = EMSGSIZE;
	assert_int_equal(send_str(s, "too big"), -ENOBUFS);
	syslog_sink_stats(s, &st);
	assert_int_equal(st.undelivered, 1);
	assert_int_equal(st.queued, 0);
	/* Also when it was waiting in the backlog: dropped, not retried. */
	fake_send_errno = EAGAIN;
	assert_int_equal(send_str(s, "queued"), -EAGAIN);
	fake_send_errno = EMSGSIZE;
	assert_int_equal(syslog_sink_flush(s), 0);
	fake_send_errno = 0;
	assert_int_equal(send_str(s, "fine"), 0);
	assert_true(receive(f, buf, sizeof(buf)) > 0);
	assert_string_equal(msg_of(buf), "fine");
	syslog_sink_stats(s, &st);
	assert_int_equal(st.undelivered, 2);
	assert_int_equal(st.sent, 1);
	syslog_sink_free(s);
}

/* A message larger than any datagram the sink builds is counted too. */
static void test_oversized_message_counted(void **state)
{
	struct fixture *f = *state;
	struct syslog_sink_stats st;
	struct syslog_sink *s;
	size_t len = 64 * 1024;
	char *big = malloc(len);

	assert_non_null(big);
	memset(big, 'y', len);
	receiver_up(f, 0);
	s = new_sink(f);
	assert_int_equal(syslog_sink_send(s, LOG_CRIT, big, len), -ENOBUFS);
	syslog_sink_stats(s, &st);
	assert_int_equal(st.undelivered, 1);
	assert_int_equal(st.sent, 0);
	free(big);
	syslog_sink_free(s);
}

static void test_bad_arguments(void **state)
{
	struct syslog_sink *s = (struct syslog_sink *)1;
	char path[200];

	(void)state;
	memset(path, 'a', sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	assert_int_equal(syslog_sink_new(path, LOG_DAEMON, SYSLOG_RFC3164, "t",
					 "h", &s), -EINVAL);
	assert_null(s);
	assert_int_equal(syslog_sink_new("", LOG_DAEMON, SYSLOG_RFC3164, "t",
					 "h", &s), -EINVAL);
	assert_int_equal(syslog_sink_send(NULL, LOG_CRIT, "x", 1), -EINVAL);
	syslog_sink_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frame_3164),
		cmocka_unit_test(test_frame_5424),
		cmocka_unit_test(test_frame_bounds),
		cmocka_unit_test_setup_teardown(test_send_delivers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_send_3164_without_host, setup, teardown),
		cmocka_unit_test_setup_teardown(test_socket_appears_later, setup, teardown),
		cmocka_unit_test_setup_teardown(test_send_keeps_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backlog_overflow_keeps_newest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_receiver_full_never_blocks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reconnects_after_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_emsgsize_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oversized_message_counted, setup, teardown),
		cmocka_unit_test(test_bad_arguments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
