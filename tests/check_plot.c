/* check_plot.c - the gnuplot driver: fan charts and loss curves drawn to PNG
 * and SVG, one file per series with "%s", bad names, a failing or missing
 * gnuplot, and that no output or temporary file is ever left behind. */
#define _POSIX_C_SOURCE 200809L
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/plot.h"
#include "testutil.h"

#define NH 60
#define NF 14

/* Two daily series with a weekly pattern, their history and a forecast fan. */
typedef struct {
    char dates[NH + NF][24];
    const char *hist_time[NH], *fc_time[NF];
    float hist[2][NH], q[2][7][NF], truth[2][NF];
    ts_plot_panel panels[2];
} fixture;

static char dir[256], tmpdir[300];
static const char *base_tmp;  /* $TMPDIR when the suite started */

static void make_fixture(fixture *fx, const char *name0, const char *name1, int with_truth)
{
    static const float z[7] = {-1.645f, -1.2816f, -0.6745f, 0, 0.6745f, 1.2816f, 1.645f};
    memset(fx, 0, sizeof *fx);
    for (int i = 0; i < NH + NF; i++) {
        /* 2024-01-01 + i, within January to March */
        int d = i, m = 1;
        if (d >= 31) { d -= 31; m = 2; }
        if (m == 2 && d >= 29) { d -= 29; m = 3; }
        snprintf(fx->dates[i], sizeof fx->dates[i], "2024-%02d-%02d", m, d + 1);
    }
    for (int s = 0; s < 2; s++) {
        float level = s ? 12 : 400;
        for (int i = 0; i < NH; i++) {
            fx->hist_time[i] = fx->dates[i];
            fx->hist[s][i] = level * (1 + 0.3f * sinf(i * 0.9f)) + (i % 5) * level * 0.05f;
        }
        for (int i = 0; i < NF; i++) {
            fx->fc_time[i] = fx->dates[NH + i];
            float mid = level * (1 + 0.3f * sinf((NH + i) * 0.9f)), sd = level * 0.1f * (1 + i / 7.0f);
            for (int k = 0; k < 7; k++) fx->q[s][k][i] = fmaxf(0, mid + z[k] * sd);
            fx->truth[s][i] = mid + (i % 3 - 1) * sd;
        }
        ts_plot_panel *p = &fx->panels[s];
        p->name = s ? name1 : name0;
        p->time_is_date = 1;
        p->n_hist = NH;
        p->hist_time = fx->hist_time;
        p->hist = fx->hist[s];
        p->n_fc = NF;
        p->fc_time = fx->fc_time;
        for (int k = 0; k < 7; k++) p->q[k] = fx->q[s][k];
        p->truth = with_truth ? fx->truth[s] : NULL;
    }
    fx->hist[1][10] = NAN;  /* a gap */
}

/* Number of entries in folder d, not counting . and .. */
static int count_files(const char *d)
{
    DIR *h = opendir(d);
    ck_assert_ptr_nonnull(h);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(h)) != NULL) n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(h);
    return n;
}

/* Read the first `size` bytes of path; returns the file's length. */
static long head(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "%s was not written", path);
    size_t n = fread(buf, 1, size - 1, f);
    buf[n] = '\0';
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fclose(f);
    return len;
}

static void assert_png(const char *path)
{
    char buf[16];
    long len = head(path, buf, sizeof buf);
    ck_assert_msg(memcmp(buf, "\x89PNG\r\n\x1a\n", 8) == 0, "%s is not a PNG", path);
    ck_assert_msg(len > 5000, "%s is only %ld bytes", path, len);
}

