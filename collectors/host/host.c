/* SPDX-License-Identifier: Apache-2.0 */
/*
 * host.c - the host collector: where this laptop thinks it is, and what is
 * installed on it to reach it from elsewhere.
 *
 * One `host` event per scan: time zone, locale, keyboard layouts, Korean
 * and Chinese input methods installed, VPN/overlay interfaces, remote-access
 * software found on disk, the default gateway's MAC address (a fingerprint
 * of the network the laptop sits on) and, when configured, the public
 * address seen by a STUN server and its country in a MaxMind database.  The
 * [geo] sets turn these into timezone_expected, locale_expected and
 * public_country_expected, so rules need not know the fleet.
 *
 * Every file is read below ctx->rootfs or ctx->procfs (tests and forensics
 * point them at fixture trees), bounded, and handed to the pure parsers of
 * host_parse.c.  `--scan` emits one `present` event.  The daemon emits
 * `present` at start, re-collects every rescan_interval (default 10 min)
 * and emits `change`, naming the changed fields, only when something
 * changed.
 *
 * The network is never touched unless [collector.host] stun_server is set.
 * The STUN exchange is one UDP datagram each way (RFC 5389 Binding),
 * retransmitted with a doubling RTO from 500 ms (§7.2.1) until stun_timeout:
 *   --scan:   blocking, on a poll(2) bounded by stun_timeout (default 2 s):
 *             a one-shot inventory may wait that long, and must, or it
 *             could not report the public address at all.
 *   daemon:   never blocking.  The connected, non-blocking socket is the
 *             collector's fd; a round sends the request and the answer
 *             arrives through on_ready, retransmissions and the give-up
 *             through on_tick/next_tick.  The round's event is emitted when
 *             the answer arrives or stun_timeout expires, so the public
 *             address is part of the same snapshot as the rest.
 * A server given by name is resolved once, at init (blocking, through the
 * system resolver, in host_stun.c with the options' checks); give an
 * address to avoid even that.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "collectors/geo.h"
#include "host.h"
#include "lib/util.h"
#include "stun.h"

#define HOST_SMALL_FILE		(64 * 1024)	/* /etc files, /proc/net tables */
#define HOST_NET_FILE		(1024 * 1024)	/* route/arp/dev on a busy host */
#define HOST_DPKG_MAX		(64ULL * 1024 * 1024)	/* bytes of dpkg status read */
#define HOST_DPKG_LINE		4096		/* longer lines are skipped */
#define HOST_IFACES_MAX		1024		/* /sys/class/net entries looked at */
#define HOST_RTO_MS		500		/* RFC 5389 §7.2.1 initial RTO */
#define HOST_DRAIN_MAX		16		/* datagrams read per on_ready */
#define HOST_TZ_MAX		64

static const struct field_def host_fields[HOST__NFIELDS] = {
	[HOST_ACTION] = { "action", FIELD_STRING, "present (start-up, --scan), change (daemon, something changed)" },
	[HOST_TIMEZONE] = { "timezone", FIELD_STRING, "IANA time zone: /etc/localtime link, else /etc/timezone, else /etc/sysconfig/clock ZONE" },
	[HOST_TIMEZONE_EXPECTED] = { "timezone_expected", FIELD_BOOL, "timezone matches [geo] timezones (unset: no set configured or no time zone found)" },
	[HOST_LOCALE] = { "locale", FIELD_STRING, "system LANG: /etc/default/locale, else /etc/locale.conf" },
	[HOST_LOCALE_EXPECTED] = { "locale_expected", FIELD_BOOL, "locale matches [geo] locales (unset: no set configured or no locale found)" },
	[HOST_KEYBOARD_LAYOUTS] = { "keyboard_layouts", FIELD_LIST, "XKB layouts and console keymap (/etc/default/keyboard, vconsole.conf, xorg.conf.d)" },
	[HOST_INPUT_METHODS] = { "input_methods", FIELD_LIST, "Korean and Chinese input-method packages installed (dpkg status, IME files)" },
	[HOST_VPN_INTERFACES] = { "vpn_interfaces", FIELD_LIST, "network interfaces named like VPN/overlay tunnels (tun0, wg0, tailscale0, zt*, ham0, wt0, ppp0)" },
	[HOST_INSTALLED] = { "installed", FIELD_LIST, "remote-access and overlay-VPN software paths found on disk" },
	[HOST_GATEWAY_IP] = { "gateway_ip", FIELD_IP, "IPv4 default gateway (lowest metric)" },
	[HOST_GATEWAY_MAC] = { "gateway_mac", FIELD_STRING, "MAC address of the default gateway (ARP table), the network's fingerprint" },
	[HOST_GATEWAY_CHANGED] = { "gateway_changed", FIELD_BOOL, "gateway_mac differs from the last one this agent saw (daemon)" },
	[HOST_PUBLIC_IP] = { "public_ip", FIELD_IP, "public address reported by the configured STUN server" },
	[HOST_PUBLIC_COUNTRY] = { "public_country", FIELD_STRING, "ISO country of public_ip in the [geo] MaxMind database" },
	[HOST_PUBLIC_COUNTRY_EXPECTED] = { "public_country_expected", FIELD_BOOL, "public_country is in [geo] countries (unset: no set or no country)" },
	[HOST_CHANGED] = { "changed", FIELD_LIST, "with action change: the names of the fields that changed" },
};

