/* SPDX-License-Identifier: Apache-2.0 */
/*
 * net_capture.c - the net collector's libpcap side: opening the capture
 * handles (one per configured interface, non-blocking, immediate mode,
 * bounded snaplen and kernel ring, the BPF filter of net_filter.c, each
 * fd in the collector's private epoll set), dispatching at most
 * NET_BUDGET packets per handle per wake-up, reading a --pcap file
 * through the same filter, and handing each packet, decoded, to the ARP,
 * UDP or TCP side.
 *
 * Its own file because it is where libpcap's errors and the kernel meet
 * the collector: a handle that cannot open is noted and the others run; a
 * handle that breaks (the interface went away) ends the collector's run
 * with -ENODEV so the loop restarts it with backoff.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <syslog.h>

#include "lib/util.h"
#include "net_filter.h"
#include "net_int.h"

/* ---- per packet ---- */

static void net_packet(struct net_state *st, const struct net_handle *h, const uint8_t *bytes,
		       size_t caplen, uint64_t ts_ms)
{
	struct net_packet pk;
	int r;

	st->packets++;
	st->now_ms = ts_ms;
	r = net_decode(h->dlt, bytes, caplen, &pk);
	if (r < 0) {
		st->skipped++;
		return;
	}
	if (pk.outgoing_loopback)
		return;		/* `any` sees lo's packets twice */
	st->cur = h;
	st->pk = &pk;
	if (pk.l3 == NET_L3_ARP)
		net_arp(st, &pk);
	else if (pk.proto == 17)
		net_udp(st, &pk);
	else if (pk.proto == 6)
		net_tcp(st, &pk);
	st->pk = NULL;
}

struct net_cb {
	struct net_state *st;
	const struct net_handle *h;
};

static void net_pcap_cb(u_char *user, const struct pcap_pkthdr *ph, const u_char *bytes)
{
	struct net_cb *cb = (struct net_cb *)(void *)user;
	uint64_t ts = (uint64_t)ph->ts.tv_sec * 1000 + (uint64_t)ph->ts.tv_usec / 1000;

	if (cb->h->fn && cb->h->fn(bytes, ph->len, ph->caplen) == 0)
		return;		/* the filter, as libpcap would have run it */
	net_packet(cb->st, cb->h, bytes, ph->caplen, ts);
}

/* ---- capture handles ---- */

/* offline: a --pcap file, which takes the program compiled at build time
 * when there is one (net_filter.c "Compiled at build time"). */
static int net_set_filter(struct net_state *st, struct net_handle *h, bool offline)
{
	char text[16384], err[PCAP_ERRBUF_SIZE];
	struct bpf_program prog;
	int r;

	if (!net_filter_text(h->dlt, text, sizeof(text)))
		return -ENAMETOOLONG;
	/* A file whose filter was compiled to C at build time: the packet
	 * callback runs it (net_pcap_cb), libpcap gets no program. */
	h->fn = offline ? net_filter_offline_fn(h->p, text) : NULL;
	if (h->fn)
		return 0;
	r = offline ? net_filter_offline(h->p, text, &prog) : -ENOENT;
	if (r < 0 && net_filter_compile(h->p, text, &prog, err, sizeof(err)) < 0) {
		st->ctx.note(st->ctx.opaque, LOG_ERR, "net", "filter for link type %s: %s",
			     pcap_datalink_val_to_name(h->dlt), err);
		return -EINVAL;
	}
	r = 0;
	if (pcap_setfilter(h->p, &prog) < 0) {
		st->ctx.note(st->ctx.opaque, LOG_ERR, "net", "cannot set the filter: %s",
			     pcap_geterr(h->p));
		r = -EINVAL;
	}
	pcap_freecode(&prog);
	return r;
}

static int net_pcap_errno(int r)
{
	switch (r) {
	case PCAP_ERROR_PERM_DENIED:
		return -EPERM;
	case PCAP_ERROR_NO_SUCH_DEVICE:
		return -ENXIO;
	case PCAP_ERROR_IFACE_NOT_UP:
		return -ENETDOWN;
	default:
		return -EIO;
	}
}

static int net_open_live(struct net_state *st, const char *name)
{
	struct net_handle *h = &st->h[st->nh];
	char err[PCAP_ERRBUF_SIZE] = "";
	struct epoll_event ee = { .events = EPOLLIN };
	int r, fd;

	h->p = pcap_create(name, err);
	if (!h->p) {
		st->ctx.note(st->ctx.opaque, LOG_ERR, "net", "cannot capture on %s: %s", name, err);
		return -EIO;
	}
	strlcpy_fh(h->ifname, name, sizeof(h->ifname));
	h->any = strcmp(name, "any") == 0;
	pcap_set_snaplen(h->p, NET_SNAPLEN);
	pcap_set_promisc(h->p, 0);
	pcap_set_timeout(h->p, NET_TIMEOUT_MS);
	pcap_set_immediate_mode(h->p, 1);
	pcap_set_buffer_size(h->p, NET_BUFFER_BYTES);
	r = pcap_activate(h->p);
	if (r < 0) {
		st->ctx.note(st->ctx.opaque, LOG_ERR, "net", "cannot capture on %s: %s%s", name,
			     r == PCAP_ERROR ? pcap_geterr(h->p) : pcap_statustostr(r),
			     r == PCAP_ERROR_PERM_DENIED ? " (needs CAP_NET_RAW)" : "");
		pcap_close(h->p);
		h->p = NULL;
		return net_pcap_errno(r);
	}
	/* Cooked v2 carries the interface index, for the interface field. */
	if (h->any)
		(void)pcap_set_datalink(h->p, DLT_LINUX_SLL2);
	h->dlt = pcap_datalink(h->p);
	r = net_set_filter(st, h, false);
	if (r == 0 && pcap_setnonblock(h->p, 1, err) < 0) {
		st->ctx.note(st->ctx.opaque, LOG_ERR, "net", "%s: %s", name, err);
		r = -EIO;
	}
	fd = r == 0 ? pcap_get_selectable_fd(h->p) : -1;
	ee.data.u64 = st->nh;
	if (r == 0 && (fd < 0 || epoll_ctl(st->epfd, EPOLL_CTL_ADD, fd, &ee) < 0))
		r = fd < 0 ? -ENOTSUP : -errno;
	if (r < 0) {
		pcap_close(h->p);
		h->p = NULL;
		return r;
	}
	st->nh++;
	return 0;
}

