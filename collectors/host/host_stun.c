/* SPDX-License-Identifier: Apache-2.0 */
/*
 * host_stun.c - the host collector's STUN server options (stun_server,
 * stun_timeout: their checks, run by config.c at load) and the connected,
 * non-blocking UDP socket to the server (host.h).  The exchange on that
 * socket is host.c's; the message codec is stun.c's.
 *
 * A server given by name is resolved here, once, at init (blocking,
 * through the system resolver): give an address to avoid even that.
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "host.h"
#include "lib/util.h"

/* "host:port", "[v6]:port": split into host and port; 0 or -EINVAL. */
static int host_split_server(const char *value, char *host, size_t hlen, char *port, size_t plen)
{
	const char *colon, *h = value;
	size_t n;
	char *end;
	unsigned long p;

	if (value[0] == '[') {
		const char *close = strchr(value, ']');

		if (!close || close[1] != ':')
			return -EINVAL;
		h = value + 1;
		n = (size_t)(close - h);
		colon = close + 1;
	} else {
		colon = strrchr(value, ':');
		if (!colon || memchr(value, ':', (size_t)(colon - value)))
			return -EINVAL;	/* a bare IPv6 address needs brackets */
		n = (size_t)(colon - value);
	}
	if (n == 0 || n >= hlen || strlen(colon + 1) >= plen)
		return -EINVAL;
	errno = 0;
	p = strtoul(colon + 1, &end, 10);
	if (errno || *end || end == colon + 1 || p == 0 || p > 65535)
		return -EINVAL;
	memcpy(host, h, n);
	host[n] = '\0';
	snprintf(port, plen, "%lu", p);
	return 0;
}

static int host_check_server(const char *value, char *err, size_t errlen)
{
	char host[256], port[8];

	if (host_split_server(value, host, sizeof(host), port, sizeof(port)) < 0) {
		snprintf(err, errlen, "not host:port ([v6]:port for IPv6)");
		return -EINVAL;
	}
	return 0;
}

static int host_check_timeout(const char *value, char *err, size_t errlen)
{
	uint64_t ms;

	if (duration_parse(value, &ms) < 0 || ms < 100 || ms > 30000) {
		snprintf(err, errlen, "not a duration between 100ms and 30s");
		return -EINVAL;
	}
	return 0;
}

const struct collector_option host_options[] = {
	{ "stun_server", NULL,
	  "STUN server host:port asked for the public address (unset: no network traffic)",
	  host_check_server },
	{ "stun_timeout", "2s", "how long a STUN exchange may take (100ms..30s)",
	  host_check_timeout },
	{ NULL, NULL, NULL, NULL },
};

int host_stun_connect(const char *value, int *out)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICSERV };
	struct addrinfo *res = NULL, *ai;
	char host[256], port[8];
	int r = -EADDRNOTAVAIL;

	if (host_split_server(value, host, sizeof(host), port, sizeof(port)) < 0)
		return -EINVAL;
	if (getaddrinfo(host, port, &hints, &res) != 0)
		return -EHOSTUNREACH;
	for (ai = res; ai; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

		if (fd < 0) {
			r = -errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			*out = fd;
			r = 0;
			break;
		}
		r = -errno;
		close(fd);
	}
	freeaddrinfo(res);
	return r;
}
