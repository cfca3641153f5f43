/* emu_runtime.cc - the emulated CUDA runtime: the device, allocations,
 * copies, streams, stream capture and graphs (see cuda_runtime.h here). */
#include "emu_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <map>
#include <vector>

struct ts_emu_stream {
    unsigned flags;
    bool capturing, invalidated;
    cudaStreamCaptureMode mode;
    std::vector<ts_emu_node> rec;
};

struct ts_emu_graph {
    std::vector<ts_emu_node> nodes;
};

struct ts_emu_graph_exec {
    std::vector<ts_emu_node> nodes;
};

namespace {

struct alloc_info {
    size_t bytes;
    int kind;
};

/* Registered allocations by start address. */
std::map<uintptr_t, alloc_info> allocs;
cudaError_t last_error = cudaSuccess;
ts_emu_stream legacy_stream;      /* stream 0 */
int strict_captures;              /* captures in global or thread-local mode */
int open_captures;                /* captures of any mode */
unsigned long n_allocs;           /* cudaMalloc and cudaHostAlloc calls that succeeded */
size_t held;                      /* bytes allocated now */

/* The emulated device's memory (device and pinned allocations together):
 * small, so that a runaway allocation fails as on a GPU instead of
 * exhausting the host. */
const size_t CAPACITY = (size_t)4 << 30;

ts_emu_stream *stream_of(cudaStream_t s) { return s ? s : &legacy_stream; }

cudaError_t fail(cudaError_t e)
{
    last_error = e;
    return e;
}

void *aligned(size_t bytes)
{
    void *p = NULL;
    if (posix_memalign(&p, 256, bytes ? bytes : 1) != 0) return NULL;
    return p;
}

} /* namespace */

