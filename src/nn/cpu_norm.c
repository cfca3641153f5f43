/* cpu_norm.c - group normalisation on the CPU, forward (alone, and fused
 * with the SiLU that follows it in the UNet) and backward.
 *
 * x[B, C, L] in G groups of C/G channels: for each (b, g), over its
 * (C/G) L values, mean and rstd = 1 / sqrt(var + eps) (biased variance),
 * xhat = (x - mean) rstd, y = gamma[c] xhat + beta[c]. The backward, with
 * N = (C/G) L and g = dy gamma[c]:
 *   dx = rstd (g - mean(g) - xhat mean(g xhat))
 *   dgamma[c] += sum_{b,l} dy xhat,  dbeta[c] += sum_{b,l} dy.
 * Sums are in double, vectorised (omp simd) in an order fixed at compile
 * time, each owned by one thread: the results do not depend on the number
 * of threads. The backward reads dy and x once for the sums (each row's
 * sums feed both dx and, summed over the batch in order, dgamma/dbeta) and
 * once for dx. Fused with the SiLU after it in the forward, it first turns
 * a group's part of the SiLU's dy into the norm's (into dx, the same bits
 * as silu_bwd) and sums it while it is in cache: one pass over memory and
 * one parallel region fewer.
 */
#include "nn/cpu_backend.h"
#include "nn/sigmoid.h"

#include <math.h>

#define TS_GN_EPS 1e-5

#define NT ts_cpu_threads(be)

#if defined(__x86_64__) && defined(__GNUC__)
#include "nn/sigmoid_avx512.h"
#define TS_GN_AVX512 1

/* One row of the forward on 16 floats at a time, the tail masked:
 * y = a x + b, and with act, act = silu(y); the same float operations as
 * the loops of gn_fwd_group. */
__attribute__((target("avx512f")))
static void gn_row_avx512(int len, float a, float b, const float *x, float *y, float *act)
{
    const __m512 av = _mm512_set1_ps(a), bv = _mm512_set1_ps(b);
    for (int l = 0; l < len; l += 16) {
        const __mmask16 m = len - l >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (len - l)) - 1u);
        __m512 yv = _mm512_add_ps(_mm512_mul_ps(av, _mm512_maskz_loadu_ps(m, x + l)), bv);
        _mm512_mask_storeu_ps(y + l, m, yv);
        if (act) _mm512_mask_storeu_ps(act + l, m, _mm512_mul_ps(yv, ts_sigmoid16(yv)));
    }
}
#endif

/* One group bg of the forward: its mean and rstd, y = gamma xhat + beta
 * and, with act, act = silu(y) row by row while y is in cache (the same
 * floats as silu_fwd over y afterwards). */
TS_CPU_CLONES
static void gn_fwd_group(int bg, int groups, int cpg, int len, const float *x,
                         const float *gamma, const float *beta, float *y, float *act,
                         float *mean, float *rstd, int avx512)
{
    const long n = (long)cpg * len;
    const int g = bg % groups;
    const float *xg = x + (long)bg * n;       /* a group is contiguous */
    float *yg = y + (long)bg * n;
    double s = 0.0, ss = 0.0;
    #pragma omp simd reduction(+:s)
    for (long i = 0; i < n; i++) s += xg[i];
    const double mu = s / (double)n;
    #pragma omp simd reduction(+:ss)
    for (long i = 0; i < n; i++) ss += (xg[i] - mu) * (xg[i] - mu);
    const double rs = 1.0 / sqrt(ss / (double)n + TS_GN_EPS);
    mean[bg] = (float)mu;
    rstd[bg] = (float)rs;
    for (int cc = 0; cc < cpg; cc++) {
        const int c = g * cpg + cc;
        const float a = (float)rs * gamma[c];
        const float bb = beta[c] - (float)mu * a;
        const float *xr = xg + (long)cc * len;
        float *yr = yg + (long)cc * len;
        float *ar = act ? act + (long)bg * n + (long)cc * len : NULL;
#ifdef TS_GN_AVX512
        if (avx512) {
            gn_row_avx512(len, a, bb, xr, yr, ar);
            continue;
        }
#endif
        #pragma omp simd
        for (int l = 0; l < len; l++) yr[l] = a * xr[l] + bb;
        if (!act) continue;
        #pragma omp simd
        for (int l = 0; l < len; l++) ar[l] = yr[l] * ts_sigmoid(yr[l]);
    }
}

static void groupnorm_fwd(ts_backend *be, int batch, int channels, int len, int groups,
                          const float *x, const float *gamma, const float *beta,
                          float *y, float *act, float *mean, float *rstd)
{
    TS_CHECK(groups > 0 && channels % groups == 0);
    const int cpg = channels / groups, avx512 = ts_cpu_of(be)->avx512;
    #pragma omp parallel for schedule(static) num_threads(NT)
    for (int bg = 0; bg < batch * groups; bg++)
        gn_fwd_group(bg, groups, cpg, len, x, gamma, beta, y, act, mean, rstd, avx512);
}

