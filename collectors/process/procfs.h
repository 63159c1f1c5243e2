/* SPDX-License-Identifier: Apache-2.0 */
/*
 * procfs.h - pure parsers for what the process and socket collectors read
 * from /proc (and /etc/passwd): no I/O, no logging, bounded, every input
 * treated as hostile.  A process names itself (comm, cmdline), so those
 * bytes are attacker-controlled; the kernel formats the rest, but a
 * --procfs fixture tree or a truncated read can hold anything.
 */
#ifndef FARMHOUND_PROCFS_H
#define FARMHOUND_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collectors/event.h"

/* The kernel's comm is 15 bytes + NUL (TASK_COMM_LEN); a fixture tree may
 * hold more, so keep a little room and cut the rest. */
#define PROCFS_COMM_MAX 64
/* PF_KTHREAD in the stat flags field (include/linux/sched.h). */
#define PROCFS_PF_KTHREAD 0x00200000u

struct procfs_stat {
	int32_t pid;
	char comm[PROCFS_COMM_MAX];	/* control bytes replaced by '?' */
	char state;			/* R S D Z T ... */
	int32_t ppid;
	uint32_t flags;
	uint64_t starttime;		/* clock ticks after boot */
};

/* /proc/PID/stat: "pid (comm) S ppid ...".  comm may hold blanks and ')',
 * so it ends at the LAST ')'.  0 or -EINVAL. */
int procfs_parse_stat(const char *buf, size_t len, struct procfs_stat *out);

/* The effective uid from /proc/PID/status ("Uid:\treal\teffective\t...",
 * as ps shows it).  0 or -EINVAL (no or bad Uid: line). */
int procfs_parse_status_uid(const char *buf, size_t len, uint32_t *uid);

/* "btime N" from /proc/stat: boot time, seconds since the epoch.
 * 0 or -EINVAL. */
int procfs_parse_btime(const char *buf, size_t len, uint64_t *btime);

/* /proc/PID/cmdline (NUL-separated arguments) as one line: arguments
 * joined by a blank, trailing NULs dropped, control bytes (< 0x20, 0x7f)
 * replaced by '?'.  Writes at most outlen-1 bytes plus a NUL; returns true
 * if the command line was cut to fit. */
bool procfs_cmdline(const char *buf, size_t len, char *out, size_t outlen);

/* The first argument of /proc/PID/cmdline (argv[0]: the program as its
 * starter named it, often the full path), control bytes replaced by '?'.
 * True when there is one and it fits in outlen-1 bytes; false (out "")
 * when empty or too long: a cut path names no file. */
bool procfs_argv0(const char *buf, size_t len, char *out, size_t outlen);

/* Is comm what the kernel makes of an executable called name (its base
 * name, cut to 15 bytes)?  False for a name holding '/'. */
#define PROCFS_TASK_COMM_CUT 15
bool procfs_comm_is_name(const char *comm, const char *name);

/* "EACCES", "EPERM", "ENOENT" ... for err (or -err); other values as
 * "errno N" in buf. */
const char *procfs_errno_name(int err, char *buf, size_t len);

/* One line of /etc/passwd: "name:x:uid:...".  0 and the name (cut to
 * namelen-1) and uid, or -EINVAL (comment, blank, NIS "+" entry, bad
 * uid). */
int procfs_parse_passwd_line(const char *line, size_t len, char *name,
			     size_t namelen, uint32_t *uid);

/* A /proc directory entry that names a process ("1234": digits only,
 * 1..INT32_MAX): true and the pid. */
bool procfs_pid_name(const char *name, int32_t *pid);

/* /proc/PID/fd/N link text "socket:[INODE]": true and the inode. */
bool procfs_socket_inode(const char *link, size_t len, uint64_t *inode);

/* The TCP states of include/net/tcp_states.h, as printed (hex) in the st
 * column of /proc/net/{tcp,udp}*.  UDP sockets use ESTABLISHED (connected)
 * and CLOSE (not connected: a bound "listener"). */
enum procfs_tcp_state {
	PROCFS_TCP_ESTABLISHED = 0x01,
	PROCFS_TCP_SYN_SENT = 0x02,
	PROCFS_TCP_SYN_RECV = 0x03,
	PROCFS_TCP_FIN_WAIT1 = 0x04,
	PROCFS_TCP_FIN_WAIT2 = 0x05,
	PROCFS_TCP_TIME_WAIT = 0x06,
	PROCFS_TCP_CLOSE = 0x07,
	PROCFS_TCP_CLOSE_WAIT = 0x08,
	PROCFS_TCP_LAST_ACK = 0x09,
	PROCFS_TCP_LISTEN = 0x0a,
	PROCFS_TCP_CLOSING = 0x0b,
	PROCFS_TCP_NEW_SYN_RECV = 0x0c,
};

/* Lower-case name of a state ("listen", "established", "close" ...), or
 * "unknown". */
const char *procfs_tcp_state_name(unsigned int state);

struct procfs_sock {
	struct ip_addr local;		/* network byte order, as event.h */
	struct ip_addr remote;
	uint16_t local_port;
	uint16_t remote_port;
	unsigned int state;
	uint32_t uid;
	uint64_t inode;
};

/* One line of /proc/net/{tcp,udp} (family AF_INET) or {tcp6,udp6}
 * (AF_INET6).  The kernel prints each 32-bit word of an address with %08X
 * in host byte order, so the bytes are recovered in host order too.  Any
 * run of blanks or tabs separates columns.  0, -ENOENT for the header line
 * ("sl local_address ..."), -EINVAL for anything malformed or truncated. */
int procfs_parse_net_line(const char *line, size_t len, int family,
			  struct procfs_sock *out);

/* An IPv4-mapped IPv6 address (::ffff:a.b.c.d) rewritten as IPv4, so
 * rules and messages see 192.0.2.1 rather than ::ffff:192.0.2.1. */
void procfs_ip_unmap(struct ip_addr *ip);
/* 127.0.0.0/8, ::1 (and mapped 127/8 before unmapping). */
bool procfs_ip_is_loopback(const struct ip_addr *ip);
/* 0.0.0.0 or :: */
bool procfs_ip_is_any(const struct ip_addr *ip);

#endif
