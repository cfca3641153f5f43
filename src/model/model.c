/* model.c - the model struct: ownership, the fit record's series and data
 * file, and the lookups forecast and backtest make in it. */
#include "model/model.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "data/window.h"

static void fit_free(ts_fit_record *r)
{
    free(r->data_path);
    for (size_t i = 0; i < sizeof r->csv_store / sizeof r->csv_store[0]; i++)
        free(r->csv_store[i]);
    for (size_t i = 0; i < r->n_series; i++) free(r->names[i]);
    free(r->names);
    free(r->last_time);
    free(r->length);
    free(r->nonneg);
    ts_train_record_free(&r->train);
    free(r);
}

void ts_model_free(ts_model *m)
{
    if (!m) return;
    ts_net_free(&m->net);
    if (m->fit) fit_free(m->fit);
    free(m->version);
    for (size_t i = 0; i < m->n_provenance; i++) free(m->provenance[i]);
    free(m->provenance);
    memset(m, 0, sizeof *m);
}

/* The index of key's line, or n_provenance. */
static size_t provenance_line(const ts_model *m, const char *key)
{
    size_t k = strlen(key), i = 0;
    while (i < m->n_provenance &&
           !(strncmp(m->provenance[i], key, k) == 0 && m->provenance[i][k] == '='))
        i++;
    return i;
}

void ts_model_set_provenance(ts_model *m, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    size_t k = strlen(key), len = k + 1 + (size_t)(n > 0 ? n : 0) + 1;
    char *line = ts_xmalloc(len);
    snprintf(line, len, "%s=", key);
    va_start(ap, fmt);
    vsnprintf(line + k + 1, len - k - 1, fmt, ap);
    va_end(ap);
    size_t i = provenance_line(m, key);
    if (i == m->n_provenance)
        m->provenance = ts_xrealloc(m->provenance, ++m->n_provenance * sizeof *m->provenance);
    else
        free(m->provenance[i]);
    m->provenance[i] = line;
}

const char *ts_model_provenance(const ts_model *m, const char *key)
{
    size_t i = provenance_line(m, key);
    return i < m->n_provenance ? m->provenance[i] + strlen(key) + 1 : NULL;
}

int ts_model_horizon(const ts_model *m)
{
    return m->fit && m->fit->horizon > 0 ? m->fit->horizon : m->net.win.horizon;
}

ts_fit_record *ts_model_fit(ts_model *m)
{
    if (!m->fit) m->fit = ts_xcalloc(1, sizeof *m->fit);
    return m->fit;
}

static const char *keep(ts_fit_record *r, int slot, const char *s)
{
    free(r->csv_store[slot]);
    r->csv_store[slot] = s ? ts_xstrdup(s) : NULL;
    return r->csv_store[slot];
}

void ts_model_set_csv(ts_model *m, const char *data_path, const ts_csv_opts *csv)
{
    ts_fit_record *r = ts_model_fit(m);
    free(r->data_path);
    r->data_path = data_path ? ts_xstrdup(data_path) : NULL;
    r->csv = *csv;
    /* the covariates are the network's (net.cov), not the CSV options' */
    r->csv.n_cov_cols = r->csv.n_cat_cols = r->csv.cov_all = 0;
    r->csv.time_col = keep(r, 0, csv->time_col);
    r->csv.value_col = keep(r, 1, csv->value_col);
    r->csv.freq = keep(r, 2, csv->freq);
    for (int i = 0; i < csv->n_id_cols && i < TS_CSV_MAX_ID_COLS; i++)
        r->csv.id_cols[i] = keep(r, 3 + i, csv->id_cols[i]);
}

void ts_model_set_series(ts_model *m, const ts_series_set *set)
{
    ts_fit_record *r = ts_model_fit(m);
    if (!r->names) {
        r->n_series = set->n;
        r->names = ts_xcalloc(set->n, sizeof *r->names);
        r->last_time = ts_xmalloc((set->n + 1) * sizeof *r->last_time);
        r->length = ts_xmalloc((set->n + 1) * sizeof *r->length);
        r->nonneg = ts_xmalloc((set->n + 1) * sizeof *r->nonneg);
        for (size_t i = 0; i < set->n; i++) r->names[i] = ts_xstrdup(set->series[i].name);
    }
    TS_CHECK(r->n_series == set->n);
    for (size_t i = 0; i < set->n; i++) {
        const ts_series *s = &set->series[i];
        r->length[i] = (int64_t)s->len;
        r->last_time[i] = ts_time_add(set->freq, s->start, (long)s->len - 1);
        r->nonneg[i] = ts_series_nonneg(s);
    }
}

int ts_model_data_path(const ts_model *m, const char *model_path, const char *hint,
                       const char **out, ts_error *err)
{
    struct stat st;
    if (!m->fit)
        return ts_fail(err, TS_EUSAGE, "%s is a network-only model (no fit record, no "
                       "training data): give %s", model_path, hint);
    const char *p = m->fit->data_path;
    if (!p || !*p)
        return ts_fail(err, TS_EUSAGE, "%s does not name its training data: give %s",
                       model_path, hint);
    if (stat(p, &st) != 0)
        return ts_fail(err, TS_ENOINPUT, "%s: cannot open the model's training data (%s): "
                       "give %s", p, strerror(errno), hint);
    if (!S_ISREG(st.st_mode))
        return ts_fail(err, TS_EUSAGE, "%s: the model's training data is not a regular file: "
                       "give %s", p, hint);
    *out = p;
    return 0;
}

long ts_model_find_series(const ts_model *m, const char *name)
{
    for (size_t i = 0; m->fit && i < m->fit->n_series; i++)
        if (strcmp(m->fit->names[i], name) == 0) return (long)i;
    return -1;
}

int ts_model_series_nonneg(const ts_model *m, const ts_series *s)
{
    long k = ts_model_find_series(m, s->name);
    return k >= 0 ? m->fit->nonneg[k] : ts_series_nonneg(s);
}

void ts_model_csv_covariates(const ts_model *m, ts_csv_opts *csv)
{
    const char *cols[TS_COV_MAX_ROWS];
    int cat[TS_COV_MAX_ROWS];
    int n = ts_cov_table_columns(&m->net.cov, cols, cat, TS_COV_MAX_ROWS);
    csv->n_cov_cols = csv->n_cat_cols = csv->cov_all = 0;
    for (int k = 0; k < n; k++) {
        if (cat[k]) csv->cat_cols[csv->n_cat_cols++] = cols[k];
        else csv->cov_cols[csv->n_cov_cols++] = cols[k];
    }
    csv->cov_required = n > 0;
}
