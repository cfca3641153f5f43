/* cuda_kernels.cu - the CUDA backend's own kernels: fill, group norm,
 * SiLU, upsampling, channel slices, broadcasts, axpby, per-row
 * mixes, the deterministic reductions (sum of squares, masked squared error), AdamW,
 * the EMA and the Philox normal stream. Forward and backward side by side.
 *
 * Every kernel mirrors the arithmetic of its CPU twin (src/nn/cpu_*.c) in
 * the same precision and order where that order is per element (SiLU's
 * logistic is the CPU's own, nn/sigmoid.h); sums that
 * the CPU does in double are done in double here. The module is compiled
 * with -fmad=false, as the CPU code has no fused multiply-adds either.
 * Reductions use a fixed grid and a fixed tree, so a result depends on the
 * input only, never on timing.
 */
#include "cuda/cuda_internal.h"
#include "nn/sigmoid.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TPB TS_CUDA_TPB
#define STREAM(be) ts_cuda_of(be)->stream

/* for (size_t i = ...; i < n; ...) over the whole grid */
#define GRID_LOOP(i, n) \
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < (n); \
         i += (size_t)gridDim.x * blockDim.x)

/* ---- block reductions ---------------------------------------------------- */

/* Sum of v over the block (blockDim.x a multiple of 32, <= 1024); the result
 * is returned to every thread. sh: 33 doubles of shared memory. */
__device__ static double block_sum(double v, double *sh)
{
    for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    if (lane == 0) sh[warp] = v;
    __syncthreads();
    if (warp == 0) {
        const int nw = blockDim.x >> 5;
        v = lane < nw ? sh[lane] : 0.0;
        for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
        if (lane == 0) sh[32] = v;
    }
    __syncthreads();
    v = sh[32];
    __syncthreads();   /* sh may be reused at once */
    return v;
}

/* ---- probe and fill ----------------------------------------------------- */

__global__ static void fill_k(float *p, float value, size_t n)
{
    GRID_LOOP(i, n) p[i] = value;
}

void ts_cuda_fill(ts_backend *be, float *p, float value, size_t n)
{
    if (n == 0) return;
    fill_k<<<ts_cuda_grid(n), TPB, 0, STREAM(be)>>>(p, value, n);
    CU_LAUNCHED(ts_cuda_of(be), "fill");
}

int ts_cuda_probe(ts_cuda *cu, ts_error *err)
{
    float *d = NULL, h = 0.0f;
    cudaError_t e = cudaMalloc((void **)&d, sizeof(float));
    if (e == cudaSuccess) {
        fill_k<<<1, 32, 0, cu->stream>>>(d, 42.0f, 1);
        e = cudaGetLastError();
    }
    if (e == cudaSuccess) e = cudaMemcpyAsync(&h, d, sizeof h, cudaMemcpyDeviceToHost, cu->stream);
    if (e == cudaSuccess) e = cudaStreamSynchronize(cu->stream);
    if (d) cudaFree(d);
    if (e == cudaSuccess && h == 42.0f) return 0;
    if (err) {
        snprintf(err->msg, sizeof err->msg, "CUDA device 0 cannot run this module's code: %s",
                 e != cudaSuccess ? cudaGetErrorString(e) : "a test kernel gave a wrong result");
        err->code = TS_EUNAVAIL;
    }
    (void)cudaGetLastError();
    return TS_EUNAVAIL;
}

/* ---- group norm ---------------------------------------------------------- */

#define GN_EPS 1e-5

