/* check_csv.c - the CSV reader: layouts (wide, long with one and two id
 * columns, no time column, no header), delimiters, quoting, BOM, CRLF,
 * blank lines, every timestamp form, every frequency, gaps, sorting,
 * duplicates and --aggregate, missing-value tokens, every error message
 * with its file:line:column and code, two real data sets when present, and
 * a fuzz loop (truncated and mutated fixtures must never crash). */
#define _POSIX_C_SOURCE 200809L
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data/csv.h"
#include "data/timefmt.h"
#include "testutil.h"

#define DATA TSDIFF_SRCDIR "/tests/data/csv/"

static int64_t T(const char *iso)
{
    int64_t t = 0;
    ck_assert_msg(ts_time_parse(iso, TS_TFORM_ISO, &t) == 0, "cannot parse %s", iso);
    return t;
}

static ts_csv_opts opts(void)
{
    ts_csv_opts o;
    ts_csv_opts_default(&o);
    return o;
}

/* Read a fixture that must load; the set is checked for its invariants. */
static void load(const char *name, const ts_csv_opts *o, ts_series_set *set)
{
    ts_error err = {0};
    char path[1024];
    snprintf(path, sizeof path, "%s%s", name[0] == '/' ? "" : DATA, name);
    int rc = ts_csv_read(path, o, set, &err);
    ck_assert_msg(rc == 0, "%s: rc %d: %s", name, rc, err.msg);
    ck_assert_str_eq(set->source, path);
    for (size_t i = 0; i < set->n; i++) {
        const ts_series *s = &set->series[i];
        ck_assert_uint_ge(s->len, 1);
        ck_assert(!isnan(s->values[0]) && !isnan(s->values[s->len - 1]));  /* trimmed */
    }
}

/* Read a fixture that must fail with code and exactly "PATH:" + msg. */
static void fails(const char *name, const ts_csv_opts *o, int code, const char *msg)
{
    ts_series_set set;
    ts_error err = {0};
    char path[1024], want[1200];
    snprintf(path, sizeof path, DATA "%s", name);
    int rc = ts_csv_read(path, o, &set, &err);
    ck_assert_msg(rc == code, "%s: rc %d, expected %d (%s)", name, rc, code, err.msg);
    ck_assert_int_eq(err.code, code);
    ck_assert_uint_eq(set.n, 0);
    ck_assert_ptr_null(set.series);
    if (msg[0] == ':') snprintf(want, sizeof want, "%s%s", path, msg);
    else snprintf(want, sizeof want, "%s", msg);
    ck_assert_str_eq(err.msg, want);
}

static const ts_series *get(const ts_series_set *set, const char *name)
{
    for (size_t i = 0; i < set->n; i++)
        if (!strcmp(set->series[i].name, name)) return &set->series[i];
    ck_abort_msg("no series \"%s\"", name);
    return NULL;
}

/* Values of s, NaN written as NAN in want. */
static void values(const ts_series *s, const float *want, size_t n)
{
    ck_assert_uint_eq(s->len, n);
    for (size_t j = 0; j < n; j++) {
        if (isnan(want[j])) ck_assert_msg(isnan(s->values[j]), "%s[%zu] not NaN", s->name, j);
        else ck_assert_msg(s->values[j] == want[j], "%s[%zu] = %g, expected %g", s->name, j,
                           s->values[j], want[j]);
    }
}

static void freq_is(const ts_series_set *set, ts_freq_unit unit, int mult)
{
    ck_assert_int_eq(set->has_time, 1);
    ck_assert_int_eq(set->freq.unit, unit);
    ck_assert_int_eq(set->freq.mult, mult);
}

/* ---- layouts ---- */

START_TEST(test_wide)
{
    ts_series_set set;
    ts_csv_opts o = opts();
    load("wide.csv", &o, &set);
    freq_is(&set, TS_FREQ_DAY, 1);
    ck_assert_uint_eq(set.n, 2);
    ck_assert_str_eq(set.series[0].name, "a");  /* column order */
    ck_assert_str_eq(set.series[1].name, "b");
    ck_assert_int_eq(set.series[0].start, T("2024-01-01"));
    values(get(&set, "a"), (float[]){1, 2, NAN, 4}, 4);  /* 01-03 is a gap */
    values(get(&set, "b"), (float[]){10, NAN, NAN, 40}, 4);
    ts_series_set_free(&set);
}
END_TEST

