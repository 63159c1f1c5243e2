/* SPDX-License-Identifier: Apache-2.0 */
/*
 * host_parse.c - the pure parsers of the host collector (host.h): time
 * zone files, shell-style KEY=VALUE files, the xorg keyboard snippet, dpkg
 * status, /proc/net/{dev,route,arp}.
 *
 * They see bytes, never paths, so the unit tests feed them hostile text.
 * Everything is bounded by the caller's length and by fixed-size outputs;
 * a line that does not parse is skipped (and counted where the caller
 * passes a counter), never guessed at.  Nothing here logs or allocates.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "host.h"

/* ---- small helpers ---- */

struct host_lines {
	const char *p;
	const char *end;
};

/* The next line of it (without "\n" or a trailing "\r"); false at the end. */
static bool host_next_line(struct host_lines *it, const char **line, size_t *len)
{
	const char *nl;

	if (it->p >= it->end)
		return false;
	nl = memchr(it->p, '\n', (size_t)(it->end - it->p));
	*line = it->p;
	*len = (size_t)((nl ? nl : it->end) - it->p);
	it->p = nl ? nl + 1 : it->end;
	if (*len > 0 && (*line)[*len - 1] == '\r')
		(*len)--;
	return true;
}

static bool host_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Trim blanks at both ends of s[0..*len). */
static const char *host_trim(const char *s, size_t *len)
{
	while (*len > 0 && host_blank(*s)) {
		s++;
		(*len)--;
	}
	while (*len > 0 && host_blank(s[*len - 1]))
		(*len)--;
	return s;
}

/* Copy s[0..len) into out as a C string; -ENAMETOOLONG if it does not
 * fit, -EINVAL if it holds a NUL (it would silently end the string). */
static int host_copy(char *out, size_t outlen, const char *s, size_t len)
{
	if (outlen == 0 || len >= outlen)
		return -ENAMETOOLONG;
	if (memchr(s, '\0', len))
		return -EINVAL;
	memcpy(out, s, len);
	out[len] = '\0';
	return 0;
}

static void host_count(uint64_t *skipped)
{
	if (skipped)
		(*skipped)++;
}

/* Split a line into at most max blank-separated tokens; returns how many. */
static size_t host_tokens(const char *line, size_t len, const char **tok, size_t *tlen, size_t max)
{
	size_t n = 0, i = 0;

	while (i < len && n < max) {
		while (i < len && host_blank(line[i]))
			i++;
		if (i == len)
			break;
		tok[n] = line + i;
		while (i < len && !host_blank(line[i]))
			i++;
		tlen[n] = (size_t)(line + i - tok[n]);
		n++;
	}
	return n;
}

/* Hex number of 1..8 digits exactly filling s[0..len). */
static bool host_hex32(const char *s, size_t len, uint32_t *out)
{
	uint32_t v = 0;

	if (len == 0 || len > 8)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9' ? c - '0' :
			c >= 'a' && c <= 'f' ? c - 'a' + 10 :
			c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;

		if (d < 0)
			return false;
		v = v << 4 | (uint32_t)d;
	}
	*out = v;
	return true;
}

/* 1..9 decimal digits exactly filling s[0..len). */
static bool host_dec(const char *s, size_t len)
{
	if (len == 0 || len > 9)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* "0x2" as in /proc/net/arp's flags column. */
static bool host_hex_prefixed(const char *s, size_t len, uint32_t *out)
{
	if (len < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return false;
	return host_hex32(s + 2, len - 2, out);
}

/* ---- lists ---- */

int host_list_add(struct host_list *l, const char *s, size_t len)
{
	if (!l || !s || len == 0)
		return -EINVAL;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return -EINVAL;
	if (len >= HOST_ITEM_MAX)
		return -ENAMETOOLONG;
	for (size_t i = 0; i < l->n; i++)
		if (strlen(l->items[i]) == len && memcmp(l->items[i], s, len) == 0)
			return 0;
	if (l->n == HOST_LIST_MAX)
		return -E2BIG;
	memcpy(l->items[l->n], s, len);
	l->items[l->n][len] = '\0';
	l->n++;
	return 0;
}

bool host_list_has(const struct host_list *l, const char *s)
{
	for (size_t i = 0; l && s && i < l->n; i++)
		if (strcmp(l->items[i], s) == 0)
			return true;
	return false;
}

/* ---- time zone ---- */

bool host_tz_valid(const char *name)
{
	size_t comp = 0;	/* length of the current component */

	if (!name || !*name)
		return false;
	for (const char *p = name;; p++) {
		if (*p == '/' || *p == '\0') {
			/* No empty, "." or ".." component: a zone name is a
			 * path below zoneinfo and must stay below it. */
			if (comp == 0 || (comp <= 2 && strncmp(p - comp, "..", comp) == 0))
				return false;
			if (*p == '\0')
				return true;
			comp = 0;
			continue;
		}
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '+' || *p == '-' || *p == '.'))
			return false;
		comp++;
	}
}

