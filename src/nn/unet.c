/* unet.c - the conditional 1-D UNet: assembly, initialisation, forward and
 * backward over the layers of unet_blocks.c, and the one activation arena.
 *
 * Architecture (W = width, c_l = W * 2^l, L_l = L / 2^l, R = res_blocks,
 * E = 4 * temb_dim):
 *
 *   temb  = SiLU(Linear(SiLU(Linear(sinusoid(t))))), [B, E], shared
 *   in    : Conv3(in_channels -> W)
 *   down l = 0 .. levels-1 (length L_l):
 *           R x ResBlock(-> c_l), each output pushed as a skip feature;
 *           then, except at the last level, Conv3 stride 2 (c_l -> c_l)
 *   mid   : one ResBlock(c_last -> c_last)
 *   up l = levels-1 .. 0:
 *           R x [concat(h, pop skip) -> ResBlock(-> c_l)] (skips popped in
 *           reverse, so block r of the decoder level meets the output of
 *           block r of the encoder level); then, except at level 0,
 *           upsample2 + Conv3(c_l -> c_{l-1})
 *   out   : GN -> SiLU -> Conv3(W -> 1), weights and bias starting at zero
 *
 * Every ResBlock adds its own Linear(E -> cout) of temb after its first conv.
 *
 * The net is a list of layers run in order by the forward and in reverse by
 * the backward. Besides the compute layers there are two bookkeeping kinds:
 * PUSH (a skip feature is taken; its backward adds the gradient the decoder
 * left for it) and CONCAT (channels of the stream, then of a skip; its
 * backward splits the gradient). The backward ping-pongs the stream gradient
 * between two buffers and keeps one gradient buffer per skip feature.
 *
 * Memory: weights and grads are one backend buffer each; every activation the
 * backward needs, the gradient buffers and the scratch live in one arena
 * allocated at create for max_batch windows.
 */
#include "nn/unet.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/unet_blocks.h"

enum { L_INCONV, L_RES, L_PUSH, L_DOWN, L_CONCAT, L_UP, L_HEAD };

typedef struct ts_layer {
    int kind;
    int cin, cout, len;     /* stream channels in and out, input length */
    int skip, cskip;        /* PUSH/CONCAT: skip index; CONCAT: its channels */
    ts_conv conv;           /* INCONV, DOWN */
    ts_resblock res;        /* RES */
    ts_upblock up;          /* UP */
    ts_head head;           /* HEAD */
    float *in, *out;        /* stream in and out (HEAD: out is the caller's eps) */
    float *skip_x;          /* CONCAT: the skip feature */
} ts_layer;

struct ts_unet {
    ts_backend *be;
    ts_unet_config cfg;
    int max_batch, batch;   /* batch: of the last forward */
    ts_param_table params;
    ts_param_init *init;    /* per tensor */
    float *w, *g, *arena;
    ts_build build;         /* planning state; slots freed after commit */
    ts_time_mlp tmlp;
    float *h_emb;           /* host [max_batch, temb_dim] */
    ts_layer *layers;
    int nlayers, layer_cap, nskip;  /* layer_cap: room in layers[] */
    float **dskip;          /* [nskip] gradient of each skip feature */
    float *xin;             /* copy of the input */
    size_t saved_stride;    /* ts_build_saved_stride of the plan */
    float *ga, *gb, *s1, *s2;
};

