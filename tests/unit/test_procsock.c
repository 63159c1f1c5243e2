/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_procsock.c - the process and socket collectors driven directly over
 * a /proc tree the test writes (mkdtemp) and changes between walks: the
 * inventory (present), then add/remove for what started, ended, was
 * replaced by a recycled pid or exec()ed another program; processes that
 * vanish mid-read; sockets opened and closed with their owner remembered
 * for the remove.  Events are caught through ctx->emit.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "collectors/process/process.h"
#include "collectors/process/socket.h"

#define MAXEV 64

struct caught {
	size_t n;
	char line[MAXEV][160];	/* "action pid comm" */
};

static struct caught got;
static char root[256];

static void catch_process(void *opaque, struct event *ev)
{
	const struct value *pid = event_get(ev, PROCESS_PID);
	const char *comm = event_get_str(ev, PROCESS_COMM);

	(void)opaque;
	if (got.n < MAXEV)
		snprintf(got.line[got.n++], sizeof(got.line[0]), "%s %lld %s",
			 event_get_str(ev, PROCESS_ACTION), (long long)pid->i, comm ? comm : "-");
	event_free(ev);
}

static void catch_socket(void *opaque, struct event *ev)
{
	const struct value *port = event_get(ev, SOCKET_LOCAL_PORT);
	const struct value *pid = event_get(ev, SOCKET_PID);
	const char *comm = event_get_str(ev, SOCKET_COMM);

	(void)opaque;
	if (got.n < MAXEV)
		snprintf(got.line[got.n++], sizeof(got.line[0]), "%s %s %lld %lld %s",
			 event_get_str(ev, SOCKET_ACTION), event_get_str(ev, SOCKET_STATE),
			 (long long)port->i, pid && pid->set ? (long long)pid->i : 0LL,
			 comm ? comm : "-");
	event_free(ev);
}

static bool caught(const char *line)
{
	for (size_t i = 0; i < got.n; i++)
		if (strcmp(got.line[i], line) == 0)
			return true;
	return false;
}

static void dump(void)
{
	for (size_t i = 0; i < got.n; i++)
		print_message("  got: %s\n", got.line[i]);
}

#define expect_caught(l) do { if (!caught(l)) { dump(); fail_msg("missing: %s", l); } } while (0)

static void put(const char *rel, const char *data, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void mkdirs(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (char *p = path + strlen(root) + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0755);
			*p = '/';
		}
	mkdir(path, 0755);
}

static void link_to(const char *target, const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	unlink(path);
	assert_int_equal(symlink(target, path), 0);
}

/* A process with stat, status and cmdline; exe may be NULL. */
static void proc(int pid, const char *comm, unsigned long start, unsigned int flags,
		 const char *exe)
{
	char rel[64], buf[512];
	int n;

	snprintf(rel, sizeof(rel), "proc/%d/fd", pid);
	mkdirs(rel);
	n = snprintf(buf, sizeof(buf),
		     "%d (%s) S 1 %d %d 0 -1 %u 0 0 0 0 0 0 0 0 20 0 1 0 %lu 0 0\n",
		     pid, comm, pid, pid, flags, start);
	snprintf(rel, sizeof(rel), "proc/%d/stat", pid);
	put(rel, buf, (size_t)n);
	n = snprintf(buf, sizeof(buf), "Name:\t%s\nUid:\t1000\t1000\t1000\t1000\n", comm);
	snprintf(rel, sizeof(rel), "proc/%d/status", pid);
	put(rel, buf, (size_t)n);
	snprintf(rel, sizeof(rel), "proc/%d/cmdline", pid);
	put(rel, comm, strlen(comm) + 1);
	snprintf(rel, sizeof(rel), "proc/%d/comm", pid);
	n = snprintf(buf, sizeof(buf), "%s\n", comm);
	put(rel, buf, (size_t)n);
	if (exe) {
		snprintf(rel, sizeof(rel), "proc/%d/exe", pid);
		link_to(exe, rel);
	}
}

static void rm_proc(int pid)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s/proc/%d'", root, pid);
	assert_int_equal(system(cmd), 0);
}

