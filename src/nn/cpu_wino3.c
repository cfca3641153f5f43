/* cpu_wino3.c - the UNet's 3-tap convolution (k 3, stride 1, pad 1) by
 * Winograd's minimal filtering F(4, 3), AVX-512, for a few samples at once:
 *
 *   y[co, l] = bias[co] + sum_ci sum_kk w[co, ci, kk] x[ci, l + kk - 1]
 *
 * Each row is cut into tiles of 4 outputs, which need 6 inputs d[0..5] =
 * x[4i - 1 .. 4i + 4]. Transformed (Lavin and Gray, "Fast algorithms for
 * convolutional neural networks", 2016: points 0, +-1, +-2 and infinity),
 *
 *   V[t] = (B^T d)[t],  U[t][co, ci] = (G w[co, ci])[t],  t = 0..5,
 *   M[t][co, tile] = sum_ci U[t][co, ci] V[t][ci, tile]   (6 small GEMMs),
 *   y[co, 4i + j] = bias[co] + (A^T M[., co, i])[j],  j = 0..3,
 *
 * which takes 6 multiplications per 4 outputs and input channel where the
 * direct kernel (cpu_conv3.c) takes 12. The GEMMs run in the direct
 * kernel's register tile (8 output channels by 48 tiles, one fused
 * multiply-add per input channel, ci ascending: mm below); the transforms run 16
 * tiles to a vector, the rows split into their 4 phases (x[4i + p]) by
 * permutes in registers. Every output is the same arithmetic on its own
 * tile whatever the samples packed beside it, the tile order or the
 * thread: bit-identical for any thread count. Rounding differs from the
 * direct kernel's (the transforms scale by up to 8 and by 1/24), by a few
 * units in the last place of the largest term: tests/check_ops holds the two
 * kernels together.
 *
 * The backward data pass is the same transform of the flipped weights
 * (ts_cpu_conv3_flip); the filter gradient, its adjoint, is at the end of
 * the file. Used where ts_cpu_wino3_fits (cpu_gemm_conv.c); needs AVX-512F
 * as cpu_conv3.c does.
 */
#include "nn/cpu_backend.h"

#include <string.h>


#define ROWS 8      /* output channels per GEMM tile */
#define VL 16       /* floats per vector */
#define NT 6        /* transform points */

int ts_cpu_wino3_fits(const ts_conv1d_shape *s, int rows, int cols)
{
    return ts_cpu_conv3_fits(s, rows) && cols >= 16;
}

/* Tiles of a row of len outputs, and the pack of a group of samples. */
static int tiles_of(int len) { return (len + 3) / 4; }
static int vec_round(int n) { return (n + VL - 1) / VL * VL; }

int ts_cpu_wino3_pack(int len, int batch)
{
    int t = tiles_of(len), n = (96 + t - 1) / t;
    if (n > TS_WINO3_PACK) n = TS_WINO3_PACK;
    return n < batch ? n : batch;
}

/* Scratch of a pack: V[6][cin][np], M[6][cout][np] (np = the pack's tiles
 * rounded to vectors). */
size_t ts_cpu_wino3_floats(int n, int cin, int cout, int len)
{
    size_t np = (size_t)vec_round(n * tiles_of(len));
    return (size_t)NT * (cin + cout) * np + VL;
}

size_t ts_cpu_wino3_weight_floats(int cin, int cout) { return (size_t)NT * cout * cin; }

/* U = G w, for every (co, ci): G's rows are (1/4, 0, 0), (-1/6)(1, 1, 1),
 * (-1/6)(1, -1, 1), (1/24, 1/12, 1/6), (1/24, -1/12, 1/6), (0, 0, 1),
 * in double, rounded once. */
void ts_cpu_wino3_weights(int cin, int cout, const float *w, float *u)
{
    const long plane = (long)cout * cin;
    for (long k = 0; k < plane; k++) {
        const double g0 = w[3 * k], g1 = w[3 * k + 1], g2 = w[3 * k + 2];
        u[k] = (float)(g0 * 0.25);
        u[plane + k] = (float)((g0 + g1 + g2) * (-1.0 / 6));
        u[2 * plane + k] = (float)((g0 - g1 + g2) * (-1.0 / 6));
        u[3 * plane + k] = (float)((g0 + 2 * g1 + 4 * g2) * (1.0 / 24));
        u[4 * plane + k] = (float)((g0 - 2 * g1 + 4 * g2) * (1.0 / 24));
        u[5 * plane + k] = (float)g2;
    }
}

