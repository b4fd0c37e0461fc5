using System.Runtime.CompilerServices;

namespace HeadPursuit.Runtime.Cpu;

/// <summary>
/// The exponential on <see cref="ILanes{TV}"/>, lane by lane with the same operations at every width (so the same bits):
///   n = round(a log2 e),  r = a - n ln 2 + aLo,  e^(a + aLo) = p 2^n,  p = e^r by its Taylor series to r^7;
/// |r| &lt;= ln 2 / 2, where the series' first dropped term is below 7.3e-9 of p (0.06 ulp), so p is within about 1 ulp.
/// aLo carries the low part of an argument known to more than float precision (0 when there is none). The caller keeps
/// p and n apart and applies 2^n with <see cref="ScaleByPow2"/>, so that results in the subnormal range are rounded once.
/// </summary>
internal static class ExpLanes
{
    const float Log2E = 1.44269502f;
    const float Ln2Hi = 0.693147182f, Ln2Lo = -1.90465421e-9f;   // ln 2 = Ln2Hi + Ln2Lo to 1e-16
    const float Rounder = 12582912f;                             // 1.5 * 2^23: adding it rounds |v| < 2^22 to a whole number

    /// <summary>p with e^(a + aLo) = p 2^n, p in [0.70, 1.42]; a in [-150, 0.5], |aLo| &lt; 2^-10 (NaN gives NaN).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Reduced<TL, TV>(TV a, TV aLo, out TV n) where TL : struct, ILanes<TV> where TV : struct
    {
        TV k = TL.MultiplyAdd(a, TL.Broadcast(Log2E), TL.Broadcast(Rounder));
        n = TL.Subtract(k, TL.Broadcast(Rounder));
        TV r = TL.MultiplyAdd(n, TL.Broadcast(-Ln2Hi), a);   // exact: a and n Ln2Hi agree in their leading bits
        r = TL.Add(TL.MultiplyAdd(n, TL.Broadcast(-Ln2Lo), r), aLo);
        TV p = TL.Broadcast(1f / 5040);
        p = TL.MultiplyAdd(p, r, TL.Broadcast(1f / 720));
        p = TL.MultiplyAdd(p, r, TL.Broadcast(1f / 120));
        p = TL.MultiplyAdd(p, r, TL.Broadcast(1f / 24));
        p = TL.MultiplyAdd(p, r, TL.Broadcast(1f / 6));
        p = TL.MultiplyAdd(p, r, TL.Broadcast(0.5f));
        p = TL.MultiplyAdd(p, r, TL.Broadcast(1f));
        return TL.MultiplyAdd(p, r, TL.Broadcast(1f));
    }

    /// <summary>
    /// s 2^n for a whole number n in [-226, 127], rounded once: s 2^max(n, -100) is exact while |s| &gt;= 2^-26 (the callers'
    /// s is near 1 whenever n &lt; -100), and the second factor 2^(n - max(n, -100)) rounds it, into the subnormals or to 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV ScaleByPow2<TL, TV>(TV s, TV n) where TL : struct, ILanes<TV> where TV : struct
    {
        TV first = TL.Max(TL.Broadcast(-100f), n);
        return TL.Multiply(TL.Multiply(s, TL.Pow2(first)), TL.Pow2(TL.Subtract(n, first)));
    }
}
