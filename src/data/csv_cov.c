/* csv_cov.c - the CSV reader's covariate columns (csv.h, COVARIATES):
 * binding --covariate and --categorical, --covariates all, storing each
 * row's covariate cells (numbers, or categorical levels as indexes) and
 * laying them out per series on its grid. */
#include "data/csv_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int kept(const csv_col *c) { return c->role == ROLE_COV && c->kind != KIND_TEXT; }

/* Bind one covariate option's column. */
static int bind_one(csv_reader *r, const csv_map *names, const char *opt, const char *want,
                    int categorical)
{
    char show[80];
    const ts_csv_opts *o = r->o;
    int j = -1;
    if (o->cov_required) {   /* a model's column: the data lacks it */
        size_t i = csv_map_get(names, want, csv_hash(want));
        if (i == (size_t)-1)
            return csv_fail(r, TS_EDATA, 0, 0, "the model was fitted with covariate \"%s\", "
                            "which this file has no column for", csv_show(want, show, sizeof show));
        j = (int)i;
    } else if ((j = csv_find_col(r, names, opt, want)) < 0) {
        return r->rc;
    }
    csv_col *c = &r->cols[j];
    if (c->role != ROLE_SKIP || j == r->time_col || j == r->value_col)
        return csv_fail(r, TS_EUSAGE, 0, 0, "column \"%s\" cannot be given to --%s: it is %s",
                        csv_show(c->name, show, sizeof show), opt,
                        c->role == ROLE_COV ? "a covariate already" : "the time, value or an id column");
    c->role = ROLE_COV;
    c->categorical = categorical;
    c->kind = KIND_NUMBER;
    return 0;
}

int csv_cov_bind(csv_reader *r, const csv_map *names)
{
    const ts_csv_opts *o = r->o;
    for (int k = 0; k < o->n_cov_cols && k < TS_CSV_MAX_COVS && !r->rc; k++)
        bind_one(r, names, "covariate", o->cov_cols[k], 0);
    for (int k = 0; k < o->n_cat_cols && k < TS_CSV_MAX_COVS && !r->rc; k++)
        bind_one(r, names, "categorical", o->cat_cols[k], 1);
    return r->rc;
}

void csv_cov_mark_all(csv_reader *r)
{
    if (!r->o->cov_all) return;
    for (size_t j = 0; j < r->ncols; j++) {
        csv_col *c = &r->cols[j];
        if (!c->name[0] || c->role != ROLE_SKIP || (int)j == r->time_col) continue;
        c->role = ROLE_COV;
        c->optional = 1;
        c->kind = KIND_NUMBER;
    }
}

/* Room for row `row` in every covariate column. */
static void grow(csv_reader *r, size_t row)
{
    if (row < r->ccap) return;
    r->ccap = r->ccap ? 2 * r->ccap : 64;
    if (r->ccap <= row) r->ccap = row + 1;
    for (size_t j = 0; j < r->ncols; j++)
        if (kept(&r->cols[j])) r->cols[j].v = ts_xrealloc(r->cols[j].v, r->ccap * sizeof(float));
}

/* The index of level s of categorical column c, added when new. */
static float level_of(csv_col *c, const char *s)
{
    uint64_t h = csv_hash(s);
    if (!c->lmap) c->lmap = ts_xcalloc(1, sizeof *c->lmap);
    size_t i = csv_map_get(c->lmap, s, h);
    if (i != (size_t)-1) return (float)i;
    c->levels = ts_xrealloc(c->levels, (size_t)(c->n_levels + 1) * sizeof *c->levels);
    c->levels[c->n_levels] = ts_xstrdup(s);
    csv_map_put(c->lmap, c->levels[c->n_levels], h, (size_t)c->n_levels);
    return (float)c->n_levels++;
}

int csv_cov_store(csv_reader *r, size_t row)
{
    grow(r, row);
    if (row + 1 > r->ncrows) r->ncrows = row + 1;
    for (size_t j = 0; j < r->ncols; j++) {
        csv_col *c = &r->cols[j];
        if (!kept(c)) continue;
        const char *s = r->nf ? csv_cell(r, j) : "";
        float v;
        int st = csv_number_cell(s, &v);
        if (c->categorical) {
            c->v[row] = st == CSV_CELL_MISSING ? NAN : level_of(c, s);
        } else if (st == CSV_CELL_BAD && c->optional && !c->seen) {  /* a text column: out */
            c->kind = KIND_TEXT;
            c->text_line = r->f[0].line;
            free(c->v);
            c->v = NULL;
        } else if (st == CSV_CELL_BAD || st >= CSV_CELL_RANGE) {
            return csv_bad_number(r, j, s, st);
        } else {
            c->seen |= st == CSV_CELL_NUMBER;
            c->v[row] = v;
        }
    }
    return 0;
}

int csv_cov_has_value(const csv_reader *r, size_t row)
{
    for (size_t j = 0; j < r->ncols; j++)
        if (kept(&r->cols[j]) && !isnan(r->cols[j].v[row])) return 1;
    return 0;
}

void csv_cov_series(const csv_reader *r, ts_series *s, size_t cov_len, const size_t *rows,
                    const int64_t *k, size_t n)
{
    size_t ncov = 0;
    for (size_t j = 0; j < r->ncols; j++) ncov += kept(&r->cols[j]);
    if (ncov == 0) return;
    s->cov_len = cov_len;
    s->cov = ts_xmalloc((ncov * cov_len + 1) * sizeof *s->cov);
    for (size_t i = 0; i < ncov * cov_len; i++) s->cov[i] = NAN;
    for (size_t j = 0, c = 0; j < r->ncols; j++) {
        if (!kept(&r->cols[j])) continue;
        for (size_t i = 0; i < n; i++)
            if (k[i] >= 0 && (size_t)k[i] < cov_len) s->cov[c * cov_len + (size_t)k[i]] = r->cols[j].v[rows[i]];
        c++;
    }
}

void csv_cov_columns(csv_reader *r, ts_series_set *out)
{
    char show[80];
    for (size_t j = 0; j < r->ncols; j++) {
        csv_col *c = &r->cols[j];
        if (c->role == ROLE_COV && c->kind == KIND_TEXT)
            ts_info("%s: left out text column \"%s\" (column %zu, text on line %llu): name it "
                    "with --categorical to use it", r->file, csv_show(c->name, show, sizeof show),
                    j + 1, (unsigned long long)c->text_line);
        if (!kept(c)) continue;
        out->cov = ts_xrealloc(out->cov, (size_t)(out->n_cov + 1) * sizeof *out->cov);
        out->cov[out->n_cov++] = (ts_covariate){c->name, c->n_levels, c->levels};
        c->name = NULL;
        c->levels = NULL;
        c->n_levels = 0;
    }
}

void csv_cov_free(csv_col *c)
{
    for (int l = 0; l < c->n_levels; l++) free(c->levels[l]);
    free(c->levels);
    if (c->lmap) csv_map_free(c->lmap);
    free(c->lmap);
}
