/* fit_opts.c - training options -> ts_train_config. */
#include "cli/fit_opts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ts_cli_fit_init(ts_cli_fit *f)
{
    memset(f, 0, sizeof *f);
    f->seed = 1;
}

int ts_cli_fit_config(const ts_cli_fit *f, const ts_series_set *set, ts_train_config *c,
                      ts_error *err)
{
    ts_train_config_default(c);
    c->horizon = f->horizon ? f->horizon : ts_default_horizon(set->freq);
    c->context = f->context;
    if (f->steps) c->steps = f->steps;
    c->epochs = f->epochs;
    if (f->batch) c->batch = f->batch;
    if (f->lr > 0) c->optim.lr = f->lr;
    if (f->channels) c->unet.width = f->channels;
    if (f->levels) c->unet.levels = f->levels;
    if (f->res_blocks) c->unet.res_blocks = f->res_blocks;
    if (f->T) c->T = f->T;
    c->seed = (uint64_t)f->seed;
    c->quiet = f->quiet;
    c->adapt_threads = f->threads == 0;   /* no --threads: the count follows the load */
    /* Group norm needs groups to divide the width. */
    while (c->unet.groups > 1 && c->unet.width % c->unet.groups) c->unet.groups /= 2;
    if (f->select) {
        if (!strcmp(f->select, "crps")) c->select_crps = 1;
        else if (!strcmp(f->select, "loss")) c->select_crps = 0;
        else if (!strcmp(f->select, "last")) c->keep_last = 1;
        else return ts_fail(err, TS_EUSAGE, "--select expects crps, loss or last, found \"%s\"",
                            f->select);
    }
    if (f->target) {
        if (!strcmp(f->target, "residual")) c->residual = 1;
        else if (!strcmp(f->target, "value")) c->residual = 0;
        else return ts_fail(err, TS_EUSAGE, "--target expects residual or value, found \"%s\"", f->target);
    }
    if (f->schedule) return ts_sched_parse(f->schedule, &c->sched, err);
    return 0;
}

/* An option given that the init model decides otherwise: its name, or NULL.
 * A universal network takes any window (its weights do not depend on the
 * length), so only a fitted model fixes context and horizon. */
static const char *contradiction(const ts_cli_fit *f, const ts_net *n)
{
    if (!n->win.universal && f->context && f->context != n->win.context) return "--context";
    if (!n->win.universal && f->horizon && f->horizon != n->win.horizon) return "--horizon";
    if (f->channels && f->channels != n->unet.width) return "--channels";
    if (f->levels && f->levels != n->unet.levels) return "--levels";
    if (f->res_blocks && f->res_blocks != n->unet.res_blocks) return "--res-blocks";
    if (f->T && f->T != n->T) return "--diffusion-steps";
    if (f->target && (strcmp(f->target, "residual") == 0) != n->win.residual) return "--target";
    return NULL;
}

/* Row k of t for a message: "price", "weather=rain", "promo (0/1)", "none". */
static const char *row_text(const ts_cov_table *t, int k, char *buf, size_t size)
{
    if (k >= t->n) return "none";
    char name[96];
    const ts_cov_row *r = &t->row[k];
    snprintf(buf, size, "%s%s", ts_cov_row_name(r, name, sizeof name),
             r->raw && !r->level ? " (0/1)" : "");
    return buf;
}

/* The data's covariates on the network started from init model `from`:
 * one without covariates gains them, their input weights at 0
 * (ts_net_add_covariates); one with covariates needs the same table. */
static int start_covariates(const char *what, const ts_series_set *set, const ts_net *from,
                            ts_net *to, ts_error *err)
{
    ts_cov_table t = {0};
    char a[128], b[128];
    int rc = set->n_cov > 0 ? ts_cov_table_from_set(&t, set, err) : 0;
    if (rc) return rc;
    int k = ts_cov_table_diff(&t, &from->cov);
    if (from->cov.n == 0 && t.n > 0) {
        ts_net_add_covariates(to, &t);
    } else if (k >= 0) {
        rc = ts_fail(err, TS_EUSAGE, "--init %s: the model's covariate input %d is %s, the "
                     "data's %s (fit with the model's --covariate and --categorical columns)",
                     what, k + 1, row_text(&from->cov, k, a, sizeof a), row_text(&t, k, b, sizeof b));
    } else if (t.n > 0) {
        ts_net_set_covariates(to, &t);
    }
    ts_cov_table_free(&t);
    return rc;
}

/* Fine-tuning defaults (bench/RESULTS.md, "Pretrained model"): on grids
 * finer than a day and undated data, where the pretrained network is
 * nearly as good as a fit, a context no longer than the network's own and
 * a gentle rate; on daily and coarser grids, where it is further off, the
 * context a fit from scratch would choose and a stronger rate. */
static int near_pretrained(ts_freq f)
{
    return f.unit == TS_FREQ_NONE || f.unit == TS_FREQ_SECOND || f.unit == TS_FREQ_MINUTE ||
           f.unit == TS_FREQ_HOUR;
}

