/* SPDX-License-Identifier: Apache-2.0 */
/*
 * usbflood.c - test helper: a flood of USB add/remove uevents through a
 * umockdev testbed, into a program (the daemon) running in it.
 *
 *   umockdev-wrapper usbflood CONTROL_FIFO PIDFILE ROOT_HUBS POOL PROGRAM [ARGS...]
 *
 * Creates a testbed with the root hubs of the umockdev record ROOT_HUBS,
 * POOL ordinary USB flash drives (0781:5567 SanDisk Cruzer Blade, a distinct
 * serial each, usb-storage interface) on ports 1-2 .. 1-(POOL+1), and
 * keeps USBFLOOD_KVMS (32) PiKVMs for later, on bus 2 (the kvmd default
 * gadget identity, 1d6b:0104 "PiKVM" / "PiKVM Composite Device" /
 * CAFEBABE, with a HID keyboard interface: what ip-kvm-pikvm matches),
 * then forks and execs
 * PROGRAM in it, writes its pid to PIDFILE and reads commands from
 * CONTROL_FIFO, acknowledged in PIDFILE.ack as uevent.c does:
 *
 *   flood N EVERY WINDOW
 *                   N uevents, half add and half remove: flash drive
 *                   s % POOL is added at step s and removed WINDOW steps
 *                   later (WINDOW < POOL), so WINDOW devices are plugged
 *                   at any time (600: more than the collector's 512-entry
 *                   table).
 *                   Every EVERY uevents the next PiKVM is plugged too
 *                   (each on its own port: a new device to the rules' per
 *                   device cooldown), and unplugged when the next one is,
 *                   at least 1 s later so it outlives the collector's
 *                   settle time (2 more uevents each).  Acknowledged as
 *                   "done flood N uevents=U kvms=K seconds=S" (U: all sent).
 *
 * The flash drives stay in the testbed's sysfs (umockdev_testbed_remove_
 * device rewrites the tree: far too slow a million times); the collector
 * reads sysfs only for adds, a remove is built from what it remembered or
 * from the uevent.  A PiKVM enters the testbed when it is plugged (had it
 * been there at start, the inventory would have reported it, and the
 * rule's cooldown would hide the plug).
 *
 * Pacing: umockdev (0.17) sends each uevent on a non-blocking unix
 * datagram socket and exits the sender when the daemon's queue is full
 * (net.unix.max_dgram_qlen, 10 by default) -- it cannot overrun the
 * daemon the way the kernel's netlink does (fault_udev.sh injects that
 * ENOBUFS).  So the daemon runs with a small LD_PRELOAD shim (compiled by
 * the test) that counts the devices udev_monitor_receive_device() returned
 * into the 8-byte file $USBFLOOD_COUNTER, mapped here too, and no uevent
 * is sent while USBFLOOD_AHEAD (6) sent ones are unread: the flood runs as
 * fast as the daemon takes uevents in.  Without USBFLOOD_COUNTER there is
 * no pacing.
 *
 * Deadlines (a stall: the daemon read nothing for 20 s) are scaled by
 * FH_TIME_SCALE, the suites' factor.  When the child exits, the helper
 * exits with its status.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>
#include <umockdev.h>

#include "testbed.h"

#define USBFLOOD_KVMS	32
#define USBFLOOD_AHEAD	6	/* unread uevents at most (queue: 10) */
#define USBFLOOD_STALL_S	20.0	/* scaled by FH_TIME_SCALE */
#define USBFLOOD_OWN_ADD_S	2.0	/* for umockdev's own add of a PiKVM, scaled */
#define USBFLOOD_HCD	"/sys/devices/pci0000:00/0000:00:14.0"

static UMockdevTestbed *tb;
static const char *ack_path;
static char **pool;		/* syspaths of the flash drives */
static long npool;
static char *kvm[USBFLOOD_KVMS];
static volatile uint64_t *received;	/* by the daemon; NULL: no pacing */
static uint64_t sent;
static uint64_t extra;		/* uevents umockdev sent on its own */
static int next_kvm;		/* PiKVMs are used once, across floods */
static bool stalled;
static double time_scale = 1;	/* FH_TIME_SCALE, lib.sh's deadline factor */

