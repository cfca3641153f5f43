/* emu_cublas.cc - the cuBLAS calls of the tsdiff CUDA module, emulated: a
 * column-major reference SGEMM that checks its arguments as cuBLAS documents
 * them and refuses memory outside an allocation (see cublas_v2.h here). */
#include "cublas_v2.h"
#include "emu_internal.h"

struct ts_emu_blas {
    cudaStream_t stream;
    void *ws;
    size_t ws_bytes;
};

namespace {

/* Identities of the two library calls, for graph updates. */
void gemm_id(void) {}
void gemm_batched_id(void) {}

/* Does the column-major rows x cols matrix at p with leading dimension ld lie
 * inside one device allocation? */
bool in_device(const float *p, int rows, int cols, int ld)
{
    if (rows == 0 || cols == 0) return true;
    size_t span = ((size_t)(cols - 1) * (size_t)ld + (size_t)rows) * sizeof(float);
    return ts_emu_mem_kind(p, span) == TS_EMU_DEVICE;
}

bool op_ok(cublasOperation_t t) { return t == CUBLAS_OP_N || t == CUBLAS_OP_T; }

/* The argument checks of cublasSgemm, and the operands' memory. */
cublasStatus_t check(cublasOperation_t ta, cublasOperation_t tb, int m, int n, int k,
                     const float *a, int lda, const float *b, int ldb, const float *c, int ldc)
{
    if (!op_ok(ta) || !op_ok(tb) || m < 0 || n < 0 || k < 0) return CUBLAS_STATUS_INVALID_VALUE;
    const int ra = ta == CUBLAS_OP_N ? m : k, ca = ta == CUBLAS_OP_N ? k : m;
    const int rb = tb == CUBLAS_OP_N ? k : n, cb = tb == CUBLAS_OP_N ? n : k;
    if (lda < (ra > 1 ? ra : 1) || ldb < (rb > 1 ? rb : 1) || ldc < (m > 1 ? m : 1))
        return CUBLAS_STATUS_INVALID_VALUE;
    if (m == 0 || n == 0) return CUBLAS_STATUS_SUCCESS;
    if ((k > 0 && (!in_device(a, ra, ca, lda) || !in_device(b, rb, cb, ldb))) ||
        !in_device(c, m, n, ldc))
        return CUBLAS_STATUS_EXECUTION_FAILED;   /* a GPU would fault */
    return CUBLAS_STATUS_SUCCESS;
}

/* C = alpha op(A) op(B) + beta C, column-major; beta 0 ignores C's values. */
void gemm(bool ta, bool tb, int m, int n, int k, float alpha, const float *a, int lda,
          const float *b, int ldb, float beta, float *c, int ldc)
{
    for (int j = 0; j < n; j++)
        for (int i = 0; i < m; i++) {
            double s = 0.0;
            for (int l = 0; l < k; l++) {
                const float av = ta ? a[l + (size_t)i * lda] : a[i + (size_t)l * lda];
                const float bv = tb ? b[j + (size_t)l * ldb] : b[l + (size_t)j * ldb];
                s += (double)av * bv;
            }
            float *cij = &c[i + (size_t)j * ldc];
            *cij = beta == 0.0f ? (float)(alpha * s) : (float)(alpha * s + (double)beta * *cij);
        }
}

} /* namespace */

