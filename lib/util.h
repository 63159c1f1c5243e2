/* SPDX-License-Identifier: Apache-2.0 */
/*
 * util.h - small helpers shared by the agent, the collectors and the rules:
 * parsing durations and booleans, bounded string copies and file reads,
 * the monotonic clock.
 *
 * lib/ is the lowest layer (collectors/README.md, "Layout"): code with no policy of its
 * own, which every layer above may use and which includes nothing from
 * collectors/, rules/ or agent/.
 */
#ifndef FARMHOUND_UTIL_H
#define FARMHOUND_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "500ms", "30s", "10m", "1h", "2d", or a bare number of seconds.
 * 0 or -EINVAL; the result is in milliseconds. */
int duration_parse(const char *s, uint64_t *ms);
/* yes/no/true/false/on/off/1/0; 0 or -EINVAL. */
int bool_parse(const char *s, bool *out);
/* Copy at most len-1 bytes and NUL-terminate; returns strlen(src). */
size_t strlcpy_fh(char *dst, const char *src, size_t len);
/* Trim ASCII whitespace at both ends, in place; returns s. */
char *strstrip(char *s);
/* Read a whole small file (sysfs attribute, /proc entry) into a fresh
 * buffer, at most max bytes; *len gets the size.  0 or -errno. */
int read_file_bounded(const char *path, size_t max, char **out, size_t *len);
/* CLOCK_MONOTONIC in milliseconds. */
uint64_t now_monotonic_ms(void);

#endif