/* One host: cooldowns are per rule. */
static const int host_entity[] = { -1 };

static void host_describe(const struct event *ev, char *buf, size_t len)
{
	const char *tz = event_get_str(ev, HOST_TIMEZONE);
	const char *loc = event_get_str(ev, HOST_LOCALE);
	const char *gw = event_get_str(ev, HOST_GATEWAY_MAC);
	const char *cc = event_get_str(ev, HOST_PUBLIC_COUNTRY);
	const struct value *ip = event_get(ev, HOST_PUBLIC_IP);
	char addr[64] = "";

	if (ip && ip->set)
		ip_addr_format(&ip->ip, addr, sizeof(addr));
	snprintf(buf, len, "time zone %s, locale %s%s%s%s%s%s%s%s", tz ? tz : "unknown",
		 loc ? loc : "unknown", gw ? ", gateway " : "", gw ? gw : "",
		 addr[0] ? ", public address " : "", addr, cc ? " (" : "", cc ? cc : "",
		 cc ? ")" : "");
}

const struct source_def host_source = {
	.id = SOURCE_HOST,
	.name = "host",
	.fields = host_fields,
	.nfields = HOST__NFIELDS,
	.entity_fields = host_entity,
	.describe = host_describe,
};

/* ---- what is looked for ---- */

/*
 * Korean and Chinese input-method packages (Debian/Ubuntu names).  Weak
 * signals (signals.md §6: no public guidance names them; a farm's input
 * arrives as US-layout HID scancodes anyway).  Korean: ibus-hangul,
 * fcitx(5)-hangul, nimf, kime, uim-byeoru.  Chinese: the pinyin, rime,
 * chewing and sunpinyin engines of ibus and fcitx(5), and Sogou's .deb.
 */
static const char *const host_ime_packages[] = {
	"ibus-hangul", "fcitx-hangul", "fcitx5-hangul", "nimf", "kime", "uim-byeoru",
	"ibus-libpinyin", "ibus-pinyin", "ibus-sunpinyin", "ibus-rime", "ibus-chewing",
	"fcitx-sunpinyin", "fcitx-googlepinyin", "fcitx-libpinyin", "fcitx-rime",
	"fcitx5-chinese-addons", "fcitx5-rime", "fcitx5-chewing", "sogoupinyin",
	NULL,
};

/* The same engines on systems without dpkg: the engine's registration file,
 * reported under the Debian package name.  Install rules read:
 * libhangul/ibus-hangul src/hangul.xml.in.in and libpinyin/ibus-libpinyin
 * src/Makefile.am (component_DATA into $datadir/ibus/component),
 * fcitx/fcitx5-hangul src/CMakeLists.txt (hangul-addon.conf RENAME
 * hangul.conf into fcitx5/addon), fcitx/fcitx5-chinese-addons
 * im/pinyin/CMakeLists.txt (pinyin.conf into fcitx5/addon). */
static const struct host_ime_file {
	const char *path;
	const char *name;
} host_ime_files[] = {
	{ "/usr/share/ibus/component/hangul.xml", "ibus-hangul" },
	{ "/usr/share/fcitx5/addon/hangul.conf", "fcitx5-hangul" },
	{ "/usr/bin/nimf", "nimf" },
	{ "/usr/share/ibus/component/libpinyin.xml", "ibus-libpinyin" },
	{ "/usr/share/fcitx5/addon/pinyin.conf", "fcitx5-chinese-addons" },
};

