/* backend.c - choosing a backend: the CPU, or the CUDA module loaded with
 * dlopen() when it is there and finds a GPU; completing a backend's table
 * (the optional fused ops of nn/ops.h a backend has no kernel for, composed
 * of its other ops); the conv1d shape helper shared by every backend.
 *
 * The CUDA module (cuda/, built only where the toolkit is) is a shared object
 * that exports
 *     int ts_cuda_backend_create(int threads, ts_backend **out, ts_error *err);
 * returning 0, or a non-zero code with a message when it finds no usable GPU,
 * and void ts_cuda_set_die(handler), through which its internal faults reach
 * ts_die_internal (and so the fatal-error hook).
 * It is looked for, in order, at
 *   1. $TSDIFF_CUDA_MODULE (if set, only there);
 *   2. the build tree of the running program: dirname(/proc/self/exe)/../cuda/
 *      tsdiff-cuda.so (and cuda/.libs/), when that directory is a configured
 *      build tree (it holds config.status);
 *   3. the installed $(pkglibdir)/tsdiff-cuda.so;
 *   4. the source tree, $(abs_top_srcdir)/cuda/tsdiff-cuda.so (in-tree builds).
 * "auto" falls back to the CPU silently when there is no module at all (a
 * CPU-only build), and with one info line when a module is there but cannot
 * be used (no GPU, no driver, a broken file).
 *
 * The module is opened RTLD_LOCAL and should be self-contained: the tsdiff
 * executable is not linked with -rdynamic, so the module cannot call back
 * into it (it fills the plain ts_error struct itself).
 */
#define _DEFAULT_SOURCE 1   /* readlink */
#include "nn/backend.h"

#include <dirent.h>
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/selfdir.h"

#ifndef TSDIFF_PKGLIBDIR
#define TSDIFF_PKGLIBDIR "/usr/local/lib/tsdiff"
#endif
#ifndef TSDIFF_SRCDIR
#define TSDIFF_SRCDIR "."
#endif

#define TS_CUDA_MODULE "tsdiff-cuda.so"
#define TS_CUDA_ENTRY "ts_cuda_backend_create"
#define TS_CUDA_SET_DIE "ts_cuda_set_die"

void ts_conv1d_shape_finish(ts_conv1d_shape *s)
{
    TS_CHECK(s->stride >= 1 && s->k >= 1 && s->pad >= 0);
    TS_CHECK(s->lin + 2 * s->pad >= s->k);
    s->lout = (s->lin + 2 * s->pad - s->k) / s->stride + 1;
}

/* ---- compositions of the fused ops (nn/ops.h, TS_OPS_FUSED) ------------ */

static void ts_compose_conv1d_add_fwd(ts_backend *be, const ts_conv1d_shape *s,
                                      const float *x, const float *w, const float *bias,
                                      const float *v, const float *r, float *y)
{
    be->conv1d_fwd(be, s, x, w, bias, y);
    if (v) be->add_bcast_fwd(be, s->batch, s->cout, s->lout, v, y);
    if (r) be->axpby(be, (size_t)s->batch * s->cout * s->lout, 1.0f, r, 1.0f, y);
}

static void ts_compose_groupnorm_silu_fwd(ts_backend *be, int batch, int channels, int len,
                                          int groups, const float *x, const float *gamma,
                                          const float *beta, float *h, float *y,
                                          float *mean, float *rstd)
{
    be->groupnorm_fwd(be, batch, channels, len, groups, x, gamma, beta, h, mean, rstd);
    be->silu_fwd(be, (size_t)batch * channels * len, h, y);
}

static void ts_compose_groupnorm_silu_bwd(ts_backend *be, int batch, int channels, int len,
                                          int groups, const float *dy, const float *h,
                                          const float *x, const float *gamma,
                                          const float *mean, const float *rstd, float *dx,
                                          float *dgamma, float *dbeta, float *tmp)
{
    be->silu_bwd(be, (size_t)batch * channels * len, h, dy, tmp);
    be->groupnorm_bwd(be, batch, channels, len, groups, tmp, x, gamma, mean, rstd, dx,
                      dgamma, dbeta);
}

