/* cpu_conv3.c - the UNet's 3-tap convolution (k 3, stride 1, pad 1) computed
 * directly with AVX-512, no im2col and no GEMM call, for one sample:
 *
 *   y[co, l] = bias[co] + sum_ci sum_kk w[co, ci, kk] x[ci, l + kk - 1]
 *
 * (zero outside 0 <= l + kk - 1 < len). A tile is 8 output channels by up to
 * 48 positions held in 24 vector registers; for each input channel and tap,
 * up to 3 shifted loads of x (masked at the ends, so the padding costs
 * nothing) feed 8 broadcasts of w. Every output is summed in one fixed
 * order (bias, then ci ascending, kk ascending, one fused multiply-add each),
 * whatever the tile, the batch or the thread: bit-identical for any thread
 * count. The backward data pass is the same kernel with the weights
 * transposed and flipped (ts_cpu_conv3_flip); the filter gradient is the
 * same kernel with the roles of weights and positions turned (below).
 *
 * Selected at run time (cpu_backend.c) on CPUs with AVX-512F, for shapes
 * whose output channels are a multiple of 8; elsewhere the convolution is
 * im2col + SGEMM (cpu_gemm_conv.c).
 *
 * A short row wastes lanes: 38 positions take 48. A few samples then go
 * through the kernel as one row, each sample's row followed by one zero,
 * which is the padding of the positions on both sides of it: every output
 * is the same sum of the same products in the same order as alone (the
 * masked loads read zeros too), so the bits do not change; the outputs at
 * the gaps are dropped. At 38 positions, 4 samples take 160 lanes, not 192.
 */
#include "nn/cpu_backend.h"

#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define TS_CONV3_X86 1
#endif

#define ROWS 8      /* output channels per tile */
#define VL 16       /* floats per vector */

int ts_cpu_conv3_available(void)
{
#ifdef TS_CONV3_X86
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f");
#else
    return 0;
#endif
}

int ts_cpu_conv3_fits(const ts_conv1d_shape *s, int rows)
{
    return s->k == 3 && s->stride == 1 && s->pad == 1 && rows % ROWS == 0 && s->lin >= 1;
}

size_t ts_cpu_conv3_filter_floats(int cin, int len)
{
    return (size_t)(len + 2) * (size_t)ts_cpu_conv3_cinp(cin);
}

void ts_cpu_conv3_flip(int cin, int cout, const float *w, float *wt)
{
    for (int co = 0; co < cout; co++)
        for (int ci = 0; ci < cin; ci++)
            for (int kk = 0; kk < 3; kk++)
                wt[((long)ci * cout + co) * 3 + (2 - kk)] = w[((long)co * cin + ci) * 3 + kk];
}

#ifdef TS_CONV3_X86

/* Lanes [a, b) of a 16-lane mask, clamped to [0, 16). */
static inline __mmask16 lanes(int a, int b)
{
    if (a < 0) a = 0;
    if (b > VL) b = VL;
    if (b <= a) return 0;
    return (__mmask16)(((1u << b) - 1u) & ~((1u << a) - 1u));
}

/* One tile: rows co0 .. co0+7 (w and y already offset to co0), positions
 * [l0, l0 + J*16) of which the first nl exist. */
