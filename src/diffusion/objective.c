/* objective.c - noising a training batch (see objective.h). */
#include "diffusion/objective.h"

#include <math.h>
#include <stdlib.h>

#include "io/philox.h"

static uint64_t round_up4(uint64_t i) { return (i + 3) & ~(uint64_t)3; }

uint64_t ts_diffusion_noise(ts_backend *be, const ts_schedule *s, int rows, size_t n,
                            const float *x0, uint64_t seed, uint64_t offset, float *h_t,
                            float *eps, float *xt)
{
    return ts_diffusion_noise_part(be, s, rows, 0, rows, n, x0, seed, offset, h_t, eps, xt);
}

uint64_t ts_diffusion_noise_part(ts_backend *be, const ts_schedule *s, int total, int r0,
                                 int rows, size_t n, const float *x0, uint64_t seed,
                                 uint64_t offset, float *h_t, float *eps, float *xt)
{
    TS_CHECK(rows >= 0 && r0 >= 0 && r0 + rows <= total);
    float *h_a = ts_xmalloc(((size_t)rows + 1) * sizeof *h_a);
    float *h_b = ts_xmalloc(((size_t)rows + 1) * sizeof *h_b);
    for (int r = 0; r < rows; r++) {
        int t = (int)(ts_philox_uniform(seed, offset + (uint64_t)(r0 + r)) * s->T);
        if (t > s->T - 1) t = s->T - 1;
        double ab = s->alpha_bar[t];
        h_t[r] = (float)t;
        h_a[r] = (float)sqrt(ab);
        h_b[r] = (float)sqrt(1.0 - ab);
    }
    uint64_t e = round_up4(offset + (uint64_t)total);
    be->randn(be, (size_t)rows * n, seed, e + (uint64_t)r0 * n, eps);
    be->mix_rows(be, rows, n, h_a, x0, h_b, eps, xt);
    free(h_a);
    free(h_b);
    return round_up4(e + (size_t)total * n) - offset;
}
