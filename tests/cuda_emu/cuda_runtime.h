/* cuda_runtime.h (tests/cuda_emu) - the part of the CUDA runtime that the
 * tsdiff CUDA module (cuda/) uses, emulated on the host so that the module's
 * own code (kernels, transfers, scratch and staging buffers, graph recording)
 * runs and is tested on machines without a GPU.
 *
 * This header stands in for the toolkit's: the module's .cu files, with each
 * "kernel<<<grid, block, shmem, stream>>>(args)" rewritten by the build into
 * "ts_emu_launch(kernel, "kernel", grid, block, shmem, stream, args)", compile with a
 * C++ host compiler against it. Device memory is host memory; a stream runs
 * its work when it is enqueued (one stream behaves as one in-order queue);
 * a captured stream records it into a graph instead. Kernels run block by
 * block; the threads of a block are fibers, so __syncthreads and warp
 * shuffles behave as on the device (in index order, or in reverse with
 * TS_EMU_ORDER=reverse, to expose order-dependent races), and misuse (a barrier some threads never
 * reach, a shuffle naming absent lanes) stops the program with a message.
 * Misuse of the API that a GPU would refuse (a pageable copy or a
 * synchronisation during capture, a copy outside an allocation, a launch
 * beyond the device limits) is refused here too.
 *
 * What this cannot show: speed, the device's rounding of library calls
 * (cuBLAS is a plain reference GEMM here), races between threads that the
 * fibers' fixed order hides, and anything of cuDNN (not emulated).
 */
#ifndef TS_EMU_CUDA_RUNTIME_H
#define TS_EMU_CUDA_RUNTIME_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <functional>
#include <tuple>
#include <type_traits>
#include <utility>

#define CUDART_VERSION 13000

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
/* One block runs at a time and its threads share the process: a static is
 * exactly one block's shared memory. */
#define __shared__ static

/* ---- errors and types ----------------------------------------------------- */

typedef enum cudaError {
    cudaSuccess = 0,
    cudaErrorInvalidValue = 1,
    cudaErrorMemoryAllocation = 2,
    cudaErrorInvalidConfiguration = 9,
    cudaErrorInvalidDevicePointer = 17,
    cudaErrorInvalidMemcpyDirection = 21,
    cudaErrorInsufficientDriver = 35,
    cudaErrorNoDevice = 100,
    cudaErrorInvalidDevice = 101,
    cudaErrorInvalidResourceHandle = 400,
    cudaErrorLaunchFailure = 719,
    cudaErrorIllegalState = 401,
    cudaErrorStreamCaptureUnsupported = 900,
    cudaErrorStreamCaptureInvalidated = 901,
    cudaErrorStreamCaptureWrongThread = 908,
    cudaErrorGraphExecUpdateFailure = 910,
} cudaError_t;

typedef enum cudaMemcpyKind {
    cudaMemcpyHostToHost = 0,
    cudaMemcpyHostToDevice = 1,
    cudaMemcpyDeviceToHost = 2,
    cudaMemcpyDeviceToDevice = 3,
    cudaMemcpyDefault = 4,
} cudaMemcpyKind;

typedef enum cudaStreamCaptureMode {
    cudaStreamCaptureModeGlobal = 0,
    cudaStreamCaptureModeThreadLocal = 1,
    cudaStreamCaptureModeRelaxed = 2,
} cudaStreamCaptureMode;

typedef enum cudaGraphExecUpdateResult {
    cudaGraphExecUpdateSuccess = 0,
    cudaGraphExecUpdateError = 1,
    cudaGraphExecUpdateErrorTopologyChanged = 2,
    cudaGraphExecUpdateErrorNodeTypeChanged = 3,
    cudaGraphExecUpdateErrorFunctionChanged = 4,
} cudaGraphExecUpdateResult;

#define cudaStreamDefault 0x00u
#define cudaStreamNonBlocking 0x01u
#define cudaHostAllocDefault 0x00u

typedef struct ts_emu_stream *cudaStream_t;
typedef struct ts_emu_graph *cudaGraph_t;
typedef struct ts_emu_graph_exec *cudaGraphExec_t;
typedef struct ts_emu_graph_node *cudaGraphNode_t;

typedef struct cudaGraphExecUpdateResultInfo {
    cudaGraphExecUpdateResult result;
    cudaGraphNode_t errorNode;
    cudaGraphNode_t errorFromNode;
} cudaGraphExecUpdateResultInfo;

typedef struct cudaDeviceProp {
    char name[256];
    size_t totalGlobalMem;
    int major, minor;
    int multiProcessorCount;
    int maxThreadsPerBlock;
} cudaDeviceProp;

