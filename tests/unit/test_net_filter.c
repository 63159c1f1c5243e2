/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_net_filter.c - the net collector's BPF filter (collectors/
 * net_filter.c), compiled by libpcap for each link type and run with
 * pcap_offline_filter() over hand-built frames: what the dissectors need
 * passes, bulk data does not.  The programs come from net_filter_compile()
 * (compiled in a child process, as the collector does), which must give
 * exactly what pcap_compile() gives in this process.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pcap/pcap.h>

#include "collectors/net/dissect.h"
#include "collectors/net/net_decode.h"
#include "collectors/net/net_filter.h"
#include "collectors/net/ports.h"
#include "test_net_frames.h"

struct filt {
	pcap_t *p;
	struct bpf_program prog;
};

static void filt_open(struct filt *f, int dlt)
{
	char text[16384], err[PCAP_ERRBUF_SIZE];

	f->p = pcap_open_dead(dlt, 65535);
	assert_non_null(f->p);
	assert_non_null(net_filter_text(dlt, text, sizeof(text)));
	assert_int_equal(net_filter_compile(f->p, text, &f->prog, err, sizeof(err)), 0);
}

static void filt_close(struct filt *f)
{
	pcap_freecode(&f->prog);
	pcap_close(f->p);
}

static bool passes(struct filt *f, const struct frame *fr)
{
	struct pcap_pkthdr h = { .caplen = (bpf_u_int32)fr->n, .len = (bpf_u_int32)fr->n };

	return pcap_offline_filter(&f->prog, &h, fr->b) != 0;
}

static const uint8_t client_hello_head[] = { 0x16, 0x03, 0x01, 0x05, 0xdc, 0x01, 0x00, 0x05, 0xd8 };
static const uint8_t rdp_cr_head[] = { 0x03, 0x00, 0x00, 0x2b, 0x26, 0xe0 };

/* A payload of n bytes starting with head, the rest pseudo-random. */
static void payload(uint8_t *p, size_t n, const void *head, size_t hl, uint32_t *seed)
{
	for (size_t i = 0; i < n; i++) {
		*seed = *seed * 1103515245u + 12345u;
		p[i] = (uint8_t)(*seed >> 16);
	}
	if (hl)
		memcpy(p, head, hl < n ? hl : n);
}

static void test_filter_compiles_for_every_link_type(void **unused)
{
	static const int dlts[] = { DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW, DLT_NULL,
				    DLT_LOOP, DLT_IPV4, DLT_IPV6 };
	char small[64];

	(void)unused;
	for (size_t i = 0; i < sizeof(dlts) / sizeof(dlts[0]); i++) {
		struct filt f;

		filt_open(&f, dlts[i]);
		assert_true(f.prog.bf_len > 10);
		filt_close(&f);
	}
	assert_null(net_filter_text(DLT_EN10MB, small, sizeof(small)));
}

/* The child's program is the one compiled here, instruction for
 * instruction; a bad expression comes back as libpcap's message. */
static void test_child_compile_same_program(void **unused)
{
	static const int dlts[] = { DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW };
	char text[16384], err[PCAP_ERRBUF_SIZE] = "";

	(void)unused;
	for (size_t i = 0; i < sizeof(dlts) / sizeof(dlts[0]); i++) {
		struct bpf_program here, child;
		pcap_t *p = pcap_open_dead(dlts[i], 65535);

		assert_non_null(p);
		assert_non_null(net_filter_text(dlts[i], text, sizeof(text)));
		assert_int_equal(pcap_compile(p, &here, text, 1, PCAP_NETMASK_UNKNOWN), 0);
		assert_int_equal(net_filter_compile(p, text, &child, err, sizeof(err)), 0);
		assert_int_equal(child.bf_len, here.bf_len);
		assert_memory_equal(child.bf_insns, here.bf_insns,
				    here.bf_len * sizeof(*here.bf_insns));
		pcap_freecode(&here);
		pcap_freecode(&child);
		pcap_close(p);
	}
	{
		struct bpf_program prog;
		pcap_t *p = pcap_open_dead(DLT_EN10MB, 65535);

		assert_int_equal(net_filter_compile(p, "tcp and and", &prog, err, sizeof(err)),
				 -EINVAL);
		assert_non_null(strstr(err, "syntax"));
		pcap_close(p);
	}
}