START_TEST(test_wide_trim)
{
    ts_series_set set;
    ts_csv_opts o = opts();
    load("wide_trim.csv", &o, &set);
    const ts_series *a = get(&set, "a"), *b = get(&set, "b");
    ck_assert_int_eq(a->start, T("2024-01-02"));
    values(a, (float[]){2, 3, NAN, 5}, 4);
    ck_assert_int_eq(b->start, T("2024-01-01"));
    values(b, (float[]){1, 2}, 2);
    ts_series_set_free(&set);
}
END_TEST

START_TEST(test_long_one_id)
{
    ts_series_set set;
    ts_csv_opts o = opts();
    o.id_cols[o.n_id_cols++] = "store";
    load("long1.csv", &o, &set);  /* value column: the one left over */
    freq_is(&set, TS_FREQ_DAY, 1);
    ck_assert_uint_eq(set.n, 2);
    ck_assert_str_eq(set.series[0].name, "north");  /* order of first sight */
    const ts_series *n = get(&set, "north"), *s = get(&set, "south");
    ck_assert_int_eq(n->start, T("2024-01-01"));
    values(n, (float[]){1, 2, 3}, 3);
    ck_assert_int_eq(s->start, T("2024-01-01"));
    values(s, (float[]){10, NAN, 30, 40}, 4);
    ts_series_set_free(&set);
}
END_TEST

START_TEST(test_long_two_ids)
{
    ts_series_set set;
    ts_csv_opts o = opts();
    o.id_cols[o.n_id_cols++] = "store";
    o.id_cols[o.n_id_cols++] = "item";
    /* Two columns are left (sales, price): which one must be said. */
    fails("long2.csv", &o, TS_EUSAGE, ": name the column of values with --value-col "
                                      "(candidates: sales, price)");
    o.value_col = "sales";
    load("long2.csv", &o, &set);
    ck_assert_uint_eq(set.n, 3);
    values(get(&set, "s1/i1"), (float[]){1, 2}, 2);
    values(get(&set, "s1/i2"), (float[]){5, 6}, 2);
    const ts_series *s = get(&set, "s2/i1");
    ck_assert_int_eq(s->start, T("2024-01-01"));
    values(s, (float[]){7, NAN, 8}, 3);
    ts_series_set_free(&set);
    o.value_col = "5";  /* by number */
    load("long2.csv", &o, &set);
    values(get(&set, "s1/i1"), (float[]){9.5f, 9.5f}, 2);
    ts_series_set_free(&set);
}
END_TEST

START_TEST(test_long_no_time)
{
    ts_series_set set;
    ts_csv_opts o = opts();
    o.id_cols[o.n_id_cols++] = "id";
    load("long_notime.csv", &o, &set);
    ck_assert_int_eq(set.has_time, 0);
    ck_assert_int_eq(set.freq.unit, TS_FREQ_NONE);
    values(get(&set, "a"), (float[]){1, 2, 3}, 3);
    values(get(&set, "b"), (float[]){10, 20}, 2);
    ts_series_set_free(&set);
}
END_TEST

START_TEST(test_text_and_value_columns)
{
    ts_series_set set;
    ts_csv_opts o = opts();
    load("text_col.csv", &o, &set);  /* "city" is text: left out */
    ck_assert_uint_eq(set.n, 1);
    values(get(&set, "a"), (float[]){1, 2}, 2);
    ts_series_set_free(&set);
    load("value_col.csv", &o, &set);  /* b is text */
    ck_assert_uint_eq(set.n, 1);
    ts_series_set_free(&set);
    o.value_col = "b";  /* named: must be numbers */
    fails("value_col.csv", &o, TS_EDATA, ":2:3: expected a number, found \"x\"");
    o.value_col = "a";
    load("value_col.csv", &o, &set);
    ck_assert_uint_eq(set.n, 1);
    ts_series_set_free(&set);
    fails("value_col_empty.csv", &o, TS_EDATA, ":2:2: column \"a\" has no values");
    o.value_col = NULL;
    load("value_col_empty.csv", &o, &set);  /* a column without values is left out */
    ck_assert_uint_eq(set.n, 1);
    ck_assert_str_eq(set.series[0].name, "b");
    ts_series_set_free(&set);
}
END_TEST

