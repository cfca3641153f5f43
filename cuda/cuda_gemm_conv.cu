/* cuda_gemm_conv.cu - GEMMs on cuBLAS and 1-D convolutions as im2col + GEMM.
 *
 * Row-major GEMM on column-major cuBLAS: a row-major m x n matrix C is the
 * column-major n x m matrix C^T, and C^T = op(B)^T op(A)^T, so
 * C = op(A) op(B) is cublasSgemm(op_b, op_a, n, m, k, B, A) with the same
 * leading dimensions.
 *
 * Convolution of sample b, with col[cin*k, lout] its im2col (row ci*k + kk
 * holds x[b, ci, lo*stride - pad + kk], zero outside):
 *
 *   forward      y[b]  = W[cout, cin*k] col[b]            strided-batched GEMM
 *   bwd data     dcol[b] = W^T dy[b]; dx[b] = col2im(dcol) strided-batched GEMM + gather
 *   bwd filter   dW  += dyT[cout, B*lout] colT[cin*k, B*lout]^T    one GEMM
 *
 * where colT and dyT hold the batch side by side along the columns (the
 * "interleaved" layout), so that the filter gradient is one GEMM with
 * k = B*lout instead of a sum of per-sample GEMMs. A pointwise conv (k 1,
 * stride 1, pad 0) skips im2col in the forward and data backward. col2im is
 * a gather (each dx element sums its taps in order): no atomics, so every
 * result is deterministic. Batches are cut into chunks whose im2col fits
 * COL_MAX floats of scratch.
 *
 * With TSDIFF_CUDA_CONV=cudnn the three conv ops go to cuda_cudnn.cu.
 */
#include "cuda/cuda_internal.h"

#define TPB TS_CUDA_TPB

/* Largest im2col scratch, in floats (256 MiB); larger batches are chunked. */
#define COL_MAX ((size_t)64 << 20)
/* Most samples in one strided-batched call. */
#define BATCH_MAX 8192

#define GRID_LOOP(i, n) \
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < (n); \
         i += (size_t)gridDim.x * blockDim.x)

static inline cublasOperation_t op_of(int t) { return t ? CUBLAS_OP_T : CUBLAS_OP_N; }

/* ---- GEMM ------------------------------------------------------------------ */

void ts_cuda_gemm(ts_backend *be, int trans_a, int trans_b, int m, int n, int k,
                  float alpha, const float *a, int lda, const float *b, int ldb,
                  float beta, float *c, int ldc)
{
    if (m <= 0 || n <= 0) return;
    CUBLAS_CHECK(cublasSgemm(ts_cuda_of(be)->blas, op_of(trans_b), op_of(trans_a), n, m, k,
                             &alpha, b, ldb, a, lda, &beta, c, ldc));
    CU_LAUNCHED(ts_cuda_of(be), "gemm");
}

void ts_cuda_gemm_batched(ts_backend *be, int trans_a, int trans_b, int m, int n, int k,
                          float alpha, const float *a, int lda, long stride_a,
                          const float *b, int ldb, long stride_b, float beta,
                          float *c, int ldc, long stride_c, int batch)
{
    if (m <= 0 || n <= 0 || batch <= 0) return;
    ts_cuda *cu = ts_cuda_of(be);
    for (int b0 = 0; b0 < batch; b0 += BATCH_MAX) {
        int nb = batch - b0 < BATCH_MAX ? batch - b0 : BATCH_MAX;
        CUBLAS_CHECK(cublasSgemmStridedBatched(
            cu->blas, op_of(trans_b), op_of(trans_a), n, m, k, &alpha,
            b + (size_t)b0 * stride_b, ldb, (long long)stride_b,
            a + (size_t)b0 * stride_a, lda, (long long)stride_a, &beta,
            c + (size_t)b0 * stride_c, ldc, (long long)stride_c, nb));
        CU_LAUNCHED(cu, "gemm_batched");
    }
}

/* ---- im2col, col2im, bias ----------------------------------------------------- */

typedef struct conv_geom {
    int cin, lin, k, stride, pad, lout;
} conv_geom;

static conv_geom geom_of(const ts_conv1d_shape *s)
{
    conv_geom g = {s->cin, s->lin, s->k, s->stride, s->pad, s->lout};
    return g;
}

/* col for samples b0 .. b0+nb-1 of x[B, cin, lin]; element (b, r, lo) at
 * (b*kd + r)*lout + lo (per sample) or (r*nb + b)*lout + lo (interleaved). */
