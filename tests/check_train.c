/* check_train.c - unit tests of the training loop's seams: the per-worker
 * window-pick and noise streams, and the optimizer's skipped steps. A tiny
 * network trains a few steps on a generated daily series set on the CPU. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diffusion/train.h"
#include "nn/backend.h"
#include "nn/threads_gov.h"
#include "nn/unet.h"
#include "testutil.h"

#define N_SERIES 3
#define LEN 120

/* Three daily series: weekly cycles of different phase and level, a few
 * missing points. */
static ts_series_set *make_set(void)
{
    ts_series_set *set = calloc(1, sizeof *set);
    set->n = N_SERIES;
    set->series = calloc(N_SERIES, sizeof *set->series);
    set->freq = (ts_freq){TS_FREQ_DAY, 1};
    set->has_time = 1;
    for (int s = 0; s < N_SERIES; s++) {
        ts_series *sr = &set->series[s];
        sr->name = malloc(8);
        snprintf(sr->name, 8, "s%d", s);
        sr->start = 1704067200 + 86400L * s;  /* 2024-01-01 + s days */
        sr->len = LEN;
        sr->values = malloc(LEN * sizeof(float));
        for (int j = 0; j < LEN; j++)
            sr->values[j] = (float)((s + 1) * (10 + 3 * sin(6.283185307 * (j + s) / 7) + 0.01 * j));
        sr->values[17 + s] = NAN;
    }
    return set;
}

static void free_set(ts_series_set *set)
{
    for (size_t s = 0; s < set->n; s++) {
        free(set->series[s].name);
        free(set->series[s].values);
    }
    free(set->series);
    free(set);
}

static void tiny_config(ts_train_config *c, int worker)
{
    ts_train_config_default(c);
    c->horizon = 7;
    c->context = 14;
    c->steps = 6;
    c->batch = 4;
    c->unet = (ts_unet_config){.width = 8, .levels = 2, .res_blocks = 1, .temb_dim = 8,
                               .groups = 4};
    c->T = 20;
    c->seed = 11;
    c->worker = worker;
    c->val_every = 3;
    c->select_crps = 0;
    c->quiet = 1;
}

/* Train the tiny config on be; the kept EMA weights (caller frees) and the
 * record's counters. */
static float *train(ts_backend *be, int worker, ts_train_record *rec, size_t *np)
{
    ts_series_set *set = make_set();
    ts_train_config cfg;
    tiny_config(&cfg, worker);
    ts_net net = {0};
    ts_error err = {0};
    memset(rec, 0, sizeof *rec);
    ck_assert_int_eq(ts_train_setup(set, &cfg, &net, rec, &err), 0);
    ck_assert_msg(ts_train(be, set, &cfg, &net, rec, &err) == 0, "%s", err.msg);
    *np = net.n_params;
    float *w = malloc(net.n_params * sizeof *w);
    memcpy(w, net.ema, net.n_params * sizeof *w);
    ts_net_free(&net);
    free_set(set);
    return w;
}

/* A worker's streams are its own and reproducible: worker 0 twice gives the
 * same weights bit for bit, worker 1 twice too, and the two differ. */
START_TEST(test_worker_streams)
{
    ts_backend *be = ts_backend_cpu_create(1);
    ts_train_record r0, r0b, r1, r1b;
    size_t n0, n1;
    float *w0 = train(be, 0, &r0, &n0), *w0b = train(be, 0, &r0b, &n0);
    float *w1 = train(be, 1, &r1, &n1), *w1b = train(be, 1, &r1b, &n1);
    ck_assert_uint_eq(n0, n1);
    ck_assert(memcmp(w0, w0b, n0 * sizeof *w0) == 0);
    ck_assert(memcmp(w1, w1b, n1 * sizeof *w1) == 0);
    ck_assert(memcmp(w0, w1, n0 * sizeof *w0) != 0);
    ck_assert_double_eq(r0.final_loss, r0b.final_loss);
    ck_assert(r0.final_loss != r1.final_loss);
    ck_assert_int_eq(r0.skipped_steps, 0);
    ts_train_record *recs[] = {&r0, &r0b, &r1, &r1b};
    for (int i = 0; i < 4; i++) ts_train_record_free(recs[i]);
    free(w0); free(w0b); free(w1); free(w1b);
    ts_backend_destroy(be);
}
END_TEST

/* The CPU backend's masked_sse, with a NaN gradient on calls poison_from ..
 * poison_to (from 1): the optimizer must skip those steps (weights
 * unchanged) and the record count them. Validation takes its loss through
 * masked_sse too, but never before the first step, whose loss is call 1. */
