/* check_ops.c - unit tests of the CPU backend ops, the Philox generator and
 * the backend selector; with --speed, the speed of every op.
 *
 * Every row of the op table (op_table.c) is checked against central finite
 * differences of loss = sum(y * r) with a random r; forward ops besides
 * against naive loops or scalar references. All data goes through
 * upload/download, so the tests speak only the backend interface.
 *
 *   tests/check_ops                    the tests
 *   tests/check_ops --speed [--device cpu|cuda] [--threads N]
 *                                      milliseconds (and GFLOP/s) of every
 *                                      row's forward and backward on its
 *                                      speed shapes, best of 20 after a
 *                                      warm-up, the op calls alone; beside
 *                                      gemm, OpenBLAS sgemm on the host
 */
#define _DEFAULT_SOURCE 1   /* setenv */
#include <cblas.h>
#include <check.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nn/backend.h"
#include "nn/cpu_backend.h"
#include "io/philox.h"
#include "op_table.h"
#include "testutil.h"

/* ---- helpers ---------------------------------------------------------- */

/* Test data: random values in +-[0.2, 1.2] (never zero) from the tests'
 * stream (op_table.c), not the Philox one. */
static float *host_rand(size_t n)
{
    float *a = malloc(n * sizeof *a);
    ck_assert_ptr_nonnull(a);
    op_fill(a, n, IN_RAND);
    return a;
}


/* Largest |a - b| / (atol + rtol |b|) over the arrays: <= 1 passes. */
static double close_ratio(const float *a, const double *b, size_t n, double rtol, double atol)
{
    double worst = 0.0;
    for (size_t i = 0; i < n; i++) {
        double r = fabs(a[i] - b[i]) / (atol + rtol * fabs(b[i]));
        if (!(r <= worst)) worst = r;   /* NaN counts as failure */
    }
    return worst;
}

static ts_backend *cpu(void) { return ts_backend_cpu_create(2); }

/* ---- finite differences over the op table ------------------------------ */

static double fd_loss(ts_backend *be, const op_row *row, const int *shape, float *const *d_in,
                      float *d_out, size_t out_n, const float *r)
{
    be->fill(be, d_out, 12345.0f, out_n);            /* forward must assign */
    row->fwd(be, shape, d_in, d_out);
    float *y = host_from(be, d_out, out_n);
    double s = 0.0;
    for (size_t i = 0; i < out_n; i++) s += (double)y[i] * r[i];
    free(y);
    return s;
}

/* Numerical gradient of input i, element by element. */
static double *fd_numeric(ts_backend *be, const op_row *row, const int *shape, int i,
                          float **h_in, float *const *d_in, const size_t *in_n, float *d_out,
                          size_t out_n, const float *r)
{
    size_t n = in_n[i];
    double *gn = malloc(n * sizeof *gn);
    ck_assert_ptr_nonnull(gn);
    for (size_t j = 0; j < n; j++) {
        float keep = h_in[i][j], e = (float)row->fd_eps;
        h_in[i][j] = keep + e;
        be->upload(be, d_in[i], h_in[i], n);
        double lp = fd_loss(be, row, shape, d_in, d_out, out_n, r);
        h_in[i][j] = keep - e;
        be->upload(be, d_in[i], h_in[i], n);
        double lm = fd_loss(be, row, shape, d_in, d_out, out_n, r);
        h_in[i][j] = keep;
        be->upload(be, d_in[i], h_in[i], n);
        gn[j] = (lp - lm) / ((double)(keep + e) - (double)(keep - e));
    }
    return gn;
}

static void fd_compare(const char *what, int i, const float *ga, const double *gn, size_t n)
{
    double num2 = 0.0, err2 = 0.0, gmax = 0.0;
    for (size_t j = 0; j < n; j++) {
        num2 += gn[j] * gn[j];
        err2 += (ga[j] - gn[j]) * (ga[j] - gn[j]);
        if (fabs(gn[j]) > gmax) gmax = fabs(gn[j]);
    }
    double rel = sqrt(err2) / (sqrt(num2) + 1e-12);
    double worst = close_ratio(ga, gn, n, 1e-2, 1e-2 * gmax + 1e-6);
    ck_assert_msg(gmax > 0.0, "%s: input %d has an all-zero gradient", what, i);
    ck_assert_msg(rel < 1e-2 && worst <= 1.0,
                  "%s: input %d: gradient off, relative error %.3g (worst element %.3g)",
                  what, i, rel, worst);
}

/* Analytic gradients of a row at a shape against central differences. */
static void fd_check(const op_row *row, const int *shape)
{
    ts_backend *be = cpu();
    size_t in_n[OP_MAXIN] = {0}, out_n = 0;
    row->size(shape, in_n, &out_n);
    float *h_in[OP_MAXIN] = {0}, *d_in[OP_MAXIN] = {0}, *d_grad[OP_MAXIN] = {0};
    const float acc0 = 0.5f;          /* accumulated gradients start here */
    for (int i = 0; i < row->nin; i++) {
        if (!in_n[i]) continue;
        h_in[i] = malloc(in_n[i] * sizeof(float));
        op_fill(h_in[i], in_n[i], row->in_kind[i]);
        d_in[i] = dev_from(be, h_in[i], in_n[i]);
        if (row->grad[i] == G_NONE) continue;
        d_grad[i] = dev_from(be, NULL, in_n[i]);
        be->fill(be, d_grad[i], row->grad[i] == G_ACCUM ? acc0 : -777.0f, in_n[i]);
    }
    float *r = host_rand(out_n), *d_r = dev_from(be, r, out_n), *d_out = dev_from(be, NULL, out_n);
    row->fwd(be, shape, d_in, d_out);                 /* as in use */
    row->bwd(be, shape, d_in, d_r, d_grad);
    char what[128];
    op_describe(row, shape, what, sizeof what);
    for (int i = 0; i < row->nin; i++) {
        if (!d_grad[i]) continue;
        float *ga = host_from(be, d_grad[i], in_n[i]);
        if (row->grad[i] == G_ACCUM)
            for (size_t j = 0; j < in_n[i]; j++) ga[j] -= acc0;
        double *gn = fd_numeric(be, row, shape, i, h_in, d_in, in_n, d_out, out_n, r);
        fd_compare(what, i, ga, gn, in_n[i]);
        free(ga);
        free(gn);
    }
    for (int i = 0; i < row->nin; i++) {
        be->free(be, d_in[i]);
        be->free(be, d_grad[i]);
        free(h_in[i]);
    }
    be->free(be, d_r);
    be->free(be, d_out);
    free(r);
    ts_backend_destroy(be);
}

/* Row _i of the table, at each of its finite-difference shapes. */
START_TEST(test_op_grad)
{
    const op_row *row = &op_table[_i];
    if (!row->bwd) return;            /* no gradient: see its value tests */
    for (int k = 0; k < OP_MAXSHAPES && row->fd[k][0]; k++) fd_check(row, row->fd[k]);
}
END_TEST

/* The fused ops: the CPU's kernels give the bits of their compositions
 * (the fallback a backend without the kernel gets), the backward also with
 * dx in place of dy (as the UNet calls it). */
