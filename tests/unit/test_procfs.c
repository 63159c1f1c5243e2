/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_procfs.c - the /proc parsers (collectors/process/procfs.c).
 *
 * Lines are written in the kernel's formats: /proc/PID/stat per
 * proc_pid_stat() (fs/proc/array.c, "pid (comm) S ppid pgrp session tty_nr
 * tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime
 * priority nice num_threads itrealvalue starttime ..."), /proc/net/tcp per
 * get_tcp4_sock() ("%4d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX
 * %08X %5u %8d %lu ...") and tcp6 per get_tcp6_sock() (four %08X words of
 * s6_addr32, host order).  Address hex below is for a little-endian host,
 * where 127.0.0.1 prints as 0100007F; the net tests are skipped on
 * big-endian hosts.  Hostile cases: comm with blanks, ')' and newlines,
 * truncated lines, garbage, overlong numbers.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include <cmocka.h>

#include "collectors/process/procfs.h"

#define S(lit) (lit), (sizeof(lit) - 1)

/* A real line: bash, pid 4242, parent 4200, flags 0x400100, start 123456. */
static const char stat_bash[] =
	"4242 (bash) S 4200 4242 4242 34816 4300 4194560 2000 30000 0 3 5 2 40 20 20 0 1 0 "
	"123456 10000000 1200 18446744073709551615 1 1 0 0 0 0 65536 3670020 1266777851 0 0 0 17 "
	"3 0 0 0 0 0\n";

static void test_stat_plain(void **unused)
{
	struct procfs_stat ps;

	(void)unused;
	assert_int_equal(procfs_parse_stat(S(stat_bash), &ps), 0);
	assert_int_equal(ps.pid, 4242);
	assert_string_equal(ps.comm, "bash");
	assert_int_equal(ps.state, 'S');
	assert_int_equal(ps.ppid, 4200);
	assert_int_equal(ps.flags, 4194560);
	assert_int_equal(ps.starttime, 123456);
	assert_false(ps.flags & PROCFS_PF_KTHREAD);
}

/* comm is chosen by the process: blanks, ')' and '(' inside are kept, the
 * LAST ')' ends it; a newline in it becomes '?'. */
static void test_stat_hostile_comm(void **unused)
{
	static const char l1[] =
		"77 (evil) S 1 (x) ) R 5 77 77 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 1 0 999 0 0\n";
	static const char l2[] =
		"78 (a\nb) Z 1 78 78 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 1 0 1000 0 0\n";
	static const char l3[] = "79 () S 1 79 79 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0\n";
	struct procfs_stat ps;

	(void)unused;
	assert_int_equal(procfs_parse_stat(S(l1), &ps), 0);
	assert_string_equal(ps.comm, "evil) S 1 (x) ");
	assert_int_equal(ps.state, 'R');
	assert_int_equal(ps.ppid, 5);
	assert_int_equal(ps.starttime, 999);
	assert_int_equal(procfs_parse_stat(S(l2), &ps), 0);
	assert_string_equal(ps.comm, "a?b");
	assert_int_equal(ps.state, 'Z');
	assert_int_equal(ps.starttime, 1000);
	assert_int_equal(procfs_parse_stat(S(l3), &ps), 0);
	assert_string_equal(ps.comm, "");
	assert_int_equal(ps.starttime, 5);
}

/* An overlong comm (only a fixture can hold one) is cut, not overrun. */
static void test_stat_long_comm(void **unused)
{
	char line[512];
	struct procfs_stat ps;
	int n;

	(void)unused;
	n = snprintf(line, sizeof(line), "5 (%0200d) S 1 5 5 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 42 0\n", 0);
	assert_int_equal(procfs_parse_stat(line, (size_t)n, &ps), 0);
	assert_int_equal(strlen(ps.comm), PROCFS_COMM_MAX - 1);
	assert_int_equal(ps.starttime, 42);
}

static void test_stat_kthread(void **unused)
{
	static const char kw[] =
		"9 (kworker/0:1-events) I 2 0 0 0 -1 69238880 0 0 0 0 0 0 0 0 20 0 1 0 3 0 0\n";
	struct procfs_stat ps;

	(void)unused;
	assert_int_equal(procfs_parse_stat(S(kw), &ps), 0);
	assert_true(ps.flags & PROCFS_PF_KTHREAD);
	assert_int_equal(ps.ppid, 2);
}

static void test_stat_garbage(void **unused)
{
	static const char *const bad[] = {
		"",
		"4242",
		"4242 bash S 1",					/* no parens */
		"4242 (bash S 4200 4242 4242 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5",	/* no ')' */
		"4242 (bash) S 4200 4242 4242 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0",	/* cut before starttime */
		"4242 (bash) S",
		"4242 (bash) S x 4242 4242 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5",	/* ppid */
		"4242 (bash) SS 4200 4242 4242 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5",
		"0 (bash) S 1 0 0 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5",		/* pid 0 */
		"99999999999 (x) S 1 0 0 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5",	/* pid > int32 */
		"12 (x) S 1 0 0 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 99999999999999999999999",
		"12 (x) S 1 0 0 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5x",
		"\x01\x02\xff(\xfe)",
	};
	struct procfs_stat ps;

	(void)unused;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(procfs_parse_stat(bad[i], strlen(bad[i]), &ps), -EINVAL);
}

/* The parser must not read past len even when the buffer goes on. */
static void test_stat_bounded(void **unused)
{
	struct procfs_stat ps;
	size_t cut = (size_t)(strstr(stat_bash, "123456") - stat_bash);

	(void)unused;
	assert_int_equal(procfs_parse_stat(stat_bash, cut, &ps), -EINVAL);
	assert_int_equal(procfs_parse_stat(stat_bash, cut + 3, &ps), 0);
	assert_int_equal(ps.starttime, 123);
}

static void test_status_uid(void **unused)
{
	static const char st[] = "Name:\tsleep\nUmask:\t0022\nState:\tS (sleeping)\n"
				 "Tgid:\t10\nPid:\t10\nPPid:\t1\nUid:\t1000\t0\t0\t0\nGid:\t100\t100\t100\t100\n";
	static const char nouid[] = "Name:\tx\nGid:\t0\t0\t0\t0\n";
	static const char baduid[] = "Uid:\tabc\t1\n";
	static const char cut[] = "Uid:\t1000";
	uint32_t uid = 7;

	(void)unused;
	assert_int_equal(procfs_parse_status_uid(S(st), &uid), 0);
	assert_int_equal(uid, 0);	/* effective, as ps shows it */
	assert_int_equal(procfs_parse_status_uid(S(nouid), &uid), -EINVAL);
	assert_int_equal(procfs_parse_status_uid(S(baduid), &uid), -EINVAL);
	assert_int_equal(procfs_parse_status_uid(S(cut), &uid), -EINVAL);
}

static void test_btime(void **unused)
{
	static const char st[] = "cpu  1 2 3 4\nintr 5\nctxt 6\nbtime 1795434600\nprocesses 7\n";
	uint64_t bt = 0;

	(void)unused;
	assert_int_equal(procfs_parse_btime(S(st), &bt), 0);
	assert_int_equal(bt, 1795434600);
	assert_int_equal(procfs_parse_btime(S("cpu 1\nbtimex 5\n"), &bt), -EINVAL);
	assert_int_equal(procfs_parse_btime(S("btime \n"), &bt), -EINVAL);
}

static void test_cmdline(void **unused)
{
	char out[32];

	(void)unused;
	assert_false(procfs_cmdline(S("/usr/bin/anydesk\0--service\0"), out, sizeof(out)));
	assert_string_equal(out, "/usr/bin/anydesk --service");
	/* control bytes and an empty argument */
	assert_false(procfs_cmdline(S("a\tb\0\0c\x1b[0m\x7f"), out, sizeof(out)));
	assert_string_equal(out, "a?b  c?[0m?");
	/* UTF-8 passes through */
	assert_false(procfs_cmdline(S("caf\xc3\xa9"), out, sizeof(out)));
	assert_string_equal(out, "caf\xc3\xa9");
	/* empty (kernel thread, zombie) */
	assert_false(procfs_cmdline("", 0, out, sizeof(out)));
	assert_string_equal(out, "");
	assert_false(procfs_cmdline(S("\0\0\0"), out, sizeof(out)));
	assert_string_equal(out, "");
	/* bounded: cut and said so */
	assert_true(procfs_cmdline(S("0123456789\0" "0123456789\0" "0123456789\0" "tail"),
				   out, sizeof(out)));
	assert_int_equal(strlen(out), sizeof(out) - 1);
	assert_string_equal(out, "0123456789 0123456789 012345678");
}

/* argv[0]: the first argument, cleaned; nothing when empty or cut (a cut
 * path names no file). */
static void test_argv0(void **unused)
{
	char out[20];

	(void)unused;
	assert_true(procfs_argv0(S("/usr/bin/anydesk\0--service\0"), out, sizeof(out)));
	assert_string_equal(out, "/usr/bin/anydesk");
	assert_true(procfs_argv0(S("x11vnc"), out, sizeof(out)));	/* no NUL at all */
	assert_string_equal(out, "x11vnc");
	assert_true(procfs_argv0(S("a\tb\x7f\0c"), out, sizeof(out)));
	assert_string_equal(out, "a?b?");
	assert_false(procfs_argv0("", 0, out, sizeof(out)));
	assert_string_equal(out, "");
	assert_false(procfs_argv0(S("\0rest"), out, sizeof(out)));
	assert_string_equal(out, "");
	/* 19 bytes fit, 20 do not */
	assert_true(procfs_argv0(S("/0123456789abcdefgh\0"), out, sizeof(out)));
	assert_false(procfs_argv0(S("/0123456789abcdefghi\0"), out, sizeof(out)));
	assert_string_equal(out, "");
	assert_false(procfs_argv0(NULL, 4, out, sizeof(out)));
	assert_false(procfs_argv0(S("x"), NULL, 0));
}

/* comm as the kernel derives it from a file name: the base name, cut at
 * 15 bytes. */
static void test_comm_is_name(void **unused)
{
	(void)unused;
	assert_true(procfs_comm_is_name("anydesk", "anydesk"));
	assert_false(procfs_comm_is_name("anydesk", "anydesk-notes"));
	assert_false(procfs_comm_is_name("anydesk-notes", "anydesk"));
	assert_false(procfs_comm_is_name("sshd", "anydesk"));
	/* chrome-remote-desktop-host -> "chrome-remote-d" */
	assert_true(procfs_comm_is_name("chrome-remote-d", "chrome-remote-desktop-host"));
	/* a 14-byte comm is not a cut one */
	assert_false(procfs_comm_is_name("chrome-remote-", "chrome-remote-desktop-host"));
	assert_false(procfs_comm_is_name("a", "b/a"));
	assert_false(procfs_comm_is_name("", ""));
	assert_false(procfs_comm_is_name(NULL, "a"));
	assert_false(procfs_comm_is_name("a", NULL));
}

static void test_errno_name(void **unused)
{
	char buf[16];

	(void)unused;
	assert_string_equal(procfs_errno_name(EACCES, buf, sizeof(buf)), "EACCES");
	assert_string_equal(procfs_errno_name(-EPERM, buf, sizeof(buf)), "EPERM");
	assert_string_equal(procfs_errno_name(ENOENT, buf, sizeof(buf)), "ENOENT");
	assert_string_equal(procfs_errno_name(4095, buf, sizeof(buf)), "errno 4095");
	assert_non_null(procfs_errno_name(4095, NULL, 0));
}

static void test_passwd(void **unused)
{
	char name[16];
	uint32_t uid = 0;

	(void)unused;
	assert_int_equal(procfs_parse_passwd_line(S("alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash"),
						  name, sizeof(name), &uid), 0);
	assert_string_equal(name, "alice");
	assert_int_equal(uid, 1000);
	assert_int_equal(procfs_parse_passwd_line(S("nobody:x:65534:65534::/:/usr/sbin/nologin"),
						  name, sizeof(name), &uid), 0);
	assert_int_equal(uid, 65534);
	/* a long name is cut to the buffer */
	assert_int_equal(procfs_parse_passwd_line(S("averyveryverylongusername:x:5:5::/:"),
						  name, sizeof(name), &uid), 0);
	assert_string_equal(name, "averyveryverylo");
	assert_int_equal(procfs_parse_passwd_line(S("# comment"), name, sizeof(name), &uid), -EINVAL);
	assert_int_equal(procfs_parse_passwd_line(S("+@netgroup::::::"), name, sizeof(name), &uid), -EINVAL);
	assert_int_equal(procfs_parse_passwd_line(S("bob:x:12a:1::/:"), name, sizeof(name), &uid), -EINVAL);
	assert_int_equal(procfs_parse_passwd_line(S("bob:x:99999999999:1::/:"), name, sizeof(name), &uid), -EINVAL);
	assert_int_equal(procfs_parse_passwd_line(S("bob:x:"), name, sizeof(name), &uid), -EINVAL);
	assert_int_equal(procfs_parse_passwd_line(S("bob"), name, sizeof(name), &uid), -EINVAL);
	assert_int_equal(procfs_parse_passwd_line("", 0, name, sizeof(name), &uid), -EINVAL);
}

/* The process directories of /proc: digits only, 1..INT32_MAX. */
static void test_pid_name(void **unused)
{
	static const char *const bad[] = {
		"", "0", "self", "12a", "-1", "+1", " 1", "1 ",
		"2147483648", "99999999999999999999",
	};
	int32_t pid = -1;

	(void)unused;
	assert_true(procfs_pid_name("1", &pid));
	assert_int_equal(pid, 1);
	assert_true(procfs_pid_name("007", &pid));
	assert_int_equal(pid, 7);
	assert_true(procfs_pid_name("2147483647", &pid));
	assert_int_equal(pid, INT32_MAX);
	pid = -1;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(procfs_pid_name(bad[i], &pid));
	assert_int_equal(pid, -1);
}

static void test_socket_inode(void **unused)
{
	uint64_t ino = 0;

	(void)unused;
	assert_true(procfs_socket_inode(S("socket:[38188]"), &ino));
	assert_int_equal(ino, 38188);
	assert_false(procfs_socket_inode(S("pipe:[38188]"), &ino));
	assert_false(procfs_socket_inode(S("socket:[]"), &ino));
	assert_false(procfs_socket_inode(S("socket:[12"), &ino));
	assert_false(procfs_socket_inode(S("socket:[12]x"), &ino));
	assert_false(procfs_socket_inode(S("socket:[-1]"), &ino));
	assert_false(procfs_socket_inode(S("/dev/null"), &ino));
	assert_false(procfs_socket_inode(S("socket:[99999999999999999999999]"), &ino));
}

/* ---- /proc/net ---- */

static bool little_endian(void)
{
	uint16_t one = 1;

	return *(uint8_t *)&one == 1;
}

static void expect_ip(const struct ip_addr *ip, int family, const char *text)
{
	uint8_t want[16] = { 0 };

	assert_int_equal(ip->family, family);
	assert_int_equal(inet_pton(family, text, want), 1);
	assert_memory_equal(ip->bytes, want, family == AF_INET ? 4 : 16);
}

static void test_net_header(void **unused)
{
	static const char h4[] = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
				 "retrnsmt   uid  timeout inode";
	static const char h6[] = "  sl  local_address                         remote_address                        "
				 "st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode";
	struct procfs_sock s;

	(void)unused;
	assert_int_equal(procfs_parse_net_line(S(h4), AF_INET, &s), -ENOENT);
	assert_int_equal(procfs_parse_net_line(S(h6), AF_INET6, &s), -ENOENT);
}

static void test_net_tcp4(void **unused)
{
	static const char listen[] =
		"   0: 00000000:170C 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 38188 1 0000000000000000 100 0 0 10 0";
	static const char est[] =
		"   3: 0A00020F:170C 0A7100CB:C5D2 01 00000000:00000000 02:000AF7E4 00000000  1000        0 41234 2 0000000000000000 20 4 30 10 -1";
	static const char lo[] =
		"   1: 0100007F:0CEA 00000000:0000 0A 00000000:00000000 00:00000000 00000000   999        0 20557 1 0000000000000000 100 0 0 10 0";
	struct procfs_sock s;

	(void)unused;
	if (!little_endian())
		skip();
	assert_int_equal(procfs_parse_net_line(S(listen), AF_INET, &s), 0);
	expect_ip(&s.local, AF_INET, "0.0.0.0");
	assert_int_equal(s.local_port, 5900);
	assert_int_equal(s.remote_port, 0);
	assert_int_equal(s.state, PROCFS_TCP_LISTEN);
	assert_string_equal(procfs_tcp_state_name(s.state), "listen");
	assert_int_equal(s.uid, 0);
	assert_int_equal(s.inode, 38188);
	assert_true(procfs_ip_is_any(&s.local));
	assert_false(procfs_ip_is_loopback(&s.local));

	assert_int_equal(procfs_parse_net_line(S(est), AF_INET, &s), 0);
	expect_ip(&s.local, AF_INET, "15.2.0.10");
	expect_ip(&s.remote, AF_INET, "203.0.113.10");
	assert_int_equal(s.local_port, 5900);
	assert_int_equal(s.remote_port, 50642);
	assert_int_equal(s.state, PROCFS_TCP_ESTABLISHED);
	assert_string_equal(procfs_tcp_state_name(s.state), "established");
	assert_int_equal(s.uid, 1000);
	assert_int_equal(s.inode, 41234);

	assert_int_equal(procfs_parse_net_line(S(lo), AF_INET, &s), 0);
	expect_ip(&s.local, AF_INET, "127.0.0.1");
	assert_int_equal(s.local_port, 3306);
	assert_true(procfs_ip_is_loopback(&s.local));
	assert_int_equal(s.uid, 999);
}

/* Tabs, runs of blanks, no leading blanks, a trailing CR-less end. */
static void test_net_odd_whitespace(void **unused)
{
	static const char odd[] =
		"0:\t00000000:170C\t\t00000000:0000  0A   00000000:00000000\t00:00000000 00000000 0 0 7";
	struct procfs_sock s;

	(void)unused;
	assert_int_equal(procfs_parse_net_line(S(odd), AF_INET, &s), 0);
	assert_int_equal(s.local_port, 5900);
	assert_int_equal(s.inode, 7);
}

static void test_net_tcp6(void **unused)
{
	/* ::1 port 5938 listening */
	static const char lo6[] =
		"   0: 00000000000000000000000001000000:1732 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 555 1 0000000000000000 100 0 0 10 0";
	/* 2001:db8::1 port 21116 <- 2001:db8::beef port 40000 */
	static const char est6[] =
		"   1: B80D0120000000000000000001000000:527C B80D01200000000000000000EFBE0000:9C40 01 00000000:00000000 00:00000000 00000000  1000        0 556 1 0000000000000000 20 4 30 10 -1";
	/* ::ffff:192.0.2.10 port 5900 <- ::ffff:198.51.100.7 port 50000 */
	static const char mapped[] =
		"   2: 0000000000000000FFFF00000A0200C0:170C 0000000000000000FFFF0000076433C6:C350 01 00000000:00000000 00:00000000 00000000     0        0 557 1 0000000000000000 20 4 30 10 -1";
	struct procfs_sock s;

	(void)unused;
	if (!little_endian())
		skip();
	assert_int_equal(procfs_parse_net_line(S(lo6), AF_INET6, &s), 0);
	expect_ip(&s.local, AF_INET6, "::1");
	assert_int_equal(s.local_port, 5938);
	assert_true(procfs_ip_is_loopback(&s.local));
	assert_true(procfs_ip_is_any(&s.remote));

	assert_int_equal(procfs_parse_net_line(S(est6), AF_INET6, &s), 0);
	expect_ip(&s.local, AF_INET6, "2001:db8::1");
	expect_ip(&s.remote, AF_INET6, "2001:db8::beef");
	assert_int_equal(s.local_port, 21116);
	assert_int_equal(s.remote_port, 40000);
	assert_false(procfs_ip_is_loopback(&s.remote));
	procfs_ip_unmap(&s.remote);	/* not mapped: unchanged */
	assert_int_equal(s.remote.family, AF_INET6);

	assert_int_equal(procfs_parse_net_line(S(mapped), AF_INET6, &s), 0);
	expect_ip(&s.local, AF_INET6, "::ffff:192.0.2.10");
	procfs_ip_unmap(&s.local);
	procfs_ip_unmap(&s.remote);
	expect_ip(&s.local, AF_INET, "192.0.2.10");
	expect_ip(&s.remote, AF_INET, "198.51.100.7");
	assert_int_equal(s.remote_port, 50000);
}

static void test_net_mapped_loopback(void **unused)
{
	struct ip_addr ip = { .family = AF_INET6 };

	(void)unused;
	assert_int_equal(inet_pton(AF_INET6, "::ffff:127.0.0.5", ip.bytes), 1);
	assert_true(procfs_ip_is_loopback(&ip));
	procfs_ip_unmap(&ip);
	assert_int_equal(ip.family, AF_INET);
	assert_true(procfs_ip_is_loopback(&ip));
	assert_int_equal(inet_pton(AF_INET6, "::2", ip.bytes), 1);
	ip.family = AF_INET6;
	assert_false(procfs_ip_is_loopback(&ip));
}

static void test_net_udp(void **unused)
{
	static const char udp[] =
		"  120: 00000000:C351 00000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 9001 2 0000000000000000 0";
	struct procfs_sock s;

	(void)unused;
	assert_int_equal(procfs_parse_net_line(S(udp), AF_INET, &s), 0);
	assert_int_equal(s.local_port, 50001);
	assert_int_equal(s.state, PROCFS_TCP_CLOSE);
	assert_int_equal(s.inode, 9001);
}

static void test_net_garbage(void **unused)
{
	static const char *const bad4[] = {
		"",
		"   0:",
		"   0: 00000000:170C",					/* truncated */
		"   0: 00000000:170C 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0",
		"   0: 00000000:170C 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0",
		"   0: 0000000:170C 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1",	/* 7 digits */
		"   0: 000000000:170C 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1",	/* 9 digits */
		"   0: 0000000G:170C 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1",
		"   0: 00000000:1170C 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1",	/* port > ffff */
		"   0: 00000000:170C 00000000:0000 1FF 00000000:00000000 00:00000000 00000000 0 0 1",	/* state */
		"   0: 00000000:170C 00000000:0000 0A 00000000:00000000 00:00000000 00000000 x 0 1",	/* uid */
		"   0: 00000000:170C 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1z",	/* inode */
		"x: 00000000:170C 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1",
		"\xff\xfe\x00garbage",
	};
	/* a v4 line in the v6 table and the other way round */
	static const char v4[] =
		"   0: 00000000:170C 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1";
	static const char v6[] =
		"   0: 00000000000000000000000001000000:1732 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1";
	struct procfs_sock s;

	(void)unused;
	for (size_t i = 0; i < sizeof(bad4) / sizeof(bad4[0]); i++)
		assert_int_equal(procfs_parse_net_line(bad4[i], strlen(bad4[i]), AF_INET, &s), -EINVAL);
	assert_int_equal(procfs_parse_net_line(S(v4), AF_INET6, &s), -EINVAL);
	assert_int_equal(procfs_parse_net_line(S(v6), AF_INET, &s), -EINVAL);
	assert_int_equal(procfs_parse_net_line(S(v4), AF_UNIX, &s), -EINVAL);
}

static void test_state_names(void **unused)
{
	(void)unused;
	assert_string_equal(procfs_tcp_state_name(PROCFS_TCP_TIME_WAIT), "time_wait");
	assert_string_equal(procfs_tcp_state_name(PROCFS_TCP_CLOSE), "close");
	assert_string_equal(procfs_tcp_state_name(0), "unknown");
	assert_string_equal(procfs_tcp_state_name(0xff), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stat_plain),
		cmocka_unit_test(test_stat_hostile_comm),
		cmocka_unit_test(test_stat_long_comm),
		cmocka_unit_test(test_stat_kthread),
		cmocka_unit_test(test_stat_garbage),
		cmocka_unit_test(test_stat_bounded),
		cmocka_unit_test(test_status_uid),
		cmocka_unit_test(test_btime),
		cmocka_unit_test(test_cmdline),
		cmocka_unit_test(test_argv0),
		cmocka_unit_test(test_comm_is_name),
		cmocka_unit_test(test_errno_name),
		cmocka_unit_test(test_passwd),
		cmocka_unit_test(test_pid_name),
		cmocka_unit_test(test_socket_inode),
		cmocka_unit_test(test_net_header),
		cmocka_unit_test(test_net_tcp4),
		cmocka_unit_test(test_net_odd_whitespace),
		cmocka_unit_test(test_net_tcp6),
		cmocka_unit_test(test_net_mapped_loopback),
		cmocka_unit_test(test_net_udp),
		cmocka_unit_test(test_net_garbage),
		cmocka_unit_test(test_state_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
