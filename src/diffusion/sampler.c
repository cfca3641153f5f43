/* sampler.c - the reverse process: DDPM ancestral, DDIM (eta = 0) and
 * DPM-Solver++(2M), one function each, and the solver time grid.
 *
 * All three run on backend memory through backend ops; the coefficients of
 * every step are computed on the host in double. Notation (schedule.h):
 * ab = alpha_bar, alpha = sqrt(ab), sigma = sqrt(1 - ab), lambda = log
 * alpha - log sigma, x0_hat = (x - sigma eps) / alpha.
 *
 * Work buffers (3 n floats): ddpm uses eps and z; ddim uses eps; dpmpp uses
 * eps, x0_hat of this step and x0_hat of the previous step.
 */
#include "diffusion/sampler.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int ts_sampler_parse(const char *name, ts_sampler_kind *out, ts_error *err)
{
    if (strcmp(name, "ddpm") == 0) { *out = TS_SAMPLER_DDPM; return 0; }
    if (strcmp(name, "ddim") == 0) { *out = TS_SAMPLER_DDIM; return 0; }
    if (strcmp(name, "dpmpp") == 0) { *out = TS_SAMPLER_DPMPP; return 0; }
    return ts_fail(err, TS_EUSAGE, "unknown sampler '%s' (expected ddpm, ddim or dpmpp)", name);
}

const char *ts_sampler_name(ts_sampler_kind k)
{
    switch (k) {
    case TS_SAMPLER_DDPM: return "ddpm";
    case TS_SAMPLER_DDIM: return "ddim";
    case TS_SAMPLER_DPMPP: return "dpmpp";
    }
    return "?";
}

/* The solver's start. x_T ~ N(0, I) is pure noise to within alpha_bar ~ 4e-5
 * (lambda ~ -5) with the linear schedule at t = T-1. The cosine schedule goes
 * on to lambda ~ -10 (alpha_bar ~ 2e-9 at T = 1000), and a step from there to
 * lambda ~ -4.5 forms x0_hat = (x - sigma eps) / alpha with alpha ~ 5e-5: it
 * multiplies any error of eps_hat by e^h ~ 200. So for the cosine schedule the
 * solvers start where lambda = TS_LAMBDA_MIN (t ~ 0.995 (T-1)), as
 * DPM-Solver does, taking x_T as the sample there. */
static double solver_start(const ts_schedule *s)
{
    if (s->kind == TS_SCHED_COSINE && ts_schedule_lambda(s, s->T - 1) < TS_LAMBDA_MIN)
        return ts_schedule_t_of_lambda(s, TS_LAMBDA_MIN);
    return s->T - 1;
}

void ts_sampler_timesteps(const ts_schedule *s, int K, double *ts)
{
    TS_CHECK(K >= 1);
    ts[0] = solver_start(s);
    double lam_lo = ts_schedule_lambda(s, ts[0]);
    double lam_hi = ts_schedule_lambda(s, 0);
    for (int k = 1; k < K; k++)
        ts[k] = ts_schedule_t_of_lambda(s, lam_lo + (lam_hi - lam_lo) * k / K);
    ts[K] = 0.0;
    for (int k = 1; k <= K; k++)
        TS_CHECK(ts[k] < ts[k - 1]);
}

uint64_t ts_sampler_normals(const ts_schedule *s, const ts_sampler_config *cfg, size_t n)
{
    return cfg->kind == TS_SAMPLER_DDPM ? (uint64_t)n * (uint64_t)s->T : (uint64_t)n;
}

/* x <- x0_hat = (x - sigma eps) / alpha at time t. */
static void to_x0_hat(ts_backend *be, const ts_schedule *s, double t, size_t n,
                      const float *eps, float *x)
{
    double a = ts_schedule_alpha(s, t), sg = ts_schedule_sigma(s, t);
    be->axpby(be, n, (float)(-sg / a), eps, (float)(1.0 / a), x);
}