/*
 * Remote-access and overlay-VPN software on disk (signals.md §4.1, where the
 * sources are cited).  [U]: not in a source read for this project, from the
 * vendors' Linux packages as commonly described; kept because a path that
 * does not exist costs one lstat(2).
 */
static const char *const host_remote_paths[] = {
	"/usr/bin/anydesk", "/etc/anydesk",
	"/opt/teamviewer",
	"/usr/bin/rustdesk",
	"/opt/google/chrome-remote-desktop",
	"/usr/bin/x11vnc", "/usr/bin/Xvnc", "/usr/bin/Xtigervnc",
	"/usr/sbin/xrdp",
	"/usr/NX/bin/nxserver",
	"/usr/local/mesh_services/meshagent/meshagent",
	"/usr/sbin/zerotier-one",
	"/usr/sbin/tailscaled",
	"/usr/bin/netbird",
	"/opt/logmein-hamachi",
	"/usr/local/Astrill",
	"/usr/local/bin/ngrok", "/usr/bin/ngrok",
	"/opt/todesk",			/* [U] ToDesk */
	"/usr/local/sunlogin",		/* [U] SunLogin */
	"/usr/bin/hoptodesk",		/* [U] HopToDesk */
	NULL,
};

/* ---- the snapshot ---- */

struct host_facts {
	char timezone[HOST_TZ_MAX];
	char locale[128];
	struct host_list keyboards;
	struct host_list imes;
	struct host_list vpns;
	struct host_list installed;
	bool has_gateway;
	struct ip_addr gateway;
	char gateway_mac[18];
	bool has_public;
	struct ip_addr public_ip;
	char country[3];
};

struct host_state {
	struct collector_ctx ctx;
	struct geo_config geo;		/* a copy: ctx->geo may be replaced */
	struct geoip *geoip;		/* NULL: no country lookups */
	struct collector_rescan rescan;	/* re-collect (interval 0: never) */
	uint64_t skipped;
	bool reported;			/* the first (present) event is out */
	struct host_facts last;		/* what we last reported */
	char last_gw_mac[18];		/* last gateway MAC ever seen */
	struct host_facts cur;		/* being collected */
	/* STUN */
	int fd;				/* -1: not configured */
	char server[COLLECTOR_OPTION_LEN];
	uint64_t timeout_ms;
	bool round;			/* a daemon round waits for its answer */
	bool stun_noted;		/* the daemon said once that STUN fails */
	uint8_t txid[STUN_TXID_LEN];
	uint64_t round_deadline_ms;
	uint64_t next_send_ms;
	uint64_t rto_ms;
};
_Static_assert(offsetof(struct host_state, ctx) == 0, "collector.h: ctx first");

/* ---- reading files below rootfs/procfs ---- */

