/*
 * known.c - the oldest entry of a known-object table (known.h): the
 * victim of the collectors' one overflow policy.  A linear scan: the
 * tables hold tens to hundreds of entries and overflow only under a flood.
 */
#include <string.h>

#include "known.h"

size_t known_oldest(const void *table, size_t n, size_t size, size_t seq_offset)
{
	const unsigned char *base = table;
	size_t old = 0;
	uint64_t best, seq;

	memcpy(&best, base + seq_offset, sizeof(best));
	for (size_t i = 1; i < n; i++) {
		memcpy(&seq, base + i * size + seq_offset, sizeof(seq));
		if (seq < best) {
			best = seq;
			old = i;
		}
	}
	return old;
}