cublasStatus_t cublasCreate(cublasHandle_t *h)
{
    *h = new ts_emu_blas();
    return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasDestroy(cublasHandle_t h)
{
    if (!h) return CUBLAS_STATUS_NOT_INITIALIZED;
    delete h;
    return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasSetStream(cublasHandle_t h, cudaStream_t s)
{
    if (!h) return CUBLAS_STATUS_NOT_INITIALIZED;
    h->stream = s;
    return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasSetWorkspace(cublasHandle_t h, void *ws, size_t bytes)
{
    if (!h) return CUBLAS_STATUS_NOT_INITIALIZED;
    if (bytes && ts_emu_mem_kind(ws, bytes) != TS_EMU_DEVICE) return CUBLAS_STATUS_INVALID_VALUE;
    /* cuBLAS wants the workspace 256-byte aligned. */
    if ((uintptr_t)ws % 256 != 0) return CUBLAS_STATUS_INVALID_VALUE;
    h->ws = ws;
    h->ws_bytes = bytes;
    return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasSetMathMode(cublasHandle_t h, cublasMath_t mode)
{
    if (!h) return CUBLAS_STATUS_NOT_INITIALIZED;
    return mode == CUBLAS_DEFAULT_MATH || mode == CUBLAS_TF32_TENSOR_OP_MATH
               ? CUBLAS_STATUS_SUCCESS : CUBLAS_STATUS_INVALID_VALUE;
}

const char *cublasGetStatusString(cublasStatus_t s)
{
    switch (s) {
    case CUBLAS_STATUS_SUCCESS: return "CUBLAS_STATUS_SUCCESS";
    case CUBLAS_STATUS_NOT_INITIALIZED: return "CUBLAS_STATUS_NOT_INITIALIZED";
    case CUBLAS_STATUS_ALLOC_FAILED: return "CUBLAS_STATUS_ALLOC_FAILED";
    case CUBLAS_STATUS_INVALID_VALUE: return "CUBLAS_STATUS_INVALID_VALUE";
    case CUBLAS_STATUS_EXECUTION_FAILED: return "CUBLAS_STATUS_EXECUTION_FAILED";
    }
    return "CUBLAS_STATUS_UNKNOWN";
}

cublasStatus_t cublasSgemm(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int m,
                           int n, int k, const float *alpha, const float *a, int lda,
                           const float *b, int ldb, const float *beta, float *c, int ldc)
{
    if (!h) return CUBLAS_STATUS_NOT_INITIALIZED;
    cublasStatus_t st = check(ta, tb, m, n, k, a, lda, b, ldb, c, ldc);
    if (st != CUBLAS_STATUS_SUCCESS || m == 0 || n == 0) return st;
    const float al = *alpha, be = *beta;   /* host pointer mode: read at the call */
    const bool tra = ta == CUBLAS_OP_T, trb = tb == CUBLAS_OP_T;
    ts_emu_enqueue(h->stream, ts_emu_node{TS_EMU_NODE_LIBRARY, gemm_id, [=]() {
                       gemm(tra, trb, m, n, k, al, a, lda, b, ldb, be, c, ldc);
                   }});
    return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasSgemmStridedBatched(cublasHandle_t h, cublasOperation_t ta,
                                         cublasOperation_t tb, int m, int n, int k,
                                         const float *alpha, const float *a, int lda,
                                         long long stride_a, const float *b, int ldb,
                                         long long stride_b, const float *beta, float *c,
                                         int ldc, long long stride_c, int batch)
{
    if (!h) return CUBLAS_STATUS_NOT_INITIALIZED;
    if (batch < 0) return CUBLAS_STATUS_INVALID_VALUE;
    for (int i = 0; i < batch; i++) {
        cublasStatus_t st = check(ta, tb, m, n, k, a + i * stride_a, lda, b + i * stride_b, ldb,
                                  c + i * stride_c, ldc);
        if (st != CUBLAS_STATUS_SUCCESS) return st;
    }
    if (m == 0 || n == 0 || batch == 0) return CUBLAS_STATUS_SUCCESS;
    const float al = *alpha, be = *beta;
    const bool tra = ta == CUBLAS_OP_T, trb = tb == CUBLAS_OP_T;
    ts_emu_enqueue(h->stream, ts_emu_node{TS_EMU_NODE_LIBRARY, gemm_batched_id, [=]() {
                       for (int i = 0; i < batch; i++)
                           gemm(tra, trb, m, n, k, al, a + i * stride_a, lda, b + i * stride_b,
                                ldb, be, c + i * stride_c, ldc);
                   }});
    return CUBLAS_STATUS_SUCCESS;
}
