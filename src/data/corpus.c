/* corpus.c - pretraining corpora of several frequencies (corpus.h). */
#define _DEFAULT_SOURCE 1   /* DT_ types are not needed; scandir */
#include "data/corpus.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/synth.h"

void ts_corpus_append(ts_series_set *dst, ts_series_set *src)
{
    size_t n = dst->n + src->n;
    if (dst->n == 0) {
        dst->freq = src->freq;
        dst->has_time = src->has_time;
    }
    TS_CHECK(dst->has_time == src->has_time);
    dst->series = ts_xrealloc(dst->series, (n + 1) * sizeof *dst->series);
    dst->freqs = ts_xrealloc(dst->freqs, (n + 1) * sizeof *dst->freqs);
    for (size_t i = dst->n; i < n; i++) {
        size_t k = i - dst->n;
        dst->series[i] = src->series[k];
        dst->freqs[i] = ts_series_freq(src, k);
    }
    dst->n = n;
    free(src->series);
    src->series = NULL;
    src->n = 0;
    ts_series_set_free(src);
}

int ts_corpus_synth(const ts_freq *freqs, int nf, size_t n, size_t min_len, size_t max_len,
                    uint64_t seed, ts_series_set *out, ts_error *err)
{
    memset(out, 0, sizeof *out);
    for (int k = 0; k < nf; k++) {
        ts_synth_config c = {.freq = freqs[k], .n = n, .first = (size_t)k * n,
                             .min_len = min_len, .max_len = max_len, .seed = seed};
        ts_series_set part = {0};
        int rc = ts_synth_set(&c, &part, err);
        if (rc) {
            ts_series_set_free(out);
            return rc;
        }
        ts_corpus_append(out, &part);
    }
    out->source = ts_xstrdup("synthetic");
    return 0;
}

static int csv_name(const struct dirent *d)
{
    size_t n = strlen(d->d_name);
    return d->d_name[0] != '.' && n > 4 && !strcmp(d->d_name + n - 4, ".csv");
}

int ts_corpus_dir(const char *dir, const ts_csv_opts *csv, ts_series_set *out, ts_error *err)
{
    struct dirent **names = NULL;
    memset(out, 0, sizeof *out);
    int n = scandir(dir, &names, csv_name, alphasort), rc = 0;
    if (n < 0) return ts_fail(err, TS_ENOINPUT, "%s: cannot read the folder", dir);
    if (n == 0) rc = ts_fail(err, TS_EDATA, "%s: no .csv file in the folder", dir);
    for (int i = 0; i < n; i++) {
        ts_series_set part = {0};
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
        if (!rc) rc = ts_csv_read(path, csv, &part, err);
        if (!rc && out->n && part.has_time != out->has_time)
            rc = ts_fail(err, TS_EDATA, "%s: %s a time column and earlier files %s", path,
                         part.has_time ? "has" : "has no", out->has_time ? "have" : "do not");
        if (!rc) ts_corpus_append(out, &part);
        ts_series_set_free(&part);
        free(names[i]);
    }
    free(names);
    if (rc) ts_series_set_free(out);
    else out->source = ts_xstrdup(dir);
    return rc;
}
