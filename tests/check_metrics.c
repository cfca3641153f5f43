/* check_metrics.c - CRPS, quantiles and the backtest scores against hand
 * arithmetic and closed forms. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eval/metrics.h"
#include "testutil.h"

#define EPS 1e-12
static const double PI = 3.14159265358979323846;

static double Phi(double z) { return 0.5 * erfc(-z / sqrt(2)); }
static double phi(double z) { return exp(-z * z / 2) / sqrt(2 * PI); }

static double Phi_inv(double p)  /* by bisection: slow but plainly right */
{
    double lo = -40, hi = 40;
    for (int i = 0; i < 200; i++) {
        double mid = (lo + hi) / 2;
        if (Phi(mid) < p) lo = mid;
        else hi = mid;
    }
    return (lo + hi) / 2;
}

/* CRPS(N(mu, s^2), y) = s [z (2 Phi(z) - 1) + 2 phi(z) - 1/sqrt(pi)] */
static double crps_normal(double mu, double s, double y)
{
    double z = (y - mu) / s;
    return s * (z * (2 * Phi(z) - 1) + 2 * phi(z) - 1 / sqrt(PI));
}

/* The definition, O(n^2). */
static double crps_brute(const float *x, int n, double y)
{
    double a = 0, b = 0;
    for (int i = 0; i < n; i++) {
        a += fabs(x[i] - y);
        for (int j = 0; j < n; j++) b += fabs((double)x[i] - x[j]);
    }
    return a / n - b / (2.0 * n * n);
}

START_TEST(quantile_type7)
{
    /* numpy.quantile([1, 2, 3, 4], q):
     * q = 0.5: h = 1.5 -> 2 + 0.5 * 1 = 2.5;  q = 0.25: h = 0.75 -> 1.75;
     * q = 0.9: h = 2.7 -> 3 + 0.7 * 1 = 3.7;  q = 0 -> 1;  q = 1 -> 4 */
    const float x[4] = {1, 2, 3, 4};
    ck_assert_double_eq_tol(ts_quantile(x, 4, 0.5), 2.5, EPS);
    ck_assert_double_eq_tol(ts_quantile(x, 4, 0.25), 1.75, EPS);
    ck_assert_double_eq_tol(ts_quantile(x, 4, 0.9), 3.7, 1e-9);
    ck_assert_double_eq(ts_quantile(x, 4, 0), 1);
    ck_assert_double_eq(ts_quantile(x, 4, 1), 4);
    ck_assert_double_eq(ts_quantile(x, 4, -0.5), 1);   /* clamped */
    ck_assert_double_eq(ts_quantile(x, 4, 1.5), 4);
    /* numpy.quantile([0, 10], 0.33) = 3.3 */
    const float two[2] = {0, 10};
    ck_assert_double_eq_tol(ts_quantile(two, 2, 0.33), 3.3, 1e-9);
    const float one[1] = {7};
    ck_assert_double_eq(ts_quantile(one, 1, 0.3), 7);
    ck_assert(isnan(ts_quantile(one, 0, 0.5)));
    /* unsorted input: numpy.quantile([3, 1, 2, 10, -1], [0.1, 0.5, 0.8])
     * sorted -1 1 2 3 10; h = 0.4 -> -1 + 0.4 * 2 = -0.2; h = 2 -> 2;
     * h = 3.2 -> 3 + 0.2 * 7 = 4.4 */
    const float u[5] = {3, 1, 2, 10, -1};
    const double q[3] = {0.1, 0.5, 0.8};
    float sorted[5];
    memcpy(sorted, u, sizeof sorted);
    ts_sort_floats(sorted, 5);
    ck_assert_double_eq_tol(ts_quantile(sorted, 5, q[0]), -0.2, 1e-6);
    ck_assert_double_eq_tol(ts_quantile(sorted, 5, q[1]), 2.0, 1e-6);
    ck_assert_double_eq_tol(ts_quantile(sorted, 5, q[2]), 4.4, 1e-6);
}
END_TEST

START_TEST(sort_nan_last)
{
    float v[6] = {3, NAN, -1, 2, NAN, 0};
    ts_sort_floats(v, 6);
    ck_assert_float_eq(v[0], -1);
    ck_assert_float_eq(v[1], 0);
    ck_assert_float_eq(v[2], 2);
    ck_assert_float_eq(v[3], 3);
    ck_assert(isnan(v[4]) && isnan(v[5]));
}
END_TEST

