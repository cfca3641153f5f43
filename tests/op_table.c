/* op_table.c - the rows of the op checks (see op_table.h): for every op of
 * nn/ops.h, a forward and (where the op has one) a backward written against
 * the backend interface, the sizes they need and the shapes each mode runs.
 */
#define _POSIX_C_SOURCE 200809L   /* clock_gettime */
#include "op_table.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* ---- test data ----------------------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

double op_urand(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) * (1.0 / 9007199254740992.0);
}

void op_fill(float *a, size_t n, int kind)
{
    for (size_t i = 0; i < n; i++) {
        double u = op_urand();
        switch (kind) {
        case IN_MASK: a[i] = u < 0.7 ? 1.0f : 0.0f; break;
        case IN_POS: a[i] = (float)(0.1 + u); break;
        case IN_WIDE: a[i] = (float)(-12.0 + 24.0 * u); break;
        case IN_SHIFT: a[i] = (float)(-2.0 + 5.0 * u); break;
        default: a[i] = (float)(op_urand() < 0.5 ? -(0.2 + u) : 0.2 + u); break;
        }
    }
}

const char *op_describe(const op_row *r, const int *shape, char *buf, size_t size)
{
    int last = 7, len = snprintf(buf, size, "%s", r->name);
    while (last > 0 && shape[last] == 0) last--;          /* trailing zeros */
    for (int i = 0; i <= last && len > 0 && (size_t)len < size; i++)
        len += snprintf(buf + len, size - len, " %d", shape[i]);
    return buf;
}

/* ---- speed: the time spent inside OP_TIMED ----------------------------------- */

static int timing;
static double time_start, time_sum;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

void op_timing(int on)
{
    timing = on;
    time_sum = 0.0;
}

void op_time_begin(ts_backend *be)
{
    if (!timing) return;
    be->sync(be);                       /* the row's set-up is not counted */
    time_start = now();
}

void op_time_end(ts_backend *be)
{
    if (!timing) return;
    be->sync(be);
    time_sum += now() - time_start;
}

double op_timed(void)
{
    double t = time_sum;
    time_sum = 0.0;
    return t;
}

/* Host scalars read from a 1-element backend array (the d loss of a scalar
 * output). */
static float scalar_of(ts_backend *be, const float *d)
{
    float v;
    be->download(be, &v, d, 1);
    return v;
}

/* ---- gemm: C = alpha op(A) op(B) + beta C0; shape m n k ta tb pad ab --------
 * A pad p > 0 widens the leading dimensions of A, B and C by p, p - 1 and
 * p + 2 (each its own, so that one taken for another shows); ab picks alpha
 * and beta. Where beta is 0, C starts as NaN (its padding as C0): no NaN
 * may come through. */

static const float gemm_ab[][2] = {
    {0.75f, -0.5f}, {1.0f, 0.0f}, {0.5f, 1.0f}, {-2.0f, 0.25f}, {1.5f, 1.0f},
};

static void gemm_dims(const int *v, int *lda, int *ldb, int *ldc)
{
    const int p = v[5];
    *lda = (v[3] ? v[0] : v[2]) + p;
    *ldb = (v[4] ? v[2] : v[1]) + (p ? p - 1 : 0);
    *ldc = v[1] + (p ? p + 2 : 0);
}

static void gemm_size(const int *v, size_t *in_n, size_t *out_n)
{
    int lda, ldb, ldc;
    gemm_dims(v, &lda, &ldb, &ldc);
    in_n[0] = (size_t)(v[3] ? v[2] : v[0]) * lda;
    in_n[1] = (size_t)(v[4] ? v[1] : v[2]) * ldb;
    in_n[2] = *out_n = (size_t)v[0] * ldc;
}

static void gemm_fwd(ts_backend *be, const int *v, float *const *in, float *out)
{
    const float alpha = gemm_ab[v[6]][0], beta = gemm_ab[v[6]][1];
    int lda, ldb, ldc;
    gemm_dims(v, &lda, &ldb, &ldc);
    if (beta != 0.0f) {
        be->copy(be, out, in[2], (size_t)v[0] * ldc);
    } else {
        be->fill(be, out, NAN, (size_t)v[0] * ldc);
        if (ldc > v[1])     /* the padding columns, as rows of a [m, ldc, 1] array */
            be->chan_copy(be, v[0], 1, ldc - v[1], in[2], ldc, v[1], out, ldc, v[1], 0);
    }
    OP_TIMED(be, be->gemm(be, v[3], v[4], v[0], v[1], v[2], alpha, in[0], lda, in[1], ldb,
                          beta, out, ldc));
}

