/* cpu_elementwise.c - the CPU backend's elementwise, layout and reduction
 * ops: SiLU, upsampling, channel slices, broadcasts, axpby, per-row mixes,
 * the sum of squares and the masked squared error loss. Forward and backward of each
 * op side by side. */
#include "nn/cpu_backend.h"
#include "nn/sigmoid.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#define NT ts_cpu_threads(be)

/* SiLU: y = x s(x), s the logistic; dy/dx = s (1 + x (1 - s)). The loops
 * run in chunks of TS_CPU_CHUNK on the clone for this CPU (TS_CPU_CLONES). */
TS_CPU_CLONES
static void silu_fwd_range(size_t i0, size_t i1, const float *x, float *y)
{
    #pragma omp simd
    for (size_t i = i0; i < i1; i++) y[i] = x[i] * ts_sigmoid(x[i]);
}

TS_CPU_CLONES
void ts_cpu_silu_bwd_range(size_t i0, size_t i1, const float *x, const float *dy, float *dx)
{
    #pragma omp simd
    for (size_t i = i0; i < i1; i++) {
        float s = ts_sigmoid(x[i]);
        dx[i] = dy[i] * s * (1.0f + x[i] * (1.0f - s));
    }
}

static size_t nchunks(size_t n) { return (n + TS_CPU_CHUNK - 1) / TS_CPU_CHUNK; }

static inline size_t chunk_end(size_t c, size_t n)
{
    return (c + 1) * TS_CPU_CHUNK < n ? (c + 1) * TS_CPU_CHUNK : n;
}

void ts_cpu_silu_fwd(ts_backend *be, size_t n, const float *x, float *y)
{
    #pragma omp parallel for schedule(static) num_threads(NT) if (n > TS_CPU_PAR_MIN)
    for (size_t c = 0; c < nchunks(n); c++)
        silu_fwd_range(c * TS_CPU_CHUNK, chunk_end(c, n), x, y);
}

void ts_cpu_silu_bwd(ts_backend *be, size_t n, const float *x, const float *dy, float *dx)
{
    #pragma omp parallel for schedule(static) num_threads(NT) if (n > TS_CPU_PAR_MIN)
    for (size_t c = 0; c < nchunks(n); c++)
        ts_cpu_silu_bwd_range(c * TS_CPU_CHUNK, chunk_end(c, n), x, dy, dx);
}

/* Nearest-neighbour upsampling by 2 along L; rows are (b, c) pairs. */
void ts_cpu_upsample2_fwd(ts_backend *be, int batch, int channels, int len,
                          const float *x, float *y)
{
    long rows = (long)batch * channels;
    #pragma omp parallel for schedule(static) num_threads(NT) if (rows * len > TS_CPU_PAR_MIN)
    for (long r = 0; r < rows; r++) {
        const float *xr = x + r * len;
        float *yr = y + 2 * r * len;
        for (int l = 0; l < len; l++) yr[2 * l] = yr[2 * l + 1] = xr[l];
    }
}

void ts_cpu_upsample2_bwd(ts_backend *be, int batch, int channels, int len,
                          const float *dy, float *dx)
{
    long rows = (long)batch * channels;
    #pragma omp parallel for schedule(static) num_threads(NT) if (rows * len > TS_CPU_PAR_MIN)
    for (long r = 0; r < rows; r++) {
        const float *dyr = dy + 2 * r * len;
        float *dxr = dx + r * len;
        for (int l = 0; l < len; l++) dxr[l] = dyr[2 * l] + dyr[2 * l + 1];
    }
}

/* Channel slices: the forward of a concatenation and, with accumulate, its
 * backward. */
void ts_cpu_chan_copy(ts_backend *be, int batch, int len, int nc,
                      const float *src, int src_c, int src_off,
                      float *dst, int dst_c, int dst_off, int accumulate)
{
    long rows = (long)batch * nc;
    #pragma omp parallel for schedule(static) num_threads(NT) if (rows * len > TS_CPU_PAR_MIN)
    for (long r = 0; r < rows; r++) {
        long b = r / nc, c = r % nc;
        const float *s = src + ((b * src_c) + src_off + c) * len;
        float *d = dst + ((b * dst_c) + dst_off + c) * len;
        if (accumulate)
            for (int l = 0; l < len; l++) d[l] += s[l];
        else
            memcpy(d, s, (size_t)len * sizeof(float));
    }
}

/* y[b,c,:] += v[b*C + c]; backward dv[b*C + c] += sum_l dy[b,c,l]. */
void ts_cpu_add_bcast_fwd(ts_backend *be, int batch, int channels, int len,
                          const float *v, float *y)
{
    long rows = (long)batch * channels;
    #pragma omp parallel for schedule(static) num_threads(NT) if (rows * len > TS_CPU_PAR_MIN)
    for (long r = 0; r < rows; r++) {
        float *yr = y + r * len;
        for (int l = 0; l < len; l++) yr[l] += v[r];
    }
}

void ts_cpu_add_bcast_bwd(ts_backend *be, int batch, int channels, int len,
                          const float *dy, float *dv)
{
    long rows = (long)batch * channels;
    #pragma omp parallel for schedule(static) num_threads(NT) if (rows * len > TS_CPU_PAR_MIN)
    for (long r = 0; r < rows; r++) {
        const float *dyr = dy + r * len;
        double s = 0.0;
        #pragma omp simd reduction(+:s)
        for (int l = 0; l < len; l++) s += dyr[l];
        dv[r] += (float)s;
    }
}

