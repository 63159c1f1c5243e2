/* SPDX-License-Identifier: Apache-2.0 */
/*
 * process.c - processes from /proc: inventory, then what started and ended.
 *
 * A walk of ctx->procfs (/proc, or a --procfs fixture tree) lists the
 * thread-group leaders; for each, stat gives comm, ppid, flags and the
 * start time, and exe is read with readlink.  The first walk (scan()) emits
 * every process as present; later walks (on_tick, every rescan_interval,
 * default 15 s) emit add for processes not seen before and remove for those
 * gone, never the whole table again.  The walking itself (the periodic
 * walk, the process directories) is the skeleton the socket collector
 * shares (procwalk.h).
 *
 * A process is keyed by pid + start time, so a recycled pid is a new
 * process; a process whose comm or exe changed under the same key has
 * exec()ed another program, and is reported as remove (old image) + add
 * (new image), because to a rule it is a new program.  The table holds a
 * compact record per process (the remove event is built from it): bounded
 * at PROCESS_MAX, beyond which processes are skipped and counted.
 *
 * Memory: two tables, the current one and the one the next walk fills,
 * swapped after each walk; each keeps its capacity (records and a string
 * area holding the exe paths back to back, records pointing into it by
 * offset), so a walk over as many processes as before allocates nothing
 * that outlives it.  Why not a strdup()ed exe per record and a fresh array
 * per walk: tens of thousands of small long-lived strings allocated
 * between the walk's short-lived read buffers and events, and freed a walk
 * later, fragment the malloc heap -- a million processes through a table
 * of 25000 grew the daemon's heap from 7.5 to 10.7 MB with nothing more
 * live (tests/integration/fault_flood_proc.sh).  The capacity kept is the
 * high-water mark of processes seen, within PROCESS_MAX.
 *
 * Kernel threads (PF_KTHREAD) are skipped: they have no exe or command line,
 * cannot be remote-access tools, and would be a hundred events of noise.
 * A process that vanishes between two reads is skipped quietly and counted
 * (stats().skipped).
 *
 * What the exe link does not say.  Reading another user's exe link needs
 * ptrace access (root or CAP_SYS_PTRACE); the shipped unit has neither, so
 * as deployed most processes come without exe.  The event then says so
 * (exe_readable false, exe_unreadable_reason EACCES...), never leaves a
 * rule to take the missing path for "elsewhere", and carries what any
 * user may read instead: comm, uid, start time, parent and the command
 * line, whose argv[0] is the program as its starter named it (systemd and
 * most launchers give the full path).  exe_candidate is the executable
 * that evidence points to, only when the exe link is unreadable: argv[0]
 * if it is an absolute path whose base name the kernel would turn into
 * this comm and which is an executable file under rootfs; else, when
 * argv[0] names no directory, comm looked up like a shell would in the
 * default PATH directories under rootfs.  It is evidence, not proof: a
 * process may lie in argv[0] and comm (an impostor of an RMM tool is worth
 * the same alert), a process of another mount namespace names paths of its
 * own, and symlinks are not resolved (rules name the paths packages
 * install).  The first walk says once how many exe links it could not
 * read.
 *
 * User names come from <rootfs>/etc/passwd (pwusers.h): users known only
 * to a directory service get uid without user.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "lib/util.h"
#include "process.h"
#include "procfs.h"
#include "procwalk.h"
#include "pwusers.h"

#define PROCESS_MAX		32768	/* processes tracked */
#define PROCESS_STAT_MAX	4096	/* /proc/PID/stat is ~300 bytes */
#define PROCESS_STATUS_MAX	8192	/* /proc/PID/status is ~1.5 KB */
#define PROCESS_CMDLINE_READ	4096	/* only the start is kept */
#define PROCESS_CMDLINE_KEEP	1024	/* bytes of command line in events */
#define PROCESS_DELETED		" (deleted)"

