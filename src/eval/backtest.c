/* backtest.c - rolling-origin forecasts of the model and the baselines,
 * scored point by point. */
#include "eval/backtest.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eval/baseline.h"
#include "io/atomic.h"
#include "io/comm.h"
#include "eval/forecast_out.h"

long ts_backtest_origin(const ts_backtest_config *c, size_t len, int w)
{
    int stride = c->stride > 0 ? c->stride : c->horizon;
    return (long)len - c->horizon - (long)(c->windows - 1 - w) * stride;
}

int ts_backtest_train_set(const ts_series_set *set, const ts_backtest_config *c,
                          ts_series_set *train, ts_error *err)
{
    memset(train, 0, sizeof *train);
    train->series = ts_xcalloc(set->n, sizeof *train->series);
    train->freq = set->freq;
    train->has_time = set->has_time;
    train->source = set->source ? ts_xstrdup(set->source) : NULL;
    ts_series_set_copy_covariates(train, set);
    for (size_t i = 0; i < set->n; i++) {
        const ts_series *s = &set->series[i];
        long cut = ts_backtest_origin(c, s->len, 0);
        if (cut < 2) continue;
        ts_series *t = &train->series[train->n++];
        t->name = ts_xstrdup(s->name);
        t->start = s->start;
        t->len = (size_t)cut;
        t->values = ts_xmalloc((size_t)cut * sizeof *t->values);
        memcpy(t->values, s->values, (size_t)cut * sizeof *t->values);
        ts_series_cut_covariates(t, s, set->n_cov, (size_t)cut);
    }
    if (train->n == 0)
        return ts_fail(err, TS_EDATA, "%s: no series is longer than the %d held-out windows "
                                      "of %d steps", set->source, c->windows, c->horizon);
    return 0;
}

void ts_backtest_free(ts_backtest *b)
{
    free(b->acc);
    memset(b, 0, sizeof *b);
}

static ts_metric_acc *acc_at(ts_backtest *b, size_t s, int method)
{
    return &b->acc[s * TS_BT_METHODS + (size_t)method];
}

void ts_backtest_merge(ts_backtest *into, ts_backtest *from)
{
    if (!into->acc) {
        *into = *from;
        memset(from, 0, sizeof *from);
        return;
    }
    TS_CHECK(into->n_series == from->n_series && into->n_methods == from->n_methods);
    for (size_t i = 0; i < (into->n_series + 1) * TS_BT_METHODS; i++)
        ts_metric_acc_merge(&into->acc[i], &from->acc[i]);
}

/* Score the baselines for series s of set at origin o. */
static void score_baselines(ts_backtest *b, const ts_series *sr, size_t s, long o, int H)
{
    float qv[TS_METRIC_NQ];
    float *pts = ts_xmalloc((size_t)H * sizeof *pts);
    float *qs = ts_xmalloc((size_t)H * TS_METRIC_NQ * sizeof *qs);
    double scale = ts_seasonal_scale(sr->values, (size_t)o, b->season);
    for (int k = TS_BT_NAIVE; k <= TS_BT_SNAIVE; k++) {
        ts_baseline_kind kind = k == TS_BT_NAIVE ? TS_BASE_NAIVE : TS_BASE_SNAIVE;
        if (ts_baseline_forecast(kind, b->season, sr->values, (size_t)o, H, ts_metric_levels,
                                 TS_METRIC_NQ, pts, qs))
            continue;
        for (int h = 0; h < H && o + h < (long)sr->len; h++) {
            double y = sr->values[o + h];
            if (isnan(y)) continue;
            memcpy(qv, qs + (size_t)h * TS_METRIC_NQ, sizeof qv);
            ts_metric_acc_add_point(acc_at(b, s, k), qv, y, scale);
        }
    }
    free(pts);
    free(qs);
}

/* Score the samples of a model (method) for the selected series at their
 * origins. */
