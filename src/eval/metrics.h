/* metrics.h - forecast accuracy scores for the backtests.
 *
 * Notation: y is the true value at one forecast point (one series, one step
 * of the horizon), f the forecast median, q_a the forecast's a-quantile.
 * Points whose truth is missing (NaN) are skipped everywhere. Sums run over
 * the scored points; "mean" is over the scored points.
 *
 * CRPS (sample)   For an ensemble x_1..x_n, with the plain 1/n^2 form
 *                 (the "non-fair" estimator, as in properscoring):
 *                     CRPS = (1/n) sum_i |x_i - y| - 1/(2n^2) sum_i,j |x_i - x_j|
 *                 computed exactly in O(n) on sorted samples using
 *                     sum_i,j |x_i - x_j| = 2 sum_k (2k - n + 1) x_(k),  k = 0..n-1.
 *                 Its expectation exceeds the CRPS of the distribution the
 *                 samples come from by E|X - X'|/(2n) (0.56 s/n for N(mu, s^2)).
 *                 Reported: the mean over points.
 * wQL (normalised CRPS, as GluonTS's mean_wQuantileLoss and the diffusion
 *                 forecasting papers report it): for each level a,
 *                     wQL_a = 2 sum pinball_a(q_a, y) / sum |y|
 *                 pooled over all series and steps, then the mean over the
 *                 levels: 9 levels 0.1, 0.2, ..., 0.9 (wql9) and 19 levels
 *                 0.05, 0.10, ..., 0.95 (wql19). For a point forecast (all
 *                 quantiles equal f) both equal ND.
 * pinball         pinball_a(q, y) = a (y - q) if y >= q, else (1 - a)(q - y).
 * ND              sum |f - y| / sum |y|.
 * MASE            mean |f - y| / scale, where scale is the series' in-sample
 *                 seasonal MAE (ts_seasonal_scale) over its training part.
 * sMAPE (M4)      mean 200 |y - f| / (|y| + |f|), a 0/0 term counted as 0.
 *                 In percent, 0..200.
 * MSIS (M4, 95 %) mean of [(U - L) + (2/0.05)(L - y) 1{y < L}
 *                 + (2/0.05)(y - U) 1{y > U}] / scale, with L = q_0.025 and
 *                 U = q_0.975.
 * coverage        the fraction of points with L <= y <= U for the central
 *                 50 % (q_0.25, q_0.75), 80 % (q_0.1, q_0.9) and 95 %
 *                 (q_0.025, q_0.975) intervals.
 * Quantiles of an ensemble use linear interpolation between order
 * statistics (Hyndman & Fan type 7, numpy's default "linear"):
 *     h = (n - 1) a,  q_a = x_(floor h) + (h - floor h)(x_(floor h + 1) - x_(floor h)).
 *
 * MASE and MSIS skip points whose scale is not positive and finite (a
 * constant training series); n_scaled counts the points they used. Pooled
 * values (one accumulator over many series) are means over all points: for
 * backtests where every series has the same horizon and no missing truth
 * this equals the mean of the per-series values, as M4 reports them.
 * A score whose denominator is zero (no point, sum |y| = 0) is NaN.
 */
#ifndef TS_METRICS_H
#define TS_METRICS_H

#include <stddef.h>

#include "diffusion/sample_stats.h"  /* sorting, the sample CRPS, quantiles */

/* The quantile levels the accumulator scores: 0.025, 0.05, 0.10, ...,
 * 0.95 (steps of 0.05), 0.975. */
#define TS_METRIC_NQ 21
extern const double ts_metric_levels[TS_METRIC_NQ];

double ts_pinball(double qhat, double y, double q);

/* Mean |y_t - y_{t-m}| over the pairs where both are observed. Falls back to
 * m = 1 when there is no such pair at lag m (a series shorter than a
 * season); m < 1 means 1. Returns 0 when there is no pair at all or the
 * series is constant: the accumulator then leaves MASE and MSIS out. */
double ts_seasonal_scale(const float *y, size_t n, int m);

/* Sums for the scores above. Add one forecast point at a time; keep one
 * accumulator per series (reset with ts_metric_acc_init) and merge it into
 * a pooled one, or add every point to both. */
typedef struct ts_metric_acc {
    long n;                        /* points scored (truth observed) */
    long n_crps;                   /* of which had samples */
    long n_scaled;                 /* of which had a usable scale */
    double crps;                   /* sum of sample CRPS */
    double abs_y;                  /* sum |y| */
    double abs_err;                /* sum |f - y| */
    double smape;                  /* sum 200 |y - f| / (|y| + |f|) */
    double mase;                   /* sum |f - y| / scale */
    double msis;                   /* sum interval score / scale */
    double ql[TS_METRIC_NQ];       /* sum 2 pinball at ts_metric_levels */
    long covered[3];               /* inside the 50, 80, 95 % interval */
} ts_metric_acc;

typedef struct ts_metric_result {
    long n, n_crps, n_scaled;
    double crps;                   /* NaN unless points came with samples */
    double wql9, wql19, nd, mase, smape, msis;
    double cov50, cov80, cov95;
} ts_metric_result;

void ts_metric_acc_init(ts_metric_acc *a);

/* One point forecast by samples sorted ascending (ts_sort_floats), n >= 1.
 * scale: the series' ts_seasonal_scale. */
void ts_metric_acc_add(ts_metric_acc *a, const float *sorted, int n, double y,
                       double scale);

/* One point forecast by its quantiles qv[TS_METRIC_NQ] at ts_metric_levels
 * (the median is qv[10]); for forecasters without samples (the baselines).
 * Every score but the sample CRPS. */
void ts_metric_acc_add_point(ts_metric_acc *a, const float *qv, double y, double scale);

/* into += from. */
void ts_metric_acc_merge(ts_metric_acc *into, const ts_metric_acc *from);

void ts_metric_acc_result(const ts_metric_acc *a, ts_metric_result *r);

#endif
