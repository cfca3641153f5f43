/* cmd_backtest.c - `tsdiff backtest DATA.csv`: hold out the last windows,
 * fit on what comes before (or take --model), forecast each window and score
 * tsdiff against the naive and seasonal-naive baselines. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/csv_opts.h"
#include "cli/fit_opts.h"
#include "cli/opts.h"
#include "cli/outputs.h"
#include "data/csv.h"
#include "eval/backtest.h"
#include "io/comm.h"
#include "io/plot.h"
#include "io/signals.h"

typedef struct backtest_args {
    ts_csv_cli csv;
    ts_cli_fit fit;
    const char *model, *save_model, *sampler, *output, *plot;
    int windows, stride, samples, sampler_steps, season, plot_cov, compare, seeds;
    double wait;
} backtest_args;

/* Fit a model on the part of the data before the held-out windows; with
 * plain, the same model without the data's covariates. */
static int fit_before(const backtest_args *a, ts_backend *be, const ts_series_set *set,
                      const ts_csv_opts *csv, const ts_backtest_config *bc, int plain,
                      ts_model *m, ts_error *err)
{
    ts_series_set train = {0};
    ts_model init = {0};
    ts_train_config cfg;
    int rc = ts_backtest_train_set(set, bc, &train, err);
    ts_series_set seen = train;   /* what training sees: a shallow copy */
    if (plain) seen.n_cov = 0;
    if (!rc) rc = ts_cli_fit_config(&a->fit, set, &cfg, err);
    if (!rc) {
        ts_cli_fit opts = a->fit;
        opts.horizon = 0;   /* the windows' horizon; an --init model forecasts its own, cut */
        cfg.horizon = bc->horizon;
        rc = ts_cli_fit_from_init(&opts, &seen, &cfg, &init, m, err);
        if (rc == 1) rc = ts_train_setup(&seen, &cfg, &m->net, &ts_model_fit(m)->train, err);
    }
    rc = ts_comm_agree(rc, err);   /* MPI: every rank trains, or none */
    if (!rc) {
        ts_model_set_csv(m, set->source, csv);
        ts_model_set_series(m, &seen);
        rc = ts_train(be, &seen, &cfg, &m->net, &m->fit->train, err);
    }
    if (!rc && a->save_model && !plain && ts_comm_root())
        rc = ts_model_save(m, a->save_model, TS_SAVE_FIT, err);
    ts_series_set_free(&train);
    ts_model_free(&init);
    return ts_comm_agree(rc, err);
}

/* --compare: the model the fit started from as it is (zero-shot), and the
 * same fit from random weights (scratch), scored beside it. */
static int compare_models(const backtest_args *a, ts_backend *be, const ts_series_set *set,
                          const ts_csv_opts *csv, ts_backtest_config *bc, const ts_model *fitted,
                          ts_model *zero, ts_model *scratch, ts_error *err)
{
    const char *from = ts_model_provenance(fitted, "init");
    if (!from)
        return ts_fail(err, TS_EUSAGE, "--compare: the fit started from random weights (--init "
                       "none, or an option asking for a network of its own): nothing to compare");
    int rc = ts_model_load(from, zero, err);
    if (rc) return rc;
    ts_window_bind_grid(&zero->net.win, set->freq, set->has_time);
    backtest_args b = *a;
    b.fit.init = "none";
    b.save_model = NULL;
    rc = fit_before(&b, be, set, csv, bc, 0, scratch, err);
    if (rc) return rc;
    bc->extra[bc->n_extra++] = (ts_backtest_extra){zero, "zero-shot"};
    bc->extra[bc->n_extra++] = (ts_backtest_extra){scratch, "scratch"};
    return 0;
}

/* The backtest of one seed (the fit's and the sampler's): fit on the data
 * before the windows unless a model is given, the rows --compare and
 * covariates add, the scores into bt. */
static int run_seed(const backtest_args *a, long seed, ts_backend *be, const ts_series_set *set,
                    const ts_csv_opts *csv, ts_backtest_config bc, ts_model *given,
                    ts_backtest *bt, ts_error *err)
{
    backtest_args as = *a;
    as.fit.seed = seed;
    bc.fc.sampler.seed = (uint64_t)seed;
    ts_model fitted = {0}, plain = {0}, zero = {0}, scratch = {0};
    ts_model *m = given ? given : &fitted;
    int rc = given ? 0 : fit_before(&as, be, set, csv, &bc, 0, m, err);
    if (!rc && !given && set->n_cov > 0) {   /* covariates: also without them */
        rc = fit_before(&as, be, set, csv, &bc, 1, &plain, err);
        bc.extra[bc.n_extra++] = (ts_backtest_extra){&plain, "tsdiff no cov"};
    }
    if (!rc && a->compare) rc = compare_models(&as, be, set, csv, &bc, m, &zero, &scratch, err);
    if (!rc) rc = ts_backtest_run(be, m, set, &bc, bt, err);
    ts_model_free(&fitted);
    ts_model_free(&plain);
    ts_model_free(&zero);
    ts_model_free(&scratch);
    return rc;
}

