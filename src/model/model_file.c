/* model_file.c - ts_model <-> model-file records, with validation on load.
 *
 * Records, by group (the fit group is all there or all absent):
 *   always   tsdiff.version, window.*, unet.*, diffusion.*, weights.ema
 *   fit      data.*, series.*, train.*
 *   resume   optim.* (only with the fit group)
 */
#include "model/model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "io/modelfile.h"

/* ---- saving ---- */

static void put_window(ts_mf *f, const ts_window_spec *w)
{
    /* The rest of the spec is derived: ts_window_spec_make rebuilds it. */
    ts_mf_set_i64(f, "window.context", w->context);
    ts_mf_set_i64(f, "window.horizon", w->horizon);
    ts_mf_set_i64(f, "window.levels", w->levels);
    ts_mf_set_i64(f, "window.freq_unit", w->freq.unit);
    ts_mf_set_i64(f, "window.freq_mult", w->freq.mult);
    ts_mf_set_i64(f, "window.has_time", w->has_time);
    ts_mf_set_i64(f, "window.channels", w->channels);
    ts_mf_set_i64(f, "window.residual", w->residual);
    if (w->universal) ts_mf_set_i64(f, "window.universal", 1);  /* absent: 0 */
    if (w->centred) ts_mf_set_i64(f, "window.centred", w->centred);   /* TS_LOC_; absent: 0 */
    if (w->lag_context > 0) ts_mf_set_i64(f, "window.lag_context", w->lag_context);
    /* The channel table, by name (kind and parameter): checked on load. */
    char names[TS_WINDOW_MAX_CHANNELS][32];
    const char *np[TS_WINDOW_MAX_CHANNELS];
    for (int c = 0; c < w->channels; c++)
        np[c] = ts_window_channel_name(w, c, names[c], sizeof names[c]);
    ts_mf_set_strs(f, "window.channel_table", np, (size_t)w->channels);
}

/* The covariate inputs by name (data/covariates.h), only when there are
 * some: files without them are as before. */
static void put_covariates(ts_mf *f, const ts_cov_table *t)
{
    if (t->n == 0) return;
    const char *col[TS_COV_MAX_ROWS], *lvl[TS_COV_MAX_ROWS];
    int64_t raw[TS_COV_MAX_ROWS];
    for (int k = 0; k < t->n; k++) {
        col[k] = t->row[k].column;
        lvl[k] = t->row[k].level ? t->row[k].level : "";
        raw[k] = t->row[k].raw;
    }
    ts_mf_set_strs(f, "covariates.columns", col, (size_t)t->n);
    ts_mf_set_strs(f, "covariates.levels", lvl, (size_t)t->n);
    ts_mf_set_i64s(f, "covariates.raw", raw, (size_t)t->n);
}

static void put_net(ts_mf *f, const ts_net *n)
{
    put_window(f, &n->win);
    put_covariates(f, &n->cov);
    ts_mf_set_i64(f, "unet.in_channels", n->unet.in_channels);
    ts_mf_set_i64(f, "unet.width", n->unet.width);
    ts_mf_set_i64(f, "unet.levels", n->unet.levels);
    ts_mf_set_i64(f, "unet.res_blocks", n->unet.res_blocks);
    ts_mf_set_i64(f, "unet.temb_dim", n->unet.temb_dim);
    ts_mf_set_i64(f, "unet.groups", n->unet.groups);
    ts_mf_set_str(f, "diffusion.schedule", ts_sched_name(n->sched));
    ts_mf_set_i64(f, "diffusion.steps", n->T);
}

static void put_csv(ts_mf *f, const ts_fit_record *r)
{
    const ts_csv_opts *c = &r->csv;
    ts_mf_set_str(f, "data.path", r->data_path ? r->data_path : "");
    ts_mf_set_str(f, "data.time_col", c->time_col ? c->time_col : "");
    ts_mf_set_str(f, "data.value_col", c->value_col ? c->value_col : "");
    ts_mf_set_str(f, "data.freq", c->freq ? c->freq : "");
    ts_mf_set_strs(f, "data.id_cols", c->id_cols, (size_t)c->n_id_cols);
    ts_mf_set_i64(f, "data.delimiter", c->delimiter);
    ts_mf_set_i64(f, "data.aggregate", c->aggregate);
    ts_mf_set_i64(f, "data.no_header", c->no_header);
}

