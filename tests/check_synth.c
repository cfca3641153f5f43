/* check_synth.c - the synthetic corpus (data/synth.h, synth_parts.h): the
 * same bits for a seed whatever else is generated and on any thread count,
 * values finite or NaN, lengths and timestamps as asked, and each component
 * measured: trend slopes, seasonal autocorrelation, ARMA autocorrelation,
 * the share of zeros of intermittent demand, missing runs, GP moments. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "data/detmath.h"
#include "data/synth.h"
#include "data/synth_parts.h"
#include "data/timefmt.h"
#include "testutil.h"

static const ts_freq F_DAY = {TS_FREQ_DAY, 1};

#define KNOWN_HASH 0x9c7eb3c9ae0f47a9ull

static ts_synth_config config(ts_freq f, size_t n, uint64_t seed, unsigned kinds)
{
    return (ts_synth_config){.freq = f, .n = n, .min_len = 50, .max_len = 400, .seed = seed,
                             .kinds = kinds};
}

static void make(const ts_synth_config *c, ts_series_set *set)
{
    ts_error err = {0};
    ck_assert_msg(ts_synth_set(c, set, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(set->n, c->n);
}

static int same_series(const ts_series *a, const ts_series *b)
{
    return !strcmp(a->name, b->name) && a->start == b->start && a->len == b->len &&
           !memcmp(a->values, b->values, a->len * sizeof *a->values);
}

/* Sample autocorrelation of x[0..n) at lag k. */
static double acf(const double *x, size_t n, size_t k)
{
    double mean, sd, s = 0;
    ts_synth_moments(x, n, &mean, &sd);
    for (size_t j = 0; j + k < n; j++) s += (x[j] - mean) * (x[j + k] - mean);
    return s / ((double)(n - 1) * sd * sd);
}

/* Least-squares slope of x[0..n) on 0..n-1. */
static double ls_slope(const double *x, size_t n)
{
    double mj = (double)(n - 1) / 2, mx = 0, sxy = 0, sjj = 0;
    for (size_t j = 0; j < n; j++) mx += x[j] / (double)n;
    for (size_t j = 0; j < n; j++) {
        sxy += ((double)j - mj) * (x[j] - mx);
        sjj += ((double)j - mj) * ((double)j - mj);
    }
    return sxy / sjj;
}

START_TEST(test_same_seed_same_bits)
{
    ts_series_set a, b, c;
    ts_synth_config cfg = config(F_DAY, 40, 7, 0);
    make(&cfg, &a);
    make(&cfg, &b);
    cfg.seed = 8;
    make(&cfg, &c);
    size_t differ = 0;
    for (size_t i = 0; i < a.n; i++) {
        ck_assert_msg(same_series(&a.series[i], &b.series[i]), "series %zu differs", i);
        differ += !same_series(&a.series[i], &c.series[i]);
    }
    ck_assert_uint_eq(differ, a.n);  /* another seed: every series changes */
    ts_series_set_free(&a);
    ts_series_set_free(&b);
    ts_series_set_free(&c);
}
END_TEST

START_TEST(test_series_independent_of_count)
{
    ts_series_set few, many, shard;
    ts_synth_config cfg = config(F_DAY, 5, 3, 0);
    make(&cfg, &few);
    cfg.n = 50;
    make(&cfg, &many);
    cfg.first = 3, cfg.n = 2;  /* series 3 and 4 alone */
    make(&cfg, &shard);
    for (size_t i = 0; i < few.n; i++)
        ck_assert_msg(same_series(&few.series[i], &many.series[i]), "series %zu", i);
    ck_assert(same_series(&shard.series[0], &few.series[3]));
    ck_assert(same_series(&shard.series[1], &few.series[4]));
    ts_series_set_free(&few);
    ts_series_set_free(&many);
    ts_series_set_free(&shard);
}
END_TEST

