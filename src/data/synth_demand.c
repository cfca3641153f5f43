/* synth_demand.c - intermittent demand (zero-inflated counts) and missing
 * stretches of the synthetic corpus. */
#include "data/synth_parts.h"

#include <math.h>

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

void ts_intermittent_fill(ts_synth_rng *r, double zero_share, double mean_size,
                          const double *rate, size_t n, double *out)
{
    double extra = mean_size > 1 ? mean_size - 1 : 0;
    for (size_t j = 0; j < n; j++) {
        if (ts_synth_bernoulli(r, zero_share)) {
            out[j] = 0;
            continue;
        }
        out[j] = 1.0 + (double)ts_synth_poisson(r, extra * (rate ? rate[j] : 1.0));
    }
}

int ts_missing_add(ts_synth_rng *r, size_t n, int max_runs, size_t max_run, double *out)
{
    if (n < 3 || max_runs < 1) return 0;
    if (max_run > n - 2) max_run = n - 2;
    if (max_run < 1) max_run = 1;
    int runs = (int)ts_synth_int(r, 1, max_runs);
    for (int i = 0; i < runs; i++) {
        size_t len = (size_t)ts_synth_int(r, 1, (long)max_run);
        size_t at = (size_t)ts_synth_int(r, 1, (long)(n - 1 - len));  /* at + len <= n - 1 */
        for (size_t j = at; j < at + len; j++) out[j] = NAN;
    }
    return runs;
}
