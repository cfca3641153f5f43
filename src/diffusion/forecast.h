/* forecast.h - sampling possible futures of series from a trained model.
 *
 * For each selected series and each sample, the sampler draws the model's
 * horizon from noise, conditioned on the history before the origin. Longer
 * horizons continue block by block: each new block is conditioned on the
 * history extended by that sample's own path so far. All series x samples
 * go through the network together, in chunks of `chunk` windows.
 *
 * THE BAND. Every window is scaled by its own context, so a chained path is
 * a product of per-block factors: one wild block inflates the next block's
 * scale, and the paths of an imperfect model run away (a 1500-step model of
 * data/sales.csv reached inf within 100 horizons). Blocks after the first are
 * therefore held within
 *     lo - TS_FORECAST_BAND * w  ..  hi + TS_FORECAST_BAND * w,
 *     lo, hi = min and max of the observed context before the origin,
 *     w = max(hi - lo, the series' level (ts_window_level))
 * before they are kept and become context. The first block is never touched,
 * so a horizon within the model's is exactly the model's draw.
 *
 * In an MPI job (io/comm.h) every rank calls ts_forecast_run: the ranks
 * share the chunks one process would sample (consecutive runs of them),
 * each chunk with the noise its position gives it, and every rank returns
 * the whole forecast, bit-identical to one process's for any number of
 * ranks; a rank that fails fails every rank (the first failing rank's error).
 *
 * No forecast leaves ts_forecast_run with a value that is not finite: that
 * is TS_EINTERNAL naming the series and the step (ts_forecast_check).
 */
#ifndef TS_FORECAST_H
#define TS_FORECAST_H

#include <stddef.h>

#include "diffusion/sampler.h"
#include "diffusion/net.h"
#include "nn/backend.h"

typedef struct ts_forecast_config {
    int horizon;                 /* steps to forecast, >= 1 */
    int samples;                 /* futures per series, >= 1 */
    ts_sampler_config sampler;
    int chunk;                   /* windows per network call; 0: ts_forecast_default_chunk */
    const int *nonneg;           /* [n] per selected series: clamp its values at 0
                                    (NULL: clamp none); the caller's, model/model.h
                                    has the rule */
    int allow_negative;          /* 1: clamp none, whatever nonneg says */
} ts_forecast_config;

typedef struct ts_forecast {
    size_t n;                    /* series forecast */
    size_t *series;              /* [n] their index in the set */
    int horizon, samples;
    float *values;               /* [n][samples][horizon], in the series' units */
} ts_forecast;

/* Forecast series sel[0..n) of set from origin[i] (NULL: each series' end)
 * with the network net; series i is clamped at 0 when cfg->nonneg[i]. */
int ts_forecast_run(ts_backend *be, const ts_net *net, const ts_series_set *set,
                    const size_t *sel, size_t n, const long *origin,
                    const ts_forecast_config *cfg, ts_forecast *out, ts_error *err);
void ts_forecast_free(ts_forecast *f);

/* Multiples of the context's width that later blocks may stray (THE BAND). */
#define TS_FORECAST_BAND 10.0

/* 0 if every value of f is finite, else TS_EINTERNAL naming the series (of
 * set) and the earliest step of the first such series. Writers call it before
 * they create a file. */
int ts_forecast_check(const ts_forecast *f, const ts_series_set *set, ts_error *err);

/* Windows per network call that keep the network's activations within
 * TS_FORECAST_MEMORY bytes (8 to 512). */
#define TS_FORECAST_MEMORY (512UL << 20)
int ts_forecast_default_chunk(const ts_net *net);

#endif
