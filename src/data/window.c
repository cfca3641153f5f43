/* window.c - the window spec and its channel table, channel names, scaling
 * and ts_window_fill, which walks the table.
 * The calendar and lag channels are in window_features.c, the training
 * index in window_index.c. Layout and rules: window.h. */
#include "data/window.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "data/window_features.h"

/* The longest window we build (keeps every index an int and a window's
 * floats well within memory). */
#define MAX_LENGTH (1 << 24)

static void add_chan(ts_window_spec *w, ts_chan_kind kind, double param)
{
    TS_CHECK(w->channels < TS_WINDOW_MAX_CHANNELS);
    w->chan[w->channels++] = (ts_chan){kind, param};
}

/* The universal table (window.h: UNIVERSAL), before any covariate. */
static void build_universal(ts_window_spec *w)
{
    static const ts_chan table[] = {
        {TS_CHAN_NOISY, 0}, {TS_CHAN_HISTORY, 0}, {TS_CHAN_MASK, 0}, {TS_CHAN_FUTURE, 0},
        {TS_CHAN_SLOT_SIN, 1}, {TS_CHAN_SLOT_COS, 1}, {TS_CHAN_SLOT_FLAG, 1},
        {TS_CHAN_SLOT_SIN, 2}, {TS_CHAN_SLOT_COS, 2}, {TS_CHAN_SLOT_FLAG, 2},
        {TS_CHAN_SLOT_LAG, 1}, {TS_CHAN_SLOT_LAG_MASK, 1},
        {TS_CHAN_SLOT_LAG, 2}, {TS_CHAN_SLOT_LAG_MASK, 2}, {TS_CHAN_LOG_SCALE, 0},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        add_chan(w, table[i].kind, table[i].param);
    if (w->centred) add_chan(w, TS_CHAN_ZERO, 0);
}

/* The channel table of w, in the order window.h gives (CHANNELS, or
 * UNIVERSAL), the covariates last in both. */
static void build_table(ts_window_spec *w)
{
    w->channels = 0;
    if (w->universal) {
        build_universal(w);
    } else {
        add_chan(w, TS_CHAN_NOISY, 0);
        add_chan(w, TS_CHAN_HISTORY, 0);
        add_chan(w, TS_CHAN_MASK, 0);
        for (int i = 0; i < w->n_periods; i++) {
            add_chan(w, TS_CHAN_SIN, w->periods[i]);
            add_chan(w, TS_CHAN_COS, w->periods[i]);
        }
        for (int i = 0; i < w->n_lags; i++) add_chan(w, TS_CHAN_LAG, w->lags[i]);
        if (w->log_scale) add_chan(w, TS_CHAN_LOG_SCALE, 0);
        if (w->residual) add_chan(w, TS_CHAN_LOG_GAIN, 0);
    }
    for (int k = 0; k < w->n_cov; k++)
        add_chan(w, w->cov_raw[k] ? TS_CHAN_COV_RAW : TS_CHAN_COV, k);
}

void ts_window_set_covariates(ts_window_spec *w, int n, const int *raw)
{
    TS_CHECK(n >= 0 && n <= TS_WINDOW_MAX_COVS);
    w->n_cov = n;
    for (int k = 0; k < n; k++) w->cov_raw[k] = raw[k] != 0;
    build_table(w);
}

/* The first channel of a kind, or -1. */
static int find_chan(const ts_window_spec *w, ts_chan_kind kind)
{
    for (int c = 0; c < w->channels; c++)
        if (w->chan[c].kind == kind) return c;
    return -1;
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

/* The fields every spec has: context, horizon, levels, padding, length. */
static int make_layout(ts_window_spec *w, int context, int horizon, int levels, ts_error *err)
{
    memset(w, 0, sizeof *w);
    if (context < 1) return ts_fail(err, TS_EUSAGE, "context must be at least 1 (got %d)", context);
    if (horizon < 1) return ts_fail(err, TS_EUSAGE, "horizon must be at least 1 (got %d)", horizon);
    if (levels < 1 || levels > TS_WINDOW_MAX_LEVELS)
        return ts_fail(err, TS_EUSAGE, "levels must be 1 to %d (got %d)", TS_WINDOW_MAX_LEVELS,
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
    return 0;
}

int ts_window_spec_make(ts_window_spec *w, ts_freq freq, int has_time, int context,
                        int horizon, int levels, ts_error *err)
{
    int rc = make_layout(w, context, horizon, levels, err);
    if (rc) return rc;
    w->freq = freq;
    w->has_time = has_time != 0;
    w->n_periods = freq.unit == TS_FREQ_NONE ? 0
                 : ts_freq_periods(freq, w->periods, TS_WINDOW_MAX_PERIODS);
    if (w->n_periods < 0) w->n_periods = 0;
    w->season = freq.unit == TS_FREQ_NONE ? 1 : ts_freq_season(freq);
    if (w->season < 1) w->season = 1;
    choose_lags(w);
    w->log_scale = 1;
    build_table(w);
    return 0;
}

int ts_window_spec_make_universal(ts_window_spec *w, int context, int horizon, int levels,
                                  ts_error *err)
{
    int rc = make_layout(w, context, horizon, levels, err);
    if (rc) return rc;
    w->freq = (ts_freq){TS_FREQ_NONE, 1};
    w->season = 1;
    w->log_scale = 1;
    w->universal = 1;
    build_table(w);
    return 0;
}

void ts_window_bind_grid(ts_window_spec *w, ts_freq freq, int has_time)
{
    if (!w->universal) return;
    w->freq = freq;
    w->has_time = has_time != 0;
}

int ts_window_set_residual(ts_window_spec *w, int on)
{
    w->residual = on && w->n_lags > 0;
    if (!w->universal) build_table(w);
    return w->residual;
}

int ts_window_set_centred(ts_window_spec *w, int loc)
{
    TS_CHECK(loc >= TS_LOC_NONE && loc <= TS_LOC_CROSS);
    w->centred = w->universal ? loc : TS_LOC_NONE;
    build_table(w);
    return w->centred;
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
    int c = find_chan(w, TS_CHAN_LAG);
    return c >= 0 ? c : TS_CH_CALENDAR + 2 * w->n_periods;
}

int ts_window_log_scale_channel(const ts_window_spec *w)
{
    return find_chan(w, TS_CHAN_LOG_SCALE);
}

int ts_window_gain_channel(const ts_window_spec *w)
{
    return find_chan(w, TS_CHAN_LOG_GAIN);
}

const char *ts_window_channel_name(const ts_window_spec *w, int c, char *buf, size_t size)
{
    static const char *const names[] = {
        [TS_CHAN_NOISY] = "noisy", [TS_CHAN_HISTORY] = "history", [TS_CHAN_MASK] = "mask",
        [TS_CHAN_SIN] = "sin", [TS_CHAN_COS] = "cos", [TS_CHAN_LAG] = "lag",
        [TS_CHAN_LOG_SCALE] = "log scale", [TS_CHAN_LOG_GAIN] = "log gain",
        [TS_CHAN_COV] = "covariate", [TS_CHAN_COV_RAW] = "indicator",
        [TS_CHAN_FUTURE] = "future", [TS_CHAN_SLOT_SIN] = "season sin",
        [TS_CHAN_SLOT_COS] = "season cos", [TS_CHAN_SLOT_FLAG] = "season flag",
        [TS_CHAN_SLOT_LAG] = "season lag", [TS_CHAN_SLOT_LAG_MASK] = "season lag mask",
        [TS_CHAN_ZERO] = "zero line",
    };
    if (c < 0 || c >= w->channels) snprintf(buf, size, "?");
    else if (w->chan[c].kind == TS_CHAN_COV || w->chan[c].kind == TS_CHAN_COV_RAW)
        snprintf(buf, size, "%s %d", names[w->chan[c].kind], (int)w->chan[c].param);
    else if (w->chan[c].param != 0) snprintf(buf, size, "%s %g", names[w->chan[c].kind], w->chan[c].param);
    else snprintf(buf, size, "%s", names[w->chan[c].kind]);
    return buf;
}

double ts_window_level(const ts_series *sr)
{
    double sum = 0;
    size_t count = 0;
    for (size_t j = 0; j < sr->len; j++)
        if (!isnan(sr->values[j])) { sum += fabs(sr->values[j]); count++; }
    return count ? sum / (double)count : 0;
}

/* Where a centred spec measures the window from (SCALING), given the
 * observed context's mean, min and max: the mean, the point of [mn, mx]
 * nearest zero (BASED), for HYBRID the mean if all have one sign, else
 * 0, and for CROSS the mean unless some are above 0 and some below. */
static double context_loc(int rule, double mean, double mn, double mx)
{
    if (rule == TS_LOC_MEAN) return mean;
    if (rule == TS_LOC_HYBRID) return mn > 0 || mx < 0 ? mean : 0;
    if (rule == TS_LOC_CROSS) return mn >= 0 || mx <= 0 ? mean : 0;
    return mn > 0 ? mn : mx < 0 ? mx : 0;
}

/* The window's scale and, for a centred spec, its location (rules in
 * window.h, SCALING); scale 0 when no context point is observed. */
static void window_norm(const ts_window_spec *w, const ts_series_view *sr, long origin,
                        double level, double *scale, double *loc)
{
    long lo = origin - w->context < 0 ? 0 : origin - w->context;
    double sum = 0, total = 0, mn = INFINITY, mx = -INFINITY;
    long count = 0;
    *scale = *loc = 0;
    for (long j = lo; j < origin; j++) {
        double v = sr->values[j];
        if (isnan(v)) continue;
        sum += fabs(v);
        total += v;
        count++;
        if (v < mn) mn = v;
        if (v > mx) mx = v;
    }
    if (count == 0) return;
    double sc = sum > 0 ? sum / count : level;
    if (w->centred) {
        double at = context_loc(w->centred, total / count, mn, mx);
        double dev = 0;
        for (long j = lo; j < origin; j++)
            if (!isnan(sr->values[j])) dev += fabs(sr->values[j] - at);
        *loc = at;
        sc = dev / count > 1e-3 * sum / count ? dev / count : 1e-3 * sum / count;
    }
    if (sc < 1e-3 * level) sc = 1e-3 * level;
    *scale = sc > 1e-8 ? sc : 1e-8;
}

/* The gain of a residual spec (window.h, TARGETS). */
static double residual_gain(const ts_window_spec *w, const ts_series_view *sr, long origin,
                            double sc)
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

/* The history (mask = 0) or mask (mask = 1) channel: observed context. */
static void fill_context(const ts_window_spec *w, const ts_series_view *sr, long origin,
                         double sc, double loc, int mask, float *row)
{
    const int P = w->pad, C = w->context;
    const long j0 = origin - C - P;
    for (int p = P; p < P + C; p++) {
        long j = j0 + p;
        if (j >= 0 && !isnan(sr->values[j]))
            row[p] = mask ? 1.0f : (float)((sr->values[j] - loc) / sc);
    }
}

/* The targets x0 and their mask (either may be NULL). */
static void fill_targets(const ts_window_spec *w, const ts_series_view *sr, long origin,
                         double sc, double loc, float *x0, float *mask)
{
    const int H = w->horizon;
    const long len = sr->len;
    for (int h = 0; h < H; h++) {
        long j = origin + h;
        if (j < len && !isnan(sr->values[j])) {
            if (x0) x0[h] = (float)((sr->values[j] - loc) / sc);
            if (mask) mask[h] = 1;
        }
    }
}

int ts_window_fill(const ts_window_spec *w, const ts_series_view *sr, long origin, float *in,
                   float *x0, float *mask, ts_window_norm *norm)
{
    TS_CHECK(origin >= 0 && origin <= sr->len && sr->n_cov == w->n_cov);
    const int L = w->length;

    memset(in, 0, sizeof *in * (size_t)w->channels * (size_t)L);
    if (x0) memset(x0, 0, sizeof *x0 * (size_t)w->horizon);
    if (mask) memset(mask, 0, sizeof *mask * (size_t)w->horizon);
    double sc, loc;
    window_norm(w, sr, origin, sr->level, &sc, &loc);
    *norm = (ts_window_norm){(float)sc, (float)loc};
    if (sc == 0) return 0;

    fill_targets(w, sr, origin, sc, loc, x0, mask);
    double gain = w->residual ? residual_gain(w, sr, origin, sc) : 1;
    const long j0 = origin - w->context - w->pad;
    ts_slots slots;
    if (w->universal) ts_slots_of(w, sr, &slots);
    for (int c = 0; c < w->channels; c++) {
        float *row = in + (size_t)c * L;
        const ts_chan *ch = &w->chan[c];
        switch (ch->kind) {
        case TS_CHAN_NOISY: break;   /* the trainer or the sampler writes x_t */
        case TS_CHAN_HISTORY: fill_context(w, sr, origin, sc, loc, 0, row); break;
        case TS_CHAN_MASK: fill_context(w, sr, origin, sc, loc, 1, row); break;
        case TS_CHAN_SIN:
        case TS_CHAN_COS:
            ts_features_calendar(w, sr->start, j0, ch->param, ch->kind == TS_CHAN_COS, row);
            break;
        case TS_CHAN_LAG: ts_features_lag(w, sr, origin, sc, (long)ch->param, row); break;
        case TS_CHAN_LOG_SCALE: fill_const(row, L, log(sc)); break;
        case TS_CHAN_LOG_GAIN: fill_const(row, L, log(gain)); break;
        case TS_CHAN_ZERO: fill_const(row, L, asinh(-loc / sc)); break;
        case TS_CHAN_COV:
        case TS_CHAN_COV_RAW:
            ts_features_covariate(w, sr, j0, (int)ch->param, ch->kind == TS_CHAN_COV_RAW, row);
            break;
        default: ts_features_slot(w, &slots, sr, origin, sc, loc, ch, row); break;
        }
    }
    if (w->residual) {
        const float *base = in + (size_t)ts_window_lag_channel(w) * L + w->pad + w->context;
        for (long h = 0, j = origin; x0 && h < w->horizon; h++, j++)
            if (j < sr->len && !isnan(sr->values[j])) x0[h] = (float)(gain * (x0[h] - base[h]));
    }
    return 1;
}

void ts_window_unscale(float *x, size_t n, ts_window_norm norm)
{
    for (size_t i = 0; i < n; i++) x[i] *= norm.scale;
    if (norm.loc != 0)
        for (size_t i = 0; i < n; i++) x[i] += norm.loc;
}

int ts_series_nonneg(const ts_series *s)
{
    for (size_t j = 0; j < s->len; j++)
        if (s->values[j] < 0) return 0;  /* NaN compares false */
    return 1;
}
