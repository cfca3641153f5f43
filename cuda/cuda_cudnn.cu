/* cuda_cudnn.cu - the optional cuDNN path of the convolutions
 * (TSDIFF_CUDA_CONV=cudnn; the default is im2col + cuBLAS, cuda_gemm_conv.cu).
 *
 * cuDNN is loaded with dlopen() when asked for, so the module itself does not
 * depend on it: a machine without libcudnn.so.9 still runs the GEMM path.
 * A 1-D convolution is a 2-D one of height 1: x as NCHW [B, cin, 1, lin],
 * w as [cout, cin, 1, k], padding (0, pad), stride (1, stride). The math type
 * is plain FMA (no TF32), and of the algorithms cuDNN's heuristics rank, the
 * first deterministic one that fits MAX_WS bytes of workspace is used;
 * choices are cached per shape. Bias is added (and its gradient summed) by
 * the kernels the GEMM path uses.
 */
#include "cuda/cuda_internal.h"

#include <cudnn.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef TS_CUDNN_FALLBACK
#define TS_CUDNN_FALLBACK "libcudnn.so.9"
#endif

/* Workspace limit per call, and cached shapes. */
#define MAX_WS ((size_t)1 << 30)
#define CACHE 64
#define NALGO 16

/* The cuDNN entry points used, resolved with dlsym(). */
#define CUDNN_FUNCS(X) \
    X(cudnnCreate) X(cudnnDestroy) X(cudnnSetStream) X(cudnnGetErrorString) \
    X(cudnnCreateTensorDescriptor) X(cudnnDestroyTensorDescriptor) \
    X(cudnnSetTensor4dDescriptor) X(cudnnCreateFilterDescriptor) \
    X(cudnnDestroyFilterDescriptor) X(cudnnSetFilter4dDescriptor) \
    X(cudnnCreateConvolutionDescriptor) X(cudnnDestroyConvolutionDescriptor) \
    X(cudnnSetConvolution2dDescriptor) X(cudnnSetConvolutionMathType) \
    X(cudnnGetConvolution2dForwardOutputDim) \
    X(cudnnGetConvolutionForwardAlgorithm_v7) X(cudnnGetConvolutionBackwardDataAlgorithm_v7) \
    X(cudnnGetConvolutionBackwardFilterAlgorithm_v7) \
    X(cudnnGetConvolutionForwardWorkspaceSize) X(cudnnGetConvolutionBackwardDataWorkspaceSize) \
    X(cudnnGetConvolutionBackwardFilterWorkspaceSize) \
    X(cudnnConvolutionForward) X(cudnnConvolutionBackwardData) \
    X(cudnnConvolutionBackwardFilter)

typedef struct dnn_api {
#define DECLARE(f) decltype(&::f) f;
    CUDNN_FUNCS(DECLARE)
#undef DECLARE
} dnn_api;

/* Algorithms and workspace sizes chosen for one shape. */
typedef struct dnn_plan {
    ts_conv1d_shape s;
    cudnnConvolutionFwdAlgo_t fwd;
    cudnnConvolutionBwdDataAlgo_t bwd_data;
    cudnnConvolutionBwdFilterAlgo_t bwd_filter;
    size_t ws_fwd, ws_data, ws_filter;
} dnn_plan;

struct ts_cudnn {
    void *lib;
    dnn_api api;
    cudnnHandle_t h;
    cudnnTensorDescriptor_t xd, yd;
    cudnnFilterDescriptor_t wd;
    cudnnConvolutionDescriptor_t cd;
    dnn_plan plans[CACHE];
    int nplans, next;            /* next: the slot a new plan replaces when full */
};

