/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_host_parse.c - the host collector's text parsers (collectors/
 * host_parse.c): /etc/timezone and the /etc/localtime link target, shell
 * KEY=VALUE files, the xorg keyboard snippet, layout lists, dpkg status,
 * /proc/net/dev, /proc/net/route and /proc/net/arp.  The files are below
 * --rootfs, so a fixture tree (or a hostile image) may hold anything.
 * Every parser sees the whole input (and the C-string ones a terminated
 * copy of it).
 */
#include <errno.h>
#include <sys/socket.h>

#include "collectors/host/host.h"
#include "fuzz.h"

static void check_list(const struct host_list *l)
{
	FUZZ_CHECK(l->n <= HOST_LIST_MAX);
	for (size_t i = 0; i < l->n; i++)
		FUZZ_CHECK(strnlen(l->items[i], HOST_ITEM_MAX) < HOST_ITEM_MAX);
}

static void kv_and_keyboard(const char *text, size_t size, char *buf, size_t buflen)
{
	static struct host_list l;
	static const char *const keys[] = { "LANG", "XKBLAYOUT", "LC_ALL", "GTK_IM_MODULE" };
	uint64_t skipped = 0;

	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		if (host_kv_get(text, size, keys[k], buf, buflen, &skipped) == 0)
			FUZZ_CHECK(strlen(buf) < buflen);
	if (host_xorg_layout(text, size, buf, buflen) == 0) {
		FUZZ_CHECK(strlen(buf) < buflen);
		l.n = 0;
		host_layouts_add(&l, buf, &skipped);
		check_list(&l);
	}
}

static void dpkg(const char *text, size_t size)
{
	static const char *const wanted[] = { "anydesk", "rustdesk", "teamviewer", NULL };
	static struct host_list found;
	struct host_dpkg d = { .wanted = wanted, .found = &found };

	found.n = 0;
	host_dpkg_parse(&d, text, size);
	check_list(&found);
	FUZZ_TERMINATED(d.pkg);
}

static void net(const char *text, size_t size)
{
	static struct host_list vpn;
	struct ip_addr gw = { 0 }, ip = { .family = AF_INET, .bytes = { 192, 168, 1, 1 } };
	char ifname[32], mac[18];
	uint64_t skipped = 0;

	vpn.n = 0;
	host_netdev_vpn(text, size, &vpn, &skipped);
	check_list(&vpn);
	if (host_route_default(text, size, &gw, ifname, sizeof(ifname), &skipped) == 0)
		FUZZ_CHECK(strlen(ifname) < sizeof(ifname));
	if (host_arp_lookup(text, size, &ip, NULL, mac, &skipped) == 0)
		FUZZ_CHECK(strlen(mac) == 17);
	host_arp_lookup(text, size, &ip, "eth0", mac, &skipped);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct host_list l;
	const char *text = (const char *)data;
	char buf[HOST_ITEM_MAX];
	char *s = fuzz_strndup(data, size);

	if (!s)
		return 0;
	if (host_tz_from_text(text, size, buf, sizeof(buf)) == 0)
		FUZZ_CHECK(host_tz_valid(buf));
	if (host_tz_from_link(s, buf, sizeof(buf)) == 0)
		FUZZ_CHECK(host_tz_valid(buf));
	host_tz_valid(s);
	host_is_vpn_ifname(s);
	l.n = 0;
	if (host_list_add(&l, text, size) == 0)
		FUZZ_CHECK(l.n == 1 && host_list_has(&l, l.items[0]));
	kv_and_keyboard(text, size, buf, sizeof(buf));
	dpkg(text, size);
	net(text, size);
	free(s);
	return 0;
}
