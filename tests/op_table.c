/* op_table.c - the rows of the op checks (see op_table.h): for every op of
 * nn/ops.h, a forward and (where the op has one) a backward written against
 * the backend interface, the sizes they need and the shapes each mode runs.
 */
#include "op_table.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

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

/* Host scalars read from a 1-element backend array (the d loss of a scalar
 * output). */
static float scalar_of(ts_backend *be, const float *d)
{
    float v;
    be->download(be, &v, d, 1);
    return v;
}

/* ---- gemm: C = 0.75 op(A) op(B) - 0.5 C0; shape m n k ta tb pad ----------- */

#define GEMM_ALPHA 0.75f
#define GEMM_BETA (-0.5f)

static void gemm_dims(const int *v, int *lda, int *ldb, int *ldc)
{
    *lda = (v[3] ? v[0] : v[2]) + v[5];
    *ldb = (v[4] ? v[2] : v[1]) + v[5];
    *ldc = v[1] + v[5];
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
    int lda, ldb, ldc;
    gemm_dims(v, &lda, &ldb, &ldc);
    be->copy(be, out, in[2], (size_t)v[0] * ldc);
    be->gemm(be, v[3], v[4], v[0], v[1], v[2], GEMM_ALPHA, in[0], lda, in[1], ldb, GEMM_BETA,
             out, ldc);
}

/* d op(A) = alpha dC op(B)^T, d op(B) = alpha op(A)^T dC, stored as A, B are. */
static void gemm_bwd(ts_backend *be, const int *v, float *const *in, const float *dy,
                     float *const *g)
{
    const int m = v[0], n = v[1], k = v[2], ta = v[3], tb = v[4];
    int lda, ldb, ldc;
    gemm_dims(v, &lda, &ldb, &ldc);
    if (!ta) be->gemm(be, 0, !tb, m, k, n, GEMM_ALPHA, dy, ldc, in[1], ldb, 0.0f, g[0], lda);
    else be->gemm(be, tb, 1, k, m, n, GEMM_ALPHA, in[1], ldb, dy, ldc, 0.0f, g[0], lda);
    if (!tb) be->gemm(be, !ta, 0, k, n, m, GEMM_ALPHA, in[0], lda, dy, ldc, 0.0f, g[1], ldb);
    else be->gemm(be, 1, ta, n, k, m, GEMM_ALPHA, dy, ldc, in[0], lda, 0.0f, g[1], ldb);
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
    be->conv1d_fwd(be, &s, in[0], in[1], in[2], out);
}

static void conv_bwd(ts_backend *be, const int *v, float *const *in, const float *dy,
                     float *const *g)
{
    ts_conv1d_shape s = conv_of(v);
    be->conv1d_bwd_data(be, &s, dy, in[1], g[0]);
    be->conv1d_bwd_filter(be, &s, in[0], dy, g[1], g[2]);
}

static double conv_flops(const int *v, int backward)
{
    ts_conv1d_shape s = conv_of(v);
    return (backward ? 4.0 : 2.0) * s.batch * s.cout * s.lout * s.cin * s.k;
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
    be->groupnorm_fwd(be, v[0], v[1], v[2], v[3], in[0], in[1], in[2], out, st,
                      st + (size_t)v[0] * v[3]);
    be->free(be, st);
}

static void gn_bwd(ts_backend *be, const int *v, float *const *in, const float *dy,
                   float *const *g)
{
    float *st = gn_stats(be, v), *y = be->alloc(be, (size_t)v[0] * v[1] * v[2]);
    float *rstd = st + (size_t)v[0] * v[3];
    be->groupnorm_fwd(be, v[0], v[1], v[2], v[3], in[0], in[1], in[2], y, st, rstd);
    be->groupnorm_bwd(be, v[0], v[1], v[2], v[3], dy, in[0], in[1], st, rstd, g[0], g[1], g[2]);
    be->free(be, st);
    be->free(be, y);
}

static void gn_silu_fwd(ts_backend *be, const int *v, float *const *in, float *out)
{
    float *st = gn_stats(be, v), *h = be->alloc(be, (size_t)v[0] * v[1] * v[2]);
    be->groupnorm_silu_fwd(be, v[0], v[1], v[2], v[3], in[0], in[1], in[2], h, out, st,
                           st + (size_t)v[0] * v[3]);
    be->free(be, st);
    be->free(be, h);
}

