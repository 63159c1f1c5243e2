/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_dissect_lan.c - ARP and DHCP dissectors (collectors/net/dissect_lan.c),
 * the remote-access wire signatures (collectors/net/dissect_sig.c) and the
 * KVM vendor OUIs (collectors/net/oui.c).
 *
 * ARP follows RFC 826's packet layout, DHCP RFC 2131 2 (BOOTP fields,
 * magic cookie 99.130.83.99) and RFC 2132 (options 12, 50, 53, 60, pad
 * and end).  The signature payloads are written from the byte patterns
 * the signal catalog quotes from the ET Open rules (signals.md 5) and the
 * OUIs from its IEEE-derived list (signals.md 1.3); the expected values
 * are spelled out here again on purpose, so a typo in the table is a
 * failing test rather than a silent miss.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "collectors/net/dissect.h"

/* ---- ARP ---- */

static const uint8_t arp_request[28] = {
	0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01,	/* Ethernet, IPv4, request */
	0xdc, 0xa6, 0x32, 0x01, 0x02, 0x03,		/* sender MAC (a Pi 4) */
	192, 168, 1, 50,				/* sender IP */
	0, 0, 0, 0, 0, 0,				/* target MAC unknown */
	192, 168, 1, 1,					/* target IP */
};

static int arp_exact(const uint8_t *p, size_t len, struct arp_packet *out)
{
	uint8_t *c = malloc(len ? len : 1);
	assert_non_null(c);
	memcpy(c, p, len);
	int r = dissect_arp(c, len, out);
	free(c);
	return r;
}

static void test_arp(void **state)
{
	(void)state;
	struct arp_packet a;
	assert_int_equal(arp_exact(arp_request, sizeof(arp_request), &a), 0);
	assert_int_equal(a.op, 1);
	assert_memory_equal(a.sender_mac, "\xdc\xa6\x32\x01\x02\x03", 6);
	assert_int_equal(a.sender_ip.family, AF_INET);
	assert_memory_equal(a.sender_ip.bytes, "\xc0\xa8\x01\x32", 4);
	assert_memory_equal(a.target_ip.bytes, "\xc0\xa8\x01\x01", 4);
	assert_string_equal(oui_vendor(a.sender_mac), "Raspberry Pi");

	for (size_t len = 0; len < sizeof(arp_request); len++)
		assert_int_equal(arp_exact(arp_request, len, &a), -EINVAL);

	uint8_t bad[28];
	memcpy(bad, arp_request, 28);
	bad[3] = 0xdd;					/* IPv6 protocol type */
	assert_int_equal(arp_exact(bad, 28, &a), -EINVAL);
	memcpy(bad, arp_request, 28);
	bad[7] = 3;					/* RARP request */
	assert_int_equal(arp_exact(bad, 28, &a), -EINVAL);
	memcpy(bad, arp_request, 28);
	bad[4] = 8;					/* hlen 8 */
	assert_int_equal(arp_exact(bad, 28, &a), -EINVAL);
}

/* ---- DHCP ---- */

struct pkt {
	uint8_t b[600];
	size_t n;
};

static void opt(struct pkt *m, uint8_t code, const void *v, size_t n)
{
	m->b[m->n++] = code;
	m->b[m->n++] = (uint8_t)n;
	memcpy(m->b + m->n, v, n);
	m->n += n;
}

