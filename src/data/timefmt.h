/* timefmt.h - calendar arithmetic and timestamp parsing for the CSV reader.
 *
 * Timestamps are int64 seconds since 1970-01-01 00:00:00 UTC, proleptic
 * Gregorian calendar, years 0..9999. No libc time functions are used (no
 * timegm, no locale, no TZ): the day count comes from our own civil-date
 * arithmetic, so results are the same on every machine.
 *
 * Accepted text forms (ts_time_sniff tells which one a field has):
 *   ISO        2024-03-01, 2024-03, 2024/03/01, 2024-03-01 13:45,
 *              2024-03-01T13:45:10, with optional ".000" (zero fractions
 *              only), and an optional zone: Z, +HH:MM, +HHMM, +HH (converted
 *              to UTC)
 *   YEAR       2024 (exactly four digits): January 1 of that year
 *   YYYYMMDD   20240301 (exactly eight digits, a valid date)
 *   EPOCH      any other integer: Unix seconds
 * Integer forms are only taken where the caller allows them (a column the
 * user named as the time column, or one whose header says it holds time).
 */
#ifndef TS_TIMEFMT_H
#define TS_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

#include "data/series.h"

typedef enum {
    TS_TFORM_NONE = 0,
    TS_TFORM_ISO,
    TS_TFORM_YEAR,
    TS_TFORM_YYYYMMDD,
    TS_TFORM_EPOCH,
} ts_time_form;

#define TS_SECONDS_PER_DAY 86400

/* Days since 1970-01-01 of the civil date y-m-d (m 1..12, d 1..31). */
int64_t ts_days_from_civil(int64_t y, int m, int d);
/* The civil date of day z (days since 1970-01-01). */
void ts_civil_from_days(int64_t z, int64_t *y, int *m, int *d);
int ts_days_in_month(int64_t y, int m);

/* Day of the week of timestamp t: 0 Monday .. 6 Sunday. */
int ts_weekday(int64_t t);
/* Business days (Monday to Friday) from Monday 1970-01-05 to the day of t;
 * a Saturday or Sunday counts as the Friday before. */
int64_t ts_bday_index(int64_t t);
/* The timestamp of business day i (as counted by ts_bday_index) at second
 * sod of the day. */
int64_t ts_bday_time(int64_t i, int64_t sod);

/* Floor division and modulo for negative timestamps. */
int64_t ts_floor_div(int64_t a, int64_t b);
int64_t ts_floor_mod(int64_t a, int64_t b);

/* Which form the NUL-terminated text s has: an ISO form always; integer
 * forms only if allow_int. TS_TFORM_NONE if it is not a timestamp. */
ts_time_form ts_time_sniff(const char *s, int allow_int);

/* Parse s, which must have the given form, into *t. Returns 0, or -1 if s
 * is not a valid timestamp of that form (or lies outside years 0..9999). */
int ts_time_parse(const char *s, ts_time_form form, int64_t *t);

/* Frequency inference: the most common positive step between consecutive
 * timestamps of the same series, with calendar months recognised (steps of
 * 28..31 days that land on the same day of month, or month ends), and
 * business days (B) when that step is one day, no timestamp falls on a
 * Saturday or a Sunday, and the gaps between consecutive timestamps skip
 * each of the two at least 4 times (four weekends: not chance). Feed every
 * consecutive pair of distinct sorted timestamps of every series with add. */
typedef struct ts_freq_acc {
    int64_t *key;       /* step in seconds (or months in mkey), 0 = empty */
    size_t *count;
    size_t cap, used;
    int64_t *mkey;      /* calendar-month steps */
    size_t *mcount;
    size_t mcap, mused;
    size_t n_long;      /* pairs at least 28 days apart */
    size_t n_cal;       /* of those, exact calendar-month steps */
    unsigned days_seen; /* bit w: a timestamp falls on weekday w (0 Monday) */
    size_t skipped[7];  /* days of each weekday inside gaps of at most a week */
} ts_freq_acc;

void ts_freq_acc_init(ts_freq_acc *a);
void ts_freq_acc_add(ts_freq_acc *a, int64_t t_prev, int64_t t_next);
/* Returns 0 and sets *out, or -1 if no pair was added or the step does not
 * fit a frequency. */
int ts_freq_acc_result(const ts_freq_acc *a, ts_freq *out);
void ts_freq_acc_free(ts_freq_acc *a);
/* On a daily or business-day grid f (multiple 1): the weekdays of the grid
 * (bit w for weekday w, Monday 0) that no timestamp falls on although the
 * gaps skipped each at least 4 times, so a forecast would have steps at
 * days the data never has. 0 for other grids or when there is none. */
unsigned ts_freq_acc_unseen_days(const ts_freq_acc *a, ts_freq f);

/* How many steps of f lead from origin to t: sets *k and returns 0 if t is
 * exactly ts_time_add(f, origin, *k), -1 if t is off that grid. For
 * TS_FREQ_NONE steps are 1 apart. */
int ts_time_steps(ts_freq f, int64_t origin, int64_t t, int64_t *k);

#endif
