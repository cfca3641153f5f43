/* cpu_optim.c - the optimizer update (AdamW) and the EMA of the weights. */
#include "nn/cpu_backend.h"

#include <math.h>

#define NT ts_cpu_threads(be)

/* AdamW, decoupled weight decay, bias-corrected moments (see backend.h). */
void ts_cpu_adamw(ts_backend *be, size_t n, float *p, const float *g, float *m, float *v,
                  float lr, float beta1, float beta2, float eps, float wd, long step)
{
    TS_CHECK(step >= 1);
    const float bc1 = (float)(1.0 / (1.0 - pow(beta1, (double)step)));
    const float bc2 = (float)(1.0 / (1.0 - pow(beta2, (double)step)));
    #pragma omp parallel for schedule(static) num_threads(NT) if (n > TS_CPU_PAR_MIN)
    for (size_t i = 0; i < n; i++) {
        float mi = beta1 * m[i] + (1.0f - beta1) * g[i];
        float vi = beta2 * v[i] + (1.0f - beta2) * g[i] * g[i];
        m[i] = mi;
        v[i] = vi;
        float mhat = mi * bc1, vhat = vi * bc2;
        p[i] -= lr * (mhat / (sqrtf(vhat) + eps) + wd * p[i]);
    }
}

void ts_cpu_ema(ts_backend *be, size_t n, float *e, const float *p, float decay)
{
    #pragma omp parallel for simd schedule(static) num_threads(NT) if (n > TS_CPU_PAR_MIN)
    for (size_t i = 0; i < n; i++) e[i] = decay * e[i] + (1.0f - decay) * p[i];
}
