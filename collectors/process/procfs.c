/* SPDX-License-Identifier: Apache-2.0 */
/*
 * procfs.c - pure parsers for /proc/PID/{stat,status,cmdline}, /proc/stat,
 * /proc/net/{tcp,tcp6,udp,udp6}, fd links and /etc/passwd lines.
 *
 * Nothing here reads a file or logs: the collectors hand in what they read
 * (bounded) and get a struct or -EINVAL back, so malformed input is counted
 * by the caller and the parsers can be tested on hostile bytes directly.
 * Inputs are not NUL-terminated: every scan is bounded by len.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "procfs.h"

static bool procfs_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Parse an unsigned number in base 10 or 16 from [*p, end), at most max;
 * advance *p past it.  false on no digits or overflow. */
static bool procfs_number(const char **p, const char *end, int base,
			  uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	const char *s = *p;

	while (s < end) {
		int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			break;
		if (v > (max - (uint64_t)d) / (uint64_t)base)
			return false;
		v = v * (uint64_t)base + (uint64_t)d;
		s++;
	}
	if (s == *p)
		return false;
	*p = s;
	*out = v;
	return true;
}

static void procfs_skip_blanks(const char **p, const char *end)
{
	while (*p < end && procfs_is_blank(**p))
		(*p)++;
}

/* Skip one blank-separated token; false if none. */
static bool procfs_skip_token(const char **p, const char *end)
{
	const char *s;

	procfs_skip_blanks(p, end);
	s = *p;
	while (*p < end && !procfs_is_blank(**p) && **p != '\n')
		(*p)++;
	return *p > s;
}

/* A decimal token (optionally negative, for stat fields we only skip or
 * that may be -1), ending at a blank, newline or end. */
static bool procfs_dec_token(const char **p, const char *end, uint64_t max,
			     uint64_t *out)
{
	procfs_skip_blanks(p, end);
	if (!procfs_number(p, end, 10, max, out))
		return false;
	return *p == end || procfs_is_blank(**p) || **p == '\n';
}

static void procfs_copy_printable(char *dst, size_t dstlen, const char *src, size_t n)
{
	size_t i;

	if (dstlen == 0)
		return;
	if (n > dstlen - 1)
		n = dstlen - 1;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)src[i];

		dst[i] = (char)(c < 0x20 || c == 0x7f ? '?' : c);
	}
	dst[i] = '\0';
}

int procfs_parse_stat(const char *buf, size_t len, struct procfs_stat *out)
{
	const char *end = buf + len, *p = buf, *open, *close = NULL;
	uint64_t v;

	if (!buf || !out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (!procfs_dec_token(&p, end, INT32_MAX, &v) || v == 0)
		return -EINVAL;
	out->pid = (int32_t)v;
	procfs_skip_blanks(&p, end);
	if (p >= end || *p != '(')
		return -EINVAL;
	open = p;
	/* The comm is whatever the process chose, ')' and newlines included:
	 * only the last ')' of the line ends it. */
	for (const char *s = open + 1; s < end; s++)
		if (*s == ')')
			close = s;
	if (!close)
		return -EINVAL;
	procfs_copy_printable(out->comm, sizeof(out->comm), open + 1,
			      (size_t)(close - open - 1));
	p = close + 1;
	procfs_skip_blanks(&p, end);
	if (p >= end || procfs_is_blank(*p) || *p == '\n')
		return -EINVAL;
	out->state = *p++;
	if (p < end && !procfs_is_blank(*p))
		return -EINVAL;
	if (!procfs_dec_token(&p, end, INT32_MAX, &v))
		return -EINVAL;
	out->ppid = (int32_t)v;
	/* Fields 5..8: pgrp session tty_nr tpgid (tpgid may be -1). */
	for (int i = 0; i < 4; i++)
		if (!procfs_skip_token(&p, end))
			return -EINVAL;
	if (!procfs_dec_token(&p, end, UINT32_MAX, &v))
		return -EINVAL;
	out->flags = (uint32_t)v;
	/* Fields 10..21: minflt .. itrealvalue (priority and nice may be
	 * negative); field 22 is starttime. */
	for (int i = 0; i < 12; i++)
		if (!procfs_skip_token(&p, end))
			return -EINVAL;
	if (!procfs_dec_token(&p, end, UINT64_MAX, &v))
		return -EINVAL;
	out->starttime = v;
	return 0;
}

/* Find a line starting with key within [buf, buf+len); returns a pointer
 * just after the key, or NULL. */
static const char *procfs_find_line(const char *buf, size_t len, const char *key)
{
	size_t klen = strlen(key);
	const char *p = buf, *end = buf + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;

		if ((size_t)(eol - p) >= klen && memcmp(p, key, klen) == 0)
			return p + klen;
		p = nl ? nl + 1 : end;
	}
	return NULL;
}

