/* forecast.c - batched conditional sampling of future paths. */
#include "diffusion/forecast.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "data/window.h"
#include "diffusion/denoiser.h"
#include "io/comm.h"
#include "nn/unet.h"

/* Per-run state; rows are (series, sample) pairs. */
typedef struct fc_state {
    ts_backend *be;
    const ts_net *m;                      /* the network sampled */
    const ts_series_set *set;
    ts_unet *net;
    ts_schedule sched;
    int ch, L, H, fut, C, chunk, rows;   /* rows: windows in the current chunk */
    int total_h;                          /* forecast horizon */
    float *in_h, *x_h, *t_h;
    ts_window_norm *norm_h;            /* each row's scaling */
    float *in_d, *x_d, *work_d, *out_d;
    float *path;                          /* [rows_all][C + total_h] history + path */
    const int *nonneg;                    /* [n] clamp the selected series at 0 (cfg's) */
    float *band;                          /* [n][2] lo, hi of THE BAND (forecast.h) */
    double *level;                        /* [set->n] series level for the scale floor */
    ts_cov_inputs cov;                    /* the network's covariate inputs of the set */
    ts_denoiser dn;                       /* the sampler's eps_fn context */
    ts_sampler_graph graph;               /* the solver loop, recorded on GPUs */
} fc_state;

/* The window of row `row` for block b: a view of its history and its path
 * so far, which carries the level of the whole series. */
static int fill_window(fc_state *st, long row, size_t s, long origin, int b, int r)
{
    const ts_series *src = &st->set->series[s];
    int done = b * st->H;
    int64_t start = st->set->has_time ? ts_time_add(st->set->freq, src->start, origin - st->C)
                                      : src->start + origin - st->C;
    ts_series_view v = {.values = st->path + (size_t)row * (st->C + st->total_h),
                        .len = st->C + done, .start = start, .level = st->level[s]};
    ts_cov_inputs_view(&st->cov, s, origin - st->C, &v);
    return ts_window_fill(&st->m->win, &v, st->C + done, st->in_h + (size_t)r * st->ch * st->L,
                          NULL, NULL, &st->norm_h[r]);
}

static void fc_free(fc_state *st)
{
    ts_backend *be = st->be;
    float *dev[] = {st->in_d, st->x_d, st->work_d, st->out_d};
    for (size_t i = 0; i < 4; i++)
        if (dev[i]) be->free(be, dev[i]);
    free(st->in_h);
    free(st->norm_h);
    free(st->x_h);
    free(st->t_h);
    free(st->path);
    free(st->band);
    free(st->level);
    ts_cov_inputs_free(&st->cov);
    ts_schedule_free(&st->sched);
    ts_sampler_graph_free(be, &st->graph);
    if (st->net) ts_unet_free(st->net);
}

static int fc_init(fc_state *st, size_t rows_all, ts_error *err)
{
    ts_backend *be = st->be;
    const ts_net *m = st->m;
    int rc = ts_schedule_init(&st->sched, m->sched, m->T, err);
    if (rc) return rc;
    st->net = ts_unet_create_forward(be, &m->unet, st->chunk);
    if (!st->net) return ts_fail(err, TS_EINTERNAL, "out of %s memory for the network", be->name);
    if (ts_unet_params(st->net)->total != m->n_params)
        return ts_fail(err, TS_EDATA, "model has %zu weights, its network needs %zu",
                       m->n_params, ts_unet_params(st->net)->total);
    be->upload(be, ts_unet_weights(st->net), m->ema, m->n_params);
    size_t B = (size_t)st->chunk, win = (size_t)st->ch * st->L, H = (size_t)st->H;
    st->in_h = ts_xmalloc(B * win * sizeof(float));
    st->norm_h = ts_xmalloc(B * sizeof *st->norm_h);
    st->x_h = ts_xmalloc(B * H * sizeof(float));
    st->t_h = ts_xmalloc(B * sizeof(float));
    st->path = ts_xmalloc(rows_all * (size_t)(st->C + st->total_h) * sizeof(float));
    st->in_d = be->alloc(be, B * win);
    st->x_d = be->alloc(be, B * H);
    st->work_d = be->alloc(be, 3 * B * H);
    st->out_d = be->alloc(be, B * (size_t)st->L);
    if (!st->in_d || !st->x_d || !st->work_d || !st->out_d)
        return ts_fail(err, TS_EINTERNAL, "out of %s memory for %d windows", be->name, st->chunk);
    return 0;
}

