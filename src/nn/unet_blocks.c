/* unet_blocks.c - the UNet's layers, forward and backward side by side, and
 * the planner that lays out their parameters and saved activations
 * (see unet_blocks.h). Nothing here allocates backend memory. */
#include "nn/unet_blocks.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- planner ------------------------------------------------------------ */

/* Arena requests are rounded to 16 floats (64 bytes), for vector loads. */
#define TS_ARENA_ALIGN 16

void ts_build_param(ts_build *b, const char *prefix, const char *suffix, int ndim,
                    const int *shape, ts_param_init init, float **w, float **g)
{
    char name[64];
    int n = snprintf(name, sizeof name, "%s.%s", prefix, suffix);
    TS_CHECK(n > 0 && (size_t)n < sizeof name);
    size_t off = ts_params_add(b->pt, name, ndim, shape);
    if (b->pt->n > b->init_cap) {
        b->init_cap = b->pt->cap;
        b->init = ts_xrealloc(b->init, (size_t)b->init_cap * sizeof *b->init);
    }
    b->init[b->pt->n - 1] = init;
    if (b->nps == b->cap_ps) {
        b->cap_ps = b->cap_ps ? 2 * b->cap_ps : 64;
        b->ps = ts_xrealloc(b->ps, (size_t)b->cap_ps * sizeof *b->ps);
    }
    b->ps[b->nps++] = (struct ts_pslot){ w, g, off };
}

/* Where a slot's buffer goes: the kept part of the arena, a slot of the
 * region the blocks of a forward-only plan share (after the kept part), or
 * nowhere. */
enum { ACT_KEEP, ACT_BLOCK, ACT_NONE };

static void add_slot(ts_build *b, float **p, size_t off, int where)
{
    if (b->nas == b->cap_as) {
        b->cap_as = b->cap_as ? 2 * b->cap_as : 64;
        b->as = ts_xrealloc(b->as, (size_t)b->cap_as * sizeof *b->as);
    }
    b->as[b->nas++] = (struct ts_aslot){ p, off, where };
}

static size_t rounded(const ts_build *b, size_t per_window)
{
    size_t n = per_window * (size_t)b->max_batch;
    return (n + TS_ARENA_ALIGN - 1) / TS_ARENA_ALIGN * TS_ARENA_ALIGN;
}

void ts_build_act(ts_build *b, float **p, size_t per_window)
{
    add_slot(b, p, b->arena, ACT_KEEP);
    b->arena += rounded(b, per_window);
}

void ts_build_grad_act(ts_build *b, float **p, size_t per_window)
{
    if (b->forward_only)
        add_slot(b, p, 0, ACT_NONE);
    else
        ts_build_act(b, p, per_window);
}

/* A block starts planning the activations it saves. */
static void block_begin(ts_build *b) { b->block = 0; }

/* An activation a block saves for its backward, of `per_window` floats,
 * counted towards max_act; in a forward-only plan, the block's next slot
 * of the shared region (its offset is known at commit, with max_act). */
static void build_act_tracked(ts_build *b, float **p, size_t per_window)
{
    if (per_window > b->max_act) b->max_act = per_window;
    if (!b->forward_only) {
        ts_build_act(b, p, per_window);
        return;
    }
    add_slot(b, p, b->block++, ACT_BLOCK);
    if (b->block > b->block_max) b->block_max = b->block;
}

size_t ts_build_arena(const ts_build *b) { return b->arena + b->block_max * rounded(b, b->max_act); }

size_t ts_build_saved_stride(const ts_build *b) { return b->forward_only ? b->max_act : 0; }

void ts_build_commit(ts_build *b, float *weights, float *grads, float *arena)
{
    for (int i = 0; i < b->nps; i++) {
        *b->ps[i].w = weights + b->ps[i].off;
        *b->ps[i].g = grads ? grads + b->ps[i].off : NULL;
    }
    for (int i = 0; i < b->nas; i++) {
        const struct ts_aslot *a = &b->as[i];
        *a->p = a->where == ACT_KEEP ? arena + a->off
              : a->where == ACT_BLOCK ? arena + b->arena + a->off * rounded(b, b->max_act) : NULL;
    }
}

void ts_build_free(ts_build *b)
{
    free(b->ps);
    free(b->as);
    b->ps = NULL;
    b->as = NULL;
    b->nps = b->nas = b->cap_ps = b->cap_as = 0;
}

