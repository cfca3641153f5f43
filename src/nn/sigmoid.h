/* sigmoid.h - the logistic function of SiLU, shared by the CPU backend
 * (cpu_elementwise.c) and the CUDA module (cuda/cuda_kernels.cu), so that
 * both compute SiLU to the same bit: the same float operations in the same
 * order, no libm, no fused multiply-adds (the CPU code is built as ISO C,
 * the module with -fmad=false). */
#ifndef TS_SIGMOID_H
#define TS_SIGMOID_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#ifdef __CUDACC__
#define TS_HOST_DEVICE __host__ __device__
#else
#define TS_HOST_DEVICE
#endif

TS_HOST_DEVICE static inline int32_t ts_f2i(float f) { int32_t i; memcpy(&i, &f, sizeof i); return i; }
TS_HOST_DEVICE static inline float ts_i2f(int32_t i) { float f; memcpy(&f, &i, sizeof f); return f; }

/* exp(-a) for a >= 0 (a > 87 is taken as 87), within 4 ulp. Branch-free
 * and without libm, so that the CPU loops around it vectorise: exp(-a) =
 * 2^k exp(r), k = round(-a / ln 2), |r| <= ln 2 / 2, exp(r) by its Taylor
 * polynomial of degree 6. Never overflows, never produces a subnormal. */
TS_HOST_DEVICE static inline float ts_expneg(float a)
{
    const float shift = 12582912.0f;                   /* 1.5 * 2^23: rounds to integer */
    int32_t ai = ts_f2i(a);
    a = ts_i2f(ai < 0x42AE0000 ? ai : 0x42AE0000);     /* min(a, 87) on the bits */
    float t = a * -1.44269504088896341f + shift;
    float k = t - shift;
    float r = -a - k * 0.693145751953125f;             /* ln 2 in two parts */
    r = r - k * 1.428606765330187e-06f;
    float p = 1.0f / 720.0f;
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    int32_t e = ts_f2i(t) - 0x4B400000 + 127;          /* k + bias, from t's bits */
    return p * ts_i2f(e * (1 << 23));
}

/* The logistic 1 / (1 + exp(-x)), from exp(-|x|) so that nothing overflows;
 * the sign selects r or 1 - r = e r with a bit mask, not a branch. */
TS_HOST_DEVICE static inline float ts_sigmoid(float x)
{
    float e = ts_expneg(fabsf(x));
    float r = 1.0f / (1.0f + e), q = e * r;
    int32_t neg = -(int32_t)((uint32_t)ts_f2i(x) >> 31);   /* all ones when x < 0 */
    return ts_i2f((ts_f2i(r) & ~neg) | (ts_f2i(q) & neg));
}

#endif