/* One block per (b, g); a group is contiguous: cpg * len floats. */
__global__ static void gn_fwd_k(int channels, int len, int groups, const float *x,
                                const float *gamma, const float *beta, float *y,
                                float *mean, float *rstd)
{
    __shared__ double sh[33];
    const int bg = blockIdx.x, g = bg % groups, cpg = channels / groups;
    const long n = (long)cpg * len;
    const float *xg = x + (size_t)bg * n;
    float *yg = y + (size_t)bg * n;
    double s = 0.0;
    for (long i = threadIdx.x; i < n; i += blockDim.x) s += xg[i];
    const double mu = block_sum(s, sh) / (double)n;
    double ss = 0.0;
    for (long i = threadIdx.x; i < n; i += blockDim.x) ss += (xg[i] - mu) * (xg[i] - mu);
    const double rs = 1.0 / sqrt(block_sum(ss, sh) / (double)n + GN_EPS);
    if (threadIdx.x == 0) {
        mean[bg] = (float)mu;
        rstd[bg] = (float)rs;
    }
    for (long i = threadIdx.x; i < n; i += blockDim.x) {
        const int c = g * cpg + (int)(i / len);
        const float a = (float)rs * gamma[c];
        const float bb = beta[c] - (float)mu * a;
        yg[i] = a * xg[i] + bb;
    }
}

void ts_cuda_groupnorm_fwd(ts_backend *be, int batch, int channels, int len, int groups,
                           const float *x, const float *gamma, const float *beta,
                           float *y, float *mean, float *rstd)
{
    CU_ASSERT(groups > 0 && channels % groups == 0);
    if (batch <= 0 || channels <= 0 || len <= 0) return;
    gn_fwd_k<<<batch * groups, TPB, 0, STREAM(be)>>>(channels, len, groups, x, gamma, beta,
                                                     y, mean, rstd);
    CU_LAUNCHED(ts_cuda_of(be), "groupnorm_fwd");
}

/* dx, one block per (b, g): dx = rstd (dy gamma - mean(dy gamma) - xhat mean(dy gamma xhat)). */
__global__ static void gn_bwd_dx_k(int channels, int len, int groups, const float *dy,
                                   const float *x, const float *gamma, const float *mean,
                                   const float *rstd, float *dx)
{
    __shared__ double sh[33];
    const int bg = blockIdx.x, g = bg % groups, cpg = channels / groups;
    const long n = (long)cpg * len;
    const size_t o = (size_t)bg * n;
    const float mu = mean[bg], rs = rstd[bg];
    double sg = 0.0, sgx = 0.0;
    for (long i = threadIdx.x; i < n; i += blockDim.x) {
        const float gm = gamma[g * cpg + (int)(i / len)];
        const float xhat = (x[o + i] - mu) * rs;
        sg += (double)gm * dy[o + i];
        sgx += (double)gm * ((double)dy[o + i] * xhat);
    }
    sg = block_sum(sg, sh);
    sgx = block_sum(sgx, sh);
    const float mg = (float)(sg / (double)n), mgx = (float)(sgx / (double)n);
    for (long i = threadIdx.x; i < n; i += blockDim.x) {
        const float gm = gamma[g * cpg + (int)(i / len)];
        const float xhat = (x[o + i] - mu) * rs;
        dx[o + i] = rs * (dy[o + i] * gm - mg - xhat * mgx);
    }
}

/* dgamma, dbeta: one block per channel, over every (b, l). */
__global__ static void gn_bwd_param_k(int batch, int channels, int len, int groups,
                                      const float *dy, const float *x, const float *mean,
                                      const float *rstd, float *dgamma, float *dbeta)
{
    __shared__ double sh[33];
    const int c = blockIdx.x, g = c / (channels / groups);
    const long n = (long)batch * len;
    double s1 = 0.0, s2 = 0.0;
    for (long i = threadIdx.x; i < n; i += blockDim.x) {
        const int b = (int)(i / len), l = (int)(i % len);
        const float mu = mean[b * groups + g], rs = rstd[b * groups + g];
        const size_t o = ((size_t)b * channels + c) * len + l;
        s1 += (double)dy[o] * ((x[o] - mu) * rs);
        s2 += dy[o];
    }
    s1 = block_sum(s1, sh);
    s2 = block_sum(s2, sh);
    if (threadIdx.x == 0) {
        dgamma[c] += (float)s1;
        dbeta[c] += (float)s2;
    }
}