static const struct field_def process_fields[PROCESS__NFIELDS] = {
	[PROCESS_ACTION] = { "action", FIELD_STRING,
		"present (inventory), add (started or exec'd), remove (ended)" },
	[PROCESS_PID] = { "pid", FIELD_INT, "process id" },
	[PROCESS_PPID] = { "ppid", FIELD_INT, "parent process id" },
	[PROCESS_UID] = { "uid", FIELD_INT, "effective user id" },
	[PROCESS_USER] = { "user", FIELD_STRING, "user name of uid, from <rootfs>/etc/passwd" },
	[PROCESS_COMM] = { "comm", FIELD_STRING,
		"process name (kernel comm, at most 15 bytes; set by the process)" },
	[PROCESS_EXE] = { "exe", FIELD_STRING,
		"path of the executable (readlink /proc/PID/exe; unset when not readable)" },
	[PROCESS_EXE_DELETED] = { "exe_deleted", FIELD_BOOL,
		"the executable was deleted or replaced after start" },
	[PROCESS_CMDLINE] = { "cmdline", FIELD_STRING,
		"arguments joined by blanks, control bytes as '?', first 1023 bytes (not on remove)" },
	[PROCESS_START_TIME] = { "start_time", FIELD_INT, "start time, seconds since the epoch" },
	[PROCESS_PARENT_COMM] = { "parent_comm", FIELD_STRING, "comm of the parent process" },
	[PROCESS_EXE_READABLE] = { "exe_readable", FIELD_BOOL,
		"the exe link could be read (false: another user's process without ptrace access, or gone)" },
	[PROCESS_EXE_UNREADABLE_REASON] = { "exe_unreadable_reason", FIELD_STRING,
		"why exe is unset: EACCES or EPERM (no ptrace access), ENOENT (gone, no executable)" },
	[PROCESS_ARGV0] = { "argv0", FIELD_STRING,
		"first argument as the starter gave it (often the full path; not on remove)" },
	[PROCESS_EXE_CANDIDATE] = { "exe_candidate", FIELD_STRING,
		"exe unreadable: an executable file at argv0 (absolute, named like comm), or comm found in PATH" },
};

/* Cooldowns per program, not per pid: a tool restarted in a loop is one
 * thing to report.  Without the exe link, exe_candidate stands for it, so
 * two programs of one name whose exe is unreadable stay two. */
static const int process_entity[] = { PROCESS_COMM, PROCESS_EXE, PROCESS_EXE_CANDIDATE, -1 };

/* What the exe link did not say, and what was seen instead: never a
 * path the event does not hold. */
static void process_describe_where(const struct event *ev, char *buf, size_t len)
{
	const char *exe = event_get_str(ev, PROCESS_EXE);
	const char *why = event_get_str(ev, PROCESS_EXE_UNREADABLE_REASON);
	const char *argv0 = event_get_str(ev, PROCESS_ARGV0);
	const char *cand = event_get_str(ev, PROCESS_EXE_CANDIDATE);
	const struct value *readable = event_get(ev, PROCESS_EXE_READABLE);
	char seen[PATH_MAX / 4] = "";

	if (exe) {
		snprintf(buf, len, ", %s", exe);
		return;
	}
	if (!readable || !readable->set) {
		buf[0] = '\0';
		return;
	}
	if (cand && argv0 && strcmp(cand, argv0) == 0)
		snprintf(seen, sizeof(seen), "; argv[0] %s, a file there", argv0);
	else if (cand)
		snprintf(seen, sizeof(seen), "; its name found as %s", cand);
	else if (argv0)
		snprintf(seen, sizeof(seen), "; argv[0] %s", argv0);
	snprintf(buf, len, ", exe path not readable%s (%s)%s",
		 why && (strcmp(why, "EACCES") == 0 || strcmp(why, "EPERM") == 0)
			 ? " without ptrace access" : "",
		 why ? why : "?", seen);
}

static void process_describe(const struct event *ev, char *buf, size_t len)
{
	const char *comm = event_get_str(ev, PROCESS_COMM);
	const char *user = event_get_str(ev, PROCESS_USER);
	const struct value *pid = event_get(ev, PROCESS_PID);
	const struct value *uid = event_get(ev, PROCESS_UID);
	char who[96] = "", where[PATH_MAX / 2];

	if (user)
		snprintf(who, sizeof(who), ", user %s", user);
	else if (uid && uid->set)
		snprintf(who, sizeof(who), ", uid %lld", (long long)uid->i);
	process_describe_where(ev, where, sizeof(where));
	snprintf(buf, len, "process %s (pid %lld%s%s)", comm ? comm : "?",
		 pid && pid->set ? (long long)pid->i : -1LL, where, who);
}

const struct source_def process_source = {
	.id = SOURCE_PROCESS,
	.name = "process",
	.fields = process_fields,
	.nfields = PROCESS__NFIELDS,
	.entity_fields = process_entity,
	.describe = process_describe,
};

/* ---- state ---- */

