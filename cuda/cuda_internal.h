/* cuda_internal.h - private to the CUDA backend module (the .cu files of cuda/).
 *
 * The module is a shared object loaded with dlopen() by src/nn/backend.c; it
 * exports ts_cuda_backend_create and ts_cuda_set_die, and links nothing of
 * tsdiff itself (the program's symbols are not visible to it): errors are
 * reported through its own helpers below, in the same formats as
 * io/error.h. An internal fault goes to the program's handler that
 * ts_cuda_set_die gave (ts_die_internal: the fatal-error hook removes
 * temporaries and locks, then exit 70), else it prints and exits 70.
 *
 * One backend = one device (the first visible one), one non-blocking stream,
 * one cuBLAS handle on that stream. Every op is enqueued on the stream and
 * returns at once; download, sync, sumsq and masked_sse wait for it.
 *
 * Memory: alloc is a plain cudaMalloc (the callers allocate everything once,
 * at creation). The ops' scratch buffers (im2col, reduction partials, mix
 * coefficients) grow to their high-water mark and are then reused.
 *
 * Graph capture (backend.h: graph_begin/graph_end): while recording, ops are
 * captured on the stream instead of run. Host data an op reads (upload's
 * source, mix_rows' coefficients) is copied into pinned staging memory that
 * the recorded graph owns, so a replay sees the values of the recording.
 * A scratch buffer that must grow while a recording or a live graph may still
 * use the old one is retired, not freed, until that can no longer happen.
 *
 * Every CUDA, cuBLAS and cuDNN status is checked: a failure after creation is
 * an internal fault (file:line, the call, the library's error string, exit
 * 70). Environment: TSDIFF_CUDA_SYNC=1 synchronises after every op (so an
 * asynchronous fault is reported at the op that caused it);
 * TSDIFF_CUDA_CONV=gemm|cudnn picks the convolution path (default gemm);
 * TSDIFF_CUDA_GRAPHS=0 makes graph_begin decline.
 */
#ifndef TS_CUDA_INTERNAL_H
#define TS_CUDA_INTERNAL_H

#include <cuda_runtime.h>
#include <cublas_v2.h>
#include <stddef.h>
#include <stdint.h>

/* io/error.h is C11; its _Noreturn is spelled [[noreturn]] in C++. */
#if defined(__cplusplus) && !defined(_Noreturn)
#define _Noreturn [[noreturn]]
#define TS_CUDA_UNDEF_NORETURN
#endif
extern "C" {
#include "nn/backend.h"
}
#ifdef TS_CUDA_UNDEF_NORETURN
#undef _Noreturn
#undef TS_CUDA_UNDEF_NORETURN
#endif

#define TS_CUDA_EXPORT extern "C" __attribute__((visibility("default")))

/* ---- errors ------------------------------------------------------------ */

/* "tsdiff: internal error at FILE:LINE: WHAT: WHY", the program's hook,
 * exit 70. */
[[noreturn]] void ts_cuda_die(const char *file, int line, const char *what, const char *why);

