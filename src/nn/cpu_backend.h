/* cpu_backend.h - private to the CPU backend (src/nn/cpu_*.c).
 *
 * The backend state and the declarations of its ops (generated from the op
 * list, nn/ops.h), which cpu_backend.c puts in the function table. Model code uses backend.h, never this header.
 *
 * Threading: OpenMP only. Loops run on `threads` OpenMP threads with static
 * schedules, and OpenBLAS is set to one thread (process-wide): each GEMM is
 * called from inside our parallel loops on a block of work whose bounds do
 * not depend on the thread count, so OpenBLAS threads never compete with
 * ours for the cores. Every reduction has a fixed order that does not depend
 * on the number of threads either, so results are bit-identical for any
 * --threads. The backend is not re-entrant: one caller at a time, because
 * the scratch buffers are shared; the exception is run_tasks, whose tasks
 * run ops at once on the threads, each op on its task's thread alone
 * (ts_cpu_threads), with its own im2col scratch (task_col).
 */
#ifndef TS_CPU_BACKEND_H
#define TS_CPU_BACKEND_H

#include <omp.h>

#include "nn/backend.h"

/* A scratch buffer that grows to its high-water mark and is then reused. */
typedef struct ts_scratch {
    void *p;
    size_t bytes;
} ts_scratch;

/* Winograd weights transformed once per run_tasks call (cpu_gemm_conv.c):
 * u[6, cout, cin] of the weights at w, valid while epoch is the backend's. */
#define TS_WINO_CACHE 64
typedef struct ts_wino_entry {
    const float *w;
    int cin, cout;
    long epoch;
    float *u;
    size_t floats;       /* allocated at u */
} ts_wino_entry;

typedef struct ts_cpu {
    int threads;         /* OpenMP threads for our loops (>= 1) */
    int made;            /* threads at create: the most it may use, task_col's */
    int conv3;           /* use the direct 3-tap kernel (cpu_conv3.c) where it fits */
    int wino3;           /* with conv3: Winograd F(4,3) (cpu_wino3.c) where it fits */
    int avx512;          /* use the AVX-512 row kernel of the group-norm forward */
    ts_scratch col;      /* one im2col matrix [cin*k, lout] per thread */
    ts_scratch part;     /* per-group partial filter gradients */
    ts_scratch red;      /* per-chunk partial sums of reductions */
    ts_scratch wt;       /* transposed, flipped weights of conv3's backward */
    ts_scratch *task_col; /* [threads] the im2col matrix of each thread's task */
    long epoch;          /* run_tasks calls so far: the weights' version */
    int in_tasks;        /* 1 while run_tasks runs (a team of one thread too) */
    ts_wino_entry wino[TS_WINO_CACHE];
} ts_cpu;

static inline ts_cpu *ts_cpu_of(ts_backend *be) { return (ts_cpu *)be->impl; }

/* Threads for an op's loops: all of them, or 1 inside a task of run_tasks
 * (an active parallel region), where the op runs on the task's thread. */
static inline int ts_cpu_threads(ts_backend *be)
{
    return omp_in_parallel() ? 1 : ts_cpu_of(be)->threads;
}

/* Make the scratch hold at least `bytes`; returns its memory. */
void *ts_scratch_get(ts_scratch *s, size_t bytes);

/* The hot loops of the CPU backend are built for AVX-512, for AVX2 and for
 * any x86-64, and the loader picks one for the CPU it runs on (GCC's
 * function multiversioning). The source is ISO C without contraction, so
 * elementwise results are the same bits in every clone; sums vectorised with
 * `omp simd` may round differently between clones (machines), never between
 * thread counts. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__ELF__)
#define TS_CPU_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define TS_CPU_CLONES
#endif

/* Loops shorter than this run on one thread (OpenMP start-up costs more). */
#define TS_CPU_PAR_MIN 32768

/* Reductions sum fixed chunks of this many floats, then the chunk sums in
 * order: the result does not depend on the thread count. */
#define TS_CPU_CHUNK 4096

/* The direct 3-tap convolution (cpu_conv3.c). available: the CPU has
 * AVX-512F. fits: shape s with `rows` output rows (cout for the forward,
 * cin for the backward data pass) is one it computes. sample: one sample,
 * x[cin, len] * w[cout, cin, 3] (+ bias) -> y[cout, len]. flip: wt[cin, cout,
 * 3] = w transposed with its taps reversed, so that the backward data pass
 * of w is the forward pass of wt. */
int ts_cpu_conv3_available(void);
int ts_cpu_conv3_fits(const ts_conv1d_shape *s, int rows);
void ts_cpu_conv3_sample(int cin, int cout, int len, const float *x, const float *w,
                         const float *bias, float *y);
