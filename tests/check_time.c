/* check_time.c - calendar arithmetic, timestamp parsing, the time grid
 * (stepping, formatting, grid membership), frequency names, seasonal
 * periods, frequency inference, and per-series summaries. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "data/series.h"
#include "data/timefmt.h"
#include "testutil.h"

static const ts_freq F_NONE = {TS_FREQ_NONE, 1}, F_DAY = {TS_FREQ_DAY, 1},
                     F_HOUR = {TS_FREQ_HOUR, 1}, F_MONTH = {TS_FREQ_MONTH, 1},
                     F_QUARTER = {TS_FREQ_QUARTER, 1}, F_YEAR = {TS_FREQ_YEAR, 1},
                     F_BDAY = {TS_FREQ_BDAY, 1};

/* A timestamp from ISO text (the test fails if it does not parse). */
static int64_t T(const char *iso)
{
    int64_t t = 0;
    ck_assert_msg(ts_time_parse(iso, TS_TFORM_ISO, &t) == 0, "cannot parse %s", iso);
    return t;
}

START_TEST(test_civil_known_days)
{
    ck_assert_int_eq(ts_days_from_civil(1970, 1, 1), 0);
    ck_assert_int_eq(ts_days_from_civil(1969, 12, 31), -1);
    ck_assert_int_eq(ts_days_from_civil(2000, 3, 1), 11017);
    ck_assert_int_eq(ts_days_from_civil(2024, 2, 29), 19782);
    ck_assert_int_eq(ts_days_from_civil(0, 1, 1), -719528);
    ck_assert_int_eq(ts_days_from_civil(9999, 12, 31), 2932896);
    ck_assert_int_eq(ts_days_in_month(2024, 2), 29);
    ck_assert_int_eq(ts_days_in_month(1900, 2), 28);
    ck_assert_int_eq(ts_days_in_month(2000, 2), 29);
    ck_assert_int_eq(ts_days_in_month(2023, 4), 30);
}
END_TEST

START_TEST(test_civil_round_trip)
{
    /* Every day from year 0 to 9999: the date comes back, and consecutive
     * days are consecutive dates. */
    int64_t py = 0;
    int pm = 0, pd = 0;
    for (int64_t z = -719528; z <= 2932896; z++) {
        int64_t y;
        int m, d;
        ts_civil_from_days(z, &y, &m, &d);
        if (m < 1 || m > 12 || d < 1 || d > ts_days_in_month(y, m))
            ck_abort_msg("day %lld: bad date %lld-%d-%d", (long long)z, (long long)y, m, d);
        if (ts_days_from_civil(y, m, d) != z) ck_abort_msg("day %lld does not round-trip", (long long)z);
        if (z > -719528 && !(d == pd + 1 || (d == 1 && (m == pm + 1 || (m == 1 && y == py + 1)))))
            ck_abort_msg("day %lld is not the day after the one before", (long long)z);
        py = y, pm = m, pd = d;
    }
    ck_assert_int_eq(ts_floor_div(-1, 86400), -1);
    ck_assert_int_eq(ts_floor_mod(-1, 86400), 86399);
    ck_assert_int_eq(ts_floor_div(86400, 86400), 1);
}
END_TEST

START_TEST(test_parse_iso_forms)
{
    const int64_t d = 19783LL * 86400;  /* 2024-03-01 */
    ck_assert_int_eq(T("2024-03-01"), d);
    ck_assert_int_eq(T("2024/03/01"), d);
    ck_assert_int_eq(T("2024-3-1"), d);
    ck_assert_int_eq(T("2024-03"), d);
    ck_assert_int_eq(T("2024-03-01 13:45:10"), d + 13 * 3600 + 45 * 60 + 10);
    ck_assert_int_eq(T("2024-03-01T13:45"), d + 13 * 3600 + 45 * 60);
    ck_assert_int_eq(T("2024-03-01T13:45:10Z"), d + 13 * 3600 + 45 * 60 + 10);
    ck_assert_int_eq(T("2024-03-01T13:45:10.000"), d + 13 * 3600 + 45 * 60 + 10);
    ck_assert_int_eq(T("2024-03-01T15:00:00+02:00"), d + 13 * 3600);
    ck_assert_int_eq(T("2024-03-01T15:00+0200"), d + 13 * 3600);
    ck_assert_int_eq(T("2024-03-01 10:30-03:30"), d + 14 * 3600);
    ck_assert_int_eq(T("2024-03-01T01:00:00+02"), d - 3600);  /* the day before in UTC */
    ck_assert_int_eq(T("1969-12-31 23:59:59"), -1);
}
END_TEST

