/* cmd_fit.c - `tsdiff fit DATA.csv`: read the data, train, save the model. */
#define _POSIX_C_SOURCE 200809L   /* clock_gettime, without relying on -fopenmp to ask for it */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli/commands.h"
#include "cli/csv_opts.h"
#include "cli/fit_opts.h"
#include "cli/opts.h"
#include "cli/outputs.h"
#include "data/csv.h"
#include "diffusion/train.h"
#include "io/comm.h"
#include "model/model.h"
#include "io/plot.h"
#include "io/signals.h"

typedef struct fit_args {
    ts_csv_cli csv;
    ts_cli_fit fit;
    const char *model, *plot_loss;
    int resume;
    long checkpoint_every;
    double wait;
} fit_args;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Read DATA (or the data the model was trained on, for --resume). */
static int read_data(const fit_args *a, const char *path, const ts_model *resumed,
                     ts_series_set *set, ts_csv_opts *csv, ts_error *err)
{
    int rc = ts_csv_cli_opts(&a->csv, "fit", csv, err);
    if (rc) return rc;
    if (!path && resumed) {
        rc = ts_model_data_path(resumed, a->model, "DATA.csv", &path, err);
        if (rc) return rc;
        *csv = resumed->fit->csv;
    }
    if (resumed) ts_model_csv_covariates(resumed, csv);   /* the columns it was fitted with */
    if (!path)
        return ts_fail(err, TS_EUSAGE, "fit: missing DATA.csv (try 'tsdiff fit --help')");
    return ts_csv_read(path, csv, set, err);
}

/* A model to resume has its optimizer state, so its fit record too. */
static int check_resumable(const ts_model *m, const char *path, ts_error *err)
{
    if (!m->fit || !m->fit->train.params)
        return ts_fail(err, TS_EUSAGE, "%s: cannot resume: the model has no optimizer state "
                       "(%s); fit a new model", path,
                       m->fit ? "it was saved without it" : "a network-only model");
    return 0;
}

/* The resumed model must describe the same series as the data. */
static int check_resume(const ts_model *m, const ts_series_set *set, ts_error *err)
{
    const ts_fit_record *fit = m->fit;
    if (fit->n_series != set->n)
        return ts_fail(err, TS_EDATA, "%s has %zu series, the model was trained on %zu",
                       set->source, set->n, fit->n_series);
    for (size_t i = 0; i < set->n; i++)
        if (strcmp(fit->names[i], set->series[i].name))
            return ts_fail(err, TS_EDATA, "%s: series %zu is \"%s\", the model's is \"%s\"",
                           set->source, i + 1, set->series[i].name, fit->names[i]);
    return 0;
}

/* Training's checkpoints: the model with its optimizer state. */
typedef struct checkpoint_ctx {
    const ts_model *m;
    const char *path;
} checkpoint_ctx;

static int save_checkpoint(void *ctx, ts_error *err)
{
    const checkpoint_ctx *c = ctx;
    return ts_model_save(c->m, c->path, TS_SAVE_RESUMABLE, err);
}

/* The data file a model records for forecast to re-read: only a regular
 * file (a FIFO or a device would hang or differ at the next read). */
static const char *recordable(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) ? path : NULL;
}

/* Before any work: the outputs are sound and locked, the chart type known. */
static int claim_outputs(const fit_args *a, const char *data_path, ts_outputs *outs,
                         ts_error *err)
{
    const ts_run_file in[] = {{"DATA", data_path}};
    const ts_run_file out[] = {{"--model", a->model}, {"--plot-loss", a->plot_loss}};
    int rc = a->plot_loss ? ts_plot_check_path(a->plot_loss, err) : 0;
    if (!rc) rc = ts_outputs_claim(outs, in, 1, out, 2, a->wait, err);
    return rc;
}

/* Save the model and its loss chart; say what was done. */
static int finish_fit(const fit_args *a, ts_model *m, long done, double secs, ts_error *err)
{
    const ts_train_record *t = &m->fit->train;
    if (ts_signals_caught() && done == 0)
        return ts_fail(err, 128 + ts_signals_caught(), "fit interrupted before its first step; %s",
                       a->resume ? "the model is unchanged" : "no model written");
    int rc = ts_model_save(m, a->model, TS_SAVE_RESUMABLE, err);
    if (!rc && a->plot_loss)
        rc = ts_plot_loss(a->plot_loss, (int)t->n_hist, t->hist_step, t->hist_train, t->hist_val,
                          err);
    if (rc) return rc;
    int sig = ts_signals_caught();   /* also one that came while saving */
    if (!a->fit.quiet)
        printf("fit: %ld steps in %.1f s (%.1f steps/s), loss %.4f, best validation %s %.4f "
               "at step %ld; model saved to %s\n", done, secs, done / (secs > 0 ? secs : 1),
               t->final_loss, t->select_crps ? "CRPS" : "loss", t->best_val_loss, t->best_step,
               a->model);
    if (sig)
        return ts_fail(err, 128 + sig, "fit interrupted at step %ld; the model so far "
                                        "is saved in %s", t->steps, a->model);
    return 0;
}

