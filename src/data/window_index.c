/* window_index.c - which windows training draws from, and the default
 * context. Rules: window.h. */
#include "data/window.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Observed future points a training window needs: ceil(H / 4), at least 1. */
static long min_future(int horizon) { return (horizon + 3) / 4; }

static void add_run(ts_window_index *ix, size_t *cap, size_t s, long origin)
{
    if (ix->n_runs == *cap) {
        *cap = *cap ? 2 * *cap : 64;
        ix->series = ts_xrealloc(ix->series, *cap * sizeof *ix->series);
        ix->origin = ts_xrealloc(ix->origin, *cap * sizeof *ix->origin);
        ix->first = ts_xrealloc(ix->first, (*cap + 1) * sizeof *ix->first);
    }
    ix->series[ix->n_runs] = (uint32_t)s;
    ix->origin[ix->n_runs] = (int32_t)origin;
    ix->first[ix->n_runs] = ix->n;
    ix->n_runs++;
}

/* Append the windows of series s; cnt[len + 1] is scratch. */
static void index_series(ts_window_index *ix, size_t *cap, const ts_window_spec *w,
                         const ts_series *sr, size_t s, int holdout, size_t *cnt)
{
    const long len = (long)sr->len, C = w->context, H = w->horizon;
    cnt[0] = 0;
    for (long j = 0; j < len; j++) cnt[j + 1] = cnt[j] + !isnan(sr->values[j]);
    long prev = -2;  /* last valid origin */
    for (long o = 1; o + H <= len - holdout; o++) {
        size_t ctx = cnt[o] - cnt[o - C < 0 ? 0 : o - C];
        size_t fut = cnt[o + H] - cnt[o];
        if (ctx < 1 || (long)fut < min_future(w->horizon)) continue;
        if (o != prev + 1) add_run(ix, cap, s, o);
        ix->n++;
        prev = o;
    }
}

int ts_window_index_build(ts_window_index *ix, const ts_window_spec *w,
                          const ts_series_set *set, int holdout, ts_error *err)
{
    memset(ix, 0, sizeof *ix);
    TS_CHECK(holdout >= 0);
    size_t longest = 0;
    for (size_t s = 0; s < set->n; s++)
        if (set->series[s].len > longest) longest = set->series[s].len;
    if (set->n > UINT32_MAX || longest > INT32_MAX)
        return ts_fail(err, TS_EDATA, "too much data: %zu series, the longest %zu points",
                       set->n, longest);
    /* A universal network reads short histories padded (as it forecasts
     * them): one point of context is enough. */
    long ctx = w->universal ? 1 : w->context, need = ctx + w->horizon + holdout;
    if ((long)longest < need)
        return ts_fail(err, TS_EDATA,
                       "too little data: no series has %ld points (context %ld + horizon %d + "
                       "%d held out for validation); the longest has %zu: use a shorter "
                       "context or horizon", need, ctx, w->horizon, holdout, longest);

    size_t cap = 0, *cnt = ts_xmalloc((longest + 1) * sizeof *cnt);
    for (size_t s = 0; s < set->n; s++)
        index_series(ix, &cap, w, &set->series[s], s, holdout, cnt);
    free(cnt);
    if (ix->n == 0) {
        ts_window_index_free(ix);
        return ts_fail(err, TS_EDATA,
                       "too little data: no training window has an observed context and "
                       "%ld observed future points", min_future(w->horizon));
    }
    ix->first[ix->n_runs] = ix->n;
    return 0;
}

void ts_window_index_free(ts_window_index *ix)
{
    free(ix->series);
    free(ix->origin);
    free(ix->first);
    memset(ix, 0, sizeof *ix);
}

void ts_window_at(const ts_window_index *ix, size_t i, size_t *series, long *origin)
{
    TS_CHECK(i < ix->n);
    size_t lo = 0, hi = ix->n_runs;  /* the run r with first[r] <= i < first[r + 1] */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (ix->first[mid] <= i) lo = mid; else hi = mid;
    }
    *series = ix->series[lo];
    *origin = ix->origin[lo] + (long)(i - ix->first[lo]);
}

void ts_window_pick(const ts_window_index *ix, double u, size_t *series, long *origin)
{
    double x = floor(u * (double)ix->n);
    size_t i = x <= 0 ? 0 : (size_t)x;
    if (i >= ix->n) i = ix->n - 1;
    ts_window_at(ix, i, series, origin);
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

/* Points from the first to the last observed value of sr (0 if none). */
static long observed_span(const ts_series *sr)
{
    long first = -1, last = -1;
    for (long j = 0; j < (long)sr->len; j++)
        if (!isnan(sr->values[j])) { if (first < 0) first = j; last = j; }
    return first < 0 ? 0 : last - first + 1;
}

int ts_window_default_context(const ts_series_set *set, int horizon)
{
    long H = horizon > 0 ? horizon : 1;
    long m = set->freq.unit == TS_FREQ_NONE ? 1 : ts_freq_season(set->freq);
    if (m < 1) m = 1;
    long want = 8 * H;
    if (want < 3 * m) want = 3 * m;
    if (want < 16) want = 16;
    if (set->n == 0) return (int)(want > INT32_MAX ? INT32_MAX : want);

    long *span = ts_xmalloc(set->n * sizeof *span);
    for (size_t s = 0; s < set->n; s++) span[s] = observed_span(&set->series[s]);
    qsort(span, set->n, sizeof *span, cmp_long);
    long avail = span[(set->n - 1) / 2] - 2 * H;  /* the lower median */
    if (avail < H) avail = span[set->n - 1] - 2 * H;
    free(span);

    long c = want < avail ? want : avail;
    if (c < 1) c = 1;
    return c > INT32_MAX ? INT32_MAX : (int)c;
}
