/* backend.h - the compute backend interface.
 *
 * The UNet, the optimizer and the samplers are written once against this
 * struct of function pointers; the CPU backend (src/nn/cpu_*.c) and the CUDA
 * module (cuda/) implement it. Tensors are float arrays in backend memory
 * (host memory for the CPU, device memory for CUDA): model code never reads
 * or writes their floats directly, it calls these ops.
 *
 * Conventions
 * - Activations are [B, C, L] (batch, channels, length), row-major.
 * - Backward ops: gradients of activations are ASSIGNED (dx =), gradients of
 *   parameters are ACCUMULATED (dw +=), so a parameter used twice sums.
 * - Pointers passed as `const float *h_...` are host arrays of small size
 *   (per-batch coefficients); every other pointer is backend memory.
 * - Ops are asynchronous on devices that allow it; download, sumsq and
 *   masked_mse synchronise.
 */
#ifndef TS_BACKEND_H
#define TS_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "io/error.h"

typedef struct ts_backend ts_backend;

/* A recorded sequence of backend ops that can be replayed (graph_begin). */
typedef struct ts_graph ts_graph;

/* A 1-D convolution: x[B, cin, lin] * w[cout, cin, k] (+ b[cout]) -> y[B, cout, lout],
 * lout = (lin + 2*pad - k) / stride + 1, zero padding. */
typedef struct ts_conv1d_shape {
    int batch, cin, cout, lin, lout, k, stride, pad;
} ts_conv1d_shape;

/* Fill lout from the other fields. */
void ts_conv1d_shape_finish(ts_conv1d_shape *s);

struct ts_backend {
    const char *name;           /* "cpu" or "cuda" */
    void *impl;                 /* backend-private state */
    void (*destroy)(ts_backend *be);

    /* Memory. alloc returns zeroed memory for n floats, NULL if there is none. */
    float *(*alloc)(ts_backend *be, size_t n);
    void (*free)(ts_backend *be, float *p);
    void (*upload)(ts_backend *be, float *dst, const float *h_src, size_t n);
    void (*download)(ts_backend *be, float *h_dst, const float *src, size_t n);
    void (*copy)(ts_backend *be, float *dst, const float *src, size_t n);
    void (*fill)(ts_backend *be, float *p, float value, size_t n);
    void (*sync)(ts_backend *be);

    /* Row-major GEMM, CBLAS semantics: C = alpha op(A) op(B) + beta C,
     * op(A) m x k, op(B) k x n. The batched form repeats it `batch` times with
     * the given strides (in floats) between consecutive A, B and C. */
    void (*gemm)(ts_backend *be, int trans_a, int trans_b, int m, int n, int k,
                 float alpha, const float *a, int lda, const float *b, int ldb,
                 float beta, float *c, int ldc);
    void (*gemm_batched)(ts_backend *be, int trans_a, int trans_b, int m, int n, int k,
                         float alpha, const float *a, int lda, long stride_a,
                         const float *b, int ldb, long stride_b, float beta,
                         float *c, int ldc, long stride_c, int batch);

    /* Conv1d. bias and dbias may be NULL. bwd_data assigns dx; bwd_filter
     * accumulates dw and dbias. */
    void (*conv1d_fwd)(ts_backend *be, const ts_conv1d_shape *s, const float *x,
                       const float *w, const float *bias, float *y);
    void (*conv1d_bwd_data)(ts_backend *be, const ts_conv1d_shape *s, const float *dy,
                            const float *w, float *dx);
    void (*conv1d_bwd_filter)(ts_backend *be, const ts_conv1d_shape *s, const float *x,
                              const float *dy, float *dw, float *dbias);

    /* Group norm of x[B, C, L] in `groups` groups (C % groups == 0), eps 1e-5,
     * with per-channel gamma, beta. mean and rstd ([B * groups]) are saved by
     * the forward for the backward. dx assigned, dgamma/dbeta accumulated. */
    void (*groupnorm_fwd)(ts_backend *be, int batch, int channels, int len, int groups,
                          const float *x, const float *gamma, const float *beta,
                          float *y, float *mean, float *rstd);
    void (*groupnorm_bwd)(ts_backend *be, int batch, int channels, int len, int groups,
                          const float *dy, const float *x, const float *gamma,
                          const float *mean, const float *rstd,
                          float *dx, float *dgamma, float *dbeta);

    /* SiLU y = x * sigmoid(x); backward dx = dy * silu'(x). */
    void (*silu_fwd)(ts_backend *be, size_t n, const float *x, float *y);
    void (*silu_bwd)(ts_backend *be, size_t n, const float *x, const float *dy, float *dx);

    /* Nearest-neighbour upsampling by 2 along L: x[B, C, L] -> y[B, C, 2L].
     * Backward: dx[b,c,l] = dy[b,c,2l] + dy[b,c,2l+1]. */
    void (*upsample2_fwd)(ts_backend *be, int batch, int channels, int len,
                          const float *x, float *y);
    void (*upsample2_bwd)(ts_backend *be, int batch, int channels, int len,
                          const float *dy, float *dx);

