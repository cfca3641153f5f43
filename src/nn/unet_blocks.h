/* unet_blocks.h - the layers of the UNet (internal to src/nn): convolution,
 * linear, group norm, the time-embedding MLP, the residual block, the
 * upsampling block and the output head, each with its forward and backward.
 *
 * A layer is planned once (ts_*_plan) against a ts_build, which names its
 * parameters in the net's parameter table and reserves its saved activations
 * in the net's single arena; ts_build_commit then points every layer at its
 * floats. Forward and backward take the batch size B <= max_batch and use the
 * first B rows of every buffer.
 *
 * Backward conventions (those of backend.h): activation gradients are
 * assigned, parameter gradients accumulated. `s1`, `s2` are backward scratch
 * buffers of at least B * ts_build.max_act floats.
 */
#ifndef TS_UNET_BLOCKS_H
#define TS_UNET_BLOCKS_H

#include "nn/backend.h"
#include "nn/params.h"

/* How a tensor starts: zero, one, or normal with std gain / sqrt(fan_in). */
typedef enum { TS_INIT_ZERO = 0, TS_INIT_ONE = 1, TS_INIT_NORMAL = 2 } ts_init_kind;

typedef struct ts_param_init {
    ts_init_kind kind;
    float std;
} ts_param_init;

/* The planner: the parameter table plus where each layer wants its pointers. */
typedef struct ts_build {
    ts_param_table *pt;
    ts_param_init *init;      /* one per table entry; handed to the net */
    int init_cap;
    struct ts_pslot { float **w, **g; size_t off; } *ps;
    int nps, cap_ps;
    struct ts_aslot { float **p; size_t off; int where; } *as;
    int nas, cap_as;
    size_t arena;             /* floats reserved so far (kept buffers) */
    size_t max_act;           /* largest activation, floats per window */
    int max_batch;
    int forward_only;         /* a plan for the forward alone (below) */
    size_t block, block_max;  /* forward_only: saved buffers of the current
                                 block; the most of any block */
} ts_build;

/* Add tensor `prefix.suffix`; *w and *g are pointed into the weight and
 * gradient buffers at commit. */
void ts_build_param(ts_build *b, const char *prefix, const char *suffix, int ndim,
                    const int *shape, ts_param_init init, float **w, float **g);
/* Reserve max_batch * per_window floats of arena for *p. */
void ts_build_act(ts_build *b, float **p, size_t per_window);
/* A buffer only the backward uses: reserved as ts_build_act, or none (*p
 * NULL at commit) in a forward-only plan. */
void ts_build_grad_act(ts_build *b, float **p, size_t per_window);
/* Floats of arena the plan needs. A forward-only plan keeps the layers'
 * outputs and the small per-row vectors; the activations a block saves for
 * its backward (group-norm outputs, SiLU outputs, the upsampled input) are
 * only read inside the block's forward there, so every block's share one
 * region: its k-th saved buffer is slot k, of max_act floats per window. */
size_t ts_build_arena(const ts_build *b);
/* The row stride of the saved buffers in the shared region (max_act; 0 in
 * a training plan, where each buffer's rows are its own size apart). Row
 * b0 of a block's saved buffer starts b0 strides into its slot, so that
 * blocks running at once on different rows (ts_*_rows) do not overlap. */
size_t ts_build_saved_stride(const ts_build *b);
/* grads may be NULL (a forward-only plan): every gradient pointer is NULL. */
void ts_build_commit(ts_build *b, float *weights, float *grads, float *arena);
void ts_build_free(ts_build *b);   /* the slots; not pt, not init */

/* Conv1d with weights [cout, cin, k] and optional bias [cout]. */
typedef struct ts_conv {
    int cin, cout, k, stride, pad;
    float *w, *b, *dw, *db;        /* b, db NULL without bias */
} ts_conv;

void ts_conv_plan(ts_build *bd, ts_conv *c, const char *prefix, int cin, int cout,
                  int k, int stride, int bias, float gain);
int ts_conv_lout(const ts_conv *c, int lin);
double ts_conv_flops(const ts_conv *c, int lin);
void ts_conv_fwd(ts_backend *be, const ts_conv *c, int batch, int lin,
                 const float *x, float *y);
/* The same with a per-window channel offset v[batch, cout] and a residual
 * r[batch, cout, lout] added (either may be NULL): conv1d_add_fwd. */
void ts_conv_add_fwd(ts_backend *be, const ts_conv *c, int batch, int lin, const float *x,
                     const float *v, const float *r, float *y);
/* dx (assigned) may be NULL. */
void ts_conv_bwd(ts_backend *be, const ts_conv *c, int batch, int lin,
                 const float *x, const float *dy, float *dx);

/* Linear y[B, out] = x[B, in] W^T + b, W [out, in]. */
typedef struct ts_linear {
    int in, out;
    float *w, *b, *dw, *db;
} ts_linear;

void ts_linear_plan(ts_build *bd, ts_linear *l, const char *prefix, int in, int out,
                    float gain);
void ts_linear_fwd(ts_backend *be, const ts_linear *l, int batch, const float *x, float *y);
/* dx += dy W when accumulate, dx = dy W otherwise; dx may be NULL. */
void ts_linear_bwd(ts_backend *be, const ts_linear *l, int batch, const float *x,
                   const float *dy, float *dx, int accumulate);

