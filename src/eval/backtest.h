/* backtest.h - rolling-origin evaluation of a model against the baselines.
 *
 * The last K windows of H steps of every series are held out (window w,
 * oldest first, starts at len - H - (K-1-w) * stride). Each window is
 * forecast from the history before it, by the model and by the naive and
 * seasonal-naive baselines, and every forecast point is scored
 * (eval/metrics.h) per series and pooled.
 */
#ifndef TS_BACKTEST_H
#define TS_BACKTEST_H

#include "diffusion/forecast.h"
#include "eval/metrics.h"
#include "model/model.h"

/* Methods: the model, the baselines, then up to TS_BT_MAX_EXTRA more models
 * scored on the same windows (the same fit without the covariates; the
 * model a fit started from, zero-shot; a fit from scratch), each under its
 * own name (ts_backtest_config.extra). */
#define TS_BT_MAX_EXTRA 3
enum { TS_BT_MODEL = 0, TS_BT_NAIVE = 1, TS_BT_SNAIVE = 2, TS_BT_EXTRA = 3,
       TS_BT_METHODS = TS_BT_EXTRA + TS_BT_MAX_EXTRA };

typedef struct ts_backtest_extra {
    const ts_model *m;
    const char *name;     /* the method's name in the table, at most 15 bytes */
} ts_backtest_extra;

typedef struct ts_backtest_config {
    int horizon;          /* H */
    int windows;          /* K */
    int stride;           /* between window starts; 0: H */
    int season;           /* m for seasonal naive, MASE, MSIS; 0: from the frequency */
    ts_forecast_config fc;  /* samples and sampler (horizon is set to H) */
    const char *plot;     /* per-window fan charts with the truth, or NULL */
    int plot_cov;         /* and the set's covariates under them */
    int n_extra;          /* also score these models */
    ts_backtest_extra extra[TS_BT_MAX_EXTRA];
} ts_backtest_config;

typedef struct ts_backtest {
    size_t n_series;
    int season;
    int n_methods;        /* TS_BT_EXTRA + the config's n_extra */
    char name[TS_BT_METHODS][16];  /* the methods' names */
    ts_metric_acc *acc;   /* [(n_series + 1) * TS_BT_METHODS]; row n_series is pooled */
} ts_backtest;

/* Origin of window w of a series of length len. */
long ts_backtest_origin(const ts_backtest_config *c, size_t len, int w);

/* The training part: every series cut before its first held-out window,
 * covariates too (series left with no points are dropped). TS_EDATA if nothing is left. */
int ts_backtest_train_set(const ts_series_set *set, const ts_backtest_config *c,
                          ts_series_set *train, ts_error *err);

/* Evaluate m on the held-out windows of set: the series its fit record
 * names, or every series for a network-only model. TS_EDATA if the fit
 * record says the model was trained on any point of the held-out range. */
int ts_backtest_run(ts_backend *be, const ts_model *m, const ts_series_set *set,
                    const ts_backtest_config *c, ts_backtest *out, ts_error *err);
void ts_backtest_free(ts_backtest *b);
/* Pool run `from` (same set, same methods) into `into`: its scores count as
 * more windows. An empty `into` (acc NULL) takes `from`'s, leaving it empty. */
void ts_backtest_merge(ts_backtest *into, ts_backtest *from);

/* The pooled table (stdout) and the per-series + pooled CSV. */
void ts_backtest_print(const ts_backtest *b, FILE *out);
int ts_backtest_write_csv(const ts_backtest *b, const ts_series_set *set, const char *path,
                          ts_error *err);

#endif