START_TEST(test_fused_fallback)
{
    ts_backend *fused = cpu(), *composed = cpu();
    ck_assert_ptr_nonnull(fused->groupnorm_silu_fwd);
    ck_assert_ptr_nonnull(fused->groupnorm_silu_bwd);
    composed->groupnorm_silu_fwd = NULL;
    composed->groupnorm_silu_bwd = NULL;
    ck_assert_int_eq(ts_backend_complete(composed, NULL), 0);
    ck_assert_ptr_nonnull(composed->groupnorm_silu_fwd);
    ck_assert(composed->groupnorm_silu_fwd != fused->groupnorm_silu_fwd);
    ck_assert(composed->groupnorm_silu_bwd != fused->groupnorm_silu_bwd);
    const int B = 3, C = 16, L = 700, G = 4;
    size_t n = (size_t)B * C * L;
    float *x = host_rand(n), *gam = host_rand(C), *bet = host_rand(C), *up = host_rand(n);
    float *out[2][10];
    ts_backend *bes[2] = {fused, composed};
    for (int t = 0; t < 2; t++) {
        ts_backend *be = bes[t];
        float *dx = dev_from(be, x, n), *dg = dev_from(be, gam, C), *db = dev_from(be, bet, C);
        float *h = dev_from(be, NULL, n), *y = dev_from(be, NULL, n);
        float *m = dev_from(be, NULL, B * G), *r = dev_from(be, NULL, B * G);
        be->groupnorm_silu_fwd(be, B, C, L, G, dx, dg, db, h, y, m, r);
        out[t][0] = host_from(be, h, n);
        out[t][1] = host_from(be, y, n);
        out[t][2] = host_from(be, m, B * G);
        out[t][3] = host_from(be, r, B * G);
        /* backward twice: into another buffer, then in place (dx = dy) */
        float *dy = dev_from(be, up, n), *gx = dev_from(be, NULL, n), *tmp = dev_from(be, NULL, n);
        float *dgam = dev_from(be, NULL, C), *dbet = dev_from(be, NULL, C);
        be->fill(be, dgam, 0.5f, C);
        be->fill(be, dbet, -0.5f, C);
        be->groupnorm_silu_bwd(be, B, C, L, G, dy, h, dx, dg, m, r, gx, dgam, dbet, tmp);
        out[t][4] = host_from(be, gx, n);
        out[t][5] = host_from(be, dgam, C);
        out[t][6] = host_from(be, dbet, C);
        be->groupnorm_silu_bwd(be, B, C, L, G, dy, h, dx, dg, m, r, dy, dgam, dbet, tmp);
        out[t][7] = host_from(be, dy, n);
        out[t][8] = host_from(be, dgam, C);
        out[t][9] = host_from(be, dbet, C);
        float *bufs[] = {dx, dg, db, h, y, m, r, dy, gx, tmp, dgam, dbet};
        for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) be->free(be, bufs[i]);
    }
    size_t len[10] = {n, n, B * G, B * G, n, C, C, n, C, C};
    for (int i = 0; i < 10; i++)
        ck_assert_msg(memcmp(out[0][i], out[1][i], len[i] * sizeof(float)) == 0,
                      "fused and composed differ in output %d", i);
    ck_assert(memcmp(out[0][4], out[0][7], n * sizeof(float)) == 0);
    for (int t = 0; t < 2; t++)
        for (int i = 0; i < 10; i++) free(out[t][i]);
    free(x), free(gam), free(bet), free(up);
    /* A backend that lacks a required op is refused, by name. */
    ts_error err = {0};
    composed->upsample2_bwd = NULL;
    ck_assert_int_eq(ts_backend_complete(composed, &err), TS_EINTERNAL);
    ck_assert_ptr_nonnull(strstr(err.msg, "upsample2_bwd"));
    ts_backend_destroy(fused);
    ts_backend_destroy(composed);
}
END_TEST

/* The AVX-512 row kernel of the group-norm forward against the portable
 * loops, and its SiLU against silu_fwd, bit for bit, over a wide range of
 * values (up to the clamp of exp at 87) and a length with a tail. */
START_TEST(test_groupnorm_silu_paths)
{
    const int C = 4, L = 1001;
    const size_t n = (size_t)C * L;
    float *x = malloc(n * sizeof *x), gam[4] = {1.0f, 10.0f, 60.0f, 300.0f}, bet[4] = {0, 1, -2, 0};
    for (size_t i = 0; i < n; i++) x[i] = (float)((double)(i % L) / (L - 1) * 6.0 - 3.0);
    float *out[2][3];
    for (int t = 0; t < 2; t++) {
        ts_backend *be = cpu();
        ts_cpu_of(be)->avx512 = t && ts_cpu_conv3_available();
        float *dx = dev_from(be, x, n), *dg = dev_from(be, gam, C), *db = dev_from(be, bet, C);
        float *h = dev_from(be, NULL, n), *y = dev_from(be, NULL, n), *y2 = dev_from(be, NULL, n);
        float *m = dev_from(be, NULL, 1), *r = dev_from(be, NULL, 1);
        be->groupnorm_silu_fwd(be, 1, C, L, 1, dx, dg, db, h, y, m, r);
        be->silu_fwd(be, n, h, y2);
        out[t][0] = host_from(be, h, n);
        out[t][1] = host_from(be, y, n);
        out[t][2] = host_from(be, y2, n);
        float *bufs[] = {dx, dg, db, h, y, y2, m, r};
        for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) be->free(be, bufs[i]);
        ts_backend_destroy(be);
    }
    ck_assert(memcmp(out[0][0], out[1][0], n * sizeof(float)) == 0);
    for (int t = 0; t < 2; t++) ck_assert(memcmp(out[t][1], out[t][2], n * sizeof(float)) == 0);
    ck_assert(memcmp(out[0][1], out[1][1], n * sizeof(float)) == 0);
    float lo = 0, hi = 0;
    for (size_t i = 0; i < n; i++) {
        lo = out[0][0][i] < lo ? out[0][0][i] : lo;
        hi = out[0][0][i] > hi ? out[0][0][i] : hi;
    }
    ck_assert(lo < -100.0f && hi > 100.0f);     /* the range reached the clamp */
    for (int t = 0; t < 2; t++)
        for (int i = 0; i < 3; i++) free(out[t][i]);
    free(x);
}
END_TEST

/* ---- conv1d ------------------------------------------------------------ */

static ts_conv1d_shape conv_shape(int batch, int cin, int cout, int lin, int k,
                                  int stride, int pad)
{
    ts_conv1d_shape s = {.batch = batch, .cin = cin, .cout = cout, .lin = lin,
                         .k = k, .stride = stride, .pad = pad};
    ts_conv1d_shape_finish(&s);
    return s;
}

/* Winograd's F(4, 3) rounds its transforms (cpu_wino3.c): in these cases
 * about 4 times the error of the direct sums (at 64 input channels 1.7e-5
 * where the direct kernel's is 0.4e-5; the filter gradient's worst 1.9e-5
 * against 0.54e-5), so a tolerance 4 times as wide. */
#define WINO_TOL 4e-5

/* Direct convolution in double. */
static void conv_naive(const ts_conv1d_shape *s, const float *x, const float *w,
                       const float *bias, double *y)
{
    for (int b = 0; b < s->batch; b++)
        for (int co = 0; co < s->cout; co++)
            for (int lo = 0; lo < s->lout; lo++) {
                double acc = bias ? bias[co] : 0.0;
                for (int ci = 0; ci < s->cin; ci++)
                    for (int kk = 0; kk < s->k; kk++) {
                        int li = lo * s->stride - s->pad + kk;
                        if (li < 0 || li >= s->lin) continue;
                        acc += (double)w[(co * s->cin + ci) * s->k + kk] *
                               x[((long)b * s->cin + ci) * s->lin + li];
                    }
                y[((long)b * s->cout + co) * s->lout + lo] = acc;
            }
}

