/* synth_family.c - one synthetic series: which family, which components,
 * at which level (see data/synth.h for the families). */
#include "data/synth_parts.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/detmath.h"
#include "data/synth.h"
#include "io/error.h"

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

#define STRUCTURAL_KINDS \
    (TS_SYNTH_TREND | TS_SYNTH_SEASON | TS_SYNTH_NOISE | TS_SYNTH_SHIFT | TS_SYNTH_OUTLIER)

/* How often a family is drawn when every family is allowed. */
static const double family_weight[TS_FAMILIES] = {0.6, 0.15, 0.15, 0.1};

static const char *const trend_name[TS_TREND_KINDS] = {"linear", "damped", "exp", "piecewise"};
static const char *const noise_name[TS_NOISE_KINDS] = {"white", "arma", "walk", "garch"};

static void say(char *what, size_t size, const char *part)
{
    size_t len = strlen(what);
    if (len + 1 < size) snprintf(what + len, size - len, "%s%s", len ? "+" : "", part);
}

unsigned ts_synth_families(unsigned kinds)
{
    unsigned f = 0;
    if (kinds & STRUCTURAL_KINDS) f |= 1u << TS_FAMILY_STRUCTURAL;
    if (kinds & TS_SYNTH_INTERMITTENT) f |= 1u << TS_FAMILY_INTERMITTENT;
    if (kinds & TS_SYNTH_GP) f |= 1u << TS_FAMILY_GP;
    if (kinds & TS_SYNTH_MIXUP) f |= 1u << TS_FAMILY_MIXUP;
    return f;
}

static ts_synth_family draw_family(ts_synth_rng *r, unsigned allowed)
{
    double total = 0, u;
    for (int f = 0; f < TS_FAMILIES; f++)
        if (allowed >> f & 1) total += family_weight[f];
    u = ts_synth_uniform(r) * total;
    for (int f = 0; f < TS_FAMILIES; f++)
        if (allowed >> f & 1) {
            if (u < family_weight[f]) return (ts_synth_family)f;
            u -= family_weight[f];
        }
    for (int f = TS_FAMILIES - 1; f > 0; f--)  /* rounding: the last allowed */
        if (allowed >> f & 1) return (ts_synth_family)f;
    return TS_FAMILY_STRUCTURAL;
}

/* Adds one seasonality of period p with an amplitude from [lo, hi]. */
static void add_season(ts_synth_rng *r, const ts_synth_job *job, double p, double lo, double hi,
                       double *s, double *tmp, char *what, size_t size)
{
    ts_season_params sp;
    char part[32];
    ts_season_draw(r, p, &sp);
    ts_season_fill(&sp, job->phase0, job->n, tmp);
    double amp = ts_synth_log_range(r, lo, hi);
    for (size_t j = 0; j < job->n; j++) s[j] += amp * tmp[j];
    snprintf(part, sizeof part, "season%.6g", p);
    say(what, size, part);
}

/* Adds the seasonalities to s: the first period that fits twice in the
 * series always, each later one that does with probability 1/2; a series
 * too short for two cycles takes the shortest period that fits once. */
static void add_seasons(ts_synth_rng *r, const ts_synth_job *job, double lo, double hi,
                        double *s, double *tmp, char *what, size_t size)
{
    int added = 0, once = -1;
    for (int i = 0; i < job->n_periods; i++) {
        double p = job->periods[i];
        if (p <= (double)job->n && (once < 0 || p < job->periods[once])) once = i;
        if (p > (double)job->n / 2 || (added && !ts_synth_bernoulli(r, 0.5))) continue;
        add_season(r, job, p, lo, hi, s, tmp, what, size);
        added++;
    }
    if (!added && once >= 0) add_season(r, job, job->periods[once], lo, hi, s, tmp, what, size);
}

/* The structural components a series gets: each allowed one with its
 * probability; when none was drawn, the first allowed one. */
typedef struct parts { int trend, season, noise, shift, outlier; } parts;

