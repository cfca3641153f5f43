/* model.c - ts_model <-> model-file records, with validation on load. */
#include "io/model.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "io/modelfile.h"

void ts_model_free(ts_model *m)
{
    if (!m) return;
    free(m->data_path);
    for (size_t i = 0; i < sizeof m->csv_store / sizeof m->csv_store[0]; i++) free(m->csv_store[i]);
    for (size_t i = 0; i < m->n_series; i++) free(m->names[i]);
    free(m->names);
    free(m->last_time);
    free(m->length);
    free(m->nonneg);
    free(m->version);
    free(m->hist_step);
    free(m->hist_train);
    free(m->hist_val);
    free(m->ema);
    free(m->params);
    free(m->adam_m);
    free(m->adam_v);
    free(m->ema_now);
    memset(m, 0, sizeof *m);
}

static const char *keep(ts_model *m, int slot, const char *s)
{
    free(m->csv_store[slot]);
    m->csv_store[slot] = s ? ts_xstrdup(s) : NULL;
    return m->csv_store[slot];
}

void ts_model_set_csv(ts_model *m, const char *data_path, const ts_csv_opts *csv)
{
    free(m->data_path);
    m->data_path = data_path ? ts_xstrdup(data_path) : NULL;
    m->csv = *csv;
    m->csv.time_col = keep(m, 0, csv->time_col);
    m->csv.value_col = keep(m, 1, csv->value_col);
    m->csv.freq = keep(m, 2, csv->freq);
    for (int i = 0; i < csv->n_id_cols && i < TS_CSV_MAX_ID_COLS; i++)
        m->csv.id_cols[i] = keep(m, 3 + i, csv->id_cols[i]);
}

long ts_model_find_series(const ts_model *m, const char *name)
{
    for (size_t i = 0; i < m->n_series; i++)
        if (strcmp(m->names[i], name) == 0) return (long)i;
    return -1;
}

int ts_model_data_path(const ts_model *m, const char *model_path, const char *hint,
                       const char **out, ts_error *err)
{
    struct stat st;
    const char *p = m->data_path;
    if (!p || !*p)
        return ts_fail(err, TS_EUSAGE, "%s does not name its training data: give %s",
                       model_path, hint);
    if (stat(p, &st) != 0)
        return ts_fail(err, TS_ENOINPUT, "%s: cannot open the model's training data (%s): "
                       "give %s", p, strerror(errno), hint);
    if (!S_ISREG(st.st_mode))
        return ts_fail(err, TS_EUSAGE, "%s: the model's training data is not a regular file: "
                       "give %s", p, hint);
    *out = p;
    return 0;
}

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
    /* The channel table, by name (kind and parameter): checked on load. */
    char names[TS_WINDOW_MAX_CHANNELS][32];
    const char *np[TS_WINDOW_MAX_CHANNELS];
    for (int c = 0; c < w->channels; c++)
        np[c] = ts_window_channel_name(w, c, names[c], sizeof names[c]);
    ts_mf_set_strs(f, "window.channel_table", np, (size_t)w->channels);
}

static void put_csv(ts_mf *f, const ts_model *m)
{
    const ts_csv_opts *c = &m->csv;
    ts_mf_set_str(f, "data.path", m->data_path ? m->data_path : "");
    ts_mf_set_str(f, "data.time_col", c->time_col ? c->time_col : "");
    ts_mf_set_str(f, "data.value_col", c->value_col ? c->value_col : "");
    ts_mf_set_str(f, "data.freq", c->freq ? c->freq : "");
    ts_mf_set_strs(f, "data.id_cols", c->id_cols, (size_t)c->n_id_cols);
    ts_mf_set_i64(f, "data.delimiter", c->delimiter);
    ts_mf_set_i64(f, "data.aggregate", c->aggregate);
    ts_mf_set_i64(f, "data.no_header", c->no_header);
}

