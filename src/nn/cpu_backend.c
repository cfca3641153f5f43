/* cpu_backend.c - the CPU backend: creation, memory, scratch, the function
 * table. The ops themselves live in cpu_gemm_conv.c, cpu_norm.c,
 * cpu_elementwise.c and cpu_optim.c. */
#include "nn/cpu_backend.h"

#include <cblas.h>
#include <omp.h>
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

float *ts_cpu_alloc(ts_backend *be, size_t n)
{
    (void)be;
    size_t bytes = (n ? n : 1) * sizeof(float);
    if (bytes / sizeof(float) != (n ? n : 1)) return NULL;
    bytes = (bytes + TS_CPU_ALIGN - 1) / TS_CPU_ALIGN * TS_CPU_ALIGN;
    float *p = aligned_alloc(TS_CPU_ALIGN, bytes);
    if (p) memset(p, 0, bytes);
    return p;
}

void ts_cpu_free(ts_backend *be, float *p) { (void)be; free(p); }

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
    int nt = ts_cpu_of(be)->threads;
    #pragma omp parallel for schedule(static) num_threads(nt) if (n > TS_CPU_PAR_MIN)
    for (size_t i = 0; i < n; i++) p[i] = value;
}

void ts_cpu_sync(ts_backend *be) { (void)be; }

void ts_cpu_randn(ts_backend *be, size_t n, uint64_t seed, uint64_t offset, float *out)
{
    ts_philox_normals_mt(seed, offset, n, out, ts_cpu_of(be)->threads);
}

void ts_cpu_destroy(ts_backend *be)
{
    if (!be) return;
    ts_cpu *cpu = ts_cpu_of(be);
    free(cpu->col.p);
    free(cpu->part.p);
    free(cpu->red.p);
    free(cpu->wt.p);
    free(cpu);
    free(be);
}

ts_backend *ts_backend_cpu_create(int threads)
{
    ts_cpu *cpu = ts_xcalloc(1, sizeof *cpu);
    cpu->threads = threads > 0 ? threads : omp_get_num_procs();
    if (cpu->threads < 1) cpu->threads = 1;
    cpu->conv3 = cpu->avx512 = ts_cpu_conv3_available();
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
    };
#undef TS_CPU_ENTRY
    TS_CHECK(ts_backend_complete(be, NULL) == 0);
    return be;
}
