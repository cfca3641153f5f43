/* synth.c - the synthetic corpus as a series set: the config, lengths,
 * the calendar (start dates on one grid), names, missing stretches, and the
 * component names of --kind. The series themselves: synth_family.c. */
#include "data/synth.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/detmath.h"
#include "data/synth_parts.h"
#include "data/timefmt.h"

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

#define MAX_PERIODS 8
#define FIRST_YEAR 2000      /* the anchor's year */
#define EARLIEST_YEAR 10     /* no series starts before (the grid allows 0) */
#define LATEST_YEAR 9990     /* ... or ends after */
#define MISSING_SHARE 0.15   /* series with missing stretches */

static const struct { const char *name; unsigned bit; } kind_names[] = {
    {"trend", TS_SYNTH_TREND},         {"season", TS_SYNTH_SEASON},
    {"noise", TS_SYNTH_NOISE},         {"shift", TS_SYNTH_SHIFT},
    {"outlier", TS_SYNTH_OUTLIER},     {"intermittent", TS_SYNTH_INTERMITTENT},
    {"missing", TS_SYNTH_MISSING},     {"gp", TS_SYNTH_GP},
    {"mixup", TS_SYNTH_MIXUP},         {"all", TS_SYNTH_ALL},
};

int ts_synth_kinds_parse(const char *list, unsigned *kinds, ts_error *err)
{
    *kinds = 0;
    for (const char *p = list;; p++) {
        size_t len = strcspn(p, ","), i, n = sizeof kind_names / sizeof kind_names[0];
        for (i = 0; i < n; i++)
            if (strlen(kind_names[i].name) == len && !strncmp(p, kind_names[i].name, len)) break;
        if (i == n)
            return ts_fail(err, TS_EUSAGE,
                           "unknown component \"%.*s\" (trend, season, noise, shift, outlier, "
                           "intermittent, missing, gp, mixup or all)", (int)len, p);
        *kinds |= kind_names[i].bit;
        p += len;
        if (!*p) return 0;
    }
}

/* Steps of f in a year (365.2425 days). */
static double steps_per_year(ts_freq f)
{
    static const double per_unit[] = {
        [TS_FREQ_SECOND] = 31556952.0, [TS_FREQ_MINUTE] = 525949.2, [TS_FREQ_HOUR] = 8765.82,
        [TS_FREQ_DAY] = 365.2425,      [TS_FREQ_WEEK] = 52.1775,    [TS_FREQ_MONTH] = 12,
        [TS_FREQ_QUARTER] = 4,         [TS_FREQ_YEAR] = 1,          [TS_FREQ_BDAY] = 260.8875,
    };
    return per_unit[f.unit] / f.mult;
}

/* The grid's anchor: 2000-01-01 for months and coarser, else Monday
 * 2000-01-03 at midnight (so days start at hour 0 and weeks on Mondays). */
static int64_t anchor(ts_freq f)
{
    int monthly = f.unit == TS_FREQ_MONTH || f.unit == TS_FREQ_QUARTER || f.unit == TS_FREQ_YEAR;
    return ts_days_from_civil(FIRST_YEAR, 1, monthly ? 1 : 3) * TS_SECONDS_PER_DAY;
}

static int check_config(const ts_synth_config *c, unsigned kinds, ts_error *err)
{
    if (c->freq.unit <= TS_FREQ_NONE || c->freq.unit > TS_FREQ_BDAY || c->freq.mult < 1)
        return ts_fail(err, TS_EUSAGE, "synthetic series need a frequency");
    if (c->min_len < 2 || c->min_len > c->max_len)
        return ts_fail(err, TS_EUSAGE, "lengths %zu to %zu: need 2 <= MIN <= MAX", c->min_len,
                       c->max_len);
    double span = (LATEST_YEAR - EARLIEST_YEAR) * steps_per_year(c->freq);
    char fb[32];
    if ((double)c->max_len > span)
        return ts_fail(err, TS_EUSAGE, "length %zu: %s series that long leave the years 10 to 9990",
                       c->max_len, ts_freq_name(c->freq, fb, sizeof fb));
    if (kinds & ~(unsigned)TS_SYNTH_ALL || !ts_synth_families(kinds))
        return ts_fail(err, TS_EUSAGE, "the components leave nothing to generate (missing "
                       "stretches need a trend, season, noise, shift, outlier, intermittent, "
                       "gp or mixup)");
    if (c->first > SIZE_MAX / 4 || c->n > SIZE_MAX / 4 - c->first)
        return ts_fail(err, TS_EUSAGE, "too many series: %zu", c->n);
    return 0;
}

