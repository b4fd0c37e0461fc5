using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace HeadPursuit.Somp;

/// <summary>
/// C = A B in float64 for the dense products of <see cref="SompFast"/> (P0 = (D_n W_O) Zc^T). Register-blocked:
/// with AVX-512, 8 rows of C x 16 columns (two Vector512&lt;double&gt;) accumulate over k with FMAs; otherwise (and for
/// the columns left over) 4 rows x 8 columns (two Vector256&lt;double&gt;). The columns of B a tile reads are first
/// copied into a contiguous strip [k, 16] or [k, 8], reused by every tile of rows (reading them in place strides by
/// a whole row of B per step, which thrashes the caches' sets when rows are a power of two apart).
/// Each element of C is one FMA chain over k in order, as in a plain loop, whichever tile computes it, so both widths
/// give the same bits. Tested against a plain triple loop.
/// </summary>
static class Float64Gemm
{
    [ThreadStatic] static double[]? t_strip;

    /// <param name="a">A [m, k] row-major</param>
    /// <param name="b">B [k, n] row-major</param>
    /// <param name="c">C [m, n] row-major, overwritten</param>
    /// <param name="wide">the AVX-512 tiles (default: where the hardware has them; tests force either)</param>
    public static void Multiply(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> c, int m, int k, int n, bool? wide = null)
    {
        if (a.Length < m * k || b.Length < k * n || c.Length < m * n) throw new ArgumentException($"GEMM [{m}x{k}] x [{k}x{n}]: spans too short");
        if (t_strip == null || t_strip.Length < k * 16) t_strip = new double[k * 16];
        int j = 0;
        if (wide ?? Vector512.IsHardwareAccelerated)
        {
            var wideStrip = t_strip.AsSpan(0, k * 16);   // B[:, j..j+16] [k, 16]
            for (; j + 16 <= n; j += 16)
            {
                for (int p = 0; p < k; p++) b.Slice(p * n + j, 16).CopyTo(wideStrip.Slice(p * 16, 16));
                int i = 0;
                for (; i + 8 <= m; i += 8) Tile8x16(a, wideStrip, c, i, j, k, n);
                for (; i < m; i++)
                    for (int q = j; q < j + 16; q++) c[i * n + q] = Dot(a, b, i, q, k, n);
            }
        }
        var strip = t_strip.AsSpan(0, k * 8);   // B[:, j..j+8] [k, 8]
        for (; j + 8 <= n; j += 8)
        {
            for (int p = 0; p < k; p++) b.Slice(p * n + j, 8).CopyTo(strip.Slice(p * 8, 8));
            int i = 0;
            for (; i + 4 <= m; i += 4) Tile4x8(a, strip, c, i, j, k, n);
            for (; i < m; i++)
                for (int q = j; q < j + 8; q++) c[i * n + q] = Dot(a, b, i, q, k, n);
        }
        for (; j < n; j++)
            for (int i = 0; i < m; i++) c[i * n + j] = Dot(a, b, i, j, k, n);
    }

    // C[i..i+4, j..j+8] from rows i..i+4 of A and the strip of B's columns j..j+8.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static unsafe void Tile4x8(ReadOnlySpan<double> a, ReadOnlySpan<double> strip, Span<double> c, int i, int j, int k, int n)
    {
        Vector256<double> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector256<double> c20 = default, c21 = default, c30 = default, c31 = default;
        fixed (double* pa = a, ps = strip)
        {
            double* a0p = pa + i * k, a1p = a0p + k, a2p = a1p + k, a3p = a2p + k, bp = ps;   // spans checked by Multiply
            for (int p = 0; p < k; p++, bp += 8)
            {
                var b0 = Vector256.Load(bp);
                var b1 = Vector256.Load(bp + 4);
                var a0 = Vector256.Create(a0p[p]);
                var a1 = Vector256.Create(a1p[p]);
                var a2 = Vector256.Create(a2p[p]);
                var a3 = Vector256.Create(a3p[p]);
                c00 = Vector256.FusedMultiplyAdd(a0, b0, c00); c01 = Vector256.FusedMultiplyAdd(a0, b1, c01);
                c10 = Vector256.FusedMultiplyAdd(a1, b0, c10); c11 = Vector256.FusedMultiplyAdd(a1, b1, c11);
                c20 = Vector256.FusedMultiplyAdd(a2, b0, c20); c21 = Vector256.FusedMultiplyAdd(a2, b1, c21);
                c30 = Vector256.FusedMultiplyAdd(a3, b0, c30); c31 = Vector256.FusedMultiplyAdd(a3, b1, c31);
            }
        }
        c00.CopyTo(c.Slice(i * n + j, 4)); c01.CopyTo(c.Slice(i * n + j + 4, 4));
        c10.CopyTo(c.Slice((i + 1) * n + j, 4)); c11.CopyTo(c.Slice((i + 1) * n + j + 4, 4));
        c20.CopyTo(c.Slice((i + 2) * n + j, 4)); c21.CopyTo(c.Slice((i + 2) * n + j + 4, 4));
        c30.CopyTo(c.Slice((i + 3) * n + j, 4)); c31.CopyTo(c.Slice((i + 3) * n + j + 4, 4));
    }

