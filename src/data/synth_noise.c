/* synth_noise.c - noise of the synthetic corpus: white, ARMA, random walk,
 * GARCH(1,1) volatility clusters (heteroscedastic), and outliers. */
#include "data/synth_parts.h"

#include <math.h>

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

#define BURN_IN 100  /* ARMA and GARCH steps dropped before the first value */

/* A stationary AR part from partial autocorrelations in (-0.9, 0.9)
 * (Durbin-Levinson), an invertible MA(1) part. */
void ts_noise_draw(ts_synth_rng *r, ts_noise_params *p)
{
    *p = (ts_noise_params){.kind = (ts_noise_kind)ts_synth_int(r, 0, TS_NOISE_KINDS - 1)};
    if (p->kind == TS_NOISE_ARMA) {
        p->p = (int)ts_synth_int(r, 0, 2);
        p->q = p->p == 0 ? 1 : (int)ts_synth_int(r, 0, 1);
        double k1 = ts_synth_range(r, -0.9, 0.9), k2 = ts_synth_range(r, -0.9, 0.9);
        if (p->p == 1) p->phi[0] = k1;
        if (p->p == 2) p->phi[0] = k1 * (1 - k2), p->phi[1] = k2;
        if (p->q) p->theta = ts_synth_range(r, -0.8, 0.8);
    } else if (p->kind == TS_NOISE_GARCH) {
        p->alpha = ts_synth_range(r, 0.05, 0.25);
        p->beta = ts_synth_range(r, 0.5, 0.94 - p->alpha);
    }
}

/* Scale x[0..n) to standard deviation 1 about 0. */
static void unit_scale(double *x, size_t n)
{
    double ss = 0;
    for (size_t j = 0; j < n; j++) ss += x[j] * x[j];
    double sd = n ? sqrt(ss / (double)n) : 0;
    if (sd > 0)
        for (size_t j = 0; j < n; j++) x[j] /= sd;
}

static void fill_arma(ts_synth_rng *r, const ts_noise_params *p, size_t n, double *out)
{
    double y1 = 0, y2 = 0, e1 = 0;
    for (size_t j = 0; j < n + BURN_IN; j++) {
        double e = ts_synth_normal(r);
        double y = p->phi[0] * y1 + p->phi[1] * y2 + e + p->theta * e1;
        y2 = y1, y1 = y, e1 = e;
        if (j >= BURN_IN) out[j - BURN_IN] = y;
    }
    unit_scale(out, n);
}

static void fill_garch(ts_synth_rng *r, const ts_noise_params *p, size_t n, double *out)
{
    double h = 1, omega = 1 - p->alpha - p->beta;
    for (size_t j = 0; j < n + BURN_IN; j++) {
        double e = sqrt(h) * ts_synth_normal(r);
        h = omega + p->alpha * e * e + p->beta * h;
        if (j >= BURN_IN) out[j - BURN_IN] = e;
    }
}

void ts_noise_fill(ts_synth_rng *r, const ts_noise_params *p, size_t n, double *out)
{
    double walk = 0, step = n ? 1.0 / sqrt((double)n) : 1;
    switch (p->kind) {
    case TS_NOISE_WHITE:
        for (size_t j = 0; j < n; j++) out[j] = ts_synth_normal(r);
        break;
    case TS_NOISE_ARMA:
        fill_arma(r, p, n, out);
        break;
    case TS_NOISE_WALK:  /* spread about 1 at the end, whatever n */
        for (size_t j = 0; j < n; j++) out[j] = walk += step * ts_synth_normal(r);
        break;
    default:
        fill_garch(r, p, n, out);
        break;
    }
}

void ts_outliers_add(ts_synth_rng *r, size_t n, int max_outliers, double size, double *out)
{
    if (!n) return;
    int m = (int)ts_synth_int(r, 1, max_outliers);
    for (int i = 0; i < m; i++) {
        size_t at = (size_t)ts_synth_int(r, 0, (long)n - 1);
        double d = size * ts_synth_range(r, 3, 8);
        out[at] += ts_synth_bernoulli(r, 0.5) ? d : -d;
    }
}
