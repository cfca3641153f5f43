/* train.c - the training loop: windows -> noise -> UNet -> masked MSE ->
 * AdamW + EMA, with validation on the held-out last horizon and checkpoints. */
#define _POSIX_C_SOURCE 200809L   /* clock_gettime, also under clang -std=c11 */
#include "diffusion/train.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "data/window.h"
#include "diffusion/denoiser.h"
#include "diffusion/objective.h"
#include "diffusion/sampler.h"
#include "diffusion/sample_stats.h"
#include "diffusion/schedule.h"
#include "io/comm.h"
#include "io/progress.h"
#include "io/philox.h"
#include "nn/threads_gov.h"
#include "nn/unet.h"

#define VAL_TIMES 4        /* diffusion steps each validation window is scored at */
#define VAL_MAX_WINDOWS 256
#define CRPS_WINDOWS 32    /* validation CRPS: windows, samples and solver steps */
#define CRPS_SAMPLES 8
#define CRPS_STEPS 10
#define RECORDS 20         /* loss records in a run (cfg->val_every: 0) */
#define VAL_SHARE 0.10     /* validation's part of a fit's network work, at most */
#define STEP_FORWARDS 2.5  /* a training step's work in forward passes of its rows
                              (a backward costs about 1.5 forwards) */

void ts_train_config_default(ts_train_config *c)
{
    memset(c, 0, sizeof *c);
    c->horizon = 0;
    c->steps = 1500;
    c->batch = 32;
    c->unet = (ts_unet_config){.width = 32, .levels = 3, .res_blocks = 1, .temb_dim = 32,
                               .groups = 8};
    ts_optim_config_default(&c->optim);
    c->sched = TS_SCHED_LINEAR;
    c->T = 200;
    c->seed = 1;
    c->select_crps = 1;
    c->residual = 0;
}

int ts_default_horizon(ts_freq f)
{
    switch (f.unit) {
    case TS_FREQ_SECOND:
    case TS_FREQ_MINUTE: return 60;
    case TS_FREQ_HOUR: return 48;
    case TS_FREQ_DAY: return 30;
    case TS_FREQ_BDAY: return 20;  /* four trading weeks */
    case TS_FREQ_WEEK: return 13;
    case TS_FREQ_MONTH: return 12;
    case TS_FREQ_QUARTER: return 8;
    case TS_FREQ_YEAR: return 4;
    default: return 24;
    }
}

