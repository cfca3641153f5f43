/* ops_speed.c - speed of the CPU backend's ops, and OpenBLAS SGEMM on the
 * same machine for scale. Not part of `make check`; run `make bench-ops`
 * (BENCH_THREADS=n to choose the thread count).
 *
 *   bench/ops_speed [threads]     (default: all cores)
 *
 * Prints GFLOP/s of SGEMM (OpenBLAS on its own threads, and on one thread
 * as the backend uses it), of conv1d forward, backward-data and
 * backward-filter for the typical layer B=64, C=64->64, L=128, k=3 and a
 * few others, and milliseconds of the other ops on a [64, 64, 128] tensor.
 * Each figure is the best of 20 runs after a warm-up run.
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

#define REPS 20

/* Best time of REPS runs of stmt after one warm-up run. */
#define BEST(stmt)                                              \
    ({ double best_ = 1e30; stmt;                               \
       for (int r_ = 0; r_ < REPS; r_++) {                      \
           double t0_ = now(); stmt; double t_ = now() - t0_;   \
           if (t_ < best_) best_ = t_; }                        \
       best_; })

static void bench_sgemm(int m, int n, int k, int threads)
{
#ifdef OPENBLAS_VERSION
    openblas_set_num_threads(threads);
#endif
    float *a = randbuf((size_t)m * k), *b = randbuf((size_t)k * n), *c = randbuf((size_t)m * n);
    double t = BEST(cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k,
                                1.0f, a, k, b, n, 0.0f, c, n));
    printf("OpenBLAS sgemm %4d x %5d x %4d, %2d thread(s)   %7.1f GFLOP/s\n", m, n, k,
           threads, 2.0 * m * n * k / t * 1e-9);
    free(a); free(b); free(c);
}

static void bench_conv(ts_backend *be, int batch, int cin, int cout, int lin, int k,
                       int stride)
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
    double tf = BEST(be->conv1d_fwd(be, &s, x, w, bias, y));
    double td = BEST(be->conv1d_bwd_data(be, &s, y, w, dx));
    double tw = BEST(be->conv1d_bwd_filter(be, &s, x, y, dw, db));
    printf("conv1d B=%d C=%3d->%3d L=%3d k=%d s=%d  fwd %6.1f  bwd_data %6.1f  "
           "bwd_filter %6.1f GFLOP/s  (%.2f + %.2f + %.2f ms)\n", batch, cin, cout, lin, k,
           stride, flops / tf * 1e-9, flops / td * 1e-9, flops / tw * 1e-9,
           tf * 1e3, td * 1e3, tw * 1e3);
    free(h);
    float *bufs[] = {x, w, bias, y, dx, dw, db};
    for (int i = 0; i < 7; i++) be->free(be, bufs[i]);
}

#define MS(name, stmt) printf("  %-22s %7.3f ms\n", name, BEST(stmt) * 1e3)

static void bench_other(ts_backend *be)
{
    const int B = 64, C = 64, L = 128, G = 8;
    size_t n = (size_t)B * C * L;
    float *x = be->alloc(be, n), *y = be->alloc(be, n), *dy = be->alloc(be, n);
    float *dx = be->alloc(be, n), *m = be->alloc(be, n), *v = be->alloc(be, n);
    float *y2 = be->alloc(be, 2 * n), *gam = be->alloc(be, C), *bet = be->alloc(be, C);
    float *mean = be->alloc(be, B * G), *rstd = be->alloc(be, B * G);
    float *dg = be->alloc(be, C), *db = be->alloc(be, C), *vb = be->alloc(be, B * C);
    float *h = randbuf(n);
    be->upload(be, x, h, n);
    be->upload(be, dy, h, n);
    be->fill(be, gam, 1.0f, C);
    printf("other ops on [%d, %d, %d] (%zu floats):\n", B, C, L, n);
    MS("groupnorm_fwd (G=8)", be->groupnorm_fwd(be, B, C, L, G, x, gam, bet, y, mean, rstd));
    MS("groupnorm_bwd (G=8)", be->groupnorm_bwd(be, B, C, L, G, dy, x, gam, mean, rstd,
                                                dx, dg, db));
    MS("silu_fwd", be->silu_fwd(be, n, x, y));
    MS("silu_bwd", be->silu_bwd(be, n, x, dy, dx));
    MS("upsample2_fwd", be->upsample2_fwd(be, B, C, L, x, y2));
    MS("upsample2_bwd", be->upsample2_bwd(be, B, C, L, y2, dx));
    MS("chan_copy (accumulate)", be->chan_copy(be, B, L, C, x, C, 0, y, C, 0, 1));
    MS("add_bcast_bwd", be->add_bcast_bwd(be, B, C, L, dy, vb));
    MS("axpby", be->axpby(be, n, 0.5f, x, 0.5f, y));
    MS("sumsq", be->sumsq(be, n, x));
    MS("masked_mse", be->masked_mse(be, n, x, dy, y, dx));
    MS("adamw", be->adamw(be, n, y, dy, m, v, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 3));
    MS("ema", be->ema(be, n, y, x, 0.999f));
    MS("randn", be->randn(be, n, 1, 0, y));
    free(h);
    float *bufs[] = {x, y, dy, dx, m, v, y2, gam, bet, mean, rstd, dg, db, vb};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) be->free(be, bufs[i]);
}

int main(int argc, char **argv)
{
    int threads = argc > 1 ? atoi(argv[1]) : 0;
    int nt = threads > 0 ? threads : omp_get_num_procs();
    printf("threads: %d\n", nt);
    bench_sgemm(64, 64 * 128, 192, nt);
    bench_sgemm(1024, 1024, 1024, nt);
    bench_sgemm(64, 128, 192, 1);
    bench_sgemm(1024, 1024, 1024, 1);

    ts_backend *be = ts_backend_cpu_create(threads);   /* OpenBLAS to 1 thread */
    bench_conv(be, 64, 64, 64, 128, 3, 1);
    bench_conv(be, 64, 64, 64, 128, 3, 2);
    bench_conv(be, 64, 128, 128, 64, 3, 1);
    bench_conv(be, 64, 256, 256, 16, 3, 1);
    bench_conv(be, 64, 64, 64, 128, 1, 1);
    bench_other(be);
    ts_backend_destroy(be);
    return 0;
}