START_TEST(test_conv_fwd_naive)
{
    static const int cases[][7] = {
        /* batch cin cout lin k stride pad */
        {3, 5, 7, 16, 3, 1, 1}, {3, 5, 7, 16, 3, 2, 1}, {2, 4, 6, 15, 3, 2, 1},
        {4, 8, 3, 10, 1, 1, 0}, {2, 3, 4, 12, 5, 1, 2}, {2, 3, 4, 12, 5, 3, 0},
        {1, 2, 2, 3, 3, 1, 0},  {5, 16, 16, 32, 3, 1, 1},
        /* the direct 3-tap kernel's shapes: tails of 1, 2 and 3 vectors;
         * short rows packed 3, 2, 2 and 4 + 4 + 1 samples to a row */
        {3, 12, 16, 38, 3, 1, 1}, {2, 9, 32, 152, 3, 1, 1}, {2, 8, 8, 1, 3, 1, 1},
        {1, 4, 8, 17, 3, 1, 1}, {2, 16, 24, 50, 3, 1, 1}, {9, 8, 16, 38, 3, 1, 1},
        /* Winograd's: tiles past a row's end, packs of 8 + 3, one position,
         * long rows of several 48-tile blocks */
        {3, 32, 64, 90, 3, 1, 1}, {11, 16, 16, 7, 3, 1, 1}, {2, 24, 32, 1, 3, 1, 1},
        {1, 16, 8, 301, 3, 1, 1}, {4, 64, 16, 38, 3, 1, 1},
    };
    ts_backend *be = cpu();
    /* Every case on each path: im2col + SGEMM, then the direct kernel and
     * Winograd's where the CPU has them. */
    for (size_t tt = 0; tt < 3 * (sizeof cases / sizeof cases[0]); tt++) {
        const size_t t = tt / 3;
        ts_cpu_of(be)->conv3 = (tt % 3) && ts_cpu_conv3_available();
        ts_cpu_of(be)->wino3 = tt % 3 == 2;
        const double tol = tt % 3 == 2 ? WINO_TOL : 1e-5;
        const int *v = cases[t];
        ts_conv1d_shape s = conv_shape(v[0], v[1], v[2], v[3], v[4], v[5], v[6]);
        ck_assert_int_eq(s.lout, (v[3] + 2 * v[6] - v[4]) / v[5] + 1);
        size_t nx = (size_t)s.batch * s.cin * s.lin, nw = (size_t)s.cout * s.cin * s.k;
        size_t ny = (size_t)s.batch * s.cout * s.lout;
        float *x = host_rand(nx), *w = host_rand(nw), *bias = host_rand(s.cout);
        double *ref = malloc(ny * sizeof *ref);
        conv_naive(&s, x, w, bias, ref);
        float *dx = dev_from(be, x, nx), *dw = dev_from(be, w, nw);
        float *db = dev_from(be, bias, s.cout), *dy = dev_from(be, NULL, ny);
        be->fill(be, dy, 99.0f, ny);
        be->conv1d_fwd(be, &s, dx, dw, db, dy);
        float *y = host_from(be, dy, ny);
        double worst = close_ratio(y, ref, ny, tol, tol);
        ck_assert_msg(worst <= 1.0, "conv case %zu: off by %.3g tolerances", t, worst);
        /* Same inputs, same bits. */
        be->conv1d_fwd(be, &s, dx, dw, db, dy);
        float *y2 = host_from(be, dy, ny);
        ck_assert(memcmp(y, y2, ny * sizeof *y) == 0);
        /* and the bits of each sample alone (the direct kernel packs the
         * short rows of several samples into one) */
        ts_conv1d_shape one = conv_shape(1, v[1], v[2], v[3], v[4], v[5], v[6]);
        size_t xs = (size_t)s.cin * s.lin, ys = (size_t)s.cout * s.lout;
        for (int b = 0; b < s.batch; b++) {
            be->conv1d_fwd(be, &one, dx + b * xs, dw, db, dy);
            float *yb = host_from(be, dy, ys);
            ck_assert_msg(memcmp(yb, y + b * ys, ys * sizeof *y) == 0,
                          "conv case %zu: sample %d alone differs", t, b);
            free(yb);
        }
        free(x); free(w); free(bias); free(ref); free(y); free(y2);
        be->free(be, dx); be->free(be, dw); be->free(be, db); be->free(be, dy);
    }
    ts_backend_destroy(be);
}
END_TEST

/* conv1d_add_fwd gives the bits of its composition (conv1d_fwd, add_bcast,
 * axpby) on every path of the CPU's convolution, with either addend or
 * both, and with y first full of junk (it must assign). */
START_TEST(test_conv_add_fused)
{
    static const int cases[][7] = {
        /* batch cin cout lin k stride pad: Winograd's (tiles past the end,
         * packs, one position), the direct kernel's, a pointwise one */
        {3, 32, 64, 90, 3, 1, 1}, {11, 16, 16, 7, 3, 1, 1}, {2, 24, 32, 1, 3, 1, 1},
        {3, 12, 16, 38, 3, 1, 1}, {4, 8, 3, 10, 1, 1, 0}, {2, 4, 6, 15, 3, 2, 1},
    };
    ts_backend *fused = cpu(), *composed = cpu();
    composed->conv1d_add_fwd = NULL;
    ck_assert_int_eq(ts_backend_complete(composed, NULL), 0);
    ck_assert(composed->conv1d_add_fwd != fused->conv1d_add_fwd);
    for (size_t tt = 0; tt < 3 * (sizeof cases / sizeof cases[0]); tt++) {
        const int *c = cases[tt / 3];
        ts_conv1d_shape s = conv_shape(c[0], c[1], c[2], c[3], c[4], c[5], c[6]);
        size_t nx = (size_t)s.batch * s.cin * s.lin, nw = (size_t)s.cout * s.cin * s.k;
        size_t ny = (size_t)s.batch * s.cout * s.lout, nv = (size_t)s.batch * s.cout;
        float *x = host_rand(nx), *w = host_rand(nw), *b = host_rand(s.cout);
        float *v = host_rand(nv), *r = host_rand(ny), *out[2][4];
        ts_backend *bes[2] = {fused, composed};
        for (int t = 0; t < 2; t++) {
            ts_backend *be = bes[t];
            ts_cpu_of(be)->conv3 = (tt % 3) && ts_cpu_conv3_available();
            ts_cpu_of(be)->wino3 = tt % 3 == 2;
            float *dx = dev_from(be, x, nx), *dw = dev_from(be, w, nw), *db = dev_from(be, b, s.cout);
            float *dv = dev_from(be, v, nv), *dr = dev_from(be, r, ny), *dy = dev_from(be, NULL, ny);
            for (int k = 0; k < 4; k++) {   /* neither, v, r, both */
                be->fill(be, dy, 99.0f, ny);
                be->conv1d_add_fwd(be, &s, dx, dw, db, k & 1 ? dv : NULL, k & 2 ? dr : NULL, dy);
                out[t][k] = host_from(be, dy, ny);
            }
            float *bufs[] = {dx, dw, db, dv, dr, dy};
            for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) be->free(be, bufs[i]);
        }
        for (int k = 0; k < 4; k++) {
            ck_assert_msg(memcmp(out[0][k], out[1][k], ny * sizeof(float)) == 0,
                          "conv_add case %zu path %zu addends %d: fused and composed differ",
                          tt / 3, tt % 3, k);
            if (k) ck_assert(memcmp(out[0][k], out[0][0], ny * sizeof(float)) != 0);
        }
        for (int t = 0; t < 2; t++)
            for (int k = 0; k < 4; k++) free(out[t][k]);
        free(x), free(w), free(b), free(v), free(r);
    }
    ts_backend_destroy(fused);
    ts_backend_destroy(composed);
}
END_TEST

