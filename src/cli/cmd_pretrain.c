/* cmd_pretrain.c - `tsdiff pretrain`: train a universal network (one that
 * forecasts series of any frequency) on a generated corpus of several
 * frequencies, or on a folder of CSV files; write it network-only, with
 * where it came from (its provenance) inside the file.
 *
 * With --checkpoint-every N the run also keeps OUTPUT.ckpt, the network
 * with its optimizer state and the corpus settings, every N steps and at
 * the end; --resume continues from it on the same corpus. */
#define _POSIX_C_SOURCE 200809L   /* strtok_r under a strict -std (clang) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/csv_opts.h"
#include "cli/fit_opts.h"
#include "cli/opts.h"
#include "cli/outputs.h"
#include "commit.h"
#include "config.h"
#include "data/corpus.h"
#include "diffusion/train.h"
#include "io/signals.h"
#include "model/model.h"

#define MAX_FREQS 8
#define DEFAULT_HORIZON 32
#define DEFAULT_CONTEXT 128
#define DEFAULT_UNDATED 0.1   /* the share of windows seen without dates */

typedef struct pretrain_args {
    ts_csv_cli csv;
    ts_cli_fit fit;
    const char *model, *corpus, *freqs, *length;
    const char *scaling;    /* --scaling mean|centred|base|hybrid|cross, NULL when not given */
    long corpus_series, corpus_seed, checkpoint_every;
    double undated;     /* --undated, < 0 when not given */
    int resume;
    double wait;
    char ckpt[4096];   /* OUTPUT.ckpt */
    char command[1024];
} pretrain_args;

/* The corpus settings: the options', or on --resume the checkpoint's. */
typedef struct corpus_settings {
    char corpus[4096], freqs[64], length[48];
    unsigned long long seed;
    long series;
    double undated;     /* the share of windows seen undated */
} corpus_settings;

static int settings_from_model(const ts_model *m, corpus_settings *c, ts_error *err)
{
    const char *corpus = ts_model_provenance(m, "corpus");
    const char *freqs = ts_model_provenance(m, "corpus.freqs");
    const char *len = ts_model_provenance(m, "corpus.length");
    const char *seed = ts_model_provenance(m, "corpus.seed");
    const char *series = ts_model_provenance(m, "corpus.series");
    if (!corpus || !freqs || !len || !seed || !series)
        return ts_fail(err, TS_EDATA, "cannot resume: the checkpoint does not record its corpus "
                       "(not written by tsdiff pretrain)");
    snprintf(c->corpus, sizeof c->corpus, "%s", corpus);
    snprintf(c->freqs, sizeof c->freqs, "%s", freqs);
    snprintf(c->length, sizeof c->length, "%s", len);
    c->seed = strtoull(seed, NULL, 10);
    c->series = strtol(series, NULL, 10);
    const char *undated = ts_model_provenance(m, "undated");   /* older runs had none */
    c->undated = undated ? strtod(undated, NULL) : 0;
    return 0;
}

/* "H,D,W,M,Q" into freqs. */
static int parse_freqs(const char *list, ts_freq *freqs, int *n, ts_error *err)
{
    char buf[64], *save = NULL;
    snprintf(buf, sizeof buf, "%s", list);
    *n = 0;
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        ts_error sub = {0};
        if (*n == MAX_FREQS)
            return ts_fail(err, TS_EUSAGE, "pretrain: --freqs: at most %d frequencies", MAX_FREQS);
        if (ts_freq_parse(t, &freqs[*n], &sub) || freqs[*n].unit == TS_FREQ_NONE)
            return ts_fail(err, TS_EUSAGE, "pretrain: --freqs: %s", sub.msg[0] ? sub.msg : t);
        (*n)++;
    }
    if (*n == 0) return ts_fail(err, TS_EUSAGE, "pretrain: --freqs names no frequency");
    return 0;
}