void ts_cpu_conv3_flip(int cin, int cout, const float *w, float *wt);
/* The filter gradient of the same convolution (cpu_conv3.c), for the shapes
 * conv3_fits(s, cout) accepts: filter assigns part[cout, 3, cinp] (cinp =
 * ts_cpu_conv3_cinp(cin); the lanes past cin are zero) = the sum over n
 * consecutive samples x[b, cin, len], dy[b, cout, len] of dy times x
 * shifted by each tap, in scratch of filter_floats(cin, len) floats. */
static inline int ts_cpu_conv3_cinp(int cin) { return (cin + 15) / 16 * 16; }
size_t ts_cpu_conv3_filter_floats(int cin, int len);
void ts_cpu_conv3_filter(int n, int cin, int cout, int len, const float *x, const float *dy,
                         float *part, float *scratch);
/* xt[len + 2, cinp] = x[cin, len] transposed, a row of zeros at each end
 * and zeros in the lanes past cin (the layout of the filter kernels). */
void ts_cpu_conv3_transpose(int cin, int len, const float *x, float *xt);
/* Short rows (cpu_conv3.c): pack says how many of `batch` samples of `len`
 * positions to put in one row (1: none; at most TS_CONV3_PACK); packed
 * computes n <= that many consecutive samples so, in scratch of
 * pack_floats(n, ...) floats, with the bits of one sample at a time. */
#define TS_CONV3_PACK 4
int ts_cpu_conv3_pack(int len, int batch);
size_t ts_cpu_conv3_pack_floats(int g, int cin, int cout, int len);
void ts_cpu_conv3_packed(int n, int cin, int cout, int len, const float *x, const float *w,
                         const float *bias, float *y, float *scratch);

/* The 3-tap convolution by Winograd's F(4, 3) (cpu_wino3.c), on AVX-512F
 * CPUs: fits: shape s with `rows` output rows and `cols` input rows (cout
 * and cin forward, cin and cout for the backward data pass) is one it
 * computes; pack: how many of `batch` samples of `len` positions to take
 * at once (at most TS_WINO3_PACK); weights: u[6, cout, cin], the transform
 * of w[cout, cin, 3], in weight_floats(cin, cout) floats; wino3: n such
 * samples x[n, cin, len] * w (+ bias, + off[n, cout] per row, + res[n,
 * cout, len], each NULL if none: conv1d_add_fwd's bits) -> y[n, cout, len] from u, in
 * scratch of floats(n, cin, cout, len) floats, each sample with the bits
 * it has alone. */
#define TS_WINO3_PACK 16
int ts_cpu_wino3_fits(const ts_conv1d_shape *s, int rows, int cols);
int ts_cpu_wino3_pack(int len, int batch);
size_t ts_cpu_wino3_floats(int n, int cin, int cout, int len);
size_t ts_cpu_wino3_weight_floats(int cin, int cout);
void ts_cpu_wino3_weights(int cin, int cout, const float *w, float *u);
void ts_cpu_wino3(int n, int cin, int cout, int len, const float *x, const float *u,
                  const float *bias, const float *off, const float *res, float *y,
                  float *scratch);
/* The filter gradient by the same transform: wino3_filter assigns to
 * part[6][cout][cinp] the transformed sums over n consecutive samples
 * x[b, cin, len], dy[b, cout, len], in packs of wino3_pack(len, n), and to
 * dbias[cout] the sums of dy, in scratch of filter_floats(n, ...) floats;
 * wino3_taps turns the sum of such parts into the 3 taps of dw[cout, cin,
 * 3] (added). */
size_t ts_cpu_wino3_filter_floats(int n, int cin, int cout, int len);
void ts_cpu_wino3_filter(int n, int cin, int cout, int len, const float *x, const float *dy,
                         float *part, double *dbias, float *scratch);
void ts_cpu_wino3_taps(const float m[6], float *dw3);

/* silu_bwd of elements [i0, i1) (cpu_elementwise.c); dx may be dy. The
 * fused group-norm backward runs it group by group for the same bits. */
void ts_cpu_silu_bwd_range(size_t i0, size_t i1, const float *x, const float *dy, float *dx);

/* The ops of nn/ops.h, as ts_cpu_<name>: memory in cpu_backend.c, GEMM and
 * convolutions in cpu_gemm_conv.c, group norm in cpu_norm.c, the optimizer
 * in cpu_optim.c, the rest in cpu_elementwise.c. Of the optional ops the
 * CPU has conv1d_add_fwd (cpu_gemm_conv.c), groupnorm_silu_fwd and _bwd
 * (cpu_norm.c), run_tasks (cpu_backend.c) and no graphs. */
#define TS_CPU_DECLARE(ret, name, params) ret ts_cpu_##name params;
TS_OPS_REQUIRED(TS_CPU_DECLARE)
TS_OPS_FUSED(TS_CPU_DECLARE)
TS_OPS_TASKS(TS_CPU_DECLARE)
#undef TS_CPU_DECLARE

#endif