int procfs_parse_status_uid(const char *buf, size_t len, uint32_t *uid)
{
	const char *p, *end = buf + len;
	uint64_t v;

	if (!buf || !uid)
		return -EINVAL;
	p = procfs_find_line(buf, len, "Uid:");
	if (!p)
		return -EINVAL;
	/* real, then effective */
	if (!procfs_dec_token(&p, end, UINT32_MAX, &v) ||
	    !procfs_dec_token(&p, end, UINT32_MAX, &v))
		return -EINVAL;
	*uid = (uint32_t)v;
	return 0;
}

int procfs_parse_btime(const char *buf, size_t len, uint64_t *btime)
{
	const char *p, *end = buf + len;
	uint64_t v;

	if (!buf || !btime)
		return -EINVAL;
	p = procfs_find_line(buf, len, "btime ");
	if (!p || !procfs_dec_token(&p, end, UINT64_MAX / 2, &v))
		return -EINVAL;
	*btime = v;
	return 0;
}

bool procfs_cmdline(const char *buf, size_t len, char *out, size_t outlen)
{
	size_t n = 0, i;

	if (!out || outlen == 0)
		return len > 0;
	out[0] = '\0';
	if (!buf)
		return false;
	while (len > 0 && buf[len - 1] == '\0')
		len--;
	for (i = 0; i < len && n + 1 < outlen; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (c == '\0')
			out[n++] = ' ';
		else
			out[n++] = (char)(c < 0x20 || c == 0x7f ? '?' : c);
	}
	out[n] = '\0';
	return i < len;
}

bool procfs_argv0(const char *buf, size_t len, char *out, size_t outlen)
{
	size_t n = 0, i;

	if (!out || outlen == 0)
		return false;
	out[0] = '\0';
	if (!buf)
		return false;
	for (i = 0; i < len && buf[i] != '\0'; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (n + 1 >= outlen) {
			out[0] = '\0';	/* cut: a path we cannot hold is no path */
			return false;
		}
		out[n++] = (char)(c < 0x20 || c == 0x7f ? '?' : c);
	}
	out[n] = '\0';
	return n > 0;
}

/* The kernel sets comm from the executable's base name, cut to
 * TASK_COMM_LEN - 1 = 15 bytes (fs/exec.c, __set_task_comm). */
bool procfs_comm_is_name(const char *comm, const char *name)
{
	size_t cl, nl;

	if (!comm || !name || !*comm || strchr(name, '/'))
		return false;
	cl = strlen(comm);
	nl = strlen(name);
	if (cl > PROCFS_TASK_COMM_CUT)
		return false;
	if (nl == cl)
		return strcmp(comm, name) == 0;
	return cl == PROCFS_TASK_COMM_CUT && nl > cl && strncmp(comm, name, cl) == 0;
}

const char *procfs_errno_name(int err, char *buf, size_t len)
{
	static const struct {
		int err;
		const char *name;
	} names[] = {
		{ EACCES, "EACCES" }, { EPERM, "EPERM" },   { ENOENT, "ENOENT" },
		{ ESRCH, "ESRCH" },   { EINVAL, "EINVAL" }, { ENAMETOOLONG, "ENAMETOOLONG" },
		{ ELOOP, "ELOOP" },   { ENOTDIR, "ENOTDIR" }, { EIO, "EIO" },
	};

	if (err < 0)
		err = -err;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].err == err)
			return names[i].name;
	if (buf && len)
		snprintf(buf, len, "errno %d", err);
	return buf && len ? buf : "error";
}

int procfs_parse_passwd_line(const char *line, size_t len, char *name,
			     size_t namelen, uint32_t *uid)
{
	const char *end = line + len, *c1, *c2, *p;
	uint64_t v;

	if (!line || !name || namelen == 0 || !uid)
		return -EINVAL;
	if (len == 0 || line[0] == '#' || line[0] == '+' || line[0] == '-' ||
	    line[0] == ':')
		return -EINVAL;
	c1 = memchr(line, ':', len);
	if (!c1)
		return -EINVAL;
	c2 = memchr(c1 + 1, ':', (size_t)(end - c1 - 1));
	if (!c2)
		return -EINVAL;
	p = c2 + 1;
	if (!procfs_number(&p, end, 10, UINT32_MAX, &v) || p >= end || *p != ':')
		return -EINVAL;
	procfs_copy_printable(name, namelen, line, (size_t)(c1 - line));
	*uid = (uint32_t)v;
	return 0;
}

bool procfs_pid_name(const char *name, int32_t *pid)
{
	long v = 0;

	if (!*name)
		return false;
	for (const char *p = name; *p; p++) {
		if (*p < '0' || *p > '9' || v > INT32_MAX / 10)
			return false;
		v = v * 10 + (*p - '0');
	}
	if (v <= 0 || v > INT32_MAX)
		return false;
	*pid = (int32_t)v;
	return true;
}

bool procfs_socket_inode(const char *link, size_t len, uint64_t *inode)
{
	const char *p, *end = link + len;
	uint64_t v;

	if (!link || len < 10 || memcmp(link, "socket:[", 8) != 0)
		return false;
	p = link + 8;
	if (!procfs_number(&p, end, 10, UINT64_MAX, &v) || p + 1 != end || *p != ']')
		return false;
	*inode = v;
	return true;
}