/* The backward of the pair, as the UNet takes it: silu_bwd, groupnorm_bwd. */
static void gn_silu_bwd(ts_backend *be, const int *v, float *const *in, const float *dy,
                        float *const *g)
{
    size_t n = (size_t)v[0] * v[1] * v[2];
    float *st = gn_stats(be, v), *h = be->alloc(be, n), *y = be->alloc(be, n);
    float *rstd = st + (size_t)v[0] * v[3];
    be->groupnorm_silu_fwd(be, v[0], v[1], v[2], v[3], in[0], in[1], in[2], h, y, st, rstd);
    be->silu_bwd(be, n, h, dy, y);
    be->groupnorm_bwd(be, v[0], v[1], v[2], v[3], y, in[0], in[1], st, rstd, g[0], g[1], g[2]);
    be->free(be, st);
    be->free(be, h);
    be->free(be, y);
}

/* ---- elementwise: shape n ------------------------------------------------------ */

static void n_size(const int *v, size_t *in_n, size_t *out_n)
{
    in_n[0] = in_n[1] = in_n[2] = in_n[3] = *out_n = (size_t)v[0];
}

static void silu_fwd(ts_backend *be, const int *v, float *const *in, float *out)
{
    be->silu_fwd(be, (size_t)v[0], in[0], out);
}

static void silu_bwd(ts_backend *be, const int *v, float *const *in, const float *dy,
                     float *const *g)
{
    be->silu_bwd(be, (size_t)v[0], in[0], dy, g[0]);
}

/* out = 0.75 x - 1.25 y. */
static void axpby_fwd(ts_backend *be, const int *v, float *const *in, float *out)
{
    be->copy(be, out, in[1], (size_t)v[0]);
    be->axpby(be, (size_t)v[0], 0.75f, in[0], -1.25f, out);
}

static void axpby_bwd(ts_backend *be, const int *v, float *const *in, const float *dy,
                      float *const *g)
{
    (void)in;
    be->axpby(be, (size_t)v[0], 0.75f, dy, 0.0f, g[0]);
    be->axpby(be, (size_t)v[0], -1.25f, dy, 0.0f, g[1]);
}

/* out[0] = sum x^2. */
static void sumsq_size(const int *v, size_t *in_n, size_t *out_n)
{
    in_n[0] = (size_t)v[0];
    *out_n = 1;
}

static void sumsq_fwd(ts_backend *be, const int *v, float *const *in, float *out)
{
    float s = (float)be->sumsq(be, (size_t)v[0], in[0]);
    be->upload(be, out, &s, 1);
}

static void sumsq_bwd(ts_backend *be, const int *v, float *const *in, const float *dy,
                      float *const *g)
{
    be->axpby(be, (size_t)v[0], 2.0f * scalar_of(be, dy), in[0], 0.0f, g[0]);
}

/* out[0] = masked MSE of pred in[0], target in[1], mask in[2]. */
static void mse_size(const int *v, size_t *in_n, size_t *out_n)
{
    in_n[0] = in_n[1] = in_n[2] = (size_t)v[0];
    *out_n = 1;
}

static void mse_fwd(ts_backend *be, const int *v, float *const *in, float *out)
{
    float *dpred = be->alloc(be, (size_t)v[0]);
    float loss = (float)be->masked_mse(be, (size_t)v[0], in[0], in[1], in[2], dpred);
    be->upload(be, out, &loss, 1);
    be->free(be, dpred);
}

static void mse_bwd(ts_backend *be, const int *v, float *const *in, const float *dy,
                    float *const *g)
{
    float r = scalar_of(be, dy);
    be->masked_mse(be, (size_t)v[0], in[0], in[1], in[2], g[0]);
    be->axpby(be, (size_t)v[0], r, g[0], 0.0f, g[0]);    /* times d(sum y r)/d loss */
}

/* ---- layout: upsampling, concatenation, broadcasts ------------------------------ */

static void up_size(const int *v, size_t *in_n, size_t *out_n)
{
    in_n[0] = (size_t)v[0] * v[1] * v[2];
    *out_n = 2 * in_n[0];
}

static void up_fwd(ts_backend *be, const int *v, float *const *in, float *out)
{
    be->upsample2_fwd(be, v[0], v[1], v[2], in[0], out);
}