int ts_model_save(const ts_model *m, const char *path, int with_optimizer, ts_error *err)
{
    ts_mf *f = ts_mf_new();
    ts_mf_set_str(f, "tsdiff.version", PACKAGE_VERSION);
    put_window(f, &m->win);
    ts_mf_set_i64(f, "unet.in_channels", m->unet.in_channels);
    ts_mf_set_i64(f, "unet.width", m->unet.width);
    ts_mf_set_i64(f, "unet.levels", m->unet.levels);
    ts_mf_set_i64(f, "unet.res_blocks", m->unet.res_blocks);
    ts_mf_set_i64(f, "unet.temb_dim", m->unet.temb_dim);
    ts_mf_set_i64(f, "unet.groups", m->unet.groups);
    ts_mf_set_str(f, "diffusion.schedule", ts_sched_name(m->sched));
    ts_mf_set_i64(f, "diffusion.steps", m->T);
    put_csv(f, m);

    const int64_t n = (int64_t)m->n_series;
    int64_t *nonneg = ts_xmalloc((m->n_series + 1) * sizeof *nonneg);
    for (size_t i = 0; i < m->n_series; i++) nonneg[i] = m->nonneg[i];
    ts_mf_set_i64(f, "series.count", n);
    ts_mf_set_strs(f, "series.names", (const char *const *)m->names, m->n_series);
    ts_mf_set_i64s(f, "series.last_time", m->last_time, m->n_series);
    ts_mf_set_i64s(f, "series.length", m->length, m->n_series);
    ts_mf_set_i64s(f, "series.nonneg", nonneg, m->n_series);
    free(nonneg);

    ts_mf_set_i64(f, "train.steps", m->steps);
    ts_mf_set_i64(f, "train.best_step", m->best_step);
    ts_mf_set_i64(f, "train.skipped_steps", m->skipped_steps);
    ts_mf_set_i64(f, "train.val_windows", m->val_windows);
    ts_mf_set_f64(f, "train.final_loss", m->final_loss);
    ts_mf_set_f64(f, "train.best_val_loss", m->best_val_loss);
    ts_mf_set_str(f, "train.select", m->select_crps ? "crps" : "loss");
    ts_mf_set_i64(f, "train.seed", (int64_t)m->seed);
    ts_mf_set_i64(f, "train.batch", m->batch);
    ts_mf_set_f64(f, "train.lr", m->lr);
    ts_mf_set_i64s(f, "train.history.step", m->hist_step, (size_t)m->n_hist);
    ts_mf_set_f32s(f, "train.history.train", m->hist_train, (size_t)m->n_hist);
    ts_mf_set_f32s(f, "train.history.val", m->hist_val, (size_t)m->n_hist);

    ts_mf_set_f32s(f, "weights.ema", m->ema, m->n_params);
    if (with_optimizer && m->params) {
        ts_mf_set_f32s(f, "optim.params", m->params, m->n_params);
        ts_mf_set_f32s(f, "optim.adam_m", m->adam_m, m->n_params);
        ts_mf_set_f32s(f, "optim.adam_v", m->adam_v, m->n_params);
        ts_mf_set_f32s(f, "optim.ema", m->ema_now, m->n_params);
        ts_mf_set_i64(f, "optim.step", m->opt_step);
    }
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

static void read_window(reader *r, ts_window_spec *w)
{
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
    if (r->rc) return;
    if (ts_window_spec_make(w, freq, has_time, context, horizon, levels, NULL) ||
        ts_window_set_residual(w, residual) != residual || w->channels != channels)
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

static void read_series(reader *r, ts_model *m)
{
    size_t n = (size_t)get_int(r, "series.count", 1, 1L << 30);
    const char *const *names = get_array(r, "series.names", 's', n);
    const int64_t *last = get_array(r, "series.last_time", 'i', n);
    const int64_t *len = get_array(r, "series.length", 'i', n);
    const int64_t *nonneg = get_array(r, "series.nonneg", 'i', n);
    if (r->rc) return;
    m->n_series = n;
    m->names = ts_xcalloc(n, sizeof *m->names);
    m->last_time = ts_xmalloc(n * sizeof *m->last_time);
    m->length = ts_xmalloc(n * sizeof *m->length);
    m->nonneg = ts_xmalloc(n * sizeof *m->nonneg);
    for (size_t i = 0; i < n; i++) {
        m->names[i] = ts_xstrdup(names[i]);
        m->last_time[i] = last[i];
        m->length[i] = len[i];
        m->nonneg[i] = nonneg[i] != 0;
    }
}

static void read_training(reader *r, ts_model *m)
{
    m->steps = get_int(r, "train.steps", 0, 1L << 40);
    m->best_step = get_int(r, "train.best_step", 0, 1L << 40);
    /* Files from before these fields existed: no skipped steps, the
     * validation windows unknown. */
    if (ts_mf_has(r->f, "train.skipped_steps"))
        m->skipped_steps = get_int(r, "train.skipped_steps", 0, 1L << 40);
    if (ts_mf_has(r->f, "train.val_windows"))
        m->val_windows = get_int(r, "train.val_windows", 0, 1L << 40);
    m->final_loss = get_f64(r, "train.final_loss");
    m->best_val_loss = get_f64(r, "train.best_val_loss");
    /* Files from before the field existed selected by validation loss. */
    char *sel = ts_mf_has(r->f, "train.select") ? get_str(r, "train.select", 0) : NULL;
    m->select_crps = sel && !strcmp(sel, "crps");
    free(sel);
    m->seed = (uint64_t)get_int(r, "train.seed", 0, (long)(~0UL >> 1));
    m->batch = (int)get_int(r, "train.batch", 1, 1 << 20);
    m->lr = get_f64(r, "train.lr");
    m->version = get_str(r, "tsdiff.version", 0);
    const int64_t *hs = NULL;
    size_t nh = 0;
    if (!r->rc) r->rc = ts_mf_get_i64s(r->f, "train.history.step", &hs, &nh, r->err);
    const float *ht = get_array(r, "train.history.train", 'f', nh);
    const float *hv = get_array(r, "train.history.val", 'f', nh);
    if (r->rc) return;
    m->n_hist = (long)nh;
    m->hist_step = ts_xmalloc((nh + 1) * sizeof *m->hist_step);
    if (nh) memcpy(m->hist_step, hs, nh * sizeof *hs);
    m->hist_train = dup_floats(ht, nh);
    m->hist_val = dup_floats(hv, nh);
}

static void read_weights(reader *r, ts_model *m)
{
    const float *ema = NULL;
    size_t n = 0;
    if (r->rc) return;
    r->rc = ts_mf_get_f32s(r->f, "weights.ema", &ema, &n, r->err);
    if (r->rc) return;
    m->n_params = n;
    m->ema = dup_floats(ema, n);
    if (!ts_mf_has(r->f, "optim.params")) return;
    const float *p = get_array(r, "optim.params", 'f', n);
    const float *am = get_array(r, "optim.adam_m", 'f', n);
    const float *av = get_array(r, "optim.adam_v", 'f', n);
    const float *en = get_array(r, "optim.ema", 'f', n);
    m->opt_step = get_int(r, "optim.step", 0, 1L << 40);
    if (r->rc) return;
    m->params = dup_floats(p, n);
    m->adam_m = dup_floats(am, n);
    m->adam_v = dup_floats(av, n);
    m->ema_now = dup_floats(en, n);
}

int ts_model_load(const char *path, ts_model *m, ts_error *err)
{
    ts_mf *f = NULL;
    memset(m, 0, sizeof *m);
    int rc = ts_mf_load(path, &f, err);
    return rc ? rc : ts_model_from_mf(f, path, m, err);
}

int ts_model_from_mf(ts_mf *f, const char *path, ts_model *m, ts_error *err)
{
    memset(m, 0, sizeof *m);
    reader r = {f, path, err, 0};
    read_window(&r, &m->win);
    m->unet.in_channels = (int)get_int(&r, "unet.in_channels", 1, 1024);
    m->unet.length = m->win.length;
    m->unet.width = (int)get_int(&r, "unet.width", 1, 4096);
    m->unet.levels = (int)get_int(&r, "unet.levels", 1, TS_UNET_MAX_LEVELS);
    m->unet.res_blocks = (int)get_int(&r, "unet.res_blocks", 1, 16);
    m->unet.temb_dim = (int)get_int(&r, "unet.temb_dim", 2, 4096);
    m->unet.groups = (int)get_int(&r, "unet.groups", 1, 4096);
    m->T = (int)get_int(&r, "diffusion.steps", 2, 100000);
    if (!r.rc) {
        const char *s = NULL;
        r.rc = ts_mf_get_str(f, "diffusion.schedule", &s, err);
        if (!r.rc && ts_sched_parse(s, &m->sched, NULL))
            r.rc = ts_fail(err, TS_EDATA, "%s: corrupt model file (unknown schedule \"%s\")", path, s);
    }
    read_csv(&r, m);
    read_series(&r, m);
    read_training(&r, m);
    read_weights(&r, m);
    if (!r.rc && ts_unet_check_config(&m->unet, NULL))
        r.rc = ts_fail(err, TS_EDATA, "%s: corrupt model file (network settings)", path);
    if (!r.rc && m->unet.in_channels != m->win.channels)
        r.rc = ts_fail(err, TS_EDATA, "%s: corrupt model file (input channels)", path);
    ts_mf_free(f);
    if (r.rc) ts_model_free(m);
    return r.rc;
}

/* ---- description (tsdiff info MODEL) ---- */

void ts_model_describe(const ts_model *m, const char *path, FILE *out)
{
    char fb[32], tb[40];
    fprintf(out, "model:          %s (tsdiff %s)\n", path, m->version ? m->version : "?");
    fprintf(out, "data:           %s\n", m->data_path ? m->data_path : "(unknown)");
    fprintf(out, "frequency:      %s\n", ts_freq_name(m->win.freq, fb, sizeof fb));
    fprintf(out, "horizon:        %d\n", m->win.horizon);
    fprintf(out, "context:        %d\n", m->win.context);
    fprintf(out, "window:         %d (padding %d), %d input channels\n", m->win.length,
            m->win.pad, m->win.channels);
    char cb[32];
    fprintf(out, "channels:      ");
    for (int c = 0; c < m->win.channels; c++)
        fprintf(out, " %d %s%s", c, ts_window_channel_name(&m->win, c, cb, sizeof cb),
                c + 1 < m->win.channels ? "," : "\n");
    if (m->win.residual)
        fprintf(out, "targets:        residuals of the seasonal-naive forecast (lag %d)\n",
                m->win.lags[0]);
    else
        fprintf(out, "targets:        scaled values\n");
    fprintf(out, "network:        width %d, levels %d, %d res blocks/level, time embedding %d, "
                 "%zu parameters\n", m->unet.width, m->unet.levels, m->unet.res_blocks,
            m->unet.temb_dim, m->n_params);
    fprintf(out, "compute:        %.2f M multiply-adds per window (forward)\n",
            ts_unet_flops(&m->unet) / 1e6);
    fprintf(out, "diffusion:      %s schedule, T = %d\n", ts_sched_name(m->sched), m->T);
    fprintf(out, "training:       %ld steps, batch %d, lr %g, seed %llu\n", m->steps, m->batch,
            m->lr, (unsigned long long)m->seed);
    if (m->skipped_steps)
        fprintf(out, "skipped steps:  %ld (non-finite gradient: no update)\n", m->skipped_steps);
    fprintf(out, "final loss:     %.6g\n", m->final_loss);
    fprintf(out, "best %s:  %.6g (step %ld, the weights kept)\n",
            m->select_crps ? "val CRPS" : "val loss", m->best_val_loss, m->best_step);
    fprintf(out, "resumable:      %s\n", m->params ? "yes (optimizer state saved)" : "no");
    fprintf(out, "series:         %zu\n", m->n_series);
    fprintf(out, "%-24s %10s %-20s %s\n", "name", "length", "last", "non-negative");
    for (size_t i = 0; i < m->n_series; i++) {
        if (m->win.has_time) ts_time_format(m->win.freq, m->last_time[i], tb, sizeof tb);
        else snprintf(tb, sizeof tb, "%lld", (long long)m->last_time[i]);
        fprintf(out, "%-24s %10lld %-20s %s\n", m->names[i], (long long)m->length[i], tb,
                m->nonneg[i] ? "yes" : "no");
    }
}