/* Backward passes in double against direct loops, on wider shapes: a batch
 * that does not divide into the 8 filter-gradient groups, many channels,
 * pointwise. */
START_TEST(test_conv_bwd_naive)
{
    static const int cases[][7] = {
        {11, 5, 70, 13, 3, 1, 1}, {11, 5, 70, 13, 3, 2, 1}, {9, 66, 3, 8, 1, 1, 0},
        {3, 4, 130, 9, 5, 2, 2}, {11, 16, 8, 13, 3, 1, 1}, {3, 24, 16, 40, 3, 1, 1},
        /* the direct filter gradient: cin not a multiple of 16, one
         * position, several channel tiles, spans of 128 positions */
        {10, 9, 16, 37, 3, 1, 1}, {5, 3, 8, 1, 3, 1, 1}, {3, 40, 24, 32, 3, 1, 1},
        {3, 16, 8, 300, 3, 1, 1},
        /* Winograd (rows a multiple of 8, 16 or more columns): backward data
         * (cin x cout) and filter gradient (cout x cin) */
        {9, 16, 32, 38, 3, 1, 1}, {2, 64, 16, 181, 3, 1, 1},
        /* ... and its edges: one position (a single tile, mostly padding), a
         * batch of one, a row a tile and one point long */
        {3, 16, 8, 1, 3, 1, 1}, {1, 32, 16, 5, 3, 1, 1}, {17, 16, 16, 4, 3, 1, 1},
    };
    ts_backend *be = cpu();
    for (size_t tt = 0; tt < 3 * (sizeof cases / sizeof cases[0]); tt++) {
        const size_t t = tt / 3;
        ts_cpu_of(be)->conv3 = (tt % 3) && ts_cpu_conv3_available();
        ts_cpu_of(be)->wino3 = tt % 3 == 2;
        const double tol = tt % 3 == 2 ? WINO_TOL : 1e-5;
        const int *v = cases[t];
        ts_conv1d_shape s = conv_shape(v[0], v[1], v[2], v[3], v[4], v[5], v[6]);
        size_t nx = (size_t)s.batch * s.cin * s.lin, nw = (size_t)s.cout * s.cin * s.k;
        size_t ny = (size_t)s.batch * s.cout * s.lout;
        float *x = host_rand(nx), *w = host_rand(nw), *dy = host_rand(ny);
        double *rdx = calloc(nx, sizeof *rdx), *rdw = calloc(nw, sizeof *rdw);
        double *rdb = calloc(s.cout, sizeof *rdb);
        for (int b = 0; b < s.batch; b++)
            for (int co = 0; co < s.cout; co++)
                for (int lo = 0; lo < s.lout; lo++) {
                    double g = dy[((size_t)b * s.cout + co) * s.lout + lo];
                    rdb[co] += g;
                    for (int ci = 0; ci < s.cin; ci++)
                        for (int kk = 0; kk < s.k; kk++) {
                            int li = lo * s.stride - s.pad + kk;
                            if (li < 0 || li >= s.lin) continue;
                            size_t ix = ((size_t)b * s.cin + ci) * s.lin + li;
                            size_t iw = ((size_t)co * s.cin + ci) * s.k + kk;
                            rdx[ix] += g * w[iw];
                            rdw[iw] += g * x[ix];
                        }
                }
        for (size_t i = 0; i < nw; i++) rdw[i] += 0.25;       /* dw accumulates */
        for (int i = 0; i < s.cout; i++) rdb[i] += 0.25;
        float *d_x = dev_from(be, x, nx), *d_w = dev_from(be, w, nw), *d_dy = dev_from(be, dy, ny);
        float *d_dx = dev_from(be, NULL, nx), *d_dw = dev_from(be, NULL, nw);
        float *d_db = dev_from(be, NULL, s.cout);
        be->fill(be, d_dx, 5.0f, nx);
        be->fill(be, d_dw, 0.25f, nw);
        be->fill(be, d_db, 0.25f, s.cout);
        be->conv1d_bwd_data(be, &s, d_dy, d_w, d_dx);
        be->conv1d_bwd_filter(be, &s, d_x, d_dy, d_dw, d_db);
        float *gx = host_from(be, d_dx, nx), *gw = host_from(be, d_dw, nw);
        float *gb = host_from(be, d_db, s.cout);
        double e1 = close_ratio(gx, rdx, nx, tol, tol), e2 = close_ratio(gw, rdw, nw, tol, tol);
        double e3 = close_ratio(gb, rdb, s.cout, 1e-5, 1e-5);
        ck_assert_msg(e1 <= 1.0 && e2 <= 1.0 && e3 <= 1.0,
                      "conv bwd case %zu: dx %.3g dw %.3g db %.3g tolerances", t, e1, e2, e3);
        free(x); free(w); free(dy); free(rdx); free(rdw); free(rdb);
        free(gx); free(gw); free(gb);
        float *bufs[] = {d_x, d_w, d_dy, d_dx, d_dw, d_db};
        for (int i = 0; i < 6; i++) be->free(be, bufs[i]);
    }
    ts_backend_destroy(be);
}
END_TEST

/* ---- gemm -------------------------------------------------------------- */

/* C = alpha op(A) op(B) + beta C, row-major, in double. */
static void gemm_naive(int ta, int tb, int m, int n, int k, double alpha, const float *a,
                       int lda, const float *b, int ldb, double beta, const float *c0,
                       int ldc, double *c)
{
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            double acc = 0.0;
            for (int p = 0; p < k; p++) {
                double av = ta ? a[p * lda + i] : a[i * lda + p];
                double bv = tb ? b[j * ldb + p] : b[p * ldb + j];
                acc += av * bv;
            }
            c[i * ldc + j] = alpha * acc + beta * c0[i * ldc + j];
        }
}

/* Small (one call), tall (split by rows) and wide (split by columns). */
static const int gemm_sizes[][3] = {{7, 5, 6}, {400, 130, 48}, {130, 400, 48}};

START_TEST(test_gemm)
{
    ts_backend *be = cpu();
    const int m = gemm_sizes[_i][0], n = gemm_sizes[_i][1], k = gemm_sizes[_i][2];
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++) {
            /* Leading dimensions larger than needed, to test strides. */
            int lda = (ta ? m : k) + 2, ldb = (tb ? k : n) + 1, ldc = n + 3;
            long sa = (long)(ta ? k : m) * lda, sb = (long)(tb ? n : k) * ldb;
            long sc = (long)m * ldc;
            float *a = host_rand(sa), *b = host_rand(sb), *c = host_rand(sc);
            double *ref = malloc(sc * sizeof *ref);
            gemm_naive(ta, tb, m, n, k, 0.75, a, lda, b, ldb, -0.5, c, ldc, ref);
            for (int i = 0; i < m; i++)             /* the padding stays as it was */
                for (int j = n; j < ldc; j++) ref[(long)i * ldc + j] = c[(long)i * ldc + j];
            float *da = dev_from(be, a, sa), *db = dev_from(be, b, sb), *dc = dev_from(be, c, sc);
            be->gemm(be, ta, tb, m, n, k, 0.75f, da, lda, db, ldb, -0.5f, dc, ldc);
            float *out = host_from(be, dc, sc);
            double w1 = close_ratio(out, ref, sc, 1e-5, 1e-5);
            ck_assert_msg(w1 <= 1.0, "gemm ta=%d tb=%d off by %.3g", ta, tb, w1);
            free(a); free(b); free(c); free(ref); free(out);
            be->free(be, da); be->free(be, db); be->free(be, dc);
        }
    ts_backend_destroy(be);
}
END_TEST