static ts_param_init init_normal(float gain, int fan_in)
{
    if (gain == 0.0f) return (ts_param_init){ TS_INIT_ZERO, 0.0f };
    return (ts_param_init){ TS_INIT_NORMAL, gain / sqrtf((float)fan_in) };
}

static const ts_param_init init_zero = { TS_INIT_ZERO, 0.0f };
static const ts_param_init init_one = { TS_INIT_ONE, 0.0f };

/* ---- convolution -------------------------------------------------------- */

void ts_conv_plan(ts_build *bd, ts_conv *c, const char *prefix, int cin, int cout,
                  int k, int stride, int bias, float gain)
{
    *c = (ts_conv){ .cin = cin, .cout = cout, .k = k, .stride = stride, .pad = k / 2 };
    int ws[3] = { cout, cin, k };
    ts_build_param(bd, prefix, "w", 3, ws, init_normal(gain, cin * k), &c->w, &c->dw);
    if (bias) ts_build_param(bd, prefix, "b", 1, &cout, init_zero, &c->b, &c->db);
}

int ts_conv_lout(const ts_conv *c, int lin)
{
    return (lin + 2 * c->pad - c->k) / c->stride + 1;
}

double ts_conv_flops(const ts_conv *c, int lin)
{
    return (double)c->cout * c->cin * c->k * ts_conv_lout(c, lin);
}

static ts_conv1d_shape conv_shape(const ts_conv *c, int batch, int lin)
{
    ts_conv1d_shape s = { .batch = batch, .cin = c->cin, .cout = c->cout, .lin = lin,
                          .k = c->k, .stride = c->stride, .pad = c->pad };
    ts_conv1d_shape_finish(&s);
    return s;
}

void ts_conv_fwd(ts_backend *be, const ts_conv *c, int batch, int lin,
                 const float *x, float *y)
{
    ts_conv1d_shape s = conv_shape(c, batch, lin);
    be->conv1d_fwd(be, &s, x, c->w, c->b, y);
}

void ts_conv_add_fwd(ts_backend *be, const ts_conv *c, int batch, int lin, const float *x,
                     const float *v, const float *r, float *y)
{
    ts_conv1d_shape s = conv_shape(c, batch, lin);
    be->conv1d_add_fwd(be, &s, x, c->w, c->b, v, r, y);
}

void ts_conv_bwd(ts_backend *be, const ts_conv *c, int batch, int lin,
                 const float *x, const float *dy, float *dx)
{
    ts_conv1d_shape s = conv_shape(c, batch, lin);
    be->conv1d_bwd_filter(be, &s, x, dy, c->dw, c->db);
    if (dx) be->conv1d_bwd_data(be, &s, dy, c->w, dx);
}

/* ---- linear ------------------------------------------------------------- */

void ts_linear_plan(ts_build *bd, ts_linear *l, const char *prefix, int in, int out,
                    float gain)
{
    *l = (ts_linear){ .in = in, .out = out };
    int ws[2] = { out, in };
    ts_build_param(bd, prefix, "w", 2, ws, init_normal(gain, in), &l->w, &l->dw);
    ts_build_param(bd, prefix, "b", 1, &out, init_zero, &l->b, &l->db);
}

void ts_linear_fwd(ts_backend *be, const ts_linear *l, int batch, const float *x, float *y)
{
    be->gemm(be, 0, 1, batch, l->out, l->in, 1.0f, x, l->in, l->w, l->in, 0.0f, y, l->out);
    be->add_rowvec_fwd(be, batch, l->out, l->b, y);
}

void ts_linear_bwd(ts_backend *be, const ts_linear *l, int batch, const float *x,
                   const float *dy, float *dx, int accumulate)
{
    /* dW += dy^T x, db += column sums of dy, dx = dy W */
    be->gemm(be, 1, 0, l->out, l->in, batch, 1.0f, dy, l->out, x, l->in, 1.0f, l->dw, l->in);
    be->add_rowvec_bwd(be, batch, l->out, dy, l->db);
    if (dx)
        be->gemm(be, 0, 0, batch, l->in, l->out, 1.0f, dy, l->out, l->w, l->in,
                 accumulate ? 1.0f : 0.0f, dx, l->in);
}

