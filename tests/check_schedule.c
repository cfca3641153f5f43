/* check_schedule.c - unit tests of the noise schedules, their continuous view
 * and the solver time grid (src/diffusion/schedule.c, ts_sampler_timesteps). */
#define _DEFAULT_SOURCE 1   /* M_PI */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diffusion/sampler.h"
#include "diffusion/schedule.h"
#include "testutil.h"

static const ts_sched_kind kinds[] = { TS_SCHED_LINEAR, TS_SCHED_COSINE };
static const int test_T[] = { 10, 50, 100, 200, 1000 };
static const int test_K[] = { 1, 2, 3, 7, 10, 13, 20, 50 };
#define COUNT(a) ((int)(sizeof(a) / sizeof(a)[0]))

static void init_ok(ts_schedule *s, ts_sched_kind kind, int T)
{
    ts_error err = { 0 };
    ck_assert_int_eq(ts_schedule_init(s, kind, T, &err), 0);
    ck_assert_int_eq(s->T, T);
    ck_assert_int_eq(s->kind, kind);
}

START_TEST(test_alpha_bar_monotone)
{
    for (int ki = 0; ki < 2; ki++)
        for (int ti = 0; ti < COUNT(test_T); ti++) {
            ts_schedule s;
            int T = test_T[ti];
            init_ok(&s, kinds[ki], T);
            double prod = 1.0;
            for (int t = 0; t < T; t++) {
                ck_assert(s.beta[t] > 0.0 && s.beta[t] <= 0.999);
                prod *= 1.0 - s.beta[t];
                ck_assert_double_eq_tol(s.alpha_bar[t], prod, 1e-15);
                ck_assert(s.alpha_bar[t] > 0.0 && s.alpha_bar[t] < 1.0);
                if (t > 0) ck_assert(s.alpha_bar[t] < s.alpha_bar[t - 1]);
            }
            ts_schedule_free(&s);
        }
}
END_TEST

/* Pure noise at the end: alpha_bar[T-1] <= 1e-4, for the listed T and for
 * every T from the minimum to 2000. */
START_TEST(test_pure_noise_end)
{
    for (int ki = 0; ki < 2; ki++) {
        for (int T = TS_SCHEDULE_T_MIN; T <= 2000; T++) {
            ts_schedule s;
            init_ok(&s, kinds[ki], T);
            if (s.alpha_bar[T - 1] > 1e-4)
                ck_abort_msg("%s T=%d: alpha_bar[T-1] = %g", ts_sched_name(kinds[ki]), T,
                             s.alpha_bar[T - 1]);
            ts_schedule_free(&s);
        }
        ts_schedule s;
        init_ok(&s, kinds[ki], TS_SCHEDULE_T_MAX);
        ck_assert(s.alpha_bar[TS_SCHEDULE_T_MAX - 1] <= 1e-4);
        ts_schedule_free(&s);
    }
}
END_TEST

START_TEST(test_linear_shape)
{
    /* DDPM's schedule at T = 1000, scaled by 1000/T otherwise. */
    ts_schedule s;
    init_ok(&s, TS_SCHED_LINEAR, 1000);
    ck_assert_double_eq_tol(s.beta[0], 1e-4, 1e-15);
    ck_assert_double_eq_tol(s.beta[999], 0.02, 1e-15);
    ck_assert_double_eq_tol(s.beta[500] - s.beta[499], (0.02 - 1e-4) / 999, 1e-15);
    ts_schedule_free(&s);
    init_ok(&s, TS_SCHED_LINEAR, 50);
    ck_assert_double_eq_tol(s.beta[0], 2e-3, 1e-15);
    ck_assert_double_eq_tol(s.beta[49], 0.4, 1e-15);
    ts_schedule_free(&s);
    init_ok(&s, TS_SCHED_LINEAR, 10);  /* 20/T > 0.999: capped */
    ck_assert_double_eq_tol(s.beta[9], 0.999, 1e-15);
    ts_schedule_free(&s);
}
END_TEST

START_TEST(test_cosine_shape)
{
    /* alpha_bar[t] = f(t+1)/f(0) until the last beta is clipped. */
    ts_schedule s;
    int T = 200;
    init_ok(&s, TS_SCHED_COSINE, T);
    double f0 = pow(cos(0.008 / 1.008 * M_PI / 2), 2);
    for (int t = 0; t < T - 1; t += 7) {
        double f = pow(cos(((t + 1.0) / T + 0.008) / 1.008 * M_PI / 2), 2);
        ck_assert_double_eq_tol(s.alpha_bar[t], f / f0, 1e-12);
    }
    ck_assert_double_eq_tol(s.beta[T - 1], 0.999, 1e-15);
    ts_schedule_free(&s);
}
END_TEST

