/* check_covariates.c - covariates known in the future: the CSV reader's
 * covariate columns (both future conventions, errors with file:line:column),
 * the covariate table and inputs (one-hot, indicators, unknown levels), the
 * window's covariate channels (context AND horizon, scaling) and the model
 * file's round trip (src/data/covariates.h, csv.h, window.h, model.h). */
#define _POSIX_C_SOURCE 200809L
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data/covariates.h"
#include "data/csv.h"
#include "data/window.h"
#include "model/model.h"
#include "testutil.h"

#define FIXTURES TSDIFF_SRCDIR "/tests/data/model/"

static char dir[256];

static void setup(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/check_cov.XXXXXX", t && *t ? t : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* Write text to dir/name; returns the path (static). */
static const char *put(const char *name, const char *text)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static ts_csv_opts long_opts(void)
{
    ts_csv_opts o;
    ts_csv_opts_default(&o);
    o.id_cols[0] = "id";
    o.n_id_cols = 1;
    o.value_col = "y";
    o.cov_cols[0] = "price";
    o.n_cov_cols = 1;
    o.cat_cols[0] = "kind";
    o.n_cat_cols = 1;
    return o;
}

static float cov_at(const ts_series *s, int k, size_t j) { return s->cov[(size_t)k * s->cov_len + j]; }

/* The options of a --future file read beside data read with o. */
static ts_csv_opts future_opts(const ts_csv_opts *o)
{
    ts_csv_opts fo = *o;
    fo.cov_only = 1;
    fo.value_col = NULL;
    fo.freq = "D";
    return fo;
}

/* Read hist with o into set, fut as its future file into f, and merge. */
static void read_merged(const char *hist, const char *fut, const ts_csv_opts *o,
                        ts_series_set *set, ts_series_set *f)
{
    ts_error err = {0};
    ts_csv_opts fo = future_opts(o);
    ck_assert_int_eq(ts_csv_read(put("h.csv", hist), o, set, &err), 0);
    ck_assert_int_eq(ts_csv_read(put("fut.csv", fut), &fo, f, &err), 0);
    ck_assert_uint_eq(f->series[0].len, 0);
    ck_assert_int_eq(ts_series_set_add_future(set, f, &err), 0);
}

/* Rows after the last target with the target empty: the future's covariates. */
static const char *LONG_FUTURE =
    "id,date,y,price,kind\n"
    "a,2024-01-01,1,10,x\n"
    "a,2024-01-02,2,11,y\n"
    "a,2024-01-03,3,12,x\n"
    "a,2024-01-04,,13,y\n"
    "a,2024-01-05,,14,x\n"
    "b,2024-01-02,5,20,y\n"
    "b,2024-01-03,6,,y\n";

START_TEST(csv_long_future_rows)
{
    ts_csv_opts o = long_opts();
    ts_series_set set;
    ts_error err = {0};
    ck_assert_int_eq(ts_csv_read(put("f.csv", LONG_FUTURE), &o, &set, &err), 0);
    ck_assert_int_eq(set.n_cov, 2);
    ck_assert_str_eq(set.cov[0].name, "price");
    ck_assert_int_eq(set.cov[0].n_levels, 0);
    ck_assert_str_eq(set.cov[1].name, "kind");
    ck_assert_int_eq(set.cov[1].n_levels, 2);
    ck_assert_str_eq(set.cov[1].levels[0], "x");
    const ts_series *a = &set.series[0], *b = &set.series[1];
    ck_assert_uint_eq(a->len, 3);
    ck_assert_uint_eq(a->cov_len, 5);   /* two future rows */
    for (size_t j = 0; j < 5; j++) ck_assert_float_eq(cov_at(a, 0, j), 10 + j);
    ck_assert_float_eq(cov_at(a, 1, 3), 1);   /* "y" */
    ck_assert_float_eq(cov_at(a, 1, 4), 0);   /* "x" */
    ck_assert_uint_eq(b->len, 2);
    ck_assert_uint_eq(b->cov_len, 2);
    ck_assert(isnan(cov_at(b, 0, 1)));
    ts_series_set_free(&set);
}
END_TEST

/* --future: a file without the target, merged by series and time, gives
 * the same covariates as rows in the data file. */
START_TEST(csv_future_file_same)
{
    const char *hist = "id,date,y,price,kind\n"
                       "a,2024-01-01,1,10,x\n"
                       "a,2024-01-02,2,11,y\n"
                       "a,2024-01-03,3,12,x\n"
                       "b,2024-01-02,5,20,y\n"
                       "b,2024-01-03,6,,y\n";
    const char *fut = "id,date,price,kind\n"
                      "a,2024-01-05,14,x\n"
                      "a,2024-01-04,13,y\n";
    ts_csv_opts o = long_opts();
    ts_series_set set, same, f;
    ts_error err = {0};
    read_merged(hist, fut, &o, &set, &f);
    ck_assert_int_eq(ts_csv_read(put("f.csv", LONG_FUTURE), &o, &same, &err), 0);
    for (size_t s = 0; s < 2; s++) {
        ck_assert_uint_eq(set.series[s].cov_len, same.series[s].cov_len);
        for (size_t i = 0; i < 2 * same.series[s].cov_len; i++) {
            float x = set.series[s].cov[i], y = same.series[s].cov[i];
            ck_assert(isnan(x) ? isnan(y) : x == y);
        }
    }
    ts_series_set_free(&set);
    ts_series_set_free(&same);
    ts_series_set_free(&f);
}
END_TEST

/* --future reaching far past the data (found by tests/fuzz: the merge
 * grew the covariates one point at a time): the covariates reach its last
 * timestamp, NaN between, and a timestamp before a series' start is an
 * error naming the file, the series and the time. */
START_TEST(csv_future_far)
{
    const char *hist = "id,date,y,price,kind\n"
                       "a,2024-01-01,1,10,x\n"
                       "a,2024-01-02,2,11,y\n";
    const char *fut = "id,date,price,kind\n"
                      "a,2024-01-03,12,x\n"
                      "a,2124-01-03,99,y\n";
    ts_csv_opts o = long_opts();
    o.cat_cols[0] = NULL;
    o.n_cat_cols = 0;
    ts_series_set set, f;
    ts_error err = {0};
    read_merged(hist, fut, &o, &set, &f);
    const ts_series *a = &set.series[0];
    size_t days = 36500 + 24 + 2;   /* 2124-01-03: 100 years with 24 leap days (not 2100), 2 days */
    ck_assert_uint_eq(a->cov_len, days + 1);
    ck_assert_float_eq(cov_at(a, 0, 1), 11);
    ck_assert_float_eq(cov_at(a, 0, 2), 12);
    ck_assert(isnan(cov_at(a, 0, 3)) && isnan(cov_at(a, 0, days - 1)));
    ck_assert_float_eq(cov_at(a, 0, days), 99);
    ts_series_set_free(&f);
    ts_csv_opts fo = future_opts(&o);
    ck_assert_int_eq(ts_csv_read(put("early.csv", "id,date,price\na,2023-12-31,1\n"), &fo, &f,
                                 &err), 0);
    ck_assert_int_eq(ts_series_set_add_future(&set, &f, &err), TS_EDATA);
    ck_assert_ptr_nonnull(strstr(err.msg, "series \"a\": timestamp 2023-12-31 is before the series starts"));
    ts_series_set_free(&f);
    ts_series_set_free(&set);
}
END_TEST

START_TEST(csv_wide_shared)
{
    const char *text = "date,sales,temp\n"
                       "2024-01-01,1,5\n"
                       "2024-01-02,2,6\n"
                       "2024-01-03,,7\n";
    ts_csv_opts o;
    ts_csv_opts_default(&o);
    o.cov_cols[0] = "temp";
    o.n_cov_cols = 1;
    ts_series_set set;
    ts_error err = {0};
    ck_assert_int_eq(ts_csv_read(put("w.csv", text), &o, &set, &err), 0);
    ck_assert_uint_eq(set.n, 1);   /* temp is no series */
    ck_assert_uint_eq(set.series[0].len, 2);
    ck_assert_uint_eq(set.series[0].cov_len, 3);
    ck_assert_float_eq(cov_at(&set.series[0], 0, 2), 7);
    ts_series_set_free(&set);
    o.n_cov_cols = 0;
    o.cov_all = 1;   /* a wide file needs --value-col for that */
    ck_assert_int_eq(ts_csv_read(put("w.csv", text), &o, &set, &err), TS_EUSAGE);
    o.value_col = "sales";
    ck_assert_int_eq(ts_csv_read(put("w.csv", text), &o, &set, &err), 0);
    ck_assert_int_eq(set.n_cov, 1);
    ts_series_set_free(&set);
}
END_TEST

START_TEST(csv_errors)
{
    ts_csv_opts o = long_opts();
    ts_series_set set;
    ts_error err = {0};
    char want[600];
    const char *p = put("bad.csv", "id,date,y,price,kind\na,2024-01-01,1,10,x\na,2024-01-02,2,cheap,x\n");
    ck_assert_int_eq(ts_csv_read(p, &o, &set, &err), TS_EDATA);
    snprintf(want, sizeof want, "%s:3:4: expected a number, found \"cheap\"", p);
    ck_assert_str_eq(err.msg, want);
    o.cov_cols[0] = "cost";   /* no such column */
    ck_assert_int_eq(ts_csv_read(p, &o, &set, &err), TS_EUSAGE);
    ck_assert_ptr_nonnull(strstr(err.msg, "no column \"cost\" for --covariate"));
    o.cov_required = 1;       /* a model's column: bad data */
    ck_assert_int_eq(ts_csv_read(p, &o, &set, &err), TS_EDATA);
    ck_assert_ptr_nonnull(strstr(err.msg, "fitted with covariate \"cost\""));
    o = long_opts();
    o.cov_cols[0] = "y";      /* the value column */
    ck_assert_int_eq(ts_csv_read(p, &o, &set, &err), TS_EUSAGE);
}
END_TEST

/* A two-series set with price and kind; b has kind "z" at point 1 when odd. */
static void table_and_inputs(int odd, int *rc_out)
{
    const char *text = odd ? "id,date,y,price,kind\na,2024-01-01,1,0,x\na,2024-01-02,2,1,y\n"
                             "b,2024-01-01,1,1,x\nb,2024-01-02,2,0,z\n"
                           : "id,date,y,price,kind\na,2024-01-01,1,0,x\na,2024-01-02,2,1,y\n"
                             "b,2024-01-01,1,1,x\nb,2024-01-02,2,,y\n";
    ts_csv_opts o = long_opts();
    ts_series_set set;
    ts_error err = {0};
    ck_assert_int_eq(ts_csv_read(put("t.csv", text), &o, &set, &err), 0);
    ts_cov_table t = {0};
    ck_assert_int_eq(ts_cov_table_add(&t, "price", NULL, 1, &err), 0);
    ck_assert_int_eq(ts_cov_table_add(&t, "kind", "y", 1, &err), 0);
    ck_assert_int_eq(ts_cov_table_add(&t, "kind", "x", 1, &err), 0);
    ts_cov_inputs ci;
    *rc_out = ts_cov_inputs_build(&ci, &t, &set, &err);
    if (*rc_out == 0) {
        ck_assert_int_eq(ci.rows, 3);
        const float *a = ci.v[0], *b = ci.v[1];   /* rows x 2 points */
        ck_assert_float_eq(a[0], 0);
        ck_assert_float_eq(a[1], 1);
        ck_assert_float_eq(a[2], 0);   /* kind=y at a's first point ("x") */
        ck_assert_float_eq(a[3], 1);
        ck_assert_float_eq(a[4], 1);   /* kind=x */
        ck_assert_float_eq(a[5], 0);
        ck_assert(isnan(b[1]));        /* b's missing price */
        ck_assert_int_eq(ts_cov_inputs_check(&ci, &t, &set, 1, 0, 2, &err), TS_EDATA);
        ck_assert_str_eq(err.msg, "series \"b\": covariate \"price\" has no value at 2024-01-02 "
                                  "(the forecast needs it at every step of the horizon: give "
                                  "rows after the last target or --future FILE.csv)");
        ck_assert_int_eq(ts_cov_inputs_check(&ci, &t, &set, 0, 0, 3, &err), TS_EDATA);
        ck_assert_ptr_nonnull(strstr(err.msg, "at 2024-01-03"));
        ts_cov_inputs_free(&ci);
    } else {
        ck_assert_ptr_nonnull(strstr(err.msg, "level \"z\" at 2024-01-02"));
    }
    ts_cov_table free_me = {0};
    ck_assert_int_eq(ts_cov_table_from_set(&free_me, &set, &err), 0);
    ck_assert_int_eq(free_me.n, odd ? 4 : 3);   /* price (an indicator) + levels */
    ck_assert_int_eq(free_me.row[0].raw, 1);
    ts_cov_table_free(&free_me);
    ts_cov_table_free(&t);
    ts_series_set_free(&set);
}

START_TEST(inputs_one_hot)
{
    int rc;
    table_and_inputs(0, &rc);
    ck_assert_int_eq(rc, 0);
    table_and_inputs(1, &rc);
    ck_assert_int_eq(rc, TS_EDATA);   /* an unknown level */
}
END_TEST

/* The covariate channels: context AND horizon, standardised by the context
 * or as given, zero on the padding and where missing. */
START_TEST(window_channels)
{
    ts_window_spec w;
    ts_error err = {0};
    ck_assert_int_eq(ts_window_spec_make(&w, (ts_freq){TS_FREQ_NONE, 1}, 0, 4, 2, 2, &err), 0);
    int base = w.channels, raw[2] = {0, 1};
    ts_window_set_covariates(&w, 2, raw);
    ck_assert_int_eq(w.channels, base + 2);
    char nm[32];
    ck_assert_str_eq(ts_window_channel_name(&w, base, nm, sizeof nm), "covariate 0");
    ck_assert_str_eq(ts_window_channel_name(&w, base + 1, nm, sizeof nm), "indicator 1");
    ck_assert_int_eq(w.pad, 0);
    float values[6] = {1, 2, 3, 4, NAN, NAN};
    /* row 0: 2 4 6 8 | 100 NaN; row 1: 0 1 0 1 | 1 0 */
    float cov[12] = {2, 4, 6, 8, 100, NAN, 0, 1, 0, 1, 1, 0};
    ts_series_view v = {.values = values, .len = 4, .level = 2.5, .n_cov = 2, .cov_len = 6,
                        .cov = cov, .cov_first = 0};
    float in[64 * 6];
    ts_window_norm sc;
    ck_assert_int_eq(ts_window_fill(&w, &v, 4, in, NULL, NULL, &sc), 1);
    const float *r0 = in + (size_t)base * w.length, *r1 = r0 + w.length;
    double mean = 5, sd = sqrt(5.0);   /* of 2 4 6 8 */
    for (int p = 0; p < 4; p++) ck_assert_float_eq_tol(r0[p], (2 + 2 * p - mean) / sd, 1e-6);
    ck_assert_float_eq(r0[4], 10);   /* (100 - 5) / sd clamped */
    ck_assert_float_eq(r0[5], 0);    /* missing */
    for (int p = 0; p < 6; p++) ck_assert_float_eq(r1[p], cov[6 + p]);
    /* a view whose point 0 is covariate point 1: covariate point i at
     * position p = i - 1 + 2 (j0 = -2) */
    v.cov_first = 1;
    v.len = 2;
    ck_assert_int_eq(ts_window_fill(&w, &v, 2, in, NULL, NULL, &sc), 1);
    ck_assert_float_eq(r0[0], 0);   /* before the covariates start */
    mean = 4, sd = sqrt(8.0 / 3);   /* of 2 4 6, the context's known values */
    ck_assert_float_eq_tol(r0[1], (2 - mean) / sd, 1e-6);
    ck_assert_float_eq_tol(r0[4], (8 - mean) / sd, 1e-6);   /* the horizon */
    ck_assert_float_eq(r0[5], 10);
    for (int p = 1; p < 6; p++) ck_assert_float_eq(r1[p], cov[6 + p - 1]);
}
END_TEST

START_TEST(model_roundtrip)
{
    ts_model m, back;
    ts_error err = {0};
    ck_assert_int_eq(ts_model_load(FIXTURES "v1-daily.model", &m, &err), 0);
    ck_assert_int_eq(m.net.cov.n, 0);   /* an old file: none */
    int channels = m.net.win.channels;
    ts_cov_table t = {0};
    ck_assert_int_eq(ts_cov_table_add(&t, "price", NULL, 0, &err), 0);
    ck_assert_int_eq(ts_cov_table_add(&t, "store type", "big, old", 1, &err), 0);
    ts_net_set_covariates(&m.net, &t);
    ck_assert_int_eq(m.net.win.channels, channels + 2);
    m.net.unet.in_channels = m.net.win.channels;   /* the weights do not matter here */
    char path[600];
    snprintf(path, sizeof path, "%s/c.model", dir);
    ck_assert_int_eq(ts_model_save(&m, path, TS_SAVE_FIT, &err), 0);
    ck_assert_int_eq(ts_model_load(path, &back, &err), 0);
    ck_assert_int_eq(back.net.cov.n, 2);
    ck_assert_str_eq(back.net.cov.row[0].column, "price");
    ck_assert_ptr_null(back.net.cov.row[0].level);
    ck_assert_int_eq(back.net.cov.row[0].raw, 0);
    ck_assert_str_eq(back.net.cov.row[1].column, "store type");
    ck_assert_str_eq(back.net.cov.row[1].level, "big, old");
    ck_assert_int_eq(back.net.win.channels, channels + 2);
    ck_assert_int_eq(back.net.win.chan[channels].kind, TS_CHAN_COV);
    ck_assert_int_eq(back.net.win.chan[channels + 1].kind, TS_CHAN_COV_RAW);
    ts_csv_opts csv;
    ts_csv_opts_default(&csv);
    ts_model_csv_covariates(&back, &csv);
    ck_assert_int_eq(csv.n_cov_cols, 1);
    ck_assert_int_eq(csv.n_cat_cols, 1);
    ck_assert_str_eq(csv.cat_cols[0], "store type");
    ck_assert_int_eq(csv.cov_required, 1);
    ts_model_free(&back);
    ts_model_free(&m);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("covariates");
    TCase *tc = tcase_create("covariates");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, csv_long_future_rows);
    tcase_add_test(tc, csv_future_file_same);
    tcase_add_test(tc, csv_future_far);
    tcase_add_test(tc, csv_wide_shared);
    tcase_add_test(tc, csv_errors);
    tcase_add_test(tc, inputs_one_hot);
    tcase_add_test(tc, window_channels);
    tcase_add_test(tc, model_roundtrip);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
