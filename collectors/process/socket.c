/* SPDX-License-Identifier: Apache-2.0 */
/*
 * socket.c - listeners and established connections from /proc/net, with the
 * process that owns each.
 *
 * <procfs>/net/{tcp,tcp6,udp,udp6} list this network namespace's sockets;
 * the owner is found by walking <procfs>/PID/fd/ for links "socket:[INODE]"
 * (the kernel keeps no inode -> pid map).  Kept: TCP LISTEN, TCP ESTABLISHED
 * and bound, unconnected UDP sockets (UDP's "listeners").  Dropped as noise:
 * TIME_WAIT and the other TCP transition states, connected UDP sockets
 * (short-lived client sockets: DNS lookups) and sockets with inode 0 (no
 * owner left to name).
 *
 * Like the process collector, on the same skeleton (procwalk.h): scan()
 * reports every socket as present, on_tick (every rescan_interval, default
 * 15 s) reports add/remove for the difference.  A socket is identified by
 * its inode plus its addresses, so a new socket reusing a number is a new
 * socket.  The fd walk, the expensive part, runs only when a walk found
 * sockets not seen before, and stops once they all have an owner.
 * Bounded: SOCKET_MAX sockets (more are skipped and counted),
 * SOCKET_FDS_MAX descriptors looked at per process.
 *
 * Owners of other users' sockets: /proc/PID/fd is mode 0500, owned by
 * the process's user; listing it takes root (CAP_DAC_READ_SEARCH), and
 * CAP_SYS_PTRACE alone does not open it (measured under the unit with the
 * ptrace drop-in, tests/integration/systemd_boot.sh).  So as the shipped
 * unit runs, their sockets come without pid, comm and exe.  /proc/net
 * still gives every socket's uid (the user that created it), so the event
 * always carries uid and, from <rootfs>/etc/passwd, user; describe() says
 * "unknown process" and the socket's user, never a program it did not see.
 *
 * Addresses: IPv4-mapped IPv6 addresses (a v6 socket accepting a v4 peer)
 * are reported as IPv4.  is_loopback: a listener bound to a loopback
 * address, or a connection whose peer is a loopback address.  direction
 * (TCP connections only): inbound when the local port is one a TCP listener
 * of this host listens on, outbound otherwise.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

#include "lib/util.h"
#include "procfs.h"
#include "procwalk.h"
#include "pwusers.h"
#include "socket.h"

#define SOCKET_MAX		4096	/* sockets tracked */
#define SOCKET_FDS_MAX		65536	/* fds looked at per process */
#define SOCKET_LINE_MAX		512	/* a /proc/net line is ~150-180 bytes */
#define SOCKET_COMM_READ	256

static const struct field_def socket_fields[SOCKET__NFIELDS] = {
	[SOCKET_ACTION] = { "action", FIELD_STRING, "present (inventory), add (opened), remove (closed)" },
	[SOCKET_PROTOCOL] = { "protocol", FIELD_STRING, "tcp or udp" },
	[SOCKET_FAMILY] = { "family", FIELD_STRING, "ipv4 or ipv6 (the table it came from)" },
	[SOCKET_STATE] = { "state", FIELD_STRING,
		"listen, established (tcp); unconnected (bound udp)" },
	[SOCKET_LISTENING] = { "listening", FIELD_BOOL,
		"waits for peers: tcp listen or bound unconnected udp" },
	[SOCKET_LOCAL_IP] = { "local_ip", FIELD_IP, "local address (0.0.0.0 or :: for any)" },
	[SOCKET_LOCAL_PORT] = { "local_port", FIELD_INT, "local port" },
	[SOCKET_REMOTE_IP] = { "remote_ip", FIELD_IP, "peer address (connections only)" },
	[SOCKET_REMOTE_PORT] = { "remote_port", FIELD_INT, "peer port (connections only)" },
	[SOCKET_DIRECTION] = { "direction", FIELD_STRING,
		"tcp connections: inbound (local port is one we listen on) or outbound" },
	[SOCKET_IS_LOOPBACK] = { "is_loopback", FIELD_BOOL,
		"listener bound to loopback, or connection to a loopback peer" },
	[SOCKET_PID] = { "pid", FIELD_INT, "owning process (unset when not found)" },
	[SOCKET_COMM] = { "comm", FIELD_STRING, "owning process name" },
	[SOCKET_EXE] = { "exe", FIELD_STRING, "owning process executable" },
	[SOCKET_UID] = { "uid", FIELD_INT,
		"uid the socket belongs to (/proc/net; known even when the owning process is not)" },
	[SOCKET_INODE] = { "inode", FIELD_INT, "socket inode" },
	[SOCKET_USER] = { "user", FIELD_STRING, "user name of uid, from <rootfs>/etc/passwd" },
};

