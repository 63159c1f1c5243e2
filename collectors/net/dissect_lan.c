/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dissect_lan.c - what the neighbours on the LAN say about themselves:
 * ARP (RFC 826, Ethernet/IPv4 only) and DHCP (RFC 2131 BOOTP header,
 * RFC 2132 options 12 host name, 50 requested address, 53 message type,
 * 60 vendor class).  A KVM or a sibling laptop shows up here with its MAC
 * (vendor by OUI, oui.c) and the host name it asks its lease for.
 *
 * The option walk is bounded by the buffer: pad (0) is one byte, end
 * (255) stops, every other option must fit its length byte inside the
 * packet or the whole message is -EINVAL.  Option overload (52, the
 * sname/file fields reused for options) is not followed: the options
 * farmhound wants are in the main area in practice.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "dissect.h"

static void set_v4(struct ip_addr *a, const uint8_t *p)
{
	a->family = AF_INET;
	memset(a->bytes, 0, sizeof(a->bytes));
	memcpy(a->bytes, p, 4);
}

/* ---- ARP ---- */

#define ARP_LEN 28

int dissect_arp(const uint8_t *p, size_t len, struct arp_packet *out)
{
	/* htype 1 Ethernet, ptype 0x0800 IPv4, hlen 6, plen 4. */
	static const uint8_t fixed[] = { 0x00, 0x01, 0x08, 0x00, 6, 4 };

	if (len < ARP_LEN || memcmp(p, fixed, sizeof(fixed)) != 0)
		return -EINVAL;
	out->op = (uint16_t)(p[6] << 8 | p[7]);
	if (out->op != 1 && out->op != 2)
		return -EINVAL;
	memcpy(out->sender_mac, p + 8, 6);
	set_v4(&out->sender_ip, p + 14);
	memcpy(out->target_mac, p + 18, 6);
	set_v4(&out->target_ip, p + 24);
	return 0;
}

/* ---- DHCP ---- */

#define BOOTP_LEN 236
#define DHCP_OPTIONS 240		/* after the magic cookie */
#define DHCP_OPT_PAD 0
#define DHCP_OPT_HOSTNAME 12
#define DHCP_OPT_REQUESTED_IP 50
#define DHCP_OPT_MSG_TYPE 53
#define DHCP_OPT_VENDOR_CLASS 60
#define DHCP_OPT_END 255

/* Option text: printable ASCII as is, other bytes as \DDD, cut whole. */
static void copy_text(char *out, size_t size, const uint8_t *p, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];
		bool plain = c >= 0x20 && c < 0x7f && c != '\\';
		if (o + (plain ? 1 : 4) >= size)
			break;
		if (plain) {
			out[o++] = (char)c;
		} else {
			out[o++] = '\\';
			out[o++] = (char)('0' + c / 100);
			out[o++] = (char)('0' + c / 10 % 10);
			out[o++] = (char)('0' + c % 10);
		}
	}
	out[o] = '\0';
}

static void dhcp_option(uint8_t code, const uint8_t *v, size_t n, struct dhcp_message *out)
{
	switch (code) {
	case DHCP_OPT_MSG_TYPE:
		if (n == 1)
			out->msg_type = v[0];
		break;
	case DHCP_OPT_REQUESTED_IP:
		if (n == 4)
			set_v4(&out->requested_ip, v);
		break;
	case DHCP_OPT_HOSTNAME:
		/* Some clients count a trailing NUL in the length. */
		while (n > 0 && v[n - 1] == '\0')
			n--;
		copy_text(out->hostname, sizeof(out->hostname), v, n);
		break;
	case DHCP_OPT_VENDOR_CLASS:
		copy_text(out->vendor_class, sizeof(out->vendor_class), v, n);
		break;
	default:
		break;
	}
}

int dissect_dhcp(const uint8_t *p, size_t len, struct dhcp_message *out)
{
	static const uint8_t cookie[] = { 99, 130, 83, 99 };	/* RFC 2131 3 */

	if (len < DHCP_OPTIONS || (p[0] != 1 && p[0] != 2) ||
	    memcmp(p + BOOTP_LEN, cookie, sizeof(cookie)) != 0)
		return -EINVAL;
	out->op = p[0];
	out->msg_type = 0;
	out->requested_ip.family = 0;
	out->hostname[0] = out->vendor_class[0] = '\0';
	/* chaddr is a MAC only for htype 1 (Ethernet) with hlen 6. */
	memset(out->client_mac, 0, sizeof(out->client_mac));
	if (p[1] == 1 && p[2] == 6)
		memcpy(out->client_mac, p + 28, 6);

	/* Each step moves at least one byte, so the walk ends with the buffer. */
	for (size_t pos = DHCP_OPTIONS; pos < len;) {
		uint8_t code = p[pos];
		if (code == DHCP_OPT_END)
			break;
		if (code == DHCP_OPT_PAD) {
			pos++;
			continue;
		}
		if (pos + 2 > len || p[pos + 1] > len - pos - 2)
			return -EINVAL;
		dhcp_option(code, p + pos + 2, p[pos + 1], out);
		pos += 2 + (size_t)p[pos + 1];
	}
	/* yiaddr: the address a server offers or acknowledges. */
	static const uint8_t zero[4];
	if (out->requested_ip.family == 0 && memcmp(p + 16, zero, 4) != 0)
		set_v4(&out->requested_ip, p + 16);
	return 0;
}
