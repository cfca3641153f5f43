/* fuzz_csv.c - a libFuzzer target for the CSV reader (data/csv.c and the
 * files beside it) and the covariate paths (data/csv_cov.c, a --future
 * file merged by data/covariates.c, the network's covariate inputs): any
 * bytes, under any of the reader's option sets, must give either a series
 * set that keeps the reader's promises or one error line, and never a
 * crash, a leak or undefined behaviour (build it with the sanitizers:
 * tests/fuzz/run.sh).
 *
 * The first input byte picks the options (header or not, wide or long,
 * aggregation, a fixed delimiter, a fixed frequency), the second the
 * covariates (none, --covariates all, columns 4 and 5 as numeric or
 * categorical covariates) and whether the file holds a future file too:
 * then the bytes after the first NUL are read as one (cov_only, the data's
 * frequency) and merged into the set, as forecast --future does. The rest
 * is the file, handed over as an in-memory file (memfd) so that the reader
 * runs on a real path. A set with covariates is then turned into the
 * network's inputs, and the horizon after each series checked for gaps.
 */
#define _GNU_SOURCE 1
#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "data/covariates.h"
#include "data/csv.h"
#include "data/window.h"

static void options(uint8_t pick, ts_csv_opts *o)
{
    ts_csv_opts_default(o);
    o->no_header = pick & 1;
    if (pick & 2) {                       /* long format */
        o->id_cols[0] = "1";
        o->n_id_cols = 1;
        if (pick & 4) o->value_col = "3";
    }
    if (pick & 8) o->aggregate = pick & 16 ? TS_AGG_MEAN : TS_AGG_SUM;
    if (pick & 32) o->delimiter = pick & 16 ? ';' : '\t';
    if (pick & 64) o->freq = pick & 4 ? "H" : "D";
    if (pick & 128) o->time_col = "1";
}

/* The covariates the second byte picks (FILE above). */
static int covariates(uint8_t pick, ts_csv_opts *o)
{
    switch (pick & 3) {
    case 1: o->cov_all = 1; break;
    case 2: o->cov_cols[o->n_cov_cols++] = "4"; break;
    case 3:
        o->cat_cols[o->n_cat_cols++] = "4";
        if (pick & 4) o->cov_cols[o->n_cov_cols++] = "5";
        break;
    }
    return (pick & 8) != 0;   /* a future file after the first NUL */
}

/* The promises of csv.h and series.h on a set: values finite or missing,
 * trimmed; covariates finite or missing, a categorical one a level's index. */
static void check_set(const ts_series_set *set, int cov_only)
{
    for (size_t i = 0; i < set->n; i++) {
        const ts_series *s = &set->series[i];
        assert(s->name != NULL);
        if (!cov_only) {
            assert(s->len > 0 && s->values != NULL);
            assert(!isnan(s->values[0]) && !isnan(s->values[s->len - 1]));   /* trimmed */
        }
        for (size_t k = 0; k < s->len; k++) assert(!isinf(s->values[k]));   /* finite or missing */
        assert(set->n_cov > 0 || s->cov_len == 0);
        assert(s->cov_len == 0 || s->cov != NULL);
        for (int c = 0; c < set->n_cov; c++)
            for (size_t j = 0; j < s->cov_len; j++) {
                float v = s->cov[(size_t)c * s->cov_len + j];
                assert(!isinf(v));
                if (set->cov[c].n_levels && !isnan(v))
                    assert(v >= 0 && v < set->cov[c].n_levels && v == floorf(v));
            }
    }
}

/* An error: one line, and nothing handed back. */
static void check_error(int rc, const ts_error *err, const ts_series_set *set)
{
    assert(rc != 0 && err->msg[0] != '\0');
    assert(strchr(err->msg, '\n') == NULL);
    assert(!set || (set->n == 0 && set->series == NULL));
}

/* bytes as a file on a real path (a memfd); -1 if it cannot be made. */
static int as_file(const uint8_t *bytes, size_t n, char *path, size_t size)
{
    int fd = memfd_create("fuzz.csv", 0);
    if (fd < 0) abort();
    if (n > 0 && write(fd, bytes, n) != (ssize_t)n) abort();
    snprintf(path, size, "/proc/self/fd/%d", fd);
    return fd;
}

/* The future file fut merged into set, as forecast --future reads it; 0
 * when it was (forecast goes on), else 1 (forecast stops there). */
static int merge_future(const uint8_t *fut, size_t n, const ts_csv_opts *data_opts,
                         ts_series_set *set)
{
    char path[64], fq[32];
    ts_csv_opts o = *data_opts;
    o.cov_only = 1;
    o.value_col = NULL;
    o.freq = ts_freq_name(set->freq, fq, sizeof fq);
    int fd = as_file(fut, n, path, sizeof path);
    ts_series_set f;
    ts_error err = {0};
    int rc = ts_csv_read(path, &o, &f, &err);
    close(fd);
    if (rc) {
        check_error(rc, &err, &f);
        return 1;
    }
    check_set(&f, 1);
    rc = ts_series_set_add_future(set, &f, &err);
    if (rc) check_error(rc, &err, NULL);
    else check_set(set, 0);
    ts_series_set_free(&f);
    return rc != 0;
}

/* The network's covariate inputs of set, and a horizon of 3 after each
 * series checked (forecast's path). */
static void check_inputs(const ts_series_set *set)
{
    ts_cov_table t;
    ts_cov_inputs ci;
    ts_error err = {0};
    int rc = ts_cov_table_from_set(&t, set, &err);
    if (rc) {
        check_error(rc, &err, NULL);
        return;
    }
    rc = ts_cov_inputs_build(&ci, &t, set, &err);
    if (rc) {
        check_error(rc, &err, NULL);
    } else {
        for (size_t s = 0; s < set->n; s++) {
            ts_error e2 = {0};
            long len = (long)set->series[s].len;
            int r2 = ts_cov_inputs_check(&ci, &t, set, s, len, len + 3, &e2);
            if (r2) check_error(r2, &e2, NULL);
            ts_series_view v = ts_series_view_at(set, s, 1);
            ts_cov_inputs_view(&ci, s, 0, &v);
            assert(v.n_cov == t.n);
        }
        ts_cov_inputs_free(&ci);
    }
    ts_cov_table_free(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) return 0;
    ts_csv_opts o;
    options(data[0], &o);
    int future = covariates(data[1], &o);
    const uint8_t *file = data + 2, *nul = future ? memchr(file, 0, size - 2) : NULL;
    size_t n = nul ? (size_t)(nul - file) : size - 2;
    char path[64];
    int fd = as_file(file, n, path, sizeof path);
    ts_series_set set;
    ts_error err = {0};
    int rc = ts_csv_read(path, &o, &set, &err);
    close(fd);
    if (rc) {
        check_error(rc, &err, &set);
        return 0;
    }
    check_set(&set, 0);
    int stop = nul && set.n_cov > 0 && set.has_time &&
               merge_future(nul + 1, size - 2 - n - 1, &o, &set);
    if (!stop && set.n_cov > 0) check_inputs(&set);
    ts_series_set_free(&set);
    return 0;
}
