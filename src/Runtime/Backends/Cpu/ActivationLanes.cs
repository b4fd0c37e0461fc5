using System.Runtime.CompilerServices;
using HeadPursuit.Runtime.Cpu;

namespace HeadPursuit.Runtime.Backends.Cpu;

/// <summary>
/// One activation on one vector of <see cref="ILanes{TV}"/>: each lane's output from its own input by the same operations
/// at every width, so that every <see cref="SimdLevel"/> gives the same bits. The struct picks the activation at compile
/// time (the JIT specialises <see cref="ActivationRow"/>'s loop for each).
/// </summary>
internal interface IActivationLanes
{
    static abstract TV Of<TL, TV>(TV x) where TL : struct, ILanes<TV> where TV : struct;
}

/// <summary>
/// x * sigmoid(z) for the lanes of SiLU (z = x) and the tanh GELU (z = 2u: 0.5 x (1 + tanh(u)) = x sigmoid(2u)), from
/// e = exp(-|z|) = p 2^n (<see cref="ExpLanes"/>), which never overflows:
///   z &gt;= 0:  x / (1 + e);     z &lt; 0:  x e / (1 + e) = (x p / (1 + e)) 2^n,
/// the 2^n applied last so that the negative tail keeps its relative accuracy down to the subnormals. z = zHi + zLo may
/// carry more than float precision (the tanh GELU's cubic does: its tail's exp magnifies z's error by |z|, up to 150).
/// The caller keeps x in [-128, inf) and |z| &lt;= 150 (beyond, every result rounds to -0 or x, or 1 + e to 1) and turns
/// x = -inf into NaN itself.
/// </summary>
internal static class SigmoidLanes
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV XSigmoid<TL, TV>(TV x, TV zHi, TV zLo) where TL : struct, ILanes<TV> where TV : struct
    {
        TV zero = TL.Broadcast(0f), one = TL.Broadcast(1f);
        TV negative = TL.LessThan(zHi, zero);
        TV p = ExpLanes.Reduced<TL, TV>(TL.Subtract(zero, TL.Abs(zHi)), TL.Select(negative, zLo, TL.Subtract(zero, zLo)), out TV n);
        TV e = TL.Multiply(p, TL.Pow2(TL.Max(TL.Broadcast(-126f), n)));   // below 2^-125 e no longer moves 1 + e
        TV s = TL.Divide(TL.Multiply(x, TL.Select(negative, p, one)), TL.Add(one, e));
        return ExpLanes.ScaleByPow2<TL, TV>(s, TL.Select(negative, n, zero));
    }

    /// <summary>y, or NaN where x = -inf (x * sigmoid(z) = -inf * 0 there, as torch computes it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV NaNAtMinusInfinity<TL, TV>(TV x, TV y) where TL : struct, ILanes<TV> where TV : struct =>
        TL.Select(TL.LessThan(x, TL.Broadcast(float.MinValue)), TL.Broadcast(float.NaN), y);
}

/// <summary>SiLU, x * sigmoid(x): x / (1 + e^-x) for x &gt;= 0, x e^x / (1 + e^x) below.</summary>
internal readonly struct SiluLanes : IActivationLanes
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Of<TL, TV>(TV x) where TL : struct, ILanes<TV> where TV : struct
    {
        TV xf = TL.Max(TL.Broadcast(-128f), x);   // silu(x) rounds to -0 below x = -108.7
        TV z = TL.Min(TL.Broadcast(128f), xf);    // sigmoid(z) rounds to 1 above z = 17.33
        return SigmoidLanes.NaNAtMinusInfinity<TL, TV>(x, SigmoidLanes.XSigmoid<TL, TV>(xf, z, TL.Broadcast(0f)));
    }
}

