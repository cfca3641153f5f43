/* check_sampler.c - unit tests of the samplers and of the training-objective
 * noising, without any training.
 *
 * For Gaussian data x0 ~ N(mu, sd^2) the exact eps_hat is closed-form:
 * x_t ~ N(a mu, a^2 sd^2 + sigma^2), E[eps | x_t] = sigma (x_t - a mu) /
 * (a^2 sd^2 + sigma^2), a = alpha(t), sigma = sigma(t). Every sampler fed it
 * must give back N(mu, sd^2) up to its discretisation error, and must match a
 * slow double-precision reference written straight from the formulas.
 * The measured errors are printed on stderr (they land in the test log).
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diffusion/objective.h"
#include "diffusion/sampler.h"
#include "diffusion/schedule.h"
#include "nn/backend.h"
#include "io/philox.h"
#include "testutil.h"

#define COUNT(a) ((int)(sizeof(a) / sizeof(a)[0]))
#define SEED 20240611u
#define OFFSET 1000u

static ts_backend *be;

static void setup(void)
{
    be = ts_backend_cpu_create(1);
    ck_assert_ptr_nonnull(be);
}

static void teardown(void) { ts_backend_destroy(be); }

static void sched_ok(ts_schedule *s, ts_sched_kind kind, int T)
{
    ts_error err = { 0 };
    ck_assert_int_eq(ts_schedule_init(s, kind, T, &err), 0);
}

static float *dev_alloc(size_t n)
{
    float *p = be->alloc(be, n);
    ck_assert_ptr_nonnull(p);
    return p;
}

static float *host_copy(const float *d, size_t n)
{
    float *h = malloc(n * sizeof *h);
    ck_assert_ptr_nonnull(h);
    be->download(be, h, d, n);
    return h;
}

/* ---- the exact eps_hat for Gaussian data -------------------------------- */

#define MAX_CALLS 4096

typedef struct gauss {
    const ts_schedule *s;
    size_t n;
    double mu, sd;
    int calls;
    double t_seen[MAX_CALLS];
} gauss;

/* eps = g (x - a mu), g = sigma / (a^2 sd^2 + sigma^2), in backend ops. */
static void gauss_eps(void *ctx, const float *x, double t, float *eps)
{
    gauss *g = ctx;
    double a = ts_schedule_alpha(g->s, t), sg = ts_schedule_sigma(g->s, t);
    double gain = sg / (a * a * g->sd * g->sd + sg * sg);
    if (g->calls < MAX_CALLS) g->t_seen[g->calls] = t;
    g->calls++;
    be->fill(be, eps, (float)(-gain * a * g->mu), g->n);
    be->axpby(be, g->n, (float)gain, x, 1.0f, eps);
}

/* Run one sampler on the Gaussian; returns the output on the host (caller frees). */
static float *run_gauss(const ts_schedule *s, ts_sampler_kind kind, int K, size_t n,
                        double mu, double sd, gauss *g)
{
    memset(g, 0, sizeof *g);
    g->s = s; g->n = n; g->mu = mu; g->sd = sd;
    ts_sampler_config cfg = { .kind = kind, .steps = K, .seed = SEED, .offset = OFFSET };
    float *x = dev_alloc(n), *work = dev_alloc(3 * n);
    int calls = ts_sample(be, s, &cfg, n, gauss_eps, g, x, work);
    ck_assert_int_eq(calls, g->calls);
    float *h = host_copy(x, n);
    be->free(be, x);
    be->free(be, work);
    return h;
}

/* ---- reference samplers: host, double, straight from the formulas ------- */

/* Their own continuous view: log alpha_bar interpolated linearly. */
static double ref_logab(const ts_schedule *s, double t)
{
    int i = (int)floor(t);
    if (i >= s->T - 1) return log(s->alpha_bar[s->T - 1]);
    double f = t - i;
    return (1 - f) * log(s->alpha_bar[i]) + f * log(s->alpha_bar[i + 1]);
}
static double ref_alpha(const ts_schedule *s, double t) { return sqrt(exp(ref_logab(s, t))); }
static double ref_sigma(const ts_schedule *s, double t) { return sqrt(1 - exp(ref_logab(s, t))); }
static double ref_lambda(const ts_schedule *s, double t)
{
    return log(ref_alpha(s, t)) - log(ref_sigma(s, t));
}