static int build_corpus(const pretrain_args *a, const corpus_settings *c, ts_series_set *set,
                        ts_error *err)
{
    if (strcmp(c->corpus, "synthetic") != 0) {
        ts_csv_opts csv;
        int rc = ts_csv_cli_opts(&a->csv, "pretrain", &csv, err);
        return rc ? rc : ts_corpus_dir(c->corpus, &csv, set, err);
    }
    ts_freq freqs[MAX_FREQS];
    int nf = 0;
    size_t lo = 0, hi = 0;
    int rc = parse_freqs(c->freqs, freqs, &nf, err);
    if (!rc) rc = ts_cli_length_range("pretrain", c->length, &lo, &hi, err);
    if (!rc) rc = ts_corpus_synth(freqs, nf, (size_t)c->series, lo, hi, c->seed, set, err);
    return rc;
}

/* Where the network came from, inside the model file: on --resume the
 * checkpoint's commands, with --init the initial model's, before this one. */
static void set_provenance(ts_model *m, const ts_model *init, const pretrain_args *a,
                           const corpus_settings *c)
{
    const ts_model *from = a->resume ? m : init->net.ema ? init : NULL;
    const char *before = from ? ts_model_provenance(from, "command") : NULL;
    char chain[8192];   /* a resumed run's commands, oldest first */
    snprintf(chain, sizeof chain, "%s%s%s", before ? before : "", before ? "; then " : "",
             a->command);
    ts_model_set_provenance(m, "made_by", "tsdiff pretrain");
    ts_model_set_provenance(m, "command", "%s", chain);
    ts_model_set_provenance(m, "corpus", "%s", c->corpus);
    ts_model_set_provenance(m, "corpus.freqs", "%s", c->freqs);
    ts_model_set_provenance(m, "corpus.series", "%ld", c->series);
    ts_model_set_provenance(m, "corpus.length", "%s", c->length);
    ts_model_set_provenance(m, "corpus.seed", "%llu", c->seed);
    ts_model_set_provenance(m, "undated", "%g", c->undated);
    ts_model_set_provenance(m, "tsdiff", "%s (commit %s)", PACKAGE_VERSION, TSDIFF_COMMIT);
    if (a->resume || !init->net.ema) return;
    const char *steps = ts_model_provenance(init, "steps");
    ts_model_set_provenance(m, "init", "%s", a->fit.init);
    if (steps) ts_model_set_provenance(m, "init.steps", "%s", steps);
}

/* 1 if the channels of `from` are the first of `to`'s. */
static int leading_channels(const ts_window_spec *from, const ts_window_spec *to)
{
    int ok = from->channels <= to->channels;
    for (int c = 0; ok && c < from->channels; c++)
        ok = from->chan[c].kind == to->chan[c].kind && from->chan[c].param == to->chan[c].param;
    return ok;
}

/* A new run's network: random weights (--init none, the default), or with
 * --init default|FILE a universal network's, trained on further on this
 * run's window (another context or horizon: a universal network's weights
 * do not depend on the window's length). The loaded model stays in *init. */
static int start_network(const pretrain_args *a, const ts_series_set *set, ts_train_config *cfg,
                         ts_model *init, ts_model *m, ts_error *err)
{
    const char *what = a->fit.init;
    ts_train_record *rec = &ts_model_fit(m)->train;
    if (!what || !strcmp(what, "none") || !strcmp(what, "auto"))
        return ts_train_setup(set, cfg, &m->net, rec, err);
    char path[4096];
    int rc = ts_cli_fit_load_init(what, init, path, sizeof path, err);
    if (rc) return rc;
    ts_net *n = &init->net;
    const char *clash = ts_cli_fit_own_network(&a->fit, n);
    if (!n->win.universal || n->cov.n > 0)
        return ts_fail(err, TS_EUSAGE, "pretrain: --init %s: not a universal network without "
                       "covariates (one of tsdiff pretrain, or a fit started from one)", path);
    if (clash)
        return ts_fail(err, TS_EUSAGE, "pretrain: --init %s: the network comes from the model; "
                       "drop %s", path, clash);
    cfg->unet = n->unet;
    cfg->T = n->T;
    cfg->sched = n->sched;
    if (!a->scaling) cfg->centred = n->win.centred;
    rc = ts_train_setup(set, cfg, &m->net, rec, err);
    if (!rc && !leading_channels(&n->win, &m->net.win))
        rc = ts_fail(err, TS_EUSAGE, "pretrain: --init %s: the model's %d input channels are not "
                     "the first of this run's %d", path, n->win.channels, m->net.win.channels);
    if (rc) return rc;
    if (n->win.channels < m->net.win.channels) ts_net_widen_inputs(n, m->net.win.channels);
    m->net.n_params = n->n_params;
    cfg->init = n->ema;
    return 0;
}