static void up_bwd(ts_backend *be, const int *v, float *const *in, const float *dy,
                   float *const *g)
{
    (void)in;
    be->upsample2_bwd(be, v[0], v[1], v[2], dy, g[0]);
}

/* Concatenation, shape batch len: out[B, 5, L] = channels 1..2 of a[B, 4, L],
 * then b[B, 3, L]; the backward accumulates the slices back. */
static void cat_size(const int *v, size_t *in_n, size_t *out_n)
{
    in_n[0] = (size_t)v[0] * 4 * v[1];
    in_n[1] = (size_t)v[0] * 3 * v[1];
    *out_n = (size_t)v[0] * 5 * v[1];
}

static void cat_fwd(ts_backend *be, const int *v, float *const *in, float *out)
{
    be->chan_copy(be, v[0], v[1], 2, in[0], 4, 1, out, 5, 0, 0);
    be->chan_copy(be, v[0], v[1], 3, in[1], 3, 0, out, 5, 2, 0);
}

static void cat_bwd(ts_backend *be, const int *v, float *const *in, const float *dy,
                    float *const *g)
{
    (void)in;
    be->chan_copy(be, v[0], v[1], 2, dy, 5, 0, g[0], 4, 1, 1);
    be->chan_copy(be, v[0], v[1], 3, dy, 5, 2, g[1], 3, 0, 1);
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
    be->add_bcast_fwd(be, v[0], v[1], v[2], in[1], out);
}

static void bcast_bwd(ts_backend *be, const int *v, float *const *in, const float *dy,
                      float *const *g)
{
    (void)in;
    be->copy(be, g[0], dy, (size_t)v[0] * v[1] * v[2]);
    be->add_bcast_bwd(be, v[0], v[1], v[2], dy, g[1]);
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
    be->add_rowvec_fwd(be, v[0], v[1], in[1], out);
}

static void rowvec_bwd(ts_backend *be, const int *v, float *const *in, const float *dy,
                       float *const *g)
{
    (void)in;
    be->copy(be, g[0], dy, (size_t)v[0] * v[1]);
    be->add_rowvec_bwd(be, v[0], v[1], dy, g[1]);
}

/* ---- mix_rows: shape rows n alias; out = a[r] x + b[r] y, in place over x
 * (the optimizer's use) when alias is 1 ---------------------------------------- */

enum { MIX_MAXROWS = 64 };

static void mix_coef(int rows, float *a, float *b)
{
    for (int r = 0; r < rows && r < MIX_MAXROWS; r++) {
        a[r] = 0.5f + 0.125f * (float)(r % 7);
        b[r] = -1.0f + 0.25f * (float)(r % 5);
    }
}

static void mix_size(const int *v, size_t *in_n, size_t *out_n)
{
    in_n[0] = in_n[1] = *out_n = (size_t)v[0] * v[1];
}

static void mix_fwd(ts_backend *be, const int *v, float *const *in, float *out)
{
    float a[MIX_MAXROWS], b[MIX_MAXROWS];
    mix_coef(v[0], a, b);
    size_t n = (size_t)v[1];
    if (v[2]) {
        be->copy(be, out, in[0], (size_t)v[0] * n);
        be->mix_rows(be, v[0], n, a, out, b, in[1], out);
    } else {
        be->mix_rows(be, v[0], n, a, in[0], b, in[1], out);
    }
}

static void mix_bwd(ts_backend *be, const int *v, float *const *in, const float *dy,
                    float *const *g)
{
    (void)in;
    float a[MIX_MAXROWS], b[MIX_MAXROWS], zero[MIX_MAXROWS] = {0};
    mix_coef(v[0], a, b);
    be->mix_rows(be, v[0], (size_t)v[1], a, dy, zero, dy, g[0]);
    be->mix_rows(be, v[0], (size_t)v[1], b, dy, zero, dy, g[1]);
}

/* ---- the optimizer: shape n; in p, g, m, v ------------------------------------- */

/* out = p, m, v after two AdamW steps (lr 1e-3, wd 1e-4). */
static void adamw_size(const int *v, size_t *in_n, size_t *out_n)
{
    in_n[0] = in_n[1] = in_n[2] = in_n[3] = (size_t)v[0];
    *out_n = 3 * (size_t)v[0];
}

