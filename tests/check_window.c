/* check_window.c - windows, scaling, channels and the training index
 * (src/data/window.h) on series sets built by hand. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "data/window.h"
#include "testutil.h"

#define T_2024_01_01 1704067200LL  /* a Monday, 00:00 UTC */
#define TWO_PI 6.283185307179586

static const ts_freq DAILY = { TS_FREQ_DAY, 1 };
static const ts_freq HOURLY = { TS_FREQ_HOUR, 1 };

/* A set of n series with room for len values each, all NaN. */
static ts_series_set *make_set(size_t n, const size_t *len, ts_freq f, int has_time)
{
    ts_series_set *set = calloc(1, sizeof *set);
    set->series = calloc(n, sizeof *set->series);
    set->n = n;
    set->freq = f;
    set->has_time = has_time;
    for (size_t s = 0; s < n; s++) {
        set->series[s].start = T_2024_01_01;
        set->series[s].len = len[s];
        set->series[s].values = malloc((len[s] ? len[s] : 1) * sizeof(float));
        for (size_t j = 0; j < len[s]; j++) set->series[s].values[j] = NAN;
    }
    return set;
}

/* Fill the window of series s of set at origin through its view, with the
 * level given, or that of the whole series. */
static int fill_set_level(const ts_window_spec *w, const ts_series_set *set, size_t s, long o,
                          double level, float *in, float *x0, float *mask, float *scale)
{
    ts_series_view v = ts_series_view_at(set, s, level);
    ts_window_norm norm;
    int ok = ts_window_fill(w, &v, o, in, x0, mask, &norm);
    *scale = norm.scale;
    return ok;
}

static int fill_set(const ts_window_spec *w, const ts_series_set *set, size_t s, long o,
                    float *in, float *x0, float *mask, float *scale)
{
    return fill_set_level(w, set, s, o, ts_window_level(&set->series[s]), in, x0, mask, scale);
}

static void free_set(ts_series_set *set)
{
    for (size_t s = 0; s < set->n; s++) free(set->series[s].values);
    free(set->series);
    free(set);
}

/* Channel c at position p of a filled window. */
#define AT(in, w, c, p) ((in)[(size_t)(c) * (w).length + (p)])

/* Daily from 2024-01-01, x_j = j + 1, missing at 10 and 15. With C = 14,
 * H = 7, levels 3: P = 3, L = 24; the window at origin 21 has its context at
 * j = 7 .. 20 (p = 3 .. 16) and its future at j = 21 .. 27 (p = 17 .. 23);
 * position p holds j = p + 4. */
static ts_series_set *ramp_set(void)
{
    size_t len = 40;
    ts_series_set *set = make_set(1, &len, DAILY, 1);
    for (size_t j = 0; j < len; j++) set->series[0].values[j] = (float)(j + 1);
    set->series[0].values[10] = NAN;
    set->series[0].values[15] = NAN;
    return set;
}

START_TEST(test_spec_layout)
{
    ts_series_set *set = ramp_set();
    ts_window_spec w;
    ts_error err = { 0 };
    ck_assert_int_eq(ts_window_spec_init(&w, set, 14, 7, 3, &err), 0);
    ck_assert_int_eq(w.pad, 3);
    ck_assert_int_eq(w.length, 24);
    ck_assert_int_eq(w.n_periods, 2);
    ck_assert_double_eq_tol(w.periods[0], 7, 1e-12);
    ck_assert_double_eq_tol(w.periods[1], 365.25, 1e-12);
    ck_assert_int_eq(w.season, 7);
    ck_assert_int_eq(w.n_lags, 1);  /* 365 does not fit a context of 14 */
    ck_assert_int_eq(w.lags[0], 7);
    ck_assert_int_eq(ts_window_channels(&w), 3 + 4 + 1 + 1);
    ck_assert_int_eq(ts_window_lag_channel(&w), 7);
    ck_assert_int_eq(ts_window_log_scale_channel(&w), 8);
    char buf[32];
    ck_assert_str_eq(ts_window_channel_name(&w, 0, buf, sizeof buf), "noisy");
    ck_assert_str_eq(ts_window_channel_name(&w, 1, buf, sizeof buf), "history");
    ck_assert_str_eq(ts_window_channel_name(&w, 2, buf, sizeof buf), "mask");
    ck_assert_str_eq(ts_window_channel_name(&w, 3, buf, sizeof buf), "sin 7");
    ck_assert_str_eq(ts_window_channel_name(&w, 6, buf, sizeof buf), "cos 365.25");
    ck_assert_str_eq(ts_window_channel_name(&w, 7, buf, sizeof buf), "lag 7");
    ck_assert_str_eq(ts_window_channel_name(&w, 8, buf, sizeof buf), "log scale");
    /* the table itself: kinds and parameters in the layout's order */
    static const ts_chan_kind kinds[] = {TS_CHAN_NOISY, TS_CHAN_HISTORY, TS_CHAN_MASK,
                                         TS_CHAN_SIN, TS_CHAN_COS, TS_CHAN_SIN, TS_CHAN_COS,
                                         TS_CHAN_LAG, TS_CHAN_LOG_SCALE};
    static const double params[] = {0, 0, 0, 7, 7, 365.25, 365.25, 7, 0};
    for (int c = 0; c < 9; c++) {
        ck_assert_int_eq(w.chan[c].kind, kinds[c]);
        ck_assert_double_eq(w.chan[c].param, params[c]);
    }

    /* levels 1: no padding; a long context takes the yearly lag too */
    ck_assert_int_eq(ts_window_spec_init(&w, set, 400, 30, 1, &err), 0);
    ck_assert_int_eq(w.pad, 0);
    ck_assert_int_eq(w.length, 430);
    ck_assert_int_eq(w.n_lags, 2);
    ck_assert_int_eq(w.lags[1], 365);

    /* hourly: day and week lags once the context holds a week */
    ck_assert_int_eq(ts_window_spec_make(&w, HOURLY, 1, 200, 24, 4, &err), 0);
    ck_assert_int_eq(w.length % 8, 0);
    ck_assert_int_eq(w.n_lags, 2);
    ck_assert_int_eq(w.lags[0], 24);
    ck_assert_int_eq(w.lags[1], 168);

    /* every other day: periods 3.5 and 182.625 are no whole lags */
    ck_assert_int_eq(ts_window_spec_make(&w, (ts_freq){ TS_FREQ_DAY, 2 }, 1, 400, 10, 1, &err), 0);
    ck_assert_int_eq(w.n_periods, 2);
    ck_assert_int_eq(w.n_lags, 0);

    /* no time column, no frequency: history, mask, noisy, log scale */
    ts_freq none = { TS_FREQ_NONE, 1 };
    ck_assert_int_eq(ts_window_spec_make(&w, none, 0, 10, 5, 2, &err), 0);
    ck_assert_int_eq(w.channels, 4);
    ck_assert_int_eq(w.n_lags, 0);

    ck_assert_int_eq(ts_window_spec_init(&w, set, 0, 7, 3, &err), TS_EUSAGE);
    ck_assert_int_eq(ts_window_spec_init(&w, set, 14, 0, 3, &err), TS_EUSAGE);
    ck_assert_int_eq(ts_window_spec_init(&w, set, 14, 7, 0, &err), TS_EUSAGE);
    ck_assert_int_eq(ts_window_spec_init(&w, set, 14, 7, 40, &err), TS_EUSAGE);
    ck_assert_int_eq(err.code, TS_EUSAGE);
    free_set(set);
}
END_TEST