#define CU_ASSERT(cond) \
    do { if (!(cond)) ts_cuda_die(__FILE__, __LINE__, #cond, "assertion failed"); } while (0)
#define CU_ASSERT_MSG(cond, why) \
    do { if (!(cond)) ts_cuda_die(__FILE__, __LINE__, #cond, (why)); } while (0)
#define CUDA_CHECK(call) \
    do { cudaError_t e_ = (call); \
         if (e_ != cudaSuccess) ts_cuda_die(__FILE__, __LINE__, #call, cudaGetErrorString(e_)); \
    } while (0)
#define CUBLAS_CHECK(call) \
    do { cublasStatus_t s_ = (call); \
         if (s_ != CUBLAS_STATUS_SUCCESS) \
             ts_cuda_die(__FILE__, __LINE__, #call, cublasGetStatusString(s_)); \
    } while (0)

/* ---- state ------------------------------------------------------------- */

/* A device scratch buffer that grows to its high-water mark. */
typedef struct ts_cuda_buf {
    void *p;
    size_t bytes;
} ts_cuda_buf;

/* Pinned host memory and device memory of the same size, bump-allocated by
 * a recording (see ts_cuda_stage_*). */
typedef struct ts_cuda_stage {
    struct ts_cuda_stage *next;
    char *host, *dev;
    size_t cap, used;
} ts_cuda_stage;

/* A retired scratch buffer, freed when no graph can use it any more. */
typedef struct ts_cuda_retired {
    struct ts_cuda_retired *next;
    void *p;
} ts_cuda_retired;

/* A recorded graph (backend.h's ts_graph): the executable and the staging
 * memory its copies read. */
struct ts_graph {
    cudaGraphExec_t exec;
    ts_cuda_stage *stage;
};

enum { TS_CUDA_CONV_GEMM = 0, TS_CUDA_CONV_CUDNN = 1 };

typedef struct ts_cudnn ts_cudnn;   /* cuda_cudnn.cu */

typedef struct ts_cuda {
    int device;
    cudaStream_t stream;
    cublasHandle_t blas;
    void *blas_ws;               /* cuBLAS workspace (set once: no allocation in capture) */
    int capturing;               /* a recording is open */
    int live_graphs;             /* ts_graph objects not yet freed */
    int debug_sync;              /* TSDIFF_CUDA_SYNC=1 */
    int graphs_off;              /* TSDIFF_CUDA_GRAPHS=0 */
    int conv_mode;               /* TS_CUDA_CONV_* */
    ts_cudnn *dnn;               /* cuDNN state when conv_mode is cudnn */
    ts_cuda_buf col, col2;       /* conv scratch (im2col, transposed dy) */
    ts_cuda_buf coef;            /* mix_rows coefficients */
    ts_cuda_buf tmp;             /* overlapping copies */
    ts_cuda_buf ws;              /* cuDNN workspace */
    double *red;                 /* device: reduction partials [2 * TS_CUDA_RED_BLOCKS] */
    double *res_d;               /* device: reduction results [4] */
    double *res_h;               /* pinned host: reduction results [4] */
    ts_cuda_stage *rec_stage;    /* staging of the open recording */
    ts_cuda_stage *free_stage;   /* staging chunks to reuse */
    ts_cuda_retired *retired;
} ts_cuda;

static inline ts_cuda *ts_cuda_of(ts_backend *be) { return (ts_cuda *)be->impl; }

/* Threads per block of the elementwise kernels, and the blocks of the
 * two-pass reductions (fixed: the summation order depends on n only). */
#define TS_CUDA_TPB 256
#define TS_CUDA_RED_BLOCKS 512

/* Blocks for a grid-stride loop over n items. */
static inline unsigned ts_cuda_grid(size_t n)
{
    size_t b = (n + TS_CUDA_TPB - 1) / TS_CUDA_TPB;
    if (b < 1) b = 1;
    if (b > 65536) b = 65536;
    return (unsigned)b;
}

/* After every kernel launch: the launch status, and with TSDIFF_CUDA_SYNC a
 * full synchronisation (outside recordings). */
void ts_cuda_launched(ts_cuda *cu, const char *file, int line, const char *what);
#define CU_LAUNCHED(cu, what) ts_cuda_launched((cu), __FILE__, __LINE__, (what))

/* A scratch buffer of at least `bytes` (see the header comment). */
void *ts_cuda_scratch(ts_cuda *cu, ts_cuda_buf *b, size_t bytes);

/* Copy n bytes of host memory to a device location that the stream reads
 * in order: directly when running, through pinned staging when recording. */
void ts_cuda_h2d(ts_cuda *cu, void *dst, const void *h_src, size_t bytes);

/* Device memory holding a copy of host data `bytes` long, valid for the ops
 * enqueued next (and for replays of a recording). */
void *ts_cuda_h2d_temp(ts_cuda *cu, ts_cuda_buf *b, const void *h_src, size_t bytes);

/* After the device is set up: check that this module has code for it by
 * running a kernel; TS_EUNAVAIL with a message if not. */
int ts_cuda_probe(ts_cuda *cu, ts_error *err);

/* Wait for the stream (an internal fault while recording). */
void ts_cuda_wait(ts_cuda *cu, const char *why);

/* ---- ops ------------------------------------------------------------------ */

/* The ops of nn/ops.h, as ts_cuda_<name>: memory, transfers and graphs in
 * cuda_backend.cu, GEMM and convolutions in cuda_gemm_conv.cu, the rest in
 * cuda_kernels.cu. The module has no fused kernel yet: its fused ops are
 * the compositions that ts_backend_complete() puts in (src/nn/backend.c). */
#define TS_CUDA_DECLARE(ret, name, params) ret ts_cuda_##name params;
TS_OPS_REQUIRED(TS_CUDA_DECLARE)
TS_OPS_GRAPH(TS_CUDA_DECLARE)
#undef TS_CUDA_DECLARE

/* Strided-batched GEMM (cuBLAS semantics in row-major terms, as gemm): the
 * convolutions' per-sample products. */
void ts_cuda_gemm_batched(ts_backend *be, int trans_a, int trans_b, int m, int n, int k,
                          float alpha, const float *a, int lda, long stride_a,
                          const float *b, int ldb, long stride_b, float beta,
                          float *c, int ldc, long stride_c, int batch);
/* y[b, c, l] += bias[c] and dbias[c] += sum_{b,l} dy[b, c, l] (shared with cuDNN). */
void ts_cuda_bias_fwd(ts_cuda *cu, int batch, int channels, int len, const float *bias,
                      float *y);
void ts_cuda_bias_bwd(ts_cuda *cu, int batch, int channels, int len, const float *dy,
                      float *dbias);
/* The raw Philox words of blocks first .. first+nblocks-1 of seed's stream
 * into device memory words[4 * nblocks] (for the tests). */
void ts_cuda_philox_words(ts_cuda *cu, uint64_t seed, uint64_t first, size_t nblocks,
                          uint32_t *words);

/* ---- cuDNN convolutions (cuda_cudnn.cu) --------------------------------- */

/* 0, or non-zero with a reason in why[] when cuDNN cannot be used. */
int ts_cudnn_create(ts_cuda *cu, ts_cudnn **out, char *why, size_t why_size);
void ts_cudnn_destroy(ts_cudnn *dnn);
void ts_cudnn_conv_fwd(ts_cuda *cu, const ts_conv1d_shape *s, const float *x,
                       const float *w, float *y);
void ts_cudnn_conv_bwd_data(ts_cuda *cu, const ts_conv1d_shape *s, const float *dy,
                            const float *w, float *dx);
void ts_cudnn_conv_bwd_filter(ts_cuda *cu, const ts_conv1d_shape *s, const float *x,
                              const float *dy, float *dw);

#endif