void ts_cuda_groupnorm_bwd(ts_backend *be, int batch, int channels, int len, int groups,
                           const float *dy, const float *x, const float *gamma,
                           const float *mean, const float *rstd,
                           float *dx, float *dgamma, float *dbeta)
{
    CU_ASSERT(groups > 0 && channels % groups == 0);
    if (batch <= 0 || channels <= 0 || len <= 0) return;
    gn_bwd_dx_k<<<batch * groups, TPB, 0, STREAM(be)>>>(channels, len, groups, dy, x, gamma,
                                                        mean, rstd, dx);
    CU_LAUNCHED(ts_cuda_of(be), "groupnorm_bwd (dx)");
    gn_bwd_param_k<<<channels, TPB, 0, STREAM(be)>>>(batch, channels, len, groups, dy, x,
                                                     mean, rstd, dgamma, dbeta);
    CU_LAUNCHED(ts_cuda_of(be), "groupnorm_bwd (dgamma, dbeta)");
}

/* ---- SiLU ---------------------------------------------------------------- */

__global__ static void silu_fwd_k(size_t n, const float *x, float *y)
{
    GRID_LOOP(i, n) y[i] = x[i] * ts_sigmoid(x[i]);
}

__global__ static void silu_bwd_k(size_t n, const float *x, const float *dy, float *dx)
{
    GRID_LOOP(i, n) {
        const float s = ts_sigmoid(x[i]);
        dx[i] = dy[i] * s * (1.0f + x[i] * (1.0f - s));
    }
}

void ts_cuda_silu_fwd(ts_backend *be, size_t n, const float *x, float *y)
{
    if (n == 0) return;
    silu_fwd_k<<<ts_cuda_grid(n), TPB, 0, STREAM(be)>>>(n, x, y);
    CU_LAUNCHED(ts_cuda_of(be), "silu_fwd");
}

void ts_cuda_silu_bwd(ts_backend *be, size_t n, const float *x, const float *dy, float *dx)
{
    if (n == 0) return;
    silu_bwd_k<<<ts_cuda_grid(n), TPB, 0, STREAM(be)>>>(n, x, dy, dx);
    CU_LAUNCHED(ts_cuda_of(be), "silu_bwd");
}

/* ---- upsampling by 2 ------------------------------------------------------ */

/* Rows of x and y line up: y[2i] = y[2i+1] = x[i]. */
__global__ static void up2_fwd_k(size_t n, const float *x, float *y)
{
    GRID_LOOP(i, n) {
        const float v = x[i];
        y[2 * i] = v;
        y[2 * i + 1] = v;
    }
}

__global__ static void up2_bwd_k(size_t n, const float *dy, float *dx)
{
    GRID_LOOP(i, n) dx[i] = dy[2 * i] + dy[2 * i + 1];
}

void ts_cuda_upsample2_fwd(ts_backend *be, int batch, int channels, int len,
                           const float *x, float *y)
{
    size_t n = (size_t)batch * channels * len;
    if (batch <= 0 || channels <= 0 || len <= 0) return;
    up2_fwd_k<<<ts_cuda_grid(n), TPB, 0, STREAM(be)>>>(n, x, y);
    CU_LAUNCHED(ts_cuda_of(be), "upsample2_fwd");
}

void ts_cuda_upsample2_bwd(ts_backend *be, int batch, int channels, int len,
                           const float *dy, float *dx)
{
    size_t n = (size_t)batch * channels * len;
    if (batch <= 0 || channels <= 0 || len <= 0) return;
    up2_bwd_k<<<ts_cuda_grid(n), TPB, 0, STREAM(be)>>>(n, dy, dx);
    CU_LAUNCHED(ts_cuda_of(be), "upsample2_bwd");
}

/* ---- channel slices -------------------------------------------------------- */

__global__ static void chan_copy_k(size_t total, int len, int nc, const float *src, int src_c,
                                   int src_off, float *dst, int dst_c, int dst_off, int acc)
{
    GRID_LOOP(i, total) {
        const size_t r = i / (size_t)len, l = i % (size_t)len;
        const size_t b = r / (size_t)nc, c = r % (size_t)nc;
        const float v = src[(b * src_c + src_off + c) * len + l];
        float *d = dst + (b * dst_c + dst_off + c) * len + l;
        if (acc) *d += v;
        else *d = v;
    }
}

