/* synth_parts.h - the components the synthetic corpus is composed of, one
 * family per file (synth_trend.c, synth_season.c, synth_noise.c,
 * synth_demand.c, synth_gp.c), and the random stream they draw from
 * (synth_rng.c). synth.c draws which components a series has and adds them
 * up; the tests call the components directly with known parameters.
 *
 * Each component has a params struct, a `draw` that picks the parameters
 * from the stream, and a `fill` that writes n values of unit scale into a
 * double array (fills that need randomness take the stream too). Arrays are
 * the caller's; nothing here allocates except the GP (synth_gp.c).
 */
#ifndef TS_SYNTH_PARTS_H
#define TS_SYNTH_PARTS_H

#include <stddef.h>
#include <stdint.h>

/* ---- the stream (synth_rng.c) ---------------------------------------------
 * Philox 4x32-10 (io/philox.h) keyed by the seed, with the stream number in
 * the upper half of the counter and the draw number in the lower half: block
 * b of stream s is philox4x32((b lo, b hi, s lo, s hi), (seed lo, seed hi)).
 * Stream s of a seed never depends on any other stream. */
typedef struct ts_synth_rng {
    uint32_t key[2], stream[2];
    uint64_t block;      /* next block to compute */
    uint32_t word[4];
    int used;            /* words of word[] consumed (4: none left) */
    int has_spare;
    double spare;        /* the second normal of a Box-Muller pair */
} ts_synth_rng;

void ts_synth_rng_init(ts_synth_rng *r, uint64_t seed, uint64_t stream);
double ts_synth_uniform(ts_synth_rng *r);                  /* (0, 1), 53 bits */
double ts_synth_range(ts_synth_rng *r, double lo, double hi); /* (lo, hi) */
double ts_synth_log_range(ts_synth_rng *r, double lo, double hi); /* log-uniform */
long ts_synth_int(ts_synth_rng *r, long lo, long hi);      /* lo..hi inclusive */
int ts_synth_bernoulli(ts_synth_rng *r, double p);
double ts_synth_normal(ts_synth_rng *r);
double ts_synth_gamma(ts_synth_rng *r, double shape);      /* Gamma(shape, 1) */
long ts_synth_poisson(ts_synth_rng *r, double mean);

/* ---- trends and level shifts (synth_trend.c) ------------------------------ */
typedef enum {
    TS_TREND_LINEAR,     /* slope per step */
    TS_TREND_DAMPED,     /* slope * phi^j per step: levels off */
    TS_TREND_EXP,        /* e^(rate j) - 1 */
    TS_TREND_PIECEWISE,  /* continuous, slope changes at knots */
    TS_TREND_KINDS
} ts_trend_kind;

#define TS_TREND_MAX_KNOTS 4

typedef struct ts_trend_params {
    ts_trend_kind kind;
    double slope;        /* per step (the first piece's, for piecewise) */
    double phi;          /* damped: the slope's decay per step, in (0, 1) */
    double rate;         /* exponential: growth per step */
    int n_knots;
    long knot[TS_TREND_MAX_KNOTS];          /* increasing step indexes */
    double knot_slope[TS_TREND_MAX_KNOTS];  /* slope after each knot */
} ts_trend_params;

/* Draw a trend whose total change over n steps is of order `size`. */
void ts_trend_draw(ts_synth_rng *r, size_t n, double size, ts_trend_params *p);
/* out[j] = the trend at step j (0 at j = 0). */
void ts_trend_fill(const ts_trend_params *p, size_t n, double *out);

/* Adds 1..max_shifts steps of size ~ N(0, size^2) at random points. */
void ts_shifts_add(ts_synth_rng *r, size_t n, int max_shifts, double size, double *out);

/* ---- seasonality (synth_season.c) ----------------------------------------- */
#define TS_SEASON_MAX_HARMONICS 6
#define TS_SEASON_MAX_PROFILE 32

typedef struct ts_season_params {
    double period;       /* in steps, > 1 (need not be whole: 365.25) */
    int harmonics;       /* Fourier terms; 0: use the profile */
    double a[TS_SEASON_MAX_HARMONICS], b[TS_SEASON_MAX_HARMONICS];
    int profile_len;     /* a whole period <= 32 with one value per phase */
    double profile[TS_SEASON_MAX_PROFILE];
} ts_season_params;