__global__ static void im2col_k(conv_geom g, int nb, int interleaved, const float *x,
                                float *col)
{
    const int kd = g.cin * g.k;
    const size_t total = (size_t)nb * kd * g.lout;
    GRID_LOOP(i, total) {
        const int lo = (int)(i % (size_t)g.lout);
        const size_t t = i / (size_t)g.lout;
        int r, b;
        if (interleaved) {
            b = (int)(t % (size_t)nb);
            r = (int)(t / (size_t)nb);
        } else {
            r = (int)(t % (size_t)kd);
            b = (int)(t / (size_t)kd);
        }
        const int ci = r / g.k, kk = r % g.k;
        const long li = (long)lo * g.stride - g.pad + kk;
        col[i] = li >= 0 && li < g.lin ? x[((size_t)b * g.cin + ci) * g.lin + li] : 0.0f;
    }
}

/* dx[b, ci, li] = sum over taps kk (in order) of dcol[b, ci*k + kk, lo] with
 * lo*stride - pad + kk = li; dcol per sample, samples b0 .. b0+nb-1. */
__global__ static void col2im_k(conv_geom g, int nb, const float *dcol, float *dx)
{
    const size_t total = (size_t)nb * g.cin * g.lin;
    GRID_LOOP(i, total) {
        const int li = (int)(i % (size_t)g.lin);
        const size_t bc = i / (size_t)g.lin;            /* b * cin + ci */
        const float *dc = dcol + bc * g.k * (size_t)g.lout;
        float acc = 0.0f;
        for (int kk = 0; kk < g.k; kk++) {
            const int t = li + g.pad - kk;             /* lo * stride */
            if (t < 0 || t % g.stride != 0) continue;
            const int lo = t / g.stride;
            if (lo < g.lout) acc += dc[(size_t)kk * g.lout + lo];
        }
        dx[i] = acc;
    }
}

__global__ static void bias_fwd_k(size_t total, int channels, int len, const float *bias,
                                  float *y)
{
    GRID_LOOP(i, total) y[i] += bias[(i / (size_t)len) % (size_t)channels];
}

/* One block per channel: dbias[c] += sum over (b, l) of dy[b, c, l], in double. */
__global__ static void bias_bwd_k(int batch, int channels, int len, const float *dy,
                                  float *dbias)
{
    __shared__ double sh[TPB];
    const int c = blockIdx.x;
    const size_t n = (size_t)batch * len;
    double s = 0.0;
    for (size_t i = threadIdx.x; i < n; i += blockDim.x) {
        const size_t b = i / (size_t)len, l = i % (size_t)len;
        s += dy[(b * channels + c) * len + l];
    }
    sh[threadIdx.x] = s;
    __syncthreads();
    for (int w = blockDim.x / 2; w > 0; w >>= 1) {
        if ((int)threadIdx.x < w) sh[threadIdx.x] += sh[threadIdx.x + w];
        __syncthreads();
    }
    if (threadIdx.x == 0) dbias[c] += (float)sh[0];
}

void ts_cuda_bias_fwd(ts_cuda *cu, int batch, int channels, int len, const float *bias,
                      float *y)
{
    size_t total = (size_t)batch * channels * len;
    if (total == 0) return;
    bias_fwd_k<<<ts_cuda_grid(total), TPB, 0, cu->stream>>>(total, channels, len, bias, y);
    CU_LAUNCHED(cu, "conv bias");
}

void ts_cuda_bias_bwd(ts_cuda *cu, int batch, int channels, int len, const float *dy,
                      float *dbias)
{
    if (batch <= 0 || channels <= 0 || len <= 0) return;
    bias_bwd_k<<<channels, TPB, 0, cu->stream>>>(batch, channels, len, dy, dbias);
    CU_LAUNCHED(cu, "conv bias gradient");
}

/* ---- convolution ----------------------------------------------------------------- */

static inline int pointwise(const ts_conv1d_shape *s)
{
    return s->k == 1 && s->stride == 1 && s->pad == 0;
}

/* Samples per chunk so that `per_sample` floats each fit COL_MAX. */
static int chunk_of(const ts_conv1d_shape *s, size_t per_sample)
{
    size_t nb = per_sample ? COL_MAX / per_sample : (size_t)s->batch;
    if (nb < 1) nb = 1;
    if (nb > (size_t)s->batch) nb = (size_t)s->batch;
    if (nb > BATCH_MAX) nb = BATCH_MAX;
    return (int)nb;
}

static void im2col(ts_cuda *cu, const ts_conv1d_shape *s, int b0, int nb, int interleaved,
                   const float *x, float *col)
{
    conv_geom g = geom_of(s);
    size_t total = (size_t)nb * s->cin * s->k * s->lout;
    im2col_k<<<ts_cuda_grid(total), TPB, 0, cu->stream>>>(g, nb, interleaved,
                                                           x + (size_t)b0 * s->cin * s->lin, col);
    CU_LAUNCHED(cu, "im2col");
}