/* Ancestral DDPM over every training step t = T-1 .. 0:
 *   x <- (x - beta_t / sqrt(1 - ab_t) eps) / sqrt(1 - beta_t) + sigma_t z,
 *   sigma_t^2 = beta_t (1 - ab_{t-1}) / (1 - ab_t), no noise at t = 0
 * (where the update is exactly x <- x0_hat, since ab_0 = 1 - beta_0). */
int ts_sample_ddpm(ts_backend *be, const ts_schedule *s, const ts_sampler_config *cfg,
                   size_t n, ts_eps_fn fn, void *ctx, float *x, float *work)
{
    int T = s->T;
    float *eps = work, *z = work + n;
    be->randn(be, n, cfg->seed, cfg->offset, x);
    for (int t = T - 1; t >= 0; t--) {
        fn(ctx, x, (double)t, eps);
        double beta = s->beta[t], ab = s->alpha_bar[t];
        double sqrt_alpha = sqrt(1.0 - beta);
        double c_eps = beta / sqrt(1.0 - ab);
        be->axpby(be, n, (float)(-c_eps / sqrt_alpha), eps, (float)(1.0 / sqrt_alpha), x);
        if (t > 0) {
            double var = beta * (1.0 - s->alpha_bar[t - 1]) / (1.0 - ab);
            uint64_t off = cfg->offset + (uint64_t)n * (uint64_t)(T - t);
            be->randn(be, n, cfg->seed, off, z);
            be->axpby(be, n, (float)sqrt(var), z, 1.0f, x);
        }
    }
    return T;
}

/* The solver grid of K steps (host array of K+1, caller frees). */
static double *solver_grid(const ts_schedule *s, const ts_sampler_config *cfg)
{
    TS_CHECK(cfg->steps >= 1);
    double *ts = ts_xmalloc(((size_t)cfg->steps + 1) * sizeof *ts);
    ts_sampler_timesteps(s, cfg->steps, ts);
    return ts;
}

/* DDIM, eta = 0: x_t = alpha_t x0_hat + sigma_t eps over the solver grid,
 * written as x <- (alpha_t / alpha_s) x + (sigma_t - alpha_t sigma_s / alpha_s) eps;
 * the last step, to sigma = 0, is x <- x0_hat. */
static void ddim_loop(ts_backend *be, const ts_schedule *s, const ts_sampler_config *cfg,
                      size_t n, ts_eps_fn fn, void *ctx, float *x, float *work)
{
    int K = cfg->steps;
    double *ts = solver_grid(s, cfg);
    float *eps = work;
    for (int k = 0; k < K; k++) {
        double t_s = ts[k], t_t = ts[k + 1];
        fn(ctx, x, t_s, eps);
        if (k == K - 1) {
            to_x0_hat(be, s, t_s, n, eps, x);
            break;
        }
        double a_s = ts_schedule_alpha(s, t_s), sg_s = ts_schedule_sigma(s, t_s);
        double a_t = ts_schedule_alpha(s, t_t), sg_t = ts_schedule_sigma(s, t_t);
        be->axpby(be, n, (float)(sg_t - a_t * sg_s / a_s), eps, (float)(a_t / a_s), x);
    }
    free(ts);
}

/* DPM-Solver++(2M), data prediction (Lu et al. 2022), from s = t_k to t = t_{k+1},
 * h = lambda_t - lambda_s:
 *   x <- (sigma_t / sigma_s) x + alpha_t (1 - e^{-h}) D,
 *   D = x0_hat(s)                                  first order (first step),
 *   D = (1 + 1/(2r)) x0_hat(s) - 1/(2r) x0_hat(s_prev), r = h_prev / h, otherwise.
 * The last step goes to sigma = 0, where the first-order update is x <- x0_hat
 * (the "lower order final step", for every K; no log 0, no e^{-inf}). */
