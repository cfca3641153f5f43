/* emu_internal.h - shared by the files of the host CUDA emulation
 * (tests/cuda_emu): the fault report, the allocation registry, stream work
 * items and the kernel executor. */
#ifndef TS_EMU_INTERNAL_H
#define TS_EMU_INTERNAL_H

#include "cuda_runtime.h"

#include <functional>

/* Print "cuda-emu: ..." and abort: for faults a GPU would not report as a
 * status (a deadlocked barrier, a bad shuffle, an emulator limit). */
[[noreturn]] void ts_emu_die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- allocations ---------------------------------------------------------- */

enum { TS_EMU_HOST = 0, TS_EMU_DEVICE = 1, TS_EMU_PINNED = 2 };

/* The kind of the allocation that holds all of [p, p + bytes): device,
 * pinned host, or TS_EMU_HOST when no registered allocation holds it (plain
 * host memory, or a range that runs past an allocation's end). */
int ts_emu_mem_kind(const void *p, size_t bytes);

/* ---- stream work ----------------------------------------------------------- */

enum { TS_EMU_NODE_KERNEL, TS_EMU_NODE_MEMCPY, TS_EMU_NODE_MEMSET, TS_EMU_NODE_LIBRARY };

/* One piece of stream work. id tells kernels (and library calls) apart when a
 * graph is updated: CUDA refuses an update that changes a node's function. */
typedef struct ts_emu_node {
    int kind;
    ts_emu_kernel_id id;
    std::function<void()> run;
} ts_emu_node;

/* Run the work now, or append it to the stream's recording. */
cudaError_t ts_emu_enqueue(cudaStream_t s, ts_emu_node node);

/* The status a later cudaGetLastError returns. */
void ts_emu_set_error(cudaError_t e);

/* Run body for every thread of the grid (emu_exec.cc). */
void ts_emu_run_grid(ts_emu_kernel_id id, const char *name, dim3 grid, dim3 block,
                     const std::function<void()> &body);

#endif
