/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_edid.c - the EDID parser (collectors/display/edid.c) on real KVM
 * EDIDs and on broken and hostile blobs.
 *
 * The KVM and monitor EDIDs come from tests/fixtures/display/edid/NAME.bin,
 * which tests/fixtures/display/gen.py builds from the documented values
 * (signal catalog section 1.2); the expected values below are those
 * documented values.  Every blob is parsed from a heap buffer of exactly
 * its length, so an over-read is a heap overflow that ASan or valgrind
 * would report, not a silent read of the next test's bytes.  Run from the
 * top of the tree (tests/run.sh does).
 *
 * The body fingerprints expected below are the ones
 * tests/fixtures/display/kvm_templates.py computes from the projects' own
 * EDIDs (a second implementation of the same definition, in Python).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "collectors/display/edid.h"
#include "lib/util.h"

#define EDIDS "tests/fixtures/display/edid/"

/* The JetKVM default as published in full (jetkvm/kvm jsonrpc.go L239):
 * 128 bytes although byte 126 announces one extension block. */
static const char jetkvm_hex[] =
	"00ffffffffffff0052620188008888881c150103800000780a0dc9a05747982712484c"
	"00000001010101010101010101010101010101023a801871382d40582c4500c48e2100"
	"001e011d007251d01e206e285500c48e2100001e000000fc00543734392d6648443732"
	"300a20000000fd00147801ff1d000a202020202020017b";

struct blob {
	uint8_t *b;
	size_t len;
};

static struct blob load(const char *name)
{
	char path[256], *buf;
	struct blob r;

	snprintf(path, sizeof(path), EDIDS "%s.bin", name);
	assert_int_equal(read_file_bounded(path, EDID_MAX_SIZE, &buf, &r.len), 0);
	r.b = (uint8_t *)buf;
	return r;
}

static struct blob from_hex(const char *hex)
{
	struct blob r = { malloc(strlen(hex) / 2), strlen(hex) / 2 };

	assert_non_null(r.b);
	for (size_t i = 0; i < r.len; i++) {
		unsigned int v;

		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		r.b[i] = (uint8_t)v;
	}
	return r;
}

/* Parse the first len bytes of src from an exact-size heap copy. */
static bool parse_exact(const uint8_t *src, size_t len, struct edid_info *e)
{
	uint8_t *copy = len ? malloc(len) : NULL;
	bool ok;

	if (len)
		memcpy(copy, src, len);
	ok = edid_parse(copy, len, e);
	free(copy);
	return ok;
}

static void fix_checksum(uint8_t *block)
{
	uint8_t sum = 0;

	for (int i = 0; i < 127; i++)
		sum = (uint8_t)(sum + block[i]);
	block[127] = (uint8_t)(256 - sum);
}

/* A text descriptor of the base block at index i (0..3). */
static uint8_t *desc(uint8_t *b, int i)
{
	return b + 54 + 18 * i;
}

/* ---- real EDIDs ---- */

static void test_pikvm_v4plus(void **state)
{
	struct blob x = load("pikvm-v4plus");
	struct edid_info e;

	(void)state;
	assert_true(edid_parse(x.b, x.len, &e));
	assert_int_equal(e.problems, 0);
	assert_int_equal(e.size, 256);
	assert_string_equal(e.vendor, "LNX");
	assert_int_equal(e.product, 0x7773);
	assert_int_equal(e.serial, 0x01010101);
	assert_int_equal(e.week, 35);
	assert_int_equal(e.year, 2016);
	assert_int_equal(e.version, 1);
	assert_int_equal(e.revision, 3);
	assert_int_equal(e.width_cm, 53);
	assert_int_equal(e.height_cm, 30);
	assert_string_equal(e.name, "PiKVM V4 Plus");
	/* written as "CAFEBABE" + blanks, no 0x0A, as kvmd's files have it */
	assert_string_equal(e.serial_str, "CAFEBABE");
	assert_int_equal(e.extensions, 1);
	assert_int_equal(e.extensions_present, 1);
	assert_true(e.have & EDID_HAVE_NAME);
	assert_false(e.have & EDID_HAVE_TEXT);
	free(x.b);
}

