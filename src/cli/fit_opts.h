/* fit_opts.h - the training options that `fit` and `backtest` share: one
 * table fragment, one struct, one translation into a ts_train_config. */
#ifndef TS_FIT_OPTS_H
#define TS_FIT_OPTS_H

#include "cli/opts.h"
#include "diffusion/train.h"
#include "model/model.h"

typedef struct ts_cli_fit {
    int horizon, context, batch, channels, levels, res_blocks, T, threads, quiet, verbose;
    long steps, seed;
    double epochs, lr;
    const char *schedule, *device, *select, *target;
    const char *init;   /* --init: default, none or a model file */
} ts_cli_fit;

/* What --init is when not given (fit and backtest): "auto" starts from the
 * pretrained model where it is installed and the options do not ask for
 * another network, else from random weights. A fit that starts from a
 * model takes fewer steps at a higher peak rate by default;
 * bench/RESULTS.md, "Pretrained model", has the measurements. */
#define TS_FIT_INIT_DEFAULT "auto"
#define TS_FIT_INIT_STEPS 300
#define TS_FIT_INIT_LR 3e-3        /* daily and coarser grids; fits that add covariates */
#define TS_FIT_INIT_LR_NEAR 1e-3   /* grids finer than a day, undated data (fit_opts.c) */
#define TS_FIT_LR_MIN 1e-7         /* the smallest --lr */

#define TS_FIT_OPTIONS(f) \
    {"horizon", 'H', TS_OPT_INT, &(f).horizon, "H", "steps to forecast (default: from the frequency, e.g. 30 for daily)", 1, 100000}, \
    {"context", 'C', TS_OPT_INT, &(f).context, "C", "history steps the model sees (default: chosen from the data)", 1, 1000000}, \
    {"steps", 0, TS_OPT_LONG, &(f).steps, "N", "optimizer steps (default 1500; 300 starting from a model, --init)", 1, 1e9}, \
    {"epochs", 0, TS_OPT_DOUBLE, &(f).epochs, "E", "train for E passes over the windows instead of --steps", 0.001, 1e6}, \
    {"batch", 'b', TS_OPT_INT, &(f).batch, "N", "windows per step (default 32)", 1, 65536}, \
    {"lr", 0, TS_OPT_DOUBLE, &(f).lr, "RATE", "peak learning rate (default 1e-3; from a model 3e-3 on daily and coarser grids or when adding covariates, less on short data)", TS_FIT_LR_MIN, 1}, \
    {"channels", 0, TS_OPT_INT, &(f).channels, "N", "UNet width at the first level (default 32)", 1, 4096}, \
    {"levels", 0, TS_OPT_INT, &(f).levels, "N", "UNet resolution levels (default 3)", 1, TS_UNET_MAX_LEVELS}, \
    {"res-blocks", 0, TS_OPT_INT, &(f).res_blocks, "N", "residual blocks per level (default 1)", 1, 16}, \
    {"diffusion-steps", 'T', TS_OPT_INT, &(f).T, "T", "diffusion steps (default 200)", 10, 100000}, \
    {"schedule", 0, TS_OPT_STRING, &(f).schedule, "NAME", "noise schedule: linear (default) or cosine", 0, 0}, \
    {"select", 0, TS_OPT_STRING, &(f).select, "crps|loss|last", "keep the weights with the best validation CRPS (default) or loss, or the last ones", 0, 0}, \
    {"target", 0, TS_OPT_STRING, &(f).target, "KIND", "value: learn the values (default); residual: departures from the seasonal-naive forecast", 0, 0}, \
    {"init", 0, TS_OPT_STRING, &(f).init, "auto|default|none|FILE", "start from the pretrained model's weights (default), random ones (none) or a model file's; auto (the default): the pretrained model unless not installed or the options ask for another network", 0, 0}, \
    {"seed", 0, TS_OPT_LONG, &(f).seed, "N", "random seed (default 1)", 0, 9.2e18}, \
    {"threads", 'j', TS_OPT_INT, &(f).threads, "N", "CPU threads (default: all cores, fewer while other jobs make that faster)", 0, 4096}, \
    {"device", 0, TS_OPT_STRING, &(f).device, "DEV", "cpu, cuda or auto (default: $TSDIFF_DEVICE or auto)", 0, 0}, \
    {"quiet", 'q', TS_OPT_FLAG, &(f).quiet, NULL, "no progress bar and no summary line", 0, 0}, \
    {"verbose", 0, TS_OPT_FLAG, &(f).verbose, NULL, "also say which device runs when falling back to the CPU", 0, 0}

/* Defaults for the struct (seed 1). */
void ts_cli_fit_init(ts_cli_fit *f);

/* The training configuration these options describe for the data set. */
int ts_cli_fit_config(const ts_cli_fit *f, const ts_series_set *set, ts_train_config *c,
                      ts_error *err);

/* The option that asks for a network other than the universal one pre
 * ("--channels", "--schedule", ...), or NULL. */
const char *ts_cli_fit_own_network(const ts_cli_fit *f, const ts_net *pre);

/* Load the model --init names ("default": the pretrained one, else a
 * file) into *init; its path in path. */
int ts_cli_fit_load_init(const char *what, ts_model *init, char *path, size_t size,
                         ts_error *err);

/* Start net and rec from the model --init names (f->init, else
 * TS_FIT_INIT_DEFAULT), for the data set: its window (bound to the data's
 * grid), network, schedule and weights (cfg->init points at a copy of
 * init's); the loaded model stays in *init, which the caller frees. The
 * data's covariates are added to a model without any (input weights at 0:
 * ts_net_add_covariates); a model with covariates needs the same ones.
 * Returns 1 when there is no model to start from ("none": nothing done), 0
 * when set up, else an error: TS_EUSAGE for options that contradict the
 * model (--channels, --context, ...: the model has them), a model of
 * another frequency (not universal) or other covariates, or the load's
 * error. */
int ts_cli_fit_from_init(const ts_cli_fit *f, const ts_series_set *set, ts_train_config *cfg,
                         ts_model *init, ts_model *m, ts_error *err);

#endif