static void score_model(ts_backtest *b, int method, const ts_series_set *set, const ts_forecast *f,
                        const long *origin)
{
    float *col = ts_xmalloc((size_t)f->samples * sizeof *col);
    for (size_t i = 0; i < f->n; i++) {
        size_t s = f->series[i];
        const ts_series *sr = &set->series[s];
        double scale = ts_seasonal_scale(sr->values, (size_t)origin[i], b->season);
        for (int h = 0; h < f->horizon && origin[i] + h < (long)sr->len; h++) {
            double y = sr->values[origin[i] + h];
            if (isnan(y)) continue;
            for (int k = 0; k < f->samples; k++)
                col[k] = f->values[(i * (size_t)f->samples + (size_t)k) * (size_t)f->horizon + (size_t)h];
            ts_sort_floats(col, f->samples);
            ts_metric_acc_add(acc_at(b, s, method), col, f->samples, y, scale);
        }
    }
    free(col);
}

/* The model must not have seen any held-out point (as far as its fit
 * record tells: a network-only model cannot say). */
static int check_unseen(const ts_model *m, const ts_series_set *set, const ts_backtest_config *c,
                        ts_error *err)
{
    for (size_t i = 0; i < set->n; i++) {
        long k = ts_model_find_series(m, set->series[i].name);
        long first = ts_backtest_origin(c, set->series[i].len, 0);
        if (k >= 0 && m->fit->length[k] > first)
            return ts_fail(err, TS_EDATA, "the model was trained on %lld points of \"%s\", which "
                                          "overlap the held-out windows (from point %ld): fit "
                                          "it on the data before them",
                           (long long)m->fit->length[k], set->series[i].name, first + 1);
    }
    return 0;
}

/* "base.png" -> "base-w3.png" for window 3 of several. */
static char *window_path(const char *path, int w, int windows)
{
    size_t n = strlen(path) + 16;
    char *out = ts_xmalloc(n);
    const char *dot = strrchr(path, '.');
    if (windows == 1 || !dot) snprintf(out, n, "%s", path);
    else snprintf(out, n, "%.*s-w%d%s", (int)(dot - path), path, w + 1, dot);
    return out;
}

/* A model with a fit record forecasts only the series it was fitted on; a
 * universal network (pretrained, a checkpoint, or fine-tuned from one) any. */
static int own_series_only(const ts_model *m) { return m->fit && !m->net.win.universal; }

static int run_window(ts_backend *be, const ts_model *m, const ts_series_set *set,
                      const ts_backtest_config *c, int w, ts_backtest *b, ts_error *err)
{
    size_t *sel = ts_xmalloc(set->n * sizeof *sel), n = 0;
    long *origin = ts_xmalloc(set->n * sizeof *origin);
    int *nonneg = ts_xmalloc(set->n * sizeof *nonneg);
    for (size_t s = 0; s < set->n; s++) {
        long o = ts_backtest_origin(c, set->series[s].len, w);
        if (o < 2 || (own_series_only(m) && ts_model_find_series(m, set->series[s].name) < 0))
            continue;
        sel[n] = s;
        nonneg[n] = ts_model_series_nonneg(m, &set->series[s]);
        origin[n++] = o;
        score_baselines(b, &set->series[s], s, o, c->horizon);
    }
    ts_forecast fc = {0};
    ts_forecast_config fcfg = c->fc;
    fcfg.horizon = c->horizon;
    fcfg.nonneg = nonneg;
    int rc = n ? ts_forecast_run(be, &m->net, set, sel, n, origin, &fcfg, &fc, err) : 0;
    if (!rc && n) score_model(b, TS_BT_MODEL, set, &fc, origin);
    for (int k = 0; !rc && n && k < c->n_extra; k++) {   /* the same windows */
        ts_forecast xf = {0};
        rc = ts_forecast_run(be, &c->extra[k].m->net, set, sel, n, origin, &fcfg, &xf, err);
        if (!rc) score_model(b, TS_BT_EXTRA + k, set, &xf, origin);
        ts_forecast_free(&xf);
    }
    if (!rc && n && c->plot) {   /* MPI: rank 0 draws, and every rank learns how it went */
        char *p = window_path(c->plot, w, c->windows);
        if (ts_comm_root())
            rc = ts_forecast_plot(p, &fc, set, origin, 3 * c->horizon, c->plot_cov, err);
        rc = ts_comm_agree(rc, err);
        free(p);
    }
    ts_forecast_free(&fc);
    free(sel);
    free(origin);
    free(nonneg);
    return rc;
}