void ts_forecast_free(ts_forecast *f)
{
    free(f->series);
    free(f->values);
    memset(f, 0, sizeof *f);
}

int ts_forecast_default_chunk(const ts_net *m)
{
    size_t per = ts_unet_arena_floats(&m->unet, 2) - ts_unet_arena_floats(&m->unet, 1);
    size_t chunk = per ? TS_FORECAST_MEMORY / sizeof(float) / per : 512;
    return chunk < 8 ? 8 : chunk > 512 ? 512 : (int)chunk;
}

/* Copy the history before each origin into the rows' paths. */
static void seed_paths(fc_state *st, const size_t *sel, size_t n, const long *origin, int samples)
{
    size_t stride = (size_t)(st->C + st->total_h);
    for (size_t i = 0; i < n; i++) {
        const ts_series *s = &st->set->series[sel[i]];
        long o = origin ? origin[i] : (long)s->len;
        for (int k = 0; k < samples; k++) {
            float *p = st->path + (i * (size_t)samples + (size_t)k) * stride;
            for (int j = 0; j < st->C; j++) {
                long idx = o - st->C + j;
                p[j] = idx >= 0 && idx < (long)s->len ? s->values[idx] : NAN;
            }
        }
    }
}

/* THE BAND (forecast.h) of each selected series, from the context that
 * seed_paths copied into its first row. */
static void set_bands(fc_state *st, const size_t *sel, size_t n, int samples)
{
    size_t stride = (size_t)(st->C + st->total_h);
    st->band = ts_xmalloc(2 * n * sizeof *st->band);
    for (size_t i = 0; i < n; i++) {
        const float *p = st->path + i * (size_t)samples * stride;
        float lo = INFINITY, hi = -INFINITY;
        for (int j = 0; j < st->C; j++) {
            if (p[j] < lo) lo = p[j];  /* NaN compares false */
            if (p[j] > hi) hi = p[j];
        }
        double w = fmax((double)hi - lo, st->level[sel[i]]);
        st->band[2 * i] = lo <= hi ? (float)(lo - TS_FORECAST_BAND * w) : -INFINITY;
        st->band[2 * i + 1] = lo <= hi ? (float)(hi + TS_FORECAST_BAND * w) : INFINITY;
    }
}

static int fail_not_finite(ts_error *err, const char *name, long step)
{
    return ts_fail(err, TS_EINTERNAL, "forecast: series \"%s\" step %ld: sample value is not "
                                      "finite (the sampler diverged)", name, step);
}

/* Keep block b of a row's path: clamped at 0 if asked, and blocks after the
 * first within the series' band. NaN stays NaN (ts_forecast_check). */
static void keep_block(const fc_state *st, int b, int nonneg, const float *band, const float *x,
                       float *p)
{
    float lo = b > 0 ? band[0] : -INFINITY, hi = b > 0 ? band[1] : INFINITY;
    for (int j = 0; j < st->H && b * st->H + j < st->total_h; j++) {
        float v = nonneg && x[j] < 0 ? 0.0f : x[j];
        p[j] = v < lo ? lo : v > hi ? hi : v;
    }
}

/* The windows of block b for rows [r0, r0 + rows). A row whose context has
 * no observed value left failed: its path so far is not finite. */
