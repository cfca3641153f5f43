/* cuda_backend.cu - the CUDA backend module: finding the device, creation and
 * destruction, memory and transfers, scratch and staging buffers, graph
 * recording, and the function table. The ops live in cuda_gemm_conv.cu,
 * cuda_kernels.cu and cuda_cudnn.cu; see cuda_internal.h for the design. */
#include "cuda/cuda_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cuBLAS workspace: enough for every SGEMM kernel on Hopper. */
#define BLAS_WORKSPACE (32u << 20)
/* Smallest staging chunk (pinned host + device). */
#define STAGE_CHUNK (1u << 20)
/* Alignment of staged items and of scratch sizes. */
#define ALIGN 256

static size_t align_up(size_t n) { return (n + ALIGN - 1) / ALIGN * ALIGN; }

/* ---- errors ------------------------------------------------------------ */

/* The program's internal-fault handler, given at load (ts_cuda_set_die). */
static void (*host_die)(const char *file, int line, const char *what);

TS_CUDA_EXPORT void ts_cuda_set_die(void (*die)(const char *file, int line, const char *what))
{
    host_die = die;
}

void ts_cuda_die(const char *file, int line, const char *what, const char *why)
{
    if (host_die) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s: %s", what, why);
        host_die(file, line, msg);   /* does not return */
    }
    fprintf(stderr, "tsdiff: internal error at %s:%d: %s: %s\n", file, line, what, why);
    exit(TS_EINTERNAL);
}

static int set_err(ts_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int set_err(ts_error *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->code = code;
    }
    return code;
}

void ts_cuda_launched(ts_cuda *cu, const char *file, int line, const char *what)
{
    cudaError_t e = cudaGetLastError();
    if (e != cudaSuccess) ts_cuda_die(file, line, what, cudaGetErrorString(e));
    if (cu->debug_sync && !cu->capturing) {
        e = cudaStreamSynchronize(cu->stream);
        if (e != cudaSuccess) ts_cuda_die(file, line, what, cudaGetErrorString(e));
    }
}

void ts_cuda_wait(ts_cuda *cu, const char *why)
{
    CU_ASSERT_MSG(!cu->capturing, why);
    CUDA_CHECK(cudaStreamSynchronize(cu->stream));
}

/* ---- scratch ----------------------------------------------------------- */

/* Free the retired buffers once no recording or graph can refer to them. */
static void free_retired(ts_cuda *cu)
{
    if (cu->capturing || cu->live_graphs > 0 || !cu->retired) return;
    CUDA_CHECK(cudaStreamSynchronize(cu->stream));
    while (cu->retired) {
        ts_cuda_retired *r = cu->retired;
        cu->retired = r->next;
        CUDA_CHECK(cudaFree(r->p));
        free(r);
    }
}

void *ts_cuda_scratch(ts_cuda *cu, ts_cuda_buf *b, size_t bytes)
{
    if (bytes <= b->bytes && b->p) return b->p;
    size_t want = align_up(bytes > b->bytes + b->bytes / 2 ? bytes : b->bytes + b->bytes / 2);
    if (want < ALIGN) want = ALIGN;
    if (b->p) {
        /* Ops already enqueued, a recording or a graph may still use it. */
        ts_cuda_retired *r = (ts_cuda_retired *)malloc(sizeof *r);
        CU_ASSERT_MSG(r != NULL, "out of memory");
        r->p = b->p;
        r->next = cu->retired;
        cu->retired = r;
        b->p = NULL;
        b->bytes = 0;
        free_retired(cu);
    }
    CUDA_CHECK(cudaMalloc(&b->p, want));
    b->bytes = want;
    return b->p;
}

/* ---- staging for recordings --------------------------------------------- */

/* An aligned slot of `bytes` in the open recording's staging; its host and
 * device addresses. */