/* ---- group norm -------------------------------------------------------- */

START_TEST(test_groupnorm_fwd)
{
    /* Against a direct computation in double; statistics saved. */
    ts_backend *be = cpu();
    const int B = 3, C = 8, L = 11, G = 4, cpg = C / G;
    size_t n = (size_t)B * C * L;
    float *x = host_rand(n), *gam = host_rand(C), *bet = host_rand(C);
    for (size_t i = 0; i < n; i++) x[i] = 3.0f + 2.0f * x[i];   /* a non-zero mean */
    float *dx = dev_from(be, x, n), *dg = dev_from(be, gam, C), *dbt = dev_from(be, bet, C);
    float *dy = dev_from(be, NULL, n), *dm = dev_from(be, NULL, B * G);
    float *dr = dev_from(be, NULL, B * G);
    be->groupnorm_fwd(be, B, C, L, G, dx, dg, dbt, dy, dm, dr);
    float *y = host_from(be, dy, n), *mean = host_from(be, dm, B * G);
    float *rstd = host_from(be, dr, B * G);
    double *ref = malloc(n * sizeof *ref);
    for (int b = 0; b < B; b++)
        for (int g = 0; g < G; g++) {
            const float *xg = x + ((size_t)b * C + g * cpg) * L;
            double s = 0, ss = 0;
            for (int i = 0; i < cpg * L; i++) s += xg[i];
            double mu = s / (cpg * L);
            for (int i = 0; i < cpg * L; i++) ss += (xg[i] - mu) * (xg[i] - mu);
            double rs = 1.0 / sqrt(ss / (cpg * L) + 1e-5);
            ck_assert_double_eq_tol(mean[b * G + g], mu, 1e-5 * fabs(mu));
            ck_assert_double_eq_tol(rstd[b * G + g], rs, 1e-5 * rs);
            for (int i = 0; i < cpg * L; i++) {
                int c = g * cpg + i / L;
                ref[((size_t)b * C + g * cpg) * L + i] = (xg[i] - mu) * rs * gam[c] + bet[c];
            }
        }
    ck_assert(close_ratio(y, ref, n, 1e-5, 1e-5) <= 1.0);
    free(x); free(gam); free(bet); free(y); free(mean); free(rstd); free(ref);
    be->free(be, dx); be->free(be, dg); be->free(be, dbt); be->free(be, dy);
    be->free(be, dm); be->free(be, dr);
    ts_backend_destroy(be);
}
END_TEST

/* ---- elementwise and layout ops ---------------------------------------- */

START_TEST(test_elementwise_values)
{
    ts_backend *be = cpu();
    const int rows = 3;
    const size_t n = 50000, tot = rows * n;          /* large enough to thread */
    float *x = host_rand(tot), *y = host_rand(tot);
    float *dx = dev_from(be, x, tot), *dy = dev_from(be, y, tot);
    float *dz = dev_from(be, NULL, tot);
    double *ref = malloc(tot * sizeof *ref);

    be->axpby(be, tot, 2.0f, dx, -3.0f, dz);         /* z = 2x - 3*0 */
    be->axpby(be, tot, 0.5f, dy, 1.5f, dz);          /* z = 0.5y + 1.5z */
    float *z = host_from(be, dz, tot);
    for (size_t i = 0; i < tot; i++) ref[i] = 0.5 * y[i] + 3.0 * x[i];
    ck_assert(close_ratio(z, ref, tot, 1e-6, 1e-6) <= 1.0);
    free(z);

    /* mix_rows, also in place over x. */
    const float ha[3] = {0.5f, -1.0f, 2.0f}, hb[3] = {1.0f, 0.25f, 0.0f};
    for (size_t i = 0; i < tot; i++) ref[i] = (double)ha[i / n] * x[i] + (double)hb[i / n] * y[i];
    be->mix_rows(be, rows, n, ha, dx, hb, dy, dz);
    z = host_from(be, dz, tot);
    ck_assert(close_ratio(z, ref, tot, 1e-6, 1e-7) <= 1.0);
    free(z);
    be->mix_rows(be, rows, n, ha, dx, hb, dy, dx);
    z = host_from(be, dx, tot);
    ck_assert(close_ratio(z, ref, tot, 1e-6, 1e-7) <= 1.0);
    free(z);
    be->upload(be, dx, x, tot);

    /* sumsq in double. */
    double s = 0.0;
    for (size_t i = 0; i < tot; i++) s += (double)x[i] * x[i];
    ck_assert_double_eq_tol(be->sumsq(be, tot, dx), s, 1e-9 * s);
    ck_assert_double_eq_tol(be->sumsq(be, 7, dx), (double)x[0] * x[0] + (double)x[1] * x[1] +
                            (double)x[2] * x[2] + (double)x[3] * x[3] + (double)x[4] * x[4] +
                            (double)x[5] * x[5] + (double)x[6] * x[6], 1e-9);

    /* masked_sse: the sum, the count, the gradient at the scale given; an
     * all-zero mask has sum, count and gradient 0. */
    float *mask = malloc(tot * sizeof *mask);
    double se = 0.0, sm = 0.0;
    for (size_t i = 0; i < tot; i++) {
        mask[i] = (i % 3) ? 1.0f : 0.0f;
        se += mask[i] * ((double)x[i] - y[i]) * ((double)x[i] - y[i]);
        sm += mask[i];
    }
    float *dm = dev_from(be, mask, tot);
    double count = -1;
    ck_assert_double_eq_tol(be->masked_sse(be, tot, dx, dy, dm, 0.75f, dz, &count), se,
                            1e-9 * se);
    ck_assert_double_eq(count, sm);
    z = host_from(be, dz, tot);
    for (size_t i = 0; i < tot; i++) ref[i] = 0.75 * mask[i] * ((double)x[i] - y[i]);
    ck_assert(close_ratio(z, ref, tot, 1e-6, 1e-12) <= 1.0);
    free(z);
    be->fill(be, dm, 0.0f, tot);
    ck_assert_double_eq(be->masked_sse(be, tot, dx, dy, dm, 0.75f, dz, &count), 0.0);
    ck_assert_double_eq(count, 0.0);
    ck_assert_double_eq(be->sumsq(be, tot, dz), 0.0);
    ck_assert_double_eq(be->masked_sse(be, 0, dx, dy, dm, 0.75f, dz, &count), 0.0);
    ck_assert_double_eq(count, 0.0);

    free(x); free(y); free(ref); free(mask);
    be->free(be, dx); be->free(be, dy); be->free(be, dz); be->free(be, dm);
    ts_backend_destroy(be);
}
END_TEST

