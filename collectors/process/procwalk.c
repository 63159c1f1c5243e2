/* SPDX-License-Identifier: Apache-2.0 */
/*
 * procwalk.c - the skeleton of the /proc walkers (procwalk.h): set-up,
 * the periodic walk, the process directories.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/util.h"
#include "procfs.h"
#include "procwalk.h"

_Static_assert(offsetof(struct procwalk, ctx) == 0, "collector.h: ctx first");

int procwalk_new(const struct collector_ctx *ctx, size_t size, procwalk_fn *walk, void **state)
{
	struct procwalk *pw;
	int r = collector_state_new(ctx, size, state);

	if (r < 0)
		return r;
	pw = *state;
	pw->walk = walk;
	if (snprintf(pw->procfs, sizeof(pw->procfs), "%s", ctx->procfs ? ctx->procfs : "/proc") >=
	    (int)sizeof(pw->procfs)) {
		free(pw);
		*state = NULL;
		return -ENAMETOOLONG;
	}
	if (ctx->mode == COLLECTOR_DAEMON)
		collector_rescan_arm(&pw->rescan, ctx->config ? ctx->config->rescan_ms
							  : PROCWALK_RESCAN_DEFAULT_MS,
				     now_monotonic_ms());
	return 0;
}

int procwalk_on_tick(void *state, uint64_t now_ms)
{
	struct procwalk *pw = state;

	if (!pw)
		return -EINVAL;
	return collector_rescan_due(&pw->rescan, now_ms) ? pw->walk(pw, EVENT_ACTION_ADD) : 0;
}

uint64_t procwalk_next_tick(void *state, uint64_t now_ms)
{
	struct procwalk *pw = state;

	return pw ? collector_ms_until(pw->rescan.next_ms, now_ms) : UINT64_MAX;
}

void procwalk_stats(const struct procwalk *pw, struct collector_stats *out)
{
	*out = (struct collector_stats){ 0 };
	if (pw)
		out->skipped = pw->skipped;
}

int procwalk_pids(const char *procfs, bool (*visit)(void *opaque, int32_t pid), void *opaque)
{
	struct dirent *de;
	DIR *d = opendir(procfs);

	if (!d)
		return -errno;
	while ((de = readdir(d)) != NULL) {
		int32_t pid;

		if (procfs_pid_name(de->d_name, &pid) && !visit(opaque, pid))
			break;
	}
	closedir(d);
	return 0;
}