START_TEST(pinball_values)
{
    /* a = 0.9: under-forecast by 3 costs 0.9 * 3, over-forecast 0.1 * 3 */
    ck_assert_double_eq_tol(ts_pinball(2, 5, 0.9), 2.7, EPS);
    ck_assert_double_eq_tol(ts_pinball(5, 2, 0.9), 0.3, EPS);
    ck_assert_double_eq(ts_pinball(4, 4, 0.3), 0);
}
END_TEST

START_TEST(crps_hand_values)
{
    /* point ensemble: CRPS = |c - y| */
    float c[50];
    for (int i = 0; i < 50; i++) c[i] = 2.5f;
    ck_assert_double_eq_tol(ts_crps_sorted(c, 50, 4.0), 1.5, EPS);
    ck_assert_double_eq_tol(ts_crps_sorted(c, 50, -1.0), 3.5, EPS);
    ck_assert_double_eq_tol(ts_crps_samples(c, 1, 0.5), 2.0, EPS);
    /* {1, 3}, y = 2: E|X - y| = 1, E|X - X'| = (0 + 2 + 2 + 0)/4 = 1 -> 0.5 */
    const float a[2] = {3, 1};
    ck_assert_double_eq_tol(ts_crps_samples(a, 2, 2), 0.5, EPS);
    /* {0, 1, 2}, y = 0: E|X - y| = 1, E|X - X'| = 2 (1 + 2 + 1)/9 = 8/9
     * -> 1 - 4/9 = 5/9 */
    const float b[3] = {2, 0, 1};
    ck_assert_double_eq_tol(ts_crps_samples(b, 3, 0), 5.0 / 9.0, EPS);
    /* {1..5}, y = 3.5: E|X - y| = (2.5 + 1.5 + 0.5 + 0.5 + 1.5)/5 = 1.3,
     * half spread = (-4*1 - 2*2 + 0*3 + 2*4 + 4*5)/25 = 0.8 -> 0.5 */
    const float d[5] = {1, 2, 3, 4, 5};
    ck_assert_double_eq_tol(ts_crps_sorted(d, 5, 3.5), 0.5, EPS);
    ck_assert(isnan(ts_crps_samples(d, 0, 1)));
}
END_TEST

START_TEST(crps_matches_definition)
{
    float x[37];
    for (int trial = 0; trial < 50; trial++) {
        int n = 1 + trial % 37;
        for (int i = 0; i < n; i++) x[i] = (float)(10 * tu_normal() + (trial % 3 ? 0 : 100));
        double y = 10 * tu_normal();
        double want = crps_brute(x, n, y);
        ck_assert_double_eq_tol(ts_crps_samples(x, n, y), want, 1e-9 * (1 + fabs(want)));
    }
}
END_TEST

START_TEST(crps_gaussian_closed_form)
{
    /* at y = mu the closed form is s (sqrt 2 - 1)/sqrt(pi) */
    ck_assert_double_eq_tol(crps_normal(0, 1, 0), (sqrt(2) - 1) / sqrt(PI), EPS);

    /* an ensemble of exact normal quantiles: converges like 1/n */
    enum { NQ = 4000 };
    static float x[NQ];
    const double cases[3][3] = {{0, 1, 0}, {0.5, 2, 1.3}, {-3, 0.5, -4}};
    for (int c = 0; c < 3; c++) {
        double mu = cases[c][0], s = cases[c][1], y = cases[c][2];
        for (int i = 0; i < NQ; i++) x[i] = (float)(mu + s * Phi_inv((i + 0.5) / NQ));
        ck_assert_double_eq_tol(ts_crps_sorted(x, NQ, y), crps_normal(mu, s, y), 2e-3 * s);
    }

    /* random N(0, 1) samples at y = 0: 0.2337 within sampling error (the
     * estimate's sd is about 0.6/sqrt(n) = 0.004; allow 5 sd) */
    enum { NR = 20000 };
    static float r[NR];
    for (int i = 0; i < NR; i++) r[i] = (float)tu_normal();
    ck_assert_double_eq_tol(ts_crps_samples(r, NR, 0), crps_normal(0, 1, 0), 0.02);
}
END_TEST

