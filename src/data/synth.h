/* synth.h - the synthetic corpus: seeded, generated series of one frequency
 * for pretraining a universal model, and for seeing what it learns from.
 *
 * A series is one of four families, drawn per series:
 *   structural    a level times (or plus) a trend (linear, damped,
 *                 exponential, piecewise with change points), level shifts,
 *                 seasonalities at the frequency's periods (hourly 24, 168;
 *                 daily 7, 365.25; weekly 52.18; monthly 12; quarterly 4)
 *                 additive or multiplicative, noise (white, ARMA, random
 *                 walk, GARCH) and outliers; positive (a log-scale
 *                 composition), non-negative (clipped at 0), or signed;
 *   intermittent  zero-inflated counts whose rate follows a trend and season;
 *   gp            a Gaussian-process sample from a random kernel composition
 *                 (KernelSynth);
 *   mixup         a convex combination of 1..3 series of the other families,
 *                 each scaled by its mean |x| (TSMixup).
 * Any series may get missing stretches (NaN runs, never at its ends). Levels
 * span 1e-2 to 1e6. Components and their parameters: synth_parts.h.
 *
 * Determinism: series i is a function of (seed, i, freq, lengths, kinds)
 * alone: it draws from its own Philox stream, so it is the same whether 5 or
 * 50 series are generated, on any machine and thread count (the arithmetic
 * avoids libm, see detmath.h). Timestamps: series lie on one grid anchored
 * at 2000-01-03 (a Monday; 2000-01-01 for months, quarters and years), so a
 * set written as CSV reads back as the same set; each series ends between
 * 2010 and 2025 where its length allows, and its seasonal phase follows the
 * calendar (hour 0 of a day is the same phase in every hourly series).
 */
#ifndef TS_SYNTH_H
#define TS_SYNTH_H

#include <stddef.h>
#include <stdint.h>

#include "data/series.h"
#include "io/error.h"

/* Components a set may use (--kind). */
enum {
    TS_SYNTH_TREND = 1u << 0,
    TS_SYNTH_SEASON = 1u << 1,
    TS_SYNTH_NOISE = 1u << 2,        /* white, ARMA, random walk, GARCH */
    TS_SYNTH_SHIFT = 1u << 3,        /* level shifts */
    TS_SYNTH_OUTLIER = 1u << 4,
    TS_SYNTH_INTERMITTENT = 1u << 5,
    TS_SYNTH_MISSING = 1u << 6,
    TS_SYNTH_GP = 1u << 7,
    TS_SYNTH_MIXUP = 1u << 8,
    TS_SYNTH_ALL = (1u << 9) - 1,
};

typedef struct ts_synth_config {
    ts_freq freq;          /* any but TS_FREQ_NONE */
    size_t n;              /* series to generate */
    size_t first;          /* index of the first (0): a shard of a larger set */
    size_t min_len, max_len;  /* 2 <= min_len <= max_len; lengths log-uniform */
    uint64_t seed;
    unsigned kinds;        /* TS_SYNTH_* bits; 0 means all */
} ts_synth_config;

/* Generate series first .. first + n - 1 into *out (owned by the caller:
 * ts_series_set_free). Series are named "sI-what": the index and what it
 * is made of ("s7-damped+season7+arma"). Returns 0, or TS_EUSAGE for a bad
 * config (lengths, frequency, kinds that leave nothing to generate, a span
 * outside years 1..9999); *out is then empty. */
int ts_synth_set(const ts_synth_config *cfg, ts_series_set *out, ts_error *err);

/* The checks of ts_synth_set alone: 0 or TS_EUSAGE, nothing generated. */
int ts_synth_check(const ts_synth_config *cfg, ts_error *err);

/* Parse a comma-separated list of component names (trend, season, noise,
 * shift, outlier, intermittent, missing, gp, mixup, all) into TS_SYNTH_*
 * bits. Returns 0 or TS_EUSAGE. */
int ts_synth_kinds_parse(const char *list, unsigned *kinds, ts_error *err);

#endif