static void stage_take(ts_cuda *cu, size_t bytes, char **host, char **dev)
{
    bytes = align_up(bytes ? bytes : 1);
    ts_cuda_stage *s = cu->rec_stage;
    if (!s || s->cap - s->used < bytes) {
        ts_cuda_stage **pp = &cu->free_stage;           /* a free chunk big enough? */
        while (*pp && (*pp)->cap < bytes) pp = &(*pp)->next;
        s = *pp;
        if (s) {
            *pp = s->next;
        } else {
            s = (ts_cuda_stage *)calloc(1, sizeof *s);
            CU_ASSERT_MSG(s != NULL, "out of memory");
            s->cap = bytes > STAGE_CHUNK ? bytes : STAGE_CHUNK;
            CUDA_CHECK(cudaHostAlloc((void **)&s->host, s->cap, cudaHostAllocDefault));
            CUDA_CHECK(cudaMalloc((void **)&s->dev, s->cap));
        }
        s->used = 0;
        s->next = cu->rec_stage;
        cu->rec_stage = s;
    }
    *host = s->host + s->used;
    *dev = s->dev + s->used;
    s->used += bytes;
}

/* Return a list of chunks to the free list (nothing may still read them). */
static void stage_release(ts_cuda *cu, ts_cuda_stage *list)
{
    while (list) {
        ts_cuda_stage *next = list->next;
        list->next = cu->free_stage;
        cu->free_stage = list;
        list = next;
    }
}

static void stage_destroy(ts_cuda_stage *list)
{
    while (list) {
        ts_cuda_stage *next = list->next;
        cudaFreeHost(list->host);
        cudaFree(list->dev);
        free(list);
        list = next;
    }
}

void ts_cuda_h2d(ts_cuda *cu, void *dst, const void *h_src, size_t bytes)
{
    if (bytes == 0) return;
    if (cu->capturing) {
        char *host, *dev;
        stage_take(cu, bytes, &host, &dev);
        memcpy(host, h_src, bytes);
        CUDA_CHECK(cudaMemcpyAsync(dst, host, bytes, cudaMemcpyHostToDevice, cu->stream));
    } else {
        /* From pageable memory the source is copied before this returns. */
        CUDA_CHECK(cudaMemcpyAsync(dst, h_src, bytes, cudaMemcpyHostToDevice, cu->stream));
    }
}

void *ts_cuda_h2d_temp(ts_cuda *cu, ts_cuda_buf *b, const void *h_src, size_t bytes)
{
    if (cu->capturing) {
        char *host, *dev;
        stage_take(cu, bytes, &host, &dev);
        memcpy(host, h_src, bytes);
        CUDA_CHECK(cudaMemcpyAsync(dev, host, bytes, cudaMemcpyHostToDevice, cu->stream));
        return dev;
    }
    void *d = ts_cuda_scratch(cu, b, bytes ? bytes : 1);
    if (bytes)
        CUDA_CHECK(cudaMemcpyAsync(d, h_src, bytes, cudaMemcpyHostToDevice, cu->stream));
    return d;
}

/* ---- memory and transfers ------------------------------------------------ */

float *ts_cuda_alloc(ts_backend *be, size_t n)
{
    ts_cuda *cu = ts_cuda_of(be);
    CU_ASSERT_MSG(!cu->capturing, "alloc while recording a graph");
    size_t count = n ? n : 1;
    if (count > ((size_t)-1) / sizeof(float)) return NULL;
    void *p = NULL;
    cudaError_t e = cudaMalloc(&p, count * sizeof(float));
    if (e == cudaErrorMemoryAllocation) {
        (void)cudaGetLastError();   /* not sticky; clear it */
        return NULL;
    }
    CUDA_CHECK(e);
    CUDA_CHECK(cudaMemsetAsync(p, 0, count * sizeof(float), cu->stream));
    return (float *)p;
}

void ts_cuda_free(ts_backend *be, float *p)
{
    ts_cuda *cu = ts_cuda_of(be);
    if (!p) return;
    ts_cuda_wait(cu, "free while recording a graph");
    CUDA_CHECK(cudaFree(p));
}

void ts_cuda_upload(ts_backend *be, float *dst, const float *h_src, size_t n)
{
    ts_cuda_h2d(ts_cuda_of(be), dst, h_src, n * sizeof(float));
}