static const int socket_entity[] = {
	SOCKET_PROTOCOL, SOCKET_LOCAL_PORT, SOCKET_REMOTE_IP, SOCKET_REMOTE_PORT, -1
};

static void socket_endpoint(const struct event *ev, int ipf, int portf, char *buf, size_t len)
{
	const struct value *ip = event_get(ev, ipf), *port = event_get(ev, portf);
	char a[64] = "?";

	if (ip && ip->set)
		ip_addr_format(&ip->ip, a, sizeof(a));
	if (ip && ip->set && ip->ip.family == AF_INET6)
		snprintf(buf, len, "[%s]:%lld", a, port && port->set ? (long long)port->i : 0LL);
	else
		snprintf(buf, len, "%s:%lld", a, port && port->set ? (long long)port->i : 0LL);
}

static void socket_describe(const struct event *ev, char *buf, size_t len)
{
	const char *proto = event_get_str(ev, SOCKET_PROTOCOL);
	const char *state = event_get_str(ev, SOCKET_STATE);
	const char *comm = event_get_str(ev, SOCKET_COMM);
	const char *dir = event_get_str(ev, SOCKET_DIRECTION);
	const char *user = event_get_str(ev, SOCKET_USER);
	const struct value *pid = event_get(ev, SOCKET_PID);
	const struct value *uid = event_get(ev, SOCKET_UID);
	const struct value *rip = event_get(ev, SOCKET_REMOTE_IP);
	char local[80], remote[80] = "", owner[160], who[96] = "";

	socket_endpoint(ev, SOCKET_LOCAL_IP, SOCKET_LOCAL_PORT, local, sizeof(local));
	if (rip && rip->set)
		socket_endpoint(ev, SOCKET_REMOTE_IP, SOCKET_REMOTE_PORT, remote, sizeof(remote));
	/* The socket's user is what /proc/net says; the process only when
	 * its descriptors could be read. */
	if (user)
		snprintf(who, sizeof(who), "user %s", user);
	else if (uid && uid->set)
		snprintf(who, sizeof(who), "uid %lld", (long long)uid->i);
	if (pid && pid->set)
		snprintf(owner, sizeof(owner), "%s (pid %lld%s%s)", comm ? comm : "?",
			 (long long)pid->i, who[0] ? ", " : "", who);
	else if (who[0])
		snprintf(owner, sizeof(owner), "unknown process (socket of %s)", who);
	else
		snprintf(owner, sizeof(owner), "unknown process");
	snprintf(buf, len, "%s %s %s%s%s%s%s by %s", proto ? proto : "?", state ? state : "?",
		 local, remote[0] ? (dir && strcmp(dir, "inbound") == 0 ? " <- " : " -> ") : "",
		 remote, dir ? " " : "", dir ? dir : "", owner);
}

const struct source_def socket_source = {
	.id = SOURCE_SOCKET,
	.name = "socket",
	.fields = socket_fields,
	.nfields = SOCKET__NFIELDS,
	.entity_fields = socket_entity,
	.describe = socket_describe,
};

/* ---- state ---- */

enum socket_proto { SOCKET_TCP, SOCKET_UDP };

struct socket_rec {
	struct procfs_sock s;		/* addresses unmapped */
	uint8_t proto;
	uint8_t family;			/* of the table: AF_INET, AF_INET6 */
	bool listening;
	bool loopback;
	bool inbound;
	bool taken;
	bool fresh;
	int32_t pid;			/* 0: owner not found */
	char comm[PROCFS_COMM_MAX];
	char *exe;
};

/* pw first (procwalk.h): the procfs path, the periodic walk, skipped. */
struct socket_state {
	struct procwalk pw;
	struct socket_rec *recs;	/* sorted by inode */
	size_t nrecs;
	struct pwusers users;
	bool noted_owner;
};
_Static_assert(offsetof(struct socket_state, pw) == 0, "procwalk.h: pw first");

struct socket_walk {
	struct socket_rec *recs;
	size_t n;
	size_t cap;
	size_t unresolved;		/* fresh records without an owner yet */
};

static const struct {
	const char *file;
	uint8_t proto;
	int family;
} socket_tables[] = {
	{ "tcp", SOCKET_TCP, AF_INET },
	{ "tcp6", SOCKET_TCP, AF_INET6 },
	{ "udp", SOCKET_UDP, AF_INET },
	{ "udp6", SOCKET_UDP, AF_INET6 },
};