static parts draw_parts(ts_synth_rng *r, unsigned k)
{
    parts p;
    p.trend = (k & TS_SYNTH_TREND) && ts_synth_bernoulli(r, 0.7);
    p.season = (k & TS_SYNTH_SEASON) && ts_synth_bernoulli(r, 0.75);
    p.noise = (k & TS_SYNTH_NOISE) && ts_synth_bernoulli(r, 0.9);
    p.shift = (k & TS_SYNTH_SHIFT) && ts_synth_bernoulli(r, 0.2);
    p.outlier = (k & TS_SYNTH_OUTLIER) && ts_synth_bernoulli(r, 0.1);
    if (p.trend || p.season || p.noise || p.shift || p.outlier) return p;
    if (k & TS_SYNTH_TREND) p.trend = 1;
    else if (k & TS_SYNTH_SEASON) p.season = 1;
    else if (k & TS_SYNTH_NOISE) p.noise = 1;
    else if (k & TS_SYNTH_SHIFT) p.shift = 1;
    else p.outlier = 1;
    return p;
}

/* Noise of a drawn kind and scale into e; returns its scale. */
static double add_noise(ts_synth_rng *r, size_t n, double *e, char *what, size_t size)
{
    ts_noise_params np;
    ts_noise_draw(r, &np);
    ts_noise_fill(r, &np, n, e);
    int walk = np.kind == TS_NOISE_WALK;
    double sigma = ts_synth_log_range(r, walk ? 0.05 : 0.01, walk ? 0.5 : 0.3);
    for (size_t j = 0; j < n; j++) e[j] *= sigma;
    say(what, size, noise_name[np.kind]);
    return sigma;
}

/* Trend t (with shifts), season s and noise e, in units of the level,
 * joined in one of three styles: around a level, additively or with the
 * season multiplying the trend, sometimes clipped at 0 and rounded (sales);
 * on a log scale (positive, everything multiplicative); or signed around 0. */
static int structural(ts_synth_rng *r, const ts_synth_job *job, double *y, char *what,
                      size_t size)
{
    size_t n = job->n;
    double *t = ts_xcalloc(4 * n, sizeof *t), *s = t + n, *e = s + n, *tmp = e + n;
    parts p = draw_parts(r, job->kinds);
    int style = (int)ts_synth_int(r, 0, 2), mult = ts_synth_bernoulli(r, 0.5);
    double level = ts_synth_log_range(r, 1e-2, 1e6), sigma = 0.03;
    if (p.trend) {
        ts_trend_params tp;
        ts_trend_draw(r, n, ts_synth_range(r, 0.1, 1.0), &tp);
        ts_trend_fill(&tp, n, t);
        say(what, size, trend_name[tp.kind]);
    }
    if (p.shift) ts_shifts_add(r, n, 3, 0.2, t), say(what, size, "shift");
    if (p.season) add_seasons(r, job, 0.05, 0.5, s, tmp, what, size);
    if (p.noise) sigma = add_noise(r, n, e, what, size);
    if (p.outlier) ts_outliers_add(r, n, 3, sigma, e), say(what, size, "outlier");
    for (size_t j = 0; j < n; j++) {
        double v = style == 1 ? ts_det_exp(t[j] + s[j] + e[j])
                 : style == 2 ? t[j] + s[j] + e[j]
                 : mult       ? (1 + t[j]) * (1 + s[j]) + e[j]
                              : 1 + t[j] + s[j] + e[j];
        y[j] = level * v;
    }
    int nonneg = style == 1;
    if (style == 0 && ts_synth_bernoulli(r, 0.5)) {
        int whole = level >= 10 && ts_synth_bernoulli(r, 0.5);
        for (size_t j = 0; j < n; j++) y[j] = y[j] < 0 ? 0 : whole ? floor(y[j] + 0.5) : y[j];
        nonneg = 1;
    }
    free(t);
    return nonneg;
}

/* Zero-inflated counts with a rate that may follow a trend and a season. */
static int intermittent(ts_synth_rng *r, const ts_synth_job *job, double *y, char *what,
                        size_t size)
{
    size_t n = job->n;
    double *rate = ts_xcalloc(2 * n, sizeof *rate), *tmp = rate + n, mean = 0, sd;
    if ((job->kinds & TS_SYNTH_TREND) && ts_synth_bernoulli(r, 0.3)) {
        ts_trend_params tp;
        ts_trend_draw(r, n, 0.5, &tp);
        ts_trend_fill(&tp, n, tmp);
        for (size_t j = 0; j < n; j++) rate[j] += tmp[j];
        say(what, size, trend_name[tp.kind]);
    }
    if ((job->kinds & TS_SYNTH_SEASON) && ts_synth_bernoulli(r, 0.5))
        add_seasons(r, job, 0.1, 0.6, rate, tmp, what, size);
    for (size_t j = 0; j < n; j++) rate[j] = ts_det_exp(rate[j]);
    ts_synth_moments(rate, n, &mean, &sd);
    for (size_t j = 0; j < n; j++) rate[j] /= mean;
    double zero_share = ts_synth_range(r, 0.3, 0.95), mean_size = ts_synth_log_range(r, 1, 30);
    ts_intermittent_fill(r, zero_share, mean_size, rate, n, y);
    say(what, size, "count");
    free(rate);
    return 1;
}