static int host_tz_set(char *out, size_t outlen, const char *s, size_t len)
{
	int r = host_copy(out, outlen, s, len);

	if (r < 0)
		return r;
	if (!host_tz_valid(out)) {
		out[0] = '\0';
		return -EINVAL;
	}
	return 0;
}

int host_tz_from_text(const char *text, size_t len, char *out, size_t outlen)
{
	struct host_lines it = { text, text + len };
	const char *line;
	size_t n;

	if (!text || !out)
		return -EINVAL;
	while (host_next_line(&it, &line, &n)) {
		line = host_trim(line, &n);
		if (n == 0 || line[0] == '#')
			continue;
		return host_tz_set(out, outlen, line, n);
	}
	return -ENOENT;
}

int host_tz_from_link(const char *target, char *out, size_t outlen)
{
	const char *p;

	if (!target || !out)
		return -EINVAL;
	p = strstr(target, "zoneinfo/");
	if (!p)
		return -ENOENT;
	p += strlen("zoneinfo/");
	/* tzdata's alternative trees: same names, other leap-second handling. */
	if (strncmp(p, "posix/", 6) == 0)
		p += 6;
	else if (strncmp(p, "right/", 6) == 0)
		p += 6;
	return host_tz_set(out, outlen, p, strlen(p));
}

/* ---- KEY=VALUE ---- */

static bool host_key_char(char c, bool first)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
	       (!first && c >= '0' && c <= '9');
}

/*
 * Parse one assignment line: KEY=VALUE, 'VALUE', "VALUE" (\" and \\ kept
 * simple: the backslash is dropped), optional "export ".  Fills key and the
 * value into val (bounded).  1 assignment, 0 blank/comment, -EINVAL not an
 * assignment, -ENAMETOOLONG value too long.
 */
static int host_kv_line(const char *line, size_t len, const char **key, size_t *klen,
			char *val, size_t vallen)
{
	size_t i = 0, o = 0;

	line = host_trim(line, &len);
	if (len == 0 || line[0] == '#')
		return 0;
	if (len > 7 && strncmp(line, "export", 6) == 0 && host_blank(line[6])) {
		i = 7;
		while (i < len && host_blank(line[i]))
			i++;
	}
	*key = line + i;
	if (i == len || !host_key_char(line[i], true))
		return -EINVAL;
	while (i < len && host_key_char(line[i], false))
		i++;
	*klen = (size_t)(line + i - *key);
	if (i == len || line[i++] != '=')
		return -EINVAL;
	if (i < len && (line[i] == '"' || line[i] == '\'')) {
		char q = line[i++];

		for (; i < len && line[i] != q; i++) {
			if (q == '"' && line[i] == '\\' && i + 1 < len)
				i++;
			if (o + 1 >= vallen)
				return -ENAMETOOLONG;
			val[o++] = line[i];
		}
		if (i == len)
			return -EINVAL;		/* unterminated quote */
	} else {
		for (; i < len && !host_blank(line[i]) && line[i] != '#'; i++) {
			if (o + 1 >= vallen)
				return -ENAMETOOLONG;
			val[o++] = line[i];
		}
	}
	val[o] = '\0';
	return 1;
}

