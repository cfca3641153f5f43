/* forecast_out.h - what a forecast becomes for the user: the quantile CSV,
 * the long-format samples CSV and the fan chart. All files are atomic, and
 * a forecast with a value that is not finite is TS_EINTERNAL before any file
 * is created (ts_forecast_check). */
#ifndef TS_FORECAST_OUT_H
#define TS_FORECAST_OUT_H

#include <stdio.h>

#include "data/series.h"
#include "diffusion/forecast.h"

#define TS_MAX_QUANTILES 64

/* Parse "0.05,0.1,0.5" into q (ascending, each in (0, 1)). Returns count or
 * sets err (TS_EUSAGE). */
int ts_quantiles_parse(const char *s, double *q, int max, int *nq, ts_error *err);

/* Mean and quantiles of every (series, step) of f: mean[n * horizon],
 * qv[(n * horizon) * nq], row-major by series then step. Quantiles are
 * monotone in q. */
void ts_forecast_summary(const ts_forecast *f, const double *q, int nq, float *mean, float *qv);

/* The timestamp (or step number) of forecast step h of series s from origin. */
void ts_forecast_time(const ts_series_set *set, size_t s, long origin, int h, char *buf,
                      size_t size);

/* Write a CSV field, quoted when it holds a comma, quote or newline. */
void ts_csv_field(FILE *f, const char *s);

/* series,timestamp,mean,q0.05,... one row per series and step. */
int ts_forecast_write_csv(const char *path, const ts_forecast *f, const ts_series_set *set,
                          const long *origin, const double *q, int nq, ts_error *err);

/* series,step,sample,value: every sample path (step 1..horizon). */
int ts_forecast_write_samples(const char *path, const ts_forecast *f, const ts_series_set *set,
                              ts_error *err);

/* Fan chart of f with the last n_hist points of history (and the truth after
 * the origin when it is in the set, for backtests); with_cov: one row per
 * covariate column of the set under each panel, its values over the same
 * points (a categorical column: its level's number, 0 for the first). */
int ts_forecast_plot(const char *path, const ts_forecast *f, const ts_series_set *set,
                     const long *origin, int n_hist, int with_cov, ts_error *err);

#endif