static int host_path(char *out, size_t len, const char *base, const char *rel)
{
	size_t b = strlen(base);
	int n;

	while (b > 0 && base[b - 1] == '/')
		b--;		/* "/" + "/etc/x" must not give "//etc/x" */
	n = snprintf(out, len, "%.*s%s", (int)b, base, rel);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int host_read(const char *base, const char *rel, size_t max, char **buf, size_t *len)
{
	char path[PATH_MAX];
	int r = host_path(path, sizeof(path), base, rel);

	*buf = NULL;
	if (r < 0)
		return r;
	return read_file_bounded(path, max, buf, len);
}

static bool host_exists(const char *base, const char *rel)
{
	char path[PATH_MAX];
	struct stat sb;

	/* lstat: a dangling symlink left by an uninstall still says it was
	 * there, and nothing below rootfs is followed out of it. */
	return host_path(path, sizeof(path), base, rel) == 0 && lstat(path, &sb) == 0;
}

/* The value of key in a KEY=VALUE file below rootfs. */
static int host_read_kv(struct host_state *st, const char *rel, const char *key, char *out,
			size_t outlen)
{
	char *buf;
	size_t len;
	int r = host_read(st->ctx.rootfs, rel, HOST_SMALL_FILE, &buf, &len);

	out[0] = '\0';
	if (r < 0)
		return r;
	r = host_kv_get(buf, len, key, out, outlen, &st->skipped);
	free(buf);
	return r;
}

/* ---- collecting ---- */

/* Time zone, in the order glibc and systemd see it: /etc/localtime (the
 * file glibc reads; a symlink into zoneinfo names the zone), then Debian's
 * /etc/timezone (a copy kept by tzdata, may lag behind), then
 * /etc/sysconfig/clock ZONE= (older Red Hat systems). */
static void host_collect_timezone(struct host_state *st, struct host_facts *f)
{
	char path[PATH_MAX], target[PATH_MAX];
	char *buf;
	size_t len;
	ssize_t n;

	if (host_path(path, sizeof(path), st->ctx.rootfs, "/etc/localtime") == 0 &&
	    (n = readlink(path, target, sizeof(target) - 1)) > 0) {
		target[n] = '\0';
		if (host_tz_from_link(target, f->timezone, sizeof(f->timezone)) == 0)
			return;
	}
	if (host_read(st->ctx.rootfs, "/etc/timezone", HOST_SMALL_FILE, &buf, &len) == 0) {
		int r = host_tz_from_text(buf, len, f->timezone, sizeof(f->timezone));

		free(buf);
		if (r == 0)
			return;
		if (r != -ENOENT)
			st->skipped++;
	}
	if (host_read_kv(st, "/etc/sysconfig/clock", "ZONE", f->timezone, sizeof(f->timezone)) == 0 &&
	    !host_tz_valid(f->timezone)) {
		f->timezone[0] = '\0';
		st->skipped++;
	}
}

/* LANG from Debian's /etc/default/locale, else systemd's /etc/locale.conf. */
static void host_collect_locale(struct host_state *st, struct host_facts *f)
{
	static const char *const files[] = { "/etc/default/locale", "/etc/locale.conf" };

	for (size_t i = 0; i < 2; i++)
		if (host_read_kv(st, files[i], "LANG", f->locale, sizeof(f->locale)) == 0 &&
		    f->locale[0])
			return;
	f->locale[0] = '\0';
}

/* Every layout configured anywhere: Debian's /etc/default/keyboard
 * XKBLAYOUT, systemd's /etc/vconsole.conf (KEYMAP, XKBLAYOUT) and the
 * xorg.conf.d snippet localectl writes on other distributions. */
static void host_collect_keyboards(struct host_state *st, struct host_facts *f)
{
	static const struct { const char *file, *key; } kv[] = {
		{ "/etc/default/keyboard", "XKBLAYOUT" },
		{ "/etc/vconsole.conf", "XKBLAYOUT" },
		{ "/etc/vconsole.conf", "KEYMAP" },
	};
	char value[512];
	char *buf;
	size_t len;

	for (size_t i = 0; i < sizeof(kv) / sizeof(kv[0]); i++)
		if (host_read_kv(st, kv[i].file, kv[i].key, value, sizeof(value)) == 0)
			host_layouts_add(&f->keyboards, value, &st->skipped);
	if (host_read(st->ctx.rootfs, "/etc/X11/xorg.conf.d/00-keyboard.conf", HOST_SMALL_FILE,
		      &buf, &len) == 0) {
		if (host_xorg_layout(buf, len, value, sizeof(value)) == 0)
			host_layouts_add(&f->keyboards, value, &st->skipped);
		free(buf);
	}
}

/* dpkg's status file is megabytes: streamed through a line buffer, lines
 * longer than it (descriptions) skipped, the total read bounded. */
static void host_collect_dpkg(struct host_state *st, struct host_facts *f)
{
	struct host_dpkg d = { .wanted = host_ime_packages, .found = &f->imes };
	char path[PATH_MAX], line[HOST_DPKG_LINE];
	uint64_t total = 0;
	bool longline = false;
	FILE *fp;

	if (host_path(path, sizeof(path), st->ctx.rootfs, "/var/lib/dpkg/status") < 0)
		return;
	fp = fopen(path, "re");
	if (!fp)
		return;
	while (total < HOST_DPKG_MAX && fgets(line, sizeof(line), fp)) {
		size_t n = strlen(line);
		bool complete = n > 0 && line[n - 1] == '\n';

		total += n;
		if (!complete && !feof(fp)) {
			longline = true;	/* the rest of it comes next */
			continue;
		}
		if (longline) {
			longline = false;	/* the tail of a long line */
			continue;
		}
		host_dpkg_line(&d, line, complete ? n - 1 : n);
	}
	host_dpkg_end(&d);
	st->skipped += d.skipped;
	fclose(fp);
}

static void host_collect_imes(struct host_state *st, struct host_facts *f)
{
	host_collect_dpkg(st, f);
	for (size_t i = 0; i < sizeof(host_ime_files) / sizeof(host_ime_files[0]); i++)
		if (host_exists(st->ctx.rootfs, host_ime_files[i].path))
			host_list_add(&f->imes, host_ime_files[i].name, strlen(host_ime_files[i].name));
}

/* Interfaces from <rootfs>/sys/class/net, else <procfs>/net/dev. */
static void host_collect_vpns(struct host_state *st, struct host_facts *f)
{
	char path[PATH_MAX];
	DIR *dir = NULL;
	char *buf;
	size_t len;

	if (host_path(path, sizeof(path), st->ctx.rootfs, "/sys/class/net") == 0)
		dir = opendir(path);
	if (dir) {
		struct dirent *de;

		for (int n = 0; n < HOST_IFACES_MAX && (de = readdir(dir)); n++)
			if (de->d_name[0] != '.' && host_is_vpn_ifname(de->d_name))
				host_list_add(&f->vpns, de->d_name, strlen(de->d_name));
		closedir(dir);
		return;
	}
	if (host_read(st->ctx.procfs, "/net/dev", HOST_NET_FILE, &buf, &len) == 0) {
		host_netdev_vpn(buf, len, &f->vpns, &st->skipped);
		free(buf);
	}
}

static void host_collect_installed(struct host_state *st, struct host_facts *f)
{
	for (size_t i = 0; host_remote_paths[i]; i++)
		if (host_exists(st->ctx.rootfs, host_remote_paths[i]))
			host_list_add(&f->installed, host_remote_paths[i], strlen(host_remote_paths[i]));
}

static void host_collect_gateway(struct host_state *st, struct host_facts *f)
{
	char ifname[16];
	char *buf;
	size_t len;

	if (host_read(st->ctx.procfs, "/net/route", HOST_NET_FILE, &buf, &len) < 0)
		return;
	f->has_gateway = host_route_default(buf, len, &f->gateway, ifname, sizeof(ifname),
					    &st->skipped) == 0;
	free(buf);
	if (!f->has_gateway || host_read(st->ctx.procfs, "/net/arp", HOST_NET_FILE, &buf, &len) < 0)
		return;
	if (host_arp_lookup(buf, len, &f->gateway, ifname, f->gateway_mac, &st->skipped) < 0)
		f->gateway_mac[0] = '\0';
	free(buf);
}

static void host_collect(struct host_state *st, struct host_facts *f)
{
	/* The public address (if any) was filled in by the STUN round. */
	host_collect_timezone(st, f);
	host_collect_locale(st, f);
	host_collect_keyboards(st, f);
	host_collect_imes(st, f);
	host_collect_vpns(st, f);
	host_collect_installed(st, f);
	host_collect_gateway(st, f);
	if (f->has_public && st->geoip &&
	    geoip_country(st->geoip, &f->public_ip, f->country) < 0)
		f->country[0] = '\0';
}

/* ---- the event ---- */

static bool host_list_equal(const struct host_list *a, const struct host_list *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->items[i], b->items[i]) != 0)
			return false;
	return true;
}

