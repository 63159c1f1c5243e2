/* SPDX-License-Identifier: Apache-2.0 */
/*
 * net.h - field ids of the net source (DESIGN §3), shared with tests.
 */
#ifndef FARMHOUND_NET_H
#define FARMHOUND_NET_H

#include "collectors/collector.h"

enum net_field {
	NET_ACTION,
	NET_KIND,
	NET_SRC_IP,
	NET_SRC_PORT,
	NET_DST_IP,
	NET_DST_PORT,
	NET_TRANSPORT,
	NET_DIRECTION,
	NET_DNS_QUERY,
	NET_TLS_SNI,
	NET_ALPN,
	NET_TLS_CERT_CN,
	NET_TLS_CERT_O,
	NET_HTTP_HOST,
	NET_USER_AGENT,
	NET_RDP_COOKIE,
	NET_RDP_PROTOCOLS,
	NET_VNC_VERSION,
	NET_VNC_SECURITY,
	NET_SSH_BANNER,
	NET_SESSION,
	NET_OUTCOME,
	NET_SIGNATURE,
	NET_NEIGHBOR_MAC,
	NET_NEIGHBOR_VENDOR,
	NET_NEIGHBOR_NAME,
	NET_MDNS_SERVICE,
	NET_FLEET_SIBLING,
	NET_REMOTE_COUNTRY,
	NET_REMOTE_COUNTRY_EXPECTED,
	NET_INTERFACE,
	NET__NFIELDS,
};

extern const struct source_def net_source;
extern const struct collector net_collector;

#endif
