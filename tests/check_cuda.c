/* check_cuda.c - the CUDA backend against the CPU backend.
 *
 * Every row of the op table (op_table.c) runs on both backends, forward and
 * backward, on the same random inputs and the results must agree: |gpu - cpu| <= 1e-4 (|cpu| + rms(cpu)) element by element (a
 * NaN never passes). Then one full training step of a small UNet and one
 * DPM-Solver++ forecast, GPU against CPU, and the same forecast recorded as
 * a CUDA graph, replayed and updated. The Philox words must match bit for
 * bit, the normals to 1e-6.
 *
 * Without a usable GPU the module still has to load; every test then
 * reports "skipped: no CUDA device" and the program exits 77 (SKIP).
 * Tests run in one process (CK_NOFORK): a CUDA context does not survive
 * fork().
 */
#define _DEFAULT_SOURCE 1   /* setenv */
#include <check.h>
#include <dlfcn.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diffusion/objective.h"
#include "diffusion/sampler.h"
#include "diffusion/schedule.h"
#include "nn/backend.h"
#include "nn/optim.h"
#include "io/philox.h"
#include "nn/unet.h"
#include "op_table.h"
#include "testutil.h"

#ifndef TS_CUDA_MODULE_PATH
#define TS_CUDA_MODULE_PATH "cuda/tsdiff-cuda.so"
#endif

#define RTOL 1e-4

static ts_backend *gpu, *cpu;
static void *module;

/* ---- helpers ------------------------------------------------------------- */

/* Test data (op_urand: xorshift, not the Philox stream). */
static float *host_rand(size_t n, double lo, double hi)
{
    float *a = malloc((n ? n : 1) * sizeof *a);
    ck_assert_ptr_nonnull(a);
    for (size_t i = 0; i < n; i++) a[i] = (float)(lo + (hi - lo) * op_urand());
    return a;
}

/* The same buffer on both backends. */
typedef struct pair {
    float *g, *c;
    size_t n;
} pair;

static pair pair_new(size_t n, const float *h)
{
    pair p = {gpu->alloc(gpu, n), cpu->alloc(cpu, n), n};
    ck_assert_ptr_nonnull(p.g);
    ck_assert_ptr_nonnull(p.c);
    if (h) {
        gpu->upload(gpu, p.g, h, n);
        cpu->upload(cpu, p.c, h, n);
    }
    return p;
}

/* A pair of n random values in [lo, hi). */
static pair pair_rand(size_t n, double lo, double hi)
{
    float *h = host_rand(n, lo, hi);
    pair p = pair_new(n, h);
    free(h);
    return p;
}

static void pair_fill(pair p, float v)
{
    gpu->fill(gpu, p.g, v, p.n);
    cpu->fill(cpu, p.c, v, p.n);
}

static void pair_free(pair p)
{
    gpu->free(gpu, p.g);
    cpu->free(cpu, p.c);
}

static float *download(ts_backend *be, const float *d, size_t n)
{
    float *h = malloc((n ? n : 1) * sizeof *h);
    ck_assert_ptr_nonnull(h);
    be->download(be, h, d, n);
    return h;
}

/* Worst |a - b| / (|b| + rms(b)) over n values, and where; a NaN (in a or
 * b) counts as infinitely wrong. */
static double worst_error(const float *a, const float *b, size_t n, size_t *where)
{
    double ss = 0.0;
    for (size_t i = 0; i < n; i++) ss += (double)b[i] * b[i];
    double rms = n ? sqrt(ss / (double)n) : 0.0;
    double worst = 0.0;
    *where = 0;
    for (size_t i = 0; i < n; i++) {
        double e = fabs((double)a[i] - b[i]) / (fabs(b[i]) + rms + 1e-30);
        if (!(e <= worst)) {
            worst = isnan(e) ? INFINITY : e;
            *where = i;
        }
    }
    return worst;
}

static void expect_close_host(const char *what, const float *g, const float *c, size_t n,
                              double rtol)
{
    size_t at;
    double e = worst_error(g, c, n, &at);
    ck_assert_msg(e <= rtol, "%s: gpu and cpu differ: relative error %.3g at %zu "
                  "(gpu %.9g, cpu %.9g; %zu values)", what, e, at,
                  n ? g[at] : 0.0f, n ? c[at] : 0.0f, n);
}

