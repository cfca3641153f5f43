/* cpu_gemm_conv.c - GEMMs and 1-D convolutions of the CPU backend.
 *
 * A convolution is one big SGEMM over the whole batch. im2col lays the input
 * out as col[cin*k, B*lout] (row ci*k + kk, column b*lout + lo holds
 * x[b, ci, lo*stride - pad + kk], zero outside), and the output is produced
 * channel-major as t[cout, B*lout], then scattered to y[B, cout, lout]:
 *
 *   forward      t    = W[cout, cin*k] col            y = t + bias
 *   bwd data     dcol = W^T t(dy)                     dx = col2im(dcol)
 *   bwd filter   dW  += t(dy) col^T                   dbias += rows of t(dy)
 *
 * One large GEMM keeps OpenBLAS busy on all threads (a per-sample GEMM of a
 * typical layer is too small to split well), and the re-layouts are cheap
 * memory passes done on OpenMP threads. col and t are scratch buffers owned
 * by the backend, grown to their high-water mark and reused.
 */
#include "nn/cpu_backend.h"

#include <cblas.h>
#include <string.h>

#define NT ts_cpu_of(be)->threads

static inline CBLAS_TRANSPOSE tr_of(int t) { return t ? CblasTrans : CblasNoTrans; }

void ts_cpu_gemm(ts_backend *be, int trans_a, int trans_b, int m, int n, int k,
                 float alpha, const float *a, int lda, const float *b, int ldb,
                 float beta, float *c, int ldc)
{
    (void)be;
    cblas_sgemm(CblasRowMajor, tr_of(trans_a), tr_of(trans_b), m, n, k,
                alpha, a, lda, b, ldb, beta, c, ldc);
}

void ts_cpu_gemm_batched(ts_backend *be, int trans_a, int trans_b, int m, int n, int k,
                         float alpha, const float *a, int lda, long stride_a,
                         const float *b, int ldb, long stride_b, float beta,
                         float *c, int ldc, long stride_c, int batch)
{
    (void)be;
    for (int i = 0; i < batch; i++)
        cblas_sgemm(CblasRowMajor, tr_of(trans_a), tr_of(trans_b), m, n, k, alpha,
                    a + i * stride_a, lda, b + i * stride_b, ldb, beta,
                    c + i * stride_c, ldc);
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

/* col[cin*k, B*lout] from x[B, cin, lin]. */
static void im2col(ts_backend *be, const ts_conv1d_shape *s, const float *x, float *col)
{
    const long ncol = (long)s->batch * s->lout;
    #pragma omp parallel for collapse(2) schedule(static) num_threads(NT)
    for (int ci = 0; ci < s->cin; ci++)
        for (int b = 0; b < s->batch; b++) {
            const float *xr = x + ((long)b * s->cin + ci) * s->lin;
            for (int kk = 0; kk < s->k; kk++) {
                float *cr = col + ((long)ci * s->k + kk) * ncol + (long)b * s->lout;
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

/* dx[B, cin, lin] = col2im(dcol), each dx element summed in a fixed order. */
static void col2im(ts_backend *be, const ts_conv1d_shape *s, const float *dcol, float *dx)
{
    const long ncol = (long)s->batch * s->lout;
    #pragma omp parallel for collapse(2) schedule(static) num_threads(NT)
    for (int b = 0; b < s->batch; b++)
        for (int ci = 0; ci < s->cin; ci++) {
            float *xr = dx + ((long)b * s->cin + ci) * s->lin;
            memset(xr, 0, (size_t)s->lin * sizeof(float));
            for (int kk = 0; kk < s->k; kk++) {
                const float *cr = dcol + ((long)ci * s->k + kk) * ncol + (long)b * s->lout;
                int lo0, lo1, off = kk - s->pad;
                tap_range(s, kk, &lo0, &lo1);
                for (int lo = lo0; lo < lo1; lo++) xr[lo * s->stride + off] += cr[lo];
            }
        }
}

/* t[C, B*L] <- a[B, C, L] (channel-major copy). */
static void to_chan_major(ts_backend *be, int batch, int c, int len, const float *a, float *t)
{
    const long ncol = (long)batch * len;
    #pragma omp parallel for collapse(2) schedule(static) num_threads(NT)
    for (int ch = 0; ch < c; ch++)
        for (int b = 0; b < batch; b++)
            memcpy(t + ch * ncol + (long)b * len, a + ((long)b * c + ch) * len,
                   (size_t)len * sizeof(float));
}

void ts_cpu_conv1d_fwd(ts_backend *be, const ts_conv1d_shape *s, const float *x,
                       const float *w, const float *bias, float *y)
{
    ts_cpu *cpu = ts_cpu_of(be);
    const int kdim = s->cin * s->k;
    const long ncol = (long)s->batch * s->lout;
    float *col = ts_scratch_get(&cpu->col, (size_t)kdim * ncol * sizeof(float));
    float *t = ts_scratch_get(&cpu->tr, (size_t)s->cout * ncol * sizeof(float));
    im2col(be, s, x, col);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, s->cout, (int)ncol, kdim,
                1.0f, w, kdim, col, (int)ncol, 0.0f, t, (int)ncol);
    #pragma omp parallel for collapse(2) schedule(static) num_threads(NT)
    for (int b = 0; b < s->batch; b++)
        for (int co = 0; co < s->cout; co++) {
            const float *tr = t + co * ncol + (long)b * s->lout;
            float *yr = y + ((long)b * s->cout + co) * s->lout;
            float bv = bias ? bias[co] : 0.0f;
            for (int lo = 0; lo < s->lout; lo++) yr[lo] = tr[lo] + bv;
        }
}

void ts_cpu_conv1d_bwd_data(ts_backend *be, const ts_conv1d_shape *s, const float *dy,
                            const float *w, float *dx)
{
    ts_cpu *cpu = ts_cpu_of(be);
    const int kdim = s->cin * s->k;
    const long ncol = (long)s->batch * s->lout;
    float *dcol = ts_scratch_get(&cpu->col, (size_t)kdim * ncol * sizeof(float));
    float *t = ts_scratch_get(&cpu->tr, (size_t)s->cout * ncol * sizeof(float));
    to_chan_major(be, s->batch, s->cout, s->lout, dy, t);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, kdim, (int)ncol, s->cout,
                1.0f, w, kdim, t, (int)ncol, 0.0f, dcol, (int)ncol);
    col2im(be, s, dcol, dx);
}

void ts_cpu_conv1d_bwd_filter(ts_backend *be, const ts_conv1d_shape *s, const float *x,
                              const float *dy, float *dw, float *dbias)
{
    ts_cpu *cpu = ts_cpu_of(be);
    const int kdim = s->cin * s->k;
    const long ncol = (long)s->batch * s->lout;
    float *col = ts_scratch_get(&cpu->col, (size_t)kdim * ncol * sizeof(float));
    float *t = ts_scratch_get(&cpu->tr, (size_t)s->cout * ncol * sizeof(float));
    im2col(be, s, x, col);
    to_chan_major(be, s->batch, s->cout, s->lout, dy, t);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, s->cout, kdim, (int)ncol,
                1.0f, t, (int)ncol, col, (int)ncol, 1.0f, dw, kdim);
    if (!dbias) return;
    #pragma omp parallel for schedule(static) num_threads(NT)
    for (int co = 0; co < s->cout; co++) {
        const float *tr = t + co * ncol;
        double acc = 0.0;
        for (long i = 0; i < ncol; i++) acc += tr[i];
        dbias[co] += (float)acc;
    }
}
