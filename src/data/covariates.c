/* covariates.c - the covariate table of a network, the covariate inputs of
 * a series set, and merging a future file's covariates (covariates.h). */
#include "data/covariates.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/timefmt.h"

/* ---- the table ---- */

int ts_cov_table_add(ts_cov_table *t, const char *column, const char *level, int raw,
                     ts_error *err)
{
    if (t->n >= TS_COV_MAX_ROWS)
        return ts_fail(err, TS_EUSAGE, "too many covariate inputs (at most %d; each level of a "
                       "categorical column counts one)", TS_COV_MAX_ROWS);
    t->row = ts_xrealloc(t->row, (size_t)(t->n + 1) * sizeof *t->row);
    t->row[t->n++] = (ts_cov_row){ts_xstrdup(column), level ? ts_xstrdup(level) : NULL, raw != 0};
    return 0;
}

void ts_cov_table_free(ts_cov_table *t)
{
    for (int i = 0; i < t->n; i++) {
        free(t->row[i].column);
        free(t->row[i].level);
    }
    free(t->row);
    memset(t, 0, sizeof *t);
}

/* 1 when every observed value of numeric covariate k in set is 0 or 1. */
static int indicator(const ts_series_set *set, int k)
{
    for (size_t s = 0; s < set->n; s++) {
        const ts_series *sr = &set->series[s];
        const float *v = sr->cov + (size_t)k * sr->cov_len;
        for (size_t j = 0; j < sr->cov_len; j++)
            if (!isnan(v[j]) && v[j] != 0 && v[j] != 1) return 0;
    }
    return 1;
}

int ts_cov_table_from_set(ts_cov_table *t, const ts_series_set *set, ts_error *err)
{
    int rc = 0;
    memset(t, 0, sizeof *t);
    for (int k = 0; !rc && k < set->n_cov; k++) {
        const ts_covariate *c = &set->cov[k];
        if (c->n_levels == 0) rc = ts_cov_table_add(t, c->name, NULL, indicator(set, k), err);
        for (int l = 0; !rc && l < c->n_levels; l++)
            rc = ts_cov_table_add(t, c->name, c->levels[l], 1, err);
    }
    if (rc) ts_cov_table_free(t);
    return rc;
}

static int same_str(const char *a, const char *b)
{
    return a == b || (a && b && !strcmp(a, b));
}

int ts_cov_table_diff(const ts_cov_table *a, const ts_cov_table *b)
{
    int n = a->n < b->n ? a->n : b->n;
    for (int k = 0; k < n; k++)
        if (!same_str(a->row[k].column, b->row[k].column) ||
            !same_str(a->row[k].level, b->row[k].level) || a->row[k].raw != b->row[k].raw)
            return k;
    return a->n == b->n ? -1 : n;
}

int ts_cov_table_columns(const ts_cov_table *t, const char **names, int *categorical, int max)
{
    int n = 0;
    for (int i = 0; i < t->n; i++) {
        int seen = 0;
        for (int j = 0; j < n && !seen; j++) seen = !strcmp(names[j], t->row[i].column);
        if (seen || n >= max) continue;
        names[n] = t->row[i].column;
        categorical[n++] = t->row[i].level != NULL;
    }
    return n;
}

const char *ts_cov_row_name(const ts_cov_row *r, char *buf, size_t size)
{
    if (r->level) snprintf(buf, size, "%s=%s", r->column, r->level);
    else snprintf(buf, size, "%s", r->column);
    return buf;
}

/* ---- the inputs ---- */

static int find_column(const ts_series_set *set, const char *name)
{
    for (int k = 0; k < set->n_cov; k++)
        if (!strcmp(set->cov[k].name, name)) return k;
    return -1;
}

static int find_level(const ts_covariate *c, const char *level)
{
    for (int l = 0; l < c->n_levels; l++)
        if (!strcmp(c->levels[l], level)) return l;
    return -1;
}

static const char *point_time(const ts_series_set *set, const ts_series *sr, long j, char *buf,
                              size_t size)
{
    return ts_time_format(set->freq, ts_time_add(set->freq, sr->start, j), buf, size);
}

/* A level of categorical column k that no row of t names: the first cell
 * holding one is an error. */