/* d op(A) = alpha dC op(B)^T, d op(B) = alpha op(A)^T dC, stored as A, B are. */
static void gemm_bwd(ts_backend *be, const int *v, float *const *in, const float *dy,
                     float *const *g)
{
    const int m = v[0], n = v[1], k = v[2], ta = v[3], tb = v[4];
    const float alpha = gemm_ab[v[6]][0];
    int lda, ldb, ldc;
    gemm_dims(v, &lda, &ldb, &ldc);
    op_time_begin(be);
    if (!ta) be->gemm(be, 0, !tb, m, k, n, alpha, dy, ldc, in[1], ldb, 0.0f, g[0], lda);
    else be->gemm(be, tb, 1, k, m, n, alpha, in[1], ldb, dy, ldc, 0.0f, g[0], lda);
    if (!tb) be->gemm(be, !ta, 0, k, n, m, alpha, in[0], lda, dy, ldc, 0.0f, g[1], ldb);
    else be->gemm(be, 1, ta, n, k, m, alpha, dy, ldc, in[0], lda, 0.0f, g[1], ldb);
    op_time_end(be);
}

static double gemm_flops(const int *v, int backward)
{
    return (backward ? 4.0 : 2.0) * v[0] * v[1] * v[2];
}

/* ---- conv1d: shape batch cin cout lin k stride pad bias ----------------------- */

static ts_conv1d_shape conv_of(const int *v)
{
    ts_conv1d_shape s = {.batch = v[0], .cin = v[1], .cout = v[2], .lin = v[3], .k = v[4],
                         .stride = v[5], .pad = v[6]};
    ts_conv1d_shape_finish(&s);
    return s;
}

static void conv_size(const int *v, size_t *in_n, size_t *out_n)
{
    ts_conv1d_shape s = conv_of(v);
    in_n[0] = (size_t)s.batch * s.cin * s.lin;
    in_n[1] = (size_t)s.cout * s.cin * s.k;
    in_n[2] = v[7] ? (size_t)s.cout : 0;
    *out_n = (size_t)s.batch * s.cout * s.lout;
}

static void conv_fwd(ts_backend *be, const int *v, float *const *in, float *out)
{
    ts_conv1d_shape s = conv_of(v);
    OP_TIMED(be, be->conv1d_fwd(be, &s, in[0], in[1], in[2], out));
}

static void conv_bwd(ts_backend *be, const int *v, float *const *in, const float *dy,
                     float *const *g)
{
    ts_conv1d_shape s = conv_of(v);
    OP_TIMED(be, be->conv1d_bwd_data(be, &s, dy, in[1], g[0]);
             be->conv1d_bwd_filter(be, &s, in[0], dy, g[1], g[2]));
}

static double conv_flops(const int *v, int backward)
{
    ts_conv1d_shape s = conv_of(v);
    return (backward ? 4.0 : 2.0) * s.batch * s.cout * s.lout * s.cin * s.k;
}

/* conv1d_add: inputs x, w, bias, v[batch, cout], r[batch, cout, lout]; the
 * same shapes (bias 0: no bias; the addends always). */
static void conv_add_size(const int *v, size_t *in_n, size_t *out_n)
{
    conv_size(v, in_n, out_n);
    in_n[3] = (size_t)v[0] * v[2];
    in_n[4] = *out_n;
}

static void conv_add_fwd(ts_backend *be, const int *v, float *const *in, float *out)
{
    ts_conv1d_shape s = conv_of(v);
    OP_TIMED(be, be->conv1d_add_fwd(be, &s, in[0], in[1], in[2], in[3], in[4], out));
}

/* ---- group norm, and group norm + SiLU: shape batch channels len groups ------ */

static void gn_size(const int *v, size_t *in_n, size_t *out_n)
{
    in_n[0] = *out_n = (size_t)v[0] * v[1] * v[2];
    in_n[1] = in_n[2] = (size_t)v[1];
}

/* mean and rstd for a forward the backward repeats. */
static float *gn_stats(ts_backend *be, const int *v)
{
    return be->alloc(be, 2 * (size_t)v[0] * v[3]);
}

static void gn_fwd(ts_backend *be, const int *v, float *const *in, float *out)
{
    float *st = gn_stats(be, v);
    OP_TIMED(be, be->groupnorm_fwd(be, v[0], v[1], v[2], v[3], in[0], in[1], in[2], out, st,
                                   st + (size_t)v[0] * v[3]));
    be->free(be, st);
}

