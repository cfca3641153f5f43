/* cpu_backend.h - private to the CPU backend (src/nn/cpu_*.c).
 *
 * The backend state and the ops of each cpu_*.c file, which cpu_backend.c
 * puts in the function table. Model code uses backend.h, never this header.
 *
 * Threading: OpenMP only. Loops run on `threads` OpenMP threads with static
 * schedules, and OpenBLAS is set to one thread (process-wide): each GEMM is
 * called from inside our parallel loops on a block of work whose bounds do
 * not depend on the thread count, so OpenBLAS threads never compete with
 * ours for the cores. Every reduction has a fixed order that does not depend
 * on the number of threads either, so results are bit-identical for any
 * --threads. The backend is not re-entrant: one caller at a time, because
 * the scratch buffers are shared.
 */
#ifndef TS_CPU_BACKEND_H
#define TS_CPU_BACKEND_H

#include "nn/backend.h"

/* A scratch buffer that grows to its high-water mark and is then reused. */
typedef struct ts_scratch {
    void *p;
    size_t bytes;
} ts_scratch;

typedef struct ts_cpu {
    int threads;         /* OpenMP threads for our loops (>= 1) */
    ts_scratch col;      /* one im2col matrix [cin*k, lout] per thread */
    ts_scratch part;     /* per-group partial filter gradients */
    ts_scratch red;      /* per-chunk partial sums of reductions */
} ts_cpu;

static inline ts_cpu *ts_cpu_of(ts_backend *be) { return (ts_cpu *)be->impl; }

/* Make the scratch hold at least `bytes`; returns its memory. */
void *ts_scratch_get(ts_scratch *s, size_t bytes);

/* Loops shorter than this run on one thread (OpenMP start-up costs more). */
#define TS_CPU_PAR_MIN 32768

/* Reductions sum fixed chunks of this many floats, then the chunk sums in
 * order: the result does not depend on the thread count. */
#define TS_CPU_CHUNK 4096

/* cpu_gemm_conv.c */
void ts_cpu_gemm(ts_backend *be, int trans_a, int trans_b, int m, int n, int k,
                 float alpha, const float *a, int lda, const float *b, int ldb,
                 float beta, float *c, int ldc);
void ts_cpu_gemm_batched(ts_backend *be, int trans_a, int trans_b, int m, int n, int k,
                         float alpha, const float *a, int lda, long stride_a,
                         const float *b, int ldb, long stride_b, float beta,
                         float *c, int ldc, long stride_c, int batch);
void ts_cpu_conv1d_fwd(ts_backend *be, const ts_conv1d_shape *s, const float *x,
                       const float *w, const float *bias, float *y);
void ts_cpu_conv1d_bwd_data(ts_backend *be, const ts_conv1d_shape *s, const float *dy,
                            const float *w, float *dx);
void ts_cpu_conv1d_bwd_filter(ts_backend *be, const ts_conv1d_shape *s, const float *x,
                              const float *dy, float *dw, float *dbias);

/* cpu_norm.c */
void ts_cpu_groupnorm_fwd(ts_backend *be, int batch, int channels, int len, int groups,
                          const float *x, const float *gamma, const float *beta,
                          float *y, float *mean, float *rstd);
void ts_cpu_groupnorm_bwd(ts_backend *be, int batch, int channels, int len, int groups,
                          const float *dy, const float *x, const float *gamma,
                          const float *mean, const float *rstd,
                          float *dx, float *dgamma, float *dbeta);

/* cpu_elementwise.c */
void ts_cpu_silu_fwd(ts_backend *be, size_t n, const float *x, float *y);
void ts_cpu_silu_bwd(ts_backend *be, size_t n, const float *x, const float *dy, float *dx);
void ts_cpu_upsample2_fwd(ts_backend *be, int batch, int channels, int len,
                          const float *x, float *y);
void ts_cpu_upsample2_bwd(ts_backend *be, int batch, int channels, int len,
                          const float *dy, float *dx);
void ts_cpu_chan_copy(ts_backend *be, int batch, int len, int nc,
                      const float *src, int src_c, int src_off,
                      float *dst, int dst_c, int dst_off, int accumulate);
void ts_cpu_add_bcast_fwd(ts_backend *be, int batch, int channels, int len,
                          const float *v, float *y);
void ts_cpu_add_bcast_bwd(ts_backend *be, int batch, int channels, int len,
                          const float *dy, float *dv);
void ts_cpu_add_rowvec_fwd(ts_backend *be, int rows, int cols, const float *v, float *y);
void ts_cpu_add_rowvec_bwd(ts_backend *be, int rows, int cols, const float *dy, float *dv);
void ts_cpu_axpby(ts_backend *be, size_t n, float a, const float *x, float b, float *y);
void ts_cpu_mul(ts_backend *be, size_t n, const float *x, const float *y, float *z);
void ts_cpu_clamp_min(ts_backend *be, size_t n, float lo, float *x);
void ts_cpu_mix_rows(ts_backend *be, int rows, size_t n, const float *h_a, const float *x,
                     const float *h_b, const float *y, float *out);
double ts_cpu_sumsq(ts_backend *be, size_t n, const float *x);
double ts_cpu_masked_mse(ts_backend *be, size_t n, const float *pred, const float *target,
                         const float *mask, float *dpred);

/* cpu_optim.c */
void ts_cpu_adamw(ts_backend *be, size_t n, float *p, const float *g, float *m, float *v,
                  float lr, float beta1, float beta2, float eps, float wd, long step);
void ts_cpu_ema(ts_backend *be, size_t n, float *e, const float *p, float decay);

#endif