/* Scratch of the filter gradient: a sample's rows transposed, xt[4T + 2]
 * [cinp], then for a pack of g samples (gT = g T tiles) V[6][gT][cinp] and
 * the transformed dy, D[6][cout][gT]. */
size_t ts_cpu_wino3_filter_floats(int n, int cin, int cout, int len)
{
    const size_t T = (size_t)tiles_of(len), cinp = (size_t)ts_cpu_conv3_cinp(cin);
    const size_t gT = (size_t)ts_cpu_wino3_pack(len, n) * T;
    return (4 * T + 2) * cinp + NT * gT * (cinp + (size_t)cout) + VL;
}

/* dw[0..2] += G^T m: the adjoint of U = G w (G as in wino3_weights), in
 * double, rounded once per tap. */
void ts_cpu_wino3_taps(const float m[6], float *dw3)
{
    const double a = m[1] + (double)m[2], b = m[1] - (double)m[2];
    const double c = m[3] + (double)m[4], d = m[3] - (double)m[4];
    dw3[0] += (float)(m[0] * 0.25 - a / 6 + c / 24);
    dw3[1] += (float)(-b / 6 + d / 12);
    dw3[2] += (float)(-a / 6 + c / 6 + m[5]);
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

static inline __mmask16 first_lanes(int n)
{
    return n <= 0 ? 0 : n >= VL ? (__mmask16)0xFFFF : (__mmask16)((1u << n) - 1u);
}

/* The even and odd elements of the 32 floats a, b. */
__attribute__((target("avx512f")))
static inline __m512 evens(__m512 a, __m512 b)
{
    const __m512i idx = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26,
                                          28, 30);
    return _mm512_permutex2var_ps(a, idx, b);
}
__attribute__((target("avx512f")))
static inline __m512 odds(__m512 a, __m512 b)
{
    const __m512i idx = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27,
                                          29, 31);
    return _mm512_permutex2var_ps(a, idx, b);
}
/* a[0], b[0], a[1], b[1], ...: the first (hi 0) or last (hi 1) 8 of each. */
__attribute__((target("avx512f")))
static inline __m512 zip(__m512 a, __m512 b, int hi)
{
    const __m512i lo_idx = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22,
                                             7, 23);
    const __m512i hi_idx = _mm512_setr_epi32(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14,
                                             30, 15, 31);
    return _mm512_permutex2var_ps(a, hi ? hi_idx : lo_idx, b);
}

/* p[q][i] = x[4 (i0 + i) + q] for i < 16 (0 past len): the phases of 16
 * tiles of a row, by permutes in registers. */
__attribute__((target("avx512f")))
static inline void phases(const float *x, int len, int i0, __m512 p[4])
{
    __m512 r[4];
    _Pragma("GCC unroll 4")
    for (int k = 0; k < 4; k++) {
        int l0 = 4 * i0 + k * VL;
        r[k] = _mm512_maskz_loadu_ps(first_lanes(len - l0), x + l0);
    }
    __m512 e0 = evens(r[0], r[1]), o0 = odds(r[0], r[1]);
    __m512 e1 = evens(r[2], r[3]), o1 = odds(r[2], r[3]);
    p[0] = evens(e0, e1);
    p[1] = evens(o0, o1);
    p[2] = odds(e0, e1);
    p[3] = odds(o0, o1);
}

/* o = B^T d for six vectors of tiles (B^T's rows: (4, 0, -5, 0, 1, 0),
 * (0, -4, -4, 1, 1, 0), (0, 4, -4, -1, 1, 0), (0, -2, -1, 2, 1, 0),
 * (0, 2, -1, -2, 1, 0), (0, 4, 0, -5, 0, 1)). */