static void adamw_fwd(ts_backend *be, const int *v, float *const *in, float *out)
{
    size_t n = (size_t)v[0];
    be->copy(be, out, in[0], n);
    be->copy(be, out + n, in[2], n);
    be->copy(be, out + 2 * n, in[3], n);
    for (long step = 3; step <= 4; step++)
        be->adamw(be, n, out, in[1], out + n, out + 2 * n, 1e-3f, 0.9f, 0.999f, 1e-8f, 1e-4f,
                  step);
}

/* out = 0.9 e + 0.1 p. */
static void ema_fwd(ts_backend *be, const int *v, float *const *in, float *out)
{
    be->copy(be, out, in[0], (size_t)v[0]);
    be->ema(be, (size_t)v[0], out, in[1], 0.9f);
}

static void ema_bwd(ts_backend *be, const int *v, float *const *in, const float *dy,
                    float *const *g)
{
    (void)in;
    be->axpby(be, (size_t)v[0], 0.9f, dy, 0.0f, g[0]);
    be->axpby(be, (size_t)v[0], 0.1f, dy, 0.0f, g[1]);
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
    be->randn(be, (size_t)v[0], 0xdeadbeefcafef00dull, (uint64_t)v[1], out);
}

/* ---- the table ------------------------------------------------------------------ */

