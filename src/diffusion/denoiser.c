/* denoiser.c - x into the noisy-target slot, UNet forward, eps out. */
#include "diffusion/denoiser.h"

void ts_denoiser_eps(void *ctx, const float *x, double t, float *eps)
{
    ts_denoiser *d = ctx;
    ts_backend *be = d->be;
    for (int r = 0; r < d->rows; r++) d->h_t[r] = (float)t;
    be->chan_copy(be, d->rows, 1, d->horizon, x, d->horizon, 0, d->in, d->channels * d->length,
                  d->fut, 0);
    ts_unet_forward(d->net, d->rows, d->in, d->h_t, d->out);
    be->chan_copy(be, d->rows, 1, d->horizon, d->out, d->length, d->fut, eps, d->horizon, 0, 0);
}