/* The share of the fine-tuning rate that data near the pretrained model
 * get: the windows that hold a whole context and horizon before the
 * held-out last horizon of each series, over FULL_WINDOWS, at most 1. On
 * a week of hourly data (168 points: no whole window of 128 + 32 before
 * the held-out 32) 300 steps at the full rate made the forecasts 80 % worse
 * than the pretrained model's (bench/RESULTS.md); on one series of 748
 * points (557 windows) they made them 30 % better. */
#define FULL_WINDOWS 200
static double rate_share(const ts_series_set *set, const ts_window_spec *win)
{
    long n = 0;
    for (size_t i = 0; i < set->n && n < FULL_WINDOWS; i++) {
        long w = (long)set->series[i].len - 2L * win->horizon - win->context + 1;
        if (w > 0) n += w;
    }
    return n >= FULL_WINDOWS ? 1.0 : (double)n / FULL_WINDOWS;
}

/* A universal network starting a fit gets cfg's horizon (--horizon or the
 * frequency's) and --context, else the context a fit from scratch would
 * choose. Where the data are near what it was trained on (above), the
 * context is capped at its own and so is the horizon, even a given one:
 * a longer horizon is forecast block by block (the model's fit record
 * keeps the horizon asked for; on a week of hourly data the old window,
 * 48 steps at once after a context of 72, forecast twice as badly,
 * bench/RESULTS.md). Its covariate channels stay (start_covariates then
 * checks or adds). */
static int universal_window(const ts_cli_fit *f, const ts_series_set *set,
                            const ts_train_config *cfg, ts_net *net, ts_error *err)
{
    int H = cfg->horizon, C = f->context;
    if (near_pretrained(set->freq)) {
        if (!C) C = net->win.context;
        if (H > net->win.horizon) H = net->win.horizon;
    } else if (!C) {
        C = ts_window_default_context(set, H);
    }
    int n_cov = net->win.n_cov, raw[TS_WINDOW_MAX_COVS];
    for (int k = 0; k < n_cov; k++) raw[k] = net->win.cov_raw[k];
    const int lags = ts_window_lag_limit(&net->win), centred = net->win.centred;
    int rc = ts_window_spec_make_universal(&net->win, C, H, net->win.levels, err);
    if (rc) return rc;
    /* A fit from a centred (or cross) network on data of FULL_WINDOWS
     * whole windows or more measures the windows whose context reaches or
     * crosses 0 from 0 (hybrid): centring made the zero days of sales deep
     * dips the fine-tune did not unlearn (wQL9 0.2871 against 0.2407
     * hybrid, bench/RESULTS.md "Where zero is"), but on less data the
     * network cannot learn the new origin (short NN5 series: 0.1947
     * centred, 0.2036 hybrid). Zero-shot forecasts keep the model's own
     * rule. */
    const int full = rate_share(set, &net->win) >= 1.0;
    const int from_zero = full && (centred == TS_LOC_MEAN || centred == TS_LOC_CROSS);
    ts_window_set_centred(&net->win, from_zero ? TS_LOC_HYBRID : centred);
    /* Near the pretraining, only the season lags it was trained with; on
     * daily and coarser grids the fit's strong rate learns the longer ones
     * too (NN5's yearly lag: 0.1535 with it, 0.1555 without) */
    net->win.lag_context = near_pretrained(set->freq) ? lags : 0;
    ts_window_set_covariates(&net->win, n_cov, raw);   /* the model's, if any */
    TS_CHECK(net->win.channels == net->unet.in_channels);
    net->unet.length = net->win.length;
    return 0;
}

/* A fit from a model without --lr: 3e-3 on daily and coarser grids; nearer
 * the pretraining (universal) rate_share of 1e-3, and with no whole window
 * at all, unless --steps or --epochs say otherwise, one step at the least
 * rate: the weights as they are. A fit that gives the network covariate
 * inputs (new_cov: their weights start at 0) takes 3e-3 on data of
 * FULL_WINDOWS whole windows too: at 1e-3 the 300 steps hardly learn them
 * (EPF's prices with the nine covariates, 3 seeds: wQL9 0.1121 at 1e-3,
 * 0.1035 at 3e-3; without covariates the rate made no difference worth
 * the M4 Hourly fine-tune's loss at 3e-3, 0.0250 to 0.0264; bench/RESULTS.md,
 * "EPF"). */
static void default_rate(const ts_cli_fit *f, const ts_series_set *set, int universal,
                         int new_cov, const ts_window_spec *win, ts_train_config *cfg)
{
    if (!near_pretrained(set->freq)) {
        cfg->optim.lr = TS_FIT_INIT_LR;
        return;
    }
    double share = universal ? rate_share(set, win) : 1.0;
    if (new_cov && share >= 1.0) {
        cfg->optim.lr = TS_FIT_INIT_LR;
        return;
    }
    cfg->optim.lr = share * TS_FIT_INIT_LR_NEAR > TS_FIT_LR_MIN ? share * TS_FIT_INIT_LR_NEAR
                                                                 : TS_FIT_LR_MIN;
    if (share == 0.0 && !f->steps && !(f->epochs > 0)) {
        cfg->steps = 1;
        ts_note("the data hold no whole window of %d + %d steps before the held-out horizon: "
                "the fit keeps the pretrained weights (1 step at rate %g; --steps and --lr to "
                "train)", win->context, win->horizon, cfg->optim.lr);
    } else if (share < 1.0) {
        ts_note("the data hold few whole windows of %d + %d steps: fine-tuning at rate %g "
                "(--lr sets it)", win->context, win->horizon, cfg->optim.lr);
    }
}

