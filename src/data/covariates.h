/* covariates.h - covariates known in the future: from the columns of a
 * series set (csv.h: --covariate, --categorical) to the network's covariate
 * inputs, and the values of a future file (--future) merged into a set.
 *
 * THE TABLE. A network reads its covariates as a table of input rows, one
 * per numeric column and one per level of a categorical column (one-hot):
 *     {column, level, raw}
 * level is NULL for a numeric column; raw = 1 feeds the values as given
 * (one-hot rows, and numeric columns whose every observed value at fit time
 * is 0 or 1: indicators), raw = 0 standardises them per window by the mean
 * and standard deviation of their context values (data/window.h, CHANNELS).
 * The model file stores the table by name (model/model_file.c), so a
 * forecast reads the same columns and maps the same levels to the same rows.
 *
 * THE INPUTS of a set for a table: per series, rows x cov_len floats on the
 * series' grid (cov_len may pass the series' end: the future is known). A
 * column the table names that the set lacks, and a categorical level the
 * table does not know, are TS_EDATA.
 */
#ifndef TS_COVARIATES_H
#define TS_COVARIATES_H

#include <stddef.h>

#include "data/series.h"
#include "io/error.h"

/* The most covariate inputs a network reads (one-hot levels count one each). */
#define TS_COV_MAX_ROWS 32

typedef struct ts_cov_row {
    char *column;     /* the CSV column */
    char *level;      /* a categorical column's level; NULL: numeric */
    int raw;          /* 1: as given; 0: standardised by the context */
} ts_cov_row;

typedef struct ts_cov_table {
    int n;
    ts_cov_row *row;  /* [n], owned */
} ts_cov_table;

/* Append a row (strings copied; level may be NULL). TS_EUSAGE when the
 * table has TS_COV_MAX_ROWS rows already. */
int ts_cov_table_add(ts_cov_table *t, const char *column, const char *level, int raw,
                     ts_error *err);
void ts_cov_table_free(ts_cov_table *t);

/* The table of every covariate column of set (THE TABLE). TS_EUSAGE when
 * it would have more than TS_COV_MAX_ROWS rows. */
int ts_cov_table_from_set(ts_cov_table *t, const ts_series_set *set, ts_error *err);

/* The first row where a and b differ (column, level or raw; a row only
 * one of them has counts), or -1 when they are the same table. */
int ts_cov_table_diff(const ts_cov_table *a, const ts_cov_table *b);

/* The distinct columns of t, in order, and whether each is categorical:
 * at most max; returns the count. */
int ts_cov_table_columns(const ts_cov_table *t, const char **names, int *categorical, int max);

/* A covariate row's name for messages: "price" or "weather=rain". */
const char *ts_cov_row_name(const ts_cov_row *r, char *buf, size_t size);

typedef struct ts_cov_inputs {
    int rows;         /* the table's rows; 0: no covariates */
    size_t n;         /* series of the set */
    long *len;        /* [n] covariate points of each series */
    float **v;        /* [n][rows * len]: row k at point j is v[s][k * len + j] */
} ts_cov_inputs;

/* The inputs of every series of set for t (THE INPUTS). An empty table
 * gives empty inputs (rows = 0). */
int ts_cov_inputs_build(ts_cov_inputs *ci, const ts_cov_table *t, const ts_series_set *set,
                        ts_error *err);
void ts_cov_inputs_free(ts_cov_inputs *ci);

/* Give the view v of series s its covariate inputs, v's point 0 being the
 * series' point `first`. Nothing when ci has no rows. */
void ts_cov_inputs_view(const ts_cov_inputs *ci, size_t s, long first, ts_series_view *v);

/* Every input row of series s known at points from .. to-1 (a forecast's
 * horizon): else TS_EDATA naming the series, the covariate and the first
 * timestamp without a value. */
int ts_cov_inputs_check(const ts_cov_inputs *ci, const ts_cov_table *t, const ts_series_set *set,
                        size_t s, long from, long to, ts_error *err);

/* dst's covariate columns: a copy of src's (names, levels). */
void ts_series_set_copy_covariates(ts_series_set *dst, const ts_series_set *src);

/* dst's covariates: the first len points of src's (n_cov columns). */
void ts_series_cut_covariates(ts_series *dst, const ts_series *src, int n_cov, size_t len);

/* Fill the covariate cells of set that are missing with the values of fut
 * (a file of covariates only, read with the same frequency: csv.h's
 * cov_only): by series name, or for every series from a wide file's one
 * unnamed series; by column name (columns set lacks are ignored). Extends
 * each series' covariates past its end as far as fut reaches. TS_EDATA for
 * a timestamp off set's grid or before a series' start. */
int ts_series_set_add_future(ts_series_set *set, const ts_series_set *fut, ts_error *err);

#endif