static void expect_close(const char *what, pair p)
{
    float *g = download(gpu, p.g, p.n), *c = download(cpu, p.c, p.n);
    expect_close_host(what, g, c, p.n, RTOL);
    free(g);
    free(c);
}

/* The same floats to the bit on both sides. */
static void expect_same(const char *what, pair p)
{
    float *g = download(gpu, p.g, p.n), *c = download(cpu, p.c, p.n);
    for (size_t i = 0; i < p.n; i++)
        ck_assert_msg(memcmp(&g[i], &c[i], sizeof g[i]) == 0,
                      "%s: gpu %.9g, cpu %.9g at %zu: not the same bits", what, g[i], c[i], i);
    free(g);
    free(c);
}

static void expect_close_d(const char *what, double g, double c)
{
    double e = fabs(g - c) / (fabs(c) + 1e-30);
    ck_assert_msg(e <= RTOL, "%s: gpu %.12g, cpu %.12g (relative error %.3g)", what, g, c, e);
}

/* Pick the buffer of this side: 1 the GPU, 0 the CPU. */
#define D(p) (side ? (p).g : (p).c)
#define BE (side ? gpu : cpu)

/* ---- Philox -------------------------------------------------------------- */

typedef void (*philox_fn)(ts_backend *be, uint64_t seed, uint64_t first, size_t nblocks,
                          uint32_t *h_words);

START_TEST(test_philox_words)
{
    philox_fn fn;
    void *sym = dlsym(module, "ts_cuda_test_philox");
    ck_assert_msg(sym != NULL, "the module lacks ts_cuda_test_philox");
    memcpy(&fn, &sym, sizeof fn);
    static const uint64_t seeds[] = {0, 1, 0xdeadbeefcafef00dull, UINT64_MAX};
    static const uint64_t firsts[] = {0, 0xfffffffdull, 1ull << 40};
    enum { NB = 97 };
    uint32_t words[4 * NB];
    for (size_t s = 0; s < sizeof seeds / sizeof seeds[0]; s++)
        for (size_t f = 0; f < sizeof firsts / sizeof firsts[0]; f++) {
            fn(gpu, seeds[s], firsts[f], NB, words);
            const uint32_t key[2] = {(uint32_t)seeds[s], (uint32_t)(seeds[s] >> 32)};
            for (size_t b = 0; b < NB; b++) {
                uint64_t j = firsts[f] + b;
                const uint32_t ctr[4] = {(uint32_t)j, (uint32_t)(j >> 32), 0, 0};
                uint32_t want[4];
                ts_philox4x32(ctr, key, want);
                for (int k = 0; k < 4; k++)
                    ck_assert_msg(words[4 * b + k] == want[k],
                                  "philox seed %#llx block %llu word %d: gpu %#x, cpu %#x",
                                  (unsigned long long)seeds[s], (unsigned long long)j, k,
                                  words[4 * b + k], want[k]);
            }
        }
}
END_TEST

START_TEST(test_randn)
{
    static const struct { uint64_t seed, offset; size_t n; } cases[] = {
        {7, 0, 1}, {7, 3, 5}, {7, 1, 1000}, {123456789, (1ull << 33) + 1, 4099},
        {UINT64_MAX, 2, 100003},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        size_t n = cases[c].n;
        float *d = gpu->alloc(gpu, n);
        ck_assert_ptr_nonnull(d);
        gpu->randn(gpu, n, cases[c].seed, cases[c].offset, d);
        float *g = download(gpu, d, n), *want = malloc(n * sizeof *want);
        ts_philox_normals(cases[c].seed, cases[c].offset, n, want);
        size_t exact = 0;
        for (size_t i = 0; i < n; i++) {
            ck_assert_msg(fabs((double)g[i] - want[i]) <= 1e-6 * (1.0 + fabs(want[i])),
                          "randn case %zu normal %zu: gpu %.9g, cpu %.9g", c, i, g[i], want[i]);
            exact += g[i] == want[i];
        }
        ck_assert_msg(exact * 100 >= n * 99, "randn case %zu: only %zu of %zu normals exact",
                      c, exact, n);
        gpu->free(gpu, d);
        free(g);
        free(want);
    }
}
END_TEST

