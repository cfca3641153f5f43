/* window_features.c - calendar phases and the seasonal-lag channels of a
 * window. */
#include "data/window_features.h"

#include <math.h>

#include "data/timefmt.h"

#define DAY 86400.0
#define YEAR (365.2425 * DAY)        /* mean Gregorian year */
#define MONDAY_1970 (4 * 86400LL)    /* 1970-01-05 00:00 UTC, a Monday */

/* Mean length of one step of f in seconds (months and years on average). */
static double step_seconds(ts_freq f)
{
    double unit;
    switch (f.unit) {
    case TS_FREQ_SECOND: unit = 1; break;
    case TS_FREQ_MINUTE: unit = 60; break;
    case TS_FREQ_HOUR: unit = 3600; break;
    case TS_FREQ_DAY: unit = DAY; break;
    case TS_FREQ_BDAY: unit = 1.4 * DAY; break;  /* on average: 5 in a week */
    case TS_FREQ_WEEK: unit = 7 * DAY; break;
    case TS_FREQ_MONTH: unit = YEAR / 12; break;
    case TS_FREQ_QUARTER: unit = YEAR / 4; break;
    case TS_FREQ_YEAR: unit = YEAR; break;
    default: unit = 1; break;
    }
    return unit * (f.mult > 0 ? f.mult : 1);
}

/* Fraction of its calendar year that t has gone by, in [0, 1). */
static double year_fraction(int64_t t)
{
    int64_t days = ts_floor_div(t, TS_SECONDS_PER_DAY), y;
    int m, d;
    ts_civil_from_days(days, &y, &m, &d);
    int64_t jan1 = ts_days_from_civil(y, 1, 1);
    double into = (double)(days - jan1) + (double)(t - days * TS_SECONDS_PER_DAY) / DAY;
    return into / (double)(ts_days_from_civil(y + 1, 1, 1) - jan1);
}

static double wrap(double x, double period)
{
    double r = fmod(x, period);
    if (r < 0) r += period;
    return r / period >= 1 ? 0 : r / period;
}

double ts_calendar_phase(ts_freq f, double q, int64_t t)
{
    double span = q * step_seconds(f);
    if (fabs(span / YEAR - 1) < 0.02) return year_fraction(t);
    if (f.unit == TS_FREQ_BDAY)  /* in trading days: Monday 0, Friday 4/5 of a week */
        return wrap((double)ts_bday_index(t), q * f.mult);
    return wrap((double)(t - MONDAY_1970), span);
}

/* The calendar row of period q on the grid (f, has_time). */
static void phase_row(ts_freq f, int has_time, int length, int64_t start, long j0, double q,
                      int cosine, float *out)
{
    const double two_pi = 6.283185307179586;
    for (int p = 0; p < length; p++) {
        long j = j0 + p;
        double ph = has_time ? ts_calendar_phase(f, q, ts_time_add(f, start, j)) : wrap((double)j, q);
        out[p] = (float)(cosine ? cos(two_pi * ph) : sin(two_pi * ph));
    }
}

void ts_features_calendar(const ts_window_spec *w, int64_t start, long j0, double q, int cosine,
                          float *out)
{
    phase_row(w->freq, w->has_time, w->length, start, j0, q, cosine, out);
}

/* The lag-m value at series index j: x_{j - k m} for the smallest k >= 1 with
 * j - k m observed inside the context [origin - C, origin); NaN if none. */
static float lag_value(const ts_series_view *sr, long j, long origin, long context, long m)
{
    long k = j < origin ? 1 : (j - origin) / m + 1;
    long lo = origin - context < 0 ? 0 : origin - context;
    for (long i = j - k * m; i >= lo; i -= m)
        if (!isnan(sr->values[i])) return sr->values[i];
    return NAN;
}

static void lag_rows(const ts_window_spec *w, const ts_series_view *sr, long origin,
                     double scale, double loc, long m, float *row, float *mask);

void ts_features_lag(const ts_window_spec *w, const ts_series_view *sr, long origin, double scale,
                     long m, float *row)
{
    lag_rows(w, sr, origin, scale, 0, m, row, NULL);
}

/* The lag-m row as ts_features_lag, (x - loc) / scale, and 1 in mask where
 * it has a value. */
static void lag_rows(const ts_window_spec *w, const ts_series_view *sr, long origin,
                     double scale, double loc, long m, float *row, float *mask)
{
    const int L = w->length, P = w->pad;
    const long j0 = origin - w->context - P;
    for (int p = P; p < L; p++) {
        float v = lag_value(sr, j0 + p, origin, w->context, m);
        if (isnan(v)) continue;
        if (row) row[p] = (float)((v - loc) / scale);
        if (mask) mask[p] = 1;
    }
}