__attribute__((target("avx512f")))
static inline void input_transform(const __m512 d[6], __m512 o[6])
{
    const __m512 c2 = _mm512_set1_ps(2), c4 = _mm512_set1_ps(4), c5 = _mm512_set1_ps(5);
    __m512 s = _mm512_sub_ps(d[4], d[2]);                       /* d4 - d2 */
    __m512 a = _mm512_fnmadd_ps(c4, d[2], d[4]);                /* d4 - 4 d2 */
    __m512 b = _mm512_fnmadd_ps(c4, d[1], d[3]);                /* d3 - 4 d1 */
    __m512 c = _mm512_mul_ps(c2, _mm512_sub_ps(d[3], d[1]));    /* 2 (d3 - d1) */
    o[0] = _mm512_fnmadd_ps(c5, d[2], _mm512_fmadd_ps(c4, d[0], d[4]));
    o[1] = _mm512_add_ps(a, b);
    o[2] = _mm512_sub_ps(a, b);
    o[3] = _mm512_add_ps(s, c);
    o[4] = _mm512_sub_ps(s, c);
    o[5] = _mm512_fnmadd_ps(c5, d[3], _mm512_fmadd_ps(c4, d[1], d[5]));
}

/* V[t][i] = (B^T d_i)[t] for the T tiles of one row x of len (x is 0 past
 * len and before 0: the padding), vstride floats between the planes t.
 * The row is split into its phases P_p[i] = x[4i + p] by permutes, 16
 * tiles at a time; d_i = (P_3[i - 1], P_0[i], P_1[i], P_2[i], P_3[i],
 * P_0[i + 1]), the shifted ones by lane rotations in registers (a trip
 * through memory would stall on store forwarding). */
__attribute__((target("avx512f")))
static void input_tiles(const float *x, int len, int T, float *v, long vstride)
{
    __m512i prev3 = _mm512_setzero_si512();
    for (int i0 = 0; i0 < T; i0 += VL) {
        const __mmask16 m = first_lanes(T - i0);
        __m512 ph[4], d[6], o[6];
        phases(x, len, i0, ph);
        const int ln = 4 * (i0 + VL);
        __m512i next = _mm512_set1_epi32(0);
        if (ln < len) next = _mm512_castps_si512(_mm512_set1_ps(x[ln]));
        __m512i p3 = _mm512_castps_si512(ph[3]), p0 = _mm512_castps_si512(ph[0]);
        d[0] = _mm512_castsi512_ps(_mm512_alignr_epi32(p3, prev3, 15));
        for (int k = 0; k < 4; k++) d[k + 1] = ph[k];
        d[5] = _mm512_castsi512_ps(_mm512_alignr_epi32(next, p0, 1));
        prev3 = p3;
        input_transform(d, o);
        for (int t = 0; t < NT; t++) _mm512_mask_storeu_ps(v + t * vstride + i0, m, o[t]);
    }
}

/* c[r][j] (+)= sum over kk < k of a[r lda + kk] b[kk ldb + j] for the
 * ROWS rows r and J vectors of columns j: the register tile of both GEMMs
 * here (one fused multiply-add per kk, kk ascending); add: c's values
 * first, else zeros. */
#define MMTILE(J)                                                                        \
__attribute__((target("avx512f")))                                                       \
static void mm##J(int k, const float *a, long lda, const float *b, long ldb, float *c,    \
                  long ldc, int add)                                                     \
{                                                                                        \
    __m512 acc[ROWS][J];                                                                 \
    _Pragma("GCC unroll 8")                                                              \
    for (int r = 0; r < ROWS; r++)                                                       \
        _Pragma("GCC unroll 3")                                                          \
        for (int j = 0; j < J; j++)                                                      \
            acc[r][j] = add ? _mm512_loadu_ps(c + r * ldc + j * VL) : _mm512_setzero_ps(); \
    for (int kk = 0; kk < k; kk++) {                                                     \
        __m512 bv[J];                                                                    \
        _Pragma("GCC unroll 3")                                                          \
        for (int j = 0; j < J; j++) bv[j] = _mm512_loadu_ps(b + kk * ldb + j * VL);      \
        _Pragma("GCC unroll 8")                                                          \
        for (int r = 0; r < ROWS; r++) {                                                 \
            __m512 av = _mm512_set1_ps(a[r * lda + kk]);                                 \
            _Pragma("GCC unroll 3")                                                      \
            for (int j = 0; j < J; j++) acc[r][j] = _mm512_fmadd_ps(av, bv[j], acc[r][j]); \
        }                                                                                \
    }                                                                                    \
    _Pragma("GCC unroll 8")                                                              \
    for (int r = 0; r < ROWS; r++)                                                       \
        _Pragma("GCC unroll 3")                                                          \
        for (int j = 0; j < J; j++) _mm512_storeu_ps(c + r * ldc + j * VL, acc[r][j]);   \
}
MMTILE(1)
MMTILE(2)
MMTILE(3)
#undef MMTILE

