/* window.h - windows, scaling and input channels: series set -> network input.
 *
 * THE WINDOW. A window of series s at origin o (the index of its first future
 * point) covers L = P + C + H positions p = 0 .. L-1:
 *
 *     p:      0 .. P-1        P .. P+C-1              P+C .. L-1
 *             padding         context                 future (horizon)
 *     index:  (unobserved)    o-C .. o-1              o .. o+H-1
 *
 * C is the context, H the horizon, and P the left padding that makes L a
 * multiple of 2^(levels-1) (the UNet halves the length levels-1 times).
 * Position p holds series point j = o - C + (p - P). Padding, points before
 * the series start (j < 0) and NaN values are unobserved. o may equal the
 * series length: a true forecast, whose future is unknown.
 *
 * SCALING. scale = mean |x| over the observed context points, with a floor:
 *     level = the series' level, ts_window_level(): mean |x| over all its
 *             observed points (the training data; at forecast time the
 *             history in the CSV, i.e. the same data)
 *     scale = level                          if every observed context x is 0
 *     scale = max(scale, 1e-3 * level, 1e-8)
 * (the zero rule keeps a first sale after a silent context from being scaled
 * up a thousandfold). History, targets and lag values are all divided by the
 * same scale; samples are multiplied back with ts_window_unscale(). A window
 * with no observed context point has no scale: it is skipped.
 * CENTRED universal specs (w->centred, pretrain --scaling centred) take the
 * context's mean off first, and divide by the mean distance from it:
 *     loc   = mean x over the observed context points
 *     scale = mean |x - loc| over them, floored at
 *             max(1e-3 * mean |x| over them, 1e-3 * level, 1e-8)
 * History, targets and lag values are then (x - loc) / scale, and samples
 * come back as x * scale + loc. A series whose wiggles are a small part of
 * its level (an exchange rate near 1, a load of 20000 +- 500) then fills
 * the range the network resolves; mean scaling (loc = 0) leaves them a few
 * hundredths wide, about the last noise level a 10-step sampler reaches.
 * BASED universal specs (pretrain --scaling base) measure from the context's
 * base instead, the point of its range nearest zero:
 *     loc   = min x if every observed context x > 0, max x if every one
 *             is < 0, else 0 (a series that touches or crosses zero:
 *             mean scaling)
 *     scale = mean |x - loc| over them, with the floors above
 * so a level far from zero is taken off as by centring, but a series that
 * reaches zero (sales with shut days, intermittent demand) keeps the
 * shape mean scaling gives it: centring turned its zero days into deep
 * outliers, and fine-tunes on such data lost to fits from scratch
 * (bench/RESULTS.md, "Where zero is").
 * HYBRID specs (pretrain --scaling hybrid) centre the windows whose observed
 * context has one sign (every x > 0, or every x < 0) on its mean as CENTRED
 * does, and measure the others from 0 as mean scaling does:
 *     loc   = mean x if every observed context x > 0 or every one < 0,
 *             else 0
 *     scale = mean |x - loc|, with the floors above
 * CROSS specs (pretrain --scaling cross; the default model) measure from 0
 * only the windows whose context crosses 0 (some x > 0 and some < 0), and
 * centre the rest, zeros and all:
 *     loc   = mean x if every observed context x >= 0 or every one <= 0,
 *             else 0
 * A stray zero day in a context of cash withdrawals is then a dip, as in
 * a centred spec: hybrid measured those from 0 and forecast NN5 3 % worse
 * (bench/RESULTS.md, "Zeros are not a crossing").
 * Where zero is (intermittent and positive series) goes in a channel of
 * its own (UNIVERSAL: "zero line").
 * ts_window_fill() takes the level from the series view (data/series.h) it
 * is handed: a view of a piece of a series (a forecast path) carries the
 * level of the whole series, or windows of silent contexts would get another
 * scale than in training.
 *
 * CHANNELS of the input in[channels * L] (channel c at in[c * L + p]) are
 * a table, w->chan[c] = {kind, parameter}, built once by the spec, walked
 * by the filler, written into the model file and checked on load (the
 * names of ts_window_channel_name, kinds and order). Today's specs build:
 *   0            noisy target: 0 everywhere (the trainer and the sampler
 *                write x_t into the future positions P+C .. L-1)
 *   1            history: x_j / scale on observed context positions, else 0
 *   2            mask: 1 on observed context positions, else 0 (padding,
 *                missing points and the whole future are 0)
 *   3 ..         calendar: for each seasonal period q of the frequency
 *                (ts_freq_periods: daily 7, 365.25; hourly 24, 168; ...) the
 *                pair sin(2 pi f), cos(2 pi f), f = phase in [0, 1), over the
 *                whole window (future and padding too: the calendar is known).
 *                With timestamps the phase is the calendar's: hour of day,
 *                day of week (Monday = 0), fraction of the year for periods
 *                of about a year; without timestamps it is (j mod q) / q.
 *   then         seasonal lags, one per lag m in lags[] (the main season
 *                ts_freq_season and, if the context holds it, the secondary
 *                period rounded): at position j the scaled value x_{j - k m}
 *                for the smallest k >= 1 such that point j - k m lies in the
 *                context and is observed; 0 if none. On the future this is
 *                the seasonal-naive forecast; on the context, the value one
 *                season back. 0 on the padding.
 *   then         log(scale), constant over the window (if log_scale).
 *   then         log(gain), constant (residual specs only; TARGETS).
 *   last         covariates known in the future, one channel per input row
 *                k of the view's covariates (data/covariates.h), over the
 *                context AND the horizon (0 on the padding and where a value
 *                is missing). A standardised row ("covariate k") is
 *                (x - mean) / sd, mean and sd over the row's known values on
 *                the context positions, sd floored at max(0.01 * mean |x|,
 *                1e-6) and the result clamped to [-10, 10]; with no known
 *                context value mean = 0, sd = max(mean |x| of the window's
 *                known values, 1e-6). A raw row ("indicator k": one-hot
 *                levels, 0/1 columns) is x as given.
 *
 * UNIVERSAL specs (ts_window_spec_make_universal: the pretrained model's)
 * have one table for every frequency, so that one network reads series of
 * any grid. The slots come from the grid of the series view being filled
 * (its own, else the spec's; ts_window_bind_grid): slot 1 is the main
 * season (ts_freq_season: the period nearest it, e.g. 24 hourly, 7 daily,
 * 12 monthly, 52.18 weekly), slot 2 the next longer period of
 * ts_freq_periods (168 hourly, 365.25 daily; none monthly, weekly,
 * quarterly). The table:
 *   0 noisy, 1 history, 2 mask          as above
 *   3            future: 1 on the future positions, else 0
 *   4, 5, 6      slot 1: sin and cos of its phase (as the calendar pairs
 *                above), and its flag: 1 over the window if the grid has
 *                the slot, else 0 (and the sin and cos are 0)
 *   7, 8, 9      slot 2 likewise
 *   10, 11       lag of slot 1 (m = ts_freq_season, or the period rounded)
 *                as the lag channels above, and its mask: 1 where the lag
 *                channel has a value
 *   12, 13       lag of slot 2 and its mask
 *   14           log(scale)
 *   15           centred specs only: the zero line, asinh(-loc / scale)
 *                over the window (where 0 lies in the scaled values)
 *   then         covariates known in the future, as above (a fine-tuned
 *                universal model: fit --init with --covariate)
 * A universal spec stores the grid it was last filled for (freq, has_time)
 * for information only; its table never depends on it. No residual targets.
 *
 * TARGETS: x0[H] = x_j / scale on the future (0 where missing or unknown),
 * mask[H] = 1 where observed. In a residual spec (w->residual, which needs
 * a lag channel) the network learns instead how the future departs from
 * the seasonal-naive forecast, magnified where the context's own seasonal
 * differences are small:
 *     x0_j = gain * (x_j / scale - base_j)
 *     base = the first lag channel on the future (the scaled seasonal-naive
 *            forecast; 0 where it has no value)
 *     gain = 1 / sqrt(clamp(r, 1e-6, 1e6)),  r = mean |x_i - x_{i-m}| / scale
 *            over the pairs i, i - m (m = lags[0]) observed in the context;
 *            gain = 1 when there is no such pair
 * so a nearly periodic series, whose seasonal differences are a tiny part
 * of its level, does not have targets too small for the network to resolve.
 * (On M4 Hourly gain = 1 / r widened the intervals of mid-range series and
 * gain = 1 left the periodic ones too rough; the square root beat both:
 * bench/RESULTS.md.) A sample x0 becomes (x0 / gain + base_j) * scale:
 * ts_window_untarget(), then ts_window_unscale().
 *
 * TRAINING WINDOWS (ts_window_index): every (s, o) with
 *     1 <= o,  o + H <= len - holdout,
 *     >= 1 observed context point,  >= ceil(H / 4) observed future points,
 * so no training window touches the last `holdout` points of any series (the
 * validation windows sit there, at o = len - H with holdout = H). Contexts
 * reaching before the series start are allowed (padded like at forecast time).
 * Some series must have context + horizon + holdout points (a universal
 * spec: 1 + horizon + holdout).
 * The index stores runs of consecutive origins, not one entry per window.
 */