void ts_slots_of(const ts_window_spec *w, const ts_series_view *sr, ts_slots *sl)
{
    sl->freq = sr->freq.mult >= 1 ? sr->freq : w->freq;
    sl->has_time = sr->freq.mult >= 1 ? sr->has_time : w->has_time;
    sl->period[0] = sl->period[1] = 0;
    sl->lag[0] = sl->lag[1] = 0;
    double q[TS_WINDOW_MAX_PERIODS];
    int n = ts_freq_periods(sl->freq, q, TS_WINDOW_MAX_PERIODS);
    int season = ts_freq_season(sl->freq), main = -1;
    for (int i = 0; season > 1 && i < n; i++)   /* the period nearest the season */
        if (main < 0 || fabs(q[i] - season) < fabs(q[main] - season)) main = i;
    if (main < 0 && n > 0) main = 0;
    if (main < 0) return;
    sl->period[0] = q[main];
    sl->lag[0] = season > 1 ? season : lround(q[main]);
    if (main + 1 < n) {
        sl->period[1] = q[main + 1];
        sl->lag[1] = lround(q[main + 1]);
    }
    /* A lag longer than the context the network was trained with never had a
     * value in training: its weights are noise, so it stays empty. */
    for (int k = 0; k < 2; k++)
        if (sl->lag[k] < 2 || sl->lag[k] > ts_window_lag_limit(w)) sl->lag[k] = 0;
}

void ts_features_slot(const ts_window_spec *w, const ts_slots *sl, const ts_series_view *sr,
                      long origin, double scale, double loc, const ts_chan *ch, float *out)
{
    const int L = w->length, k = ch->param == 2 ? 1 : 0;
    const long j0 = origin - w->context - w->pad;
    switch (ch->kind) {
    case TS_CHAN_FUTURE:
        for (int p = w->pad + w->context; p < L; p++) out[p] = 1;
        break;
    case TS_CHAN_SLOT_SIN:
    case TS_CHAN_SLOT_COS:
        if (sl->period[k] > 0)
            phase_row(sl->freq, sl->has_time, L, sr->start, j0, sl->period[k],
                      ch->kind == TS_CHAN_SLOT_COS, out);
        break;
    case TS_CHAN_SLOT_FLAG:
        for (int p = 0; sl->period[k] > 0 && p < L; p++) out[p] = 1;
        break;
    case TS_CHAN_SLOT_LAG:
    case TS_CHAN_SLOT_LAG_MASK:
        if (sl->lag[k])
            lag_rows(w, sr, origin, scale, loc, sl->lag[k], ch->kind == TS_CHAN_SLOT_LAG ? out : NULL,
                     ch->kind == TS_CHAN_SLOT_LAG_MASK ? out : NULL);
        break;
    default: TS_CHECK(!"a channel kind the filler does not know");
    }
}

/* Covariate input k at view point j, or NaN when unknown. */
static float cov_value(const ts_series_view *sr, int k, long j)
{
    long i = sr->cov_first + j;
    if (i < 0 || i >= sr->cov_len) return NAN;
    return sr->cov[(size_t)k * (size_t)sr->cov_len + (size_t)i];
}

void ts_features_covariate(const ts_window_spec *w, const ts_series_view *sr, long j0, int k,
                           int raw, float *row)
{
    const int L = w->length, P = w->pad, C = w->context;
    double mean = 0, sd = 0, mabs = 0;
    long n = 0;
    if (!raw) {
        double sum = 0, sq = 0, sa = 0;
        for (int p = P; p < P + C; p++) {
            double v = cov_value(sr, k, j0 + p);
            if (!isnan(v)) sum += v, sq += v * v, sa += fabs(v), n++;
        }
        if (n > 0) {
            mean = sum / n, mabs = sa / n;
            double var = sq / n - mean * mean;
            sd = fmax(sqrt(var > 0 ? var : 0), fmax(0.01 * mabs, 1e-6));
        } else {  /* no context value: the window's own magnitude */
            for (int p = P; p < L; p++) {
                double v = cov_value(sr, k, j0 + p);
                if (!isnan(v)) sa += fabs(v), n++;
            }
            sd = fmax(n ? sa / n : 0, 1e-6);
        }
    }
    for (int p = P; p < L; p++) {
        double v = cov_value(sr, k, j0 + p);
        if (isnan(v)) continue;
        if (!raw) v = fmin(10, fmax(-10, (v - mean) / sd));
        row[p] = (float)v;
    }
}
