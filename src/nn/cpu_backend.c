/* cpu_backend.c - the CPU backend: creation, memory, scratch, the function
 * table. The ops themselves live in cpu_gemm_conv.c, cpu_norm.c,
 * cpu_elementwise.c and cpu_optim.c. */
#include "nn/cpu_backend.h"

#include <cblas.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/philox.h"

/* Memory is 64-byte aligned (cache lines, AVX-512 loads). */
#define TS_CPU_ALIGN 64

void *ts_scratch_get(ts_scratch *s, size_t bytes)
{
    if (bytes > s->bytes) {
        free(s->p);
        size_t rounded = (bytes + TS_CPU_ALIGN - 1) / TS_CPU_ALIGN * TS_CPU_ALIGN;
        s->p = aligned_alloc(TS_CPU_ALIGN, rounded);
        TS_CHECK(s->p != NULL);
        s->bytes = rounded;
    }
    return s->p;
}

/* Zeroed by calloc, which gets large blocks from the kernel as zero pages
 * and so never writes them: a page costs something only once it is used
 * (a forecast uses few of the pages its network's training buffers span).
 * The block is aligned by hand; the word before the aligned start holds
 * calloc's pointer, for ts_cpu_free. */
float *ts_cpu_alloc(ts_backend *be, size_t n)
{
    (void)be;
    size_t bytes = (n ? n : 1) * sizeof(float);
    if (bytes / sizeof(float) != (n ? n : 1) || bytes > SIZE_MAX - 2 * TS_CPU_ALIGN) return NULL;
    char *raw = calloc(1, bytes + TS_CPU_ALIGN);
    if (!raw) return NULL;
    char *p = raw + TS_CPU_ALIGN - (uintptr_t)raw % TS_CPU_ALIGN;   /* >= 16 bytes in */
    memcpy(p - sizeof raw, &raw, sizeof raw);
    return (float *)p;
}

void ts_cpu_free(ts_backend *be, float *p)
{
    (void)be;
    if (!p) return;
    char *raw;
    memcpy(&raw, (char *)p - sizeof raw, sizeof raw);
    free(raw);
}

void ts_cpu_copy(ts_backend *be, float *dst, const float *src, size_t n)
{
    (void)be;
    if (n && dst != src) memmove(dst, src, n * sizeof(float));
}

void ts_cpu_upload(ts_backend *be, float *dst, const float *h_src, size_t n)
{
    ts_cpu_copy(be, dst, h_src, n);
}

void ts_cpu_download(ts_backend *be, float *h_dst, const float *src, size_t n)
{
    ts_cpu_copy(be, h_dst, src, n);
}

void ts_cpu_fill(ts_backend *be, float *p, float value, size_t n)
{
    int nt = ts_cpu_threads(be);
    #pragma omp parallel for schedule(static) num_threads(nt) if (n > TS_CPU_PAR_MIN)
    for (size_t i = 0; i < n; i++) p[i] = value;
}

void ts_cpu_sync(ts_backend *be) { (void)be; }

void ts_cpu_randn(ts_backend *be, size_t n, uint64_t seed, uint64_t offset, float *out)
{
    ts_philox_normals_mt(seed, offset, n, out, ts_cpu_threads(be));
}

/* The tasks go to the threads one at a time as they come free (a thread
 * that other processes delay takes fewer); a thread's slot is its number.
 * What a task computes does not depend on the thread that runs it. */
void ts_cpu_run_tasks(ts_backend *be, int n, int slots, void (*task)(void *ctx, int i, int slot),
                      void *ctx)
{
    int nt = ts_cpu_threads(be);
    if (nt > slots) nt = slots;
    ts_cpu *cpu = ts_cpu_of(be);
    cpu->epoch++;   /* weights transformed before are stale */
    cpu->in_tasks = 1;
    #pragma omp parallel for schedule(dynamic, 1) num_threads(nt)
    for (int i = 0; i < n; i++) task(ctx, i, omp_get_thread_num());
    cpu->in_tasks = 0;
}

void ts_cpu_destroy(ts_backend *be)
{
    if (!be) return;
    ts_cpu *cpu = ts_cpu_of(be);
    free(cpu->col.p);
    free(cpu->part.p);
    free(cpu->red.p);
    free(cpu->wt.p);
    for (int i = 0; i < TS_WINO_CACHE; i++) free(cpu->wino[i].u);
    for (int t = 0; t < cpu->made; t++) free(cpu->task_col[t].p);
    free(cpu->task_col);
    free(cpu);
    free(be);
}

int ts_backend_cpu_threads(const ts_backend *be)
{
    return strcmp(be->name, "cpu") ? 0 : ((const ts_cpu *)be->impl)->threads;
}

void ts_backend_cpu_set_threads(ts_backend *be, int threads)
{
    if (strcmp(be->name, "cpu")) return;
    ts_cpu *cpu = ts_cpu_of(be);
    TS_CHECK(!omp_in_parallel() && threads >= 1 && threads <= cpu->made);
    cpu->threads = threads;
}

ts_backend *ts_backend_cpu_create(int threads)
{
    ts_cpu *cpu = ts_xcalloc(1, sizeof *cpu);
    cpu->threads = threads > 0 ? threads : omp_get_num_procs();
    if (cpu->threads < 1) cpu->threads = 1;
    cpu->made = cpu->threads;
    cpu->task_col = ts_xcalloc((size_t)cpu->threads, sizeof *cpu->task_col);
    cpu->conv3 = cpu->wino3 = cpu->avx512 = ts_cpu_conv3_available();
#ifdef OPENBLAS_VERSION
    /* We parallelise around the GEMMs (see cpu_backend.h). */
    openblas_set_num_threads(1);
#endif
    ts_backend *be = ts_xcalloc(1, sizeof *be);
#define TS_CPU_ENTRY(ret, name, params) .name = ts_cpu_##name,
    *be = (ts_backend){
        .name = "cpu",
        .impl = cpu,
        TS_OPS_REQUIRED(TS_CPU_ENTRY)
        TS_OPS_FUSED(TS_CPU_ENTRY)
        TS_OPS_TASKS(TS_CPU_ENTRY)
    };
#undef TS_CPU_ENTRY
    TS_CHECK(ts_backend_complete(be, NULL) == 0);
    return be;
}