/* A GP sample around a level, on a log scale (positive), or signed. */
static int gp(ts_synth_rng *r, const ts_synth_job *job, double *y, char *what, size_t size)
{
    ts_gp_fill(r, job->periods, job->n_periods, 5, job->n, y);
    int style = (int)ts_synth_int(r, 0, 2);
    double level = ts_synth_log_range(r, 1e-2, 1e6);
    double amp = style == 0 ? ts_synth_range(r, 0.05, 0.3) : ts_synth_range(r, 0.1, 1.0);
    for (size_t j = 0; j < job->n; j++)
        y[j] = level * (style == 0 ? 1 + amp * y[j] : style == 1 ? ts_det_exp(amp * y[j]) : y[j]);
    say(what, size, "gp");
    return style == 1;
}

static int family_values(ts_synth_rng *r, const ts_synth_job *job, ts_synth_family f, double *y,
                         char *what, size_t size);

/* TSMixup: a convex combination (Dirichlet(1) weights) of 1..3 series of
 * the other families, each divided by its mean |x|, drawn from streams
 * 1..3 of this series' index; non-negative when every part is. */
static int mixup(ts_synth_rng *r, const ts_synth_job *job, double *y, char *what, size_t size)
{
    ts_synth_job sub = *job;
    sub.kinds &= ~(unsigned)(TS_SYNTH_MIXUP | TS_SYNTH_MISSING);
    if (!ts_synth_families(sub.kinds)) sub.kinds = TS_SYNTH_ALL & ~(unsigned)(TS_SYNTH_MIXUP | TS_SYNTH_MISSING);
    size_t n = job->n;
    int k = (int)ts_synth_int(r, 1, 3), nonneg = 1;
    double w[3], wsum = 0, level = ts_synth_log_range(r, 1e-2, 1e6);
    for (int i = 0; i < k; i++) wsum += w[i] = -ts_det_log(ts_synth_uniform(r));
    double *part = ts_xmalloc(n * sizeof *part);
    char ignored[8];
    memset(y, 0, n * sizeof *y);
    for (int i = 0; i < k; i++) {
        ts_synth_rng pr;
        ts_synth_rng_init(&pr, job->seed, job->index << 2 | (uint64_t)(i + 1));
        ignored[0] = '\0';
        ts_synth_family f = draw_family(&pr, ts_synth_families(sub.kinds));
        nonneg &= family_values(&pr, &sub, f, part, ignored, sizeof ignored);
        double mabs = 0;
        for (size_t j = 0; j < n; j++) mabs += fabs(part[j]);
        mabs = mabs > 0 ? mabs / (double)n : 1;
        for (size_t j = 0; j < n; j++) y[j] += level * (w[i] / wsum) * part[j] / mabs;
    }
    char part_name[16];
    snprintf(part_name, sizeof part_name, "mix%d", k);
    say(what, size, part_name);
    free(part);
    return nonneg;
}

static int family_values(ts_synth_rng *r, const ts_synth_job *job, ts_synth_family f, double *y,
                         char *what, size_t size)
{
    switch (f) {
    case TS_FAMILY_STRUCTURAL: return structural(r, job, y, what, size);
    case TS_FAMILY_INTERMITTENT: return intermittent(r, job, y, what, size);
    case TS_FAMILY_GP: return gp(r, job, y, what, size);
    default: return mixup(r, job, y, what, size);
    }
}

int ts_synth_compose(ts_synth_rng *r, const ts_synth_job *job, double *y, char *what,
                     size_t size)
{
    unsigned allowed = ts_synth_families(job->kinds);
    TS_CHECK(allowed != 0);
    return family_values(r, job, draw_family(r, allowed), y, what, size);
}