/* ---- memory ----------------------------------------------------------------- */

START_TEST(test_memory)
{
    enum { N = 1000 };
    float *h = host_rand(N, -1, 1), back[N];
    float *d = gpu->alloc(gpu, N);
    ck_assert_ptr_nonnull(d);
    gpu->download(gpu, back, d, N);
    for (int i = 0; i < N; i++) ck_assert_msg(back[i] == 0.0f, "alloc is not zeroed at %d", i);
    gpu->upload(gpu, d, h, N);
    gpu->download(gpu, back, d, N);
    ck_assert(memcmp(back, h, sizeof back) == 0);
    /* copy, overlapping both ways (memmove semantics), fill */
    gpu->copy(gpu, d + 10, d, 500);
    gpu->download(gpu, back, d, N);
    for (int i = 0; i < 500; i++) ck_assert(back[10 + i] == h[i]);
    gpu->upload(gpu, d, h, N);
    gpu->copy(gpu, d, d + 7, 600);
    gpu->download(gpu, back, d, N);
    for (int i = 0; i < 600; i++) ck_assert(back[i] == h[7 + i]);
    gpu->fill(gpu, d + 3, 2.5f, 11);
    gpu->sync(gpu);
    gpu->download(gpu, back, d, N);
    for (int i = 3; i < 14; i++) ck_assert(back[i] == 2.5f);
    ck_assert(back[14] == h[14 + 7]);
    gpu->free(gpu, d);
    free(h);
}
END_TEST

/* ---- every op of the table -------------------------------------------------------- */

/* A row's output or gradient: the same bits, or close; a scalar output (a
 * reduction's) relative to itself alone, so a CPU 0 (an empty mask) wants 0. */
static void expect_op(const op_row *row, const char *what, pair p, int scalar)
{
    float g, c;
    if (row->exact) {
        expect_same(what, p);   /* e.g. SiLU: nn/sigmoid.h, no FMA, same bits */
    } else if (scalar && p.n == 1) {
        gpu->download(gpu, &g, p.g, 1);
        cpu->download(cpu, &c, p.c, 1);
        expect_close_d(what, g, c);
    } else {
        expect_close(what, p);
    }
}

/* A row at a shape on both backends: the output of its forward, then the
 * gradients of its backward (assigned ones start as junk, accumulated ones
 * at 0.5). */
static void op_case(const op_row *row, const int *shape)
{
    size_t in_n[OP_MAXIN] = {0}, out_n = 0;
    row->size(shape, in_n, &out_n);
    pair in[OP_MAXIN] = {{0}}, grad[OP_MAXIN] = {{0}};
    float *ins[2][OP_MAXIN] = {{0}}, *grads[2][OP_MAXIN] = {{0}};
    for (int i = 0; i < row->nin; i++) {
        if (!in_n[i]) continue;
        float *h = malloc(in_n[i] * sizeof *h);
        op_fill(h, in_n[i], row->in_kind[i]);
        in[i] = pair_new(in_n[i], h);
        free(h);
        ins[0][i] = in[i].c, ins[1][i] = in[i].g;
        if (!row->bwd || row->grad[i] == G_NONE) continue;
        grad[i] = pair_new(in_n[i], NULL);
        pair_fill(grad[i], row->grad[i] == G_ACCUM ? 0.5f : -777.0f);
        grads[0][i] = grad[i].c, grads[1][i] = grad[i].g;
    }
    pair out = pair_new(out_n, NULL);
    pair_fill(out, 777.0f);
    char what[160], name[128];
    op_describe(row, shape, name, sizeof name);
    for (int side = 0; side < 2; side++) row->fwd(BE, shape, ins[side], D(out));
    snprintf(what, sizeof what, "%s: forward", name);
    expect_op(row, what, out, 1);
    if (row->bwd) {
        float *h = malloc(out_n * sizeof *h);
        op_fill(h, out_n, IN_RAND);
        for (int side = 0; side < 2; side++) BE->upload(BE, D(out), h, out_n);
        free(h);
        for (int side = 0; side < 2; side++) row->bwd(BE, shape, ins[side], D(out), grads[side]);
        for (int i = 0; i < row->nin; i++) {
            if (!grads[0][i]) continue;
            snprintf(what, sizeof what, "%s: gradient of input %d", name, i);
            expect_op(row, what, grad[i], 0);
        }
    }
    for (int i = 0; i < row->nin; i++) {
        if (in[i].n) pair_free(in[i]);
        if (grad[i].n) pair_free(grad[i]);
    }
    pair_free(out);
}