#define PROCESS_NO_EXE		UINT32_MAX	/* process_rec.exe: unreadable */
#define PROCESS_STRS_MIN	(64 * 1024)	/* first string area of a table */

struct process_rec {
	int32_t pid;
	int32_t ppid;
	uint64_t starttime;		/* clock ticks after boot: the key */
	uint32_t uid;
	bool has_uid;
	bool exe_deleted;
	bool fresh;			/* found by this walk, not reported yet */
	bool taken;			/* old record carried into the new table */
	bool drop;			/* vanished before it could be reported */
	int exe_errno;			/* exe unreadable: why (positive errno) */
	char comm[PROCFS_COMM_MAX];
	uint32_t exe;			/* offset in its table's strs, or PROCESS_NO_EXE */
};

/* A table of processes and the exe paths its records point to.  Reset,
 * not freed, between walks: see "Memory" above. */
struct process_table {
	struct process_rec *recs;	/* sorted by pid once the walk is over */
	size_t n;
	size_t cap;
	char *strs;			/* NUL-terminated paths, back to back */
	size_t slen;
	size_t scap;
};

/* pw first (procwalk.h): the procfs path, the periodic walk, skipped. */
struct process_state {
	struct procwalk pw;
	char root[PATH_MAX];		/* --rootfs, "" for / */
	uint64_t btime;			/* 0: unknown, start_time left unset */
	long clk_tck;
	struct process_table *cur;	/* what the last walk found */
	struct process_table *next;	/* filled by the next walk, then swapped */
	struct process_table tables[2];
	struct pwusers users;
	bool noted_exe;
	size_t exe_denied;		/* this walk */
	size_t exe_total;
};
_Static_assert(offsetof(struct process_state, pw) == 0, "procwalk.h: pw first");

static int process_cmp_pid(const void *a, const void *b)
{
	const struct process_rec *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

static struct process_rec *process_find(struct process_rec *recs, size_t n, int32_t pid)
{
	struct process_rec key = { .pid = pid };

	return n ? bsearch(&key, recs, n, sizeof(*recs), process_cmp_pid) : NULL;
}

/* ---- tables ---- */

static const char *process_exe(const struct process_table *t, const struct process_rec *rec)
{
	return rec->exe == PROCESS_NO_EXE ? NULL : t->strs + rec->exe;
}

/* Copy s into t's string area; its offset in *off. */
static int process_table_put_str(struct process_table *t, const char *s, uint32_t *off)
{
	size_t len = strlen(s) + 1;

	if (t->slen + len > t->scap) {
		size_t cap = t->scap ? t->scap : PROCESS_STRS_MIN;
		char *ns;

		while (cap < t->slen + len)
			cap *= 2;
		if (cap >= PROCESS_NO_EXE)
			return -E2BIG;
		ns = realloc(t->strs, cap);
		if (!ns)
			return -ENOMEM;
		t->strs = ns;
		t->scap = cap;
	}
	memcpy(t->strs + t->slen, s, len);
	*off = (uint32_t)t->slen;
	t->slen += len;
	return 0;
}

/* Empty t for a new walk, keeping what it allocated. */
static void process_table_reset(struct process_table *t)
{
	t->n = 0;
	t->slen = 0;
}

static void process_table_free(struct process_table *t)
{
	free(t->recs);
	free(t->strs);
	memset(t, 0, sizeof(*t));
}

/* ---- reading one process ---- */

static int process_read(const struct process_state *st, int32_t pid, const char *what,
			size_t max, char **buf, size_t *len)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%d/%s", st->pw.procfs, pid, what) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	return read_file_bounded(path, max, buf, len);
}

/* exe link of rec's process into link (PATH_MAX bytes); false when
 * unreadable.  Counts links we were not allowed to read. */
static bool process_read_exe(struct process_state *st, struct process_rec *rec, char *link)
{
	char path[PATH_MAX];
	size_t dl = strlen(PROCESS_DELETED);
	ssize_t n;

	rec->exe_deleted = false;
	st->exe_total++;
	if (snprintf(path, sizeof(path), "%s/%d/exe", st->pw.procfs, rec->pid) >=
	    (int)sizeof(path)) {
		rec->exe_errno = ENAMETOOLONG;
		return false;
	}
	n = readlink(path, link, PATH_MAX - 1);
	if (n < 0) {
		rec->exe_errno = errno;
		if (errno == EACCES || errno == EPERM)
			st->exe_denied++;
		return false;
	}
	link[n] = '\0';
	/* The kernel appends " (deleted)" when the file was unlinked or
	 * replaced (an upgrade, or a dropper removing its traces). */
	if ((size_t)n > dl && strcmp(link + n - dl, PROCESS_DELETED) == 0) {
		link[n - dl] = '\0';
		rec->exe_deleted = true;
	}
	return true;
}

