/* freq.c - the time grid: stepping and formatting timestamps, naming and
 * parsing frequencies, their seasonal periods, and inferring the frequency
 * of a column of timestamps (business days and never-seen weekdays too). */
#include "data/series.h"
#include "data/timefmt.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Seconds per step; for business days the mean step (7/5 days), which
 * only the seasonal periods use: stepping counts business days. */
static const int64_t unit_seconds[] = {
    [TS_FREQ_SECOND] = 1, [TS_FREQ_MINUTE] = 60, [TS_FREQ_HOUR] = 3600,
    [TS_FREQ_DAY] = 86400, [TS_FREQ_WEEK] = 604800, [TS_FREQ_BDAY] = 120960,
};

#define MIN_SKIPS 4  /* a weekday skipped this often and never seen is not chance */

static int is_monthly(ts_freq_unit u)
{
    return u == TS_FREQ_MONTH || u == TS_FREQ_QUARTER || u == TS_FREQ_YEAR;
}

/* Months per step of a monthly-kind frequency. */
static int64_t step_months(ts_freq f)
{
    int64_t um = f.unit == TS_FREQ_YEAR ? 12 : f.unit == TS_FREQ_QUARTER ? 3 : 1;
    return um * (f.mult > 0 ? f.mult : 1);
}

static int64_t step_seconds(ts_freq f)
{
    return unit_seconds[f.unit] * (f.mult > 0 ? f.mult : 1);
}

/* Split t into a civil date and the second of the day. */
static void split(int64_t t, int64_t *y, int *m, int *d, int64_t *sod)
{
    ts_civil_from_days(ts_floor_div(t, TS_SECONDS_PER_DAY), y, m, d);
    *sod = ts_floor_mod(t, TS_SECONDS_PER_DAY);
}

/* Calendar step: the day of month is clamped to the target month, and the
 * last day of a month steps to the last day of the target month (so that
 * month-end series such as 2024-01-31, 2024-02-29, 2024-03-31 stay on it). */
static int64_t add_months(int64_t t, int64_t months)
{
    int64_t y, sod;
    int m, d;
    split(t, &y, &m, &d, &sod);
    int64_t total = y * 12 + (m - 1) + months;
    int64_t y2 = ts_floor_div(total, 12);
    int m2 = (int)ts_floor_mod(total, 12) + 1;
    int dim2 = ts_days_in_month(y2, m2);
    int d2 = (d == ts_days_in_month(y, m) || d > dim2) ? dim2 : d;
    return ts_days_from_civil(y2, m2, d2) * TS_SECONDS_PER_DAY + sod;
}

/* Step n business days from t, keeping the time of day. */
static int64_t add_bdays(int64_t t, int64_t n)
{
    return ts_bday_time(ts_bday_index(t) + n, ts_floor_mod(t, TS_SECONDS_PER_DAY));
}

int64_t ts_time_add(ts_freq f, int64_t t, long k)
{
    if (f.unit == TS_FREQ_NONE) return t + k;
    if (f.unit == TS_FREQ_BDAY) return add_bdays(t, (int64_t)k * (f.mult > 0 ? f.mult : 1));
    if (is_monthly(f.unit)) return add_months(t, (int64_t)k * step_months(f));
    return t + (int64_t)k * step_seconds(f);
}

static int64_t month_index(int64_t t)
{
    int64_t y, sod;
    int m, d;
    split(t, &y, &m, &d, &sod);
    return y * 12 + (m - 1);
}

int ts_time_steps(ts_freq f, int64_t origin, int64_t t, int64_t *k)
{
    if (f.unit == TS_FREQ_NONE) {
        *k = t - origin;
        return 0;
    }
    if (f.unit == TS_FREQ_BDAY) {  /* a weekend or another time of day is off the grid */
        int64_t m = f.mult > 0 ? f.mult : 1, n = ts_bday_index(t) - ts_bday_index(origin);
        if (n % m != 0 || add_bdays(origin, n) != t) return -1;
        *k = n / m;
        return 0;
    }
    if (!is_monthly(f.unit)) {
        int64_t step = step_seconds(f), diff = t - origin;
        if (diff % step != 0) return -1;
        *k = diff / step;
        return 0;
    }
    int64_t sm = step_months(f), md = month_index(t) - month_index(origin);
    if (md % sm != 0 || add_months(origin, md) != t) return -1;
    *k = md / sm;
    return 0;
}