/* The TS_LOC_ value --scaling NAME asks for (data/window.h, SCALING); -1
 * for an unknown name. */
static int scaling_loc(const char *name)
{
    return !strcmp(name, "mean")      ? TS_LOC_NONE
           : !strcmp(name, "centred") ? TS_LOC_MEAN
           : !strcmp(name, "base")    ? TS_LOC_BASE
           : !strcmp(name, "hybrid")  ? TS_LOC_HYBRID
           : !strcmp(name, "cross")   ? TS_LOC_CROSS
                                      : -1;
}

/* Training's checkpoints: the model with its optimizer state, in FILE.ckpt. */
typedef struct checkpoint_ctx {
    const char *path;
    ts_model *m;
} checkpoint_ctx;

static int save_checkpoint(void *ctx, ts_error *err)
{
    checkpoint_ctx *c = ctx;
    ts_model_set_provenance(c->m, "steps", "%ld", c->m->fit->train.steps);
    return ts_model_save(c->m, c->path, TS_SAVE_RESUMABLE, err);
}

/* The training configuration: the fit options, a universal window, varied
 * windows; on --resume the checkpoint's batch and rate unless given. */
static int make_config(const pretrain_args *a, const ts_series_set *set, const ts_model *m,
                       double c_undated, ts_train_config *cfg, checkpoint_ctx *ctx,
                       ts_error *err)
{
    int rc = ts_cli_fit_config(&a->fit, set, cfg, err);
    if (rc) return rc;
    if (!a->fit.horizon) cfg->horizon = DEFAULT_HORIZON;
    if (!a->fit.context) cfg->context = DEFAULT_CONTEXT;
    cfg->universal = 1;
    cfg->centred = a->scaling ? scaling_loc(a->scaling) : TS_LOC_NONE;
    cfg->vary_window = 1;
    cfg->undated = c_undated;
    cfg->checkpoint_every = a->checkpoint_every;
    cfg->checkpoint = save_checkpoint;
    cfg->checkpoint_ctx = ctx;
    cfg->stop = ts_signals_flag();
    if (m->fit && m->fit->train.params) {
        if (a->fit.lr <= 0) cfg->optim.lr = m->fit->train.lr;
        if (!a->fit.batch) cfg->batch = m->fit->train.batch;
    }
    return 0;
}

static int load_resumable(const pretrain_args *a, ts_model *m, corpus_settings *c,
                          ts_error *err)
{
    int rc = ts_model_load(a->ckpt, m, err);
    if (!rc && (!m->fit || !m->fit->train.params || !m->net.win.universal))
        rc = ts_fail(err, TS_EUSAGE, "%s: cannot resume: not a pretraining checkpoint", a->ckpt);
    return rc ? rc : settings_from_model(m, c, err);
}