START_TEST(test_no_time_column)
{
    ts_series_set set;
    ts_csv_opts o = opts();
    load("no_time.csv", &o, &set);
    ck_assert_int_eq(set.has_time, 0);
    ck_assert_int_eq(set.freq.unit, TS_FREQ_NONE);
    values(get(&set, "a"), (float[]){1, 3, 5}, 3);
    values(get(&set, "b"), (float[]){2, NAN, 6}, 3);
    ck_assert_int_eq(get(&set, "a")->start, 0);
    ts_series_set_free(&set);
}
END_TEST

START_TEST(test_no_header)
{
    ts_series_set set;
    ts_csv_opts o = opts();
    o.no_header = 1;
    load("no_header.csv", &o, &set);
    freq_is(&set, TS_FREQ_DAY, 1);
    ck_assert_uint_eq(set.n, 2);
    values(get(&set, "V2"), (float[]){1, 3}, 2);
    values(get(&set, "V3"), (float[]){2, 4}, 2);
    ts_series_set_free(&set);
    load("no_header_notime.txt", &o, &set);
    ck_assert_int_eq(set.has_time, 0);
    values(get(&set, "V1"), (float[]){0.5f, 0.25f, 0.125f}, 3);
    values(get(&set, "V2"), (float[]){1.5f, 2.5f, 3.5f}, 3);
    ts_series_set_free(&set);
    o.no_header = 0;
    fails("no_header_notime.txt", &o, TS_EDATA,
          ":1:1: the first line holds numbers, not column names "
          "(use --no-header for a file without a header)");
}
END_TEST

/* ---- delimiters, quoting, encodings, line ends ---- */

START_TEST(test_delimiters)
{
    ts_series_set set;
    ts_csv_opts o = opts();
    const char *files[] = {"semicolon.csv", "tab.tsv"};
    for (int i = 0; i < 2; i++) {
        load(files[i], &o, &set);
        ck_assert_uint_eq(set.n, 2);
        values(get(&set, "a"), (float[]){1.5f, 2.5f}, 2);
        values(get(&set, "b"), (float[]){2, 3}, 2);
        ts_series_set_free(&set);
    }
    load("wide.csv", &o, &set);  /* comma */
    ck_assert_uint_eq(set.n, 2);
    ts_series_set_free(&set);
    /* '|' is never sniffed: the header's comma wins, and the rows fail. */
    fails("pipe.csv", &o, TS_EDATA, ":2:2: expected 2 fields, found 1");
    o.delimiter = '|';
    load("pipe.csv", &o, &set);
    values(get(&set, "a,x"), (float[]){1, 3}, 2);
    ts_series_set_free(&set);
    o.delimiter = ';';  /* a forced delimiter overrides the sniffing */
    fails("wide.csv", &o, TS_EDATA,
          ":2:1: no numeric column to read as a series (columns: date,a,b)");
}
END_TEST

START_TEST(test_quotes)
{
    ts_series_set set;
    ts_csv_opts o = opts();
    load("quotes.csv", &o, &set);
    ck_assert_uint_eq(set.n, 2);  /* "note" is text */
    values(get(&set, "a, b"), (float[]){1, 2, 3}, 3);
    values(get(&set, "say \"hi\""), (float[]){10, 20, 30}, 3);
    ts_series_set_free(&set);
    /* Lines are counted through quoted newlines: "oops" is on line 6. */
    fails("quotes_err_after.csv", &o, TS_EDATA, ":6:3: expected a number, found \"oops\"");
    fails("err_quote.csv", &o, TS_EDATA,
          ":3:2: bad quoting: a quote inside a field must be doubled and the field quoted");
    fails("err_unclosed_quote.csv", &o, TS_EDATA, ":3:2: quoted field not closed at the end of the file");
}
END_TEST

