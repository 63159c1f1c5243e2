/* SPDX-License-Identifier: Apache-2.0 */
/*
 * host.h - the host source (DESIGN §3): field ids, the STUN server options
 * and socket (host_stun.c), and the pure parsers of the host collector
 * (collectors/host/host.c; they live in host_parse.c), exported for the
 * unit tests.
 *
 * Every parser takes text (a whole small file, or one line) and a length,
 * never a path: the collector reads the files below --rootfs/--procfs, the
 * parsers only look at bytes.  They never log; malformed lines are skipped
 * and counted where the caller passes a counter.
 */
#ifndef FARMHOUND_HOST_H
#define FARMHOUND_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collectors/collector.h"

enum host_field {
	HOST_ACTION,
	HOST_TIMEZONE,
	HOST_TIMEZONE_EXPECTED,
	HOST_LOCALE,
	HOST_LOCALE_EXPECTED,
	HOST_KEYBOARD_LAYOUTS,
	HOST_INPUT_METHODS,
	HOST_VPN_INTERFACES,
	HOST_INSTALLED,
	HOST_GATEWAY_IP,
	HOST_GATEWAY_MAC,
	HOST_GATEWAY_CHANGED,
	HOST_PUBLIC_IP,
	HOST_PUBLIC_COUNTRY,
	HOST_PUBLIC_COUNTRY_EXPECTED,
	HOST_CHANGED,
	HOST__NFIELDS,
};

extern const struct source_def host_source;
extern const struct collector host_collector;

/* ---- the STUN server (host_stun.c) ---- */

/* stun_server (host:port, [v6]:port) and stun_timeout, with their checks. */
extern const struct collector_option host_options[];
/* A connected, non-blocking UDP socket to the STUN server value names
 * (resolved now) in *fd; 0 or -errno. */
int host_stun_connect(const char *value, int *fd);

/* ---- bounded lists (the list fields before they become an event) ---- */

#define HOST_LIST_MAX 24	/* items per list field */
#define HOST_ITEM_MAX 128	/* bytes per item, NUL included */

struct host_list {
	size_t n;
	char items[HOST_LIST_MAX][HOST_ITEM_MAX];
};

/* Append s[0..len) unless already there; 0, -E2BIG (full), -ENAMETOOLONG,
 * -EINVAL (empty or holding a NUL or control byte). */
int host_list_add(struct host_list *l, const char *s, size_t len);
bool host_list_has(const struct host_list *l, const char *s);

/* ---- time zone ---- */

/* An IANA zone name as found in tzdata: "Asia/Seoul", "Etc/GMT+9", "UTC".
 * Letters, digits, "/_+-", no empty component, no "." or "..". */
bool host_tz_valid(const char *name);
/* /etc/timezone: the first line that is neither blank nor a comment.
 * 0, -ENOENT (nothing there), -EINVAL (not a zone name), -ENAMETOOLONG. */
int host_tz_from_text(const char *text, size_t len, char *out, size_t outlen);
/* The target of the /etc/localtime symlink ("/usr/share/zoneinfo/Asia/
 * Seoul", "../usr/share/zoneinfo/posix/UTC"): the part after "zoneinfo/",
 * without a "posix/" or "right/" prefix.  Same returns. */
int host_tz_from_link(const char *target, char *out, size_t outlen);

/* ---- shell-style KEY=VALUE files (/etc/default/..., locale.conf, ...) ---- */

/* The value of key (the last assignment wins, as when the shell sources
 * the file), unquoted ('..' or ".."), an optional "export " prefix
 * allowed.  0, -ENOENT (no such key), -ENAMETOOLONG.  Lines that are not
 * assignments or have an unterminated quote are skipped and counted in
 * *skipped (when not NULL). */
int host_kv_get(const char *text, size_t len, const char *key, char *out, size_t outlen,
		uint64_t *skipped);

/* xorg.conf.d keyboard snippet (systemd-localed writes
 * /etc/X11/xorg.conf.d/00-keyboard.conf): the value of
 * `Option "XkbLayout" "us,kr"`.  0, -ENOENT, -ENAMETOOLONG. */
int host_xorg_layout(const char *text, size_t len, char *out, size_t outlen);

/* Split a comma-separated layout value ("us,kr") into l: each item
 * trimmed; items that are not layout names ([A-Za-z0-9_.()-]) are skipped
 * and counted.  0 or -E2BIG (l filled up: the rest dropped). */
int host_layouts_add(struct host_list *l, const char *value, uint64_t *skipped);

/* ---- dpkg status (streamed line by line: the file is megabytes) ---- */

struct host_dpkg {
	const char *const *wanted;	/* NULL-terminated package names */
	struct host_list *found;	/* installed wanted packages go here */
	char pkg[HOST_ITEM_MAX];	/* the current stanza's Package */
	bool installed;			/* its Status ends in "installed" */
	uint64_t skipped;		/* malformed Package/Status lines */
};

/* One line, without its newline.  A blank line ends a stanza. */
void host_dpkg_line(struct host_dpkg *d, const char *line, size_t len);
/* End of file: close the last stanza. */
void host_dpkg_end(struct host_dpkg *d);
/* The whole text at once (tests, small files): lines then end. */
void host_dpkg_parse(struct host_dpkg *d, const char *text, size_t len);

/* ---- network ---- */

/* Does an interface name look like a VPN or overlay tunnel?  See host.c
 * for the list and why tap, virbr and docker devices are not on it. */
bool host_is_vpn_ifname(const char *name);
/* /proc/net/dev: add the tunnel-looking interface names to vpn.
 * Returns the number of interface lines read. */
size_t host_netdev_vpn(const char *text, size_t len, struct host_list *vpn, uint64_t *skipped);

/* /proc/net/route: the default route (destination and mask 0, flags UP and
 * GATEWAY) with the lowest metric: its gateway (IPv4) and interface.
 * 0 or -ENOENT. */
int host_route_default(const char *text, size_t len, struct ip_addr *gw, char *ifname,
		       size_t iflen, uint64_t *skipped);
/* /proc/net/arp: the MAC address ("aa:bb:cc:dd:ee:ff", lower case) of ip
 * on ifname (any interface when ifname is NULL or ""), from a complete
 * entry (flag 0x2) that is not all zeros.  0 or -ENOENT. */
int host_arp_lookup(const char *text, size_t len, const struct ip_addr *ip, const char *ifname,
		    char mac[18], uint64_t *skipped);

#endif
