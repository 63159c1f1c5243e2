/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jiggler.c - pointer motion with nothing else happening, on a schedule.
 *
 * An episode is the motion of one pointing device since the last key,
 * button, wheel or other activity (on it, or on another device through
 * jiggler_activity()).  Moves closer than burst_gap are one burst.  An
 * episode is a jiggler, reported once, when for at least min_span it is
 * either
 *   bursts:     >= min_bursts bursts whose start times are regular (CV of
 *               the intervals <= max_cv), whose moves alternate or cancel
 *               out, and are small or of constant size; or
 *   continuous: >= cont_min_moves moves at regular intervals (CV <=
 *               max_cv), small or of constant size, reversing direction
 *               >= cont_min_reversals times and cancelling out (a circle).
 *
 * The schedules it must catch (sources in the fixture generator,
 * tests/fixtures/input/gen.py):
 *   PiKVM (pikvm/kvmd @f14596e kvmd/plugins/hid/__init__.py, systask and
 *     __roll_interval): after a random 45-75 s (60 +-25 %) with no input,
 *     11 absolute moves 100 ms apart to x+100, x-100 ... and back to x in
 *     its -32768..32767 space, or 10 relative moves (+10,+10)/(-10,-10);
 *   JetKVM (jetkvm/kvm jiggler.go @0526999): each minute plus a random
 *     delay up to 25 % of it, one relative move of 1-3 counts per axis,
 *     random signs;
 *   NanoKVM-USB (sipeed/NanoKVM-USB browser/src/libs/mouse-jiggler/
 *     index.ts @1afc28a): every 15 s of idle (a 3 s timer), (+10,+10)
 *     then (-10,-10);
 *   a mechanical jiggler turning the real mouse: unit steps at constant
 *     speed, arcs, >= 10 reversals (detectmyjiggler/Detect_My_Jiggler
 *     detection_constants.h @634dbf9: SPEED_CV_THRESHOLD 0.15,
 *     MIN_REVERSALS 10, unit-step deltas of the wheel jigglers).
 *
 * Thresholds (jiggler_config_default) and why:
 *   min_span 5 min: a jiggler exists to keep a session from idling, and
 *     5 min is GNOME's default idle delay (org.gnome.desktop.session
 *     idle-delay 300 s); it also holds >= 5 bursts of the 45-75 s schedules.
 *   burst_gap 1 s: jiggle moves are 0.1 s apart (PiKVM) or back to back
 *     (NanoKVM); bursts are >= 15 s apart: a decade either side.
 *   min_bursts 5: four intervals, the fewest the CV bound below is made for.
 *   max_cv 0.30: the widest documented schedule is PiKVM's: a whole
 *     number of seconds in 45..75 after its own last move, checked once a
 *     second, so 46-78 s between burst starts; any sample of >= 4 of them
 *     has a CV of at most 0.298 (half at each end).  JetKVM's minute plus
 *     U(0, 15 s) gives intervals triangular on 45-75 s (CV 0.10),
 *     NanoKVM's 15 s tick about 0.  A person's spontaneous nudges come at
 *     irregular times (CV near 1: 1.13 on the fixture's reading spell).
 *   small_step 4 counts: JetKVM moves <= 3 per axis, mechanical 1.
 *   small_span_pm 5 permille: PiKVM's absolute +-100 of 65536 is 1.5 %o.
 *   cancel_ratio 0.2 (|net| / path), or alternating (reversals >= a
 *     quarter of the moves): KVM jiggles return where they started or flip
 *     direction every move (JetKVM's random signs about every other move
 *     per axis); a person's motion goes somewhere.
 *   const_cv 0.15: Detect_My_Jiggler's constant-speed bound (CV < 15 %).
 *   cont_min_moves 100, cont_min_reversals 10: Detect_My_Jiggler's >= 10
 *     reversals, over enough moves for the interval CV to mean something.
 *
 * Memory: a ring of JIGGLER_RING burst start times and running statistics;
 * evaluation is O(JIGGLER_RING) per burst and at most once a second for
 * the continuous case.
 */
#include <string.h>

#include "jiggler.h"

void jiggler_config_default(struct jiggler_config *c)
{
	*c = (struct jiggler_config){
		.min_span_us = 300u * 1000000u,
		.burst_gap_us = 1000000u,
		.min_bursts = 5,
		.max_cv = 0.30,
		.small_step = 4,
		.small_span_pm = 5,
		.cancel_ratio = 0.2,
		.const_cv = 0.15,
		.cont_min_moves = 100,
		.cont_min_reversals = 10,
	};
}

static void reset(struct jiggler *j)
{
	struct jiggler_config c = j->cfg;

	memset(j, 0, sizeof(*j));
	j->cfg = c;
}

void jiggler_init(struct jiggler *j, const struct jiggler_config *c)
{
	memset(j, 0, sizeof(*j));
	if (c)
		j->cfg = *c;
	else
		jiggler_config_default(&j->cfg);
}

void jiggler_activity(struct jiggler *j, uint64_t t_us)
{
	(void)t_us;
	reset(j);
}

/* The i-th newest burst (0: the current one). */
static struct jiggler_burst *newest(struct jiggler *j, uint32_t i)
{
	return &j->ring[(j->head + JIGGLER_RING - 1 - i) % JIGGLER_RING];
}

/* The bursts judged together: the fewest newest ones spanning min_span,
 * at least min_bursts of them; summed into *w.  Their start intervals go
 * to *iv.  False when the kept bursts do not span min_span yet. */
static bool window(struct jiggler *j, struct jiggler_burst *w, struct run_stats *iv,
		   uint32_t *nbursts)
{
	uint64_t now = newest(j, 0)->start;
	uint32_t k = 0;

	while (k < j->nring && (k + 1 < j->cfg.min_bursts ||
				now - newest(j, k)->start < j->cfg.min_span_us))
		k++;
	if (k >= j->nring)
		return false;
	memset(w, 0, sizeof(*w));
	memset(iv, 0, sizeof(*iv));
	w->start = newest(j, k)->start;
	w->end = newest(j, 0)->end;
	for (uint32_t i = k + 1; i-- > 0;) {
		const struct jiggler_burst *b = newest(j, i);

		if (i < k)
			run_stats_add(iv, (double)(b->start - newest(j, i + 1)->start));
		w->moves += b->moves;
		w->reversals += b->reversals;
		w->backs += b->backs;
		w->max_step = b->max_step > w->max_step ? b->max_step : w->max_step;
		w->max_span_pm = b->max_span_pm > w->max_span_pm ? b->max_span_pm : w->max_span_pm;
		w->net_x += b->net_x;
		w->net_y += b->net_y;
		w->path += b->path;
		w->step_sum += b->step_sum;
		w->step_sq += b->step_sq;
	}
	*nbursts = k + 1;
	return true;
}

static double net_ratio(const struct jiggler *j, const struct jiggler_burst *b)
{
	double net;

	if (j->absolute)	/* positions are not known here: share not returning */
		return b->moves ? 1.0 - (double)b->backs / (double)b->moves : 1.0;
	net = (double)(b->net_x < 0 ? -b->net_x : b->net_x) +
	      (double)(b->net_y < 0 ? -b->net_y : b->net_y);
	return b->path > 0 ? net / b->path : 1.0;
}

static double step_mean(const struct jiggler_burst *b)
{
	return b->moves ? b->step_sum / b->moves : 0;
}

static double step_cv(const struct jiggler_burst *b)
{
	double m = step_mean(b), var;

	if (b->moves < 2 || m <= 0)
		return 0;
	var = (b->step_sq - b->step_sum * m) / (b->moves - 1);
	return var > 0 ? input_sqrt(var) / m : 0;
}

static bool small_or_constant(const struct jiggler *j, const struct jiggler_burst *b)
{
	bool small = j->absolute ? b->max_span_pm <= j->cfg.small_span_pm
				 : b->max_step <= j->cfg.small_step;

	return small || step_cv(b) <= j->cfg.const_cv;
}

static void report(struct jiggler *j, const char *pattern, const struct jiggler_burst *b,
		   uint32_t bursts, const struct run_stats *iv, input_finding_fn fn, void *ctx)
{
	struct input_finding f = {
		.detector = "jiggler", .pattern = pattern,
		.start_us = b->start, .end_us = j->last_us,
		.count = b->moves, .bursts = bursts,
		.period_ms = iv->mean / 1000.0, .cv = run_stats_cv(iv),
		.step = step_mean(b), .step_cv = step_cv(b),
		.net = net_ratio(j, b), .reversals = b->reversals,
	};

	j->fired = true;
	if (fn)
		fn(ctx, &f);
}

static void judge_bursts(struct jiggler *j, input_finding_fn fn, void *ctx)
{
	struct jiggler_burst w;
	struct run_stats iv;
	uint32_t nb;

	if (j->fired || !window(j, &w, &iv, &nb))
		return;
	if (run_stats_cv(&iv) <= j->cfg.max_cv &&
	    ((uint64_t)w.reversals * 4 >= w.moves || net_ratio(j, &w) <= j->cfg.cancel_ratio) &&
	    small_or_constant(j, &w))
		report(j, "bursts", &w, nb, &iv, fn, ctx);
}

/* The current burst alone: continuous motion for min_span. */
static void judge_continuous(struct jiggler *j, input_finding_fn fn, void *ctx)
{
	const struct jiggler_burst *b = newest(j, 0);

	if (j->fired || !j->nring || b->moves < j->cfg.cont_min_moves ||
	    b->end - b->start < j->cfg.min_span_us)
		return;
	if (run_stats_cv(&j->cur_gap) <= j->cfg.max_cv && small_or_constant(j, b) &&
	    b->reversals >= j->cfg.cont_min_reversals && net_ratio(j, b) <= j->cfg.cancel_ratio)
		report(j, "continuous", b, 1, &j->cur_gap, fn, ctx);
}

static int sign(int32_t v)
{
	return v > 0 ? 1 : v < 0 ? -1 : 0;
}

static void count_reversal(int *last, int32_t v, uint32_t *reversals)
{
	int s = sign(v);

	if (s && *last && s != *last)
		(*reversals)++;
	if (s)
		*last = s;
}

static void add_move(struct jiggler *j, struct jiggler_burst *b, const struct input_sample *s)
{
	b->moves++;
	b->end = s->t_us;
	b->step_sum += (double)s->mag;
	b->step_sq += (double)s->mag * (double)s->mag;
	if (s->mag > b->max_step)
		b->max_step = s->mag;
	if (s->kind == INPUT_ABS_MOVE) {
		j->absolute = true;
		if (s->span_pm > b->max_span_pm)
			b->max_span_pm = s->span_pm;
		if (s->back) {
			b->backs++;
			b->reversals++;
		}
		return;
	}
	count_reversal(&j->sx, s->dx, &b->reversals);
	count_reversal(&j->sy, s->dy, &b->reversals);
	b->net_x += s->dx;
	b->net_y += s->dy;
	b->path += (double)(s->dx < 0 ? -(int64_t)s->dx : s->dx) +
		   (double)(s->dy < 0 ? -(int64_t)s->dy : s->dy);
}

static void on_move(struct jiggler *j, const struct input_sample *s, input_finding_fn fn,
		    void *ctx)
{
	bool new_burst = !j->active || s->t_us - j->last_us >= j->cfg.burst_gap_us;

	if (!j->active) {
		j->active = true;
		j->last_eval_us = s->t_us;
	}
	if (new_burst) {
		memset(&j->ring[j->head], 0, sizeof(j->ring[0]));
		j->ring[j->head].start = s->t_us;
		j->head = (j->head + 1) % JIGGLER_RING;
		if (j->nring < JIGGLER_RING)
			j->nring++;
		memset(&j->cur_gap, 0, sizeof(j->cur_gap));
	} else {
		run_stats_add(&j->cur_gap, (double)(s->t_us - j->last_us));
	}
	j->last_us = s->t_us;
	add_move(j, newest(j, 0), s);
	if (new_burst)
		judge_bursts(j, fn, ctx);
	if (s->t_us - j->last_eval_us >= 1000000u) {
		j->last_eval_us = s->t_us;
		judge_continuous(j, fn, ctx);
	}
}

void jiggler_feed(struct jiggler *j, const struct input_sample *s, input_finding_fn fn, void *ctx)
{
	if (s->kind == INPUT_REL_MOVE || s->kind == INPUT_ABS_MOVE) {
		/* Time never runs back here (the readers drop such events); a
		 * sample that does anyway starts a new episode. */
		if (j->active && s->t_us < j->last_us)
			reset(j);
		on_move(j, s, fn, ctx);
	} else if (s->kind != INPUT_KEY_UP) {
		/* A key going up ends nothing a key going down did not. */
		reset(j);
	}
}

void jiggler_flush(struct jiggler *j, uint64_t t_us, input_finding_fn fn, void *ctx)
{
	/* The recording's motion is judged as it arrives; t_us is for the
	 * live collector's ticks, which end nothing here. */
	(void)t_us;
	if (!j->active)
		return;
	judge_bursts(j, fn, ctx);
	judge_continuous(j, fn, ctx);
}
