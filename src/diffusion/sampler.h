/* sampler.h - drawing x_0 from the learned reverse process.
 *
 * The sampler state x is n floats in backend memory (for forecasting: the
 * future positions of every window of the batch, rows of H). It knows nothing
 * of the UNet: it calls eps_fn, which assembles the network input from x and
 * the conditioning and writes the predicted noise for the same n floats.
 */
#ifndef TS_SAMPLER_H
#define TS_SAMPLER_H

#include <stddef.h>
#include <stdint.h>

#include "diffusion/schedule.h"
#include "nn/backend.h"

typedef enum { TS_SAMPLER_DDPM = 0, TS_SAMPLER_DDIM = 1, TS_SAMPLER_DPMPP = 2 } ts_sampler_kind;

/* eps = eps_hat(x, t): x and eps are n floats of backend memory, t is the
 * diffusion time in training-step units (may be fractional). */
typedef void (*ts_eps_fn)(void *ctx, const float *x, double t, float *eps);

typedef struct ts_sampler_config {
    ts_sampler_kind kind;
    int steps;          /* K solver steps for ddim/dpmpp; ignored by ddpm (T) */
    uint64_t seed;      /* noise stream: x_T and ddpm's per-step noise */
    uint64_t offset;    /* first counter of that stream this call uses */
} ts_sampler_config;

int ts_sampler_parse(const char *name, ts_sampler_kind *out, ts_error *err);
const char *ts_sampler_name(ts_sampler_kind k);

/* Draw x_0 into x (n floats). work: 3 n floats of backend scratch. Returns the
 * number of eps_fn calls made. */
int ts_sample(ts_backend *be, const ts_schedule *s, const ts_sampler_config *cfg,
              size_t n, ts_eps_fn fn, void *ctx, float *x, float *work);

/* The solver's time points, t_0 = T-1 > ... > t_K (K+1 values, strictly
 * decreasing, the last at t = 0 where sigma is smallest), evenly spaced in
 * lambda. Writes K+1 values into ts. */
void ts_sampler_timesteps(const ts_schedule *s, int K, double *ts);

#endif