static void test_other_kvms(void **state)
{
	struct blob x = load("tinypilot");
	struct edid_info e;

	(void)state;
	assert_true(edid_parse(x.b, x.len, &e));
	assert_string_equal(e.vendor, "TSB");
	assert_int_equal(e.product, 0x9876);
	assert_int_equal(e.serial, 0x88888800);
	assert_int_equal(e.week, 45);
	assert_int_equal(e.year, 2020);
	assert_int_equal(e.width_cm, 0);
	assert_int_equal(e.height_cm, 0);
	assert_string_equal(e.name, "TinyPilot");
	free(x.b);

	x = load("nanokvm-philips");
	assert_true(edid_parse(x.b, x.len, &e));
	assert_string_equal(e.vendor, "PHL");
	assert_int_equal(e.product, 0xc233);
	assert_int_equal(e.serial, 0xba66);
	assert_int_equal(e.week, 43);
	assert_int_equal(e.year, 2021);
	assert_string_equal(e.name, "PHL 342E2");
	assert_string_equal(e.serial_str, "UK02143047718");	/* 13 bytes: no 0x0A */
	free(x.b);

	x = load("nanokvm");
	assert_true(edid_parse(x.b, x.len, &e));
	assert_string_equal(e.vendor, "SPD");
	assert_int_equal(e.product, 0x3301);
	assert_int_equal(e.serial, 0x15);
	assert_string_equal(e.name, "NanoKVM");
	assert_string_equal(e.serial_str, "NanoKVM");
	free(x.b);
}

/* Published with an extension count of 1 and no extension: the fields are
 * all there, the EDID is not valid. */
static void test_jetkvm_published(void **state)
{
	struct blob x = from_hex(jetkvm_hex);
	struct edid_info e;

	(void)state;
	assert_int_equal(x.len, 128);
	assert_false(edid_parse(x.b, x.len, &e));
	assert_int_equal(e.problems, EDID_ERR_EXT_MISSING);
	assert_string_equal(e.vendor, "TSB");
	assert_int_equal(e.product, 0x8801);
	assert_int_equal(e.serial, 0x88888800);
	assert_int_equal(e.week, 28);
	assert_int_equal(e.year, 2011);
	assert_string_equal(e.name, "T749-fHD720");
	assert_int_equal(e.extensions, 1);
	assert_int_equal(e.extensions_present, 0);
	free(x.b);
}

/* Two 0xFE strings (panel maker, model), no 0xFC: EDID 1.4 laptop panel. */
static void test_panel_text(void **state)
{
	struct blob x = load("boe-panel");
	struct edid_info e;

	(void)state;
	assert_true(edid_parse(x.b, x.len, &e));
	assert_string_equal(e.vendor, "BOE");
	assert_int_equal(e.revision, 4);
	assert_false(e.have & EDID_HAVE_NAME);
	assert_string_equal(e.name, "");
	assert_string_equal(e.text, "BOE HF NV140FHM-N49");
	free(x.b);
}

/* ---- broken ---- */

static void test_bad_checksum(void **state)
{
	struct blob x = load("pikvm-v4plus");
	struct edid_info e;

	(void)state;
	x.b[127] ^= 0x01;
	assert_false(edid_parse(x.b, x.len, &e));
	assert_int_equal(e.problems, EDID_ERR_CHECKSUM);
	/* a tampered EDID still says what it is */
	assert_string_equal(e.vendor, "LNX");
	assert_string_equal(e.name, "PiKVM V4 Plus");
	free(x.b);

	x = load("dell-bad-checksum");
	assert_false(edid_parse(x.b, x.len, &e));
	assert_true(e.problems & EDID_ERR_CHECKSUM);
	assert_string_equal(e.vendor, "DEL");
	free(x.b);
}

/* Every prefix of a 256-byte EDID: fields appear exactly when their bytes
 * are in, valid only at full length, never an over-read. */
