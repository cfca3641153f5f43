/* check_unet.c - unit tests of the 1-D UNet on the CPU backend.
 *
 * The whole net's backward is checked against central finite differences of
 * loss = sum(eps * r) (r random) on a tiny configuration, for a sample of
 * entries of EVERY parameter tensor and for every input value. Also: the
 * layout (parameter count, names), the FLOP count, the zero output at init,
 * seed determinism, batch independence, the forward in tasks (and of a
 * forward-only net) against the forward op by op, config validation, and that a tiny
 * model overfits a fixed batch with the optimizer.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/backend.h"
#include "nn/optim.h"
#include "nn/unet.h"
#include "testutil.h"

/* ---- helpers ------------------------------------------------------------ */

static float *host_normal(size_t n, double scale)
{
    float *a = malloc(n * sizeof *a);
    ck_assert_ptr_nonnull(a);
    for (size_t i = 0; i < n; i++) a[i] = (float)(scale * tu_normal());
    return a;
}


/* The tensor called name in pt, or NULL. */
static const ts_tensor_info *find_tensor(const ts_param_table *pt, const char *name)
{
    for (int i = 0; i < pt->n; i++)
        if (strcmp(pt->t[i].name, name) == 0) return &pt->t[i];
    return NULL;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Replace every weight with a small random value (the output conv too, so
 * that the output and every gradient are non-zero). */
static void randomise_weights(ts_backend *be, ts_unet *net)
{
    const ts_param_table *pt = ts_unet_params(net);
    float *w = malloc(pt->total * sizeof *w);
    ck_assert_ptr_nonnull(w);
    for (int i = 0; i < pt->n; i++) {
        const ts_tensor_info *t = &pt->t[i];
        for (size_t j = 0; j < t->count; j++) {
            float *p = w + t->offset + j;
            if (t->ndim >= 2) *p = (float)(tu_normal() / sqrt((double)(t->count / t->shape[0])));
            else if (ends_with(t->name, ".g")) *p = (float)(1.0 + 0.2 * tu_normal());
            else *p = (float)(0.2 * tu_normal());
        }
    }
    be->upload(be, ts_unet_weights(net), w, pt->total);
    free(w);
}

static const ts_unet_config tiny = {
    .in_channels = 3, .length = 8, .width = 8, .levels = 2, .res_blocks = 1,
    .temb_dim = 8, .groups = 4,
};

/* ---- gradient against finite differences -------------------------------- */

typedef struct fd_ctx {
    ts_backend *be;
    ts_unet *net;
    int batch;
    float *d_x, *d_eps;
    const float *h_t, *r;
    size_t nout;
} fd_ctx;

static double fd_loss(fd_ctx *c)
{
    ts_unet_forward(c->net, c->batch, c->d_x, c->h_t, c->d_eps);
    float *eps = host_from(c->be, c->d_eps, c->nout);
    double s = 0.0;
    for (size_t i = 0; i < c->nout; i++) s += (double)eps[i] * c->r[i];
    free(eps);
    return s;
}

/* Central difference of the loss in the float at dev + i. */
static double fd_grad(fd_ctx *c, float *dev, size_t i, double h)
{
    float v0;
    c->be->download(c->be, &v0, dev + i, 1);
    float vp = v0 + (float)h, vm = v0 - (float)h;
    c->be->upload(c->be, dev + i, &vp, 1);
    double lp = fd_loss(c);
    c->be->upload(c->be, dev + i, &vm, 1);
    double lm = fd_loss(c);
    c->be->upload(c->be, dev + i, &v0, 1);
    return (lp - lm) / ((double)vp - (double)vm);
}

/* Relative error; gradients under 1e-2 (where float32 rounding noise in the
 * loss, about 1e-5 after dividing by 2h, is no longer small) are compared in
 * absolute terms. */
static double rel_err(double a, double n)
{
    double d = fmax(fmax(fabs(a), fabs(n)), 1e-2);
    return fabs(a - n) / d;
}

START_TEST(test_gradient_fd)
{
    tu_seed(1);
    ts_backend *be = ts_backend_cpu_create(1);
    const int B = 2;
    ts_unet *net = ts_unet_create(be, &tiny, B);
    ck_assert_ptr_nonnull(net);
    ts_unet_init(net, 1);
    randomise_weights(be, net);
    size_t nin = (size_t)B * tiny.in_channels * tiny.length, nout = (size_t)B * tiny.length;
    float *h_x = host_normal(nin, 1.0), *r = host_normal(nout, 1.0);
    const float h_t[2] = { 37.5f, 812.0f };
    fd_ctx c = { be, net, B, dev_from(be, h_x, nin), dev_from(be, NULL, nout), h_t, r, nout };
    float *d_r = dev_from(be, r, nout), *d_dx = dev_from(be, NULL, nin);

    const ts_param_table *pt = ts_unet_params(net);
    be->fill(be, ts_unet_grads(net), 0.0f, pt->total);
    fd_loss(&c);
    ts_unet_backward(net, d_r, d_dx);
    float *g = host_from(be, ts_unet_grads(net), pt->total);
    float *dx = host_from(be, d_dx, nin);

    double worst = 0.0;
    int checked = 0;
    for (int ti = 0; ti < pt->n; ti++) {
        const ts_tensor_info *t = &pt->t[ti];
        /* the two largest gradients of the tensor, and two random entries */
        size_t pick[4] = { 0, 0, 0, 0 };
        for (size_t j = 0; j < t->count; j++) {
            float a = fabsf(g[t->offset + j]);
            if (a > fabsf(g[t->offset + pick[0]])) { pick[1] = pick[0]; pick[0] = j; }
            else if (j != pick[0] && a > fabsf(g[t->offset + pick[1]])) pick[1] = j;
        }
        pick[2] = (size_t)(tu_uniform() * t->count);
        pick[3] = (size_t)(tu_uniform() * t->count);
        for (int k = 0; k < 4; k++) {
            size_t i = t->offset + pick[k];
            double num = fd_grad(&c, ts_unet_weights(net), i, 1e-2);
            double e = rel_err(g[i], num);
            if (e > worst) worst = e;
            checked++;
            ck_assert_msg(e < 2e-2, "%s[%zu]: backward %.6g, finite differences %.6g",
                          t->name, pick[k], g[i], num);
        }
    }
    for (size_t i = 0; i < nin; i++) {
        double num = fd_grad(&c, c.d_x, i, 1e-2);
        double e = rel_err(dx[i], num);
        if (e > worst) worst = e;
        ck_assert_msg(e < 2e-2, "dx[%zu]: backward %.6g, finite differences %.6g", i, dx[i], num);
    }
    fprintf(stderr, "check_unet: %d parameters of %d tensors and %zu inputs, worst rel err %.2g\n",
            checked, pt->n, nin, worst);

    /* A second backward accumulates: grads double. */
    fd_loss(&c);
    ts_unet_backward(net, d_r, NULL);
    float *g2 = host_from(be, ts_unet_grads(net), pt->total);
    for (size_t i = 0; i < pt->total; i++)
        ck_assert_msg(fabsf(g2[i] - 2.0f * g[i]) <= 1e-5f * (1.0f + fabsf(g[i])),
                      "grads[%zu] did not accumulate", i);

    free(g2); free(g); free(dx); free(h_x); free(r);
    be->free(be, c.d_x); be->free(be, c.d_eps); be->free(be, d_r); be->free(be, d_dx);
    ts_unet_free(net);
    ts_backend_destroy(be);
}
END_TEST

/* ---- layout, flops, init ------------------------------------------------ */

START_TEST(test_layout)
{
    tu_seed(2);
    ts_backend *be = ts_backend_cpu_create(1);
    ts_unet *net = ts_unet_create(be, &tiny, 1);
    ck_assert_ptr_nonnull(net);
    const ts_param_table *pt = ts_unet_params(net);
    /* counted by hand from the architecture in unet.c's top comment */
    ck_assert_uint_eq(pt->total, 11305);
    size_t off = 0;
    for (int i = 0; i < pt->n; i++) {
        ck_assert_uint_eq(pt->t[i].offset, off);
        off += pt->t[i].count;
    }
    ck_assert_uint_eq(off, pt->total);
    const char *names[] = { "temb.fc1.w", "in.conv.w", "down0.res0.conv1.w", "down0.down.w",
                            "down1.res0.skip.w", "mid.res0.gn2.g", "up1.res0.skip.w",
                            "up1.up.w", "up0.res0.temb.w", "out.conv.w", "out.conv.b" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        ck_assert_msg(find_tensor(pt, names[i]) != NULL, "no tensor %s", names[i]);
    ck_assert_ptr_null(find_tensor(pt, "down0.res0.skip.w"));   /* 8 -> 8: identity */
    const ts_tensor_info *t = find_tensor(pt, "up1.res0.conv1.w");
    ck_assert_int_eq(t->ndim, 3);
    ck_assert_int_eq(t->shape[0], 16);
    ck_assert_int_eq(t->shape[1], 32);
    ck_assert_int_eq(t->shape[2], 3);
    /* multiply-adds, by hand: convs, 1x1 skips, temb projections, time MLP */
    ck_assert_double_eq(ts_unet_flops(&tiny), 39168.0);
    ts_unet_free(net);
    ts_backend_destroy(be);
}
END_TEST

static double tensor_std(const float *w, const ts_tensor_info *t)
{
    double s = 0.0;
    for (size_t j = 0; j < t->count; j++) s += (double)w[t->offset + j] * w[t->offset + j];
    return sqrt(s / t->count);
}

START_TEST(test_init)
{
    tu_seed(3);
    ts_backend *be = ts_backend_cpu_create(1);
    ts_unet_config cfg = tiny;
    cfg.width = 16;
    ts_unet *a = ts_unet_create(be, &cfg, 2), *b = ts_unet_create(be, &cfg, 2);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    const ts_param_table *pt = ts_unet_params(a);
    ts_unet_init(a, 42);
    ts_unet_init(b, 42);
    float *wa = host_from(be, ts_unet_weights(a), pt->total);
    float *wb = host_from(be, ts_unet_weights(b), pt->total);
    ck_assert_int_eq(memcmp(wa, wb, pt->total * sizeof *wa), 0);
    ts_unet_init(b, 43);
    free(wb);
    wb = host_from(be, ts_unet_weights(b), pt->total);
    ck_assert_int_ne(memcmp(wa, wb, pt->total * sizeof *wa), 0);

    /* per-tensor rules: GN gains 1, biases 0, output conv 0, He-normal convs */
    for (int i = 0; i < pt->n; i++) {
        const ts_tensor_info *t = &pt->t[i];
        double sd = tensor_std(wa, t);
        if (ends_with(t->name, ".g")) {
            for (size_t j = 0; j < t->count; j++) ck_assert_float_eq(wa[t->offset + j], 1.0f);
        } else if (t->ndim == 1 || strncmp(t->name, "out.conv", 8) == 0) {
            ck_assert_msg(sd == 0.0, "%s starts non-zero", t->name);
        } else {
            ck_assert_msg(sd > 0.0, "%s starts at zero", t->name);
        }
    }
    const ts_tensor_info *t = find_tensor(pt, "down0.res0.conv1.w");   /* 16*16*3 */
    double he = sqrt(2.0 / (16 * 3)), sd = tensor_std(wa, t);
    ck_assert_msg(fabs(sd / he - 1.0) < 0.1, "conv1 std %g, He %g", sd, he);
    t = find_tensor(pt, "down0.res0.conv2.w");
    sd = tensor_std(wa, t);
    ck_assert_msg(fabs(sd / (0.1 * he) - 1.0) < 0.1, "conv2 std %g, want %g", sd, 0.1 * he);

    /* the output is exactly zero right after init; grads are zero */
    size_t nin = 2 * (size_t)cfg.in_channels * cfg.length, nout = 2 * (size_t)cfg.length;
    float *h_x = host_normal(nin, 1.0);
    const float h_t[2] = { 3.0f, 500.0f };
    float *d_x = dev_from(be, h_x, nin), *d_eps = dev_from(be, NULL, nout);
    be->fill(be, d_eps, 1.0f, nout);
    ts_unet_forward(a, 2, d_x, h_t, d_eps);
    float *eps = host_from(be, d_eps, nout);
    for (size_t i = 0; i < nout; i++) ck_assert_float_eq(eps[i], 0.0f);
    float *g = host_from(be, ts_unet_grads(a), pt->total);
    for (size_t i = 0; i < pt->total; i++) ck_assert_float_eq(g[i], 0.0f);

    free(g); free(eps); free(h_x); free(wa); free(wb);
    be->free(be, d_x); be->free(be, d_eps);
    ts_unet_free(a);
    ts_unet_free(b);
    ts_backend_destroy(be);
}
END_TEST

/* A window's output does not depend on the other windows of the batch. */
START_TEST(test_batch_independence)
{
    tu_seed(4);
    ts_backend *be = ts_backend_cpu_create(1);
    ts_unet_config cfg = tiny;
    cfg.length = 16;
    cfg.res_blocks = 2;
    ts_unet *net = ts_unet_create(be, &cfg, 3);
    ck_assert_ptr_nonnull(net);
    ts_unet_init(net, 5);
    randomise_weights(be, net);
    size_t win = (size_t)cfg.in_channels * cfg.length, L = (size_t)cfg.length;
    float *h_x = host_normal(2 * win, 1.0);
    const float h_t[2] = { 17.0f, 640.0f };
    float *d_x = dev_from(be, h_x, 2 * win), *d_eps = dev_from(be, NULL, 2 * L);
    ts_unet_forward(net, 2, d_x, h_t, d_eps);
    float *two = host_from(be, d_eps, 2 * L);
    ts_unet_forward(net, 1, d_x, h_t, d_eps);
    float *one = host_from(be, d_eps, L);
    double amax = 0.0;
    for (size_t i = 0; i < L; i++) amax = fmax(amax, fabs(two[i]));
    ck_assert(amax > 1e-3);
    for (size_t i = 0; i < L; i++)
        ck_assert_msg(fabs(one[i] - two[i]) <= 1e-5 * amax, "eps[%zu]: %g alone, %g in batch",
                      i, one[i], two[i]);
    /* and the second window differs from the first (the batch is not mixed up) */
    double d = 0.0;
    for (size_t i = 0; i < L; i++) d = fmax(d, fabs(two[L + i] - two[i]));
    ck_assert(d > 1e-3);
    free(one); free(two); free(h_x);
    be->free(be, d_x); be->free(be, d_eps);
    ts_unet_free(net);
    ts_backend_destroy(be);
}
END_TEST

/* The forward in tasks of a few windows (the CPU backend's run_tasks, 2
 * threads) gives the bits of the forward op by op over the whole batch (a
 * backend without run_tasks, 1 thread), for a training net (and then the
 * backward's gradients too) and for a forward-only net, whose tasks reuse
 * the rows of their slots: also after a smaller batch, and for a batch that
 * is not a multiple of the task size. */
static float *forward_of(ts_unet *net, ts_backend *be, int batch, const float *h_x,
                         const float *h_t, size_t win, size_t L)
{
    float *d_x = dev_from(be, h_x, (size_t)batch * win), *d_eps = dev_from(be, NULL, batch * L);
    ts_unet_forward(net, batch, d_x, h_t, d_eps);
    float *eps = host_from(be, d_eps, batch * L);
    be->free(be, d_x);
    be->free(be, d_eps);
    return eps;
}

static float *grads_of(ts_unet *net, ts_backend *be, int batch, const float *h_x,
                       const float *h_t, const float *h_r, size_t win, size_t L)
{
    size_t total = ts_unet_params(net)->total;
    float *d_x = dev_from(be, h_x, (size_t)batch * win), *d_eps = dev_from(be, NULL, batch * L);
    float *d_r = dev_from(be, h_r, batch * L);
    be->fill(be, ts_unet_grads(net), 0.0f, total);
    ts_unet_forward(net, batch, d_x, h_t, d_eps);
    ts_unet_backward(net, d_r, NULL);
    float *g = host_from(be, ts_unet_grads(net), total);
    be->free(be, d_x);
    be->free(be, d_eps);
    be->free(be, d_r);
    return g;
}

START_TEST(test_forward_tasks)
{
    tu_seed(6);
    ts_unet_config cfg = tiny;
    cfg.length = 24;
    cfg.res_blocks = 2;
    const int B = 11;
    ts_backend *one = ts_backend_cpu_create(1), *two = ts_backend_cpu_create(2);
    one->run_tasks = NULL;   /* op by op */
    ts_unet *ref = ts_unet_create(one, &cfg, B), *trn = ts_unet_create(two, &cfg, B);
    ts_unet *fwd = ts_unet_create_forward(two, &cfg, B + 2);
    ck_assert(ref && trn && fwd);
    ck_assert_ptr_null(ts_unet_grads(fwd));
    ts_unet_init(ref, 5);
    randomise_weights(one, ref);
    size_t total = ts_unet_params(ref)->total;
    float *w = host_from(one, ts_unet_weights(ref), total);
    two->upload(two, ts_unet_weights(trn), w, total);
    two->upload(two, ts_unet_weights(fwd), w, total);
    size_t win = (size_t)cfg.in_channels * cfg.length, L = (size_t)cfg.length;
    float *h_x = host_normal(B * win, 1.0), *h_r = host_normal(B * L, 1.0), h_t[11];
    for (int b = 0; b < B; b++) h_t[b] = (float)(17 * b + 3);
    float *want = forward_of(ref, one, B, h_x, h_t, win, L);
    double amax = 0.0;
    for (size_t i = 0; i < B * L; i++) amax = fmax(amax, fabs(want[i]));
    ck_assert(amax > 1e-3);
    float *got[4] = { forward_of(trn, two, B, h_x, h_t, win, L),
                      forward_of(fwd, two, B, h_x, h_t, win, L),
                      forward_of(fwd, two, 5, h_x + 3 * win, h_t + 3, win, L),
                      forward_of(fwd, two, B, h_x, h_t, win, L) };
    ck_assert_mem_eq(got[0], want, B * L * sizeof(float));
    ck_assert_mem_eq(got[1], want, B * L * sizeof(float));
    ck_assert_mem_eq(got[2], want + 3 * L, 5 * L * sizeof(float));
    ck_assert_mem_eq(got[3], want, B * L * sizeof(float));
    float *g_ref = grads_of(ref, one, B, h_x, h_t, h_r, win, L);
    float *g_trn = grads_of(trn, two, B, h_x, h_t, h_r, win, L);
    ck_assert_mem_eq(g_trn, g_ref, total * sizeof(float));
    for (int i = 0; i < 4; i++) free(got[i]);
    free(want); free(g_ref); free(g_trn); free(w); free(h_x); free(h_r);
    ts_unet_free(ref); ts_unet_free(trn); ts_unet_free(fwd);
    ts_backend_destroy(one);
    ts_backend_destroy(two);
}
END_TEST

/* A net widened to read two more input channels (ts_unet_widen_inputs)
 * computes what the original computes, whatever the new channels hold, and
 * its new input weights get gradients (a fit can learn them). */
START_TEST(test_widen_inputs)
{
    tu_seed(9);
    ts_backend *be = ts_backend_cpu_create(1);
    ts_unet_config a_cfg = tiny, b_cfg;
    a_cfg.length = 16;
    a_cfg.res_blocks = 2;
    b_cfg = a_cfg;
    b_cfg.in_channels = a_cfg.in_channels + 2;
    ts_unet *a = ts_unet_create(be, &a_cfg, 2), *b = ts_unet_create(be, &b_cfg, 2);
    ck_assert(a && b);
    ts_unet_init(a, 3);
    randomise_weights(be, a);
    const ts_param_table *pa = ts_unet_params(a), *pb = ts_unet_params(b);
    float *wa = host_from(be, ts_unet_weights(a), pa->total);
    float *wb = malloc(pb->total * sizeof *wb);
    ck_assert_ptr_nonnull(wb);
    ts_unet_widen_inputs(&a_cfg, wa, &b_cfg, wb);
    be->upload(be, ts_unet_weights(b), wb, pb->total);
    const ts_tensor_info *conv = find_tensor(pb, "in.conv.w");
    ck_assert_ptr_nonnull(conv);
    ck_assert_int_eq(conv->shape[1], b_cfg.in_channels);
    for (int o = 0; o < conv->shape[0]; o++)   /* the old weights kept, the new ones 0 */
        for (int c = 0; c < conv->shape[1]; c++)
            for (int k = 0; k < 3; k++) {
                float got = wb[conv->offset + ((size_t)o * conv->shape[1] + c) * 3 + k];
                if (c >= a_cfg.in_channels) ck_assert(got == 0.0f);
                else ck_assert(got == wa[find_tensor(pa, "in.conv.w")->offset +
                                         ((size_t)o * a_cfg.in_channels + c) * 3 + k]);
            }

    size_t L = (size_t)a_cfg.length, ca = (size_t)a_cfg.in_channels, cb = (size_t)b_cfg.in_channels;
    float *xa = host_normal(2 * ca * L, 1.0), *xb = host_normal(2 * cb * L, 50.0);
    for (size_t r = 0; r < 2; r++)   /* the same inputs, then the new channels' */
        memcpy(xb + r * cb * L, xa + r * ca * L, ca * L * sizeof *xa);
    const float h_t[2] = {3.0f, 150.0f};
    float *d_xa = dev_from(be, xa, 2 * ca * L), *d_xb = dev_from(be, xb, 2 * cb * L);
    float *d_ea = dev_from(be, NULL, 2 * L), *d_eb = dev_from(be, NULL, 2 * L);
    ts_unet_forward(a, 2, d_xa, h_t, d_ea);
    ts_unet_forward(b, 2, d_xb, h_t, d_eb);
    float *ea = host_from(be, d_ea, 2 * L), *eb = host_from(be, d_eb, 2 * L);
    double amax = 0.0;
    for (size_t i = 0; i < 2 * L; i++) amax = fmax(amax, fabs(ea[i]));
    ck_assert(amax > 1e-3);
    for (size_t i = 0; i < 2 * L; i++)
        ck_assert_msg(fabs(ea[i] - eb[i]) <= 1e-6 * amax, "eps[%zu]: %g original, %g widened",
                      i, ea[i], eb[i]);

    be->fill(be, ts_unet_grads(b), 0.0f, pb->total);
    ts_unet_backward(b, d_eb, NULL);   /* loss = sum(eps^2) / 2 */
    float *g = host_from(be, ts_unet_grads(b), pb->total);
    double gnew = 0.0;
    for (int o = 0; o < conv->shape[0]; o++)
        for (size_t c = ca; c < cb; c++)
            for (int k = 0; k < 3; k++)
                gnew = fmax(gnew, fabs(g[conv->offset + ((size_t)o * cb + c) * 3 + k]));
    ck_assert(gnew > 1e-6);
    free(g); free(ea); free(eb); free(xa); free(xb); free(wa); free(wb);
    be->free(be, d_xa); be->free(be, d_xb); be->free(be, d_ea); be->free(be, d_eb);
    ts_unet_free(a);
    ts_unet_free(b);
    ts_backend_destroy(be);
}
END_TEST

START_TEST(test_bad_configs)
{
    tu_seed(5);
    ts_error err = { 0 };
    ck_assert_int_eq(ts_unet_check_config(&tiny, &err), 0);
    struct { const char *what; ts_unet_config c; } bad[] = {
        { "levels 0", { 3, 8, 8, 0, 1, 8, 4 } },
        { "levels 7", { 3, 128, 8, 7, 1, 8, 4 } },
        { "width < groups", { 3, 8, 2, 2, 1, 8, 4 } },
        { "width % groups", { 3, 8, 10, 2, 1, 8, 4 } },
        { "length % 2^(levels-1)", { 3, 12, 8, 4, 1, 8, 4 } },
        { "length 0", { 3, 0, 8, 1, 1, 8, 4 } },
        { "in_channels 0", { 0, 8, 8, 2, 1, 8, 4 } },
        { "temb odd", { 3, 8, 8, 2, 1, 7, 4 } },
        { "temb 0", { 3, 8, 8, 2, 1, 0, 4 } },
        { "res_blocks 0", { 3, 8, 8, 2, 0, 8, 4 } },
        { "groups 0", { 3, 8, 8, 2, 1, 8, 0 } },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&err, 0, sizeof err);
        ck_assert_msg(ts_unet_check_config(&bad[i].c, &err) == TS_EUSAGE, "%s accepted",
                      bad[i].what);
        ck_assert_int_eq(err.code, TS_EUSAGE);
        ck_assert_msg(strlen(err.msg) > 10, "%s: no message", bad[i].what);
    }
    ts_unet_config ok = { 1, 32, 8, 6, 1, 2, 8 };   /* 6 levels: 32 = 2^5 */
    ck_assert_int_eq(ts_unet_check_config(&ok, &err), 0);
}
END_TEST

/* ---- overfitting -------------------------------------------------------- */

START_TEST(test_overfit)
{
    tu_seed(6);
    ts_backend *be = ts_backend_cpu_create(1);
    ts_unet_config cfg = { .in_channels = 2, .length = 16, .width = 16, .levels = 2,
                           .res_blocks = 1, .temb_dim = 16, .groups = 4 };
    const int B = 4;
    ts_unet *net = ts_unet_create(be, &cfg, B);
    ck_assert_ptr_nonnull(net);
    ts_unet_init(net, 11);
    size_t nin = (size_t)B * cfg.in_channels * cfg.length, nout = (size_t)B * cfg.length;
    float *h_x = host_normal(nin, 1.0), *h_y = host_normal(nout, 1.0);
    float *h_m = malloc(nout * sizeof *h_m);
    for (size_t i = 0; i < nout; i++) h_m[i] = (i % cfg.length) >= 4 ? 1.0f : 0.0f;
    const float h_t[4] = { 10.0f, 250.0f, 600.0f, 990.0f };
    float *d_x = dev_from(be, h_x, nin), *d_y = dev_from(be, h_y, nout);
    float *d_m = dev_from(be, h_m, nout), *d_eps = dev_from(be, NULL, nout);
    float *d_deps = dev_from(be, NULL, nout);

    ts_optim_config oc;
    ts_optim_config_default(&oc);
    oc.lr = 3e-3;
    oc.warmup = 20;
    oc.total_steps = 300;
    oc.weight_decay = 0.0;
    const ts_param_table *pt = ts_unet_params(net);
    ts_optim *opt = ts_optim_create(be, pt->total, &oc, ts_unet_weights(net));
    ck_assert_ptr_nonnull(opt);
    double first = 0.0, loss = 0.0;
    for (int step = 0; step < 300; step++) {
        be->fill(be, ts_unet_grads(net), 0.0f, pt->total);
        ts_unet_forward(net, B, d_x, h_t, d_eps);
        loss = tu_masked_mse(be, nout, d_eps, d_y, d_m, d_deps);
        if (step == 0) first = loss;
        ts_unet_backward(net, d_deps, NULL);
        double norm = ts_optim_step(opt, ts_unet_weights(net), ts_unet_grads(net));
        ck_assert(isfinite(norm));
    }
    fprintf(stderr, "check_unet: overfit loss %.4g -> %.4g\n", first, loss);
    ck_assert_msg(first > 0.3, "initial loss %g (output starts at zero)", first);
    ck_assert_msg(loss < first / 20.0, "loss only fell from %g to %g", first, loss);

    ts_optim_free(opt);
    free(h_x); free(h_y); free(h_m);
    be->free(be, d_x); be->free(be, d_y); be->free(be, d_m); be->free(be, d_eps);
    be->free(be, d_deps);
    ts_unet_free(net);
    ts_backend_destroy(be);
}
END_TEST

static Suite *unet_suite(void)
{
    Suite *s = suite_create("unet");
    TCase *tc = tcase_create("cpu");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_layout);
    tcase_add_test(tc, test_init);
    tcase_add_test(tc, test_bad_configs);
    tcase_add_test(tc, test_batch_independence);
    tcase_add_test(tc, test_forward_tasks);
    tcase_add_test(tc, test_widen_inputs);
    tcase_add_test(tc, test_gradient_fd);
    tcase_add_test(tc, test_overfit);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run(unet_suite()); }
