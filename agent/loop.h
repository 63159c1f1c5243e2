/* SPDX-License-Identifier: Apache-2.0 */
/*
 * loop.h - the agent proper: load config and rules, run the collectors,
 * evaluate their events and send the alerts out.
 *
 * Two drivers share the same plumbing: loop_daemon() (the epoll loop that
 * runs until SIGTERM) and loop_scan() (one inventory pass, alerts on stdout,
 * then exit).  main.c only parses the command line.
 */
#ifndef FARMHOUND_LOOP_H
#define FARMHOUND_LOOP_H

#include <stdbool.h>

#include "config.h"

struct loop_options {
	const char *config_path;
	const char *rules_dir;
	const char *format;	/* -f: overrides [output] format; NULL: config's */
	const char *rootfs;	/* NULL: "/" */
	const char *procfs;	/* NULL: "/proc" */
	bool explain;		/* --scan/--pcap --explain */
	const char *pcap_file;	/* --pcap */
	const char *input_file;	/* --input: an evemu-record recording */
	/* StrictModes (agent/strict.h) when privileged: the daemon, its
	 * reloads and -t.  --scan/--pcap are an admin's one-off runs. */
	bool strict;
};

/* Load the config (over the defaults) and the rules directory, collecting
 * every problem of both in diags.  0 with *cfg and *rs set, or -EINVAL
 * (or -errno) with nothing to free but *cfg (zeroed or defaults). */
int loop_load(const struct loop_options *o, struct config *cfg,
	      struct ruleset **rs, struct diag_list *diags);

/* Run in the foreground until SIGTERM/SIGINT; the process exit status. */
int loop_daemon(const struct loop_options *o);
/* One inventory pass: 0 nothing fired, 1 an alert fired, 2 error. */
int loop_scan(const struct loop_options *o);
/* --pcap: the net collector over o->pcap_file, same exit codes. */
int loop_pcap(const struct loop_options *o);
/* --input: the input detectors over o->input_file, same exit codes. */
int loop_input(const struct loop_options *o);

#endif
