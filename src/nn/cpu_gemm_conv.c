/* cpu_gemm_conv.c - GEMMs and 1-D convolutions of the CPU backend.
 *
 * OpenBLAS runs single-threaded; we parallelise around it with OpenMP over
 * blocks whose bounds depend only on the problem size (see cpu_backend.h).
 *
 * A convolution is one SGEMM per sample, samples spread over the threads.
 * im2col lays sample b out as col[cin*k, lout] (row ci*k + kk holds
 * x[b, ci, lo*stride - pad + kk], zero outside) in a per-thread scratch that
 * stays in cache:
 *
 *   forward      y[b]  = W[cout, cin*k] col + bias
 *   bwd data     dcol  = W^T dy[b],  dx[b] = col2im(dcol)
 *   bwd filter   dW   += sum_b dy[b] col^T
 *
 * The filter gradient sums over the batch: samples go in CONV_GROUPS fixed
 * groups, each group summed in sample order into its own partial, and the
 * partials summed in group order, so the result does not depend on the
 * number of threads. A pointwise conv (k 1, stride 1, pad 0) skips im2col.
 * The 3-tap convolutions of the UNet's blocks go to the direct kernel of
 * cpu_conv3.c instead (forward, backward data and filter gradient) where
 * the CPU has AVX-512, and those with 16 or more input rows (forward,
 * backward data) or 16 or more input channels (filter gradient) to
 * Winograd's F(4, 3) (cpu_wino3.c), which needs half the multiplications.
 * Measured against one big SGEMM over an im2col of the whole batch (and
 * OpenBLAS threads), this was about twice as fast (`make bench-ops` times the
 * conv ops today).
 */
#include "nn/cpu_backend.h"

#include <cblas.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#define NT ts_cpu_threads(be)

/* GEMMs smaller than this (m n k) run as one call. */
#define GEMM_SPLIT_MIN (1L << 21)
/* Block sizes of a split GEMM, in rows and in columns of C. */
#define GEMM_ROW_BLOCK 64
#define GEMM_COL_BLOCK 128
/* Fixed groups of samples for the filter gradient: its tasks. More groups
 * would feed more threads but cost a longer sum of partials; 8 measured
 * best on 1 and 2 cores. */
#define CONV_GROUPS 8

static inline CBLAS_TRANSPOSE tr_of(int t) { return t ? CblasTrans : CblasNoTrans; }

static inline int imin(int a, int b) { return a < b ? a : b; }

/* The first sample of group g of a batch split into ng fixed groups. */
static inline int group_start(int batch, int ng, int g) { return (int)((long)g * batch / ng); }

/* One single-threaded SGEMM on a block of rows [i0, i1) and columns
 * [j0, j1) of C. */
static void gemm_block(int ta, int tb, int i0, int i1, int j0, int j1, int k, float alpha,
                       const float *a, int lda, const float *b, int ldb, float beta,
                       float *c, int ldc)
{
    const float *ab = ta ? a + i0 : a + (long)i0 * lda;
    const float *bb = tb ? b + (long)j0 * ldb : b + j0;
    cblas_sgemm(CblasRowMajor, tr_of(ta), tr_of(tb), i1 - i0, j1 - j0, k, alpha,
                ab, lda, bb, ldb, beta, c + (long)i0 * ldc + j0, ldc);
}