/* t where lambda(t) = target, by plain bisection. */
static double ref_t_of_lambda(const ts_schedule *s, double target)
{
    double a = 0, b = s->T - 1;
    for (int it = 0; it < 200; it++) {
        double m = 0.5 * (a + b);
        if (ref_lambda(s, m) > target) a = m; else b = m;
    }
    return 0.5 * (a + b);
}

/* The lambda grid: from T-1 (cosine: from lambda = -5) to 0. */
static void ref_grid(const ts_schedule *s, int K, double *ts)
{
    ts[0] = s->kind == TS_SCHED_COSINE ? ref_t_of_lambda(s, -5.0) : s->T - 1;
    double lo = ref_lambda(s, ts[0]), hi = ref_lambda(s, 0);
    ts[K] = 0;
    for (int k = 1; k < K; k++)
        ts[k] = ref_t_of_lambda(s, lo + (hi - lo) * k / K);
}

static double ref_eps(const ts_schedule *s, double t, double x, double mu, double sd)
{
    double a = ref_alpha(s, t), sg = ref_sigma(s, t);
    return sg * (x - a * mu) / (a * a * sd * sd + sg * sg);
}

/* x: the initial noise in, the sample out (n doubles). */
static void ref_ddpm(const ts_schedule *s, size_t n, double mu, double sd, double *x)
{
    float *zd = dev_alloc(n), *z = malloc(n * sizeof *z);
    for (int t = s->T - 1; t >= 0; t--) {
        double beta = s->beta[t], ab = s->alpha_bar[t], sig = 0;
        if (t > 0) {
            sig = sqrt(beta * (1 - s->alpha_bar[t - 1]) / (1 - ab));
            be->randn(be, n, SEED, OFFSET + (uint64_t)n * (s->T - t), zd);
            be->download(be, z, zd, n);
        }
        for (size_t i = 0; i < n; i++) {
            double e = ref_eps(s, t, x[i], mu, sd);
            x[i] = (x[i] - beta / sqrt(1 - ab) * e) / sqrt(1 - beta) + (t > 0 ? sig * z[i] : 0);
        }
    }
    be->free(be, zd);
    free(z);
}

static void ref_ddim(const ts_schedule *s, int K, size_t n, double mu, double sd, double *x)
{
    double ts[4096];
    ref_grid(s, K, ts);
    for (int k = 0; k < K; k++)
        for (size_t i = 0; i < n; i++) {
            double t = ts[k], e = ref_eps(s, t, x[i], mu, sd);
            double x0 = (x[i] - ref_sigma(s, t) * e) / ref_alpha(s, t);
            x[i] = k == K - 1 ? x0 : ref_alpha(s, ts[k + 1]) * x0 + ref_sigma(s, ts[k + 1]) * e;
        }
}

static void ref_dpmpp(const ts_schedule *s, int K, size_t n, double mu, double sd, double *x)
{
    double ts[4096];
    ref_grid(s, K, ts);
    double *prev = malloc(n * sizeof *prev);
    for (size_t i = 0; i < n; i++) {
        for (int k = 0; k < K; k++) {
            double t_s = ts[k], t_t = ts[k + 1];
            double e = ref_eps(s, t_s, x[i], mu, sd);
            double x0 = (x[i] - ref_sigma(s, t_s) * e) / ref_alpha(s, t_s);
            if (k == K - 1) { x[i] = x0; break; }
            double h = ref_lambda(s, t_t) - ref_lambda(s, t_s), D = x0;
            if (k > 0) {
                double h_prev = ref_lambda(s, t_s) - ref_lambda(s, ts[k - 1]);
                double r = h_prev / h;
                D = x0 + (x0 - prev[i]) / (2 * r);
            }
            x[i] = ref_sigma(s, t_t) / ref_sigma(s, t_s) * x[i]
                   - ref_alpha(s, t_t) * (exp(-h) - 1) * D;
            prev[i] = x0;
        }
    }
    free(prev);
}

/* ---- statistics --------------------------------------------------------- */

typedef struct stats { double mean, sd; } stats;

static stats moments(const float *x, size_t n)
{
    double m = 0, v = 0;
    for (size_t i = 0; i < n; i++) m += x[i];
    m /= n;
    for (size_t i = 0; i < n; i++) v += (x[i] - m) * (x[i] - m);
    return (stats){ m, sqrt(v / (n - 1)) };
}