START_TEST(test_thread_count)
{
#ifdef _OPENMP
    ts_series_set one, four;
    ts_synth_config cfg = config(F_DAY, 24, 11, 0);
    int saved = omp_get_max_threads();
    omp_set_num_threads(1);
    make(&cfg, &one);
    omp_set_num_threads(4);
    make(&cfg, &four);
    omp_set_num_threads(saved);
    for (size_t i = 0; i < one.n; i++) ck_assert(same_series(&one.series[i], &four.series[i]));
    ts_series_set_free(&one);
    ts_series_set_free(&four);
#endif
}
END_TEST

/* A known answer: the bits of the first series of seed 1, hashed (FNV-1a).
 * Another machine or compiler must give the same; a deliberate change of
 * the generator changes it here, with the reason in the commit. */
START_TEST(test_known_answer)
{
    ts_series_set set;
    ts_synth_config cfg = config(F_DAY, 6, 1, 0);
    make(&cfg, &set);
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < set.n; i++) {
        const unsigned char *p = (const unsigned char *)set.series[i].values;
        for (size_t k = 0; k < set.series[i].len * sizeof(float); k++)
            h = (h ^ p[k]) * 1099511628211ull;
    }
    ck_assert_msg(h == KNOWN_HASH, "hash %#llx", (unsigned long long)h);
    ts_series_set_free(&set);
}
END_TEST

/* Every value finite or NaN, never NaN at either end (a CSV reader would
 * trim it), some series non-negative and some not, levels over orders of
 * magnitude, for every frequency. */
START_TEST(test_values_valid)
{
    static const ts_freq freqs[] = {{TS_FREQ_HOUR, 1}, {TS_FREQ_DAY, 1}, {TS_FREQ_WEEK, 1},
                                    {TS_FREQ_MONTH, 1}, {TS_FREQ_QUARTER, 1}, {TS_FREQ_YEAR, 1},
                                    {TS_FREQ_BDAY, 1}, {TS_FREQ_MINUTE, 15}};
    for (size_t f = 0; f < sizeof freqs / sizeof freqs[0]; f++) {
        ts_series_set set;
        ts_synth_config cfg = config(freqs[f], 120, 5, 0);
        make(&cfg, &set);
        size_t nonneg = 0, with_nan = 0;
        double lo = INFINITY, hi = 0;
        for (size_t i = 0; i < set.n; i++) {
            const ts_series *s = &set.series[i];
            int neg = 0, nan = 0;
            ck_assert(!isnan(s->values[0]) && !isnan(s->values[s->len - 1]));
            double sum = 0;
            for (size_t j = 0; j < s->len; j++) {
                float v = s->values[j];
                ck_assert_msg(isnan(v) || isfinite(v), "%s[%zu] = %g", s->name, j, v);
                neg |= v < 0, nan |= isnan(v);
                if (!isnan(v)) sum += fabs(v);
            }
            nonneg += !neg, with_nan += nan;
            if (sum > 0) lo = fmin(lo, sum / (double)s->len), hi = fmax(hi, sum / (double)s->len);
        }
        ck_assert_uint_gt(nonneg, set.n / 4);
        ck_assert_uint_lt(nonneg, set.n);
        ck_assert_uint_gt(with_nan, 0);
        ck_assert_msg(hi / lo > 1e4, "levels span only %g", hi / lo);
        ts_series_set_free(&set);
    }
}
END_TEST

START_TEST(test_lengths)
{
    ts_series_set set;
    ts_synth_config cfg = config(F_DAY, 300, 2, 0);
    cfg.min_len = 30, cfg.max_len = 90;
    make(&cfg, &set);
    size_t shortest = SIZE_MAX, longest = 0;
    for (size_t i = 0; i < set.n; i++) {
        size_t len = set.series[i].len;
        ck_assert(len >= 30 && len <= 90);
        shortest = len < shortest ? len : shortest;
        longest = len > longest ? len : longest;
    }
    ck_assert_uint_le(shortest, 35);  /* both ends are reached */
    ck_assert_uint_ge(longest, 85);
    ts_series_set_free(&set);
    cfg.min_len = cfg.max_len = 77, cfg.n = 10;
    make(&cfg, &set);
    for (size_t i = 0; i < set.n; i++) ck_assert_uint_eq(set.series[i].len, 77);
    ts_series_set_free(&set);
}
END_TEST

