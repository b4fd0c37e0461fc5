using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace HeadPursuit.Somp;

/// <summary>
/// C = A B in float64 for the dense products of <see cref="SompFast"/> (P0 = (D_n W_O) Zc^T). Register-blocked:
/// 4 rows of C x 8 columns (two Vector256&lt;double&gt;) accumulate over k with FMAs, B read row by row.
/// Tested against a plain triple loop.
/// </summary>
static class BlockedGemm
{
    /// <param name="a">A [m, k] row-major</param>
    /// <param name="b">B [k, n] row-major</param>
    /// <param name="c">C [m, n] row-major, overwritten</param>
    public static void Multiply(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> c, int m, int k, int n)
    {
        if (a.Length < m * k || b.Length < k * n || c.Length < m * n) throw new ArgumentException($"GEMM [{m}x{k}] x [{k}x{n}]: spans too short");
        int i = 0;
        for (; i + 4 <= m; i += 4)
        {
            int j = 0;
            for (; j + 8 <= n; j += 8) Tile4x8(a, b, c, i, j, k, n);
            for (; j < n; j++)
                for (int r = i; r < i + 4; r++) c[r * n + j] = Dot(a, b, r, j, k, n);
        }
        for (; i < m; i++)
            for (int j = 0; j < n; j++) c[i * n + j] = Dot(a, b, i, j, k, n);
    }

    // Each element of C is one FMA chain over p = 0..k-1 in order, as in Dot: the tile only shares the loads.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static unsafe void Tile4x8(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> c, int i, int j, int k, int n)
    {
        Vector256<double> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector256<double> c20 = default, c21 = default, c30 = default, c31 = default;
        fixed (double* pa = a, pb = b)
        {
            double* a0p = pa + i * k, a1p = a0p + k, a2p = a1p + k, a3p = a2p + k, bp = pb + j;   // spans checked by Multiply
            for (int p = 0; p < k; p++, bp += n)
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

    static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b, int i, int j, int k, int n)
    {
        double s = 0;
        for (int p = 0; p < k; p++) s = Math.FusedMultiplyAdd(a[i * k + p], b[p * n + j], s);
        return s;
    }
}
