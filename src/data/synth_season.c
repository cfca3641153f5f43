/* synth_season.c - seasonal shapes of the synthetic corpus: a profile with
 * one value per phase (day of week, hour of day) or a few Fourier harmonics
 * (smooth yearly cycles, non-integer periods such as 365.25 or 52.18). */
#include "data/synth_parts.h"

#include <math.h>

#include "data/detmath.h"

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

/* Scale v[0..n) to mean 0 and (population) standard deviation 1; returns 0
 * if it is constant. */
static int standardise(double *v, int n)
{
    double mean = 0, var = 0;
    for (int i = 0; i < n; i++) mean += v[i];
    mean /= n;
    for (int i = 0; i < n; i++) var += (v[i] - mean) * (v[i] - mean);
    if (!(var > 0)) return 0;
    double sd = sqrt(var / n);
    for (int i = 0; i < n; i++) v[i] = (v[i] - mean) / sd;
    return 1;
}

/* Profile values: normal, or flat with a few peaks (rush hours, a busy
 * weekend), or a random walk around the period (smoother). */
static void draw_profile(ts_synth_rng *r, ts_season_params *p)
{
    int style = (int)ts_synth_int(r, 0, 2);
    double walk = 0;
    for (int i = 0; i < p->profile_len; i++) {
        if (style == 0) p->profile[i] = ts_synth_normal(r);
        else if (style == 1) p->profile[i] = ts_synth_bernoulli(r, 0.25) ? ts_synth_range(r, 1, 4) : 0;
        else p->profile[i] = walk += ts_synth_normal(r);
    }
    if (!standardise(p->profile, p->profile_len)) {  /* no peak drawn: one */
        p->profile[0] += 1;
        standardise(p->profile, p->profile_len);
    }
}

/* K harmonics at random phases: the fundamental with amplitude 1, the
 * k-th at most k^-decay (so the period is m, never m/2), scaled to unit
 * variance (the variance of a cos + b sin over a period is (a^2 + b^2) / 2). */
static void draw_harmonics(ts_synth_rng *r, ts_season_params *p)
{
    int kmax = (int)floor(p->period / 2);
    if (kmax > TS_SEASON_MAX_HARMONICS) kmax = TS_SEASON_MAX_HARMONICS;
    if (kmax < 1) kmax = 1;
    p->harmonics = (int)ts_synth_int(r, 1, kmax);
    double decay = ts_synth_range(r, 0.5, 2.0), var = 0;
    for (int k = 0; k < p->harmonics; k++) {
        double amp = k ? ts_det_pow(k + 1.0, -decay) * ts_synth_uniform(r) : 1.0;
        double phase = ts_synth_uniform(r);
        p->a[k] = amp * ts_det_cos_turns(phase);
        p->b[k] = amp * ts_det_sin_turns(phase);
        var += amp * amp / 2;
    }
    double sd = sqrt(var);
    for (int k = 0; k < p->harmonics; k++) p->a[k] /= sd, p->b[k] /= sd;
}

void ts_season_draw(ts_synth_rng *r, double period, ts_season_params *p)
{
    *p = (ts_season_params){.period = period};
    double whole = floor(period + 0.5);
    if (fabs(period - whole) < 1e-9 && whole <= TS_SEASON_MAX_PROFILE && whole >= 2 &&
        ts_synth_bernoulli(r, 0.5)) {
        p->profile_len = (int)whole;
        draw_profile(r, p);
    } else {
        draw_harmonics(r, p);
    }
}

void ts_season_fill(const ts_season_params *p, long phase0, size_t n, double *out)
{
    for (size_t j = 0; j < n; j++) {
        long at = phase0 + (long)j;
        if (p->profile_len) {
            long m = at % p->profile_len;
            out[j] = p->profile[m < 0 ? m + p->profile_len : m];
            continue;
        }
        double u = (double)at / p->period, v = 0;
        u -= floor(u);
        for (int k = 0; k < p->harmonics; k++)
            v += p->a[k] * ts_det_cos_turns((k + 1) * u) + p->b[k] * ts_det_sin_turns((k + 1) * u);
        out[j] = v;
    }
}
