/* cmd_forecast.c - `tsdiff forecast`: sample futures from a fitted model and
 * write their quantiles, the samples and a fan chart. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/opts.h"
#include "cli/outputs.h"
#include "cli/shard.h"
#include "data/csv.h"
#include "diffusion/forecast.h"
#include "eval/forecast_out.h"
#include "model/model.h"
#include "io/comm.h"
#include "io/plot.h"
#include "io/signals.h"

typedef struct forecast_args {
    const char *model, *data, *future, *sampler, *quantiles, *output, *samples_out, *plot, *device,
        *shard;
    ts_strlist series;
    int horizon, samples, sampler_steps, threads, history, allow_negative, quiet, verbose;
    int plot_cov;
    long seed;
    double wait;
} forecast_args;

/* The data must be on the model's grid. Every series of the data is
 * forecast (or those --series names), whether the model was trained on it
 * or not: a model of the old products forecasts a new one. */
static int match_series(const ts_model *m, const ts_series_set *set, const ts_strlist *want,
                        size_t **sel, size_t *n, ts_error *err)
{
    char a[32], b[32];
    if (!m->net.win.universal &&
        (set->has_time != m->net.win.has_time || set->freq.unit != m->net.win.freq.unit ||
         set->freq.mult != m->net.win.freq.mult))
        return ts_fail(err, TS_EDATA, "%s: frequency %s does not match the model's (%s)",
                       set->source, ts_freq_name(set->freq, a, sizeof a),
                       ts_freq_name(m->net.win.freq, b, sizeof b));
    size_t cap = want->n ? (size_t)want->n : set->n;
    *sel = ts_xmalloc((cap ? cap : 1) * sizeof **sel);
    *n = 0;
    for (size_t i = 0; i < cap; i++) {
        size_t k = i;
        if (want->n) {
            for (k = 0; k < set->n && strcmp(set->series[k].name, want->item[i]); k++) {}
            if (k == set->n)
                return ts_fail(err, TS_EUSAGE, "--series: %s has no series \"%s\"", set->source,
                               want->item[i]);
        }
        (*sel)[(*n)++] = k;
    }
    return 0;
}

/* Before any work: no output names an input or another output, the
 * folders are writable, the outputs locked, the chart type known. */
static int claim_outputs(const forecast_args *a, ts_outputs *outs, ts_error *err)
{
    const ts_run_file in[] = {{"--model", a->model}, {"--data", a->data}, {"--future", a->future}};
    const ts_run_file out[] = {{"--output", a->output}, {"--samples-out", a->samples_out},
                               {"--plot", a->plot}};
    int rc = a->plot ? ts_plot_check_path(a->plot, err) : 0;
    if (!rc && a->plot_cov && !a->plot)
        rc = ts_fail(err, TS_EUSAGE, "--plot-covariates draws under the fan charts: give --plot FILE");
    if (!rc) rc = ts_outputs_claim(outs, in, 3, out, 3, a->wait, err);
    return rc;
}

/* The future's covariates from --future (read like the data, without a
 * target, on the model's grid) into set. */
static int read_future(const char *path, const ts_model *m, const ts_csv_opts *data_csv,
                       ts_series_set *set, ts_error *err)
{
    ts_series_set fut = {0};
    ts_csv_opts csv = *data_csv;
    char fq[32];
    if (!m->net.win.has_time)
        return ts_fail(err, TS_EUSAGE, "--future: the data has no time column to match");
    csv.cov_only = 1;
    csv.value_col = NULL;
    csv.freq = ts_freq_name(m->net.win.freq, fq, sizeof fq);
    int rc = ts_csv_read(path, &csv, &fut, err);
    if (!rc) rc = ts_series_set_add_future(set, &fut, err);
    ts_series_set_free(&fut);
    return rc;
}

/* Read the history: --data, else the file the model was trained on, which
 * must still be a regular file (a FIFO would block for ever); with the CSV
 * options of the fit record, or the defaults without one, and the columns
 * of the model's covariates; then --future's. */
static int read_history(const forecast_args *a, const ts_model *m, ts_series_set *set,
                        ts_error *err)
{
    const char *path = a->data;
    int rc = path ? 0 : ts_model_data_path(m, a->model, "--data", &path, err);
    ts_csv_opts csv;
    ts_csv_opts_default(&csv);   /* a network-only model: read as fit reads by default */
    if (m->fit) csv = m->fit->csv;
    ts_model_csv_covariates(m, &csv);
    if (!rc) rc = ts_csv_read(path, &csv, set, err);
    if (!rc && a->future && m->net.cov.n == 0)
        ts_info("%s has no covariates: --future %s is not read", a->model, a->future);
    else if (!rc && a->future)
        rc = read_future(a->future, m, &csv, set, err);
    return rc;
}

