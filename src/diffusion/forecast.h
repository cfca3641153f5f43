/* forecast.h - sampling possible futures of series from a trained model.
 *
 * For each selected series and each sample, the sampler draws the model's
 * horizon from noise, conditioned on the history before the origin. Longer
 * horizons continue block by block: each new block is conditioned on the
 * history extended by that sample's own path so far. All series x samples
 * go through the network together, in chunks of `chunk` windows.
 */
#ifndef TS_FORECAST_H
#define TS_FORECAST_H

#include <stddef.h>

#include "diffusion/sampler.h"
#include "io/model.h"
#include "nn/backend.h"

typedef struct ts_forecast_config {
    int horizon;                 /* steps to forecast, >= 1 */
    int samples;                 /* futures per series, >= 1 */
    ts_sampler_config sampler;
    int chunk;                   /* windows per network call; 0: ts_forecast_default_chunk */
    int allow_negative;          /* 0: non-negative series stay non-negative */
} ts_forecast_config;

typedef struct ts_forecast {
    size_t n;                    /* series forecast */
    size_t *series;              /* [n] their index in the set */
    int horizon, samples;
    float *values;               /* [n][samples][horizon], in the series' units */
} ts_forecast;

/* Forecast series sel[0..n) of set from origin[i] (NULL: each series' end).
 * A series the model knows by name and saw non-negative is clamped at 0. */
int ts_forecast_run(ts_backend *be, const ts_model *m, const ts_series_set *set,
                    const size_t *sel, size_t n, const long *origin,
                    const ts_forecast_config *cfg, ts_forecast *out, ts_error *err);
void ts_forecast_free(ts_forecast *f);

/* Windows per network call that keep the network's activations within
 * TS_FORECAST_MEMORY bytes (8 to 512). */
#define TS_FORECAST_MEMORY (512UL << 20)
int ts_forecast_default_chunk(const ts_model *m);

#endif