static void gn_bwd(ts_backend *be, const int *v, float *const *in, const float *dy,
                   float *const *g)
{
    float *st = gn_stats(be, v), *y = be->alloc(be, (size_t)v[0] * v[1] * v[2]);
    float *rstd = st + (size_t)v[0] * v[3];
    be->groupnorm_fwd(be, v[0], v[1], v[2], v[3], in[0], in[1], in[2], y, st, rstd);
    OP_TIMED(be, be->groupnorm_bwd(be, v[0], v[1], v[2], v[3], dy, in[0], in[1], st, rstd,
                                   g[0], g[1], g[2]));
    be->free(be, st);
    be->free(be, y);
}

static void gn_silu_fwd(ts_backend *be, const int *v, float *const *in, float *out)
{
    float *st = gn_stats(be, v), *h = be->alloc(be, (size_t)v[0] * v[1] * v[2]);
    OP_TIMED(be, be->groupnorm_silu_fwd(be, v[0], v[1], v[2], v[3], in[0], in[1], in[2], h,
                                        out, st, st + (size_t)v[0] * v[3]));
    be->free(be, st);
    be->free(be, h);
}

/* The backward of the pair, as the UNet takes it: groupnorm_silu_bwd. */
static void gn_silu_bwd(ts_backend *be, const int *v, float *const *in, const float *dy,
                        float *const *g)
{
    size_t n = (size_t)v[0] * v[1] * v[2];
    float *st = gn_stats(be, v), *h = be->alloc(be, n), *y = be->alloc(be, n);
    float *rstd = st + (size_t)v[0] * v[3];
    be->groupnorm_silu_fwd(be, v[0], v[1], v[2], v[3], in[0], in[1], in[2], h, y, st, rstd);
    OP_TIMED(be, be->groupnorm_silu_bwd(be, v[0], v[1], v[2], v[3], dy, h, in[0], in[1], st,
                                        rstd, g[0], g[1], g[2], y));
    be->free(be, st);
    be->free(be, h);
    be->free(be, y);
}

/* The statistics the forward saves, out = mean | rstd; shape batch channels
 * len groups fused (1: those of groupnorm_silu_fwd). */
static void gn_saved_size(const int *v, size_t *in_n, size_t *out_n)
{
    gn_size(v, in_n, out_n);
    *out_n = 2 * (size_t)v[0] * v[3];
}

static void gn_saved_fwd(ts_backend *be, const int *v, float *const *in, float *out)
{
    size_t n = (size_t)v[0] * v[1] * v[2];
    float *y = be->alloc(be, 2 * n), *rstd = out + (size_t)v[0] * v[3];
    if (v[4])
        be->groupnorm_silu_fwd(be, v[0], v[1], v[2], v[3], in[0], in[1], in[2], y + n, y, out,
                               rstd);
    else
        be->groupnorm_fwd(be, v[0], v[1], v[2], v[3], in[0], in[1], in[2], y, out, rstd);
    be->free(be, y);
}

/* ---- elementwise: shape n ------------------------------------------------------ */

static void n_size(const int *v, size_t *in_n, size_t *out_n)
{
    in_n[0] = in_n[1] = in_n[2] = in_n[3] = *out_n = (size_t)v[0];
}

static void silu_fwd(ts_backend *be, const int *v, float *const *in, float *out)
{
    OP_TIMED(be, be->silu_fwd(be, (size_t)v[0], in[0], out));
}

static void silu_bwd(ts_backend *be, const int *v, float *const *in, const float *dy,
                     float *const *g)
{
    OP_TIMED(be, be->silu_bwd(be, (size_t)v[0], in[0], dy, g[0]));
}

/* out = 0.75 x - 1.25 y. (The backward's b = 0 over junk is axpby's other use.) */
static void axpby_fwd(ts_backend *be, const int *v, float *const *in, float *out)
{
    be->copy(be, out, in[1], (size_t)v[0]);
    OP_TIMED(be, be->axpby(be, (size_t)v[0], 0.75f, in[0], -1.25f, out));
}

static void axpby_bwd(ts_backend *be, const int *v, float *const *in, const float *dy,
                      float *const *g)
{
    (void)in;
    OP_TIMED(be, be->axpby(be, (size_t)v[0], 0.75f, dy, 0.0f, g[0]);
             be->axpby(be, (size_t)v[0], -1.25f, dy, 0.0f, g[1]));
}