int host_kv_get(const char *text, size_t len, const char *key, char *out, size_t outlen,
		uint64_t *skipped)
{
	struct host_lines it = { text, text + len };
	size_t n, want;
	const char *line;
	int found = -ENOENT;

	if (!text || !key || !out || outlen == 0)
		return -EINVAL;
	want = strlen(key);
	while (host_next_line(&it, &line, &n)) {
		char val[512];
		const char *k;
		size_t klen;
		int r = host_kv_line(line, n, &k, &klen, val, sizeof(val));

		if (r == 0)
			continue;
		if (r == -EINVAL) {
			host_count(skipped);
			continue;
		}
		if (klen != want || memcmp(k, key, want) != 0)
			continue;
		/* The last assignment wins, as when the shell sources it. */
		found = r < 0 ? r : host_copy(out, outlen, val, strlen(val));
	}
	if (found < 0)
		out[0] = '\0';
	return found;
}

/* A double-quoted token at s[*i]; advances *i past it. */
static bool host_quoted(const char *s, size_t len, size_t *i, const char **tok, size_t *tlen)
{
	const char *close;

	while (*i < len && host_blank(s[*i]))
		(*i)++;
	if (*i == len || s[*i] != '"')
		return false;
	close = memchr(s + *i + 1, '"', len - *i - 1);
	if (!close)
		return false;
	*tok = s + *i + 1;
	*tlen = (size_t)(close - *tok);
	*i = (size_t)(close - s) + 1;
	return true;
}

int host_xorg_layout(const char *text, size_t len, char *out, size_t outlen)
{
	struct host_lines it = { text, text + len };
	const char *line;
	size_t n;
	int found = -ENOENT;

	if (!text || !out || outlen == 0)
		return -EINVAL;
	while (host_next_line(&it, &line, &n)) {
		const char *name, *value;
		size_t i = 6, nlen, vlen;

		line = host_trim(line, &n);
		if (n < 7 || strncasecmp(line, "Option", 6) != 0 || !host_blank(line[6]))
			continue;
		if (!host_quoted(line, n, &i, &name, &nlen) || !host_quoted(line, n, &i, &value, &vlen))
			continue;
		if (nlen == 9 && strncasecmp(name, "XkbLayout", 9) == 0)
			found = host_copy(out, outlen, value, vlen);
	}
	if (found < 0)
		out[0] = '\0';
	return found;
}

static bool host_layout_name(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || c == '.' || c == '(' || c == ')'))
			return false;
	}
	return len > 0;
}

int host_layouts_add(struct host_list *l, const char *value, uint64_t *skipped)
{
	const char *p = value;

	if (!l || !value)
		return -EINVAL;
	while (*p) {
		size_t n = strcspn(p, ",");
		const char *item = host_trim(p, &n);
		size_t adv = strcspn(p, ",");

		if (n > 0) {
			if (!host_layout_name(item, n))
				host_count(skipped);
			else if (host_list_add(l, item, n) == -E2BIG)
				return -E2BIG;
		}
		p += adv + (p[adv] == ',');
	}
	return 0;
}

/* ---- dpkg status ---- */

static void host_dpkg_reset(struct host_dpkg *d)
{
	d->pkg[0] = '\0';
	d->installed = false;
}

void host_dpkg_end(struct host_dpkg *d)
{
	if (d->pkg[0] && d->installed && d->wanted && d->found) {
		for (size_t i = 0; d->wanted[i]; i++)
			if (strcmp(d->wanted[i], d->pkg) == 0)
				host_list_add(d->found, d->pkg, strlen(d->pkg));
	}
	host_dpkg_reset(d);
}

/* "Field: value" with a case-insensitive field name (deb822). */
static bool host_dpkg_field(const char *line, size_t len, const char *name,
			    const char **val, size_t *vlen)
{
	size_t n = strlen(name);

	if (len <= n || strncasecmp(line, name, n) != 0 || line[n] != ':')
		return false;
	*vlen = len - n - 1;
	*val = host_trim(line + n + 1, vlen);
	return true;
}

static bool host_pkg_name(const char *s, size_t len)
{
	/* Debian policy §5.6.1: lower case letters, digits, + - . */
	if (len < 2 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '+' || s[i] == '-' || s[i] == '.'))
			return false;
	return true;
}