/* The initial noise of the samplers (x_T), on the host. */
static float *initial_noise(size_t n)
{
    float *d = dev_alloc(n);
    be->randn(be, n, SEED, OFFSET, d);
    float *h = host_copy(d, n);
    be->free(be, d);
    return h;
}

/* A deterministic sampler maps each coordinate of x_T through the same affine
 * map out = c x_T + e for Gaussian data: c and e, free of sampling noise, are
 * what the transport does to N(0, 1) (c should be sd, e should be mu). */
static void transport(const float *xT, const float *out, size_t n, double *c, double *e)
{
    double mx = 0, mo = 0, sxy = 0, sxx = 0;
    for (size_t i = 0; i < n; i++) { mx += xT[i]; mo += out[i]; }
    mx /= n; mo /= n;
    for (size_t i = 0; i < n; i++) {
        sxy += (xT[i] - mx) * (out[i] - mo);
        sxx += (xT[i] - mx) * (xT[i] - mx);
    }
    *c = sxy / sxx;
    *e = mo - *c * mx;
}

/* ---- tests -------------------------------------------------------------- */

static const double gauss_data[][2] = { { 0.7, 0.4 }, { 0.0, 1.0 }, { 3.0, 2.0 } };

/* One sampler setting and its tolerance on the relative error of the spread.
 * ddpm: on the sample std, the bias that exact moment propagation predicts
 * for the worst case (linear schedule, sd 0.4) plus 5 standard errors
 * (1/sqrt(2n) = 0.5 % each). ddim, dpmpp: on the transport slope c/sd, which
 * has no sampling noise: the worst discretisation error that exact
 * propagation predicts over both schedules and the three data sets, plus a
 * margin. */
typedef struct setting { ts_sampler_kind kind; int K, T; double tol; } setting;

static const setting settings[] = {
    { TS_SAMPLER_DDPM, 0, 200, 0.065 },   /* bias -0.5 .. -4.1 % */
    { TS_SAMPLER_DDPM, 0, 1000, 0.035 },  /* bias -0.2 .. -1.0 % */
    { TS_SAMPLER_DDIM, 50, 200, 0.055 },  /* first order: -4.4 .. -4.6 % */
    { TS_SAMPLER_DDIM, 50, 1000, 0.055 }, /* -4.7 .. -4.9 % */
    { TS_SAMPLER_DDIM, 200, 200, 0.016 }, /* -1.1 .. -1.3 % */
    { TS_SAMPLER_DPMPP, 10, 200, 0.04 },  /* -0.6 .. +3.2 % */
    { TS_SAMPLER_DPMPP, 10, 1000, 0.045 },/* +1.7 .. +3.7 % */
    { TS_SAMPLER_DPMPP, 20, 200, 0.016 }, /* +0.6 .. +1.2 % */
    { TS_SAMPLER_DPMPP, 20, 1000, 0.018 },/* +1.2 .. +1.4 % */
    { TS_SAMPLER_DPMPP, 50, 1000, 0.004 },/* +0.2 .. +0.3 % */
};

static double first_time(const ts_schedule *s, ts_sampler_kind kind)
{
    double ts[2];
    if (kind == TS_SAMPLER_DDPM) return s->T - 1;
    ts_sampler_timesteps(s, 1, ts);
    return ts[0];
}