static double (*real_sse)(ts_backend *, size_t, const float *, const float *, const float *,
                          float, float *, double *);
static int sse_calls, poison_from, poison_to;

static double poisoned_sse(ts_backend *be, size_t n, const float *pred, const float *target,
                           const float *mask, float scale, float *dpred, double *count)
{
    double sse = real_sse(be, n, pred, target, mask, scale, dpred, count);
    sse_calls++;
    if (sse_calls >= poison_from && sse_calls <= poison_to) be->fill(be, dpred, NAN, n);
    return sse;
}

START_TEST(test_skipped_steps)
{
    ts_backend *be = ts_backend_cpu_create(1);
    ts_train_record clean, poisoned;
    size_t n;
    float *wc = train(be, 0, &clean, &n);
    ck_assert_int_eq(clean.skipped_steps, 0);

    /* Every call poisoned: every step skipped, the EMA never moves off the
     * initial weights, so nothing is kept but those. */
    real_sse = be->masked_sse;
    be->masked_sse = poisoned_sse;
    sse_calls = 0;
    poison_from = 1;
    poison_to = 1 << 30;
    float *wp = train(be, 0, &poisoned, &n);
    ck_assert_int_eq(poisoned.skipped_steps, 6);
    ck_assert_int_eq(poisoned.steps, 6);
    for (size_t i = 0; i < n; i++) ck_assert(isfinite(wp[i]));
    ck_assert(memcmp(wc, wp, n * sizeof *wc) != 0);
    ts_train_record_free(&poisoned);
    free(wp);

    /* The first step's gradient poisoned: exactly one skipped step. */
    sse_calls = 0;
    poison_from = poison_to = 1;
    wp = train(be, 0, &poisoned, &n);
    ck_assert_int_eq(poisoned.skipped_steps, 1);
    for (size_t i = 0; i < n; i++) ck_assert(isfinite(wp[i]));
    be->masked_sse = real_sse;

    ts_train_record_free(&clean);
    ts_train_record_free(&poisoned);
    free(wc);
    free(wp);
    ts_backend_destroy(be);
}
END_TEST


/* cfg->init: the run starts from the given weights. With every gradient
 * poisoned no step moves them, so the weights kept are the init weights
 * bit for bit; a wrong count of them is refused. */
START_TEST(test_init_weights)
{
    ts_backend *be = ts_backend_cpu_create(1);
    ts_series_set *set = make_set();
    ts_train_config cfg;
    tiny_config(&cfg, 0);
    ts_net net = {0};
    ts_train_record rec = {0};
    ts_error err = {0};
    ck_assert_int_eq(ts_train_setup(set, &cfg, &net, &rec, &err), 0);
    ts_unet *u = ts_unet_create(be, &net.unet, 1);
    size_t np = ts_unet_params(u)->total;
    ts_unet_free(u);
    float *w = malloc(np * sizeof *w);
    for (size_t i = 0; i < np; i++) w[i] = (float)(0.01 * ((long)(i * 7919 % 201) - 100));
    net.n_params = np;
    cfg.init = w;
    real_sse = be->masked_sse;
    be->masked_sse = poisoned_sse;
    sse_calls = 0;
    poison_from = 1;
    poison_to = 1 << 30;
    ck_assert_msg(ts_train(be, set, &cfg, &net, &rec, &err) == 0, "%s", err.msg);
    be->masked_sse = real_sse;
    ck_assert_uint_eq(net.n_params, np);
    ck_assert(memcmp(net.ema, w, np * sizeof *w) == 0);
    ts_train_record_free(&rec);
    net.n_params = np - 1;   /* the init weights of another network */
    ck_assert_int_eq(ts_train(be, set, &cfg, &net, &rec, &err), TS_EDATA);
    ts_train_record_free(&rec);
    ts_net_free(&net);
    free(w);
    free_set(set);
    ts_backend_destroy(be);
}
END_TEST

/* A universal window with varied windows (pretraining) trains to finite
 * weights, the same twice, and other than full windows give. */
