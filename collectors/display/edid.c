/* SPDX-License-Identifier: Apache-2.0 */
/*
 * edid.c - the EDID 1.x base block, read strictly and without trust.
 *
 * Layout (VESA E-EDID Standard, Release A2, section 3): bytes 0-7 header,
 * 8-9 manufacturer PnP id (three 5-bit letters, big-endian), 10-11 product
 * code and 12-15 serial number (little-endian), 16 week, 17 year - 1990,
 * 18-19 version.revision, 21-22 maximum image size in cm, 54-125 four
 * 18-byte descriptors, 126 extension count, 127 checksum (the 128 bytes sum
 * to 0 mod 256).  Each extension block is another 128 bytes with its own
 * checksum; the parser only counts and verifies them.
 *
 * The body fingerprint (edid_body_fingerprint) hashes every block with the
 * identity bytes blanked: a KVM's EDID template is the same template
 * whatever monitor identity its owner imported into it, and that is what
 * the display rules match (rules/rules.d/51-display-structure.rules).
 *
 * Every field is read only if all of its bytes are inside the buffer and
 * the header is right (a blob with another header is not an EDID, so its
 * bytes 8-9 mean nothing).  A blob that fails a check is reported as not
 * valid but keeps the fields it had: a KVM whose EDID was edited without
 * fixing the checksum is still a KVM, and the rules can still see its name.
 */
#include <string.h>

#include "edid.h"

static const uint8_t edid_header[8] = { 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00 };

/* Display descriptor tags (E-EDID A2 section 3.10.3). */
#define EDID_TAG_SERIAL	0xff
#define EDID_TAG_TEXT	0xfe
#define EDID_TAG_NAME	0xfc
#define EDID_DESC_FIRST	54
#define EDID_DESC_LEN	18
#define EDID_DESC_COUNT	4

static bool edid_has(size_t len, size_t off, size_t n)
{
	return off <= len && n <= len - off;
}

static bool edid_sums_to_zero(const uint8_t *b)
{
	uint8_t sum = 0;

	for (size_t i = 0; i < EDID_BLOCK; i++)
		sum = (uint8_t)(sum + b[i]);
	return sum == 0;
}

/* Letters 1..26 = 'A'..'Z' (E-EDID A2 section 3.4.1); anything else, or
 * the reserved top bit, is not a PnP id. */
static bool edid_vendor(const uint8_t *b, char out[4])
{
	unsigned int v = (unsigned int)b[8] << 8 | b[9];

	if (v & 0x8000)
		return false;
	for (int i = 0; i < 3; i++) {
		unsigned int c = (v >> (10 - 5 * i)) & 0x1f;

		if (c < 1 || c > 26)
			return false;
		out[i] = (char)('A' + c - 1);
	}
	out[3] = '\0';
	return true;
}

/*
 * The 13 text bytes of a descriptor: stop at the 0x0A terminator, drop the
 * blank (or, from sloppy firmware, NUL) padding at the end, and make every
 * byte that is not printable ASCII a '?', so control characters, NULs and
 * bytes that could pose as UTF-8 never leave the parser.  Returns the
 * length written to out (out has EDID_TEXT_MAX + 1 bytes).
 */
static size_t edid_text(const uint8_t *t, char *out)
{
	size_t n = 0;

	while (n < EDID_TEXT_MAX && t[n] != 0x0a)
		n++;
	while (n > 0 && (t[n - 1] == 0x20 || t[n - 1] == 0x00))
		n--;
	for (size_t i = 0; i < n; i++)
		out[i] = t[i] >= 0x20 && t[i] < 0x7f ? (char)t[i] : '?';
	out[n] = '\0';
	return n;
}

static void edid_text_append(struct edid_info *e, const char *s, size_t n)
{
	size_t have = strlen(e->text);

	if (n == 0 || have + (have > 0) + n + 1 > sizeof(e->text))
		return;
	if (have > 0)
		e->text[have++] = ' ';
	memcpy(e->text + have, s, n + 1);
}

/* A display descriptor starts 00 00 (no pixel clock), 00, tag. */
static void edid_descriptor(struct edid_info *e, const uint8_t *d)
{
	char s[EDID_TEXT_MAX + 1];
	size_t n;

	if (d[0] != 0 || d[1] != 0 || d[2] != 0)
		return;		/* a detailed timing, or not a descriptor */
	switch (d[3]) {
	case EDID_TAG_NAME:
		if (e->have & EDID_HAVE_NAME)
			return;	/* the first one names it, as the kernel does */
		edid_text(d + 5, e->name);
		e->have |= EDID_HAVE_NAME;
		break;
	case EDID_TAG_SERIAL:
		if (e->have & EDID_HAVE_SERIAL_STR)
			return;
		edid_text(d + 5, e->serial_str);
		e->have |= EDID_HAVE_SERIAL_STR;
		break;
	case EDID_TAG_TEXT:
		n = edid_text(d + 5, s);
		edid_text_append(e, s, n);
		e->have |= EDID_HAVE_TEXT;
		break;
	default:
		break;
	}
}