int ts_unet_check_config(const ts_unet_config *c, ts_error *err)
{
    if (c->in_channels < 1 || c->in_channels > 4096)
        return ts_fail(err, TS_EUSAGE, "model: input channels must be 1..4096 (got %d)",
                       c->in_channels);
    if (c->levels < 1 || c->levels > TS_UNET_MAX_LEVELS)
        return ts_fail(err, TS_EUSAGE, "model: levels must be 1..%d (got %d)", TS_UNET_MAX_LEVELS,
                       c->levels);
    if (c->res_blocks < 1 || c->res_blocks > 16)
        return ts_fail(err, TS_EUSAGE, "model: residual blocks per level must be 1..16 (got %d)",
                       c->res_blocks);
    if (c->groups < 1)
        return ts_fail(err, TS_EUSAGE, "model: group-norm groups must be >= 1 (got %d)",
                       c->groups);
    if (c->width < c->groups || c->width % c->groups != 0)
        return ts_fail(err, TS_EUSAGE,
                       "model: width %d must be a positive multiple of the %d group-norm groups",
                       c->width, c->groups);
    if ((long)c->width << (c->levels - 1) > 8192)
        return ts_fail(err, TS_EUSAGE,
                       "model: width %d doubled over %d levels exceeds 8192 channels",
                       c->width, c->levels);
    if (c->temb_dim < 2 || c->temb_dim % 2 != 0 || c->temb_dim > 4096)
        return ts_fail(err, TS_EUSAGE,
                       "model: time-embedding size must be even and 2..4096 (got %d)",
                       c->temb_dim);
    int mult = 1 << (c->levels - 1);
    if (c->length < mult || c->length % mult != 0 || c->length > (1 << 24))
        return ts_fail(err, TS_EUSAGE,
                       "model: window length %d must be a positive multiple of %d "
                       "(2^(levels-1)) for %d levels", c->length, mult, c->levels);
    return 0;
}

/* ---- planning ----------------------------------------------------------- */

static ts_layer *add_layer(ts_unet *net, int kind, int cin, int cout, int len)
{
    TS_CHECK(net->nlayers < net->layer_cap);
    ts_layer *l = &net->layers[net->nlayers++];
    l->kind = kind;
    l->cin = cin;
    l->cout = cout;
    l->len = len;
    return l;
}

static void plan_encoder(ts_unet *net, int *c, int *len)
{
    const ts_unet_config *cfg = &net->cfg;
    ts_build *bd = &net->build;
    char name[64];
    for (int lv = 0; lv < cfg->levels; lv++) {
        int cl = cfg->width << lv;
        for (int r = 0; r < cfg->res_blocks; r++) {
            ts_layer *l = add_layer(net, L_RES, *c, cl, *len);
            snprintf(name, sizeof name, "down%d.res%d", lv, r);
            ts_resblock_plan(bd, &l->res, name, *c, cl, *len, cfg->groups, net->tmlp.hidden);
            ts_build_act(bd, &l->out, (size_t)cl * *len);
            *c = cl;
            l = add_layer(net, L_PUSH, cl, cl, *len);
            l->skip = net->nskip++;
            ts_build_grad_act(bd, &net->dskip[l->skip], (size_t)cl * *len);
        }
        if (lv == cfg->levels - 1) break;
        ts_layer *l = add_layer(net, L_DOWN, cl, cl, *len);
        snprintf(name, sizeof name, "down%d.down", lv);
        ts_conv_plan(bd, &l->conv, name, cl, cl, 3, 2, 1, sqrtf(2.0f));
        *len /= 2;
        ts_build_act(bd, &l->out, (size_t)cl * *len);
    }
}

static void plan_decoder(ts_unet *net, int *c, int *len)
{
    const ts_unet_config *cfg = &net->cfg;
    ts_build *bd = &net->build;
    char name[64];
    int skip = net->nskip;
    for (int lv = cfg->levels - 1; lv >= 0; lv--) {
        int cl = cfg->width << lv;
        for (int r = cfg->res_blocks - 1; r >= 0; r--) {
            ts_layer *l = add_layer(net, L_CONCAT, *c, *c + cl, *len);
            l->skip = --skip;
            l->cskip = cl;
            ts_build_act(bd, &l->out, (size_t)(*c + cl) * *len);
            l = add_layer(net, L_RES, *c + cl, cl, *len);
            snprintf(name, sizeof name, "up%d.res%d", lv, r);
            ts_resblock_plan(bd, &l->res, name, *c + cl, cl, *len, cfg->groups,
                             net->tmlp.hidden);
            ts_build_act(bd, &l->out, (size_t)cl * *len);
            *c = cl;
        }
        if (lv == 0) break;
        ts_layer *l = add_layer(net, L_UP, cl, cl / 2, *len);
        snprintf(name, sizeof name, "up%d.up", lv);
        ts_upblock_plan(bd, &l->up, name, cl, cl / 2, *len);
        *c = cl / 2;
        *len *= 2;
        ts_build_act(bd, &l->out, (size_t)*c * *len);
    }
}

