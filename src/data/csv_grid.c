/* csv_grid.c - from the stored rows to the series set: sort by time, reject
 * or combine duplicate timestamps, settle the frequency, check that every
 * timestamp is on the grid, and lay each series out on it (gaps NaN,
 * leading and trailing missing values trimmed). */
#include "data/csv_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GRID_SLACK 1000     /* a grid may hold this many points ...      */
#define GRID_PER_ROW 100    /* ... plus this many per row read, no more  */

static const char *show_time(int64_t t, char *buf, size_t size)
{
    return ts_time_format((ts_freq){TS_FREQ_DAY, 1}, t, buf, size);
}

static size_t tcol(const csv_reader *r) { return r->time_col >= 0 ? (size_t)r->time_col + 1 : 1; }

/* Combining duplicates: the sum or mean of the observed values, NaN if
 * none is observed. */
typedef struct { double sum; size_t n; } agg;

static void agg_add(agg *a, float v)
{
    if (!isnan(v)) a->sum += v, a->n++;
}

static float agg_result(const agg *a, int how)
{
    if (!a->n) return NAN;
    return (float)(how == TS_AGG_MEAN ? a->sum / (double)a->n : a->sum);
}

/* An inferred daily grid with weekdays the data never has: a forecast
 * would have steps there that the network never saw a value at. */
static int unseen_days(csv_reader *r, ts_freq f, unsigned days)
{
    static const char *const name[7] = {"Monday", "Tuesday", "Wednesday", "Thursday",
                                        "Friday", "Saturday", "Sunday"};
    char list[100], fn[32];
    size_t k = 0;
    for (int w = 0; w < 7; w++)
        if (days >> w & 1)
            k += (size_t)snprintf(list + k, sizeof list - k, "%s%s", k ? " or " : "", name[w]);
    return csv_fail(r, TS_EDATA, r->first_data_line, tcol(r),
                    "no timestamp falls on a %s though the data spans many weeks: a %s forecast "
                    "would have steps on days the data never has (give --freq %s to accept that)",
                    list, ts_freq_name(f, fn, sizeof fn), fn);
}

/* The frequency: --freq, or inferred from consecutive distinct times. */
static int settle_freq(csv_reader *r, const ts_freq_acc *acc, ts_freq *f)
{
    if (r->o->freq) {
        if (ts_freq_parse(r->o->freq, f, r->err)) r->rc = TS_EUSAGE;
        return r->rc;
    }
    if (ts_freq_acc_result(acc, f))
        return csv_fail(r, TS_EDATA, r->first_data_line, tcol(r),
                        "cannot infer the frequency from a single timestamp per series "
                        "(give --freq)");
    unsigned days = ts_freq_acc_unseen_days(acc, *f);
    return days ? unseen_days(r, *f, days) : 0;
}

static int off_grid(csv_reader *r, ts_freq f, int64_t t, uint64_t line, int64_t t0, uint64_t line0)
{
    char a[40], b[40], fn[32];
    return csv_fail(r, TS_EDATA, line, tcol(r),
                    "timestamp %s is off the %s grid that starts at %s (line %llu)",
                    show_time(t, a, sizeof a), ts_freq_name(f, fn, sizeof fn),
                    show_time(t0, b, sizeof b), (unsigned long long)line0);
}

static int too_sparse(csv_reader *r, ts_freq f, int64_t t, uint64_t line, int64_t len, size_t rows)
{
    char a[40], fn[32];
    return csv_fail(r, TS_EDATA, line, tcol(r),
                    "timestamp %s leaves a gap so wide that the %s grid would need %lld points "
                    "for %zu rows (a typo in the date?)",
                    show_time(t, a, sizeof a), ts_freq_name(f, fn, sizeof fn), (long long)len, rows);
}

/* ---- wide ---- */

typedef struct { int64_t t; size_t i; } row_key;

