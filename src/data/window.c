/* window.c - the window spec, scaling and ts_window_fill.
 * The calendar and lag channels are in window_features.c, the training
 * index in window_index.c. Layout and rules: window.h. */
#include "data/window.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "data/window_features.h"
#include "nn/unet.h"

/* The longest window we build (keeps every index an int and a window's
 * floats well within memory). */
#define MAX_LENGTH (1 << 24)

/* The channel count the layout in window.h gives w. */
static int channel_count(const ts_window_spec *w)
{
    return TS_CH_CALENDAR + 2 * w->n_periods + w->n_lags + w->log_scale + w->residual;
}

static void choose_lags(ts_window_spec *w)
{
    w->n_lags = 0;
    if (w->season > 1 && w->context >= w->season) w->lags[w->n_lags++] = w->season;
    for (int i = 0; i < w->n_periods && w->n_lags < TS_WINDOW_MAX_LAGS; i++) {
        double q = w->periods[i];
        int m = (int)lround(q);
        if (!(q > 1.5 && q <= w->context) || fabs(q - m) > 0.25 + 1e-9) continue;
        int dup = 0;
        for (int k = 0; k < w->n_lags; k++) dup |= w->lags[k] == m;
        if (!dup && m > 1 && m <= w->context) w->lags[w->n_lags++] = m;
    }
}

int ts_window_spec_make(ts_window_spec *w, ts_freq freq, int has_time, int context,
                        int horizon, int levels, ts_error *err)
{
    memset(w, 0, sizeof *w);
    if (context < 1) return ts_fail(err, TS_EUSAGE, "context must be at least 1 (got %d)", context);
    if (horizon < 1) return ts_fail(err, TS_EUSAGE, "horizon must be at least 1 (got %d)", horizon);
    if (levels < 1 || levels > TS_UNET_MAX_LEVELS)
        return ts_fail(err, TS_EUSAGE, "levels must be 1 to %d (got %d)", TS_UNET_MAX_LEVELS,
                       levels);
    if ((long)context + horizon > MAX_LENGTH)
        return ts_fail(err, TS_EUSAGE, "context + horizon too long (%ld, at most %d)",
                       (long)context + horizon, MAX_LENGTH);
    int unit = 1 << (levels - 1);
    w->context = context;
    w->horizon = horizon;
    w->levels = levels;
    w->pad = (unit - (context + horizon) % unit) % unit;
    w->length = w->pad + context + horizon;
    w->freq = freq;
    w->has_time = has_time != 0;
    w->n_periods = freq.unit == TS_FREQ_NONE ? 0
                 : ts_freq_periods(freq, w->periods, TS_WINDOW_MAX_PERIODS);
    if (w->n_periods < 0) w->n_periods = 0;
    w->season = freq.unit == TS_FREQ_NONE ? 1 : ts_freq_season(freq);
    if (w->season < 1) w->season = 1;
    choose_lags(w);
    w->log_scale = 1;
    w->channels = channel_count(w);
    return 0;
}

int ts_window_set_residual(ts_window_spec *w, int on)
{
    w->residual = on && w->n_lags > 0;
    w->channels = channel_count(w);
    return w->residual;
}

void ts_window_untarget(const ts_window_spec *w, const float *in, float *x)
{
    if (!w->residual) return;
    const float *base = in + (size_t)ts_window_lag_channel(w) * w->length + w->pad + w->context;
    float gain = expf(in[(size_t)ts_window_gain_channel(w) * w->length]);
    for (int h = 0; h < w->horizon; h++) x[h] = x[h] / gain + base[h];
}

int ts_window_spec_init(ts_window_spec *w, const ts_series_set *set, int context,
                        int horizon, int levels, ts_error *err)
{
    return ts_window_spec_make(w, set->freq, set->has_time, context, horizon, levels, err);
}

int ts_window_lag_channel(const ts_window_spec *w)
{
    return TS_CH_CALENDAR + 2 * w->n_periods;
}

int ts_window_log_scale_channel(const ts_window_spec *w)
{
    return w->log_scale ? w->channels - 1 - w->residual : -1;
}

int ts_window_gain_channel(const ts_window_spec *w)
{
    return w->residual ? w->channels - 1 : -1;
}

double ts_window_level(const ts_series *sr)
{
    double sum = 0;
    size_t count = 0;
    for (size_t j = 0; j < sr->len; j++)
        if (!isnan(sr->values[j])) { sum += fabs(sr->values[j]); count++; }
    return count ? sum / (double)count : 0;
}

/* The window's scale (rules in window.h), or 0 when no context point is
 * observed. */
