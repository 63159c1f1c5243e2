/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_net_filter_prebuilt.c - the --pcap filter compiled at build time
 * (collectors/net/gen/net_filter_gen.c, net_filter_offline() and
 * net_filter_offline_fn()): the stored program is the one libpcap
 * compiles here, instruction for instruction, at any snapshot length; the
 * C function accepts exactly the packets libpcap's interpreter accepts
 * with that program, on every link type and in both byte orders of a
 * capture file (each compared with what libpcap compiles on a savefile
 * handle, as --pcap has), for frames of every kind the
 * filter looks at, VLAN-tagged, byte-mutated, cut short and with a wire
 * length other than the captured one; and another text gets nothing.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pcap/pcap.h>

#include "collectors/net/net_decode.h"
#include "collectors/net/net_filter.h"
#include "test_net_frames.h"

static const int dlts[] = { DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW,
			    DLT_NULL,	DLT_LOOP,      DLT_IPV4,       DLT_IPV6 };
#define NDLTS (sizeof(dlts) / sizeof(dlts[0]))

static void put32(uint8_t *b, uint32_t v, bool big)
{
	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> (big ? 24 - 8 * i : 8 * i));
}

/* A savefile handle (what --pcap has) on an empty capture of link type
 * dlt, snapshot length snap, written big- or little-endian: libpcap
 * compiles other code for savefiles than for dead handles (BSD
 * loopback's IPv6 values, DLT_NULL's byte order). */
static pcap_t *savefile(int dlt, int snap, bool big)
{
	static uint8_t h[24];
	char err[PCAP_ERRBUF_SIZE];
	FILE *fp;
	pcap_t *p;

	put32(h, 0xa1b2c3d4, big);
	put32(h + 4, big ? 0x00020004 : 0x00040002, big);
	put32(h + 8, 0, big);
	put32(h + 12, 0, big);
	put32(h + 16, (uint32_t)snap, big);
	put32(h + 20, (uint32_t)dlt, big);
	fp = fmemopen(h, sizeof(h), "rb");
	assert_non_null(fp);
	p = pcap_fopen_offline(fp, err);
	assert_non_null(p);
	return p;
}

static void test_program_is_libpcaps(void **unused)
{
	static const int snaps[] = { 65535, 262144, 2048, 96 };
	char text[16384];

	(void)unused;
	for (size_t i = 0; i < NDLTS; i++) {
		assert_non_null(net_filter_text(dlts[i], text, sizeof(text)));
		for (size_t s = 0; s < sizeof(snaps) / sizeof(snaps[0]); s++)
			for (int big = 0; big <= 1; big++) {
				struct bpf_program pre, here;
				pcap_t *p = savefile(dlts[i], snaps[s], big);

				assert_int_equal(net_filter_offline(p, text, &pre), 0);
				assert_int_equal(pcap_compile(p, &here, text, 1, PCAP_NETMASK_UNKNOWN),
						 0);
				assert_int_equal(pre.bf_len, here.bf_len);
				assert_memory_equal(pre.bf_insns, here.bf_insns,
						    here.bf_len * sizeof(*here.bf_insns));
				pcap_freecode(&pre);
				pcap_freecode(&here);
				pcap_close(p);
			}
	}
}

static void test_other_text_gets_nothing(void **unused)
{
	struct bpf_program prog;
	pcap_t *p = savefile(DLT_EN10MB, 65535, false);

	(void)unused;
	assert_int_equal(net_filter_offline(p, "tcp", &prog), -ENOENT);
	assert_null(net_filter_offline_fn(p, "tcp"));
	pcap_close(p);
}

/* ---- the C functions against libpcap's interpreter ---- */

static uint32_t rnd(uint32_t *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return *seed >> 8;
}

/* The Ethernet frame f re-framed for link type dlt into out: its
 * network-layer bytes behind that link type's header.  0 if the frame has
 * no IP or ARP payload the link type can carry. */
