/* SPDX-License-Identifier: Apache-2.0 */
/*
 * uevent.c - test helper: run a program inside a umockdev testbed and plug
 * or unplug recorded devices on command.
 *
 *   umockdev-wrapper uevent CONTROL_FIFO PIDFILE [+FILE...] PROGRAM [ARGS...]
 *
 * Creates a testbed (which exports UMOCKDEV_DIR; umockdev-wrapper already
 * set LD_PRELOAD) holding the devices of each +FILE (a machine's USB root
 * hubs, say: what is there before the program starts), forks and execs
 * PROGRAM in it, writes the child's
 * pid to PIDFILE, then reads commands, one per line, from CONTROL_FIFO:
 *
 *   add FILE      add the devices of a umockdev-record file that are not in
 *                 the testbed yet, then send "add" uevents, parents first
 *   remove PATH   send "remove" uevents for PATH (a /sys/devices/... path)
 *                 and every device below it, children first, then take
 *                 them out of the testbed
 *   type NODE FILE  write the evemu events of FILE (its E: lines) to the
 *                 emulated device node NODE (/dev/input/event6) as struct
 *                 input_event, at the pace of their time stamps, stamped
 *                 with their spacing from the real time of the first
 *                 (umockdev's own evemu replay starts
 *                 only for an open that follows its load, which races with
 *                 the daemon opening a device it was just told about; the
 *                 testbed's side of the node has no such race: what is
 *                 written before the open waits in the socket)
 *   burst NODE FILE  the same, all at once: the same time stamps, but no
 *                 pacing for a busy machine to stretch (a stalled writer
 *                 looks like a pause in the typing)
 *
 * Each command is acknowledged by appending "done CMD" (or "failed CMD:
 * why") to PIDFILE.ack.  When the child exits, the helper exits with its
 * status (128+signal if killed), so the test sees the daemon's exit code.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/input.h>
#include <sys/time.h>
#include <time.h>

#include <glib.h>
#include <umockdev.h>

#include "testbed.h"

#define UEVENT_MAX_DEVICES 256

static UMockdevTestbed *tb;
static char *known[UEVENT_MAX_DEVICES];	/* syspaths added so far */
static int nknown;
static const char *ack_path;

static void ack(const char *fmt, const char *a, const char *b)
{
	FILE *f = fopen(ack_path, "a");

	if (!f)
		return;
	fprintf(f, fmt, a, b);
	fputc('\n', f);
	fclose(f);
}

static bool device_present(const char *syspath)
{
	char *sys = umockdev_testbed_get_root_dir(tb);
	char *p = g_strconcat(sys, syspath, NULL);
	struct stat st;
	bool r = stat(p, &st) == 0;

	g_free(sys);
	g_free(p);
	return r;
}

static int by_length(const void *a, const void *b)
{
	size_t la = strlen(*(char *const *)a), lb = strlen(*(char *const *)b);

	return la < lb ? -1 : la > lb;
}

/* Split the record into device blocks ("P: ..." up to the next blank
 * line), keep those not yet in the testbed, add them, send uevents. */
static int cmd_add(const char *file)
{
	char *text = NULL, **lines, *fresh[UEVENT_MAX_DEVICES];
	GString *keep = g_string_new(NULL);
	GError *err = NULL;
	int nfresh = 0, r = 0;
	bool in_keep = false;

	if (!g_file_get_contents(file, &text, NULL, &err)) {
		ack("failed add %s: %s", file, err->message);
		g_error_free(err);
		g_string_free(keep, TRUE);
		return -1;
	}
	lines = g_strsplit(text, "\n", -1);
	for (char **l = lines; *l; l++) {
		if (strncmp(*l, "P: ", 3) == 0) {
			/* Records name devices "/devices/..."; the testbed
			 * API wants "/sys/devices/...". */
			char *sys = g_strconcat("/sys", *l + 3, NULL);

			in_keep = !device_present(sys) && nfresh < UEVENT_MAX_DEVICES;
			if (in_keep)
				fresh[nfresh++] = sys;
			else
				g_free(sys);
		}
		if (in_keep)
			g_string_append_printf(keep, "%s\n", *l);
		if (**l == '\0')
			in_keep = false;
	}
	if (nfresh && !umockdev_testbed_add_from_string(tb, keep->str, &err)) {
		ack("failed add %s: %s", file, err->message);
		g_error_free(err);
		r = -1;
		goto out;
	}
	qsort(fresh, (size_t)nfresh, sizeof(fresh[0]), by_length);
	for (int i = 0; i < nfresh; i++) {
		umockdev_testbed_uevent(tb, fresh[i], "add");
		if (nknown < UEVENT_MAX_DEVICES)
			known[nknown++] = g_strdup(fresh[i]);
	}
	ack("done add %s%s", file, "");
out:
	for (int i = 0; i < nfresh; i++)
		g_free(fresh[i]);
	g_strfreev(lines);
	g_free(text);
	g_string_free(keep, TRUE);
	return r;
}

/* umockdev_testbed_remove_device() leaves the class and block symlinks
 * (sys/block/sr0, sys/class/input/...) behind, and adding the device again
 * would then trip an assertion in umockdev: drop every dangling symlink
 * outside sys/devices. */
static int drop_dangling(const char *path, const struct stat *st, int type,
			 struct FTW *ftw)
{
	struct stat target;

	(void)st;
	(void)ftw;
	if (type == FTW_SL && stat(path, &target) < 0 && errno == ENOENT)
		unlink(path);
	return 0;
}