void ts_cuda_chan_copy(ts_backend *be, int batch, int len, int nc,
                       const float *src, int src_c, int src_off,
                       float *dst, int dst_c, int dst_off, int accumulate)
{
    if (batch <= 0 || len <= 0 || nc <= 0) return;
    size_t total = (size_t)batch * nc * len;
    chan_copy_k<<<ts_cuda_grid(total), TPB, 0, STREAM(be)>>>(total, len, nc, src, src_c, src_off,
                                                             dst, dst_c, dst_off, accumulate);
    CU_LAUNCHED(ts_cuda_of(be), "chan_copy");
}

/* ---- broadcasts ------------------------------------------------------------ */

/* y[r, l] += v[r], rows of len. */
__global__ static void add_rows_k(size_t total, int len, const float *v, float *y)
{
    GRID_LOOP(i, total) y[i] += v[i / (size_t)len];
}

/* dv[r] += sum_l dy[r, l]: one warp per row, summed in double. */
__global__ static void row_sums_k(size_t rows, int len, const float *dy, float *dv)
{
    const size_t warp = (blockIdx.x * (size_t)blockDim.x + threadIdx.x) / 32;
    const int lane = threadIdx.x & 31;
    const size_t nwarps = (size_t)gridDim.x * blockDim.x / 32;
    for (size_t r = warp; r < rows; r += nwarps) {
        const float *row = dy + r * len;
        double s = 0.0;
        for (int l = lane; l < len; l += 32) s += row[l];
        for (int o = 16; o > 0; o >>= 1) s += __shfl_down_sync(0xffffffffu, s, o);
        if (lane == 0) dv[r] += (float)s;
    }
}

void ts_cuda_add_bcast_fwd(ts_backend *be, int batch, int channels, int len,
                           const float *v, float *y)
{
    if (batch <= 0 || channels <= 0 || len <= 0) return;
    size_t total = (size_t)batch * channels * len;
    add_rows_k<<<ts_cuda_grid(total), TPB, 0, STREAM(be)>>>(total, len, v, y);
    CU_LAUNCHED(ts_cuda_of(be), "add_bcast_fwd");
}

void ts_cuda_add_bcast_bwd(ts_backend *be, int batch, int channels, int len,
                           const float *dy, float *dv)
{
    if (batch <= 0 || channels <= 0 || len <= 0) return;
    size_t rows = (size_t)batch * channels;
    row_sums_k<<<ts_cuda_grid(rows * 32), TPB, 0, STREAM(be)>>>(rows, len, dy, dv);
    CU_LAUNCHED(ts_cuda_of(be), "add_bcast_bwd");
}

__global__ static void add_rowvec_k(size_t total, int cols, const float *v, float *y)
{
    GRID_LOOP(i, total) y[i] += v[i % (size_t)cols];
}

/* dv[c] += sum_r dy[r, c], one thread per column, rows in order (as the CPU). */
__global__ static void col_sums_k(int rows, int cols, const float *dy, float *dv)
{
    GRID_LOOP(c, (size_t)cols) {
        float acc = 0.0f;
        for (int r = 0; r < rows; r++) acc += dy[(size_t)r * cols + c];
        dv[c] += acc;
    }
}

void ts_cuda_add_rowvec_fwd(ts_backend *be, int rows, int cols, const float *v, float *y)
{
    if (rows <= 0 || cols <= 0) return;
    size_t total = (size_t)rows * cols;
    add_rowvec_k<<<ts_cuda_grid(total), TPB, 0, STREAM(be)>>>(total, cols, v, y);
    CU_LAUNCHED(ts_cuda_of(be), "add_rowvec_fwd");
}

void ts_cuda_add_rowvec_bwd(ts_backend *be, int rows, int cols, const float *dy, float *dv)
{
    if (rows <= 0 || cols <= 0) return;
    col_sums_k<<<ts_cuda_grid((size_t)cols), TPB, 0, STREAM(be)>>>(rows, cols, dy, dv);
    CU_LAUNCHED(ts_cuda_of(be), "add_rowvec_bwd");
}

/* ---- elementwise ----------------------------------------------------------- */