void ts_cpu_groupnorm_fwd(ts_backend *be, int batch, int channels, int len, int groups,
                          const float *x, const float *gamma, const float *beta,
                          float *y, float *mean, float *rstd)
{
    groupnorm_fwd(be, batch, channels, len, groups, x, gamma, beta, y, NULL, mean, rstd);
}

void ts_cpu_groupnorm_silu_fwd(ts_backend *be, int batch, int channels, int len, int groups,
                               const float *x, const float *gamma, const float *beta,
                               float *h, float *y, float *mean, float *rstd)
{
    groupnorm_fwd(be, batch, channels, len, groups, x, gamma, beta, h, y, mean, rstd);
}

/* dx of group bg, and each of its rows' sums of dy xhat and dy into
 * rows[2 (b C + c) + 0, 1] for the parameter gradients. With h, dy is the
 * gradient of silu(h): the group's part becomes the norm's dy in dx first. */
TS_CPU_CLONES
static void gn_bwd_group(int bg, int groups, int cpg, int len, const float *dy,
                         const float *h, const float *x, const float *gamma,
                         const float *mean, const float *rstd, float *dx, double *rows)
{
    const long n = (long)cpg * len;
    const int g = bg % groups;
    const float mu = mean[bg], rs = rstd[bg];
    double sg = 0.0, sgx = 0.0;
    if (h) {
        const long o = (long)bg * n;
        ts_cpu_silu_bwd_range((size_t)o, (size_t)(o + n), h, dy, dx);
        dy = dx;
    }
    for (int cc = 0; cc < cpg; cc++) {
        const float gm = gamma[g * cpg + cc];
        const long o = (long)bg * n + (long)cc * len;
        double sdy = 0.0, sdyx = 0.0;
        #pragma omp simd reduction(+:sdy, sdyx)
        for (int l = 0; l < len; l++) {
            sdy += dy[o + l];
            sdyx += (double)dy[o + l] * ((x[o + l] - mu) * rs);
        }
        rows[2 * ((long)bg * cpg + cc)] = sdyx;
        rows[2 * ((long)bg * cpg + cc) + 1] = sdy;
        sg += gm * sdy;
        sgx += gm * sdyx;
    }
    const float mg = (float)(sg / (double)n), mgx = (float)(sgx / (double)n);
    for (int cc = 0; cc < cpg; cc++) {
        const float gm = gamma[g * cpg + cc];
        const long o = (long)bg * n + (long)cc * len;
        #pragma omp simd
        for (int l = 0; l < len; l++) {
            float xhat = (x[o + l] - mu) * rs;
            dx[o + l] = rs * (dy[o + l] * gm - mg - xhat * mgx);
        }
    }
}

static void groupnorm_bwd(ts_backend *be, int batch, int channels, int len, int groups,
                          const float *dy, const float *h, const float *x,
                          const float *gamma, const float *mean, const float *rstd,
                          float *dx, float *dgamma, float *dbeta)
{
    TS_CHECK(groups > 0 && channels % groups == 0);
    const int cpg = channels / groups;
    TS_CHECK(!omp_in_parallel());   /* shared scratch: not inside run_tasks */
    double *rows = ts_scratch_get(&ts_cpu_of(be)->red, (size_t)batch * channels * 2 * sizeof(double));
    #pragma omp parallel for schedule(static) num_threads(NT)
    for (int bg = 0; bg < batch * groups; bg++)
        gn_bwd_group(bg, groups, cpg, len, dy, h, x, gamma, mean, rstd, dx, rows);
    /* dgamma, dbeta: the rows' sums, batches in order. */
    for (int c = 0; c < channels; c++) {
        double sgm = 0.0, sbt = 0.0;
        for (int b = 0; b < batch; b++) {
            sgm += rows[2 * ((long)b * channels + c)];
            sbt += rows[2 * ((long)b * channels + c) + 1];
        }
        dgamma[c] += (float)sgm;
        dbeta[c] += (float)sbt;
    }
}

void ts_cpu_groupnorm_bwd(ts_backend *be, int batch, int channels, int len, int groups,
                          const float *dy, const float *x, const float *gamma,
                          const float *mean, const float *rstd,
                          float *dx, float *dgamma, float *dbeta)
{
    groupnorm_bwd(be, batch, channels, len, groups, dy, NULL, x, gamma, mean, rstd, dx,
                  dgamma, dbeta);
}

void ts_cpu_groupnorm_silu_bwd(ts_backend *be, int batch, int channels, int len, int groups,
                               const float *dy, const float *h, const float *x,
                               const float *gamma, const float *mean, const float *rstd,
                               float *dx, float *dgamma, float *dbeta, float *tmp)
{
    (void)tmp;   /* the rows go through dx */
    groupnorm_bwd(be, batch, channels, len, groups, dy, h, x, gamma, mean, rstd, dx,
                  dgamma, dbeta);
}