#ifndef TS_WINDOW_H
#define TS_WINDOW_H

#include <stddef.h>
#include <stdint.h>

#include "data/series.h"
#include "io/error.h"

#define TS_WINDOW_MAX_PERIODS 4
#define TS_WINDOW_MAX_LAGS 2
/* Covariate inputs (data/covariates.h's TS_COV_MAX_ROWS). */
#define TS_WINDOW_MAX_COVS 32
#define TS_WINDOW_MAX_CHANNELS \
    (3 + 2 * TS_WINDOW_MAX_PERIODS + TS_WINDOW_MAX_LAGS + 2 + TS_WINDOW_MAX_COVS)
/* The most levels a window is padded for: nn/unet.h's TS_UNET_MAX_LEVELS
 * (data/ does not include nn/; diffusion/net.c checks the two agree). */
#define TS_WINDOW_MAX_LEVELS 6

/* What an input channel holds (CHANNELS above); the parameter is the
 * calendar period or the lag, in steps, else 0. New inputs (covariates
 * known in the future, per-series features) are new kinds appended here,
 * filled by their own case of the filler. */
typedef enum ts_chan_kind {
    TS_CHAN_NOISY,      /* x_t on the future, written by the trainer or sampler */
    TS_CHAN_HISTORY,    /* scaled observed context */
    TS_CHAN_MASK,       /* 1 on observed context positions */
    TS_CHAN_SIN,        /* calendar phase of period param */
    TS_CHAN_COS,
    TS_CHAN_LAG,        /* seasonal lag param */
    TS_CHAN_LOG_SCALE,  /* log(scale), constant */
    TS_CHAN_LOG_GAIN,   /* log(residual gain), constant (residual specs) */
    TS_CHAN_COV,        /* covariate input param, standardised by the context */
    TS_CHAN_COV_RAW,    /* covariate input param, as given (indicators) */
    /* universal specs (UNIVERSAL above); param: the slot, 1 or 2 */
    TS_CHAN_FUTURE,     /* 1 on the future positions */
    TS_CHAN_SLOT_SIN,   /* phase of the grid's slot-th season, 0 if none */
    TS_CHAN_SLOT_COS,
    TS_CHAN_SLOT_FLAG,  /* 1 if the grid has the slot-th season */
    TS_CHAN_SLOT_LAG,   /* seasonal lag of the slot-th season */
    TS_CHAN_SLOT_LAG_MASK,  /* 1 where that lag has a value */
    TS_CHAN_ZERO,       /* asinh(-loc / scale), constant (centred specs) */
} ts_chan_kind;