/* Before any work: outputs sound, folders writable, outputs locked. */
static int claim_outputs(const backtest_args *a, const char *path, ts_outputs *outs,
                         ts_error *err)
{
    const ts_run_file in[] = {{"DATA", path}, {"--model", a->model}};
    const ts_run_file out[] = {{"--output", a->output}, {"--save-model", a->save_model},
                               {"--plot", a->plot}};
    int rc = a->plot ? ts_plot_check_path(a->plot, err) : 0;
    if (!rc && a->plot_cov && !a->plot)
        rc = ts_fail(err, TS_EUSAGE, "--plot-covariates draws under the fan charts: give --plot FILE");
    if (!rc) rc = ts_outputs_claim(outs, in, 2, out, 3, a->wait, err);
    return rc;
}

/* --model FILE, or "default" (when no such file): the pretrained model,
 * scored zero-shot. */
static int load_model(const backtest_args *a, ts_model *m, ts_error *err)
{
    char path[4096];
    if (strcmp(a->model, "default") != 0 || access(a->model, F_OK) == 0)
        return ts_model_load(a->model, m, err);
    int rc = ts_model_find_pretrained(path, sizeof path, err);
    return rc ? rc : ts_model_load(path, m, err);
}

static int run_backtest(const backtest_args *a, const char *path, ts_error *err)
{
    ts_outputs outs = {0};
    ts_series_set set = {0};
    ts_csv_opts csv;
    ts_model m = {0};
    ts_backend *be = NULL;
    ts_backtest bt = {0};
    ts_backtest_config bc = {.windows = a->windows, .stride = a->stride, .season = a->season,
                             .plot = a->plot, .plot_cov = a->plot_cov,
                             .fc = {.samples = a->samples,
                                    .sampler = {.kind = TS_SAMPLER_DPMPP,
                                                .steps = a->sampler_steps,
                                                .seed = (uint64_t)a->fit.seed}}};
    int rc = ts_csv_cli_opts(&a->csv, "backtest", &csv, err);
    if (!rc && a->sampler) rc = ts_sampler_parse(a->sampler, &bc.fc.sampler.kind, err);
    if (!rc && ts_comm_root()) rc = claim_outputs(a, path, &outs, err);  /* MPI: rank 0's */
    rc = ts_comm_agree(rc, err);
    if (!rc && a->model) rc = load_model(a, &m, err);
    /* a model's own CSV options, unless it has no fit record, and its covariates */
    if (!rc && a->model) {
        if (m.fit) csv = m.fit->csv;
        ts_model_csv_covariates(&m, &csv);
    }
    if (!rc) rc = ts_csv_read(path, &csv, &set, err);
    if (!rc && a->plot_cov && set.n_cov == 0)
        rc = ts_fail(err, TS_EUSAGE, "--plot-covariates: %s has no covariates to draw (give "
                     "--covariate COL)", path);
    if (!rc) rc = ts_backend_open(a->fit.device, ts_comm_threads(a->fit.threads), &be, err);
    rc = ts_comm_agree(rc, err);
    if (rc) goto done;
    ts_window_bind_grid(&m.net.win, set.freq, set.has_time);   /* a universal --model */
    bc.horizon = a->fit.horizon ? a->fit.horizon
                                : a->model ? ts_model_horizon(&m) : ts_default_horizon(set.freq);
    for (int k = 0; !rc && k < a->seeds; k++) {   /* --seeds: pooled */
        ts_backtest one = {0};
        ts_backtest_config bk = bc;
        if (k > 0) bk.plot = NULL;   /* the charts are the first seed's */
        rc = run_seed(a, a->fit.seed + k, be, &set, &csv, bk, a->model ? &m : NULL, &one, err);
        if (!rc) ts_backtest_merge(&bt, &one);
        ts_backtest_free(&one);
    }
    if (rc || !ts_comm_root()) goto done;
    if (!a->fit.quiet) {
        printf("backtest: %d window%s of %d steps, %d samples; season %d", bc.windows,
               bc.windows == 1 ? "" : "s", bc.horizon, bc.fc.samples, bt.season);
        if (a->seeds > 1) printf("; seeds %ld to %ld pooled", (long)a->fit.seed,
                                 (long)a->fit.seed + a->seeds - 1);
        printf("\n");
    }
    if (!(a->fit.quiet && a->output)) ts_backtest_print(&bt, stdout);   /* else the file */
    if (a->output) rc = ts_backtest_write_csv(&bt, &set, a->output, err);
done:
    ts_outputs_release(&outs);
    ts_backtest_free(&bt);
    ts_backend_destroy(be);
    ts_model_free(&m);
    ts_series_set_free(&set);
    return rc;
}