static int run_pretrain(pretrain_args *a, ts_error *err)
{
    ts_model m = {0}, init = {0};
    ts_series_set set = {0};
    ts_backend *be = NULL;
    ts_outputs outs = {0};
    ts_train_config cfg;
    corpus_settings c = {.seed = (unsigned long long)a->corpus_seed, .series = a->corpus_series,
                         .undated = DEFAULT_UNDATED};
    snprintf(c.corpus, sizeof c.corpus, "%s", a->corpus);
    snprintf(c.freqs, sizeof c.freqs, "%s", a->freqs);
    snprintf(c.length, sizeof c.length, "%s", a->length);
    checkpoint_ctx ctx = {a->ckpt, &m};
    const int keep_ckpt = a->checkpoint_every > 0 || a->resume;
    const ts_run_file out[] = {{"--output", a->model}, {"checkpoint", keep_ckpt ? a->ckpt : NULL}};
    ts_signals_init(1);
    int rc = ts_outputs_claim(&outs, NULL, 0, out, 2, a->wait, err);
    if (!rc && a->resume) rc = load_resumable(a, &m, &c, err);
    if (a->undated >= 0) c.undated = a->undated;   /* given: also on --resume */
    if (!rc) rc = build_corpus(a, &c, &set, err);
    if (!rc) rc = make_config(a, &set, &m, c.undated, &cfg, &ctx, err);
    if (!rc && !a->resume) rc = start_network(a, &set, &cfg, &init, &m, err);
    if (!rc) rc = ts_backend_open(a->fit.device, a->fit.threads, &be, err);
    if (rc) goto done;
    ts_csv_opts none;
    ts_csv_opts_default(&none);
    ts_model_set_csv(&m, NULL, &none);
    ts_model_set_series(&m, &set);
    set_provenance(&m, &init, a, &c);
    ts_info("pretrain: %zu series (%s), %ld steps", set.n, c.corpus, cfg.steps);
    if (!ts_signals_caught()) rc = ts_train(be, &set, &cfg, &m.net, &m.fit->train, err);
    if (!rc) {
        ts_model_set_provenance(&m, "steps", "%ld", m.fit->train.steps);
        if (keep_ckpt) rc = ts_model_save(&m, a->ckpt, TS_SAVE_RESUMABLE, err);
        if (!rc) rc = ts_model_save(&m, a->model, TS_SAVE_NET, err);
    }
    if (!rc && !a->fit.quiet)
        printf("pretrain: %ld steps, loss %.4f, best validation CRPS %.4f at step %ld; "
               "network saved to %s%s%s\n", m.fit->train.steps, m.fit->train.final_loss,
               m.fit->train.best_val_loss, m.fit->train.best_step, a->model,
               keep_ckpt ? ", checkpoint to " : "", keep_ckpt ? a->ckpt : "");
    if (!rc && ts_signals_caught())
        rc = ts_fail(err, 128 + ts_signals_caught(), "pretrain interrupted at step %ld; saved "
                     "so far in %s", m.fit->train.steps, a->model);
done:
    ts_outputs_release(&outs);
    ts_backend_destroy(be);
    ts_series_set_free(&set);
    ts_model_free(&m);
    ts_model_free(&init);
    return rc;
}

/* The command line as typed, for the provenance. */
static void join_args(char *buf, size_t size, int argc, char **argv)
{
    size_t at = (size_t)snprintf(buf, size, "tsdiff");
    for (int i = 0; i < argc && at < size; i++)
        at += (size_t)snprintf(buf + at, size - at, " %s", argv[i]);
}