static int run_fit(fit_args *a, const char *data_path, ts_error *err)
{
    ts_model m = {0}, init = {0};
    ts_series_set set = {0};
    ts_csv_opts csv;
    ts_backend *be = NULL;
    ts_train_config cfg;
    ts_outputs outs = {0};
    checkpoint_ctx ck = {&m, a->model};
    ts_signals_init(1);
    /* MPI: every rank reads the data and trains; rank 0 alone owns the
     * outputs, and the ranks agree before each step that needs them all. */
    int rc = ts_comm_agree(ts_comm_root() ? claim_outputs(a, data_path, &outs, err) : 0, err);
    if (!rc && a->resume) rc = ts_model_load(a->model, &m, err);
    if (!rc && a->resume) rc = check_resumable(&m, a->model, err);
    if (!rc) rc = read_data(a, data_path, a->resume ? &m : NULL, &set, &csv, err);
    if (!rc) rc = ts_cli_fit_config(&a->fit, &set, &cfg, err);
    cfg.checkpoint_every = a->checkpoint_every;
    cfg.checkpoint = save_checkpoint;
    cfg.checkpoint_ctx = &ck;
    cfg.stop = ts_signals_flag();
    if (!rc && a->resume) {
        rc = check_resume(&m, &set, err);
        if (a->fit.lr <= 0) cfg.optim.lr = m.fit->train.lr;  /* the model's, unless given */
        if (!a->fit.batch) cfg.batch = m.fit->train.batch;
    }
    if (!rc && !a->resume) {
        rc = ts_cli_fit_from_init(&a->fit, &set, &cfg, &init, &m, err);
        if (rc == 1) rc = ts_train_setup(&set, &cfg, &m.net, &ts_model_fit(&m)->train, err);
        if (!rc) ts_model_set_csv(&m, recordable(set.source), &csv);
    }
    if (!rc) rc = ts_backend_open(a->fit.device, ts_comm_threads(a->fit.threads), &be, err);
    rc = ts_comm_agree(rc, err);
    if (rc) goto done;

    ts_model_set_series(&m, &set);   /* a resumed run may see new rows */
    double t0 = now_seconds();
    long before = m.fit->train.steps;
    /* the ranks of a job agree on a stop inside training */
    if (ts_comm_size() > 1 || !ts_signals_caught())
        rc = ts_train(be, &set, &cfg, &m.net, &m.fit->train, err);
    if (!rc && ts_comm_root())
        rc = finish_fit(a, &m, m.fit->train.steps - before, now_seconds() - t0, err);
done:
    ts_outputs_release(&outs);
    ts_backend_destroy(be);
    ts_series_set_free(&set);
    ts_model_free(&m);
    ts_model_free(&init);
    return rc;
}

int ts_cmd_fit(int argc, char **argv)
{
    fit_args a = {.model = TS_MODEL_DEFAULT_PATH};
    ts_cli_fit_init(&a.fit);
    const ts_opt opts[] = {
        TS_FIT_OPTIONS(a.fit),
        {"model", 'o', TS_OPT_STRING, &a.model, "FILE", "model file to write (default tsdiff.model)", 0, 0},
        {"resume", 0, TS_OPT_FLAG, &a.resume, NULL, "continue training the model in --model", 0, 0},
        {"checkpoint-every", 0, TS_OPT_LONG, &a.checkpoint_every, "N", "save the model every N steps (default: only at the end)", 1, 1e9},
        {"plot-loss", 0, TS_OPT_STRING, &a.plot_loss, "FILE", "draw the training and validation loss to FILE.png or FILE.svg", 0, 0},
        {"wait", 0, TS_OPT_DOUBLE, &a.wait, "SECONDS", "wait this long for another run writing the model (default 0: exit 75 at once)", 0, 1e9},
        TS_CSV_OPTIONS(a.csv),
        {0},
    };
    const ts_cmd_spec spec = {
        "fit", "[DATA.csv]", "Train a diffusion model of the series in DATA.csv.", opts,
        "Interrupting (SIGINT, SIGTERM, SIGHUP) stops after the current step and saves the\n"
        "model; a second signal stops at once and keeps the previous model file.\n"
        "With --resume, DATA.csv defaults to the file the model was trained on.\n"};
    ts_error err = {0};
    int first = 0, rc = ts_opts_parse(&spec, argc, argv, &first, &err);
    if (!rc && argc - first > 1)
        rc = ts_fail(&err, TS_EUSAGE, "fit: one DATA.csv expected (try 'tsdiff fit --help')");
    if (!rc) {
        ts_set_quiet(a.fit.quiet);
        ts_set_verbose(a.fit.verbose);
        rc = run_fit(&a, first < argc ? argv[first] : NULL, &err);
    }
    return ts_cmd_exit(rc, &err);
}