static void put_series(ts_mf *f, const ts_fit_record *r)
{
    int64_t *nonneg = ts_xmalloc((r->n_series + 1) * sizeof *nonneg);
    for (size_t i = 0; i < r->n_series; i++) nonneg[i] = r->nonneg[i];
    ts_mf_set_i64(f, "series.count", (int64_t)r->n_series);
    ts_mf_set_strs(f, "series.names", (const char *const *)r->names, r->n_series);
    ts_mf_set_i64s(f, "series.last_time", r->last_time, r->n_series);
    ts_mf_set_i64s(f, "series.length", r->length, r->n_series);
    ts_mf_set_i64s(f, "series.nonneg", nonneg, r->n_series);
    if (r->horizon > 0) ts_mf_set_i64(f, "forecast.horizon", r->horizon);
    free(nonneg);
}

static void put_training(ts_mf *f, const ts_train_record *t)
{
    ts_mf_set_i64(f, "train.steps", t->steps);
    ts_mf_set_i64(f, "train.best_step", t->best_step);
    ts_mf_set_i64(f, "train.skipped_steps", t->skipped_steps);
    ts_mf_set_i64(f, "train.val_windows", t->val_windows);
    ts_mf_set_f64(f, "train.final_loss", t->final_loss);
    ts_mf_set_f64(f, "train.best_val_loss", t->best_val_loss);
    ts_mf_set_str(f, "train.select", t->select_crps ? "crps" : "loss");
    ts_mf_set_i64(f, "train.seed", (int64_t)t->seed);
    ts_mf_set_i64(f, "train.batch", t->batch);
    ts_mf_set_f64(f, "train.lr", t->lr);
    ts_mf_set_i64s(f, "train.history.step", t->hist_step, (size_t)t->n_hist);
    ts_mf_set_f32s(f, "train.history.train", t->hist_train, (size_t)t->n_hist);
    ts_mf_set_f32s(f, "train.history.val", t->hist_val, (size_t)t->n_hist);
}

static void put_optimizer(ts_mf *f, const ts_train_record *t, size_t n)
{
    ts_mf_set_f32s(f, "optim.params", t->params, n);
    ts_mf_set_f32s(f, "optim.adam_m", t->adam_m, n);
    ts_mf_set_f32s(f, "optim.adam_v", t->adam_v, n);
    ts_mf_set_f32s(f, "optim.ema", t->ema_now, n);
    ts_mf_set_i64(f, "optim.step", t->opt_step);
}

int ts_model_save(const ts_model *m, const char *path, ts_model_save_what what, ts_error *err)
{
    const ts_fit_record *fit = what != TS_SAVE_NET ? m->fit : NULL;
    ts_mf *f = ts_mf_new();
    ts_mf_set_str(f, "tsdiff.version", PACKAGE_VERSION);
    put_net(f, &m->net);
    if (m->n_provenance)
        ts_mf_set_strs(f, "provenance", (const char *const *)m->provenance, m->n_provenance);
    if (fit) {
        put_csv(f, fit);
        put_series(f, fit);
        put_training(f, &fit->train);
    }
    ts_mf_set_f32s(f, "weights.ema", m->net.ema, m->net.n_params);
    if (fit && what == TS_SAVE_RESUMABLE && fit->train.params)
        put_optimizer(f, &fit->train, m->net.n_params);
    int rc = ts_mf_save(f, path, err);
    ts_mf_free(f);
    return rc;
}

/* ---- loading ---- */

typedef struct {
    const ts_mf *f;
    const char *path;
    ts_error *err;
    int rc;
    int no_optim;   /* leave the optimizer state out */
} reader;

