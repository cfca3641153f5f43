/* detmath.c - reproducible exp, log, sin and cos (see detmath.h). */
#include "data/detmath.h"

#include <float.h>
#include <math.h>

/* 0: plain; 16 (GNU C on processors with half floats) only widens _Float16. */
#if FLT_EVAL_METHOD != 0 && FLT_EVAL_METHOD != 16
#error "detmath needs plain double arithmetic (FLT_EVAL_METHOD 0)"
#endif
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

/* ln 2 split so that k * LN2_HI is exact for |k| < 2^20. */
#define LN2_HI 6.93147180369123816490e-01
#define LN2_LO 1.90821492927058770002e-10
#define INV_LN2 1.44269504088896338700e+00
#define SQRT_HALF 0.70710678118654752440
#define HALF_PI 1.57079632679489661923

double ts_det_exp(double x)
{
    if (isnan(x)) return x;
    if (x < -745.2) return 0.0;
    if (x > 709.78) return INFINITY;
    /* x = k ln2 + r, |r| <= ln2 / 2; e^r = (e^(r/16))^16 with a short Taylor
     * polynomial on |r/16| <= 0.022. */
    double k = floor(x * INV_LN2 + 0.5);
    double r = ((x - k * LN2_HI) - k * LN2_LO) / 16.0;
    double p = 1.0 + r * (1.0 + r / 2 * (1.0 + r / 3 * (1.0 + r / 4 * (1.0 + r / 5 *
               (1.0 + r / 6 * (1.0 + r / 7 * (1.0 + r / 8 * (1.0 + r / 9))))))));
    for (int i = 0; i < 4; i++) p *= p;
    return ldexp(p, (int)k);
}

double ts_det_log(double x)
{
    if (isnan(x) || x < 0) return NAN;
    if (x == 0) return -INFINITY;
    if (isinf(x)) return x;
    /* x = m 2^e with m in [sqrt(1/2), sqrt(2)); log m = 2 atanh(s) with
     * s = (m - 1) / (m + 1), |s| <= 0.172: the odd series to s^25. */
    int e;
    double m = frexp(x, &e);
    if (m < SQRT_HALF) m *= 2.0, e--;
    double s = (m - 1.0) / (m + 1.0), s2 = s * s, sum = 0.0;
    for (int j = 25; j >= 3; j -= 2) sum = (sum + 1.0 / j) * s2;
    double lm = 2.0 * (s + s * sum);
    return (double)e * LN2_HI + ((double)e * LN2_LO + lm);
}

/* sin and cos of t in [-pi/4, pi/4] (Taylor to t^17 and t^18). */
static double sin_small(double t)
{
    double t2 = t * t, p = 0.0;
    for (int j = 17; j >= 3; j -= 2) p = (1.0 - p) * t2 / (j * (j - 1));
    return t * (1.0 - p);
}

static double cos_small(double t)
{
    double t2 = t * t, p = 0.0;
    for (int j = 18; j >= 2; j -= 2) p = (1.0 - p) * t2 / (j * (j - 1));
    return 1.0 - p;
}

/* u in turns = q quarter turns + t radians, t in [-pi/4, pi/4]. */
static double quadrant(double u, int *q)
{
    double f = u - floor(u);                /* [0, 1) */
    double k = floor(4.0 * f + 0.5);        /* nearest quarter: 0..4 */
    *q = (int)k & 3;
    return (4.0 * f - k) * HALF_PI;
}

double ts_det_sin_turns(double u)
{
    int q;
    double t = quadrant(u, &q);
    switch (q) {
    case 0: return sin_small(t);
    case 1: return cos_small(t);
    case 2: return -sin_small(t);
    default: return -cos_small(t);
    }
}

double ts_det_cos_turns(double u)
{
    int q;
    double t = quadrant(u, &q);
    switch (q) {
    case 0: return cos_small(t);
    case 1: return -sin_small(t);
    case 2: return -cos_small(t);
    default: return sin_small(t);
    }
}

double ts_det_pow(double x, double y)
{
    if (y == 0) return 1.0;
    return ts_det_exp(y * ts_det_log(x));
}