START_TEST(seasonal_scale_values)
{
    /* {1, 3, 2, 6, 4}, m = 2: |2-1| + |6-3| + |4-2| = 6 over 3 pairs = 2;
     * m = 1: (2 + 1 + 4 + 2)/4 = 2.25 */
    const float y[5] = {1, 3, 2, 6, 4};
    ck_assert_double_eq_tol(ts_seasonal_scale(y, 5, 2), 2.0, EPS);
    ck_assert_double_eq_tol(ts_seasonal_scale(y, 5, 1), 2.25, EPS);
    ck_assert_double_eq_tol(ts_seasonal_scale(y, 5, 0), 2.25, EPS);
    /* a missing value drops its pairs: {1, NaN, 2, 6, 4}, m = 2:
     * (|2-1| + |4-2|)/2 = 1.5 */
    const float g[5] = {1, NAN, 2, 6, 4};
    ck_assert_double_eq_tol(ts_seasonal_scale(g, 5, 2), 1.5, EPS);
    /* shorter than a season: falls back to m = 1: |7 - 5| = 2 */
    const float s[2] = {5, 7};
    ck_assert_double_eq_tol(ts_seasonal_scale(s, 2, 4), 2.0, EPS);
    /* nothing to go on, or constant: 0 */
    const float k[4] = {3, 3, 3, 3};
    ck_assert_double_eq(ts_seasonal_scale(k, 4, 2), 0);
    ck_assert_double_eq(ts_seasonal_scale(s, 1, 1), 0);
    const float nn[3] = {NAN, 1, NAN};
    ck_assert_double_eq(ts_seasonal_scale(nn, 3, 1), 0);
}
END_TEST

/* A forecast f with fixed offsets at the 21 levels:
 *   level  0.025 0.05 0.10 0.15 0.20 0.25 0.30 0.35 0.40 0.45 0.50
 *   offset  -4    -3   -2  -1.8 -1.5  -1  -0.8 -0.6 -0.4 -0.2   0
 * and symmetric above: 50 % interval f +- 1, 80 % f +- 2, 95 % f +- 4. */
static const float offsets[TS_METRIC_NQ] = {-4, -3, -2, -1.8f, -1.5f, -1, -0.8f,
                                            -0.6f, -0.4f, -0.2f, 0, 0.2f, 0.4f, 0.6f,
                                            0.8f, 1, 1.5f, 1.8f, 2, 3, 4};

static void add_fixed(ts_metric_acc *a, double f, double y, double scale)
{
    float qv[TS_METRIC_NQ];
    for (int j = 0; j < TS_METRIC_NQ; j++) qv[j] = (float)f + offsets[j];
    ts_metric_acc_add_point(a, qv, y, scale);
}

START_TEST(scores_hand_worked)
{
    ts_metric_acc a;
    ts_metric_acc_init(&a);
    /* scale 2 throughout; per point: |e|, sMAPE term, in 50/80/95, MSIS term
     * P1 f=10 y=10.5: 0.5, 100/20.5,  yes yes yes, 8/2 = 4
     * P2 f=10 y=13:   3,   600/23,    no  no  yes, 8/2 = 4
     * P3 f=10 y=20:   10,  2000/30,   no  no  no,  (8 + 40 (20-14))/2 = 124
     * P4 f=0  y=0:    0,   0 (0/0),   yes yes yes, 8/2 = 4
     * P5 y = NaN: skipped
     * P6 f=5  y=0:    5,   1000/5,    no  no  no,  (8 + 40 (1-0))/2 = 24 */
    add_fixed(&a, 10, 10.5, 2);
    add_fixed(&a, 10, 13, 2);
    add_fixed(&a, 10, 20, 2);
    add_fixed(&a, 0, 0, 2);
    add_fixed(&a, 10, NAN, 2);
    add_fixed(&a, 5, 0, 2);
    ts_metric_result r;
    ts_metric_acc_result(&a, &r);
    ck_assert_int_eq(r.n, 5);
    ck_assert_int_eq(r.n_scaled, 5);
    ck_assert_int_eq(r.n_crps, 0);
    ck_assert(isnan(r.crps));
    /* MASE = (0.5 + 3 + 10 + 0 + 5)/2/5 = 1.85 */
    ck_assert_double_eq_tol(r.mase, 1.85, EPS);
    /* ND = 18.5 / (10.5 + 13 + 20 + 0 + 0) */
    ck_assert_double_eq_tol(r.nd, 18.5 / 43.5, EPS);
    ck_assert_double_eq_tol(r.smape, (100 / 20.5 + 600.0 / 23 + 2000.0 / 30 + 0 + 200) / 5,
                            1e-9);
    /* MSIS = (4 + 4 + 124 + 4 + 24)/5 = 32 */
    ck_assert_double_eq_tol(r.msis, 32, 1e-9);
    ck_assert_double_eq_tol(r.cov50, 0.4, EPS);
    ck_assert_double_eq_tol(r.cov80, 0.4, EPS);
    ck_assert_double_eq_tol(r.cov95, 0.6, EPS);
}
END_TEST