__global__ static void axpby_k(size_t n, float a, const float *x, float b, float *y)
{
    GRID_LOOP(i, n) y[i] = a * x[i] + b * y[i];
}

void ts_cuda_axpby(ts_backend *be, size_t n, float a, const float *x, float b, float *y)
{
    if (n == 0) return;
    axpby_k<<<ts_cuda_grid(n), TPB, 0, STREAM(be)>>>(n, a, x, b, y);
    CU_LAUNCHED(ts_cuda_of(be), "axpby");
}

/* out[r, :] = a[r] x[r, :] + b[r] y[r, :]; coef = a[rows] then b[rows]. Each
 * element is read before it is written by the same thread: out may alias. */
__global__ static void mix_rows_k(size_t total, size_t n, int rows, const float *coef,
                                  const float *x, const float *y, float *out)
{
    GRID_LOOP(i, total) {
        const size_t r = i / n;
        out[i] = coef[r] * x[i] + coef[rows + r] * y[i];
    }
}

void ts_cuda_mix_rows(ts_backend *be, int rows, size_t n, const float *h_a, const float *x,
                      const float *h_b, const float *y, float *out)
{
    ts_cuda *cu = ts_cuda_of(be);
    if (rows <= 0 || n == 0) return;
    /* a and b side by side in one host block, then one copy to the device. */
    size_t bytes = 2 * (size_t)rows * sizeof(float);
    float *h = (float *)malloc(bytes);
    CU_ASSERT_MSG(h != NULL, "out of memory");
    memcpy(h, h_a, (size_t)rows * sizeof(float));
    memcpy(h + rows, h_b, (size_t)rows * sizeof(float));
    const float *coef = (const float *)ts_cuda_h2d_temp(cu, &cu->coef, h, bytes);
    free(h);
    size_t total = (size_t)rows * n;
    mix_rows_k<<<ts_cuda_grid(total), TPB, 0, cu->stream>>>(total, n, rows, coef, x, y, out);
    CU_LAUNCHED(cu, "mix_rows");
}

/* ---- reductions -------------------------------------------------------------- */

/* Number of blocks of a pass-one reduction over n: fixed by n. */
static unsigned red_blocks(size_t n)
{
    size_t b = (n + TPB * 4 - 1) / (TPB * 4);
    if (b < 1) b = 1;
    if (b > TS_CUDA_RED_BLOCKS) b = TS_CUDA_RED_BLOCKS;
    return (unsigned)b;
}

/* Pass one: part[blockIdx] = sum over the block's grid-stride share. */
__global__ static void sumsq_part_k(size_t n, const float *x, double *part)
{
    __shared__ double sh[33];
    double s = 0.0;
    GRID_LOOP(i, n) s += (double)x[i] * x[i];
    s = block_sum(s, sh);
    if (threadIdx.x == 0) part[blockIdx.x] = s;
}

/* Pass two, one block: out[k] = sum_j part[j * stride + k] for k < width. */
__global__ static void sum_parts_k(int nparts, int width, const double *part, double *out)
{
    __shared__ double sh[33];
    for (int k = 0; k < width; k++) {
        double s = 0.0;
        for (int j = threadIdx.x; j < nparts; j += blockDim.x) s += part[(size_t)j * width + k];
        s = block_sum(s, sh);
        if (threadIdx.x == 0) out[k] = s;
    }
}

/* Copy `count` doubles of cu->res_d to the host and wait. */
static void fetch_results(ts_cuda *cu, int count)
{
    CUDA_CHECK(cudaMemcpyAsync(cu->res_h, cu->res_d, (size_t)count * sizeof(double),
                               cudaMemcpyDeviceToHost, cu->stream));
    CUDA_CHECK(cudaStreamSynchronize(cu->stream));
}

double ts_cuda_sumsq(ts_backend *be, size_t n, const float *x)
{
    ts_cuda *cu = ts_cuda_of(be);
    CU_ASSERT_MSG(!cu->capturing, "sumsq while recording a graph");
    if (n == 0) {
        ts_cuda_wait(cu, "sumsq while recording a graph");   /* it synchronises, always */
        return 0.0;
    }
    unsigned nb = red_blocks(n);
    sumsq_part_k<<<nb, TPB, 0, cu->stream>>>(n, x, cu->red);
    CU_LAUNCHED(cu, "sumsq (pass 1)");
    sum_parts_k<<<1, TPB, 0, cu->stream>>>((int)nb, 1, cu->red, cu->res_d);
    CU_LAUNCHED(cu, "sumsq (pass 2)");
    fetch_results(cu, 1);
    return cu->res_h[0];
}