    // C[i..i+8, j..j+16] from rows i..i+8 of A and the strip of B's columns j..j+16 (AVX-512).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static unsafe void Tile8x16(ReadOnlySpan<double> a, ReadOnlySpan<double> strip, Span<double> c, int i, int j, int k, int n)
    {
        Vector512<double> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<double> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        fixed (double* pa = a, ps = strip)
        {
            double* a0p = pa + i * k, bp = ps;   // spans checked by Multiply
            for (int p = 0; p < k; p++, bp += 16)
            {
                var b0 = Vector512.Load(bp);
                var b1 = Vector512.Load(bp + 8);
                var ar = Vector512.Create(a0p[p]);
                c00 = Vector512.FusedMultiplyAdd(ar, b0, c00); c01 = Vector512.FusedMultiplyAdd(ar, b1, c01);
                ar = Vector512.Create(a0p[k + p]);
                c10 = Vector512.FusedMultiplyAdd(ar, b0, c10); c11 = Vector512.FusedMultiplyAdd(ar, b1, c11);
                ar = Vector512.Create(a0p[2 * k + p]);
                c20 = Vector512.FusedMultiplyAdd(ar, b0, c20); c21 = Vector512.FusedMultiplyAdd(ar, b1, c21);
                ar = Vector512.Create(a0p[3 * k + p]);
                c30 = Vector512.FusedMultiplyAdd(ar, b0, c30); c31 = Vector512.FusedMultiplyAdd(ar, b1, c31);
                ar = Vector512.Create(a0p[4 * k + p]);
                c40 = Vector512.FusedMultiplyAdd(ar, b0, c40); c41 = Vector512.FusedMultiplyAdd(ar, b1, c41);
                ar = Vector512.Create(a0p[5 * k + p]);
                c50 = Vector512.FusedMultiplyAdd(ar, b0, c50); c51 = Vector512.FusedMultiplyAdd(ar, b1, c51);
                ar = Vector512.Create(a0p[6 * k + p]);
                c60 = Vector512.FusedMultiplyAdd(ar, b0, c60); c61 = Vector512.FusedMultiplyAdd(ar, b1, c61);
                ar = Vector512.Create(a0p[7 * k + p]);
                c70 = Vector512.FusedMultiplyAdd(ar, b0, c70); c71 = Vector512.FusedMultiplyAdd(ar, b1, c71);
            }
        }
        Store(c00, c01, c, i * n + j); Store(c10, c11, c, (i + 1) * n + j);
        Store(c20, c21, c, (i + 2) * n + j); Store(c30, c31, c, (i + 3) * n + j);
        Store(c40, c41, c, (i + 4) * n + j); Store(c50, c51, c, (i + 5) * n + j);
        Store(c60, c61, c, (i + 6) * n + j); Store(c70, c71, c, (i + 7) * n + j);
    }

    static void Store(Vector512<double> lo, Vector512<double> hi, Span<double> c, int at)
    {
        lo.CopyTo(c.Slice(at, 8));
        hi.CopyTo(c.Slice(at + 8, 8));
    }

    static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b, int i, int j, int k, int n)
    {
        double s = 0;
        for (int p = 0; p < k; p++) s = Math.FusedMultiplyAdd(a[i * k + p], b[p * n + j], s);
        return s;
    }
}