/* ---- group norm --------------------------------------------------------- */

void ts_gnorm_plan(ts_build *bd, ts_gnorm *g, const char *prefix, int channels, int groups)
{
    *g = (ts_gnorm){ .channels = channels, .groups = groups };
    ts_build_param(bd, prefix, "g", 1, &channels, init_one, &g->gamma, &g->dgamma);
    ts_build_param(bd, prefix, "b", 1, &channels, init_zero, &g->beta, &g->dbeta);
    ts_build_act(bd, &g->mean, (size_t)groups);
    ts_build_act(bd, &g->rstd, (size_t)groups);
}

/* h = groupnorm(x), y = silu(h): the norm-activation pair of the blocks. */
void ts_gnorm_silu_fwd(ts_backend *be, ts_gnorm *g, int batch, int len, const float *x,
                       float *h, float *y)
{
    be->groupnorm_silu_fwd(be, batch, g->channels, len, g->groups, x, g->gamma, g->beta, h, y,
                           g->mean, g->rstd);
}

void ts_gnorm_silu_bwd(ts_backend *be, ts_gnorm *g, int batch, int len, const float *x,
                       const float *h, const float *dy, float *dx, float *tmp)
{
    be->groupnorm_silu_bwd(be, batch, g->channels, len, g->groups, dy, h, x, g->gamma,
                           g->mean, g->rstd, dx, g->dgamma, g->dbeta, tmp);
}

/* ---- time embedding ----------------------------------------------------- */

void ts_time_mlp_plan(ts_build *bd, ts_time_mlp *m, int dim)
{
    m->dim = dim;
    m->hidden = 4 * dim;
    ts_linear_plan(bd, &m->fc1, "temb.fc1", dim, m->hidden, sqrtf(2.0f));
    ts_linear_plan(bd, &m->fc2, "temb.fc2", m->hidden, m->hidden, sqrtf(2.0f));
    size_t d = (size_t)dim, h = (size_t)m->hidden;
    ts_build_act(bd, &m->emb, d);
    float **bufs[] = { &m->h1, &m->s1, &m->h2, &m->out };
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) ts_build_act(bd, bufs[i], h);
    float **grads[] = { &m->dout, &m->dh2, &m->ds1, &m->dh1 };
    for (size_t i = 0; i < sizeof grads / sizeof grads[0]; i++) ts_build_grad_act(bd, grads[i], h);
}

void ts_time_embed(int dim, int batch, const float *h_t, float *h_emb)
{
    int half = dim / 2;
    for (int b = 0; b < batch; b++)
        for (int i = 0; i < half; i++) {
            double f = exp(-log(10000.0) * i / half);
            h_emb[(size_t)b * dim + i] = (float)sin(h_t[b] * f);
            h_emb[(size_t)b * dim + half + i] = (float)cos(h_t[b] * f);
        }
}

void ts_time_mlp_fwd(ts_backend *be, ts_time_mlp *m, int batch, const float *h_emb)
{
    size_t n = (size_t)batch * m->hidden;
    be->upload(be, m->emb, h_emb, (size_t)batch * m->dim);
    ts_linear_fwd(be, &m->fc1, batch, m->emb, m->h1);
    be->silu_fwd(be, n, m->h1, m->s1);
    ts_linear_fwd(be, &m->fc2, batch, m->s1, m->h2);
    be->silu_fwd(be, n, m->h2, m->out);
}

/* m->dout holds the gradient summed over every block's projection. */
void ts_time_mlp_bwd(ts_backend *be, ts_time_mlp *m, int batch)
{
    size_t n = (size_t)batch * m->hidden;
    be->silu_bwd(be, n, m->h2, m->dout, m->dh2);
    ts_linear_bwd(be, &m->fc2, batch, m->s1, m->dh2, m->ds1, 0);
    be->silu_bwd(be, n, m->h1, m->ds1, m->dh1);
    ts_linear_bwd(be, &m->fc1, batch, m->emb, m->dh1, NULL, 0);
}

double ts_time_mlp_flops(const ts_time_mlp *m)
{
    return (double)m->dim * m->hidden + (double)m->hidden * m->hidden;
}

/* ---- residual block ----------------------------------------------------- */

