using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace HeadPursuit.Runtime.Cpu;

/// <summary>
/// Sums over a row in an order that no SIMD family changes, so every <see cref="SimdLevel"/> gives the same bits: lane i
/// (of 16) adds the terms of elements i, i + 16, i + 32, ... in turn (one 512-bit vector, two 256-bit ones, or 16 floats),
/// then the 16 lanes are added as a tree (lane i + 8 into i, then i + 4, i + 2, i + 1).
/// </summary>
internal static unsafe class SixteenLanes
{
    /// <summary>sum_i a[i] b[i] (one FMA per term).</summary>
    public static float Dot(float* a, float* b, int n) => Reduce<DotTerm>(a, b, 0f, n);

    /// <summary>sum_i a[i].</summary>
    public static float Sum(float* a, int n) => Reduce<SumTerm>(a, a, 0f, n);

    /// <summary>sum_i (a[i] - shift)^2 (a subtraction, then one FMA per term).</summary>
    public static float SquaresAbout(float* a, float shift, int n) => Reduce<SquareTerm>(a, a, shift, n);

    /// <summary>One term added into a lane's running sum.</summary>
    interface ITerm
    {
        static abstract TV Add<TL, TV>(TV acc, TV a, TV b, TV shift) where TL : struct, ILanes<TV> where TV : struct;
    }

    readonly struct DotTerm : ITerm
    {
        public static TV Add<TL, TV>(TV acc, TV a, TV b, TV shift) where TL : struct, ILanes<TV> where TV : struct => TL.MultiplyAdd(a, b, acc);
    }

    readonly struct SumTerm : ITerm
    {
        public static TV Add<TL, TV>(TV acc, TV a, TV b, TV shift) where TL : struct, ILanes<TV> where TV : struct => TL.Add(acc, a);
    }

    readonly struct SquareTerm : ITerm
    {
        public static TV Add<TL, TV>(TV acc, TV a, TV b, TV shift) where TL : struct, ILanes<TV> where TV : struct
        {
            var t = TL.Subtract(a, shift);
            return TL.MultiplyAdd(t, t, acc);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static float Reduce<TTerm>(float* a, float* b, float shift, int n) where TTerm : struct, ITerm
    {
        int i = 0;
        Vector256<float> lo = Vector256<float>.Zero, hi = Vector256<float>.Zero;   // lanes 0-7 and 8-15 of the vector families
        if (CpuSimd.Level == SimdLevel.Avx512)
        {
            var acc = Vector512<float>.Zero;
            var s = Vector512.Create(shift);
            for (; i + 16 <= n; i += 16) acc = TTerm.Add<Lanes512, Vector512<float>>(acc, Vector512.Load(a + i), Vector512.Load(b + i), s);
            (lo, hi) = (acc.GetLower(), acc.GetUpper());
        }
        else if (CpuSimd.Level == SimdLevel.Avx2)
        {
            var s = Vector256.Create(shift);
            for (; i + 16 <= n; i += 16)
            {
                lo = TTerm.Add<Lanes256, Vector256<float>>(lo, Vector256.Load(a + i), Vector256.Load(b + i), s);
                hi = TTerm.Add<Lanes256, Vector256<float>>(hi, Vector256.Load(a + i + 8), Vector256.Load(b + i + 8), s);
            }
        }
        if (i == n && CpuSimd.Level != SimdLevel.Scalar)
        {
            var v8 = lo + hi;                                                    // lane i + 8 into i
            var v4 = v8.GetLower() + v8.GetUpper();                              // i + 4
            var v2 = v4 + Vector128.Shuffle(v4, Vector128.Create(2, 3, 0, 1));   // i + 2
            return v2.ToScalar() + v2.GetElement(1);                             // i + 1
        }
        float* lanes = stackalloc float[16];
        lo.Store(lanes); hi.Store(lanes + 8);
        for (; i < n; i++) lanes[i & 15] = TTerm.Add<Lanes1, float>(lanes[i & 15], a[i], b[i], shift);   // the scalar family, and every tail
        for (int width = 8; width >= 1; width /= 2)
            for (int l = 0; l < width; l++) lanes[l] += lanes[l + width];
        return lanes[0];
    }
}