void ts_cuda_conv1d_fwd(ts_backend *be, const ts_conv1d_shape *s, const float *x,
                        const float *w, const float *bias, float *y)
{
    ts_cuda *cu = ts_cuda_of(be);
    if (s->batch <= 0) return;
    const int kd = s->cin * s->k;
    const long ystride = (long)s->cout * s->lout;
    if (cu->conv_mode == TS_CUDA_CONV_CUDNN) {
        ts_cudnn_conv_fwd(cu, s, x, w, y);
    } else if (pointwise(s)) {
        ts_cuda_gemm_batched(be, 0, 0, s->cout, s->lout, kd, 1.0f, w, kd, 0, x, s->lin,
                             (long)s->cin * s->lin, 0.0f, y, s->lout, ystride, s->batch);
    } else {
        const size_t per = (size_t)kd * s->lout;
        const int nb = chunk_of(s, per);
        float *col = (float *)ts_cuda_scratch(cu, &cu->col, (size_t)nb * per * sizeof(float));
        for (int b0 = 0; b0 < s->batch; b0 += nb) {
            int n = s->batch - b0 < nb ? s->batch - b0 : nb;
            im2col(cu, s, b0, n, 0, x, col);
            ts_cuda_gemm_batched(be, 0, 0, s->cout, s->lout, kd, 1.0f, w, kd, 0, col, s->lout,
                                 (long)per, 0.0f, y + (size_t)b0 * ystride, s->lout, ystride, n);
        }
    }
    if (bias) ts_cuda_bias_fwd(cu, s->batch, s->cout, s->lout, bias, y);
}

void ts_cuda_conv1d_bwd_data(ts_backend *be, const ts_conv1d_shape *s, const float *dy,
                             const float *w, float *dx)
{
    ts_cuda *cu = ts_cuda_of(be);
    if (s->batch <= 0) return;
    const int kd = s->cin * s->k;
    const long dystride = (long)s->cout * s->lout, dxstride = (long)s->cin * s->lin;
    if (cu->conv_mode == TS_CUDA_CONV_CUDNN) {
        ts_cudnn_conv_bwd_data(cu, s, dy, w, dx);
        return;
    }
    if (pointwise(s)) {
        ts_cuda_gemm_batched(be, 1, 0, kd, s->lout, s->cout, 1.0f, w, kd, 0, dy, s->lout,
                             dystride, 0.0f, dx, s->lin, dxstride, s->batch);
        return;
    }
    const size_t per = (size_t)kd * s->lout;
    const int nb = chunk_of(s, per);
    float *dcol = (float *)ts_cuda_scratch(cu, &cu->col, (size_t)nb * per * sizeof(float));
    conv_geom g = geom_of(s);
    for (int b0 = 0; b0 < s->batch; b0 += nb) {
        int n = s->batch - b0 < nb ? s->batch - b0 : nb;
        ts_cuda_gemm_batched(be, 1, 0, kd, s->lout, s->cout, 1.0f, w, kd, 0,
                             dy + (size_t)b0 * dystride, s->lout, dystride, 0.0f, dcol,
                             s->lout, (long)per, n);
        size_t total = (size_t)n * s->cin * s->lin;
        col2im_k<<<ts_cuda_grid(total), TPB, 0, cu->stream>>>(g, n, dcol,
                                                              dx + (size_t)b0 * dxstride);
        CU_LAUNCHED(cu, "col2im");
    }
}

void ts_cuda_conv1d_bwd_filter(ts_backend *be, const ts_conv1d_shape *s, const float *x,
                               const float *dy, float *dw, float *dbias)
{
    ts_cuda *cu = ts_cuda_of(be);
    if (s->batch <= 0) return;
    if (cu->conv_mode == TS_CUDA_CONV_CUDNN) {
        ts_cudnn_conv_bwd_filter(cu, s, x, dy, dw);
    } else {
        const int kd = s->cin * s->k;
        const size_t per = (size_t)(kd > s->cout ? kd : s->cout) * s->lout;
        const int nb = chunk_of(s, per);
        float *colT = (float *)ts_cuda_scratch(cu, &cu->col,
                                               (size_t)nb * kd * s->lout * sizeof(float));
        float *dyT = (float *)ts_cuda_scratch(cu, &cu->col2,
                                              (size_t)nb * s->cout * s->lout * sizeof(float));
        /* dy[B, cout, lout] -> dyT[cout, nb*lout]: an im2col with k 1. */
        ts_conv1d_shape sd = {s->batch, s->cout, s->cout, s->lout, s->lout, 1, 1, 0};
        for (int b0 = 0; b0 < s->batch; b0 += nb) {
            int n = s->batch - b0 < nb ? s->batch - b0 : nb;
            int kn = n * s->lout;
            im2col(cu, s, b0, n, 1, x, colT);
            im2col(cu, &sd, b0, n, 1, dy, dyT);
            ts_cuda_gemm(be, 0, 1, s->cout, kd, kn, 1.0f, dyT, kn, colT, kn, 1.0f, dw, kd);
        }
    }
    if (dbias) ts_cuda_bias_bwd(cu, s->batch, s->cout, s->lout, dy, dbias);
}