void ts_emu_die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("cuda-emu: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

int ts_emu_mem_kind(const void *p, size_t bytes)
{
    uintptr_t a = (uintptr_t)p;
    auto it = allocs.upper_bound(a);
    if (it == allocs.begin()) return TS_EMU_HOST;
    --it;
    if (a + bytes > it->first + it->second.bytes) return TS_EMU_HOST;
    return it->second.kind;
}

void ts_emu_set_error(cudaError_t e) { last_error = e; }

/* For the tests (tests/check_cuda.c looks it up with dlsym): how many device
 * and pinned allocations the module has made so far. */
extern "C" __attribute__((visibility("default"))) unsigned long ts_emu_allocations(void)
{
    return n_allocs;
}

cudaError_t ts_emu_enqueue(cudaStream_t s, ts_emu_node node)
{
    ts_emu_stream *st = stream_of(s);
    if (st->capturing) {
        st->rec.push_back(std::move(node));
        return cudaSuccess;
    }
    node.run();
    return cudaSuccess;
}

/* ---- device and errors ----------------------------------------------------- */

const char *cudaGetErrorString(cudaError_t e)
{
    switch (e) {
    case cudaSuccess: return "no error";
    case cudaErrorInvalidValue: return "invalid argument";
    case cudaErrorMemoryAllocation: return "out of memory";
    case cudaErrorInvalidConfiguration: return "invalid configuration argument";
    case cudaErrorInvalidDevicePointer: return "invalid device pointer";
    case cudaErrorInvalidMemcpyDirection: return "invalid copy direction for memcpy";
    case cudaErrorInsufficientDriver: return "CUDA driver version is insufficient";
    case cudaErrorNoDevice: return "no CUDA-capable device is detected";
    case cudaErrorInvalidDevice: return "invalid device ordinal";
    case cudaErrorInvalidResourceHandle: return "invalid resource handle";
    case cudaErrorLaunchFailure: return "unspecified launch failure";
    case cudaErrorIllegalState: return "the operation is not valid in the current state";
    case cudaErrorStreamCaptureUnsupported:
        return "operation not permitted when stream is capturing";
    case cudaErrorStreamCaptureInvalidated:
        return "operation failed due to a previous error during capture";
    case cudaErrorStreamCaptureWrongThread: return "capture was not begun in this thread";
    case cudaErrorGraphExecUpdateFailure: return "the graph update was not performed";
    }
    return "unknown error";
}

cudaError_t cudaGetLastError(void)
{
    cudaError_t e = last_error;
    last_error = cudaSuccess;
    return e;
}

cudaError_t cudaGetDeviceCount(int *count)
{
    *count = 1;
    return cudaSuccess;
}

cudaError_t cudaDriverGetVersion(int *version)
{
    *version = CUDART_VERSION;
    return cudaSuccess;
}

cudaError_t cudaSetDevice(int device) { return device == 0 ? cudaSuccess : fail(cudaErrorInvalidDevice); }

cudaError_t cudaGetDeviceProperties(cudaDeviceProp *prop, int device)
{
    if (device != 0) return fail(cudaErrorInvalidDevice);
    memset(prop, 0, sizeof *prop);
    snprintf(prop->name, sizeof prop->name, "tsdiff host emulation");
    prop->totalGlobalMem = (size_t)1 << 34;
    prop->major = 9;
    prop->minor = 0;
    prop->multiProcessorCount = 1;
    prop->maxThreadsPerBlock = 1024;
    return cudaSuccess;
}

/* ---- memory ------------------------------------------------------------------- */

static cudaError_t alloc_kind(void **p, size_t bytes, int kind)
{
    if (!p) return fail(cudaErrorInvalidValue);
    *p = NULL;
    /* Allocating may synchronise: only relaxed captures allow it. */
    if (strict_captures > 0) return fail(cudaErrorStreamCaptureUnsupported);
    /* A request the "device" cannot hold, as a GPU would answer it. */
    if (bytes > CAPACITY - held) return fail(cudaErrorMemoryAllocation);
    void *q = aligned(bytes);
    if (!q) return fail(cudaErrorMemoryAllocation);
    /* Fresh memory holds garbage (all ones: NaN as floats), never the zeros
     * that code might wrongly rely on. */
    memset(q, 0xFF, bytes);
    allocs[(uintptr_t)q] = alloc_info{bytes, kind};
    n_allocs++;
    held += bytes;
    *p = q;
    return cudaSuccess;
}

static cudaError_t free_kind(void *p, int kind)
{
    if (!p) return cudaSuccess;
    /* Freeing waits for the device: refused while any capture is open. */
    if (open_captures > 0) return fail(cudaErrorStreamCaptureUnsupported);
    auto it = allocs.find((uintptr_t)p);
    if (it == allocs.end() || it->second.kind != kind)
        return fail(kind == TS_EMU_DEVICE ? cudaErrorInvalidDevicePointer : cudaErrorInvalidValue);
    held -= it->second.bytes;
    allocs.erase(it);
    free(p);
    return cudaSuccess;
}

cudaError_t cudaMalloc(void **p, size_t bytes) { return alloc_kind(p, bytes, TS_EMU_DEVICE); }
cudaError_t cudaFree(void *p) { return free_kind(p, TS_EMU_DEVICE); }

cudaError_t cudaHostAlloc(void **p, size_t bytes, unsigned int flags)
{
    if (flags != cudaHostAllocDefault) return fail(cudaErrorInvalidValue);
    return alloc_kind(p, bytes, TS_EMU_PINNED);
}

cudaError_t cudaFreeHost(void *p) { return free_kind(p, TS_EMU_PINNED); }

cudaError_t cudaMemcpyAsync(void *dst, const void *src, size_t bytes, cudaMemcpyKind kind,
                            cudaStream_t s)
{
    if (bytes == 0) return cudaSuccess;
    bool capturing = stream_of(s)->capturing;
    int dk = ts_emu_mem_kind(dst, bytes), sk = ts_emu_mem_kind(src, bytes);
    switch (kind) {
    case cudaMemcpyHostToDevice:
        if (dk != TS_EMU_DEVICE || sk == TS_EMU_DEVICE) return fail(cudaErrorInvalidValue);
        /* A captured copy reads its source when the graph runs: pinned only. */
        if (capturing && sk != TS_EMU_PINNED) return fail(cudaErrorStreamCaptureUnsupported);
        break;
    case cudaMemcpyDeviceToHost:
        if (sk != TS_EMU_DEVICE || dk == TS_EMU_DEVICE) return fail(cudaErrorInvalidValue);
        if (capturing && dk != TS_EMU_PINNED) return fail(cudaErrorStreamCaptureUnsupported);
        break;
    case cudaMemcpyDeviceToDevice:
        if (dk != TS_EMU_DEVICE || sk != TS_EMU_DEVICE) return fail(cudaErrorInvalidValue);
        break;
    default:
        return fail(cudaErrorInvalidMemcpyDirection);
    }
    if ((const char *)dst < (const char *)src + bytes && (const char *)src < (const char *)dst + bytes)
        return fail(cudaErrorInvalidValue);   /* cudaMemcpy ranges must not overlap */
    if (!capturing && kind == cudaMemcpyHostToDevice && sk == TS_EMU_HOST) {
        /* From pageable memory the source is read before the call returns. */
        memcpy(dst, src, bytes);
        return cudaSuccess;
    }
    return ts_emu_enqueue(s, ts_emu_node{TS_EMU_NODE_MEMCPY, NULL,
                                         [=]() { memcpy(dst, src, bytes); }});
}

cudaError_t cudaMemsetAsync(void *p, int value, size_t bytes, cudaStream_t s)
{
    if (bytes == 0) return cudaSuccess;
    if (ts_emu_mem_kind(p, bytes) != TS_EMU_DEVICE) return fail(cudaErrorInvalidValue);
    return ts_emu_enqueue(s, ts_emu_node{TS_EMU_NODE_MEMSET, NULL,
                                         [=]() { memset(p, value, bytes); }});
}

/* ---- streams and capture ------------------------------------------------------- */

cudaError_t cudaStreamCreateWithFlags(cudaStream_t *s, unsigned int flags)
{
    if (!s || (flags & ~cudaStreamNonBlocking)) return fail(cudaErrorInvalidValue);
    *s = new ts_emu_stream();
    (*s)->flags = flags;
    return cudaSuccess;
}

cudaError_t cudaStreamDestroy(cudaStream_t s)
{
    if (!s) return fail(cudaErrorInvalidResourceHandle);
    if (s->capturing) return fail(cudaErrorStreamCaptureUnsupported);
    delete s;
    return cudaSuccess;
}

cudaError_t cudaStreamSynchronize(cudaStream_t s)
{
    ts_emu_stream *st = stream_of(s);
    if (st->capturing) {
        /* Illegal, and it ends the capture's usefulness. */
        st->invalidated = true;
        return fail(cudaErrorStreamCaptureUnsupported);
    }
    return cudaSuccess;
}

cudaError_t cudaStreamBeginCapture(cudaStream_t s, cudaStreamCaptureMode mode)
{
    ts_emu_stream *st = stream_of(s);
    if (!s) return fail(cudaErrorStreamCaptureUnsupported);   /* not the legacy stream */
    if (st->capturing) return fail(cudaErrorIllegalState);
    st->capturing = true;
    st->invalidated = false;
    st->mode = mode;
    st->rec.clear();
    if (mode != cudaStreamCaptureModeRelaxed) strict_captures++;
    open_captures++;
    return cudaSuccess;
}

cudaError_t cudaStreamEndCapture(cudaStream_t s, cudaGraph_t *graph)
{
    ts_emu_stream *st = stream_of(s);
    if (!graph) return fail(cudaErrorInvalidValue);
    *graph = NULL;
    if (!st->capturing) return fail(cudaErrorIllegalState);
    st->capturing = false;
    if (st->mode != cudaStreamCaptureModeRelaxed) strict_captures--;
    open_captures--;
    if (st->invalidated) {
        st->rec.clear();
        return fail(cudaErrorStreamCaptureInvalidated);
    }
    *graph = new ts_emu_graph();
    (*graph)->nodes.swap(st->rec);
    return cudaSuccess;
}

/* ---- graphs ------------------------------------------------------------------------- */

cudaError_t cudaGraphInstantiate(cudaGraphExec_t *exec, cudaGraph_t graph,
                                 unsigned long long flags)
{
    if (!exec || !graph || flags != 0) return fail(cudaErrorInvalidValue);
    *exec = new ts_emu_graph_exec();
    (*exec)->nodes = graph->nodes;
    return cudaSuccess;
}

/* As CUDA: the same nodes, of the same kinds and functions, in the same
 * order take the new parameters; anything else is refused. */
cudaError_t cudaGraphExecUpdate(cudaGraphExec_t exec, cudaGraph_t graph,
                                cudaGraphExecUpdateResultInfo *info)
{
    if (!exec || !graph || !info) return fail(cudaErrorInvalidValue);
    memset(info, 0, sizeof *info);
    const auto &a = exec->nodes, &b = graph->nodes;
    if (a.size() != b.size()) {
        info->result = cudaGraphExecUpdateErrorTopologyChanged;
        return fail(cudaErrorGraphExecUpdateFailure);
    }
    for (size_t i = 0; i < a.size(); i++) {
        if (a[i].kind != b[i].kind) {
            info->result = cudaGraphExecUpdateErrorNodeTypeChanged;
            return fail(cudaErrorGraphExecUpdateFailure);
        }
        if (a[i].id != b[i].id) {
            info->result = cudaGraphExecUpdateErrorFunctionChanged;
            return fail(cudaErrorGraphExecUpdateFailure);
        }
    }
    exec->nodes = b;
    info->result = cudaGraphExecUpdateSuccess;
    return cudaSuccess;
}

cudaError_t cudaGraphExecDestroy(cudaGraphExec_t exec)
{
    if (!exec) return fail(cudaErrorInvalidValue);
    delete exec;
    return cudaSuccess;
}

cudaError_t cudaGraphDestroy(cudaGraph_t graph)
{
    if (!graph) return fail(cudaErrorInvalidValue);
    delete graph;
    return cudaSuccess;
}

cudaError_t cudaGraphLaunch(cudaGraphExec_t exec, cudaStream_t s)
{
    if (!exec) return fail(cudaErrorInvalidValue);
    if (stream_of(s)->capturing) return fail(cudaErrorStreamCaptureUnsupported);
    for (const auto &n : exec->nodes) n.run();
    return cudaSuccess;
}