static long get_int(reader *r, const char *key, long lo, long hi)
{
    int64_t v = 0;
    if (r->rc) return lo;
    r->rc = ts_mf_get_i64(r->f, key, &v, r->err);
    if (!r->rc && (v < lo || v > hi))
        r->rc = ts_fail(r->err, TS_EDATA, "%s: corrupt model file (%s = %lld out of range)",
                        r->path, key, (long long)v);
    return r->rc ? lo : (long)v;
}

static double get_f64(reader *r, const char *key)
{
    double v = 0;
    if (!r->rc) r->rc = ts_mf_get_f64(r->f, key, &v, r->err);
    return v;
}

/* A string record, duplicated; "" becomes NULL when empty_is_null. */
static char *get_str(reader *r, const char *key, int empty_is_null)
{
    const char *s = NULL;
    if (r->rc) return NULL;
    r->rc = ts_mf_get_str(r->f, key, &s, r->err);
    if (r->rc || (empty_is_null && !s[0])) return NULL;
    return ts_xstrdup(s);
}

/* An array record that must hold exactly n items. */
static const void *get_array(reader *r, const char *key, char type, size_t n)
{
    const void *v = NULL;
    size_t got = 0;
    if (r->rc) return NULL;
    if (type == 'f') r->rc = ts_mf_get_f32s(r->f, key, (const float **)&v, &got, r->err);
    else if (type == 'i') r->rc = ts_mf_get_i64s(r->f, key, (const int64_t **)&v, &got, r->err);
    else r->rc = ts_mf_get_strs(r->f, key, (const char *const **)&v, &got, r->err);
    if (!r->rc && got != n)
        r->rc = ts_fail(r->err, TS_EDATA, "%s: corrupt model file (%s has %zu items, expected %zu)",
                        r->path, key, got, n);
    return r->rc ? NULL : v;
}

static float *dup_floats(const float *v, size_t n)
{
    float *p = ts_xmalloc((n ? n : 1) * sizeof *p);
    if (n) memcpy(p, v, n * sizeof *p);
    return p;
}

/* The stored channel table must be the one this tsdiff builds from the
 * stored settings: kinds, parameters and order. */
static void check_channels(reader *r, const ts_window_spec *w)
{
    const char *const *stored = get_array(r, "window.channel_table", 's', (size_t)w->channels);
    char built[32];
    for (int c = 0; !r->rc && c < w->channels; c++)
        if (strcmp(stored[c], ts_window_channel_name(w, c, built, sizeof built)) != 0)
            r->rc = ts_fail(r->err, TS_EDATA, "%s: input channel %d is \"%s\" in the model file "
                            "but \"%s\" for this tsdiff (a model of another version?)",
                            r->path, c, stored[c], built);
}

/* The covariate inputs (files before them have none). A categorical row
 * has a level; a numeric one "". */
static void read_covariates(reader *r, ts_net *n)
{
    const char *const *col = NULL;
    size_t got = 0;
    ts_cov_table t = {0};
    if (r->rc || !ts_mf_has(r->f, "covariates.columns")) return;
    r->rc = ts_mf_get_strs(r->f, "covariates.columns", &col, &got, r->err);
    if (!r->rc && (got == 0 || got > TS_COV_MAX_ROWS))
        r->rc = ts_fail(r->err, TS_EDATA, "%s: corrupt model file (covariates.columns)", r->path);
    const char *const *lvl = get_array(r, "covariates.levels", 's', got);
    const int64_t *raw = get_array(r, "covariates.raw", 'i', got);
    for (size_t k = 0; !r->rc && k < got; k++) {
        if (!col[k][0] || (raw[k] != 0 && raw[k] != 1) || (lvl[k][0] && !raw[k]))
            r->rc = ts_fail(r->err, TS_EDATA, "%s: corrupt model file (covariate %zu)", r->path, k);
        else
            r->rc = ts_cov_table_add(&t, col[k], lvl[k][0] ? lvl[k] : NULL, (int)raw[k], r->err);
    }
    if (!r->rc) ts_net_set_covariates(n, &t);
    ts_cov_table_free(&t);
}