static void op_row_all(const op_row *row)
{
    for (int k = 0; k < OP_MAXSHAPES && row->cmp[k][0]; k++) op_case(row, row->cmp[k]);
}

START_TEST(test_op)
{
    op_row_all(&op_table[_i]);
}
END_TEST

/* Run fn with `gpu` a second CUDA backend on cuDNN's convolutions
 * (TSDIFF_CUDA_CONV=cudnn); where cuDNN cannot be loaded the module warns
 * and keeps its GEMM path. */
static void with_cudnn(void (*fn)(void))
{
    setenv("TSDIFF_CUDA_CONV", "cudnn", 1);
    ts_backend *keep = gpu, *dnn = NULL;
    ts_error err = {0};
    int rc = ts_backend_open("cuda", 0, &dnn, &err);
    unsetenv("TSDIFF_CUDA_CONV");
    ck_assert_msg(rc == 0, "second CUDA backend: %s", err.msg);
    gpu = dnn;
    fn();
    gpu = keep;
    ts_backend_destroy(dnn);
}

static void conv_rows(void)
{
    for (size_t r = 0; r < op_table_len; r++)
        if (strncmp(op_table[r].name, "conv", 4) == 0) op_row_all(&op_table[r]);
}

START_TEST(test_conv_cudnn)
{
    with_cudnn(conv_rows);
}
END_TEST

/* ---- the UNet: one training step ------------------------------------------------------- */

static const ts_unet_config small_net = {
    .in_channels = 3, .length = 32, .width = 8, .levels = 2, .res_blocks = 1,
    .temb_dim = 16, .groups = 4,
};

/* Nets on both backends with the same weights: the CPU's initialisation
 * plus a little noise everywhere (so the zero-initialised head is not). */
static void nets_new(int max_batch, ts_unet **ng, ts_unet **nc)
{
    *ng = ts_unet_create(gpu, &small_net, max_batch);
    *nc = ts_unet_create(cpu, &small_net, max_batch);
    ck_assert_ptr_nonnull(*ng);
    ck_assert_ptr_nonnull(*nc);
    size_t np = ts_unet_params(*nc)->total;
    ck_assert_uint_eq(np, ts_unet_params(*ng)->total);
    ts_unet_init(*nc, 5);
    float *w = download(cpu, ts_unet_weights(*nc), np);
    for (size_t i = 0; i < np; i++) w[i] += (float)(0.1 * (op_urand() - 0.5));
    cpu->upload(cpu, ts_unet_weights(*nc), w, np);
    gpu->upload(gpu, ts_unet_weights(*ng), w, np);
    gpu->fill(gpu, ts_unet_grads(*ng), 0.0f, np);
    free(w);
}