int ts_cmd_pretrain(int argc, char **argv)
{
    pretrain_args a = {.model = "tsdiff-pretrained.model", .corpus = "synthetic",
                       .freqs = "H,D,W,M,Q", .length = "64:1200", .corpus_series = 200,
                       .corpus_seed = 1, .undated = -1};
    ts_cli_fit_init(&a.fit);
    const ts_opt opts[] = {
        {"corpus", 0, TS_OPT_STRING, &a.corpus, "synthetic|DIR", "train on generated series (default) or on every .csv file of DIR", 0, 0},
        {"freqs", 0, TS_OPT_STRING, &a.freqs, "LIST", "frequencies of the generated corpus (default H,D,W,M,Q)", 0, 0},
        {"corpus-series", 0, TS_OPT_LONG, &a.corpus_series, "N", "generated series per frequency (default 200)", 1, 1e7},
        {"length", 'l', TS_OPT_STRING, &a.length, "MIN[:MAX]", "points per generated series (default 64:1200)", 0, 0},
        {"corpus-seed", 0, TS_OPT_LONG, &a.corpus_seed, "N", "seed of the generated corpus (default 1)", 0, 9.2e18},
        {"model", 'o', TS_OPT_STRING, &a.model, "FILE", "network to write (default tsdiff-pretrained.model)", 0, 0},
        {"checkpoint-every", 0, TS_OPT_LONG, &a.checkpoint_every, "N", "save FILE.ckpt (resumable) every N steps and at the end", 1, 1e9},
        {"undated", 0, TS_OPT_DOUBLE, &a.undated, "SHARE", "share of training windows seen without dates, as series without a time column are (default 0.1; on --resume the checkpoint's)", 0, 1},
        {"resume", 0, TS_OPT_FLAG, &a.resume, NULL, "continue from FILE.ckpt, on its corpus, for --steps more steps", 0, 0},
        {"scaling", 0, TS_OPT_STRING, &a.scaling, "mean|centred|base|hybrid|cross", "divide by the context's mean |x| (default; with --init the model's), or measure from its mean (centred), from its point nearest 0 (base), from its mean where it has one sign and from 0 elsewhere (hybrid), or from its mean unless it crosses 0 and from 0 where it does (cross), and divide by the mean distance from that", 0, 0},
        {"wait", 0, TS_OPT_DOUBLE, &a.wait, "SECONDS", "wait this long for another run writing the same files (default 0: exit 75 at once)", 0, 1e9},
        TS_FIT_OPTIONS(a.fit),
        TS_CSV_OPTIONS(a.csv),
        {0},
    };
    const ts_cmd_spec spec = {
        "pretrain", "", "Train a network that forecasts series of any frequency.", opts,
        "The network's inputs do not depend on one data set (its seasons, their phases\n"
        "and lags are filled from each series' frequency), and each training window\n"
        "gets a random effective context and horizon, so that it forecasts any series\n"
        "from any history: tsdiff forecast --model FILE --data X.csv. Defaults: horizon\n"
        "32, context 128. The file holds the network alone and how it was made.\n"
        "Here --init is none by default (random weights); --init default|FILE trains\n"
        "a universal network further, on a longer --context for instance.\n"};
    ts_error err = {0};
    int first = 0, rc = ts_opts_parse(&spec, argc, argv, &first, &err);
    if (!rc && first < argc)
        rc = ts_fail(&err, TS_EUSAGE, "pretrain: unexpected argument \"%s\"", argv[first]);
    if (!rc && a.scaling && scaling_loc(a.scaling) < 0)
        rc = ts_fail(&err, TS_EUSAGE, "pretrain: --scaling expects mean, centred, base, hybrid "
                     "or cross, found \"%s\"", a.scaling);
    if (!rc && a.scaling && a.resume)
        rc = ts_fail(&err, TS_EUSAGE, "pretrain: --resume keeps the checkpoint's scaling (no "
                     "--scaling)");
    if (!rc && a.fit.target && strcmp(a.fit.target, "value"))
        rc = ts_fail(&err, TS_EUSAGE, "pretrain: a universal network learns values (no --target residual)");
    if (!rc) {
        snprintf(a.ckpt, sizeof a.ckpt, "%s.ckpt", a.model);
        join_args(a.command, sizeof a.command, argc, argv);
        ts_set_quiet(a.fit.quiet);
        ts_set_verbose(a.fit.verbose);
        rc = run_pretrain(&a, &err);
    }
    return ts_cmd_exit(rc, &err);
}