static double window_scale(const ts_window_spec *w, const ts_series *sr, long origin,
                           double level)
{
    long lo = origin - w->context < 0 ? 0 : origin - w->context;
    double sum = 0;
    long count = 0;
    for (long j = lo; j < origin; j++)
        if (!isnan(sr->values[j])) { sum += fabs(sr->values[j]); count++; }
    if (count == 0) return 0;
    double scale = sum > 0 ? sum / count : level;
    if (scale < 1e-3 * level) scale = 1e-3 * level;
    return scale > 1e-8 ? scale : 1e-8;
}

/* The gain of a residual spec (window.h, TARGETS). */
static double residual_gain(const ts_window_spec *w, const ts_series *sr, long origin, double sc)
{
    long m = w->lags[0], lo = origin - w->context < 0 ? 0 : origin - w->context;
    double sum = 0;
    long count = 0;
    for (long j = lo + m; j < origin; j++)
        if (!isnan(sr->values[j]) && !isnan(sr->values[j - m])) {
            sum += fabs((double)sr->values[j] - sr->values[j - m]);
            count++;
        }
    if (count == 0) return 1;
    double r = sum / count / sc;
    return 1 / sqrt(r < 1e-6 ? 1e-6 : r > 1e6 ? 1e6 : r);
}

static void fill_const(float *ch, int L, double v)
{
    for (int p = 0; p < L; p++) ch[p] = (float)v;
}

/* Channels 1 and 2 (history, mask) and the targets. */
static void fill_values(const ts_window_spec *w, const ts_series *sr, long origin, double sc,
                        float *in, float *x0, float *mask)
{
    const int L = w->length, P = w->pad, C = w->context, H = w->horizon;
    const long len = (long)sr->len, j0 = origin - C - P;
    float *hist = in + (size_t)TS_CH_HISTORY * L, *obs = in + (size_t)TS_CH_MASK * L;
    for (int p = P; p < P + C; p++) {
        long j = j0 + p;
        if (j >= 0 && !isnan(sr->values[j])) {
            hist[p] = (float)(sr->values[j] / sc);
            obs[p] = 1;
        }
    }
    for (int h = 0; h < H; h++) {
        long j = origin + h;
        if (j < len && !isnan(sr->values[j])) {
            if (x0) x0[h] = (float)(sr->values[j] / sc);
            if (mask) mask[h] = 1;
        }
    }
}

int ts_window_fill_level(const ts_window_spec *w, const ts_series_set *set, size_t s,
                         long origin, double level, float *in, float *x0, float *mask,
                         float *scale)
{
    TS_CHECK(s < set->n);
    const ts_series *sr = &set->series[s];
    TS_CHECK(origin >= 0 && (size_t)origin <= sr->len);
    const int L = w->length;

    memset(in, 0, sizeof *in * (size_t)w->channels * (size_t)L);
    if (x0) memset(x0, 0, sizeof *x0 * (size_t)w->horizon);
    if (mask) memset(mask, 0, sizeof *mask * (size_t)w->horizon);
    double sc = window_scale(w, sr, origin, level);
    *scale = (float)sc;
    if (sc == 0) return 0;

    fill_values(w, sr, origin, sc, in, x0, mask);
    ts_features_calendar(w, sr->start, origin - w->context - w->pad,
                         in + (size_t)TS_CH_CALENDAR * L);
    ts_features_lags(w, sr, origin, sc, in + (size_t)ts_window_lag_channel(w) * L);
    if (w->log_scale) fill_const(in + (size_t)ts_window_log_scale_channel(w) * L, L, log(sc));
    if (w->residual) {
        double gain = residual_gain(w, sr, origin, sc);
        fill_const(in + (size_t)ts_window_gain_channel(w) * L, L, log(gain));
        const float *base = in + (size_t)ts_window_lag_channel(w) * L + w->pad + w->context;
        for (long h = 0, j = origin; x0 && h < w->horizon; h++, j++)
            if (j < (long)sr->len && !isnan(sr->values[j])) x0[h] = (float)(gain * (x0[h] - base[h]));
    }
    return 1;
}

int ts_window_fill(const ts_window_spec *w, const ts_series_set *set, size_t s, long origin,
                   float *in, float *x0, float *mask, float *scale)
{
    TS_CHECK(s < set->n);
    return ts_window_fill_level(w, set, s, origin, ts_window_level(&set->series[s]), in, x0,
                                mask, scale);
}

void ts_window_unscale(float *x, size_t n, float scale)
{
    for (size_t i = 0; i < n; i++) x[i] *= scale;
}

int ts_series_nonneg(const ts_series *s)
{
    for (size_t j = 0; j < s->len; j++)
        if (s->values[j] < 0) return 0;  /* NaN compares false */
    return 1;
}