START_TEST(test_fill_channels)
{
    ts_series_set *set = ramp_set();
    ts_window_spec w;
    ck_assert_int_eq(ts_window_spec_init(&w, set, 14, 7, 3, NULL), 0);
    float *in = malloc((size_t)w.channels * w.length * sizeof *in);
    float x0[7], mask[7], scale;
    ck_assert_int_eq(fill_set(&w, set, 0, 21, in, x0, mask, &scale), 1);

    /* scale: mean of 8 .. 21 without 11 and 16 */
    double sc = (203.0 - 11 - 16) / 12;
    ck_assert_double_eq_tol(scale, sc, 1e-5);

    for (int p = 0; p < w.length; p++) ck_assert_float_eq(AT(in, w, TS_CH_NOISY, p), 0);
    for (int p = 0; p < 3; p++) {  /* padding */
        ck_assert_float_eq(AT(in, w, TS_CH_HISTORY, p), 0);
        ck_assert_float_eq(AT(in, w, TS_CH_MASK, p), 0);
        ck_assert_float_eq(AT(in, w, 7, p), 0);
    }
    ck_assert_double_eq_tol(AT(in, w, TS_CH_HISTORY, 3), 8 / sc, 1e-6);   /* j = 7 */
    ck_assert_float_eq(AT(in, w, TS_CH_MASK, 3), 1);
    ck_assert_double_eq_tol(AT(in, w, TS_CH_HISTORY, 16), 21 / sc, 1e-6);  /* j = 20 */
    ck_assert_float_eq(AT(in, w, TS_CH_HISTORY, 6), 0);  /* j = 10: missing, not filled */
    ck_assert_float_eq(AT(in, w, TS_CH_MASK, 6), 0);
    ck_assert_float_eq(AT(in, w, TS_CH_HISTORY, 11), 0);  /* j = 15 */
    ck_assert_float_eq(AT(in, w, TS_CH_MASK, 11), 0);
    int observed = 0;
    for (int p = 0; p < w.length; p++) observed += AT(in, w, TS_CH_MASK, p) == 1;
    ck_assert_int_eq(observed, 12);
    for (int p = 17; p < 24; p++) {  /* the future: no history, no mask */
        ck_assert_float_eq(AT(in, w, TS_CH_HISTORY, p), 0);
        ck_assert_float_eq(AT(in, w, TS_CH_MASK, p), 0);
    }
    for (int h = 0; h < 7; h++) {
        ck_assert_double_eq_tol(x0[h], (22 + h) / sc, 1e-6);
        ck_assert_float_eq(mask[h], 1);
    }

    /* calendar: p = 3 is 2024-01-08, a Monday, day 7 of a leap year */
    ck_assert_double_eq_tol(AT(in, w, 3, 3), 0, 1e-6);
    ck_assert_double_eq_tol(AT(in, w, 4, 3), 1, 1e-6);
    ck_assert_double_eq_tol(AT(in, w, 3, 5), sin(TWO_PI * 2 / 7), 1e-6);  /* Wednesday */
    ck_assert_double_eq_tol(AT(in, w, 4, 5), cos(TWO_PI * 2 / 7), 1e-6);
    ck_assert_double_eq_tol(AT(in, w, 3, 17), 0, 1e-6);  /* 2024-01-22, Monday */
    ck_assert_double_eq_tol(AT(in, w, 4, 17), 1, 1e-6);
    ck_assert_double_eq_tol(AT(in, w, 3, 0), sin(TWO_PI * 4 / 7), 1e-6);  /* padding: Friday */
    ck_assert_double_eq_tol(AT(in, w, 5, 3), sin(TWO_PI * 7 / 366), 1e-6);
    ck_assert_double_eq_tol(AT(in, w, 6, 3), cos(TWO_PI * 7 / 366), 1e-6);

    /* lag 7 on the future: the seasonal-naive value */
    ck_assert_double_eq_tol(AT(in, w, 7, 17), 15 / sc, 1e-6);  /* j = 21 <- x[14] */
    ck_assert_double_eq_tol(AT(in, w, 7, 18), 9 / sc, 1e-6);   /* j = 22: x[15] missing <- x[8] */
    ck_assert_double_eq_tol(AT(in, w, 7, 23), 21 / sc, 1e-6);  /* j = 27 <- x[20] */
    /* lag 7 on the context: one season back, inside the context */
    ck_assert_double_eq_tol(AT(in, w, 7, 10), 8 / sc, 1e-6);   /* j = 14 <- x[7] */
    ck_assert_float_eq(AT(in, w, 7, 3), 0);   /* j = 7: x[0] is before the context */
    ck_assert_float_eq(AT(in, w, 7, 13), 0);  /* j = 17: x[10] missing, x[3] outside */

    for (int p = 0; p < w.length; p++)
        ck_assert_double_eq_tol(AT(in, w, 8, p), log(sc), 1e-5);

    float back[7];
    memcpy(back, x0, sizeof back);
    ts_window_unscale(back, 7, (ts_window_norm){scale, 0});
    for (int h = 0; h < 7; h++) ck_assert_double_eq_tol(back[h], 22 + h, 1e-4);
    free(in);

    /* a horizon longer than the season: the lag never reads the future */
    ck_assert_int_eq(ts_window_spec_init(&w, set, 14, 10, 1, NULL), 0);
    in = malloc((size_t)w.channels * w.length * sizeof *in);
    ck_assert_int_eq(fill_set(&w, set, 0, 21, in, NULL, NULL, &scale), 1);
    ck_assert_double_eq_tol(AT(in, w, 7, 14 + 7), 15 / sc, 1e-6);  /* j = 28 <- x[14] */
    ck_assert_double_eq_tol(AT(in, w, 7, 14 + 8), 9 / sc, 1e-6);   /* j = 29 <- x[8] */
    ck_assert_double_eq_tol(AT(in, w, 7, 14 + 9), 17 / sc, 1e-6);  /* j = 30 <- x[16] */
    free(in);
    free_set(set);
}
END_TEST

/* Residual targets: x0 = gain * (x / scale - lag-7 channel on the future),
 * gain = sqrt(scale / mean |x_j - x_{j-7}| over the context's pairs); untarget
 * turns them back into scaled values. A spec without lags stays plain. */