START_TEST(test_bom_crlf_blank_lines)
{
    ts_series_set set;
    ts_csv_opts o = opts();
    load("bom_crlf.csv", &o, &set);
    freq_is(&set, TS_FREQ_DAY, 1);
    ck_assert_uint_eq(set.n, 1);
    values(get(&set, "a"), (float[]){1, 2, 3}, 3);
    ts_series_set_free(&set);
    load("bom_notime.csv", &o, &set);  /* the BOM is not part of the first name */
    ck_assert_str_eq(set.series[0].name, "x");
    ts_series_set_free(&set);
    load("trailing_blank.csv", &o, &set);
    values(get(&set, "a"), (float[]){1, 2}, 2);
    ts_series_set_free(&set);
    load("delims_only_rows.csv", &o, &set);  /* trailing ",," rows */
    values(get(&set, "b"), (float[]){2, 4}, 2);
    ts_series_set_free(&set);
    load("no_newline_at_end.csv", &o, &set);
    values(get(&set, "a"), (float[]){1, 2}, 2);
    ts_series_set_free(&set);
    /* CRLF and a blank line: the bad cell is on line 4. */
    fails("crlf_err.csv", &o, TS_EDATA, ":4:2: expected a number, found \"x2\"");
    fails("err_delims_row_middle.csv", &o, TS_EDATA, ":3:1: every field of this row is empty");
}
END_TEST

START_TEST(test_trailing_empty_column)
{
    ts_series_set set;
    ts_csv_opts o = opts();
    load("trailing_empty_col.csv", &o, &set);  /* "Date;A;B;" and a stray 9.9 under "" */
    ck_assert_uint_eq(set.n, 2);
    values(get(&set, "A"), (float[]){1, 3, 5}, 3);
    values(get(&set, "B"), (float[]){2, 4, 6}, 3);
    ts_series_set_free(&set);
}
END_TEST

/* ---- timestamps ---- */

static void one_series(const char *file, const ts_csv_opts *o, const char *start, ts_freq_unit unit,
                       int mult, size_t len)
{
    ts_series_set set;
    load(file, o, &set);
    freq_is(&set, unit, mult);
    ck_assert_uint_eq(set.n, 1);
    ck_assert_msg(set.series[0].start == T(start), "%s: start %lld", file,
                  (long long)set.series[0].start);
    ck_assert_uint_eq(set.series[0].len, len);
    ts_series_set_free(&set);
}

START_TEST(test_timestamp_forms)
{
    ts_csv_opts o = opts();
    one_series("ts_datetime_space.csv", &o, "2024-03-01 13:00", TS_FREQ_HOUR, 1, 2);
    one_series("ts_datetime_t_nosec.csv", &o, "2024-03-01 13:00", TS_FREQ_HOUR, 1, 2);
    one_series("ts_zulu.csv", &o, "2024-03-01 13:00", TS_FREQ_HOUR, 1, 2);
    one_series("ts_offset.csv", &o, "2024-03-01 13:00", TS_FREQ_HOUR, 1, 3);  /* to UTC */
    one_series("ts_yyyymm.csv", &o, "2024-01-01", TS_FREQ_MONTH, 1, 3);
    one_series("ts_epoch_named.csv", &o, "2024-03-01 13:00", TS_FREQ_HOUR, 1, 2);
    one_series("ts_year.csv", &o, "2019-01-01", TS_FREQ_YEAR, 1, 3);
    one_series("ts_yyyymmdd.csv", &o, "2024-03-01", TS_FREQ_DAY, 1, 2);
    one_series("ts_slash.csv", &o, "2024-03-01", TS_FREQ_DAY, 1, 2);
    one_series("ts_fraction.csv", &o, "2024-03-01 13:00", TS_FREQ_SECOND, 1, 2);

    ts_series_set set;
    load("ts_epoch.csv", &o, &set);  /* integers in a column not named as time: data */
    ck_assert_int_eq(set.has_time, 0);
    ck_assert_uint_eq(set.n, 2);
    ts_series_set_free(&set);
    o.time_col = "ts_seconds";
    one_series("ts_epoch.csv", &o, "2024-03-01 13:00", TS_FREQ_HOUR, 1, 3);
    o.time_col = "1";
    one_series("ts_epoch.csv", &o, "2024-03-01 13:00", TS_FREQ_HOUR, 1, 3);
    o.time_col = "a";
    fails("semicolon.csv", &o, TS_EDATA, ":2:2: expected a timestamp, found \"1.5\"");
    o.time_col = "nope";
    fails("ts_epoch.csv", &o, TS_EUSAGE, ": no column \"nope\" for --time-col (columns: ts_seconds, v)");
    o.time_col = NULL;
    fails("err_bad_time.csv", &o, TS_EDATA, ":3:1: expected a timestamp, found \"2024-13-01\"");
    /* A column named "date" is the time column even if its first value is bad. */
    fails("err_bad_first_time.csv", &o, TS_EDATA, ":2:1: expected a timestamp, found \"bad\"");
}
END_TEST