static int cmp_row(const void *a, const void *b)
{
    const row_key *x = a, *y = b;
    if (x->t != y->t) return x->t < y->t ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

static void sort_rows(csv_reader *r)
{
    size_t n = r->nrows, i;
    for (i = 1; i < n && r->t[i] >= r->t[i - 1]; i++) {}
    if (i >= n) return;
    row_key *k = ts_xmalloc(n * sizeof *k);
    for (i = 0; i < n; i++) k[i] = (row_key){r->t[i], i};
    qsort(k, n, sizeof *k, cmp_row);
    uint32_t *tl = ts_xmalloc(n * sizeof *tl);
    for (i = 0; i < n; i++) r->t[i] = k[i].t, tl[i] = r->tl[k[i].i];
    free(r->tl);
    r->tl = tl;
    for (size_t j = 0; j < r->ncols; j++) {
        csv_col *c = &r->cols[j];
        if (c->kind != KIND_NUMBER || (c->role != ROLE_SERIES && c->role != ROLE_COV)) continue;
        float *v = ts_xmalloc(n * sizeof *v);
        for (i = 0; i < n; i++) v[i] = c->v[k[i].i];
        free(c->v);
        c->v = v;
    }
    free(k);
}

/* Rows with equal timestamps: an error, or combined into the first. */
static int dedupe_rows(csv_reader *r)
{
    size_t n = r->nrows, w = 0;
    char a[40];
    for (size_t i = 0, j; i < n; i = j, w++) {
        for (j = i + 1; j < n && r->t[j] == r->t[i]; j++) {}
        if (j - i > 1 && r->o->aggregate == TS_AGG_NONE)
            return csv_fail(r, TS_EDATA, r->tl[i + 1], tcol(r),
                            "duplicate timestamp %s (also on line %lu); "
                            "use --aggregate sum|mean to combine such rows",
                            show_time(r->t[i], a, sizeof a), (unsigned long)r->tl[i]);
        for (size_t c = 0; c < r->ncols; c++) {
            csv_col *col = &r->cols[c];
            if (col->kind == KIND_NUMBER && col->role == ROLE_COV) col->v[w] = col->v[i];
            if (col->kind != KIND_NUMBER || col->role != ROLE_SERIES) continue;
            agg a = {0, 0};
            for (size_t k = i; k < j; k++) agg_add(&a, col->v[k]);
            col->v[w] = j - i > 1 ? agg_result(&a, r->o->aggregate) : col->v[i];
        }
        r->t[w] = r->t[i];
        r->tl[w] = r->tl[i];
    }
    r->nrows = w;
    return 0;
}

/* Check every row against the grid from the first; bound the grid size. */
static int check_rows(csv_reader *r, ts_freq f)
{
    int64_t k = 0, kprev = 0, widest_gap = 0;
    size_t widest = 0;
    for (size_t i = 0; i < r->nrows; i++, kprev = k) {
        if (ts_time_steps(f, r->t[0], r->t[i], &k))
            return off_grid(r, f, r->t[i], r->tl[i], r->t[0], r->tl[0]);
        if (k - kprev > widest_gap) widest_gap = k - kprev, widest = i;
    }
    if ((uint64_t)k + 1 > GRID_SLACK + GRID_PER_ROW * (uint64_t)r->nrows)
        return too_sparse(r, f, r->t[widest], r->tl[widest], k + 1, r->nrows);
    return 0;
}

/* The covariates of series s, which starts at grid point k0 (rows from
 * the first), from the rows i0.. up to the last with a covariate value. */
static void covs_wide(csv_reader *r, ts_freq f, int64_t k0, size_t i0, ts_series *s)
{
    size_t n = 0, last = 0;
    for (size_t i = i0; i < r->nrows; i++)
        if (csv_cov_has_value(r, i)) last = i + 1;
    size_t *rows = ts_xmalloc((r->nrows + 1) * sizeof *rows);
    int64_t *k = ts_xmalloc((r->nrows + 1) * sizeof *k), kl = 0;
    for (size_t i = i0; i < last; i++, n++) {
        rows[n] = i;
        if (r->time_col >= 0) ts_time_steps(f, r->t[0], r->t[i], &k[n]);
        else k[n] = (int64_t)i;
        k[n] -= k0;
        kl = k[n] + 1;
    }
    csv_cov_series(r, s, s->len > (size_t)kl ? s->len : (size_t)kl, rows, k, n);
    free(rows);
    free(k);
}

/* Column c becomes series s: trimmed, on the grid, gaps NaN. */
static void place_wide(csv_reader *r, csv_col *c, ts_freq f, ts_series *s)
{
    size_t i0 = 0, i1 = r->nrows;
    int64_t k0, k1, k;
    while (isnan(c->v[i0])) i0++;  /* a kept column has a value */
    while (isnan(c->v[i1 - 1])) i1--;
    ts_time_steps(f, r->t[0], r->t[i0], &k0);
    ts_time_steps(f, r->t[0], r->t[i1 - 1], &k1);
    s->name = c->name;
    c->name = NULL;
    s->start = r->t[i0];
    s->len = (size_t)(k1 - k0 + 1);
    if (s->len == i1 - i0) {  /* no gaps: keep the array */
        memmove(c->v, c->v + i0, s->len * sizeof(float));
        s->values = ts_xrealloc(c->v, s->len * sizeof(float));
    } else {
        s->values = ts_xmalloc(s->len * sizeof(float));
        for (size_t j = 0; j < s->len; j++) s->values[j] = NAN;
        for (size_t i = i0; i < i1; i++) {
            ts_time_steps(f, r->t[0], r->t[i], &k);
            s->values[k - k0] = c->v[i];
        }
        free(c->v);
    }
    c->v = NULL;
    if (r->n_cov) covs_wide(r, f, r->time_col >= 0 ? k0 : (int64_t)i0, i0, s);
}

static void wide_notes(const csv_reader *r)
{
    char show[80];
    for (size_t j = 0; j < r->ncols; j++) {
        const csv_col *c = &r->cols[j];
        const char *name = csv_show(c->name, show, sizeof show);
        if (c->role == ROLE_SERIES && c->kind == KIND_TEXT)
            ts_info("%s: left out text column \"%s\" (column %zu, text on line %llu)", r->file,
                    name, j + 1, (unsigned long long)c->text_line);
        else if (c->role == ROLE_SERIES && !c->seen)
            ts_info("%s: left out column \"%s\" (column %zu): it has no values", r->file, name,
                    j + 1);
        else if (c->role == ROLE_SKIP && !c->name[0] && r->value_col < 0 &&
                 !(r->trailing_empty && j + 1 == r->ncols))
            ts_info("%s: left out column %zu: it has no name", r->file, j + 1);
    }
}

/* A column that becomes a series: numbers only, at least one. */
static int kept(const csv_col *c)
{
    return c->role == ROLE_SERIES && c->kind == KIND_NUMBER && c->seen;
}

static int finish_wide(csv_reader *r, ts_series_set *out)
{
    ts_freq f = {TS_FREQ_NONE, 1};
    size_t n = 0;
    char list[300], show[80];
    for (size_t j = 0; j < r->ncols; j++) {
        n += kept(&r->cols[j]);
        r->n_cov += r->cols[j].role == ROLE_COV && r->cols[j].kind == KIND_NUMBER;
    }
    if (r->o->cov_only) n = 1;   /* one unnamed series of covariates */
    if (n == 0 && r->value_col >= 0)
        return csv_fail(r, TS_EDATA, r->first_data_line, (size_t)r->value_col + 1,
                        "column \"%s\" has no values", csv_show(r->cols[r->value_col].name, list, 80));
    if (n == 0) {
        size_t k = 0;
        for (size_t j = 0; j < r->ncols && k + 8 < sizeof list; j++)
            if (r->cols[j].name[0])
                k += (size_t)snprintf(list + k, sizeof list - k, "%s%s", k ? ", " : "",
                                      csv_show(r->cols[j].name, show, sizeof show));
        if (k == 0)   /* no column has a name to list */
            return csv_fail(r, TS_EDATA, r->first_data_line, 1,
                            "no numeric column to read as a series");
        return csv_fail(r, TS_EDATA, r->first_data_line, 1,
                        "no numeric column to read as a series (columns: %s)", list);
    }
    if (r->time_col >= 0) {
        ts_freq_acc acc;
        sort_rows(r);
        if (dedupe_rows(r)) return r->rc;
        ts_freq_acc_init(&acc);
        for (size_t i = 1; i < r->nrows; i++) ts_freq_acc_add(&acc, r->t[i - 1], r->t[i]);
        int rc = settle_freq(r, &acc, &f);
        ts_freq_acc_free(&acc);
        if (rc || check_rows(r, f)) return r->rc;
    }
    wide_notes(r);  /* nothing fails from here on */
    out->series = ts_xcalloc(n, sizeof *out->series);
    for (size_t j = 0; j < r->ncols && !r->o->cov_only; j++)
        if (kept(&r->cols[j])) place_wide(r, &r->cols[j], f, &out->series[out->n++]);
    if (r->o->cov_only) {
        ts_series *s = &out->series[out->n++];
        s->name = ts_xstrdup("");
        s->start = r->nrows ? r->t[0] : 0;
        s->values = ts_xmalloc(sizeof *s->values);
        covs_wide(r, f, 0, 0, s);
    }
    out->freq = f;
    out->has_time = r->time_col >= 0;
    return 0;
}

/* ---- long ---- */

static int cmp_obs(const void *a, const void *b)
{
    const csv_obs *x = a, *y = b;
    if (x->t != y->t) return x->t < y->t ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

/* Sort one series' observations and settle duplicates. */
static int tidy_series(csv_reader *r, csv_lseries *s)
{
    size_t i, j, w = 0;
    char a[40], show[80];
    for (i = 1; i < s->n && s->obs[i].t >= s->obs[i - 1].t; i++) {}
    if (i < s->n) qsort(s->obs, s->n, sizeof *s->obs, cmp_obs);
    for (i = 0; i < s->n; i = j, w++) {
        for (j = i + 1; j < s->n && s->obs[j].t == s->obs[i].t; j++) {}
        if (j - i > 1 && r->o->aggregate == TS_AGG_NONE)
            return csv_fail(r, TS_EDATA, s->obs[i + 1].line, tcol(r),
                            "duplicate timestamp %s for series \"%s\" (also on line %lu); "
                            "use --aggregate sum|mean to combine such rows",
                            show_time(s->obs[i].t, a, sizeof a), csv_show(s->name, show, sizeof show),
                            (unsigned long)s->obs[i].line);
        agg a = {0, 0};
        for (size_t k = i; k < j; k++) agg_add(&a, s->obs[k].v);
        s->obs[w] = s->obs[i];
        if (j - i > 1) s->obs[w].v = agg_result(&a, r->o->aggregate);
    }
    s->n = w;
    return 0;
}

/* The covariates of series out (grid point k0 of anchor's grid) from its
 * observations i0.. up to the last with a covariate value. */
static void covs_long(csv_reader *r, const csv_lseries *s, ts_freq f, int64_t anchor, int64_t k0,
                      size_t i0, ts_series *out)
{
    size_t n = 0, last = i0;
    for (size_t i = i0; i < s->n; i++)
        if (csv_cov_has_value(r, s->obs[i].row)) last = i + 1;
    size_t *rows = ts_xmalloc((s->n + 1) * sizeof *rows);
    int64_t *k = ts_xmalloc((s->n + 1) * sizeof *k), kl = 0;
    for (size_t i = i0; i < last; i++, n++) {
        rows[n] = s->obs[i].row;
        ts_time_steps(f, anchor, s->obs[i].t, &k[n]);
        k[n] -= k0;
        kl = k[n] + 1;
    }
    csv_cov_series(r, out, out->len > (size_t)kl ? out->len : (size_t)kl, rows, k, n);
    free(rows);
    free(k);
}

/* Place series s on the grid of anchor; NULL values if it has none. */
static int place_long(csv_reader *r, csv_lseries *s, ts_freq f, int64_t anchor,
                      uint64_t anchor_line, ts_series *out, uint64_t *total)
{
    size_t i0 = 0, i1 = s->n;
    int64_t k, k0, k1;
    for (size_t i = 0; i < s->n; i++)
        if (ts_time_steps(f, anchor, s->obs[i].t, &k))
            return off_grid(r, f, s->obs[i].t, s->obs[i].line, anchor, anchor_line);
    while (i0 < i1 && isnan(s->obs[i0].v)) i0++;
    while (i1 > i0 && isnan(s->obs[i1 - 1].v)) i1--;
    if (r->o->cov_only) i0 = 0, i1 = s->n ? 1 : 0;   /* no target: covariates from the first row */
    if (i0 == i1) return 0;
    ts_time_steps(f, anchor, s->obs[i0].t, &k0);
    ts_time_steps(f, anchor, s->obs[i1 - 1].t, &k1);
    *total += (uint64_t)(k1 - k0 + 1);
    if ((uint64_t)(k1 - k0 + 1) > GRID_SLACK + GRID_PER_ROW * (uint64_t)(i1 - i0) ||
        *total > GRID_SLACK * 1000 + GRID_PER_ROW * (uint64_t)r->nrows)
        return too_sparse(r, f, s->obs[i1 - 1].t, s->obs[i1 - 1].line, k1 - k0 + 1, i1 - i0);
    out->name = s->name;
    s->name = NULL;
    out->start = s->obs[i0].t;
    out->len = (size_t)(k1 - k0 + 1);
    out->values = ts_xmalloc(out->len * sizeof(float));
    for (size_t j = 0; j < out->len; j++) out->values[j] = NAN;
    for (size_t i = i0; i < i1; i++) {
        ts_time_steps(f, anchor, s->obs[i].t, &k);
        out->values[k - k0] = s->obs[i].v;
    }
    if (r->o->cov_only) out->len = 0;
    if (r->n_cov) covs_long(r, s, f, anchor, k0, i0, out);
    return 0;
}

static int finish_long(csv_reader *r, ts_series_set *out)
{
    ts_freq f = {TS_FREQ_NONE, 1};
    ts_freq_acc acc;
    uint64_t total = 0;
    size_t dropped = 0;
    int64_t anchor = INT64_MAX;
    uint64_t anchor_line = 0;
    char show[80];
    ts_freq_acc_init(&acc);
    r->nrows = 0;
    for (size_t j = 0; j < r->ncols; j++)
        r->n_cov += r->cols[j].role == ROLE_COV && r->cols[j].kind == KIND_NUMBER;
    for (size_t i = 0; i < r->nls && !r->rc; i++) {
        csv_lseries *s = &r->ls[i];
        if (tidy_series(r, s)) break;
        for (size_t j = 1; j < s->n; j++) ts_freq_acc_add(&acc, s->obs[j - 1].t, s->obs[j].t);
        if (s->obs[0].t < anchor) anchor = s->obs[0].t, anchor_line = s->obs[0].line;
        r->nrows += s->n;
    }
    if (!r->rc && r->time_col >= 0) settle_freq(r, &acc, &f);
    ts_freq_acc_free(&acc);
    if (r->rc) return r->rc;
    out->series = ts_xcalloc(r->nls, sizeof *out->series);
    for (size_t i = 0; i < r->nls; i++) {
        if (place_long(r, &r->ls[i], f, anchor, anchor_line, &out->series[out->n], &total))
            return r->rc;
        if (out->series[out->n].values) out->n++;
        else dropped++;
    }
    if (out->n == 0 && r->value_col < 0)
        return csv_fail(r, TS_EDATA, r->first_data_line, 1, "no rows");
    if (out->n == 0)
        return csv_fail(r, TS_EDATA, r->first_data_line, (size_t)r->value_col + 1,
                        "column \"%s\" has no values", csv_show(r->cols[r->value_col].name,
                                                                    show, sizeof show));
    out->freq = f;
    out->has_time = r->time_col >= 0;
    if (dropped)
        ts_info("%s: left out %zu series without values (ids given, values all missing)", r->file,
                dropped);
    return 0;
}

int csv_finish(csv_reader *r, ts_series_set *out)
{
    if (!r->header_done) return csv_fail(r, TS_EDATA, 1, 1, "empty file");
    if (!r->roles_done)
        return csv_fail(r, TS_EDATA, r->line, 1, "no data rows after the header");
    int rc = r->n_id ? finish_long(r, out) : finish_wide(r, out);
    if (!rc) csv_cov_columns(r, out);
    if (rc) ts_series_set_free(out);
    return rc;
}