/* y[r,:] += v; backward dv[c] += sum_r dy[r,c] (rows summed in order). */
void ts_cpu_add_rowvec_fwd(ts_backend *be, int rows, int cols, const float *v, float *y)
{
    #pragma omp parallel for schedule(static) num_threads(NT) if ((long)rows * cols > TS_CPU_PAR_MIN)
    for (int r = 0; r < rows; r++) {
        float *yr = y + (long)r * cols;
        for (int c = 0; c < cols; c++) yr[c] += v[c];
    }
}

void ts_cpu_add_rowvec_bwd(ts_backend *be, int rows, int cols, const float *dy, float *dv)
{
    enum { BLOCK = 256 };
    int nblocks = (cols + BLOCK - 1) / BLOCK;
    #pragma omp parallel for schedule(static) num_threads(NT) if ((long)rows * cols > TS_CPU_PAR_MIN)
    for (int bk = 0; bk < nblocks; bk++) {
        int c0 = bk * BLOCK, c1 = c0 + BLOCK < cols ? c0 + BLOCK : cols;
        float acc[BLOCK] = {0};
        for (int r = 0; r < rows; r++) {
            const float *dyr = dy + (long)r * cols;
            #pragma omp simd
            for (int c = c0; c < c1; c++) acc[c - c0] += dyr[c];
        }
        for (int c = c0; c < c1; c++) dv[c] += acc[c - c0];
    }
}

TS_CPU_CLONES
static void axpby_range(size_t i0, size_t i1, float a, const float *x, float b, float *y)
{
    #pragma omp simd
    for (size_t i = i0; i < i1; i++) y[i] = a * x[i] + b * y[i];
}

void ts_cpu_axpby(ts_backend *be, size_t n, float a, const float *x, float b, float *y)
{
    #pragma omp parallel for schedule(static) num_threads(NT) if (n > TS_CPU_PAR_MIN)
    for (size_t c = 0; c < nchunks(n); c++) axpby_range(c * TS_CPU_CHUNK, chunk_end(c, n), a, x, b, y);
}

/* out[r,:] = a[r] x[r,:] + b[r] y[r,:]; out may alias x or y. */
void ts_cpu_mix_rows(ts_backend *be, int rows, size_t n, const float *h_a, const float *x,
                     const float *h_b, const float *y, float *out)
{
    size_t total = (size_t)rows * n;
    #pragma omp parallel for collapse(2) schedule(static) num_threads(NT) if (total > TS_CPU_PAR_MIN)
    for (int r = 0; r < rows; r++)
        for (size_t j = 0; j < n; j++) {
            size_t i = (size_t)r * n + j;
            out[i] = h_a[r] * x[i] + h_b[r] * y[i];
        }
}

/* Reductions: chunk sums in double, then the chunk sums in order. */

double ts_cpu_sumsq(ts_backend *be, size_t n, const float *x)
{
    size_t nc = nchunks(n);
    TS_CHECK(!omp_in_parallel());   /* shared scratch: not inside run_tasks */
    double *part = ts_scratch_get(&ts_cpu_of(be)->red, (nc + 1) * sizeof(double));
    #pragma omp parallel for schedule(static) num_threads(NT) if (n > TS_CPU_PAR_MIN)
    for (size_t c = 0; c < nc; c++) {
        size_t i0 = c * TS_CPU_CHUNK, i1 = i0 + TS_CPU_CHUNK < n ? i0 + TS_CPU_CHUNK : n;
        double s = 0.0;
        #pragma omp simd reduction(+:s)
        for (size_t i = i0; i < i1; i++) s += (double)x[i] * x[i];
        part[c] = s;
    }
    double s = 0.0;
    for (size_t c = 0; c < nc; c++) s += part[c];
    return s;
}

double ts_cpu_masked_sse(ts_backend *be, size_t n, const float *pred, const float *target,
                         const float *mask, float grad_scale, float *dpred, double *count)
{
    size_t nc = nchunks(n);
    TS_CHECK(!omp_in_parallel());
    double *part = ts_scratch_get(&ts_cpu_of(be)->red, (2 * nc + 1) * sizeof(double));
    #pragma omp parallel for schedule(static) num_threads(NT) if (n > TS_CPU_PAR_MIN)
    for (size_t c = 0; c < nc; c++) {
        size_t i0 = c * TS_CPU_CHUNK, i1 = i0 + TS_CPU_CHUNK < n ? i0 + TS_CPU_CHUNK : n;
        double se = 0.0, sm = 0.0;
        #pragma omp simd reduction(+:se, sm)
        for (size_t i = i0; i < i1; i++) {
            double d = (double)pred[i] - target[i];
            se += mask[i] * d * d;
            sm += mask[i];
        }
        part[2 * c] = se;
        part[2 * c + 1] = sm;
    }
    double se = 0.0, sm = 0.0;
    for (size_t c = 0; c < nc; c++) {
        se += part[2 * c];
        sm += part[2 * c + 1];
    }
    #pragma omp parallel for simd schedule(static) num_threads(NT) if (n > TS_CPU_PAR_MIN)
    for (size_t i = 0; i < n; i++) dpred[i] = grad_scale * mask[i] * (pred[i] - target[i]);
    *count = sm;
    return se;
}