/* A length, log-uniform in [min, max]. */
static size_t draw_length(ts_synth_rng *r, size_t lo, size_t hi)
{
    double len = floor(ts_synth_log_range(r, (double)lo, (double)hi + 1));
    return len < (double)lo ? lo : len > (double)hi ? hi : (size_t)len;
}

/* Steps from the anchor to point 0: the series ends between 2010 and 2025,
 * or as late as it must to start after EARLIEST_YEAR. */
static long draw_phase0(ts_synth_rng *r, ts_freq f, size_t len)
{
    double spy = steps_per_year(f);
    long end = (long)floor(ts_synth_range(r, 10, 25) * spy);
    long first = (long)ceil((EARLIEST_YEAR - FIRST_YEAR) * spy), start = end - (long)len + 1;
    return start < first ? first : start;
}

/* Series `index` of the config into *out. */
static void one_series(const ts_synth_config *c, unsigned kinds, const double *periods,
                       int n_periods, size_t index, ts_series *out)
{
    ts_synth_rng r;
    ts_synth_rng_init(&r, c->seed, (uint64_t)index << 2);
    size_t n = draw_length(&r, c->min_len, c->max_len);
    long phase0 = draw_phase0(&r, c->freq, n);
    ts_synth_job job = {n, phase0, kinds, periods, n_periods, c->seed, index};
    double *y = ts_xmalloc(n * sizeof *y);
    char what[100] = "";
    ts_synth_compose(&r, &job, y, what, sizeof what);
    if ((kinds & TS_SYNTH_MISSING) && ts_synth_bernoulli(&r, MISSING_SHARE)) {
        ts_missing_add(&r, n, 3, n / 20 > 1 ? n / 20 : 1, y);
        strncat(what, "+missing", sizeof what - strlen(what) - 1);
    }
    char name[128];
    snprintf(name, sizeof name, "s%zu-%s", index, what);
    out->name = ts_xstrdup(name);
    out->start = ts_time_add(c->freq, anchor(c->freq), phase0);
    out->len = n;
    out->values = ts_xmalloc(n * sizeof *out->values);
    for (size_t j = 0; j < n; j++) {
        TS_CHECK(isnan(y[j]) || fabs(y[j]) < 1e30);
        out->values[j] = (float)y[j];
    }
    free(y);
}

int ts_synth_check(const ts_synth_config *cfg, ts_error *err)
{
    return check_config(cfg, cfg->kinds ? cfg->kinds : TS_SYNTH_ALL, err);
}

int ts_synth_set(const ts_synth_config *cfg, ts_series_set *out, ts_error *err)
{
    unsigned kinds = cfg->kinds ? cfg->kinds : TS_SYNTH_ALL;
    memset(out, 0, sizeof *out);
    int rc = check_config(cfg, kinds, err);
    if (rc) return rc;
    double periods[MAX_PERIODS];
    int n_periods = ts_freq_periods(cfg->freq, periods, MAX_PERIODS);
    out->series = ts_xcalloc(cfg->n ? cfg->n : 1, sizeof *out->series);
    out->n = cfg->n;
    out->freq = cfg->freq;
    out->has_time = 1;
    /* Each series draws from its own stream: any thread order gives the
     * same set. */
    long n = (long)cfg->n;
#pragma omp parallel for schedule(dynamic, 4)
    for (long i = 0; i < n; i++)
        one_series(cfg, kinds, periods, n_periods, cfg->first + (size_t)i, &out->series[i]);
    return 0;
}
