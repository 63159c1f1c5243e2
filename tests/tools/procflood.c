/* SPDX-License-Identifier: Apache-2.0 */
/*
 * procflood.c - flood fixture: a million distinct processes for the real
 * process collector, in the daemon, through a --procfs tree.
 *
 *   procflood DIR K TOTAL PLANT_EVERY [PIDFILE]
 *
 * Forking a million processes takes minutes; what the collector sees of a
 * process is a /proc/PID directory, so this tool plays the kernel instead.
 * DIR/proc (the daemon's --procfs) is a symlink to one of two trees, a and
 * b.  Each tree holds generation g: K pid directories whose stat, status
 * and cmdline are symlinks to one file per tree (a generation costs one
 * file write, not K; exe is a per-directory link), plus one "last" process
 * with files of its own.  Generation g's pids are base(g) .. base(g) + K,
 * base(g) = 100 + g * (K + 1), its start time is g + 1: every generation
 * is K + 1 processes with pids and start times never seen before, and
 * every process of the previous one is gone -- K + 1 adds and K + 1
 * removes per walk, through the collector's bounded table.  (A pid's
 * shared stat names another pid: the collector keys on the directory name
 * and ignores that field.)
 *
 * Every PLANT_EVERY processes, a generation's last process is an AnyDesk
 * (comm anydesk, exe /opt/anydesk/flood-N: a distinct program each time,
 * so the rule's per-program cooldown does not hide it); the caller counts
 * rmm-anydesk alerts.
 *
 * Pacing without sleeps: the collector reads a new process's cmdline after
 * its walk read every stat, in pid order, so the close of the last
 * process's cmdline (an inotify watch) ends the walk of a generation.  The
 * other tree, renamed to the next generation while the daemon walked this
 * one, is then swapped in with one rename() of the symlink -- atomic, so no
 * walk sees half a generation -- and this tree is renamed to the
 * generation after.  (One watch per file and generation: inotify coalesces
 * identical events, so counting the closes of a shared file would not do.)
 *
 * Prints "ready" when generation 0 is in place (the caller starts the
 * daemon with --procfs DIR/proc then), "generation G P vmhwm_kb=N" as
 * each one is read (P: processes read so far; N: the peak resident set of
 * the process whose pid PIDFILE holds, -1 without one), and at the end, once at least TOTAL processes were read (the inventory
 * walk at start included):
 *
 *   processes=N generations=N planted=N seconds=S
 *
 * planted counts the AnyDesks read.  Exit 0 when done; 1 on a stall (no
 * walk ended within 30 s times FH_TIME_SCALE, the suites' deadline factor:
 * the daemon died or stopped walking; a walk takes ~1 s); 2 on usage or
 * setup errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define FLOOD_STALL_MS	30000	/* scaled by FH_TIME_SCALE */
#define FLOOD_PID_MAX	4000000L	/* under the kernel's pid_max limit (2^22) */
#define FLOOD_DIR_MAX	256	/* DIR: paths below it fit PATH_MAX */
#define FLOOD_WORKER	"/usr/lib/flood/worker"

struct tree {
	char dir[FLOOD_DIR_MAX + 4];
	long gen;		/* generation it holds, -1: none */
	int wd;			/* inotify watch on its last process's cmdline */
	bool planted;		/* its last process is an AnyDesk */
};

struct flood {
	char top[FLOOD_DIR_MAX];
	long k, total, plant_every;
	int stall_ms;		/* FLOOD_STALL_MS, scaled */
	long planted;		/* AnyDesks placed so far */
	int ino;
	struct tree t[2];
};

static int die(const char *what)
{
	fprintf(stderr, "procflood: %s: %s\n", what, strerror(errno));
	return -1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long base_pid(const struct flood *f, long gen)
{
	return 100 + gen * (f->k + 1);
}

/* Write a small file, aside and renamed: a reader sees old or new. */
static int put(const char *path, const char *buf, size_t len)
{
	char tmp[PATH_MAX + 8];
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return die(tmp);
	if (write(fd, buf, len) != (ssize_t)len) {
		close(fd);
		return die(tmp);
	}
	close(fd);
	return rename(tmp, path) < 0 ? die(path) : 0;
}

/* A stat line as fs/proc/array.c prints it, cut short after vsize (the
 * collector reads up to starttime, field 22). */
static int put_stat(const char *path, long pid, const char *comm, long start)
{
	char buf[256];
	int n = snprintf(buf, sizeof(buf),
			 "%ld (%s) S 1 %ld %ld 0 -1 4194560 100 0 0 0 1 1 0 0 20 0 1 0 %ld 1000000 100\n",
			 pid, comm, pid, pid, start);

	return put(path, buf, (size_t)n);
}

static int link_in(const char *target, const char *dir, long pid, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%ld/%s", dir, pid, name);
	return symlink(target, path) < 0 ? die(path) : 0;
}

/* One of the K: every file but exe shared by link. */
static int make_worker(const char *dir, long pid)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%ld", dir, pid);
	if (mkdir(path, 0755) < 0)
		return die(path);
	if (link_in("../flood-status", dir, pid, "status") < 0 ||
	    link_in("../flood-cmdline", dir, pid, "cmdline") < 0 ||
	    link_in("../flood-stat", dir, pid, "stat") < 0)
		return -1;
	return link_in(FLOOD_WORKER, dir, pid, "exe");
}