/// <summary>
/// The tanh GELU, 0.5 x (1 + tanh(u)) = x sigmoid(z), z = 2u = x (A + B x^2), A = 2 sqrt(2/pi), B = 0.044715 A, with z
/// to about 2^-44 relative as zHi + zLo: x^2, B x^2, A + B x^2 and x (A + B x^2) each as a rounded float and its exact
/// error (fused multiply-adds and a two-sum), A and B split the same way.
/// </summary>
internal readonly struct GeluTanhLanes : IActivationLanes
{
    const float AHi = 1.59576917f, ALo = -4.53406805e-8f, BHi = 0.0713548139f, BLo = 2.39883247e-9f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Of<TL, TV>(TV x) where TL : struct, ILanes<TV> where TV : struct
    {
        TV xf = TL.Max(TL.Broadcast(-12f), x);   // gelu(x) rounds to -0 below x = -10.78
        TV v = TL.Min(TL.Broadcast(12f), xf);    // |z| <= 142.5; sigmoid(z) rounds to 1 above x = 5.1
        TV bHi = TL.Broadcast(BHi), aHi = TL.Broadcast(AHi);
        TV s = TL.Multiply(v, v), sLo = TL.MultiplyAdd(v, v, TL.Subtract(TL.Broadcast(0f), s));                 // v^2 = s + sLo
        TV t = TL.Multiply(bHi, s);
        TV tLo = TL.MultiplyAdd(bHi, sLo, TL.MultiplyAdd(TL.Broadcast(BLo), s, TL.MultiplyAdd(bHi, s, TL.Subtract(TL.Broadcast(0f), t))));
        TV w = TL.Add(aHi, t), wt = TL.Subtract(w, aHi);                                                          // two-sum A + t
        TV wLo = TL.Add(TL.Add(TL.Subtract(aHi, TL.Subtract(w, wt)), TL.Subtract(t, wt)), TL.Add(tLo, TL.Broadcast(ALo)));
        TV zHi = TL.Multiply(v, w);
        TV zLo = TL.MultiplyAdd(v, wLo, TL.MultiplyAdd(v, w, TL.Subtract(TL.Broadcast(0f), zHi)));
        return SigmoidLanes.NaNAtMinusInfinity<TL, TV>(x, SigmoidLanes.XSigmoid<TL, TV>(xf, zHi, zLo));
    }
}

/// <summary>
/// The exact GELU 0.5 x (1 + erf(x / sqrt 2)) through erfc(z), z = |x| / sqrt 2, from the Chebyshev fit of Numerical
/// Recipes (erfcc, relative error below 1.2e-7 for every z &gt;= 0):
///   t = 1 / (1 + z / 2),  erfc(z) = t exp(P(t) - z^2),  P a polynomial of degree 9;
/// then y = (x + |x|) / 2 - |x| / 2 erfc(z), which is x - x/2 erfc(z) for x &gt;= 0 and x/2 erfc(z) for x &lt; 0 (so the
/// negative tail keeps its relative accuracy). z^2 = x^2 / 2 enters the exponent exactly (x^2 as a float and its error,
/// then a two-sum with P), and 2^n of the exponential is applied last. |x| is capped at 20 inside erfc (beyond, the
/// result rounds to x or -0), so +inf gives +inf and -inf NaN ((x + |x|) / 2), as torch.
/// </summary>
internal readonly struct GeluErfLanes : IActivationLanes
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Of<TL, TV>(TV x) where TL : struct, ILanes<TV> where TV : struct
    {
        TV one = TL.Broadcast(1f), half = TL.Broadcast(0.5f);
        TV a = TL.Min(TL.Broadcast(20f), TL.Abs(x));
        TV u = TL.Divide(one, TL.MultiplyAdd(TL.Broadcast(0.353553391f), a, one));   // z / 2 = |x| / (2 sqrt 2)
        TV p = TL.Broadcast(0.17087277f);
        p = TL.MultiplyAdd(p, u, TL.Broadcast(-0.82215223f));
        p = TL.MultiplyAdd(p, u, TL.Broadcast(1.48851587f));
        p = TL.MultiplyAdd(p, u, TL.Broadcast(-1.13520398f));
        p = TL.MultiplyAdd(p, u, TL.Broadcast(0.27886807f));
        p = TL.MultiplyAdd(p, u, TL.Broadcast(-0.18628806f));
        p = TL.MultiplyAdd(p, u, TL.Broadcast(0.09678418f));
        p = TL.MultiplyAdd(p, u, TL.Broadcast(0.37409196f));
        p = TL.MultiplyAdd(p, u, TL.Broadcast(1.00002368f));
        p = TL.MultiplyAdd(p, u, TL.Broadcast(-1.26551223f));
        TV s = TL.Multiply(a, a), sLo = TL.MultiplyAdd(a, a, TL.Subtract(TL.Broadcast(0f), s));   // x^2 = s + sLo
        TV h = TL.Multiply(s, half), hLo = TL.Multiply(sLo, half);                                 // z^2 = h + hLo
        TV e = TL.Subtract(p, h), eh = TL.Subtract(p, e);                                  // two-sum P - h
        TV eLo = TL.Subtract(TL.Add(TL.Subtract(p, TL.Add(e, eh)), TL.Subtract(eh, h)), hLo);
        TV m = ExpLanes.Reduced<TL, TV>(TL.Max(TL.Broadcast(-150f), e), eLo, out TV n);
        TV erfcTail = ExpLanes.ScaleByPow2<TL, TV>(TL.Multiply(TL.Multiply(a, half), TL.Multiply(u, m)), n);   // |x|/2 erfc(z)
        return TL.Subtract(TL.MultiplyAdd(x, half, TL.Multiply(TL.Abs(x), half)), erfcTail);
    }
}