typedef struct ts_chan {
    ts_chan_kind kind;
    double param;
} ts_chan;

typedef struct ts_window_spec {
    int context, horizon;   /* C, H */
    int pad;                /* P */
    int length;             /* L = P + C + H, a multiple of 2^(levels-1) */
    int levels;
    ts_freq freq;
    int has_time;           /* calendar phases from timestamps (1) or index */
    int n_periods;          /* calendar periods, in steps */
    double periods[TS_WINDOW_MAX_PERIODS];
    int season;             /* main season (ts_freq_season), 1 if none */
    int n_lags;             /* seasonal-lag channels, in steps */
    int lags[TS_WINDOW_MAX_LAGS];
    int log_scale;          /* 1: a channel of log(scale) (CHANNELS) */
    int residual;           /* 1: targets are relative to the first lag (TARGETS) */
    int n_cov;              /* covariate inputs (CHANNELS), the view's n_cov */
    unsigned char cov_raw[TS_WINDOW_MAX_COVS];  /* 1: input k as given */
    int universal;          /* 1: the frequency-free table (UNIVERSAL) */
    int centred;            /* universal: where values are measured from,
                               TS_LOC_MEAN, _BASE, _HYBRID or _CROSS
                               (SCALING); 0: mean scaling */
    int lag_context;        /* universal: the longest season lag fed, the context
                               the network was trained with (0: the context) */
    int channels;           /* total input channels */
    ts_chan chan[TS_WINDOW_MAX_CHANNELS];   /* the table: what channel c holds */
} ts_window_spec;

