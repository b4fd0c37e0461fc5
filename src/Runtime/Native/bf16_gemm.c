// The BF16 dot-product GEMM kernels of HeadPursuit's CPU backend (src/Runtime/Cpu/Bf16Gemm.cs drives them).
//
// .NET 10 has no managed intrinsic for AVX512-BF16, so its dot-product instruction VDPBF16PS is reached through this
// small library, built with clang by the Runtime project (build.sh) and loaded with NativeLibrary when present.
// VDPBF16PS adds two bf16 x bf16 products per fp32 lane: acc += a[2i+1] b[2i+1], then acc += a[2i] b[2i], each
// product exact in fp32 and each addition rounded once (to nearest even), i.e. two fused multiply-adds, odd
// element first; inputs that are bf16 subnormals count as zero and subnormal results are flushed to zero.
// The managed twin (Bf16Products.cs) performs the same operations, so both give the same bits (tested).
//
// Layouts (k pairs: kp = ceil(kc / 2); a pair is one uint32, low half the even k, high half the odd k):
//   packed A: [ceil(kp / 16)][6][16] pairs of 6 consecutive rows of x rounded to bf16 (a 6-row micro-panel): groups of
//             16 pairs, in each group a row's 16 pairs together (so packing stores whole vectors); the last group padded
//   packed B: [kp][64] pairs of 64 consecutive output columns of the weight (a 64-column micro-panel)
//   a tile:   C[6, 64] += A B, 24 zmm accumulators (6 rows x 4 vectors of 16 columns)

#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#define MR 6
#define NR 64
#define GROUP 16   // pairs per group of packed A
#define EXPORT __attribute__((visibility("default")))
#define BF16 __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))

// The first n (0..16) lanes.
static __mmask16 first_lanes(int n) { return n >= 16 ? 0xFFFF : n <= 0 ? 0 : (__mmask16)((1u << n) - 1); }

// 1 when this CPU runs AVX512-BF16 (and the AVX-512 subsets used here).
EXPORT int hp_bf16_supported(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bf16");
}

// Pairs in a micro-panel of packed A: kp rounded up to whole groups, times 6 rows.
static int64_t panel_pairs(int kp) { return (int64_t)(kp + GROUP - 1) / GROUP * GROUP * MR; }

// Rows 0..rows-1 (rows <= 6, row stride ldx floats) of x[:, 0..kc) rounded to bf16 (VCVTNE2PS2BF16: nearest even,
// subnormals to zero, NaN quieted) into dst [ceil(kp / 16)][6][16]; rows past `rows` and k past kc are zero.
EXPORT BF16 void hp_bf16_pack_a(const float *x, int64_t ldx, int rows, int kc, uint32_t *dst)
{
    int kp = (kc + 1) / 2;
    for (int q0 = 0; q0 < kp; q0 += GROUP, dst += GROUP * MR)
        for (int r = 0; r < MR; r++)
        {
            __m512i pairs = _mm512_setzero_si512();
            if (r < rows)
            {
                const float *row = x + r * ldx;
                int p = 2 * q0, left = kc - p;
                __m512 lo = _mm512_maskz_loadu_ps(first_lanes(left), row + p), hi = _mm512_maskz_loadu_ps(first_lanes(left - 16), row + p + 16);
                pairs = (__m512i)_mm512_cvtne2ps_pbh(hi, lo);   // bf16 of k = p .. p+31, in order
            }
            _mm512_storeu_si512(dst + r * GROUP, pairs);
        }
}