/* ---- frequencies, gaps, order ---- */

START_TEST(test_frequencies)
{
    ts_csv_opts o = opts();
    one_series("freq_seconds.csv", &o, "2024-03-01", TS_FREQ_SECOND, 10, 5);
    one_series("freq_15min.csv", &o, "2024-03-01", TS_FREQ_MINUTE, 15, 8);
    one_series("freq_2h.csv", &o, "2024-03-01", TS_FREQ_HOUR, 2, 6);
    one_series("freq_weekly.csv", &o, "2024-01-01", TS_FREQ_WEEK, 1, 5);
    one_series("freq_monthly.csv", &o, "2023-01-01", TS_FREQ_MONTH, 1, 13);
    one_series("freq_month_end.csv", &o, "2023-11-30", TS_FREQ_MONTH, 1, 6);
    one_series("freq_quarterly.csv", &o, "2022-01-01", TS_FREQ_QUARTER, 1, 5);
    one_series("freq_yearly.csv", &o, "2020-01-01", TS_FREQ_YEAR, 1, 5);
}
END_TEST

START_TEST(test_freq_option_and_gaps)
{
    ts_series_set set;
    ts_csv_opts o = opts();
    load("freq_weekly.csv", &o, &set);  /* 01-22 is missing */
    values(&set.series[0], (float[]){1, 2, 3, NAN, 4}, 5);
    ts_series_set_free(&set);
    load("freq_yearly.csv", &o, &set);
    values(&set.series[0], (float[]){1, 2, 3, NAN, 4}, 5);
    ts_series_set_free(&set);
    o.freq = "H";  /* a finer grid than the data: gaps */
    load("freq_2h.csv", &o, &set);
    freq_is(&set, TS_FREQ_HOUR, 1);
    values(&set.series[0], (float[]){1, NAN, 2, NAN, 3, NAN, 4, NAN, 5, NAN, 6}, 11);
    ts_series_set_free(&set);
    o.freq = "D";  /* a coarser one: the data is off it */
    fails("freq_2h.csv", &o, TS_EDATA,
          ":3:1: timestamp 2024-03-01 02:00:00 is off the daily grid that starts at "
          "2024-03-01 (line 2)");
    o.freq = "fortnightly";
    fails("wide.csv", &o, TS_EUSAGE,
          "unknown frequency \"fortnightly\" (try 15min, H, D, B, W, M, Q or Y; 'm' is ambiguous)");
    o.freq = "D";
    load("err_single_time.csv", &o, &set);  /* one row is fine with --freq */
    values(&set.series[0], (float[]){1}, 1);
    ts_series_set_free(&set);
}
END_TEST

START_TEST(test_unsorted_rows)
{
    ts_series_set set;
    ts_csv_opts o = opts();
    load("unsorted.csv", &o, &set);
    ck_assert_int_eq(set.series[0].start, T("2024-01-01"));
    values(&set.series[0], (float[]){1, 2, 3}, 3);
    ts_series_set_free(&set);
}
END_TEST