START_TEST(test_bad_args)
{
    ts_schedule s;
    ts_error err = { 0 };
    ck_assert_int_eq(ts_schedule_init(&s, TS_SCHED_LINEAR, TS_SCHEDULE_T_MIN - 1, &err),
                     TS_EUSAGE);
    ck_assert_ptr_nonnull(strstr(err.msg, "diffusion steps"));
    ck_assert_int_eq(ts_schedule_init(&s, TS_SCHED_COSINE, TS_SCHEDULE_T_MAX + 1, &err),
                     TS_EUSAGE);
    ck_assert_int_eq(ts_schedule_init(&s, TS_SCHED_COSINE, -3, NULL), TS_EUSAGE);
    ts_schedule_free(&s);  /* harmless on a failed init */

    ts_sched_kind k;
    ck_assert_int_eq(ts_sched_parse("cosine", &k, &err), 0);
    ck_assert_int_eq(k, TS_SCHED_COSINE);
    ck_assert_int_eq(ts_sched_parse("linear", &k, &err), 0);
    ck_assert_int_eq(k, TS_SCHED_LINEAR);
    ck_assert_str_eq(ts_sched_name(TS_SCHED_COSINE), "cosine");
    ck_assert_str_eq(ts_sched_name(TS_SCHED_LINEAR), "linear");
    ck_assert_int_eq(ts_sched_parse("quadratic", &k, &err), TS_EUSAGE);
    ck_assert_ptr_nonnull(strstr(err.msg, "quadratic"));

    ts_sampler_kind sk;
    ck_assert_int_eq(ts_sampler_parse("dpmpp", &sk, &err), 0);
    ck_assert_int_eq(sk, TS_SAMPLER_DPMPP);
    ck_assert_int_eq(ts_sampler_parse("ddim", &sk, &err), 0);
    ck_assert_int_eq(sk, TS_SAMPLER_DDIM);
    ck_assert_int_eq(ts_sampler_parse("ddpm", &sk, &err), 0);
    ck_assert_int_eq(sk, TS_SAMPLER_DDPM);
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(ts_sampler_parse(ts_sampler_name((ts_sampler_kind)i), &sk, &err), 0);
        ck_assert_int_eq(sk, i);
    }
    ck_assert_int_eq(ts_sampler_parse("euler", &sk, &err), TS_EUSAGE);
    ck_assert_ptr_nonnull(strstr(err.msg, "euler"));
}
END_TEST

/* alpha, sigma, lambda at integer t agree with alpha_bar; log alpha_bar is
 * linear between integers; lambda strictly decreases. */
START_TEST(test_continuous_view)
{
    for (int ki = 0; ki < 2; ki++) {
        ts_schedule s;
        int T = 200;
        init_ok(&s, kinds[ki], T);
        for (int t = 0; t < T; t++) {
            double ab = s.alpha_bar[t];
            double a = ts_schedule_alpha(&s, t), sg = ts_schedule_sigma(&s, t);
            ck_assert_double_eq_tol(a * a / ab, 1.0, 1e-12);
            ck_assert_double_eq_tol(sg * sg / (1.0 - ab), 1.0, 1e-12);
            ck_assert_double_eq_tol(ts_schedule_lambda(&s, t), log(a) - log(sg), 1e-12);
        }
        double mid = 0.5 * (log(s.alpha_bar[10]) + log(s.alpha_bar[11]));
        ck_assert_double_eq_tol(2.0 * log(ts_schedule_alpha(&s, 10.5)), mid, 1e-12);
        /* Clamped outside [0, T-1]. */
        ck_assert_double_eq(ts_schedule_alpha(&s, -1.0), ts_schedule_alpha(&s, 0.0));
        ck_assert_double_eq(ts_schedule_sigma(&s, T + 5.0), ts_schedule_sigma(&s, T - 1));
        double prev = INFINITY;
        for (double t = 0.0; t <= T - 1; t += 0.037) {
            double l = ts_schedule_lambda(&s, t);
            ck_assert(l < prev);
            prev = l;
        }
        ts_schedule_free(&s);
    }
}
END_TEST

START_TEST(test_t_of_lambda)
{
    for (int ki = 0; ki < 2; ki++)
        for (int ti = 0; ti < COUNT(test_T); ti++) {
            ts_schedule s;
            int T = test_T[ti];
            init_ok(&s, kinds[ki], T);
            for (double t = 0.0; t <= T - 1; t += (T - 1) / 997.0) {
                double back = ts_schedule_t_of_lambda(&s, ts_schedule_lambda(&s, t));
                if (fabs(back - t) > 1e-9)
                    ck_abort_msg("%s T=%d: t=%.12f -> %.12f", ts_sched_name(kinds[ki]), T, t,
                                 back);
            }
            for (int t = 0; t < T; t++)
                ck_assert_double_eq_tol(ts_schedule_t_of_lambda(&s, ts_schedule_lambda(&s, t)),
                                        t, 1e-9);
            ck_assert_double_eq(ts_schedule_t_of_lambda(&s, 100.0), 0.0);
            ck_assert_double_eq(ts_schedule_t_of_lambda(&s, -100.0), T - 1);
            ts_schedule_free(&s);
        }
}
END_TEST