START_TEST(test_unet_train_step)
{
    const int B = 4, L = small_net.length, ch = small_net.in_channels, H = 12;
    ts_unet *ng, *nc;
    nets_new(B, &ng, &nc);
    size_t np = ts_unet_params(nc)->total;
    pair x = pair_rand((size_t)B * ch * L, -1, 1), out = pair_new((size_t)B * L, NULL);
    pair eps = pair_rand((size_t)B * L, -1, 1), mask = pair_new((size_t)B * L, NULL);
    pair dout = pair_new((size_t)B * L, NULL);
    float *hm = malloc((size_t)B * L * sizeof *hm);
    for (int i = 0; i < B * L; i++) hm[i] = (i % L) >= L - H && op_urand() < 0.8 ? 1.0f : 0.0f;
    gpu->upload(gpu, mask.g, hm, (size_t)B * L);
    cpu->upload(cpu, mask.c, hm, (size_t)B * L);
    float h_t[4] = {0.0f, 17.0f, 55.5f, 99.0f};
    ts_optim_config oc;
    ts_optim_config_default(&oc);
    oc.warmup = 0;
    oc.lr = 1e-4;
    ts_optim *og = ts_optim_create(gpu, np, &oc, ts_unet_weights(ng));
    ts_optim *ocp = ts_optim_create(cpu, np, &oc, ts_unet_weights(nc));
    ck_assert_ptr_nonnull(og);
    ck_assert_ptr_nonnull(ocp);

    ts_unet_forward(ng, B, x.g, h_t, out.g);
    ts_unet_forward(nc, B, x.c, h_t, out.c);
    expect_close("unet forward", out);
    double lg = tu_masked_mse(gpu, (size_t)B * L, out.g, eps.g, mask.g, dout.g);
    double lc = tu_masked_mse(cpu, (size_t)B * L, out.c, eps.c, mask.c, dout.c);
    expect_close_d("unet loss", lg, lc);
    gpu->fill(gpu, ts_unet_grads(ng), 0.0f, np);
    cpu->fill(cpu, ts_unet_grads(nc), 0.0f, np);
    pair dx = pair_new((size_t)B * ch * L, NULL);
    ts_unet_backward(ng, dout.g, dx.g);
    ts_unet_backward(nc, dout.c, dx.c);
    expect_close("unet dx", dx);
    float *gg = download(gpu, ts_unet_grads(ng), np), *gc = download(cpu, ts_unet_grads(nc), np);
    const ts_param_table *pt = ts_unet_params(nc);
    for (int i = 0; i < pt->n; i++) {   /* tensor by tensor: each has its own scale */
        char what[96];
        snprintf(what, sizeof what, "unet grad %s", pt->t[i].name);
        expect_close_host(what, gg + pt->t[i].offset, gc + pt->t[i].offset, pt->t[i].count,
                          RTOL);
    }
    double norm_g = ts_optim_step(og, ts_unet_weights(ng), ts_unet_grads(ng));
    double norm_c = ts_optim_step(ocp, ts_unet_weights(nc), ts_unet_grads(nc));
    expect_close_d("gradient norm", norm_g, norm_c);

    /* Weights after the step. Adam's first step moves each weight by about
     * lr sign(g): where g is within rounding of 0 the sign may differ. */
    float *wg = download(gpu, ts_unet_weights(ng), np), *wc = download(cpu, ts_unet_weights(nc), np);
    double gss = 0.0, wss = 0.0;
    for (size_t i = 0; i < np; i++) gss += (double)gc[i] * gc[i], wss += (double)wc[i] * wc[i];
    double grms = sqrt(gss / np), wrms = sqrt(wss / np);
    for (size_t i = 0; i < np; i++) {
        double d = fabs((double)wg[i] - wc[i]);
        int ok = d <= RTOL * (fabs(wc[i]) + wrms) ||
                 (fabs(gc[i]) <= 1e-4 * grms && d <= 2.5 * oc.lr);
        ck_assert_msg(ok && isfinite(wg[i]), "weight %zu after the step: gpu %.9g, cpu %.9g "
                      "(gradient %.3g)", i, wg[i], wc[i], gc[i]);
    }
    float *eg = download(gpu, og->ema, np), *ec = download(cpu, ocp->ema, np);
    expect_close_host("ema after the step", eg, ec, np, RTOL);
    free(eg), free(ec), free(wg), free(wc), free(gg), free(gc), free(hm);
    ts_optim_free(og);
    ts_optim_free(ocp);
    pair all[] = {x, out, eps, mask, dout, dx};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) pair_free(all[i]);
    ts_unet_free(ng);
    ts_unet_free(nc);
}
END_TEST

/* ---- a DPM-Solver++ forecast, and CUDA graphs ------------------------------------------ */

/* eps_fn as in diffusion/forecast.c: x (rows x H) into the future positions
 * of channel 0 of the input, the net, its output at those positions. */
typedef struct fc_ctx {
    ts_backend *be;
    ts_unet *net;
    float *in_d, *out_d;
    int rows, ch, L, H, fut;
    float t_h[16];
} fc_ctx;