static void test_truncated_every_length(void **state)
{
	struct blob x = load("pikvm-v4plus");

	(void)state;
	assert_int_equal(x.len, 256);
	for (size_t len = 0; len <= x.len; len++) {
		struct edid_info e;
		bool ok = parse_exact(x.b, len, &e);

		assert_int_equal(ok, len == 256);
		assert_int_equal(e.size, len);
		assert_int_equal(!!(e.have & EDID_HAVE_VENDOR), len >= 10);
		assert_int_equal(!!(e.have & EDID_HAVE_PRODUCT), len >= 12);
		assert_int_equal(!!(e.have & EDID_HAVE_SERIAL), len >= 16);
		assert_int_equal(!!(e.have & EDID_HAVE_DATE), len >= 18);
		assert_int_equal(!!(e.have & EDID_HAVE_SIZE), len >= 23);
		/* gen.py: descriptors DTD, 0xFF at 72, 0xFC at 90, 0xFD */
		assert_int_equal(!!(e.have & EDID_HAVE_SERIAL_STR), len >= 90);
		assert_int_equal(!!(e.have & EDID_HAVE_NAME), len >= 108);
		assert_int_equal(!!(e.have & EDID_HAVE_EXTENSIONS), len >= 128);
		assert_int_equal(!!(e.problems & EDID_ERR_EMPTY), len == 0);
		assert_int_equal(!!(e.problems & EDID_ERR_SHORT), len > 0 && len < 128);
		assert_int_equal(!!(e.problems & EDID_ERR_EXT_MISSING), len >= 128 && len < 256);
		assert_false(e.problems & EDID_ERR_HEADER);
		if (e.have & EDID_HAVE_NAME)
			assert_string_equal(e.name, "PiKVM V4 Plus");
		else
			assert_string_equal(e.name, "");
	}
	free(x.b);
}

/* Byte 126 may announce up to 255 blocks; only those present are read. */
static void test_extension_count(void **state)
{
	struct blob x = load("pikvm-v4plus");
	struct edid_info e;
	uint8_t *big;

	(void)state;
	x.b[126] = 255;
	fix_checksum(x.b);
	assert_false(parse_exact(x.b, x.len, &e));
	assert_int_equal(e.problems, EDID_ERR_EXT_MISSING);
	assert_int_equal(e.extensions, 255);
	assert_int_equal(e.extensions_present, 1);

	/* two announced, two present, the second with a bad checksum */
	x.b[126] = 2;
	fix_checksum(x.b);
	big = malloc(384);
	assert_non_null(big);
	memcpy(big, x.b, 256);
	memcpy(big + 256, x.b + 128, 128);
	big[256 + 5] ^= 0xff;
	assert_false(parse_exact(big, 384, &e));
	assert_int_equal(e.problems, EDID_ERR_EXT_CHECKSUM);
	assert_int_equal(e.extensions_present, 2);

	/* none announced, bytes after the base block: ignored */
	x.b[126] = 0;
	fix_checksum(x.b);
	assert_true(parse_exact(x.b, x.len, &e));
	assert_int_equal(e.extensions, 0);
	assert_int_equal(e.extensions_present, 0);
	free(big);
	free(x.b);
}

static void test_all_zero_all_ff(void **state)
{
	uint8_t b[256];
	struct edid_info e;

	(void)state;
	memset(b, 0, sizeof(b));
	assert_false(parse_exact(b, sizeof(b), &e));
	assert_int_equal(e.problems, EDID_ERR_HEADER);
	assert_int_equal(e.have, 0);
	assert_string_equal(e.vendor, "");
	memset(b, 0xff, sizeof(b));
	assert_false(parse_exact(b, sizeof(b), &e));
	assert_int_equal(e.problems, EDID_ERR_HEADER);
	assert_int_equal(e.have, 0);
	/* short and not a header */
	assert_false(parse_exact(b, 3, &e));
	assert_int_equal(e.problems, EDID_ERR_HEADER | EDID_ERR_SHORT);
	assert_false(edid_parse(NULL, 0, &e));
	assert_int_equal(e.problems, EDID_ERR_EMPTY);
}

static void test_bad_vendor_and_version(void **state)
{
	struct blob x = load("dell-u2720q");
	struct edid_info e;

	(void)state;
	x.b[8] = 0x00;		/* letter 0: not A-Z */
	x.b[9] = 0x21;
	fix_checksum(x.b);
	assert_false(parse_exact(x.b, x.len, &e));
	assert_int_equal(e.problems, EDID_ERR_VENDOR);
	assert_false(e.have & EDID_HAVE_VENDOR);
	assert_string_equal(e.vendor, "");
	assert_string_equal(e.name, "DELL U2720Q");

	x.b[8] = 0x90;		/* reserved top bit */
	fix_checksum(x.b);
	assert_false(parse_exact(x.b, x.len, &e));
	assert_int_equal(e.problems, EDID_ERR_VENDOR);
	free(x.b);

	x = load("dell-u2720q");
	x.b[18] = 2;
	fix_checksum(x.b);
	assert_false(parse_exact(x.b, x.len, &e));
	assert_int_equal(e.problems, EDID_ERR_VERSION);
	assert_int_equal(e.version, 2);
	free(x.b);
}

/* ---- hostile descriptors ---- */