const char *ts_cli_fit_own_network(const ts_cli_fit *f, const ts_net *pre)
{
    if (f->schedule) return "--schedule";
    const char *bad = contradiction(f, pre);
    return bad && !strcmp(bad, "--target") ? "--target residual" : bad;
}

int ts_cli_fit_load_init(const char *what, ts_model *init, char *path, size_t size,
                         ts_error *err)
{
    snprintf(path, size, "%s", what);
    int rc = !strcmp(what, "default") ? ts_model_find_pretrained(path, size, err) : 0;
    return rc ? rc : ts_model_load(path, init, err);
}

/* --init auto (fit's default): the pretrained model, unless it is not
 * installed or the options describe another network; then random weights.
 * Returns 1 for random weights (a note says why), 0 with the
 * pretrained model in *init and its path in path, or the load's error. */
static int init_auto(const ts_cli_fit *f, ts_model *init, char *path, size_t size, ts_error *err)
{
    ts_error miss = {0};
    if (ts_model_find_pretrained(path, size, &miss)) {
        if (getenv("TSDIFF_MODEL")) return ts_fail(err, miss.code, "%s", miss.msg);  /* named */
        ts_note("no pretrained model installed: training from random weights (%s)", miss.msg);
        return 1;
    }
    int rc = ts_model_load(path, init, err);
    if (rc) return rc;
    const char *why = ts_cli_fit_own_network(f, &init->net);
    if (!why) return 0;
    ts_note("%s asks for a network of its own: training from random weights", why);
    ts_model_free(init);
    return 1;
}

int ts_cli_fit_from_init(const ts_cli_fit *f, const ts_series_set *set, ts_train_config *cfg,
                         ts_model *init, ts_model *m, ts_error *err)
{
    const char *what = f->init ? f->init : TS_FIT_INIT_DEFAULT;
    char path[4096];
    char a[32], b[32];
    if (!strcmp(what, "none")) return 1;
    int rc = ts_train_check_set(set, err);
    if (rc) return rc;
    if (!strcmp(what, "auto")) {
        rc = init_auto(f, init, path, sizeof path, err);
        what = "default";
    } else {
        rc = ts_cli_fit_load_init(what, init, path, sizeof path, err);
    }
    if (rc) return rc;
    const ts_net *n = &init->net;
    const char *bad = contradiction(f, n);
    if (bad)
        return ts_fail(err, TS_EUSAGE, "--init %s: the window and network come from the model; "
                       "drop %s", what, bad);
    if (!n->win.universal && (set->has_time != n->win.has_time ||
                              set->freq.unit != n->win.freq.unit ||
                              set->freq.mult != n->win.freq.mult))
        return ts_fail(err, TS_EUSAGE, "--init %s: a model of %s data cannot start a fit of %s "
                       "data (a universal one can)", what, ts_freq_name(n->win.freq, a, sizeof a),
                       ts_freq_name(set->freq, b, sizeof b));
    m->net = *n;
    m->net.cov = (ts_cov_table){0};   /* init's stays init's: start_covariates copies it */
    m->net.ema = ts_xmalloc(n->n_params * sizeof *m->net.ema);
    memcpy(m->net.ema, n->ema, n->n_params * sizeof *m->net.ema);
    const int asked = cfg->horizon;
    rc = n->win.universal ? universal_window(f, set, cfg, &m->net, err) : 0;
    if (!rc) rc = start_covariates(what, set, n, &m->net, err);
    if (rc) return rc;
    ts_window_bind_grid(&m->net.win, set->freq, set->has_time);
    cfg->horizon = m->net.win.horizon;
    cfg->context = m->net.win.context;
    cfg->init = m->net.ema;
    if (n->win.universal && asked > m->net.win.horizon) ts_model_fit(m)->horizon = asked;
    if (!f->steps && !(f->epochs > 0)) cfg->steps = TS_FIT_INIT_STEPS;
    if (!(f->lr > 0))
        default_rate(f, set, n->win.universal, n->cov.n == 0 && m->net.cov.n > 0, &m->net.win,
                     cfg);
    ts_train_record_start(&ts_model_fit(m)->train, cfg);
    ts_model_set_provenance(m, "init", "%s", strcmp(what, "default") ? what : path);
    const char *steps = ts_model_provenance(init, "steps");
    if (steps) ts_model_set_provenance(m, "init.steps", "%s", steps);
    return 0;
}