START_TEST(test_residual_targets)
{
    ts_series_set *set = ramp_set();
    ts_window_spec w;
    ck_assert_int_eq(ts_window_spec_init(&w, set, 14, 7, 3, NULL), 0);
    int plain = w.channels;
    ck_assert_int_eq(ts_window_gain_channel(&w), -1);
    ck_assert_int_eq(ts_window_set_residual(&w, 1), 1);
    ck_assert_int_eq(w.channels, plain + 1);
    ck_assert_int_eq(ts_window_gain_channel(&w), plain);
    ck_assert_int_eq(ts_window_log_scale_channel(&w), plain - 1);
    char buf[32];
    ck_assert_str_eq(ts_window_channel_name(&w, plain, buf, sizeof buf), "log gain");
    ck_assert_int_eq(w.chan[plain].kind, TS_CHAN_LOG_GAIN);
    ck_assert_int_eq(ts_window_set_residual(&w, 0), 0);   /* and back: the table rebuilt */
    ck_assert_int_eq(w.channels, plain);
    ck_assert_int_eq(ts_window_set_residual(&w, 1), 1);
    float *in = malloc((size_t)w.channels * w.length * sizeof *in);
    float x0[7], mask[7], scale;
    set->series[0].values[24] = NAN;  /* j = 24 (h = 3): masked, target 0 */
    ck_assert_int_eq(fill_set(&w, set, 0, 21, in, x0, mask, &scale), 1);
    double sc = (203.0 - 11 - 16) / 12;
    /* context j = 7 .. 20 without 10 and 15: the pairs (j, j - 7) inside it
     * are j = 14, 16, 18, 19, 20 (15 and 17 miss a point), each 7 apart */
    double gain = sqrt(sc / 7);
    ck_assert_double_eq_tol(AT(in, w, plain, 0), log(gain), 1e-5);
    ck_assert_double_eq_tol(AT(in, w, plain, 23), log(gain), 1e-5);
    ck_assert_double_eq_tol(x0[0], gain * (22 - 15) / sc, 1e-5);   /* j = 21 <- x[14] */
    ck_assert_double_eq_tol(x0[1], gain * (23 - 9) / sc, 1e-5);    /* x[15] missing <- x[8] */
    ck_assert_float_eq(x0[3], 0);
    ck_assert_float_eq(mask[3], 0);
    float back[7];
    memcpy(back, x0, sizeof back);
    ts_window_untarget(&w, in, back);
    ts_window_unscale(back, 7, (ts_window_norm){scale, 0});
    for (int h = 0; h < 7; h++)
        if (h != 3) ck_assert_double_eq_tol(back[h], 22 + h, 1e-3);

    /* a periodic context: the gain is capped at 1000 (r at 1e-6) */
    for (int j = 0; j < 40; j++) set->series[0].values[j] = (float)(1 + j % 7);
    ck_assert_int_eq(fill_set(&w, set, 0, 21, in, x0, mask, &scale), 1);
    ck_assert_double_eq_tol(AT(in, w, plain, 5), log(1000.0), 1e-4);
    for (int h = 0; h < 7; h++) ck_assert_double_eq_tol(x0[h], 0, 1e-3);
    free(in);

    /* no lag (context shorter than the season): residual stays off */
    ck_assert_int_eq(ts_window_spec_init(&w, set, 5, 7, 1, NULL), 0);
    ck_assert_int_eq(w.n_lags, 0);
    ck_assert_int_eq(ts_window_set_residual(&w, 1), 0);
    ck_assert_int_eq(ts_window_gain_channel(&w), -1);
    free_set(set);
}
END_TEST

START_TEST(test_fill_forecast_and_gaps)
{
    ts_series_set *set = ramp_set();
    ts_window_spec w;
    ck_assert_int_eq(ts_window_spec_init(&w, set, 14, 7, 3, NULL), 0);
    float *in = malloc((size_t)w.channels * w.length * sizeof *in);
    float x0[7], mask[7], scale;

    /* origin == len: a true forecast; the future is unknown */
    ck_assert_int_eq(fill_set(&w, set, 0, 40, in, x0, mask, &scale), 1);
    ck_assert_double_eq_tol(scale, (27.0 + 40) / 2, 1e-4);  /* mean of 27 .. 40 */
    for (int h = 0; h < 7; h++) {
        ck_assert_float_eq(x0[h], 0);
        ck_assert_float_eq(mask[h], 0);
    }
    /* first future day 2024-02-10 is a Saturday; its lag is x[33] = 34 */
    ck_assert_double_eq_tol(AT(in, w, 3, 17), sin(TWO_PI * 5 / 7), 1e-6);
    ck_assert_double_eq_tol(AT(in, w, 7, 17), 34 / scale, 1e-6);
    ck_assert_double_eq_tol(AT(in, w, 7, 23), 40 / scale, 1e-6);

    /* future gaps: masked, zero */
    ck_assert_int_eq(fill_set(&w, set, 0, 12, in, x0, mask, &scale), 1);
    ck_assert_float_eq(x0[3], 0);    /* j = 15 */
    ck_assert_float_eq(mask[3], 0);
    ck_assert_float_eq(mask[2], 1);
    /* context reaching before the start: j < 0 unobserved */
    ck_assert_double_eq_tol(scale, (78.0 - 11) / 11, 1e-5);  /* 1 .. 12 without 11 */
    ck_assert_float_eq(AT(in, w, TS_CH_MASK, 3 + 1), 0);   /* j = -1 */
    ck_assert_float_eq(AT(in, w, TS_CH_MASK, 3 + 2), 1);   /* j = 0 */

    /* no observed context: skipped; NULL targets allowed */
    for (int j = 20; j < 34; j++) set->series[0].values[j] = NAN;
    ck_assert_int_eq(fill_set(&w, set, 0, 34, in, NULL, NULL, &scale), 0);
    ck_assert_int_eq(fill_set(&w, set, 0, 35, in, NULL, NULL, &scale), 1);
    ck_assert_double_eq_tol(scale, 35, 1e-5);
    free(in);
    free_set(set);
}
END_TEST

/* A view of a piece of a series (a forecast path: the context alone, its
 * start moved, the level of the whole series) fills the same window as the
 * whole series at that origin, for a silent context too (the level is the
 * scale). */
START_TEST(test_view_of_piece)
{
    ts_series_set *set = ramp_set();
    ts_window_spec w;
    ck_assert_int_eq(ts_window_spec_init(&w, set, 14, 7, 3, NULL), 0);
    ts_window_set_residual(&w, 1);
    size_t n = (size_t)w.channels * w.length;
    float *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b), sa;
    const ts_series *sr = &set->series[0];
    for (int silent = 0; silent < 2; silent++) {
        if (silent)
            for (int j = 26; j < 40; j++) set->series[0].values[j] = 0;
        double level = ts_window_level(sr);
        ck_assert_int_eq(fill_set(&w, set, 0, 40, a, NULL, NULL, &sa), 1);
        ts_series_view v = {.values = sr->values + 26, .len = 14, .level = level,
                            .start = ts_time_add(set->freq, sr->start, 26)};
        ts_window_norm nb;
        ck_assert_int_eq(ts_window_fill(&w, &v, 14, b, NULL, NULL, &nb), 1);
        ck_assert_float_eq(sa, nb.scale);
        ck_assert_double_eq_tol(sa, silent ? level : (27.0 + 40) / 2, 1e-4);
        for (size_t i = 0; i < n; i++) ck_assert_float_eq(a[i], b[i]);
    }
    free(a);
    free(b);
    free_set(set);
}
END_TEST