START_TEST(wql_hand_worked)
{
    /* One point, y = f = 10. 2 pinball at the 9 levels 0.1 .. 0.9, offsets
     * -2 -1.5 -0.8 -0.4 0 0.4 0.8 1.5 2:
     * 2(.1)(2) + 2(.2)(1.5) + 2(.3)(.8) + 2(.4)(.4) + 0 + (mirror) = 2 (1.8) = 3.6;
     * mean 0.4, over sum|y| = 10: wQL9 = 0.04 */
    ts_metric_acc a;
    ts_metric_acc_init(&a);
    add_fixed(&a, 10, 10, 1);
    ts_metric_result r;
    ts_metric_acc_result(&a, &r);
    ck_assert_double_eq_tol(r.wql9, 0.04, 1e-7);
    ck_assert_double_eq(r.nd, 0);
    ck_assert_double_eq(r.msis, 8);       /* the width alone, scale 1 */
}
END_TEST

START_TEST(point_forecast_wql_is_nd)
{
    /* all quantiles equal the point: mean over symmetric levels of
     * 2 pinball = |f - y|, so wQL = ND = (1 + 1 + 1 + 0)/(2 + 4 + 0 + 10) */
    const double y[4] = {2, 4, 0, 10}, f[4] = {3, 3, 1, 10};
    ts_metric_acc a;
    ts_metric_acc_init(&a);
    for (int i = 0; i < 4; i++) {
        float qv[TS_METRIC_NQ];
        for (int j = 0; j < TS_METRIC_NQ; j++) qv[j] = (float)f[i];
        ts_metric_acc_add_point(&a, qv, y[i], 1);
    }
    ts_metric_result r;
    ts_metric_acc_result(&a, &r);
    ck_assert_double_eq_tol(r.nd, 3.0 / 16, EPS);
    ck_assert_double_eq_tol(r.wql9, 3.0 / 16, EPS);
    ck_assert_double_eq_tol(r.wql19, 3.0 / 16, EPS);

    /* and the same through the sample path: an ensemble of equal samples;
     * its sample CRPS is |f - y| as well */
    ts_metric_acc b;
    ts_metric_acc_init(&b);
    for (int i = 0; i < 4; i++) {
        float s[10];
        for (int k = 0; k < 10; k++) s[k] = (float)f[i];
        ts_metric_acc_add(&b, s, 10, y[i], 1);
    }
    ts_metric_acc_result(&b, &r);
    ck_assert_double_eq_tol(r.wql19, 3.0 / 16, EPS);
    ck_assert_double_eq_tol(r.crps, 3.0 / 4, EPS);
    ck_assert_int_eq(r.n_crps, 4);
}
END_TEST

START_TEST(samples_and_quantiles_agree)
{
    /* Scoring an ensemble, or its quantiles at ts_metric_levels, gives the
     * same scores except the sample CRPS. */
    ts_metric_acc a, b;
    ts_metric_acc_init(&a);
    ts_metric_acc_init(&b);
    float s[100], qv[TS_METRIC_NQ];
    for (int t = 0; t < 30; t++) {
        for (int k = 0; k < 100; k++) s[k] = (float)(5 + 2 * tu_normal());
        double y = 5 + 2 * tu_normal();
        ts_sort_floats(s, 100);
        for (int j = 0; j < TS_METRIC_NQ; j++) qv[j] = (float)ts_quantile(s, 100, ts_metric_levels[j]);
        ts_metric_acc_add(&a, s, 100, y, 1.5);
        ts_metric_acc_add_point(&b, qv, y, 1.5);
    }
    ts_metric_result ra, rb;
    ts_metric_acc_result(&a, &ra);
    ts_metric_acc_result(&b, &rb);
    ck_assert_double_eq_tol(ra.wql19, rb.wql19, 1e-12);
    ck_assert_double_eq_tol(ra.wql9, rb.wql9, 1e-12);
    ck_assert_double_eq_tol(ra.mase, rb.mase, 1e-12);
    ck_assert_double_eq_tol(ra.msis, rb.msis, 1e-12);
    ck_assert_double_eq_tol(ra.smape, rb.smape, 1e-12);
    ck_assert_double_eq_tol(ra.cov95, rb.cov95, 1e-12);
    ck_assert(!isnan(ra.crps) && isnan(rb.crps));
    /* a well-calibrated ensemble covers roughly its nominal share */
    ck_assert(ra.cov95 > 0.7);
}
END_TEST