/* SiLU and its derivative against libm in double, tails included. */
START_TEST(test_silu_values)
{
    ts_backend *be = cpu();
    const size_t n = 40001;
    float *x = malloc(n * sizeof *x), *ones = malloc(n * sizeof *ones);
    double *ry = malloc(n * sizeof *ry), *rd = malloc(n * sizeof *rd);
    for (size_t i = 0; i < n; i++) {
        x[i] = (float)(-100.0 + 200.0 * i / (n - 1));
        ones[i] = 1.0f;
        double s = 1.0 / (1.0 + exp(-(double)x[i]));
        ry[i] = x[i] * s;
        rd[i] = s * (1.0 + x[i] * (1.0 - s));
    }
    float *dx = dev_from(be, x, n), *d1 = dev_from(be, ones, n), *dy = dev_from(be, NULL, n);
    be->silu_fwd(be, n, dx, dy);
    float *y = host_from(be, dy, n);
    double w1 = close_ratio(y, ry, n, 2e-6, 1e-30);
    ck_assert_msg(w1 <= 1.0, "silu off by %.3g tolerances", w1);
    be->silu_bwd(be, n, dx, d1, dy);
    float *d = host_from(be, dy, n);
    double w2 = close_ratio(d, rd, n, 2e-6, 1e-6);   /* silu' crosses 0 */
    ck_assert_msg(w2 <= 1.0, "silu' off by %.3g tolerances", w2);
    ck_assert(y[n / 2] == 0.0f && d[n / 2] == 0.5f);      /* x = 0 exactly */
    free(x); free(ones); free(ry); free(rd); free(y); free(d);
    be->free(be, dx); be->free(be, d1); be->free(be, dy);
    ts_backend_destroy(be);
}
END_TEST

/* Reductions give the same bits on 1 and 2 threads. */
START_TEST(test_thread_independence)
{
    ts_backend *b1 = ts_backend_cpu_create(1), *b2 = ts_backend_cpu_create(2);
    const int B = 4, C = 32, L = 600, G = 8;
    size_t n = (size_t)B * C * L;
    float *x = host_rand(n), *dy = host_rand(n), *gam = host_rand(C), *bet = host_rand(C);
    float *mask = host_rand(n);
    float *out[2][4];
    double ss[2], sse[2], cnt[2];
    ts_backend *bes[2] = {b1, b2};
    for (int t = 0; t < 2; t++) {
        ts_backend *be = bes[t];
        float *dx_ = dev_from(be, x, n), *ddy = dev_from(be, dy, n);
        float *dg = dev_from(be, gam, C), *db = dev_from(be, bet, C), *dmk = dev_from(be, mask, n);
        float *y = dev_from(be, NULL, n), *m = dev_from(be, NULL, B * G), *r = dev_from(be, NULL, B * G);
        float *gx = dev_from(be, NULL, n), *gg = dev_from(be, NULL, C), *gb = dev_from(be, NULL, C);
        float *dv = dev_from(be, NULL, C * L);
        be->groupnorm_fwd(be, B, C, L, G, dx_, dg, db, y, m, r);
        be->groupnorm_bwd(be, B, C, L, G, ddy, dx_, dg, m, r, gx, gg, gb);
        be->add_rowvec_bwd(be, B, C * L, ddy, dv);
        ss[t] = be->sumsq(be, n, dx_);
        sse[t] = be->masked_sse(be, n, dx_, ddy, dmk, 0.5f, y, &cnt[t]);
        out[t][0] = host_from(be, gx, n);
        out[t][1] = host_from(be, gg, C);
        out[t][2] = host_from(be, dv, C * L);
        out[t][3] = host_from(be, y, n);
        float *bufs[] = {dx_, ddy, dg, db, dmk, y, m, r, gx, gg, gb, dv};
        for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) be->free(be, bufs[i]);
    }
    ck_assert(memcmp(out[0][0], out[1][0], n * sizeof(float)) == 0);
    ck_assert(memcmp(out[0][1], out[1][1], C * sizeof(float)) == 0);
    ck_assert(memcmp(out[0][2], out[1][2], (size_t)C * L * sizeof(float)) == 0);
    ck_assert(memcmp(out[0][3], out[1][3], n * sizeof(float)) == 0);
    ck_assert(ss[0] == ss[1] && sse[0] == sse[1] && cnt[0] == cnt[1]);
    for (int t = 0; t < 2; t++)
        for (int i = 0; i < 4; i++) free(out[t][i]);

    /* Convolutions and split GEMMs too: OpenBLAS runs on one thread, on
     * blocks that do not depend on the thread count. */
    ts_conv1d_shape cs = conv_shape(B, C, 80, L / 4, 3, 2, 1);
    size_t ncy = (size_t)B * 80 * cs.lout, ncw = (size_t)80 * C * 3;
    float *cy[2], *cdx[2], *cdw[2], *cg[2];
    for (int t = 0; t < 2; t++) {
        ts_backend *be = bes[t];
        size_t nx = (size_t)B * C * (L / 4);
        float *d_x = dev_from(be, x, nx), *d_w = dev_from(be, dy, ncw), *d_dy = dev_from(be, dy, ncy);
        float *d_y = dev_from(be, NULL, ncy), *d_dx = dev_from(be, NULL, nx);
        float *d_dw = dev_from(be, NULL, ncw), *d_g = dev_from(be, NULL, 300 * 400);
        float *d_a = dev_from(be, x, 300 * 100), *d_b = dev_from(be, dy, 400 * 100);
        be->conv1d_fwd(be, &cs, d_x, d_w, NULL, d_y);
        be->conv1d_bwd_data(be, &cs, d_dy, d_w, d_dx);
        be->conv1d_bwd_filter(be, &cs, d_x, d_dy, d_dw, NULL);
        be->gemm(be, 0, 1, 300, 400, 100, 1.0f, d_a, 100, d_b, 100, 0.0f, d_g, 400);
        cy[t] = host_from(be, d_y, ncy);
        cdx[t] = host_from(be, d_dx, nx);
        cdw[t] = host_from(be, d_dw, ncw);
        cg[t] = host_from(be, d_g, 300 * 400);
        float *bufs[] = {d_x, d_w, d_dy, d_y, d_dx, d_dw, d_g, d_a, d_b};
        for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) be->free(be, bufs[i]);
    }
    ck_assert(memcmp(cy[0], cy[1], ncy * sizeof(float)) == 0);
    ck_assert(memcmp(cdx[0], cdx[1], (size_t)B * C * (L / 4) * sizeof(float)) == 0);
    ck_assert(memcmp(cdw[0], cdw[1], ncw * sizeof(float)) == 0);
    ck_assert(memcmp(cg[0], cg[1], 300 * 400 * sizeof(float)) == 0);
    for (int t = 0; t < 2; t++) {
        free(cy[t]); free(cdx[t]); free(cdw[t]); free(cg[t]);
    }
    free(x); free(dy); free(gam); free(bet); free(mask);
    ts_backend_destroy(b1);
    ts_backend_destroy(b2);
}
END_TEST

/* ---- optimizer --------------------------------------------------------- */