/* The last process of generation gen in tree t: files of its own, an
 * AnyDesk when the generation plants one; watched. */
static int make_last(struct flood *f, struct tree *t, long gen, bool plant)
{
	static const char worker_args[] = "flood-worker\0--last\0";
	static const char anydesk_args[] = "/opt/anydesk/anydesk\0--service\0";
	long pid = base_pid(f, gen) + f->k;
	char path[PATH_MAX], exe[64];

	snprintf(path, sizeof(path), "%s/%ld", t->dir, pid);
	if (mkdir(path, 0755) < 0)
		return die(path);
	snprintf(exe, sizeof(exe), "/opt/anydesk/flood-%ld", f->planted + 1);
	if (link_in("../flood-status", t->dir, pid, "status") < 0 ||
	    link_in(plant ? exe : FLOOD_WORKER, t->dir, pid, "exe") < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/%ld/stat", t->dir, pid);
	if (put_stat(path, pid, plant ? "anydesk" : "flood-worker", gen + 1) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/%ld/cmdline", t->dir, pid);
	if (plant ? put(path, anydesk_args, sizeof(anydesk_args) - 1)
		  : put(path, worker_args, sizeof(worker_args) - 1))
		return -1;
	t->wd = inotify_add_watch(f->ino, path, IN_CLOSE_NOWRITE);
	if (t->wd < 0)
		return die("inotify_add_watch");
	f->planted += plant;
	t->planted = plant;
	return 0;
}

static int remove_last(const struct flood *f, const struct tree *t)
{
	static const char *const files[] = { "stat", "status", "cmdline", "exe" };
	long pid = base_pid(f, t->gen) + f->k;
	char path[PATH_MAX];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%ld/%s", t->dir, pid, files[i]);
		if (unlink(path) < 0)
			return die(path);
	}
	snprintf(path, sizeof(path), "%s/%ld", t->dir, pid);
	return rmdir(path) < 0 ? die(path) : 0;
}

/* Does generation gen cross a multiple of PLANT_EVERY processes? */
static bool plants(const struct flood *f, long gen)
{
	long n = f->k + 1;

	return f->plant_every > 0 && (gen * n) / f->plant_every != ((gen + 1) * n) / f->plant_every;
}

/* Turn tree t (new, or holding an older generation) into generation gen. */
static int prepare(struct flood *f, struct tree *t, long gen)
{
	char from[PATH_MAX], to[PATH_MAX];

	if (t->gen >= 0 && remove_last(f, t) < 0)
		return -1;
	snprintf(to, sizeof(to), "%s/flood-stat", t->dir);
	if (put_stat(to, base_pid(f, gen), "flood-worker", gen + 1) < 0)
		return -1;
	for (long i = 0; i < f->k; i++) {
		long pid = base_pid(f, gen) + i;

		if (t->gen < 0) {
			if (make_worker(t->dir, pid) < 0)
				return -1;
			continue;
		}
		snprintf(from, sizeof(from), "%s/%ld", t->dir, base_pid(f, t->gen) + i);
		snprintf(to, sizeof(to), "%s/%ld", t->dir, pid);
		if (rename(from, to) < 0)
			return die(from);
	}
	if (make_last(f, t, gen, plants(f, gen)) < 0)
		return -1;
	t->gen = gen;
	return 0;
}

static int make_tree(struct flood *f, int i)
{
	static const char cmdline[] = "flood-worker\0--serve\0";
	static const char status[] = "Name:\tflood-worker\nState:\tS\nUid:\t1000\t1000\t1000\t1000\n";
	static const char stat[] = "cpu  10 0 10 100 0 0 0 0 0 0\nbtime 1795434600\n";
	struct tree *t = &f->t[i];
	size_t n = strlen(f->top);
	char path[PATH_MAX];

	memcpy(t->dir, f->top, n);	/* DIR/a, DIR/b */
	t->dir[n] = '/';
	t->dir[n + 1] = (char)('a' + i);
	t->dir[n + 2] = '\0';
	t->gen = -1;
	t->wd = -1;
	if (mkdir(t->dir, 0755) < 0)
		return die(t->dir);
	snprintf(path, sizeof(path), "%s/stat", t->dir);
	if (put(path, stat, sizeof(stat) - 1) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/flood-status", t->dir);
	if (put(path, status, sizeof(status) - 1) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/flood-cmdline", t->dir);
	return put(path, cmdline, sizeof(cmdline) - 1);
}

/* Point DIR/proc at tree t, atomically. */
static int swap_to(const struct flood *f, const struct tree *t)
{
	char link[FLOOD_DIR_MAX + 16], tmp[FLOOD_DIR_MAX + 16];

	snprintf(link, sizeof(link), "%s/proc", f->top);
	snprintf(tmp, sizeof(tmp), "%s/proc.tmp", f->top);
	unlink(tmp);
	if (symlink(t->dir, tmp) < 0)
		return die(tmp);
	return rename(tmp, link) < 0 ? die(link) : 0;
}

/* Until the last process of tree t was read; false after a stall. */
static bool wait_walk(const struct flood *f, const struct tree *t)
{
	char buf[64 * (sizeof(struct inotify_event) + NAME_MAX + 1)]
		__attribute__((aligned(__alignof__(struct inotify_event))));

	for (;;) {
		struct pollfd p = { .fd = f->ino, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, f->stall_ms) <= 0) {
			fprintf(stderr, "procflood: generation %ld not read within %d s\n",
				t->gen, f->stall_ms / 1000);
			return false;
		}
		n = read(f->ino, buf, sizeof(buf));
		for (ssize_t off = 0; n > 0 && off < n;) {
			const struct inotify_event *ev = (const void *)(buf + off);

			if (ev->wd == t->wd && (ev->mask & IN_CLOSE_NOWRITE))
				return true;	/* others: IN_IGNORED of removed files */
			off += (ssize_t)(sizeof(*ev) + ev->len);
		}
	}
}

/* VmHWM of the pid in pidfile, in KiB; -1 if unknown. */
static long vmhwm_kb(const char *pidfile)
{
	char path[64], line[256];
	long kb = -1, pid = 0;
	FILE *fp = pidfile ? fopen(pidfile, "re") : NULL;

	if (!fp)
		return -1;
	if (fscanf(fp, "%ld", &pid) != 1)
		pid = 0;
	fclose(fp);
	snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	fp = pid > 0 ? fopen(path, "re") : NULL;
	if (!fp)
		return -1;
	while (fgets(line, sizeof(line), fp))
		if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
			break;
	fclose(fp);
	return kb;
}

/* FLOOD_STALL_MS times FH_TIME_SCALE (lib.sh's deadline factor, >= 1). */
static int stall_ms(void)
{
	const char *s = getenv("FH_TIME_SCALE");
	long scale = s ? atol(s) : 1;

	if (scale < 1 || scale > 100)
		scale = 1;
	return (int)(FLOOD_STALL_MS * scale);
}

static int usage(void)
{
	fprintf(stderr, "usage: procflood DIR K TOTAL PLANT_EVERY [PIDFILE]\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct flood f = { 0 };
	long seen = 0, gen = 0, planted = 0;
	int cur = 0, rc = 0;
	double t0;

	if (argc != 5 && argc != 6)
		return usage();
	if (strlen(argv[1]) >= sizeof(f.top))
		return usage();
	snprintf(f.top, sizeof(f.top), "%s", argv[1]);
	f.k = atol(argv[2]);
	f.total = atol(argv[3]);
	f.plant_every = atol(argv[4]);
	f.stall_ms = stall_ms();
	if (f.k < 1 || f.total < 1 || f.plant_every < 0 ||
	    base_pid(&f, f.total / f.k + 2) >= FLOOD_PID_MAX)
		return usage();
	f.ino = inotify_init1(IN_CLOEXEC);
	if (f.ino < 0 || (mkdir(f.top, 0755) < 0 && errno != EEXIST) || make_tree(&f, 0) < 0 || make_tree(&f, 1) < 0 ||
	    prepare(&f, &f.t[0], 0) < 0 || swap_to(&f, &f.t[0]) < 0)
		return 2;
	printf("ready\n");
	fflush(stdout);
	/* The second tree while the daemon starts and walks the first. */
	if (prepare(&f, &f.t[1], 1) < 0)
		return 2;
	t0 = now_s();
	/* Generation 0 is the daemon's inventory walk at start (scan()), the
	 * others its rescans. */
	for (;;) {
		struct tree *t = &f.t[cur];

		if (!wait_walk(&f, t)) {
			rc = 1;
			break;
		}
		seen += f.k + 1;
		planted += t->planted;
		gen++;
		printf("generation %ld %ld vmhwm_kb=%ld\n", t->gen, seen,
		       vmhwm_kb(argc == 6 ? argv[5] : NULL));
		fflush(stdout);
		if (seen >= f.total)
			break;
		if (swap_to(&f, &f.t[!cur]) < 0 || prepare(&f, t, gen + 1) < 0) {
			rc = 2;
			break;
		}
		cur = !cur;
	}
	printf("processes=%ld generations=%ld planted=%ld seconds=%.1f\n",
	       seen, gen, planted, now_s() - t0);
	return rc;
}