static size_t reframe(int dlt, const struct frame *f, uint8_t *out, size_t cap)
{
	size_t o = 12;
	static const uint8_t af_inet6[] = { 24, 28, 30 };
	unsigned et;
	size_t hl = 0;

	while (o + 2 <= f->n && (f->b[o] << 8 | f->b[o + 1]) != 0x0800 &&
	       (f->b[o] << 8 | f->b[o + 1]) != 0x86dd && (f->b[o] << 8 | f->b[o + 1]) != 0x0806)
		o += 4;	/* VLAN tags: the other link types carry none */
	if (o + 2 > f->n)
		return 0;
	et = (unsigned)(f->b[o] << 8 | f->b[o + 1]);
	o += 2;
	memset(out, 0, 32);
	switch (dlt) {
	case DLT_EN10MB:
		memcpy(out, f->b, f->n);
		return f->n;
	case DLT_LINUX_SLL:
		hl = 16;
		fr_put16(out + 2, 1);
		fr_put16(out + 4, 6);
		memcpy(out + 6, f->b + 6, 6);
		fr_put16(out + 14, et);
		break;
	case DLT_LINUX_SLL2:
		hl = 20;
		fr_put16(out, et);
		out[7] = 2;
		fr_put16(out + 8, 1);
		out[11] = 6;
		memcpy(out + 12, f->b + 6, 6);
		break;
	case DLT_NULL:
	case DLT_LOOP:
		/* The address family in either byte order (DLT_NULL's is the
		 * capturing host's), IPv6 as BSD's 24, FreeBSD's 28 or
		 * Darwin's 30. */
		if (et == 0x0806)
			return 0;
		hl = 4;
		out[f->n % 2 ? 3 : 0] = et == 0x0800 ? 2 : af_inet6[f->n % 3];
		break;
	default:	/* raw IP */
		if (et == 0x0806 || (dlt == DLT_IPV4 && et != 0x0800) ||
		    (dlt == DLT_IPV6 && et != 0x86dd))
			return 0;
		break;
	}
	if (hl + f->n - o > cap)
		return 0;
	memcpy(out + hl, f->b + o, f->n - o);
	return hl + f->n - o;
}

struct run {
	int dlt;
	net_filter_fn fn;
	struct bpf_program prog;
	uint8_t b[sizeof(((struct frame *)0)->b) + 32];
	size_t frames, acc, rej;
	uint32_t seed;
};

static void check_frame(struct run *r, const struct frame *f);

#define HEAD(s) { s, sizeof(s) - 1 }

/* Frames of every kind the filter decides on, each through check_frame(). */
static void each_frame(struct run *r)
{
	static const unsigned tports[] = { 443, 3389, 22, 80, 5900, 5938, 3240, 8080, 40000 };
	static const unsigned uports[] = { 53, 5353, 5355, 137, 67, 68, 50001, 21116, 9993,
					   5938, 3389, 123, 40000 };
	static const struct { const char *s; size_t n; } heads[] = {
		HEAD("\x16\x03\x01\x02\x00\x01"), HEAD("\x03\x00\x00\x2b\x26\xe0"),
		HEAD("RFB 003.008\n"), HEAD("SSH-2.0-OpenSSH"), HEAD("GET / HTTP/1.1"),
		HEAD("POST /"), HEAD("HEAD /"), HEAD("PUT /x"), HEAD("CONNECT a:443"),
		HEAD("OPTIONS *"), HEAD("\x17\x24\x10\x04"), HEAD("\x11\x30\x00\x00"),
		HEAD("\x14\xa2\x01\x02"), HEAD("\x00\x01\x00\x08"), HEAD("\x01\x00\x34\x12"),
		HEAD("\x87\x15\x10\x00"), HEAD("\x01\x11\x80\x05"), HEAD("\x01\x11\x80\x03"),
		HEAD("REAL bulk data"), HEAD("\x00\x00\x00\x00"),
	};
	static const uint8_t flags[] = { 0x02, 0x12, 0x10, 0x18, 0x11, 0x04, 0x14 };
	static const size_t lens[] = { 0, 6, 64, 65, 300, 512, 513, 1400 };
	static struct frame f;
	uint8_t pl[1500];
	uint32_t seed = 7;

	for (size_t i = 0; i < sizeof(pl); i++)
		pl[i] = (uint8_t)rnd(&seed);
	for (int v = 0; v <= 2; v++)
		for (size_t t = 0; t < sizeof(tports) / sizeof(tports[0]); t++)
			for (size_t h = 0; h < sizeof(heads) / sizeof(heads[0]); h++)
				for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
					size_t len = lens[l];
					uint8_t fl = flags[(t + h + l) % sizeof(flags)];
					unsigned sp = 40000 + (unsigned)h, dp = tports[t];

					memcpy(pl, heads[h].s, len < heads[h].n ? len : heads[h].n);
					if (l % 2) {	/* the server's side too */
						sp = tports[t];
						dp = 40000;
					}
					fr_tcp4(&f, v, sp, dp, fl, pl, len);
					check_frame(r, &f);
					fr_tcp6(&f, v, sp, dp, fl, pl, len);
					check_frame(r, &f);
					fr_tcp4(&f, v, sp, dp, 0x10, pl, len);
					check_frame(r, &f);
					fr_tcp6(&f, v, sp, dp, 0x10, pl, len);
					check_frame(r, &f);
				}
	for (int v = 0; v <= 2; v++)
		for (size_t u = 0; u < sizeof(uports) / sizeof(uports[0]); u++)
			for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
				pl[6] = l % 2 ? 0x00 : 0xff;	/* RDP-UDP uFlags */
				pl[7] = l % 2 ? 0x01 : 0xfe;
				fr_udp4(&f, v, 40000, uports[u], pl, lens[l]);
				check_frame(r, &f);
				fr_udp4(&f, v, uports[u], 40000, pl, lens[l]);
				check_frame(r, &f);
				fr_udp6(&f, 40000, uports[u], pl, lens[l]);
				check_frame(r, &f);
			}
	fr_arp(&f);
	check_frame(r, &f);
}

