/* SPDX-License-Identifier: Apache-2.0 */
/*
 * collector.c - the plumbing every collector shares (collector.h): its
 * state's allocation, handing events to the loop, and the rescan clock
 * with the deadlines next_tick() reports.
 *
 * Deadlines are CLOCK_MONOTONIC milliseconds with 0 meaning "none", the
 * way each collector keeps them in its state (calloc()ed: nothing
 * scheduled); next_tick() speaks UINT64_MAX for "none", and
 * collector_ms_until() is where one becomes the other.
 */
#include <errno.h>
#include <stdlib.h>

#include "collector.h"

int collector_state_new(const struct collector_ctx *ctx, size_t size, void **state)
{
	struct collector_ctx *st;

	if (!ctx || !state)
		return -EINVAL;
	*state = NULL;
	st = calloc(1, size);
	if (!st)
		return -ENOMEM;
	*st = *ctx;
	*state = st;
	return 0;
}

void collector_emit(const struct collector_ctx *ctx, struct event *ev)
{
	if (!ev)
		return;
	if (ctx->emit)
		ctx->emit(ctx->opaque, ev);
	else
		event_free(ev);
}

void collector_rescan_arm(struct collector_rescan *r, uint64_t interval_ms, uint64_t now_ms)
{
	r->interval_ms = interval_ms;
	r->next_ms = interval_ms ? now_ms + interval_ms : 0;
}

bool collector_rescan_due(struct collector_rescan *r, uint64_t now_ms)
{
	if (!r->next_ms || now_ms < r->next_ms)
		return false;
	r->next_ms = r->interval_ms ? now_ms + r->interval_ms : 0;
	return true;
}

void collector_rescan_soon(struct collector_rescan *r, uint64_t at_ms)
{
	r->next_ms = collector_earlier(r->next_ms, at_ms);
}

uint64_t collector_earlier(uint64_t a_ms, uint64_t b_ms)
{
	if (!a_ms)
		return b_ms;
	if (!b_ms)
		return a_ms;
	return a_ms < b_ms ? a_ms : b_ms;
}

uint64_t collector_ms_until(uint64_t due_ms, uint64_t now_ms)
{
	if (!due_ms)
		return UINT64_MAX;
	return due_ms > now_ms ? due_ms - now_ms : 0;
}
