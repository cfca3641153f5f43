/* philox.c - Philox 4x32-10 and the normal-number stream (see philox.h). */
#include "io/philox.h"

#include <math.h>
#include <omp.h>

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

static inline void philox_round(uint32_t c[4], const uint32_t k[2])
{
    uint64_t p0 = (uint64_t)PHILOX_M0 * c[0];
    uint64_t p1 = (uint64_t)PHILOX_M1 * c[2];
    uint32_t hi0 = (uint32_t)(p0 >> 32), lo0 = (uint32_t)p0;
    uint32_t hi1 = (uint32_t)(p1 >> 32), lo1 = (uint32_t)p1;
    uint32_t n0 = hi1 ^ c[1] ^ k[0];
    uint32_t n2 = hi0 ^ c[3] ^ k[1];
    c[0] = n0;
    c[1] = lo1;
    c[2] = n2;
    c[3] = lo0;
}

void ts_philox4x32(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4])
{
    uint32_t c[4] = {ctr[0], ctr[1], ctr[2], ctr[3]};
    uint32_t k[2] = {key[0], key[1]};
    for (int r = 0; r < 10; r++) {
        if (r > 0) {
            k[0] += PHILOX_W0;
            k[1] += PHILOX_W1;
        }
        philox_round(c, k);
    }
    for (int i = 0; i < 4; i++) out[i] = c[i];
}

/* Block j of the stream of `seed`. */
static inline void stream_block(uint64_t seed, uint64_t j, uint32_t w[4])
{
    const uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
    const uint32_t ctr[4] = {(uint32_t)j, (uint32_t)(j >> 32), 0, 0};
    ts_philox4x32(ctr, key, w);
}

static inline double word_to_uniform(uint32_t w)
{
    return ((double)(w >> 8) + 0.5) * (1.0 / 16777216.0);
}

/* The four normals of block j. */
static inline void block_normals(uint64_t seed, uint64_t j, float z[4])
{
    const double two_pi = 6.283185307179586476925286766559;
    uint32_t w[4];
    stream_block(seed, j, w);
    for (int p = 0; p < 2; p++) {
        double u = word_to_uniform(w[2 * p]);
        double v = word_to_uniform(w[2 * p + 1]);
        double r = sqrt(-2.0 * log(u));
        z[2 * p] = (float)(r * cos(two_pi * v));
        z[2 * p + 1] = (float)(r * sin(two_pi * v));
    }
}

void ts_philox_normals_mt(uint64_t seed, uint64_t offset, size_t n, float *out,
                          int threads)
{
    if (n == 0) return;
    uint64_t first = offset / 4, last = (offset + n - 1) / 4;
    long nblocks = (long)(last - first + 1);
    if (threads <= 0) threads = omp_get_max_threads();
    #pragma omp parallel for schedule(static) num_threads(threads) if (nblocks > 4096)
    for (long b = 0; b < nblocks; b++) {
        uint64_t j = first + (uint64_t)b;
        float z[4];
        block_normals(seed, j, z);
        for (int lane = 0; lane < 4; lane++) {
            uint64_t i = 4 * j + (uint64_t)lane;   /* stream index */
            if (i >= offset && i - offset < n) out[i - offset] = z[lane];
        }
    }
}

void ts_philox_normals(uint64_t seed, uint64_t offset, size_t n, float *out)
{
    ts_philox_normals_mt(seed, offset, n, out, 0);
}

double ts_philox_uniform(uint64_t seed, uint64_t i)
{
    uint32_t w[4];
    stream_block(seed, i / 4, w);
    return word_to_uniform(w[i % 4]);
}
