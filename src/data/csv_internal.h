/* csv_internal.h - the CSV reader's private state, shared by its files:
 *   csv.c        streaming: file, BOM, delimiter sniffing, libcsv callbacks,
 *                line numbers, the current row
 *   csv_rows.c   the header, column roles, cells (numbers, timestamps) and
 *                storing each row (wide) or observation (long)
 *   csv_grid.c   from stored rows to the series set: sorting, duplicates,
 *                frequency, grid placement, trimming
 * Not part of the public API (see csv.h).
 */
#ifndef TS_CSV_INTERNAL_H
#define TS_CSV_INTERNAL_H

#include <stdint.h>

#include "data/csv.h"
#include "data/timefmt.h"

#define CSV_MAX_ROW_BYTES ((size_t)64 << 20)  /* one row's text */
#define CSV_MAX_FIELDS ((size_t)1 << 20)       /* fields in one row */

/* One field of the current row: text at buf + off (NUL-terminated). */
typedef struct csv_field {
    size_t off, len;
    uint64_t line;  /* the line it starts on */
} csv_field;

typedef enum { ROLE_SKIP, ROLE_TIME, ROLE_ID, ROLE_VALUE, ROLE_SERIES, ROLE_COV } csv_role;
typedef enum { KIND_UNKNOWN, KIND_NUMBER, KIND_TEXT } csv_kind;

typedef struct csv_col {
    char *name;         /* owned; moves into the series set */
    csv_role role;
    csv_kind kind;      /* ROLE_SERIES: decided by the first value */
    int seen;           /* ROLE_SERIES: a number was read */
    float *v;           /* ROLE_SERIES, wide: one value per row (owned) */
    uint64_t text_line; /* KIND_TEXT: where the first text value was */
    /* ROLE_COV: v holds one value per stored row (wide) or observation
     * (long), a level index when categorical */
    int categorical;
    int optional;       /* --covariates all: a text column is left out */
    char **levels;      /* categorical: the levels, owned */
    int n_levels;
    struct csv_map *lmap;   /* level -> index */
} csv_col;

/* Long format: one observation, and one series's observations. */
typedef struct csv_obs {
    int64_t t;
    float v;
    uint32_t line;      /* saturates at UINT32_MAX */
    size_t row;         /* its covariates: cols[c].v[row] */
} csv_obs;

typedef struct csv_lseries {
    char *name;         /* owned */
    csv_obs *obs;
    size_t n, cap;
} csv_lseries;

/* A string -> index map over names that live elsewhere. */
typedef struct csv_map {
    struct csv_map_slot { const char *key; uint64_t hash; size_t idx; } *slot;
    size_t cap, used;
} csv_map;

typedef struct csv_reader {
    const char *file;           /* the name in messages */
    const ts_csv_opts *o;
    ts_error *err;
    int rc;                     /* the first error; once set, input is skipped */

    uint64_t line;              /* the line the next field starts on */
    int after_cr;               /* the last row ended with CR: a LF is its pair */
    size_t pending_empty;       /* rows of empty fields not yet handled */
    uint64_t pending_line;      /* the first of them */

    char *buf;                  /* the current row: its fields' text */
    size_t blen, bcap;
    csv_field *f;
    size_t nf, fcap;

    int header_done, roles_done;
    csv_col *cols;
    size_t ncols;
    int trailing_empty;         /* the header ends with an empty name */
    int time_col;               /* -1: none */
    ts_time_form tform;
    int value_col;              /* -1: none */
    int id_col[TS_CSV_MAX_ID_COLS];
    int n_id;

    /* wide: per row */
    int64_t *t;
    uint32_t *tl;
    size_t nrows, rcap;
    uint64_t first_data_line;

    /* covariates: rows stored in the ROLE_COV columns' v */
    size_t ncrows, ccap;
    int n_cov;

    /* long */
    csv_lseries *ls;
    size_t nls, lscap;
    csv_map smap;
    char *key;
    size_t keycap;
} csv_reader;

/* Record an error at line:col (col 0: none) unless one is recorded; returns
 * the code. */
int csv_fail(csv_reader *r, int code, uint64_t line, size_t col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* A field's text for a message: at most ~60 bytes, control bytes as '?'. */
const char *csv_show(const char *s, char *buf, size_t size);

/* Called by csv.c for each non-blank row; return 0 or an error code. */
int csv_row(csv_reader *r);
/* Called by csv.c before the next row after pending_empty rows whose
 * fields were all empty; clears pending_empty. */
int csv_empty_rows(csv_reader *r);
/* Called by csv.c at the end of the input. */
int csv_finish(csv_reader *r, ts_series_set *out);

/* csv_cov.c: the covariate columns. Bind --covariate and --categorical
 * (after the other options), mark --covariates all's columns (after the
 * roles), store the current row's cells as cov row `row`, and hand the
 * columns to the set (per series: cov_series, from its stored rows). */
int csv_cov_bind(csv_reader *r, const csv_map *names);
void csv_cov_mark_all(csv_reader *r);
int csv_cov_store(csv_reader *r, size_t row);
void csv_cov_columns(csv_reader *r, ts_series_set *out);
/* Series s's covariates from stored rows rows[i] at its grid points k[i]
 * (n of them), on cov_len points, NaN elsewhere. */
void csv_cov_series(const csv_reader *r, ts_series *s, size_t cov_len, const size_t *rows,
                    const int64_t *k, size_t n);
/* 1 when stored row `row` has a covariate value. */
int csv_cov_has_value(const csv_reader *r, size_t row);
void csv_cov_free(csv_col *c);
/* Shared with csv_rows.c. */
char *csv_cell(csv_reader *r, size_t i);
int csv_bad_number(csv_reader *r, size_t col, const char *s, int st);
int csv_number_cell(const char *s, float *v);
int csv_find_col(csv_reader *r, const csv_map *names, const char *opt, const char *want);
enum { CSV_CELL_NUMBER, CSV_CELL_MISSING, CSV_CELL_BAD, CSV_CELL_RANGE, CSV_CELL_TINY };
void csv_reader_free(csv_reader *r);

uint64_t csv_hash(const char *s);
/* Index of key in m, or (size_t)-1. */
size_t csv_map_get(const csv_map *m, const char *key, uint64_t hash);
/* Add key (not copied: it must outlive the map) with index idx. */
void csv_map_put(csv_map *m, const char *key, uint64_t hash, size_t idx);
void csv_map_free(csv_map *m);

#endif