START_TEST(test_scale_floor)
{
    size_t len[3] = { 30, 30, 30 };
    ts_series_set *set = make_set(3, len, DAILY, 1);
    for (int j = 0; j < 30; j++) {
        set->series[0].values[j] = j < 20 ? 0 : 10;        /* silent context */
        set->series[1].values[j] = j < 20 ? 1e-6f : 1000;  /* tiny context */
        set->series[2].values[j] = 0;                      /* all zero */
    }
    ts_window_spec w;
    ck_assert_int_eq(ts_window_spec_init(&w, set, 14, 7, 1, NULL), 0);
    float *in = malloc((size_t)w.channels * w.length * sizeof *in);
    float x0[7], mask[7], scale;

    ck_assert_int_eq(fill_set(&w, set, 0, 20, in, x0, mask, &scale), 1);
    ck_assert_double_eq_tol(scale, 100.0 / 30, 1e-5);  /* the series level */
    ck_assert_double_eq_tol(x0[0], 3, 1e-5);
    ck_assert_float_eq(AT(in, w, TS_CH_MASK, 0), 1);   /* zeros are observed */

    ck_assert_int_eq(fill_set(&w, set, 1, 20, in, x0, mask, &scale), 1);
    double level = (20e-6 + 10 * 1000.0) / 30;
    ck_assert_double_eq_tol(scale, 1e-3 * level, 1e-7);
    ck_assert_double_eq_tol(x0[0], 1000 / (1e-3 * level), 1e-2);

    ck_assert_int_eq(fill_set(&w, set, 2, 20, in, x0, mask, &scale), 1);
    ck_assert_float_eq(scale, 1e-8f);
    ck_assert_float_eq(x0[0], 0);

    /* an explicit level: what a forecast passes for a piece of a series */
    ck_assert_double_eq_tol(ts_window_level(&set->series[0]), 100.0 / 30, 1e-12);
    ck_assert_double_eq_tol(ts_window_level(&set->series[2]), 0, 1e-12);
    ck_assert_int_eq(fill_set_level(&w, set, 2, 20, 4.0, in, x0, mask, &scale), 1);
    ck_assert_float_eq(scale, 4);  /* silent context: the level */
    ck_assert_double_eq_tol(AT(in, w, ts_window_log_scale_channel(&w), 0), log(4), 1e-6);
    ck_assert_int_eq(fill_set_level(&w, set, 1, 20, 1e4, in, x0, mask, &scale), 1);
    ck_assert_double_eq_tol(scale, 10, 1e-5);  /* the floor 1e-3 * level */
    ck_assert_double_eq_tol(x0[0], 100, 1e-3);
    free(in);
    free_set(set);
}
END_TEST

START_TEST(test_calendar_hourly_and_index_phase)
{
    size_t len = 100;
    ts_series_set *set = make_set(1, &len, HOURLY, 1);
    for (size_t j = 0; j < len; j++) set->series[0].values[j] = 1;
    ts_window_spec w;
    ck_assert_int_eq(ts_window_spec_init(&w, set, 48, 24, 1, NULL), 0);
    ck_assert_int_eq(w.n_periods, 3);  /* day, week, year */
    ck_assert_double_eq_tol(w.periods[0], 24, 1e-12);
    ck_assert_double_eq_tol(w.periods[1], 168, 1e-12);
    ck_assert_double_eq_tol(w.periods[2], 8766, 1e-9);
    float *in = malloc((size_t)w.channels * w.length * sizeof *in);
    float scale;
    /* origin 54: p = 0 is j = 6, 06:00 on Monday 2024-01-01 */
    ck_assert_int_eq(fill_set(&w, set, 0, 54, in, NULL, NULL, &scale), 1);
    ck_assert_double_eq_tol(AT(in, w, 3, 0), 1, 1e-6);                 /* sin hour 6 / 24 */
    ck_assert_double_eq_tol(AT(in, w, 4, 0), 0, 1e-6);
    ck_assert_double_eq_tol(AT(in, w, 5, 0), sin(TWO_PI * 6 / 168), 1e-6);
    ck_assert_double_eq_tol(AT(in, w, 3, 18), 0, 1e-6);                /* j = 24: midnight */
    ck_assert_double_eq_tol(AT(in, w, 4, 18), 1, 1e-6);
    ck_assert_double_eq_tol(AT(in, w, 5, 18), sin(TWO_PI * 24 / 168), 1e-6);
    /* 2024-01-01 06:00 is 6 hours into a leap year */
    ck_assert_double_eq_tol(AT(in, w, 7, 0), sin(TWO_PI * 6 / (366 * 24)), 1e-6);
    ck_assert_int_eq(ts_window_lag_channel(&w), 9);
    ck_assert_double_eq_tol(AT(in, w, 9, 48), 1, 1e-6);  /* lag 24 on the future */
    free(in);

    /* without timestamps the phase counts points from the series start */
    set->has_time = 0;
    set->freq = DAILY;
    ck_assert_int_eq(ts_window_spec_init(&w, set, 14, 7, 1, NULL), 0);
    in = malloc((size_t)w.channels * w.length * sizeof *in);
    ck_assert_int_eq(fill_set(&w, set, 0, 20, in, NULL, NULL, &scale), 1);
    ck_assert_double_eq_tol(AT(in, w, 3, 0), sin(TWO_PI * 6 / 7), 1e-6);  /* j = 6 */
    ck_assert_double_eq_tol(AT(in, w, 5, 0), sin(TWO_PI * 6 / 365.25), 1e-6);
    ck_assert_double_eq_tol(AT(in, w, 3, 1), 0, 1e-6);                    /* j = 7 */
    free(in);
    free_set(set);
}
END_TEST

/* Business days: the day-of-week phase counts trading days (period 5,
 * Friday 4/5, Monday 0 again), the year is the calendar's, and the main
 * season (the lag channel) is the trading week. */
START_TEST(test_calendar_bday)
{
    size_t len = 60;
    ts_series_set *set = make_set(1, &len, (ts_freq){TS_FREQ_BDAY, 1}, 1);
    for (size_t j = 0; j < len; j++) set->series[0].values[j] = 1;
    ts_window_spec w;
    ck_assert_int_eq(ts_window_spec_init(&w, set, 20, 5, 1, NULL), 0);
    ck_assert_int_eq(w.n_periods, 2);
    ck_assert_double_eq_tol(w.periods[0], 5, 1e-12);
    ck_assert_double_eq_tol(w.periods[1], 365.25 * 5 / 7, 1e-9);
    ck_assert_int_eq(w.season, 5);
    float *in = malloc((size_t)w.channels * w.length * sizeof *in);
    float scale;
    /* origin 25: p = 0 is j = 5, Monday 2024-01-08; p = 4 Friday 01-12;
     * p = 5 Monday 01-15 */
    ck_assert_int_eq(fill_set(&w, set, 0, 25, in, NULL, NULL, &scale), 1);
    ck_assert_double_eq_tol(AT(in, w, 3, 0), 0, 1e-6);
    ck_assert_double_eq_tol(AT(in, w, 4, 0), 1, 1e-6);
    ck_assert_double_eq_tol(AT(in, w, 3, 4), sin(TWO_PI * 4 / 5), 1e-6);
    ck_assert_double_eq_tol(AT(in, w, 4, 4), cos(TWO_PI * 4 / 5), 1e-6);
    ck_assert_double_eq_tol(AT(in, w, 3, 5), 0, 1e-6);
    ck_assert_double_eq_tol(AT(in, w, 5, 0), sin(TWO_PI * 7 / 366), 1e-6);   /* Jan 8 */
    ck_assert_double_eq_tol(AT(in, w, 5, 5), sin(TWO_PI * 14 / 366), 1e-6);  /* Jan 15 */
    ck_assert_int_eq(w.lags[0], 5);
    free(in);
    free_set(set);
}
END_TEST