START_TEST(test_gaussian_moments)
{
    const size_t n = 20000;
    float *xT = initial_noise(n);
    stats noise = moments(xT, n);
    for (int si = 0; si < COUNT(settings); si++) {
        const setting *st = &settings[si];
        for (int kind = 0; kind < 2; kind++) {
            ts_schedule s;
            sched_ok(&s, (ts_sched_kind)kind, st->T);
            for (int di = 0; di < COUNT(gauss_data); di++) {
                double mu = gauss_data[di][0], sd = gauss_data[di][1];
                gauss g;
                float *out = run_gauss(&s, st->kind, st->K, n, mu, sd, &g);
                stats m = moments(out, n);
                double se = sd / sqrt((double)n), mean_z = (m.mean - mu) / se;
                double std_err = m.sd / sd - 1, c = 0, e = 0;
                int det = st->kind != TS_SAMPLER_DDPM;
                if (det) transport(xT, out, n, &c, &e);
                fprintf(stderr, "%-5s K=%-3d %-6s T=%-4d mu=%.1f sd=%.1f: mean err %+.4f (%+.2f SE)"
                        " std err %+.2f %%", ts_sampler_name(st->kind), det ? st->K : st->T,
                        ts_sched_name(s.kind), st->T, mu, sd, m.mean - mu, mean_z,
                        100 * std_err);
                if (det)
                    fprintf(stderr, "  transport: slope %+.2f %%, shift %+.4f sd",
                            100 * (c / sd - 1), (e - mu) / sd);
                fputc('\n', stderr);
                ck_assert_msg(fabs(mean_z) < 5, "mean off by %.2f standard errors", mean_z);
                if (det) {
                    ck_assert_msg(fabs(c / sd - 1) < st->tol, "slope off by %.2f %%",
                                  100 * (c / sd - 1));
                    /* x_T ~ N(0, 1) leaves out the signal alpha(t_0) mu that
                     * x at t_0 still holds: the output mean moves by about
                     * -alpha(t_0) mu sd, whatever K. */
                    double t0 = first_time(&s, st->kind);
                    double expect = -ts_schedule_alpha(&s, t0) * mu;
                    ck_assert_msg(fabs((e - mu) / sd - expect) < 0.003,
                                  "shift %.4f sd, expected %.4f", (e - mu) / sd, expect);
                    /* The sample std is the slope times the noise's own std. */
                    ck_assert_double_eq_tol(m.sd, fabs(c) * noise.sd, 1e-4 * sd);
                } else {
                    ck_assert_msg(fabs(std_err) < st->tol, "std off by %.2f %%", 100 * std_err);
                }
                free(out);
            }
            ts_schedule_free(&s);
        }
    }
    free(xT);
}
END_TEST

/* The largest difference relative to the scale of the data, the rms of
 * N(mu, sd^2) (the output itself can be near 0 everywhere: K = 1 gives the
 * posterior mean, ~mu). */
static double max_rel_diff(const float *x, const double *ref, size_t n, double mu, double sd)
{
    double worst = 0;
    for (size_t i = 0; i < n; i++) worst = fmax(worst, fabs(x[i] - ref[i]));
    return worst / sqrt(mu * mu + sd * sd);
}

static const int test_K[] = { 1, 2, 3, 7, 10, 13, 20, 50 };

/* The tolerance against the reference: 1e-4, plus float rounding of x and
 * eps (a few units of 6e-8 on values up to ~4) amplified by sigma/alpha where
 * the output x0_hat = (x - sigma eps) / alpha is formed. That term matters
 * only for K = 1, whose single step forms x0_hat at t_0 (sigma/alpha ~ 150). */
static double ref_tol(const ts_schedule *s, ts_sampler_kind kind, int K)
{
    double t_last = 0;
    if (kind != TS_SAMPLER_DDPM) {
        double *ts = malloc(((size_t)K + 1) * sizeof *ts);
        ts_sampler_timesteps(s, K, ts);
        t_last = ts[K - 1];
        free(ts);
    }
    return 1e-4 + 1e-6 * ts_schedule_sigma(s, t_last) / ts_schedule_alpha(s, t_last);
}