char *ts_time_format(ts_freq f, int64_t t, char *buf, size_t size)
{
    int64_t y, sod;
    int m, d;
    if (f.unit == TS_FREQ_NONE) {
        snprintf(buf, size, "%lld", (long long)t);
        return buf;
    }
    split(t, &y, &m, &d, &sod);
    /* Daily and coarser grids print the date alone unless the points sit at
     * a time of day other than midnight. */
    if (f.unit >= TS_FREQ_DAY && sod == 0)
        snprintf(buf, size, "%04lld-%02d-%02d", (long long)y, m, d);
    else
        snprintf(buf, size, "%04lld-%02d-%02d %02d:%02d:%02d", (long long)y, m, d,
                 (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60));
    return buf;
}

/* Express a step of `seconds` in the largest unit that divides it. */
static int freq_from_seconds(int64_t seconds, ts_freq *out)
{
    static const ts_freq_unit units[] = {TS_FREQ_WEEK, TS_FREQ_DAY, TS_FREQ_HOUR,
                                         TS_FREQ_MINUTE, TS_FREQ_SECOND};
    if (seconds <= 0) return -1;
    for (int i = 0; i < 5; i++) {
        int64_t u = unit_seconds[units[i]];
        if (seconds % u == 0) {
            if (seconds / u > INT_MAX) return -1;
            *out = (ts_freq){units[i], (int)(seconds / u)};
            return 0;
        }
    }
    return -1;
}

static int freq_from_months(int64_t months, ts_freq *out)
{
    if (months <= 0 || months > INT_MAX) return -1;
    if (months % 12 == 0) *out = (ts_freq){TS_FREQ_YEAR, (int)(months / 12)};
    else if (months % 3 == 0) *out = (ts_freq){TS_FREQ_QUARTER, (int)(months / 3)};
    else *out = (ts_freq){TS_FREQ_MONTH, (int)months};
    return 0;
}

static int same_word(const char *a, const char *b)
{
    while (*a && tolower((unsigned char)*a) == tolower((unsigned char)*b)) a++, b++;
    return *a == '\0' && *b == '\0';
}

typedef struct {
    const char *word;
    ts_freq_unit unit;
    int exact_case;  /* 1: single letters whose case matters (M vs m) */
} freq_word;

static const freq_word freq_words[] = {
    {"s", TS_FREQ_SECOND, 0}, {"sec", TS_FREQ_SECOND, 0}, {"second", TS_FREQ_SECOND, 0},
    {"seconds", TS_FREQ_SECOND, 0}, {"secondly", TS_FREQ_SECOND, 0},
    {"T", TS_FREQ_MINUTE, 1}, {"min", TS_FREQ_MINUTE, 0}, {"minute", TS_FREQ_MINUTE, 0},
    {"minutes", TS_FREQ_MINUTE, 0}, {"minutely", TS_FREQ_MINUTE, 0},
    {"h", TS_FREQ_HOUR, 0}, {"hour", TS_FREQ_HOUR, 0}, {"hours", TS_FREQ_HOUR, 0},
    {"hourly", TS_FREQ_HOUR, 0},
    {"d", TS_FREQ_DAY, 0}, {"day", TS_FREQ_DAY, 0}, {"days", TS_FREQ_DAY, 0},
    {"daily", TS_FREQ_DAY, 0},
    {"b", TS_FREQ_BDAY, 0}, {"bday", TS_FREQ_BDAY, 0}, {"bdays", TS_FREQ_BDAY, 0},
    {"business", TS_FREQ_BDAY, 0},
    {"w", TS_FREQ_WEEK, 0}, {"week", TS_FREQ_WEEK, 0}, {"weeks", TS_FREQ_WEEK, 0},
    {"weekly", TS_FREQ_WEEK, 0},
    {"M", TS_FREQ_MONTH, 1}, {"MS", TS_FREQ_MONTH, 1}, {"ME", TS_FREQ_MONTH, 1},
    {"month", TS_FREQ_MONTH, 0}, {"months", TS_FREQ_MONTH, 0}, {"monthly", TS_FREQ_MONTH, 0},
    {"q", TS_FREQ_QUARTER, 0}, {"qs", TS_FREQ_QUARTER, 0}, {"qe", TS_FREQ_QUARTER, 0},
    {"quarter", TS_FREQ_QUARTER, 0}, {"quarters", TS_FREQ_QUARTER, 0},
    {"quarterly", TS_FREQ_QUARTER, 0},
    {"y", TS_FREQ_YEAR, 0}, {"a", TS_FREQ_YEAR, 0}, {"ys", TS_FREQ_YEAR, 0},
    {"ye", TS_FREQ_YEAR, 0}, {"year", TS_FREQ_YEAR, 0}, {"years", TS_FREQ_YEAR, 0},
    {"yearly", TS_FREQ_YEAR, 0}, {"annual", TS_FREQ_YEAR, 0}, {"annually", TS_FREQ_YEAR, 0},
};

