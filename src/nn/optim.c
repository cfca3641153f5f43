/* optim.c - AdamW with global-norm clipping, the learning-rate schedule and
 * the EMA of the weights (see optim.h). */
#include "nn/optim.h"

#include <math.h>
#include <stdlib.h>

void ts_optim_config_default(ts_optim_config *c)
{
    *c = (ts_optim_config){
        .lr = 1e-3, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8, .weight_decay = 1e-4,
        .clip_norm = 1.0, .ema_decay = 0.999, .warmup = 100, .total_steps = 0,
        .min_lr_frac = 0.1,
    };
}

ts_optim *ts_optim_create(ts_backend *be, size_t n, const ts_optim_config *cfg,
                          const float *params)
{
    ts_optim *o = ts_xcalloc(1, sizeof *o);
    o->be = be;
    o->n = n;
    o->cfg = *cfg;
    o->m = be->alloc(be, n);
    o->v = o->m ? be->alloc(be, n) : NULL;
    o->ema = o->v ? be->alloc(be, n) : NULL;
    if (!o->ema) {
        ts_optim_free(o);
        return NULL;
    }
    be->copy(be, o->ema, params, n);
    return o;
}

void ts_optim_free(ts_optim *o)
{
    if (!o) return;
    if (o->m) o->be->free(o->be, o->m);
    if (o->v) o->be->free(o->be, o->v);
    if (o->ema) o->be->free(o->be, o->ema);
    free(o);
}

double ts_optim_lr(const ts_optim_config *c, long step)
{
    if (c->warmup > 0 && step < c->warmup) return c->lr * (double)step / (double)c->warmup;
    if (c->total_steps <= c->warmup) return c->lr;
    double p = (double)(step - c->warmup) / (double)(c->total_steps - c->warmup);
    if (p > 1.0) p = 1.0;
    double lo = c->min_lr_frac * c->lr;
    return lo + (c->lr - lo) * 0.5 * (1.0 + cos(3.14159265358979323846 * p));
}

double ts_optim_ema_decay(const ts_optim_config *c, long step)
{
    double warm = (1.0 + (double)step) / (10.0 + (double)step);
    return warm < c->ema_decay ? warm : c->ema_decay;
}

double ts_optim_step(ts_optim *o, float *params, float *grads)
{
    ts_backend *be = o->be;
    const ts_optim_config *c = &o->cfg;
    double norm = sqrt(be->sumsq(be, o->n, grads));
    if (!isfinite(norm)) return norm;
    if (c->clip_norm > 0.0 && norm > c->clip_norm) {
        float a = (float)(c->clip_norm / norm), zero = 0.0f;
        be->mix_rows(be, 1, o->n, &a, grads, &zero, grads, grads);
    }
    long t = ++o->step;
    be->adamw(be, o->n, params, grads, o->m, o->v, (float)ts_optim_lr(c, t),
              (float)c->beta1, (float)c->beta2, (float)c->eps, (float)c->weight_decay, t);
    be->ema(be, o->n, o->ema, params, (float)ts_optim_ema_decay(c, t));
    return norm;
}
