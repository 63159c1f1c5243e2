/* SPDX-License-Identifier: Apache-2.0 */
/*
 * input_testbed.h - run the input detectors over a fixture recording
 * (tests/fixtures/input/NAME.evemu, written by gen.py there), read through
 * the evemu reader as `farmhound --input` will: each sample goes to the
 * jiggler, injected_typing and pointer_teleport detectors of the device,
 * and the findings are collected.  Run from the top of the tree.
 */
#ifndef FARMHOUND_INPUT_TESTBED_H
#define FARMHOUND_INPUT_TESTBED_H

#include <stdio.h>
#include <string.h>

#include "collectors/input/evemu.h"
#include "collectors/input/jiggler.h"
#include "collectors/input/teleport.h"
#include "collectors/input/typing.h"

#define INPUT_FIXTURES "tests/fixtures/input/"
#define TB_MAX 32

struct testbed {
	struct evemu_reader rd;
	struct jiggler jig;
	struct typing typ;
	struct teleport tel;
	int started;
	struct input_finding f[TB_MAX];
	size_t n;
};

static void tb_finding(void *ctx, const struct input_finding *f)
{
	struct testbed *tb = ctx;

	if (tb->n < TB_MAX)
		tb->f[tb->n++] = *f;
}

static void tb_sample(void *ctx, const struct input_sample *s)
{
	struct testbed *tb = ctx;

	/* The device's class is known once its header is read. */
	if (!tb->started) {
		teleport_init(&tb->tel, NULL, tb->rd.frame.dev.classes);
		tb->started = 1;
	}
	jiggler_feed(&tb->jig, s, tb_finding, tb);
	typing_feed(&tb->typ, s, tb_finding, tb);
	teleport_feed(&tb->tel, s, tb_finding, tb);
}

/* Read a fixture; 0 or -errno.  tb is large: make it static. */
static int tb_run(struct testbed *tb, const char *name)
{
	char path[256];
	FILE *in;
	int rc;

	memset(tb, 0, sizeof(*tb));
	jiggler_init(&tb->jig, NULL);
	typing_init(&tb->typ, NULL);
	evemu_init(&tb->rd, tb_sample, tb);
	snprintf(path, sizeof(path), INPUT_FIXTURES "%s.evemu", name);
	in = fopen(path, "r");
	if (!in)
		return -1;
	rc = evemu_read_stream(&tb->rd, in);
	fclose(in);
	jiggler_flush(&tb->jig, evemu_last_us(&tb->rd), tb_finding, tb);
	typing_flush(&tb->typ, UINT64_MAX, tb_finding, tb);
	teleport_flush(&tb->tel, UINT64_MAX, tb_finding, tb);
	return rc;
}

/* Findings of one detector. */
static size_t tb_count(const struct testbed *tb, const char *detector)
{
	size_t n = 0;

	for (size_t i = 0; i < tb->n; i++)
		n += strcmp(tb->f[i].detector, detector) == 0;
	return n;
}

static const struct input_finding *tb_first(const struct testbed *tb, const char *detector)
{
	for (size_t i = 0; i < tb->n; i++)
		if (strcmp(tb->f[i].detector, detector) == 0)
			return &tb->f[i];
	return NULL;
}

/* Every fixture gen.py writes. */
static const char *const tb_fixtures[] = {
	"pikvm-rel", "pikvm-abs", "jetkvm", "nanokvm-usb", "mechanical", "paste-0ms",
	"paste-20ms", "badusb", "typist-fast", "typist-average", "mouse", "touchpad",
	"video", "gamepad", "clicker", "screen-reader", "autorepeat", "teleport-agent",
	"touchscreen",
};

#define TB_NFIXTURES (sizeof(tb_fixtures) / sizeof(tb_fixtures[0]))

#endif