void host_dpkg_line(struct host_dpkg *d, const char *line, size_t len)
{
	const char *v;
	size_t vlen, t = len;

	if (!d || !line)
		return;
	host_trim(line, &t);
	if (t == 0) {
		host_dpkg_end(d);
		return;
	}
	if (host_blank(line[0]))
		return;		/* continuation of a multi-line field */
	if (host_dpkg_field(line, len, "Package", &v, &vlen)) {
		if (!host_pkg_name(v, vlen) || host_copy(d->pkg, sizeof(d->pkg), v, vlen) < 0) {
			d->pkg[0] = '\0';
			d->skipped++;
		}
	} else if (host_dpkg_field(line, len, "Status", &v, &vlen)) {
		/* "want flag state": installed only when the state word is
		 * "installed" ("install ok installed", "hold ok installed");
		 * "deinstall ok config-files" left only its configuration. */
		const char *tok[4];
		size_t tlen[4];

		if (host_tokens(v, vlen, tok, tlen, 4) != 3) {
			d->skipped++;
			return;
		}
		d->installed = tlen[2] == 9 && memcmp(tok[2], "installed", 9) == 0;
	}
}

void host_dpkg_parse(struct host_dpkg *d, const char *text, size_t len)
{
	struct host_lines it = { text, text + len };
	const char *line;
	size_t n;

	if (!d || !text)
		return;
	while (host_next_line(&it, &line, &n))
		host_dpkg_line(d, line, n);
	host_dpkg_end(d);
}

/* ---- network ---- */

/*
 * VPN and overlay interface names, from the tools' defaults (signals.md
 * §4.1): tailscale0 (Tailscale), zt* (ZeroTier), ham0 (Hamachi), wt0
 * (NetBird), tunN (OpenVPN, Astrill and most TUN-based clients), wg*
 * (wg-quick names the interface after its config file, wg0 by habit),
 * pppN (PPTP/L2TP, also dial-up and mobile broadband), utunN (the macOS
 * name, used by some cross-platform clients), nordlynx/nordtun (NordVPN),
 * proton* (ProtonVPN's Linux app).  Not listed, because ordinary machines
 * have them: tunl0 (the kernel's IP-in-IP fallback device: tun + digit
 * excludes it), tap* (QEMU/libvirt guests), virbr*, docker*, veth*.
 */
struct host_ifpattern {
	const char *prefix;
	bool digit;		/* a digit must follow the prefix */
};

static const struct host_ifpattern host_vpn_ifnames[] = {
	{ "tailscale", false },
	{ "zt", false },
	{ "ham", true },
	{ "wt", true },
	{ "tun", true },
	{ "wg", false },
	{ "ppp", true },
	{ "utun", true },
	{ "nordlynx", false },
	{ "nordtun", false },
	{ "proton", false },
};

bool host_is_vpn_ifname(const char *name)
{
	if (!name)
		return false;
	for (size_t i = 0; i < sizeof(host_vpn_ifnames) / sizeof(host_vpn_ifnames[0]); i++) {
		const struct host_ifpattern *p = &host_vpn_ifnames[i];
		size_t n = strlen(p->prefix);

		if (strncmp(name, p->prefix, n) != 0)
			continue;
		if (p->digit ? name[n] >= '0' && name[n] <= '9' : name[n] != '\0' || n > 2)
			return true;
	}
	return false;
}

/* IFNAMSIZ is 16: at most 15 bytes, no blanks, "/" or ":". */
static bool host_ifname_ok(const char *s, size_t len)
{
	if (len == 0 || len > 15)
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] <= 0x20 || s[i] == '/' || s[i] == ':' || s[i] == 0x7f)
			return false;
	return true;
}

size_t host_netdev_vpn(const char *text, size_t len, struct host_list *vpn, uint64_t *skipped)
{
	struct host_lines it = { text, text + len };
	const char *line;
	size_t n, count = 0;

	if (!text || !vpn)
		return 0;
	while (host_next_line(&it, &line, &n)) {
		const char *colon = memchr(line, ':', n);
		size_t nlen;
		const char *name;
		char buf[16];

		if (memchr(line, '|', n))
			continue;	/* the two header lines */
		if (!colon) {
			if (host_trim(line, &n) && n > 0)
				host_count(skipped);
			continue;
		}
		nlen = (size_t)(colon - line);
		name = host_trim(line, &nlen);
		if (!host_ifname_ok(name, nlen)) {
			host_count(skipped);
			continue;
		}
		count++;
		memcpy(buf, name, nlen);
		buf[nlen] = '\0';
		if (host_is_vpn_ifname(buf))
			host_list_add(vpn, buf, nlen);
	}
	return count;
}