int ts_backend_complete(ts_backend *be, ts_error *err)
{
#define TS_REQUIRE(ret, op, params)                                               \
    if (!be->op)                                                                  \
        return ts_fail(err, TS_EINTERNAL, "the %s backend lacks the op %s",       \
                       be->name ? be->name : "(unnamed)", #op);
    TS_OPS_REQUIRED(TS_REQUIRE)
#undef TS_REQUIRE
#define TS_DEFAULT(ret, op, params) if (!be->op) be->op = ts_compose_##op;
    TS_OPS_FUSED(TS_DEFAULT)
#undef TS_DEFAULT
    return 0;
}

/* ---- finding the CUDA module ------------------------------------------- */

typedef int (*cuda_create_fn)(int threads, ts_backend **out, ts_error *err);

static int file_exists(const char *path) { return access(path, R_OK) == 0; }

/* Fill path with the build-tree candidate number `which` (0 or 1); 0 if none. */
static int build_tree_candidate(int which, char *path, size_t size)
{
    char top[PATH_MAX];
    if (!ts_build_tree_dir(top, sizeof top)) return 0;
    const char *sub = which == 0 ? "cuda" : "cuda/.libs";
    int len = snprintf(path, size, "%s/%s/%s", top, sub, TS_CUDA_MODULE);
    return len > 0 && (size_t)len < size;
}

/* The module file to load into path: $TSDIFF_CUDA_MODULE when set, else
 * the first candidate that exists; 0 if there is none. */
static int find_cuda_module(char *path, size_t size)
{
    const char *env = getenv("TSDIFF_CUDA_MODULE");
    if (env && *env) return snprintf(path, size, "%s", env) < (int)size;
    char cand[4][PATH_MAX + 64];
    int nc = 0;
    for (int w = 0; w < 2; w++)
        if (build_tree_candidate(w, cand[nc], sizeof cand[nc])) nc++;
    snprintf(cand[nc++], sizeof cand[0], "%s/%s", TSDIFF_PKGLIBDIR, TS_CUDA_MODULE);
    snprintf(cand[nc++], sizeof cand[0], "%s/cuda/%s", TSDIFF_SRCDIR, TS_CUDA_MODULE);
    for (int i = 0; i < nc; i++)
        if (file_exists(cand[i])) return snprintf(path, size, "%s", cand[i]) < (int)size;
    return 0;
}

/* dlopen() the module find_cuda_module names; NULL if none, with why in
 * `why` and *absent set when there is no module file at all. */
static void *load_cuda_module(char *why, size_t why_size, int *absent)
{
    char path[PATH_MAX + 64];
    *absent = !find_cuda_module(path, sizeof path);
    if (*absent) {
        snprintf(why, why_size, "no CUDA module at %.300s/%s", TSDIFF_PKGLIBDIR, TS_CUDA_MODULE);
        return NULL;
    }
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) snprintf(why, why_size, "cannot load %.300s: %.400s", path, dlerror());
    return h;
}

/* Whether this Linux machine may have an NVIDIA GPU for CUDA: the driver's
 * control device or kernel module is there, WSL's GPU device is, or the
 * PCI bus has a device of NVIDIA's vendor id (whose driver the CUDA
 * runtime can still load). 1 where the PCI bus cannot be read, and on
 * other systems. */
static int nvidia_possible(void)
{
#ifdef __linux__
    static const char *const marks[] = {"/dev/nvidiactl", "/dev/dxg", "/proc/driver/nvidia"};
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
        if (access(marks[i], F_OK) == 0) return 1;
    DIR *d = opendir("/sys/bus/pci/devices");
    if (!d) return 1;
    int found = 0;
    for (struct dirent *e; !found && (e = readdir(d)) != NULL;) {
        char path[PATH_MAX], id[16] = "";
        if (e->d_name[0] == '.') continue;
        snprintf(path, sizeof path, "/sys/bus/pci/devices/%.200s/vendor", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f) continue;
        found = fgets(id, sizeof id, f) && strncmp(id, "0x10de", 6) == 0;
        fclose(f);
    }
    closedir(d);
    return found;
#else
    return 1;
#endif
}