static void test_name_services_and_lan_pass(void **unused)
{
	struct filt f;
	struct frame fr;
	uint8_t dns[40] = { 0x12, 0x34, 0x01, 0x00, 0, 1 };
	static const unsigned ports[] = { 53, 5353, 5355, 137, 67, 68 };

	(void)unused;
	filt_open(&f, DLT_EN10MB);
	for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
		fr_udp4(&fr, 0, 40000, ports[i], dns, sizeof(dns));
		assert_true(passes(&f, &fr));
		fr_udp4(&fr, 0, ports[i], 40000, dns, sizeof(dns));
		assert_true(passes(&f, &fr));
	}
	fr_udp6(&fr, 40000, 53, dns, sizeof(dns));
	assert_true(passes(&f, &fr));
	fr_arp(&fr);
	assert_true(passes(&f, &fr));
	/* IPv6 behind a hop-by-hop header: passed whole, the decoder walks it */
	fr_udp6(&fr, 40000, 53, dns, sizeof(dns));
	fr.b[14 + 6] = 0;
	assert_true(passes(&f, &fr));
	fr_udp4(&fr, 1, 40000, 53, dns, sizeof(dns));		/* 802.1Q */
	assert_true(passes(&f, &fr));
	fr_udp4(&fr, 2, 40000, 53, dns, sizeof(dns));		/* 802.1ad + 802.1Q */
	assert_true(passes(&f, &fr));
	filt_close(&f);
}

/* The port table (ports.h) the filter and the UDP dispatch are built
 * from: every UDP wire signature's port is one of its signature ports,
 * and every port of every row passes the filter (a small datagram) and
 * dispatches to its service, or to none for a signature row. */
static void test_port_table(void **unused)
{
	struct filt f;
	struct frame fr;
	uint8_t pl[32] = { 0 };

	(void)unused;
	for (const struct wire_signature *s = dissect_wire_signatures; s->id; s++) {
		bool found = false;

		if (s->transport != DISSECT_UDP)
			continue;
		for (size_t i = 0; i < NET_UDP_PORTS_N; i++)
			if (net_udp_ports[i].use == NET_PORT_SIGNATURE &&
			    net_port_in(&net_udp_ports[i], s->port))
				found = true;
		assert_true(found);
	}
	filt_open(&f, DLT_EN10MB);
	for (size_t i = 0; i < NET_UDP_PORTS_N; i++) {
		const struct net_port_range *r = &net_udp_ports[i];
		int service = r->use == NET_PORT_SIGNATURE ? -1 : (int)r->use;

		/* RDP-UDP rows pass only MS-RDPEUDP SYNs (uFlags bit 0 at 6-7). */
		pl[7] = r->use == NET_PORT_RDPUDP ? 0x01 : 0x00;
		for (unsigned p = r->first; p <= r->last; p++) {
			fr_udp4(&fr, 0, 40000, p, pl, sizeof(pl));
			assert_true(passes(&f, &fr));
			assert_int_equal(net_port_udp_service(40000, (uint16_t)p), service);
			assert_int_equal(net_port_udp_service((uint16_t)p, 40000), service);
		}
	}
	filt_close(&f);
}