void ts_cpu_gemm(ts_backend *be, int trans_a, int trans_b, int m, int n, int k,
                 float alpha, const float *a, int lda, const float *b, int ldb,
                 float beta, float *c, int ldc)
{
    if ((long)m * n * k < GEMM_SPLIT_MIN || (m <= GEMM_ROW_BLOCK && n <= GEMM_COL_BLOCK)) {
        gemm_block(trans_a, trans_b, 0, m, 0, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        return;
    }
    /* Split C along its longer side (in blocks) into independent GEMMs. */
    const int by_rows = (m / GEMM_ROW_BLOCK) >= (n / GEMM_COL_BLOCK);
    const int bs = by_rows ? GEMM_ROW_BLOCK : GEMM_COL_BLOCK;
    const int len = by_rows ? m : n, nblocks = (len + bs - 1) / bs;
    #pragma omp parallel for schedule(static) num_threads(NT)
    for (int q = 0; q < nblocks; q++) {
        int lo = q * bs, hi = imin(len, lo + bs);
        if (by_rows)
            gemm_block(trans_a, trans_b, lo, hi, 0, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        else
            gemm_block(trans_a, trans_b, 0, m, lo, hi, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }
}

/* ---- convolution ------------------------------------------------------- */

static inline int pointwise(const ts_conv1d_shape *s)
{
    return s->k == 1 && s->stride == 1 && s->pad == 0;
}

/* The outputs lo in [*lo0, *lo1) whose tap kk reads inside x (0 <= li < lin). */
static inline void tap_range(const ts_conv1d_shape *s, int kk, int *lo0, int *lo1)
{
    int off = kk - s->pad;                    /* li = lo*stride + off */
    int a = off >= 0 ? 0 : (-off + s->stride - 1) / s->stride;
    int last = s->lin - 1 - off;              /* lo*stride <= last */
    int b = last < 0 ? 0 : last / s->stride + 1;
    if (b > s->lout) b = s->lout;
    *lo0 = a;
    *lo1 = b > a ? b : a;
}

/* col[cin*k, lout] from one sample xb[cin, lin]. */
static void im2col(const ts_conv1d_shape *s, const float *xb, float *col)
{
    for (int ci = 0; ci < s->cin; ci++) {
        const float *xr = xb + (long)ci * s->lin;
        for (int kk = 0; kk < s->k; kk++) {
            float *cr = col + ((long)ci * s->k + kk) * s->lout;
            int lo0, lo1, off = kk - s->pad;
            tap_range(s, kk, &lo0, &lo1);
            for (int lo = 0; lo < lo0; lo++) cr[lo] = 0.0f;
            if (s->stride == 1) {
                memcpy(cr + lo0, xr + lo0 + off, (size_t)(lo1 - lo0) * sizeof(float));
            } else {
                for (int lo = lo0; lo < lo1; lo++) cr[lo] = xr[lo * s->stride + off];
            }
            for (int lo = lo1; lo < s->lout; lo++) cr[lo] = 0.0f;
        }
    }
}

/* dxb[cin, lin] = col2im(dcol): every element summed over taps in order. */
static void col2im(const ts_conv1d_shape *s, const float *dcol, float *dxb)
{
    memset(dxb, 0, (size_t)s->cin * s->lin * sizeof(float));
    for (int ci = 0; ci < s->cin; ci++) {
        float *xr = dxb + (long)ci * s->lin;
        for (int kk = 0; kk < s->k; kk++) {
            const float *cr = dcol + ((long)ci * s->k + kk) * s->lout;
            int lo0, lo1, off = kk - s->pad;
            tap_range(s, kk, &lo0, &lo1);
            for (int lo = lo0; lo < lo1; lo++) xr[lo * s->stride + off] += cr[lo];
        }
    }
}

/* Per-thread scratch of `floats` each: thread t's starts at the result +
 * t * stride. Inside a task of run_tasks the op runs on one thread, with
 * the scratch of the task's thread. */
static float *thread_scratch(ts_backend *be, size_t floats, long *stride)
{
    ts_cpu *cpu = ts_cpu_of(be);
    *stride = (long)(floats + 15) / 16 * 16;   /* 64-byte rows */
    ts_scratch *sc = omp_in_parallel() ? &cpu->task_col[omp_get_thread_num()] : &cpu->col;
    return ts_scratch_get(sc, (size_t)NT * *stride * sizeof(float));
}

/* Per-thread im2col scratch: thread t's matrix starts at col + t * stride. */
static float *col_scratch(ts_backend *be, const ts_conv1d_shape *s, long *stride)
{
    return thread_scratch(be, (size_t)s->cin * s->k * s->lout, stride);
}

/* The transform of w for Winograd: inside a task of run_tasks the one made
 * by the first task of this run_tasks call that needed it (the weights do
 * not change during the call, ops.h), else made now in own[] (never
 * evicting an entry of this call: a task may be reading it). */
static const float *wino_weights(ts_backend *be, int cin, int cout, const float *w, float *own)
{
    ts_cpu *cpu = ts_cpu_of(be);
    const float *u = NULL;
    if (cpu->in_tasks) {
        #pragma omp critical(ts_wino_cache)
        {
            ts_wino_entry *free_e = NULL;
            for (int i = 0; i < TS_WINO_CACHE && !u; i++) {
                ts_wino_entry *e = &cpu->wino[i];
                if (e->epoch == cpu->epoch && e->w == w && e->cin == cin && e->cout == cout)
                    u = e->u;
                else if (e->epoch != cpu->epoch && (!free_e || e->w == w))
                    free_e = e;
            }
            if (!u && free_e) {
                size_t n = ts_cpu_wino3_weight_floats(cin, cout);
                if (free_e->floats < n) {
                    free(free_e->u);
                    free_e->u = ts_xmalloc(n * sizeof(float));
                    free_e->floats = n;
                }
                ts_cpu_wino3_weights(cin, cout, w, free_e->u);
                *free_e = (ts_wino_entry){w, cin, cout, cpu->epoch, free_e->u, free_e->floats};
                u = free_e->u;
            }
        }
    }
    if (!u) {
        ts_cpu_wino3_weights(cin, cout, w, own);
        u = own;
    }
    return u;
}

/* Winograd's F(4, 3) on packs of samples (cpu_wino3.c): x[batch, cin, len]
 * * w[cout, cin, 3] (+ v, + r as conv1d_add_fwd; NULL: none) -> y[batch,
 * cout, len]. */
static void wino3(ts_backend *be, int batch, int cin, int cout, int len, const float *x,
                  const float *w, const float *bias, const float *v, const float *r,
                  float *y)
{
    int g = ts_cpu_wino3_pack(len, batch);
    if (NT > 1) {   /* a multiple of the threads in packs, if smaller ones allow */
        int packs = (batch + g - 1) / g;
        packs = (packs + NT - 1) / NT * NT;
        g = batch / packs > 1 ? batch / packs : 1;
    }
    const int np = (batch + g - 1) / g;
    const long xs = (long)cin * len, ys = (long)cout * len;
    const long uf = (long)(ts_cpu_wino3_weight_floats(cin, cout) + 15) / 16 * 16;
    long stride = 0;
    /* the transformed weights first, then each thread's pack scratch */
    float *u = thread_scratch(be, ts_cpu_wino3_floats(g, cin, cout, len) + (size_t)uf, &stride);
    float *sc = u + uf;
    const float *uw = wino_weights(be, cin, cout, w, u);
    #pragma omp parallel for schedule(static) num_threads(NT)
    for (int p = 0; p < np; p++) {
        int b0 = p * g, n = imin(g, batch - b0);
        ts_cpu_wino3(n, cin, cout, len, x + b0 * xs, uw, bias, v ? v + (long)b0 * cout : NULL,
                     r ? r + b0 * ys : NULL, y + b0 * ys, sc + omp_get_thread_num() * stride);
    }
}

/* Whether the forward of s runs Winograd's kernel (conv1d_fwd's choice). */
static int wino3_fwd_takes(ts_backend *be, const ts_conv1d_shape *s)
{
    const ts_cpu *cpu = ts_cpu_of(be);
    return cpu->conv3 && cpu->wino3 && ts_cpu_wino3_fits(s, s->cout, s->cin);
}

/* The direct kernel, on a sample at a time or, for short rows, on packs of
 * samples (cpu_conv3.c); Winograd where it fits. */
static void conv3_fwd(ts_backend *be, const ts_conv1d_shape *s, const float *x,
                      const float *w, const float *bias, float *y)
{
    if (wino3_fwd_takes(be, s)) {
        wino3(be, s->batch, s->cin, s->cout, s->lin, x, w, bias, NULL, NULL, y);
        return;
    }
    const int g = ts_cpu_conv3_pack(s->lin, s->batch);
    const long xs = (long)s->cin * s->lin, ys = (long)s->cout * s->lout;
    if (g == 1) {
        #pragma omp parallel for schedule(static) num_threads(NT)
        for (int b = 0; b < s->batch; b++)
            ts_cpu_conv3_sample(s->cin, s->cout, s->lin, x + b * xs, w, bias, y + b * ys);
        return;
    }
    long stride = 0;
    float *sc = thread_scratch(be, ts_cpu_conv3_pack_floats(g, s->cin, s->cout, s->lin), &stride);
    const int np = (s->batch + g - 1) / g;
    #pragma omp parallel for schedule(static) num_threads(NT)
    for (int p = 0; p < np; p++) {
        int b0 = p * g, n = imin(g, s->batch - b0);
        ts_cpu_conv3_packed(n, s->cin, s->cout, s->lin, x + b0 * xs, w, bias, y + b0 * ys,
                            sc + omp_get_thread_num() * stride);
    }
}

void ts_cpu_conv1d_fwd(ts_backend *be, const ts_conv1d_shape *s, const float *x,
                       const float *w, const float *bias, float *y)
{
    if (ts_cpu_of(be)->conv3 && ts_cpu_conv3_fits(s, s->cout)) {
        conv3_fwd(be, s, x, w, bias, y);
        return;
    }
    const int kd = s->cin * s->k, pw = pointwise(s);
    long cstride = 0;
    float *cols = pw ? NULL : col_scratch(be, s, &cstride);
    #pragma omp parallel for schedule(static) num_threads(NT)
    for (int b = 0; b < s->batch; b++) {
        const float *xb = x + (long)b * s->cin * s->lin;
        float *yb = y + (long)b * s->cout * s->lout;
        const float *src = xb;
        if (!pw) {
            float *col = cols + omp_get_thread_num() * cstride;
            im2col(s, xb, col);
            src = col;
        }
        if (bias)
            for (int co = 0; co < s->cout; co++)
                for (int lo = 0; lo < s->lout; lo++) yb[(long)co * s->lout + lo] = bias[co];
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, s->cout, s->lout, kd, 1.0f,
                    w, kd, src, s->lout, bias ? 1.0f : 0.0f, yb, s->lout);
    }
}

/* Winograd's output transform adds v and r as it stores y; the other
 * paths add them after (the same bits either way). */
void ts_cpu_conv1d_add_fwd(ts_backend *be, const ts_conv1d_shape *s, const float *x,
                           const float *w, const float *bias, const float *v, const float *r,
                           float *y)
{
    if (wino3_fwd_takes(be, s)) {
        wino3(be, s->batch, s->cin, s->cout, s->lin, x, w, bias, v, r, y);
        return;
    }
    ts_cpu_conv1d_fwd(be, s, x, w, bias, y);
    if (v) ts_cpu_add_bcast_fwd(be, s->batch, s->cout, s->lout, v, y);
    if (r) ts_cpu_axpby(be, (size_t)s->batch * s->cout * s->lout, 1.0f, r, 1.0f, y);
}

void ts_cpu_conv1d_bwd_data(ts_backend *be, const ts_conv1d_shape *s, const float *dy,
                            const float *w, float *dx)
{
    if (ts_cpu_of(be)->conv3 && ts_cpu_conv3_fits(s, s->cin)) {
        TS_CHECK(!omp_in_parallel());   /* shared scratch: not inside run_tasks */
        float *wt = ts_scratch_get(&ts_cpu_of(be)->wt, (size_t)s->cout * s->cin * 3 * sizeof(float));
        ts_cpu_conv3_flip(s->cin, s->cout, w, wt);
        if (ts_cpu_of(be)->wino3 && ts_cpu_wino3_fits(s, s->cin, s->cout)) {
            wino3(be, s->batch, s->cout, s->cin, s->lin, dy, wt, NULL, NULL, NULL, dx);
            return;
        }
        #pragma omp parallel for schedule(static) num_threads(NT)
        for (int b = 0; b < s->batch; b++)
            ts_cpu_conv3_sample(s->cout, s->cin, s->lin, dy + (long)b * s->cout * s->lout, wt,
                                NULL, dx + (long)b * s->cin * s->lin);
        return;
    }
    const int kd = s->cin * s->k, pw = pointwise(s);
    long cstride = 0;
    float *cols = pw ? NULL : col_scratch(be, s, &cstride);
    #pragma omp parallel for schedule(static) num_threads(NT)
    for (int b = 0; b < s->batch; b++) {
        const float *dyb = dy + (long)b * s->cout * s->lout;
        float *dxb = dx + (long)b * s->cin * s->lin;
        float *dst = pw ? dxb : cols + omp_get_thread_num() * cstride;
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, kd, s->lout, s->cout, 1.0f,
                    w, kd, dyb, s->lout, 0.0f, dst, s->lout);
        if (!pw) col2im(s, dst, dxb);
    }
}

/* dbias[co] += the sum of dy[., co, .], in double. */
static void bias_grad(ts_backend *be, const ts_conv1d_shape *s, const float *dy, float *dbias)
{
    #pragma omp parallel for schedule(static) num_threads(NT)
    for (int co = 0; co < s->cout; co++) {
        double acc = 0.0;
        for (int b = 0; b < s->batch; b++) {
            const float *r = dy + ((long)b * s->cout + co) * s->lout;
            #pragma omp simd reduction(+:acc)
            for (int lo = 0; lo < s->lout; lo++) acc += r[lo];
        }
        dbias[co] += (float)acc;
    }
}

/* The filter gradient by the direct kernel (cpu_conv3.c): group g's partial
 * in part[g] laid out [cout, 3, cinp], summed in group order into dw[cout,
 * cin, 3]. */
static void conv3_filter(ts_backend *be, const ts_conv1d_shape *s, const float *x,
                         const float *dy, float *dw)
{
    const int ng = imin(s->batch, CONV_GROUPS), cinp = ts_cpu_conv3_cinp(s->cin);
    const long np = (long)s->cout * 3 * cinp;
    long xstride = 0;
    TS_CHECK(!omp_in_parallel());   /* shared scratch: not inside run_tasks */
    float *xt = thread_scratch(be, ts_cpu_conv3_filter_floats(s->cin, s->lin), &xstride);
    float *part = ts_scratch_get(&ts_cpu_of(be)->part, (size_t)ng * np * sizeof(float));
    #pragma omp parallel for schedule(static) num_threads(NT)
    for (int g = 0; g < ng; g++) {
        const int b0 = group_start(s->batch, ng, g), b1 = group_start(s->batch, ng, g + 1);
        ts_cpu_conv3_filter(b1 - b0, s->cin, s->cout, s->lin, x + (long)b0 * s->cin * s->lin,
                            dy + (long)b0 * s->cout * s->lout, part + g * np,
                            xt + omp_get_thread_num() * xstride);
    }
    #pragma omp parallel for schedule(static) num_threads(NT) if (np > 4096)
    for (int co = 0; co < s->cout; co++)
        for (int kk = 0; kk < 3; kk++) {
            const float *p0 = part + ((long)co * 3 + kk) * cinp;
            for (int ci = 0; ci < s->cin; ci++) {
                float acc = p0[ci];
                for (int g = 1; g < ng; g++) acc += p0[g * np + ci];
                dw[((long)co * s->cin + ci) * 3 + kk] += acc;
            }
        }
}

/* The filter gradient by Winograd (cpu_wino3.c): group g's partial in
 * part[g] laid out [6, cout, cinp] and its sums of dy in sums[g][cout],
 * summed in group order, then turned into the taps of dw[cout, cin, 3] and
 * dbias (when given). */
static void wino3_filter(ts_backend *be, const ts_conv1d_shape *s, const float *x,
                         const float *dy, float *dw, float *dbias)
{
    const int ng = imin(s->batch, CONV_GROUPS), cinp = ts_cpu_conv3_cinp(s->cin);
    const int gmax = (s->batch + ng - 1) / ng;
    const long plane = (long)s->cout * cinp, np = 6 * plane;
    long stride = 0;
    TS_CHECK(!omp_in_parallel());   /* shared scratch: not inside run_tasks */
    float *sc = thread_scratch(be, ts_cpu_wino3_filter_floats(gmax, s->cin, s->cout, s->lin),
                               &stride);
    float *part = ts_scratch_get(&ts_cpu_of(be)->part, (size_t)ng * np * sizeof(float));
    double *sums = ts_scratch_get(&ts_cpu_of(be)->red, (size_t)ng * s->cout * sizeof(double));
    #pragma omp parallel for schedule(static) num_threads(NT)
    for (int g = 0; g < ng; g++) {
        const int b0 = group_start(s->batch, ng, g), b1 = group_start(s->batch, ng, g + 1);
        ts_cpu_wino3_filter(b1 - b0, s->cin, s->cout, s->lin, x + (long)b0 * s->cin * s->lin,
                            dy + (long)b0 * s->cout * s->lout, part + g * np,
                            sums + (long)g * s->cout, sc + omp_get_thread_num() * stride);
    }
    /* the partials summed into part[0] in group order, a vector at a time */
    #pragma omp parallel for schedule(static) num_threads(NT) if (np > 4096)
    for (long i0 = 0; i0 < np; i0 += 1024) {
        const long i1 = np - i0 < 1024 ? np : i0 + 1024;
        for (int g = 1; g < ng; g++) {
            const float *pg = part + g * np;
            #pragma omp simd
            for (long i = i0; i < i1; i++) part[i] += pg[i];
        }
    }
    #pragma omp parallel for schedule(static) num_threads(NT) if (np > 4096)
    for (int co = 0; co < s->cout; co++) {
        for (int ci = 0; ci < s->cin; ci++) {
            float m[6];
            for (int t = 0; t < 6; t++) m[t] = part[t * plane + (long)co * cinp + ci];
            ts_cpu_wino3_taps(m, dw + ((long)co * s->cin + ci) * 3);
        }
        if (!dbias) continue;
        double acc = 0.0;
        for (int g = 0; g < ng; g++) acc += sums[(long)g * s->cout + co];
        dbias[co] += (float)acc;
    }
}

void ts_cpu_conv1d_bwd_filter(ts_backend *be, const ts_conv1d_shape *s, const float *x,
                              const float *dy, float *dw, float *dbias)
{
    ts_cpu *cpu = ts_cpu_of(be);
    if (cpu->wino3 && ts_cpu_wino3_fits(s, s->cout, s->cin)) {
        wino3_filter(be, s, x, dy, dw, dbias);
        return;
    }
    if (cpu->conv3 && ts_cpu_conv3_fits(s, s->cout)) {
        conv3_filter(be, s, x, dy, dw);
        if (dbias) bias_grad(be, s, dy, dbias);
        return;
    }
    const int kd = s->cin * s->k, pw = pointwise(s);
    const int ng = imin(s->batch, CONV_GROUPS);
    const long nw = (long)s->cout * kd;
    long cstride = 0;
    float *cols = pw ? NULL : col_scratch(be, s, &cstride);
    TS_CHECK(!omp_in_parallel());   /* shared scratch: not inside run_tasks */
    float *part = ts_scratch_get(&cpu->part, (size_t)ng * nw * sizeof(float));

    /* Task g: the partial of group g, its samples in order. */
    #pragma omp parallel for schedule(static) num_threads(NT)
    for (int g = 0; g < ng; g++) {
        const int b0 = group_start(s->batch, ng, g), b1 = group_start(s->batch, ng, g + 1);
        float *pg = part + g * nw;
        for (int b = b0; b < b1; b++) {
            const float *xb = x + (long)b * s->cin * s->lin;
            const float *src = xb;
            if (!pw) {
                float *col = cols + omp_get_thread_num() * cstride;
                im2col(s, xb, col);
                src = col;
            }
            const float *dyb = dy + (long)b * s->cout * s->lout;
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, s->cout, kd, s->lout,
                        1.0f, dyb, s->lout, src, s->lout, b == b0 ? 0.0f : 1.0f, pg, kd);
        }
    }
    /* dW += the partials, in group order. */
    #pragma omp parallel for schedule(static) num_threads(NT) if (nw > 4096)
    for (long i = 0; i < nw; i++) {
        float acc = part[i];
        for (int g = 1; g < ng; g++) acc += part[g * nw + i];
        dw[i] += acc;
    }
    if (dbias) bias_grad(be, s, dy, dbias);
}
