/* check_optim.c - unit tests of the optimizer: the learning-rate schedule,
 * global-norm clipping, one AdamW step against numbers computed by hand, the
 * EMA with its warm-up, and a non-finite gradient leaving everything alone. */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "nn/backend.h"
#include "nn/optim.h"
#include "testutil.h"

#define NEAR(a, b, tol) ck_assert_msg(fabs((double)(a) - (double)(b)) <= (tol), \
                                      "%s = %.9g, want %.9g", #a, (double)(a), (double)(b))

START_TEST(test_schedule)
{
    ts_optim_config c;
    ts_optim_config_default(&c);
    c.lr = 1e-3;
    c.warmup = 10;
    c.total_steps = 110;
    c.min_lr_frac = 0.1;
    NEAR(ts_optim_lr(&c, 0), 0.0, 1e-15);
    NEAR(ts_optim_lr(&c, 1), 1e-4, 1e-15);
    NEAR(ts_optim_lr(&c, 5), 5e-4, 1e-15);
    NEAR(ts_optim_lr(&c, 10), 1e-3, 1e-15);                  /* peak */
    NEAR(ts_optim_lr(&c, 60), 1e-4 + 9e-4 * 0.5, 1e-12);     /* half-way down the cosine */
    NEAR(ts_optim_lr(&c, 35), 1e-4 + 9e-4 * 0.5 * (1.0 + cos(0.25 * 3.14159265358979323846)), 1e-12);
    NEAR(ts_optim_lr(&c, 110), 1e-4, 1e-12);                 /* the end */
    NEAR(ts_optim_lr(&c, 500), 1e-4, 1e-12);                 /* and after */
    for (long s = 1; s < 110; s++)
        if (s >= 10) ck_assert(ts_optim_lr(&c, s + 1) <= ts_optim_lr(&c, s));
    c.warmup = 0;
    c.total_steps = 0;                                         /* constant */
    NEAR(ts_optim_lr(&c, 1), 1e-3, 1e-15);
    NEAR(ts_optim_lr(&c, 100000), 1e-3, 1e-15);
    /* EMA decay warms up: (1 + t) / (10 + t), capped */
    c.ema_decay = 0.999;
    NEAR(ts_optim_ema_decay(&c, 1), 2.0 / 11.0, 1e-15);
    NEAR(ts_optim_ema_decay(&c, 100), 101.0 / 110.0, 1e-15);
    NEAR(ts_optim_ema_decay(&c, 1000000), 0.999, 1e-15);
}
END_TEST

static ts_optim_config plain(void)
{
    ts_optim_config c;
    ts_optim_config_default(&c);
    c.lr = 0.01;
    c.warmup = 0;
    c.total_steps = 0;
    c.weight_decay = 0.1;
    c.clip_norm = 1.0;
    return c;
}

START_TEST(test_clip)
{
    ts_backend *be = ts_backend_cpu_create(1);
    ts_optim_config c = plain();
    const float h_p[2] = { 0.0f, 0.0f }, h_g[2] = { 30.0f, 40.0f };
    float *p = be->alloc(be, 2), *g = be->alloc(be, 2);
    be->upload(be, p, h_p, 2);
    be->upload(be, g, h_g, 2);
    ts_optim *o = ts_optim_create(be, 2, &c, p);
    ck_assert_ptr_nonnull(o);
    double norm = ts_optim_step(o, p, g);
    NEAR(norm, 50.0, 1e-9);                       /* the norm before clipping */
    float out[2];
    be->download(be, out, g, 2);
    NEAR(out[0], 0.6, 1e-7);                      /* scaled to norm clip_norm = 1 */
    NEAR(out[1], 0.8, 1e-7);
    be->download(be, out, o->m, 2);               /* Adam saw the clipped gradient */
    NEAR(out[0], 0.1 * 0.6, 1e-7);
    /* a small gradient is left alone */
    const float h_s[2] = { 0.3f, 0.4f };
    be->upload(be, g, h_s, 2);
    NEAR(ts_optim_step(o, p, g), 0.5, 1e-7);
    be->download(be, out, g, 2);
    NEAR(out[0], 0.3f, 0.0);
    NEAR(out[1], 0.4f, 0.0);
    ts_optim_free(o);
    be->free(be, p);
    be->free(be, g);
    ts_backend_destroy(be);
}
END_TEST

START_TEST(test_adamw_ema)
{
    ts_backend *be = ts_backend_cpu_create(1);
    ts_optim_config c = plain();
    const float h_p[1] = { 1.0f };
    float *p = be->alloc(be, 1), *g = be->alloc(be, 1);
    be->upload(be, p, h_p, 1);
    ts_optim *o = ts_optim_create(be, 1, &c, p);
    ck_assert_ptr_nonnull(o);

    /* step 1, g = 0.5: m = 0.05, v = 0.00025, mhat = 0.5, vhat = 0.25 */
    float gv = 0.5f, pv, ev;
    be->upload(be, g, &gv, 1);
    ts_optim_step(o, p, g);
    double p1 = 1.0 - 0.01 * (0.5 / (0.5 + 1e-8) + 0.1 * 1.0);
    be->download(be, &pv, p, 1);
    NEAR(pv, p1, 1e-6);
    ck_assert_int_eq(o->step, 1);
    /* EMA: decay min(0.999, 2/11) */
    double d1 = 2.0 / 11.0, e1 = d1 * 1.0 + (1.0 - d1) * p1;
    be->download(be, &ev, o->ema, 1);
    NEAR(ev, e1, 1e-6);

    /* step 2, g = -0.2: m = 0.9*0.05 - 0.02 = 0.025, v = 0.999*0.00025 + 0.001*0.04 */
    gv = -0.2f;
    be->upload(be, g, &gv, 1);
    ts_optim_step(o, p, g);
    double m2 = 0.025, v2 = 0.999 * 0.00025 + 0.001 * 0.04;
    double mh = m2 / (1.0 - 0.81), vh = v2 / (1.0 - 0.999 * 0.999);
    double p2 = p1 - 0.01 * (mh / (sqrt(vh) + 1e-8) + 0.1 * p1);
    be->download(be, &pv, p, 1);
    NEAR(pv, p2, 2e-6);
    double d2 = 3.0 / 12.0, e2 = d2 * e1 + (1.0 - d2) * p2;
    be->download(be, &ev, o->ema, 1);
    NEAR(ev, e2, 2e-6);

    /* a NaN gradient: nothing moves, the step is not counted */
    gv = NAN;
    be->upload(be, g, &gv, 1);
    ck_assert(!isfinite(ts_optim_step(o, p, g)));
    float pn;
    be->download(be, &pn, p, 1);
    ck_assert_float_eq(pn, pv);
    ck_assert_int_eq(o->step, 2);

    ts_optim_free(o);
    be->free(be, p);
    be->free(be, g);
    ts_backend_destroy(be);
}
END_TEST

static Suite *optim_suite(void)
{
    Suite *s = suite_create("optim");
    TCase *tc = tcase_create("cpu");
    tcase_add_test(tc, test_schedule);
    tcase_add_test(tc, test_clip);
    tcase_add_test(tc, test_adamw_ema);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run(optim_suite()); }
