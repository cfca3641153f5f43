/* csv.h - reading a CSV file into a series set.
 *
 * The file is streamed through libcsv in 64 KiB chunks; only the numbers are
 * kept (floats, plus one timestamp and line number per row), never the text.
 *
 * Layouts:
 *   wide  (default)   a time column and numeric columns, one series each,
 *                     named by the header. The time column is --time-col;
 *                     else the first column named date, time, timestamp,
 *                     datetime, ds, epoch, unix, unix_time or unixtime;
 *                     else the first column whose first value is a date or
 *                     date-time (or, in a column named year, a 4-digit
 *                     year). A time column may hold ISO 8601 text or
 *                     integers (Unix seconds, 4-digit years, YYYYMMDD), one
 *                     form throughout. Without a time column the points are
 *                     indexed 0..n-1. A column is numeric when
 *                     its first non-missing value is a number; after that
 *                     every value must be. Text columns, columns without a
 *                     name and columns with no value at all are left out
 *                     with a note on stderr. With --value-col only that
 *                     column is read.
 *   long  (--id-col)  one row per (series, time): the id columns (joined by
 *                     '/') name the series, --value-col (or the one column
 *                     left over) holds the value; other columns are ignored.
 *
 * COVARIATES. Columns named by --covariate (numbers) or --categorical (any
 * text, one level per distinct value), or with --covariates all every
 * column left over that holds numbers (text columns are left out with a
 * note), are covariates: in a long file per row, so per series; in a wide
 * file shared by every series (there --covariates all needs --value-col).
 * They become the set's cov columns (series.h) on each series' grid from
 * its start to the last row with a covariate value: rows after the last
 * target whose target cell is empty but whose covariates are given are the
 * future's covariates. Duplicate rows keep the first row's covariates. With
 * cov_only (a --future file) there is no target column: every row holds
 * covariates, each series (a wide file: one unnamed series) has length 0.
 *
 * Missing values: empty, NA, NaN, null, N/A (any case). Numbers are parsed
 * whole (C locale): "12,5" is an error, not 12. Rows are sorted by time;
 * gaps on the grid become NaN; leading and trailing missing values of each
 * series are trimmed. Duplicate timestamps in a series are an error unless
 * aggregate is set. Every error names file:line:column.
 */
#ifndef TS_CSV_H
#define TS_CSV_H

#include <stdio.h>

#include "data/series.h"
#include "io/error.h"

/* The most id columns (--id-col) of a long file: the one limit of the CLI,
 * the reader and the model file. */
#define TS_CSV_MAX_ID_COLS 8

/* The most covariate columns (--covariate, --categorical). */
#define TS_CSV_MAX_COVS 32

enum { TS_AGG_NONE = 0, TS_AGG_SUM = 1, TS_AGG_MEAN = 2 };

typedef struct ts_csv_opts {
    const char *time_col;   /* NULL: detect */
    const char *value_col;  /* NULL: every numeric column (wide) */
    const char *id_cols[TS_CSV_MAX_ID_COLS];  /* long format when n_id_cols > 0 */
    int n_id_cols;
    char delimiter;         /* 0: sniff ',' ';' or tab from the header line */
    const char *freq;       /* NULL: infer from the timestamps */
    int aggregate;          /* TS_AGG_NONE (duplicates are an error), SUM, MEAN */
    int no_header;          /* 1: no header line; columns are named V1..Vn */
    /* Covariates (COVARIATES below); the strings are borrowed. */
    const char *cov_cols[TS_CSV_MAX_COVS];  /* numeric covariate columns */
    int n_cov_cols;
    const char *cat_cols[TS_CSV_MAX_COVS];  /* categorical covariate columns */
    int n_cat_cols;
    int cov_all;            /* 1: every other numeric column is a covariate */
    int cov_only;           /* 1: a future file: covariates, no target column */
    int cov_required;       /* 1: the columns are a model's: a missing one is TS_EDATA */
} ts_csv_opts;

/* Column names given to --time-col, --value-col and --id-col match a header
 * exactly, or else are a 1-based column number. */
void ts_csv_opts_default(ts_csv_opts *o);

/* Read path ("-" for stdin) into *out (owned by the caller; free it with
 * ts_series_set_free). Returns 0, TS_EDATA for bad data, TS_ENOINPUT for a
 * missing or unreadable file, TS_EUSAGE for a bad --freq. On error *out is
 * left empty. */
int ts_csv_read(const char *path, const ts_csv_opts *o, ts_series_set *out, ts_error *err);

/* The same from an open stream (read to its end, not closed); name is the
 * file name for messages and the set's source. */
int ts_csv_read_file(FILE *fp, const char *name, const ts_csv_opts *o, ts_series_set *out,
                     ts_error *err);

#endif