void ts_cuda_download(ts_backend *be, float *h_dst, const float *src, size_t n)
{
    ts_cuda *cu = ts_cuda_of(be);
    CU_ASSERT_MSG(!cu->capturing, "download while recording a graph");
    if (n == 0) {
        ts_cuda_wait(cu, "download while recording a graph");
        return;
    }
    CUDA_CHECK(cudaMemcpyAsync(h_dst, src, n * sizeof(float), cudaMemcpyDeviceToHost,
                               cu->stream));
    CUDA_CHECK(cudaStreamSynchronize(cu->stream));
}

/* memmove semantics: overlapping ranges go through a scratch buffer. */
void ts_cuda_copy(ts_backend *be, float *dst, const float *src, size_t n)
{
    ts_cuda *cu = ts_cuda_of(be);
    if (n == 0 || dst == src) return;
    size_t bytes = n * sizeof(float);
    if (dst < src + n && src < dst + n) {
        void *t = ts_cuda_scratch(cu, &cu->tmp, bytes);
        CUDA_CHECK(cudaMemcpyAsync(t, src, bytes, cudaMemcpyDeviceToDevice, cu->stream));
        src = (const float *)t;
    }
    CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, cu->stream));
    CU_LAUNCHED(cu, "copy");
}

void ts_cuda_sync(ts_backend *be)
{
    ts_cuda_wait(ts_cuda_of(be), "sync while recording a graph");
}

/* ---- graphs -------------------------------------------------------------- */

int ts_cuda_graph_begin(ts_backend *be)
{
    ts_cuda *cu = ts_cuda_of(be);
    if (cu->graphs_off) return -1;
    CU_ASSERT_MSG(!cu->capturing, "graph_begin while recording a graph");
    /* Relaxed: allocations (scratch growth, staging) stay legal meanwhile. */
    CUDA_CHECK(cudaStreamBeginCapture(cu->stream, cudaStreamCaptureModeRelaxed));
    cu->capturing = 1;
    cu->rec_stage = NULL;
    return 0;
}

void ts_cuda_graph_end(ts_backend *be, ts_graph **gp)
{
    ts_cuda *cu = ts_cuda_of(be);
    CU_ASSERT_MSG(cu->capturing, "graph_end without graph_begin");
    cudaGraph_t graph = NULL;
    cu->capturing = 0;
    CUDA_CHECK(cudaStreamEndCapture(cu->stream, &graph));
    ts_graph *g = *gp;
    if (g) {
        /* Its last launch must be over before its staging is reused. */
        CUDA_CHECK(cudaStreamSynchronize(cu->stream));
        /* Refused when the ops changed (not only their arguments): then a
         * new executable. Any other error is a fault. */
        cudaGraphExecUpdateResultInfo info;
        cudaError_t e = cudaGraphExecUpdate(g->exec, graph, &info);
        if (e == cudaErrorGraphExecUpdateFailure) {
            (void)cudaGetLastError();
            CUDA_CHECK(cudaGraphExecDestroy(g->exec));
            CUDA_CHECK(cudaGraphInstantiate(&g->exec, graph, 0));
        } else {
            CUDA_CHECK(e);
        }
        stage_release(cu, g->stage);
    } else {
        g = (ts_graph *)calloc(1, sizeof *g);
        CU_ASSERT_MSG(g != NULL, "out of memory");
        CUDA_CHECK(cudaGraphInstantiate(&g->exec, graph, 0));
        cu->live_graphs++;
        *gp = g;
    }
    g->stage = cu->rec_stage;
    cu->rec_stage = NULL;
    CUDA_CHECK(cudaGraphDestroy(graph));
    CUDA_CHECK(cudaGraphLaunch(g->exec, cu->stream));
    CU_LAUNCHED(cu, "graph launch");
}

void ts_cuda_graph_launch(ts_backend *be, ts_graph *g)
{
    ts_cuda *cu = ts_cuda_of(be);
    CU_ASSERT_MSG(!cu->capturing, "graph_launch while recording a graph");
    CU_ASSERT(g != NULL);
    CUDA_CHECK(cudaGraphLaunch(g->exec, cu->stream));
    CU_LAUNCHED(cu, "graph launch");
}

void ts_cuda_graph_free(ts_backend *be, ts_graph *g)
{
    ts_cuda *cu = ts_cuda_of(be);
    if (!g) return;
    ts_cuda_wait(cu, "graph_free while recording a graph");
    CUDA_CHECK(cudaGraphExecDestroy(g->exec));
    stage_release(cu, g->stage);
    free(g);
    cu->live_graphs--;
    free_retired(cu);
}