/* Lay out every layer, tensor and buffer (for the forward alone when
 * forward_only); allocates host memory only. */
static ts_unet *unet_plan(const ts_unet_config *cfg, int max_batch, int forward_only)
{
    TS_CHECK(ts_unet_check_config(cfg, NULL) == 0 && max_batch >= 1);
    ts_unet *net = ts_xcalloc(1, sizeof *net);
    net->cfg = *cfg;
    net->max_batch = max_batch;
    int nlev = cfg->levels, nres = cfg->res_blocks;
    net->layer_cap = 4 * nlev * nres + 2 * nlev + 1;
    net->layers = ts_xcalloc((size_t)net->layer_cap, sizeof *net->layers);
    net->dskip = ts_xcalloc((size_t)(nlev * nres), sizeof *net->dskip);
    net->h_emb = ts_xcalloc((size_t)max_batch * cfg->temb_dim, sizeof *net->h_emb);

    ts_build *bd = &net->build;
    bd->pt = &net->params;
    bd->max_batch = max_batch;
    bd->forward_only = forward_only;
    ts_time_mlp_plan(bd, &net->tmlp, cfg->temb_dim);
    ts_build_act(bd, &net->xin, (size_t)cfg->in_channels * cfg->length);

    int c = cfg->width, len = cfg->length;
    ts_layer *l = add_layer(net, L_INCONV, cfg->in_channels, c, len);
    ts_conv_plan(bd, &l->conv, "in.conv", cfg->in_channels, c, 3, 1, 1, sqrtf(2.0f));
    ts_build_act(bd, &l->out, (size_t)c * len);
    plan_encoder(net, &c, &len);
    l = add_layer(net, L_RES, c, c, len);
    ts_resblock_plan(bd, &l->res, "mid.res0", c, c, len, cfg->groups, net->tmlp.hidden);
    ts_build_act(bd, &l->out, (size_t)c * len);
    plan_decoder(net, &c, &len);
    l = add_layer(net, L_HEAD, c, 1, len);
    ts_head_plan(bd, &l->head, "out", c, len, cfg->groups);
    TS_CHECK(net->nlayers == net->layer_cap && c == cfg->width && len == cfg->length);

    ts_build_grad_act(bd, &net->ga, bd->max_act);
    ts_build_grad_act(bd, &net->gb, bd->max_act);
    ts_build_act(bd, &net->s1, bd->max_act);   /* also the forward's scratch */
    ts_build_grad_act(bd, &net->s2, bd->max_act);
    net->init = bd->init;
    return net;
}

/* After commit: each layer reads the previous one's output. */
static void link_layers(ts_unet *net)
{
    float *prev = net->xin;
    for (int i = 0; i < net->nlayers; i++) {
        ts_layer *l = &net->layers[i];
        l->in = prev;
        if (l->kind == L_PUSH) l->out = l->in;
        if (l->kind == L_CONCAT)
            for (int j = 0; j < i; j++)
                if (net->layers[j].kind == L_PUSH && net->layers[j].skip == l->skip)
                    l->skip_x = net->layers[j].in;
        prev = l->out;
    }
}

static void unet_free_host(ts_unet *net)
{
    ts_build_free(&net->build);
    ts_params_free(&net->params);
    free(net->init);
    free(net->layers);
    free(net->dskip);
    free(net->h_emb);
    free(net);
}

