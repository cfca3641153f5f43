/* ops.h - the backend op list: every op's name, return type and parameters,
 * written once. It is a set of X-macros: TS_OPS_xxx(X) expands X(ret, name,
 * params) for each op of the group, params being the parenthesised
 * parameter list (always starting with ts_backend *be). From it come
 *   - the members of struct ts_backend (backend.h),
 *   - the declarations and function tables of the CPU backend
 *     (cpu_backend.[ch]: ts_cpu_<name>) and of the CUDA module
 *     (cuda/cuda_internal.h, cuda_backend.cu: ts_cuda_<name>),
 *   - the fallbacks of the optional ops (backend.c) and the op checks
 *     (tests/op_table.c).
 * Plain preprocessor: it is read by C11 compilers, nvcc and g++ alike.
 *
 * Groups
 *   TS_OPS_MEMORY   lifetime, memory and transfers: every backend has them.
 *   TS_OPS_COMPUTE  the compute ops: every backend has them.
 *   TS_OPS_FUSED    optional ops that do what a sequence of other ops does,
 *                   in one pass. A backend leaves the ones it has no kernel
 *                   for NULL; ts_backend_complete() (backend.c) fills them
 *                   with the composition, ts_compose_<name>. Adding a fused
 *                   op is one entry here, one composition in backend.c, a
 *                   row of tests/op_table.c, and a kernel where it pays.
 *   TS_OPS_GRAPH    optional recording of ops as a graph; NULL where a
 *                   backend has none (see backend.h).
 *   TS_OPS_TASKS    optional running of independent tasks at once, each on
 *                   one thread; NULL where a backend has none (the CUDA
 *                   module: callers then run the tasks' ops over the whole
 *                   batch).
 *
 * Conventions (every op)
 * - Activations are [B, C, L] (batch, channels, length), row-major.
 * - Backward ops: gradients of activations are ASSIGNED (dx =), gradients of
 *   parameters are ACCUMULATED (dw +=), so a parameter used twice sums.
 * - Pointers passed as `const float *h_...` are host arrays of small size
 *   (per-batch coefficients); every other pointer is backend memory.
 * - Ops are asynchronous on devices that allow it; download, sync, sumsq and
 *   masked_sse synchronise.
 */
#ifndef TS_OPS_H
#define TS_OPS_H

/* alloc returns zeroed memory for n floats, NULL if there is none. copy has
 * memmove semantics. */
#define TS_OPS_MEMORY(X)                                                            \
    X(void, destroy, (ts_backend *be))                                              \
    X(float *, alloc, (ts_backend *be, size_t n))                                   \
    X(void, free, (ts_backend *be, float *p))                                       \
    X(void, upload, (ts_backend *be, float *dst, const float *h_src, size_t n))     \
    X(void, download, (ts_backend *be, float *h_dst, const float *src, size_t n))   \
    X(void, copy, (ts_backend *be, float *dst, const float *src, size_t n))         \
    X(void, fill, (ts_backend *be, float *p, float value, size_t n))                \
    X(void, sync, (ts_backend *be))