START_TEST(test_reference)
{
    const size_t n = 2000;
    float *xT = initial_noise(n);
    double *ref = malloc(n * sizeof *ref);
    static const int Ts[] = { 200, 1000 };
    for (int kind = 0; kind < 2; kind++)
        for (int ti = 0; ti < 2; ti++) {
            ts_schedule s;
            sched_ok(&s, (ts_sched_kind)kind, Ts[ti]);
            for (int di = 0; di < 2; di++) {
                double mu = gauss_data[di][0], sd = gauss_data[di][1], worst = 0, k1 = 0;
                gauss g;
                float *out = run_gauss(&s, TS_SAMPLER_DDPM, 0, n, mu, sd, &g);
                for (size_t i = 0; i < n; i++) ref[i] = xT[i];
                ref_ddpm(&s, n, mu, sd, ref);
                double d = max_rel_diff(out, ref, n, mu, sd);
                ck_assert_msg(d < ref_tol(&s, TS_SAMPLER_DDPM, 0), "ddpm %s T=%d: %g", ts_sched_name(s.kind), s.T, d);
                free(out);
                for (int ki = 0; ki < COUNT(test_K); ki++) {
                    int K = test_K[ki];
                    out = run_gauss(&s, TS_SAMPLER_DDIM, K, n, mu, sd, &g);
                    for (size_t i = 0; i < n; i++) ref[i] = xT[i];
                    ref_ddim(&s, K, n, mu, sd, ref);
                    double dd = max_rel_diff(out, ref, n, mu, sd);
                    ck_assert_msg(dd < ref_tol(&s, TS_SAMPLER_DDIM, K), "ddim %s T=%d K=%d: %g", ts_sched_name(s.kind), s.T,
                                  K, dd);
                    free(out);
                    out = run_gauss(&s, TS_SAMPLER_DPMPP, K, n, mu, sd, &g);
                    for (size_t i = 0; i < n; i++) ref[i] = xT[i];
                    ref_dpmpp(&s, K, n, mu, sd, ref);
                    double dp = max_rel_diff(out, ref, n, mu, sd);
                    ck_assert_msg(dp < ref_tol(&s, TS_SAMPLER_DPMPP, K), "dpmpp %s T=%d K=%d: %g", ts_sched_name(s.kind),
                                  s.T, K, dp);
                    free(out);
                    if (K > 1) worst = fmax(worst, fmax(dd, dp));
                    else k1 = fmax(k1, fmax(dd, dp));
                }
                fprintf(stderr, "reference %s T=%d mu=%.1f: ddpm %.2g, ddim/dpmpp K=1 %.2g,"
                        " K>1 worst %.2g\n", ts_sched_name(s.kind), s.T, mu, d, k1, worst);
            }
            ts_schedule_free(&s);
        }
    free(ref);
    free(xT);
}
END_TEST

/* eps_fn sees exactly the documented times: ddpm every integer from T-1 down
 * to 0; ddim and dpmpp t_0 .. t_{K-1} of the grid, no duplicates. */
START_TEST(test_call_times)
{
    ts_schedule s;
    sched_ok(&s, TS_SCHED_COSINE, 200);
    gauss g;
    free(run_gauss(&s, TS_SAMPLER_DDPM, 0, 16, 0, 1, &g));
    ck_assert_int_eq(g.calls, 200);
    for (int i = 0; i < 200; i++) ck_assert_double_eq(g.t_seen[i], 199 - i);
    int Ks[] = { 1, 2, 3, 7, 10, 13, 20, 50, 199, 200, 997 };
    for (int kind = 1; kind <= 2; kind++)
        for (int ki = 0; ki < COUNT(Ks); ki++) {
            int K = Ks[ki];
            double *ts = malloc(((size_t)K + 1) * sizeof *ts);
            ts_sampler_timesteps(&s, K, ts);
            free(run_gauss(&s, (ts_sampler_kind)kind, K, 16, 0, 1, &g));
            ck_assert_int_eq(g.calls, K);
            for (int k = 0; k < K; k++) {
                ck_assert_double_eq(g.t_seen[k], ts[k]);
                if (k > 0) ck_assert(g.t_seen[k] < g.t_seen[k - 1]);
            }
            free(ts);
        }
    ts_schedule_free(&s);
}
END_TEST

/* Same seed and offset: the same bits; another offset: other samples; the
 * stream use is what ts_sampler_normals says. */
START_TEST(test_determinism)
{
    ts_schedule s;
    sched_ok(&s, TS_SCHED_LINEAR, 100);
    const size_t n = 64;
    for (int kind = 0; kind < 3; kind++) {
        gauss g;
        float *a = run_gauss(&s, (ts_sampler_kind)kind, 5, n, 0.5, 0.3, &g);
        float *b = run_gauss(&s, (ts_sampler_kind)kind, 5, n, 0.5, 0.3, &g);
        ck_assert_int_eq(memcmp(a, b, n * sizeof *a), 0);
        for (size_t i = 0; i < n; i++) ck_assert(isfinite(a[i]));
        free(a);
        free(b);
    }
    ts_sampler_config cfg = { .kind = TS_SAMPLER_DDPM, .steps = 5 };
    ck_assert_uint_eq(ts_sampler_normals(&s, &cfg, n), 100 * n);
    cfg.kind = TS_SAMPLER_DPMPP;
    ck_assert_uint_eq(ts_sampler_normals(&s, &cfg, n), n);
    cfg.kind = TS_SAMPLER_DDIM;
    ck_assert_uint_eq(ts_sampler_normals(&s, &cfg, n), n);
    ts_schedule_free(&s);
}
END_TEST

