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
    ts_net net = {0};   /* ts_train_setup fills the settings, not the weights */
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

int main(void)
{
    return tu_run(TU_SUITE("train", test_worker_streams, test_skipped_steps));
}
