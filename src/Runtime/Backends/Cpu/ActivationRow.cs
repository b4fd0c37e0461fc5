using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using HeadPursuit.Runtime.Cpu;

namespace HeadPursuit.Runtime.Backends.Cpu;

/// <summary>
/// One row of an <see cref="Activation"/> on the CPU: y = act(x) (x and y may be the same span). The tanh GELU and SiLU
/// are sequences of TensorPrimitives calls (vectorised at the widest width the hardware has); the exact GELU runs its
/// own lanes (<see cref="GeluErf"/>) at the chosen <see cref="SimdLevel"/>, with the same bits for every family.
/// </summary>
static unsafe class ActivationRow
{
    [ThreadStatic] static float[]? t_scratch;    // [2, n]

    public static void Apply(Activation act, ReadOnlySpan<float> x, Span<float> y)
    {
        switch (act)
        {
            case Activation.GeluTanh: GeluTanh(x, y); break;
            case Activation.GeluErf: GeluErf(x, y); break;
            case Activation.Silu:
                // silu(x) = x * sigmoid(x); a scratch row keeps x intact when y aliases it.
                var s = Scratch(x.Length, 0);
                TensorPrimitives.Sigmoid(x, s);
                TensorPrimitives.Multiply(s, x, y);
                break;
            default: throw new ArgumentOutOfRangeException(nameof(act), act, "unknown activation");
        }
    }

    /// <summary>t = tanh(c (x + 0.044715 x^3)), y = 0.5 x (1 + t), c = sqrt(2/pi).</summary>
    static void GeluTanh(ReadOnlySpan<float> x, Span<float> y)
    {
        var t = Scratch(x.Length, 0);
        const float c = 0.7978845608028654f; // sqrt(2/pi)
        TensorPrimitives.Multiply(x, x, t);                  // x^2
        TensorPrimitives.Multiply(t, 0.044715f, t);
        TensorPrimitives.Add(t, 1f, t);                      // 1 + 0.044715 x^2
        TensorPrimitives.Multiply(t, x, t);                  // x + 0.044715 x^3
        TensorPrimitives.Multiply(t, c, t);
        TensorPrimitives.Tanh(t, t);
        TensorPrimitives.Add(t, 1f, t);
        TensorPrimitives.Multiply(t, x, y);
        TensorPrimitives.Multiply(y, 0.5f, y);
    }

    /// <summary>
    /// The exact GELU 0.5 x (1 + erf(x / sqrt 2)) in float, through erfc(z), z = |x| / sqrt 2, from the Chebyshev fit of
    /// Numerical Recipes (erfcc, relative error below 1.2e-7 for every z >= 0):
    ///   t = 1 / (1 + z / 2),  erfc(z) = t exp(-z^2 + P(t)),  P a polynomial of degree 9;
    /// then y = (x + |x|) / 2 - |x| / 2 erfc(z), which is x - x/2 erfc(z) for x >= 0 and x/2 erfc(z) for x &lt; 0 (so the
    /// negative tail keeps its relative accuracy). Maths.Gelu.Exact (double) is the reference it is tested against.
    /// </summary>
    static void GeluErf(ReadOnlySpan<float> x, Span<float> y)
    {
        int n = x.Length;
        var t = Scratch(n, 0);   // [n] t
        var e = Scratch(n, 1);   // [n] -z^2 + P(t), then its exp
        fixed (float* xp = x, yp = y, tp = t, ep = e)
        {
            int i = CpuSimd.Level switch
            {
                SimdLevel.Avx512 => ErfcArgument<Lanes512, Vector512<float>>(xp, tp, ep, 0, n),
                SimdLevel.Avx2 => ErfcArgument<Lanes256, Vector256<float>>(xp, tp, ep, 0, n),
                _ => 0,
            };
            ErfcArgument<Lanes1, float>(xp, tp, ep, i, n);
            TensorPrimitives.Exp(e, e);
            i = CpuSimd.Level switch
            {
                SimdLevel.Avx512 => GeluFromErfc<Lanes512, Vector512<float>>(xp, tp, ep, yp, 0, n),
                SimdLevel.Avx2 => GeluFromErfc<Lanes256, Vector256<float>>(xp, tp, ep, yp, 0, n),
                _ => 0,
            };
            GeluFromErfc<Lanes1, float>(xp, tp, ep, yp, i, n);
        }
    }

    /// <summary>t[i] and e[i] = -z^2 + P(t) for whole vectors from i; returns the first element left.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static int ErfcArgument<TL, TV>(float* x, float* t, float* e, int i, int n) where TL : struct, ILanes<TV> where TV : struct
    {
        int L = TL.Count;
        TV one = TL.Broadcast(1f), half = TL.Broadcast(0.5f), invSqrt2 = TL.Broadcast(0.70710678118654752f);
        for (; i + L <= n; i += L)
        {
            TV z = TL.Multiply(TL.Abs(TL.Load(x + i)), invSqrt2);
            TV u = TL.Divide(one, TL.MultiplyAdd(half, z, one));
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
            TL.Store(u, t + i);
            TL.Store(TL.Subtract(p, TL.Multiply(z, z)), e + i);
        }
        return i;
    }

    /// <summary>y[i] = (x + |x|)/2 - |x|/2 * t exp(...) for whole vectors from i; returns the first element left.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static int GeluFromErfc<TL, TV>(float* x, float* t, float* e, float* y, int i, int n) where TL : struct, ILanes<TV> where TV : struct
    {
        int L = TL.Count;
        TV half = TL.Broadcast(0.5f);
        for (; i + L <= n; i += L)
        {
            TV xv = TL.Load(x + i);
            TV a = TL.Multiply(TL.Abs(xv), half);
            TV erfc = TL.Multiply(TL.Load(t + i), TL.Load(e + i));
            TL.Store(TL.Subtract(TL.MultiplyAdd(xv, half, a), TL.Multiply(a, erfc)), y + i);
        }
        return i;
    }

    static Span<float> Scratch(int n, int which)
    {
        if (t_scratch == null || t_scratch.Length < 2 * n) t_scratch = new float[2 * n];
        return t_scratch.AsSpan(which * n, n);
    }
}
