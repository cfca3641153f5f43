/* philox.h - the counter-based random number generator of tsdiff.
 *
 * Philox 4x32-10 (Salmon, Moraes, Dror, Shaw, "Parallel random numbers: as
 * easy as 1, 2, 3", SC'11): a 128-bit counter and a 64-bit key go through 10
 * rounds of
 *     (hi0, lo0) = 0xD2511F53 * c0,  (hi1, lo1) = 0xCD9E8D57 * c2  (32x32->64)
 *     c = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0)
 * with the key bumped by the Weyl constants (k0 += 0x9E3779B9,
 * k1 += 0xBB67AE85) between rounds. It matches the Random123 known answers.
 *
 * THE STREAM. Every backend must produce exactly these numbers (the CUDA
 * backend reproduces them from this description):
 *
 *   key      = (seed & 0xffffffff, seed >> 32)
 *   block j  = philox4x32(counter (j & 0xffffffff, j >> 32, 0, 0), key)
 *              -> four 32-bit words w0, w1, w2, w3
 *   word i   = lane i % 4 of block i / 4                 (i = 0, 1, 2, ...)
 *   uniform  = ((w >> 8) + 0.5) * 2^-24, in (0, 1), computed in double
 *              (exact: never 0, never 1)
 *   normals  = Box-Muller on the pairs (w0, w1) and (w2, w3) of a block:
 *              u = uniform(w0), v = uniform(w1), r = sqrt(-2 ln u),
 *              z0 = r cos(2 pi v), z1 = r sin(2 pi v); likewise z2, z3 from
 *              (w2, w3). All in double, rounded to float at the end.
 *   normal i = lane i % 4 of block i / 4: z0 z1 z2 z3 z0 z1 ...
 *
 * So the normal numbers and the uniform words share the block layout; the
 * stream (seed, offset) starts at normal number `offset`. A device that
 * computes the Box-Muller step in float agrees to about 1e-6 relative; in
 * double it agrees to the last bit of the float in nearly every case.
 */
#ifndef TS_PHILOX_H
#define TS_PHILOX_H

#include <stddef.h>
#include <stdint.h>

/* One Philox 4x32-10 block. */
void ts_philox4x32(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]);

/* Normal numbers offset .. offset+n-1 of the stream of `seed` into out[n].
 * Uses OpenMP over blocks; the result does not depend on the thread count. */
void ts_philox_normals(uint64_t seed, uint64_t offset, size_t n, float *out);

/* The same on `threads` threads (0: the OpenMP default). */
void ts_philox_normals_mt(uint64_t seed, uint64_t offset, size_t n, float *out,
                          int threads);

/* Uniform number i of the stream of `seed` (word i, see above), in (0, 1). */
double ts_philox_uniform(uint64_t seed, uint64_t i);

#endif