static int socket_cmp_inode(const void *a, const void *b)
{
	const struct socket_rec *x = a, *y = b;

	return (x->s.inode > y->s.inode) - (x->s.inode < y->s.inode);
}

static struct socket_rec *socket_find(struct socket_rec *recs, size_t n, uint64_t inode)
{
	struct socket_rec key = { .s.inode = inode };

	return n ? bsearch(&key, recs, n, sizeof(*recs), socket_cmp_inode) : NULL;
}

static bool socket_same(const struct socket_rec *a, const struct socket_rec *b)
{
	return a->proto == b->proto && a->s.state == b->s.state &&
	       a->s.local_port == b->s.local_port && a->s.remote_port == b->s.remote_port &&
	       memcmp(&a->s.local, &b->s.local, sizeof(a->s.local)) == 0 &&
	       memcmp(&a->s.remote, &b->s.remote, sizeof(a->s.remote)) == 0;
}

static void socket_recs_free(struct socket_rec *recs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(recs[i].exe);
	free(recs);
}

/* ---- reading the tables ---- */

/* Is this socket one we report?  Sets listening. */
static bool socket_keep(struct socket_rec *r)
{
	if (r->s.inode == 0)
		return false;
	if (r->proto == SOCKET_TCP) {
		r->listening = r->s.state == PROCFS_TCP_LISTEN;
		return r->listening || r->s.state == PROCFS_TCP_ESTABLISHED;
	}
	r->listening = r->s.state == PROCFS_TCP_CLOSE && r->s.local_port != 0;
	return r->listening;
}

static void socket_add_line(struct socket_state *st, struct socket_walk *w,
			    const char *line, size_t len, uint8_t proto, int family)
{
	struct socket_rec r = { .proto = proto, .family = (uint8_t)family };
	int q = procfs_parse_net_line(line, len, family, &r.s);

	if (q == -ENOENT)
		return;		/* the header */
	if (q < 0) {
		st->pw.skipped++;
		return;
	}
	if (!socket_keep(&r))
		return;
	procfs_ip_unmap(&r.s.local);
	procfs_ip_unmap(&r.s.remote);
	r.loopback = procfs_ip_is_loopback(r.listening ? &r.s.local : &r.s.remote);
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 64;
		struct socket_rec *nr;

		if (cap > SOCKET_MAX)
			cap = SOCKET_MAX;
		if (w->n == cap) {
			st->pw.skipped++;
			return;
		}
		nr = realloc(w->recs, cap * sizeof(*nr));
		if (!nr) {
			st->pw.skipped++;
			return;
		}
		w->recs = nr;
		w->cap = cap;
	}
	w->recs[w->n++] = r;
}

/* A missing table (no IPv6 in this kernel) is not an error. */
static void socket_read_table(struct socket_state *st, struct socket_walk *w, size_t t)
{
	char path[PATH_MAX], line[SOCKET_LINE_MAX];
	bool cut = false;
	FILE *f;

	if (snprintf(path, sizeof(path), "%s/net/%s", st->pw.procfs, socket_tables[t].file) >=
	    (int)sizeof(path))
		return;
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		size_t n = strlen(line);
		bool whole = n > 0 && line[n - 1] == '\n';

		/* A line longer than the buffer is not the kernel's: skip
		 * all of it, counted once. */
		if (cut) {
			cut = !whole;
			continue;
		}
		if (!whole && !feof(f)) {
			cut = true;
			st->pw.skipped++;
			continue;
		}
		socket_add_line(st, w, line, whole ? n - 1 : n, socket_tables[t].proto,
				socket_tables[t].family);
	}
	fclose(f);
}

/* ---- owners ---- */

static void socket_read_owner(struct socket_state *st, struct socket_rec *r, int32_t pid)
{
	char path[PATH_MAX], link[PATH_MAX];
	char *buf;
	size_t len;
	ssize_t n;

	r->pid = pid;
	if (snprintf(path, sizeof(path), "%s/%d/comm", st->pw.procfs, pid) < (int)sizeof(path) &&
	    read_file_bounded(path, SOCKET_COMM_READ, &buf, &len) == 0) {
		while (len > 0 && buf[len - 1] == '\n')
			len--;
		/* comm is the process's own choice: same cleaning as stat. */
		for (size_t i = 0; i < len && i + 1 < sizeof(r->comm); i++) {
			unsigned char c = (unsigned char)buf[i];

			r->comm[i] = (char)(c < 0x20 || c == 0x7f ? '?' : c);
			r->comm[i + 1] = '\0';
		}
		free(buf);
	}
	if (snprintf(path, sizeof(path), "%s/%d/exe", st->pw.procfs, pid) >= (int)sizeof(path))
		return;
	n = readlink(path, link, sizeof(link) - 1);
	if (n > 0) {
		link[n] = '\0';
		r->exe = strdup(link);
	}
}