static void test_handshakes_pass(void **unused)
{
	struct filt f;
	struct frame fr;
	uint8_t pl[1448];
	uint32_t seed = 1;
	static const struct { const char *head; size_t n; } heads[] = {
		{ "RFB 003.008\n", 12 }, { "SSH-2.0-OpenSSH_9.2p1\r\n", 23 },
		{ "GET / HTTP/1.1\r\n", 16 }, { "POST /x HTTP/1.1\r\n", 18 },
	};

	(void)unused;
	filt_open(&f, DLT_EN10MB);
	fr_tcp4(&fr, 0, 50000, 3389, 0x02, NULL, 0);		/* SYN */
	assert_true(passes(&f, &fr));
	fr_tcp4(&fr, 0, 3389, 50000, 0x12, NULL, 0);		/* SYN-ACK */
	assert_true(passes(&f, &fr));
	fr_tcp4(&fr, 0, 3389, 50000, 0x14, NULL, 0);		/* RST-ACK */
	assert_true(passes(&f, &fr));
	fr_tcp4(&fr, 0, 50000, 443, 0x11, NULL, 0);		/* FIN-ACK */
	assert_true(passes(&f, &fr));
	fr_tcp6(&fr, 0, 50000, 22, 0x02, NULL, 0);		/* IPv6 SYN */
	assert_true(passes(&f, &fr));
	/* A full-sized first segment of a ClientHello, v4, v6, tagged. */
	payload(pl, sizeof(pl), client_hello_head, sizeof(client_hello_head), &seed);
	fr_tcp4(&fr, 0, 50000, 443, 0x18, pl, sizeof(pl));
	assert_true(passes(&f, &fr));
	fr_tcp6(&fr, 0, 50000, 443, 0x18, pl, sizeof(pl));
	assert_true(passes(&f, &fr));
	fr_tcp4(&fr, 2, 50000, 443, 0x18, pl, sizeof(pl));
	assert_true(passes(&f, &fr));
	payload(pl, sizeof(pl), rdp_cr_head, sizeof(rdp_cr_head), &seed);
	fr_tcp4(&fr, 0, 50000, 13389, 0x18, pl, 700);		/* RDP on any port */
	assert_true(passes(&f, &fr));
	for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		payload(pl, sizeof(pl), heads[i].head, heads[i].n, &seed);
		fr_tcp4(&fr, 0, 50000, 8080, 0x18, pl, 1000);
		assert_true(passes(&f, &fr));
	}
	/* Wire signatures of remote-access tools, on any port. */
	fr_tcp4(&fr, 0, 50000, 5938, 0x18, "\x17\x24\x1b\x00\x00", 5);
	assert_true(passes(&f, &fr));
	fr_tcp6(&fr, 0, 50000, 21115, 0x18, "\x14\xa2\x01\x02\x08\x01", 6);
	assert_true(passes(&f, &fr));
	/* TeamViewer's header magics on its HTTPS fallback, USB/IP requests. */
	payload(pl, sizeof(pl), "\x17\x24\x0a\x20", 4, &seed);
	fr_tcp4(&fr, 0, 50000, 443, 0x18, pl, 37);
	assert_true(passes(&f, &fr));
	fr_tcp4(&fr, 0, 443, 50000, 0x18, "\x11\x30\x01\x00", 4);
	assert_true(passes(&f, &fr));
	fr_tcp6(&fr, 0, 50000, 3240, 0x18, "\x01\x11\x80\x05\x00\x00\x00\x00", 8);
	assert_true(passes(&f, &fr));
	/* The RFB security handshake: small segments on 5900-5999, v4 and v6. */
	fr_tcp4(&fr, 0, 50000, 5900, 0x18, "\x02", 1);
	assert_true(passes(&f, &fr));
	fr_tcp4(&fr, 0, 5999, 50000, 0x18, "\x00\x00\x00\x00", 4);
	assert_true(passes(&f, &fr));
	fr_tcp6(&fr, 0, 5901, 50000, 0x18, "\x00\x00\x00\x01\x00\x00\x00\x02no", 10);
	assert_true(passes(&f, &fr));
	/* RDP's UDP SYN (uFlags 0x0001), v4 and v6. */
	memset(pl, 0, 1232);
	memcpy(pl, "\xff\xff\xff\xff\x00\x40\x00\x01", 8);
	fr_udp4(&fr, 0, 50000, 3389, pl, 1232);
	assert_true(passes(&f, &fr));
	fr_udp6(&fr, 3389, 50000, pl, 1232);
	assert_true(passes(&f, &fr));
	/* The tail of a split ClientHello: small, to port 443. */
	payload(pl, sizeof(pl), NULL, 0, &seed);
	fr_tcp4(&fr, 0, 50000, 443, 0x18, pl, NET_FILTER_SMALL_PAYLOAD);
	assert_true(passes(&f, &fr));
	fr_tcp6(&fr, 0, 50000, 443, 0x18, pl, 300);
	assert_true(passes(&f, &fr));
	filt_close(&f);
}

