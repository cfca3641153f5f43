/* denoiser.h - the UNet seen by a sampler: an eps_fn over the future part of
 * a batch of conditioning windows.
 *
 * The caller owns every buffer and fills `in` with the windows' conditioning
 * (nn input layout, data/window.h); the sampler's state x is [rows, horizon]
 * and is written into the noisy-target channel at the future positions
 * before each network call. Used by forecasting and by validation during
 * training, so both sample exactly the same way.
 */
#ifndef TS_DENOISER_H
#define TS_DENOISER_H

#include "nn/backend.h"
#include "nn/unet.h"

typedef struct ts_denoiser {
    ts_backend *be;
    ts_unet *net;
    int rows;          /* windows in the current batch */
    int channels, length, fut, horizon;  /* fut: first future position */
    float *in;         /* [rows, channels, length] backend memory */
    float *out;        /* [rows, length] backend scratch */
    float *h_t;        /* [rows] host scratch */
} ts_denoiser;

/* A ts_eps_fn (diffusion/sampler.h); ctx is a ts_denoiser. */
void ts_denoiser_eps(void *ctx, const float *x, double t, float *eps);

#endif
