/* sigmoid_avx512.h - ts_sigmoid (sigmoid.h) on 16 floats at once with
 * AVX-512F intrinsics, for the CPU backend's kernels. It performs the very
 * same float operations in the same order as the scalar version (no fused
 * multiply-adds, the same constants), so each lane is bit-identical to
 * ts_sigmoid of that float. Only for functions built with
 * __attribute__((target("avx512f"))); x86-64 GCC or Clang only. */
#ifndef TS_SIGMOID_AVX512_H
#define TS_SIGMOID_AVX512_H

#include <immintrin.h>

__attribute__((target("avx512f")))
static inline __m512 ts_expneg16(__m512 a)
{
    const __m512 shift = _mm512_set1_ps(12582912.0f);
    a = _mm512_castsi512_ps(_mm512_min_epi32(_mm512_castps_si512(a),
                                             _mm512_set1_epi32(0x42AE0000)));
    __m512 t = _mm512_add_ps(_mm512_mul_ps(a, _mm512_set1_ps(-1.44269504088896341f)), shift);
    __m512 k = _mm512_sub_ps(t, shift);
    __m512 na = _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(a),
                                                     _mm512_set1_epi32((int)0x80000000u)));
    __m512 r = _mm512_sub_ps(na, _mm512_mul_ps(k, _mm512_set1_ps(0.693145751953125f)));
    r = _mm512_sub_ps(r, _mm512_mul_ps(k, _mm512_set1_ps(1.428606765330187e-06f)));
    __m512 p = _mm512_set1_ps(1.0f / 720.0f);
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(1.0f / 120.0f));
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(1.0f / 24.0f));
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(1.0f / 6.0f));
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(0.5f));
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(1.0f));
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(1.0f));
    __m512i e = _mm512_add_epi32(_mm512_sub_epi32(_mm512_castps_si512(t),
                                                  _mm512_set1_epi32(0x4B400000)),
                                 _mm512_set1_epi32(127));
    return _mm512_mul_ps(p, _mm512_castsi512_ps(_mm512_slli_epi32(e, 23)));
}

__attribute__((target("avx512f")))
static inline __m512 ts_sigmoid16(__m512 x)
{
    const __m512i sign = _mm512_set1_epi32((int)0x80000000u);
    __m512i xi = _mm512_castps_si512(x);
    __m512 e = ts_expneg16(_mm512_castsi512_ps(_mm512_andnot_si512(sign, xi)));
    __m512 r = _mm512_div_ps(_mm512_set1_ps(1.0f), _mm512_add_ps(_mm512_set1_ps(1.0f), e));
    __m512 q = _mm512_mul_ps(e, r);
    __mmask16 neg = _mm512_test_epi32_mask(xi, sign);
    return _mm512_mask_blend_ps(neg, r, q);
}

#endif