static void read_window(reader *r, ts_net *n)
{
    ts_window_spec *w = &n->win;
    int context = (int)get_int(r, "window.context", 1, 1 << 20);
    int horizon = (int)get_int(r, "window.horizon", 1, 1 << 20);
    int levels = (int)get_int(r, "window.levels", 1, TS_UNET_MAX_LEVELS);
    ts_freq freq;
    freq.unit = (ts_freq_unit)get_int(r, "window.freq_unit", TS_FREQ_NONE, TS_FREQ_BDAY);
    freq.mult = (int)get_int(r, "window.freq_mult", 1, 1 << 20);
    int has_time = (int)get_int(r, "window.has_time", 0, 1);
    int channels = (int)get_int(r, "window.channels", 1, 1024);
    /* Files written before residual targets have no key: value targets. */
    int residual = ts_mf_has(r->f, "window.residual") ? (int)get_int(r, "window.residual", 0, 1) : 0;
    int universal = ts_mf_has(r->f, "window.universal") ? (int)get_int(r, "window.universal", 0, 1) : 0;
    /* absent (older files, or trained with its own context): 0 */
    int lag_context = ts_mf_has(r->f, "window.lag_context")
                          ? (int)get_int(r, "window.lag_context", 1, 1 << 20) : 0;
    int centred = ts_mf_has(r->f, "window.centred") ? (int)get_int(r, "window.centred", 0, TS_LOC_CROSS) : 0;
    if (r->rc) return;
    int bad = universal ? ts_window_spec_make_universal(w, context, horizon, levels, NULL)
                        : ts_window_spec_make(w, freq, has_time, context, horizon, levels, NULL);
    ts_window_bind_grid(w, freq, has_time);
    w->lag_context = lag_context;
    if (bad || ts_window_set_residual(w, residual) != residual ||
        ts_window_set_centred(w, centred) != centred) {
        r->rc = ts_fail(r->err, TS_EDATA, "%s: corrupt model file (window settings)", r->path);
        return;
    }
    read_covariates(r, n);
    if (r->rc) return;
    if (w->channels != channels)
        r->rc = ts_fail(r->err, TS_EDATA, "%s: corrupt model file (window settings)", r->path);
    else if (ts_mf_has(r->f, "window.channel_table"))   /* files before it have none */
        check_channels(r, w);
}

static void read_csv(reader *r, ts_model *m)
{
    ts_csv_opts c;
    ts_csv_opts_default(&c);
    char *path = get_str(r, "data.path", 1);
    char *tc = get_str(r, "data.time_col", 1), *vc = get_str(r, "data.value_col", 1);
    char *fq = get_str(r, "data.freq", 1);
    c.time_col = tc;
    c.value_col = vc;
    c.freq = fq;
    c.delimiter = (char)get_int(r, "data.delimiter", 0, 127);
    c.aggregate = (int)get_int(r, "data.aggregate", 0, 2);
    c.no_header = (int)get_int(r, "data.no_header", 0, 1);
    if (!r->rc) {
        const char *const *ids = NULL;
        size_t n = 0;
        r->rc = ts_mf_get_strs(r->f, "data.id_cols", &ids, &n, r->err);
        if (!r->rc && n > TS_CSV_MAX_ID_COLS)
            r->rc = ts_fail(r->err, TS_EDATA, "%s: corrupt model file (data.id_cols)", r->path);
        for (size_t i = 0; !r->rc && i < n; i++) c.id_cols[i] = ids[i];
        if (!r->rc) c.n_id_cols = (int)n;
    }
    if (!r->rc) ts_model_set_csv(m, path, &c);
    free(path);
    free(tc);
    free(vc);
    free(fq);
}