int host_route_default(const char *text, size_t len, struct ip_addr *gw, char *ifname,
		       size_t iflen, uint64_t *skipped)
{
	struct host_lines it = { text, text + len };
	const char *line;
	size_t n;
	uint32_t best_metric = UINT32_MAX;
	int found = -ENOENT;

	if (!text || !gw || !ifname || iflen == 0)
		return -EINVAL;
	while (host_next_line(&it, &line, &n)) {
		const char *tok[11];
		size_t tlen[11], nt = host_tokens(line, n, tok, tlen, 11);
		uint32_t dest, gate, flags, mask, metric;

		if (nt == 0 || (tlen[0] == 5 && memcmp(tok[0], "Iface", 5) == 0))
			continue;
		/* Iface Destination Gateway Flags RefCnt Use Metric Mask ... */
		if (nt < 8 || !host_ifname_ok(tok[0], tlen[0]) || !host_hex32(tok[1], tlen[1], &dest) ||
		    !host_hex32(tok[2], tlen[2], &gate) || !host_hex32(tok[3], tlen[3], &flags) ||
		    !host_hex32(tok[7], tlen[7], &mask) || !host_dec(tok[6], tlen[6])) {
			host_count(skipped);
			continue;
		}
		metric = (uint32_t)strtoul(tok[6], NULL, 10);
		/* RTF_UP 0x1 | RTF_GATEWAY 0x2 (linux/route.h). */
		if (dest != 0 || mask != 0 || (flags & 0x3) != 0x3 || gate == 0)
			continue;
		if (found == 0 && metric >= best_metric)
			continue;
		/* The kernel prints the __be32 as a host-order number
		 * ("%08X"), so its in-memory bytes are the address. */
		memset(gw, 0, sizeof(*gw));
		gw->family = AF_INET;
		memcpy(gw->bytes, &gate, 4);
		memcpy(ifname, tok[0], tlen[0] < iflen ? tlen[0] : iflen - 1);
		ifname[tlen[0] < iflen ? tlen[0] : iflen - 1] = '\0';
		best_metric = metric;
		found = 0;
	}
	return found;
}

static bool host_mac_ok(const char *s, size_t len, char mac[18])
{
	bool zero = true;

	if (len != 17)
		return false;
	for (size_t i = 0; i < 17; i++) {
		char c = s[i];

		if (i % 3 == 2) {
			if (c != ':')
				return false;
			mac[i] = ':';
			continue;
		}
		if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
		zero = zero && c == '0';
		mac[i] = c;
	}
	mac[17] = '\0';
	return !zero;
}

int host_arp_lookup(const char *text, size_t len, const struct ip_addr *ip, const char *ifname,
		    char mac[18], uint64_t *skipped)
{
	struct host_lines it = { text, text + len };
	const char *line;
	size_t n;

	if (!text || !ip || !mac)
		return -EINVAL;
	while (host_next_line(&it, &line, &n)) {
		const char *tok[6];
		size_t tlen[6], nt = host_tokens(line, n, tok, tlen, 6);
		char addr[64];
		struct ip_addr a;
		uint32_t flags;

		if (nt == 0 || (tlen[0] == 2 && memcmp(tok[0], "IP", 2) == 0))
			continue;
		/* IP-address HW-type Flags HW-address Mask Device */
		if (nt < 6 || tlen[0] >= sizeof(addr) || !host_hex_prefixed(tok[2], tlen[2], &flags)) {
			host_count(skipped);
			continue;
		}
		memcpy(addr, tok[0], tlen[0]);
		addr[tlen[0]] = '\0';
		if (ip_addr_parse(addr, &a) < 0) {
			host_count(skipped);
			continue;
		}
		if (a.family != ip->family || memcmp(a.bytes, ip->bytes, a.family == AF_INET ? 4 : 16) != 0)
			continue;
		if (ifname && *ifname && (tlen[5] != strlen(ifname) || memcmp(tok[5], ifname, tlen[5]) != 0))
			continue;
		/* ATF_COM 0x2: a resolved entry (an incomplete one is all zeros). */
		if (!(flags & 0x2) || !host_mac_ok(tok[3], tlen[3], mac))
			continue;
		return 0;
	}
	mac[0] = '\0';
	return -ENOENT;
}