START_TEST(test_adamw_ema)
{
    ts_backend *be = cpu();
    const size_t n = 1000;
    const float lr = 1e-2f, b1 = 0.9f, b2 = 0.999f, eps = 1e-8f, wd = 0.1f, decay = 0.95f;
    float *p = host_rand(n);
    double *rp = malloc(n * sizeof *rp), *rm = calloc(n, sizeof *rm);
    double *rv = calloc(n, sizeof *rv), *re = malloc(n * sizeof *re);
    for (size_t i = 0; i < n; i++) rp[i] = re[i] = p[i];
    float *dp = dev_from(be, p, n), *dm = dev_from(be, NULL, n), *dv = dev_from(be, NULL, n);
    float *de = dev_from(be, p, n), *dg = dev_from(be, NULL, n);
    for (long step = 1; step <= 5; step++) {
        float *g = host_rand(n);
        be->upload(be, dg, g, n);
        be->adamw(be, n, dp, dg, dm, dv, lr, b1, b2, eps, wd, step);
        be->ema(be, n, de, dp, decay);
        for (size_t i = 0; i < n; i++) {
            rm[i] = b1 * rm[i] + (1.0 - b1) * g[i];
            rv[i] = b2 * rv[i] + (1.0 - b2) * (double)g[i] * g[i];
            double mh = rm[i] / (1.0 - pow(b1, step)), vh = rv[i] / (1.0 - pow(b2, step));
            rp[i] -= lr * (mh / (sqrt(vh) + eps) + wd * rp[i]);
            re[i] = decay * re[i] + (1.0 - decay) * rp[i];
        }
        free(g);
    }
    float *hp = host_from(be, dp, n), *hm = host_from(be, dm, n);
    float *hv = host_from(be, dv, n), *he = host_from(be, de, n);
    ck_assert(close_ratio(hp, rp, n, 1e-5, 1e-6) <= 1.0);
    ck_assert(close_ratio(hm, rm, n, 1e-5, 1e-7) <= 1.0);
    ck_assert(close_ratio(hv, rv, n, 1e-5, 1e-9) <= 1.0);
    ck_assert(close_ratio(he, re, n, 1e-5, 1e-6) <= 1.0);
    /* The update moved the weights by about lr per step. */
    double moved = 0.0;
    for (size_t i = 0; i < n; i++) moved += fabs(hp[i] - p[i]);
    ck_assert(moved / n > 0.5 * lr && moved / n < 5 * 5 * lr);
    free(p); free(rp); free(rm); free(rv); free(re); free(hp); free(hm); free(hv); free(he);
    be->free(be, dp); be->free(be, dm); be->free(be, dv); be->free(be, de); be->free(be, dg);
    ts_backend_destroy(be);
}
END_TEST

/* ---- Philox ------------------------------------------------------------- */

START_TEST(test_philox_kat)
{
    /* Known answers of Random123 (kat_vectors, philox4x32 10). */
    static const uint32_t ctr[3][4] = {
        {0, 0, 0, 0},
        {0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
        {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}};
    static const uint32_t key[3][2] = {{0, 0}, {0xffffffff, 0xffffffff},
                                       {0xa4093822, 0x299f31d0}};
    static const uint32_t want[3][4] = {
        {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8},
        {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd},
        {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}};
    for (int t = 0; t < 3; t++) {
        uint32_t out[4];
        ts_philox4x32(ctr[t], key[t], out);
        for (int i = 0; i < 4; i++)
            ck_assert_msg(out[i] == want[t][i], "vector %d word %d: %08x, want %08x",
                          t, i, out[i], want[t][i]);
    }
}
END_TEST

START_TEST(test_philox_stream)
{
    /* The documented mapping, rebuilt by hand from the block function. */
    const uint64_t seed = 0x123456789abcdefull;
    float z[12];
    ts_philox_normals(seed, 0, 12, z);
    for (uint64_t j = 0; j < 3; j++) {
        uint32_t c[4] = {(uint32_t)j, 0, 0, 0}, k[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
        uint32_t w[4];
        ts_philox4x32(c, k, w);
        for (int p = 0; p < 2; p++) {
            double u = ((w[2 * p] >> 8) + 0.5) / 16777216.0;
            double v = ((w[2 * p + 1] >> 8) + 0.5) / 16777216.0;
            ck_assert_double_eq(ts_philox_uniform(seed, 4 * j + 2 * p), u);
            ck_assert_double_eq(ts_philox_uniform(seed, 4 * j + 2 * p + 1), v);
            double r = sqrt(-2.0 * log(u));
            ck_assert(z[4 * j + 2 * p] == (float)(r * cos(2 * M_PI * v)));
            ck_assert(z[4 * j + 2 * p + 1] == (float)(r * sin(2 * M_PI * v)));
        }
    }
    /* Offsets: any window of the stream, from any start. */
    float part[9];
    ts_philox_normals(seed, 3, 9, part);
    ck_assert(memcmp(part, z + 3, sizeof part) == 0);
    /* High counter words and seeds are used. */
    float a[4], b[4];
    ts_philox_normals(seed, (1ull << 34), 4, a);
    ts_philox_normals(seed, 0, 4, b);
    ck_assert(memcmp(a, b, sizeof a) != 0);
    ts_philox_normals(seed ^ (1ull << 40), 0, 4, a);
    ck_assert(memcmp(a, b, sizeof a) != 0);
}
END_TEST

START_TEST(test_randn)
{
    ts_backend *be = cpu();
    const size_t n = 1000000;
    float *d = dev_from(be, NULL, n);
    be->randn(be, n, 42, 17, d);
    float *h = host_from(be, d, n);
    double s = 0.0, ss = 0.0;
    for (size_t i = 0; i < n; i++) s += h[i];
    double mean = s / n;
    for (size_t i = 0; i < n; i++) ss += (h[i] - mean) * (h[i] - mean);
    double var = ss / (n - 1);
    ck_assert_msg(fabs(mean) < 5.0 / sqrt((double)n), "mean %g", mean);
    ck_assert_msg(fabs(var - 1.0) < 5.0 * sqrt(2.0 / n), "variance %g", var);
    /* Deterministic, the same as the host stream and any thread count. */
    be->randn(be, n, 42, 17, d);
    float *h2 = host_from(be, d, n);
    ck_assert(memcmp(h, h2, n * sizeof *h) == 0);
    ts_philox_normals_mt(42, 17, n, h2, 1);
    ck_assert(memcmp(h, h2, n * sizeof *h) == 0);
    ts_philox_normals_mt(42, 17, n, h2, 3);
    ck_assert(memcmp(h, h2, n * sizeof *h) == 0);
    /* Another seed, other numbers. */
    be->randn(be, 8, 43, 17, d);
    be->download(be, h2, d, 8);
    ck_assert(memcmp(h, h2, 8 * sizeof *h) != 0);
    free(h); free(h2);
    be->free(be, d);
    ts_backend_destroy(be);
}
END_TEST

/* ---- backend selection ------------------------------------------------- */

START_TEST(test_backend_open)
{
    ts_error err = {0};
    ts_backend *be = NULL;
    setenv("TSDIFF_CUDA_MODULE", "/nonexistent/tsdiff-cuda.so", 1);
    ts_set_quiet(1);

    ck_assert_int_eq(ts_backend_open("cuda", 1, &be, &err), TS_EUNAVAIL);
    ck_assert_ptr_null(be);
    ck_assert_msg(strstr(err.msg, "cuda") && strstr(err.msg, "/nonexistent/tsdiff-cuda.so"),
                  "message: %s", err.msg);

    ck_assert_int_eq(ts_backend_open("auto", 1, &be, &err), 0);
    ck_assert_str_eq(be->name, "cpu");
    ts_backend_destroy(be);

    setenv("TSDIFF_DEVICE", "cpu", 1);
    ck_assert_int_eq(ts_backend_open(NULL, 1, &be, &err), 0);
    ck_assert_str_eq(be->name, "cpu");
    ts_backend_destroy(be);

    setenv("TSDIFF_DEVICE", "cuda", 1);
    be = NULL;
    ck_assert_int_eq(ts_backend_open(NULL, 1, &be, &err), TS_EUNAVAIL);
    ck_assert_ptr_null(be);
    unsetenv("TSDIFF_DEVICE");

    ck_assert_int_eq(ts_backend_open("tpu", 1, &be, &err), TS_EUSAGE);
    ck_assert_ptr_null(be);
    ck_assert_ptr_nonnull(strstr(err.msg, "tpu"));

    /* A file that is not a module is reported, not loaded; auto goes on. */
    setenv("TSDIFF_CUDA_MODULE", "/dev/null", 1);
    ck_assert_int_eq(ts_backend_open("cuda", 1, &be, &err), TS_EUNAVAIL);
    ck_assert_ptr_nonnull(strstr(err.msg, "/dev/null"));
    ck_assert_int_eq(ts_backend_open("auto", 1, &be, &err), 0);
    ck_assert_str_eq(be->name, "cpu");
    ts_backend_destroy(be);
    unsetenv("TSDIFF_CUDA_MODULE");
    ts_set_quiet(0);
}
END_TEST

static Suite *ops_suite(void)
{
    Suite *s = suite_create("ops");
    TCase *tc = tcase_create("cpu");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_op_grad, 0, (int)op_table_len);
    tcase_add_test(tc, test_fused_fallback);
    tcase_add_test(tc, test_groupnorm_silu_paths);
    tcase_add_test(tc, test_conv_fwd_naive);
    tcase_add_test(tc, test_conv_add_fused);
    tcase_add_test(tc, test_conv_bwd_naive);
    tcase_add_loop_test(tc, test_gemm, 0, 3);
    tcase_add_test(tc, test_groupnorm_fwd);
    tcase_add_test(tc, test_elementwise_values);
    tcase_add_test(tc, test_silu_values);
    tcase_add_test(tc, test_thread_independence);
    tcase_add_test(tc, test_adamw_ema);
    tcase_add_test(tc, test_philox_kat);
    tcase_add_test(tc, test_philox_stream);
    tcase_add_test(tc, test_randn);
    tcase_add_test(tc, test_backend_open);
    suite_add_tcase(s, tc);
    return s;
}

/* ---- --speed ------------------------------------------------------------ */

enum { SPEED_REPS = 20 };

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

/* Best of SPEED_REPS runs of a row's forward (or backward) after a warm-up:
 * the time inside its OP_TIMED, the op calls alone, each waited for (the
 * row's copies, host transfers and scratch are left out). */
static double best_time(ts_backend *be, const op_row *row, const int *shape, int backward,
                        float *const *in, float *out, float *const *grad)
{
    double best = 1e30;
    op_timing(1);
    for (int r = 0; r <= SPEED_REPS; r++) {
        if (backward) row->bwd(be, shape, in, out, grad);
        else row->fwd(be, shape, in, out);
        double t = op_timed();
        if (r > 0 && t < best) best = t;
    }
    op_timing(0);
    return best;
}

static void speed_print(const char *what, int backward, double t, double flops)
{
    if (!backward) printf("%-48s", what);
    printf("  %s %8.3f ms", backward ? "bwd" : "fwd", t * 1e3);
    if (flops > 0.0) printf(" %6.1f GFLOP/s", flops / t * 1e-9);
}

static void speed_row(ts_backend *be, const op_row *row, const int *shape)
{
    size_t in_n[OP_MAXIN] = {0}, out_n = 0, most = 0;
    row->size(shape, in_n, &out_n);
    for (int i = 0; i < row->nin; i++) most = in_n[i] > most ? in_n[i] : most;
    float *h = malloc((most > out_n ? most : out_n) * sizeof *h);
    float *in[OP_MAXIN] = {0}, *grad[OP_MAXIN] = {0}, *out = be->alloc(be, out_n);
    for (int i = 0; i < row->nin; i++) {
        if (!in_n[i]) continue;
        op_fill(h, in_n[i], row->in_kind[i]);
        in[i] = be->alloc(be, in_n[i]);
        be->upload(be, in[i], h, in_n[i]);
        if (row->grad[i] != G_NONE) grad[i] = be->alloc(be, in_n[i]);
    }
    char what[128];
    op_describe(row, shape, what, sizeof what);
    for (int backward = 0; backward < 2; backward++) {
        if (backward && !row->bwd) break;
        double t = best_time(be, row, shape, backward, in, out, grad);
        speed_print(what, backward, t, row->flops ? row->flops(shape, backward) : 0.0);
        if (backward) continue;
        op_fill(h, out_n, IN_RAND);            /* d out for the backward */
        be->upload(be, out, h, out_n);
    }
    printf("\n");
    for (int i = 0; i < row->nin; i++) {
        be->free(be, in[i]);
        be->free(be, grad[i]);
    }
    be->free(be, out);
    free(h);
}

/* OpenBLAS sgemm on the host, C = op(A) op(B) packed, on `threads` threads:
 * the scale for the gemm row (as the old bench/ops_speed printed it). */
static void speed_sgemm(int m, int n, int k, int ta, int tb, int threads)
{
#ifdef OPENBLAS_VERSION
    openblas_set_num_threads(threads);
#endif
    float *a = malloc((size_t)m * k * sizeof *a), *b = malloc((size_t)k * n * sizeof *b);
    float *c = malloc((size_t)m * n * sizeof *c);
    op_fill(a, (size_t)m * k, IN_RAND);
    op_fill(b, (size_t)k * n, IN_RAND);
    double best = 1e30;
    for (int r = 0; r <= SPEED_REPS; r++) {
        double t0 = now();
        cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                    m, n, k, 1.0f, a, ta ? m : k, b, tb ? k : n, 0.0f, c, n);
        double t = now() - t0;
        if (r > 0 && t < best) best = t;
    }
    char what[96];
    snprintf(what, sizeof what, "sgemm %d %d %d %d %d (OpenBLAS, %d thread%s)", m, n, k, ta, tb,
             threads, threads == 1 ? "" : "s");
    speed_print(what, 0, best, 2.0 * m * n * k);
    printf("\n");
    free(a), free(b), free(c);
#ifdef OPENBLAS_VERSION
    openblas_set_num_threads(1);               /* as the CPU backend keeps it */
#endif
}