static void read_series(reader *r, ts_fit_record *fit)
{
    size_t n = (size_t)get_int(r, "series.count", 1, 1L << 30);
    const char *const *names = get_array(r, "series.names", 's', n);
    const int64_t *last = get_array(r, "series.last_time", 'i', n);
    const int64_t *len = get_array(r, "series.length", 'i', n);
    const int64_t *nonneg = get_array(r, "series.nonneg", 'i', n);
    if (r->rc) return;
    fit->n_series = n;
    fit->names = ts_xcalloc(n, sizeof *fit->names);
    fit->last_time = ts_xmalloc(n * sizeof *fit->last_time);
    fit->length = ts_xmalloc(n * sizeof *fit->length);
    fit->nonneg = ts_xmalloc(n * sizeof *fit->nonneg);
    for (size_t i = 0; i < n; i++) {
        fit->names[i] = ts_xstrdup(names[i]);
        fit->last_time[i] = last[i];
        fit->length[i] = len[i];
        fit->nonneg[i] = nonneg[i] != 0;
    }
    /* absent (older files, or the network's own): 0 */
    if (ts_mf_has(r->f, "forecast.horizon"))
        fit->horizon = (int)get_int(r, "forecast.horizon", 1, 1 << 20);
}

static void read_training(reader *r, ts_train_record *t)
{
    t->steps = get_int(r, "train.steps", 0, 1L << 40);
    t->best_step = get_int(r, "train.best_step", 0, 1L << 40);
    /* Files from before these fields existed: no skipped steps, the
     * validation windows unknown. */
    if (ts_mf_has(r->f, "train.skipped_steps"))
        t->skipped_steps = get_int(r, "train.skipped_steps", 0, 1L << 40);
    if (ts_mf_has(r->f, "train.val_windows"))
        t->val_windows = get_int(r, "train.val_windows", 0, 1L << 40);
    t->final_loss = get_f64(r, "train.final_loss");
    t->best_val_loss = get_f64(r, "train.best_val_loss");
    /* Files from before the field existed selected by validation loss. */
    char *sel = ts_mf_has(r->f, "train.select") ? get_str(r, "train.select", 0) : NULL;
    t->select_crps = sel && !strcmp(sel, "crps");
    free(sel);
    t->seed = (uint64_t)get_int(r, "train.seed", 0, (long)(~0UL >> 1));
    t->batch = (int)get_int(r, "train.batch", 1, 1 << 20);
    t->lr = get_f64(r, "train.lr");
    const int64_t *hs = NULL;
    size_t nh = 0;
    if (!r->rc) r->rc = ts_mf_get_i64s(r->f, "train.history.step", &hs, &nh, r->err);
    const float *ht = get_array(r, "train.history.train", 'f', nh);
    const float *hv = get_array(r, "train.history.val", 'f', nh);
    if (r->rc) return;
    t->n_hist = (long)nh;
    t->hist_step = ts_xmalloc((nh + 1) * sizeof *t->hist_step);
    if (nh) memcpy(t->hist_step, hs, nh * sizeof *hs);
    t->hist_train = dup_floats(ht, nh);
    t->hist_val = dup_floats(hv, nh);
}

static void read_weights(reader *r, ts_net *n)
{
    const float *ema = NULL;
    size_t got = 0;
    if (r->rc) return;
    r->rc = ts_mf_get_f32s(r->f, "weights.ema", &ema, &got, r->err);
    if (r->rc) return;
    n->n_params = got;
    n->ema = dup_floats(ema, got);
}

/* The optimizer state of a file saved for --resume (n floats each). */
static void read_optimizer(reader *r, ts_train_record *t, size_t n)
{
    if (r->rc || !ts_mf_has(r->f, "optim.params")) return;
    const float *p = get_array(r, "optim.params", 'f', n);
    const float *am = get_array(r, "optim.adam_m", 'f', n);
    const float *av = get_array(r, "optim.adam_v", 'f', n);
    const float *en = get_array(r, "optim.ema", 'f', n);
    t->opt_step = get_int(r, "optim.step", 0, 1L << 40);
    if (r->rc) return;
    t->params = dup_floats(p, n);
    t->adam_m = dup_floats(am, n);
    t->adam_v = dup_floats(av, n);
    t->ema_now = dup_floats(en, n);
}