static char *path_in(const char *name)
{
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

static void setup(void)
{
    snprintf(dir, sizeof dir, "%s/check_plot.XXXXXX", base_tmp);
    ck_assert_ptr_nonnull(mkdtemp(dir));
    /* Our own TMPDIR, to see that the temporary files go away. */
    snprintf(tmpdir, sizeof tmpdir, "%s/tmp", dir);
    ck_assert_int_eq(mkdir(tmpdir, 0700), 0);
    setenv("TMPDIR", tmpdir, 1);
}

static void remove_tree(const char *d)
{
    DIR *h = opendir(d);
    if (!h) return;
    struct dirent *e;
    char p[1024];
    while ((e = readdir(h)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        snprintf(p, sizeof p, "%s/%s", d, e->d_name);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) remove_tree(p);
        else unlink(p);
    }
    closedir(h);
    rmdir(d);
}

static void teardown(void)
{
    ck_assert_int_eq(count_files(tmpdir), 0);  /* no temporary file left */
    remove_tree(dir);
    setenv("TMPDIR", base_tmp, 1);
}

START_TEST(test_fan_png_and_svg)
{
    fixture fx;
    ts_error err = {0};
    make_fixture(&fx, "north", "south", 0);
    ck_assert_int_eq(ts_plot_fan(path_in("fan.png"), fx.panels, 2, &err), 0);
    assert_png(path_in("fan.png"));
    ck_assert_int_eq(ts_plot_fan(path_in("fan.SVG"), fx.panels, 2, &err), 0);
    char buf[4096];
    long len = head(path_in("fan.SVG"), buf, sizeof buf);
    ck_assert_ptr_nonnull(strstr(buf, "<svg"));
    ck_assert_int_gt(len, 5000);
    ck_assert_int_eq(count_files(dir), 3);  /* tmp/, fan.png, fan.SVG */
    /* The series names are the titles. */
    FILE *f = fopen(path_in("fan.SVG"), "r");
    char *all = calloc(1, (size_t)len + 1);
    ck_assert_int_eq((long)fread(all, 1, (size_t)len, f), len);
    fclose(f);
    ck_assert_ptr_nonnull(strstr(all, ">north<"));
    ck_assert_ptr_nonnull(strstr(all, ">south<"));
    free(all);
}
END_TEST

START_TEST(test_one_file_per_series)
{
    fixture fx;
    ts_error err = {0};
    make_fixture(&fx, "store 1/north", "store 1:north", 0);  /* both become store_1_north */
    ck_assert_int_eq(ts_plot_fan(path_in("fc-%s.png"), fx.panels, 2, &err), 0);
    assert_png(path_in("fc-store_1_north.png"));
    assert_png(path_in("fc-store_1_north-2.png"));
    ck_assert_int_eq(count_files(dir), 3);
}
END_TEST

START_TEST(test_backtest_and_step_axis)
{
    fixture fx;
    ts_error err = {0};
    make_fixture(&fx, "a", "b", 1);
    ck_assert_int_eq(ts_plot_fan(path_in("bt.svg"), fx.panels, 2, &err), 0);
    char buf[1 << 16];
    head(path_in("bt.svg"), buf, sizeof buf);
    ck_assert_ptr_nonnull(strstr(buf, "<svg"));
    /* Step numbers instead of dates, times left out. */
    for (int s = 0; s < 2; s++) {
        fx.panels[s].time_is_date = 0;
        fx.panels[s].hist_time = fx.panels[s].fc_time = NULL;
    }
    ck_assert_int_eq(ts_plot_fan(path_in("steps.png"), fx.panels, 2, &err), 0);
    assert_png(path_in("steps.png"));
}
END_TEST

/* The whole text of path (freed by the caller). */
static char *slurp(const char *path)
{
    char buf[8];
    long len = head(path, buf, sizeof buf);
    FILE *f = fopen(path, "r");
    char *all = calloc(1, (size_t)len + 1);
    ck_assert_int_eq((long)fread(all, 1, (size_t)len, f), len);
    fclose(f);
    return all;
}

static int count_of(const char *text, const char *what)
{
    int n = 0;
    for (const char *at = text; (at = strstr(at, what)) != NULL; at++) n++;
    return n;
}

/* --plot-covariates: a row per covariate under each panel, titled by its
 * name (a row without values says so), on forecasts and backtests alike,
 * and a taller image than without them. */
START_TEST(test_covariate_rows)
{
    fixture fx;
    ts_error err = {0};
    static float promo[2][NH + NF], price[2][NH + NF];
    const char *names[2] = {"promo", "price"};
    const float *rows[2][2] = {{promo[0], price[0]}, {promo[1], price[1]}};
    for (int with_truth = 0; with_truth < 2; with_truth++) {
        make_fixture(&fx, "north", "south", with_truth);
        for (int s = 0; s < 2; s++) {
            for (int i = 0; i < NH + NF; i++) {
                promo[s][i] = (float)(i % 7 == 3);
                price[s][i] = s ? NAN : 2.5f + 0.1f * (float)(i % 5);  /* south: none */
            }
            fx.panels[s].n_cov = 2;
            fx.panels[s].cov_name = names;
            fx.panels[s].cov = rows[s];
        }
        const char *out = with_truth ? "cov-bt.svg" : "cov-fc.svg";
        ck_assert_int_eq(ts_plot_fan(path_in(out), fx.panels, 2, &err), 0);
        char *all = slurp(path_in(out));
        ck_assert_int_eq(count_of(all, ">promo</title>"), 2)   /* one plot each */;
        ck_assert_int_eq(count_of(all, ">price</title>"), 1);
        ck_assert_int_eq(count_of(all, ">price (no values)</title>"), 1);
        ck_assert_ptr_nonnull(strstr(all, ">north<"));
        ck_assert_ptr_nonnull(strstr(all, ">south<"));
        int tall = 0, plain = 0;
        ck_assert_int_eq(sscanf(strstr(all, "viewBox=") + 9, "0 0 %*d %d", &tall), 1);
        free(all);
        for (int s = 0; s < 2; s++) fx.panels[s].n_cov = 0;
        ck_assert_int_eq(ts_plot_fan(path_in("plain.svg"), fx.panels, 2, &err), 0);
        all = slurp(path_in("plain.svg"));
        ck_assert_int_eq(sscanf(strstr(all, "viewBox=") + 9, "0 0 %*d %d", &plain), 1);
        ck_assert_ptr_null(strstr(all, ">promo<"));
        ck_assert_int_gt(tall, plain);
        free(all);
    }
    /* one file per series, and step numbers instead of dates */
    for (int s = 0; s < 2; s++) {
        fx.panels[s].n_cov = 2;
        fx.panels[s].time_is_date = 0;
        fx.panels[s].hist_time = fx.panels[s].fc_time = NULL;
    }
    ck_assert_int_eq(ts_plot_fan(path_in("cov-%s.png"), fx.panels, 2, &err), 0);
    assert_png(path_in("cov-north.png"));
    assert_png(path_in("cov-south.png"));
}
END_TEST

START_TEST(test_loss)
{
    enum { N = 400 };
    long step[N];
    float train[N], val[N];
    for (int i = 0; i < N; i++) {
        step[i] = 10L * i;
        train[i] = 0.05f + expf(-i / 80.0f) * (1 + 0.2f * sinf(i * 1.3f));
        val[i] = i % 40 == 0 ? 0.08f + expf(-i / 90.0f) : NAN;
    }
    ts_error err = {0};
    ck_assert_int_eq(ts_plot_loss(path_in("loss.png"), N, step, train, val, &err), 0);
    assert_png(path_in("loss.png"));
    ck_assert_int_eq(ts_plot_loss(path_in("loss2.svg"), N, step, train, NULL, &err), 0);
    /* Nothing positive to draw on a log scale. */
    for (int i = 0; i < N; i++) train[i] = 0;
    ck_assert_int_eq(ts_plot_loss(path_in("none.png"), N, step, train, NULL, &err), TS_EDATA);
    ck_assert_int_eq(access(path_in("none.png"), F_OK), -1);
}
END_TEST

START_TEST(test_bad_names_and_data)
{
    fixture fx;
    ts_error err = {0};
    make_fixture(&fx, "a", "b", 0);
    ck_assert_int_eq(ts_plot_fan(path_in("fan.jpg"), fx.panels, 2, &err), TS_EUSAGE);
    ck_assert_ptr_nonnull(strstr(err.msg, ".png or .svg"));
    ck_assert_int_eq(ts_plot_fan(path_in("fan"), fx.panels, 2, &err), TS_EUSAGE);
    ck_assert_int_eq(ts_plot_fan(path_in("png"), fx.panels, 2, &err), TS_EUSAGE);
    ck_assert_int_eq(ts_plot_loss(path_in("loss.pdf"), 0, NULL, NULL, NULL, &err), TS_EUSAGE);
    ck_assert_int_eq(ts_plot_fan(path_in("no/such/dir/fan.png"), fx.panels, 2, &err),
                     TS_ECANTCREAT);
    fx.dates[3][5] = '1';  /* 2024-01-04 becomes 2024-13-04 */
    fx.dates[3][6] = '3';
    ck_assert_int_eq(ts_plot_fan(path_in("fan.png"), fx.panels, 2, &err), TS_EDATA);
    ck_assert_ptr_nonnull(strstr(err.msg, "2024-13-04"));
    ck_assert_int_eq(count_files(dir), 1);  /* only tmp/ */
}
END_TEST

START_TEST(test_gnuplot_missing)
{
    fixture fx;
    ts_error err = {0};
    make_fixture(&fx, "a", "b", 0);
    /* An older file at the target stays as it was. */
    FILE *f = fopen(path_in("fan.png"), "w");
    fputs("old", f);
    fclose(f);
    char empty[512], *old_path = strdup(getenv("PATH") ? getenv("PATH") : "");
    snprintf(empty, sizeof empty, "%s/empty", dir);
    ck_assert_int_eq(mkdir(empty, 0700), 0);
    setenv("PATH", empty, 1);
    int rc = ts_plot_fan(path_in("fan.png"), fx.panels, 2, &err);
    int rc2 = ts_plot_fan(path_in("new-%s.svg"), fx.panels, 2, &err);
    setenv("PATH", old_path, 1);
    free(old_path);
    ck_assert_int_eq(rc, TS_EUNAVAIL);
    ck_assert_int_eq(rc2, TS_EUNAVAIL);
    ck_assert_ptr_nonnull(strstr(err.msg, "gnuplot not found"));
    ck_assert_ptr_nonnull(strstr(err.msg, "new-%s.svg"));
    char buf[16];
    ck_assert_int_eq(head(path_in("fan.png"), buf, sizeof buf), 3);
    ck_assert_str_eq(buf, "old");
    ck_assert_int_eq(count_files(dir), 3);  /* tmp/, empty/, the old fan.png */
}
END_TEST

START_TEST(test_gnuplot_fails)
{
    fixture fx;
    ts_error err = {0};
    make_fixture(&fx, "a", "b", 0);
    /* Templates of our own that gnuplot rejects. */
    char tdir[512];
    snprintf(tdir, sizeof tdir, "%s/templates", dir);
    ck_assert_int_eq(mkdir(tdir, 0700), 0);
    FILE *f = fopen(path_in("templates/forecast.gp"), "w");
    fputs("load metafile\nset terminal svg\nset output outfiles[1]\nplot no_such_function(x)\n", f);
    fclose(f);
    setenv("TSDIFF_PLOTS_DIR", tdir, 1);
    ck_assert_str_eq(ts_plot_dir(), tdir);
    int rc = ts_plot_fan(path_in("fan.svg"), fx.panels, 2, &err);
    unsetenv("TSDIFF_PLOTS_DIR");
    ck_assert_int_eq(rc, TS_EIO);
    ck_assert_ptr_nonnull(strstr(err.msg, "no_such_function"));
    ck_assert_ptr_null(strchr(err.msg, '\n'));
    ck_assert_int_eq(count_files(dir), 2);  /* tmp/, templates/: no fan.svg */
}
END_TEST

/* Whether gnuplot is on the PATH. */
static int have_gnuplot(void)
{
    const char *path = getenv("PATH");
    char buf[4096];
    while (path && *path) {
        size_t n = strcspn(path, ":");
        snprintf(buf, sizeof buf, "%.*s/gnuplot", (int)n, path);
        if (access(buf, X_OK) == 0) return 1;
        path += n + (path[n] == ':');
    }
    return 0;
}

int main(void)
{
    int gnuplot = have_gnuplot();
    base_tmp = getenv("TMPDIR") && *getenv("TMPDIR") ? strdup(getenv("TMPDIR")) : "/tmp";
    Suite *s = suite_create("plot");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_bad_names_and_data);
    tcase_add_test(tc, test_gnuplot_missing);
    if (gnuplot) {
        tcase_add_test(tc, test_fan_png_and_svg);
        tcase_add_test(tc, test_one_file_per_series);
        tcase_add_test(tc, test_backtest_and_step_axis);
    tcase_add_test(tc, test_covariate_rows);
        tcase_add_test(tc, test_loss);
        tcase_add_test(tc, test_gnuplot_fails);
    }
    suite_add_tcase(s, tc);
    if (tu_run(s) != EXIT_SUCCESS) return EXIT_FAILURE;
    if (!gnuplot) {
        fprintf(stderr, "SKIP: gnuplot not found, drew no plots\n");
        return 77;
    }
    return EXIT_SUCCESS;
}
