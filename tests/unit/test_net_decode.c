/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_net_decode.c - link, IP and transport decoding (collectors/
 * net_decode.c) on hand-built frames: every link type the collector
 * accepts, VLAN tags, IPv6 extension headers, and the hostile cases
 * (fragments, cuts inside headers, lying length fields, random bytes).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "collectors/net/net_decode.h"
#include "test_net_frames.h"

static void test_ethernet_tcp(void **unused)
{
	struct frame fr;
	struct net_packet pk;

	(void)unused;
	fr_tcp4(&fr, 0, 51234, 3389, 0x18, "\x03\x00\x00\x0b", 4);
	assert_int_equal(net_decode(NET_DLT_EN10MB, fr.b, fr.n, &pk), 0);
	assert_int_equal(pk.l3, NET_L3_IP);
	assert_int_equal(pk.src.family, AF_INET);
	assert_memory_equal(pk.src.bytes, "\xc0\xa8\x01\x0a", 4);
	assert_memory_equal(pk.dst.bytes, "\xc6\x33\x64\x07", 4);
	assert_int_equal(pk.proto, 6);
	assert_int_equal(pk.sport, 51234);
	assert_int_equal(pk.dport, 3389);
	assert_int_equal(pk.tcp_flags, 0x18);
	assert_int_equal(pk.seq, 0x10000000);
	assert_int_equal(pk.payload_len, 4);
	assert_memory_equal(pk.payload, "\x03\x00\x00\x0b", 4);
	assert_false(pk.truncated);
	assert_true(pk.has_mac);
	assert_memory_equal(pk.src_mac, "\xdc\xa6\x32\x01\x02\x03", 6);
}

static void test_vlan_tags(void **unused)
{
	struct frame fr;
	struct net_packet pk;

	(void)unused;
	for (int v = 1; v <= NET_VLAN_MAX; v++) {
		fr_udp4(&fr, v, 40000, 53, "abcd", 4);
		assert_int_equal(net_decode(NET_DLT_EN10MB, fr.b, fr.n, &pk), 0);
		assert_int_equal(pk.dport, 53);
		assert_int_equal(pk.payload_len, 4);
	}
	fr_udp4(&fr, NET_VLAN_MAX + 1, 40000, 53, "abcd", 4);
	assert_int_equal(net_decode(NET_DLT_EN10MB, fr.b, fr.n, &pk), -ENOTSUP);
	/* A tag with nothing after it. */
	fr_eth(&fr, 1, 0x0800);
	assert_int_equal(net_decode(NET_DLT_EN10MB, fr.b, 16, &pk), -EINVAL);
}

static void test_ipv6_and_extension_headers(void **unused)
{
	struct frame fr;
	struct net_packet pk;
	size_t o;

	(void)unused;
	fr_udp6(&fr, 40000, 53, "abcd", 4);
	assert_int_equal(net_decode(NET_DLT_EN10MB, fr.b, fr.n, &pk), 0);
	assert_int_equal(pk.src.family, AF_INET6);
	assert_int_equal(pk.dst.bytes[15], 0x77);
	assert_int_equal(pk.payload_len, 4);
	/* hop-by-hop (8 bytes) then destination options (16) then TCP */
	o = fr_eth(&fr, 0, 0x86dd);
	fr_ip6(&fr, o, 0, 8 + 16 + 20);
	fr.b[o + 40] = 60;
	fr.b[o + 41] = 0;
	fr.b[o + 48] = 6;
	fr.b[o + 49] = 1;
	fr.n = fr_tcp(&fr, o + 64, 1, 22, 0x02, NULL, 0);
	assert_int_equal(net_decode(NET_DLT_EN10MB, fr.b, fr.n, &pk), 0);
	assert_int_equal(pk.proto, 6);
	assert_int_equal(pk.dport, 22);
	/* a Fragment header */
	fr.b[o + 48] = 44;
	assert_int_equal(net_decode(NET_DLT_EN10MB, fr.b, fr.n, &pk), -ENOTSUP);
	/* an extension header whose length runs past the packet */
	fr.b[o + 48] = 6;
	fr.b[o + 49] = 200;
	assert_int_equal(net_decode(NET_DLT_EN10MB, fr.b, fr.n, &pk), -EINVAL);
	/* a chain longer than the walk allows: all hop-by-hop */
	o = fr_eth(&fr, 0, 0x86dd);
	fr_ip6(&fr, o, 0, 8 * (NET_IP6_EXT_MAX + 1));
	for (int i = 0; i <= NET_IP6_EXT_MAX; i++)
		fr.b[o + 40 + 8 * i] = 0;
	fr.n = o + 40 + 8 * (NET_IP6_EXT_MAX + 1);
	assert_int_equal(net_decode(NET_DLT_EN10MB, fr.b, fr.n, &pk), -ENOTSUP);
}