START_TEST(test_parse_rejects)
{
    static const char *const bad[] = {
        "", "2024", "2024-13-01", "2024-00-10", "2024-02-30", "2023-02-29", "2024-03-01 24:00",
        "2024-03-01 12:60", "2024-03-01 12:00:60", "2024-03-01x", "2024-03-01 12", "2024-03/01",
        "2024-03-01 12:00:00.5", "2024-03-01 12:00+25:00", "2024-03-01 12:00Zx", "12,5",
        "10000-01-01", "2024-03-01T", " 2024-03-01", "2024-03-01 12:00:00.",
    };
    int64_t t;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(ts_time_parse(bad[i], TS_TFORM_ISO, &t) != 0, "accepted \"%s\"", bad[i]);
    ck_assert_int_ne(ts_time_parse("99999999999999", TS_TFORM_EPOCH, &t), 0);
    ck_assert_int_ne(ts_time_parse("20241301", TS_TFORM_YYYYMMDD, &t), 0);
    ck_assert_int_ne(ts_time_parse("-2024", TS_TFORM_YEAR, &t), 0);
}
END_TEST

START_TEST(test_parse_integer_forms)
{
    int64_t t;
    ck_assert_int_eq(ts_time_parse("1709298000", TS_TFORM_EPOCH, &t), 0);
    ck_assert_int_eq(t, 1709298000);
    ck_assert_int_eq(ts_time_parse("-86400", TS_TFORM_EPOCH, &t), 0);
    ck_assert_int_eq(t, -86400);
    ck_assert_int_eq(ts_time_parse("2021", TS_TFORM_YEAR, &t), 0);
    ck_assert_int_eq(t, T("2021-01-01"));
    ck_assert_int_eq(ts_time_parse("20240301", TS_TFORM_YYYYMMDD, &t), 0);
    ck_assert_int_eq(t, T("2024-03-01"));
    /* Which form a field has: integers only where allowed. */
    ck_assert_int_eq(ts_time_sniff("2024-03-01", 0), TS_TFORM_ISO);
    ck_assert_int_eq(ts_time_sniff("1709298000", 0), TS_TFORM_NONE);
    ck_assert_int_eq(ts_time_sniff("1709298000", 1), TS_TFORM_EPOCH);
    ck_assert_int_eq(ts_time_sniff("2021", 1), TS_TFORM_YEAR);
    ck_assert_int_eq(ts_time_sniff("20240301", 1), TS_TFORM_YYYYMMDD);
    ck_assert_int_eq(ts_time_sniff("12.5", 1), TS_TFORM_NONE);
    ck_assert_int_eq(ts_time_sniff("Paris", 1), TS_TFORM_NONE);
}
END_TEST