struct uint3 {
    unsigned int x, y, z;
};

struct dim3 {
    unsigned int x, y, z;
    dim3(unsigned int vx = 1, unsigned int vy = 1, unsigned int vz = 1) : x(vx), y(vy), z(vz) {}
};

/* ---- the runtime API ---------------------------------------------------------- */

const char *cudaGetErrorString(cudaError_t e);
cudaError_t cudaGetLastError(void);
cudaError_t cudaGetDeviceCount(int *count);
cudaError_t cudaDriverGetVersion(int *version);
cudaError_t cudaSetDevice(int device);
cudaError_t cudaGetDeviceProperties(cudaDeviceProp *prop, int device);

cudaError_t cudaMalloc(void **p, size_t bytes);
cudaError_t cudaFree(void *p);
cudaError_t cudaHostAlloc(void **p, size_t bytes, unsigned int flags);
cudaError_t cudaFreeHost(void *p);
cudaError_t cudaMemcpyAsync(void *dst, const void *src, size_t bytes, cudaMemcpyKind kind,
                            cudaStream_t stream);
cudaError_t cudaMemsetAsync(void *p, int value, size_t bytes, cudaStream_t stream);

cudaError_t cudaStreamCreateWithFlags(cudaStream_t *s, unsigned int flags);
cudaError_t cudaStreamDestroy(cudaStream_t s);
cudaError_t cudaStreamSynchronize(cudaStream_t s);
cudaError_t cudaStreamBeginCapture(cudaStream_t s, cudaStreamCaptureMode mode);
cudaError_t cudaStreamEndCapture(cudaStream_t s, cudaGraph_t *graph);

cudaError_t cudaGraphInstantiate(cudaGraphExec_t *exec, cudaGraph_t graph,
                                 unsigned long long flags);
cudaError_t cudaGraphExecUpdate(cudaGraphExec_t exec, cudaGraph_t graph,
                                cudaGraphExecUpdateResultInfo *info);
cudaError_t cudaGraphExecDestroy(cudaGraphExec_t exec);
cudaError_t cudaGraphDestroy(cudaGraph_t graph);
cudaError_t cudaGraphLaunch(cudaGraphExec_t exec, cudaStream_t s);

/* ---- device code ---------------------------------------------------------------- */

/* The running thread's coordinates (set by the executor). */
typedef struct ts_emu_thread {
    uint3 thread, block;
    dim3 bdim, gdim;
} ts_emu_thread;

extern ts_emu_thread *ts_emu_cur;

#define threadIdx (ts_emu_cur->thread)
#define blockIdx (ts_emu_cur->block)
#define blockDim (ts_emu_cur->bdim)
#define gridDim (ts_emu_cur->gdim)

void __syncthreads(void);
/* The value of lane + delta of the warp (the caller's own past the warp's end),
 * as raw bits of up to 8 bytes. */
uint64_t ts_emu_shfl_down(unsigned int mask, uint64_t bits, unsigned int delta);

template <typename T>
inline T __shfl_down_sync(unsigned int mask, T v, unsigned int delta)
{
    static_assert(sizeof(T) <= 8, "shuffles move at most 8 bytes");
    uint64_t bits = 0;
    memcpy(&bits, &v, sizeof v);
    bits = ts_emu_shfl_down(mask, bits, delta);
    T r;
    memcpy(&r, &bits, sizeof r);
    return r;
}

/* ---- kernel launches ------------------------------------------------------------- */

typedef void (*ts_emu_kernel_id)(void);

/* Run (or record) body once per thread of grid x block on stream s. */
void ts_emu_enqueue_kernel(ts_emu_kernel_id id, const char *name, dim3 grid, dim3 block,
                           size_t shmem, cudaStream_t s, std::function<void()> body);

/* kernel<<<grid, block, shmem, stream>>>(args...): the arguments are copied
 * into the launch, converted to the kernel's parameter types, as CUDA does. */
template <typename... P, typename... A>
inline void ts_emu_launch(void (*kernel)(P...), const char *name, dim3 grid, dim3 block,
                          size_t shmem, cudaStream_t s, A &&...args)
{
    static_assert(sizeof...(P) == sizeof...(A), "kernel launched with a wrong argument count");
    std::tuple<typename std::decay<P>::type...> copy(
        static_cast<typename std::decay<P>::type>(std::forward<A>(args))...);
    ts_emu_enqueue_kernel(reinterpret_cast<ts_emu_kernel_id>(kernel), name, grid, block, shmem, s,
                          [kernel, copy]() { std::apply(kernel, copy); });
}

#endif
