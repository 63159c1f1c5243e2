/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_evemu.c - evemu-record files (collectors/input/evemu.c), which
 * `farmhound --input FILE` reads from a suspect machine.  The input is fed
 * in two pieces split at a point taken from its first byte, so lines
 * straddling feed calls are exercised.  Checks evemu.h's promises: the name
 * is terminated and printable, every accepted event's time is not before
 * the one before, every sample has a valid kind and its time is the time
 * of an accepted event, counts add up (every line is counted once, skipped
 * lines no more than lines), and a key-up's hold time never exceeds the
 * recording's span.
 */
#include "collectors/input/evemu.h"
#include "fuzz.h"

struct seen {
	const struct evemu_reader *r;
	uint64_t last_t, samples;
};

static void on_sample(void *ctx, const struct input_sample *s)
{
	struct seen *w = ctx;

	FUZZ_CHECK((unsigned int)s->kind < INPUT_KIND_COUNT);
	FUZZ_CHECK(s->t_us >= w->last_t);
	FUZZ_CHECK(s->t_us == evemu_last_us(w->r));
	FUZZ_CHECK(s->kind == INPUT_KEY_UP || s->hold_us == 0);
	FUZZ_CHECK(s->hold_us <= s->t_us);
	FUZZ_CHECK(s->kind == INPUT_REL_MOVE || (s->dx == 0 && s->dy == 0));
	w->last_t = s->t_us;
	w->samples++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct evemu_reader r;	/* 30 KiB: not on the stack */
	struct seen w = { &r, 0, 0 };
	size_t cut = size ? data[0] % (size + 1) : 0;
	const struct evemu_stats *st = &r.stats;
	size_t n;

	evemu_init(&r, on_sample, &w);
	evemu_feed(&r, data, cut);
	evemu_feed(&r, data + cut, size - cut);
	evemu_finish(&r);
	n = strnlen(r.frame.dev.name, sizeof(r.frame.dev.name));
	FUZZ_CHECK(n < sizeof(r.frame.dev.name));
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(r.frame.dev.name[i] >= 0x20 && r.frame.dev.name[i] < 0x7f);
	FUZZ_CHECK(w.samples == st->samples);
	FUZZ_CHECK(st->events + st->long_lines + st->malformed + st->backwards +
		   st->late_header + st->unknown <= st->lines);
	FUZZ_CHECK(st->lines <= size + 1);
	return 0;
}