/* Series 0: 40 points, all observed. Series 1: 30 points, missing at
 * 0 .. 4 and 10 .. 17. C = 14, H = 7, holdout 7: series 0 has origins
 * 1 .. 26; series 1 needs o >= 6 (context), and 2 observed future points,
 * which rules out o = 9 .. 12: origins 6 .. 8 and 13 .. 16. */
static ts_series_set *index_set(void)
{
    size_t len[2] = { 40, 30 };
    ts_series_set *set = make_set(2, len, DAILY, 1);
    for (int j = 0; j < 40; j++) set->series[0].values[j] = (float)j;
    for (int j = 0; j < 30; j++)
        set->series[1].values[j] = (j < 5 || (j >= 10 && j <= 17)) ? NAN : 1;
    return set;
}

START_TEST(test_index_counts)
{
    ts_series_set *set = index_set();
    ts_window_spec w;
    ts_window_index ix;
    ts_error err = { 0 };
    ck_assert_int_eq(ts_window_spec_init(&w, set, 14, 7, 3, NULL), 0);
    ck_assert_int_eq(ts_window_index_build(&ix, &w, set, 7, &err), 0);
    ck_assert_uint_eq(ix.n, 26 + 3 + 4);
    ck_assert_uint_eq(ix.n_runs, 3);
    size_t s;
    long o;
    ts_window_at(&ix, 0, &s, &o);
    ck_assert(s == 0 && o == 1);
    ts_window_at(&ix, 25, &s, &o);
    ck_assert(s == 0 && o == 26);
    ts_window_at(&ix, 26, &s, &o);
    ck_assert(s == 1 && o == 6);
    ts_window_at(&ix, 28, &s, &o);
    ck_assert(s == 1 && o == 8);
    ts_window_at(&ix, 29, &s, &o);
    ck_assert(s == 1 && o == 13);
    ts_window_at(&ix, 32, &s, &o);
    ck_assert(s == 1 && o == 16);
    ts_window_pick(&ix, 0.0, &s, &o);
    ck_assert(s == 0 && o == 1);
    ts_window_pick(&ix, 0.9999999, &s, &o);
    ck_assert(s == 1 && o == 16);
    ts_window_pick(&ix, 29.5 / 33, &s, &o);
    ck_assert(s == 1 && o == 13);
    ts_window_index_free(&ix);

    /* no holdout: series 0 gains 27 .. 33, series 1 gains 17 .. 23 */
    ck_assert_int_eq(ts_window_index_build(&ix, &w, set, 0, &err), 0);
    ck_assert_uint_eq(ix.n, 33 + 3 + 11);
    ts_window_index_free(&ix);
    free_set(set);
}
END_TEST

START_TEST(test_index_holdout)
{
    ts_series_set *set = index_set();
    ts_window_spec w;
    ts_window_index ix;
    ck_assert_int_eq(ts_window_spec_init(&w, set, 14, 7, 3, NULL), 0);
    ck_assert_int_eq(ts_window_index_build(&ix, &w, set, 7, NULL), 0);
    float *in = malloc((size_t)w.channels * w.length * sizeof *in);
    float x0[7], mask[7], scale;
    for (size_t i = 0; i < ix.n; i++) {
        size_t s;
        long o;
        ts_window_at(&ix, i, &s, &o);
        long len = (long)set->series[s].len;
        ck_assert_int_le(o + w.horizon, len - 7);  /* never touches the last H */
        ck_assert_int_eq(fill_set(&w, set, s, o, in, x0, mask, &scale), 1);
        float m = 0;
        for (int h = 0; h < 7; h++) m += mask[h];
        ck_assert_float_ge(m, 2);
    }
    free(in);
    ts_window_index_free(&ix);
    free_set(set);
}
END_TEST

START_TEST(test_index_too_little)
{
    size_t len[2] = { 27, 20 };
    ts_series_set *set = make_set(2, len, DAILY, 1);
    for (int s = 0; s < 2; s++)
        for (size_t j = 0; j < len[s]; j++) set->series[s].values[j] = 1;
    ts_window_spec w;
    ts_window_index ix;
    ts_error err = { 0 };
    ck_assert_int_eq(ts_window_spec_init(&w, set, 14, 7, 3, NULL), 0);
    ck_assert_int_eq(ts_window_index_build(&ix, &w, set, 7, &err), TS_EDATA);
    ck_assert_ptr_nonnull(strstr(err.msg, "too little data"));
    ck_assert_uint_eq(ix.n, 0);
    ts_window_index_free(&ix);
    /* 28 = C + 2H points: exactly enough */
    free_set(set);
    len[0] = 28;
    set = make_set(2, len, DAILY, 1);
    for (int s = 0; s < 2; s++)
        for (size_t j = 0; j < len[s]; j++) set->series[s].values[j] = 1;
    ck_assert_int_eq(ts_window_index_build(&ix, &w, set, 7, &err), 0);
    ck_assert_uint_eq(ix.n, 14 + 6);
    ts_window_index_free(&ix);
    /* long enough but never observed */
    for (int s = 0; s < 2; s++)
        for (size_t j = 0; j < len[s]; j++) set->series[s].values[j] = NAN;
    err.code = 0;
    ck_assert_int_eq(ts_window_index_build(&ix, &w, set, 7, &err), TS_EDATA);
    ck_assert_ptr_nonnull(strstr(err.msg, "too little data"));
    ts_window_index_free(&ix);
    free_set(set);
}
END_TEST

/* A set whose series are fully observed spans of the given lengths. */
static ts_series_set *spans_set(size_t n, const size_t *len, ts_freq f)
{
    ts_series_set *set = make_set(n, len, f, 1);
    for (size_t s = 0; s < n; s++)
        for (size_t j = 0; j < len[s]; j++) set->series[s].values[j] = 1;
    return set;
}

