/* series.h - the series set: what the CSV reader hands to everything else.
 *
 * Every series of a set lies on one regular time grid (the set's frequency):
 * point j of series s is at ts_time_add(set->freq, s->start, j). Missing
 * values (gaps on the grid, empty or NA cells) are NaN. A set read from a file
 * without a time column has has_time = 0 and indexes points 0..len-1.
 */
#ifndef TS_SERIES_H
#define TS_SERIES_H

#include <stddef.h>
#include <stdint.h>

#include "io/error.h"

typedef enum {
    TS_FREQ_NONE = 0,  /* unknown: no time column */
    TS_FREQ_SECOND,
    TS_FREQ_MINUTE,
    TS_FREQ_HOUR,
    TS_FREQ_DAY,
    TS_FREQ_WEEK,
    TS_FREQ_MONTH,
    TS_FREQ_QUARTER,
    TS_FREQ_YEAR,
    TS_FREQ_BDAY,      /* business days: Monday to Friday, Friday + 1 = Monday */
} ts_freq_unit;        /* model files store the number: new units go last */

typedef struct ts_freq {
    ts_freq_unit unit;
    int mult;          /* e.g. 15 with TS_FREQ_MINUTE for "15min"; >= 1 */
} ts_freq;

typedef struct ts_series {
    char *name;        /* header of a wide column, or the ids joined by '/' */
    int64_t start;     /* timestamp of point 0, seconds since the epoch, UTC */
    size_t len;
    float *values;     /* len values, NaN where missing */
    size_t cov_len;    /* covariate points from start (>= len when the future
                          is known; 0 when the set has no covariates) */
    float *cov;        /* [set->n_cov][cov_len]: covariate k at point j is
                          cov[k * cov_len + j]; NaN where missing; for a
                          categorical covariate the index of its level */
} ts_series;

/* A covariate column of a set: its name and, when categorical, the levels
 * its cells hold (in order of first appearance). */
typedef struct ts_covariate {
    char *name;
    int n_levels;      /* 0: numeric */
    char **levels;
} ts_covariate;

typedef struct ts_series_set {
    ts_series *series; /* n series, owned */
    size_t n;
    ts_freq freq;
    int has_time;      /* 0: no time column, points are indexed 0..len-1 */
    ts_freq *freqs;    /* [n] each series' own grid, owned: a mixed corpus of
                          several frequencies (tsdiff pretrain); NULL: every
                          series is on freq */
    char *source;      /* the path it was read from, owned (may be NULL) */
    int n_cov;         /* covariate columns (csv.h: --covariate, --categorical) */
    ts_covariate *cov; /* [n_cov], owned */
} ts_series_set;

void ts_series_set_free(ts_series_set *set);

/* Timestamp k steps after t on the grid f (k may be negative). Months,
 * quarters and years step the calendar (day of month clamped; the last day
 * of a month steps to the last day of the target month, so month-end series
 * stay on their grid). Business days skip Saturdays and Sundays (a weekend t
 * counts as the Friday before). TS_FREQ_NONE steps by 1 (point indexes). */
int64_t ts_time_add(ts_freq f, int64_t t, long k);

/* Format t as ISO 8601 for the grid f: "2024-03-01" for daily and coarser,
 * "2024-03-01 13:00:00" for finer (and for daily and coarser points that are
 * not at midnight); the plain index for TS_FREQ_NONE. Returns buf. */
char *ts_time_format(ts_freq f, int64_t t, char *buf, size_t size);

/* Parse "15min", "H", "hourly", "D", "daily", "B", "W", "M", "Q", "Y", ...
 * Returns 0 or TS_EUSAGE. */
int ts_freq_parse(const char *s, ts_freq *out, ts_error *err);

/* "15min", "hourly", "B", ... for messages and info. */
const char *ts_freq_name(ts_freq f, char *buf, size_t size);

/* The seasonal periods the frequency implies, in steps (e.g. daily: 7 and
 * 365.25; business days: 5 and 365.25 * 5/7; hourly: 24 and 168). Writes
 * at most max periods; returns count. */
int ts_freq_periods(ts_freq f, double *periods, int max);

/* The main season for seasonal-naive and MASE (daily 7, business days 5,
 * hourly 24, monthly 12, quarterly 4, weekly 52, else 1). */
int ts_freq_season(ts_freq f);

/* One series as the window filler sees it (data/window.h): values[0 .. len)
 * on the window spec's grid, NaN where missing (NaN is the mask), values[0]
 * at timestamp `start` (its index when the grid has no time). The values
 * may be a forecast's path: history followed by the horizon drawn so far.
 * level is the scale floor of the whole series (ts_window_level), which a
 * piece of a series cannot compute itself. The network's covariate inputs
 * (data/covariates.h: one row per input, a categorical column one-hot) sit
 * in cov[k * cov_len + i]: view point j is covariate point i = cov_first +
 * j, known when 0 <= i < cov_len and not NaN; they may run past len (the
 * future is known). n_cov = 0: none. freq and has_time are the view's
 * grid when it knows it (freq.mult >= 1: views of a set, whose series may
 * each have their own, see ts_series_set.freqs), else freq.mult = 0 and
 * the window spec's grid applies. The view owns nothing. */
typedef struct ts_series_view {
    const float *values;
    long len;
    int64_t start;
    double level;
    int n_cov;
    long cov_len;
    const float *cov;
    long cov_first;
    ts_freq freq;
    int has_time;
} ts_series_view;

/* The view of series s of set, whose level the caller has (computed once
 * per series: ts_window_level). */
ts_series_view ts_series_view_at(const ts_series_set *set, size_t s, double level);

/* The grid of series s of set: its own in a mixed corpus, else the set's. */
ts_freq ts_series_freq(const ts_series_set *set, size_t s);

/* The view of points from .. to - 1 of v (0 <= from <= to <= v->len), its
 * start moved to point `from` on v's grid (v must know its grid). */
ts_series_view ts_series_view_slice(const ts_series_view *v, long from, long to);

/* Summary of one series: observed and missing counts, and min, mean and
 * max of the observed values (NaN when none is observed). */
typedef struct ts_series_stats {
    size_t n_obs, n_missing;
    double min, mean, max;
} ts_series_stats;

/* Fill *st. Returns 0, or -1 if the series has no observed value. */
int ts_series_stats_of(const ts_series *s, ts_series_stats *st);

#endif
