/* forecast_out.c - quantile CSV, samples CSV and fan chart of a forecast.
 * Each writer refuses a forecast with a value that is not finite before it
 * creates its file (ts_forecast_check).
 *
 * It lives in eval/, not io/: it summarises samples with eval/metrics.h's
 * quantiles and reads diffusion/forecast.h's result, so it sits above both,
 * beside the backtest that writes its fan charts through it; io/ is the
 * ground floor that knows no model. */
#include "eval/forecast_out.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eval/metrics.h"
#include "io/atomic.h"
#include "io/plot.h"

int ts_quantiles_parse(const char *s, double *q, int max, int *nq, ts_error *err)
{
    int n = 0;
    const char *p = s;
    while (*p) {
        char *end;
        errno = 0;
        double v = strtod(p, &end);
        if (end == p || errno || !(v > 0 && v < 1) || (*end && *end != ','))
            return ts_fail(err, TS_EUSAGE, "--quantiles: expected numbers between 0 and 1 "
                                           "separated by commas, found \"%s\"", s);
        if (n == max) return ts_fail(err, TS_EUSAGE, "--quantiles: at most %d levels", max);
        if (n > 0 && v <= q[n - 1])
            return ts_fail(err, TS_EUSAGE, "--quantiles: levels must increase, found \"%s\"", s);
        q[n++] = v;
        p = *end ? end + 1 : end;
        if (*end && !*p) return ts_fail(err, TS_EUSAGE, "--quantiles: trailing comma in \"%s\"", s);
    }
    if (n == 0) return ts_fail(err, TS_EUSAGE, "--quantiles: no levels given");
    *nq = n;
    return 0;
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

void ts_forecast_summary(const ts_forecast *f, const double *q, int nq, float *mean, float *qv)
{
    int S = f->samples, H = f->horizon;
    float *col = ts_xmalloc((size_t)S * sizeof *col);
    for (size_t i = 0; i < f->n; i++)
        for (int h = 0; h < H; h++) {
            double sum = 0;
            for (int k = 0; k < S; k++) {
                col[k] = f->values[(i * (size_t)S + (size_t)k) * (size_t)H + (size_t)h];
                sum += col[k];
            }
            qsort(col, (size_t)S, sizeof *col, cmp_float);
            size_t at = i * (size_t)H + (size_t)h;
            mean[at] = (float)(sum / S);
            for (int j = 0; j < nq; j++) qv[at * (size_t)nq + (size_t)j] = (float)ts_quantile(col, S, q[j]);
        }
    free(col);
}

void ts_forecast_time(const ts_series_set *set, size_t s, long origin, int h, char *buf,
                      size_t size)
{
    const ts_series *sr = &set->series[s];
    if (set->has_time)
        ts_time_format(set->freq, ts_time_add(set->freq, sr->start, origin + h), buf, size);
    else  /* the grid of a file without times counts rows */
        snprintf(buf, size, "%lld", (long long)ts_time_add(set->freq, sr->start, origin + h));
}

void ts_csv_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static long origin_of(const ts_forecast *f, const ts_series_set *set, const long *origin,
                      size_t i)
{
    return origin ? origin[i] : (long)set->series[f->series[i]].len;
}

int ts_forecast_write_csv(const char *path, const ts_forecast *f, const ts_series_set *set,
                          const long *origin, const double *q, int nq, ts_error *err)
{
    int rc = ts_forecast_check(f, set, err);
    if (rc) return rc;
    size_t cells = f->n * (size_t)f->horizon;
    float *mean = ts_xmalloc(cells * sizeof *mean);
    float *qv = ts_xmalloc(cells * (size_t)nq * sizeof *qv);
    ts_forecast_summary(f, q, nq, mean, qv);
    ts_atomic out = {0};
    rc = ts_atomic_open(&out, path, err);
    if (!rc) {
        fputs("series,timestamp,mean", out.f);
        for (int j = 0; j < nq; j++) fprintf(out.f, ",q%g", q[j]);
        fputc('\n', out.f);
        for (size_t i = 0; i < f->n; i++)
            for (int h = 0; h < f->horizon; h++) {
                char tb[40];
                size_t at = i * (size_t)f->horizon + (size_t)h;
                ts_forecast_time(set, f->series[i], origin_of(f, set, origin, i), h, tb, sizeof tb);
                ts_csv_field(out.f, set->series[f->series[i]].name);
                fprintf(out.f, ",%s,%.6g", tb, mean[at]);
                for (int j = 0; j < nq; j++) fprintf(out.f, ",%.6g", qv[at * (size_t)nq + (size_t)j]);
                fputc('\n', out.f);
            }
        rc = ts_atomic_commit(&out, err);
    }
    free(mean);
    free(qv);
    return rc;
}

int ts_forecast_write_samples(const char *path, const ts_forecast *f, const ts_series_set *set,
                              ts_error *err)
{
    ts_atomic out = {0};
    int rc = ts_forecast_check(f, set, err);
    if (!rc) rc = ts_atomic_open(&out, path, err);
    if (rc) return rc;
    fputs("series,step,sample,value\n", out.f);
    for (size_t i = 0; i < f->n; i++)
        for (int k = 0; k < f->samples; k++) {
            const float *v = f->values + (i * (size_t)f->samples + (size_t)k) * (size_t)f->horizon;
            for (int h = 0; h < f->horizon; h++) {
                ts_csv_field(out.f, set->series[f->series[i]].name);
                fprintf(out.f, ",%d,%d,%.6g\n", h + 1, k + 1, v[h]);
            }
        }
    return ts_atomic_commit(&out, err);
}

/* One panel's arrays; all owned here and freed by panel_free. */
typedef struct panel_data {
    char **times;        /* n_hist + n_fc strings */
    float *hist, *q, *truth;
    float *cov;          /* [n_cov][n_hist + n_fc] */
    const float **cov_rows;
} panel_data;

static void panel_free(panel_data *d, int nt)
{
    for (int i = 0; d->times && i < nt; i++) free(d->times[i]);
    free(d->times);
    free(d->hist);
    free(d->q);
    free(d->truth);
    free(d->cov);
    free(d->cov_rows);
}

/* The covariate rows' titles: the column, and a categorical one's levels by
 * number ("store (0 big, 1 small)", cut to a line). */
static char **covariate_names(const ts_series_set *set)
{
    char **names = ts_xcalloc((size_t)set->n_cov + 1, sizeof *names);
    for (int k = 0; k < set->n_cov; k++) {
        const ts_covariate *c = &set->cov[k];
        char buf[160];
        int at = snprintf(buf, sizeof buf, "%s", c->name);
        for (int l = 0; l < c->n_levels && at < (int)sizeof buf; l++)
            at += snprintf(buf + at, sizeof buf - (size_t)at, "%s%d %s", l ? ", " : " (", l,
                           c->levels[l]);
        if (c->n_levels && at < (int)sizeof buf) snprintf(buf + at, sizeof buf - (size_t)at, ")");
        names[k] = ts_xstrdup(buf);
    }
    return names;
}

/* Series sr's covariates over its points o - nh .. o + H - 1 (NaN past what
 * is known) into pd, and pn's covariate rows. */
static void panel_covariates(const ts_series_set *set, const ts_series *sr, long o, int nh,
                             int H, char **names, panel_data *pd, ts_plot_panel *pn)
{
    size_t n = (size_t)nh + (size_t)H;
    pd->cov = ts_xmalloc((size_t)set->n_cov * n * sizeof *pd->cov);
    pd->cov_rows = ts_xmalloc((size_t)set->n_cov * sizeof *pd->cov_rows);
    for (int k = 0; k < set->n_cov; k++) {
        float *row = pd->cov + (size_t)k * n;
        for (size_t i = 0; i < n; i++) {
            long j = o - nh + (long)i;
            row[i] = j >= 0 && (size_t)j < sr->cov_len ? sr->cov[(size_t)k * sr->cov_len + (size_t)j]
                                                       : NAN;
        }
        pd->cov_rows[k] = row;
    }
    pn->n_cov = set->n_cov;
    pn->cov_name = (const char *const *)names;
    pn->cov = pd->cov_rows;
}

int ts_forecast_plot(const char *path, const ts_forecast *f, const ts_series_set *set,
                     const long *origin, int n_hist, int with_cov, ts_error *err)
{
    static const double q7[7] = {0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95};
    int H = f->horizon, rc = ts_forecast_check(f, set, err);
    if (rc) return rc;
    size_t cells = f->n * (size_t)H;
    float *mean = ts_xmalloc(cells * sizeof *mean), *qv = ts_xmalloc(cells * 7 * sizeof *qv);
    ts_forecast_summary(f, q7, 7, mean, qv);
    ts_plot_panel *pn = ts_xcalloc(f->n, sizeof *pn);
    panel_data *pd = ts_xcalloc(f->n, sizeof *pd);
    int *nt = ts_xcalloc(f->n, sizeof *nt);
    char **names = with_cov ? covariate_names(set) : NULL;
    for (size_t i = 0; i < f->n; i++) {
        const ts_series *sr = &set->series[f->series[i]];
        long o = origin_of(f, set, origin, i);
        int nh = o < n_hist ? (int)o : n_hist;
        nt[i] = nh + H;
        pd[i].times = ts_xcalloc((size_t)nt[i], sizeof(char *));
        pd[i].hist = ts_xmalloc(((size_t)nh + 1) * sizeof(float));
        pd[i].q = ts_xmalloc(7 * (size_t)H * sizeof(float));
        for (int j = 0; j < nt[i]; j++) {
            char tb[40];
            ts_forecast_time(set, f->series[i], o, j - nh, tb, sizeof tb);
            pd[i].times[j] = ts_xstrdup(tb);
        }
        for (int j = 0; j < nh; j++) pd[i].hist[j] = sr->values[o - nh + j];
        for (int k = 0; k < 7; k++)
            for (int h = 0; h < H; h++)
                pd[i].q[k * H + h] = qv[(i * (size_t)H + (size_t)h) * 7 + (size_t)k];
        if (o < (long)sr->len) {
            pd[i].truth = ts_xmalloc((size_t)H * sizeof(float));
            for (int h = 0; h < H; h++)
                pd[i].truth[h] = o + h < (long)sr->len ? sr->values[o + h] : NAN;
        }
        pn[i] = (ts_plot_panel){.name = sr->name, .time_is_date = set->has_time, .n_hist = nh,
                                .hist_time = (const char **)pd[i].times, .hist = pd[i].hist,
                                .n_fc = H, .fc_time = (const char **)pd[i].times + nh,
                                .truth = pd[i].truth};
        for (int k = 0; k < 7; k++) pn[i].q[k] = pd[i].q + k * H;
        if (names) panel_covariates(set, sr, o, nh, H, names, &pd[i], &pn[i]);
    }
    rc = ts_plot_fan(path, pn, (int)f->n, err);
    for (int k = 0; names && k < set->n_cov; k++) free(names[k]);
    free(names);
    for (size_t i = 0; i < f->n; i++) panel_free(&pd[i], nt[i]);
    free(pd);
    free(pn);
    free(nt);
    free(mean);
    free(qv);
    return rc;
}
