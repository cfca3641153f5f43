/* train.h - fitting the conditional diffusion model to a series set.
 *
 * ts_train draws random windows from every series (a global model), noises
 * their future part at a random diffusion step, and trains the UNet to predict
 * that noise (MSE on the observed future positions). It tracks a validation
 * loss on the last horizon of every series with the EMA weights and keeps the
 * best EMA weights in the network (diffusion/net.h). What it produces besides
 * the weights (steps, losses, the optimizer state for resuming) goes to a
 * ts_train_record; saving either is the caller's (cfg->checkpoint).
 */
#ifndef TS_TRAIN_H
#define TS_TRAIN_H

#include <signal.h>
#include <stdint.h>

#include "data/series.h"
#include "diffusion/net.h"
#include "nn/backend.h"
#include "nn/optim.h"

typedef struct ts_train_config {
    int horizon;               /* H, >= 1 */
    int context;               /* C; 0: ts_window_default_context */
    long steps;                /* optimizer steps to run */
    double epochs;             /* > 0: run epochs * windows / batch steps instead */
    int batch;
    ts_unet_config unet;       /* width, levels, res_blocks, temb_dim, groups */
    ts_optim_config optim;
    ts_sched_kind sched;
    int T;
    uint64_t seed;
    int worker;                /* this process's index in a data-parallel run:
                                  its window-pick and noise streams come from
                                  (seed, worker); 0 (default): a lone run */
    long val_every;            /* 0: about 20 validations per run */
    int select_crps;           /* keep the weights of the best validation CRPS
                                  (1, default) or validation loss (0) */
    int keep_last;             /* 1: keep the final weights whatever the
                                  validation (select_crps still scores them) */
    int residual;              /* targets relative to the seasonal lag (1) or
                                  the scaled values (0, default); window.h */
    int universal;             /* 1: the frequency-free window (data/window.h,
                                  UNIVERSAL): a network for any series */
    int centred;               /* universal: where values are measured from,
                                  a TS_LOC_ value (data/window.h, SCALING) */
    int vary_window;           /* 1: each training window gets a random
                                  effective context and horizon (VARIED
                                  WINDOWS below); 0 (default): full windows */
    double undated;            /* VARIED WINDOWS: the share of windows filled
                                  as if their series had no dates (0: none) */
    const float *init;         /* a new run's initial weights (n_params
                                  floats: a model's EMA weights, fit --init);
                                  NULL: random initialisation */
    int adapt_threads;         /* 1: a CPU fit picks its thread count per step, up to
                                  the backend's, from its step times (nn/threads_gov.h) */
    long checkpoint_every;     /* 0: no checkpoints */
    /* Called every checkpoint_every steps, once the net's EMA weights and the
     * record's optimizer state are current; non-zero stops training with
     * that code. */
    int (*checkpoint)(void *ctx, ts_error *err);
    void *checkpoint_ctx;
    int quiet;
    volatile sig_atomic_t *stop;  /* non-zero: stop after the current step */
} ts_train_config;

void ts_train_config_default(ts_train_config *c);

/* VARIED WINDOWS (cfg->vary_window, for pretraining): a drawn window (s, o)
 * keeps its full context with probability 1/2, else only its last c points,
 * c log-uniform in [1, C] (earlier positions unobserved, as a short history
 * is at forecast time: scale, lags and masks come from those c points
 * alone); and it keeps its full horizon with probability 1/2, else only its
 * first h target points, h uniform in [1, H] (later targets masked out of
 * the loss). A share cfg->undated of the windows is filled as an undated
 * series is (no frequency: no season slots, phases or lags), so that the
 * network also forecasts series without a time column. The network's window
 * and inputs are the same either way; the draws come from a stream of their
 * own, so runs without it are unchanged. */

/* The default horizon for a frequency: 48 hourly, 30 daily, 13 weekly,
 * 12 monthly, 8 quarterly, 4 yearly, 60 for (multiples of) minutes and
 * seconds, 24 without a time column. */
int ts_default_horizon(ts_freq f);

/* What training produces besides the network's weights. The optimizer
 * state (params, adam_m, adam_v, ema_now: n_params floats each, host
 * memory) is NULL until a run has snapshotted it, or when a model file was
 * saved without it. */
typedef struct ts_train_record {
    long steps;              /* optimizer steps done */
    long best_step;          /* step of the weights kept */
    long skipped_steps;      /* steps whose update was skipped (non-finite gradient) */
    long val_windows;        /* held-out windows a validation round scores (0: unknown) */
    double final_loss, best_val_loss;  /* best_val_loss: of the selection metric */
    int select_crps;         /* selection metric: validation CRPS (1) or loss (0) */
    uint64_t seed;
    int batch;
    double lr;
    long n_hist;             /* loss history: step, train, val (NaN if none) */
    int64_t *hist_step;
    float *hist_train, *hist_val;
    float *params, *adam_m, *adam_v, *ema_now;  /* ema_now: the running EMA */
    long opt_step;
} ts_train_record;

/* Frees the history and the optimizer state and zeroes *r. */
void ts_train_record_free(ts_train_record *r);

/* Train net on set. net and rec are filled (or, when rec->params is set,
 * resumed: the window and network settings of net are kept and cfg's are
 * ignored). On success net holds the best EMA weights and rec the
 * optimizer state. */
int ts_train(ts_backend *be, const ts_series_set *set, const ts_train_config *cfg,
             ts_net *net, ts_train_record *rec, ts_error *err);

/* TS_EDATA when the set has no series or every series is constant
 * (nothing to learn); ts_train_setup and a fit from a model both ask. */
int ts_train_check_set(const ts_series_set *set, ts_error *err);

/* Build the window layout, network and diffusion settings of a new model
 * from cfg and the data (no training), and start its record. net and rec
 * must start zeroed (a fresh model): the weights are allocated by ts_train.
 * A universal window (cfg->universal) needs cfg->context. */
int ts_train_setup(const ts_series_set *set, const ts_train_config *cfg, ts_net *net,
                   ts_train_record *rec, ts_error *err);

/* Start the record of a new run from cfg (seed, batch, rate, selection). */
void ts_train_record_start(ts_train_record *rec, const ts_train_config *cfg);

#endif