/* A scalar result into out[0] (a host-to-backend copy, not timed). */
static void put_scalar(ts_backend *be, float *out, double v)
{
    float f = (float)v;
    be->upload(be, out, &f, 1);
}

/* out[0] = sum x^2. */
static void sumsq_size(const int *v, size_t *in_n, size_t *out_n)
{
    in_n[0] = (size_t)v[0];
    *out_n = 1;
}

static void sumsq_fwd(ts_backend *be, const int *v, float *const *in, float *out)
{
    double s;
    OP_TIMED(be, s = be->sumsq(be, (size_t)v[0], in[0]));
    put_scalar(be, out, s);
}

static void sumsq_bwd(ts_backend *be, const int *v, float *const *in, const float *dy,
                      float *const *g)
{
    float r = scalar_of(be, dy);
    OP_TIMED(be, be->axpby(be, (size_t)v[0], 2.0f * r, in[0], 0.0f, g[0]));
}

/* out = {sum of squared errors, count} of pred in[0], target in[1], mask
 * in[2]; shape n empty: with empty 1 an all-zero mask instead of in[2]
 * (nothing observed: sum, count and gradient 0). The gradient scale is
 * checked by the backward: d(r0 sse + r1 count)/d pred = 2 r0 m (p - t). */
static void sse_size(const int *v, size_t *in_n, size_t *out_n)
{
    in_n[0] = in_n[1] = in_n[2] = (size_t)v[0];
    *out_n = 2;
}

static float *sse_empty_mask(ts_backend *be, const int *v)
{
    if (!v[1]) return NULL;
    float *z = be->alloc(be, (size_t)v[0]);
    be->fill(be, z, 0.0f, (size_t)v[0]);
    return z;
}

static void sse_fwd(ts_backend *be, const int *v, float *const *in, float *out)
{
    float *dpred = be->alloc(be, (size_t)v[0]), *empty = sse_empty_mask(be, v);
    double sse, count;
    OP_TIMED(be, sse = be->masked_sse(be, (size_t)v[0], in[0], in[1], empty ? empty : in[2],
                                      1.0f, dpred, &count));
    float h[2] = {(float)sse, (float)count};
    be->upload(be, out, h, 2);
    be->free(be, dpred);
    be->free(be, empty);
}

static void sse_bwd(ts_backend *be, const int *v, float *const *in, const float *dy,
                    float *const *g)
{
    float r = scalar_of(be, dy), *empty = sse_empty_mask(be, v);
    double count;
    OP_TIMED(be, be->masked_sse(be, (size_t)v[0], in[0], in[1], empty ? empty : in[2],
                                2.0f * r, g[0], &count));
    be->free(be, empty);
}

/* ---- layout: upsampling, channel copies, broadcasts ------------------------------ */

static void up_size(const int *v, size_t *in_n, size_t *out_n)
{
    in_n[0] = (size_t)v[0] * v[1] * v[2];
    *out_n = 2 * in_n[0];
}

static void up_fwd(ts_backend *be, const int *v, float *const *in, float *out)
{
    OP_TIMED(be, be->upsample2_fwd(be, v[0], v[1], v[2], in[0], out));
}

static void up_bwd(ts_backend *be, const int *v, float *const *in, const float *dy,
                   float *const *g)
{
    (void)in;
    OP_TIMED(be, be->upsample2_bwd(be, v[0], v[1], v[2], dy, g[0]));
}

/* chan_copy, shape batch len nc src_c src_off dst_c dst_off accumulate:
 * out = dst0 (in[1], [B, dst_c, L]) with channels [src_off, src_off + nc) of
 * src (in[0], [B, src_c, L]) copied, or added, over [dst_off, dst_off + nc).
 * Two such make a concatenation; len 1 makes a strided 2-D copy. */
static void cc_size(const int *v, size_t *in_n, size_t *out_n)
{
    in_n[0] = (size_t)v[0] * v[3] * v[1];
    in_n[1] = *out_n = (size_t)v[0] * v[5] * v[1];
}

static void cc_fwd(ts_backend *be, const int *v, float *const *in, float *out)
{
    be->copy(be, out, in[1], (size_t)v[0] * v[5] * v[1]);
    OP_TIMED(be, be->chan_copy(be, v[0], v[1], v[2], in[0], v[3], v[4], out, v[5], v[6], v[7]));
}

/* d src: the slice of dy, added back (the UNet's concatenation backward);
 * d dst0: dy, but 0 over a slice the copy assigned. */
