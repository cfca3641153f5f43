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

/* Where the cosine schedule's solver grid starts (ts_sampler_timesteps). */
#define TS_LAMBDA_MIN (-5.0)

typedef enum { TS_SAMPLER_DDPM = 0, TS_SAMPLER_DDIM = 1, TS_SAMPLER_DPMPP = 2 } ts_sampler_kind;

/* eps = eps_hat(x, t): x and eps are n floats of backend memory, t is the
 * diffusion time in training-step units (may be fractional). */
typedef void (*ts_eps_fn)(void *ctx, const float *x, double t, float *eps);

/* The K solver steps of ddim and dpmpp recorded once as a backend graph (a
 * CUDA graph) and replayed by later calls of the same shape: same n, x,
 * work, eps_fn, ctx, schedule, sampler and K. A replay runs the recorded ops
 * on the same buffers, so fn and ctx must do the same thing on every call
 * (true of ts_denoiser_eps with the same batch buffers). The caller owns it:
 * zero it, pass it in the config, free it with ts_sampler_graph_free.
 * Backends without graphs (the CPU) ignore it. */
typedef struct ts_sampler_graph {
    ts_graph *g;
    size_t n;
    const float *x, *work;
    ts_eps_fn fn;
    const void *ctx;
    const ts_schedule *s;
    int kind, steps;
} ts_sampler_graph;

void ts_sampler_graph_free(ts_backend *be, ts_sampler_graph *sg);

typedef struct ts_sampler_config {
    ts_sampler_kind kind;
    int steps;          /* K solver steps for ddim/dpmpp; ignored by ddpm (T) */
    uint64_t seed;      /* noise stream: x_T and ddpm's per-step noise */
    uint64_t offset;    /* first counter of that stream this call uses */
    ts_sampler_graph *graph;  /* NULL: no recording (ddpm never records) */
} ts_sampler_config;

int ts_sampler_parse(const char *name, ts_sampler_kind *out, ts_error *err);
const char *ts_sampler_name(ts_sampler_kind k);

/* Draw x_0 into x (n floats). work: 3 n floats of backend scratch. Returns the
 * number of eps_fn calls made: T for ddpm, K = cfg->steps for ddim and dpmpp.
 *
 * Noise layout in the normal stream (seed, .): x_T is normals offset ..
 * offset+n-1; ddpm's noise for its step from t to t-1 (t = T-1 .. 1) is
 * normals offset + n (T-t) .. offset + n (T-t+1) - 1. ts_sampler_normals()
 * says how many counters a call uses, so a caller can advance its offset.
 *
 * ddim and dpmpp start from x_T at t_0 and evaluate eps at t_0 .. t_{K-1} of
 * ts_sampler_timesteps (for the cosine schedule t_0 < T-1, see there) and
 * treat the last step, to t_K = 0, as the step to sigma = 0: x <- x0_hat
 * (first order, never log 0). x0_hat is never clipped. */
int ts_sample(ts_backend *be, const ts_schedule *s, const ts_sampler_config *cfg,
              size_t n, ts_eps_fn fn, void *ctx, float *x, float *work);

/* The solver's time points, t_0 > ... > t_K (K+1 values, strictly
 * decreasing, the first at T-1 (cosine: see below), the last at t = 0 where
 * sigma is smallest), evenly spaced in lambda. Writes K+1 values into ts.
 * K >= 1.
 * Cosine schedule: its lambda(T-1) is about -10, and a first step from there
 * would amplify the error of eps_hat ~200-fold; its grid starts instead at
 * the t where lambda = TS_LAMBDA_MIN (-5, about where the linear schedule's
 * T-1 lies), t_0 ~ 0.995 (T-1), and x_T is taken as the sample there. */
void ts_sampler_timesteps(const ts_schedule *s, int K, double *ts);

/* The number of normal numbers ts_sample draws from the stream (x_T and, for
 * ddpm, the noise of every step but the last). */
uint64_t ts_sampler_normals(const ts_schedule *s, const ts_sampler_config *cfg, size_t n);

/* The samplers one by one (ts_sample dispatches to them); same contract. */
int ts_sample_ddpm(ts_backend *be, const ts_schedule *s, const ts_sampler_config *cfg,
                   size_t n, ts_eps_fn fn, void *ctx, float *x, float *work);
int ts_sample_ddim(ts_backend *be, const ts_schedule *s, const ts_sampler_config *cfg,
                   size_t n, ts_eps_fn fn, void *ctx, float *x, float *work);
int ts_sample_dpmpp(ts_backend *be, const ts_schedule *s, const ts_sampler_config *cfg,
                    size_t n, ts_eps_fn fn, void *ctx, float *x, float *work);

#endif