#define TS_OPS_COMPUTE(X)                                                           \
    /* Row-major GEMM, CBLAS semantics: C = alpha op(A) op(B) + beta C,             \
     * op(A) m x k, op(B) k x n. */                                                 \
    X(void, gemm, (ts_backend *be, int trans_a, int trans_b, int m, int n, int k,   \
                   float alpha, const float *a, int lda, const float *b, int ldb,   \
                   float beta, float *c, int ldc))                                  \
    /* Conv1d (ts_conv1d_shape in backend.h). bias and dbias may be NULL.           \
     * bwd_data assigns dx; bwd_filter accumulates dw and dbias. */                 \
    X(void, conv1d_fwd, (ts_backend *be, const ts_conv1d_shape *s, const float *x,  \
                         const float *w, const float *bias, float *y))              \
    X(void, conv1d_bwd_data, (ts_backend *be, const ts_conv1d_shape *s,             \
                              const float *dy, const float *w, float *dx))          \
    X(void, conv1d_bwd_filter, (ts_backend *be, const ts_conv1d_shape *s,           \
                                const float *x, const float *dy, float *dw,         \
                                float *dbias))                                      \
    /* Group norm of x[B, C, L] in `groups` groups (C % groups == 0), eps 1e-5,     \
     * per-channel gamma, beta. mean and rstd ([B * groups]) are saved by the       \
     * forward for the backward. dx assigned, dgamma/dbeta accumulated. */          \
    X(void, groupnorm_fwd, (ts_backend *be, int batch, int channels, int len,       \
                            int groups, const float *x, const float *gamma,         \
                            const float *beta, float *y, float *mean, float *rstd)) \
    X(void, groupnorm_bwd, (ts_backend *be, int batch, int channels, int len,       \
                            int groups, const float *dy, const float *x,            \
                            const float *gamma, const float *mean,                  \
                            const float *rstd, float *dx, float *dgamma,            \
                            float *dbeta))                                          \
    /* SiLU y = x * sigmoid(x); backward dx = dy * silu'(x). */                     \
    X(void, silu_fwd, (ts_backend *be, size_t n, const float *x, float *y))         \
    X(void, silu_bwd, (ts_backend *be, size_t n, const float *x, const float *dy,   \
                       float *dx))                                                  \
    /* Nearest-neighbour upsampling by 2 along L: x[B, C, L] -> y[B, C, 2L].        \
     * Backward: dx[b,c,l] = dy[b,c,2l] + dy[b,c,2l+1]. */                          \
    X(void, upsample2_fwd, (ts_backend *be, int batch, int channels, int len,       \
                            const float *x, float *y))                              \
    X(void, upsample2_bwd, (ts_backend *be, int batch, int channels, int len,       \
                            const float *dy, float *dx))                            \
    /* Channel slices, for concatenation and its backward: for each batch b,        \
     * channels [src_off, src_off + nc) of src[B, src_c, L] go to channels          \
     * [dst_off, dst_off + nc) of dst[B, dst_c, L]; assigned, or added when         \
     * accumulate is non-zero. */                                                   \
    X(void, chan_copy, (ts_backend *be, int batch, int len, int nc,                 \
                        const float *src, int src_c, int src_off,                   \
                        float *dst, int dst_c, int dst_off, int accumulate))        \
    /* Broadcast over L: y[b,c,l] += v[b*C + c]. Backward: dv[b*C+c] += sum_l dy. */ \
    X(void, add_bcast_fwd, (ts_backend *be, int batch, int channels, int len,       \
                            const float *v, float *y))                              \
    X(void, add_bcast_bwd, (ts_backend *be, int batch, int channels, int len,       \
                            const float *dy, float *dv))                            \
    /* Row vector: y[r, c] += v[c] (linear-layer bias).                             \
     * Backward dv[c] += sum_r dy[r,c]. */                                          \
    X(void, add_rowvec_fwd, (ts_backend *be, int rows, int cols, const float *v,    \
                             float *y))                                             \
    X(void, add_rowvec_bwd, (ts_backend *be, int rows, int cols, const float *dy,   \
                             float *dv))                                            \
    /* y = a x + b y. */                                                            \
    X(void, axpby, (ts_backend *be, size_t n, float a, const float *x, float b,     \
                    float *y))                                                      \
    /* Per-row mix, rows of n floats: out[r,:] = h_a[r] x[r,:] + h_b[r] y[r,:]      \
     * (h_a, h_b: host arrays of `rows` floats). out may alias x or y. */           \
    X(void, mix_rows, (ts_backend *be, int rows, size_t n, const float *h_a,        \
                       const float *x, const float *h_b, const float *y,            \
                       float *out))                                                 \
    /* Sum of squares (synchronises). */                                            \
    X(double, sumsq, (ts_backend *be, size_t n, const float *x))                    \
    /* Masked sum of squared errors: returns sum m (p - t)^2, sets *count to sum m  \
     * and assigns dpred = grad_scale m (p - t) (synchronises). The caller owns   \
     * the mean: grad_scale = 2 / max(count, 1) with the count of the whole        \
     * batch, every worker's part of it included (diffusion/objective.h). */       \
    X(double, masked_sse, (ts_backend *be, size_t n, const float *pred,             \
                           const float *target, const float *mask,                  \
                           float grad_scale, float *dpred, double *count))          \
    /* AdamW step `step` (1-based, for bias correction):                            \
     * m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;                                  \
     * p -= lr * (mhat / (sqrt(vhat) + eps) + wd p). */                             \
    X(void, adamw, (ts_backend *be, size_t n, float *p, const float *g, float *m,   \
                    float *v, float lr, float beta1, float beta2, float eps,        \
                    float wd, long step))                                           \
    /* EMA: e = decay e + (1 - decay) p. */                                         \
    X(void, ema, (ts_backend *be, size_t n, float *e, const float *p, float decay)) \
    /* Standard normal numbers from Philox 4x32-10 (see io/philox.h): out[i] is     \
     * the i-th normal of the stream (seed, offset + i); identical on every         \
     * backend. */                                                                  \
    X(void, randn, (ts_backend *be, size_t n, uint64_t seed, uint64_t offset,       \
                    float *out))