static void eps_fn(void *ctx, const float *x, double t, float *eps)
{
    fc_ctx *c = ctx;
    ts_backend *be = c->be;
    for (int r = 0; r < c->rows; r++) c->t_h[r] = (float)t;
    be->chan_copy(be, c->rows, 1, c->H, x, c->H, 0, c->in_d, c->ch * c->L, c->fut, 0);
    ts_unet_forward(c->net, c->rows, c->in_d, c->t_h, c->out_d);
    be->chan_copy(be, c->rows, 1, c->H, c->out_d, c->L, c->fut, eps, c->H, 0, 0);
}

typedef struct fc_run {
    fc_ctx ctx[2];             /* [0] cpu, [1] gpu */
    pair in, out, x, work;
    ts_unet *net[2];
    ts_schedule sched;
    ts_sampler_config sc;
    size_t n;
} fc_run;

static void fc_setup(fc_run *f)
{
    const int rows = 6, H = 12, L = small_net.length, ch = small_net.in_channels;
    memset(f, 0, sizeof *f);
    nets_new(rows, &f->net[1], &f->net[0]);
    ts_error err = {0};
    ck_assert_int_eq(ts_schedule_init(&f->sched, TS_SCHED_LINEAR, 100, &err), 0);
    f->sc = (ts_sampler_config){.kind = TS_SAMPLER_DPMPP, .steps = 8, .seed = 11, .offset = 40};
    f->n = (size_t)rows * H;
    f->in = pair_rand((size_t)rows * ch * L, -1, 1);
    f->out = pair_new((size_t)rows * L, NULL);
    f->x = pair_new(f->n, NULL);
    f->work = pair_new(3 * f->n, NULL);
    for (int side = 0; side < 2; side++)
        f->ctx[side] = (fc_ctx){.be = BE, .net = f->net[side], .in_d = D(f->in),
                                .out_d = D(f->out), .rows = rows, .ch = ch, .L = L, .H = H,
                                .fut = L - H};
}

static void fc_free(fc_run *f)
{
    pair_free(f->in), pair_free(f->out), pair_free(f->x), pair_free(f->work);
    ts_unet_free(f->net[0]);
    ts_unet_free(f->net[1]);
    ts_schedule_free(&f->sched);
}

static void fc_sample(fc_run *f, int side, float *x)
{
    int calls = ts_sample(BE, &f->sched, &f->sc, f->n, eps_fn, &f->ctx[side], x, D(f->work));
    ck_assert_int_eq(calls, f->sc.steps);
}

START_TEST(test_dpmpp_forecast)
{
    fc_run f;
    fc_setup(&f);
    for (int side = 0; side < 2; side++) fc_sample(&f, side, D(f.x));
    expect_close("dpm-solver++ forecast", f.x);
    float *h = download(gpu, f.x.g, f.n);
    double ss = 0.0;
    for (size_t i = 0; i < f.n; i++) ss += (double)h[i] * h[i];
    ck_assert_msg(ss > 0.0 && isfinite(ss), "forecast is all zero or not finite");
    free(h);
    fc_free(&f);
}
END_TEST

/* The same forecast recorded as a graph: as run directly; replayed after the
 * conditioning changed in device memory; updated to another seed. */