/* The tile for J vectors of columns. */
__attribute__((target("avx512f")))
static void mm(int J, int k, const float *a, long lda, const float *b, long ldb, float *c,
               long ldc, int add)
{
    if (J == 3) mm3(k, a, lda, b, ldb, c, ldc, add);
    else if (J == 2) mm2(k, a, lda, b, ldb, c, ldc, add);
    else mm1(k, a, lda, b, ldb, c, ldc, add);
}

/* y[4i + j] = bias + (A^T m_i)[j] for the T tiles of one output row, from
 * the planes m (mstride floats apart): A^T's rows are (1, 1, 1, 1, 1, 0),
 * (0, 1, -1, 2, -2, 0), (0, 1, 1, 4, 4, 0), (0, 1, -1, 8, -8, 1). Then,
 * with add, y += v; with r (a row of len), y = r + y: the bits of
 * add_bcast_fwd and axpby(1, r, 1, y) after it. */
__attribute__((target("avx512f")))
static void output_tiles(const float *m, long mstride, int T, float bias, int add, float v,
                         const float *r, int len, float *y)
{
    const __m512 vv = _mm512_set1_ps(v);
    const __m512 c2 = _mm512_set1_ps(2), c4 = _mm512_set1_ps(4), c8 = _mm512_set1_ps(8);
    const __m512 b = _mm512_set1_ps(bias);
    for (int i0 = 0; i0 < T; i0 += VL) {
        const __mmask16 mk = first_lanes(T - i0);
        __m512 m0 = _mm512_maskz_loadu_ps(mk, m + i0);
        __m512 m1 = _mm512_maskz_loadu_ps(mk, m + mstride + i0);
        __m512 m2 = _mm512_maskz_loadu_ps(mk, m + 2 * mstride + i0);
        __m512 m3 = _mm512_maskz_loadu_ps(mk, m + 3 * mstride + i0);
        __m512 m4 = _mm512_maskz_loadu_ps(mk, m + 4 * mstride + i0);
        __m512 m5 = _mm512_maskz_loadu_ps(mk, m + 5 * mstride + i0);
        __m512 sp = _mm512_add_ps(m1, m2), sm = _mm512_sub_ps(m1, m2);
        __m512 tp = _mm512_add_ps(m3, m4), tm = _mm512_sub_ps(m3, m4);
        __m512 y0 = _mm512_add_ps(_mm512_add_ps(m0, sp), _mm512_add_ps(tp, b));
        __m512 y1 = _mm512_add_ps(_mm512_fmadd_ps(c2, tm, sm), b);
        __m512 y2 = _mm512_add_ps(_mm512_fmadd_ps(c4, tp, sp), b);
        __m512 y3 = _mm512_add_ps(_mm512_add_ps(_mm512_fmadd_ps(c8, tm, sm), m5), b);
        __m512 e0 = zip(y0, y2, 0), e1 = zip(y0, y2, 1);
        __m512 f0 = zip(y1, y3, 0), f1 = zip(y1, y3, 1);
        __m512 out[4] = {zip(e0, f0, 0), zip(e0, f0, 1), zip(e1, f1, 0), zip(e1, f1, 1)};
        for (int k = 0; k < 4; k++) {
            const int l0 = 4 * i0 + k * VL;
            const __mmask16 lk = first_lanes(len - l0);
            if (add) out[k] = _mm512_add_ps(out[k], vv);
            if (r) out[k] = _mm512_add_ps(_mm512_maskz_loadu_ps(lk, r + l0), out[k]);
            _mm512_mask_storeu_ps(y + l0, lk, out[k]);
        }
    }
}