static int fill_chunk(fc_state *st, const size_t *sel, const long *origin, int samples, int b,
                      size_t r0, ts_error *err)
{
    size_t stride = (size_t)(st->C + st->total_h);
    long done = (long)b * st->H;
    for (int r = 0; r < st->rows; r++) {
        size_t row = r0 + (size_t)r, i = row / (size_t)samples, s = sel[i];
        long o = origin ? origin[i] : (long)st->set->series[s].len, h = 0;
        if (fill_window(st, (long)row, s, o, b, r)) continue;
        const float *p = st->path + row * stride + st->C;
        while (h < done && isfinite(p[h])) h++;
        if (h < done) return fail_not_finite(err, st->set->series[s].name, h + 1);
        return ts_fail(err, TS_EDATA, "series \"%s\": no observed value in the %d points "
                       "before the forecast origin", st->set->series[s].name, st->C);
    }
    return 0;
}

/* Sample block b for rows [r0, r0 + rows). */
static int sample_chunk(fc_state *st, const ts_forecast_config *cfg, const size_t *sel,
                        const long *origin, int b, size_t r0, size_t rows_all, ts_error *err)
{
    ts_backend *be = st->be;
    int H = st->H, samples = cfg->samples;
    size_t stride = (size_t)(st->C + st->total_h);
    int rc = fill_chunk(st, sel, origin, samples, b, r0, err);
    if (rc) return rc;
    be->upload(be, st->in_d, st->in_h, (size_t)st->rows * st->ch * st->L);
    ts_sampler_config sc = cfg->sampler;
    sc.offset = ((uint64_t)b * rows_all + r0) * (uint64_t)H * (uint64_t)(st->m->T + 1);
    sc.graph = &st->graph;
    st->dn = (ts_denoiser){.be = be, .net = st->net, .rows = st->rows, .channels = st->ch,
                           .length = st->L, .fut = st->fut, .horizon = H, .in = st->in_d,
                           .out = st->out_d, .h_t = st->t_h};
    ts_sample(be, &st->sched, &sc, (size_t)st->rows * H, ts_denoiser_eps, &st->dn, st->x_d,
              st->work_d);
    be->download(be, st->x_h, st->x_d, (size_t)st->rows * H);
    for (int r = 0; r < st->rows; r++) {
        size_t row = r0 + (size_t)r, i = row / (size_t)samples;
        float *x = st->x_h + (size_t)r * H;
        ts_window_untarget(&st->m->win, st->in_h + (size_t)r * st->ch * st->L, x);
        ts_window_unscale(x, (size_t)H, st->norm_h[r]);
        int clamp = st->nonneg && st->nonneg[i] && !cfg->allow_negative;
        keep_block(st, b, clamp, st->band + 2 * i, x,
                   st->path + row * stride + st->C + (size_t)b * H);
    }
    return 0;
}

/* The network's covariate inputs of set, known at every step of every
 * selected series' horizon. */
static int covariates_ready(fc_state *st, const size_t *sel, size_t n, const long *origin,
                            ts_error *err)
{
    int rc = ts_cov_inputs_build(&st->cov, &st->m->cov, st->set, err);
    for (size_t i = 0; !rc && st->cov.rows && i < n; i++) {
        long o = origin ? origin[i] : (long)st->set->series[sel[i]].len;
        rc = ts_cov_inputs_check(&st->cov, &st->m->cov, st->set, sel[i], o, o + st->total_h, err);
    }
    return rc;
}

/* The first chunk of rank k's share of nc chunks (k = size: the end): the
 * ranks of an MPI job take consecutive runs of the chunks one process
 * would sample, so every row keeps its chunk, its noise and its values. */
static size_t first_chunk(size_t nc, int k) { return (size_t)k * nc / (size_t)ts_comm_size(); }

/* MPI: every rank gets the rows of all ranks' chunks. */
static void gather_rows(float *values, size_t rows_all, int chunk, int horizon)
{
    int size = ts_comm_size();
    if (size < 2) return;
    size_t nc = (rows_all + (size_t)chunk - 1) / (size_t)chunk;
    size_t *off = ts_xmalloc(((size_t)size + 1) * sizeof *off);
    for (int k = 0; k <= size; k++) {
        size_t row = first_chunk(nc, k) * (size_t)chunk;
        off[k] = (row < rows_all ? row : rows_all) * (size_t)horizon;
    }
    ts_comm_allgather_floats(values, off);
    free(off);
}