static void edid_ids(struct edid_info *e, const uint8_t *b, size_t len)
{
	if (edid_has(len, 8, 2)) {
		if (edid_vendor(b, e->vendor))
			e->have |= EDID_HAVE_VENDOR;
		else
			e->problems |= EDID_ERR_VENDOR;
	}
	if (edid_has(len, 10, 2)) {
		e->product = (uint16_t)(b[10] | b[11] << 8);
		e->have |= EDID_HAVE_PRODUCT;
	}
	if (edid_has(len, 12, 4)) {
		e->serial = (uint32_t)b[12] | (uint32_t)b[13] << 8 |
			    (uint32_t)b[14] << 16 | (uint32_t)b[15] << 24;
		e->have |= EDID_HAVE_SERIAL;
	}
	if (edid_has(len, 16, 2)) {
		e->week = b[16];
		e->year = 1990u + b[17];
		e->have |= EDID_HAVE_DATE;
	}
	if (edid_has(len, 18, 2)) {
		e->version = b[18];
		e->revision = b[19];
		e->have |= EDID_HAVE_VERSION;
		if (b[18] != 1)
			e->problems |= EDID_ERR_VERSION;
	}
	if (edid_has(len, 21, 2)) {
		e->width_cm = b[21];
		e->height_cm = b[22];
		e->have |= EDID_HAVE_SIZE;
	}
}

/* Count and check the extension blocks byte 126 announces, reading none
 * beyond the buffer.  Bytes after the announced blocks are ignored. */
static void edid_extensions(struct edid_info *e, const uint8_t *b, size_t len)
{
	e->extensions = b[126];
	e->have |= EDID_HAVE_EXTENSIONS;
	for (unsigned int i = 1; i <= e->extensions; i++) {
		size_t off = (size_t)i * EDID_BLOCK;

		if (!edid_has(len, off, EDID_BLOCK)) {
			e->problems |= EDID_ERR_EXT_MISSING;
			return;
		}
		e->extensions_present++;
		if (!edid_sums_to_zero(b + off))
			e->problems |= EDID_ERR_EXT_CHECKSUM;
	}
}

bool edid_parse(const uint8_t *buf, size_t len, struct edid_info *out)
{
	size_t hdr = len < sizeof(edid_header) ? len : sizeof(edid_header);

	memset(out, 0, sizeof(*out));
	out->size = len;
	if (!buf || len == 0) {
		out->problems = EDID_ERR_EMPTY;
		return false;
	}
	/* Only a (possibly truncated) real header makes the bytes after it
	 * worth reading. */
	if (memcmp(buf, edid_header, hdr) != 0) {
		out->problems = EDID_ERR_HEADER | (len < EDID_BLOCK ? EDID_ERR_SHORT : 0);
		return false;
	}
	edid_ids(out, buf, len);
	for (int i = 0; i < EDID_DESC_COUNT; i++) {
		size_t off = EDID_DESC_FIRST + (size_t)i * EDID_DESC_LEN;

		if (edid_has(len, off, EDID_DESC_LEN))
			edid_descriptor(out, buf + off);
	}
	if (len < EDID_BLOCK) {
		out->problems |= EDID_ERR_SHORT;
		return false;
	}
	if (!edid_sums_to_zero(buf))
		out->problems |= EDID_ERR_CHECKSUM;
	edid_extensions(out, buf, len);
	out->valid = out->problems == 0;
	return out->valid;
}

uint64_t edid_fingerprint(const uint8_t *buf, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a 64 offset basis */

	if (!buf || len == 0)
		return 0;
	for (size_t i = 0; i < len; i++) {
		h ^= buf[i];
		h *= 0x100000001b3ULL;		/* FNV 64 prime */
	}
	return h;
}

/* ---- the body fingerprint (edid.h) ---- */

/* Blank, in a copy b of block `index`, the bytes that carry identity or
 * that depend only on them (the checksums). */
static void edid_blank_block(uint8_t *b, size_t index)
{
	b[EDID_BLOCK - 1] = 0;			/* checksum */
	if (index > 0)
		return;
	memset(b + 8, 0, 10);			/* PnP id .. year */
	b[126] = 0;				/* extension count */
	for (int i = 0; i < EDID_DESC_COUNT; i++) {
		uint8_t *d = b + EDID_DESC_FIRST + i * EDID_DESC_LEN;

		/* kvmd's edidconf finds the name and serial descriptors by
		 * their tag; E-EDID A2 3.10.3: pixel clock 0 = not a timing. */
		if (d[0] == 0 && d[1] == 0 &&
		    (d[3] == EDID_TAG_NAME || d[3] == EDID_TAG_SERIAL || d[3] == EDID_TAG_TEXT))
			memset(d + 5, 0, EDID_TEXT_MAX);
	}
}

/*
 * Block by block through SHA-256, so that nothing is allocated and at most
 * one block is copied.  Fewer blocks than byte 126 announces are hashed as
 * they are: the kernel drops an extension it cannot read and lowers the
 * count, and both views of one KVM must give one fingerprint.
 */
bool edid_body_fingerprint(const uint8_t *buf, size_t len, char out[FINGERPRINT_HEX_LEN])
{
	static const char hex[] = "0123456789abcdef";
	uint8_t block[EDID_BLOCK], d[SHA256_DIGEST_LEN];
	struct sha256_ctx c;
	size_t blocks;

	if (!buf || len < EDID_BLOCK || memcmp(buf, edid_header, sizeof(edid_header)) != 0)
		return false;
	/* At most 256 blocks (byte 126 is one byte): EDID_MAX_SIZE. */
	blocks = 1 + (size_t)buf[126];
	if (blocks > len / EDID_BLOCK)
		blocks = len / EDID_BLOCK;
	sha256_init(&c);
	for (size_t i = 0; i < blocks; i++) {
		memcpy(block, buf + i * EDID_BLOCK, EDID_BLOCK);
		edid_blank_block(block, i);
		sha256_update(&c, block, EDID_BLOCK);
	}
	sha256_final(&c, d);
	for (int i = 0; i < (FINGERPRINT_HEX_LEN - 1) / 2; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[FINGERPRINT_HEX_LEN - 1] = '\0';
	return true;
}
