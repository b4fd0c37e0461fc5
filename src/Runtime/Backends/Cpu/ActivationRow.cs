using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using HeadPursuit.Runtime.Cpu;
using HeadPursuit.Runtime.Maths;

namespace HeadPursuit.Runtime.Backends.Cpu;

/// <summary>
/// One row of an <see cref="Activation"/> on the CPU, y = act(x), or of a gated one, y = act(gate) * up (the product of
/// the rounded activation, as the unfused code gives it): one pass over the row at the chosen <see cref="SimdLevel"/>
/// (512-bit, 256-bit or plain floats), the lanes of <see cref="SiluLanes"/>, <see cref="GeluTanhLanes"/> or
/// <see cref="GeluErfLanes"/>, with the same bits for every family (tested). x and y may be the same span.
/// Measured against the double-precision definitions (<see cref="Reference"/>) over the whole float range, subnormals,
/// the tails and +-inf included (RowOpTests, every 61st float bit pattern): SiLU within 2.97 ulps, the tanh GELU within
/// 3.11 (both in the negative half, where x e^z / (1 + e^z) takes four roundings), asserted at 3.5; the exact GELU
/// within its erfc fit's 1.2e-7 relative error.
/// </summary>
static unsafe class ActivationRow
{
    public static void Apply(Activation act, ReadOnlySpan<float> x, Span<float> y)
    {
        if (y.Length != x.Length) throw new ArgumentException($"an activation row maps {x.Length} values into {y.Length}");
        fixed (float* xp = x, yp = y) Run(act, xp, null, yp, x.Length);
    }

    public static void ApplyGated(Activation act, ReadOnlySpan<float> gate, ReadOnlySpan<float> up, Span<float> y)
    {
        if (up.Length != gate.Length || y.Length != gate.Length)
            throw new ArgumentException($"a gated activation row takes gate [{gate.Length}] and up [{up.Length}] into [{y.Length}]");
        fixed (float* gp = gate, up_ = up, yp = y) Run(act, gp, up_, yp, gate.Length);
    }

    /// <summary>The double-precision definition, rounded once: the slow twin of the lanes.</summary>
    public static float Reference(Activation act, float x) => act switch
    {
        Activation.GeluTanh => Gelu.Tanh(x),
        Activation.GeluErf => Gelu.Exact(x),
        Activation.Silu => Silu.Of(x),
        _ => throw new ArgumentOutOfRangeException(nameof(act), act, "unknown activation"),
    };

    static void Run(Activation act, float* x, float* up, float* y, int n)
    {
        switch (act)
        {
            case Activation.GeluTanh: Row<GeluTanhLanes>(x, up, y, n); break;
            case Activation.GeluErf: Row<GeluErfLanes>(x, up, y, n); break;
            case Activation.Silu: Row<SiluLanes>(x, up, y, n); break;
            default: throw new ArgumentOutOfRangeException(nameof(act), act, "unknown activation");
        }
    }

    static void Row<TA>(float* x, float* up, float* y, int n) where TA : struct, IActivationLanes
    {
        int i = CpuSimd.Level switch
        {
            SimdLevel.Avx512 => Lanes<Lanes512, Vector512<float>, TA>(x, up, y, 0, n),
            SimdLevel.Avx2 => Lanes<Lanes256, Vector256<float>, TA>(x, up, y, 0, n),
            _ => 0,
        };
        Lanes<Lanes1, float, TA>(x, up, y, i, n);
    }

    /// <summary>y[i] = act(x[i]) (times up[i] unless up is null) for whole vectors from i; returns the first element left.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static int Lanes<TL, TV, TA>(float* x, float* up, float* y, int i, int n)
        where TL : struct, ILanes<TV> where TV : struct where TA : struct, IActivationLanes
    {
        int L = TL.Count;
        for (; i + L <= n; i += L)
        {
            TV a = TA.Of<TL, TV>(TL.Load(x + i));
            TL.Store(up == null ? a : TL.Multiply(a, TL.Load(up + i)), y + i);
        }
        return i;
    }
}