/* stat of pid into rec; -ENOENT-ish when gone, -EINVAL when garbage,
 * -ECHILD for a kernel thread (not tracked). */
static int process_read_stat(struct process_state *st, int32_t pid, struct process_rec *rec)
{
	struct procfs_stat ps;
	char *buf;
	size_t len;
	int r;

	r = process_read(st, pid, "stat", PROCESS_STAT_MAX, &buf, &len);
	if (r < 0)
		return r;
	r = procfs_parse_stat(buf, len, &ps);
	free(buf);
	if (r < 0)
		return r;
	if (ps.flags & PROCFS_PF_KTHREAD)
		return -ECHILD;
	memset(rec, 0, sizeof(*rec));
	rec->exe = PROCESS_NO_EXE;
	rec->pid = pid;
	rec->ppid = ps.ppid;
	rec->starttime = ps.starttime;
	memcpy(rec->comm, ps.comm, sizeof(rec->comm));
	return 0;
}

static bool process_same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* ---- events ---- */

/* What a new process shows besides stat and exe (not kept for remove). */
struct process_seen {
	const char *cmdline;
	const char *argv0;
	const char *exe_candidate;
	const char *parent_comm;
};

static struct event *process_event(const struct process_state *st,
				   const struct process_table *t,
				   const struct process_rec *rec, const char *action,
				   const struct process_seen *seen)
{
	struct event *ev = event_new(&process_source);
	const char *exe = process_exe(t, rec);

	if (!ev)
		return NULL;
	event_set_str(ev, PROCESS_ACTION, action);
	event_set_int(ev, PROCESS_PID, rec->pid);
	event_set_int(ev, PROCESS_PPID, rec->ppid);
	if (rec->has_uid) {
		event_set_int(ev, PROCESS_UID, rec->uid);
		event_set_str(ev, PROCESS_USER, pwusers_name(&st->users, rec->uid));
	}
	event_set_str(ev, PROCESS_COMM, rec->comm);
	event_set_str(ev, PROCESS_EXE, exe);
	event_set_bool(ev, PROCESS_EXE_READABLE, exe != NULL);
	if (exe) {
		event_set_bool(ev, PROCESS_EXE_DELETED, rec->exe_deleted);
	} else {
		char other[32];

		event_set_str(ev, PROCESS_EXE_UNREADABLE_REASON,
			      procfs_errno_name(rec->exe_errno ? rec->exe_errno : EIO,
						other, sizeof(other)));
	}
	if (seen && seen->cmdline && *seen->cmdline)
		event_set_str(ev, PROCESS_CMDLINE, seen->cmdline);
	if (seen && seen->argv0 && *seen->argv0)
		event_set_str(ev, PROCESS_ARGV0, seen->argv0);
	if (seen)
		event_set_str(ev, PROCESS_EXE_CANDIDATE, seen->exe_candidate);
	if (st->btime && st->clk_tck > 0)
		event_set_int(ev, PROCESS_START_TIME,
			      (int64_t)(st->btime + rec->starttime / (uint64_t)st->clk_tck));
	if (seen)
		event_set_str(ev, PROCESS_PARENT_COMM, seen->parent_comm);
	return event_complete(ev);
}

static void process_report_gone(struct process_state *st, const struct process_table *t,
				const struct process_rec *rec)
{
	collector_emit(&st->pw.ctx, process_event(st, t, rec, EVENT_ACTION_REMOVE, NULL));
}

/* Is rel (absolute) an executable regular file under rootfs? */
static bool process_is_program(const struct process_state *st, const char *rel)
{
	char path[PATH_MAX];
	struct stat sb;

	if (snprintf(path, sizeof(path), "%s%s", st->root, rel) >= (int)sizeof(path))
		return false;
	return stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && (sb.st_mode & 0111);
}

/* The default PATH of a login shell and of systemd, in its order. */
static const char *const process_path_dirs[] = {
	"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin",
};