START_TEST(test_duplicates)
{
    ts_series_set set;
    ts_csv_opts o = opts();
    fails("dup_wide.csv", &o, TS_EDATA,
          ":4:1: duplicate timestamp 2024-01-02 (also on line 3); "
          "use --aggregate sum|mean to combine such rows");
    o.aggregate = TS_AGG_SUM;
    load("dup_wide.csv", &o, &set);
    values(get(&set, "a"), (float[]){1, 6, 3}, 3);
    values(get(&set, "b"), (float[]){10, 20, 30}, 3);  /* missing values do not count */
    ts_series_set_free(&set);
    o.aggregate = TS_AGG_MEAN;
    load("dup_wide.csv", &o, &set);
    values(get(&set, "a"), (float[]){1, 3, 3}, 3);
    values(get(&set, "b"), (float[]){10, 20, 30}, 3);
    ts_series_set_free(&set);

    o.aggregate = TS_AGG_NONE;
    o.id_cols[o.n_id_cols++] = "id";
    fails("dup_long.csv", &o, TS_EDATA,
          ":5:1: duplicate timestamp 2024-01-02 for series \"x\" (also on line 3); "
          "use --aggregate sum|mean to combine such rows");
    o.aggregate = TS_AGG_SUM;
    load("dup_long.csv", &o, &set);
    values(get(&set, "x"), (float[]){1, 8}, 2);
    values(get(&set, "y"), (float[]){5}, 1);
    ts_series_set_free(&set);
    o.aggregate = TS_AGG_MEAN;
    load("dup_long.csv", &o, &set);
    values(get(&set, "x"), (float[]){1, 4}, 2);
    ts_series_set_free(&set);
}
END_TEST

/* Zeros in every spelling are zeros; the smallest normal floats are kept. */
START_TEST(test_tiny_numbers)
{
    ts_series_set set;
    ts_csv_opts o = opts();
    load("tiny_ok.csv", &o, &set);
    values(get(&set, "a"), (float[]){0, 0, 0, 0, 1.2e-38f, -1.2e-38f}, 6);
    ts_series_set_free(&set);
}
END_TEST

START_TEST(test_missing_tokens)
{
    ts_series_set set;
    ts_csv_opts o = opts();
    load("missing_tokens.csv", &o, &set);
    ck_assert_int_eq(set.has_time, 0);
    /* "", NA, NaN, null, N/A, na, NULL, n/a, nan, "" then 12 */
    values(get(&set, "v"),
           (float[]){1, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, 12}, 12);
    ts_series_set_free(&set);
}
END_TEST

/* ---- errors ---- */

START_TEST(test_errors)
{
    ts_csv_opts o = opts();
    fails("err_decimal_comma.csv", &o, TS_EDATA, ":3:3: expected a number, found \"12,5\"");
    fails("err_text_in_numbers.csv", &o, TS_EDATA, ":4:2: expected a number, found \"abc\"");
    fails("err_header_only.csv", &o, TS_EDATA, ":2:1: no data rows after the header");
    fails("err_no_numeric.csv", &o, TS_EDATA,
          ":2:1: no numeric column to read as a series (columns: date, city)");
    /* no column has a name (one is a quoted line break) to list: the list
     * was once printed unset */
    fails("err_no_names.csv", &o, TS_EDATA, ":3:1: no numeric column to read as a series");
    fails("err_field_count.csv", &o, TS_EDATA, ":3:3: expected 3 fields, found 2");
    fails("err_field_count_more.csv", &o, TS_EDATA, ":3:4: expected 3 fields, found 4");
    fails("err_bad_utf8.csv", &o, TS_EDATA, ":1:2: invalid UTF-8 in a column name");
    fails("err_empty.csv", &o, TS_EDATA, ":1:1: empty file");
    fails("err_blank_only.csv", &o, TS_EDATA, ":1:1: empty file");
    fails("err_off_grid.csv", &o, TS_EDATA,
          ":5:1: timestamp 2024-01-04 05:00:00 is off the daily grid that starts at "
          "2024-01-01 (line 2)");
    fails("err_single_time.csv", &o, TS_EDATA,
          ":2:1: cannot infer the frequency from a single timestamp per series (give --freq)");
    fails("err_dup_header.csv", &o, TS_EDATA, ":1:3: duplicate column name \"a\" (also column 2)");
    fails("err_range.csv", &o, TS_EDATA, ":3:2: number out of range for a float: \"1e39\"");
    /* below the normal floats: once read as a subnormal or 0 without a word */
    fails("err_tiny.csv", &o, TS_EDATA, ":3:2: number too small for a float: \"1e-40\"");
    fails("err_nul.csv", &o, TS_EDATA, ":3:2: NUL byte in a field (is this a text file?)");
    fails("err_gap.csv", &o, TS_EDATA,
          ":4:1: timestamp 2924-01-03 leaves a gap so wide that the daily grid would need "
          "328721 points for 3 rows (a typo in the date?)");
    o.id_cols[o.n_id_cols++] = "id";
    fails("err_empty_id.csv", &o, TS_EDATA, ":3:2: empty id in column \"id\"");
    fails("err_tiny_long.csv", &o, TS_EDATA, ":4:3: number too small for a float: \"-0.1e-399\"");
    o.id_cols[0] = "date";
    o.time_col = "date";
    fails("err_empty_id.csv", &o, TS_EUSAGE,
          ": column \"date\" is given to both --time-col and --id-col");

    ts_series_set set;
    ts_error err = {0};
    o = opts();
    ck_assert_int_eq(ts_csv_read(DATA "no-such-file.csv", &o, &set, &err), TS_ENOINPUT);
    ck_assert_str_eq(err.msg, DATA "no-such-file.csv: cannot open: No such file or directory");
    ck_assert_int_eq(ts_csv_read(DATA, &o, &set, &err), TS_ENOINPUT);  /* a directory */
    ck_assert_ptr_nonnull(strstr(err.msg, "cannot read"));
}
END_TEST