size_t ts_unet_arena_floats(const ts_unet_config *cfg, int max_batch)
{
    ts_unet *net = unet_plan(cfg, max_batch, 0);
    size_t n = ts_build_arena(&net->build);
    unet_free_host(net);
    return n;
}

void ts_unet_param_layout(const ts_unet_config *cfg, ts_param_table *pt)
{
    ts_unet *net = unet_plan(cfg, 1, 0);
    *pt = net->params;
    memset(&net->params, 0, sizeof net->params);
    unet_free_host(net);
}

static ts_unet *unet_create(ts_backend *be, const ts_unet_config *cfg, int max_batch,
                           int forward_only)
{
    ts_unet *net = unet_plan(cfg, max_batch, forward_only);
    net->be = be;
    net->w = be->alloc(be, net->params.total);
    net->g = net->w && !forward_only ? be->alloc(be, net->params.total) : NULL;
    if (net->w && (net->g || forward_only)) net->arena = be->alloc(be, ts_build_arena(&net->build));
    if (!net->arena) {
        ts_unet_free(net);
        return NULL;
    }
    ts_build_commit(&net->build, net->w, net->g, net->arena);
    net->saved_stride = ts_build_saved_stride(&net->build);
    ts_build_free(&net->build);
    link_layers(net);
    return net;
}

ts_unet *ts_unet_create(ts_backend *be, const ts_unet_config *cfg, int max_batch)
{
    return unet_create(be, cfg, max_batch, 0);
}

ts_unet *ts_unet_create_forward(ts_backend *be, const ts_unet_config *cfg, int max_batch)
{
    return unet_create(be, cfg, max_batch, 1);
}

void ts_unet_free(ts_unet *net)
{
    if (!net) return;
    ts_backend *be = net->be;
    if (net->arena) be->free(be, net->arena);
    if (net->g) be->free(be, net->g);
    if (net->w) be->free(be, net->w);
    unet_free_host(net);
}

const ts_param_table *ts_unet_params(const ts_unet *net) { return &net->params; }
float *ts_unet_weights(ts_unet *net) { return net->w; }
float *ts_unet_grads(ts_unet *net) { return net->g; }

/* Normal numbers of the seed's Philox stream (normal i for the float at
 * offset i of the buffer) are drawn into the grads buffer, scaled per tensor
 * into the weights; then the grads are zeroed. */
void ts_unet_init(ts_unet *net, uint64_t seed)
{
    TS_CHECK(net->g != NULL);   /* not a forward-only net */
    ts_backend *be = net->be;
    size_t total = net->params.total;
    be->randn(be, total, seed, 0, net->g);
    be->fill(be, net->w, 0.0f, total);
    for (int i = 0; i < net->params.n; i++) {
        const ts_tensor_info *t = &net->params.t[i];
        const ts_param_init *in = &net->init[i];
        if (in->kind == TS_INIT_ONE)
            be->fill(be, net->w + t->offset, 1.0f, t->count);
        else if (in->kind == TS_INIT_NORMAL)
            be->axpby(be, t->count, in->std, net->g + t->offset, 0.0f, net->w + t->offset);
    }
    be->fill(be, net->g, 0.0f, total);
}

/* ---- forward and backward ----------------------------------------------- */

/* Floats per window of a layer's output (HEAD: of eps). */
static size_t out_row(const ts_layer *l)
{
    switch (l->kind) {
    case L_DOWN: return (size_t)l->cout * (l->len / 2);
    case L_UP: return (size_t)l->cout * 2 * l->len;
    case L_HEAD: return (size_t)l->len;
    default: return (size_t)l->cout * l->len;
    }
}

/* Every layer's forward for windows row .. row + nb - 1 of the batch, after
 * the time projections (ts_resblock_temb_fwd) of the whole batch, with
 * their activations in rows b0 .. b0 + nb - 1 of the net's buffers. */