START_TEST(test_default_context)
{
    size_t a[3] = { 200, 300, 400 }, b[3] = { 30, 40, 50 }, c[3] = { 10, 12, 500 },
           d[1] = { 5 }, e[1] = { 5000 };
    ts_series_set *set = spans_set(3, a, DAILY);
    ck_assert_int_eq(ts_window_default_context(set, 7), 56);    /* 8 H */
    ck_assert_int_eq(ts_window_default_context(set, 1), 21);    /* 3 seasons */
    free_set(set);
    set = spans_set(3, b, DAILY);
    ck_assert_int_eq(ts_window_default_context(set, 7), 26);    /* median 40 - 2 H */
    free_set(set);
    set = spans_set(3, c, DAILY);
    ck_assert_int_eq(ts_window_default_context(set, 7), 56);    /* median too short: longest */
    free_set(set);
    set = spans_set(1, d, DAILY);
    ck_assert_int_eq(ts_window_default_context(set, 7), 1);
    free_set(set);
    set = spans_set(1, e, HOURLY);
    ck_assert_int_eq(ts_window_default_context(set, 48), 384);  /* 8 H */
    ck_assert_int_eq(ts_window_default_context(set, 2), 72);    /* 3 seasons of 24 */
    set->freq = (ts_freq){ TS_FREQ_NONE, 1 };
    set->has_time = 0;
    ck_assert_int_eq(ts_window_default_context(set, 1), 16);    /* the floor */
    /* leading and trailing gaps do not count */
    for (int j = 0; j < 4900; j++) set->series[0].values[j] = NAN;
    ck_assert_int_eq(ts_window_default_context(set, 10), 80);
    ck_assert_int_eq(ts_window_default_context(set, 40), 20);   /* 100 - 80 */
    free_set(set);
}
END_TEST

START_TEST(test_nonneg)
{
    float v[4] = { 0, 2, NAN, 5 };
    ts_series s = { .name = "x", .start = 0, .len = 4, .values = v };
    ck_assert_int_eq(ts_series_nonneg(&s), 1);
    v[1] = -0.5f;
    ck_assert_int_eq(ts_series_nonneg(&s), 0);
    float allnan[2] = { NAN, NAN };
    ts_series t = { .name = "y", .start = 0, .len = 2, .values = allnan };
    ck_assert_int_eq(ts_series_nonneg(&t), 1);
}
END_TEST

/* ---- universal specs (window.h, UNIVERSAL) ---- */

enum { U_FUT = 3, U_SIN1, U_COS1, U_FLAG1, U_SIN2, U_COS2, U_FLAG2, U_LAG1, U_LMASK1, U_LAG2,
       U_LMASK2, U_LOGS };

/* One table for every grid: the kinds and slots in order, 15 channels. */
START_TEST(test_universal_table)
{
    ts_window_spec w;
    ts_error err = {0};
    ck_assert_int_eq(ts_window_spec_make_universal(&w, 24, 8, 3, &err), 0);
    ck_assert_int_eq(w.channels, 15);
    ck_assert_int_eq(w.universal, 1);
    ck_assert_int_eq(w.length, 32);
    static const char *const names[] = {
        "noisy", "history", "mask", "future", "season sin 1", "season cos 1", "season flag 1",
        "season sin 2", "season cos 2", "season flag 2", "season lag 1", "season lag mask 1",
        "season lag 2", "season lag mask 2", "log scale"};
    char buf[32];
    for (int c = 0; c < w.channels; c++)
        ck_assert_str_eq(ts_window_channel_name(&w, c, buf, sizeof buf), names[c]);
    ck_assert_int_eq(ts_window_log_scale_channel(&w), U_LOGS);
    /* no residual targets; binding a grid changes no channel */
    ck_assert_int_eq(ts_window_set_residual(&w, 1), 0);
    ts_window_spec b = w;
    ts_window_bind_grid(&b, HOURLY, 1);
    ck_assert_int_eq(b.freq.unit, TS_FREQ_HOUR);
    ck_assert_mem_eq(b.chan, w.chan, sizeof w.chan);
    ck_assert_int_eq(ts_window_spec_make_universal(&w, 0, 8, 3, &err), TS_EUSAGE);
}
END_TEST

/* A series of n points x_j = 10 + (j mod m) on grid f from 2024-01-01. */
static ts_series_set *season_set(size_t n, ts_freq f, int m)
{
    ts_series_set *set = make_set(1, &n, f, 1);
    for (size_t j = 0; j < n; j++) set->series[0].values[j] = (float)(10 + (long)j % m);
    return set;
}

/* Fill the universal window of a one-series set at its end; returns in. */
static float *fill_universal(const ts_window_spec *w, const ts_series_set *set, float *scale)
{
    float *in = malloc(sizeof(float) * (size_t)w->channels * (size_t)w->length);
    ck_assert_int_eq(fill_set(w, set, 0, (long)set->series[0].len, in, NULL, NULL, scale), 1);
    return in;
}

static void assert_row(const ts_window_spec *w, const float *in, int c, int from, int to, float v)
{
    for (int p = from; p < to; p++)
        ck_assert_msg(AT(in, *w, c, p) == v, "channel %d at %d: %g, not %g", c, p,
                      AT(in, *w, c, p), v);
}

/* Hourly: both slots (24 and 168), both lags in a context of 200. */
START_TEST(test_universal_hourly)
{
    ts_window_spec w;
    ck_assert_int_eq(ts_window_spec_make_universal(&w, 200, 24, 3, NULL), 0);
    ts_series_set *set = season_set(300, HOURLY, 24);
    float sc;
    float *in = fill_universal(&w, set, &sc);
    int F = w.pad + w.context, L = w.length;
    assert_row(&w, in, U_FUT, 0, F, 0);
    assert_row(&w, in, U_FUT, F, L, 1);
    assert_row(&w, in, U_FLAG1, 0, L, 1);
    assert_row(&w, in, U_FLAG2, 0, L, 1);
    /* phase of the day: point 300 (the first future one) is hour 12 */
    ck_assert_float_eq_tol(AT(in, w, U_SIN1, F), (float)sin(TWO_PI * 12 / 24), 1e-5);
    ck_assert_float_eq_tol(AT(in, w, U_COS1, F), (float)cos(TWO_PI * 12 / 24), 1e-5);
    /* week: 2024-01-13 12:00 is a Saturday, (5 * 24 + 12) / 168 */
    ck_assert_float_eq_tol(AT(in, w, U_SIN2, F), (float)sin(TWO_PI * 132 / 168), 1e-5);
    /* lag 24 on the future: the seasonal-naive forecast, all there */
    for (int h = 0; h < w.horizon; h++)
        ck_assert_float_eq_tol(AT(in, w, U_LAG1, F + h) * sc, 10 + (300 + h) % 24, 1e-3);
    assert_row(&w, in, U_LMASK1, F, L, 1);
    assert_row(&w, in, U_LMASK2, F, L, 1);
    assert_row(&w, in, U_LMASK1, 0, w.pad, 0);
    free(in);
    /* a network trained with a context of 128 never saw the week's lag:
     * in a window of 200 it stays empty, the day's is as before */
    w.lag_context = 128;
    in = fill_universal(&w, set, &sc);
    assert_row(&w, in, U_LAG2, 0, L, 0);
    assert_row(&w, in, U_LMASK2, 0, L, 0);
    assert_row(&w, in, U_LMASK1, F, L, 1);
    assert_row(&w, in, U_FLAG2, 0, L, 1);
    free(in);
    free_set(set);
}
END_TEST

/* Monthly: one slot (12); slot 2 is absent (0 with its flag and mask 0); a
 * history of 20 points in a context of 48 is padded and masked, and lag 12
 * reaches back only into it. */