void ts_resblock_plan(ts_build *bd, ts_resblock *r, const char *prefix, int cin, int cout,
                      int len, int groups, int temb)
{
    char p[64];
    memset(r, 0, sizeof *r);
    r->cin = cin;
    r->cout = cout;
    r->len = len;
    r->has_skip = cin != cout;
#define SUB(s) (snprintf(p, sizeof p, "%s.%s", prefix, s), p)
    ts_gnorm_plan(bd, &r->gn1, SUB("gn1"), cin, groups);
    ts_conv_plan(bd, &r->conv1, SUB("conv1"), cin, cout, 3, 1, 1, sqrtf(2.0f));
    ts_linear_plan(bd, &r->proj, SUB("temb"), temb, cout, 1.0f);
    ts_gnorm_plan(bd, &r->gn2, SUB("gn2"), cout, groups);
    /* The second conv starts small, so each block starts near the identity. */
    ts_conv_plan(bd, &r->conv2, SUB("conv2"), cout, cout, 3, 1, 1, 0.1f * sqrtf(2.0f));
    if (r->has_skip) ts_conv_plan(bd, &r->skip, SUB("skip"), cin, cout, 1, 1, 0, 1.0f);
#undef SUB
    size_t ni = (size_t)cin * len, no = (size_t)cout * len;
    block_begin(bd);
    build_act_tracked(bd, &r->g1, ni);
    build_act_tracked(bd, &r->a1, ni);
    build_act_tracked(bd, &r->h1, no);
    build_act_tracked(bd, &r->g2, no);
    build_act_tracked(bd, &r->a2, no);
    ts_build_act(bd, &r->p, (size_t)cout);
    ts_build_grad_act(bd, &r->dp, (size_t)cout);
}

void ts_resblock_temb_fwd(ts_backend *be, ts_resblock *r, int batch, const float *temb)
{
    ts_linear_fwd(be, &r->proj, batch, temb, r->p);
}

void ts_resblock_body_fwd(ts_backend *be, ts_resblock *r, int batch, const float *x,
                          float *out, float *tmp)
{
    ts_gnorm_silu_fwd(be, &r->gn1, batch, r->len, x, r->g1, r->a1);
    ts_conv_add_fwd(be, &r->conv1, batch, r->len, r->a1, r->p, NULL, r->h1);  /* + temb */
    ts_gnorm_silu_fwd(be, &r->gn2, batch, r->len, r->h1, r->g2, r->a2);
    if (r->has_skip) ts_conv_fwd(be, &r->skip, batch, r->len, x, tmp);
    ts_conv_add_fwd(be, &r->conv2, batch, r->len, r->a2, NULL, r->has_skip ? tmp : x, out);
}

/* Row b0 on of a group norm's saved statistics. */
static ts_gnorm gnorm_rows(const ts_gnorm *g, int b0)
{
    ts_gnorm v = *g;
    v.mean += (size_t)b0 * g->groups;
    v.rstd += (size_t)b0 * g->groups;
    return v;
}

/* Floats from row 0 to row b0 of a saved buffer of `per_window` floats. */
static size_t saved_rows(int b0, size_t per_window, size_t stride)
{
    return (size_t)b0 * (stride ? stride : per_window);
}

ts_resblock ts_resblock_rows(const ts_resblock *r, int b0, size_t stride, int row)
{
    ts_resblock v = *r;
    size_t ni = saved_rows(b0, (size_t)r->cin * r->len, stride);
    size_t no = saved_rows(b0, (size_t)r->cout * r->len, stride);
    v.gn1 = gnorm_rows(&r->gn1, b0);
    v.gn2 = gnorm_rows(&r->gn2, b0);
    v.g1 += ni;
    v.a1 += ni;
    v.h1 += no;
    v.g2 += no;
    v.a2 += no;
    v.p += (size_t)row * r->cout;
    if (v.dp) v.dp += (size_t)row * r->cout;
    return v;
}