#define TILE(J)                                                                          \
__attribute__((target("avx512f")))                                                       \
static void tile##J(int cin, int len, const float *x, const float *w, const float *bias, \
                    float *y, int l0, int nl)                                            \
{                                                                                        \
    __m512 acc[ROWS][J];                                                                 \
    __mmask16 ld[3][J], st[J];                                                           \
    for (int j = 0; j < J; j++) {                                                        \
        st[j] = lanes(0, nl - j * VL);                                                   \
        for (int kk = 0; kk < 3; kk++) {                                                 \
            int p = l0 + j * VL + kk - 1;  /* input position of lane 0 */                \
            ld[kk][j] = lanes(-p, len - p) & st[j];                                      \
        }                                                                                \
    }                                                                                    \
    _Pragma("GCC unroll 8")                                                              \
    for (int r = 0; r < ROWS; r++) {                                                     \
        __m512 b0 = _mm512_set1_ps(bias ? bias[r] : 0.0f);                               \
        _Pragma("GCC unroll 3")                                                          \
        for (int j = 0; j < J; j++) acc[r][j] = b0;                                      \
    }                                                                                    \
    const long ws = (long)cin * 3;                                                       \
    for (int ci = 0; ci < cin; ci++) {                                                   \
        const float *xr = x + (long)ci * len + l0 - 1;                                   \
        const float *wr = w + ci * 3;                                                    \
        _Pragma("GCC unroll 3")                                                          \
        for (int kk = 0; kk < 3; kk++) {                                                 \
            __m512 xv[J];                                                                \
            _Pragma("GCC unroll 3")                                                      \
            for (int j = 0; j < J; j++)                                                  \
                xv[j] = _mm512_maskz_loadu_ps(ld[kk][j], xr + kk + j * VL);              \
            _Pragma("GCC unroll 8")                                                      \
            for (int r = 0; r < ROWS; r++) {                                             \
                __m512 wv = _mm512_set1_ps(wr[r * ws + kk]);                             \
                _Pragma("GCC unroll 3")                                                  \
                for (int j = 0; j < J; j++)                                              \
                    acc[r][j] = _mm512_fmadd_ps(wv, xv[j], acc[r][j]);                   \
            }                                                                            \
        }                                                                                \
    }                                                                                    \
    _Pragma("GCC unroll 8")                                                              \
    for (int r = 0; r < ROWS; r++) {                                                     \
        _Pragma("GCC unroll 3")                                                          \
        for (int j = 0; j < J; j++)                                                      \
            _mm512_mask_storeu_ps(y + (long)r * len + l0 + j * VL, st[j], acc[r][j]);    \
    }                                                                                    \
}
TILE(1)
TILE(2)
TILE(3)
#undef TILE

void ts_cpu_conv3_sample(int cin, int cout, int len, const float *x, const float *w,
                         const float *bias, float *y)
{
    for (int co = 0; co < cout; co += ROWS) {
        const float *wr = w + (long)co * cin * 3;
        const float *br = bias ? bias + co : NULL;
        float *yr = y + (long)co * len;
        for (int l0 = 0; l0 < len; l0 += 3 * VL) {
            int nl = len - l0, nv = (nl + VL - 1) / VL;
            if (nv >= 3) tile3(cin, len, x, wr, br, yr, l0, nl);
            else if (nv == 2) tile2(cin, len, x, wr, br, yr, l0, nl);
            else tile1(cin, len, x, wr, br, yr, l0, nl);
        }
    }
}

/* ---- filter gradient --------------------------------------------------- */

/* dw[co, ci, kk] = sum over samples and positions l of dy[co, l] x[ci, l +
 * kk - 1]: the forward's kernel with the roles turned. A sample's x is first
 * transposed to xt[len + 2, cinp] (position-major, cin padded to a multiple
 * of 16 with zeros, a row of zeros before and after: the padding), so that
 * 16 input channels are one vector and the three taps of position l are
 * rows l, l + 1, l + 2 of xt. A tile is 8 output channels by 16 input
 * channels by 3 taps (24 registers); per position, 8 broadcasts of dy feed
 * 24 fused multiply-adds. Each sum runs over the samples in order, then
 * the positions in order: no sums across lanes, and the same bits for any
 * tile order or thread. The sums live in part[cout, 3, cinp] between
 * samples and between spans of FILTER_SPAN positions (a span of xt's 16
 * channels, 8 KB, stays in the L1 cache while the tiles of every output
 * channel pass over it). */
#define FILTER_SPAN 128

/* The 16 x 16 block r[ci][l] of x transposed in registers: on return r[l]
 * holds column l (the standard unpack / shuffle / lane-shuffle network). */