/* Write what rank 0 writes: the CSV, the samples and the charts. A shard
 * without series writes the files' headers and draws nothing. */
static int write_outputs(const forecast_args *a, const ts_forecast *fc, const ts_series_set *set,
                         const double *q, int nq, ts_error *err)
{
    int rc = ts_forecast_write_csv(a->output, fc, set, NULL, q, nq, err);
    if (!rc && a->samples_out) rc = ts_forecast_write_samples(a->samples_out, fc, set, err);
    if (!rc && a->plot && fc->n)
        rc = ts_forecast_plot(a->plot, fc, set, NULL, a->history, a->plot_cov, err);
    return rc;
}

/* --model, else tsdiff.model here, else the pretrained default (said
 * once: a zero-shot forecast). */
static int choose_model(forecast_args *a, char *buf, size_t size, ts_error *err)
{
    int pretrained = 0;
    if (a->model) return 0;
    int rc = ts_model_find_default(buf, size, &pretrained, err);
    if (rc) return rc;
    a->model = buf;
    if (pretrained)
        ts_note("no %s here: forecasting zero-shot with the pretrained model %s",
                TS_MODEL_DEFAULT_PATH, buf);
    return 0;
}

static int run_forecast(forecast_args *a, ts_error *err)
{
    char model_path[4096];
    ts_outputs outs = {0};
    ts_model m = {0};
    ts_series_set set = {0};
    ts_forecast fc = {0};
    ts_backend *be = NULL;
    size_t *sel = NULL, nsel = 0;
    int *nonneg = NULL;
    double q[TS_MAX_QUANTILES];
    int nq = 0;
    ts_forecast_config cfg = {.samples = a->samples, .allow_negative = a->allow_negative,
                              .sampler = {.kind = TS_SAMPLER_DPMPP, .steps = a->sampler_steps,
                                          .seed = (uint64_t)a->seed}};
    ts_shard shard;
    int rc = ts_quantiles_parse(a->quantiles, q, TS_MAX_QUANTILES, &nq, err);
    if (!rc && a->sampler) rc = ts_sampler_parse(a->sampler, &cfg.sampler.kind, err);
    if (!rc) rc = ts_shard_parse(a->shard, &shard, err);
    if (!rc) rc = choose_model(a, model_path, sizeof model_path, err);
    /* MPI: rank 0 owns the outputs; every rank reads and samples its share */
    if (!rc && ts_comm_root()) rc = claim_outputs(a, &outs, err);
    rc = ts_comm_agree(rc, err);
    if (!rc) rc = ts_model_load_sampling(a->model, &m, err);
    if (!rc && a->plot_cov && m.net.cov.n == 0)
        rc = ts_fail(err, TS_EUSAGE, "--plot-covariates: %s has no covariates to draw", a->model);
    if (!rc) rc = read_history(a, &m, &set, err);
    if (!rc) rc = match_series(&m, &set, &a->series, &sel, &nsel, err);
    if (!rc) ts_shard_select(&shard, &set, sel, &nsel);
    if (!rc) ts_window_bind_grid(&m.net.win, set.freq, set.has_time);
    if (!rc) rc = ts_backend_open(a->device, ts_comm_threads(a->threads), &be, err);
    rc = ts_comm_agree(rc, err);
    cfg.horizon = a->horizon ? a->horizon : ts_model_horizon(&m);
    /* said when the horizon is longer than the fit was asked for: a fit
     * that kept a shorter network asked for its blocks */
    if (!rc && cfg.horizon > m.net.win.horizon && cfg.horizon > ts_model_horizon(&m) && !a->quiet)
        ts_info("horizon %d is longer than the model's %d: sampling in blocks of %d, "
                "each conditioned on the path so far", cfg.horizon, m.net.win.horizon,
                m.net.win.horizon);
    if (!rc && nsel == 0 && shard.n) {   /* a shard without series: the headers */
        fc.horizon = cfg.horizon;
        fc.samples = cfg.samples;
        ts_info("shard %d/%d: no series of %zu", shard.k, shard.n, set.n);
    } else if (!rc) {
        nonneg = ts_xmalloc(nsel * sizeof *nonneg);
        for (size_t i = 0; i < nsel; i++)
            nonneg[i] = ts_model_series_nonneg(&m, &set.series[sel[i]]);
        cfg.nonneg = nonneg;
        rc = ts_forecast_run(be, &m.net, &set, sel, nsel, NULL, &cfg, &fc, err);
    }
    if (!rc && ts_comm_root()) rc = write_outputs(a, &fc, &set, q, nq, err);
    ts_outputs_release(&outs);
    ts_forecast_free(&fc);
    free(sel);
    free(nonneg);
    ts_backend_destroy(be);
    ts_series_set_free(&set);
    ts_model_free(&m);
    return rc;
}