/* Every series on one grid (the first series' start reaches every other by
 * whole steps), at plausible dates, on the calendar's boundaries. */
START_TEST(test_timestamps_on_grid)
{
    static const ts_freq freqs[] = {{TS_FREQ_HOUR, 1}, {TS_FREQ_DAY, 1}, {TS_FREQ_WEEK, 1},
                                    {TS_FREQ_MONTH, 1}, {TS_FREQ_QUARTER, 1}, {TS_FREQ_YEAR, 1},
                                    {TS_FREQ_BDAY, 1}, {TS_FREQ_MINUTE, 15}, {TS_FREQ_HOUR, 2}};
    for (size_t f = 0; f < sizeof freqs / sizeof freqs[0]; f++) {
        ts_series_set set;
        ts_synth_config cfg = config(freqs[f], 30, 9, TS_SYNTH_TREND);
        make(&cfg, &set);
        for (size_t i = 0; i < set.n; i++) {
            const ts_series *s = &set.series[i];
            int64_t k, y, end = ts_time_add(set.freq, s->start, (long)s->len - 1);
            int m, d;
            ck_assert_int_eq(ts_time_steps(set.freq, set.series[0].start, s->start, &k), 0);
            ck_assert_int_eq(ts_floor_mod(s->start, freqs[f].unit == TS_FREQ_MINUTE ? 900 : 3600), 0);
            ts_civil_from_days(ts_floor_div(s->start, 86400), &y, &m, &d);
            if (freqs[f].unit == TS_FREQ_HOUR) ck_assert_int_eq(ts_floor_mod(s->start / 3600, freqs[f].mult), 0);
            if (freqs[f].unit >= TS_FREQ_DAY) ck_assert_int_eq(ts_floor_mod(s->start, 86400), 0);
            if (freqs[f].unit == TS_FREQ_WEEK) ck_assert_int_eq(ts_weekday(s->start), 0);
            if (freqs[f].unit == TS_FREQ_BDAY) ck_assert_int_lt(ts_weekday(s->start), 5);
            if (freqs[f].unit >= TS_FREQ_MONTH && freqs[f].unit <= TS_FREQ_YEAR) ck_assert_int_eq(d, 1);
            if (freqs[f].unit == TS_FREQ_QUARTER) ck_assert_int_eq((m - 1) % 3, 0);
            if (freqs[f].unit == TS_FREQ_YEAR) ck_assert_int_eq(m, 1);
            ts_civil_from_days(ts_floor_div(end, 86400), &y, &m, &d);
            ck_assert_msg(y >= 2010 && y <= 2025, "%s ends in %lld", s->name, (long long)y);
        }
        ts_series_set_free(&set);
    }
}
END_TEST