/* ---- real data sets: $top_srcdir/../shared/data, skipped (with a SKIP line)
 * when absent ---- */

/* The path of a shared data set's file in buf, or NULL after a SKIP line
 * when it cannot be read. */
static const char *shared_data(const char *file, const char *what, char *buf, size_t size)
{
    const char *top = getenv("top_srcdir");
    snprintf(buf, size, "%s/../shared/data/%s", top && *top ? top : TSDIFF_SRCDIR, file);
    if (access(buf, R_OK) == 0) return buf;
    fprintf(stderr, "SKIP: %s check not run: %s absent\n", what, buf);
    return NULL;
}

START_TEST(test_nn5)
{
    char buf[4096];
    const char *path = shared_data("nn5_daily/NN5_FINAL_DATASET_WITH_TEST_DATA.csv", "NN5", buf,
                                   sizeof buf);
    if (!path) return;
    ts_series_set set;
    ts_csv_opts o = opts();
    size_t missing = 0, days = 0;
    load(path, &o, &set);  /* BOM, ';', CRLF, trailing empty column */
    freq_is(&set, TS_FREQ_DAY, 1);
    ck_assert_uint_eq(set.n, 111);
    ck_assert_str_eq(set.series[0].name, "N101");
    ck_assert_str_eq(set.series[110].name, "N211");
    for (size_t i = 0; i < set.n; i++) {
        const ts_series *s = &set.series[i];
        ts_series_stats st;
        ts_series_stats_of(s, &st);
        missing += st.n_missing;
        /* Trimmed series still lie inside 1996-03-18 .. 1998-05-17. */
        ck_assert_int_ge(s->start, T("1996-03-18"));
        ck_assert_int_le(ts_time_add(set.freq, s->start, (long)s->len - 1), T("1998-05-17"));
        if (s->len > days) days = s->len;
    }
    ck_assert_uint_eq(days, 791);
    ck_assert_uint_eq(missing, 1688);  /* the file's empty cells */
    ck_assert_float_eq(get(&set, "N101")->values[0], 21.499f);
    ts_series_set_free(&set);
}
END_TEST

START_TEST(test_etth1)
{
    char buf[4096];
    const char *path = shared_data("etth1/ETTh1.csv", "ETTh1", buf, sizeof buf);
    if (!path) return;
    ts_series_set set;
    ts_csv_opts o = opts();
    load(path, &o, &set);
    freq_is(&set, TS_FREQ_HOUR, 1);
    ck_assert_uint_eq(set.n, 7);
    ck_assert_str_eq(set.series[6].name, "OT");
    for (size_t i = 0; i < set.n; i++) {
        ck_assert_uint_eq(set.series[i].len, 17420);
        ck_assert_int_eq(set.series[i].start, T("2016-07-01 00:00"));
    }
    ck_assert_float_eq(set.series[0].values[0], 5.827000141143799f);
    ck_assert_float_eq(set.series[6].values[1], 27.78700065612793f);
    ts_series_set_free(&set);
}
END_TEST

