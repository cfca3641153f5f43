/* synth_trend.c - trends (linear, damped, exponential, piecewise linear with
 * change points) and level shifts of the synthetic corpus. */
#include "data/synth_parts.h"

#include <math.h>

#include "data/detmath.h"

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

/* Distinct sorted knots in [n/10, 9n/10]; returns how many fit. */
static int draw_knots(ts_synth_rng *r, size_t n, int want, long *knot)
{
    long lo = (long)n / 10 + 1, hi = (long)(9 * n / 10);
    int k = 0;
    for (int i = 0; i < want && hi >= lo; i++) {
        long at = ts_synth_int(r, lo, hi), j = k;
        int dup = 0;
        for (int m = 0; m < k; m++) dup |= knot[m] == at;
        if (dup) continue;
        while (j > 0 && knot[j - 1] > at) knot[j] = knot[j - 1], j--;
        knot[j] = at;
        k++;
    }
    return k;
}

void ts_trend_draw(ts_synth_rng *r, size_t n, double size, ts_trend_params *p)
{
    *p = (ts_trend_params){.kind = (ts_trend_kind)ts_synth_int(r, 0, TS_TREND_KINDS - 1)};
    double steps = n > 1 ? (double)(n - 1) : 1.0;
    p->slope = size * ts_synth_normal(r) / steps;
    if (p->kind == TS_TREND_DAMPED) {
        double tau = ts_synth_range(r, 0.05, 0.5) * steps;  /* steps to level off */
        p->phi = ts_det_exp(-1.0 / tau);
        p->slope *= steps * (1.0 - p->phi);  /* about the same total change */
    } else if (p->kind == TS_TREND_EXP) {
        p->rate = ts_synth_range(r, -1.5, 1.5) * (size < 1 ? size : 1) / steps;
    } else if (p->kind == TS_TREND_PIECEWISE) {
        p->n_knots = draw_knots(r, n, (int)ts_synth_int(r, 1, TS_TREND_MAX_KNOTS), p->knot);
        for (int i = 0; i < p->n_knots; i++)
            p->knot_slope[i] = size * ts_synth_normal(r) / steps;
    }
}

void ts_trend_fill(const ts_trend_params *p, size_t n, double *out)
{
    double level = 0, slope = p->slope;
    int k = 0;
    for (size_t j = 0; j < n; j++) {
        switch (p->kind) {
        case TS_TREND_LINEAR:
            out[j] = p->slope * (double)j;
            break;
        case TS_TREND_DAMPED:
            out[j] = level;
            level += slope;
            slope *= p->phi;
            break;
        case TS_TREND_EXP:
            out[j] = ts_det_exp(p->rate * (double)j) - 1.0;
            break;
        default:  /* piecewise: the slope of step j -> j + 1 changes at knots */
            while (k < p->n_knots && p->knot[k] <= (long)j) slope = p->knot_slope[k++];
            out[j] = level;
            level += slope;
            break;
        }
    }
}

void ts_shifts_add(ts_synth_rng *r, size_t n, int max_shifts, double size, double *out)
{
    if (n < 3) return;
    int m = (int)ts_synth_int(r, 1, max_shifts);
    for (int i = 0; i < m; i++) {
        size_t at = (size_t)ts_synth_int(r, 1, (long)n - 1);
        double d = size * ts_synth_normal(r);
        for (size_t j = at; j < n; j++) out[j] += d;
    }
}