static void cc_bwd(ts_backend *be, const int *v, float *const *in, const float *dy,
                   float *const *g)
{
    (void)in;
    size_t nslice = (size_t)v[0] * v[2] * v[1];
    float *zero = v[7] ? NULL : be->alloc(be, nslice);
    be->copy(be, g[1], dy, (size_t)v[0] * v[5] * v[1]);
    OP_TIMED(be, be->chan_copy(be, v[0], v[1], v[2], dy, v[5], v[6], g[0], v[3], v[4], 1));
    if (!zero) return;
    be->fill(be, zero, 0.0f, nslice);
    be->chan_copy(be, v[0], v[1], v[2], zero, v[2], 0, g[1], v[5], v[6], 0);
    be->free(be, zero);
}

/* out = x + v broadcast over L; shape batch channels len. */
static void bcast_size(const int *v, size_t *in_n, size_t *out_n)
{
    in_n[0] = *out_n = (size_t)v[0] * v[1] * v[2];
    in_n[1] = (size_t)v[0] * v[1];
}

static void bcast_fwd(ts_backend *be, const int *v, float *const *in, float *out)
{
    be->copy(be, out, in[0], (size_t)v[0] * v[1] * v[2]);
    OP_TIMED(be, be->add_bcast_fwd(be, v[0], v[1], v[2], in[1], out));
}

static void bcast_bwd(ts_backend *be, const int *v, float *const *in, const float *dy,
                      float *const *g)
{
    (void)in;
    be->copy(be, g[0], dy, (size_t)v[0] * v[1] * v[2]);
    OP_TIMED(be, be->add_bcast_bwd(be, v[0], v[1], v[2], dy, g[1]));
}

/* out = x + v on every row; shape rows cols. */
static void rowvec_size(const int *v, size_t *in_n, size_t *out_n)
{
    in_n[0] = *out_n = (size_t)v[0] * v[1];
    in_n[1] = (size_t)v[1];
}

static void rowvec_fwd(ts_backend *be, const int *v, float *const *in, float *out)
{
    be->copy(be, out, in[0], (size_t)v[0] * v[1]);
    OP_TIMED(be, be->add_rowvec_fwd(be, v[0], v[1], in[1], out));
}

static void rowvec_bwd(ts_backend *be, const int *v, float *const *in, const float *dy,
                       float *const *g)
{
    (void)in;
    be->copy(be, g[0], dy, (size_t)v[0] * v[1]);
    OP_TIMED(be, be->add_rowvec_bwd(be, v[0], v[1], dy, g[1]));
}

/* ---- mix_rows: shape rows n alias; out = a[r] x + b[r] y, written apart
 * (alias 0), in place over x (1: the objective's use) or over y (2); alias 3
 * is the optimizer's call, x = y = out with b = 0 ------------------------------- */

enum { MIX_MAXROWS = 64 };

static void mix_coef(const int *v, float *a, float *b)
{
    for (int r = 0; r < v[0] && r < MIX_MAXROWS; r++) {
        a[r] = 0.5f + 0.125f * (float)(r % 7);
        b[r] = v[2] == 3 ? 0.0f : -1.0f + 0.25f * (float)(r % 5);
    }
}

static void mix_size(const int *v, size_t *in_n, size_t *out_n)
{
    in_n[0] = in_n[1] = *out_n = (size_t)v[0] * v[1];
}

static void mix_fwd(ts_backend *be, const int *v, float *const *in, float *out)
{
    float a[MIX_MAXROWS], b[MIX_MAXROWS];
    mix_coef(v, a, b);
    size_t n = (size_t)v[1];
    const float *x = in[0], *y = in[1];
    if (v[2] == 1 || v[2] == 3) {
        be->copy(be, out, in[0], (size_t)v[0] * n);
        x = out;
    }
    if (v[2] == 2) be->copy(be, out, in[1], (size_t)v[0] * n);
    if (v[2] >= 2) y = out;
    OP_TIMED(be, be->mix_rows(be, v[0], n, a, x, b, y, out));
}

static void mix_bwd(ts_backend *be, const int *v, float *const *in, const float *dy,
                    float *const *g)
{
    (void)in;
    float a[MIX_MAXROWS], b[MIX_MAXROWS], zero[MIX_MAXROWS] = {0};
    mix_coef(v, a, b);
    OP_TIMED(be, be->mix_rows(be, v[0], (size_t)v[1], a, dy, zero, dy, g[0]);
             be->mix_rows(be, v[0], (size_t)v[1], b, dy, zero, dy, g[1]));
}