START_TEST(test_trend_slopes)
{
    enum { N = 500 };
    double x[N];
    ts_trend_params p = {.kind = TS_TREND_LINEAR, .slope = 0.37};
    ts_trend_fill(&p, N, x);
    ck_assert_double_eq_tol(ls_slope(x, N), 0.37, 1e-12);
    ck_assert_double_eq(x[0], 0);
    p = (ts_trend_params){.kind = TS_TREND_EXP, .rate = -0.004};
    ts_trend_fill(&p, N, x);
    for (size_t j = 0; j < N; j++) x[j] = log1p(x[j]);
    ck_assert_double_eq_tol(ls_slope(x, N), -0.004, 1e-12);
    p = (ts_trend_params){.kind = TS_TREND_DAMPED, .slope = 2, .phi = 0.9};
    ts_trend_fill(&p, N, x);  /* levels off at slope / (1 - phi) */
    ck_assert_double_eq_tol(x[N - 1], 2 / (1 - 0.9), 1e-9);
    ck_assert_double_eq_tol(x[1], 2, 1e-15);
    p = (ts_trend_params){.kind = TS_TREND_PIECEWISE, .slope = 1, .n_knots = 2,
                          .knot = {100, 300}, .knot_slope = {-0.5, 0.25}};
    ts_trend_fill(&p, N, x);
    ck_assert_double_eq_tol(ls_slope(x, 101), 1, 1e-12);
    ck_assert_double_eq_tol(ls_slope(x + 100, 201), -0.5, 1e-12);
    ck_assert_double_eq_tol(ls_slope(x + 300, 200), 0.25, 1e-12);
    /* Drawn trends: the change over the series is of the order asked for. */
    for (uint64_t s = 0; s < 50; s++) {
        ts_synth_rng r;
        ts_synth_rng_init(&r, s, 0);
        ts_trend_draw(&r, N, 0.5, &p);
        ts_trend_fill(&p, N, x);
        ck_assert_double_eq(x[0], 0);
        ck_assert_msg(fabs(x[N - 1]) < 5, "seed %llu: %g", (unsigned long long)s, x[N - 1]);
    }
}
END_TEST

/* A seasonal component of period m repeats at lag m and not at lag m/2. */
START_TEST(test_season_autocorrelation)
{
    static const double periods[] = {24, 7, 12, 4, 168, 52.1775, 365.25};
    for (size_t i = 0; i < sizeof periods / sizeof periods[0]; i++) {
        double m = periods[i];
        size_t n = (size_t)(12 * m), lag = (size_t)floor(m + 0.5), half = lag / 2;
        double *x = malloc(n * sizeof *x);
        for (uint64_t s = 0; s < 10; s++) {
            ts_synth_rng r;
            ts_season_params p;
            ts_synth_rng_init(&r, 100 + s, 0);
            ts_season_draw(&r, m, &p);
            ts_season_fill(&p, (long)(s * 1000003), n, x);
            double mean, sd, at_m = acf(x, n, lag), at_half = acf(x, n, half);
            ts_synth_moments(x, (size_t)(6 * lag), &mean, &sd);
            ck_assert_double_eq_tol(sd, 1, 0.1);  /* unit scale */
            ck_assert_msg(at_m > 0.85 && at_m - at_half > 0.4, "period %g seed %llu: acf %g at %zu, "
                          "%g at %zu", m, (unsigned long long)s, at_m, lag, at_half, half);
        }
        free(x);
    }
    /* One harmonic: a cosine, -1 at half the period. */
    ts_season_params p = {.period = 24, .harmonics = 1, .a = {sqrt(2)}};
    double x[240];
    ts_season_fill(&p, 0, 240, x);
    ck_assert_double_eq_tol(x[0], sqrt(2), 1e-14);
    ck_assert_double_eq_tol(x[6], 0, 1e-14);
    ck_assert_double_eq_tol(acf(x, 240, 12), -0.95, 0.01);
    ck_assert_double_eq_tol(acf(x, 240, 24), 0.9, 0.01);
}
END_TEST

/* The calendar phase: series that start at different points of the grid
 * see the same season at the same point of the calendar. */
START_TEST(test_season_phase)
{
    ts_synth_rng r;
    ts_season_params p;
    double a[48], b[24];
    ts_synth_rng_init(&r, 4, 0);
    ts_season_draw(&r, 24, &p);
    ts_season_fill(&p, 1000, 48, a);
    ts_season_fill(&p, 1000 + 24 * 7 + 5, 24, b);
    for (int j = 0; j < 24; j++) ck_assert_double_eq_tol(a[j + 5], b[j], 1e-12);
}
END_TEST