/* Where a centred spec measures values from (SCALING). */
enum { TS_LOC_NONE = 0, TS_LOC_MEAN = 1, TS_LOC_BASE = 2, TS_LOC_HYBRID = 3, TS_LOC_CROSS = 4 };

/* Fixed channel numbers; the others are found in the table. */
enum { TS_CH_NOISY = 0, TS_CH_HISTORY = 1, TS_CH_MASK = 2, TS_CH_CALENDAR = 3 };

/* The spec for a grid (freq, has_time): every derived field from context,
 * horizon and levels. TS_EUSAGE if context < 1, horizon < 1, levels outside
 * 1 .. TS_WINDOW_MAX_LEVELS (the network the window is padded for) or the
 * window too long. Deterministic: the model
 * file stores (context, horizon, levels, freq, has_time) and rebuilds it. */
int ts_window_spec_make(ts_window_spec *w, ts_freq freq, int has_time, int context,
                        int horizon, int levels, ts_error *err);

/* The universal spec (UNIVERSAL) for context, horizon and levels; the
 * same checks as ts_window_spec_make. Its grid is none until bound. */
int ts_window_spec_make_universal(ts_window_spec *w, int context, int horizon, int levels,
                                  ts_error *err);

/* Make a universal spec fill views that do not know their grid (a
 * forecast's paths) on the grid (freq, has_time); the table is unchanged.
 * Does nothing to other specs. */
void ts_window_bind_grid(ts_window_spec *w, ts_freq freq, int has_time);

/* Make w's targets residuals of its first lag channel (TARGETS) if on and w
 * has a lag channel, adding the gain channel; returns w->residual. The model
 * file stores the flag beside the spec. */
int ts_window_set_residual(ts_window_spec *w, int on);

/* Make a universal spec centred (SCALING) on the location loc, a TS_LOC_
 * value, adding the zero-line channel before any covariate (TS_LOC_NONE
 * takes it away); returns w->centred (0 for other specs). The model file
 * stores it beside the spec. */
int ts_window_set_centred(ts_window_spec *w, int loc);

/* Give w n covariate channels (raw[k]: input k as given, else
 * standardised; CHANNELS), after every other channel. 0 clears them.
 * TS_CHECKed: n <= TS_WINDOW_MAX_COVS. The model file stores the inputs
 * (data/covariates.h) beside the spec. */
void ts_window_set_covariates(ts_window_spec *w, int n, const int *raw);

/* The same for the grid of a set. */
int ts_window_spec_init(ts_window_spec *w, const ts_series_set *set, int context,
                        int horizon, int levels, ts_error *err);

static inline int ts_window_channels(const ts_window_spec *w) { return w->channels; }

/* The longest season lag a universal window feeds: its context, or the
 * shorter context its network was trained with (lag_context). */