/* Pass one of the masked squared error: part[2 blk] = sum m d^2, part[2 blk + 1] = sum m. */
__global__ static void mse_part_k(size_t n, const float *pred, const float *target,
                                  const float *mask, double *part)
{
    __shared__ double sh[33];
    double se = 0.0, sm = 0.0;
    GRID_LOOP(i, n) {
        const double d = (double)pred[i] - target[i];
        se += mask[i] * d * d;
        sm += mask[i];
    }
    se = block_sum(se, sh);
    sm = block_sum(sm, sh);
    if (threadIdx.x == 0) {
        part[2 * blockIdx.x] = se;
        part[2 * blockIdx.x + 1] = sm;
    }
}

/* dpred = scale * m * (pred - target). */
__global__ static void sse_grad_k(size_t n, const float *pred, const float *target,
                                  const float *mask, float scale, float *dpred)
{
    GRID_LOOP(i, n) dpred[i] = scale * mask[i] * (pred[i] - target[i]);
}

double ts_cuda_masked_sse(ts_backend *be, size_t n, const float *pred, const float *target,
                          const float *mask, float grad_scale, float *dpred, double *count)
{
    ts_cuda *cu = ts_cuda_of(be);
    CU_ASSERT_MSG(!cu->capturing, "masked_sse while recording a graph");
    *count = 0.0;
    if (n == 0) {
        ts_cuda_wait(cu, "masked_sse while recording a graph");
        return 0.0;
    }
    unsigned nb = red_blocks(n);
    mse_part_k<<<nb, TPB, 0, cu->stream>>>(n, pred, target, mask, cu->red);
    CU_LAUNCHED(cu, "masked_sse (pass 1)");
    sum_parts_k<<<1, TPB, 0, cu->stream>>>((int)nb, 2, cu->red, cu->res_d);
    CU_LAUNCHED(cu, "masked_sse (pass 2)");
    sse_grad_k<<<ts_cuda_grid(n), TPB, 0, cu->stream>>>(n, pred, target, mask, grad_scale, dpred);
    CU_LAUNCHED(cu, "masked_sse (gradient)");
    fetch_results(cu, 2);
    *count = cu->res_h[1];
    return cu->res_h[0];
}

/* ---- optimizer ---------------------------------------------------------------- */

__global__ static void adamw_k(size_t n, float *p, const float *g, float *m, float *v,
                               float lr, float beta1, float beta2, float eps, float wd,
                               float bc1, float bc2)
{
    GRID_LOOP(i, n) {
        const float mi = beta1 * m[i] + (1.0f - beta1) * g[i];
        const float vi = beta2 * v[i] + (1.0f - beta2) * g[i] * g[i];
        m[i] = mi;
        v[i] = vi;
        const float mhat = mi * bc1, vhat = vi * bc2;
        p[i] -= lr * (mhat / (sqrtf(vhat) + eps) + wd * p[i]);
    }
}

void ts_cuda_adamw(ts_backend *be, size_t n, float *p, const float *g, float *m, float *v,
                   float lr, float beta1, float beta2, float eps, float wd, long step)
{
    CU_ASSERT(step >= 1);
    if (n == 0) return;
    const float bc1 = (float)(1.0 / (1.0 - pow(beta1, (double)step)));
    const float bc2 = (float)(1.0 / (1.0 - pow(beta2, (double)step)));
    adamw_k<<<ts_cuda_grid(n), TPB, 0, STREAM(be)>>>(n, p, g, m, v, lr, beta1, beta2, eps, wd,
                                                     bc1, bc2);
    CU_LAUNCHED(ts_cuda_of(be), "adamw");
}