__attribute__((target("avx512f")))
static inline void transpose16(__m512 r[16])
{
    __m512 a[16], b[16];
    for (int i = 0; i < 8; i++) {
        a[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        a[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    for (int j = 0; j < 4; j++) {
        b[4 * j] = _mm512_shuffle_ps(a[4 * j], a[4 * j + 2], 0x44);
        b[4 * j + 1] = _mm512_shuffle_ps(a[4 * j], a[4 * j + 2], 0xEE);
        b[4 * j + 2] = _mm512_shuffle_ps(a[4 * j + 1], a[4 * j + 3], 0x44);
        b[4 * j + 3] = _mm512_shuffle_ps(a[4 * j + 1], a[4 * j + 3], 0xEE);
    }
    for (int m = 0; m < 4; m++) {
        __m512 c1 = _mm512_shuffle_f32x4(b[m], b[4 + m], 0x88);
        __m512 c2 = _mm512_shuffle_f32x4(b[m], b[4 + m], 0xDD);
        __m512 c3 = _mm512_shuffle_f32x4(b[8 + m], b[12 + m], 0x88);
        __m512 c4 = _mm512_shuffle_f32x4(b[8 + m], b[12 + m], 0xDD);
        r[m] = _mm512_shuffle_f32x4(c1, c3, 0x88);
        r[4 + m] = _mm512_shuffle_f32x4(c2, c4, 0x88);
        r[8 + m] = _mm512_shuffle_f32x4(c1, c3, 0xDD);
        r[12 + m] = _mm512_shuffle_f32x4(c2, c4, 0xDD);
    }
}

/* xt[len + 2, cinp] from x[cin, len], zero padded, in 16 x 16 blocks. */
__attribute__((target("avx512f")))
void ts_cpu_conv3_transpose(int cin, int len, const float *x, float *xt)
{
    const int cinp = ts_cpu_conv3_cinp(cin);
    memset(xt, 0, (size_t)cinp * sizeof(float));
    memset(xt + (long)(len + 1) * cinp, 0, (size_t)cinp * sizeof(float));
    for (int c0 = 0; c0 < cinp; c0 += VL)   /* 16 rows of x read in order */
        for (int l0 = 0; l0 < len; l0 += VL) {
            const int nl = len - l0 < VL ? len - l0 : VL;
            const __mmask16 m = lanes(0, nl);
            __m512 r[16];
            for (int i = 0; i < VL; i++)
                r[i] = c0 + i < cin ? _mm512_maskz_loadu_ps(m, x + (long)(c0 + i) * len + l0)
                                    : _mm512_setzero_ps();
            transpose16(r);
            for (int i = 0; i < nl; i++)
                _mm512_storeu_ps(xt + (long)(l0 + i + 1) * cinp + c0, r[i]);
        }
}

__attribute__((target("avx512f")))
static void ftile(int nl, int len, int cinp, const float *xt, const float *dy, float *part,
                  int first)
{
    __m512 acc[ROWS][3];
    _Pragma("GCC unroll 8")
    for (int r = 0; r < ROWS; r++)
        _Pragma("GCC unroll 3")
        for (int kk = 0; kk < 3; kk++)
            acc[r][kk] = first ? _mm512_setzero_ps()
                               : _mm512_loadu_ps(part + ((long)r * 3 + kk) * cinp);
    for (int l = 0; l < nl; l++) {
        const float *xr = xt + (long)l * cinp;
        __m512 x0 = _mm512_loadu_ps(xr), x1 = _mm512_loadu_ps(xr + cinp);
        __m512 x2 = _mm512_loadu_ps(xr + 2 * cinp);
        _Pragma("GCC unroll 8")
        for (int r = 0; r < ROWS; r++) {
            __m512 g = _mm512_set1_ps(dy[(long)r * len + l]);
            acc[r][0] = _mm512_fmadd_ps(g, x0, acc[r][0]);
            acc[r][1] = _mm512_fmadd_ps(g, x1, acc[r][1]);
            acc[r][2] = _mm512_fmadd_ps(g, x2, acc[r][2]);
        }
    }
    _Pragma("GCC unroll 8")
    for (int r = 0; r < ROWS; r++)
        _Pragma("GCC unroll 3")
        for (int kk = 0; kk < 3; kk++)
            _mm512_storeu_ps(part + ((long)r * 3 + kk) * cinp, acc[r][kk]);
}

void ts_cpu_conv3_filter(int n, int cin, int cout, int len, const float *x, const float *dy,
                         float *part, float *scratch)
{
    const int cinp = ts_cpu_conv3_cinp(cin);
    for (int b = 0; b < n; b++) {
        ts_cpu_conv3_transpose(cin, len, x + (long)b * cin * len, scratch);
        const float *yb = dy + (long)b * cout * len;
        for (int l0 = 0; l0 < len; l0 += FILTER_SPAN) {
            const int nl = len - l0 < FILTER_SPAN ? len - l0 : FILTER_SPAN;
            for (int ci = 0; ci < cinp; ci += VL)
                for (int co = 0; co < cout; co += ROWS)
                    ftile(nl, len, cinp, scratch + (long)l0 * cinp + ci,
                          yb + (long)co * len + l0, part + (long)co * 3 * cinp + ci,
                          b == 0 && l0 == 0);
        }
    }
}

#else

void ts_cpu_conv3_sample(int cin, int cout, int len, const float *x, const float *w,
                         const float *bias, float *y)
{
    (void)cin; (void)cout; (void)len; (void)x; (void)w; (void)bias; (void)y;
    TS_CHECK(!"conv3 kernel called without AVX-512");
}

void ts_cpu_conv3_filter(int n, int cin, int cout, int len, const float *x, const float *dy,
                         float *part, float *scratch)
{
    (void)n; (void)cin; (void)cout; (void)len; (void)x; (void)dy; (void)part; (void)scratch;
    TS_CHECK(!"conv3 kernel called without AVX-512");
}

void ts_cpu_conv3_transpose(int cin, int len, const float *x, float *xt)
{
    (void)cin; (void)len; (void)x; (void)xt;
    TS_CHECK(!"conv3 kernel called without AVX-512");
}

#endif

/* ---- short rows, several samples at once ------------------------------- */

/* Vector lanes the kernel spends on a row of n positions. */
static int lanes_of(int n) { return (n + VL - 1) / VL * VL; }

int ts_cpu_conv3_pack(int len, int batch)
{
    int g = batch < TS_CONV3_PACK ? batch : TS_CONV3_PACK;
    if (g < 2) return 1;
    /* pack where it saves at least a tenth of the lanes */
    return 10 * lanes_of(g * (len + 1) - 1) <= 9 * g * lanes_of(len) ? g : 1;
}

size_t ts_cpu_conv3_pack_floats(int g, int cin, int cout, int len)
{
    size_t plen = (size_t)g * (len + 1) - 1;
    return ((size_t)cin * plen + VL - 1) / VL * VL + (size_t)cout * plen;
}

void ts_cpu_conv3_packed(int n, int cin, int cout, int len, const float *x, const float *w,
                         const float *bias, float *y, float *scratch)
{
    const long plen = (long)n * (len + 1) - 1, stride = len + 1;
    float *xp = scratch, *yp = scratch + ((size_t)cin * plen + VL - 1) / VL * VL;
    for (int ci = 0; ci < cin; ci++)
        for (int b = 0; b < n; b++) {
            float *row = xp + ci * plen + b * stride;
            memcpy(row, x + ((long)b * cin + ci) * len, (size_t)len * sizeof(float));
            if (b < n - 1) row[len] = 0.0f;   /* the gap: the padding of both sides */
        }
    ts_cpu_conv3_sample(cin, cout, (int)plen, xp, w, bias, yp);
    for (int b = 0; b < n; b++)
        for (int co = 0; co < cout; co++)
            memcpy(y + ((long)b * cout + co) * len, yp + co * plen + b * stride,
                   (size_t)len * sizeof(float));
}