static inline int ts_window_lag_limit(const ts_window_spec *w)
{
    return w->lag_context > 0 && w->lag_context < w->context ? w->lag_context : w->context;
}

/* The first channel of the lags (where they would start when there are
 * none), the log-scale and the gain channel (-1 when absent). */
int ts_window_lag_channel(const ts_window_spec *w);
int ts_window_log_scale_channel(const ts_window_spec *w);
int ts_window_gain_channel(const ts_window_spec *w);

/* Name of channel c, its kind and parameter, as the model file stores it and
 * `info` prints it: "noisy", "history", "mask", "sin 7", "cos 365.25",
 * "lag 7", "log scale", "log gain", "covariate 0", "indicator 1". Returns
 * buf. */
const char *ts_window_channel_name(const ts_window_spec *w, int c, char *buf, size_t size);

/* How a window's values were scaled: x' = (x - loc) / scale (SCALING;
 * loc = 0 unless the spec is centred). */
typedef struct ts_window_norm {
    float scale, loc;
} ts_window_norm;

/* Fill the window of the series v at origin (0 <= origin <= v->len): the
 * context ends at origin, the horizon starts there and may run past the
 * view's last value (a true forecast); the view has w->n_cov covariate
 * inputs. Writes in[channels * length],
 * x0[horizon] and mask[horizon] (either may be NULL) and *norm. Returns 1,
 * or 0 when no context point is observed (then nothing is valid). Training,
 * validation and forecasting all fill through this one function. */
int ts_window_fill(const ts_window_spec *w, const ts_series_view *v, long origin, float *in,
                   float *x0, float *mask, ts_window_norm *norm);

/* Targets back to scaled values (TARGETS) for the window in[channels *
 * length] they belong to: x[h] = x[h] / gain + base[h], h < H. Nothing to
 * do (and in unused) unless w->residual. */
void ts_window_untarget(const ts_window_spec *w, const float *in, float *x);

/* Mean |x| over the observed points of s; 0 if none. */
double ts_window_level(const ts_series *s);

/* x[i] = x[i] * scale + loc for n values: scaled samples back to the
 * series' units (loc added only where it is not 0). */
void ts_window_unscale(float *x, size_t n, ts_window_norm norm);

/* 1 if every observed value of s is >= 0 (also when none is observed). */
int ts_series_nonneg(const ts_series *s);

/* ---- training windows ---- */

typedef struct ts_window_index {
    size_t n;          /* windows in all */
    size_t n_runs;     /* runs of consecutive origins */
    uint32_t *series;  /* [n_runs] series of the run */
    int32_t *origin;   /* [n_runs] first origin of the run */
    size_t *first;     /* [n_runs + 1] window number of each run's start; first[n_runs] = n */
} ts_window_index;

/* Every training window of the set (rule above). TS_EDATA "too little data"
 * when no series has context + horizon + holdout points or when no window has
 * observed values. On failure *ix is empty (safe to free). */
int ts_window_index_build(ts_window_index *ix, const ts_window_spec *w,
                          const ts_series_set *set, int holdout, ts_error *err);
void ts_window_index_free(ts_window_index *ix);

/* Window number i (0 <= i < n): its series and origin (binary search). */
void ts_window_at(const ts_window_index *ix, size_t i, size_t *series, long *origin);

/* A window drawn uniformly by u in [0, 1): number floor(u * n). A Philox
 * uniform has 24 bits; for more than 2^24 windows pass u1 + u2 * 2^-24. */
void ts_window_pick(const ts_window_index *ix, double u, size_t *series, long *origin);

/* ---- defaults ---- */

/* The default context for a horizon. The literature finds 7-14 horizons of
 * context best; the data bounds it. With m the main season (1 if none):
 *     want  = max(8 H, 3 m, 16)
 *     avail = median over series of the observed span (first to last
 *             observed point) - 2 H   (half the series then give full-context
 *             windows besides their held-out horizon); if that is < H, the
 *             longest span - 2 H instead
 *     C     = max(1, min(want, avail))
 */
int ts_window_default_context(const ts_series_set *set, int horizon);

#endif