static bool host_ip_equal(bool ha, const struct ip_addr *a, bool hb, const struct ip_addr *b)
{
	if (ha != hb)
		return false;
	return !ha || (a->family == b->family && memcmp(a->bytes, b->bytes, 16) == 0);
}

/* The fields that differ between the last report and now (after
 * host_carry_over()). */
static size_t host_diff(const struct host_facts *a, const struct host_facts *b, int *out)
{
	size_t n = 0;

	if (strcmp(a->timezone, b->timezone) != 0)
		out[n++] = HOST_TIMEZONE;
	if (strcmp(a->locale, b->locale) != 0)
		out[n++] = HOST_LOCALE;
	if (!host_list_equal(&a->keyboards, &b->keyboards))
		out[n++] = HOST_KEYBOARD_LAYOUTS;
	if (!host_list_equal(&a->imes, &b->imes))
		out[n++] = HOST_INPUT_METHODS;
	if (!host_list_equal(&a->vpns, &b->vpns))
		out[n++] = HOST_VPN_INTERFACES;
	if (!host_list_equal(&a->installed, &b->installed))
		out[n++] = HOST_INSTALLED;
	if (!host_ip_equal(a->has_gateway, &a->gateway, b->has_gateway, &b->gateway))
		out[n++] = HOST_GATEWAY_IP;
	if (strcmp(a->gateway_mac, b->gateway_mac) != 0)
		out[n++] = HOST_GATEWAY_MAC;
	if (!host_ip_equal(a->has_public, &a->public_ip, b->has_public, &b->public_ip))
		out[n++] = HOST_PUBLIC_IP;
	if (strcmp(a->country, b->country) != 0)
		out[n++] = HOST_PUBLIC_COUNTRY;
	return n;
}