START_TEST(test_universal_monthly_short)
{
    ts_window_spec w;
    ck_assert_int_eq(ts_window_spec_make_universal(&w, 48, 12, 3, NULL), 0);
    ts_series_set *set = season_set(20, (ts_freq){TS_FREQ_MONTH, 1}, 12);
    set->series[0].start = T_2024_01_01;
    float sc;
    float *in = fill_universal(&w, set, &sc);
    int F = w.pad + w.context, L = w.length;
    assert_row(&w, in, U_FLAG1, 0, L, 1);
    for (int c = U_SIN2; c <= U_FLAG2; c++) assert_row(&w, in, c, 0, L, 0);
    assert_row(&w, in, U_LAG2, 0, L, 0);
    assert_row(&w, in, U_LMASK2, 0, L, 0);
    /* context: 28 unobserved positions, then 20 observed */
    assert_row(&w, in, TS_CH_MASK, 0, F - 20, 0);
    assert_row(&w, in, TS_CH_MASK, F - 20, F, 1);
    /* the first future month is 2025-09: phase 8/12 */
    ck_assert_float_eq_tol(AT(in, w, U_SIN1, F), (float)sin(TWO_PI * (243.0 / 365)), 1e-4);
    assert_row(&w, in, U_LMASK1, F, L, 1);
    assert_row(&w, in, U_LMASK1, F - 20, F - 8, 0);   /* nothing a season before */
    assert_row(&w, in, U_LMASK1, F - 8, F, 1);
    free(in);
    free_set(set);
}
END_TEST

/* No time column: no season, every slot absent; a mixed set's own grids
 * decide the slots of each series. */
START_TEST(test_universal_no_time_and_mixed)
{
    ts_window_spec w;
    ck_assert_int_eq(ts_window_spec_make_universal(&w, 16, 4, 2, NULL), 0);
    size_t n = 30;
    ts_series_set *set = make_set(1, &n, (ts_freq){TS_FREQ_NONE, 1}, 0);
    for (size_t j = 0; j < n; j++) set->series[0].values[j] = (float)j;
    float sc;
    float *in = fill_universal(&w, set, &sc);
    for (int c = U_SIN1; c <= U_LMASK2; c++) assert_row(&w, in, c, 0, w.length, 0);
    free(in);
    /* the same values on a daily grid of their own: slot 1 (7) is there */
    set->has_time = 1;
    set->freqs = malloc(sizeof *set->freqs);
    set->freqs[0] = DAILY;
    in = fill_universal(&w, set, &sc);
    assert_row(&w, in, U_FLAG1, 0, w.length, 1);
    assert_row(&w, in, U_FLAG2, 0, w.length, 1);   /* 365.25: a phase, no lag */
    assert_row(&w, in, U_LMASK2, 0, w.length, 0);
    free(in);
    free(set->freqs);
    free_set(set);
}
END_TEST

/* One hourly series of 96 points, 1000 + (j mod 24). */
static ts_series_set *hourly_cycle_set(void)
{
    size_t n = 96;
    ts_series_set *set = make_set(1, &n, HOURLY, 1);
    for (size_t j = 0; j < n; j++) set->series[0].values[j] = (float)(1000 + (long)j % 24);
    return set;
}

/* Centred (SCALING, CENTRED): values less the context mean over the mean
 * distance from it, in history, lags and targets; the zero line; samples
 * back with x * scale + loc. A constant context gets a floor; a plain
 * spec cannot be centred. */
START_TEST(test_universal_centred)
{
    ts_window_spec w;
    ck_assert_int_eq(ts_window_spec_make_universal(&w, 48, 24, 3, NULL), 0);
    ck_assert_int_eq(ts_window_set_centred(&w, TS_LOC_MEAN), TS_LOC_MEAN);
    ck_assert_int_eq(w.channels, 16);
    char buf[32];
    ck_assert_str_eq(ts_window_channel_name(&w, 15, buf, sizeof buf), "zero line");
    int raw[1] = {0};
    ts_window_set_covariates(&w, 1, raw);   /* covariates still come last */
    ck_assert_str_eq(ts_window_channel_name(&w, 16, buf, sizeof buf), "covariate 0");
    ts_window_set_covariates(&w, 0, raw);
    /* 1000 + (j mod 24): context mean 1011.5, mean distance 6 */
    ts_series_set *set = hourly_cycle_set();
    float *in = malloc(sizeof(float) * (size_t)w.channels * (size_t)w.length);
    float x0[24], mask[24];
    ts_series_view v = ts_series_view_at(set, 0, ts_window_level(&set->series[0]));
    ts_window_norm norm;
    ck_assert_int_eq(ts_window_fill(&w, &v, 72, in, x0, mask, &norm), 1);
    ck_assert_float_eq_tol(norm.loc, 1011.5f, 1e-3);
    ck_assert_float_eq_tol(norm.scale, 6.0f, 1e-5);
    int F = w.pad + w.context;
    for (int p = 0; p < w.context; p++)
        ck_assert_float_eq_tol(AT(in, w, TS_CH_HISTORY, w.pad + p),
                               (1000 + (24 + p) % 24 - 1011.5) / 6, 1e-5);
    for (int h = 0; h < w.horizon; h++) {
        ck_assert_float_eq_tol(x0[h], (h - 11.5) / 6, 1e-5);
        ck_assert_float_eq_tol(AT(in, w, U_LAG1, F + h), (h - 11.5) / 6, 1e-5);   /* lag 24 */
    }
    assert_row(&w, in, 15, 0, w.length, (float)asinh(-1011.5 / 6));
    ck_assert_float_eq_tol(AT(in, w, U_LOGS, 0), (float)log(6.0), 1e-6);
    float back[24];
    memcpy(back, x0, sizeof back);
    ts_window_unscale(back, 24, norm);
    for (int h = 0; h < 24; h++) ck_assert_float_eq_tol(back[h], 1000 + h, 1e-3);
    /* a constant context: the floor (here 0.1 % of the series level, above
     * 0.1 % of the context's mean |x|), values 0 */
    for (size_t j = 0; j < 72; j++) set->series[0].values[j] = -50;
    ck_assert_int_eq(ts_window_fill(&w, &v, 72, in, x0, mask, &norm), 1);
    ck_assert_float_eq_tol(norm.loc, -50, 1e-6);
    ck_assert_float_eq_tol(norm.scale, (float)(1e-3 * v.level), 1e-6);
    assert_row(&w, in, TS_CH_HISTORY, F - 48, F, 0);
    assert_row(&w, in, 15, 0, w.length, (float)asinh(50 / (1e-3 * v.level)));
    /* mean scaling leaves loc at 0 and the old values */
    ck_assert_int_eq(ts_window_set_centred(&w, TS_LOC_NONE), 0);
    ck_assert_int_eq(w.channels, 15);
    ck_assert_int_eq(ts_window_fill(&w, &v, 72, in, x0, mask, &norm), 1);
    ck_assert_float_eq(norm.loc, 0);
    ck_assert_float_eq_tol(norm.scale, 50, 1e-5);
    ts_window_spec plain;
    ck_assert_int_eq(ts_window_spec_make(&plain, HOURLY, 1, 48, 24, 3, NULL), 0);
    ck_assert_int_eq(ts_window_set_centred(&plain, TS_LOC_MEAN), 0);
    ck_assert_int_eq(ts_window_set_centred(&plain, TS_LOC_BASE), 0);
    free(in);
    free_set(set);
}
END_TEST


