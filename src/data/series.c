/* series.c - the series set's lifetime, views of its series and per-series
 * summaries. */
#include "data/series.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void ts_series_set_free(ts_series_set *set)
{
    if (!set) return;
    for (size_t i = 0; i < set->n; i++) {
        free(set->series[i].name);
        free(set->series[i].values);
        free(set->series[i].cov);
    }
    for (int k = 0; k < set->n_cov; k++) {
        free(set->cov[k].name);
        for (int l = 0; l < set->cov[k].n_levels; l++) free(set->cov[k].levels[l]);
        free(set->cov[k].levels);
    }
    free(set->cov);
    free(set->series);
    free(set->freqs);
    free(set->source);
    memset(set, 0, sizeof *set);
}

ts_series_view ts_series_view_at(const ts_series_set *set, size_t s, double level)
{
    TS_CHECK(s < set->n);
    const ts_series *sr = &set->series[s];
    return (ts_series_view){.values = sr->values, .len = (long)sr->len, .start = sr->start,
                            .level = level, .freq = ts_series_freq(set, s),
                            .has_time = set->has_time};
}

ts_freq ts_series_freq(const ts_series_set *set, size_t s)
{
    return set->freqs ? set->freqs[s] : set->freq;
}

ts_series_view ts_series_view_slice(const ts_series_view *v, long from, long to)
{
    TS_CHECK(0 <= from && from <= to && to <= v->len && v->freq.mult >= 1);
    ts_series_view out = *v;
    out.values = v->values + from;
    out.len = to - from;
    out.cov_first = v->cov_first + from;   /* the same covariate points */
    out.start = v->has_time ? ts_time_add(v->freq, v->start, from) : v->start + from;
    return out;
}

int ts_series_stats_of(const ts_series *s, ts_series_stats *st)
{
    double sum = 0;
    st->n_obs = st->n_missing = 0;
    st->min = st->mean = st->max = NAN;
    for (size_t j = 0; j < s->len; j++) {
        double v = s->values[j];
        if (isnan(v)) {
            st->n_missing++;
            continue;
        }
        if (st->n_obs == 0 || v < st->min) st->min = v;
        if (st->n_obs == 0 || v > st->max) st->max = v;
        sum += v;
        st->n_obs++;
    }
    if (st->n_obs == 0) return -1;
    st->mean = sum / (double)st->n_obs;
    return 0;
}