START_TEST(test_universal_varied)
{
    ts_backend *be = ts_backend_cpu_create(1);
    ts_series_set *set = make_set();
    float *w[3];
    size_t np = 0;
    for (int k = 0; k < 3; k++) {
        ts_train_config cfg;
        tiny_config(&cfg, 0);
        cfg.universal = 1;
        cfg.vary_window = k < 2;
        ts_net net = {0};
        ts_train_record rec = {0};
        ts_error err = {0};
        ck_assert_int_eq(ts_train_setup(set, &cfg, &net, &rec, &err), 0);
        ck_assert_int_eq(net.win.universal, 1);
        ck_assert_int_eq(net.win.channels, 15);
        ck_assert_msg(ts_train(be, set, &cfg, &net, &rec, &err) == 0, "%s", err.msg);
        np = net.n_params;
        w[k] = malloc(np * sizeof *w[k]);
        memcpy(w[k], net.ema, np * sizeof *w[k]);
        for (size_t i = 0; i < np; i++) ck_assert(isfinite(w[k][i]));
        ts_train_record_free(&rec);
        ts_net_free(&net);
    }
    ck_assert(memcmp(w[0], w[1], np * sizeof *w[0]) == 0);
    ck_assert(memcmp(w[0], w[2], np * sizeof *w[0]) != 0);
    for (int k = 0; k < 3; k++) free(w[k]);
    free_set(set);
    ts_backend_destroy(be);
}
END_TEST

/* Steps on the governor's thread count: `n` steps whose wall time at 1
 * and at max threads, and CPU share of max cores at max, are given; the
 * steps that ran on max threads. */
static int gov_run(int max, int n, double wall_1, double wall_max, double share)
{
    ts_threads_gov g;
    ts_threads_gov_init(&g, max);
    int at_max = 0, cur = max;
    for (int i = 0; i < n; i++) {
        double wall = cur == max ? wall_max : wall_1;
        double cpu = cur == max ? share * max * wall : wall;
        at_max += cur == max;
        cur = ts_threads_gov_step(&g, wall, cpu);
        ck_assert(cur == max || cur == g.alt);
    }
    return at_max;
}

/* The governor keeps all threads on an idle machine without probing,
 * moves to fewer where they are faster (one core taken by another job),
 * stays where all are faster (every core busy), probing a few per cent of
 * the steps; one thread stays one. */
START_TEST(test_threads_gov)
{
    ck_assert_int_eq(gov_run(2, 1000, 0.10, 0.055, 0.9), 1000);        /* idle */
    int busy1 = gov_run(2, 1000, 0.095, 0.105, 0.5);                   /* one hog */
    ck_assert_msg(busy1 < 60, "%d steps of 1000 on 2 threads", busy1);
    int busy2 = gov_run(2, 1000, 0.20, 0.15, 0.33);                    /* both busy */
    ck_assert_msg(busy2 > 970, "%d steps of 1000 on 2 threads", busy2);
    ck_assert_int_ge(gov_run(2, 1000, 0.10, 0.10, 0.5), 970);         /* a tie: max */
    ts_threads_gov g;
    ts_threads_gov_init(&g, 8);
    ck_assert_int_eq(g.alt, 4);
    ts_threads_gov_init(&g, 1);
    for (int i = 0; i < 100; i++) ck_assert_int_eq(ts_threads_gov_step(&g, 1.0, 0.1), 1);
}
END_TEST

/* A fit that picks its threads per step (the fit's default) keeps the
 * weights of a 1-thread fit, and leaves the backend its threads. */
START_TEST(test_adapt_threads)
{
    ts_series_set *set = make_set();
    float *w[2];
    size_t np = 0;
    for (int k = 0; k < 2; k++) {
        ts_backend *be = ts_backend_cpu_create(k ? 2 : 1);
        ts_train_config cfg;
        tiny_config(&cfg, 0);
        cfg.adapt_threads = k;
        ts_net net = {0};
        ts_train_record rec = {0};
        ts_error err = {0};
        ck_assert_int_eq(ts_train_setup(set, &cfg, &net, &rec, &err), 0);
        ck_assert_msg(ts_train(be, set, &cfg, &net, &rec, &err) == 0, "%s", err.msg);
        ck_assert_int_eq(ts_backend_cpu_threads(be), k ? 2 : 1);
        np = net.n_params;
        w[k] = malloc(np * sizeof *w[k]);
        memcpy(w[k], net.ema, np * sizeof *w[k]);
        ts_train_record_free(&rec);
        ts_net_free(&net);
        ts_backend_destroy(be);
    }
    ck_assert(memcmp(w[0], w[1], np * sizeof *w[0]) == 0);
    free(w[0]);
    free(w[1]);
    free_set(set);
}
END_TEST

int main(void)
{
    return tu_run(TU_SUITE("train", test_worker_streams, test_skipped_steps, test_init_weights,
                           test_universal_varied, test_threads_gov, test_adapt_threads));
}