__global__ static void ema_k(size_t n, float *e, const float *p, float decay)
{
    GRID_LOOP(i, n) e[i] = decay * e[i] + (1.0f - decay) * p[i];
}

void ts_cuda_ema(ts_backend *be, size_t n, float *e, const float *p, float decay)
{
    if (n == 0) return;
    ema_k<<<ts_cuda_grid(n), TPB, 0, STREAM(be)>>>(n, e, p, decay);
    CU_LAUNCHED(ts_cuda_of(be), "ema");
}

/* ---- Philox 4x32-10 and the normal stream (io/philox.h) -------------------------- */

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

/* Block j of the stream of seed: counter (j lo, j hi, 0, 0), key (seed lo, seed hi). */
__device__ static void philox_block(uint64_t seed, uint64_t j, uint32_t w[4])
{
    uint32_t c0 = (uint32_t)j, c1 = (uint32_t)(j >> 32), c2 = 0, c3 = 0;
    uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
    for (int r = 0; r < 10; r++) {
        if (r > 0) {
            k0 += PHILOX_W0;
            k1 += PHILOX_W1;
        }
        const uint64_t p0 = (uint64_t)PHILOX_M0 * c0;
        const uint64_t p1 = (uint64_t)PHILOX_M1 * c2;
        const uint32_t hi0 = (uint32_t)(p0 >> 32), lo0 = (uint32_t)p0;
        const uint32_t hi1 = (uint32_t)(p1 >> 32), lo1 = (uint32_t)p1;
        c0 = hi1 ^ c1 ^ k0;
        c1 = lo1;
        c2 = hi0 ^ c3 ^ k1;
        c3 = lo0;
    }
    w[0] = c0;
    w[1] = c1;
    w[2] = c2;
    w[3] = c3;
}

__device__ static inline double word_to_uniform(uint32_t w)
{
    return ((double)(w >> 8) + 0.5) * (1.0 / 16777216.0);
}

/* Normals first*4 .. of the stream, lanes outside [offset, offset + n) skipped. */
__global__ static void randn_k(uint64_t seed, uint64_t offset, size_t n, uint64_t first,
                               size_t nblocks, float *out)
{
    const double two_pi = 6.283185307179586476925286766559;
    GRID_LOOP(b, nblocks) {
        const uint64_t j = first + b;
        uint32_t w[4];
        philox_block(seed, j, w);
        float z[4];
        for (int p = 0; p < 2; p++) {
            const double u = word_to_uniform(w[2 * p]);
            const double v = word_to_uniform(w[2 * p + 1]);
            const double r = sqrt(-2.0 * log(u));
            z[2 * p] = (float)(r * cos(two_pi * v));
            z[2 * p + 1] = (float)(r * sin(two_pi * v));
        }
        for (int lane = 0; lane < 4; lane++) {
            const uint64_t i = 4 * j + (uint64_t)lane;
            if (i >= offset && i - offset < n) out[i - offset] = z[lane];
        }
    }
}

void ts_cuda_randn(ts_backend *be, size_t n, uint64_t seed, uint64_t offset, float *out)
{
    if (n == 0) return;
    const uint64_t first = offset / 4, last = (offset + n - 1) / 4;
    const size_t nblocks = (size_t)(last - first + 1);
    randn_k<<<ts_cuda_grid(nblocks), TPB, 0, STREAM(be)>>>(seed, offset, n, first, nblocks, out);
    CU_LAUNCHED(ts_cuda_of(be), "randn");
}

__global__ static void philox_words_k(uint64_t seed, uint64_t first, size_t nblocks,
                                      uint32_t *words)
{
    GRID_LOOP(b, nblocks) {
        uint32_t w[4];
        philox_block(seed, first + b, w);
        for (int k = 0; k < 4; k++) words[4 * b + k] = w[k];
    }
}

void ts_cuda_philox_words(ts_cuda *cu, uint64_t seed, uint64_t first, size_t nblocks,
                          uint32_t *words)
{
    if (nblocks == 0) return;
    philox_words_k<<<ts_cuda_grid(nblocks), TPB, 0, cu->stream>>>(seed, first, nblocks, words);
    CU_LAUNCHED(cu, "philox words");
}