/* Independent Philox streams for the different uses of the seed. */
static uint64_t derive_seed(uint64_t seed, uint64_t tag)
{
    uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (tag + 1);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* The stream `tag` of one worker of a run: worker 0 draws the streams of a
 * run on one process, the others streams of their own. */
static uint64_t worker_seed(uint64_t base, uint64_t tag, int worker)
{
    uint64_t s = derive_seed(base, tag);
    return worker > 0 ? derive_seed(s, (uint64_t)worker) : s;
}

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double seconds(void) { return clock_s(CLOCK_MONOTONIC); }

static int all_constant(const ts_series_set *set)
{
    for (size_t i = 0; i < set->n; i++) {
        const ts_series *s = &set->series[i];
        float first = NAN;
        for (size_t j = 0; j < s->len; j++) {
            float v = s->values[j];
            if (isnan(v)) continue;
            if (isnan(first)) first = v;
            else if (v != first) return 0;
        }
    }
    return 1;
}

void ts_train_record_free(ts_train_record *r)
{
    if (!r) return;
    free(r->hist_step);
    free(r->hist_train);
    free(r->hist_val);
    free(r->params);
    free(r->adam_m);
    free(r->adam_v);
    free(r->ema_now);
    memset(r, 0, sizeof *r);
}

int ts_train_check_set(const ts_series_set *set, ts_error *err)
{
    if (set->n == 0) return ts_fail(err, TS_EDATA, "%s: no series", set->source);
    if (all_constant(set))
        return ts_fail(err, TS_EDATA, "%s: every series is constant: there is nothing to learn",
                       set->source);
    return 0;
}

int ts_train_setup(const ts_series_set *set, const ts_train_config *cfg, ts_net *n,
                   ts_train_record *rec, ts_error *err)
{
    int rc = ts_train_check_set(set, err);
    if (rc) return rc;
    int context = cfg->context ? cfg->context : ts_window_default_context(set, cfg->horizon);
    rc = cfg->universal
           ? ts_window_spec_make_universal(&n->win, context, cfg->horizon, cfg->unet.levels, err)
           : ts_window_spec_init(&n->win, set, context, cfg->horizon, cfg->unet.levels, err);
    if (rc) return rc;
    ts_window_set_centred(&n->win, cfg->universal ? cfg->centred : TS_LOC_NONE);
    if (!set->freqs) ts_window_bind_grid(&n->win, set->freq, set->has_time);
    ts_window_set_residual(&n->win, cfg->residual);
    if (set->n_cov > 0) {   /* the set's covariates become inputs (data/covariates.h) */
        ts_cov_table t;
        rc = ts_cov_table_from_set(&t, set, err);
        if (rc) return rc;
        ts_net_set_covariates(n, &t);
    }
    n->unet = cfg->unet;
    n->unet.in_channels = n->win.channels;
    n->unet.length = n->win.length;
    rc = ts_unet_check_config(&n->unet, err);
    if (rc) return rc;
    n->sched = cfg->sched;
    n->T = cfg->T;
    ts_train_record_start(rec, cfg);
    return 0;
}

void ts_train_record_start(ts_train_record *rec, const ts_train_config *cfg)
{
    rec->seed = cfg->seed;
    rec->batch = cfg->batch;
    rec->lr = cfg->optim.lr;
    rec->best_val_loss = INFINITY;
    rec->select_crps = cfg->select_crps;
}

/* Everything one training run holds; created and freed by ts_train. */
typedef struct trainer {
    ts_backend *be;
    const ts_series_set *set;
    const ts_train_config *cfg;
    ts_net *n;                     /* the network settings and its kept weights */
    ts_train_record *rec;
    ts_unet *net;
    ts_optim *opt;
    ts_schedule sched;
    ts_window_index ix;
    int B, ch, L, H, fut;          /* fut: first future position in a window */
    int r0, rows;                  /* this rank's rows of each batch of B (all: 0, B) */
    int root;                      /* rank 0: checkpoints, shows progress */
    int stop_all;                  /* some rank was asked to stop (MPI) */
    float *grad_h;                 /* host copy of the gradients to sum (MPI) */
    long nsteps;                   /* steps this run */
    uint64_t pick_seed, noise_seed, val_seed, noise_off;  /* this worker's streams */
    uint64_t vary_seed;            /* VARIED WINDOWS (train.h) */
    long picks;
    long start;                    /* rec->steps when the run began */
    long skipped;                  /* steps the optimizer skipped (non-finite gradient) */
    double acc;                    /* training losses since the last record */
    long nacc;
    float *in_h, *x0_h, *mask_h, *eps_h, *t_h;
    float *in_d, *x0_d, *mask_d, *eps_d, *xt_d, *out_d, *ehat_d, *dehat_d, *dout_d, *backup_d;
    float *work_d;                 /* sampler scratch for the validation CRPS */
    size_t nval;                   /* validation windows */
    size_t nval_round;             /* of them, scored by each round (the first ones) */
    long log_every, records, rounds;  /* records of the loss; validated ones */
    long nrecords, nrounds;        /* done so far */
    double val_secs;               /* time spent validating (for --verbose) */
    double comm_secs;              /* MPI: time in the gradient sums, waits included */
    double *level;                 /* [set->n] series levels (scale floor) */
    ts_cov_inputs cov;             /* the network's covariate inputs of every series */
    uint32_t *val_series;
    ts_threads_gov gov;            /* cfg->adapt_threads on a CPU: the threads per step */
    int governed;
} trainer;

/* Fill row r of the host batch with window (s, origin). */
static int fill_row(trainer *tr, int r, size_t s, long origin)
{
    ts_window_norm norm;
    ts_series_view v = ts_series_view_at(tr->set, s, tr->level[s]);
    ts_cov_inputs_view(&tr->cov, s, 0, &v);
    return ts_window_fill(&tr->n->win, &v, origin, tr->in_h + (size_t)r * tr->ch * tr->L,
                          tr->x0_h + (size_t)r * tr->H, tr->mask_h + (size_t)r * tr->H, &norm);
}

/* Upload rows [r0, r0 + rows) of the host batch. */
static void upload_rows(trainer *tr, int r0, int rows)
{
    ts_backend *be = tr->be;
    size_t win = (size_t)tr->ch * tr->L, H = (size_t)tr->H;
    be->upload(be, tr->in_d, tr->in_h + (size_t)r0 * win, (size_t)rows * win);
    be->upload(be, tr->x0_d, tr->x0_h + (size_t)r0 * H, (size_t)rows * H);
    be->upload(be, tr->mask_d, tr->mask_h + (size_t)r0 * H, (size_t)rows * H);
}

static void upload_batch(trainer *tr, int rows) { upload_rows(tr, 0, rows); }

/* ---- one training step: pick -> upload -> noise -> forward -> loss ->
 * backward -> update, each its own function ------------------------------- */

/* The counters of the undated draws in the VARIED WINDOWS stream, far past
 * those of the context and horizon draws (4 per pick). */
#define UNDATED_DRAWS (UINT64_C(1) << 62)

/* Fill row r with window (s, origin) cut to a random effective context and
 * horizon (VARIED WINDOWS, train.h), drawn as pick number k. */
static void fill_varied_row(trainer *tr, int r, size_t s, long origin, uint64_t k)
{
    ts_window_norm norm;
    double u[4];
    for (int i = 0; i < 4; i++) u[i] = ts_philox_uniform(tr->vary_seed, 4 * k + (uint64_t)i);
    int C = tr->n->win.context, H = tr->H;
    long c = u[0] < 0.5 ? C : lround(exp(u[1] * log((double)C)));
    long h = u[2] < 0.5 ? H : 1 + (long)(u[3] * H);
    if (c < 1) c = 1;
    if (h > H) h = H;
    ts_series_view v = ts_series_view_at(tr->set, s, tr->level[s]);
    long from = origin - c < 0 ? 0 : origin - c, to = origin + h < v.len ? origin + h : v.len;
    ts_series_view cut = ts_series_view_slice(&v, from, to);
    if (tr->cfg->undated > 0 &&
        ts_philox_uniform(tr->vary_seed, UNDATED_DRAWS + k) < tr->cfg->undated) {
        cut.freq = (ts_freq){TS_FREQ_NONE, 1};   /* as a series without dates */
        cut.has_time = 0;
    }
    ts_window_fill(&tr->n->win, &cut, origin - from, tr->in_h + (size_t)r * tr->ch * tr->L,
                   tr->x0_h + (size_t)r * tr->H, tr->mask_h + (size_t)r * tr->H, &norm);
}

/* Fill the host batch with B windows from this worker's pick stream (every
 * rank of an MPI job picks the whole batch: the same windows, the same
 * count of observed targets). */
static void pick_batch(trainer *tr)
{
    for (int r = 0; r < tr->B; r++) {
        size_t s;
        long origin;
        uint64_t k = (uint64_t)tr->picks;
        double u = ts_philox_uniform(tr->pick_seed, (uint64_t)tr->picks++);
        u += ts_philox_uniform(tr->pick_seed, (uint64_t)tr->picks++) * 0x1p-24;
        ts_window_pick(&tr->ix, u, &s, &origin);
        if (tr->cfg->vary_window) fill_varied_row(tr, r, s, origin, k);
        else fill_row(tr, r, s, origin);
    }
}

/* Draw t and eps of this rank's rows from this worker's noise stream, at
 * the counters of those rows in the whole batch; x_t into channel 0. */
static void noise_batch(trainer *tr)
{
    ts_backend *be = tr->be;
    int H = tr->H;
    tr->noise_off += ts_diffusion_noise_part(be, &tr->sched, tr->B, tr->r0, tr->rows, (size_t)H,
                                             tr->x0_d, tr->noise_seed, tr->noise_off, tr->t_h,
                                             tr->eps_d, tr->xt_d);
    be->chan_copy(be, tr->rows, 1, H, tr->xt_d, H, 0, tr->in_d, tr->ch * tr->L, tr->fut, 0);
}

/* Forward the batch in in_d; eps_hat of the future positions into ehat_d. */
static void forward_batch(trainer *tr, int rows)
{
    int H = tr->H;
    ts_unet_forward(tr->net, rows, tr->in_d, tr->t_h, tr->out_d);
    tr->be->chan_copy(tr->be, rows, 1, H, tr->out_d, tr->L, tr->fut, tr->ehat_d, H, 0, 0);
}

/* Observed targets in the first `rows` rows of the host batch. */
static double mask_count(const trainer *tr, int rows)
{
    size_t n = (size_t)rows * tr->H;
    double count = 0;
    for (size_t i = 0; i < n; i++) count += tr->mask_h[i];
    return count;
}

/* The masked squared error of ehat_d against eps_d over the `rows` rows
 * on the backend as a (sum, count) pair; dehat_d receives the gradient of
 * the mean over `count` positions: the whole batch's, which the host mask
 * gives before the backend runs (so an MPI rank scales its part by the
 * count of all ranks' rows). */
static ts_loss batch_loss(trainer *tr, int rows, double count)
{
    size_t n = (size_t)rows * tr->H;
    ts_loss l;
    l.sum = tr->be->masked_sse(tr->be, n, tr->ehat_d, tr->eps_d, tr->mask_d,
                               ts_loss_grad_scale(count), tr->dehat_d, &l.count);
    return l;
}

/* The gradients of the weights from dehat_d (assigned, not accumulated). */
static void backward_batch(trainer *tr)
{
    ts_backend *be = tr->be;
    int H = tr->H;
    be->chan_copy(be, tr->rows, 1, H, tr->dehat_d, H, 0, tr->dout_d, tr->L, tr->fut, 0);
    be->fill(be, ts_unet_grads(tr->net), 0.0f, ts_unet_params(tr->net)->total);
    ts_unet_backward(tr->net, tr->dout_d, NULL);
}

/* AdamW + EMA; a step with a non-finite gradient changes nothing and is
 * counted as skipped. */
static void update_weights(trainer *tr)
{
    double norm = ts_optim_step(tr->opt, ts_unet_weights(tr->net), ts_unet_grads(tr->net));
    if (!isfinite(norm)) tr->skipped++;
}

/* MPI: the gradients become the sum of all ranks' (in rank order, the
 * same bits everywhere: io/comm.h), and the loss the whole batch's; the
 * ranks also learn whether any was asked to stop. One process: nothing. */
static void share_gradients(trainer *tr, ts_loss *loss)
{
    if (ts_comm_size() < 2) return;
    double t0 = seconds();
    ts_backend *be = tr->be;
    size_t np = ts_unet_params(tr->net)->total;
    be->download(be, tr->grad_h, ts_unet_grads(tr->net), np);
    ts_comm_sum_floats(tr->grad_h, np);
    be->upload(be, ts_unet_grads(tr->net), tr->grad_h, np);
    double v[3] = {loss->sum, loss->count, tr->cfg->stop && *tr->cfg->stop};
    ts_comm_sum_doubles(v, 3);
    *loss = (ts_loss){v[0], v[1]};
    tr->stop_all = v[2] > 0;
    tr->comm_secs += seconds() - t0;
}

static ts_loss train_step(trainer *tr)
{
    pick_batch(tr);
    upload_rows(tr, tr->r0, tr->rows);
    noise_batch(tr);
    forward_batch(tr, tr->rows);
    ts_loss loss = batch_loss(tr, tr->rows, mask_count(tr, tr->B));
    backward_batch(tr);
    share_gradients(tr, &loss);
    update_weights(tr);
    return loss;
}

/* Run `fn` with other weights in the network, then put the live ones back:
 * the host copy `host`, or the EMA weights when it is NULL. */
static double with_weights(trainer *tr, const float *host, double (*fn)(trainer *))
{
    ts_backend *be = tr->be;
    size_t nparam = ts_unet_params(tr->net)->total;
    float *w = ts_unet_weights(tr->net);
    be->copy(be, tr->backup_d, w, nparam);
    if (host) be->upload(be, w, host, nparam);
    else be->copy(be, w, tr->opt->ema, nparam);
    double v = fn(tr);
    be->copy(be, w, tr->backup_d, nparam);
    return v;
}

static double with_ema(trainer *tr, double (*fn)(trainer *)) { return with_weights(tr, NULL, fn); }

/* MPI: the ranks share a validation round's batches, round robin (each
 * batch's noise is fixed by its place), and add their sums. */
static int my_batch(size_t i) { return i % (size_t)ts_comm_size() == (size_t)ts_comm_rank(); }

/* Validation loss: the first nval_round validation windows at VAL_TIMES
 * fixed diffusion steps with fixed noise, so values are comparable across
 * the run. */
static double val_loss(trainer *tr)
{
    int H = tr->H;
    size_t rows_total = tr->nval_round * VAL_TIMES;
    double sum = 0, count = 0;
    for (size_t r0 = 0; r0 < rows_total; r0 += (size_t)tr->B) {
        if (!my_batch(r0 / (size_t)tr->B)) continue;
        int rows = (int)(rows_total - r0 < (size_t)tr->B ? rows_total - r0 : (size_t)tr->B);
        for (int r = 0; r < rows; r++) {
            size_t row = r0 + (size_t)r, v = row / VAL_TIMES;
            size_t s = tr->val_series[v];
            int tk = (int)(row % VAL_TIMES);
            fill_row(tr, r, s, (long)tr->set->series[s].len - H);
            double t = (tr->sched.T - 1) * (tk + 0.5) / VAL_TIMES;
            double ab = tr->sched.alpha_bar[(int)t];
            float *x0 = tr->x0_h + (size_t)r * H, *eps = tr->eps_h + (size_t)r * H;
            float *xt = tr->in_h + (size_t)r * tr->ch * tr->L + tr->fut;
            ts_philox_normals(tr->val_seed, row * (uint64_t)H, (size_t)H, eps);
            for (int j = 0; j < H; j++) xt[j] = (float)(sqrt(ab) * x0[j] + sqrt(1 - ab) * eps[j]);
            tr->t_h[r] = (float)(int)t;
        }
        upload_batch(tr, rows);
        tr->be->upload(tr->be, tr->eps_d, tr->eps_h, (size_t)rows * H);
        forward_batch(tr, rows);
        ts_loss l = batch_loss(tr, rows, mask_count(tr, rows));
        sum += l.sum;
        count += l.count;
    }
    double v[2] = {sum, count};
    ts_comm_sum_doubles(v, 2);
    return v[1] > 0 ? v[0] / v[1] : NAN;
}

/* Validation CRPS: the first nval_round validation windows forecast with
 * CRPS_SAMPLES DPM-Solver++ paths of CRPS_STEPS steps from fixed noise, and
 * scored in scaled units as sum CRPS / sum |y| over the observed targets. */
static double val_crps(trainer *tr)
{
    ts_backend *be = tr->be;
    int H = tr->H, S = tr->B < CRPS_SAMPLES ? tr->B : CRPS_SAMPLES;
    int per = tr->B / S;  /* windows per batch */
    size_t nw = tr->nval_round, win = (size_t)tr->ch * tr->L;
    ts_sampler_config sc = {.kind = TS_SAMPLER_DPMPP, .steps = CRPS_STEPS,
                            .seed = tr->val_seed};
    float *col = ts_xmalloc((size_t)S * sizeof *col);
    double num = 0, den = 0;
    for (size_t w0 = 0; w0 < nw; w0 += (size_t)per) {
        if (!my_batch(w0 / (size_t)per)) continue;
        int nwin = (int)(nw - w0 < (size_t)per ? nw - w0 : (size_t)per), rows = nwin * S;
        for (int i = 0; i < nwin; i++) {
            size_t s = tr->val_series[w0 + (size_t)i];
            fill_row(tr, i * S, s, (long)tr->set->series[s].len - H);
            for (int k = 1; k < S; k++)
                memcpy(tr->in_h + (size_t)(i * S + k) * win, tr->in_h + (size_t)i * S * win,
                       win * sizeof(float));
        }
        be->upload(be, tr->in_d, tr->in_h, (size_t)rows * win);
        ts_denoiser dn = {.be = be, .net = tr->net, .rows = rows, .channels = tr->ch,
                          .length = tr->L, .fut = tr->fut, .horizon = H, .in = tr->in_d,
                          .out = tr->out_d, .h_t = tr->t_h};
        sc.offset = (uint64_t)w0 * S * H * (tr->sched.T + 1);
        ts_sample(be, &tr->sched, &sc, (size_t)rows * H, ts_denoiser_eps, &dn, tr->xt_d,
                  tr->work_d);
        be->download(be, tr->eps_h, tr->xt_d, (size_t)rows * H);
        /* Samples and targets back to scaled values. */
        for (int r = 0; r < rows; r++)
            ts_window_untarget(&tr->n->win, tr->in_h + (size_t)r * win, tr->eps_h + (size_t)r * H);
        for (int i = 0; i < nwin; i++)
            ts_window_untarget(&tr->n->win, tr->in_h + (size_t)i * S * win,
                               tr->x0_h + (size_t)i * S * H);
        for (int i = 0; i < nwin; i++)
            for (int j = 0; j < H; j++) {
                size_t at = (size_t)i * S * H + (size_t)j;  /* row i*S of x0/mask */
                if (tr->mask_h[at] == 0) continue;
                for (int k = 0; k < S; k++) col[k] = tr->eps_h[(size_t)(i * S + k) * H + (size_t)j];
                num += ts_crps_samples(col, S, tr->x0_h[at]);
                den += fabs(tr->x0_h[at]);
            }
    }
    free(col);
    double v[2] = {num, den};
    ts_comm_sum_doubles(v, 2);
    return v[1] > 0 ? v[0] / v[1] : NAN;
}

static void trainer_free(trainer *tr)
{
    ts_backend *be = tr->be;
    float *dev[] = {tr->in_d, tr->x0_d, tr->mask_d, tr->eps_d, tr->xt_d, tr->out_d,
                    tr->ehat_d, tr->dehat_d, tr->dout_d, tr->backup_d, tr->work_d};
    for (size_t i = 0; i < sizeof dev / sizeof dev[0]; i++)
        if (dev[i]) be->free(be, dev[i]);
    free(tr->in_h);
    free(tr->x0_h);
    free(tr->mask_h);
    free(tr->eps_h);
    free(tr->t_h);
    free(tr->grad_h);
    free(tr->val_series);
    free(tr->level);
    ts_cov_inputs_free(&tr->cov);
    ts_window_index_free(&tr->ix);
    ts_schedule_free(&tr->sched);
    if (tr->opt) ts_optim_free(tr->opt);
    if (tr->net) ts_unet_free(tr->net);
}

/* Series whose last horizon can be scored: at most VAL_MAX_WINDOWS of them,
 * spread evenly over the set. */
static void pick_validation(trainer *tr)
{
    const ts_series_set *set = tr->set;
    size_t ok = 0;
    uint32_t *cand = ts_xmalloc((set->n + 1) * sizeof *cand);
    for (size_t s = 0; s < set->n; s++) {
        if ((long)set->series[s].len < tr->H + 1) continue;
        if (fill_row(tr, 0, s, (long)set->series[s].len - tr->H)) cand[ok++] = (uint32_t)s;
    }
    size_t n = ok < VAL_MAX_WINDOWS ? ok : VAL_MAX_WINDOWS;
    tr->val_series = ts_xmalloc((n + 1) * sizeof *tr->val_series);
    for (size_t i = 0; i < n; i++) tr->val_series[i] = cand[i * ok / n];
    tr->nval = n;
    free(cand);
}

/* How much validation a run affords, in network work counted as row
 * passes (never timed: the same settings and seed keep the same weights on
 * any machine). A training step is a forward and a backward of B rows
 * (STEP_FORWARDS); a round scores nval_round windows, each VAL_TIMES
 * rows for the loss or S CRPS paths of CRPS_STEPS calls. The rounds take at
 * most VAL_SHARE of the run: up to one per loss record (RECORDS a run),
 * fewer when they cost more, and when even one full round would cost more,
 * a single final round on fewer windows. cfg->val_every validates at each
 * of its records, at full cost. */
static void plan_validation(trainer *tr)
{
    long n = tr->nsteps, every = tr->cfg->val_every;
    tr->log_every = every > 0 ? every : (n + RECORDS - 1) / RECORDS;
    tr->records = (n + tr->log_every - 1) / tr->log_every;
    size_t most = tr->rec->select_crps && tr->nval > CRPS_WINDOWS ? CRPS_WINDOWS : tr->nval;
    tr->nval_round = most;
    tr->rounds = tr->records;
    if (every > 0 || !most) return;
    int S = tr->B < CRPS_SAMPLES ? tr->B : CRPS_SAMPLES;
    double per_window = tr->rec->select_crps ? (double)S * CRPS_STEPS : VAL_TIMES;
    double budget = VAL_SHARE / (1 - VAL_SHARE) * STEP_FORWARDS * tr->B * (double)n;
    double windows = floor(budget / per_window);  /* all rounds together */
    if (windows < (double)most) tr->nval_round = windows >= 1 ? (size_t)windows : 1;
    double rounds = floor(windows / (double)tr->nval_round);
    tr->rounds = rounds < 1 ? 1 : rounds < (double)tr->records ? (long)rounds : tr->records;
}

/* A resumed run whose rounds score another number of windows than the run
 * before cannot compare with its best score: its own first round sets it. */
static void keep_comparable(trainer *tr)
{
    ts_train_record *rec = tr->rec;
    if (rec->val_windows && rec->val_windows != (long)tr->nval_round)
        rec->best_val_loss = INFINITY;
    rec->val_windows = (long)tr->nval_round;
}

static int trainer_init(trainer *tr, ts_error *err)
{
    ts_backend *be = tr->be;
    const ts_net *n = tr->n;
    const ts_train_record *rec = tr->rec;
    int rc = ts_schedule_init(&tr->sched, n->sched, n->T, err);
    if (rc) return rc;
    rc = ts_window_index_build(&tr->ix, &n->win, tr->set, n->win.horizon, err);
    if (!rc) rc = ts_cov_inputs_build(&tr->cov, &n->cov, tr->set, err);
    if (rc) return rc;
    tr->level = ts_xmalloc((tr->set->n + 1) * sizeof *tr->level);
    for (size_t i = 0; i < tr->set->n; i++) tr->level[i] = ts_window_level(&tr->set->series[i]);
    tr->B = tr->cfg->batch;
    tr->ch = n->win.channels;
    tr->L = n->win.length;
    tr->H = n->win.horizon;
    tr->fut = n->win.pad + n->win.context;
    int rank = ts_comm_rank(), size = ts_comm_size();
    tr->root = rank == 0;
    tr->r0 = (int)((long)rank * tr->B / size);
    tr->rows = (int)((long)(rank + 1) * tr->B / size) - tr->r0;
    if (tr->B < size)
        return ts_fail(err, TS_EUSAGE, "a batch of %d windows cannot be shared by %d ranks "
                       "(--batch at least the ranks)", tr->B, size);
    tr->net = ts_unet_create(be, &n->unet, tr->B);
    if (!tr->net) return ts_fail(err, TS_EINTERNAL, "out of %s memory for the network", be->name);
    size_t np = ts_unet_params(tr->net)->total, B = (size_t)tr->B, H = (size_t)tr->H;
    size_t win = (size_t)tr->ch * tr->L;
    if (size > 1) tr->grad_h = ts_xmalloc(np * sizeof(float));
    tr->in_h = ts_xmalloc(B * win * sizeof(float));
    tr->x0_h = ts_xmalloc(B * H * sizeof(float));
    tr->mask_h = ts_xmalloc(B * H * sizeof(float));
    tr->eps_h = ts_xmalloc(B * H * sizeof(float));
    tr->t_h = ts_xmalloc(B * sizeof(float));
    tr->in_d = be->alloc(be, B * win);
    tr->x0_d = be->alloc(be, B * H);
    tr->mask_d = be->alloc(be, B * H);
    tr->eps_d = be->alloc(be, B * H);
    tr->xt_d = be->alloc(be, B * H);
    tr->ehat_d = be->alloc(be, B * H);
    tr->dehat_d = be->alloc(be, B * H);
    tr->out_d = be->alloc(be, B * (size_t)tr->L);
    tr->dout_d = be->alloc(be, B * (size_t)tr->L);
    tr->backup_d = be->alloc(be, np);
    tr->work_d = be->alloc(be, 3 * B * H);
    if (!tr->in_d || !tr->x0_d || !tr->mask_d || !tr->eps_d || !tr->xt_d || !tr->ehat_d ||
        !tr->dehat_d || !tr->out_d || !tr->dout_d || !tr->backup_d || !tr->work_d)
        return ts_fail(err, TS_EINTERNAL, "out of %s memory for a batch of %d", be->name, tr->B);

    if (rec->params) {  /* resume */
        if (n->n_params != np)
            return ts_fail(err, TS_EDATA, "model has %zu parameters, the network %zu", n->n_params, np);
        be->upload(be, ts_unet_weights(tr->net), rec->params, np);
    } else if (tr->cfg->init) {  /* fit --init: from a model's weights */
        if (n->n_params != np)
            return ts_fail(err, TS_EDATA, "the initial weights are %zu, the network's %zu",
                           n->n_params, np);
        be->upload(be, ts_unet_weights(tr->net), tr->cfg->init, np);
    } else {
        ts_unet_init(tr->net, derive_seed(rec->seed, 1));
    }
    tr->nsteps = tr->cfg->steps;
    if (tr->cfg->epochs > 0)
        tr->nsteps = (long)ceil(tr->cfg->epochs * (double)tr->ix.n / tr->B);
    if (tr->nsteps < 1) tr->nsteps = 1;
    ts_optim_config oc = tr->cfg->optim;
    oc.total_steps = rec->steps + tr->nsteps;
    tr->opt = ts_optim_create(be, np, &oc, ts_unet_weights(tr->net));
    if (!tr->opt) return ts_fail(err, TS_EINTERNAL, "out of %s memory for the optimizer", be->name);
    if (rec->params) {
        be->upload(be, tr->opt->m, rec->adam_m, np);
        be->upload(be, tr->opt->v, rec->adam_v, np);
        be->upload(be, tr->opt->ema, rec->ema_now ? rec->ema_now : n->ema, np);
        tr->opt->step = rec->opt_step;
    }
    /* A resumed run draws from fresh streams (keyed by the steps done); the
     * validation noise stays the same so losses remain comparable. */
    uint64_t base = derive_seed(rec->seed, (uint64_t)rec->steps);
    tr->pick_seed = worker_seed(base, 2, tr->cfg->worker);
    tr->noise_seed = worker_seed(base, 3, tr->cfg->worker);
    tr->val_seed = derive_seed(rec->seed, 4);
    tr->vary_seed = worker_seed(base, 5, tr->cfg->worker);
    pick_validation(tr);
    plan_validation(tr);
    keep_comparable(tr);
    return 0;
}

/* Copy the optimizer state to the host record (for checkpoints and --resume). */
static void snapshot_optimizer(trainer *tr)
{
    ts_backend *be = tr->be;
    ts_train_record *rec = tr->rec;
    size_t np = ts_unet_params(tr->net)->total;
    if (!rec->params) {
        rec->params = ts_xmalloc(np * sizeof(float));
        rec->adam_m = ts_xmalloc(np * sizeof(float));
        rec->adam_v = ts_xmalloc(np * sizeof(float));
        rec->ema_now = ts_xmalloc(np * sizeof(float));
    }
    be->download(be, rec->params, ts_unet_weights(tr->net), np);
    be->download(be, rec->adam_m, tr->opt->m, np);
    be->download(be, rec->adam_v, tr->opt->v, np);
    be->download(be, rec->ema_now, tr->opt->ema, np);
    rec->opt_step = tr->opt->step;
}

static void add_history(ts_train_record *rec, long step, double train, double val)
{
    rec->hist_step = ts_xrealloc(rec->hist_step, (size_t)(rec->n_hist + 1) * sizeof *rec->hist_step);
    rec->hist_train = ts_xrealloc(rec->hist_train, (size_t)(rec->n_hist + 1) * sizeof(float));
    rec->hist_val = ts_xrealloc(rec->hist_val, (size_t)(rec->n_hist + 1) * sizeof(float));
    rec->hist_step[rec->n_hist] = step;
    rec->hist_train[rec->n_hist] = (float)train;
    rec->hist_val[rec->n_hist] = (float)val;
    rec->n_hist++;
}

/* Keep the current EMA weights as the model's, from step `step`. */
static void keep_ema(trainer *tr, long step)
{
    ts_net *n = tr->n;
    size_t np = ts_unet_params(tr->net)->total;
    if (!n->ema) n->ema = ts_xmalloc(np * sizeof(float));
    n->n_params = np;
    tr->be->download(tr->be, n->ema, tr->opt->ema, np);
    tr->rec->best_step = step;
}

/* Validate, keep the EMA weights if they are the best so far, record history. */
static void checkpoint_eval(trainer *tr, long step, double train_loss)
{
    ts_train_record *rec = tr->rec;
    double val = !tr->nval ? NAN : with_ema(tr, rec->select_crps ? val_crps : val_loss);
    /* no validation, or asked to: keep the latest */
    int better = tr->nval && !tr->cfg->keep_last ? val < rec->best_val_loss : 1;
    if (better || !tr->n->ema) {
        keep_ema(tr, step);
        if (tr->nval) rec->best_val_loss = val;
    }
    add_history(rec, step, train_loss, val);
}

/* Record the mean training loss since the last record; validate at the
 * rounds' share of the records (always at the last one and, without
 * validation windows, at each: the latest weights are kept). */
static void record(trainer *tr, long step, int last)
{
    ts_train_record *rec = tr->rec;
    double loss = tr->acc / tr->nacc;
    tr->nrecords++;
    if (last || !tr->nval || tr->nrecords * tr->rounds / tr->records > tr->nrounds) {
        double t0 = seconds();
        checkpoint_eval(tr, step, loss);
        tr->val_secs += seconds() - t0;
        tr->nrounds++;
    } else {
        add_history(rec, step, loss, NAN);
    }
    rec->final_loss = loss;
    tr->acc = 0;
    tr->nacc = 0;
}

/* Hand the caller a checkpoint (the weights and the optimizer state) when
 * one is due: on rank 0, and every rank learns whether it was saved. */
static int maybe_checkpoint(trainer *tr, long step, ts_error *err)
{
    const ts_train_config *cfg = tr->cfg;
    if (cfg->checkpoint_every <= 0 || !cfg->checkpoint ||
        (step - tr->start) % cfg->checkpoint_every != 0)
        return 0;
    int rc = 0;
    if (tr->root) {
        /* Before the first validation the latest EMA weights stand in
         * (best_val_loss stays infinite: the first validation replaces them). */
        if (!tr->n->ema) keep_ema(tr, step);
        snapshot_optimizer(tr);
        rc = cfg->checkpoint(cfg->checkpoint_ctx, err);
    }
    return ts_comm_agree(rc, err);
}

/* Whether to stop before the next step: asked to (one process), or some
 * rank was at the last step (MPI: all ranks stop at the same step). */
static int stopping(const trainer *tr)
{
    if (ts_comm_size() > 1) return tr->stop_all;
    return tr->cfg->stop && *tr->cfg->stop;
}

/* A resumed run first scores the weights kept so far on its own
 * validation windows: how many a round scores depends on the run's length,
 * so the recorded best is not comparable with this run's rounds. (A fit
 * from a model does not score its starting weights: on ETTh1 the held-out
 * windows then kept them where the test windows wanted the fine-tuned
 * ones, wQL9 0.3566 against 0.3238; bench/RESULTS.md.) */
static void score_kept(trainer *tr)
{
    ts_train_record *rec = tr->rec;
    const ts_net *n = tr->n;
    if (!tr->nval || tr->cfg->keep_last || !n->ema || rec->steps == 0) return;
    rec->best_val_loss = with_weights(tr, n->ema, rec->select_crps ? val_crps : val_loss);
}

/* The threads of the next step, from this one's wall and CPU seconds
 * (nn/threads_gov.h); a change is noted with --verbose. */
static void governor_step(trainer *tr, long step, double wall, double cpu)
{
    int was = tr->gov.cur, before = tr->gov.choice;
    int now = ts_threads_gov_step(&tr->gov, wall, cpu);
    if (now != was) ts_backend_cpu_set_threads(tr->be, now);
    if (tr->gov.choice != before)
        ts_note("fit: step %ld on, %d of %d threads (the faster while other jobs "
                "share the cores)", step + 1, now, tr->gov.max);
}

/* The steps of this run, until the end or a stop request. */
static int run_steps(trainer *tr, ts_progress *pg, ts_error *err)
{
    ts_train_record *rec = tr->rec;
    long end = tr->start + tr->nsteps, step = tr->start;
    double last_val = NAN;
    while (step < end && !stopping(tr)) {
        const int gov = tr->governed;   /* the clocks only where they are used */
        double w0 = gov ? seconds() : 0.0, c0 = gov ? clock_s(CLOCK_PROCESS_CPUTIME_ID) : 0.0;
        double loss = ts_loss_mean(train_step(tr));
        if (gov) governor_step(tr, step, seconds() - w0, clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0);
        step++;
        if (!isfinite(loss))
            return ts_fail(err, TS_EDATA, "training diverged: the loss is %g at step %ld "
                                          "(try a lower --lr)", loss, step);
        tr->acc += loss;
        tr->nacc++;
        if ((step - tr->start) % tr->log_every == 0 || step == end) {
            record(tr, step, step == end);
            if (!isnan(rec->hist_val[rec->n_hist - 1])) last_val = rec->hist_val[rec->n_hist - 1];
        }
        rec->steps = step;
        int rc = maybe_checkpoint(tr, step, err);
        if (rc) return rc;
        ts_progress_update(pg, step - tr->start, "loss %.4f val %.4f", rec->final_loss, last_val);
    }
    return 0;
}

int ts_train(ts_backend *be, const ts_series_set *set, const ts_train_config *cfg,
             ts_net *n, ts_train_record *rec, ts_error *err)
{
    trainer tr = {.be = be, .set = set, .cfg = cfg, .n = n, .rec = rec, .start = rec->steps};
    int rc = ts_comm_agree(trainer_init(&tr, err), err);
    if (rc) {
        trainer_free(&tr);
        return rc;
    }
    if (!tr.nval)
        ts_warn("no series is long enough to hold out its last %d points: "
                "keeping the final weights without validation", tr.H);
    ts_progress *pg = ts_progress_start("fit", tr.nsteps, cfg->quiet || !tr.root);
    double t0 = seconds();
    score_kept(&tr);
    int threads = ts_backend_cpu_threads(be);
    tr.governed = cfg->adapt_threads && threads > 1 && ts_comm_size() == 1;
    if (tr.governed) ts_threads_gov_init(&tr.gov, threads);
    rc = run_steps(&tr, pg, err);
    if (tr.governed) ts_backend_cpu_set_threads(be, threads);
    if (!rc && tr.nacc > 0) record(&tr, rec->steps, 1);  /* stopped between records */
    if (!rc) snapshot_optimizer(&tr);
    ts_progress_finish(pg, NULL);
    ts_note("fit: validation took %.1f s of %.1f s (rounds: %ld, windows each: %zu)",
            tr.val_secs, seconds() - t0, tr.nrounds, tr.nval_round);
    if (ts_comm_size() > 1)
        ts_note("fit: %d ranks; summing the gradients (%zu floats a step) took %.1f s, waits "
                "included", ts_comm_size(), ts_unet_params(tr.net)->total, tr.comm_secs);
    rec->skipped_steps += tr.skipped;
    if (tr.skipped)
        ts_warn("%ld of %ld steps skipped: their gradient was not finite (NaN or Inf)",
                tr.skipped, rec->steps - tr.start);
    trainer_free(&tr);
    return rc;
}
