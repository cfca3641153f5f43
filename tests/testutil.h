/* testutil.h - backend buffers for the Check suites: copy host arrays to a
 * backend and back, failing the test when memory runs out. Callers free
 * with be->free and free(). */
#ifndef TS_TESTUTIL_H
#define TS_TESTUTIL_H

#include <check.h>
#include <stdlib.h>

#include "nn/backend.h"

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

#endif