/* The objective's noising: x_t = sqrt(ab_t) x0 + sqrt(1 - ab_t) eps per row,
 * t uniform on 0 .. T-1, eps the normals at the documented counters. */
START_TEST(test_objective)
{
    ts_schedule s;
    sched_ok(&s, TS_SCHED_COSINE, 200);
    const int rows = 4000;
    const size_t n = 6, total = (size_t)rows * n;
    float *hx0 = malloc(total * sizeof *hx0);
    for (size_t i = 0; i < total; i++) hx0[i] = (float)(0.3 + 0.01 * (double)(i % 97));
    float *x0 = dev_alloc(total), *eps = dev_alloc(total), *xt = dev_alloc(total);
    be->upload(be, x0, hx0, total);
    float *h_t = malloc(rows * sizeof *h_t);
    uint64_t offset = 7;
    uint64_t used = ts_diffusion_noise(be, &s, rows, n, x0, SEED, offset, h_t, eps, xt);
    ck_assert_uint_ge(used, (uint64_t)rows + total);
    ck_assert_uint_eq((offset + used) % 4, 0);
    float *he = host_copy(eps, total), *hxt = host_copy(xt, total);

    double tsum = 0;
    int seen_first = 0, seen_last = 0;
    for (int r = 0; r < rows; r++) {
        double t = h_t[r];
        ck_assert(t == floor(t) && t >= 0 && t <= 199);
        ck_assert_double_eq(t, floor(ts_philox_uniform(SEED, offset + r) * 200));
        seen_first |= t == 0;
        seen_last |= t == 199;
        tsum += t;
        double a = sqrt(s.alpha_bar[(int)t]), b = sqrt(1 - s.alpha_bar[(int)t]);
        for (size_t j = 0; j < n; j++) {
            size_t i = (size_t)r * n + j;
            ck_assert_float_eq_tol(hxt[i], a * hx0[i] + b * he[i], 1e-6);
        }
    }
    ck_assert(seen_first && seen_last);
    /* mean of U{0..T-1}: (T-1)/2, standard error T / sqrt(12 rows). */
    double se = 200 / sqrt(12.0 * rows);
    ck_assert_msg(fabs(tsum / rows - 99.5) < 5 * se, "mean t %.2f", tsum / rows);
    stats m = moments(he, total);
    ck_assert(fabs(m.mean) < 5 / sqrt((double)total));
    ck_assert(fabs(m.sd - 1) < 5 / sqrt(2.0 * total));

    /* eps is the normal stream from offset + rows rounded up to 4. */
    float *want = malloc(total * sizeof *want);
    ts_philox_normals(SEED, 4008, total, want);
    ck_assert_int_eq(memcmp(want, he, total * sizeof *he), 0);

    /* The next call, from offset + used, draws fresh numbers; xt may alias x0. */
    float *eps2 = dev_alloc(total);
    ts_diffusion_noise(be, &s, rows, n, x0, SEED, offset + used, h_t, eps2, x0);
    float *he2 = host_copy(eps2, total), *hx2 = host_copy(x0, total);
    size_t same = 0;
    for (size_t i = 0; i < total; i++) same += he2[i] == he[i];
    ck_assert_uint_lt(same, 10);
    for (int r = 0; r < rows; r++) {
        double ab = s.alpha_bar[(int)h_t[r]];
        size_t i = (size_t)r * n;
        ck_assert_float_eq_tol(hx2[i], sqrt(ab) * hx0[i] + sqrt(1 - ab) * he2[i], 1e-6);
    }

    free(want); free(he2); free(hx2); free(he); free(hxt); free(h_t); free(hx0);
    be->free(be, eps2); be->free(be, x0); be->free(be, eps); be->free(be, xt);
    ts_schedule_free(&s);
}
END_TEST

static Suite *sampler_suite(void)
{
    Suite *su = suite_create("sampler");
    TCase *tc = tcase_create("gaussian");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_call_times);
    tcase_add_test(tc, test_determinism);
    tcase_add_test(tc, test_objective);
    tcase_add_test(tc, test_reference);
    tcase_add_test(tc, test_gaussian_moments);
    suite_add_tcase(su, tc);
    return su;
}

int main(void) { return tu_run(sampler_suite()); }