/* A DHCPREQUEST as a Raspberry Pi-based KVM's udhcpc sends it. */
static void build_request(struct pkt *m, bool with_end)
{
	memset(m->b, 0, sizeof(m->b));
	m->b[0] = 1;				/* BOOTREQUEST */
	m->b[1] = 1;				/* htype Ethernet */
	m->b[2] = 6;				/* hlen */
	memcpy(m->b + 4, "\x12\x34\x56\x78", 4);	/* xid */
	memcpy(m->b + 28, "\xb8\x27\xeb\xaa\xbb\xcc", 6);	/* chaddr */
	memcpy(m->b + 236, "\x63\x82\x53\x63", 4);
	m->n = 240;
	opt(m, 53, "\x03", 1);			/* DHCPREQUEST */
	m->b[m->n++] = 0;			/* pad */
	m->b[m->n++] = 0;
	opt(m, 50, "\xc0\xa8\x01\x32", 4);
	opt(m, 12, "pikvm\0", 6);		/* with a counted NUL */
	opt(m, 60, "udhcp 1.36.1", 12);
	opt(m, 55, "\x01\x03\x06\x0c\x0f\x1c\x2a", 7);
	if (with_end)
		m->b[m->n++] = 255;
}

static int dhcp_exact(const uint8_t *p, size_t len, struct dhcp_message *out)
{
	uint8_t *c = malloc(len ? len : 1);
	assert_non_null(c);
	memcpy(c, p, len);
	int r = dissect_dhcp(c, len, out);
	free(c);
	return r;
}

static void test_dhcp_request(void **state)
{
	(void)state;
	struct pkt m;
	struct dhcp_message d;
	build_request(&m, true);
	assert_int_equal(dhcp_exact(m.b, m.n, &d), 0);
	assert_int_equal(d.op, 1);
	assert_int_equal(d.msg_type, 3);
	assert_memory_equal(d.client_mac, "\xb8\x27\xeb\xaa\xbb\xcc", 6);
	assert_int_equal(d.requested_ip.family, AF_INET);
	assert_memory_equal(d.requested_ip.bytes, "\xc0\xa8\x01\x32", 4);
	assert_string_equal(d.hostname, "pikvm");
	assert_string_equal(d.vendor_class, "udhcp 1.36.1");

	/* No end option (the packet just stops): still read. */
	build_request(&m, false);
	assert_int_equal(dhcp_exact(m.b, m.n, &d), 0);
	assert_string_equal(d.hostname, "pikvm");

	/* Options after end are not read. */
	build_request(&m, true);
	opt(&m, 60, "ghost", 5);
	assert_int_equal(dhcp_exact(m.b, m.n, &d), 0);
	assert_string_equal(d.vendor_class, "udhcp 1.36.1");
}

/* A DHCPACK: no option 50, the address is yiaddr. */
static void test_dhcp_ack_yiaddr(void **state)
{
	(void)state;
	struct pkt m;
	struct dhcp_message d;
	memset(m.b, 0, sizeof(m.b));
	m.b[0] = 2;
	m.b[1] = 1;
	m.b[2] = 6;
	memcpy(m.b + 16, "\x0a\x00\x00\x63", 4);	/* yiaddr */
	memcpy(m.b + 28, "\x94\x83\xc4\x00\x00\x01", 6);
	memcpy(m.b + 236, "\x63\x82\x53\x63", 4);
	m.n = 240;
	opt(&m, 53, "\x05", 1);
	m.b[m.n++] = 255;
	assert_int_equal(dhcp_exact(m.b, m.n, &d), 0);
	assert_int_equal(d.op, 2);
	assert_int_equal(d.msg_type, 5);
	assert_memory_equal(d.requested_ip.bytes, "\x0a\x00\x00\x63", 4);
	assert_string_equal(d.hostname, "");
	assert_string_equal(oui_vendor(d.client_mac), "GL.iNet");
}