START_TEST(test_time_add)
{
    ck_assert_int_eq(ts_time_add(F_DAY, T("2024-02-28"), 2), T("2024-03-01"));
    ck_assert_int_eq(ts_time_add(F_HOUR, T("2024-03-01"), -1), T("2024-02-29 23:00"));
    ck_assert_int_eq(ts_time_add((ts_freq){TS_FREQ_MINUTE, 15}, T("2024-03-01"), 5),
                     T("2024-03-01 01:15"));
    ck_assert_int_eq(ts_time_add((ts_freq){TS_FREQ_WEEK, 2}, T("2024-01-01"), 1), T("2024-01-15"));
    ck_assert_int_eq(ts_time_add(F_NONE, 7, 3), 10);
    /* Calendar months: clamped, and month ends stay month ends. */
    ck_assert_int_eq(ts_time_add(F_MONTH, T("2024-01-15"), 1), T("2024-02-15"));
    ck_assert_int_eq(ts_time_add(F_MONTH, T("2024-01-30"), 1), T("2024-02-29"));
    ck_assert_int_eq(ts_time_add(F_MONTH, T("2024-01-31"), 1), T("2024-02-29"));
    ck_assert_int_eq(ts_time_add(F_MONTH, T("2024-02-29"), 1), T("2024-03-31"));
    ck_assert_int_eq(ts_time_add(F_MONTH, T("2023-11-30"), 3), T("2024-02-29"));
    ck_assert_int_eq(ts_time_add(F_MONTH, T("2024-03-01 06:00"), -3), T("2023-12-01 06:00"));
    ck_assert_int_eq(ts_time_add(F_QUARTER, T("2024-06-30"), 1), T("2024-09-30"));
    ck_assert_int_eq(ts_time_add(F_QUARTER, T("2024-09-30"), 1), T("2024-12-31"));
    ck_assert_int_eq(ts_time_add(F_YEAR, T("2024-02-29"), 1), T("2025-02-28"));
    ck_assert_int_eq(ts_time_add((ts_freq){TS_FREQ_YEAR, 2}, T("2020-01-01"), 3), T("2026-01-01"));
}
END_TEST

START_TEST(test_time_steps)
{
    int64_t k;
    ck_assert_int_eq(ts_time_steps(F_DAY, T("2024-01-01"), T("2024-03-01"), &k), 0);
    ck_assert_int_eq(k, 60);
    ck_assert_int_eq(ts_time_steps(F_DAY, T("2024-01-01"), T("2023-12-30"), &k), 0);
    ck_assert_int_eq(k, -2);
    ck_assert_int_ne(ts_time_steps(F_DAY, T("2024-01-01"), T("2024-01-02 12:00"), &k), 0);
    ck_assert_int_eq(ts_time_steps(F_MONTH, T("2023-11-30"), T("2024-02-29"), &k), 0);
    ck_assert_int_eq(k, 3);
    ck_assert_int_ne(ts_time_steps(F_MONTH, T("2024-01-15"), T("2024-02-14"), &k), 0);
    ck_assert_int_ne(ts_time_steps(F_QUARTER, T("2024-01-01"), T("2024-02-01"), &k), 0);
    ck_assert_int_eq(ts_time_steps(F_YEAR, T("2020-01-01"), T("2024-01-01"), &k), 0);
    ck_assert_int_eq(k, 4);
    /* Stepping and counting steps agree. */
    for (long j = -30; j <= 30; j++) {
        int64_t t = ts_time_add(F_MONTH, T("2024-01-31"), j);
        ck_assert_int_eq(ts_time_steps(F_MONTH, T("2024-01-31"), t, &k), 0);
        ck_assert_int_eq(k, j);
    }
}
END_TEST

/* Business days: Friday + 1 = Monday, the time of day is kept, weekends
 * and other times of day are off the grid. */