/* An empty string is nothing found: the field stays unset. */
static void host_set_str(struct event *ev, int field, const char *s)
{
	if (s && *s)
		event_set_str(ev, field, s);
}

static void host_set_list(struct event *ev, int field, const struct host_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		event_list_add(ev, field, l->items[i]);
}

static void host_set_geo(struct event *ev, int field, const struct geo_set *set,
			 const char *value)
{
	/* Nothing found is not "unexpected": a missing file must not raise
	 * a location alert.  geo_set_field() leaves unconfigured sets unset. */
	if (value && *value)
		geo_set_field(ev, field, geo_set_match(set, value));
}

static struct event *host_build(struct host_state *st, const struct host_facts *f,
				const char *action, const int *changed, size_t nchanged,
				bool gw_changed)
{
	struct event *ev = event_new(&host_source);

	if (!ev)
		return NULL;
	host_set_str(ev, HOST_ACTION, action);
	host_set_str(ev, HOST_TIMEZONE, f->timezone);
	host_set_geo(ev, HOST_TIMEZONE_EXPECTED, &st->geo.timezones, f->timezone);
	host_set_str(ev, HOST_LOCALE, f->locale);
	host_set_geo(ev, HOST_LOCALE_EXPECTED, &st->geo.locales, f->locale);
	host_set_list(ev, HOST_KEYBOARD_LAYOUTS, &f->keyboards);
	host_set_list(ev, HOST_INPUT_METHODS, &f->imes);
	host_set_list(ev, HOST_VPN_INTERFACES, &f->vpns);
	host_set_list(ev, HOST_INSTALLED, &f->installed);
	if (f->has_gateway)
		event_set_ip(ev, HOST_GATEWAY_IP, &f->gateway);
	host_set_str(ev, HOST_GATEWAY_MAC, f->gateway_mac);
	if (f->gateway_mac[0])
		event_set_bool(ev, HOST_GATEWAY_CHANGED, gw_changed);
	if (f->has_public)
		event_set_ip(ev, HOST_PUBLIC_IP, &f->public_ip);
	host_set_str(ev, HOST_PUBLIC_COUNTRY, f->country);
	host_set_geo(ev, HOST_PUBLIC_COUNTRY_EXPECTED, &st->geo.countries, f->country);
	for (size_t i = 0; i < nchanged; i++)
		event_list_add(ev, HOST_CHANGED, host_fields[changed[i]].name);
	return event_complete(ev);
}

/* An unanswered STUN round (a lost datagram is not a move) or a gateway
 * whose ARP entry expired (same gateway address) says nothing new: keep
 * what was last known rather than report a change to "unknown". */
static void host_carry_over(const struct host_facts *last, struct host_facts *f)
{
	if (!f->has_public && last->has_public) {
		f->has_public = true;
		f->public_ip = last->public_ip;
		memcpy(f->country, last->country, sizeof(f->country));
	}
	if (!f->gateway_mac[0] && last->gateway_mac[0] && f->has_gateway &&
	    host_ip_equal(true, &f->gateway, last->has_gateway, &last->gateway))
		memcpy(f->gateway_mac, last->gateway_mac, sizeof(f->gateway_mac));
}

/* Collect now and report: present the first time, then change only when
 * something did.  The public address, if any, is already in st->cur. */