#define API(d) (d)->api
#define DNN_CHECK(d, call) \
    do { cudnnStatus_t s_ = (call); \
         if (s_ != CUDNN_STATUS_SUCCESS) \
             ts_cuda_die(__FILE__, __LINE__, #call, API(d).cudnnGetErrorString(s_)); \
    } while (0)

/* ---- creation ---------------------------------------------------------------- */

static int load_api(ts_cudnn *d, char *why, size_t why_size)
{
    d->lib = dlopen("libcudnn.so.9", RTLD_NOW | RTLD_LOCAL);
    if (!d->lib) d->lib = dlopen(TS_CUDNN_FALLBACK, RTLD_NOW | RTLD_LOCAL);
    if (!d->lib) {
        snprintf(why, why_size, "cannot load libcudnn.so.9: %s", dlerror());
        return -1;
    }
#define RESOLVE(f) \
    { void *p_ = dlsym(d->lib, #f); \
      if (!p_) { snprintf(why, why_size, "libcudnn.so.9 lacks %s", #f); return -1; } \
      memcpy(&d->api.f, &p_, sizeof p_); }
    CUDNN_FUNCS(RESOLVE)
#undef RESOLVE
    return 0;
}

void ts_cudnn_destroy(ts_cudnn *d)
{
    if (!d) return;
    if (d->cd) API(d).cudnnDestroyConvolutionDescriptor(d->cd);
    if (d->wd) API(d).cudnnDestroyFilterDescriptor(d->wd);
    if (d->yd) API(d).cudnnDestroyTensorDescriptor(d->yd);
    if (d->xd) API(d).cudnnDestroyTensorDescriptor(d->xd);
    if (d->h) API(d).cudnnDestroy(d->h);
    /* The library stays loaded: CUDA libraries do not like being unloaded. */
    free(d);
}

static cudnnStatus_t probe(ts_cudnn *d);

int ts_cudnn_create(ts_cuda *cu, ts_cudnn **out, char *why, size_t why_size)
{
    *out = NULL;
    ts_cudnn *d = (ts_cudnn *)calloc(1, sizeof *d);
    if (!d) {
        snprintf(why, why_size, "out of memory");
        return -1;
    }
    if (load_api(d, why, why_size) != 0) {
        free(d);
        return -1;
    }
    cudnnStatus_t s = API(d).cudnnCreate(&d->h);
    if (s == CUDNN_STATUS_SUCCESS) s = API(d).cudnnSetStream(d->h, cu->stream);
    if (s == CUDNN_STATUS_SUCCESS) s = API(d).cudnnCreateTensorDescriptor(&d->xd);
    if (s == CUDNN_STATUS_SUCCESS) s = API(d).cudnnCreateTensorDescriptor(&d->yd);
    if (s == CUDNN_STATUS_SUCCESS) s = API(d).cudnnCreateFilterDescriptor(&d->wd);
    if (s == CUDNN_STATUS_SUCCESS) s = API(d).cudnnCreateConvolutionDescriptor(&d->cd);
    if (s == CUDNN_STATUS_SUCCESS) s = probe(d);
    if (s != CUDNN_STATUS_SUCCESS) {
        snprintf(why, why_size, "%s", API(d).cudnnGetErrorString(s));
        ts_cudnn_destroy(d);
        return -1;
    }
    *out = d;
    return 0;
}

/* ---- plans ------------------------------------------------------------------- */

static int same_shape(const ts_conv1d_shape *a, const ts_conv1d_shape *b)
{
    return a->batch == b->batch && a->cin == b->cin && a->cout == b->cout &&
           a->lin == b->lin && a->lout == b->lout && a->k == b->k &&
           a->stride == b->stride && a->pad == b->pad;
}

/* A cuDNN call inside describe and make_plan: its failure is returned. */
#define TRY(call) \
    do { cudnnStatus_t s_ = (call); if (s_ != CUDNN_STATUS_SUCCESS) return s_; } while (0)

/* Describe shape s in the four descriptors. */
static cudnnStatus_t describe(ts_cudnn *d, const ts_conv1d_shape *s)
{
    TRY(API(d).cudnnSetTensor4dDescriptor(d->xd, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, s->batch,
                                          s->cin, 1, s->lin));
    TRY(API(d).cudnnSetFilter4dDescriptor(d->wd, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, s->cout,
                                          s->cin, 1, s->k));
    TRY(API(d).cudnnSetConvolution2dDescriptor(d->cd, 0, s->pad, 1, s->stride, 1, 1,
                                               CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT));
    TRY(API(d).cudnnSetConvolutionMathType(d->cd, CUDNN_FMA_MATH));
    int n, c, h, w;
    TRY(API(d).cudnnGetConvolution2dForwardOutputDim(d->cd, d->xd, d->wd, &n, &c, &h, &w));
    CU_ASSERT(n == s->batch && c == s->cout && h == 1 && w == s->lout);
    TRY(API(d).cudnnSetTensor4dDescriptor(d->yd, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, s->batch,
                                          s->cout, 1, s->lout));
    return CUDNN_STATUS_SUCCESS;
}

/* The first ranked algorithm that succeeded, is deterministic and fits;
 * CUDNN_STATUS_NOT_SUPPORTED from make_plan when there is none. */
#define PICK(perf, count, out, ws) \
    do { int found_ = 0; \
         for (int i_ = 0; i_ < (count) && !found_; i_++) \
             if ((perf)[i_].status == CUDNN_STATUS_SUCCESS && \
                 (perf)[i_].determinism == CUDNN_DETERMINISTIC && (perf)[i_].memory <= MAX_WS) { \
                 (out) = (perf)[i_].algo; (ws) = (perf)[i_].memory; found_ = 1; } \
         if (!found_) return CUDNN_STATUS_NOT_SUPPORTED; \
    } while (0)

/* The algorithms of the three directions for the shape described. */
static cudnnStatus_t make_plan(ts_cudnn *d, const ts_conv1d_shape *s, dnn_plan *p)
{
    p->s = *s;
    int count = 0;
    cudnnConvolutionFwdAlgoPerf_t pf[NALGO];
    TRY(API(d).cudnnGetConvolutionForwardAlgorithm_v7(d->h, d->xd, d->wd, d->cd, d->yd, NALGO,
                                                      &count, pf));
    PICK(pf, count, p->fwd, p->ws_fwd);
    cudnnConvolutionBwdDataAlgoPerf_t pd[NALGO];
    TRY(API(d).cudnnGetConvolutionBackwardDataAlgorithm_v7(d->h, d->wd, d->yd, d->cd, d->xd,
                                                           NALGO, &count, pd));
    PICK(pd, count, p->bwd_data, p->ws_data);
    cudnnConvolutionBwdFilterAlgoPerf_t pw[NALGO];
    TRY(API(d).cudnnGetConvolutionBackwardFilterAlgorithm_v7(d->h, d->xd, d->yd, d->cd, d->wd,
                                                             NALGO, &count, pw));
    PICK(pw, count, p->bwd_filter, p->ws_filter);
    /* The heuristics' memory figures are estimates: ask for the exact sizes. */
    TRY(API(d).cudnnGetConvolutionForwardWorkspaceSize(d->h, d->xd, d->wd, d->cd, d->yd, p->fwd,
                                                       &p->ws_fwd));
    TRY(API(d).cudnnGetConvolutionBackwardDataWorkspaceSize(d->h, d->wd, d->yd, d->cd, d->xd,
                                                            p->bwd_data, &p->ws_data));
    TRY(API(d).cudnnGetConvolutionBackwardFilterWorkspaceSize(d->h, d->xd, d->yd, d->cd, d->wd,
                                                              p->bwd_filter, &p->ws_filter));
    return CUDNN_STATUS_SUCCESS;
}

/* Descriptors set for s, and its plan. */
static const dnn_plan *plan_for(ts_cudnn *d, const ts_conv1d_shape *s)
{
    DNN_CHECK(d, describe(d, s));
    for (int i = 0; i < d->nplans; i++)
        if (same_shape(&d->plans[i].s, s)) return &d->plans[i];
    dnn_plan *p;
    if (d->nplans < CACHE) {
        p = &d->plans[d->nplans++];
    } else {
        p = &d->plans[d->next];
        d->next = (d->next + 1) % CACHE;
    }
    DNN_CHECK(d, make_plan(d, s, p));
    return p;
}

/* Can cuDNN plan a small convolution? (Its convolution code lives in
 * sub-libraries that libcudnn.so.9 loads only when first needed.) */
static cudnnStatus_t probe(ts_cudnn *d)
{
    ts_conv1d_shape s = {.batch = 2, .cin = 4, .cout = 4, .lin = 16, .lout = 0, .k = 3,
                         .stride = 1, .pad = 1};
    s.lout = (s.lin + 2 * s.pad - s.k) / s.stride + 1;
    dnn_plan p;
    TRY(describe(d, &s));
    return make_plan(d, &s, &p);
}

/* ---- the three convolutions -------------------------------------------------- */

void ts_cudnn_conv_fwd(ts_cuda *cu, const ts_conv1d_shape *s, const float *x,
                       const float *w, float *y)
{
    ts_cudnn *d = cu->dnn;
    const dnn_plan *p = plan_for(d, s);
    void *ws = p->ws_fwd ? ts_cuda_scratch(cu, &cu->ws, p->ws_fwd) : NULL;
    const float one = 1.0f, zero = 0.0f;
    DNN_CHECK(d, API(d).cudnnConvolutionForward(d->h, &one, d->xd, x, d->wd, w, d->cd, p->fwd,
                                                ws, p->ws_fwd, &zero, d->yd, y));
    CU_LAUNCHED(cu, "cudnnConvolutionForward");
}

void ts_cudnn_conv_bwd_data(ts_cuda *cu, const ts_conv1d_shape *s, const float *dy,
                            const float *w, float *dx)
{
    ts_cudnn *d = cu->dnn;
    const dnn_plan *p = plan_for(d, s);
    void *ws = p->ws_data ? ts_cuda_scratch(cu, &cu->ws, p->ws_data) : NULL;
    const float one = 1.0f, zero = 0.0f;
    DNN_CHECK(d, API(d).cudnnConvolutionBackwardData(d->h, &one, d->wd, w, d->yd, dy, d->cd,
                                                     p->bwd_data, ws, p->ws_data, &zero,
                                                     d->xd, dx));
    CU_LAUNCHED(cu, "cudnnConvolutionBackwardData");
}

void ts_cudnn_conv_bwd_filter(ts_cuda *cu, const ts_conv1d_shape *s, const float *x,
                              const float *dy, float *dw)
{
    ts_cudnn *d = cu->dnn;
    const dnn_plan *p = plan_for(d, s);
    void *ws = p->ws_filter ? ts_cuda_scratch(cu, &cu->ws, p->ws_filter) : NULL;
    const float one = 1.0f;
    DNN_CHECK(d, API(d).cudnnConvolutionBackwardFilter(d->h, &one, d->xd, x, d->yd, dy, d->cd,
                                                       p->bwd_filter, ws, p->ws_filter, &one,
                                                       d->wd, dw));
    CU_LAUNCHED(cu, "cudnnConvolutionBackwardFilter");
}
