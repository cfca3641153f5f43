/* model.h - what a trained tsdiff model is, and its file.
 *
 * A ts_model gathers everything `forecast` needs to reproduce the training
 * set-up: the window layout, the network and diffusion settings, how the data
 * was read, the series it was trained on, training metadata, the EMA weights,
 * and optionally the optimizer state for `fit --resume`. It is stored as
 * typed records in the model-file container (io/modelfile.h); this file maps
 * struct fields to record keys and validates them on load.
 */
#ifndef TS_MODEL_H
#define TS_MODEL_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "data/csv.h"
#include "data/window.h"
#include "diffusion/schedule.h"
#include "io/error.h"
#include "nn/unet.h"

typedef struct ts_model {
    ts_window_spec win;
    ts_unet_config unet;
    ts_sched_kind sched;
    int T;                   /* diffusion steps */

    /* How the training data was read (so forecast can re-read it). */
    char *data_path;
    ts_csv_opts csv;         /* strings owned by the model (csv_store) */
    char *csv_store[3 + TS_CSV_MAX_ID_COLS];  /* time, value, freq, the id columns */

    /* The training series. */
    size_t n_series;
    char **names;
    int64_t *last_time;      /* timestamp of each series' last point */
    int64_t *length;         /* points of each series at training time */
    int *nonneg;             /* series non-negative in the training data */

    /* Training metadata. */
    long steps;              /* optimizer steps done */
    long best_step;          /* step of the weights kept */
    long skipped_steps;      /* steps whose update was skipped (non-finite gradient) */
    long val_windows;        /* held-out windows a validation round scores (0: unknown) */
    double final_loss, best_val_loss;  /* best_val_loss: of the selection metric */
    int select_crps;         /* selection metric: validation CRPS (1) or loss (0) */
    uint64_t seed;
    int batch;
    double lr;
    char *version;           /* tsdiff version that trained it */
    long n_hist;             /* loss history: step, train, val (NaN if none) */
    int64_t *hist_step;
    float *hist_train, *hist_val;

    /* Weights: n_params floats each, host memory. ema is always present;
     * params/adam_m/adam_v/ema_now only when saved for --resume (else NULL). */
    size_t n_params;
    float *ema;
    float *params, *adam_m, *adam_v, *ema_now;  /* ema_now: the running EMA */
    long opt_step;
} ts_model;

void ts_model_free(ts_model *m);
int ts_model_save(const ts_model *m, const char *path, int with_optimizer, ts_error *err);
int ts_model_load(const char *path, ts_model *m, ts_error *err);
/* Decode a loaded model file into *m; takes f (freed, success or not). */
struct ts_mf;
int ts_model_from_mf(struct ts_mf *f, const char *path, ts_model *m, ts_error *err);
/* Copy the CSV options into the model (strings duplicated). */
void ts_model_set_csv(ts_model *m, const char *data_path, const ts_csv_opts *csv);
/* The training file the model records, for forecast and fit --resume to
 * read again: TS_EUSAGE when there is none or it is not a regular file (a
 * FIFO would block), TS_ENOINPUT when it is gone; the message says "give
 * --data" (or DATA.csv: hint). */
int ts_model_data_path(const ts_model *m, const char *model_path, const char *hint,
                       const char **out, ts_error *err);
/* Index of the series called name, or -1. */
long ts_model_find_series(const ts_model *m, const char *name);
/* Print a human summary (tsdiff info MODEL). */
void ts_model_describe(const ts_model *m, const char *path, FILE *out);

#define TS_MODEL_DEFAULT_PATH "tsdiff.model"

#endif