static int check_levels(const ts_cov_table *t, const ts_series_set *set, int k, ts_error *err)
{
    const ts_covariate *c = &set->cov[k];
    for (int l = 0; l < c->n_levels; l++) {
        int known = 0;
        for (int i = 0; i < t->n && !known; i++)
            known = t->row[i].level && !strcmp(t->row[i].column, c->name) &&
                    !strcmp(t->row[i].level, c->levels[l]);
        for (size_t s = 0; !known && s < set->n; s++) {
            const ts_series *sr = &set->series[s];
            const float *v = sr->cov + (size_t)k * sr->cov_len;
            char tb[40];
            for (size_t j = 0; j < sr->cov_len; j++)
                if (v[j] == (float)l)
                    return ts_fail(err, TS_EDATA, "%s: series \"%s\": categorical covariate "
                                   "\"%s\" has level \"%s\" at %s, which the model was not "
                                   "fitted with", set->source ? set->source : "data", sr->name,
                                   c->name, c->levels[l], point_time(set, sr, (long)j, tb, sizeof tb));
        }
    }
    return 0;
}

/* Row r of series sr's inputs into out[cov_len]. */
static void fill_row(const ts_cov_row *r, const ts_covariate *c, int k, const ts_series *sr,
                     float *out)
{
    const float *v = sr->cov + (size_t)k * sr->cov_len;
    int level = r->level ? find_level(c, r->level) : -1;
    for (size_t j = 0; j < sr->cov_len; j++) {
        if (!r->level || isnan(v[j])) out[j] = v[j];
        else out[j] = v[j] == (float)level ? 1.0f : 0.0f;
    }
}

int ts_cov_inputs_build(ts_cov_inputs *ci, const ts_cov_table *t, const ts_series_set *set,
                        ts_error *err)
{
    memset(ci, 0, sizeof *ci);
    if (t->n == 0) return 0;
    int col[TS_COV_MAX_ROWS];
    for (int i = 0; i < t->n; i++) {
        col[i] = find_column(set, t->row[i].column);
        if (col[i] < 0)
            return ts_fail(err, TS_EDATA, "%s: the model needs covariate \"%s\", which the data "
                           "does not have", set->source ? set->source : "data", t->row[i].column);
        if ((set->cov[col[i]].n_levels > 0) != (t->row[i].level != NULL))
            return ts_fail(err, TS_EDATA, "%s: covariate \"%s\" is %s in the model but read as "
                           "%s", set->source ? set->source : "data", t->row[i].column,
                           t->row[i].level ? "categorical" : "numeric",
                           t->row[i].level ? "numeric" : "categorical");
        if (t->row[i].level && check_levels(t, set, col[i], err)) return TS_EDATA;
    }
    ci->rows = t->n;
    ci->n = set->n;
    ci->len = ts_xcalloc(set->n ? set->n : 1, sizeof *ci->len);
    ci->v = ts_xcalloc(set->n ? set->n : 1, sizeof *ci->v);
    for (size_t s = 0; s < set->n; s++) {
        const ts_series *sr = &set->series[s];
        ci->len[s] = (long)sr->cov_len;
        ci->v[s] = ts_xmalloc(((size_t)t->n * sr->cov_len + 1) * sizeof(float));
        for (int i = 0; i < t->n; i++)
            fill_row(&t->row[i], &set->cov[col[i]], col[i], sr, ci->v[s] + (size_t)i * sr->cov_len);
    }
    return 0;
}

void ts_cov_inputs_free(ts_cov_inputs *ci)
{
    for (size_t s = 0; s < ci->n; s++) free(ci->v[s]);
    free(ci->v);
    free(ci->len);
    memset(ci, 0, sizeof *ci);
}

void ts_cov_inputs_view(const ts_cov_inputs *ci, size_t s, long first, ts_series_view *v)
{
    if (ci->rows == 0) return;
    TS_CHECK(s < ci->n);
    v->n_cov = ci->rows;
    v->cov_len = ci->len[s];
    v->cov = ci->v[s];
    v->cov_first = first;
}

int ts_cov_inputs_check(const ts_cov_inputs *ci, const ts_cov_table *t, const ts_series_set *set,
                        size_t s, long from, long to, ts_error *err)
{
    const ts_series *sr = &set->series[s];
    for (long j = from; j < to; j++)
        for (int k = 0; k < ci->rows; k++) {
            if (j >= 0 && j < ci->len[s] && !isnan(ci->v[s][(size_t)k * ci->len[s] + j])) continue;
            char tb[40];
            return ts_fail(err, TS_EDATA, "series \"%s\": covariate \"%s\" has no value at %s "
                           "(the forecast needs it at every step of the horizon: give rows after "
                           "the last target or --future FILE.csv)", sr->name, t->row[k].column,
                           point_time(set, sr, j, tb, sizeof tb));
        }
    return 0;
}

/* ---- copies ---- */