static int host_report(struct host_state *st)
{
	struct host_facts *f = &st->cur;
	int changed[HOST__NFIELDS];
	size_t n = 0;
	bool gw_changed;
	struct event *ev;

	host_collect(st, f);
	if (st->reported) {
		host_carry_over(&st->last, f);
		n = host_diff(&st->last, f, changed);
		if (n == 0)
			goto out_keep;
	}
	/* Against the last MAC ever seen, so offline -> new network counts. */
	gw_changed = st->last_gw_mac[0] && f->gateway_mac[0] &&
		     strcmp(st->last_gw_mac, f->gateway_mac) != 0;
	ev = host_build(st, f, st->reported ? EVENT_ACTION_CHANGE : EVENT_ACTION_PRESENT,
			changed, n, gw_changed);
	if (!ev)
		return -ENOMEM;
	collector_emit(&st->ctx, ev);
	st->reported = true;
out_keep:
	if (f->gateway_mac[0])
		memcpy(st->last_gw_mac, f->gateway_mac, sizeof(st->last_gw_mac));
	st->last = *f;
	return 0;
}

/* ---- STUN ---- */

static int host_stun_send(struct host_state *st)
{
	uint8_t req[STUN_REQUEST_LEN];
	int n = stun_build_request(req, sizeof(req), st->txid);

	if (n < 0)
		return n;
	if (send(st->fd, req, (size_t)n, MSG_NOSIGNAL) < 0)
		return -errno;
	return 0;
}

/* Read what has arrived.  1: our answer is in st->cur, 0: not yet,
 * -ECONNREFUSED: nobody listens there (ICMP port unreachable). */
static int host_stun_drain(struct host_state *st)
{
	for (int i = 0; i < HOST_DRAIN_MAX; i++) {
		uint8_t buf[STUN_MAX_MESSAGE];
		ssize_t n = recv(st->fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);
		int r;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == ECONNREFUSED ? -ECONNREFUSED : 0;
		}
		if ((size_t)n > sizeof(buf)) {
			st->skipped++;	/* truncated: not a Binding answer */
			continue;
		}
		r = stun_parse_response(buf, (size_t)n, st->txid, &st->cur.public_ip, NULL);
		if (r == 0) {
			st->cur.has_public = true;
			return 1;
		}
		if (r != -ENOMSG)	/* a late answer to an earlier round is fine */
			st->skipped++;
	}
	return 0;
}

static int host_stun_begin(struct host_state *st, uint64_t now)
{
	int r;

	while (host_stun_drain(st) > 0)
		;	/* stale answers from a round that gave up */
	memset(&st->cur, 0, sizeof(st->cur));
	r = stun_txid_new(st->txid);
	if (r < 0)
		return r;
	st->rto_ms = HOST_RTO_MS;
	st->round_deadline_ms = now + st->timeout_ms;
	st->next_send_ms = now + st->rto_ms;
	return host_stun_send(st);
}

static void host_stun_retransmit(struct host_state *st, uint64_t now)
{
	st->rto_ms *= 2;
	st->next_send_ms = now + st->rto_ms;
	host_stun_send(st);	/* a failed send is retried at the next RTO */
}

/* Say it once per collector start: the daemon asks every rescan, and a
 * server that is down should not fill the log. */
static void host_stun_failed(struct host_state *st, int err)
{
	if (st->stun_noted || !st->ctx.note)
		return;
	st->stun_noted = true;
	st->ctx.note(st->ctx.opaque, LOG_WARNING, "host", "no STUN answer from %s (%s)",
		     st->server, err == -ETIMEDOUT ? "timed out" : strerror(-err));
}

/* --scan: the whole exchange, bounded by stun_timeout. */
static void host_stun_blocking(struct host_state *st)
{
	uint64_t now = now_monotonic_ms();
	int r = host_stun_begin(st, now);

	while (r == 0 && now < st->round_deadline_ms) {
		uint64_t until = st->next_send_ms < st->round_deadline_ms ? st->next_send_ms
									  : st->round_deadline_ms;
		struct pollfd pfd = { .fd = st->fd, .events = POLLIN };

		if (poll(&pfd, 1, (int)(until - now)) > 0) {
			r = host_stun_drain(st);
			if (r != 0)
				break;
		}
		now = now_monotonic_ms();
		if (now >= st->next_send_ms && now < st->round_deadline_ms)
			host_stun_retransmit(st, now);
	}
	if (r <= 0)
		host_stun_failed(st, r < 0 ? r : -ETIMEDOUT);
}

/* ---- the collector ---- */