/* Beside the gemm row: OpenBLAS at the row's shapes on all threads and on
 * one, at one batch element's share (128 of the rows) as the CPU backend
 * splits it, and at 1024^3. */
static void speed_sgemm_all(const op_row *gemm, int threads)
{
    for (int k = 0; k < OP_MAXSPEED && gemm->speed[k][0]; k++) {
        const int *v = gemm->speed[k];
        speed_sgemm(v[0], v[1], v[2], v[3], v[4], threads);
        speed_sgemm(v[0], v[1], v[2], v[3], v[4], 1);
        speed_sgemm(128, v[1], v[2], v[3], v[4], 1);
    }
    speed_sgemm(1024, 1024, 1024, 0, 0, threads);
    speed_sgemm(1024, 1024, 1024, 0, 0, 1);
}

/* check_ops --speed [--device D] [--threads N]. */
static int run_speed(int argc, char **argv)
{
    const char *device = "cpu";
    int threads = 0;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--device") == 0 && i + 1 < argc) device = argv[++i];
        else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) threads = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: check_ops --speed [--device cpu|cuda] [--threads N]\n");
            return 2;
        }
    }
    ts_backend *be = NULL;
    ts_error err = {0};
    if (ts_backend_open(device, threads, &be, &err) != 0) {
        fprintf(stderr, "check_ops: %s\n", err.msg);
        return 1;
    }
    printf("backend %s, best of %d runs (shape as in tests/op_table.c)\n", be->name,
           SPEED_REPS);
    for (size_t r = 0; r < op_table_len; r++) {
        const op_row *row = &op_table[r];
        for (int k = 0; k < OP_MAXSPEED && row->speed[k][0]; k++) speed_row(be, row, row->speed[k]);
        if (strcmp(row->name, "gemm") == 0)
            speed_sgemm_all(row, threads > 0 ? threads : omp_get_num_procs());
    }
    ts_backend_destroy(be);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--speed") == 0) return run_speed(argc, argv);
    if (argc > 1) {
        fprintf(stderr, "usage: check_ops [--speed [--device cpu|cuda] [--threads N]]\n");
        return 2;
    }
    SRunner *sr = srunner_create(ops_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