/* One packet through both; 1 if accepted. */
static int both(net_filter_fn fn, struct bpf_program *prog, const uint8_t *b, size_t wire,
		size_t cap)
{
	struct pcap_pkthdr h = { .caplen = (bpf_u_int32)cap, .len = (bpf_u_int32)wire };
	int lib = pcap_offline_filter(prog, &h, b) != 0;
	int c = fn(b, (u_int)wire, (u_int)cap) != 0;

	if (lib != c)
		fail_msg("C function %s, libpcap %s (wire %zu, captured %zu, byte 0 %02x)",
			 c ? "accepts" : "rejects", lib ? "accepts" : "rejects", wire, cap, b[0]);
	return lib;
}

/* One frame as built, cut short at every 7th length up to 80 bytes and at
 * a random one, with a longer wire length, and with a few bytes changed. */
static void check_frame(struct run *r, const struct frame *f)
{
	size_t n = reframe(r->dlt, f, r->b, sizeof(r->b));

	if (!n)
		return;
	r->frames++;
	both(r->fn, &r->prog, r->b, n, n) ? r->acc++ : r->rej++;
	for (size_t cut = r->frames % 7; cut < n && cut <= 80; cut += 7)
		both(r->fn, &r->prog, r->b, n, cut);
	both(r->fn, &r->prog, r->b, n + rnd(&r->seed) % 600, n);
	both(r->fn, &r->prog, r->b, n, rnd(&r->seed) % (n + 1));
	for (int m = 0; m < 3; m++) {
		r->b[rnd(&r->seed) % n] = (uint8_t)rnd(&r->seed);
		both(r->fn, &r->prog, r->b, n, n) ? r->acc++ : r->rej++;
	}
}

static void test_function_accepts_what_libpcap_accepts(void **unused)
{
	char text[16384];

	(void)unused;
	for (size_t d = 0; d < NDLTS; d++)
		for (int big = 0; big <= 1; big++) {
			static struct run r;
			pcap_t *p = savefile(dlts[d], 65535, big);

			memset(&r, 0, sizeof(r));
			r.dlt = dlts[d];
			r.seed = (uint32_t)dlts[d] + (uint32_t)big;
			assert_non_null(net_filter_text(dlts[d], text, sizeof(text)));
			r.fn = net_filter_offline_fn(p, text);
			assert_non_null(r.fn);
			assert_int_equal(pcap_compile(p, &r.prog, text, 1, PCAP_NETMASK_UNKNOWN), 0);
			each_frame(&r);
			/* Both answers were exercised, so an always-yes or
			 * always-no function cannot pass. */
			assert_true(r.frames > 5000);
			assert_true(r.acc > 100);
			assert_true(r.rej > 100);
			pcap_freecode(&r.prog);
			pcap_close(p);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_program_is_libpcaps),
		cmocka_unit_test(test_other_text_gets_nothing),
		cmocka_unit_test(test_function_accepts_what_libpcap_accepts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