/* Draw a shape of the given period: a random profile (whole periods up to
 * 32: day-of-week, hour-of-day spikes) or a few Fourier harmonics. */
void ts_season_draw(ts_synth_rng *r, double period, ts_season_params *p);
/* out[j] = the season at step phase0 + j (phase0: steps since the calendar
 * anchor, so hour 0 of a day is the same phase in every series), scaled to
 * mean 0 and standard deviation 1 over a period. */
void ts_season_fill(const ts_season_params *p, long phase0, size_t n, double *out);

/* ---- noise (synth_noise.c) ------------------------------------------------ */
typedef enum {
    TS_NOISE_WHITE,      /* iid N(0, 1) */
    TS_NOISE_ARMA,       /* stationary ARMA(p <= 2, q <= 1), unit variance */
    TS_NOISE_WALK,       /* random walk: a cumulative sum of N(0, 1) */
    TS_NOISE_GARCH,      /* GARCH(1,1): volatility clusters, unit variance */
    TS_NOISE_KINDS
} ts_noise_kind;

typedef struct ts_noise_params {
    ts_noise_kind kind;
    int p, q;
    double phi[2], theta;          /* ARMA */
    double alpha, beta;            /* GARCH: alpha + beta < 1 */
} ts_noise_params;

void ts_noise_draw(ts_synth_rng *r, ts_noise_params *p);
void ts_noise_fill(ts_synth_rng *r, const ts_noise_params *p, size_t n, double *out);

/* Adds 1..max_outliers spikes of +-(3..8) * size at random points. */
void ts_outliers_add(ts_synth_rng *r, size_t n, int max_outliers, double size, double *out);

/* ---- intermittent demand and missing values (synth_demand.c) -------------- */

/* Zero-inflated counts: each step is 0 with probability zero_share, else
 * 1 + Poisson(rate[j] * (mean_size - 1)) (rate NULL: 1). Non-negative
 * integers; the share of zeros is zero_share in expectation. */
void ts_intermittent_fill(ts_synth_rng *r, double zero_share, double mean_size,
                          const double *rate, size_t n, double *out);

/* Sets runs (1..max_runs) of 1..max_run NaN values, never at the first or
 * the last point (a CSV reader trims missing ends). Returns the number of
 * runs drawn (two may touch or overlap). */
int ts_missing_add(ts_synth_rng *r, size_t n, int max_runs, size_t max_run, double *out);

/* ---- Gaussian processes (synth_gp.c) -------------------------------------- */

/* KernelSynth: a covariance from 1..max_kernels random kernels (periodic at
 * one of periods[] or a random period, RBF, rational quadratic, linear,
 * white noise) joined by + or *, sampled through a Cholesky factor on at most
 * TS_GP_MAX_POINTS points and interpolated linearly to n; standardised to
 * mean 0 and standard deviation 1. */
#define TS_GP_MAX_POINTS 384
void ts_gp_fill(ts_synth_rng *r, const double *periods, int n_periods, int max_kernels,
                size_t n, double *out);

/* Mean and standard deviation of the finite values of x[0..n). */
void ts_synth_moments(const double *x, size_t n, double *mean, double *sd);

/* ---- one series of a family (synth_family.c) ------------------------------ */
typedef enum { TS_FAMILY_STRUCTURAL, TS_FAMILY_INTERMITTENT, TS_FAMILY_GP, TS_FAMILY_MIXUP,
               TS_FAMILIES } ts_synth_family;

typedef struct ts_synth_job {
    size_t n;                /* length */
    long phase0;             /* steps from the calendar anchor to point 0 */
    unsigned kinds;          /* TS_SYNTH_* bits allowed (data/synth.h) */
    const double *periods;   /* the frequency's seasonal periods, in steps */
    int n_periods;
    uint64_t seed, index;    /* mixup draws its parts from streams of index */
} ts_synth_job;

/* Which families the kinds allow: bit f for family f. */
unsigned ts_synth_families(unsigned kinds);

/* Draw a family the kinds allow and write its n values (unscaled level
 * included) to y; append what it is made of to what ("damped+season7");
 * return 1 if it is non-negative by construction. */
int ts_synth_compose(ts_synth_rng *r, const ts_synth_job *job, double *y, char *what,
                     size_t what_size);

#endif