__attribute__((target("avx512f")))
void ts_cpu_wino3(int n, int cin, int cout, int len, const float *x, const float *u,
                  const float *bias, const float *off, const float *res, float *y,
                  float *scratch)
{
    const int T = tiles_of(len);
    const long np = vec_round(n * T), plane_u = (long)cout * cin;
    float *v = scratch, *m = v + (long)NT * cin * np;
    /* zeros in the columns past the last tile: the last vector of each row,
     * whole (one store to one line), before the tiles overwrite its head */
    if ((long)n * T < np)
        for (long r = 0; r < (long)NT * cin; r++)
            _mm512_storeu_ps(v + r * np + np - VL, _mm512_setzero_ps());
    for (int b = 0; b < n; b++)
        for (int ci = 0; ci < cin; ci++)
            input_tiles(x + ((long)b * cin + ci) * len, len, T, v + (long)ci * np + (long)b * T,
                        (long)cin * np);
    for (int t = 0; t < NT; t++)
        for (int co = 0; co < cout; co += ROWS) {
            const float *ut = u + t * plane_u + (long)co * cin, *vt = v + (long)t * cin * np;
            float *mt = m + ((long)t * cout + co) * np;
            for (long c0 = 0; c0 < np; c0 += 3 * VL) {
                long nv = (np - c0) / VL;   /* M[t][co ..][c0 ..] = U[t][co ..] V[t] */
                mm(nv < 3 ? (int)nv : 3, cin, ut, cin, vt + c0, np, mt + c0, np, 0);
            }
        }
    for (int b = 0; b < n; b++)
        for (int co = 0; co < cout; co++) {
            const long row = (long)b * cout + co;
            output_tiles(m + (long)co * np + (long)b * T, (long)cout * np, T,
                         bias ? bias[co] : 0.0f, off != NULL, off ? off[row] : 0.0f,
                         res ? res + row * len : NULL, len, y + row * len);
        }
}

/* ---- the filter gradient ------------------------------------------------
 *
 * The adjoint of y = A^T ((G w) . (B^T d)) in w: dw = G^T sum over tiles of
 * (A dy_i) . (B^T d_i), so per point t a GEMM over the tiles,
 *   P[t][co, ci] = sum_i D[t][co, i] V[t][i, ci],   D = A dy, V = B^T d,
 * with the tiles as the long dimension: 6 multiplications per tile where the
 * direct kernel (ftile) takes 12. V is made from the transposed rows of x
 * (16 input channels to a vector, tile by tile), D from dy's rows split into
 * phases like input_tiles', 16 tiles to a vector. */

/* V[t][i][c] from xt (rows 4i .. 4i + 5 are d_i), for T tiles and all cinp
 * lanes; vstride floats between the planes t. */
__attribute__((target("avx512f")))
static void input_tiles_t(const float *xt, int cinp, int T, float *v, long vstride)
{
    for (int i = 0; i < T; i++)
        for (int c = 0; c < cinp; c += VL) {
            __m512 d[6], o[6];
            for (int k = 0; k < 6; k++) d[k] = _mm512_loadu_ps(xt + (4L * i + k) * cinp + c);
            input_transform(d, o);
            for (int t = 0; t < NT; t++)
                _mm512_storeu_ps(v + t * vstride + (long)i * cinp + c, o[t]);
        }
}

/* D[t][i] = (A dy_i)[t] for the T tiles of one row y of len (0 past len):
 * with y_p = y[4i + p], (y0, y0 + y1 + y2 + y3, y0 - y1 + y2 - y3,
 * y0 + 2 y1 + 4 y2 + 8 y3, y0 - 2 y1 + 4 y2 - 8 y3, y3); dstride floats
 * between the planes t. */