/* Look at one process's descriptors for sockets still without an owner. */
static void socket_scan_fds(struct socket_state *st, struct socket_walk *w, int32_t pid)
{
	char path[PATH_MAX], lpath[PATH_MAX], link[64];
	struct dirent *de;
	size_t seen = 0;
	DIR *d;

	if (snprintf(path, sizeof(path), "%s/%d/fd", st->pw.procfs, pid) >= (int)sizeof(path))
		return;
	d = opendir(path);
	if (!d)
		return;		/* gone, or not ours to read */
	while (w->unresolved > 0 && (de = readdir(d)) != NULL && seen++ < SOCKET_FDS_MAX) {
		struct socket_rec *r;
		uint64_t inode;
		ssize_t n;

		if (de->d_name[0] == '.' ||
		    snprintf(lpath, sizeof(lpath), "%s/%s", path, de->d_name) >= (int)sizeof(lpath))
			continue;
		n = readlink(lpath, link, sizeof(link) - 1);
		if (n <= 0 || !procfs_socket_inode(link, (size_t)n, &inode))
			continue;
		r = socket_find(w->recs, w->n, inode);
		if (!r || !r->fresh || r->pid)
			continue;
		socket_read_owner(st, r, pid);
		w->unresolved--;
	}
	closedir(d);
}

/* The owners of the sockets the walk found new: the process
 * directories are looked at until each has one. */
struct socket_owners {
	struct socket_state *st;
	struct socket_walk *w;
};

static bool socket_owner_of(void *owners, int32_t pid)
{
	struct socket_owners *o = owners;

	socket_scan_fds(o->st, o->w, pid);
	return o->w->unresolved > 0;
}

static void socket_resolve(struct socket_state *st, struct socket_walk *w)
{
	struct socket_owners o = { st, w };

	if (w->unresolved > 0)
		procwalk_pids(st->pw.procfs, socket_owner_of, &o);
}

/* ---- events ---- */

static struct event *socket_event(const struct socket_state *st, const struct socket_rec *r,
				  const char *action)
{
	struct event *ev = event_new(&socket_source);
	const char *state;

	if (!ev)
		return NULL;
	state = r->proto == SOCKET_UDP ? "unconnected" : procfs_tcp_state_name(r->s.state);
	event_set_str(ev, SOCKET_ACTION, action);
	event_set_str(ev, SOCKET_PROTOCOL, r->proto == SOCKET_TCP ? "tcp" : "udp");
	event_set_str(ev, SOCKET_FAMILY, r->family == AF_INET ? "ipv4" : "ipv6");
	event_set_str(ev, SOCKET_STATE, state);
	event_set_bool(ev, SOCKET_LISTENING, r->listening);
	event_set_ip(ev, SOCKET_LOCAL_IP, &r->s.local);
	event_set_int(ev, SOCKET_LOCAL_PORT, r->s.local_port);
	if (!r->listening) {
		event_set_ip(ev, SOCKET_REMOTE_IP, &r->s.remote);
		event_set_int(ev, SOCKET_REMOTE_PORT, r->s.remote_port);
		if (r->proto == SOCKET_TCP)
			event_set_str(ev, SOCKET_DIRECTION, r->inbound ? "inbound" : "outbound");
	}
	event_set_bool(ev, SOCKET_IS_LOOPBACK, r->loopback);
	if (r->pid) {
		event_set_int(ev, SOCKET_PID, r->pid);
		if (r->comm[0])
			event_set_str(ev, SOCKET_COMM, r->comm);
		event_set_str(ev, SOCKET_EXE, r->exe);
	}
	event_set_int(ev, SOCKET_UID, r->s.uid);
	event_set_str(ev, SOCKET_USER, pwusers_name(&st->users, r->s.uid));
	event_set_int(ev, SOCKET_INODE, (int64_t)r->s.inode);
	return event_complete(ev);
}

static void socket_report(struct socket_state *st, const struct socket_rec *r, const char *action)
{
	collector_emit(&st->pw.ctx, socket_event(st, r, action));
}

/* ---- the walk ---- */

/* inbound: some TCP listener of ours has this local port (on the same
 * address or on any address). */
