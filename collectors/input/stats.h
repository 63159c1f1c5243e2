/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stats.h - running mean and spread (Welford's method) in constant memory,
 * for the input detectors: a detector keeps a few of these per device,
 * never the samples themselves.  Header-only, no libm (the agent does not
 * link it): the square root is Newton's iteration.
 */
#ifndef FARMHOUND_INPUT_STATS_H
#define FARMHOUND_INPUT_STATS_H

#include <stdint.h>

struct run_stats {
	uint64_t n;
	double mean, m2;
};

static inline void run_stats_add(struct run_stats *s, double x)
{
	double d = x - s->mean;

	s->n++;
	s->mean += d / (double)s->n;
	s->m2 += d * (x - s->mean);
}

static inline double input_sqrt(double x)
{
	double r = x > 1 ? x : 1;

	if (!(x > 0))
		return 0;
	for (int i = 0; i < 64; i++) {
		double next = 0.5 * (r + x / r);

		if (next == r)
			break;
		r = next;
	}
	return r;
}

/* Sample standard deviation (n - 1); 0 below two values. */
static inline double run_stats_sd(const struct run_stats *s)
{
	return s->n > 1 && s->m2 > 0 ? input_sqrt(s->m2 / (double)(s->n - 1)) : 0;
}

/* Coefficient of variation, sd / mean; 0 when the mean is 0. */
static inline double run_stats_cv(const struct run_stats *s)
{
	return s->mean > 0 ? run_stats_sd(s) / s->mean : 0;
}

#endif