START_TEST(test_noise)
{
    enum { N = 40000 };
    double *x = malloc(N * sizeof *x), mean, sd;
    ts_synth_rng r;
    ts_synth_rng_init(&r, 1, 0);
    ts_noise_params p = {.kind = TS_NOISE_ARMA, .p = 1, .phi = {0.8}};
    ts_noise_fill(&r, &p, N, x);
    ck_assert_double_eq_tol(acf(x, N, 1), 0.8, 0.02);
    ck_assert_double_eq_tol(acf(x, N, 2), 0.64, 0.03);
    p = (ts_noise_params){.kind = TS_NOISE_ARMA, .q = 1, .theta = 0.5};  /* MA(1) */
    ts_noise_fill(&r, &p, N, x);
    ck_assert_double_eq_tol(acf(x, N, 1), 0.5 / 1.25, 0.02);
    ck_assert_double_eq_tol(acf(x, N, 2), 0, 0.02);
    p = (ts_noise_params){.kind = TS_NOISE_WHITE};
    ts_noise_fill(&r, &p, N, x);
    ts_synth_moments(x, N, &mean, &sd);
    ck_assert_double_eq_tol(mean, 0, 0.02);
    ck_assert_double_eq_tol(sd, 1, 0.02);
    /* GARCH: unit variance, but volatility clusters: the squares correlate. */
    p = (ts_noise_params){.kind = TS_NOISE_GARCH, .alpha = 0.2, .beta = 0.7};
    ts_noise_fill(&r, &p, N, x);
    ts_synth_moments(x, N, &mean, &sd);
    ck_assert_double_eq_tol(sd, 1, 0.1);
    ck_assert_double_lt(fabs(acf(x, N, 1)), 0.03);
    for (size_t j = 0; j < N; j++) x[j] *= x[j];
    ck_assert_double_gt(acf(x, N, 1), 0.15);
    free(x);
}
END_TEST

START_TEST(test_intermittent_zero_share)
{
    enum { N = 20000 };
    double *x = malloc(N * sizeof *x);
    static const double share[] = {0.3, 0.7, 0.95};
    for (int i = 0; i < 3; i++) {
        ts_synth_rng r;
        ts_synth_rng_init(&r, 21, (uint64_t)i);
        ts_intermittent_fill(&r, share[i], 5, NULL, N, x);
        size_t zeros = 0;
        double size = 0;
        for (size_t j = 0; j < N; j++) {
            ck_assert(x[j] >= 0 && x[j] == floor(x[j]));
            zeros += x[j] == 0;
            size += x[j];
        }
        ck_assert_double_eq_tol((double)zeros / N, share[i], 0.015);
        ck_assert_double_eq_tol(size / (double)(N - zeros), 5, 0.25);  /* mean demand size */
    }
    free(x);
    /* The intermittent family alone: non-negative whole numbers, zeros
     * between 30 % and 95 % of each long series. */
    ts_series_set set;
    ts_synth_config cfg = config(F_DAY, 40, 12, TS_SYNTH_INTERMITTENT);
    cfg.min_len = 2000, cfg.max_len = 3000;
    make(&cfg, &set);
    for (size_t i = 0; i < set.n; i++) {
        const ts_series *s = &set.series[i];
        size_t zeros = 0;
        for (size_t j = 0; j < s->len; j++) {
            ck_assert(s->values[j] >= 0 && s->values[j] == floorf(s->values[j]));
            zeros += s->values[j] == 0;
        }
        double z = (double)zeros / (double)s->len;
        ck_assert_msg(z > 0.25 && z < 0.97, "%s: %g zeros", s->name, z);
        ck_assert_ptr_nonnull(strstr(s->name, "count"));
    }
    ts_series_set_free(&set);
}
END_TEST