static void socket_direction(struct socket_walk *w, struct socket_rec *r)
{
	for (size_t i = 0; i < w->n; i++) {
		const struct socket_rec *l = &w->recs[i];

		if (l->proto != SOCKET_TCP || !l->listening || l->s.local_port != r->s.local_port)
			continue;
		if (procfs_ip_is_any(&l->s.local) ||
		    memcmp(&l->s.local, &r->s.local, sizeof(l->s.local)) == 0) {
			r->inbound = true;
			return;
		}
	}
}

/* Carry known sockets over, mark the others fresh. */
static void socket_match(struct socket_state *st, struct socket_walk *w)
{
	for (size_t i = 0; i < w->n; i++) {
		struct socket_rec *r = &w->recs[i];
		struct socket_rec *old = socket_find(st->recs, st->nrecs, r->s.inode);

		if (old && !old->taken && socket_same(old, r)) {
			old->taken = true;
			*r = *old;
			old->exe = NULL;	/* moved */
			r->taken = false;
			continue;
		}
		r->fresh = true;
		w->unresolved++;
		if (r->proto == SOCKET_TCP && !r->listening)
			socket_direction(w, r);
	}
}

static void socket_note_owners(struct socket_state *st, const struct socket_walk *w)
{
	size_t fresh = 0;

	if (st->noted_owner || w->unresolved == 0 || !st->pw.ctx.note)
		return;
	for (size_t i = 0; i < w->n; i++)
		fresh += w->recs[i].fresh;
	st->noted_owner = true;
	st->pw.ctx.note(st->pw.ctx.opaque, LOG_NOTICE, "socket",
		     "owning process unknown for %zu of %zu sockets (%s)",
		     w->unresolved, fresh,
		     geteuid() != 0 ? "other users' /proc/PID/fd needs root"
				    : "held by another PID namespace, or denied by a security module");
}

static int socket_walk(void *state, const char *action)
{
	struct socket_state *st = state;
	struct socket_walk w = { 0 };

	pwusers_refresh(&st->users);
	for (size_t t = 0; t < sizeof(socket_tables) / sizeof(socket_tables[0]); t++)
		socket_read_table(st, &w, t);
	if (w.n)	/* no sockets: recs is NULL, and qsort(NULL, 0) is UB */
		qsort(w.recs, w.n, sizeof(*w.recs), socket_cmp_inode);
	/* The same inode twice is not the kernel's doing: keep the first. */
	for (size_t i = 1; i < w.n; i++)
		if (w.recs[i].s.inode == w.recs[i - 1].s.inode) {
			memmove(&w.recs[i], &w.recs[i + 1], (w.n - i - 1) * sizeof(*w.recs));
			w.n--;
			i--;
			st->pw.skipped++;
		}
	socket_match(st, &w);
	socket_resolve(st, &w);
	socket_note_owners(st, &w);
	for (size_t i = 0; i < st->nrecs; i++)
		if (!st->recs[i].taken)
			socket_report(st, &st->recs[i], EVENT_ACTION_REMOVE);
	for (size_t i = 0; i < w.n; i++) {
		if (w.recs[i].fresh)
			socket_report(st, &w.recs[i], action);
		w.recs[i].fresh = false;
	}
	socket_recs_free(st->recs, st->nrecs);
	st->recs = w.recs;
	st->nrecs = w.n;
	return 0;
}

static int socket_scan(void *state)
{
	struct socket_state *st = state;

	if (!st)
		return -EINVAL;
	socket_recs_free(st->recs, st->nrecs);
	st->recs = NULL;
	st->nrecs = 0;
	return socket_walk(st, EVENT_ACTION_PRESENT);
}

static void socket_stats(void *state, struct collector_stats *out)
{
	struct socket_state *st = state;

	procwalk_stats(state, out);
	if (st)
		out->tracked = st->nrecs;
}

static void socket_free(void *state)
{
	struct socket_state *st = state;

	if (!st)
		return;
	socket_recs_free(st->recs, st->nrecs);
	pwusers_free(&st->users);
	free(st);
}

static int socket_init(const struct collector_ctx *ctx, void **state)
{
	struct socket_state *st;
	int r = procwalk_new(ctx, sizeof(*st), socket_walk, state);

	if (r < 0)
		return r;
	st = *state;
	r = pwusers_init(&st->users, ctx->rootfs);
	if (r < 0) {
		free(st);
		*state = NULL;
	}
	return r;
}

const struct collector socket_collector = {
	.name = "socket",
	.source = &socket_source,
	.rescan_default_ms = PROCWALK_RESCAN_DEFAULT_MS,
	.init = socket_init,
	.on_tick = procwalk_on_tick,
	.scan = socket_scan,
	.next_tick = procwalk_next_tick,
	.free = socket_free,
	.stats = socket_stats,
};
