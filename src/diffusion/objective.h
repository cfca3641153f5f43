/* objective.h - the training objective's noising step: draw t and eps for a
 * batch and form x_t = sqrt(ab_t) x_0 + sqrt(1 - ab_t) eps; and the loss as
 * a (sum, count) pair. The masked squared error itself (eps against eps_hat)
 * is the backend's masked_sse. */
#ifndef TS_OBJECTIVE_H
#define TS_OBJECTIVE_H

#include <stddef.h>
#include <stdint.h>

#include "diffusion/schedule.h"
#include "nn/backend.h"

/* Draw t ~ U{0..T-1} per row (host, from the Philox uniform words
 * ts_philox_uniform(seed, offset + row)), eps ~ N(0, 1) (be->randn), and
 * xt = sqrt(ab_t) x0 + sqrt(1 - ab_t) eps, rows of n floats. h_t (host,
 * `rows` floats) receives the t's. x0, eps, xt: backend memory, rows * n
 * floats each; xt may alias x0.
 *
 * Counter layout: the t's use words offset .. offset+rows-1; eps uses normals
 * e .. e + rows*n - 1 from e = offset + rows rounded up to a multiple of 4
 * (a normal and a uniform never share a Philox block word). Returns the
 * number of counters consumed, rounded so that offset + result is a
 * multiple of 4: the caller advances its offset by it. */
/* A masked loss as the sum of squared errors over the observed positions and
 * their count. Parts (batches, workers) add their pairs; the mean is taken
 * once, at the top, so that it is the mean over all positions. */
typedef struct ts_loss {
    double sum, count;
} ts_loss;

/* sum / max(count, 1): the mean, also of an empty mask (0). */
static inline double ts_loss_mean(ts_loss l) { return l.sum / (l.count > 1 ? l.count : 1); }

/* The masked_sse gradient scale that makes its gradient that of the mean
 * over count positions: 2 / max(count, 1). */
static inline float ts_loss_grad_scale(double count) { return (float)(2.0 / (count > 1 ? count : 1)); }

uint64_t ts_diffusion_noise(ts_backend *be, const ts_schedule *s, int rows, size_t n,
                            const float *x0, uint64_t seed, uint64_t offset, float *h_t,
                            float *eps, float *xt);

/* Rows [r0, r0 + rows) of that batch of `total` rows, from the same
 * counters the whole batch gives them (bit-identical to those rows of the
 * whole): one rank's part of a data-parallel step. x0, eps, xt, h_t hold
 * the part only; returns the counters the whole batch consumes. */
uint64_t ts_diffusion_noise_part(ts_backend *be, const ts_schedule *s, int total, int r0,
                                 int rows, size_t n, const float *x0, uint64_t seed,
                                 uint64_t offset, float *h_t, float *eps, float *xt);

#endif
