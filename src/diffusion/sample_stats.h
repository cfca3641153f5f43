/* sample_stats.h - statistics of an ensemble of samples: sorting, the
 * sample CRPS and type-7 quantiles. Their definitions are the ones the
 * scores use (eval/metrics.h: "CRPS (sample)" and "Quantiles"); the trainer
 * scores its validation CRPS with them. */
#ifndef TS_SAMPLE_STATS_H
#define TS_SAMPLE_STATS_H

/* Sort ascending in place (NaNs last). */
void ts_sort_floats(float *v, int n);

/* Sample CRPS (eval/metrics.h). ts_crps_sorted wants the samples sorted
 * ascending and is O(n); ts_crps_samples sorts a copy. NaN when n < 1. */
double ts_crps_sorted(const float *sorted, int n, double y);
double ts_crps_samples(const float *samples, int n, double y);

/* The q-quantile of sorted samples, type 7; q outside [0, 1] is clamped.
 * NaN when n < 1. */
double ts_quantile(const float *sorted, int n, double q);

#endif
