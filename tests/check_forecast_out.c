/* check_forecast_out.c - the forecast writers refuse values that are not
 * finite: ts_forecast_check names the series and the step, and the quantile
 * CSV, the samples CSV and the fan chart fail with TS_EINTERNAL without
 * creating their file (or a temporary one); a finite forecast is written. */
#define _POSIX_C_SOURCE 200809L
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diffusion/forecast.h"
#include "eval/forecast_out.h"

enum { NS = 2, S = 3, H = 5, LEN = 10 };

static char *names[NS] = {"widgets", "gadgets"};
static float hist[NS][LEN];
static ts_series series[NS];
static ts_series_set set = {.series = series, .n = NS, .freq = {TS_FREQ_NONE, 1}};
static size_t sel[NS] = {0, 1};
static float values[NS * S * H];
static ts_forecast fc = {.n = NS, .series = sel, .horizon = H, .samples = S, .values = values};
static char dir[64];

static void setup(void)
{
    for (int i = 0; i < NS; i++) {
        for (int j = 0; j < LEN; j++) hist[i][j] = (float)(100 * (i + 1) + j);
        series[i] = (ts_series){.name = names[i], .len = LEN, .values = hist[i]};
    }
    for (int v = 0; v < NS * S * H; v++) values[v] = (float)(v % 7);
    snprintf(dir, sizeof dir, "%s/fcout.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

/* Files left in dir (the test removes them). */
static int files_left(void)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    struct dirent *e;
    char p[512];
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            unlink(p);
            n++;
        }
    closedir(d);
    return n;
}

static void teardown(void)
{
    files_left();
    rmdir(dir);
}

/* Set sample k of series i at step h (1-based) to v. */
static void put(int i, int k, int h, float v)
{
    values[(i * S + k) * H + h - 1] = v;
}

/* Every writer fails with TS_EINTERNAL and `msg`, and leaves no file. */
static void expect_refused(const char *msg)
{
    static const double q[3] = {0.1, 0.5, 0.9};
    char path[128];
    ts_error err = {0};
    snprintf(path, sizeof path, "%s/f.csv", dir);
    ck_assert_int_eq(ts_forecast_check(&fc, &set, &err), TS_EINTERNAL);
    ck_assert_str_eq(err.msg, msg);
    err = (ts_error){0};
    ck_assert_int_eq(ts_forecast_write_csv(path, &fc, &set, NULL, q, 3, &err), TS_EINTERNAL);
    ck_assert_str_eq(err.msg, msg);
    err = (ts_error){0};
    ck_assert_int_eq(ts_forecast_write_samples(path, &fc, &set, &err), TS_EINTERNAL);
    ck_assert_str_eq(err.msg, msg);
    err = (ts_error){0};
    snprintf(path, sizeof path, "%s/f.png", dir);
    ck_assert_int_eq(ts_forecast_plot(path, &fc, &set, NULL, 5, 0, &err), TS_EINTERNAL);
    ck_assert_str_eq(err.msg, msg);
    ck_assert_int_eq(files_left(), 0);
}

START_TEST(test_finite_written)
{
    static const double q[3] = {0.1, 0.5, 0.9};
    char path[128];
    ts_error err = {0};
    ck_assert_int_eq(ts_forecast_check(&fc, &set, &err), 0);
    snprintf(path, sizeof path, "%s/f.csv", dir);
    ck_assert_int_eq(ts_forecast_write_csv(path, &fc, &set, NULL, q, 3, &err), 0);
    snprintf(path, sizeof path, "%s/s.csv", dir);
    ck_assert_int_eq(ts_forecast_write_samples(path, &fc, &set, &err), 0);
    ck_assert_int_eq(files_left(), 2);
}
END_TEST

START_TEST(test_nan_refused)
{
    put(1, 2, 4, NAN);
    expect_refused("forecast: series \"gadgets\" step 4: sample value is not finite "
                   "(the sampler diverged)");
}
END_TEST

/* The first series with such a value, at its earliest step over samples. */
START_TEST(test_inf_refused)
{
    put(1, 0, 1, NAN);
    put(0, 2, 5, -INFINITY);
    put(0, 1, 3, INFINITY);
    expect_refused("forecast: series \"widgets\" step 3: sample value is not finite "
                   "(the sampler diverged)");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("forecast_out");
    TCase *tc = tcase_create("finite");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_finite_written);
    tcase_add_test(tc, test_nan_refused);
    tcase_add_test(tc, test_inf_refused);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