static int setup(void **unused)
{
	(void)unused;
	snprintf(root, sizeof(root), "%s/procsock-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(root));
	mkdirs("proc/net");
	mkdirs("etc");
	put("proc/stat", "btime 1000\n", 11);
	put("etc/passwd", "alice:x:1000:1000::/:\n", 22);
	memset(&got, 0, sizeof(got));
	return 0;
}

static int teardown(void **unused)
{
	char cmd[600];

	(void)unused;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void *start(const struct collector *c, void (*emit)(void *, struct event *))
{
	char procfs[300];
	struct collector_ctx ctx = { 0 };
	void *st = NULL;

	snprintf(procfs, sizeof(procfs), "%s/proc", root);
	ctx.emit = emit;
	ctx.rootfs = root;
	ctx.procfs = procfs;
	ctx.mode = COLLECTOR_DAEMON;
	assert_int_equal(c->init(&ctx, &st), 0);
	assert_non_null(st);
	return st;
}

static void test_process_diff(void **unused)
{
	const struct collector *c = &process_collector;
	struct collector_stats stats;
	uint64_t due;
	void *st;

	(void)unused;
	proc(10, "a", 100, 0x400000, "/usr/bin/a");
	proc(20, "b", 200, 0x400000, "/usr/bin/b");
	proc(30, "kworker/0:0", 5, 0x208040, NULL);	/* PF_KTHREAD */
	proc(50, "sh", 300, 0x400000, "/bin/sh");
	st = start(c, catch_process);
	assert_int_equal(c->scan(st), 0);
	assert_int_equal(got.n, 3);
	expect_caught("present 10 a");
	expect_caught("present 20 b");
	expect_caught("present 50 sh");
	c->stats(st, &stats);
	assert_int_equal(stats.tracked, 3);

	/* periodic: 15 s by default, and nothing to say when nothing changed */
	due = c->next_tick(st, 0);
	assert_true(due > 0 && due != UINT64_MAX);
	got.n = 0;
	assert_int_equal(c->on_tick(st, UINT64_MAX / 2), 0);
	assert_int_equal(got.n, 0);

	/* 20 ended; 40 started; pid 10 recycled (new start time); 50 exec'd
	 * anydesk; 60 vanishes mid-read (stat but no status) */
	rm_proc(20);
	proc(40, "c", 400, 0x400000, "/usr/bin/c");
	proc(10, "a2", 150, 0x400000, "/usr/bin/a2");
	proc(50, "anydesk", 300, 0x400000, "/usr/bin/anydesk");
	proc(60, "ghost", 500, 0x400000, NULL);
	{
		char p[400];

		snprintf(p, sizeof(p), "%s/proc/60/status", root);
		unlink(p);
	}
	got.n = 0;
	assert_int_equal(c->on_tick(st, UINT64_MAX / 2 + 20000), 0);
	expect_caught("remove 20 b");
	expect_caught("add 40 c");
	expect_caught("remove 10 a");
	expect_caught("add 10 a2");
	expect_caught("remove 50 sh");
	expect_caught("add 50 anydesk");
	assert_int_equal(got.n, 6);
	c->stats(st, &stats);
	assert_int_equal(stats.tracked, 3);	/* 10, 40, 50 */
	assert_true(stats.skipped >= 1);

	/* 60 is complete now: reported as new, not lost */
	proc(60, "ghost", 500, 0x400000, NULL);
	got.n = 0;
	assert_int_equal(c->on_tick(st, UINT64_MAX / 2 + 40000), 0);
	expect_caught("add 60 ghost");
	assert_int_equal(got.n, 1);
	c->free(st);
	c->free(NULL);
}

static const char tcp_hdr[] =
	"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";

static void test_socket_diff(void **unused)
{
	const struct collector *c = &socket_collector;
	char buf[1024];
	struct collector_stats stats;
	void *st;
	int n;

	(void)unused;
	proc(10, "x11vnc", 100, 0x400000, "/usr/bin/x11vnc");
	link_to("socket:[111]", "proc/10/fd/3");
	link_to("socket:[222]", "proc/10/fd/4");
	link_to("/dev/null", "proc/10/fd/0");
	n = snprintf(buf, sizeof(buf), "%s"
		     "   0: 00000000:170C 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000 0 111 1\n"
		     "   1: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000 0 333 1\n"
		     "   2: garbage\n", tcp_hdr);
	put("proc/net/tcp", buf, (size_t)n);
	st = start(c, catch_socket);
	assert_int_equal(c->scan(st), 0);
	expect_caught("present listen 5900 10 x11vnc");
	expect_caught("present listen 8080 0 -");	/* owner not found */
	assert_int_equal(got.n, 2);
	c->stats(st, &stats);
	assert_int_equal(stats.tracked, 2);
	assert_int_equal(stats.skipped, 1);

	/* the 5900 listener closes, a session opens (owned by pid 10) */
	n = snprintf(buf, sizeof(buf), "%s"
		     "   1: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000 0 333 1\n"
		     "   2: 0F02000A:170C 0A7100CB:C5D2 01 00000000:00000000 00:00000000 00000000  1000 0 222 1\n",
		     tcp_hdr);
	put("proc/net/tcp", buf, (size_t)n);
	got.n = 0;
	assert_int_equal(c->on_tick(st, UINT64_MAX / 2), 0);
	expect_caught("remove listen 5900 10 x11vnc");	/* owner remembered */
	expect_caught("add established 5900 10 x11vnc");
	assert_int_equal(got.n, 2);
	c->free(st);
	c->free(NULL);
}

/* ---- what the exe link did not say ---- */

/* Fields of interest and describe() of every event, by pid. */
struct seen_ev {
	long long pid;
	int readable;			/* -1 unset */
	char reason[16];
	char argv0[64];
	char cand[64];
	char exe[64];
	char what[512];
};

static struct seen_ev seen[MAXEV];
static size_t nseen;

static void copy_str(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

static void catch_process_fields(void *opaque, struct event *ev)
{
	const struct value *pid = event_get(ev, PROCESS_PID);
	const struct value *rd = event_get(ev, PROCESS_EXE_READABLE);
	struct seen_ev *e;

	(void)opaque;
	if (nseen < MAXEV) {
		e = &seen[nseen++];
		e->pid = pid->i;
		e->readable = rd && rd->set ? rd->b : -1;
		copy_str(e->reason, sizeof(e->reason), event_get_str(ev, PROCESS_EXE_UNREADABLE_REASON));
		copy_str(e->argv0, sizeof(e->argv0), event_get_str(ev, PROCESS_ARGV0));
		copy_str(e->cand, sizeof(e->cand), event_get_str(ev, PROCESS_EXE_CANDIDATE));
		copy_str(e->exe, sizeof(e->exe), event_get_str(ev, PROCESS_EXE));
		process_source.describe(ev, e->what, sizeof(e->what));
	}
	event_free(ev);
}

static const struct seen_ev *seen_pid(long long pid)
{
	for (size_t i = 0; i < nseen; i++)
		if (seen[i].pid == pid)
			return &seen[i];
	fail_msg("no event for pid %lld", pid);
	return NULL;
}

static void cmdline(int pid, const char *args, size_t len)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "proc/%d/cmdline", pid);
	put(rel, args, len);
}

static void program(const char *rel)
{
	char path[512];

	put(rel, "", 0);
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(chmod(path, 0755), 0);
}

/* No exe link (a fixture cannot make one unreadable: see mkproc.sh):
 * exe unset, exe_readable false with the reason, and exe_candidate only
 * from what argv[0] and PATH show -- never a path that is not there. */
static void test_process_exe_unreadable(void **unused)
{
	const struct collector *c = &process_collector;
	const struct seen_ev *e;
	void *st;

	(void)unused;
	mkdirs("usr/bin");
	mkdirs("opt/x");
	program("usr/bin/anydesk");
	program("usr/bin/x11vnc");
	put("opt/x/rustdesk", "", 0);			/* not executable */
	proc(10, "anydesk", 100, 0x400000, NULL);
	cmdline(10, "/usr/bin/anydesk\0--service\0", 27);
	proc(11, "x11vnc", 101, 0x400000, NULL);	/* argv[0] "x11vnc": PATH */
	proc(12, "rustdesk", 102, 0x400000, NULL);
	cmdline(12, "./rustdesk\0", 11);		/* relative: unknown */
	proc(13, "sshd", 103, 0x400000, NULL);
	cmdline(13, "/usr/bin/anydesk\0", 17);		/* comm is not that file's */
	proc(14, "rustdesk", 104, 0x400000, NULL);
	cmdline(14, "/opt/x/rustdesk\0", 16);		/* not an executable */
	proc(15, "anydesk", 105, 0x400000, "/usr/bin/anydesk");	/* readable */
	proc(16, "nosuchtool", 106, 0x400000, NULL);	/* nowhere in PATH */
	st = start(c, catch_process_fields);
	nseen = 0;
	assert_int_equal(c->scan(st), 0);

	e = seen_pid(10);
	assert_int_equal(e->readable, 0);
	assert_string_equal(e->reason, "ENOENT");
	assert_string_equal(e->exe, "");
	assert_string_equal(e->argv0, "/usr/bin/anydesk");
	assert_string_equal(e->cand, "/usr/bin/anydesk");
	assert_string_equal(e->what, "process anydesk (pid 10, exe path not readable (ENOENT); "
			    "argv[0] /usr/bin/anydesk, a file there, user alice)");
	e = seen_pid(11);
	assert_string_equal(e->cand, "/usr/bin/x11vnc");
	assert_non_null(strstr(e->what, "its name found as /usr/bin/x11vnc"));
	e = seen_pid(12);
	assert_string_equal(e->cand, "");
	assert_string_equal(e->argv0, "./rustdesk");
	e = seen_pid(13);
	assert_string_equal(e->cand, "");
	e = seen_pid(14);
	assert_string_equal(e->cand, "");
	e = seen_pid(16);
	assert_string_equal(e->cand, "");
	assert_string_equal(e->what, "process nosuchtool (pid 16, exe path not readable (ENOENT); "
			    "argv[0] nosuchtool, user alice)");
	/* readable: the exe link is the proof, no candidate looked for */
	e = seen_pid(15);
	assert_int_equal(e->readable, 1);
	assert_string_equal(e->reason, "");
	assert_string_equal(e->cand, "");
	assert_string_equal(e->what, "process anydesk (pid 15, /usr/bin/anydesk, user alice)");
	/* no message names a path the event does not hold */
	for (size_t i = 0; i < nseen; i++)
		if (seen[i].readable == 0)
			assert_null(strstr(seen[i].what, "outside"));
	c->free(st);
}

static char sock_what[4][256];
static size_t nsock;

static void catch_socket_what(void *opaque, struct event *ev)
{
	(void)opaque;
	if (nsock < 4)
		socket_source.describe(ev, sock_what[nsock++], sizeof(sock_what[0]));
	event_free(ev);
}

/* A listener whose owner cannot be found keeps the socket's user from
 * /proc/net; an unknown uid is named as a number, never as a user. */
static void test_socket_user(void **unused)
{
	const struct collector *c = &socket_collector;
	char buf[1024];
	void *st;
	int n;

	(void)unused;
	proc(10, "x11vnc", 100, 0x400000, "/usr/bin/x11vnc");
	link_to("socket:[111]", "proc/10/fd/3");
	n = snprintf(buf, sizeof(buf), "%s"
		     "   0: 00000000:170C 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000 0 111 1\n"
		     "   1: 00000000:170D 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000 0 222 1\n"
		     "   2: 00000000:170E 00000000:0000 0A 00000000:00000000 00:00000000 00000000  4242 0 333 1\n",
		     tcp_hdr);
	put("proc/net/tcp", buf, (size_t)n);
	st = start(c, catch_socket_what);
	nsock = 0;
	assert_int_equal(c->scan(st), 0);
	assert_int_equal(nsock, 3);
	assert_string_equal(sock_what[0], "tcp listen 0.0.0.0:5900 by x11vnc (pid 10, user alice)");
	assert_string_equal(sock_what[1],
			    "tcp listen 0.0.0.0:5901 by unknown process (socket of user alice)");
	assert_string_equal(sock_what[2],
			    "tcp listen 0.0.0.0:5902 by unknown process (socket of uid 4242)");
	c->free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_process_diff, setup, teardown),
		cmocka_unit_test_setup_teardown(test_socket_diff, setup, teardown),
		cmocka_unit_test_setup_teardown(test_process_exe_unreadable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_socket_user, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