static void graph_forecast(void)
{
    ck_assert_ptr_nonnull(gpu->graph_begin);
    fc_run f;
    fc_setup(&f);
    const int side = 1;
    float *direct = gpu->alloc(gpu, f.n);
    ck_assert_ptr_nonnull(direct);
    fc_sample(&f, side, direct);
    float *want = download(gpu, direct, f.n);

    ts_graph *g = NULL;
    ck_assert_int_eq(gpu->graph_begin(gpu), 0);
    fc_sample(&f, side, f.x.g);
    gpu->graph_end(gpu, &g);
    ck_assert_ptr_nonnull(g);
    float *got = download(gpu, f.x.g, f.n);
    expect_close_host("graph run vs direct run", got, want, f.n, 1e-6);
    free(got), free(want);

    /* New conditioning in device memory: a replay reads it. */
    float *hin = host_rand(f.in.n, -1, 1);
    gpu->upload(gpu, f.in.g, hin, f.in.n);
    free(hin);
    fc_sample(&f, side, direct);
    want = download(gpu, direct, f.n);
    gpu->fill(gpu, f.x.g, 0.0f, f.n);
    gpu->graph_launch(gpu, g);
    got = download(gpu, f.x.g, f.n);
    expect_close_host("graph replay vs direct run", got, want, f.n, 1e-6);
    free(got), free(want);

    /* Another seed: record into the same graph (an update), compare. */
    f.sc.seed = 12;
    fc_sample(&f, side, direct);
    want = download(gpu, direct, f.n);
    ck_assert_int_eq(gpu->graph_begin(gpu), 0);
    fc_sample(&f, side, f.x.g);
    gpu->graph_end(gpu, &g);
    got = download(gpu, f.x.g, f.n);
    expect_close_host("updated graph vs direct run", got, want, f.n, 1e-6);
    free(got), free(want);

    gpu->graph_free(gpu, g);
    gpu->free(gpu, direct);
    fc_free(&f);
}

START_TEST(test_graph_forecast)
{
    graph_forecast();
}
END_TEST

/* The same with cuDNN's convolutions, which plan their algorithms (and may
 * allocate workspace) while a recording is open. */
START_TEST(test_graph_forecast_cudnn)
{
    with_cudnn(graph_forecast);
}
END_TEST

/* ---- steady state: no allocation once warm ------------------------------------------------ */

/* The emulated module (tests/cuda_emu) counts its device and pinned
 * allocations; training steps after the first two, and forecasts after the
 * first recording, must make none (scratch and staging have reached their
 * high-water marks). The real module has no counter: there this says so. */
typedef unsigned long (*count_fn)(void);

/* A training step as diffusion/train.c takes it: noise x0 at random t's
 * into channel 0 of the input, the net, the loss, the gradients, AdamW. */
static void train_step(ts_unet *net, ts_optim *opt, const ts_schedule *sched, uint64_t step,
                       int batch, pair x0, pair x, pair out, pair eps, pair mask, pair dout,
                       pair dx)
{
    const int L = small_net.length, ch = small_net.in_channels;
    size_t np = ts_unet_params(net)->total, n = (size_t)batch * L;
    float h_t[16];
    ts_diffusion_noise(gpu, sched, batch, (size_t)L, x0.g, 3, step * 4096, h_t, eps.g, out.g);
    gpu->chan_copy(gpu, batch, L, 1, out.g, 1, 0, x.g, ch, 0, 0);
    ts_unet_forward(net, batch, x.g, h_t, out.g);
    double loss = tu_masked_mse(gpu, n, out.g, eps.g, mask.g, dout.g);
    ck_assert(isfinite(loss));
    gpu->fill(gpu, ts_unet_grads(net), 0.0f, np);
    ts_unet_backward(net, dout.g, dx.g);
    ts_optim_step(opt, ts_unet_weights(net), ts_unet_grads(net));
}