static void test_dhcp_malformed(void **state)
{
	(void)state;
	struct pkt m;
	struct dhcp_message d;

	build_request(&m, true);
	m.b[m.n - 1] = 12;			/* last option's length byte missing */
	assert_int_equal(dhcp_exact(m.b, m.n, &d), -EINVAL);
	m.b[m.n++] = 200;			/* length past the end */
	m.b[m.n++] = 'x';
	assert_int_equal(dhcp_exact(m.b, m.n, &d), -EINVAL);

	build_request(&m, true);
	m.b[236] = 0x64;			/* magic cookie */
	assert_int_equal(dhcp_exact(m.b, m.n, &d), -EINVAL);
	build_request(&m, true);
	m.b[0] = 3;				/* op */
	assert_int_equal(dhcp_exact(m.b, m.n, &d), -EINVAL);

	/* Every truncation: -EINVAL, or 0 when cut on an option boundary. */
	build_request(&m, true);
	for (size_t len = 0; len <= m.n; len++) {
		int r = dhcp_exact(m.b, len, &d);
		if (len < 240)
			assert_int_equal(r, -EINVAL);
		else
			assert_true(r == 0 || r == -EINVAL);
	}

	/* Odd host name bytes are escaped and cut to the buffer. */
	build_request(&m, false);
	m.n = 240;
	uint8_t name[255];
	memset(name, 'h', sizeof(name));
	name[0] = 0x1b;
	opt(&m, 12, name, sizeof(name));
	assert_int_equal(dhcp_exact(m.b, m.n, &d), 0);
	assert_int_equal(strncmp(d.hostname, "\\027hhh", 7), 0);
	assert_int_equal(strlen(d.hostname), sizeof(d.hostname) - 1);

	/* Not Ethernet: no MAC. */
	build_request(&m, true);
	m.b[1] = 6;				/* IEEE 802 */
	assert_int_equal(dhcp_exact(m.b, m.n, &d), 0);
	assert_memory_equal(d.client_mac, "\0\0\0\0\0\0", 6);
}

/* ---- OUIs ---- */

