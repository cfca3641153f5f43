/* synth_gp.c - Gaussian-process samples from random kernel compositions
 * (KernelSynth, from the Chronos paper: Ansari et al. 2024). The kernels
 * act on x in [0, 1] over the series; the sample is drawn on at most
 * TS_GP_MAX_POINTS points through our own Cholesky factor (the same bits on
 * every machine, which a tuned LAPACK does not promise) and interpolated. */
#include "data/synth_parts.h"

#include <math.h>
#include <stdlib.h>

#include "data/detmath.h"
#include "io/error.h"

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

#define MAX_KERNELS 5

typedef enum { K_RBF, K_RQ, K_PERIODIC, K_LINEAR, K_WHITE, K_KINDS } kernel_kind;

typedef struct kernel {
    kernel_kind kind;
    int times;           /* joined to the kernels before by *, else + */
    double a, b;         /* RBF, RQ: length, alpha; periodic: period, length;
                            linear: offset, centre; white: variance */
} kernel;

static double kernel_at(const kernel *k, double x, double y, int same)
{
    double d = x - y;
    switch (k->kind) {
    case K_RBF: return ts_det_exp(-d * d / (2 * k->a * k->a));
    case K_RQ: return ts_det_pow(1 + d * d / (2 * k->b * k->a * k->a), -k->b);
    case K_PERIODIC: {
        double s = ts_det_sin_turns(fabs(d) / (2 * k->a));  /* sin(pi d / p) */
        return ts_det_exp(-2 * s * s / (k->b * k->b));
    }
    case K_LINEAR: return k->a + (x - k->b) * (y - k->b);
    default: return same ? k->a : 0;
    }
}

/* A period in x units: one of the calendar's with at least 4 grid points
 * per cycle and 2 cycles in the series, else a random one that is. */
static double draw_period(ts_synth_rng *r, const double *periods, int n_periods, size_t n,
                          size_t m)
{
    double span = n > 1 ? (double)(n - 1) : 1, lo = 4.0 / (double)(m > 1 ? m - 1 : 1);
    double fit[8];
    int n_fit = 0;
    for (int i = 0; i < n_periods && n_fit < 8; i++)
        if (periods[i] / span >= lo && periods[i] / span <= 0.5) fit[n_fit++] = periods[i] / span;
    if (n_fit && ts_synth_bernoulli(r, 0.7)) return fit[ts_synth_int(r, 0, n_fit - 1)];
    return ts_synth_log_range(r, lo < 0.5 ? lo : 0.25, 0.5);
}

static void draw_kernel(ts_synth_rng *r, const double *periods, int n_periods, size_t n,
                        size_t m, kernel *k)
{
    k->kind = (kernel_kind)ts_synth_int(r, 0, K_KINDS - 1);
    k->times = ts_synth_bernoulli(r, 0.5);
    switch (k->kind) {
    case K_RBF: k->a = ts_synth_log_range(r, 0.02, 1); break;
    case K_RQ: k->a = ts_synth_log_range(r, 0.02, 1), k->b = ts_synth_log_range(r, 0.1, 10); break;
    case K_PERIODIC:
        k->a = draw_period(r, periods, n_periods, n, m);
        k->b = ts_synth_range(r, 0.5, 2);
        break;
    case K_LINEAR: k->a = ts_synth_range(r, 0, 1), k->b = ts_synth_range(r, 0, 1); break;
    default: k->a = ts_synth_log_range(r, 0.01, 0.3); break;
    }
}

/* The lower triangle of the composed covariance on m points, plus jitter. */
static void covariance(const kernel *k, int nk, size_t m, double jitter, double *c)
{
    double h = m > 1 ? 1.0 / (double)(m - 1) : 0;
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j <= i; j++) {
            double v = kernel_at(&k[0], (double)i * h, (double)j * h, i == j);
            for (int t = 1; t < nk; t++) {
                double w = kernel_at(&k[t], (double)i * h, (double)j * h, i == j);
                v = k[t].times ? v * w : v + w;
            }
            c[i * m + j] = v + (i == j ? jitter : 0);
        }
}

/* In place: the lower triangle of c becomes L with L L' = c. Returns 0, or
 * -1 if c is not positive definite (to rounding). */
static int cholesky(double *c, size_t m)
{
    for (size_t j = 0; j < m; j++) {
        double *rj = c + j * m, d = rj[j];
        for (size_t k = 0; k < j; k++) d -= rj[k] * rj[k];
        if (!(d > 0)) return -1;
        rj[j] = sqrt(d);
        for (size_t i = j + 1; i < m; i++) {
            double *ri = c + i * m, s = ri[j];
            for (size_t k = 0; k < j; k++) s -= ri[k] * rj[k];
            ri[j] = s / rj[j];
        }
    }
    return 0;
}

/* out[0..n) from the m-point sample y, linearly interpolated. */
static void stretch(const double *y, size_t m, size_t n, double *out)
{
    for (size_t j = 0; j < n; j++) {
        double t = n > 1 ? (double)j * (double)(m - 1) / (double)(n - 1) : 0;
        size_t i = (size_t)t;
        if (i >= m - 1) {
            out[j] = y[m - 1];
            continue;
        }
        out[j] = y[i] + (t - (double)i) * (y[i + 1] - y[i]);
    }
}

void ts_gp_fill(ts_synth_rng *r, const double *periods, int n_periods, int max_kernels,
                size_t n, double *out)
{
    size_t m = n < TS_GP_MAX_POINTS ? n : TS_GP_MAX_POINTS;
    if (max_kernels > MAX_KERNELS) max_kernels = MAX_KERNELS;
    kernel k[MAX_KERNELS];
    int nk = (int)ts_synth_int(r, 1, max_kernels);
    for (int t = 0; t < nk; t++) draw_kernel(r, periods, n_periods, n, m, &k[t]);
    double *c = ts_xmalloc(m * m * sizeof *c), *y = ts_xmalloc(m * sizeof *y);
    int ok = 0;
    for (double jitter = 1e-6; !ok && jitter < 1; jitter *= 100) {
        covariance(k, nk, m, jitter, c);
        ok = cholesky(c, m) == 0;
    }
    double z[TS_GP_MAX_POINTS];
    for (size_t i = 0; i < m; i++) z[i] = ts_synth_normal(r);
    for (size_t i = 0; i < m; i++) {  /* y = L z, or white noise if never factored */
        double s = 0;
        for (size_t j = 0; ok && j <= i; j++) s += c[i * m + j] * z[j];
        y[i] = ok ? s : z[i];
    }
    stretch(y, m, n, out);
    double mean, sd;
    ts_synth_moments(out, n, &mean, &sd);
    for (size_t j = 0; j < n; j++) out[j] = sd > 0 ? (out[j] - mean) / sd : 0;
    free(c);
    free(y);
}
