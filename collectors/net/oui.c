/* SPDX-License-Identifier: Apache-2.0 */
/*
 * oui.c - MAC address blocks of the vendors whose boards IP-KVMs are
 * built on (signals.md 1.3): a Raspberry Pi on the farm's LAN is the
 * likely PiKVM, TinyPilot or BliKVM; GL.iNet makes the Comet (GLKVM);
 * Sipeed makes the NanoKVM.
 *
 * Source of every block: the IEEE registry as shipped in Wireshark's
 * `manuf` file (/usr/share/wireshark/manuf), read for the catalog.  The
 * IEEE hands out 24-bit (MA-L), 28-bit (MA-M) and 36-bit (MA-S) prefixes;
 * the table holds each with its length and is ordered longest first, so
 * a small block inside a larger one would win.  Ten rows: a linear scan
 * costs less than any index.
 */
#include <stddef.h>
#include <stdint.h>

#include "dissect.h"

struct oui_block {
	uint8_t prefix[5];		/* left-aligned, bits past `bits` zero */
	uint8_t bits;			/* 24 MA-L, 28 MA-M, 36 MA-S */
	const char *vendor;
};

static const struct oui_block oui_blocks[] = {
	/* MA-M 48:DA:35:6 "Sipeed" (NanoKVM). */
	{ { 0x48, 0xda, 0x35, 0x60 }, 28, "Sipeed" },
	/* MA-L B8:27:EB "Raspberry Pi Foundation". */
	{ { 0xb8, 0x27, 0xeb }, 24, "Raspberry Pi" },
	/* MA-L DC:A6:32, E4:5F:01, 28:CD:C1, D8:3A:DD "Raspberry Pi Trading Ltd". */
	{ { 0xdc, 0xa6, 0x32 }, 24, "Raspberry Pi" },
	{ { 0xe4, 0x5f, 0x01 }, 24, "Raspberry Pi" },
	{ { 0x28, 0xcd, 0xc1 }, 24, "Raspberry Pi" },
	{ { 0xd8, 0x3a, 0xdd }, 24, "Raspberry Pi" },
	/* MA-L 2C:CF:67 and 3A:35:41 "Raspberry Pi (Trading) Ltd" (3A:35:41 has
	 * the local bit set: an IEEE CID block, listed by manuf all the same). */
	{ { 0x2c, 0xcf, 0x67 }, 24, "Raspberry Pi" },
	{ { 0x3a, 0x35, 0x41 }, 24, "Raspberry Pi" },
	/* MA-L 94:83:C4 "GL Technologies (Hong Kong) Limited" (GL.iNet). */
	{ { 0x94, 0x83, 0xc4 }, 24, "GL.iNet" },
};

static bool oui_match(const uint8_t mac[6], const struct oui_block *b)
{
	unsigned full = b->bits / 8, rest = b->bits % 8;

	for (unsigned i = 0; i < full; i++)
		if (mac[i] != b->prefix[i])
			return false;
	if (rest) {
		uint8_t mask = (uint8_t)(0xff << (8 - rest));
		if ((mac[full] & mask) != b->prefix[full])
			return false;
	}
	return true;
}

const char *oui_vendor(const uint8_t mac[6])
{
	for (size_t i = 0; i < sizeof(oui_blocks) / sizeof(oui_blocks[0]); i++)
		if (oui_match(mac, &oui_blocks[i]))
			return oui_blocks[i].vendor;
	return NULL;
}