/* ---- creation ------------------------------------------------------------ */

static int env_is(const char *name, const char *value)
{
    const char *v = getenv(name);
    return v && strcmp(v, value) == 0;
}

void ts_cuda_destroy(ts_backend *be)
{
    if (!be) return;
    ts_cuda *cu = ts_cuda_of(be);
    if (cu->stream) cudaStreamSynchronize(cu->stream);
    if (cu->dnn) ts_cudnn_destroy(cu->dnn);
    if (cu->blas) cublasDestroy(cu->blas);
    ts_cuda_buf *bufs[] = {&cu->col, &cu->col2, &cu->coef, &cu->tmp, &cu->ws};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
        if (bufs[i]->p) cudaFree(bufs[i]->p);
    while (cu->retired) {
        ts_cuda_retired *r = cu->retired;
        cu->retired = r->next;
        cudaFree(r->p);
        free(r);
    }
    stage_destroy(cu->rec_stage);
    stage_destroy(cu->free_stage);
    if (cu->blas_ws) cudaFree(cu->blas_ws);
    if (cu->red) cudaFree(cu->red);
    if (cu->res_d) cudaFree(cu->res_d);
    if (cu->res_h) cudaFreeHost(cu->res_h);
    if (cu->stream) cudaStreamDestroy(cu->stream);
    free(cu);
    free(be);
}

/* The first visible device, checked to be one this build has code for. */
static int open_device(ts_cuda *cu, ts_error *err)
{
    int count = 0;
    cudaError_t e = cudaGetDeviceCount(&count);
    if (e != cudaSuccess) {
        (void)cudaGetLastError();
        int drv = 0;
        if (e == cudaErrorInsufficientDriver && cudaDriverGetVersion(&drv) == cudaSuccess &&
            drv > 0)
            return set_err(err, TS_EUNAVAIL, "the CUDA driver (%d.%d) is older than this "
                           "module's runtime (%d.%d)", drv / 1000, drv % 1000 / 10,
                           CUDART_VERSION / 1000, CUDART_VERSION % 1000 / 10);
        if (e == cudaErrorInsufficientDriver)
            return set_err(err, TS_EUNAVAIL, "no CUDA device found (no CUDA driver)");
        return set_err(err, TS_EUNAVAIL, "no CUDA device found (%s)", cudaGetErrorString(e));
    }
    if (count < 1) return set_err(err, TS_EUNAVAIL, "no CUDA device found");
    cu->device = 0;
    cudaDeviceProp prop;
    e = cudaSetDevice(cu->device);
    if (e == cudaSuccess) e = cudaGetDeviceProperties(&prop, cu->device);
    if (e != cudaSuccess)
        return set_err(err, TS_EUNAVAIL, "CUDA device 0 unusable: %s", cudaGetErrorString(e));
    if (prop.major < 8)
        return set_err(err, TS_EUNAVAIL, "CUDA device 0 (%s, compute capability %d.%d) is "
                       "older than this build supports (8.0)", prop.name, prop.major,
                       prop.minor);
    return 0;
}

static int setup(ts_cuda *cu, ts_error *err)
{
    cudaError_t e = cudaStreamCreateWithFlags(&cu->stream, cudaStreamNonBlocking);
    if (e == cudaSuccess) e = cudaMalloc(&cu->blas_ws, BLAS_WORKSPACE);
    if (e == cudaSuccess) e = cudaMalloc((void **)&cu->red, 2 * TS_CUDA_RED_BLOCKS * sizeof(double));
    if (e == cudaSuccess) e = cudaMalloc((void **)&cu->res_d, 4 * sizeof(double));
    if (e == cudaSuccess) e = cudaHostAlloc((void **)&cu->res_h, 4 * sizeof(double), cudaHostAllocDefault);
    if (e != cudaSuccess)
        return set_err(err, TS_EUNAVAIL, "CUDA device unusable: %s", cudaGetErrorString(e));
    cublasStatus_t s = cublasCreate(&cu->blas);
    if (s == CUBLAS_STATUS_SUCCESS) s = cublasSetStream(cu->blas, cu->stream);
    if (s == CUBLAS_STATUS_SUCCESS) s = cublasSetWorkspace(cu->blas, cu->blas_ws, BLAS_WORKSPACE);
    /* Plain FP32 (no TF32): results agree with the CPU backend. */
    if (s == CUBLAS_STATUS_SUCCESS) s = cublasSetMathMode(cu->blas, CUBLAS_DEFAULT_MATH);
    if (s != CUBLAS_STATUS_SUCCESS)
        return set_err(err, TS_EUNAVAIL, "cuBLAS unusable: %s", cublasGetStatusString(s));
    return 0;
}