static void test_ipv4_fragments_skipped(void **unused)
{
	struct frame fr;
	struct net_packet pk;

	(void)unused;
	fr_udp4(&fr, 0, 53, 40000, "abcd", 4);
	fr.b[14 + 6] = 0x20;	/* MF */
	assert_int_equal(net_decode(NET_DLT_EN10MB, fr.b, fr.n, &pk), -ENOTSUP);
	fr.b[14 + 6] = 0x00;
	fr.b[14 + 7] = 0x08;	/* offset 64 */
	assert_int_equal(net_decode(NET_DLT_EN10MB, fr.b, fr.n, &pk), -ENOTSUP);
	fr.b[14 + 6] = 0x40;	/* DF only: not a fragment */
	fr.b[14 + 7] = 0x00;
	assert_int_equal(net_decode(NET_DLT_EN10MB, fr.b, fr.n, &pk), 0);
}

static void test_truncation_and_padding(void **unused)
{
	struct frame fr;
	struct net_packet pk;
	uint8_t pl[300];

	(void)unused;
	memset(pl, 0x41, sizeof(pl));
	fr_tcp4(&fr, 0, 50000, 443, 0x18, pl, sizeof(pl));
	/* caplen < len: the payload is what was captured, flagged */
	assert_int_equal(net_decode(NET_DLT_EN10MB, fr.b, 14 + 20 + 20 + 10, &pk), 0);
	assert_int_equal(pk.payload_len, 10);
	assert_true(pk.truncated);
	/* cut inside the TCP header, the IP header, the Ethernet header */
	assert_int_equal(net_decode(NET_DLT_EN10MB, fr.b, 14 + 20 + 10, &pk), -EINVAL);
	assert_int_equal(net_decode(NET_DLT_EN10MB, fr.b, 14 + 10, &pk), -EINVAL);
	assert_int_equal(net_decode(NET_DLT_EN10MB, fr.b, 10, &pk), -EINVAL);
	assert_int_equal(net_decode(NET_DLT_EN10MB, NULL, 0, &pk), -EINVAL);
	/* Ethernet padding after a short datagram is not payload */
	fr_udp4(&fr, 0, 40000, 53, "ab", 2);
	assert_int_equal(net_decode(NET_DLT_EN10MB, fr.b, 60, &pk), 0);
	assert_int_equal(pk.payload_len, 2);
	assert_false(pk.truncated);
	/* lying lengths: IP total < header, TCP data offset past the end,
	 * UDP length < 8 */
	fr_tcp4(&fr, 0, 1, 2, 0x02, NULL, 0);
	fr.b[14 + 3] = 10;
	assert_int_equal(net_decode(NET_DLT_EN10MB, fr.b, fr.n, &pk), -EINVAL);
	fr_tcp4(&fr, 0, 1, 2, 0x02, NULL, 0);
	fr.b[14 + 20 + 12] = 0xf0;
	assert_int_equal(net_decode(NET_DLT_EN10MB, fr.b, fr.n, &pk), -EINVAL);
	fr_udp4(&fr, 0, 1, 53, "ab", 2);
	fr.b[14 + 20 + 5] = 4;
	assert_int_equal(net_decode(NET_DLT_EN10MB, fr.b, fr.n, &pk), -EINVAL);
}