__attribute__((target("avx512f")))
static void dy_tiles(const float *y, int len, int T, float *d, long dstride)
{
    const __m512 c2 = _mm512_set1_ps(2), c4 = _mm512_set1_ps(4), c8 = _mm512_set1_ps(8);
    for (int i0 = 0; i0 < T; i0 += VL) {
        const __mmask16 m = first_lanes(T - i0);
        __m512 ph[4];
        phases(y, len, i0, ph);
        __m512 y0 = ph[0], y1 = ph[1], y2 = ph[2], y3 = ph[3];
        __m512 s02 = _mm512_add_ps(y0, y2), s13 = _mm512_add_ps(y1, y3);
        __m512 u = _mm512_fmadd_ps(c4, y2, y0), w = _mm512_fmadd_ps(c8, y3, _mm512_mul_ps(c2, y1));
        float *o = d + i0;
        _mm512_mask_storeu_ps(o, m, y0);
        _mm512_mask_storeu_ps(o + dstride, m, _mm512_add_ps(s02, s13));
        _mm512_mask_storeu_ps(o + 2 * dstride, m, _mm512_sub_ps(s02, s13));
        _mm512_mask_storeu_ps(o + 3 * dstride, m, _mm512_add_ps(u, w));
        _mm512_mask_storeu_ps(o + 4 * dstride, m, _mm512_sub_ps(u, w));
        _mm512_mask_storeu_ps(o + 5 * dstride, m, y3);
    }
}

__attribute__((target("avx512f")))
void ts_cpu_wino3_filter(int n, int cin, int cout, int len, const float *x, const float *dy,
                         float *part, double *dbias, float *scratch)
{
    const int T = tiles_of(len), cinp = ts_cpu_conv3_cinp(cin), g = ts_cpu_wino3_pack(len, n);
    const long gT = (long)g * T;
    float *xt = scratch, *v = xt + (4L * T + 2) * cinp, *d = v + NT * gT * cinp;
    /* rows past the padded row len + 1 that the last tile reads: zero */
    for (long r = len + 2; r < 4L * T + 2; r++) memset(xt + r * cinp, 0, cinp * sizeof(float));
    memset(dbias, 0, (size_t)cout * sizeof *dbias);
    for (int b0 = 0; b0 < n; b0 += g) {
        const int nb = n - b0 < g ? n - b0 : g;
        for (int b = 0; b < nb; b++) {
            ts_cpu_conv3_transpose(cin, len, x + (long)(b0 + b) * cin * len, xt);
            input_tiles_t(xt, cinp, T, v + (long)b * T * cinp, gT * cinp);
            for (int co = 0; co < cout; co++)
                dy_tiles(dy + ((long)(b0 + b) * cout + co) * len, len, T,
                         d + co * gT + (long)b * T, cout * gT);
        }
        const int nt = nb * T;
        for (int co = 0; co < cout; co++) {   /* point 1 is y0 + y1 + y2 + y3: the bias */
            const float *d1 = d + (cout + co) * gT;
            double acc = 0.0;
            for (int i = 0; i < nt; i++) acc += d1[i];
            dbias[co] += acc;
        }
        for (int t = 0; t < NT; t++)
            for (int co = 0; co < cout; co += ROWS)
                for (int c = 0, J; c < cinp; c += J * VL) {
                    const int nv = (cinp - c) / VL;
                    J = nv == 4 ? 2 : nv < 3 ? nv : 3;   /* 64 channels as 2 x 32 */
                    /* P[t][co ..][c ..] (+)= D[t][co ..] V[t][., c ..], over the tiles */
                    mm(J, nt, d + (t * cout + co) * gT, gT, v + t * gT * cinp + c, cinp,
                       part + ((long)t * cout + co) * cinp + c, cinp, b0 > 0);
                }
    }
}

#else

void ts_cpu_wino3_filter(int n, int cin, int cout, int len, const float *x, const float *dy,
                         float *part, double *dbias, float *scratch)
{
    (void)n; (void)cin; (void)cout; (void)len; (void)x; (void)dy; (void)part; (void)dbias;
    (void)scratch;
    TS_CHECK(!"wino3 kernel called without AVX-512");
}

void ts_cpu_wino3(int n, int cin, int cout, int len, const float *x, const float *u,
                  const float *bias, const float *off, const float *res, float *y,
                  float *scratch)
{
    (void)n; (void)cin; (void)cout; (void)len; (void)x; (void)u; (void)bias; (void)off;
    (void)res; (void)y; (void)scratch;
    TS_CHECK(!"wino3 kernel called without AVX-512");
}

#endif
