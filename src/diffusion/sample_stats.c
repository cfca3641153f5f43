/* sample_stats.c - statistics of an ensemble of samples: sorting, the
 * sample CRPS and type-7 quantiles (definitions in eval/metrics.h, which
 * scores backtests with them; the trainer's validation uses them too). */
#include "diffusion/sample_stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/error.h"

static int cmp_float(const void *pa, const void *pb)
{
    float a = *(const float *)pa, b = *(const float *)pb;
    if (isnan(a) || isnan(b)) return isnan(a) - isnan(b);
    return (a > b) - (a < b);
}

void ts_sort_floats(float *v, int n)
{
    if (n > 1) qsort(v, (size_t)n, sizeof *v, cmp_float);
}

double ts_crps_sorted(const float *x, int n, double y)
{
    if (n < 1) return NAN;
    double abs_dev = 0, spread = 0;
    for (int k = 0; k < n; k++) {
        abs_dev += fabs(x[k] - y);
        spread += (2.0 * k - n + 1) * x[k];
    }
    /* (1/n) sum |x - y| - (1/2n^2) * 2 sum_k (2k - n + 1) x_(k) */
    return abs_dev / n - spread / ((double)n * n);
}

double ts_crps_samples(const float *samples, int n, double y)
{
    if (n < 1) return NAN;
    float *s = ts_xmalloc((size_t)n * sizeof *s);
    memcpy(s, samples, (size_t)n * sizeof *s);
    ts_sort_floats(s, n);
    double c = ts_crps_sorted(s, n, y);
    free(s);
    return c;
}

double ts_quantile(const float *x, int n, double q)
{
    if (n < 1) return NAN;
    if (!(q > 0)) return x[0];
    if (q >= 1) return x[n - 1];
    double h = (n - 1) * q;
    int lo = (int)h;
    if (lo >= n - 1) return x[n - 1];
    return x[lo] + (h - lo) * ((double)x[lo + 1] - x[lo]);
}
