/* ops_speed.c - speed of the CPU backend's convolution against OpenBLAS
 * SGEMM on the same machine. Not part of `make check`; run `make bench-ops`.
 *
 *   bench/ops_speed [threads]     (default: all cores)
 *
 * Prints GFLOP/s of: SGEMM of the conv's own shape and of a square 1024;
 * conv1d forward, backward-data and backward-filter for B=64, C=64->64,
 * L=128, k=3 (and the stride-2 and 128-channel variants); and, for
 * comparison, the same forward done as per-sample SGEMMs on OpenMP threads.
 */
#include <cblas.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nn/backend.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

static float *randbuf(size_t n)
{
    float *a = malloc(n * sizeof *a);
    for (size_t i = 0; i < n; i++) a[i] = (float)rand() / RAND_MAX - 0.5f;
    return a;
}

/* Best time of `reps` runs of fn after one warm-up run. */
#define BEST(reps, stmt)                                        \
    ({ double best_ = 1e30; stmt;                               \
       for (int r_ = 0; r_ < (reps); r_++) {                    \
           double t0_ = now(); stmt; double t_ = now() - t0_;   \
           if (t_ < best_) best_ = t_; }                        \
       best_; })

static void bench_sgemm(int m, int n, int k)
{
    float *a = randbuf((size_t)m * k), *b = randbuf((size_t)k * n), *c = randbuf((size_t)m * n);
    double t = BEST(10, cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k,
                                    1.0f, a, k, b, n, 0.0f, c, n));
    printf("sgemm %5d x %5d x %5d          %8.1f GFLOP/s\n", m, n, k,
           2.0 * m * n * k / t * 1e-9);
    free(a); free(b); free(c);
}

/* The forward as per-sample im2col + SGEMM, batch on OpenMP threads. */
static void conv_per_sample(const ts_conv1d_shape *s, const float *x, const float *w,
                            float *y, float *col_all)
{
    const int kd = s->cin * s->k;
    #pragma omp parallel for schedule(static)
    for (int b = 0; b < s->batch; b++) {
        float *col = col_all + (size_t)omp_get_thread_num() * kd * s->lout;
        for (int ci = 0; ci < s->cin; ci++)
            for (int kk = 0; kk < s->k; kk++)
                for (int lo = 0; lo < s->lout; lo++) {
                    int li = lo * s->stride - s->pad + kk;
                    col[(ci * s->k + kk) * s->lout + lo] =
                        li >= 0 && li < s->lin ? x[((size_t)b * s->cin + ci) * s->lin + li] : 0.0f;
                }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, s->cout, s->lout, kd, 1.0f,
                    w, kd, col, s->lout, 0.0f, y + (size_t)b * s->cout * s->lout, s->lout);
    }
}

static void bench_conv(ts_backend *be, int batch, int cin, int cout, int lin, int k,
                       int stride, int per_sample)
{
    ts_conv1d_shape s = {.batch = batch, .cin = cin, .cout = cout, .lin = lin, .k = k,
                         .stride = stride, .pad = k / 2};
    ts_conv1d_shape_finish(&s);
    size_t nx = (size_t)batch * cin * lin, nw = (size_t)cout * cin * k;
    size_t ny = (size_t)batch * cout * s.lout;
    float *x = be->alloc(be, nx), *w = be->alloc(be, nw), *bias = be->alloc(be, cout);
    float *y = be->alloc(be, ny), *dx = be->alloc(be, nx), *dw = be->alloc(be, nw);
    float *db = be->alloc(be, cout);
    float *h = randbuf(nx > nw ? nx : nw);
    be->upload(be, x, h, nx);
    be->upload(be, w, h, nw);
    double flops = 2.0 * batch * cout * s.lout * cin * k;
    double tf = BEST(10, be->conv1d_fwd(be, &s, x, w, bias, y));
    double td = BEST(10, be->conv1d_bwd_data(be, &s, y, w, dx));
    double tw = BEST(10, be->conv1d_bwd_filter(be, &s, x, y, dw, db));
    printf("conv B=%d C=%d->%d L=%d k=%d s=%d  fwd %6.1f  bwd_data %6.1f  bwd_filter %6.1f"
           " GFLOP/s  (fwd %.2f ms)\n", batch, cin, cout, lin, k, stride,
           flops / tf * 1e-9, flops / td * 1e-9, flops / tw * 1e-9, tf * 1e3);
    if (per_sample) {
        float *col = malloc((size_t)omp_get_max_threads() * cin * k * s.lout * sizeof *col);
#ifdef OPENBLAS_VERSION
        openblas_set_num_threads(1);
#endif
        double tp = BEST(10, conv_per_sample(&s, x, w, y, col));
#ifdef OPENBLAS_VERSION
        openblas_set_num_threads(omp_get_max_threads());
#endif
        printf("  (per-sample SGEMMs on OpenMP threads: fwd %6.1f GFLOP/s)\n", flops / tp * 1e-9);
        free(col);
    }
    free(h);
    float *bufs[] = {x, w, bias, y, dx, dw, db};
    for (int i = 0; i < 7; i++) be->free(be, bufs[i]);
}

int main(int argc, char **argv)
{
    int threads = argc > 1 ? atoi(argv[1]) : 0;
    ts_backend *be = ts_backend_cpu_create(threads);
    if (threads > 0) omp_set_num_threads(threads);
    printf("threads: %d (OpenMP max %d)\n", threads, omp_get_max_threads());
    bench_sgemm(64, 64 * 128, 192);
    bench_sgemm(1024, 1024, 1024);
    bench_conv(be, 64, 64, 64, 128, 3, 1, 1);
    bench_conv(be, 64, 64, 64, 128, 3, 2, 0);
    bench_conv(be, 64, 128, 128, 64, 3, 1, 0);
    bench_conv(be, 64, 64, 64, 128, 1, 1, 0);
    ts_backend_destroy(be);
    return 0;
}