/* ---- fuzz: truncations and byte mutations of every fixture ---- */

static const char *const fuzz_seeds[] = {
    "wide.csv", "long1.csv", "quotes.csv", "bom_crlf.csv", "trailing_empty_col.csv",
    "ts_offset.csv", "freq_month_end.csv", "dup_wide.csv", "missing_tokens.csv", "err_quote.csv",
};

static size_t slurp(const char *name, char *buf, size_t size)
{
    char path[1024];
    snprintf(path, sizeof path, DATA "%s", name);
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    size_t n = fread(buf, 1, size, f);
    fclose(f);
    return n;
}

/* Write n bytes to tmp and read them under o: any outcome but a crash or
 * an unexpected code is fine; a success must give a valid set. */
static void try_bytes(const char *tmp, const char *b, size_t n, const ts_csv_opts *o)
{
    FILE *f = fopen(tmp, "wb");
    ck_assert_ptr_nonnull(f);
    fwrite(b, 1, n, f);
    fclose(f);
    ts_series_set set;
    ts_error err = {0};
    int rc = ts_csv_read(tmp, o, &set, &err);
    ck_assert_msg(rc == 0 || rc == TS_EDATA || rc == TS_EUSAGE, "rc %d: %s", rc, err.msg);
    if (rc) {
        ck_assert_ptr_nonnull(strstr(err.msg, tmp));  /* errors name the file */
        ck_assert_ptr_null(strchr(err.msg, '\n'));
    }
    for (size_t i = 0; i < set.n; i++)
        ck_assert(set.series[i].len >= 1 && !isnan(set.series[i].values[0]));
    ts_series_set_free(&set);
}

START_TEST(test_fuzz)
{
    char tmp[256], buf[4096], mut[4096];
    /* Thousands of small files: a RAM disk when there is one. */
    snprintf(tmp, sizeof tmp, "%s/check_csv_fuzz.XXXXXX",
             access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    int fd = mkstemp(tmp);
    ck_assert_int_ge(fd, 0);
    close(fd);
    unsigned seed = 12345;
    ts_set_quiet(1);  /* no notes about left-out columns */
    static const char alphabet[] = ",;\t\"\r\n 0123456789.-+eE:TZ/NAan\xEF\xBB\xBF\x80\xff";
    for (size_t k = 0; k < sizeof fuzz_seeds / sizeof fuzz_seeds[0]; k++) {
        size_t n = slurp(fuzz_seeds[k], buf, sizeof buf);
        ts_csv_opts o = opts();
        if (k == 1) o.id_cols[o.n_id_cols++] = "store";
        for (size_t cut = 0; cut <= n; cut++) try_bytes(tmp, buf, cut, &o);
        for (int round = 0; round < 150; round++) {
            memcpy(mut, buf, n);
            for (int m = 0; m < 1 + round % 4; m++) {
                seed = seed * 1103515245u + 12345u;
                size_t at = (seed >> 8) % (n ? n : 1);
                seed = seed * 1103515245u + 12345u;
                mut[at] = alphabet[(seed >> 8) % (sizeof alphabet - 1)];
            }
            try_bytes(tmp, mut, n, &o);
        }
    }
    for (int round = 0; round < 100; round++) {  /* plain random bytes */
        size_t n = 1 + (size_t)round * 7;
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            mut[i] = (char)(seed >> 16);
        }
        ts_csv_opts o = opts();
        try_bytes(tmp, mut, n, &o);
    }
    unlink(tmp);
}
END_TEST

int main(void)
{
    return tu_run(TU_SUITE("csv",
        test_wide, test_wide_trim, test_long_one_id, test_long_two_ids, test_long_no_time,
        test_text_and_value_columns, test_no_time_column, test_no_header, test_delimiters,
        test_quotes, test_bom_crlf_blank_lines, test_trailing_empty_column,
        test_timestamp_forms, test_frequencies, test_freq_option_and_gaps, test_unsorted_rows,
        test_duplicates, test_missing_tokens, test_tiny_numbers, test_errors, test_nn5,
        test_etth1, test_fuzz));
}