const op_row op_table[] = {
    {.name = "gemm", .nin = 3, .grad = {G_ASSIGN, G_ASSIGN, G_NONE}, .size = gemm_size,
     .fwd = gemm_fwd, .bwd = gemm_bwd, .flops = gemm_flops, .fd_eps = 1e-2,
     .fd = {{3, 4, 5, 0, 0, 0}, {3, 4, 5, 1, 0, 0}, {3, 4, 5, 0, 1, 0}, {3, 4, 5, 1, 1, 0}},
     .cmp = {{37, 53, 29, 0, 0, 3}, {37, 53, 29, 1, 1, 2}, {5, 3, 130, 1, 0, 1},
             {1, 64, 7, 0, 1, 0}, {400, 130, 48, 0, 0, 0}, {130, 400, 48, 1, 1, 0}},
     .speed = {64 * 128, 64, 192, 0, 1, 0}},
    {.name = "conv1d", .nin = 3, .grad = {G_ASSIGN, G_ACCUM, G_ACCUM}, .size = conv_size,
     .fwd = conv_fwd, .bwd = conv_bwd, .flops = conv_flops, .fd_eps = 1e-2,
     .fd = {{2, 3, 4, 9, 3, 1, 1, 1}, {2, 3, 4, 9, 3, 2, 1, 1}, {2, 3, 2, 8, 3, 2, 1, 1},
            {3, 4, 3, 7, 1, 1, 0, 1}, {2, 2, 3, 6, 3, 1, 1, 0}},
     .cmp = {{3, 5, 7, 16, 3, 1, 1, 1}, {2, 4, 6, 17, 3, 2, 1, 0}, {4, 8, 3, 10, 1, 1, 0, 1},
             {2, 3, 5, 9, 5, 2, 2, 1}, {2, 3, 4, 12, 5, 3, 0, 0}, {16, 32, 16, 64, 3, 1, 1, 1}},
     .speed = {64, 64, 64, 128, 3, 1, 1, 1}},
    {.name = "groupnorm", .nin = 3, .in_kind = {IN_RAND, IN_POS, IN_RAND},
     .grad = {G_ASSIGN, G_ACCUM, G_ACCUM}, .size = gn_size, .fwd = gn_fwd, .bwd = gn_bwd,
     .fd_eps = 1e-3, .fd = {{2, 6, 5, 3}, {2, 4, 6, 1}, {1, 4, 7, 4}},
     .cmp = {{3, 8, 10, 4}, {2, 6, 1, 3}, {2, 32, 64, 8}, {1, 4, 1000, 1}},
     .speed = {64, 64, 128, 8}},
    {.name = "groupnorm_silu", .nin = 3, .in_kind = {IN_RAND, IN_POS, IN_RAND},
     .grad = {G_ASSIGN, G_ACCUM, G_ACCUM}, .size = gn_size, .fwd = gn_silu_fwd,
     .bwd = gn_silu_bwd, .fd_eps = 1e-3, .fd = {{2, 6, 5, 3}, {1, 4, 7, 4}},
     .cmp = {{3, 8, 10, 4}, {2, 32, 64, 8}}, .speed = {64, 64, 128, 8}},
    {.name = "silu", .nin = 1, .in_kind = {IN_WIDE}, .grad = {G_ASSIGN}, .size = n_size,
     .fwd = silu_fwd, .bwd = silu_bwd, .fd_eps = 1e-3, .exact = 1, .fd = {{40}},
     .cmp = {{10007}}, .speed = {64 * 64 * 128}},
    {.name = "upsample2", .nin = 1, .grad = {G_ASSIGN}, .size = up_size, .fwd = up_fwd,
     .bwd = up_bwd, .fd_eps = 1e-2, .fd = {{2, 3, 5}}, .cmp = {{3, 5, 7}},
     .speed = {64, 64, 128}},
    {.name = "chan_copy", .nin = 2, .grad = {G_ACCUM, G_ACCUM}, .size = cat_size,
     .fwd = cat_fwd, .bwd = cat_bwd, .fd_eps = 1e-2, .fd = {{2, 6}, {3, 1}},
     .cmp = {{3, 9}, {5, 1}}, .speed = {64, 128}},
    {.name = "add_bcast", .nin = 2, .grad = {G_ASSIGN, G_ACCUM}, .size = bcast_size,
     .fwd = bcast_fwd, .bwd = bcast_bwd, .fd_eps = 1e-2, .fd = {{2, 3, 7}},
     .cmp = {{4, 6, 45}}, .speed = {64, 64, 128}},
    {.name = "add_rowvec", .nin = 2, .grad = {G_ASSIGN, G_ACCUM}, .size = rowvec_size,
     .fwd = rowvec_fwd, .bwd = rowvec_bwd, .fd_eps = 1e-2, .fd = {{5, 300}},
     .cmp = {{37, 300}}, .speed = {64, 64 * 128}},
    {.name = "axpby", .nin = 2, .grad = {G_ASSIGN, G_ASSIGN}, .size = n_size,
     .fwd = axpby_fwd, .bwd = axpby_bwd, .fd_eps = 1e-2, .fd = {{30}}, .cmp = {{70001}},
     .speed = {64 * 64 * 128}},
    {.name = "mix_rows", .nin = 2, .grad = {G_ASSIGN, G_ASSIGN}, .size = mix_size,
     .fwd = mix_fwd, .bwd = mix_bwd, .fd_eps = 1e-2, .fd = {{3, 7, 0}, {2, 5, 1}},
     .cmp = {{33, 50, 0}, {33, 50, 1}, {1, 5003, 1}}, .speed = {64, 64 * 128, 1}},
    {.name = "sumsq", .nin = 1, .grad = {G_ASSIGN}, .size = sumsq_size, .fwd = sumsq_fwd,
     .bwd = sumsq_bwd, .fd_eps = 1e-3, .fd = {{30}}, .cmp = {{1}, {4097}, {1000003}},
     .speed = {64 * 64 * 128}},
    {.name = "masked_mse", .nin = 3, .in_kind = {IN_RAND, IN_RAND, IN_MASK},
     .grad = {G_ASSIGN}, .size = mse_size, .fwd = mse_fwd, .bwd = mse_bwd, .fd_eps = 1e-3,
     .fd = {{30}}, .cmp = {{1000}, {4097}, {1000003}}, .speed = {64 * 64 * 128}},
    {.name = "adamw", .nin = 4, .in_kind = {IN_RAND, IN_RAND, IN_RAND, IN_POS},
     .size = adamw_size, .fwd = adamw_fwd, .cmp = {{5003}}, .speed = {64 * 64 * 128}},
    {.name = "ema", .nin = 2, .grad = {G_ASSIGN, G_ASSIGN}, .size = n_size, .fwd = ema_fwd,
     .bwd = ema_bwd, .fd_eps = 1e-2, .fd = {{30}}, .cmp = {{5003}}, .speed = {64 * 64 * 128}},
    {.name = "randn", .size = randn_size, .fwd = randn_fwd,
     .cmp = {{1, 0}, {5, 3}, {4099, 1000}, {100003, 2}}, .speed = {64 * 64 * 128, 0}},
};

const size_t op_table_len = sizeof op_table / sizeof op_table[0];