START_TEST(test_no_alloc_when_warm)
{
    void *sym = dlsym(module, "ts_emu_allocations");
    if (!sym) {
        printf("check_cuda: no_alloc_when_warm: skipped: this module does not count allocations\n");
        return;
    }
    count_fn count;
    memcpy(&count, &sym, sizeof count);
    const int B = 4, L = small_net.length, ch = small_net.in_channels;
    ts_unet *ng, *nc;
    nets_new(B, &ng, &nc);
    ts_optim_config oc;
    ts_optim_config_default(&oc);
    ts_optim *og = ts_optim_create(gpu, ts_unet_params(ng)->total, &oc, ts_unet_weights(ng));
    ck_assert_ptr_nonnull(og);
    pair x = pair_rand((size_t)B * ch * L, -1, 1), out = pair_new((size_t)B * L, NULL);
    pair eps = pair_rand((size_t)B * L, -1, 1), mask = pair_rand((size_t)B * L, 0, 1);
    pair dout = pair_new((size_t)B * L, NULL), dx = pair_new((size_t)B * ch * L, NULL);
    pair x0 = pair_rand((size_t)B * L, -1, 1);
    ts_schedule sched;
    ts_error err = {0};
    ck_assert_int_eq(ts_schedule_init(&sched, TS_SCHED_LINEAR, 100, &err), 0);
    uint64_t step = 0;
    for (; step < 2; step++) train_step(ng, og, &sched, step, B, x0, x, out, eps, mask, dout, dx);
    unsigned long warm = count();
    for (; step < 5; step++) train_step(ng, og, &sched, step, B, x0, x, out, eps, mask, dout, dx);
    ck_assert_msg(count() == warm, "training steps after warm-up allocated %lu times",
                  count() - warm);

    /* Forecasts as forecast.c runs them: recorded once, then replayed. */
    fc_run f;
    fc_setup(&f);
    ts_sampler_graph sg = {0};
    f.sc.graph = &sg;
    fc_sample(&f, 1, f.x.g);
    warm = count();
    for (int k = 0; k < 3; k++) {
        f.sc.seed = 20 + (uint64_t)k;
        fc_sample(&f, 1, f.x.g);
    }
    ck_assert_msg(count() == warm, "forecasts after the first allocated %lu times",
                  count() - warm);
    ts_sampler_graph_free(gpu, &sg);
    fc_free(&f);
    ts_schedule_free(&sched);
    ts_optim_free(og);
    pair all[] = {x0, x, out, eps, mask, dout, dx};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) pair_free(all[i]);
    ts_unet_free(ng);
    ts_unet_free(nc);
}
END_TEST

/* ---- main ---------------------------------------------------------------------------- */

static const char *const test_names[] = {
    "philox_words", "randn", "memory", "op (every row of the op table)", "conv_cudnn",
    "unet_train_step", "dpmpp_forecast", "graph_forecast", "graph_forecast_cudnn",
    "no_alloc_when_warm",
};

static Suite *cuda_suite(void)
{
    Suite *s = suite_create("cuda");
    TCase *tc = tcase_create("gpu_vs_cpu");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_philox_words);
    tcase_add_test(tc, test_randn);
    tcase_add_test(tc, test_memory);
    tcase_add_loop_test(tc, test_op, 0, (int)op_table_len);
    tcase_add_test(tc, test_conv_cudnn);
    tcase_add_test(tc, test_unet_train_step);
    tcase_add_test(tc, test_dpmpp_forecast);
    tcase_add_test(tc, test_graph_forecast);
    tcase_add_test(tc, test_graph_forecast_cudnn);
    tcase_add_test(tc, test_no_alloc_when_warm);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    /* The module must load wherever it was built, GPU or not. The build
     * tree's, unless $TSDIFF_CUDA_MODULE names another (a moved build). */
    const char *path = getenv("TSDIFF_CUDA_MODULE");
    if (!path || !*path) path = TS_CUDA_MODULE_PATH;
    module = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!module || !dlsym(module, "ts_cuda_backend_create")) {
        fprintf(stderr, "check_cuda: cannot load %s: %s\n", path,
                module ? "no ts_cuda_backend_create" : dlerror());
        return 1;
    }
    setenv("TSDIFF_CUDA_MODULE", path, 1);
    unsetenv("TSDIFF_CUDA_CONV");
    unsetenv("TSDIFF_CUDA_GRAPHS");
    ts_error err = {0};
    int rc = ts_backend_open("cuda", 0, &gpu, &err);
    if (rc == TS_EUNAVAIL) {
        for (size_t i = 0; i < sizeof test_names / sizeof test_names[0]; i++)
            printf("check_cuda: %s: skipped: no CUDA device (%s)\n", test_names[i], err.msg);
        return 77;
    }
    if (rc != 0) {
        fprintf(stderr, "check_cuda: %s\n", err.msg);
        return 1;
    }
    printf("check_cuda: running on the %s backend\n", gpu->name);
    cpu = ts_backend_cpu_create(2);
    SRunner *sr = srunner_create(cuda_suite());
    srunner_set_fork_status(sr, CK_NOFORK);   /* a CUDA context does not survive fork() */
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    ts_backend_destroy(cpu);
    ts_backend_destroy(gpu);
    return failed == 0 ? 0 : 1;
}