/* Rebuild an Ethernet frame's IP packet under another link header. */
static size_t relink(uint8_t *out, const uint8_t *hdr, size_t hl, const struct frame *eth)
{
	if (hl)
		memcpy(out, hdr, hl);
	memcpy(out + hl, eth->b + 14, eth->n - 14);
	return hl + eth->n - 14;
}

static void test_cooked_raw_and_loopback(void **unused)
{
	struct frame eth, eth6;
	struct net_packet pk;
	uint8_t b[2048];
	size_t n;
	static const uint8_t sll[16] = { 0, 0, 0, 1, 0, 6, 0xb8, 0x27, 0xeb, 1, 2, 3, 0, 0, 0x08, 0x00 };
	static const uint8_t sll_lo_out[16] = { 0, 4, 0x03, 0x04, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00 };
	static const uint8_t sll2[20] = { 0x08, 0x00, 0, 0, 0, 0, 0, 7, 0, 1, 0, 6, 0xb8, 0x27, 0xeb, 1, 2, 3 };
	static const uint8_t null_le4[4] = { 2, 0, 0, 0 }, null_be4[4] = { 0, 0, 0, 2 };
	static const uint8_t null_le6[4] = { 30, 0, 0, 0 }, loop6[4] = { 0, 0, 0, 24 };
	static const uint8_t null_bad[4] = { 7, 0, 0, 0 };

	(void)unused;
	fr_udp4(&eth, 0, 40000, 53, "abcd", 4);
	fr_udp6(&eth6, 40000, 53, "abcd", 4);

	n = relink(b, sll, sizeof(sll), &eth);
	assert_int_equal(net_decode(NET_DLT_LINUX_SLL, b, n, &pk), 0);
	assert_int_equal(pk.dport, 53);
	assert_true(pk.has_mac);
	assert_int_equal(pk.src_mac[0], 0xb8);
	assert_false(pk.outgoing_loopback);
	n = relink(b, sll_lo_out, sizeof(sll_lo_out), &eth);
	assert_int_equal(net_decode(NET_DLT_LINUX_SLL, b, n, &pk), 0);
	assert_true(pk.outgoing_loopback);
	assert_int_equal(net_decode(NET_DLT_LINUX_SLL, b, 15, &pk), -EINVAL);

	n = relink(b, sll2, sizeof(sll2), &eth);
	assert_int_equal(net_decode(NET_DLT_LINUX_SLL2, b, n, &pk), 0);
	assert_int_equal(pk.ifindex, 7);
	assert_int_equal(pk.dport, 53);
	assert_int_equal(pk.src_mac[2], 0xeb);

	n = relink(b, NULL, 0, &eth);
	assert_int_equal(net_decode(NET_DLT_RAW, b, n, &pk), 0);
	assert_int_equal(net_decode(NET_DLT_IPV4, b, n, &pk), 0);
	assert_int_equal(net_decode(NET_DLT_IPV6, b, n, &pk), -EINVAL);
	n = relink(b, NULL, 0, &eth6);
	assert_int_equal(net_decode(NET_DLT_RAW, b, n, &pk), 0);
	assert_int_equal(pk.src.family, AF_INET6);
	assert_int_equal(net_decode(NET_DLT_IPV6, b, n, &pk), 0);
	b[0] = 0x50;
	assert_int_equal(net_decode(NET_DLT_RAW, b, n, &pk), -ENOTSUP);

	/* NULL: host byte order, either way round; LOOP: network order */
	n = relink(b, null_le4, 4, &eth);
	assert_int_equal(net_decode(NET_DLT_NULL, b, n, &pk), 0);
	assert_int_equal(pk.dport, 53);
	n = relink(b, null_be4, 4, &eth);
	assert_int_equal(net_decode(NET_DLT_NULL, b, n, &pk), 0);
	assert_int_equal(net_decode(NET_DLT_LOOP, b, n, &pk), 0);
	n = relink(b, null_le6, 4, &eth6);
	assert_int_equal(net_decode(NET_DLT_NULL, b, n, &pk), 0);
	assert_int_equal(pk.src.family, AF_INET6);
	n = relink(b, loop6, 4, &eth6);
	assert_int_equal(net_decode(NET_DLT_LOOP, b, n, &pk), 0);
	n = relink(b, null_bad, 4, &eth);
	assert_int_equal(net_decode(NET_DLT_NULL, b, n, &pk), -ENOTSUP);
	/* LOOP does not swap: a little-endian family is unknown there */
	n = relink(b, null_le4, 4, &eth);
	assert_int_equal(net_decode(NET_DLT_LOOP, b, n, &pk), -ENOTSUP);
}