void ts_resblock_bwd(ts_backend *be, ts_resblock *r, int batch, const float *x,
                     const float *temb, const float *dout, float *dx, float *dtemb,
                     float *s1, float *s2)
{
    size_t ni = (size_t)batch * r->cin * r->len;
    ts_conv_bwd(be, &r->conv2, batch, r->len, r->a2, dout, s1);      /* s1 = d a2 */
    ts_gnorm_silu_bwd(be, &r->gn2, batch, r->len, r->h1, r->g2, s1, s1, s2);  /* d h1 */
    be->fill(be, r->dp, 0.0f, (size_t)batch * r->cout);
    be->add_bcast_bwd(be, batch, r->cout, r->len, s1, r->dp);
    ts_linear_bwd(be, &r->proj, batch, temb, r->dp, dtemb, 1);
    ts_conv_bwd(be, &r->conv1, batch, r->len, r->a1, s1, s2);        /* s2 = d a1 */
    ts_gnorm_silu_bwd(be, &r->gn1, batch, r->len, x, r->g1, s2, dx, s1);      /* GN part */
    if (r->has_skip) {
        ts_conv_bwd(be, &r->skip, batch, r->len, x, dout, s2);
        be->axpby(be, ni, 1.0f, s2, 1.0f, dx);
    } else {
        be->axpby(be, ni, 1.0f, dout, 1.0f, dx);
    }
}

double ts_resblock_flops(const ts_resblock *r)
{
    double f = ts_conv_flops(&r->conv1, r->len) + ts_conv_flops(&r->conv2, r->len)
             + (double)r->proj.in * r->proj.out;
    if (r->has_skip) f += ts_conv_flops(&r->skip, r->len);
    return f;
}

/* ---- upsampling block --------------------------------------------------- */

void ts_upblock_plan(ts_build *bd, ts_upblock *u, const char *prefix, int cin, int cout,
                     int len)
{
    u->cin = cin;
    u->cout = cout;
    u->len = len;
    ts_conv_plan(bd, &u->conv, prefix, cin, cout, 3, 1, 1, sqrtf(2.0f));
    block_begin(bd);
    build_act_tracked(bd, &u->u, (size_t)cin * 2 * len);
}

void ts_upblock_fwd(ts_backend *be, ts_upblock *u, int batch, const float *x, float *y)
{
    be->upsample2_fwd(be, batch, u->cin, u->len, x, u->u);
    ts_conv_fwd(be, &u->conv, batch, 2 * u->len, u->u, y);
}

ts_upblock ts_upblock_rows(const ts_upblock *u, int b0, size_t stride)
{
    ts_upblock v = *u;
    v.u += saved_rows(b0, (size_t)u->cin * 2 * u->len, stride);
    return v;
}

void ts_upblock_bwd(ts_backend *be, ts_upblock *u, int batch, const float *dy, float *dx,
                    float *s1)
{
    ts_conv_bwd(be, &u->conv, batch, 2 * u->len, u->u, dy, s1);
    be->upsample2_bwd(be, batch, u->cin, u->len, s1, dx);
}

/* ---- output head -------------------------------------------------------- */

void ts_head_plan(ts_build *bd, ts_head *h, const char *prefix, int channels, int len,
                  int groups)
{
    char p[64];
    h->channels = channels;
    h->len = len;
    snprintf(p, sizeof p, "%s.gn", prefix);
    ts_gnorm_plan(bd, &h->gn, p, channels, groups);
    snprintf(p, sizeof p, "%s.conv", prefix);
    ts_conv_plan(bd, &h->conv, p, channels, 1, 3, 1, 1, 0.0f);   /* starts at zero */
    block_begin(bd);
    build_act_tracked(bd, &h->g, (size_t)channels * len);
    build_act_tracked(bd, &h->a, (size_t)channels * len);
}

void ts_head_fwd(ts_backend *be, ts_head *h, int batch, const float *x, float *eps)
{
    ts_gnorm_silu_fwd(be, &h->gn, batch, h->len, x, h->g, h->a);
    ts_conv_fwd(be, &h->conv, batch, h->len, h->a, eps);
}

ts_head ts_head_rows(const ts_head *h, int b0, size_t stride)
{
    ts_head v = *h;
    size_t n = saved_rows(b0, (size_t)h->channels * h->len, stride);
    v.gn = gnorm_rows(&h->gn, b0);
    v.g += n;
    v.a += n;
    return v;
}

void ts_head_bwd(ts_backend *be, ts_head *h, int batch, const float *x, const float *deps,
                 float *dx, float *s1, float *s2)
{
    ts_conv_bwd(be, &h->conv, batch, h->len, h->a, deps, s1);
    ts_gnorm_silu_bwd(be, &h->gn, batch, h->len, x, h->g, s1, dx, s2);
}