/* The module's internal faults end here, so that the fatal-error hook runs
 * (io/error.h) as for the program's own. */
static void die_in_module(const char *file, int line, const char *what)
{
    ts_die_internal(file, line, what);
}

/* Give the module the program's fault handler (modules older than it have
 * no ts_cuda_set_die: they exit themselves). */
static void give_die(void *h)
{
    void (*set_die)(void (*)(const char *, int, const char *));
    void *sym = dlsym(h, TS_CUDA_SET_DIE);
    memcpy(&set_die, &sym, sizeof set_die);      /* object to function pointer */
    if (set_die) set_die(die_in_module);
}

/* Try the CUDA backend: 0 and *out, or -1 with the reason in `why`
 * (*absent: this tsdiff was built or installed without the module). */
static int open_cuda(int threads, ts_backend **out, char *why, size_t why_size,
                     int *absent)
{
    void *h = load_cuda_module(why, why_size, absent);
    if (!h) return -1;
    cuda_create_fn create;
    void *sym = dlsym(h, TS_CUDA_ENTRY);
    memcpy(&create, &sym, sizeof create);        /* object to function pointer */
    if (!create) {
        snprintf(why, why_size, "the CUDA module lacks %s", TS_CUDA_ENTRY);
        dlclose(h);
        return -1;
    }
    give_die(h);
    ts_error cerr = {0};
    ts_backend *be = NULL;
    if (create(threads, &be, &cerr) != 0 || !be) {
        /* The module stays loaded: CUDA runtimes do not like being unloaded. */
        snprintf(why, why_size, "%.800s", cerr.msg[0] ? cerr.msg : "no usable GPU");
        return -1;
    }
    if (ts_backend_complete(be, &cerr) != 0) {
        snprintf(why, why_size, "%.800s", cerr.msg);
        ts_backend_destroy(be);
        return -1;
    }
    *out = be;
    return 0;
}

int ts_backend_open(const char *device, int threads, ts_backend **out, ts_error *err)
{
    char why[900] = "";
    int absent = 0;
    *out = NULL;
    if (!device || !*device) {
        device = getenv("TSDIFF_DEVICE");
        if (!device || !*device) device = "auto";
    }
    if (strcmp(device, "cpu") == 0) {
        *out = ts_backend_cpu_create(threads);
        return 0;
    }
    if (strcmp(device, "cuda") == 0) {
        if (open_cuda(threads, out, why, sizeof why, &absent) == 0) return 0;
        return ts_fail(err, TS_EUNAVAIL, "device cuda unavailable: %s", why);
    }
    if (strcmp(device, "auto") == 0) {
        /* A CPU-only tsdiff says nothing; one whose GPU module cannot be
         * used says why, once, on a terminal or with --verbose (falling back
         * is normal: a nightly job's mail stays empty). */
        char path[PATH_MAX + 64];
        const char *env = getenv("TSDIFF_CUDA_MODULE");
        if ((env && *env) || !find_cuda_module(path, sizeof path) || nvidia_possible()) {
            if (open_cuda(threads, out, why, sizeof why, &absent) == 0) return 0;
        } else {   /* loading the module and its cuBLAS would cost 60-100 ms */
            snprintf(why, sizeof why, "no NVIDIA GPU: no driver and no NVIDIA PCI device");
        }
        if (!absent) ts_note("using the CPU (%s)", why);
        *out = ts_backend_cpu_create(threads);
        return 0;
    }
    return ts_fail(err, TS_EUSAGE, "unknown device '%s' (expected cpu, cuda or auto)",
                   device);
}
