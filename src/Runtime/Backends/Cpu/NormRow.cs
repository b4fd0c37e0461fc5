using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using HeadPursuit.Runtime.Cpu;

namespace HeadPursuit.Runtime.Backends.Cpu;

/// <summary>
/// One row of a LayerNorm (with a bias) or an RMSNorm (without: the mean is taken as 0) on the CPU:
///   mean = sum x / d,  inv = 1 / sqrt(sum (x - mean)^2 / d + eps),  y = (x - mean) * inv * w (+ b).
/// The sums run in <see cref="SixteenLanes"/> order and the last line lane by lane at the widest <see cref="SimdLevel"/>
/// (512-bit, 256-bit or plain floats), so every family gives the same bits; <see cref="Reference"/> is the plain loop with
/// the statistics in double, which the fast row matches within fp32 rounding (tested).
/// x and y may be the same span.
/// </summary>
static unsafe class NormRow
{
    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> b, float eps, Span<float> y)
    {
        int d = x.Length;
        bool bias = !b.IsEmpty;
        fixed (float* xp = x, wp = w, bp = b, yp = y)
        {
            float mean = bias ? SixteenLanes.Sum(xp, d) / d : 0f;
            float inv = 1f / MathF.Sqrt(SixteenLanes.SquaresAbout(xp, mean, d) / d + eps);
            int i = CpuSimd.Level switch
            {
                SimdLevel.Avx512 => Scale<Lanes512, Vector512<float>>(xp, mean, inv, wp, bias ? bp : null, yp, 0, d),
                SimdLevel.Avx2 => Scale<Lanes256, Vector256<float>>(xp, mean, inv, wp, bias ? bp : null, yp, 0, d),
                _ => 0,
            };
            Scale<Lanes1, float>(xp, mean, inv, wp, bias ? bp : null, yp, i, d);
        }
    }

    /// <summary>y[i] = (x[i] - mean) * inv * w[i] (+ b[i]) for whole vectors from i; returns the first element left.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static int Scale<TL, TV>(float* x, float mean, float inv, float* w, float* b, float* y, int i, int d) where TL : struct, ILanes<TV> where TV : struct
    {
        int L = TL.Count;
        TV m = TL.Broadcast(mean), s = TL.Broadcast(inv);
        for (; i + L <= d; i += L)
        {
            TV t = TL.Multiply(TL.Multiply(TL.Subtract(TL.Load(x + i), m), s), TL.Load(w + i));
            TL.Store(b == null ? t : TL.Add(t, TL.Load(b + i)), y + i);
        }
        return i;
    }

    /// <summary>The plain row: statistics in double, rounded once; the reference <see cref="Apply"/> is tested against.</summary>
    public static void Reference(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> b, float eps, Span<float> y)
    {
        int d = x.Length;
        double mean = 0;
        if (!b.IsEmpty) { foreach (float v in x) mean += v; mean /= d; }
        double sq = 0;
        foreach (float v in x) sq += (v - mean) * (v - mean);
        float inv = (float)(1.0 / Math.Sqrt(sq / d + eps));
        for (int i = 0; i < d; i++) y[i] = (float)(x[i] - mean) * inv * w[i] + (b.IsEmpty ? 0f : b[i]);
    }
}