START_TEST(pooled_equals_merged)
{
    /* two series, different scales; points added to a per-series
     * accumulator merged into a pooled one, versus all points added to one */
    ts_metric_acc per, pooled, all;
    ts_metric_acc_init(&pooled);
    ts_metric_acc_init(&all);
    float s[20];
    for (int series = 0; series < 2; series++) {
        ts_metric_acc_init(&per);
        double scale = series ? 0.5 : 3;
        for (int t = 0; t < 12; t++) {
            for (int k = 0; k < 20; k++) s[k] = (float)(series * 50 + tu_normal());
            ts_sort_floats(s, 20);
            double y = series * 50 + tu_normal();
            ts_metric_acc_add(&per, s, 20, y, scale);
            ts_metric_acc_add(&all, s, 20, y, scale);
        }
        ts_metric_result r;
        ts_metric_acc_result(&per, &r);
        ck_assert_int_eq(r.n, 12);
        ts_metric_acc_merge(&pooled, &per);
    }
    ts_metric_result rp, ra;
    ts_metric_acc_result(&pooled, &rp);
    ts_metric_acc_result(&all, &ra);
    ck_assert_int_eq(rp.n, 24);
    ck_assert_double_eq_tol(rp.crps, ra.crps, 1e-12);
    ck_assert_double_eq_tol(rp.wql9, ra.wql9, 1e-12);
    ck_assert_double_eq_tol(rp.mase, ra.mase, 1e-12);
    ck_assert_double_eq_tol(rp.cov80, ra.cov80, 1e-12);
}
END_TEST

START_TEST(zero_scale_and_empty)
{
    ts_metric_acc a;
    ts_metric_acc_init(&a);
    ts_metric_result r;
    ts_metric_acc_result(&a, &r);          /* nothing scored: NaN, not 0 */
    ck_assert_int_eq(r.n, 0);
    ck_assert(isnan(r.crps) && isnan(r.nd) && isnan(r.mase) && isnan(r.smape));
    ck_assert(isnan(r.cov95) && isnan(r.wql9));
    add_fixed(&a, 3, 4, 0);                /* a constant training series */
    add_fixed(&a, 3, 2, 1);
    ts_metric_acc_result(&a, &r);
    ck_assert_int_eq(r.n, 2);
    ck_assert_int_eq(r.n_scaled, 1);
    ck_assert_double_eq_tol(r.mase, 1, EPS);   /* |3 - 2| / 1 over 1 point */
    ck_assert_double_eq_tol(r.nd, 2.0 / 6, EPS);
}
END_TEST

static Suite *metrics_suite(void)
{
    Suite *s = suite_create("metrics");
    TCase *tc = tcase_create("primitives");
    tcase_add_test(tc, quantile_type7);
    tcase_add_test(tc, sort_nan_last);
    tcase_add_test(tc, pinball_values);
    tcase_add_test(tc, crps_hand_values);
    tcase_add_test(tc, crps_matches_definition);
    tcase_add_test(tc, crps_gaussian_closed_form);
    tcase_add_test(tc, seasonal_scale_values);
    suite_add_tcase(s, tc);
    tc = tcase_create("scores");
    tcase_add_test(tc, scores_hand_worked);
    tcase_add_test(tc, wql_hand_worked);
    tcase_add_test(tc, point_forecast_wql_is_nd);
    tcase_add_test(tc, samples_and_quantiles_agree);
    tcase_add_test(tc, pooled_equals_merged);
    tcase_add_test(tc, zero_scale_and_empty);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    tu_seed(0x2545F4914F6CDD1Du ^ TU_SEED0);  /* the data the checks were written with */
    return tu_run(metrics_suite());
}
