/* schedule.c - the noise schedules (linear, cosine) and their continuous view.
 *
 * Indexing: our t = 0 .. T-1 is the paper's t = 1 .. T, so alpha_bar[0] is the
 * least noisy level (1 - beta[0]) and alpha_bar[T-1] is pure noise.
 *
 * Linear. DDPM's betas run from 1e-4 to 0.02 over T = 1000. We scale both ends
 * by 1000/T: beta_1 = 0.1/T, beta_T = 20/T. Then sum(beta) = T (beta_1 +
 * beta_T)/2 = 10.05 for every T, and since log(1 - b) <= -b,
 *     log alpha_bar[T-1] = sum log(1 - beta) <= -10.05 < log(1e-4) = -9.21,
 * so alpha_bar[T-1] <= 4.3e-5 whatever T (at T = 50 the steps are just
 * coarser: beta runs 0.002 .. 0.4). The betas are capped at 0.999, which
 * binds only for T <= 20; the bound still holds down to T = 5 and we accept
 * T >= TS_SCHEDULE_T_MIN = 10 (check_schedule tests every T from 10 to 2000).
 *
 * Cosine (Nichol & Dhariwal 2021): f(u) = cos^2((u/T + s)/(1 + s) pi/2),
 * s = 0.008, beta[t] = min(1 - f(t+1)/f(t), 0.999). f(T) = 0, so the last
 * beta is clipped and alpha_bar[T-1] = 0.001 alpha_bar[T-2] (2e-9 at T = 1000,
 * 1e-6 at T = 50).
 *
 * Continuous view: log alpha_bar is interpolated linearly between integer t.
 * lambda = log alpha - log sigma = (log ab - log(1 - ab)) / 2 is then strictly
 * decreasing in t (ab is), and inverting it is exact inside a segment:
 * ab = sigmoid(2 lambda), log ab = -softplus(-2 lambda). The cosine
 * schedule's lambda falls to about -10 at t = T-1; the solvers start at
 * TS_LAMBDA_MIN instead (ts_sampler_timesteps), not this file.
 */
#include "diffusion/schedule.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LINEAR_BETA_FIRST 0.1   /* times 1/T */
#define LINEAR_BETA_LAST 20.0   /* times 1/T */
#define COSINE_S 0.008
#define BETA_MAX 0.999
#define PI 3.14159265358979323846

static void linear_betas(double *beta, int T)
{
    double b1 = LINEAR_BETA_FIRST / T, bT = LINEAR_BETA_LAST / T;
    for (int t = 0; t < T; t++) {
        double b = b1 + (bT - b1) * t / (T - 1);
        beta[t] = b < BETA_MAX ? b : BETA_MAX;
    }
}

static double cosine_f(double u, int T)
{
    double c = cos((u / T + COSINE_S) / (1.0 + COSINE_S) * PI / 2.0);
    return c * c;
}

static void cosine_betas(double *beta, int T)
{
    for (int t = 0; t < T; t++) {
        double b = 1.0 - cosine_f(t + 1, T) / cosine_f(t, T);
        beta[t] = b < BETA_MAX ? b : BETA_MAX;
    }
}

int ts_schedule_init(ts_schedule *s, ts_sched_kind kind, int T, ts_error *err)
{
    memset(s, 0, sizeof *s);
    if (T < TS_SCHEDULE_T_MIN || T > TS_SCHEDULE_T_MAX)
        return ts_fail(err, TS_EUSAGE, "diffusion steps T = %d: must be between %d and %d",
                       T, TS_SCHEDULE_T_MIN, TS_SCHEDULE_T_MAX);
    TS_CHECK(kind == TS_SCHED_LINEAR || kind == TS_SCHED_COSINE);
    s->kind = kind;
    s->T = T;
    s->beta = ts_xmalloc((size_t)T * sizeof *s->beta);
    s->alpha_bar = ts_xmalloc((size_t)T * sizeof *s->alpha_bar);
    if (kind == TS_SCHED_LINEAR)
        linear_betas(s->beta, T);
    else
        cosine_betas(s->beta, T);
    double ab = 1.0;
    for (int t = 0; t < T; t++) {
        TS_CHECK(s->beta[t] > 0.0 && s->beta[t] < 1.0);
        ab *= 1.0 - s->beta[t];
        s->alpha_bar[t] = ab;
    }
    TS_CHECK(s->alpha_bar[T - 1] <= 1e-4);
    return 0;
}

void ts_schedule_free(ts_schedule *s)
{
    if (!s) return;
    free(s->beta);
    free(s->alpha_bar);
    s->beta = s->alpha_bar = NULL;
}

int ts_sched_parse(const char *name, ts_sched_kind *out, ts_error *err)
{
    if (strcmp(name, "linear") == 0) { *out = TS_SCHED_LINEAR; return 0; }
    if (strcmp(name, "cosine") == 0) { *out = TS_SCHED_COSINE; return 0; }
    return ts_fail(err, TS_EUSAGE, "unknown noise schedule '%s' (expected linear or cosine)",
                   name);
}

const char *ts_sched_name(ts_sched_kind k)
{
    return k == TS_SCHED_COSINE ? "cosine" : "linear";
}

/* log alpha_bar at fractional t, clamped to [0, T-1]. */
static double log_alpha_bar(const ts_schedule *s, double t)
{
    if (!(t > 0.0)) t = 0.0;  /* also catches NaN */
    if (t > s->T - 1) t = s->T - 1;
    int i = (int)t;
    if (i > s->T - 2) i = s->T - 2;
    double f = t - i;
    return (1.0 - f) * log(s->alpha_bar[i]) + f * log(s->alpha_bar[i + 1]);
}

double ts_schedule_alpha(const ts_schedule *s, double t)
{
    return exp(0.5 * log_alpha_bar(s, t));
}

double ts_schedule_sigma(const ts_schedule *s, double t)
{
    return sqrt(-expm1(log_alpha_bar(s, t)));
}

double ts_schedule_lambda(const ts_schedule *s, double t)
{
    double la = log_alpha_bar(s, t);
    return 0.5 * (la - log(-expm1(la)));
}

/* log(1 + e^x) without overflow. */
static double softplus(double x)
{
    return x > 0.0 ? x + log1p(exp(-x)) : log1p(exp(x));
}

double ts_schedule_t_of_lambda(const ts_schedule *s, double lambda)
{
    int T = s->T;
    if (lambda >= ts_schedule_lambda(s, 0)) return 0.0;
    if (lambda <= ts_schedule_lambda(s, T - 1)) return T - 1;
    double la = -softplus(-2.0 * lambda);  /* log alpha_bar where lambda is reached */
    /* Bisect for the segment [lo, lo+1] with log ab[lo] >= la > log ab[lo+1]. */
    int lo = 0, hi = T - 1;
    while (hi - lo > 1) {
        int mid = lo + (hi - lo) / 2;
        if (log(s->alpha_bar[mid]) >= la) lo = mid; else hi = mid;
    }
    double l0 = log(s->alpha_bar[lo]), l1 = log(s->alpha_bar[hi]);
    double f = (l0 - la) / (l0 - l1);
    if (f < 0.0) f = 0.0;
    if (f > 1.0) f = 1.0;
    return lo + f;
}
