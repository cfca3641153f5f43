/* metrics.c - the pinball loss, the seasonal scale and the score accumulator
 * of the backtests (definitions in metrics.h; the ensemble's CRPS and
 * quantiles are diffusion/sample_stats.c). */
#include "eval/metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/error.h"

const double ts_metric_levels[TS_METRIC_NQ] = {
    0.025, 0.05, 0.10, 0.15, 0.20, 0.25, 0.30, 0.35, 0.40, 0.45, 0.50,
    0.55, 0.60, 0.65, 0.70, 0.75, 0.80, 0.85, 0.90, 0.95, 0.975,
};

/* Indices into ts_metric_levels. */
enum { Q025 = 0, Q10 = 2, Q25 = 5, Q50 = 10, Q75 = 15, Q90 = 18, Q975 = 20 };

double ts_pinball(double qhat, double y, double q)
{
    return y >= qhat ? q * (y - qhat) : (1 - q) * (qhat - y);
}

/* Sum of |y_t - y_{t-m}| over observed pairs; their number in *pairs. */
static double lag_abs_sum(const float *y, size_t n, size_t m, size_t *pairs)
{
    double s = 0;
    *pairs = 0;
    for (size_t t = m; t < n; t++)
        if (!isnan(y[t]) && !isnan(y[t - m])) {
            s += fabs((double)y[t] - y[t - m]);
            (*pairs)++;
        }
    return s;
}

double ts_seasonal_scale(const float *y, size_t n, int m)
{
    size_t pairs;
    double s = lag_abs_sum(y, n, m > 1 ? (size_t)m : 1, &pairs);
    if (pairs == 0 && m > 1) s = lag_abs_sum(y, n, 1, &pairs);
    if (pairs == 0 || !isfinite(s)) return 0;
    return s / (double)pairs;
}

void ts_metric_acc_init(ts_metric_acc *a)
{
    memset(a, 0, sizeof *a);
}

/* M4's interval score at level 1 - alpha, before scaling. */
static double interval_score(double lo, double hi, double y, double alpha)
{
    double s = hi - lo;
    if (y < lo) s += 2 / alpha * (lo - y);
    if (y > hi) s += 2 / alpha * (y - hi);
    return s;
}

void ts_metric_acc_add_point(ts_metric_acc *a, const float *qv, double y, double scale)
{
    if (isnan(y)) return;
    double f = qv[Q50], err = fabs(f - y), denom = fabs(y) + fabs(f);
    a->n++;
    a->abs_y += fabs(y);
    a->abs_err += err;
    a->smape += denom > 0 ? 200 * err / denom : 0;
    for (int j = 0; j < TS_METRIC_NQ; j++)
        a->ql[j] += 2 * ts_pinball(qv[j], y, ts_metric_levels[j]);
    a->covered[0] += qv[Q25] <= y && y <= qv[Q75];
    a->covered[1] += qv[Q10] <= y && y <= qv[Q90];
    a->covered[2] += qv[Q025] <= y && y <= qv[Q975];
    if (scale > 0 && isfinite(scale)) {
        a->n_scaled++;
        a->mase += err / scale;
        a->msis += interval_score(qv[Q025], qv[Q975], y, 0.05) / scale;
    }
}

void ts_metric_acc_add(ts_metric_acc *a, const float *sorted, int n, double y,
                       double scale)
{
    TS_CHECK(n >= 1);
    for (int k = 1; k < n; k++) TS_CHECK(!(sorted[k] < sorted[k - 1]));
    if (isnan(y)) return;
    float qv[TS_METRIC_NQ];
    for (int j = 0; j < TS_METRIC_NQ; j++)
        qv[j] = (float)ts_quantile(sorted, n, ts_metric_levels[j]);
    ts_metric_acc_add_point(a, qv, y, scale);
    a->n_crps++;
    a->crps += ts_crps_sorted(sorted, n, y);
}

void ts_metric_acc_merge(ts_metric_acc *into, const ts_metric_acc *from)
{
    into->n += from->n;
    into->n_crps += from->n_crps;
    into->n_scaled += from->n_scaled;
    into->crps += from->crps;
    into->abs_y += from->abs_y;
    into->abs_err += from->abs_err;
    into->smape += from->smape;
    into->mase += from->mase;
    into->msis += from->msis;
    for (int j = 0; j < TS_METRIC_NQ; j++) into->ql[j] += from->ql[j];
    for (int j = 0; j < 3; j++) into->covered[j] += from->covered[j];
}

static double ratio(double num, double den) { return den > 0 ? num / den : NAN; }

void ts_metric_acc_result(const ts_metric_acc *a, ts_metric_result *r)
{
    double n = (double)a->n;
    r->n = a->n;
    r->n_crps = a->n_crps;
    r->n_scaled = a->n_scaled;
    r->crps = ratio(a->crps, (double)a->n_crps);
    double q9 = 0, q19 = 0;
    for (int j = 1; j <= 19; j++) {       /* 0.05 .. 0.95 */
        q19 += a->ql[j];
        if (j % 2 == 0) q9 += a->ql[j];   /* 0.10, 0.20, .. 0.90 */
    }
    r->wql9 = ratio(q9 / 9, a->abs_y);
    r->wql19 = ratio(q19 / 19, a->abs_y);
    r->nd = ratio(a->abs_err, a->abs_y);
    r->mase = ratio(a->mase, (double)a->n_scaled);
    r->msis = ratio(a->msis, (double)a->n_scaled);
    r->smape = ratio(a->smape, n);
    r->cov50 = ratio((double)a->covered[0], n);
    r->cov80 = ratio((double)a->covered[1], n);
    r->cov95 = ratio((double)a->covered[2], n);
}