static int host_scan(void *state)
{
	struct host_state *st = state;
	uint64_t now = now_monotonic_ms();

	if (!st)
		return -EINVAL;
	collector_rescan_arm(&st->rescan, st->rescan.interval_ms, now);
	if (st->fd < 0) {
		memset(&st->cur, 0, sizeof(st->cur));
		return host_report(st);
	}
	if (st->ctx.mode != COLLECTOR_DAEMON) {
		host_stun_blocking(st);
		return host_report(st);
	}
	/* Daemon: the round ends in on_ready or on_tick. */
	if (host_stun_begin(st, now) < 0)
		return host_report(st);
	st->round = true;
	return 0;
}

static int host_on_ready(void *state)
{
	struct host_state *st = state;
	int r;

	if (!st || st->fd < 0)
		return 0;
	r = host_stun_drain(st);
	if (!st->round || r == 0)
		return 0;
	st->round = false;
	if (r < 0)
		host_stun_failed(st, r);
	return host_report(st);
}

static int host_on_tick(void *state, uint64_t now)
{
	struct host_state *st = state;

	if (!st)
		return -EINVAL;
	if (st->round) {
		if (now >= st->round_deadline_ms) {
			st->round = false;	/* no answer: report without it */
			host_stun_failed(st, -ETIMEDOUT);
			return host_report(st);
		}
		if (now >= st->next_send_ms)
			host_stun_retransmit(st, now);
		return 0;
	}
	/* host_scan() schedules the next one. */
	return collector_rescan_due(&st->rescan, now) ? host_scan(st) : 0;
}

static uint64_t host_next_tick(void *state, uint64_t now)
{
	struct host_state *st = state;
	uint64_t due;

	if (!st)
		return UINT64_MAX;
	due = st->round ? collector_earlier(st->next_send_ms, st->round_deadline_ms)
			: st->rescan.next_ms;
	return collector_ms_until(due, now);
}

static int host_fd(void *state)
{
	struct host_state *st = state;

	return st ? st->fd : -1;
}

static void host_stats(void *state, struct collector_stats *out)
{
	struct host_state *st = state;

	memset(out, 0, sizeof(*out));
	if (st)
		out->skipped = st->skipped;
}

static void host_free(void *state)
{
	struct host_state *st = state;

	if (!st)
		return;
	if (st->fd >= 0)
		close(st->fd);
	geoip_close(st->geoip);
	free(st);
}

static void host_init_options(struct host_state *st, const struct collector_ctx *ctx)
{
	const char *server = collector_option(&host_collector, ctx->config, "stun_server");
	const char *timeout = collector_option(&host_collector, ctx->config, "stun_timeout");
	int r;

	if (!timeout || duration_parse(timeout, &st->timeout_ms) < 0)
		st->timeout_ms = 2000;
	if (!server || !*server)
		return;		/* the default: no traffic at all */
	strlcpy_fh(st->server, server, sizeof(st->server));
	r = host_stun_connect(server, &st->fd);
	if (r < 0 && ctx->note)
		ctx->note(ctx->opaque, LOG_WARNING, "host", "STUN server %s unusable (%s); no public address",
			  server, strerror(-r));
}

static void host_init_geoip(struct host_state *st, const struct collector_ctx *ctx)
{
	int r;

	if (!st->geo.database[0])
		return;
	r = geoip_open(st->geo.database, &st->geoip);
	if (r < 0 && ctx->note)
		ctx->note(ctx->opaque, LOG_WARNING, "host", "cannot open MaxMind database %s (%s)",
			  st->geo.database, strerror(-r));
}

static int host_init(const struct collector_ctx *ctx, void **state)
{
	struct host_state *st;
	int r = collector_state_new(ctx, sizeof(*st), state);

	if (r < 0)
		return r;
	st = *state;
	st->ctx.geo = NULL;	/* use the copy */
	if (!st->ctx.rootfs)
		st->ctx.rootfs = "/";
	if (!st->ctx.procfs)
		st->ctx.procfs = "/proc";
	if (ctx->geo)
		st->geo = *ctx->geo;
	st->fd = -1;
	/* Armed by the first scan. */
	st->rescan.interval_ms = ctx->config ? ctx->config->rescan_ms : 10 * 60 * 1000;
	host_init_options(st, ctx);
	host_init_geoip(st, ctx);
	return 0;
}

const struct collector host_collector = {
	.name = "host",
	.source = &host_source,
	.options = host_options,
	.init = host_init,
	.fd = host_fd,
	.on_ready = host_on_ready,
	.on_tick = host_on_tick,
	.scan = host_scan,
	.next_tick = host_next_tick,
	.free = host_free,
	.stats = host_stats,
};