int ts_cmd_backtest(int argc, char **argv)
{
    backtest_args a = {.windows = 1, .samples = 100, .sampler_steps = 10, .seeds = 1};
    ts_cli_fit_init(&a.fit);
    const ts_opt opts[] = {
        {"windows", 'k', TS_OPT_INT, &a.windows, "K", "held-out windows at the end of each series (default 1)", 1, 100000},
        {"stride", 0, TS_OPT_INT, &a.stride, "N", "steps between window starts (default: the horizon)", 1, 1000000},
        {"model", 'm', TS_OPT_STRING, &a.model, "FILE", "evaluate this model instead of fitting one (it must not have seen the windows)", 0, 0},
        {"save-model", 0, TS_OPT_STRING, &a.save_model, "FILE", "keep the model fitted for the backtest", 0, 0},
        {"compare", 0, TS_OPT_FLAG, &a.compare, NULL, "also score the model the fit starts from (zero-shot) and a fit from scratch", 0, 0},
        {"seeds", 0, TS_OPT_INT, &a.seeds, "N", "run with the seeds --seed to --seed + N - 1 (fits and samples) and pool the scores (default 1)", 1, 1000},
        {"samples", 'n', TS_OPT_INT, &a.samples, "N", "sample paths per forecast (default 100)", 1, 1000000},
        {"sampler", 0, TS_OPT_STRING, &a.sampler, "NAME", "dpmpp (default), ddim or ddpm", 0, 0},
        {"sampler-steps", 'K', TS_OPT_INT, &a.sampler_steps, "K", "solver steps for dpmpp and ddim (default 10)", 1, 100000},
        {"season", 0, TS_OPT_INT, &a.season, "M", "season of seasonal naive, MASE and MSIS (default: from the frequency)", 1, 1000000},
        {"output", 'o', TS_OPT_STRING, &a.output, "FILE", "metrics per series and pooled as CSV", 0, 0},
        {"plot", 'p', TS_OPT_STRING, &a.plot, "FILE", "fan charts of each window against the truth (FILE-wN.png)", 0, 0},
        {"plot-covariates", 0, TS_OPT_FLAG, &a.plot_cov, NULL, "in the plots, one row per covariate under each series", 0, 0},
        {"wait", 0, TS_OPT_DOUBLE, &a.wait, "SECONDS", "wait this long for another run writing the same outputs (default 0: exit 75 at once)", 0, 1e9},
        TS_FIT_OPTIONS(a.fit),
        TS_CSV_OPTIONS(a.csv),
        {0},
    };
    const ts_cmd_spec spec = {
        "backtest", "DATA.csv", "Score tsdiff and the baselines on the last windows of the data.",
        opts,
        "Metrics (see man tsdiff): CRPS (sample), wQL9/wQL19 (normalised quantile loss\n"
        "at 9 or 19 levels, as GluonTS reports CRPS), MASE, sMAPE, MSIS (95%) and\n"
        "the coverage of the central 50, 80 and 95% intervals.\n"};
    ts_error err = {0};
    int first = 0, rc = ts_opts_parse(&spec, argc, argv, &first, &err);
    if (!rc && argc - first != 1)
        rc = ts_fail(&err, TS_EUSAGE, "backtest: one DATA.csv expected (try 'tsdiff backtest --help')");
    if (!rc && a.compare && (a.model || (a.fit.init && !strcmp(a.fit.init, "none"))))
        rc = ts_fail(&err, TS_EUSAGE, "backtest: --compare scores a fit from a model beside that "
                     "model and a fit from scratch: drop %s", a.model ? "--model" : "--init none");
    if (!rc && a.seeds > 1 && a.save_model)
        rc = ts_fail(&err, TS_EUSAGE, "backtest: --save-model keeps one fit: not with --seeds %d",
                     a.seeds);
    if (!rc) {
        ts_set_quiet(a.fit.quiet);
        ts_set_verbose(a.fit.verbose);
        ts_signals_init(0);
        rc = run_backtest(&a, argv[first], &err);
    }
    return ts_cmd_exit(rc, &err);
}