START_TEST(test_bday_grid)
{
    int64_t k;
    ck_assert_int_eq(ts_time_add(F_BDAY, T("2024-03-01"), 1), T("2024-03-04"));   /* Fri, Mon */
    ck_assert_int_eq(ts_time_add(F_BDAY, T("2024-03-04"), -1), T("2024-03-01"));
    ck_assert_int_eq(ts_time_add(F_BDAY, T("2024-03-06"), 5), T("2024-03-13"));    /* Wed + week */
    ck_assert_int_eq(ts_time_add(F_BDAY, T("2024-03-06"), 3), T("2024-03-11"));
    ck_assert_int_eq(ts_time_add(F_BDAY, T("2024-03-01 16:00"), 1), T("2024-03-04 16:00"));
    ck_assert_int_eq(ts_time_add(F_BDAY, T("1970-01-01"), -3), T("1969-12-29"));   /* Thu - 3 */
    ck_assert_int_eq(ts_time_add((ts_freq){TS_FREQ_BDAY, 2}, T("2024-03-01"), 2), T("2024-03-07"));
    ck_assert_int_eq(ts_time_add(F_BDAY, T("2024-03-02"), 1), T("2024-03-04"));    /* Sat: Fri's */
    ck_assert_int_eq(ts_time_steps(F_BDAY, T("2024-03-01"), T("2024-03-04"), &k), 0);
    ck_assert_int_eq(k, 1);
    ck_assert_int_eq(ts_time_steps(F_BDAY, T("2024-03-04"), T("2024-02-23"), &k), 0);
    ck_assert_int_eq(k, -6);
    ck_assert_int_ne(ts_time_steps(F_BDAY, T("2024-03-01"), T("2024-03-02"), &k), 0);  /* Sat */
    ck_assert_int_ne(ts_time_steps(F_BDAY, T("2024-03-01"), T("2024-03-03"), &k), 0);  /* Sun */
    ck_assert_int_ne(ts_time_steps(F_BDAY, T("2024-03-01"), T("2024-03-04 12:00"), &k), 0);
    ck_assert_int_ne(ts_time_steps((ts_freq){TS_FREQ_BDAY, 2}, T("2024-03-01"), T("2024-03-04"),
                                   &k), 0);
    for (long j = -40; j <= 40; j++) {  /* stepping and counting agree */
        int64_t t = ts_time_add(F_BDAY, T("2024-03-01"), j);
        ck_assert_int_lt(ts_weekday(t), 5);
        ck_assert_int_eq(ts_time_steps(F_BDAY, T("2024-03-01"), t, &k), 0);
        ck_assert_int_eq(k, j);
    }
    ck_assert_int_eq(ts_weekday(T("2024-03-04")), 0);
    ck_assert_int_eq(ts_weekday(T("1969-12-28 23:00")), 6);
}
END_TEST

START_TEST(test_time_format)
{
    char buf[40];
    ck_assert_str_eq(ts_time_format(F_DAY, T("2024-03-01"), buf, sizeof buf), "2024-03-01");
    ck_assert_str_eq(ts_time_format(F_MONTH, T("2024-03-01"), buf, sizeof buf), "2024-03-01");
    ck_assert_str_eq(ts_time_format(F_HOUR, T("2024-03-01"), buf, sizeof buf), "2024-03-01 00:00:00");
    ck_assert_str_eq(ts_time_format(F_HOUR, T("1969-12-31 23:00"), buf, sizeof buf),
                     "1969-12-31 23:00:00");
    ck_assert_str_eq(ts_time_format(F_DAY, T("2024-03-01 12:00"), buf, sizeof buf),
                     "2024-03-01 12:00:00");
    ck_assert_str_eq(ts_time_format(F_NONE, 42, buf, sizeof buf), "42");
    ck_assert_str_eq(ts_time_format(F_BDAY, T("2024-03-04"), buf, sizeof buf), "2024-03-04");
}
END_TEST

static ts_freq parse_ok(const char *s)
{
    ts_freq f = {TS_FREQ_NONE, 0};
    ts_error err = {0};
    ck_assert_msg(ts_freq_parse(s, &f, &err) == 0, "cannot parse %s: %s", s, err.msg);
    return f;
}