/* The solver grid: K+1 points, first T-1 (cosine: where lambda = -5), last
 * 0, strictly decreasing, evenly spaced in lambda. */
static void check_grid(const ts_schedule *s, int K)
{
    double *ts = malloc(((size_t)K + 1) * sizeof *ts);
    ck_assert_ptr_nonnull(ts);
    ts_sampler_timesteps(s, K, ts);
    double lo;
    if (s->kind == TS_SCHED_LINEAR) {
        ck_assert_double_eq(ts[0], s->T - 1);
        lo = ts_schedule_lambda(s, s->T - 1);
    } else {
        lo = TS_LAMBDA_MIN;
        ck_assert_double_eq_tol(ts_schedule_lambda(s, ts[0]), lo, 1e-9);
        ck_assert(ts[0] > 0.85 * (s->T - 1) && ts[0] < s->T - 1);
    }
    ck_assert_double_eq(ts[K], 0.0);
    for (int k = 1; k <= K; k++)
        if (!(ts[k] < ts[k - 1]))
            ck_abort_msg("%s T=%d K=%d: ts[%d]=%.9f !< ts[%d]=%.9f", ts_sched_name(s->kind),
                         s->T, K, k, ts[k], k - 1, ts[k - 1]);
    double hi = ts_schedule_lambda(s, 0);
    for (int k = 1; k < K; k++)
        ck_assert_double_eq_tol(ts_schedule_lambda(s, ts[k]), lo + (hi - lo) * k / K, 1e-9);
    free(ts);
}

START_TEST(test_timesteps)
{
    for (int ki = 0; ki < 2; ki++)
        for (int ti = 0; ti < COUNT(test_T); ti++) {
            ts_schedule s;
            init_ok(&s, kinds[ki], test_T[ti]);
            for (int i = 0; i < COUNT(test_K); i++)
                check_grid(&s, test_K[i]);
            check_grid(&s, s.T - 1);  /* as many steps as the training grid */
            check_grid(&s, s.T);
            check_grid(&s, 3 * s.T + 1);
            ts_schedule_free(&s);
        }
}
END_TEST

/* The lambda clip: the cosine schedule's lambda(T-1) is far below -5 and its
 * grid starts at -5; the linear schedule already ends near -5 and starts at
 * T-1. */
START_TEST(test_lambda_clip)
{
    static const int Ts[] = { 10, 50, 200, 1000, 5000 };
    for (int i = 0; i < COUNT(Ts); i++) {
        ts_schedule s;
        double ts[21];
        init_ok(&s, TS_SCHED_COSINE, Ts[i]);
        ck_assert(ts_schedule_lambda(&s, Ts[i] - 1) < (Ts[i] >= 50 ? -6.5 : -5.0));
        ts_sampler_timesteps(&s, 20, ts);
        ck_assert_double_eq_tol(ts_schedule_lambda(&s, ts[0]), -5.0, 1e-9);
        ts_schedule_free(&s);
        init_ok(&s, TS_SCHED_LINEAR, Ts[i]);
        double l = ts_schedule_lambda(&s, Ts[i] - 1);
        ck_assert_msg(l < -4.6 && (Ts[i] < 200 || l > -5.5), "linear T=%d: %g", Ts[i], l);
        ts_sampler_timesteps(&s, 20, ts);
        ck_assert_double_eq(ts[0], Ts[i] - 1);
        ts_schedule_free(&s);
    }
}
END_TEST

static Suite *schedule_suite(void)
{
    Suite *su = suite_create("schedule");
    TCase *tc = tcase_create("schedule");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_alpha_bar_monotone);
    tcase_add_test(tc, test_pure_noise_end);
    tcase_add_test(tc, test_linear_shape);
    tcase_add_test(tc, test_cosine_shape);
    tcase_add_test(tc, test_bad_args);
    tcase_add_test(tc, test_continuous_view);
    tcase_add_test(tc, test_t_of_lambda);
    tcase_add_test(tc, test_timesteps);
    tcase_add_test(tc, test_lambda_clip);
    suite_add_tcase(su, tc);
    return su;
}

int main(void) { return tu_run(schedule_suite()); }