/* ---- the optimizer: shape n; in p, g, m, v ------------------------------------- */

/* out = p, m, v after AdamW steps 1 to 3 (lr 1e-3, wd 1e-4); the last is timed. */
static void adamw_size(const int *v, size_t *in_n, size_t *out_n)
{
    in_n[0] = in_n[1] = in_n[2] = in_n[3] = (size_t)v[0];
    *out_n = 3 * (size_t)v[0];
}

static void adamw_step(ts_backend *be, size_t n, float *out, const float *g, long step)
{
    be->adamw(be, n, out, g, out + n, out + 2 * n, 1e-3f, 0.9f, 0.999f, 1e-8f, 1e-4f, step);
}

static void adamw_fwd(ts_backend *be, const int *v, float *const *in, float *out)
{
    size_t n = (size_t)v[0];
    be->copy(be, out, in[0], n);
    be->copy(be, out + n, in[2], n);
    be->copy(be, out + 2 * n, in[3], n);
    adamw_step(be, n, out, in[1], 1);
    adamw_step(be, n, out, in[1], 2);
    OP_TIMED(be, adamw_step(be, n, out, in[1], 3));
}

/* out = 0.9 e + 0.1 p. */
static void ema_fwd(ts_backend *be, const int *v, float *const *in, float *out)
{
    be->copy(be, out, in[0], (size_t)v[0]);
    OP_TIMED(be, be->ema(be, (size_t)v[0], out, in[1], 0.9f));
}

static void ema_bwd(ts_backend *be, const int *v, float *const *in, const float *dy,
                    float *const *g)
{
    (void)in;
    OP_TIMED(be, be->axpby(be, (size_t)v[0], 0.9f, dy, 0.0f, g[0]);
             be->axpby(be, (size_t)v[0], 0.1f, dy, 0.0f, g[1]));
}

/* ---- randn: shape n, offset ------------------------------------------------------ */

static void randn_size(const int *v, size_t *in_n, size_t *out_n)
{
    (void)in_n;
    *out_n = (size_t)v[0];
}

static void randn_fwd(ts_backend *be, const int *v, float *const *in, float *out)
{
    (void)in;
    OP_TIMED(be, be->randn(be, (size_t)v[0], 0xdeadbeefcafef00dull, (uint64_t)v[1], out));
}

/* ---- the table ------------------------------------------------------------------ */

/* gemm's comparison shapes: each transpose of five products with
 * leading dimensions 3, 2 and 5 wider than needed, at an alpha and beta
 * each (beta 0 over NaN, beta 1 accumulating); then the CPU's row and
 * column splits. */
#define GEMM_T4(m, n, k, ab) {m, n, k, 0, 0, 3, ab}, {m, n, k, 0, 1, 3, ab}, \
    {m, n, k, 1, 0, 3, ab}, {m, n, k, 1, 1, 3, ab}
/* conv1d's: each shape with a bias and without. */
#define CONV_B2(b, ci, co, l, k, s, p) {b, ci, co, l, k, s, p, 0}, {b, ci, co, l, k, s, p, 1}

