/* synth_rng.c - the synthetic corpus' random stream and the distributions
 * drawn from it (see synth_parts.h). Everything is computed from Philox
 * words with the reproducible functions of detmath.h. */
#include "data/synth_parts.h"

#include <math.h>

#include "data/detmath.h"
#include "io/philox.h"

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

void ts_synth_rng_init(ts_synth_rng *r, uint64_t seed, uint64_t stream)
{
    r->key[0] = (uint32_t)seed, r->key[1] = (uint32_t)(seed >> 32);
    r->stream[0] = (uint32_t)stream, r->stream[1] = (uint32_t)(stream >> 32);
    r->block = 0;
    r->used = 4;
    r->has_spare = 0;
    r->spare = 0;
}

static uint32_t next_word(ts_synth_rng *r)
{
    if (r->used == 4) {
        const uint32_t ctr[4] = {(uint32_t)r->block, (uint32_t)(r->block >> 32), r->stream[0],
                                 r->stream[1]};
        ts_philox4x32(ctr, r->key, r->word);
        r->block++;
        r->used = 0;
    }
    return r->word[r->used++];
}

double ts_synth_uniform(ts_synth_rng *r)
{
    uint64_t hi = next_word(r) >> 5, lo = next_word(r) >> 6;  /* 27 + 26 bits */
    return ((double)(hi << 26 | lo) + 0.5) * (1.0 / 9007199254740992.0);
}

double ts_synth_range(ts_synth_rng *r, double lo, double hi)
{
    return lo + (hi - lo) * ts_synth_uniform(r);
}

double ts_synth_log_range(ts_synth_rng *r, double lo, double hi)
{
    return ts_det_exp(ts_synth_range(r, ts_det_log(lo), ts_det_log(hi)));
}

long ts_synth_int(ts_synth_rng *r, long lo, long hi)
{
    long k = lo + (long)floor(ts_synth_uniform(r) * (double)(hi - lo + 1));
    return k > hi ? hi : k;
}

int ts_synth_bernoulli(ts_synth_rng *r, double p) { return ts_synth_uniform(r) < p; }

/* Box-Muller: two normals per pair of uniforms, the second kept. */
double ts_synth_normal(ts_synth_rng *r)
{
    if (r->has_spare) {
        r->has_spare = 0;
        return r->spare;
    }
    double u = ts_synth_uniform(r), v = ts_synth_uniform(r);
    double rad = sqrt(-2.0 * ts_det_log(u));
    r->spare = rad * ts_det_sin_turns(v);
    r->has_spare = 1;
    return rad * ts_det_cos_turns(v);
}

/* Marsaglia and Tsang (2000); shape < 1 through Gamma(shape + 1) u^(1/shape). */
double ts_synth_gamma(ts_synth_rng *r, double shape)
{
    if (shape < 1.0) {
        double g = ts_synth_gamma(r, shape + 1.0);
        return g * ts_det_pow(ts_synth_uniform(r), 1.0 / shape);
    }
    double d = shape - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double z = ts_synth_normal(r), v = 1.0 + c * z;
        if (v <= 0) continue;
        v = v * v * v;
        double u = ts_synth_uniform(r);
        if (ts_det_log(u) < 0.5 * z * z + d - d * v + d * ts_det_log(v)) return d * v;
    }
}

/* Counting uniforms until their product drops below e^-mean, in pieces of
 * at most 20 (a sum of Poissons is Poisson); a normal approximation above
 * a mean of 200, where that would take too many draws. */
long ts_synth_poisson(ts_synth_rng *r, double mean)
{
    if (!(mean > 0)) return 0;
    if (mean > 200) {
        double k = floor(mean + sqrt(mean) * ts_synth_normal(r) + 0.5);
        return k < 0 ? 0 : (long)k;
    }
    long k = 0;
    for (double left = mean; left > 0; left -= 20) {
        double limit = ts_det_exp(-(left < 20 ? left : 20)), prod = ts_synth_uniform(r);
        for (; prod > limit; k++) prod *= ts_synth_uniform(r);
    }
    return k;
}

void ts_synth_moments(const double *x, size_t n, double *mean, double *sd)
{
    double s = 0, ss = 0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i])) s += x[i], m++;
    *mean = m ? s / (double)m : 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i])) ss += (x[i] - *mean) * (x[i] - *mean);
    *sd = m > 1 ? sqrt(ss / (double)(m - 1)) : 0;
}
