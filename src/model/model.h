/* model.h - what a tsdiff model is, and its file.
 *
 * A ts_model is two parts:
 *   net   the network (diffusion/net.h): window layout, UNet and diffusion
 *         settings, EMA weights. Everything `forecast` needs.
 *   fit   the fit record, optional: how the training data was read (so that
 *         forecast and fit --resume can read it again), the series it held
 *         (names, last time, length, non-negativity), and what training
 *         produced besides the weights (diffusion/train.h's record: history,
 *         metadata, the optimizer state for --resume). NULL: a network-only
 *         model, which knows no series and no data file.
 * Both are stored as typed records of the model-file container
 * (io/modelfile.h): model_file.c maps fields to record keys and validates
 * them on load; the fit record's records are there or absent as a group.
 *
 * This module sits above data/, nn/ and diffusion/; eval/ and cli/ use it.
 */
#ifndef TS_MODEL_H
#define TS_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "data/csv.h"
#include "data/series.h"
#include "diffusion/net.h"
#include "diffusion/train.h"
#include "io/error.h"

typedef struct ts_fit_record {
    /* How the training data was read (so forecast can re-read it). */
    char *data_path;         /* NULL: not a regular file, not recorded */
    ts_csv_opts csv;         /* strings owned by the record (csv_store) */
    char *csv_store[3 + TS_CSV_MAX_ID_COLS];  /* time, value, freq, the id columns */

    /* The training series. */
    size_t n_series;
    char **names;
    int64_t *last_time;      /* timestamp of each series' last point */
    int64_t *length;         /* points of each series at training time */
    int *nonneg;             /* series non-negative in the training data */
    int horizon;             /* forecast's default horizon when it differs from the
                                network's (0: the network's; see ts_model_horizon) */

    ts_train_record train;
} ts_fit_record;

typedef struct ts_model {
    ts_net net;
    ts_fit_record *fit;      /* NULL: the model knows no series (network only) */
    char *version;           /* tsdiff that wrote the file (NULL: not loaded) */
    /* Where the network came from, "key=value" lines kept as written (the
     * pretraining command, its corpus and seed, steps, commit; fit --init's
     * starting model); none: NULL, 0. */
    char **provenance;
    size_t n_provenance;
} ts_model;

/* Frees the net, the fit record and all they own; zeroes *m. */
void ts_model_free(ts_model *m);

/* m->fit, created empty when the model has none. */
ts_fit_record *ts_model_fit(ts_model *m);
/* The horizon forecast and backtest take when none is given: the one the
 * fit was asked for (a fit from a universal model may keep the model's
 * shorter block and forecast in blocks), else the network's. */
int ts_model_horizon(const ts_model *m);

/* Set provenance line key=value (replacing a line of that key), value as
 * printf formats it; and the value of key, or NULL. */
void ts_model_set_provenance(ts_model *m, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
const char *ts_model_provenance(const ts_model *m, const char *key);

/* Copy the CSV options into the fit record (strings duplicated). */
void ts_model_set_csv(ts_model *m, const char *data_path, const ts_csv_opts *csv);

/* Record the series of set in the fit record: set up, or refreshed when a
 * resumed run trains on data with new rows (same series, same order). */
void ts_model_set_series(ts_model *m, const ts_series_set *set);

/* The training file the model records, for forecast and fit --resume to
 * read again: TS_EUSAGE when there is none (a network-only model too) or it
 * is not a regular file (a FIFO would block), TS_ENOINPUT when it is gone;
 * the message says "give --data" (or DATA.csv: hint). */
int ts_model_data_path(const ts_model *m, const char *model_path, const char *hint,
                       const char **out, ts_error *err);

/* Make csv read the columns of the model's covariates (data/covariates.h):
 * numeric or categorical as fitted, a missing one TS_EDATA (cov_required).
 * The names are borrowed from m. */
void ts_model_csv_covariates(const ts_model *m, ts_csv_opts *csv);

/* Index of the series called name in the fit record, or -1 (always -1
 * without one). */
long ts_model_find_series(const ts_model *m, const char *name);

/* Whether forecasts of s are clamped at 0: the fit record's flag when the
 * model knows s by name, else whether s is non-negative in the data. */
int ts_model_series_nonneg(const ts_model *m, const ts_series *s);

/* What to save: the network alone, with the fit record, or with the fit
 * record and the optimizer state (for fit --resume; when the record has it).
 * Without a fit record every choice saves the network alone. */
typedef enum { TS_SAVE_NET, TS_SAVE_FIT, TS_SAVE_RESUMABLE } ts_model_save_what;

int ts_model_save(const ts_model *m, const char *path, ts_model_save_what what, ts_error *err);
int ts_model_load(const char *path, ts_model *m, ts_error *err);
/* ts_model_load without the optimizer state (the fit record's params,
 * adam_m, adam_v and ema_now stay NULL): all a forecast needs, and 4 of the
 * 5 weight-sized arrays of a resumable file not copied. */
int ts_model_load_sampling(const char *path, ts_model *m, ts_error *err);
/* Decode a loaded model file into *m; takes f (freed, success or not). */
struct ts_mf;
int ts_model_from_mf(struct ts_mf *f, const char *path, ts_model *m, ts_error *err);

/* Print a human summary (tsdiff info MODEL). */
void ts_model_describe(const ts_model *m, const char *path, FILE *out);

#define TS_MODEL_DEFAULT_PATH "tsdiff.model"
#define TS_MODEL_PRETRAINED "default.model"   /* the shipped network (data/) */

/* The pretrained default model (model_find.c), looked for in order at
 *   1. $TSDIFF_MODEL, if set (and only there);
 *   2. the build tree of the running program, when it runs uninstalled:
 *      BUILD/data/default.model, then SRCDIR/data/default.model;
 *   3. $(pkgdatadir)/default.model (make install puts it there).
 * Writes its path; 0 or TS_ENOINPUT saying where it looked. */
int ts_model_find_pretrained(char *path, size_t size, ts_error *err);

/* The model `forecast` reads when none is named: tsdiff.model in the current
 * directory (a fitted model; *pretrained = 0), else the pretrained default
 * (*pretrained = 1). TS_ENOINPUT when neither is there. */
int ts_model_find_default(char *path, size_t size, int *pretrained, ts_error *err);

#endif