static void test_oui(void **state)
{
	(void)state;
	static const struct {
		uint8_t mac[6];
		const char *vendor;
	} cases[] = {
		{ { 0xb8, 0x27, 0xeb, 0x00, 0x00, 0x01 }, "Raspberry Pi" },
		{ { 0xdc, 0xa6, 0x32, 0xff, 0xff, 0xff }, "Raspberry Pi" },
		{ { 0xe4, 0x5f, 0x01, 0x12, 0x34, 0x56 }, "Raspberry Pi" },
		{ { 0x28, 0xcd, 0xc1, 0x12, 0x34, 0x56 }, "Raspberry Pi" },
		{ { 0xd8, 0x3a, 0xdd, 0x12, 0x34, 0x56 }, "Raspberry Pi" },
		{ { 0x2c, 0xcf, 0x67, 0x12, 0x34, 0x56 }, "Raspberry Pi" },
		{ { 0x3a, 0x35, 0x41, 0x12, 0x34, 0x56 }, "Raspberry Pi" },
		{ { 0x94, 0x83, 0xc4, 0x12, 0x34, 0x56 }, "GL.iNet" },
		/* Sipeed's MA-M block is 48:DA:35:6x only (28 bits). */
		{ { 0x48, 0xda, 0x35, 0x60, 0x00, 0x00 }, "Sipeed" },
		{ { 0x48, 0xda, 0x35, 0x6f, 0xff, 0xff }, "Sipeed" },
		{ { 0x48, 0xda, 0x35, 0x5f, 0xff, 0xff }, NULL },
		{ { 0x48, 0xda, 0x35, 0x70, 0x00, 0x00 }, NULL },
		/* Neighbours of the blocks, and ordinary vendors. */
		{ { 0xb8, 0x27, 0xec, 0x00, 0x00, 0x01 }, NULL },
		{ { 0xb9, 0x27, 0xeb, 0x00, 0x00, 0x01 }, NULL },
		{ { 0x00, 0x1b, 0x21, 0x00, 0x00, 0x01 }, NULL },
		{ { 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 }, NULL },
		{ { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, NULL },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *v = oui_vendor(cases[i].mac);
		if (cases[i].vendor)
			assert_string_equal(v, cases[i].vendor);
		else
			assert_null(v);
	}
}

/* ---- wire signatures ---- */

static const char *sig_id(const void *p, size_t len, enum dissect_transport t, uint16_t port)
{
	uint8_t *c = malloc(len ? len : 1);
	assert_non_null(c);
	memcpy(c, p, len);
	const struct wire_signature *s = dissect_wire_signature(c, len, t, port);
	free(c);
	return s ? s->id : NULL;
}

static void test_sig_teamviewer(void **state)
{
	(void)state;
	const uint8_t ka[] = { 0x17, 0x24, 0x1b, 0x00, 0x00 };
	assert_string_equal(sig_id(ka, 5, DISSECT_TCP, 5938), "teamviewer-keepalive");
	const struct wire_signature *s = dissect_wire_signature(ka, 5, DISSECT_TCP, 5938);
	assert_string_equal(s->tool, "teamviewer");
	assert_non_null(strstr(s->reference, "2008794"));
	assert_null(sig_id(ka, 5, DISSECT_TCP, 443));		/* wrong port */
	assert_null(sig_id(ka, 5, DISSECT_UDP, 5938));		/* wrong transport */
	const uint8_t six[] = { 0x17, 0x24, 0x1b, 0x00, 0x00, 0x00 };
	assert_null(sig_id(six, 6, DISSECT_TCP, 5938));		/* dsize 5 only */
	const uint8_t other[] = { 0x17, 0x24, 0x1b, 0x00, 0x01 };
	assert_null(sig_id(other, 5, DISSECT_TCP, 5938));
}

static void test_sig_anydesk(void **state)
{
	(void)state;
	const uint8_t disc[] = { 0x3e, 0xd1, 0x01, 0x00, 0x00, 0x00, 0x09 };
	assert_string_equal(sig_id(disc, sizeof(disc), DISSECT_UDP, 50001), "anydesk-discovery");
	assert_null(sig_id(disc, 1, DISSECT_UDP, 50001));
	assert_null(sig_id(disc, sizeof(disc), DISSECT_UDP, 50002));
	assert_null(sig_id(disc, sizeof(disc), DISSECT_TCP, 50001));
}

static void test_sig_rustdesk(void **state)
{
	(void)state;
	/* TestNatRequest{serial: 1} behind the one-byte length header. */
	const uint8_t nat[] = { 0x14, 0xa2, 0x01, 0x02, 0x08, 0x01 };
	assert_string_equal(sig_id(nat, 6, DISSECT_TCP, 21115), "rustdesk-nat-test");
	assert_string_equal(sig_id(nat, 6, DISSECT_TCP, 21116), "rustdesk-nat-test");
	assert_null(sig_id(nat, 6, DISSECT_TCP, 21117));
	assert_null(sig_id(nat, 5, DISSECT_TCP, 21116));

	/* RegisterPeer{id: "123456789", serial: 0|1}: 15 bytes. */
	uint8_t peer[15] = { 0x32, 0x0d, 0x0a, 0x09, '1', '2', '3', '4', '5', '6',
			     '7', '8', '9', 0x10, 0x01 };
	assert_string_equal(sig_id(peer, 15, DISSECT_UDP, 21116), "rustdesk-register-peer");
	peer[14] = 0x00;
	assert_string_equal(sig_id(peer, 15, DISSECT_UDP, 21116), "rustdesk-register-peer");
	peer[14] = 0x02;				/* not the rule's serial */
	assert_null(sig_id(peer, 15, DISSECT_UDP, 21116));
	peer[14] = 0x01;
	peer[13] = 0x18;				/* not field 2 */
	assert_null(sig_id(peer, 15, DISSECT_UDP, 21116));
	peer[13] = 0x10;
	assert_null(sig_id(peer, 14, DISSECT_UDP, 21116));
	assert_null(sig_id(peer, 15, DISSECT_TCP, 21116));

	/* RegisterPk, 0x53 bytes of message. */
	uint8_t pk[85] = { 0x7a, 0x53, 0x0a, 0x09 };
	assert_string_equal(sig_id(pk, sizeof(pk), DISSECT_UDP, 21116), "rustdesk-register-pk");
	assert_null(sig_id(pk, 3, DISSECT_UDP, 21116));
}

static void test_sig_zerotier_splashtop_screenconnect(void **state)
{
	(void)state;
	uint8_t zt[137] = { 0 };
	memcpy(zt + 27, "\x01\x0c\x01\x0a\x00\x01\x00\x00\x01\x82", 10);
	assert_string_equal(sig_id(zt, 137, DISSECT_UDP, 9993), "zerotier-hello");
	assert_null(sig_id(zt, 136, DISSECT_UDP, 9993));
	assert_null(sig_id(zt, 137, DISSECT_UDP, 9994));

	uint8_t peer[40] = { 0 };
	memcpy(peer + 8, "\x77\x8c\xde\x71\x90", 5);
	assert_string_equal(sig_id(peer, 40, DISSECT_UDP, 9993), "zerotier-peer");
	assert_null(sig_id(peer, 12, DISSECT_UDP, 9993));

	const uint8_t st[] = { 0x00, 0x01, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00,
			       0x00, 0x02, 0x01, 0x00 };
	assert_string_equal(sig_id(st, 12, DISSECT_TCP, 6783), "splashtop-checkin");
	assert_null(sig_id(st, 11, DISSECT_TCP, 6783));
	assert_string_equal(sig_id("\x01\x00\x34\x12", 4, DISSECT_TCP, 6784), "splashtop-6784");
	assert_null(sig_id("\x01\x00\x34\x12", 4, DISSECT_TCP, 6783));

	uint8_t sc[64] = { 0x87, 0x15, 0x10, 0x00 };
	assert_string_equal(sig_id(sc, 64, DISSECT_TCP, 8041), "screenconnect-hello");
	assert_string_equal(sig_id(sc, 16, DISSECT_TCP, 443), "screenconnect-hello");
	sc[15] = 1;
	assert_null(sig_id(sc, 64, DISSECT_TCP, 8041));
	assert_null(sig_id(sc, 15, DISSECT_TCP, 8041));
}

/* USB/IP requests (Linux Documentation/usb/usbip_protocol.rst): version
 * 0x0111, OP_REQ_DEVLIST 0x8005 (8 bytes), OP_REQ_IMPORT 0x8003 (+ busid,
 * 40 bytes), on TCP 3240 only. */
static void test_sig_usbip(void **state)
{
	(void)state;
	uint8_t imp[40] = { 0x01, 0x11, 0x80, 0x03, 0, 0, 0, 0, '1', '-', '1' };
	const uint8_t dl[] = { 0x01, 0x11, 0x80, 0x05, 0, 0, 0, 0 };

	assert_string_equal(sig_id(dl, sizeof(dl), DISSECT_TCP, 3240), "usbip-devlist");
	assert_string_equal(sig_id(imp, sizeof(imp), DISSECT_TCP, 3240), "usbip-import");
	assert_string_equal(dissect_wire_signature(dl, sizeof(dl), DISSECT_TCP, 3240)->tool, "usbip");
	assert_null(sig_id(dl, sizeof(dl), DISSECT_TCP, 3241));	/* wrong port */
	assert_null(sig_id(imp, 39, DISSECT_TCP, 3240));		/* cut busid */
	assert_null(sig_id(imp, 8, DISSECT_TCP, 3240));
	const uint8_t rep[] = { 0x01, 0x11, 0x00, 0x05, 0, 0, 0, 0 };	/* a reply */
	assert_null(sig_id(rep, sizeof(rep), DISSECT_TCP, 3240));
	const uint8_t st[] = { 0x01, 0x11, 0x80, 0x05, 0, 0, 0, 1 };	/* status must be 0 */
	assert_null(sig_id(st, sizeof(st), DISSECT_TCP, 3240));
}

/* TeamViewer's header: magic 17 24 or 11 30, then a command byte. */
static int tv(const void *p, size_t len, struct teamviewer_header *h)
{
	uint8_t *c = malloc(len ? len : 1);
	assert_non_null(c);
	memcpy(c, p, len);
	int r = dissect_teamviewer(c, len, h);
	free(c);
	return r;
}

static void test_teamviewer_header(void **state)
{
	(void)state;
	struct teamviewer_header h;

	assert_int_equal(tv("\x17\x24\x0a\x20", 4, &h), 0);
	assert_int_equal(h.magic, TEAMVIEWER_MAGIC);
	assert_int_equal(h.command, 0x0a);
	assert_int_equal(tv("\x11\x30\x01", 3, &h), 0);
	assert_int_equal(h.magic, TEAMVIEWER_MAGIC_MASTER);
	assert_int_equal(tv("\x17\x24\x1b\x00\x00", 5, &h), 0);	/* the keep-alive too */
	/* Truncated: a consistent prefix waits, anything else is not it. */
	assert_int_equal(tv("", 0, &h), -EAGAIN);
	assert_int_equal(tv("\x17", 1, &h), -EAGAIN);
	assert_int_equal(tv("\x11", 1, &h), -EAGAIN);
	assert_int_equal(tv("\x17\x24", 2, &h), -EAGAIN);
	assert_int_equal(tv("\x16", 1, &h), -EINVAL);
	assert_int_equal(tv("\x17\x03\x03\x00\x20", 5, &h), -EINVAL);	/* TLS application data */
	assert_int_equal(tv("\x16\x03\x01\x02\x00", 5, &h), -EINVAL);	/* a ClientHello */
	assert_int_equal(tv("\x24\x17\x0a", 3, &h), -EINVAL);		/* byte order */
}

/* The table itself: well-formed rows, each matched by a payload built
 * from its own definition, and every prefix of that payload handled. */
static void test_sig_table(void **state)
{
	(void)state;
	size_t n = 0;
	for (const struct wire_signature *s = dissect_wire_signatures; s->id; s++, n++) {
		assert_non_null(s->tool);
		assert_non_null(s->reference);
		assert_true(strlen(s->reference) > 5);
		assert_true(s->pattern_len > 0);
		assert_true(s->transport == DISSECT_TCP || s->transport == DISSECT_UDP);
		if (s->dsize >= 0)
			assert_true(s->offset + s->pattern_len <= s->dsize);

		uint8_t p[256] = { 0 };
		size_t len = s->dsize >= 0 ? (size_t)s->dsize : s->offset + s->pattern_len + 4u;
		assert_true(len <= sizeof(p));
		memcpy(p + s->offset, s->pattern, s->pattern_len);
		if (strcmp(s->id, "rustdesk-register-peer") == 0)
			p[13] = 0x10;		/* the serial field, see dissect_sig.c */
		const struct wire_signature *m =
			dissect_wire_signature(p, len, s->transport, s->port ? s->port : 1);
		assert_non_null(m);
		assert_string_equal(m->id, s->id);
		for (size_t l = 0; l < len; l++)
			(void)sig_id(p, l, s->transport, s->port);
	}
	assert_true(n >= 10);
	assert_null(sig_id("", 0, DISSECT_TCP, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arp),
		cmocka_unit_test(test_dhcp_request),
		cmocka_unit_test(test_dhcp_ack_yiaddr),
		cmocka_unit_test(test_dhcp_malformed),
		cmocka_unit_test(test_oui),
		cmocka_unit_test(test_sig_teamviewer),
		cmocka_unit_test(test_sig_anydesk),
		cmocka_unit_test(test_sig_usbip),
		cmocka_unit_test(test_teamviewer_header),
		cmocka_unit_test(test_sig_rustdesk),
		cmocka_unit_test(test_sig_zerotier_splashtop_screenconnect),
		cmocka_unit_test(test_sig_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