/* Open every interface of the list; the ones that fail are noted, and the
 * collector runs on the others (a dock's NIC may be unplugged). */
int net_open_interfaces(struct net_state *st, const char *list)
{
	char buf[COLLECTOR_OPTION_LEN], *save = NULL, *tok;
	int first_err = 0;

	strlcpy_fh(buf, list, sizeof(buf));
	for (tok = strtok_r(buf, ", ", &save); tok && st->nh < NET_IF_MAX;
	     tok = strtok_r(NULL, ", ", &save)) {
		int r = net_open_live(st, tok);

		if (r < 0 && first_err == 0)
			first_err = r;
	}
	return st->nh > 0 ? 0 : (first_err ? first_err : -ENODEV);
}

int net_on_ready(void *state)
{
	struct net_state *st = state;
	struct epoll_event ev[NET_IF_MAX];
	int n = epoll_wait(st->epfd, ev, NET_IF_MAX, 0);

	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (int i = 0; i < n; i++) {
		size_t k = (size_t)ev[i].data.u64;
		struct net_cb cb = { .st = st };

		if (k >= st->nh || !st->h[k].p)
			continue;
		cb.h = &st->h[k];
		if (pcap_dispatch(st->h[k].p, NET_BUDGET, net_pcap_cb, (u_char *)&cb) ==
		    PCAP_ERROR) {
			/* The interface went away (or the capture broke): the
			 * handle is dead, so say the source is gone and let
			 * the loop restart the collector with backoff. */
			st->ctx.note(st->ctx.opaque, LOG_WARNING, "net", "%s: %s",
				     st->h[k].ifname, pcap_geterr(st->h[k].p));
			return -ENODEV;
		}
	}
	return 0;
}

/* The capture file, read through a 256 KiB stdio buffer (st->file_buf,
 * freed after pcap_close()): libpcap reads each record with fread(), and
 * stdio's default 4 KiB buffer costs one read(2) per 4 KiB (7,000 for a
 * 29 MB capture).  glibc sizes the buffer only when it is handed one.
 * NULL if the file cannot be opened that way (stdin, not a capture, no
 * memory): pcap_open_offline() then opens it again, with its messages. */
static pcap_t *net_open_file(struct net_state *st, const char *path)
{
	char err[PCAP_ERRBUF_SIZE];
	FILE *fp = strcmp(path, "-") != 0 ? fopen(path, "rb") : NULL;
	pcap_t *p;

	if (!fp)
		return NULL;
	if (!st->file_buf)
		st->file_buf = malloc(NET_FILE_BUFFER);
	if (!st->file_buf || setvbuf(fp, st->file_buf, _IOFBF, NET_FILE_BUFFER) != 0 ||
	    !(p = pcap_fopen_offline(fp, err))) {
		fclose(fp);
		return NULL;
	}
	return p;	/* pcap_close() closes fp */
}

int net_read_file(struct net_state *st)
{
	char err[PCAP_ERRBUF_SIZE] = "";
	struct net_handle *h = &st->h[0];
	struct net_cb cb = { .st = st, .h = h };
	struct net_flow *f;
	int r;

	h->p = net_open_file(st, st->ctx.pcap_file);
	errno = 0;
	if (!h->p)
		h->p = pcap_open_offline(st->ctx.pcap_file, err);
	if (!h->p) {
		int e = errno;

		st->ctx.note(st->ctx.opaque, LOG_ERR, "net", "%s", err);
		return e == ENOENT || e == EACCES || e == EISDIR ? -e : -EINVAL;
	}
	st->nh = 1;
	h->dlt = pcap_datalink(h->p);
	h->any = h->dlt == DLT_LINUX_SLL || h->dlt == DLT_LINUX_SLL2;
	r = net_set_filter(st, h, true);
	if (r < 0)
		return r;
	while ((r = pcap_dispatch(h->p, 4096, net_pcap_cb, (u_char *)&cb)) > 0)
		;
	st->cur = NULL;
	while ((f = net_flow_oldest(st->flows)))	/* the end of the capture ends every flow */
		net_flow_close(st, f);
	if (r == PCAP_ERROR) {
		st->ctx.note(st->ctx.opaque, LOG_ERR, "net", "%s: %s", st->ctx.pcap_file,
			     pcap_geterr(h->p));
		return -EIO;
	}
	st->ctx.note(st->ctx.opaque, LOG_INFO, "net",
		     "%s: %llu packets passed the filter, %llu skipped (fragments, broken or unknown "
		     "headers), %llu cut short by the capture",
		     st->ctx.pcap_file, (unsigned long long)st->packets,
		     (unsigned long long)st->skipped, (unsigned long long)st->truncated);
	return 0;
}
