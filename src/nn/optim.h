/* optim.h - AdamW over the whole parameter buffer, with global-norm gradient
 * clipping, a warm-up + cosine learning-rate schedule, and an exponential
 * moving average (EMA) of the weights for sampling.
 *
 * The moments m, v and the EMA weights are backend buffers with the layout of
 * the parameters (nn/params.h), so one step is a handful of ops over one
 * contiguous buffer whatever the model.
 */
#ifndef TS_OPTIM_H
#define TS_OPTIM_H

#include <stddef.h>

#include "nn/backend.h"

typedef struct ts_optim_config {
    double lr;            /* peak learning rate */
    double beta1, beta2, eps;
    double weight_decay;  /* decoupled; applies to every tensor of the buffer */
    double clip_norm;     /* clip the global gradient norm to this; <= 0: off */
    double ema_decay;     /* the EMA's decay once warmed up */
    long warmup;          /* steps of linear warm-up; 0: none */
    long total_steps;     /* end of the cosine decay; <= warmup: constant lr */
    double min_lr_frac;   /* the lr at total_steps, as a fraction of lr */
} ts_optim_config;

/* lr 1e-3, betas 0.9 / 0.999, eps 1e-8, weight decay 1e-4, clip 1.0,
 * EMA 0.999, warm-up 100 steps, no decay (total_steps 0), min_lr_frac 0.1. */
void ts_optim_config_default(ts_optim_config *c);

typedef struct ts_optim {
    ts_backend *be;
    size_t n;
    ts_optim_config cfg;
    float *m, *v, *ema;   /* backend buffers of n floats, owned */
    long step;            /* steps taken */
} ts_optim;

/* NULL if the backend is out of memory. The EMA starts as a copy of params. */
ts_optim *ts_optim_create(ts_backend *be, size_t n, const ts_optim_config *cfg,
                          const float *params);
void ts_optim_free(ts_optim *o);

/* The learning rate of step `step` (1-based): lr * step / warmup during the
 * warm-up, then a cosine from lr down to min_lr_frac * lr at total_steps,
 * constant after. */
double ts_optim_lr(const ts_optim_config *c, long step);

/* The EMA decay used at step `step` (1-based): min(ema_decay,
 * (1 + step) / (10 + step)), so early weights are not frozen into the
 * average while the net is still far from trained. */
double ts_optim_ema_decay(const ts_optim_config *c, long step);

/* One step: computes the global gradient norm, scales grads in place to
 * clip_norm if above it, AdamW-updates params, updates the EMA. Returns the
 * norm before clipping. If the norm is not finite (a NaN or Inf gradient)
 * nothing is updated and the step is not counted: the caller decides. */
double ts_optim_step(ts_optim *o, float *params, float *grads);

#endif