/* mult units u, in the unit that fits best (see freq_from_*). */
static int freq_of(ts_freq_unit u, long mult, ts_freq *out)
{
    if (is_monthly(u)) return freq_from_months(mult * step_months((ts_freq){u, 1}), out);
    if (u != TS_FREQ_BDAY) return freq_from_seconds(mult * unit_seconds[u], out);
    *out = (ts_freq){u, (int)mult};
    return 0;
}

int ts_freq_parse(const char *s, ts_freq *out, ts_error *err)
{
    const char *p = s;
    long mult = 1;
    if (isdigit((unsigned char)*p)) {
        mult = 0;
        while (isdigit((unsigned char)*p) && mult <= 100000000) mult = mult * 10 + (*p++ - '0');
        if (*p == ' ') p++;
    }
    if (mult >= 1 && mult <= 100000000) {
        for (size_t i = 0; i < sizeof freq_words / sizeof freq_words[0]; i++) {
            const freq_word *w = &freq_words[i];
            if (w->exact_case ? strcmp(p, w->word) != 0 : !same_word(p, w->word)) continue;
            if (freq_of(w->unit, mult, out) == 0) return 0;
        }
    }
    return ts_fail(err, TS_EUSAGE,
                   "unknown frequency \"%s\" (try 15min, H, D, B, W, M, Q or Y; 'm' is ambiguous)",
                   s);
}

const char *ts_freq_name(ts_freq f, char *buf, size_t size)
{
    static const char *const single[] = {"none", "secondly", "minutely", "hourly", "daily",
                                         "weekly", "monthly", "quarterly", "yearly", "B"};
    static const char *const suffix[] = {"", "s", "min", "H", "D", "W", "M", "Q", "Y", "B"};
    if (f.unit == TS_FREQ_NONE || f.mult <= 1) snprintf(buf, size, "%s", single[f.unit]);
    else snprintf(buf, size, "%d%s", f.mult, suffix[f.unit]);
    return buf;
}

int ts_freq_periods(ts_freq f, double *periods, int max)
{
    static const double spans[] = {60, 3600, 86400, 604800, 365.25 * 86400};
    int n = 0;
    if (f.unit == TS_FREQ_NONE) return 0;
    if (is_monthly(f.unit)) {
        double p = 12.0 / (double)step_months(f);
        if (p > 1.0 + 1e-9 && n < max) periods[n++] = p;
        return n;
    }
    double step = (double)step_seconds(f);
    for (int i = 0; i < 5 && n < max; i++)
        if (spans[i] / step > 1.0 + 1e-9) periods[n++] = spans[i] / step;
    return n;
}

int ts_freq_season(ts_freq f)
{
    if (f.unit == TS_FREQ_NONE) return 1;
    if (is_monthly(f.unit)) {
        int64_t m = step_months(f);
        return (12 % m == 0 && m < 12) ? (int)(12 / m) : 1;
    }
    int64_t s = step_seconds(f);
    if (f.unit == TS_FREQ_SECOND) return (60 % s == 0 && s < 60) ? (int)(60 / s) : 1;
    if (s < 86400) return 86400 % s == 0 ? (int)(86400 / s) : 1;  /* a day */
    if (f.unit == TS_FREQ_DAY) return (7 % f.mult == 0 && f.mult < 7) ? 7 / f.mult : 1;
    if (f.unit == TS_FREQ_BDAY) return f.mult == 1 ? 5 : 1;  /* a trading week */
    if (f.unit == TS_FREQ_WEEK && f.mult == 1) return 52;
    return 1;
}

/* ---- frequency inference: a small open-addressing histogram ---- */