static void ack(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void ack(const char *fmt, ...)
{
	FILE *f = fopen(ack_path, "a");
	va_list ap;

	if (!f)
		return;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	fclose(f);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A flash drive as sysfs shows one (values as usb-stick.umockdev). */
static void add_stick(GString *rec, long i)
{
	g_string_append_printf(rec,
		"P: /devices/pci0000:00/0000:00:14.0/usb1/1-%ld\n"
		"E: SUBSYSTEM=usb\nE: DEVTYPE=usb_device\nE: DRIVER=usb\n"
		"E: PRODUCT=781/5567/100\nE: TYPE=0/0/0\n"
		"A: idVendor=0781\nA: idProduct=5567\nA: bcdDevice=0100\n"
		"A: manufacturer=SanDisk\nA: product=Cruzer Blade\nA: serial=4C53%012ld\n"
		"A: speed=480\nA: bDeviceClass=00\nA: bNumInterfaces= 1\nA: configuration=\n"
		"L: driver=../../../../bus/usb/drivers/usb\n\n"
		"P: /devices/pci0000:00/0000:00:14.0/usb1/1-%ld/1-%ld:1.0\n"
		"E: SUBSYSTEM=usb\nE: DEVTYPE=usb_interface\nE: DRIVER=usb-storage\n"
		"E: INTERFACE=8/6/80\n"
		"A: bInterfaceClass=08\nA: bInterfaceSubClass=06\nA: bInterfaceProtocol=50\n"
		"A: bInterfaceNumber=00\n"
		"L: driver=../../../../../bus/usb/drivers/usb-storage\n\n",
		i, i, i, i);
}

/* PiKVM's OTG gadget with kvmd's default identity (pikvm/kvmd
 * kvmd/apps/otg/__init__.py, _scheme.py; tests/fixtures/usb/gen.py). */
static void add_kvm(GString *rec, int k)
{
	g_string_append_printf(rec,
		"P: /devices/pci0000:00/0000:00:14.0/usb2/2-%d\n"
		"E: SUBSYSTEM=usb\nE: DEVTYPE=usb_device\nE: DRIVER=usb\n"
		"E: PRODUCT=1d6b/104/100\nE: TYPE=0/0/0\n"
		"A: idVendor=1d6b\nA: idProduct=0104\nA: bcdDevice=0100\n"
		"A: manufacturer=PiKVM\nA: product=PiKVM Composite Device\nA: serial=CAFEBABE\n"
		"A: speed=480\nA: bDeviceClass=00\nA: bNumInterfaces= 1\nA: configuration=\n"
		"L: driver=../../../../bus/usb/drivers/usb\n\n"
		"P: /devices/pci0000:00/0000:00:14.0/usb2/2-%d/2-%d:1.0\n"
		"E: SUBSYSTEM=usb\nE: DEVTYPE=usb_interface\nE: DRIVER=usbhid\n"
		"E: INTERFACE=3/1/1\n"
		"A: bInterfaceClass=03\nA: bInterfaceSubClass=01\nA: bInterfaceProtocol=01\n"
		"A: bInterfaceNumber=00\n"
		"L: driver=../../../../../bus/usb/drivers/usbhid\n\n",
		k, k, k);
}

static int build_testbed(const char *hubs, long n)
{
	GString *rec = g_string_new(NULL);
	GError *err = NULL;
	char *text = NULL;
	bool ok;

	if (!g_file_get_contents(hubs, &text, NULL, &err)) {
		fprintf(stderr, "usbflood: %s: %s\n", hubs, err->message);
		g_error_free(err);
		g_string_free(rec, TRUE);
		return -1;
	}
	g_string_append_printf(rec, "%s\n\n", text);
	g_free(text);
	npool = n;
	pool = g_new0(char *, (gsize)n);
	for (long i = 0; i < n; i++) {
		add_stick(rec, i + 2);
		pool[i] = g_strdup_printf(USBFLOOD_HCD "/usb1/1-%ld", i + 2);
	}
	for (int k = 0; k < USBFLOOD_KVMS; k++)
		kvm[k] = g_strdup_printf(USBFLOOD_HCD "/usb2/2-%d", k + 1);
	ok = umockdev_testbed_add_from_string(tb, rec->str, &err);
	if (!ok) {
		fprintf(stderr, "usbflood: testbed: %s\n", err->message);
		g_error_free(err);
	}
	g_string_free(rec, TRUE);
	return ok ? 0 : -1;
}

/* Map $USBFLOOD_COUNTER (created here, 8 bytes, zero). */
static int map_counter(void)
{
	const char *path = getenv("USBFLOOD_COUNTER");
	void *p;
	int fd;

	if (!path)
		return 0;
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, sizeof(uint64_t)) < 0) {
		perror(path);
		return -1;
	}
	p = mmap(NULL, sizeof(uint64_t), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		perror("mmap");
		return -1;
	}
	received = p;
	return 0;
}

/* One uevent, once the daemon's queue has room; false after a stall. */
static bool send_uevent(const char *syspath, const char *action)
{
	double t0 = 0;

	while (received && !stalled &&
	       (int64_t)(sent + extra - __atomic_load_n(received, __ATOMIC_ACQUIRE)) >= USBFLOOD_AHEAD) {
		if (t0 == 0)
			t0 = now_s();
		else if (now_s() - t0 > USBFLOOD_STALL_S * time_scale)
			stalled = true;
		usleep(50);
	}
	/* The daemon cannot read more than was sent: anything beyond is an
	 * add umockdev sent on its own that arrived late (plug_kvm). */
	if (received && __atomic_load_n(received, __ATOMIC_ACQUIRE) > sent + extra)
		extra = __atomic_load_n(received, __ATOMIC_ACQUIRE) - sent;
	if (stalled)
		return false;
	umockdev_testbed_uevent(tb, syspath, action);
	sent++;
	return true;
}