int ts_cmd_forecast(int argc, char **argv)
{
    forecast_args a = {.samples = 100, .sampler_steps = 10,
                       .quantiles = "0.05,0.1,0.25,0.5,0.75,0.9,0.95", .output = "-",
                       .history = 90, .seed = 1};
    const ts_opt opts[] = {
        {"model", 'm', TS_OPT_STRING, &a.model, "FILE", "model file (default: tsdiff.model here, else the pretrained model)", 0, 0},
        {"data", 'd', TS_OPT_STRING, &a.data, "CSV", "history to forecast from (default: the model's training file, re-read)", 0, 0},
        {"future", 0, TS_OPT_STRING, &a.future, "CSV", "the future's covariates: the data's id and time columns and the model's covariates, no target", 0, 0},
        {"horizon", 'H', TS_OPT_INT, &a.horizon, "H", "steps to forecast (default: the model's horizon)", 1, 1000000},
        {"samples", 'n', TS_OPT_INT, &a.samples, "N", "sample paths per series (default 100)", 1, 1000000},
        {"sampler", 0, TS_OPT_STRING, &a.sampler, "NAME", "dpmpp (default), ddim or ddpm", 0, 0},
        {"sampler-steps", 'K', TS_OPT_INT, &a.sampler_steps, "K", "solver steps for dpmpp and ddim (default 10)", 1, 100000},
        {"quantiles", 0, TS_OPT_STRING, &a.quantiles, "LIST", "quantile levels (default 0.05,0.1,0.25,0.5,0.75,0.9,0.95)", 0, 0},
        {"series", 's', TS_OPT_LIST, &a.series, "NAME", "forecast only this series (repeatable)", 0, 0},
        {"shard", 0, TS_OPT_STRING, &a.shard, "K/N", "forecast only part K of N of the series (split by name), for job arrays", 0, 0},
        {"output", 'o', TS_OPT_STRING, &a.output, "FILE", "forecast CSV (default: standard output)", 0, 0},
        {"samples-out", 0, TS_OPT_STRING, &a.samples_out, "FILE", "also write every sample path (long format)", 0, 0},
        {"plot", 'p', TS_OPT_STRING, &a.plot, "FILE", "draw a fan chart: FILE.png or FILE.svg; %s in FILE: one file per series", 0, 0},
        {"history", 0, TS_OPT_INT, &a.history, "N", "history points shown in the plot (default 90)", 0, 1000000},
        {"plot-covariates", 0, TS_OPT_FLAG, &a.plot_cov, NULL, "in the plot, one row per covariate under each series", 0, 0},
        {"allow-negative", 0, TS_OPT_FLAG, &a.allow_negative, NULL, "do not clamp series that were never negative at 0", 0, 0},
        {"seed", 0, TS_OPT_LONG, &a.seed, "N", "random seed (default 1)", 0, 9.2e18},
        {"threads", 'j', TS_OPT_INT, &a.threads, "N", "CPU threads (default: all cores)", 0, 4096},
        {"device", 0, TS_OPT_STRING, &a.device, "DEV", "cpu, cuda or auto (default: $TSDIFF_DEVICE or auto)", 0, 0},
        {"wait", 0, TS_OPT_DOUBLE, &a.wait, "SECONDS", "wait this long for another run writing the same outputs (default 0: exit 75 at once)", 0, 1e9},
        {"quiet", 'q', TS_OPT_FLAG, &a.quiet, NULL, "no information lines", 0, 0},
        {"verbose", 0, TS_OPT_FLAG, &a.verbose, NULL, "also say which device runs when falling back to the CPU", 0, 0},
        {0},
    };
    const ts_cmd_spec spec = {
        "forecast", "", "Draw sample futures of every series from a fitted model.", opts,
        "A horizon longer than the model's is sampled block by block, each block\n"
        "conditioned on that sample's own path so far and held within 10 context\n"
        "widths of the context's range; a shorter one is cut.\n"};
    ts_error err = {0};
    int first = 0, rc = ts_opts_parse(&spec, argc, argv, &first, &err);
    if (!rc && first < argc)
        rc = ts_fail(&err, TS_EUSAGE, "forecast: unexpected argument \"%s\" (use --data)", argv[first]);
    if (!rc) {
        ts_set_quiet(a.quiet);
        ts_set_verbose(a.verbose);
        ts_signals_init(0);
        rc = run_forecast(&a, &err);
    }
    return ts_cmd_exit(rc, &err);
}