static void test_arp_and_unknown(void **unused)
{
	struct frame fr;
	struct net_packet pk;

	(void)unused;
	fr_arp(&fr);
	assert_int_equal(net_decode(NET_DLT_EN10MB, fr.b, fr.n, &pk), 0);
	assert_int_equal(pk.l3, NET_L3_ARP);
	assert_int_equal(pk.arp_len, 28);
	fr_eth(&fr, 0, 0x88cc);		/* LLDP */
	assert_int_equal(net_decode(NET_DLT_EN10MB, fr.b, 60, &pk), -ENOTSUP);
	fr_eth(&fr, 0, 0x0100);		/* an 802.3 length */
	assert_int_equal(net_decode(NET_DLT_EN10MB, fr.b, 60, &pk), -ENOTSUP);
	assert_int_equal(net_decode(147, fr.b, 60, &pk), -ENOTSUP);	/* DLT_USER0 */
	/* IP protocols other than TCP/UDP: decoded, no ports */
	fr_udp4(&fr, 0, 1, 2, "x", 1);
	fr.b[14 + 9] = 47;		/* GRE */
	assert_int_equal(net_decode(NET_DLT_EN10MB, fr.b, fr.n, &pk), 0);
	assert_int_equal(pk.proto, 47);
	assert_int_equal(pk.sport, 0);
}

/* Random bytes under every link type: a return code, never a crash or a
 * read past caplen (run under ASan/valgrind to see the latter). */
static void test_random_frames(void **unused)
{
	static const int dlts[] = { NET_DLT_EN10MB, NET_DLT_LINUX_SLL, NET_DLT_LINUX_SLL2,
				    NET_DLT_RAW, NET_DLT_NULL, NET_DLT_LOOP, NET_DLT_IPV4,
				    NET_DLT_IPV6 };
	uint32_t seed = 42;

	(void)unused;
	for (int i = 0; i < 200000; i++) {
		uint8_t *b;
		size_t n;
		struct net_packet pk;
		int r;

		seed = seed * 1103515245u + 12345u;
		n = (seed >> 8) % 120;
		b = malloc(n ? n : 1);
		assert_non_null(b);
		for (size_t k = 0; k < n; k++) {
			seed = seed * 1103515245u + 12345u;
			b[k] = (uint8_t)(seed >> 16);
		}
		/* make IP versions likely, so the deeper paths run */
		if (n > 20 && (i & 1))
			b[i % 3 == 0 ? 0 : 14] = (i & 2) ? 0x45 : 0x60;
		r = net_decode(dlts[i % 8], b, n, &pk);
		assert_true(r == 0 || r == -EINVAL || r == -ENOTSUP);
		if (r == 0 && pk.payload)
			assert_true(pk.payload + pk.payload_len <= b + n);
		free(b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ethernet_tcp),
		cmocka_unit_test(test_vlan_tags),
		cmocka_unit_test(test_ipv6_and_extension_headers),
		cmocka_unit_test(test_ipv4_fragments_skipped),
		cmocka_unit_test(test_truncation_and_padding),
		cmocka_unit_test(test_cooked_raw_and_loopback),
		cmocka_unit_test(test_arp_and_unknown),
		cmocka_unit_test(test_random_frames),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