static void layers_fwd(ts_unet *net, int row, int b0, int nb, float *eps)
{
    ts_backend *be = net->be;
    for (int i = 0; i < net->nlayers; i++) {
        ts_layer *l = &net->layers[i];
        if (l->kind == L_PUSH) continue;
        const float *in = l->in + (size_t)(l->kind == L_INCONV ? row : b0) * l->cin * l->len;
        float *out = l->kind == L_HEAD ? eps + (size_t)row * l->len
                                       : l->out + (size_t)b0 * out_row(l);
        switch (l->kind) {
        case L_INCONV:
        case L_DOWN:
            ts_conv_fwd(be, &l->conv, nb, l->len, in, out);
            break;
        case L_RES: {
            ts_resblock r = ts_resblock_rows(&l->res, b0, net->saved_stride, row);
            /* s1 rows max_act apart: tasks in other blocks use it at once */
            ts_resblock_body_fwd(be, &r, nb, in, out, net->s1 + (size_t)b0 * net->build.max_act);
            break;
        }
        case L_CONCAT:
            be->chan_copy(be, nb, l->len, l->cin, in, l->cin, 0, out, l->cout, 0, 0);
            be->chan_copy(be, nb, l->len, l->cskip, l->skip_x + (size_t)b0 * l->cskip * l->len,
                          l->cskip, 0, out, l->cout, l->cin, 0);
            break;
        case L_UP: {
            ts_upblock u = ts_upblock_rows(&l->up, b0, net->saved_stride);
            ts_upblock_fwd(be, &u, nb, in, out);
            break;
        }
        case L_HEAD: {
            ts_head h = ts_head_rows(&l->head, b0, net->saved_stride);
            ts_head_fwd(be, &h, nb, in, out);
            break;
        }
        }
    }
}

/* Windows a task of the forward takes through every layer: few enough that
 * their activations stay in the core's cache from layer to layer, so that
 * each op reads what the one before wrote from the cache and not from
 * memory (bench/RESULTS.md, "Forecast latency"). */
#define TS_UNET_TASK_ROWS 4

typedef struct fwd_task {
    ts_unet *net;
    int batch, reuse;   /* reuse: a slot's rows hold its tasks' activations */
    float *eps;
} fwd_task;

/* Task k: windows k * TS_UNET_TASK_ROWS on. A net that keeps nothing for a
 * backward (forward-only) puts every task's activations in the rows of its
 * slot, which the slot's tasks reuse in turn: the first slots' rows are all
 * the memory the forward touches, and it stays in cache. */
static void fwd_task_run(void *ctx, int k, int slot)
{
    fwd_task *t = ctx;
    int row = k * TS_UNET_TASK_ROWS, nb = t->batch - row;
    if (nb > TS_UNET_TASK_ROWS) nb = TS_UNET_TASK_ROWS;
    layers_fwd(t->net, row, t->reuse ? slot * TS_UNET_TASK_ROWS : row, nb, t->eps);
}

/* The time MLP and every block's time projection over the whole batch (the
 * GEMMs), then the layers: in tasks of TS_UNET_TASK_ROWS windows where the
 * backend runs tasks, else op by op over the batch. A window's every
 * output is computed by the same ops in the same order either way. */
