/* baseline.h - the reference forecasters every backtest reports next to
 * tsdiff: naive (the last value) and seasonal naive (the value one season
 * back), with Gaussian prediction intervals from their in-sample residuals:
 *
 *   naive:           sd_h = s * sqrt(h),             s^2 = mean (y_t - y_{t-1})^2
 *   seasonal naive:  sd_h = s * sqrt(floor((h-1)/m) + 1), s^2 = mean (y_t - y_{t-m})^2
 *
 * (Hyndman & Athanasopoulos, Forecasting: Principles and Practice, 5.5).
 * Missing history values are skipped: the point is the last observed value
 * at the same phase.
 */
#ifndef TS_BASELINE_H
#define TS_BASELINE_H

#include <stddef.h>

typedef enum { TS_BASE_NAIVE = 0, TS_BASE_SNAIVE = 1 } ts_baseline_kind;

/* Forecast steps 1..H after y[0..n): point[H] and quantiles qv[H * nq] at
 * levels q. m is the season (seasonal naive; 1 makes it naive). Returns 0,
 * or -1 when y has no observed value. */
int ts_baseline_forecast(ts_baseline_kind k, int m, const float *y, size_t n, int H,
                         const double *q, int nq, float *point, float *qv);

/* The standard normal quantile function (Acklam's rational approximation,
 * refined by one Halley step; |error| < 1e-9). */
double ts_norm_ppf(double p);

#endif