static void put_desc(uint8_t *b, int i, uint8_t tag, const uint8_t text[13])
{
	uint8_t *d = desc(b, i);

	memset(d, 0, 5);
	d[3] = tag;
	memcpy(d + 5, text, 13);
}

static void test_hostile_descriptors(void **state)
{
	struct blob x = load("dell-u2720q");
	struct edid_info e;
	/* control bytes, ESC sequence, DEL, high bytes, NUL: no terminator */
	static const uint8_t evil[13] = { 'A', 0x1b, '[', '2', 'J', 0x07, 0x7f,
					  0xc3, 0xa9, 0x00, 'Z', '\r', 'x' };
	static const uint8_t full[13] = "ABCDEFGHIJKLM";	/* 13, no 0x0A */
	static const uint8_t blank[13] = "             ";
	static const uint8_t nulpad[13] = { 'D', 'E', 'L', 'L', 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	static const uint8_t lf0[13] = { 0x0a, 'h', 'i', 'd', 'd', 'e', 'n', ' ', ' ', ' ', ' ', ' ', ' ' };

	(void)state;
	put_desc(x.b, 1, 0xfc, evil);
	put_desc(x.b, 2, 0xff, full);
	put_desc(x.b, 3, 0xfe, blank);
	fix_checksum(x.b);
	assert_true(parse_exact(x.b, x.len, &e));
	assert_string_equal(e.name, "A?[2J?????Z?x");	/* NUL became a ? too */
	assert_int_equal(strlen(e.name), 13);
	for (size_t i = 0; i < strlen(e.name); i++)
		assert_true(e.name[i] >= 0x20 && e.name[i] < 0x7f);
	assert_string_equal(e.serial_str, "ABCDEFGHIJKLM");
	assert_true(e.have & EDID_HAVE_TEXT);
	assert_string_equal(e.text, "");		/* blanks only */

	put_desc(x.b, 1, 0xfc, nulpad);
	put_desc(x.b, 2, 0xff, lf0);
	fix_checksum(x.b);
	assert_true(parse_exact(x.b, x.len, &e));
	assert_string_equal(e.name, "DELL");		/* NUL padding dropped */
	assert_string_equal(e.serial_str, "");		/* ends at once */
	free(x.b);
}

/* A detailed timing (non-zero pixel clock) is not a text descriptor, even
 * if byte 3 looks like a tag; a second 0xFC does not replace the first. */
static void test_descriptor_shapes(void **state)
{
	struct blob x = load("dell-u2720q");
	struct edid_info e;
	static const uint8_t other[13] = "OTHER NAME\n  ";

	(void)state;
	put_desc(x.b, 3, 0xfc, other);
	desc(x.b, 2)[0] = 0x01;		/* the 0xFF descriptor becomes a timing */
	fix_checksum(x.b);
	assert_true(parse_exact(x.b, x.len, &e));
	assert_string_equal(e.name, "DELL U2720Q");
	assert_false(e.have & EDID_HAVE_SERIAL_STR);
	free(x.b);
}

/* Random blobs behind a good header: never a crash, strings bounded and
 * printable.  Deterministic (fixed seed) so a failure reproduces. */
static void test_random_blobs(void **state)
{
	uint8_t b[600];
	unsigned int seed = 12345;

	(void)state;
	for (int round = 0; round < 20000; round++) {
		struct edid_info e;
		size_t len;

		for (size_t i = 0; i < sizeof(b); i++) {
			seed = seed * 1103515245u + 12345u;
			b[i] = (uint8_t)(seed >> 16);
		}
		memcpy(b, "\x00\xff\xff\xff\xff\xff\xff\x00", 8);
		if (round % 3 == 0) {		/* text descriptors */
			for (int d = 0; d < 4; d++)
				memset(desc(b, d), 0, 3);
		}
		if (round % 2 == 0)
			fix_checksum(b);
		len = (size_t)(seed >> 8) % sizeof(b);
		parse_exact(b, len, &e);
		assert_true(strlen(e.name) <= EDID_TEXT_MAX);
		assert_true(strlen(e.serial_str) <= EDID_TEXT_MAX);
		assert_true(strlen(e.text) < EDID_TEXTS_MAX);
		for (const char *p = e.text; *p; p++)
			assert_true(*p >= 0x20 && *p < 0x7f);
		for (const char *p = e.name; *p; p++)
			assert_true(*p >= 0x20 && *p < 0x7f);
		assert_true(e.extensions_present <= e.extensions);
		assert_int_equal(e.valid, e.problems == 0);
	}
}

static void test_fingerprint(void **state)
{
	struct blob a = load("pikvm-v4plus"), b = load("pikvm-v3");

	(void)state;
	assert_int_equal(edid_fingerprint(NULL, 0), 0);
	assert_int_equal(edid_fingerprint(a.b, a.len), edid_fingerprint(a.b, a.len));
	assert_int_not_equal(edid_fingerprint(a.b, a.len), edid_fingerprint(b.b, b.len));
	assert_int_not_equal(edid_fingerprint(a.b, a.len), edid_fingerprint(a.b, a.len - 1));
	free(a.b);
	free(b.b);
}

/* ---- the body fingerprint ---- */

/* edid_body_fingerprint on an exact-size heap copy; "" when it says no
 * fingerprint (and then out must be untouched). */
static void body(const uint8_t *src, size_t len, char out[FINGERPRINT_HEX_LEN])
{
	uint8_t *copy = len ? malloc(len) : NULL;

	if (len)
		memcpy(copy, src, len);
	memset(out, 'X', FINGERPRINT_HEX_LEN);
	if (!edid_body_fingerprint(copy, len, out)) {
		for (int i = 0; i < FINGERPRINT_HEX_LEN; i++)
			assert_int_equal(out[i], 'X');
		out[0] = '\0';
	}
	free(copy);
}

static void assert_body(const char *name, const char *want)
{
	struct blob x = load(name);
	char fp[FINGERPRINT_HEX_LEN];

	body(x.b, x.len, fp);
	assert_string_equal(fp, want);
	free(x.b);
}

/* The same values as kvm_templates.py (and the [list]s of
 * 51-display-structure.rules): the template with a Dell/LG identity
 * imported, and untouched. */
static void test_body_known_values(void **state)
{
	(void)state;
	assert_body("pikvm-v4plus-imported", "2f40927a744c5013");
	assert_body("pikvm-v2-imported", "e6582745ebb3b9cd");
	assert_body("pikvm-v3-imported", "e6582745ebb3b9cd");
	assert_body("jetkvm-imported", "02f83032cd5c782a");
	assert_body("arkkvm-factory", "0489926d7ba17389");
	assert_body("arkkvm-imported", "0489926d7ba17389");
	assert_body("ms2109-factory", "b746ea1d2d8ba3d3");
	assert_body("ms2109-imported", "b746ea1d2d8ba3d3");
	assert_body("nanokvm-pro-factory", "615896fd772054bc");
	assert_body("nanokvm-pro-imported", "615896fd772054bc");
}

/* Is byte i one of those the definition zeroes, in this 2-block EDID with
 * an 0xFF descriptor at 72, 0xFE at 90 and 0xFC at 108? */
static bool blanked(size_t i)
{
	if ((i >= 8 && i <= 17) || i == 126 || i == 127 || i == 255)
		return true;
	for (size_t d = 72; d <= 108; d += 18)
		if (i >= d + 5 && i < d + 18)
			return true;
	return false;
}

/* Every byte, one at a time: a blanked one leaves the fingerprint as it
 * is, any other changes it (or, in the header, removes it).  And the value
 * is fingerprint_hex() of the copy with exactly those bytes zeroed. */
static void test_body_blanks_exactly(void **state)
{
	struct blob x = load("pikvm-v4plus-imported");
	char ref[FINGERPRINT_HEX_LEN], fp[FINGERPRINT_HEX_LEN];
	uint8_t z[256];

	(void)state;
	assert_int_equal(x.len, 256);
	/* The range-limits descriptor at 90 becomes a text descriptor. */
	x.b[93] = 0xfe;
	memcpy(x.b + 95, "Office 3rd fl", 13);
	fix_checksum(x.b);
	body(x.b, x.len, ref);
	assert_int_equal(strlen(ref), 16);
	memcpy(z, x.b, 256);
	for (size_t i = 0; i < 256; i++)
		if (blanked(i))
			z[i] = 0;
	fingerprint_hex(z, sizeof(z), fp);
	assert_string_equal(fp, ref);
	for (size_t i = 0; i < 256; i++) {
		uint8_t keep = x.b[i];

		/* 0x5a: byte 126 (1) stays >= 1, so the extension is still
		 * hashed. */
		x.b[i] ^= 0x5a;
		body(x.b, x.len, fp);
		if (blanked(i))
			assert_string_equal(fp, ref);
		else
			assert_string_not_equal(fp, ref);
		x.b[i] = keep;
	}
	free(x.b);
}

/* Identity imported the kvmd way (vendor, product, serial, name, serial
 * string) and by hand (week, year, a text descriptor): the same body; a
 * timing changed: another. */
static void test_body_identity_and_timing(void **state)
{
	struct blob t = load("pikvm-v4plus-imported");
	char a[FINGERPRINT_HEX_LEN], b[FINGERPRINT_HEX_LEN];

	(void)state;
	body(t.b, t.len, a);
	memcpy(t.b + 8, "\x10\xac\x13\x20\x45\x39\x36\x39\x20\x1e", 10);	/* DEL 2013 */
	memcpy(t.b + 113, "DELL D2721H\n ", 13);
	memcpy(t.b + 77, "3S5GQ23\n     ", 13);
	fix_checksum(t.b);
	body(t.b, t.len, b);
	assert_string_equal(a, b);
	t.b[56] ^= 0x01;		/* first detailed timing: pixel clock */
	fix_checksum(t.b);
	body(t.b, t.len, b);
	assert_string_not_equal(a, b);
	t.b[56] ^= 0x01;
	t.b[128 + 4] ^= 0x01;		/* a CTA data block byte */
	body(t.b, t.len, b);
	assert_string_not_equal(a, b);
	free(t.b);
}

static void test_body_hostile(void **state)
{
	struct blob x = load("pikvm-v4plus-imported"), j = from_hex(jetkvm_hex);
	char a[FINGERPRINT_HEX_LEN], b[FINGERPRINT_HEX_LEN];
	uint8_t *big;

	(void)state;
	/* No EDID: nothing, every short length, a wrong header. */
	body(NULL, 0, a);
	assert_string_equal(a, "");
	for (size_t n = 0; n < EDID_BLOCK; n++) {
		body(x.b, n, a);
		assert_string_equal(a, "");
	}
	x.b[0] = 0x01;
	body(x.b, x.len, a);
	assert_string_equal(a, "");
	x.b[0] = 0x00;

	/* Byte 126 announcing more blocks than there are: the blocks present
	 * are hashed, as the kernel keeps them (it drops the rest and lowers
	 * the count).  JetKVM's default is such an EDID. */
	body(j.b, j.len, a);
	assert_string_equal(a, "02f83032cd5c782a");
	j.b[126] = 0;
	fix_checksum(j.b);
	body(j.b, j.len, b);
	assert_string_equal(a, b);
	body(x.b, x.len, a);
	x.b[126] = 255;
	body(x.b, x.len, b);
	assert_string_equal(a, b);
	/* An incomplete extension block is not hashed; fewer blocks
	 * announced than present: only those. */
	body(x.b, x.len - 1, b);
	assert_string_not_equal(a, b);
	x.b[126] = 0;
	body(x.b, EDID_BLOCK, a);
	body(x.b, x.len, b);
	assert_string_equal(a, b);

	/* More than 256 blocks of bytes: hashed up to EDID_MAX_SIZE only. */
	big = calloc(1, EDID_MAX_SIZE + 2 * EDID_BLOCK);
	assert_non_null(big);
	memcpy(big, x.b, EDID_BLOCK);
	big[126] = 255;
	body(big, EDID_MAX_SIZE + 2 * EDID_BLOCK, a);
	body(big, EDID_MAX_SIZE, b);
	assert_string_equal(a, b);
	assert_int_equal(strlen(a), 16);
	free(big);
	free(x.b);
	free(j.b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pikvm_v4plus),
		cmocka_unit_test(test_other_kvms),
		cmocka_unit_test(test_jetkvm_published),
		cmocka_unit_test(test_panel_text),
		cmocka_unit_test(test_bad_checksum),
		cmocka_unit_test(test_truncated_every_length),
		cmocka_unit_test(test_extension_count),
		cmocka_unit_test(test_all_zero_all_ff),
		cmocka_unit_test(test_bad_vendor_and_version),
		cmocka_unit_test(test_hostile_descriptors),
		cmocka_unit_test(test_descriptor_shapes),
		cmocka_unit_test(test_random_blobs),
		cmocka_unit_test(test_fingerprint),
		cmocka_unit_test(test_body_known_values),
		cmocka_unit_test(test_body_blanks_exactly),
		cmocka_unit_test(test_body_identity_and_timing),
		cmocka_unit_test(test_body_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