const char *procfs_tcp_state_name(unsigned int state)
{
	static const char *const names[] = {
		[PROCFS_TCP_ESTABLISHED] = "established",
		[PROCFS_TCP_SYN_SENT] = "syn_sent",
		[PROCFS_TCP_SYN_RECV] = "syn_recv",
		[PROCFS_TCP_FIN_WAIT1] = "fin_wait1",
		[PROCFS_TCP_FIN_WAIT2] = "fin_wait2",
		[PROCFS_TCP_TIME_WAIT] = "time_wait",
		[PROCFS_TCP_CLOSE] = "close",
		[PROCFS_TCP_CLOSE_WAIT] = "close_wait",
		[PROCFS_TCP_LAST_ACK] = "last_ack",
		[PROCFS_TCP_LISTEN] = "listen",
		[PROCFS_TCP_CLOSING] = "closing",
		[PROCFS_TCP_NEW_SYN_RECV] = "new_syn_recv",
	};

	if (state < sizeof(names) / sizeof(names[0]) && names[state])
		return names[state];
	return "unknown";
}

/* "HEX:PORT" with 8 (v4) or 32 (v6) address digits, exactly. */
static bool procfs_addr_port(const char **p, const char *end, int family,
			     struct ip_addr *ip, uint16_t *port)
{
	size_t words = family == AF_INET ? 1 : 4;
	uint64_t v;

	procfs_skip_blanks(p, end);
	memset(ip, 0, sizeof(*ip));
	ip->family = (uint8_t)family;
	for (size_t w = 0; w < words; w++) {
		const char *s = *p;
		uint32_t word;

		if ((size_t)(end - s) < 8 || !procfs_number(p, s + 8, 16, UINT32_MAX, &v) ||
		    *p != s + 8)
			return false;
		/* The kernel printed the word as it sits in memory (host
		 * order): storing it back the same way gives network order. */
		word = (uint32_t)v;
		memcpy(ip->bytes + 4 * w, &word, 4);
	}
	if (*p >= end || **p != ':')
		return false;
	(*p)++;
	if (!procfs_number(p, end, 16, 0xffff, &v))
		return false;
	if (*p < end && !procfs_is_blank(**p))
		return false;
	*port = (uint16_t)v;
	return true;
}

/* A hex token such as the st column. */
static bool procfs_hex_token(const char **p, const char *end, uint64_t max, uint64_t *out)
{
	procfs_skip_blanks(p, end);
	if (!procfs_number(p, end, 16, max, out))
		return false;
	return *p == end || procfs_is_blank(**p) || **p == '\n';
}

int procfs_parse_net_line(const char *line, size_t len, int family,
			  struct procfs_sock *out)
{
	const char *p = line, *end = line + len;
	uint64_t v;

	if (!line || !out || (family != AF_INET && family != AF_INET6))
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	procfs_skip_blanks(&p, end);
	if ((size_t)(end - p) >= 2 && memcmp(p, "sl", 2) == 0)
		return -ENOENT;
	/* "N:" slot number */
	if (!procfs_number(&p, end, 10, UINT32_MAX, &v) || p >= end || *p != ':')
		return -EINVAL;
	p++;
	if (!procfs_addr_port(&p, end, family, &out->local, &out->local_port) ||
	    !procfs_addr_port(&p, end, family, &out->remote, &out->remote_port))
		return -EINVAL;
	if (!procfs_hex_token(&p, end, 0xff, &v))
		return -EINVAL;
	out->state = (unsigned int)v;
	/* tx_queue:rx_queue, tr:tm->when, retrnsmt */
	for (int i = 0; i < 3; i++)
		if (!procfs_skip_token(&p, end))
			return -EINVAL;
	if (!procfs_dec_token(&p, end, UINT32_MAX, &v))
		return -EINVAL;
	out->uid = (uint32_t)v;
	if (!procfs_skip_token(&p, end))	/* timeout */
		return -EINVAL;
	if (!procfs_dec_token(&p, end, UINT64_MAX, &v))
		return -EINVAL;
	out->inode = v;
	return 0;
}

static const uint8_t procfs_v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

void procfs_ip_unmap(struct ip_addr *ip)
{
	if (!ip || ip->family != AF_INET6 || memcmp(ip->bytes, procfs_v4mapped, 12) != 0)
		return;
	memmove(ip->bytes, ip->bytes + 12, 4);
	memset(ip->bytes + 4, 0, 12);
	ip->family = AF_INET;
}

bool procfs_ip_is_loopback(const struct ip_addr *ip)
{
	static const uint8_t v6lo[16] = { [15] = 1 };

	if (!ip)
		return false;
	if (ip->family == AF_INET)
		return ip->bytes[0] == 127;
	if (memcmp(ip->bytes, procfs_v4mapped, 12) == 0)
		return ip->bytes[12] == 127;
	return memcmp(ip->bytes, v6lo, 16) == 0;
}

bool procfs_ip_is_any(const struct ip_addr *ip)
{
	static const uint8_t zero[16];

	if (!ip)
		return false;
	return memcmp(ip->bytes, zero, ip->family == AF_INET ? 4 : 16) == 0;
}