/* Group norm with per-channel gamma, beta; saves mean and rstd. */
typedef struct ts_gnorm {
    int channels, groups;
    float *gamma, *beta, *dgamma, *dbeta;
    float *mean, *rstd;            /* [B * groups], saved */
} ts_gnorm;

void ts_gnorm_plan(ts_build *bd, ts_gnorm *g, const char *prefix, int channels, int groups);
/* h = groupnorm(x) (kept for the backward), y = silu(h). */
void ts_gnorm_silu_fwd(ts_backend *be, ts_gnorm *g, int batch, int len, const float *x,
                       float *h, float *y);
/* Its backward: dy the gradient of y; dx may be dy, tmp apart from both. */
void ts_gnorm_silu_bwd(ts_backend *be, ts_gnorm *g, int batch, int len, const float *x,
                       const float *h, const float *dy, float *dx, float *tmp);

/* Time embedding: sinusoid(t)[dim] -> Linear -> SiLU -> Linear -> SiLU, out
 * [B, hidden] is what every residual block projects. */
typedef struct ts_time_mlp {
    int dim, hidden;
    ts_linear fc1, fc2;
    float *emb, *h1, *s1, *h2, *out;   /* saved */
    float *dout, *dh2, *ds1, *dh1;     /* dout: summed over the blocks */
} ts_time_mlp;

void ts_time_mlp_plan(ts_build *bd, ts_time_mlp *m, int dim);
/* Sinusoidal embedding of t[batch] on the host into h_emb[batch * dim]:
 * sin(t f_i) then cos(t f_i), f_i = exp(-ln(10000) i / (dim/2)). */
void ts_time_embed(int dim, int batch, const float *h_t, float *h_emb);
void ts_time_mlp_fwd(ts_backend *be, ts_time_mlp *m, int batch, const float *h_emb);
void ts_time_mlp_bwd(ts_backend *be, ts_time_mlp *m, int batch);
double ts_time_mlp_flops(const ts_time_mlp *m);

/* Residual block cin -> cout at length len:
 *   h = Conv3(SiLU(GN(x))) + Linear(temb);  out = Conv3(SiLU(GN(h))) + skip(x),
 * skip a 1x1 conv without bias when cin != cout, the identity otherwise. */
typedef struct ts_resblock {
    int cin, cout, len;
    ts_gnorm gn1, gn2;
    ts_conv conv1, conv2, skip;
    ts_linear proj;
    int has_skip;
    float *g1, *a1, *h1, *g2, *a2, *p, *dp;   /* saved (dp: gradient of p) */
} ts_resblock;

void ts_resblock_plan(ts_build *bd, ts_resblock *r, const char *prefix, int cin, int cout,
                      int len, int groups, int temb);
/* The forward in two parts: the time projection p of every row (one GEMM
 * over the batch), then the rest, which treats each row on its own. out
 * must not alias x; tmp: B * cout * len floats of scratch. */
void ts_resblock_temb_fwd(ts_backend *be, ts_resblock *r, int batch, const float *temb);
void ts_resblock_body_fwd(ts_backend *be, ts_resblock *r, int batch, const float *x,
                          float *out, float *tmp);
/* The block seen from row b0 of its activations on, for the forward of n
 * windows alone: every saved buffer advanced by b0 rows (stride:
 * ts_build_saved_stride), the statistics by b0 of theirs, the projection p
 * (made for the whole batch) by `row`, the first window's row in the batch.
 * The ts_upblock_rows and ts_head_rows views are the same for their blocks. */
ts_resblock ts_resblock_rows(const ts_resblock *r, int b0, size_t stride, int row);
/* dtemb accumulated. */
void ts_resblock_bwd(ts_backend *be, ts_resblock *r, int batch, const float *x,
                     const float *temb, const float *dout, float *dx, float *dtemb,
                     float *s1, float *s2);
double ts_resblock_flops(const ts_resblock *r);

/* Up: nearest upsampling by 2, then Conv3 cin -> cout; len is the input length. */
typedef struct ts_upblock {
    int cin, cout, len;
    ts_conv conv;
    float *u;                      /* saved upsampled input [B, cin, 2 len] */
} ts_upblock;

void ts_upblock_plan(ts_build *bd, ts_upblock *u, const char *prefix, int cin, int cout,
                     int len);
void ts_upblock_fwd(ts_backend *be, ts_upblock *u, int batch, const float *x, float *y);
ts_upblock ts_upblock_rows(const ts_upblock *u, int b0, size_t stride);
void ts_upblock_bwd(ts_backend *be, ts_upblock *u, int batch, const float *dy, float *dx,
                    float *s1);

/* Output head: GN -> SiLU -> Conv3(channels -> 1), conv starting at zero. */
typedef struct ts_head {
    int channels, len;
    ts_gnorm gn;
    ts_conv conv;
    float *g, *a;                  /* saved */
} ts_head;

void ts_head_plan(ts_build *bd, ts_head *h, const char *prefix, int channels, int len,
                  int groups);
void ts_head_fwd(ts_backend *be, ts_head *h, int batch, const float *x, float *eps);
ts_head ts_head_rows(const ts_head *h, int b0, size_t stride);
void ts_head_bwd(ts_backend *be, ts_head *h, int batch, const float *x, const float *deps,
                 float *dx, float *s1, float *s2);

#endif
