/* SPDX-License-Identifier: Apache-2.0 */
/*
 * crashme.c - a program that crashes on purpose, to test the test harness.
 *
 *   crashme self     crash in this program's own code (SIGSEGV)
 *   crashme abort    abort() (SIGABRT), as a sanitizer report or assert does
 *   crashme library  crash inside a library function (strverscmp() of an
 *                    unmapped, non-NULL address in libc: the sanitizers
 *                    neither intercept it nor flag the argument):
 *                    the harness must name the library, not this program,
 *                    as the crash site, as it must tell a crash in
 *                    umockdev's preload library from one in farmhound
 *
 * Before crashing it starts a second thread that waits forever, so the
 * harness's "backtrace of every thread" has two threads to show: the
 * suite tests/integration/harness_crash.sh asserts that both appear, with
 * the functions named below.
 *
 * Never part of a passing run: every call crashes.  A suite that ran it and
 * passed would be a harness that misses crashes.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static pthread_barrier_t started;

static void *crashme_bystander(void *arg)
{
	(void)arg;
	pthread_barrier_wait(&started);
	for (;;)
		pause();
	return NULL;
}

/* noinline: the names must survive -O2 to be found in the backtrace. */
static __attribute__((noinline)) void crashme_in_own_code(volatile int *p)
{
	*p = 42;
}

static __attribute__((noinline)) int crashme_in_library(const char *s)
{
	return strverscmp(s, "1.0");
}

int main(int argc, char **argv)
{
	pthread_t t;
	const char *mode = argc > 1 ? argv[1] : "self";
	volatile int *nowhere = NULL;
	/* Not NULL: UBSan would report a NULL argument of a nonnull
	 * function at the call, in this program's code. */
	const char *volatile nostring = (const char *)16;

	pthread_barrier_init(&started, NULL, 2);
	if (pthread_create(&t, NULL, crashme_bystander, NULL) != 0)
		return 2;
	pthread_barrier_wait(&started);
	if (strcmp(mode, "abort") == 0)
		abort();
	if (strcmp(mode, "library") == 0)
		printf("%d\n", crashme_in_library(nostring));
	else
		crashme_in_own_code(nowhere);
	return 0;
}