/* exe_candidate (see the top of the file) into out, or "". */
static void process_exe_candidate(const struct process_state *st, const struct process_rec *rec,
				  const char *argv0, char *out, size_t len)
{
	const char *slash = strrchr(argv0, '/');

	out[0] = '\0';
	if (slash) {
		/* A path: it alone counts (a relative one is relative to
		 * a directory we cannot see). */
		if (argv0[0] == '/' && procfs_comm_is_name(rec->comm, slash + 1) &&
		    process_is_program(st, argv0))
			snprintf(out, len, "%s", argv0);
		return;
	}
	if (!rec->comm[0] || strchr(rec->comm, '/') || strlen(rec->comm) >= PROCFS_TASK_COMM_CUT)
		return;	/* a 15-byte comm may be cut: no file is named that */
	for (size_t i = 0; i < sizeof(process_path_dirs) / sizeof(process_path_dirs[0]); i++) {
		char rel[PATH_MAX];

		if (snprintf(rel, sizeof(rel), "%s/%s", process_path_dirs[i], rec->comm) <
			    (int)sizeof(rel) &&
		    process_is_program(st, rel)) {
			snprintf(out, len, "%s", rel);
			return;
		}
	}
}

/* Read what only a new process needs (uid, command line) and report it.
 * Returns false if it vanished meanwhile. */
static bool process_report_new(struct process_state *st, const struct process_table *w,
			       struct process_rec *rec, const char *action)
{
	char cmdline[PROCESS_CMDLINE_KEEP], argv0[PROCESS_CMDLINE_KEEP], cand[PATH_MAX];
	struct process_seen seen = { cmdline, argv0, NULL, NULL };
	struct process_rec *parent;
	uint32_t uid;
	char *buf;
	size_t len;

	if (process_read(st, rec->pid, "status", PROCESS_STATUS_MAX, &buf, &len) < 0)
		return false;
	if (procfs_parse_status_uid(buf, len, &uid) == 0) {
		rec->uid = uid;
		rec->has_uid = true;
	}
	free(buf);
	cmdline[0] = argv0[0] = '\0';
	if (process_read(st, rec->pid, "cmdline", PROCESS_CMDLINE_READ, &buf, &len) == 0) {
		procfs_cmdline(buf, len, cmdline, sizeof(cmdline));
		procfs_argv0(buf, len, argv0, sizeof(argv0));
		free(buf);
	}
	/* Only where the exe link is silent: it is the stronger proof. */
	if (rec->exe == PROCESS_NO_EXE) {
		process_exe_candidate(st, rec, argv0, cand, sizeof(cand));
		seen.exe_candidate = cand[0] ? cand : NULL;
	}
	parent = process_find(w->recs, w->n, rec->ppid);
	seen.parent_comm = parent ? parent->comm : NULL;
	collector_emit(&st->pw.ctx, process_event(st, w, rec, action, &seen));
	return true;
}

/* ---- the walk ---- */

static struct process_rec *process_walk_slot(struct process_state *st, struct process_table *w)
{
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 256;
		struct process_rec *nr;

		if (cap > PROCESS_MAX)
			cap = PROCESS_MAX;
		if (w->n == cap) {
			st->pw.skipped++;	/* bounded table: counted, not tracked */
			return NULL;
		}
		nr = realloc(w->recs, cap * sizeof(*nr));
		if (!nr)
			return NULL;
		w->recs = nr;
		w->cap = cap;
	}
	return &w->recs[w->n];
}

/* One process directory: carry the old record over into the table the
 * walk fills (st->next) if it is the same process running the same
 * program, else start a fresh one. */
static bool process_visit(void *state, int32_t pid)
{
	struct process_state *st = state;
	struct process_table *w = st->next;
	const struct process_table *ot = st->cur;
	struct process_rec *slot, *old, cur;
	char link[PATH_MAX];
	const char *exe;
	int r;

	r = process_read_stat(st, pid, &cur);
	if (r == -ECHILD)
		return true;
	if (r < 0) {
		st->pw.skipped++;	/* vanished (ENOENT, ESRCH) or garbage */
		return true;
	}
	exe = process_read_exe(st, &cur, link) ? link : NULL;
	slot = process_walk_slot(st, w);
	if (!slot)
		return true;
	if (exe && process_table_put_str(w, exe, &cur.exe) < 0)
		return true;	/* out of memory: tried again next walk */
	old = process_find(ot->recs, ot->n, pid);
	if (old && !old->taken && old->starttime == cur.starttime &&
	    strcmp(old->comm, cur.comm) == 0 && process_same_str(process_exe(ot, old), exe)) {
		old->taken = true;
		*slot = *old;
		slot->exe = cur.exe;	/* the copy in w */
	} else {
		cur.fresh = true;
		*slot = cur;
	}
	w->n++;
	return true;
}

