/* SPDX-License-Identifier: Apache-2.0 */
/*
 * edid.h - a strict, pure EDID 1.x parser (VESA E-EDID, base block + the
 * count of extension blocks), shared by the display collector and tests.
 *
 * The input is whatever the kernel (or a KVM's capture chip, or an
 * attacker's EDID emulator) put in a connector's `edid` attribute: any
 * length, any bytes.  The parser reads only inside [buf, buf + len), never
 * allocates, never logs, and says what it could read even when the blob is
 * not a valid EDID, so that a tampered checksum does not hide a KVM's name.
 */
#ifndef FARMHOUND_EDID_H
#define FARMHOUND_EDID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/sha256.h"

#define EDID_BLOCK		128
/* 255 extension blocks at most (byte 126 is one byte): 32 KiB in all. */
#define EDID_MAX_SIZE		(256 * EDID_BLOCK)
/* A display descriptor carries 13 bytes of text. */
#define EDID_TEXT_MAX		13
/* monitor_text joins up to four 0xFE descriptors with blanks. */
#define EDID_TEXTS_MAX		(4 * (EDID_TEXT_MAX + 1))

/* Which fields were read (the bytes were inside the buffer, after a good
 * header).  A field not in `have` must not be used. */
enum edid_have {
	EDID_HAVE_VENDOR	= 1u << 0,	/* bytes 8-9, three letters A-Z */
	EDID_HAVE_PRODUCT	= 1u << 1,	/* bytes 10-11 */
	EDID_HAVE_SERIAL	= 1u << 2,	/* bytes 12-15 */
	EDID_HAVE_DATE		= 1u << 3,	/* bytes 16-17 */
	EDID_HAVE_VERSION	= 1u << 4,	/* bytes 18-19 */
	EDID_HAVE_SIZE		= 1u << 5,	/* bytes 21-22 */
	EDID_HAVE_NAME		= 1u << 6,	/* a 0xFC descriptor */
	EDID_HAVE_SERIAL_STR	= 1u << 7,	/* a 0xFF descriptor */
	EDID_HAVE_TEXT		= 1u << 8,	/* one or more 0xFE descriptors */
	EDID_HAVE_EXTENSIONS	= 1u << 9,	/* byte 126 */
};

/* Why a blob is not a valid EDID (several may hold). */
enum edid_problem {
	EDID_ERR_EMPTY		= 1u << 0,	/* no bytes at all */
	EDID_ERR_SHORT		= 1u << 1,	/* base block incomplete */
	EDID_ERR_HEADER		= 1u << 2,	/* not 00 FF FF FF FF FF FF 00 */
	EDID_ERR_CHECKSUM	= 1u << 3,	/* base block does not sum to 0 */
	EDID_ERR_EXT_MISSING	= 1u << 4,	/* fewer extension blocks than byte 126 says */
	EDID_ERR_EXT_CHECKSUM	= 1u << 5,	/* an extension block does not sum to 0 */
	EDID_ERR_VENDOR		= 1u << 6,	/* bytes 8-9 are not three letters */
	EDID_ERR_VERSION	= 1u << 7,	/* EDID structure version is not 1 */
};

struct edid_info {
	bool valid;		/* header, version 1, checksums, all extensions */
	unsigned int have;	/* enum edid_have */
	unsigned int problems;	/* enum edid_problem; 0 iff valid */
	size_t size;		/* bytes given */

	char vendor[4];		/* PnP id, e.g. "LNX" */
	uint16_t product;	/* manufacturer's product code (LE) */
	uint32_t serial;	/* 32-bit serial number (LE); 0 = unused */
	unsigned int week;	/* 0 unknown, 1-54, 255 = year is model year */
	unsigned int year;	/* 1990 + byte 17 */
	unsigned int version, revision;	/* 1, 3 for EDID 1.3 */
	unsigned int width_cm, height_cm;	/* 0 x 0: undefined (projector, emulator) */
	unsigned int extensions;	/* declared by byte 126 */
	unsigned int extensions_present;	/* complete blocks after the base */

	/* Printable ASCII only (others become '?'), 0x0A terminator and
	 * blank/NUL padding removed. */
	char name[EDID_TEXT_MAX + 1];		/* 0xFC monitor name */
	char serial_str[EDID_TEXT_MAX + 1];	/* 0xFF serial number string */
	char text[EDID_TEXTS_MAX];		/* 0xFE strings, blank-joined */
};

/* Parse len bytes at buf (buf may be NULL when len is 0).  Fills *out
 * (zeroed first) and returns out->valid. */
bool edid_parse(const uint8_t *buf, size_t len, struct edid_info *out);

/* A stable 64-bit fingerprint of the bytes (FNV-1a): tells one EDID from
 * another on a connector.  Not cryptographic.  0 for no bytes. */
uint64_t edid_fingerprint(const uint8_t *buf, size_t len);

/*
 * The body fingerprint: fingerprint_hex() (lib/sha256.h, the first 16 hex
 * digits of SHA-256) of the EDID with its identity blanked, so that a KVM
 * template keeps its fingerprint whatever manufacturer, product, serial and
 * names were written into it (kvmd-edidconf --import-display-ids and the
 * like).  Hashed: the base block and the extension blocks byte 126 announces
 * that are present in full, with these bytes set to 0 first:
 *   base block  8-17 (PnP id, product, serial number, week, year),
 *               126 (extension count: the kernel rewrites it when it drops
 *               an extension block it could not read), 127 (checksum);
 *               bytes 5-17 (the 13-byte payload) of each of the four
 *               18-byte descriptors at 54, 72, 90, 108 whose bytes 0-1 are
 *               0 (a display descriptor) and byte 3 is 0xFC (name), 0xFF
 *               (serial string) or 0xFE (text);
 *   extensions  127 (checksum).
 * Returns false, out untouched, when buf is not an EDID: no full base block
 * or a wrong header.  Checksums need not be right (they are blanked). */
bool edid_body_fingerprint(const uint8_t *buf, size_t len, char out[FINGERPRINT_HEX_LEN]);

#endif