/* The function table, from the op list (nn/ops.h); the fused ops stay NULL
 * (ts_backend_open composes them). Assignments: C++ has no designated
 * initialisers out of order. */
static void fill_table(ts_backend *be, ts_cuda *cu)
{
    memset(be, 0, sizeof *be);
    be->name = "cuda";
    be->impl = cu;
#define TS_CUDA_ENTRY(ret, name, params) be->name = ts_cuda_##name;
    TS_OPS_REQUIRED(TS_CUDA_ENTRY)
    TS_OPS_GRAPH(TS_CUDA_ENTRY)
#undef TS_CUDA_ENTRY
}

/* TSDIFF_CUDA_CONV: gemm (default) or cudnn; a cuDNN that cannot be used
 * leaves the GEMM path, with a warning. */
static void choose_conv(ts_cuda *cu)
{
    const char *v = getenv("TSDIFF_CUDA_CONV");
    if (!v || !*v || strcmp(v, "gemm") == 0) return;
    if (strcmp(v, "cudnn") != 0) {
        fprintf(stderr, "tsdiff: warning: TSDIFF_CUDA_CONV=%s ignored (expected gemm or "
                "cudnn)\n", v);
        return;
    }
    char why[512] = "";
    if (ts_cudnn_create(cu, &cu->dnn, why, sizeof why) == 0) {
        cu->conv_mode = TS_CUDA_CONV_CUDNN;
        return;
    }
    fprintf(stderr, "tsdiff: warning: cuDNN unusable, convolutions use cuBLAS: %s\n", why);
}

TS_CUDA_EXPORT int ts_cuda_backend_create(int threads, ts_backend **out, ts_error *err)
{
    (void)threads;   /* host threads: the CUDA backend uses none of its own */
    *out = NULL;
    ts_cuda *cu = (ts_cuda *)calloc(1, sizeof *cu);
    ts_backend *be = (ts_backend *)calloc(1, sizeof *be);
    if (!cu || !be) {
        free(cu);
        free(be);
        return set_err(err, TS_EINTERNAL, "out of memory");
    }
    fill_table(be, cu);
    int rc = open_device(cu, err);
    if (!rc) rc = setup(cu, err);
    if (!rc) rc = ts_cuda_probe(cu, err);
    cu->debug_sync = env_is("TSDIFF_CUDA_SYNC", "1");
    cu->graphs_off = env_is("TSDIFF_CUDA_GRAPHS", "0");
    if (!rc) choose_conv(cu);
    if (rc) {
        ts_cuda_destroy(be);
        return rc;
    }
    *out = be;
    return 0;
}

/* For tests: the raw Philox words of blocks first .. first+nblocks-1 of the
 * stream of seed, computed on the device, into h_words[4 * nblocks]. */
TS_CUDA_EXPORT void ts_cuda_test_philox(ts_backend *be, uint64_t seed, uint64_t first,
                                        size_t nblocks, uint32_t *h_words)
{
    ts_cuda *cu = ts_cuda_of(be);
    if (nblocks == 0) return;
    uint32_t *d = NULL;
    CUDA_CHECK(cudaMalloc((void **)&d, nblocks * 4 * sizeof(uint32_t)));
    ts_cuda_philox_words(cu, seed, first, nblocks, d);
    CUDA_CHECK(cudaMemcpyAsync(h_words, d, nblocks * 4 * sizeof(uint32_t),
                               cudaMemcpyDeviceToHost, cu->stream));
    CUDA_CHECK(cudaStreamSynchronize(cu->stream));
    CUDA_CHECK(cudaFree(d));
}