static bool plug_kvm(int k)
{
	GString *rec = g_string_new(NULL);
	GError *err = NULL;
	bool ok;

	add_kvm(rec, k + 1);
	/* umockdev sends an add of its own when a device enters the testbed
	 * (not counted in sent): let the daemon read everything before and
	 * after, and count what it read in between as extra. */
	for (int i = 0; received && sent + extra > *received; i++) {
		if (i > USBFLOOD_STALL_S * time_scale * 1000) {
			stalled = true;
			g_string_free(rec, TRUE);
			return false;
		}
		usleep(1000);
	}
	ok = umockdev_testbed_add_from_string(tb, rec->str, &err);
	/* Until the daemon read that add (a condition, not a sleep); if it
	 * comes later than the deadline, send_uevent() counts it then. */
	for (int i = 0; ok && received && *received <= sent + extra &&
			i < USBFLOOD_OWN_ADD_S * time_scale * 1000; i++)
		usleep(1000);
	if (received && *received > sent + extra)
		extra = *received - sent;
	if (!ok) {
		fprintf(stderr, "usbflood: PiKVM %d: %s\n", k + 1, err->message);
		g_error_free(err);
	}
	g_string_free(rec, TRUE);
	return ok && send_uevent(kvm[k], "add");
}

static void wait_until(double t)
{
	double now = now_s();

	if (now < t)
		usleep((useconds_t)((t - now) * 1e6));
}

/* The flood: see the top of the file. */
static void cmd_flood(long n, long every, long window)
{
	long adds = n / 2, step, kvms = 0, plugged = -1, done = 0;
	uint64_t sent0 = sent;
	double t0 = now_s(), kvm_at = 0;
	bool ok = true;

	if (n < 2 || every < 2 || window < 1 || npool <= window) {
		ack("failed flood: N >= 2, EVERY >= 2, 0 < WINDOW < pool (%ld)", npool);
		return;
	}
	for (step = 0; ok && step < adds; step++) {
		if (done / every != (done + 2) / every && next_kvm < USBFLOOD_KVMS) {
			if (plugged >= 0) {
				wait_until(kvm_at + 1.0);
				ok = send_uevent(kvm[plugged], "remove");
			}
			plugged = next_kvm++;
			kvms++;
			ok = ok && plug_kvm((int)plugged);
			kvm_at = now_s();
		}
		ok = ok && send_uevent(pool[step % npool], "add");
		if (step >= window)
			ok = ok && send_uevent(pool[(step - window) % npool], "remove");
		done += 2;
	}
	/* The last window of flash drives, and the last PiKVM, go too. */
	for (long s = step - window; ok && s < step; s++)
		if (s >= 0)
			ok = send_uevent(pool[s % npool], "remove");
	if (ok && plugged >= 0) {
		wait_until(kvm_at + 1.0);
		ok = send_uevent(kvm[plugged], "remove");
	}
	if (!ok)
		ack("failed flood %ld: stalled after %llu uevents (daemon read %llu of %llu)", n,
		    (unsigned long long)(sent - sent0),
		    (unsigned long long)(received ? *received : 0), (unsigned long long)sent);
	else
		ack("done flood %ld uevents=%llu kvms=%ld seconds=%.1f", n,
		    (unsigned long long)(sent - sent0), kvms, now_s() - t0);
}

static void run_command(char *line)
{
	long n, every, window;

	line[strcspn(line, "\r\n")] = '\0';
	if (sscanf(line, "flood %ld %ld %ld", &n, &every, &window) == 3)
		cmd_flood(n, every, window);
	else if (*line)
		ack("failed %s: unknown command", line);
}

int main(int argc, char **argv)
{
	int r;

	if (argc < 6) {
		fprintf(stderr, "usage: %s CONTROL_FIFO PIDFILE ROOT_HUBS POOL PROGRAM [ARGS...]\n",
			argv[0]);
		return 2;
	}
	ack_path = g_strconcat(argv[2], ".ack", NULL);
	if (getenv("FH_TIME_SCALE") && atof(getenv("FH_TIME_SCALE")) >= 1)
		time_scale = atof(getenv("FH_TIME_SCALE"));
	tb = umockdev_testbed_new();
	if (map_counter() < 0 || build_testbed(argv[3], atol(argv[4])) < 0)
		return 2;
	r = testbed_serve(argv[1], argv[2], argv + 5, run_command);
	g_object_unref(tb);
	return r;
}