void ts_unet_forward(ts_unet *net, int batch, const float *x, const float *h_t, float *eps)
{
    TS_CHECK(batch >= 1 && batch <= net->max_batch);
    ts_backend *be = net->be;
    const ts_unet_config *cfg = &net->cfg;
    net->batch = batch;
    ts_time_embed(cfg->temb_dim, batch, h_t, net->h_emb);
    ts_time_mlp_fwd(be, &net->tmlp, batch, net->h_emb);
    be->copy(be, net->xin, x, (size_t)batch * cfg->in_channels * cfg->length);
    for (int i = 0; i < net->nlayers; i++)
        if (net->layers[i].kind == L_RES)
            ts_resblock_temb_fwd(be, &net->layers[i].res, batch, net->tmlp.out);
    int ntask = (batch + TS_UNET_TASK_ROWS - 1) / TS_UNET_TASK_ROWS;
    int slots = net->max_batch / TS_UNET_TASK_ROWS;   /* >= 1 when ntask > 1 */
    fwd_task t = {net, batch, net->g == NULL, eps};
    if (be->run_tasks && ntask > 1)
        be->run_tasks(be, ntask, t.reuse ? slots : ntask, fwd_task_run, &t);
    else
        layers_fwd(net, 0, 0, batch, eps);
}

/* One layer's backward: dy -> dx (the next stream gradient). */
static void layer_bwd(ts_unet *net, ts_layer *l, const float *dy, float *dx)
{
    ts_backend *be = net->be;
    int b = net->batch;
    switch (l->kind) {
    case L_DOWN:
        ts_conv_bwd(be, &l->conv, b, l->len, l->in, dy, dx);
        break;
    case L_RES:
        ts_resblock_bwd(be, &l->res, b, l->in, net->tmlp.out, dy, dx, net->tmlp.dout,
                        net->s1, net->s2);
        break;
    case L_CONCAT:
        be->chan_copy(be, b, l->len, l->cin, dy, l->cout, 0, dx, l->cin, 0, 0);
        be->chan_copy(be, b, l->len, l->cskip, dy, l->cout, l->cin, net->dskip[l->skip],
                      l->cskip, 0, 0);
        break;
    case L_UP:
        ts_upblock_bwd(be, &l->up, b, dy, dx, net->s1);
        break;
    case L_HEAD:
        ts_head_bwd(be, &l->head, b, l->in, dy, dx, net->s1, net->s2);
        break;
    default:
        TS_CHECK(!"layer kind handled by the caller");
    }
}

void ts_unet_backward(ts_unet *net, const float *deps, float *dx)
{
    ts_backend *be = net->be;
    int b = net->batch;
    TS_CHECK(b >= 1 && net->g != NULL);
    be->fill(be, net->tmlp.dout, 0.0f, (size_t)b * net->tmlp.hidden);
    const float *dy = deps;
    float *cur = NULL, *bufs[2] = { net->ga, net->gb };
    int k = 0;
    for (int i = net->nlayers - 1; i >= 0; i--) {
        ts_layer *l = &net->layers[i];
        if (l->kind == L_PUSH) {     /* the skip feature's gradient joins the stream */
            TS_CHECK(cur != NULL);
            be->axpby(be, (size_t)b * l->cout * l->len, 1.0f, net->dskip[l->skip], 1.0f, cur);
        } else if (l->kind == L_INCONV) {
            ts_conv_bwd(be, &l->conv, b, l->len, l->in, dy, dx);
        } else {
            cur = bufs[k];
            k ^= 1;
            layer_bwd(net, l, dy, cur);
            dy = cur;
        }
    }
    ts_time_mlp_bwd(be, &net->tmlp, b);
}

double ts_unet_flops(const ts_unet_config *cfg)
{
    ts_unet *net = unet_plan(cfg, 1, 0);
    double f = ts_time_mlp_flops(&net->tmlp);
    for (int i = 0; i < net->nlayers; i++) {
        const ts_layer *l = &net->layers[i];
        switch (l->kind) {
        case L_INCONV:
        case L_DOWN: f += ts_conv_flops(&l->conv, l->len); break;
        case L_RES: f += ts_resblock_flops(&l->res); break;
        case L_UP: f += ts_conv_flops(&l->up.conv, 2 * l->len); break;
        case L_HEAD: f += ts_conv_flops(&l->head.conv, l->len); break;
        default: break;
        }
    }
    unet_free_host(net);
    return f;
}