/* A backtest that scored no point is an error, not a table of nan. */
static int check_scored(const ts_model *m, const ts_series_set *set, ts_backtest *b,
                        ts_error *err)
{
    ts_metric_result r;
    ts_metric_acc_result(acc_at(b, set->n, TS_BT_MODEL), &r);
    if (r.n > 0) return 0;
    if (own_series_only(m))
        return ts_fail(err, TS_EDATA, "%s: nothing to score: none of its series is one the "
                       "model was fitted on", set->source);
    return ts_fail(err, TS_EDATA, "%s: nothing to score: no series is long enough for the "
                   "held-out windows", set->source);
}

int ts_backtest_run(ts_backend *be, const ts_model *m, const ts_series_set *set,
                    const ts_backtest_config *c, ts_backtest *out, ts_error *err)
{
    memset(out, 0, sizeof *out);
    int rc = check_unseen(m, set, c, err);
    for (int k = 0; !rc && k < c->n_extra; k++) rc = check_unseen(c->extra[k].m, set, c, err);
    if (rc) return rc;
    out->n_series = set->n;
    out->season = c->season > 0 ? c->season : ts_freq_season(set->freq);
    static const char *fixed[TS_BT_EXTRA] = {"tsdiff", "naive", "seasonal naive"};
    TS_CHECK(c->n_extra >= 0 && c->n_extra <= TS_BT_MAX_EXTRA);
    out->n_methods = TS_BT_EXTRA + c->n_extra;
    for (int k = 0; k < out->n_methods; k++)
        snprintf(out->name[k], sizeof out->name[k], "%s",
                 k < TS_BT_EXTRA ? fixed[k] : c->extra[k - TS_BT_EXTRA].name);
    out->acc = ts_xcalloc((set->n + 1) * TS_BT_METHODS, sizeof *out->acc);
    for (size_t i = 0; i < (set->n + 1) * TS_BT_METHODS; i++) ts_metric_acc_init(&out->acc[i]);
    for (int w = 0; !rc && w < c->windows; w++) rc = run_window(be, m, set, c, w, out, err);
    for (size_t s = 0; !rc && s < set->n; s++)
        for (int k = 0; k < TS_BT_METHODS; k++)
            ts_metric_acc_merge(acc_at(out, set->n, k), acc_at(out, s, k));
    if (!rc) rc = check_scored(m, set, out, err);
    if (rc) ts_backtest_free(out);
    return rc;
}

void ts_backtest_print(const ts_backtest *b, FILE *out)
{
    fprintf(out, "%-15s %8s %8s %8s %8s %8s %8s %8s %6s %6s %6s\n", "method", "points", "CRPS",
            "wQL9", "wQL19", "MASE", "sMAPE", "MSIS", "cov50", "cov80", "cov95");
    for (int k = 0; k < b->n_methods; k++) {
        ts_metric_result r;
        ts_metric_acc_result(&b->acc[b->n_series * TS_BT_METHODS + (size_t)k], &r);
        fprintf(out, "%-15s %8ld %8.4g %8.4f %8.4f %8.4f %8.3f %8.3f %6.3f %6.3f %6.3f\n",
                b->name[k], r.n, r.crps, r.wql9, r.wql19, r.mase, r.smape,
                r.msis, r.cov50, r.cov80, r.cov95);
    }
}

int ts_backtest_write_csv(const ts_backtest *b, const ts_series_set *set, const char *path,
                          ts_error *err)
{
    ts_atomic a = {0};
    int rc = ts_atomic_open(&a, path, err);
    if (rc) return rc;
    fputs("series,method,points,crps,wql9,wql19,nd,mase,smape,msis,cov50,cov80,cov95\n", a.f);
    for (size_t s = 0; s <= b->n_series; s++)
        for (int k = 0; k < b->n_methods; k++) {
            ts_metric_result r;
            ts_metric_acc_result(&b->acc[s * TS_BT_METHODS + (size_t)k], &r);
            ts_csv_field(a.f, s < b->n_series ? set->series[s].name : "(all)");
            fprintf(a.f, ",%s,%ld,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.4g,%.4g,%.4g\n",
                    b->name[k], r.n, r.crps, r.wql9, r.wql19, r.nd, r.mase,
                    r.smape, r.msis, r.cov50, r.cov80, r.cov95);
        }
    return ts_atomic_commit(&a, err);
}