START_TEST(test_freq_parse_and_name)
{
    static const struct { const char *in, *name; } cases[] = {
        {"15min", "15min"}, {"15T", "15min"}, {"min", "minutely"}, {"H", "hourly"},
        {"h", "hourly"},    {"2H", "2H"},     {"hourly", "hourly"}, {"60min", "hourly"},
        {"D", "daily"},     {"daily", "daily"}, {"24H", "daily"},   {"7D", "weekly"},
        {"W", "weekly"},    {"2W", "2W"},     {"M", "monthly"},     {"MS", "monthly"},
        {"monthly", "monthly"}, {"3M", "quarterly"}, {"Q", "quarterly"}, {"12M", "yearly"},
        {"Y", "yearly"},    {"A", "yearly"},  {"annual", "yearly"}, {"2Y", "2Y"},
        {"s", "secondly"},  {"30s", "30s"},   {"90min", "90min"},   {"2M", "2M"},
        {"2Q", "2Q"},       {"4 hours", "4H"}, {"B", "B"},      {"b", "B"},
        {"bday", "B"},      {"business", "B"}, {"2B", "2B"},
    };
    char buf[32];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ts_freq f = parse_ok(cases[i].in);
        ck_assert_str_eq(ts_freq_name(f, buf, sizeof buf), cases[i].name);
        ts_freq g = parse_ok(buf);  /* names parse back to the same grid */
        ck_assert_int_eq(g.unit, f.unit);
        ck_assert_int_eq(g.mult, f.mult);
    }
    ck_assert_str_eq(ts_freq_name(F_NONE, buf, sizeof buf), "none");
    static const char *const bad[] = {"", "m", "0min", "xyz", "15", "ms", "-1D", "D2"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ts_error err = {0};
        ts_freq f;
        ck_assert_int_eq(ts_freq_parse(bad[i], &f, &err), TS_EUSAGE);
        ck_assert_int_eq(err.code, TS_EUSAGE);
        ck_assert_ptr_nonnull(strstr(err.msg, "unknown frequency"));
    }
}
END_TEST

START_TEST(test_freq_periods_and_season)
{
    double p[8];
    int n = ts_freq_periods(F_DAY, p, 8);
    ck_assert_int_eq(n, 2);
    ck_assert_double_eq_tol(p[0], 7, 1e-12);
    ck_assert_double_eq_tol(p[1], 365.25, 1e-12);
    n = ts_freq_periods(F_HOUR, p, 2);
    ck_assert_int_eq(n, 2);
    ck_assert_double_eq_tol(p[0], 24, 1e-12);
    ck_assert_double_eq_tol(p[1], 168, 1e-12);
    ck_assert_int_eq(ts_freq_periods(F_HOUR, p, 8), 3);  /* and the year */
    n = ts_freq_periods((ts_freq){TS_FREQ_MINUTE, 15}, p, 8);
    ck_assert_int_eq(n, 4);
    ck_assert_double_eq_tol(p[0], 4, 1e-12);
    ck_assert_double_eq_tol(p[1], 96, 1e-12);
    n = ts_freq_periods(F_MONTH, p, 8);
    ck_assert_int_eq(n, 1);
    ck_assert_double_eq_tol(p[0], 12, 1e-12);
    ck_assert_int_eq(ts_freq_periods(F_QUARTER, p, 8), 1);
    ck_assert_double_eq_tol(p[0], 4, 1e-12);
    ck_assert_int_eq(ts_freq_periods(F_YEAR, p, 8), 0);
    ck_assert_int_eq(ts_freq_periods(F_NONE, p, 8), 0);
    n = ts_freq_periods(F_BDAY, p, 8);  /* the trading week and year */
    ck_assert_int_eq(n, 2);
    ck_assert_double_eq_tol(p[0], 5, 1e-12);
    ck_assert_double_eq_tol(p[1], 365.25 * 5 / 7, 1e-9);

    ck_assert_int_eq(ts_freq_season(F_DAY), 7);
    ck_assert_int_eq(ts_freq_season(F_HOUR), 24);
    ck_assert_int_eq(ts_freq_season((ts_freq){TS_FREQ_HOUR, 2}), 12);
    ck_assert_int_eq(ts_freq_season((ts_freq){TS_FREQ_MINUTE, 15}), 96);
    ck_assert_int_eq(ts_freq_season(F_MONTH), 12);
    ck_assert_int_eq(ts_freq_season(F_QUARTER), 4);
    ck_assert_int_eq(ts_freq_season((ts_freq){TS_FREQ_WEEK, 1}), 52);
    ck_assert_int_eq(ts_freq_season(F_YEAR), 1);
    ck_assert_int_eq(ts_freq_season(F_NONE), 1);
    ck_assert_int_eq(ts_freq_season(F_BDAY), 5);
}
END_TEST

/* Infer the frequency of a list of ISO timestamps (one series). */
static int infer(const char *const *ts, size_t n, ts_freq *f)
{
    ts_freq_acc acc;
    ts_freq_acc_init(&acc);
    for (size_t i = 1; i < n; i++) ts_freq_acc_add(&acc, T(ts[i - 1]), T(ts[i]));
    int rc = ts_freq_acc_result(&acc, f);
    ts_freq_acc_free(&acc);
    return rc;
}

