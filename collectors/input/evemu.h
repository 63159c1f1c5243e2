/* SPDX-License-Identifier: Apache-2.0 */
/*
 * evemu.h - a bounded, streaming reader of evemu-record text files
 * (evemu-tools), for `farmhound --input FILE` and the tests.
 *
 * The format, as written and read by freedesktop/evemu src/evemu.c
 * @86a5627 (evemu_write / evemu_read / evemu_read_event):
 *   # EVEMU 1.3              comments start with '#'
 *   N: <name>                device name
 *   I: bbbb vvvv pppp rrrr   bus, vendor, product, version, hex
 *   P: xx xx xx xx xx xx xx xx          8 bytes of the property mask; each
 *                                       further P: line is the next 8 bytes
 *   B: tt xx xx xx xx xx xx xx xx       event type, then 8 bytes of its code
 *                                       mask; the next B: of a type continues
 *   A: cc min max fuzz flat [res]       absolute axis info, code in hex
 *   L: cc state / S: cc state           LED and switch states
 *   E: sec.usec tttt cccc value         one event: type and code hex, value
 *                                       decimal, then usually "\t# comment"
 * One device per file.  The events carry the recording's own timestamps;
 * they are passed to the frame (frame.h), which turns them into samples.
 *
 * Every line is hostile: a line over EVEMU_LINE_MAX bytes, a number out of
 * range, a malformed line, an event whose time goes backwards, a header
 * line after the events began: each is skipped and counted, never fatal.
 * Memory is the struct itself, whatever the file holds.
 */
#ifndef FARMHOUND_INPUT_EVEMU_H
#define FARMHOUND_INPUT_EVEMU_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "frame.h"

/* evemu writes event lines of about 70 bytes and a name of at most 256
 * (evdev's limit); 1 KiB leaves room for long comments. */
#define EVEMU_LINE_MAX	1024

struct evemu_stats {
	uint64_t lines;		/* lines seen, skipped ones included */
	uint64_t events;	/* E: lines accepted */
	uint64_t samples;	/* samples handed on */
	uint64_t long_lines;	/* over EVEMU_LINE_MAX: skipped */
	uint64_t malformed;	/* bad syntax or a number out of range */
	uint64_t backwards;	/* E: earlier than the one before: skipped */
	uint64_t late_header;	/* N:/I:/P:/B:/A: after the first E: skipped */
	uint64_t unknown;	/* no known prefix */
};

struct evemu_reader {
	struct input_frame frame;	/* frame.dev: name, ids, classes */
	struct evemu_stats stats;
	char line[EVEMU_LINE_MAX];
	size_t len;
	int overlong;			/* the current line is being skipped */
	int in_events;			/* an E: line was accepted */
	int have_name, have_id;
	uint64_t last_us;
	uint8_t mbytes[INPUT_EV_CNT];	/* B: bytes seen per type (evemu's mbytes) */
	uint8_t pbytes;			/* P: bytes seen */
	input_sample_fn fn;
	void *ctx;
};

/* Start reading; fn (may be NULL) gets every sample. */
void evemu_init(struct evemu_reader *r, input_sample_fn fn, void *ctx);
/* Feed the next len bytes (any split: lines may straddle calls). */
void evemu_feed(struct evemu_reader *r, const void *data, size_t len);
/* End of input: the last line, if it had no newline. */
void evemu_finish(struct evemu_reader *r);
/* Read a whole stream (feed + finish); -errno on a read error. */
int evemu_read_stream(struct evemu_reader *r, FILE *in);
/* The latest event time accepted (the recording's end). */
uint64_t evemu_last_us(const struct evemu_reader *r);

#endif