static void process_note_exe(struct process_state *st)
{
	if (st->noted_exe || st->exe_denied == 0 || !st->pw.ctx.note)
		return;
	st->noted_exe = true;
	st->pw.ctx.note(st->pw.ctx.opaque, LOG_NOTICE, "process",
		     "exe unreadable for %zu of %zu processes (%s)",
		     st->exe_denied, st->exe_total,
		     geteuid() != 0 ? "run as root or grant CAP_SYS_PTRACE"
				    : "denied to root too: another PID namespace or a security module");
}

/* Walk procfs and report the difference with the table: every process as
 * action when the table is empty (present), else add/remove. */
static int process_walk(void *state, const char *action)
{
	struct process_state *st = state;
	struct process_table *w = st->next, *old = st->cur;
	size_t keep = 0;
	int r;

	st->exe_denied = st->exe_total = 0;
	pwusers_refresh(&st->users);
	process_table_reset(w);
	r = procwalk_pids(st->pw.procfs, process_visit, st);
	if (r < 0)
		return r;
	if (w->n)	/* an empty walk has recs NULL: qsort(NULL, 0) is UB */
		qsort(w->recs, w->n, sizeof(*w->recs), process_cmp_pid);
	for (size_t i = 0; i < old->n; i++)
		if (!old->recs[i].taken)
			process_report_gone(st, old, &old->recs[i]);
	for (size_t i = 0; i < w->n; i++)
		if (w->recs[i].fresh && !process_report_new(st, w, &w->recs[i], action)) {
			w->recs[i].drop = true;
			st->pw.skipped++;
		}
	/* A dropped record's exe stays in w->strs until w is reset. */
	for (size_t i = 0; i < w->n; i++) {
		if (w->recs[i].drop)
			continue;
		w->recs[i].fresh = w->recs[i].taken = false;
		w->recs[keep++] = w->recs[i];
	}
	w->n = keep;
	st->cur = w;
	st->next = old;
	process_note_exe(st);
	return 0;
}

static int process_scan(void *state)
{
	struct process_state *st = state;

	if (!st)
		return -EINVAL;
	/* An inventory reports everything: start from an empty table. */
	process_table_reset(st->cur);
	return process_walk(st, EVENT_ACTION_PRESENT);
}

static void process_stats(void *state, struct collector_stats *out)
{
	struct process_state *st = state;

	procwalk_stats(state, out);
	if (st)
		out->tracked = st->cur->n;
}

static void process_free(void *state)
{
	struct process_state *st = state;

	if (!st)
		return;
	process_table_free(&st->tables[0]);
	process_table_free(&st->tables[1]);
	pwusers_free(&st->users);
	free(st);
}

static void process_read_btime(struct process_state *st)
{
	char path[PATH_MAX];
	char *buf;
	size_t len;

	if (snprintf(path, sizeof(path), "%s/stat", st->pw.procfs) >= (int)sizeof(path))
		return;
	if (read_file_bounded(path, 64 * 1024, &buf, &len) < 0)
		return;
	if (procfs_parse_btime(buf, len, &st->btime) < 0)
		st->btime = 0;
	free(buf);
}

static int process_init(const struct collector_ctx *ctx, void **state)
{
	struct process_state *st;
	const char *root;
	int r = procwalk_new(ctx, sizeof(*st), process_walk, state);

	if (r < 0)
		return r;
	st = *state;
	st->cur = &st->tables[0];
	st->next = &st->tables[1];
	root = ctx->rootfs && strcmp(ctx->rootfs, "/") != 0 ? ctx->rootfs : "";
	if (snprintf(st->root, sizeof(st->root), "%s", root) >= (int)sizeof(st->root) ||
	    pwusers_init(&st->users, root) < 0) {
		free(st);
		*state = NULL;
		return -ENAMETOOLONG;
	}
	st->clk_tck = sysconf(_SC_CLK_TCK);
	process_read_btime(st);
	return 0;
}

const struct collector process_collector = {
	.name = "process",
	.source = &process_source,
	.rescan_default_ms = PROCWALK_RESCAN_DEFAULT_MS,
	.init = process_init,
	.on_tick = procwalk_on_tick,
	.scan = process_scan,
	.next_tick = procwalk_next_tick,
	.free = process_free,
	.stats = process_stats,
};