START_TEST(test_freq_infer)
{
    ts_freq f;
    const char *daily[] = {"2024-01-01", "2024-01-02", "2024-01-04", "2024-01-05"};
    ck_assert_int_eq(infer(daily, 4, &f), 0);
    ck_assert_int_eq(f.unit, TS_FREQ_DAY);
    ck_assert_int_eq(f.mult, 1);
    const char *q15[] = {"2024-01-01 00:00", "2024-01-01 00:15", "2024-01-01 00:30", "2024-01-01 01:30"};
    ck_assert_int_eq(infer(q15, 4, &f), 0);
    ck_assert_int_eq(f.unit, TS_FREQ_MINUTE);
    ck_assert_int_eq(f.mult, 15);
    const char *monthly[] = {"2023-01-01", "2023-02-01", "2023-03-01", "2023-04-01", "2023-05-01",
                             "2023-06-01", "2023-07-01", "2023-08-01"};
    ck_assert_int_eq(infer(monthly, 8, &f), 0);
    ck_assert_int_eq(f.unit, TS_FREQ_MONTH);
    ck_assert_int_eq(f.mult, 1);
    const char *ends[] = {"2023-01-31", "2023-02-28", "2023-03-31", "2023-04-30", "2023-06-30"};
    ck_assert_int_eq(infer(ends, 5, &f), 0);
    ck_assert_int_eq(f.unit, TS_FREQ_MONTH);
    const char *quarterly[] = {"2022-03-31", "2022-06-30", "2022-09-30", "2022-12-31"};
    ck_assert_int_eq(infer(quarterly, 4, &f), 0);
    ck_assert_int_eq(f.unit, TS_FREQ_QUARTER);
    const char *yearly[] = {"2019-07-01", "2020-07-01", "2021-07-01", "2023-07-01"};
    ck_assert_int_eq(infer(yearly, 4, &f), 0);
    ck_assert_int_eq(f.unit, TS_FREQ_YEAR);
    ck_assert_int_eq(f.mult, 1);
    const char *four_weeks[] = {"2024-01-01", "2024-01-29", "2024-02-26", "2024-03-25"};
    ck_assert_int_eq(infer(four_weeks, 4, &f), 0);  /* not calendar months */
    ck_assert_int_eq(f.unit, TS_FREQ_WEEK);
    ck_assert_int_eq(f.mult, 4);
    const char *tie[] = {"2024-01-01 00:00", "2024-01-01 01:00", "2024-01-01 03:00"};
    ck_assert_int_eq(infer(tie, 3, &f), 0);  /* equal counts: the finer step */
    ck_assert_int_eq(f.unit, TS_FREQ_HOUR);
    ck_assert_int_eq(f.mult, 1);
    const char *one[] = {"2024-01-01"};
    ck_assert_int_ne(infer(one, 1, &f), 0);
}
END_TEST

/* Feed the calendar days first .. first + days - 1 whose weekday (0 Monday)
 * is not in skip, and no day listed in holidays; return the inferred grid. */
static int infer_days(const char *first, int days, const char *skip, const char *holidays,
                      ts_freq *f, unsigned *unseen)
{
    ts_freq_acc acc;
    int64_t prev = 0;
    int have = 0;
    char day[16];
    ts_freq_acc_init(&acc);
    for (int i = 0; i < days; i++) {
        int64_t t = T(first) + (int64_t)i * 86400;
        ts_time_format(F_DAY, t, day, sizeof day);
        if (strchr(skip, '0' + ts_weekday(t)) || strstr(holidays, day)) continue;
        if (have) ts_freq_acc_add(&acc, prev, t);
        prev = t, have = 1;
    }
    int rc = ts_freq_acc_result(&acc, f);
    *unseen = rc ? 0 : ts_freq_acc_unseen_days(&acc, *f);
    ts_freq_acc_free(&acc);
    return rc;
}