/* Sample this rank's chunks, block by block. */
static int sample_share(fc_state *st, const ts_forecast_config *cfg, const size_t *sel,
                        const long *origin, size_t rows_all, ts_error *err)
{
    int rc = 0, blocks = (cfg->horizon + st->H - 1) / st->H, rank = ts_comm_rank();
    size_t nc = (rows_all + (size_t)st->chunk - 1) / (size_t)st->chunk;
    size_t c0 = first_chunk(nc, rank), c1 = first_chunk(nc, rank + 1);
    for (int b = 0; !rc && b < blocks; b++)
        for (size_t c = c0; !rc && c < c1; c++) {
            size_t r0 = c * (size_t)st->chunk;
            st->rows = (int)(rows_all - r0 < (size_t)st->chunk ? rows_all - r0 : (size_t)st->chunk);
            rc = sample_chunk(st, cfg, sel, origin, b, r0, rows_all, err);
        }
    return rc;
}

int ts_forecast_run(ts_backend *be, const ts_net *m, const ts_series_set *set,
                    const size_t *sel, size_t n, const long *origin,
                    const ts_forecast_config *cfg, ts_forecast *out, ts_error *err)
{
    memset(out, 0, sizeof *out);
    if (cfg->horizon < 1) return ts_fail(err, TS_EUSAGE, "the horizon must be at least 1");
    if (cfg->samples < 1) return ts_fail(err, TS_EUSAGE, "the number of samples must be at least 1");
    if (n == 0) return ts_fail(err, TS_EUSAGE, "no series to forecast");
    size_t rows_all = n * (size_t)cfg->samples;
    fc_state st = {.be = be, .m = m, .set = set, .ch = m->win.channels, .L = m->win.length,
                   .H = m->win.horizon, .fut = m->win.pad + m->win.context, .C = m->win.context,
                   .total_h = cfg->horizon};
    st.nonneg = cfg->nonneg;
    st.chunk = cfg->chunk > 0 ? cfg->chunk : ts_forecast_default_chunk(m);
    if ((size_t)st.chunk > rows_all) st.chunk = (int)rows_all;
    int rc = covariates_ready(&st, sel, n, origin, err);
    if (!rc) rc = fc_init(&st, rows_all, err);
    if (!rc) {
        seed_paths(&st, sel, n, origin, cfg->samples);
        st.level = ts_xcalloc(set->n, sizeof *st.level);
        for (size_t i = 0; i < n; i++) st.level[sel[i]] = ts_window_level(&set->series[sel[i]]);
        set_bands(&st, sel, n, cfg->samples);
    }
    if (!rc) rc = sample_share(&st, cfg, sel, origin, rows_all, err);
    rc = ts_comm_agree(rc, err);   /* MPI: a rank that failed fails them all */
    if (!rc) {
        out->n = n;
        out->horizon = cfg->horizon;
        out->samples = cfg->samples;
        out->series = ts_xmalloc(n * sizeof *out->series);
        memcpy(out->series, sel, n * sizeof *sel);
        out->values = ts_xmalloc(rows_all * (size_t)cfg->horizon * sizeof(float));
        size_t stride = (size_t)(st.C + st.total_h);
        for (size_t row = 0; row < rows_all; row++)
            memcpy(out->values + row * (size_t)cfg->horizon, st.path + row * stride + st.C,
                   (size_t)cfg->horizon * sizeof(float));
        gather_rows(out->values, rows_all, st.chunk, cfg->horizon);
    }
    fc_free(&st);
    if (!rc) rc = ts_forecast_check(out, set, err);
    if (rc) ts_forecast_free(out);
    return rc;
}

int ts_forecast_check(const ts_forecast *f, const ts_series_set *set, ts_error *err)
{
    size_t H = (size_t)f->horizon, S = (size_t)f->samples;
    for (size_t i = 0; i < f->n; i++)
        for (size_t h = 0; h < H; h++)
            for (size_t k = 0; k < S; k++)
                if (!isfinite(f->values[(i * S + k) * H + h]))
                    return fail_not_finite(err, set->series[f->series[i]].name, (long)h + 1);
    return 0;
}
