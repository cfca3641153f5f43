/* timefmt.c - civil-date arithmetic and timestamp parsing (see timefmt.h). */
#include "data/timefmt.h"

#include <string.h>

/* The day-count formulas follow the well-known era decomposition of the
 * proleptic Gregorian calendar: 400-year eras of 146097 days, years counted
 * from March so that the leap day falls at the end. */
int64_t ts_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;                                 /* 0..399 */
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* 0..365 */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;         /* 0..146096 */
    return era * 146097 + doe - 719468;
}

void ts_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

int ts_days_in_month(int64_t y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2) return (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28;
    return dim[m - 1];
}

int64_t ts_floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* Without the product floor_div(a, b) * b, which overflows for a near
 * INT64_MIN (a timestamp from a damaged model file: tests/fuzz). */
int64_t ts_floor_mod(int64_t a, int64_t b)
{
    int64_t r = a % b;
    return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
}

#define MONDAY_DAY 4  /* 1970-01-05, a Monday, in days since the epoch */

int ts_weekday(int64_t t)
{
    return (int)ts_floor_mod(ts_floor_div(t, TS_SECONDS_PER_DAY) - MONDAY_DAY, 7);
}

int64_t ts_bday_index(int64_t t)
{
    int64_t z = ts_floor_div(t, TS_SECONDS_PER_DAY) - MONDAY_DAY;
    int64_t dow = ts_floor_mod(z, 7);
    return 5 * ts_floor_div(z, 7) + (dow < 4 ? dow : 4);
}

int64_t ts_bday_time(int64_t i, int64_t sod)
{
    int64_t z = MONDAY_DAY + 7 * ts_floor_div(i, 5) + ts_floor_mod(i, 5);
    return z * TS_SECONDS_PER_DAY + sod;
}

/* Read between min and max digits at *p into *v; advance *p. */
static int digits(const char **p, int min, int max, int *v)
{
    int n = 0, x = 0;
    while (n < max && (*p)[n] >= '0' && (*p)[n] <= '9') x = x * 10 + ((*p)[n++] - '0');
    if (n < min) return -1;
    *p += n;
    *v = x;
    return 0;
}

#define MIN_TIME (-62167219200LL)  /* 0000-01-01 00:00:00 */
#define MAX_TIME (253402300799LL)  /* 9999-12-31 23:59:59 */

static int civil_ok(int y, int mo, int d)
{
    return y >= 0 && y <= 9999 && mo >= 1 && mo <= 12 && d >= 1 && d <= ts_days_in_month(y, mo);
}

/* Zone suffix: Z, +HH, +HHMM, +HH:MM (or -). Sets *off in seconds. */
static int zone(const char *p, int64_t *off)
{
    int zh, zm = 0, sign;
    *off = 0;
    if (*p == '\0') return 0;
    if (*p == 'Z' || *p == 'z') return p[1] == '\0' ? 0 : -1;
    if (*p != '+' && *p != '-') return -1;
    sign = *p++ == '-' ? -1 : 1;
    if (digits(&p, 2, 2, &zh)) return -1;
    if (*p == ':') p++;
    if (*p && digits(&p, 2, 2, &zm)) return -1;
    if (*p || zh > 23 || zm > 59) return -1;
    *off = sign * (int64_t)(zh * 3600 + zm * 60);
    return 0;
}

static int parse_iso(const char *s, int64_t *t)
{
    const char *p = s;
    int y, mo, d = 1, h = 0, mi = 0, sec = 0;
    char sep;
    int64_t off = 0;
    if (digits(&p, 4, 4, &y)) return -1;
    sep = *p;
    if (sep != '-' && sep != '/') return -1;
    p++;
    if (digits(&p, 1, 2, &mo)) return -1;
    if (*p == sep) {
        p++;
        if (digits(&p, 1, 2, &d)) return -1;
        if (*p == 'T' || *p == 't' || *p == ' ') {
            p++;
            if (digits(&p, 1, 2, &h) || *p++ != ':' || digits(&p, 2, 2, &mi)) return -1;
            if (*p == ':') {
                p++;
                if (digits(&p, 2, 2, &sec)) return -1;
                if (*p == '.' || *p == ',') {  /* fractions must be zero */
                    p++;
                    if (*p < '0' || *p > '9') return -1;
                    while (*p == '0') p++;
                    if (*p >= '0' && *p <= '9') return -1;
                }
            }
            if (zone(p, &off)) return -1;
        } else if (*p) {
            return -1;
        }
    } else if (*p) {
        return -1;
    }
    if (!civil_ok(y, mo, d) || h > 23 || mi > 59 || sec > 59) return -1;
    *t = ts_days_from_civil(y, mo, d) * TS_SECONDS_PER_DAY + h * 3600 + mi * 60 + sec - off;
    return (*t < MIN_TIME || *t > MAX_TIME) ? -1 : 0;
}

/* [+-]digits: the number of digits, 0 if s is not an integer. */
static size_t int_digits(const char *s, int *signed_)
{
    size_t n = 0;
    *signed_ = (*s == '+' || *s == '-');
    s += *signed_;
    while (s[n] >= '0' && s[n] <= '9') n++;
    return s[n] == '\0' ? n : 0;
}

int ts_time_parse(const char *s, ts_time_form form, int64_t *t)
{
    int sg, y, mo, d;
    size_t nd;
    const char *p = s;
    switch (form) {
    case TS_TFORM_ISO:
        return parse_iso(s, t);
    case TS_TFORM_YEAR:
        if (int_digits(s, &sg) != 4 || sg || digits(&p, 4, 4, &y)) return -1;
        *t = ts_days_from_civil(y, 1, 1) * TS_SECONDS_PER_DAY;
        return 0;
    case TS_TFORM_YYYYMMDD:
        if (int_digits(s, &sg) != 8 || sg) return -1;
        if (digits(&p, 4, 4, &y) || digits(&p, 2, 2, &mo) || digits(&p, 2, 2, &d)) return -1;
        if (!civil_ok(y, mo, d)) return -1;
        *t = ts_days_from_civil(y, mo, d) * TS_SECONDS_PER_DAY;
        return 0;
    case TS_TFORM_EPOCH: {
        nd = int_digits(s, &sg);
        if (nd == 0 || nd > 13) return -1;
        int64_t v = 0;
        for (p = s + sg; *p; p++) v = v * 10 + (*p - '0');
        if (*s == '-') v = -v;
        if (v < MIN_TIME || v > MAX_TIME) return -1;
        *t = v;
        return 0;
    }
    case TS_TFORM_NONE:
        break;
    }
    return -1;
}

ts_time_form ts_time_sniff(const char *s, int allow_int)
{
    int64_t t;
    int sg;
    if (parse_iso(s, &t) == 0) return TS_TFORM_ISO;
    if (!allow_int) return TS_TFORM_NONE;
    size_t nd = int_digits(s, &sg);
    if (nd == 0) return TS_TFORM_NONE;
    if (!sg && nd == 4) return TS_TFORM_YEAR;
    if (!sg && nd == 8 && ts_time_parse(s, TS_TFORM_YYYYMMDD, &t) == 0) return TS_TFORM_YYYYMMDD;
    return ts_time_parse(s, TS_TFORM_EPOCH, &t) == 0 ? TS_TFORM_EPOCH : TS_TFORM_NONE;
}