    /* Channel slices, for concatenation and its backward: for each batch b,
     * channels [src_off, src_off + nc) of src[B, src_c, L] go to channels
     * [dst_off, dst_off + nc) of dst[B, dst_c, L]; assigned, or added when
     * accumulate is non-zero. */
    void (*chan_copy)(ts_backend *be, int batch, int len, int nc,
                      const float *src, int src_c, int src_off,
                      float *dst, int dst_c, int dst_off, int accumulate);

    /* Broadcast over L: y[b,c,l] += v[b*C + c]. Backward: dv[b*C+c] += sum_l dy. */
    void (*add_bcast_fwd)(ts_backend *be, int batch, int channels, int len,
                          const float *v, float *y);
    void (*add_bcast_bwd)(ts_backend *be, int batch, int channels, int len,
                          const float *dy, float *dv);

    /* Row vector: y[r, c] += v[c] (linear-layer bias). Backward dv[c] += sum_r dy[r,c]. */
    void (*add_rowvec_fwd)(ts_backend *be, int rows, int cols, const float *v, float *y);
    void (*add_rowvec_bwd)(ts_backend *be, int rows, int cols, const float *dy, float *dv);

    /* Elementwise. axpby: y = a x + b y. mul: z = x * y. clamp_min: x = max(x, lo). */
    void (*axpby)(ts_backend *be, size_t n, float a, const float *x, float b, float *y);
    void (*mul)(ts_backend *be, size_t n, const float *x, const float *y, float *z);
    void (*clamp_min)(ts_backend *be, size_t n, float lo, float *x);

    /* Per-row mix, rows of n floats: out[r,:] = h_a[r] x[r,:] + h_b[r] y[r,:]
     * (h_a, h_b: host arrays of `rows` floats). out may alias x or y. */
    void (*mix_rows)(ts_backend *be, int rows, size_t n, const float *h_a, const float *x,
                     const float *h_b, const float *y, float *out);

    /* Sum of squares (synchronises). */
    double (*sumsq)(ts_backend *be, size_t n, const float *x);

    /* Masked mean squared error: returns sum m (p - t)^2 / max(sum m, 1) and
     * assigns dpred = d loss / d pred (synchronises). */
    double (*masked_mse)(ts_backend *be, size_t n, const float *pred, const float *target,
                         const float *mask, float *dpred);

    /* AdamW step `step` (1-based, for bias correction):
     * m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
     * p -= lr * (mhat / (sqrt(vhat) + eps) + wd p). */
    void (*adamw)(ts_backend *be, size_t n, float *p, const float *g, float *m, float *v,
                  float lr, float beta1, float beta2, float eps, float wd, long step);
    /* EMA: e = decay e + (1 - decay) p. */
    void (*ema)(ts_backend *be, size_t n, float *e, const float *p, float decay);

    /* Standard normal numbers from Philox 4x32-10 (see nn/philox.h): out[i] is
     * the i-th normal of the stream (seed, offset + i); identical on every
     * backend. */
    void (*randn)(ts_backend *be, size_t n, uint64_t seed, uint64_t offset, float *out);

    /* Optional: recording ops as a graph (CUDA graphs) to run them as one
     * launch. NULL where a backend has none (the CPU): callers then just run
     * their ops, and must behave the same either way.
     *
     * graph_begin starts recording: the ops called until graph_end are
     * recorded, NOT run. Returns 0, or non-zero if it declines (nothing is
     * recorded: run the ops as usual). While recording only asynchronous ops
     * may be called; alloc, free, download, sync, sumsq and masked_mse are
     * internal faults.
     *
     * graph_end stops recording and enqueues the recorded ops to run, in
     * order, as one launch. *graph is a cache the caller owns: NULL the first
     * time (a graph is made and stored there); later calls update the graph
     * held there to the new recording (cheap when the ops are the same ones
     * with other arguments).
     *
     * graph_launch enqueues a recorded graph again exactly as recorded: the
     * same ops on the same buffers with the same scalars and host data
     * (upload sources and mix_rows coefficients are copied when recorded);
     * device memory is read as it is when the graph runs.
     *
     * graph_free releases a graph (NULL: nothing). */
    int (*graph_begin)(ts_backend *be);
    void (*graph_end)(ts_backend *be, ts_graph **graph);
    void (*graph_launch)(ts_backend *be, ts_graph *graph);
    void (*graph_free)(ts_backend *be, ts_graph *graph);
};

/* The CPU backend: CBLAS + OpenMP on `threads` threads (0: all cores). */
ts_backend *ts_backend_cpu_create(int threads);

/* Open a backend by name: "cpu", "cuda" or "auto" (NULL: $TSDIFF_DEVICE or
 * "auto"). auto takes the CUDA module when it loads and finds a GPU, else the
 * CPU with one info line. "cuda" without a usable GPU: TS_EUNAVAIL. */
int ts_backend_open(const char *device, int threads, ts_backend **out, ts_error *err);

static inline void ts_backend_destroy(ts_backend *be) { if (be) be->destroy(be); }

#endif