void ts_series_set_copy_covariates(ts_series_set *dst, const ts_series_set *src)
{
    dst->n_cov = src->n_cov;
    dst->cov = ts_xcalloc((size_t)src->n_cov + 1, sizeof *dst->cov);
    for (int k = 0; k < src->n_cov; k++) {
        const ts_covariate *c = &src->cov[k];
        dst->cov[k] = (ts_covariate){ts_xstrdup(c->name), c->n_levels,
                                     ts_xcalloc((size_t)c->n_levels + 1, sizeof(char *))};
        for (int l = 0; l < c->n_levels; l++) dst->cov[k].levels[l] = ts_xstrdup(c->levels[l]);
    }
}

void ts_series_cut_covariates(ts_series *dst, const ts_series *src, int n_cov, size_t len)
{
    if (n_cov == 0 || !src->cov) return;
    if (len > src->cov_len) len = src->cov_len;
    dst->cov_len = len;
    dst->cov = ts_xmalloc(((size_t)n_cov * len + 1) * sizeof *dst->cov);
    for (int k = 0; k < n_cov; k++)
        memcpy(dst->cov + (size_t)k * len, src->cov + (size_t)k * src->cov_len, len * sizeof(float));
}

/* ---- the future file ---- */

/* Series s's covariates extended to len points (new points NaN). */
static void grow_cov(ts_series *s, int n_cov, size_t len)
{
    if (len <= s->cov_len) return;
    float *v = ts_xmalloc((size_t)n_cov * len * sizeof *v);
    for (int k = 0; k < n_cov; k++)
        for (size_t j = 0; j < len; j++)
            v[(size_t)k * len + j] = j < s->cov_len ? s->cov[(size_t)k * s->cov_len + j] : NAN;
    free(s->cov);
    s->cov = v;
    s->cov_len = len;
}

/* The index in set's column k of fut's level l (added when new, so that a
 * model that does not know it says so). */
static float map_level(ts_covariate *c, const ts_covariate *fc, float code)
{
    if (isnan(code) || fc->n_levels == 0) return code;
    const char *name = fc->levels[(int)code];
    int l = find_level(c, name);
    if (l >= 0) return (float)l;
    c->levels = ts_xrealloc(c->levels, (size_t)(c->n_levels + 1) * sizeof *c->levels);
    c->levels[c->n_levels] = ts_xstrdup(name);
    return (float)c->n_levels++;
}

/* The point of set's series s at fut's series f's point i, in *k; else
 * TS_EDATA for a timestamp off s's grid or before its start. */
static int future_point(const ts_series_set *set, const ts_series *s, const ts_series_set *fut,
                        const ts_series *f, size_t i, int64_t *k, ts_error *err)
{
    int64_t t = ts_time_add(fut->freq, f->start, (long)i);
    char tb[40];
    int off = ts_time_steps(set->freq, s->start, t, k);
    if (off || *k < 0)
        return ts_fail(err, TS_EDATA, "%s: series \"%s\": timestamp %s is %s", fut->source,
                       s->name, ts_time_format(set->freq, t, tb, sizeof tb),
                       off ? "off the data's time grid" : "before the series starts");
    return 0;
}

/* Merge fut's series f into set's series s: every point checked and s's
 * covariates grown once to the furthest (one step at a time would copy
 * them once per point: a far future would take quadratic time). */
static int merge_series(ts_series_set *set, ts_series *s, const ts_series_set *fut,
                        const ts_series *f, ts_error *err)
{
    int64_t k = 0, last = -1;
    for (size_t i = 0; i < f->cov_len; i++) {
        int rc = future_point(set, s, fut, f, i, &k, err);
        if (rc) return rc;
        if (k > last) last = k;
    }
    if (last >= 0) grow_cov(s, set->n_cov, (size_t)last + 1);
    for (size_t i = 0; i < f->cov_len; i++) {
        future_point(set, s, fut, f, i, &k, NULL);
        for (int c = 0; c < fut->n_cov; c++) {
            int d = find_column(set, fut->cov[c].name);
            float v = f->cov[(size_t)c * f->cov_len + i];
            float *cell = d < 0 ? NULL : &s->cov[(size_t)d * s->cov_len + (size_t)k];
            if (cell && isnan(*cell)) *cell = map_level(&set->cov[d], &fut->cov[c], v);
        }
    }
    return 0;
}

int ts_series_set_add_future(ts_series_set *set, const ts_series_set *fut, ts_error *err)
{
    if (set->n_cov == 0) return 0;   /* a model without covariates */
    for (size_t s = 0; s < set->n; s++) {
        ts_series *sr = &set->series[s];
        for (size_t i = 0; i < fut->n; i++) {
            const ts_series *f = &fut->series[i];
            if (f->name[0] && strcmp(f->name, sr->name)) continue;
            int rc = merge_series(set, sr, fut, f, err);
            if (rc) return rc;
        }
    }
    return 0;
}