// r[i] = row i of a 16 x 16 block of 32-bit elements in, column i out: 2 x 2 blocks, then 4 x 4 blocks within each
// 128-bit lane, then the lanes.
static BF16 void transpose16(__m512i r[16])
{
    __m512i t[16];
    for (int i = 0; i < 16; i += 2)
    {
        t[i] = _mm512_unpacklo_epi32(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_epi32(r[i], r[i + 1]);
    }
    for (int i = 0; i < 16; i += 4)
    {
        r[i] = _mm512_unpacklo_epi64(t[i], t[i + 2]);
        r[i + 1] = _mm512_unpackhi_epi64(t[i], t[i + 2]);
        r[i + 2] = _mm512_unpacklo_epi64(t[i + 1], t[i + 3]);
        r[i + 3] = _mm512_unpackhi_epi64(t[i + 1], t[i + 3]);
    }
    for (int i = 0; i < 4; i++)
    {
        t[i] = _mm512_shuffle_i32x4(r[i], r[i + 4], 0x88);
        t[i + 4] = _mm512_shuffle_i32x4(r[i], r[i + 4], 0xDD);
        t[i + 8] = _mm512_shuffle_i32x4(r[i + 8], r[i + 12], 0x88);
        t[i + 12] = _mm512_shuffle_i32x4(r[i + 8], r[i + 12], 0xDD);
    }
    for (int i = 0; i < 4; i++)
    {
        r[i] = _mm512_shuffle_i32x4(t[i], t[i + 8], 0x88);
        r[i + 8] = _mm512_shuffle_i32x4(t[i], t[i + 8], 0xDD);
        r[i + 4] = _mm512_shuffle_i32x4(t[i + 4], t[i + 12], 0x88);
        r[i + 12] = _mm512_shuffle_i32x4(t[i + 4], t[i + 12], 0xDD);
    }
}

// The weight block of `cols` (<= 64) output columns and kc inputs, stored bf16, into dst [kp][64]; columns past
// `cols` and k past kc are zero. InOut storage [k, n]: element (p, j) at w[p * ld + j]; OutIn storage [n, k]:
// element (p, j) at w[j * ld + p] (w points at the block's first element).
//   InOut: the pair (2q, 2q+1) of 16 columns is two rows widened to 32 bits, the odd one shifted into the high half.
//   OutIn: a stored row already holds its pairs in order (little-endian: the even element in the low half), so the
//   block is a transpose of 32-bit pairs, 16 columns x 16 pairs at a time; the last pair of an odd kc is read as its
//   even half only (its odd half would be the next slice's first element, or past the matrix).
EXPORT BF16 void hp_bf16_pack_b(const uint16_t *w, int out_in, int64_t ld, int kc, int cols, uint32_t *dst)
{
    int kp = (kc + 1) / 2, full = kc / 2;   // pairs, whole pairs
    if (!out_in)
    {
        for (int q = 0; q < kp; q++)
        {
            const uint16_t *even = w + (int64_t)(2 * q) * ld, *odd = even + ld;
            for (int j = 0; j < NR; j += 16)
            {
                __mmask16 m = first_lanes(cols - j);
                __m512i e = _mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(m, even + j));
                __m512i o = 2 * q + 1 < kc ? _mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(m, odd + j)) : _mm512_setzero_si512();
                _mm512_storeu_si512(dst + q * NR + j, _mm512_or_si512(e, _mm512_slli_epi32(o, 16)));
            }
        }
        return;
    }
    for (int j0 = 0; j0 < NR; j0 += 16)
        for (int q0 = 0; q0 < kp; q0 += 16)
        {
            __m512i r[16];   // r[i]: pairs q0.. of column j0 + i, then (transposed) columns j0.. of pair q0 + i
            __mmask16 whole = first_lanes(full - q0);
            for (int i = 0; i < 16; i++)
            {
                const uint16_t *row = w + (int64_t)(j0 + i) * ld + 2 * q0;
                r[i] = j0 + i < cols ? _mm512_maskz_loadu_epi32(whole, row) : _mm512_setzero_si512();
                if (j0 + i < cols && kp > full && kp - 1 - q0 < 16)   // the odd kc's last pair: its even element alone
                    r[i] = _mm512_mask_set1_epi32(r[i], (__mmask16)(1u << (kp - 1 - q0)), row[2 * (kp - 1 - q0)]);
            }
            transpose16(r);
            for (int i = 0; i < 16 && q0 + i < kp; i++) _mm512_storeu_si512(dst + (q0 + i) * NR + j0, r[i]);
        }
}

// C[6, 64] += A B (full tile, row stride ldc).
static BF16 void tile(int kp, const uint32_t *a, const uint32_t *b, float *c, int64_t ldc)
{
    __m512 acc[MR][4];
    for (int r = 0; r < MR; r++)
        for (int v = 0; v < 4; v++) acc[r][v] = _mm512_loadu_ps(c + r * ldc + 16 * v);
    for (int q0 = 0; q0 < kp; q0 += GROUP, a += GROUP * MR)
    {
        int n = kp - q0 < GROUP ? kp - q0 : GROUP;
        for (int t = 0; t < n; t++, b += NR)
        {
            __m512bh b0 = (__m512bh)_mm512_loadu_si512(b), b1 = (__m512bh)_mm512_loadu_si512(b + 16);
            __m512bh b2 = (__m512bh)_mm512_loadu_si512(b + 32), b3 = (__m512bh)_mm512_loadu_si512(b + 48);
            for (int r = 0; r < MR; r++)
            {
                __m512bh ar = (__m512bh)_mm512_set1_epi32((int)a[r * GROUP + t]);
                acc[r][0] = _mm512_dpbf16_ps(acc[r][0], ar, b0);
                acc[r][1] = _mm512_dpbf16_ps(acc[r][1], ar, b1);
                acc[r][2] = _mm512_dpbf16_ps(acc[r][2], ar, b2);
                acc[r][3] = _mm512_dpbf16_ps(acc[r][3], ar, b3);
            }
        }
    }
    for (int r = 0; r < MR; r++)
        for (int v = 0; v < 4; v++) _mm512_storeu_ps(c + r * ldc + 16 * v, acc[r][v]);
}

// C[rows, cols] += A B over kp pairs: a = ceil(rows / 6) micro-panels of packed A, b = [ceil(cols / 64)][kp][64] packed B,
// C row-major with row stride ldc. Each B micro-panel stays in L1 while it sweeps every A micro-panel. Tiles cut by
// the edge run on a zero-padded copy.
EXPORT BF16 void hp_bf16_block(int kp, const uint32_t *a, int rows, const uint32_t *b, int cols, float *c, int64_t ldc)
{
    float edge[MR * NR];
    for (int j = 0; j < cols; j += NR)
    {
        const uint32_t *bp = b + (int64_t)(j / NR) * kp * NR;
        int w = cols - j < NR ? cols - j : NR;
        for (int i = 0; i < rows; i += MR)
        {
            const uint32_t *ap = a + (i / MR) * panel_pairs(kp);
            float *cp = c + i * ldc + j;
            int h = rows - i < MR ? rows - i : MR;
            if (h == MR && w == NR)
            {
                tile(kp, ap, bp, cp, ldc);
                continue;
            }
            memset(edge, 0, sizeof edge);
            for (int r = 0; r < h; r++) memcpy(edge + r * NR, cp + r * ldc, sizeof(float) * (size_t)w);
            tile(kp, ap, bp, edge, NR);
            for (int r = 0; r < h; r++) memcpy(cp + r * ldc, edge + r * NR, sizeof(float) * (size_t)w);
        }
    }
}