/* Runs of NaN of bounded length, never at either end. */
START_TEST(test_missing_runs)
{
    enum { N = 200 };
    for (uint64_t s = 0; s < 50; s++) {
        double x[N] = {0};
        ts_synth_rng r;
        ts_synth_rng_init(&r, s, 7);
        int drawn = ts_missing_add(&r, N, 3, 10, x);
        ck_assert(drawn >= 1 && drawn <= 3);
        ck_assert(!isnan(x[0]) && !isnan(x[N - 1]));
        int runs = 0, missing = 0;
        size_t run = 0, longest = 0;
        for (size_t j = 0; j < N; j++) {
            if (isnan(x[j])) {
                missing++;
                run++;
                runs += run == 1;
                longest = run > longest ? run : longest;
            } else {
                ck_assert_double_eq(x[j], 0);
                run = 0;
            }
        }
        ck_assert(runs >= 1 && runs <= drawn);
        ck_assert_uint_le(longest, 30);  /* three runs of 10, touching at most */
        ck_assert_int_le(missing, 30);
    }
}
END_TEST

START_TEST(test_gp)
{
    static const double periods[] = {7, 365.25};
    static const size_t lens[] = {50, 384, 1000};
    for (uint64_t s = 0; s < 12; s++) {
        size_t n = lens[s % 3];
        double *x = malloc(n * sizeof *x), mean, sd;
        ts_synth_rng r;
        ts_synth_rng_init(&r, s, 3);
        ts_gp_fill(&r, periods, 2, 5, n, x);
        for (size_t j = 0; j < n; j++) ck_assert(isfinite(x[j]));
        ts_synth_moments(x, n, &mean, &sd);
        ck_assert_double_eq_tol(mean, 0, 1e-9);
        ck_assert_double_eq_tol(sd, 1, 1e-9);
        free(x);
    }
}
END_TEST

START_TEST(test_detmath)
{
    for (int i = 0; i <= 20000; i++) {
        double x = -700 + 1400.0 * i / 20000;
        ck_assert_double_eq_tol(ts_det_exp(x) / exp(x), 1, 1e-14);
        double y = ldexp(1.0 + i / 20000.0, i % 2000 - 1000);
        ck_assert_double_eq_tol(ts_det_log(y), log(y), 1e-14 * fabs(log(y)) + 1e-16);
        double u = -1e4 + 2e4 * i / 20000.0 + 1e-3 * i, f = u - floor(u);
        ck_assert_double_eq_tol(ts_det_sin_turns(u), sin(6.283185307179586 * f), 1e-14);
        ck_assert_double_eq_tol(ts_det_cos_turns(u), cos(6.283185307179586 * f), 1e-14);
    }
    ck_assert_double_eq(ts_det_exp(0), 1);
    ck_assert_double_eq(ts_det_log(1), 0);
    ck_assert_double_eq(ts_det_sin_turns(0.5), 0);
    ck_assert_double_eq(ts_det_cos_turns(0.25), 0);
    ck_assert_double_eq(ts_det_exp(-1000), 0);
    ck_assert(isinf(ts_det_exp(1000)) && isnan(ts_det_log(-1)));
    ck_assert_double_eq_tol(ts_det_pow(2, 10), 1024, 1e-11);
}
END_TEST

START_TEST(test_uniform_and_poisson)
{
    enum { N = 100000 };
    ts_synth_rng r, again;
    ts_synth_rng_init(&r, 5, 1);
    ts_synth_rng_init(&again, 5, 1);
    double sum = 0, sq = 0, psum = 0;
    for (int i = 0; i < N; i++) {
        double u = ts_synth_uniform(&r);
        ck_assert(u > 0 && u < 1);
        ck_assert(u == ts_synth_uniform(&again));
        sum += u;
        double z = ts_synth_normal(&r);
        ts_synth_normal(&again);
        sq += z * z;
        psum += (double)ts_synth_poisson(&r, 3.5);
        ts_synth_poisson(&again, 3.5);
    }
    ck_assert_double_eq_tol(sum / N, 0.5, 0.005);
    ck_assert_double_eq_tol(sq / N, 1, 0.02);
    ck_assert_double_eq_tol(psum / N, 3.5, 0.03);
    ts_synth_rng other;  /* another stream of the same seed: other numbers */
    ts_synth_rng_init(&other, 5, 2);
    ck_assert(ts_synth_uniform(&other) != ts_synth_uniform(&again));
}
END_TEST