static void read_net(reader *r, ts_net *n)
{
    read_window(r, n);
    n->unet.in_channels = (int)get_int(r, "unet.in_channels", 1, 1024);
    n->unet.length = n->win.length;
    n->unet.width = (int)get_int(r, "unet.width", 1, 4096);
    n->unet.levels = (int)get_int(r, "unet.levels", 1, TS_UNET_MAX_LEVELS);
    n->unet.res_blocks = (int)get_int(r, "unet.res_blocks", 1, 16);
    n->unet.temb_dim = (int)get_int(r, "unet.temb_dim", 2, 4096);
    n->unet.groups = (int)get_int(r, "unet.groups", 1, 4096);
    n->T = (int)get_int(r, "diffusion.steps", 2, 100000);
    if (!r->rc) {
        const char *s = NULL;
        r->rc = ts_mf_get_str(r->f, "diffusion.schedule", &s, r->err);
        if (!r->rc && ts_sched_parse(s, &n->sched, NULL))
            r->rc = ts_fail(r->err, TS_EDATA, "%s: corrupt model file (unknown schedule \"%s\")",
                            r->path, s);
    }
}

/* The provenance lines, when the file has them. */
static void read_provenance(reader *r, ts_model *m)
{
    const char *const *lines = NULL;
    size_t n = 0;
    if (r->rc || !ts_mf_has(r->f, "provenance")) return;
    r->rc = ts_mf_get_strs(r->f, "provenance", &lines, &n, r->err);
    if (r->rc) return;
    m->provenance = ts_xcalloc(n + 1, sizeof *m->provenance);
    for (size_t i = 0; i < n; i++) m->provenance[i] = ts_xstrdup(lines[i]);
    m->n_provenance = n;
}

/* Any record of the fit group makes the file one with a fit record; then
 * every record of the group must be there. */
static int has_fit(const ts_mf *f)
{
    static const char *const keys[] = {"data.path", "series.count", "train.steps"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (ts_mf_has(f, keys[i])) return 1;
    return 0;
}

static void read_fit(reader *r, ts_model *m)
{
    if (!has_fit(r->f)) {
        if (!r->rc && ts_mf_has(r->f, "optim.params"))
            r->rc = ts_fail(r->err, TS_EDATA, "%s: corrupt model file (optimizer state "
                            "without a fit record)", r->path);
        return;
    }
    ts_fit_record *fit = ts_model_fit(m);
    read_csv(r, m);
    read_series(r, fit);
    read_training(r, &fit->train);
    if (!r->no_optim) read_optimizer(r, &fit->train, m->net.n_params);
}

static int from_mf(ts_mf *f, const char *path, int no_optim, ts_model *m, ts_error *err);

static int load(const char *path, int no_optim, ts_model *m, ts_error *err)
{
    ts_mf *f = NULL;
    memset(m, 0, sizeof *m);
    int rc = ts_mf_load(path, &f, err);
    return rc ? rc : from_mf(f, path, no_optim, m, err);
}

int ts_model_load(const char *path, ts_model *m, ts_error *err)
{
    return load(path, 0, m, err);
}

int ts_model_load_sampling(const char *path, ts_model *m, ts_error *err)
{
    return load(path, 1, m, err);
}

int ts_model_from_mf(ts_mf *f, const char *path, ts_model *m, ts_error *err)
{
    return from_mf(f, path, 0, m, err);
}

static int from_mf(ts_mf *f, const char *path, int no_optim, ts_model *m, ts_error *err)
{
    memset(m, 0, sizeof *m);
    reader r = {f, path, err, 0, no_optim};
    read_net(&r, &m->net);
    m->version = get_str(&r, "tsdiff.version", 0);
    read_provenance(&r, m);
    read_weights(&r, &m->net);
    read_fit(&r, m);
    if (!r.rc && ts_unet_check_config(&m->net.unet, NULL))
        r.rc = ts_fail(err, TS_EDATA, "%s: corrupt model file (network settings)", path);
    if (!r.rc && m->net.unet.in_channels != m->net.win.channels)
        r.rc = ts_fail(err, TS_EDATA, "%s: corrupt model file (input channels)", path);
    ts_mf_free(f);
    if (r.rc) ts_model_free(m);
    return r.rc;
}