#define TS_OPS_FUSED(X)                                                             \
    /* conv1d_fwd, then y[b,c,l] += v[b * cout + c] (add_bcast_fwd; v may be NULL), \
     * then y = r + y (axpby(1, r, 1, y), r[B, cout, lout]; may be NULL): a         \
     * convolution with a per-window channel offset and a residual in one pass. */ \
    X(void, conv1d_add_fwd, (ts_backend *be, const ts_conv1d_shape *s,             \
                             const float *x, const float *w, const float *bias,     \
                             const float *v, const float *r, float *y))             \
    /* groupnorm_fwd into h (kept for the backward: silu_bwd reads it), then        \
     * y = silu(h); mean and rstd as groupnorm_fwd. */                              \
    X(void, groupnorm_silu_fwd, (ts_backend *be, int batch, int channels, int len,  \
                                 int groups, const float *x, const float *gamma,    \
                                 const float *beta, float *h, float *y,             \
                                 float *mean, float *rstd))                         \
    /* The backward of that pair: dy is the gradient of y, h the forward's h;       \
     * silu_bwd into tmp, then groupnorm_bwd of tmp into dx (dgamma, dbeta          \
     * accumulated). dx may be dy; tmp (n floats) is work space apart from both. */ \
    X(void, groupnorm_silu_bwd, (ts_backend *be, int batch, int channels, int len,  \
                                 int groups, const float *dy, const float *h,       \
                                 const float *x, const float *gamma,                \
                                 const float *mean, const float *rstd, float *dx,   \
                                 float *dgamma, float *dbeta, float *tmp))

#define TS_OPS_GRAPH(X)                                                             \
    X(int, graph_begin, (ts_backend *be))                                           \
    X(void, graph_end, (ts_backend *be, ts_graph **graph))                          \
    X(void, graph_launch, (ts_backend *be, ts_graph *graph))                        \
    X(void, graph_free, (ts_backend *be, ts_graph *graph))

/* run_tasks calls task(ctx, i, slot) for every i in [0, n), in any order
 * and at most `slots` at once; ops called inside a task run on the task's
 * thread alone. slot (0 .. slots-1) is a work area of the caller's: no two
 * tasks that run at once have the same. Tasks must not write the same
 * memory unless they have the same slot, nor the weights of a convolution
 * they run (the CPU backend transforms them once per run_tasks call). */
#define TS_OPS_TASKS(X)                                                             \
    X(void, run_tasks, (ts_backend *be, int n, int slots,                           \
                        void (*task)(void *ctx, int i, int slot), void *ctx))

/* The ops every backend must have. */
#define TS_OPS_REQUIRED(X) TS_OPS_MEMORY(X) TS_OPS_COMPUTE(X)

/* X(ret, name, params) as a struct member: a function pointer. */
#define TS_OP_MEMBER(ret, name, params) ret (*name) params;

#endif