START_TEST(test_kinds)
{
    unsigned k;
    ts_error err = {0};
    ck_assert_int_eq(ts_synth_kinds_parse("trend,season", &k, &err), 0);
    ck_assert_uint_eq(k, TS_SYNTH_TREND | TS_SYNTH_SEASON);
    ck_assert_int_eq(ts_synth_kinds_parse("all", &k, &err), 0);
    ck_assert_uint_eq(k, TS_SYNTH_ALL);
    ck_assert_int_eq(ts_synth_kinds_parse("trend,bogus", &k, &err), TS_EUSAGE);
    ck_assert_ptr_nonnull(strstr(err.msg, "\"bogus\""));
    ck_assert_int_eq(ts_synth_kinds_parse("", &k, &err), TS_EUSAGE);
    ck_assert_int_eq(ts_synth_kinds_parse("trend,", &k, &err), TS_EUSAGE);
    /* Only what is asked for: a trend alone is noiseless and named so. */
    ts_series_set set;
    ts_synth_config cfg = config(F_DAY, 30, 4, TS_SYNTH_TREND);
    make(&cfg, &set);
    for (size_t i = 0; i < set.n; i++) {
        const char *what = strchr(set.series[i].name, '-') + 1;
        ck_assert_msg(!strcmp(what, "linear") || !strcmp(what, "damped") || !strcmp(what, "exp") ||
                      !strcmp(what, "piecewise"), "%s", set.series[i].name);
    }
    ts_series_set_free(&set);
}
END_TEST

START_TEST(test_bad_config)
{
    ts_series_set set;
    ts_error err = {0};
    ts_synth_config cfg = config(F_DAY, 3, 1, 0);
    cfg.min_len = 1;
    ck_assert_int_eq(ts_synth_set(&cfg, &set, &err), TS_EUSAGE);
    ck_assert_ptr_null(set.series);
    cfg.min_len = 50, cfg.max_len = 40;
    ck_assert_int_eq(ts_synth_set(&cfg, &set, &err), TS_EUSAGE);
    cfg = config((ts_freq){TS_FREQ_YEAR, 1}, 3, 1, 0);
    cfg.max_len = 20000;  /* years before year 0 */
    ck_assert_int_eq(ts_synth_set(&cfg, &set, &err), TS_EUSAGE);
    cfg = config((ts_freq){TS_FREQ_NONE, 1}, 3, 1, 0);
    ck_assert_int_eq(ts_synth_set(&cfg, &set, &err), TS_EUSAGE);
    cfg = config(F_DAY, 3, 1, TS_SYNTH_MISSING);
    ck_assert_int_eq(ts_synth_check(&cfg, &err), TS_EUSAGE);
    cfg.kinds = TS_SYNTH_MISSING | TS_SYNTH_GP;
    ck_assert_int_eq(ts_synth_check(&cfg, &err), 0);
}
END_TEST

int main(void)
{
    return tu_run(TU_SUITE("synth", test_same_seed_same_bits, test_series_independent_of_count,
                           test_thread_count, test_known_answer, test_values_valid, test_lengths,
                           test_timestamps_on_grid, test_trend_slopes, test_season_autocorrelation,
                           test_season_phase, test_noise, test_intermittent_zero_share,
                           test_missing_runs, test_gp, test_detmath, test_uniform_and_poisson,
                           test_kinds, test_bad_config));
}
