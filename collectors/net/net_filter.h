/* SPDX-License-Identifier: Apache-2.0 */
/*
 * net_filter.h - the BPF filter of the net collector, as pcap filter text.
 */
#ifndef FARMHOUND_NET_FILTER_H
#define FARMHOUND_NET_FILTER_H

#include <stddef.h>

#include <pcap/pcap.h>

/* Largest TCP payload to port 443 passed whatever its first bytes (the
 * tail of a split ClientHello; see net_filter.c). */
#define NET_FILTER_SMALL_PAYLOAD 512

/* The filter for a link type (a DLT_ value): the same expression
 * everywhere, repeated under one and two VLAN tags on Ethernet, where
 * libpcap supports "vlan".  Returns buf, or NULL if len is too small. */
const char *net_filter_text(int dlt, char *buf, size_t len);

/* pcap_compile(p, prog, text, optimize) in a short-lived child process,
 * the program handed back through a pipe: libpcap's optimizer needs
 * about 3.6 MB for a moment for the Ethernet filter (three copies under
 * VLAN tags), and that moment would stay in the daemon's resident peak
 * for its whole life.  The child compiles on its copy of the live handle,
 * so the code is what the live handle would get (Linux VLAN handling).
 * Falls back to compiling in this process when fork() fails.  Returns 0,
 * or -EINVAL with libpcap's message in err; free prog with
 * pcap_freecode(). */
int net_filter_compile(pcap_t *p, const char *text, struct bpf_program *prog,
		       char *err, size_t errlen);

/* The snapshot length the build-time programs are compiled with
 * (collectors/net/gen/net_filter_gen.c); any value works, since
 * net_filter_offline() puts the handle's own in its place. */
#define NET_FILTER_GEN_SNAPLEN 65535

/* For a savefile handle (--pcap): the program compiled at build time on a
 * savefile of p's link type and byte order from exactly this text, as
 * pcap_compile(p, prog, text, 1) would give it here, without the ~30 ms
 * of libpcap's optimizer.  Not for live or dead handles: libpcap compiles
 * other code for them (Linux's VLAN handling, BSD loopback's IPv6).  Returns 0,
 * -ENOENT when there is none (another link type or text, a build without
 * the generated programs: compile with net_filter_compile()), -ENOMEM;
 * free prog with pcap_freecode(). */
int net_filter_offline(pcap_t *p, const char *text, struct bpf_program *prog);

/* A filter program as a C function (collectors/net/gen/net_filter_gen.c):
 * nonzero when pcap_offline_filter() would accept the packet of wirelen
 * bytes whose first buflen were captured. */
typedef u_int (*net_filter_fn)(const u_char *p, u_int wirelen, u_int buflen);

/* The function compiled at build time from exactly this text for p's
 * link type and byte order, or NULL (none: set a program on the handle
 * instead).  For savefile handles only, as net_filter_offline(). */
net_filter_fn net_filter_offline_fn(pcap_t *p, const char *text);

#endif
