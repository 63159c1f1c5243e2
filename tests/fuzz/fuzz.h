/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz.h - helpers shared by the libFuzzer targets (tests/fuzz/fuzz_*.c).
 *
 * Every target defines LLVMFuzzerTestOneInput over one pure parser.  The
 * same file is linked two ways: with clang's libFuzzer for `make fuzz`, and
 * with tests/fuzz/replay.c (a plain main, any compiler) so `make test`
 * replays the seed corpora and regression inputs on every run.
 *
 * Parsers that take (buf, len) get libFuzzer's exact-size buffer, so a read
 * one byte past the end is an AddressSanitizer report.  Parsers that read a
 * file (rules, config) get a memfd reached through /proc/self/fd/N: no
 * temporary files, nothing left behind, and the real read path is used.
 */
#ifndef FARMHOUND_FUZZ_H
#define FARMHOUND_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property a parser promised did not hold: crash loudly, so libFuzzer
 * saves the input (abort() is caught like any sanitizer report). */
#define FUZZ_CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
		abort(); \
	} \
} while (0)

/* A NUL-terminated copy of the input for the APIs that take C strings;
 * free() it.  NULL only when out of memory. */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s) {
		memcpy(s, data, size);
		s[size] = '\0';
	}
	return s;
}

/* Write the input to an anonymous memory file; its fd (close it) and the
 * path that opens it, or -1. */
static inline int fuzz_memfd(const uint8_t *data, size_t size, char *path, size_t pathlen)
{
	int fd = memfd_create("fuzz", MFD_CLOEXEC);

	if (fd < 0)
		return -1;
	for (size_t off = 0; off < size;) {
		ssize_t n = write(fd, data + off, size - off);

		if (n <= 0) {
			close(fd);
			return -1;
		}
		off += (size_t)n;
	}
	snprintf(path, pathlen, "/proc/self/fd/%d", fd);
	return fd;
}

/* Is [p, p + n) inside [base, base + size)? */
static inline int fuzz_within(const uint8_t *base, size_t size, const uint8_t *p, size_t n)
{
	return p >= base && n <= size && (size_t)(p - base) <= size - n;
}

/* Is s a NUL-terminated string inside its buffer of cap bytes? */
#define FUZZ_TERMINATED(s) FUZZ_CHECK(memchr((s), '\0', sizeof(s)) != NULL)

#endif
