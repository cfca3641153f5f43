/* backend.h - the compute backend interface.
 *
 * The UNet, the optimizer and the samplers are written once against this
 * struct of function pointers; the CPU backend (src/nn/cpu_*.c) and the CUDA
 * module (cuda/) implement it. Tensors are float arrays in backend memory
 * (host memory for the CPU, device memory for CUDA): model code never reads
 * or writes their floats directly, it calls these ops.
 *
 * The ops themselves, their parameters and their conventions are listed
 * once, in nn/ops.h; the struct's members are generated from that list.
 */
#ifndef TS_BACKEND_H
#define TS_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "io/error.h"
#include "nn/ops.h"

typedef struct ts_backend ts_backend;

/* A recorded sequence of backend ops that can be replayed (graph_begin). */
typedef struct ts_graph ts_graph;

/* A 1-D convolution: x[B, cin, lin] * w[cout, cin, k] (+ b[cout]) -> y[B, cout, lout],
 * lout = (lin + 2*pad - k) / stride + 1, zero padding. */
typedef struct ts_conv1d_shape {
    int batch, cin, cout, lin, lout, k, stride, pad;
} ts_conv1d_shape;

/* Fill lout from the other fields. */
void ts_conv1d_shape_finish(ts_conv1d_shape *s);

struct ts_backend {
    const char *name;           /* "cpu" or "cuda" */
    void *impl;                 /* backend-private state */
    TS_OPS_REQUIRED(TS_OP_MEMBER)
    TS_OPS_FUSED(TS_OP_MEMBER)

    /* Optional: recording ops as a graph (CUDA graphs) to run them as one
     * launch. NULL where a backend has none (the CPU): callers then just run
     * their ops, and must behave the same either way.
     *
     * graph_begin starts recording: the ops called until graph_end are
     * recorded, NOT run. Returns 0, or non-zero if it declines (nothing is
     * recorded: run the ops as usual). While recording only asynchronous ops
     * may be called; alloc, free, download, sync, sumsq and masked_sse are
     * internal faults.
     *
     * graph_end stops recording and enqueues the recorded ops to run, in
     * order, as one launch. *graph is a cache the caller owns: NULL the first
     * time (a graph is made and stored there); later calls update the graph
     * held there to the new recording (cheap when the ops are the same ones
     * with other arguments).
     *
     * graph_launch enqueues a recorded graph again exactly as recorded: the
     * same ops on the same buffers with the same scalars and host data
     * (upload sources and mix_rows coefficients are copied when recorded);
     * device memory is read as it is when the graph runs.
     *
     * graph_free releases a graph (NULL: nothing). */
    TS_OPS_GRAPH(TS_OP_MEMBER)
    /* Optional: independent tasks at once (nn/ops.h); NULL on the CUDA module. */
    TS_OPS_TASKS(TS_OP_MEMBER)
};

/* The CPU backend: CBLAS + OpenMP on `threads` threads (0: all cores). */
ts_backend *ts_backend_cpu_create(int threads);
/* The threads of a CPU backend's ops (0 for another backend), and a new
 * count for the ops after this call, from 1 to the count it was made with
 * (nothing on another backend). Results do not depend on it. */
int ts_backend_cpu_threads(const ts_backend *be);
void ts_backend_cpu_set_threads(ts_backend *be, int threads);

/* Open a backend by name: "cpu", "cuda" or "auto" (NULL: $TSDIFF_DEVICE or
 * "auto"). auto takes the CUDA module when it loads and finds a GPU, else the
 * CPU with one info line. "cuda" without a usable GPU: TS_EUNAVAIL. */
int ts_backend_open(const char *device, int threads, ts_backend **out, ts_error *err);

/* Complete a backend's table: the optional fused ops it left NULL get their
 * compositions of other ops (ts_compose_<name>, backend.c). 0, or non-zero
 * with err set when a required op is missing. ts_backend_open and
 * ts_backend_cpu_create return completed backends. */
int ts_backend_complete(ts_backend *be, ts_error *err);

static inline void ts_backend_destroy(ts_backend *be) { if (be) be->destroy(be); }

#endif
