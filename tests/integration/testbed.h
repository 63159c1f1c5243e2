/* SPDX-License-Identifier: Apache-2.0 */
/*
 * testbed.h - the part the umockdev testbed helpers (uevent.c, usbflood.c)
 * share: run the program under test as a child inside the testbed, write
 * its pid for the test script, and serve one-line commands from a control
 * fifo until it exits.
 *
 * Why the helper stays the parent: umockdev's testbed lives in this
 * process (its uevent socket, its sysfs tree), so uevents can only be sent
 * from here, while the daemon must be a plain child the script can signal.
 */
#ifndef FARMHOUND_TESTBED_H
#define FARMHOUND_TESTBED_H

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define TESTBED_LINE_MAX 8192

/* The child's status as a shell would report it. */
static inline int testbed_exit_status(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}

/* Runs argv[0] with argv, writes its pid to pidfile, and hands every line
 * written to the fifo to run(); returns the child's exit status, 2 if it
 * could not be started. */
static inline int testbed_serve(const char *fifo_path, const char *pidfile,
				char **argv, void (*run)(char *line))
{
	char buf[TESTBED_LINE_MAX], *nl;
	size_t have = 0;
	FILE *pidf;
	pid_t child;
	int fifo, status;

	/* O_RDWR: a writer too, so the fifo never reads EOF between two
	 * commands of the test script. */
	fifo = open(fifo_path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fifo < 0) {
		perror(fifo_path);
		return 2;
	}
	child = fork();
	if (child < 0) {
		perror("fork");
		return 2;
	}
	if (child == 0) {
		execvp(argv[0], argv);
		perror(argv[0]);
		_exit(127);
	}
	pidf = fopen(pidfile, "w");
	if (pidf) {
		fprintf(pidf, "%d\n", (int)child);
		fclose(pidf);
	}
	for (;;) {
		struct pollfd pfd = { .fd = fifo, .events = POLLIN };
		ssize_t n;

		if (waitpid(child, &status, WNOHANG) == child)
			break;
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		n = read(fifo, buf + have, sizeof(buf) - 1 - have);
		if (n <= 0)
			continue;
		have += (size_t)n;
		buf[have] = '\0';
		while ((nl = strchr(buf, '\n'))) {
			*nl = '\0';
			run(buf);
			have -= (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, have + 1);
		}
		if (have == sizeof(buf) - 1)
			have = 0;	/* an endless line: drop it */
	}
	close(fifo);
	return testbed_exit_status(status);
}

#endif