/* Based (SCALING, BASED): a positive context is measured from its minimum,
 * a negative one from its maximum, one that reaches zero from 0 (then the
 * values are mean scaling's); the zero line and the way back. Hybrid: from
 * 0 as well there, from the mean where the context has one sign. Cross:
 * from the mean unless the context crosses 0. */
START_TEST(test_universal_based)
{
    ts_window_spec w;
    ck_assert_int_eq(ts_window_spec_make_universal(&w, 48, 24, 3, NULL), 0);
    ck_assert_int_eq(ts_window_set_centred(&w, TS_LOC_BASE), TS_LOC_BASE);
    ck_assert_int_eq(w.channels, 16);
    /* 1000 + (j mod 24): base 1000 (the context's min), mean distance 11.5 */
    ts_series_set *set = hourly_cycle_set();
    const size_t n = set->series[0].len;
    float *in = malloc(sizeof(float) * (size_t)w.channels * (size_t)w.length);
    float x0[24], mask[24], back[24];
    ts_series_view v = ts_series_view_at(set, 0, ts_window_level(&set->series[0]));
    ts_window_norm norm;
    ck_assert_int_eq(ts_window_fill(&w, &v, 72, in, x0, mask, &norm), 1);
    ck_assert_float_eq_tol(norm.loc, 1000, 1e-6);
    ck_assert_float_eq_tol(norm.scale, 11.5f, 1e-5);
    int F = w.pad + w.context;
    for (int p = 0; p < w.context; p++)
        ck_assert_float_eq_tol(AT(in, w, TS_CH_HISTORY, w.pad + p), (p % 24) / 11.5, 1e-5);
    for (int h = 0; h < w.horizon; h++) {
        ck_assert_float_eq_tol(x0[h], h / 11.5, 1e-5);
        ck_assert_float_eq_tol(AT(in, w, U_LAG1, F + h), h / 11.5, 1e-5);
    }
    assert_row(&w, in, 15, 0, w.length, (float)asinh(-1000 / 11.5));
    memcpy(back, x0, sizeof back);
    ts_window_unscale(back, 24, norm);
    for (int h = 0; h < 24; h++) ck_assert_float_eq_tol(back[h], 1000 + h, 1e-3);
    /* negative: -1000 - (j mod 24) is measured from its max, -1000 */
    for (size_t j = 0; j < n; j++) set->series[0].values[j] = -(float)(1000 + (long)j % 24);
    v = ts_series_view_at(set, 0, ts_window_level(&set->series[0]));
    ck_assert_int_eq(ts_window_fill(&w, &v, 72, in, x0, mask, &norm), 1);
    ck_assert_float_eq_tol(norm.loc, -1000, 1e-6);
    ck_assert_float_eq_tol(norm.scale, 11.5f, 1e-5);
    ck_assert_float_eq_tol(x0[5], -5 / 11.5, 1e-5);
    assert_row(&w, in, 15, 0, w.length, (float)asinh(1000 / 11.5));
    /* a context with a zero day: base 0, so the values are mean scaling's
     * (a spec without centring gives the same rows but the zero line) */
    for (size_t j = 0; j < n; j++) set->series[0].values[j] = (float)(1000 + (long)j % 24);
    set->series[0].values[30] = 0;
    v = ts_series_view_at(set, 0, ts_window_level(&set->series[0]));
    ck_assert_int_eq(ts_window_fill(&w, &v, 72, in, x0, mask, &norm), 1);
    ck_assert_float_eq(norm.loc, 0);
    float *plain_in = malloc(sizeof(float) * (size_t)w.channels * (size_t)w.length);
    float px0[24];
    ts_window_norm pnorm;
    ts_window_spec mean = w;
    ck_assert_int_eq(ts_window_set_centred(&mean, TS_LOC_NONE), 0);
    ck_assert_int_eq(ts_window_fill(&mean, &v, 72, plain_in, px0, mask, &pnorm), 1);
    ck_assert_float_eq(norm.scale, pnorm.scale);
    for (int h = 0; h < 24; h++) ck_assert_float_eq(x0[h], px0[h]);
    for (int p = 0; p < w.length; p++)
        ck_assert_float_eq(AT(in, w, TS_CH_HISTORY, p), AT(plain_in, mean, TS_CH_HISTORY, p));
    assert_row(&w, in, 15, 0, w.length, 0);
    /* hybrid: the same (from 0) here; centred on the mean when the context
     * has one sign */
    ts_window_norm hnorm;
    ck_assert_int_eq(ts_window_set_centred(&mean, TS_LOC_HYBRID), TS_LOC_HYBRID);
    ck_assert_int_eq(ts_window_fill(&mean, &v, 72, plain_in, px0, mask, &hnorm), 1);
    ck_assert_float_eq(hnorm.loc, 0);
    ck_assert_float_eq(hnorm.scale, norm.scale);
    /* cross: a zero day is a dip below the mean (centred), a context with
     * values of both signs is measured from 0 */
    ts_window_spec cross = w;
    ts_window_norm cnorm;
    ck_assert_int_eq(ts_window_set_centred(&cross, TS_LOC_CROSS), TS_LOC_CROSS);
    ck_assert_int_eq(ts_window_fill(&cross, &v, 72, plain_in, px0, mask, &cnorm), 1);
    double cmean = 0;
    for (int j = 72 - 48; j < 72; j++) cmean += set->series[0].values[j];
    cmean /= 48;
    ck_assert_float_eq_tol(cnorm.loc, cmean, 1e-3);
    set->series[0].values[31] = -5;
    ck_assert_int_eq(ts_window_fill(&cross, &v, 72, plain_in, px0, mask, &cnorm), 1);
    ck_assert_float_eq(cnorm.loc, 0);
    ck_assert_int_eq(ts_window_fill(&mean, &v, 72, plain_in, px0, mask, &hnorm), 1);
    ck_assert_float_eq(hnorm.scale, cnorm.scale);
    set->series[0].values[31] = 1000 + 31 % 24;
    set->series[0].values[30] = 1000 + 30 % 24;
    ck_assert_int_eq(ts_window_fill(&mean, &v, 72, plain_in, px0, mask, &hnorm), 1);
    ck_assert_float_eq_tol(hnorm.loc, 1011.5f, 1e-3);
    ck_assert_float_eq_tol(hnorm.scale, 6.0f, 1e-5);
    free(plain_in);
    free(in);
    free_set(set);
}
END_TEST

int main(void)
{
    return tu_run(TU_SUITE("window",
        test_spec_layout, test_fill_channels, test_fill_forecast_and_gaps, test_view_of_piece,
        test_residual_targets, test_scale_floor, test_calendar_hourly_and_index_phase,
        test_calendar_bday, test_index_counts, test_index_holdout, test_index_too_little,
        test_default_context, test_nonneg, test_universal_table, test_universal_hourly,
        test_universal_monthly_short, test_universal_no_time_and_mixed, test_universal_centred,
        test_universal_based));
}