const op_row op_table[] = {
    {.name = "gemm", .nin = 3, .grad = {G_ASSIGN, G_ASSIGN, G_NONE}, .size = gemm_size,
     .fwd = gemm_fwd, .bwd = gemm_bwd, .flops = gemm_flops, .fd_eps = 1e-2,
     .fd = {{3, 4, 5, 0, 0, 0}, {3, 4, 5, 1, 0, 0}, {3, 4, 5, 0, 1, 0}, {3, 4, 5, 1, 1, 0},
            {3, 4, 5, 0, 0, 0, 1}, {3, 4, 5, 1, 1, 0, 3}},
     .cmp = {GEMM_T4(37, 53, 29, 1), GEMM_T4(5, 3, 130, 2), GEMM_T4(1, 64, 7, 3),
             GEMM_T4(17, 9, 11, 1), GEMM_T4(8, 19, 6, 4), {37, 53, 29, 0, 1, 0, 0},
             {400, 130, 48, 0, 0, 0, 0}, {130, 400, 48, 1, 1, 0, 0}},
     .speed = {{64 * 128, 64, 192, 0, 1, 0}}},
    {.name = "conv1d", .nin = 3, .grad = {G_ASSIGN, G_ACCUM, G_ACCUM}, .size = conv_size,
     .fwd = conv_fwd, .bwd = conv_bwd, .flops = conv_flops, .fd_eps = 1e-2,
     .fd = {{2, 3, 4, 9, 3, 1, 1, 1}, {2, 3, 4, 9, 3, 2, 1, 1}, {2, 3, 2, 8, 3, 2, 1, 1},
            {3, 4, 3, 7, 1, 1, 0, 1}, {2, 2, 3, 6, 3, 1, 1, 0}},
     .cmp = {CONV_B2(3, 5, 7, 16, 3, 1, 1), CONV_B2(2, 4, 6, 17, 3, 2, 1),
             CONV_B2(2, 4, 6, 16, 3, 2, 1), CONV_B2(4, 8, 3, 10, 1, 1, 0),
             CONV_B2(2, 3, 5, 9, 5, 2, 2), CONV_B2(1, 2, 2, 3, 3, 1, 0),
             CONV_B2(2, 3, 4, 8, 1, 2, 0), CONV_B2(2, 3, 4, 12, 5, 3, 0),
             CONV_B2(16, 32, 16, 64, 3, 1, 1)},
     .speed = {{64, 64, 64, 128, 3, 1, 1, 1}, {64, 64, 64, 128, 3, 2, 1, 1},
               {64, 128, 128, 64, 3, 1, 1, 1}, {64, 256, 256, 16, 3, 1, 1, 1},
               {64, 64, 64, 128, 1, 1, 0, 1}, {64, 64, 64, 360, 3, 1, 1, 1},
               {32, 32, 32, 272, 3, 1, 1, 1}}},
    {.name = "conv1d_add", .nin = 5, .size = conv_add_size, .fwd = conv_add_fwd,
     .flops = conv_flops,
     .cmp = {CONV_B2(3, 5, 7, 16, 3, 1, 1), CONV_B2(4, 8, 3, 10, 1, 1, 0),
             CONV_B2(2, 4, 6, 16, 3, 2, 1), CONV_B2(16, 32, 16, 64, 3, 1, 1)},
     .speed = {{64, 64, 64, 128, 3, 1, 1, 1}, {32, 32, 32, 272, 3, 1, 1, 1}}},
    {.name = "groupnorm", .nin = 3, .in_kind = {IN_SHIFT, IN_POS, IN_RAND},
     .grad = {G_ASSIGN, G_ACCUM, G_ACCUM}, .size = gn_size, .fwd = gn_fwd, .bwd = gn_bwd,
     .fd_eps = 1e-3, .fd = {{2, 6, 5, 3}, {2, 4, 6, 1}, {1, 4, 7, 4}},
     .cmp = {{3, 8, 10, 4}, {2, 6, 1, 3}, {2, 32, 64, 8}, {1, 4, 1000, 1}},
     .speed = {{64, 64, 128, 8}}},
    {.name = "groupnorm_saved", .nin = 3, .in_kind = {IN_SHIFT, IN_POS, IN_RAND},
     .size = gn_saved_size, .fwd = gn_saved_fwd,
     .cmp = {{3, 8, 10, 4, 0}, {2, 6, 1, 3, 0}, {2, 32, 64, 8, 0}, {1, 4, 1000, 1, 0},
             {3, 8, 10, 4, 1}, {2, 32, 64, 8, 1}}},
    {.name = "groupnorm_silu", .nin = 3, .in_kind = {IN_SHIFT, IN_POS, IN_RAND},
     .grad = {G_ASSIGN, G_ACCUM, G_ACCUM}, .size = gn_size, .fwd = gn_silu_fwd,
     .bwd = gn_silu_bwd, .fd_eps = 1e-3, .fd = {{2, 6, 5, 3}, {1, 4, 7, 4}},
     .cmp = {{3, 8, 10, 4}, {2, 32, 64, 8}}, .speed = {{64, 64, 128, 8}}},
    {.name = "silu", .nin = 1, .in_kind = {IN_WIDE}, .grad = {G_ASSIGN}, .size = n_size,
     .fwd = silu_fwd, .bwd = silu_bwd, .fd_eps = 1e-3, .exact = 1, .fd = {{40}},
     .cmp = {{10007}}, .speed = {{64 * 64 * 128}}},
    {.name = "upsample2", .nin = 1, .grad = {G_ASSIGN}, .size = up_size, .fwd = up_fwd,
     .bwd = up_bwd, .fd_eps = 1e-2, .fd = {{2, 3, 5}}, .cmp = {{3, 5, 7}},
     .speed = {{64, 64, 128}}},
    {.name = "chan_copy", .nin = 2, .grad = {G_ACCUM, G_ASSIGN}, .size = cc_size,
     .fwd = cc_fwd, .bwd = cc_bwd, .fd_eps = 1e-2,
     .fd = {{2, 6, 2, 4, 1, 5, 0, 0}, {2, 6, 3, 3, 0, 5, 2, 1}, {3, 1, 2, 4, 1, 5, 2, 0},
            {3, 1, 3, 3, 0, 5, 1, 1}},
     .cmp = {{3, 9, 4, 7, 2, 10, 5, 0}, {3, 9, 3, 7, 0, 10, 1, 1}, {3, 1, 6, 40, 4, 50, 20, 0},
             {3, 1, 5, 63, 50, 90, 3, 1}, {3, 9, 2, 4, 1, 5, 0, 0}, {3, 9, 3, 3, 0, 5, 2, 1},
             {5, 1, 2, 4, 1, 5, 0, 0}, {5, 1, 3, 3, 0, 5, 2, 1}},
     .speed = {{64, 128, 64, 64, 0, 64, 0, 1}}},
    {.name = "add_bcast", .nin = 2, .grad = {G_ASSIGN, G_ACCUM}, .size = bcast_size,
     .fwd = bcast_fwd, .bwd = bcast_bwd, .fd_eps = 1e-2, .fd = {{2, 3, 7}},
     .cmp = {{4, 6, 45}}, .speed = {{64, 64, 128}}},
    {.name = "add_rowvec", .nin = 2, .grad = {G_ASSIGN, G_ACCUM}, .size = rowvec_size,
     .fwd = rowvec_fwd, .bwd = rowvec_bwd, .fd_eps = 1e-2, .fd = {{5, 300}},
     .cmp = {{37, 300}}, .speed = {{64, 64 * 128}}},
    {.name = "axpby", .nin = 2, .grad = {G_ASSIGN, G_ASSIGN}, .size = n_size,
     .fwd = axpby_fwd, .bwd = axpby_bwd, .fd_eps = 1e-2, .fd = {{30}}, .cmp = {{70001}},
     .speed = {{64 * 64 * 128}}},
    {.name = "mix_rows", .nin = 2, .grad = {G_ASSIGN, G_ASSIGN}, .size = mix_size,
     .fwd = mix_fwd, .bwd = mix_bwd, .fd_eps = 1e-2, .fd = {{3, 7, 0}, {2, 5, 1}, {2, 5, 2}},
     .cmp = {{33, 50, 0}, {33, 50, 1}, {33, 50, 2}, {1, 1650, 3}, {1, 5003, 1}},
     .speed = {{64, 64 * 128, 1}}},
    {.name = "sumsq", .nin = 1, .grad = {G_ASSIGN}, .size = sumsq_size, .fwd = sumsq_fwd,
     .bwd = sumsq_bwd, .fd_eps = 1e-3, .fd = {{30}},
     .cmp = {{1}, {1000}, {4097}, {1000003}}, .speed = {{64 * 64 * 128}}},
    {.name = "masked_sse", .nin = 3, .in_kind = {IN_RAND, IN_RAND, IN_MASK},
     .grad = {G_ASSIGN}, .size = sse_size, .fwd = sse_fwd, .bwd = sse_bwd, .fd_eps = 1e-3,
     .fd = {{30}},
     .cmp = {{1}, {1000}, {4097}, {1000003}, {1, 1}, {1000, 1}, {4097, 1}, {1000003, 1}},
     .speed = {{64 * 64 * 128}}},
    {.name = "adamw", .nin = 4, .in_kind = {IN_RAND, IN_RAND, IN_RAND, IN_POS},
     .size = adamw_size, .fwd = adamw_fwd, .cmp = {{5003}}, .speed = {{64 * 64 * 128}}},
    {.name = "ema", .nin = 2, .grad = {G_ASSIGN, G_ASSIGN}, .size = n_size, .fwd = ema_fwd,
     .bwd = ema_bwd, .fd_eps = 1e-2, .fd = {{30}}, .cmp = {{5003}},
     .speed = {{64 * 64 * 128}}},
    {.name = "randn", .size = randn_size, .fwd = randn_fwd,
     .cmp = {{1, 0}, {5, 3}, {4099, 1000}, {100003, 2}}, .speed = {{64 * 64 * 128, 0}}},
};

const size_t op_table_len = sizeof op_table / sizeof op_table[0];