static void test_bulk_does_not_pass(void **unused)
{
	struct filt f;
	struct frame fr;
	uint8_t pl[1448];
	uint32_t seed = 99;
	int leaked = 0;

	(void)unused;
	filt_open(&f, DLT_EN10MB);
	/* Bare ACKs of a download. */
	fr_tcp4(&fr, 0, 50000, 443, 0x10, NULL, 0);
	assert_false(passes(&f, &fr));
	fr_tcp6(&fr, 0, 50000, 443, 0x10, NULL, 0);
	assert_false(passes(&f, &fr));
	/* One payload byte over the small-payload bound. */
	payload(pl, sizeof(pl), "\x17\x03\x03", 3, &seed);
	fr_tcp4(&fr, 0, 443, 50000, 0x10, pl, NET_FILTER_SMALL_PAYLOAD + 1);
	assert_false(passes(&f, &fr));
	/* The small tail of each application write of a bulk transfer: not
	 * on port 443's client side, so not passed (iperf3 writes 128 KiB:
	 * two 64 KiB segments on loopback, then 106 bytes). */
	fr_tcp4(&fr, 0, 38930, 5201, 0x18, pl + 7, 106);
	assert_false(passes(&f, &fr));
	fr_tcp6(&fr, 0, 38930, 5201, 0x18, pl + 7, 106);
	assert_false(passes(&f, &fr));
	fr_tcp4(&fr, 0, 443, 50000, 0x18, pl + 7, 106);	/* from the server */
	assert_false(passes(&f, &fr));
	/* Bulk UDP (QUIC, a VPN) off the listed ports. */
	fr_udp4(&fr, 0, 443, 50000, pl, 1200);
	assert_false(passes(&f, &fr));
	fr_udp4(&fr, 0, 21116, 50000, pl, 1200);		/* listed port, but big */
	assert_false(passes(&f, &fr));
	/* RDP's UDP graphics stream: ACK | DATA datagrams, no SYN. */
	memcpy(pl, "\x00\x00\x10\x00\x00\x40\x00\x0c", 8);
	fr_udp4(&fr, 0, 3389, 50000, pl, 1232);
	assert_false(passes(&f, &fr));
	fr_udp6(&fr, 3389, 50000, pl, 1232);
	assert_false(passes(&f, &fr));
	/* VNC: small segments only on its ports; big ones (framebuffer) not. */
	fr_tcp4(&fr, 0, 5900, 50000, 0x18, pl + 7, 65);
	assert_false(passes(&f, &fr));
	fr_tcp6(&fr, 0, 5900, 50000, 0x18, pl + 7, 1000);
	assert_false(passes(&f, &fr));
	fr_tcp4(&fr, 0, 50000, 5800, 0x18, pl + 7, 6);
	assert_false(passes(&f, &fr));
	/* 20000 random full-sized segments, v4 and v6, tagged or not: the
	 * four two-byte patterns let about one in 16384 through. */
	for (int i = 0; i < 20000; i++) {
		payload(pl, sizeof(pl), NULL, 0, &seed);
		if (i % 3 == 0)
			fr_tcp6(&fr, 0, 443, 50000, 0x10, pl, sizeof(pl));
		else
			fr_tcp4(&fr, i % 3 == 1 ? 0 : 1, 443, 50000, 0x10, pl, sizeof(pl));
		leaked += passes(&f, &fr);
	}
	assert_true(leaked <= 5);
	filt_close(&f);
}

/* The cooked and raw link types take the same decisions. */
static void test_other_link_types(void **unused)
{
	static const int dlts[] = { DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW, DLT_NULL, DLT_LOOP };
	uint8_t pl[1448];
	uint32_t seed = 5;

	(void)unused;
	for (size_t d = 0; d < sizeof(dlts) / sizeof(dlts[0]); d++) {
		struct filt f;
		struct frame eth, fr;
		size_t hl;

		filt_open(&f, dlts[d]);
		memset(&fr, 0, sizeof(fr));
		switch (dlts[d]) {
		case DLT_LINUX_SLL:
			hl = 16;
			fr.b[15] = 0x00;
			fr.b[14] = 0x08;
			break;
		case DLT_LINUX_SLL2:
			hl = 20;
			fr.b[0] = 0x08;
			break;
		case DLT_NULL:
			hl = 4;
			fr.b[0] = 2;	/* little-endian AF_INET */
			break;
		case DLT_LOOP:
			hl = 4;
			fr.b[3] = 2;
			break;
		default:
			hl = 0;
			break;
		}
		/* SYN passes, a bulk segment does not: build with the
		 * Ethernet helpers, then swap the link header. */
		fr_tcp4(&eth, 0, 50000, 3389, 0x02, NULL, 0);
		memcpy(fr.b + hl, eth.b + 14, eth.n - 14);
		fr.n = hl + eth.n - 14;
		assert_true(passes(&f, &fr));
		payload(pl, sizeof(pl), "\x17\x03\x03", 3, &seed);
		fr_tcp4(&eth, 0, 443, 50000, 0x10, pl, sizeof(pl));
		memcpy(fr.b + hl, eth.b + 14, eth.n - 14);
		fr.n = hl + eth.n - 14;
		assert_false(passes(&f, &fr));
		filt_close(&f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filter_compiles_for_every_link_type),
		cmocka_unit_test(test_child_compile_same_program),
		cmocka_unit_test(test_name_services_and_lan_pass),
		cmocka_unit_test(test_port_table),
		cmocka_unit_test(test_handshakes_pass),
		cmocka_unit_test(test_bulk_does_not_pass),
		cmocka_unit_test(test_other_link_types),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
