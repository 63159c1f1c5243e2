/*
 * known.h - the one overflow policy of the collectors' known-object tables
 * (USB devices, DRM connectors: what was reported, kept to report its
 * removal).
 *
 * The tables are fixed-size arrays.  When one is full and a new object
 * comes, the OLDEST entry (the one reported or refreshed longest ago) is
 * forgotten and counted (stats().evicted), and the new one is tracked:
 * what just appeared is what a removal will most likely be asked about
 * next, and an object nobody tracks would have its removal never reported.
 * A forgotten object's removal is reported from what the uevent carries,
 * or not at all.
 */
#ifndef FARMHOUND_KNOWN_H
#define FARMHOUND_KNOWN_H

#include <stddef.h>
#include <stdint.h>

/* The index of the entry with the smallest age stamp (a uint64_t at
 * seq_offset in each of the n entries of size bytes at table); n > 0. */
size_t known_oldest(const void *table, size_t n, size_t size, size_t seq_offset);

#endif