static void prune_links(void)
{
	char *root = umockdev_testbed_get_root_dir(tb);
	const char *dirs[] = { "/sys/block", "/sys/class", "/sys/bus", "/sys/dev" };

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char *d = g_strconcat(root, dirs[i], NULL);

		nftw(d, drop_dangling, 16, FTW_PHYS);
		g_free(d);
	}
	g_free(root);
}

static bool under(const char *path, const char *top)
{
	size_t n = strlen(top);

	return strncmp(path, top, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static int cmd_remove(const char *top)
{
	char *gone[UEVENT_MAX_DEVICES];
	int ngone = 0, j = 0;

	for (int i = 0; i < nknown; i++) {
		if (under(known[i], top))
			gone[ngone++] = known[i];
		else
			known[j++] = known[i];
	}
	nknown = j;
	if (!ngone) {
		ack("failed remove %s: %s", top, "not in the testbed");
		return -1;
	}
	qsort(gone, (size_t)ngone, sizeof(gone[0]), by_length);
	for (int i = ngone - 1; i >= 0; i--)
		umockdev_testbed_uevent(tb, gone[i], "remove");
	for (int i = ngone - 1; i >= 0; i--) {
		umockdev_testbed_remove_device(tb, gone[i]);
		g_free(gone[i]);
	}
	prune_links();
	ack("done remove %s%s", top, "");
	return 0;
}

/* One "E: sec.usec type code value" line, or false. */
static bool evemu_line(const char *l, double *t, unsigned int *type, unsigned int *code, int *value)
{
	return sscanf(l, "E: %lf %x %x %d", t, type, code, value) == 4;
}

static int cmd_type(char *args, bool paced)
{
	char *file = strchr(args, ' ');
	FILE *in;
	char line[256];
	double first = -1, t;
	unsigned int type, code;
	int value, fd;
	struct timespec t0;
	struct timeval start;
	bool stamped = false;

	if (!file) {
		ack("failed type %s: %s", args, "usage: type NODE FILE");
		return -1;
	}
	*file++ = '\0';
	fd = umockdev_testbed_get_dev_fd(tb, args);
	in = fopen(file, "re");
	if (fd < 0 || !in) {
		ack("failed type %s: %s", args, fd < 0 ? "no such emulated node" : strerror(errno));
		if (in)
			fclose(in);
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (fgets(line, sizeof(line), in)) {
		struct input_event ev = { 0 };
		struct timeval now;
		double due;

		if (!evemu_line(line, &t, &type, &code, &value))
			continue;
		if (first < 0)
			first = t;
		due = t0.tv_sec + t0.tv_nsec / 1e9 + (t - first);
		for (; paced;) {
			struct timespec n;
			double left;

			clock_gettime(CLOCK_MONOTONIC, &n);
			left = due - (n.tv_sec + n.tv_nsec / 1e9);
			if (left <= 0)
				break;
			usleep(left > 0.1 ? 100000 : (useconds_t)(left * 1e6));
		}
		/* Stamped with the file's own spacing from the real time of
		 * the first event, as umockdev's replay does: a busy machine
		 * delays the writes, never the times the detectors read. */
		if (!stamped) {
			gettimeofday(&start, NULL);
			stamped = true;
		}
		now = start;
		now.tv_sec += (time_t)(t - first);
		now.tv_usec += (suseconds_t)(((t - first) - (double)(time_t)(t - first)) * 1e6 + 0.5);
		if (now.tv_usec >= 1000000) {
			now.tv_sec++;
			now.tv_usec -= 1000000;
		}
		ev.input_event_sec = now.tv_sec;
		ev.input_event_usec = now.tv_usec;
		ev.type = (uint16_t)type;
		ev.code = (uint16_t)code;
		ev.value = value;
		if (write(fd, &ev, sizeof(ev)) != (ssize_t)sizeof(ev)) {
			ack("failed type %s: %s", args, strerror(errno));
			fclose(in);
			return -1;
		}
	}
	fclose(in);
	ack("done type %s %s", args, file);
	return 0;
}

static void run_command(char *line)
{
	line[strcspn(line, "\r\n")] = '\0';
	if (strncmp(line, "add ", 4) == 0)
		cmd_add(line + 4);
	else if (strncmp(line, "remove ", 7) == 0)
		cmd_remove(line + 7);
	else if (strncmp(line, "type ", 5) == 0)
		cmd_type(line + 5, true);
	else if (strncmp(line, "burst ", 6) == 0)
		cmd_type(line + 6, false);

	else if (*line)
		ack("failed %s: %s", line, "unknown command");
}

int main(int argc, char **argv)
{
	int prog = 3, r;

	if (argc < 4) {
		fprintf(stderr, "usage: %s CONTROL_FIFO PIDFILE [+FILE...] PROGRAM [ARGS...]\n",
			argv[0]);
		return 2;
	}
	ack_path = g_strconcat(argv[2], ".ack", NULL);
	tb = umockdev_testbed_new();
	for (; prog < argc && argv[prog][0] == '+'; prog++)
		if (cmd_add(argv[prog] + 1) < 0)
			return 2;
	if (prog == argc) {
		fprintf(stderr, "%s: no program to run\n", argv[0]);
		return 2;
	}
	r = testbed_serve(argv[1], argv[2], argv + prog, run_command);
	g_object_unref(tb);
	return r;
}
