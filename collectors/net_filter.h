/*
 * net_filter.h - the BPF filter of the net collector, as pcap filter text.
 */
#ifndef FARMHOUND_NET_FILTER_H
#define FARMHOUND_NET_FILTER_H

#include <stddef.h>

/* Largest TCP payload to port 443 passed whatever its first bytes (the
 * tail of a split ClientHello; see net_filter.c). */
#define NET_FILTER_SMALL_PAYLOAD 512

/* The filter for a link type (a DLT_ value): the same expression
 * everywhere, repeated under one and two VLAN tags on Ethernet, where
 * libpcap supports "vlan".  Returns buf, or NULL if len is too small. */
const char *net_filter_text(int dlt, char *buf, size_t len);

#endif