START_TEST(test_freq_infer_bday)
{
    ts_freq f;
    unsigned unseen;
    /* Monday to Friday over five weeks: business days */
    ck_assert_int_eq(infer_days("2024-01-01", 35, "56", "", &f, &unseen), 0);
    ck_assert_int_eq(f.unit, TS_FREQ_BDAY);
    ck_assert_int_eq(f.mult, 1);
    ck_assert_uint_eq(unseen, 0);
    /* a holiday on a Wednesday is a gap on that grid, not another grid */
    ck_assert_int_eq(infer_days("2024-01-01", 35, "56", "2024-01-17", &f, &unseen), 0);
    ck_assert_int_eq(f.unit, TS_FREQ_BDAY);
    int64_t k;
    ck_assert_int_eq(ts_time_steps(f, T("2024-01-16"), T("2024-01-18"), &k), 0);
    ck_assert_int_eq(k, 2);
    ck_assert_int_eq(ts_time_steps(f, T("2024-01-12"), T("2024-01-15"), &k), 0);  /* Fri, Mon */
    ck_assert_int_eq(k, 1);
    /* four weekends skipped are enough (2024-01-03 to 2024-02-01), three not */
    ck_assert_int_eq(infer_days("2024-01-03", 30, "56", "", &f, &unseen), 0);
    ck_assert_int_eq(f.unit, TS_FREQ_BDAY);
    ck_assert_int_eq(infer_days("2024-01-03", 23, "56", "", &f, &unseen), 0);
    ck_assert_int_eq(f.unit, TS_FREQ_DAY);
    ck_assert_uint_eq(unseen, 0);
    /* a single Saturday: daily, with Sundays never there */
    ck_assert_int_eq(infer_days("2024-01-01", 35, "6", "2024-01-06 2024-01-13 2024-01-20 2024-01-27"
                                                     " 2024-02-03", &f, &unseen), 0);
    ck_assert_int_eq(f.unit, TS_FREQ_BDAY);  /* those were all the Saturdays */
    ck_assert_int_eq(infer_days("2024-01-01", 35, "6", "2024-01-06 2024-01-13 2024-01-20 2024-01-27",
                                &f, &unseen), 0);
    ck_assert_int_eq(f.unit, TS_FREQ_DAY);
    ck_assert_uint_eq(unseen, 1u << 6);
    /* every day of the week: daily, nothing unseen */
    ck_assert_int_eq(infer_days("2024-01-01", 35, "", "", &f, &unseen), 0);
    ck_assert_int_eq(f.unit, TS_FREQ_DAY);
    ck_assert_uint_eq(unseen, 0);
    /* weekdays without Wednesdays: business days, Wednesday unseen */
    ck_assert_int_eq(infer_days("2024-01-01", 35, "256", "", &f, &unseen), 0);
    ck_assert_int_eq(f.unit, TS_FREQ_BDAY);
    ck_assert_uint_eq(unseen, 1u << 2);
}
END_TEST

START_TEST(test_series_stats)
{
    float v[] = {NAN, 1, 2, NAN, 6};
    ts_series s = {"x", 0, 5, v};
    ts_series_stats st;
    ck_assert_int_eq(ts_series_stats_of(&s, &st), 0);
    ck_assert_int_eq(st.n_obs, 3);
    ck_assert_int_eq(st.n_missing, 2);
    ck_assert_double_eq(st.min, 1);
    ck_assert_double_eq(st.max, 6);
    ck_assert_double_eq_tol(st.mean, 3, 1e-12);
    float w[] = {NAN};
    ts_series e = {"y", 0, 1, w};
    ck_assert_int_eq(ts_series_stats_of(&e, &st), -1);
    ck_assert(isnan(st.mean));
}
END_TEST

int main(void)
{
    return tu_run(TU_SUITE("time",
        test_civil_known_days, test_civil_round_trip, test_parse_iso_forms, test_parse_rejects,
        test_parse_integer_forms, test_time_add, test_time_steps, test_bday_grid,
        test_time_format, test_freq_parse_and_name, test_freq_periods_and_season,
        test_freq_infer, test_freq_infer_bday, test_series_stats));
}
