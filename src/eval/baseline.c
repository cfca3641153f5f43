/* baseline.c - naive and seasonal-naive forecasts with Gaussian intervals. */
#include "eval/baseline.h"

#include <math.h>

double ts_norm_ppf(double p)
{
    static const double a[6] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                -2.759285104469687e+02, 1.383577518672690e+02,
                                -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[5] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                -1.556989798598866e+02, 6.680131188771972e+01,
                                -1.328068155288572e+01};
    static const double c[6] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                -2.400758277161838e+00, -2.549732539343734e+00,
                                4.374664141464968e+00, 2.938163982698783e+00};
    static const double d[4] = {7.784695709041462e-03, 3.224671290700398e-01,
                                2.445134137142996e+00, 3.754408661907416e+00};
    if (p <= 0) return -INFINITY;
    if (p >= 1) return INFINITY;
    double x, q, r;
    if (p < 0.02425) {
        q = sqrt(-2 * log(p));
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    } else if (p <= 1 - 0.02425) {
        q = p - 0.5;
        r = q * q;
        x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
            (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    } else {
        q = sqrt(-2 * log(1 - p));
        x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    /* One Halley step on Phi(x) - p. */
    double e = 0.5 * erfc(-x / sqrt(2)) - p;
    double u = e * 2.5066282746310002 * exp(x * x / 2);  /* sqrt(2 pi) */
    return x - u / (1 + x * u / 2);
}

/* Root mean square of y_t - y_{t-lag} over observed pairs; 0 if none. */
static double residual_sd(const float *y, size_t n, int lag)
{
    double ss = 0;
    size_t cnt = 0;
    for (size_t t = (size_t)lag; t < n; t++) {
        if (isnan(y[t]) || isnan(y[t - (size_t)lag])) continue;
        double e = (double)y[t] - y[t - (size_t)lag];
        ss += e * e;
        cnt++;
    }
    return cnt ? sqrt(ss / (double)cnt) : 0.0;
}

/* The last observed value at the phase of step h (1-based) with season m. */
static int last_at_phase(const float *y, size_t n, int m, int h, float *out)
{
    long t = (long)n - m + (h - 1) % m;
    for (; t >= 0; t -= m)
        if (!isnan(y[t])) {
            *out = y[t];
            return 0;
        }
    return -1;
}

int ts_baseline_forecast(ts_baseline_kind k, int m, const float *y, size_t n, int H,
                         const double *q, int nq, float *point, float *qv)
{
    if (k == TS_BASE_NAIVE || m < 1 || (size_t)m >= n) m = 1;
    double s = residual_sd(y, n, m);
    for (int h = 1; h <= H; h++) {
        float p;
        if (last_at_phase(y, n, m, h, &p) && (m == 1 || last_at_phase(y, n, 1, 1, &p)))
            return -1;
        double sd = m == 1 ? s * sqrt((double)h) : s * sqrt((double)((h - 1) / m + 1));
        point[h - 1] = p;
        for (int j = 0; j < nq; j++)
            qv[(size_t)(h - 1) * (size_t)nq + (size_t)j] = (float)(p + sd * ts_norm_ppf(q[j]));
    }
    return 0;
}