static void hist_add(int64_t **key, size_t **count, size_t *cap, size_t *used, int64_t k)
{
    if (2 * (*used + 1) > *cap) {  /* grow and rehash */
        size_t ncap = *cap ? 2 * *cap : 64;
        int64_t *nk = ts_xcalloc(ncap, sizeof *nk);
        size_t *nc = ts_xcalloc(ncap, sizeof *nc);
        for (size_t i = 0; i < *cap; i++) {
            if (!(*key)[i]) continue;
            size_t j = (size_t)((uint64_t)(*key)[i] * 0x9E3779B97F4A7C15ULL) & (ncap - 1);
            while (nk[j]) j = (j + 1) & (ncap - 1);
            nk[j] = (*key)[i];
            nc[j] = (*count)[i];
        }
        free(*key);
        free(*count);
        *key = nk;
        *count = nc;
        *cap = ncap;
    }
    size_t j = (size_t)((uint64_t)k * 0x9E3779B97F4A7C15ULL) & (*cap - 1);
    while ((*key)[j] && (*key)[j] != k) j = (j + 1) & (*cap - 1);
    if (!(*key)[j]) {
        (*key)[j] = k;
        (*used)++;
    }
    (*count)[j]++;
}

/* The most common key; ties go to the smallest. 0 if empty. */
static int64_t hist_mode(const int64_t *key, const size_t *count, size_t cap)
{
    int64_t best = 0;
    size_t bc = 0;
    for (size_t i = 0; i < cap; i++)
        if (key[i] && (count[i] > bc || (count[i] == bc && key[i] < best))) {
            best = key[i];
            bc = count[i];
        }
    return best;
}

void ts_freq_acc_init(ts_freq_acc *a) { memset(a, 0, sizeof *a); }

void ts_freq_acc_free(ts_freq_acc *a)
{
    free(a->key);
    free(a->count);
    free(a->mkey);
    free(a->mcount);
    memset(a, 0, sizeof *a);
}

/* Which weekdays the timestamps fall on, and which the gaps of whole days
 * up to a week skip over. */
static void note_days(ts_freq_acc *a, int64_t t_prev, int64_t d)
{
    a->days_seen |= 1u << ts_weekday(t_prev) | 1u << ts_weekday(t_prev + d);
    if (d % TS_SECONDS_PER_DAY || d > 7 * (int64_t)TS_SECONDS_PER_DAY) return;
    for (int64_t z = TS_SECONDS_PER_DAY; z < d; z += TS_SECONDS_PER_DAY)
        a->skipped[ts_weekday(t_prev + z)]++;
}

void ts_freq_acc_add(ts_freq_acc *a, int64_t t_prev, int64_t t_next)
{
    int64_t d = t_next - t_prev;
    if (d <= 0) return;
    note_days(a, t_prev, d);
    hist_add(&a->key, &a->count, &a->cap, &a->used, d);
    if (d < 28 * (int64_t)TS_SECONDS_PER_DAY) return;
    a->n_long++;
    int64_t md = month_index(t_next) - month_index(t_prev);
    if (md >= 1 && add_months(t_prev, md) == t_next) {
        a->n_cal++;
        hist_add(&a->mkey, &a->mcount, &a->mcap, &a->mused, md);
    }
}

/* Weekdays (bit w for weekday w, Monday 0) that no timestamp falls on,
 * though gaps skipped them at least MIN_SKIPS times each. */
static unsigned never_seen(const ts_freq_acc *a)
{
    unsigned out = 0;
    for (int w = 0; w < 7; w++)
        if (!(a->days_seen >> w & 1) && a->skipped[w] >= MIN_SKIPS) out |= 1u << w;
    return out;
}

unsigned ts_freq_acc_unseen_days(const ts_freq_acc *a, ts_freq f)
{
    if (f.mult != 1) return 0;
    if (f.unit == TS_FREQ_DAY) return never_seen(a);
    return f.unit == TS_FREQ_BDAY ? never_seen(a) & 0x1Fu : 0;
}

int ts_freq_acc_result(const ts_freq_acc *a, ts_freq *out)
{
    int64_t d = hist_mode(a->key, a->count, a->cap);
    if (d <= 0) return -1;
    /* Daily steps around weekends that are never there: business days. */
    if (d == TS_SECONDS_PER_DAY && (never_seen(a) & 0x60u) == 0x60u) {
        *out = (ts_freq){TS_FREQ_BDAY, 1};
        return 0;
    }
    /* Steps of a month or more that mostly land on calendar months: the
     * grid is monthly (months differ in length, so no fixed step fits). */
    if (d >= 28 * (int64_t)TS_SECONDS_PER_DAY && 2 * a->n_cal > a->n_long)
        return freq_from_months(hist_mode(a->mkey, a->mcount, a->mcap), out);
    return freq_from_seconds(d, out);
}