static void dpmpp_loop(ts_backend *be, const ts_schedule *s, const ts_sampler_config *cfg,
                       size_t n, ts_eps_fn fn, void *ctx, float *x, float *work)
{
    int K = cfg->steps;
    double *ts = solver_grid(s, cfg);
    float *eps = work, *d_cur = work + n, *d_prev = work + 2 * n;
    double h_prev = 0.0;
    for (int k = 0; k < K; k++) {
        double t_s = ts[k], t_t = ts[k + 1];
        fn(ctx, x, t_s, eps);
        be->copy(be, d_cur, x, n);
        to_x0_hat(be, s, t_s, n, eps, d_cur);
        if (k == K - 1) {
            be->copy(be, x, d_cur, n);
            break;
        }
        double h = ts_schedule_lambda(s, t_t) - ts_schedule_lambda(s, t_s);
        double c_x = ts_schedule_sigma(s, t_t) / ts_schedule_sigma(s, t_s);
        double c_d = -ts_schedule_alpha(s, t_t) * expm1(-h);
        if (k == 0) {
            be->axpby(be, n, (float)c_d, d_cur, (float)c_x, x);
        } else {
            double r = h_prev / h;
            be->axpby(be, n, (float)(c_d * (1.0 + 0.5 / r)), d_cur, (float)c_x, x);
            be->axpby(be, n, (float)(-c_d * 0.5 / r), d_prev, 1.0f, x);
        }
        float *tmp = d_prev; d_prev = d_cur; d_cur = tmp;
        h_prev = h;
    }
    free(ts);
}

typedef void (*solver_loop)(ts_backend *, const ts_schedule *, const ts_sampler_config *,
                            size_t, ts_eps_fn, void *, float *, float *);

void ts_sampler_graph_free(ts_backend *be, ts_sampler_graph *sg)
{
    if (sg->g && be->graph_free) be->graph_free(be, sg->g);
    sg->g = NULL;
}

/* Draw x_T, then run the solver loop: replayed from cfg->graph when it holds
 * a recording of the same call, else recorded into it when the backend can. */
static int run_solver(ts_backend *be, const ts_schedule *s, const ts_sampler_config *cfg,
                      size_t n, ts_eps_fn fn, void *ctx, float *x, float *work, solver_loop loop)
{
    ts_sampler_graph *sg = cfg->graph;
    be->randn(be, n, cfg->seed, cfg->offset, x);
    if (!sg || !be->graph_begin) {
        loop(be, s, cfg, n, fn, ctx, x, work);
        return cfg->steps;
    }
    if (sg->g && sg->n == n && sg->x == x && sg->work == work && sg->fn == fn &&
        sg->ctx == ctx && sg->s == s && sg->kind == (int)cfg->kind && sg->steps == cfg->steps) {
        be->graph_launch(be, sg->g);
        return cfg->steps;
    }
    if (be->graph_begin(be) != 0) {  /* declined: run as usual */
        loop(be, s, cfg, n, fn, ctx, x, work);
        return cfg->steps;
    }
    loop(be, s, cfg, n, fn, ctx, x, work);
    be->graph_end(be, &sg->g);
    *sg = (ts_sampler_graph){sg->g, n, x, work, fn, ctx, s, (int)cfg->kind, cfg->steps};
    return cfg->steps;
}

int ts_sample_ddim(ts_backend *be, const ts_schedule *s, const ts_sampler_config *cfg,
                   size_t n, ts_eps_fn fn, void *ctx, float *x, float *work)
{
    return run_solver(be, s, cfg, n, fn, ctx, x, work, ddim_loop);
}

int ts_sample_dpmpp(ts_backend *be, const ts_schedule *s, const ts_sampler_config *cfg,
                    size_t n, ts_eps_fn fn, void *ctx, float *x, float *work)
{
    return run_solver(be, s, cfg, n, fn, ctx, x, work, dpmpp_loop);
}

int ts_sample(ts_backend *be, const ts_schedule *s, const ts_sampler_config *cfg,
              size_t n, ts_eps_fn fn, void *ctx, float *x, float *work)
{
    switch (cfg->kind) {
    case TS_SAMPLER_DDPM: return ts_sample_ddpm(be, s, cfg, n, fn, ctx, x, work);
    case TS_SAMPLER_DDIM: return ts_sample_ddim(be, s, cfg, n, fn, ctx, x, work);
    case TS_SAMPLER_DPMPP: return ts_sample_dpmpp(be, s, cfg, n, fn, ctx, x, work);
    }
    TS_CHECK(!"unknown sampler kind");
    return 0;
}
