/* testutil.h - what the Check suites share: running a suite as a test
 * program, the generator of test data, and backend buffers (copy host arrays
 * to a backend and back, failing the test when memory runs out; callers free
 * with be->free and free()). */
#ifndef TS_TESTUTIL_H
#define TS_TESTUTIL_H

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "nn/backend.h"

/* ---- suites ---------------------------------------------------------------- */

/* Run every test of s: the exit status of a Check program. */
static inline int tu_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* A suite of one test case, both called name, with tests[0..n). */
static inline Suite *tu_suite(const char *name, const TTest *const *tests, size_t n)
{
    Suite *s = suite_create(name);
    TCase *tc = tcase_create(name);
    for (size_t i = 0; i < n; i++) tcase_add_test(tc, tests[i]);
    suite_add_tcase(s, tc);
    return s;
}
#define TU_SUITE(name, ...)                                     \
    tu_suite((name), (const TTest *const[]){__VA_ARGS__},       \
             sizeof((const TTest *const[]){__VA_ARGS__}) / sizeof(const TTest *))

/* ---- test data: xorshift64, not the Philox stream -------------------------- */

#define TU_SEED0 0x9E3779B97F4A7C15ull

static inline uint64_t *tu_state(void)
{
    static uint64_t state = TU_SEED0;
    return &state;
}

/* Restart the generator (a test that seeds has data that does not depend on
 * the tests run before it in the same process). */
static inline void tu_seed(uint64_t s) { *tu_state() = TU_SEED0 ^ s; }

static inline uint64_t tu_next(void)
{
    uint64_t *x = tu_state();
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/* Uniform on (0, 1): never 0 or 1. */
static inline double tu_uniform(void)
{
    return ((double)(tu_next() >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

/* Standard normal (Box-Muller). */
static inline double tu_normal(void)
{
    double u = tu_uniform();
    return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * tu_uniform());
}

/* ---- backend buffers ------------------------------------------------------- */

/* A backend copy of h[0..n) (zeroed when h is NULL). */
static inline float *dev_from(ts_backend *be, const float *h, size_t n)
{
    float *d = be->alloc(be, n);
    ck_assert_ptr_nonnull(d);
    if (h) be->upload(be, d, h, n);
    return d;
}

/* A host copy of the backend array d[0..n). */
static inline float *host_from(ts_backend *be, const float *d, size_t n)
{
    float *h = malloc(n * sizeof *h);
    ck_assert_ptr_nonnull(h);
    be->download(be, h, d, n);
    return h;
}

/* ---- the training loss ----------------------------------------------------- */

/* The masked mean squared error of pred against target as the trainer takes
 * it: masked_sse with the gradient scale of the mean; dpred receives that
 * gradient. The trainer knows the count before (from its host mask); here a
 * first call counts. */
static inline double tu_masked_mse(ts_backend *be, size_t n, const float *pred,
                                   const float *target, const float *mask, float *dpred)
{
    double count, c;
    be->masked_sse(be, n, pred, target, mask, 0.0f, dpred, &count);
    double sse = be->masked_sse(be, n, pred, target, mask, (float)(2.0 / (count > 1 ? count : 1)),
                                dpred, &c);
    ck_assert_double_eq(c, count);
    return sse / (count > 1 ? count : 1);
}

#endif
