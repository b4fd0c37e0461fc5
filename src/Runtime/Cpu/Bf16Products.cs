using HeadPursuit.Runtime.Tensors;

namespace HeadPursuit.Runtime.Cpu;

/// <summary>
/// The arithmetic of bf16 dot products (<see cref="Gemm.Bf16DotProducts"/>), as AVX512-BF16's VDPBF16PS does it:
/// x is rounded to bf16 (VCVTNE2PS2BF16: nearest even, fp32 subnormals to signed zero, NaN quieted); k is walked in
/// pairs (2q, 2q+1) and each pair adds two exact products into the fp32 accumulator, the odd element's first, each
/// addition rounded once: acc = fma(x[2q+1], w[2q+1], acc); acc = fma(x[2q], w[2q], acc). A bf16 subnormal weight
/// counts as zero. The native kernel (Native/bf16_gemm.c) and its managed twin (the blocked GEMM with the packing of
/// <see cref="PairOrder"/>) both follow this; they give the same bits unless an accumulator falls below 2^-126, which
/// the instruction flushes to zero and the twin keeps (tested against <see cref="MatMulReference"/>).
///
/// Tolerance against the exact product: bf16 keeps 8 significant bits, so rounding x changes each term by at most
/// 2^-8 |x_p w_p|; with the fp32 summation bound, |y - y_exact| &lt;= (2^-8 + gamma_{k+6}) * sum_p |x_p w_p| (+ the
/// bias and y terms' share of gamma), gamma_N = N 2^-24 / (1 - N 2^-24).
/// </summary>
internal static class Bf16Products
{
    /// <summary>The relative bound above for k inputs, as a multiple of sum_p |x_p w_p| + |bias| + |y|.</summary>
    public static double Tolerance(int k)
    {
        double nu = (k + 6) * Math.Pow(2, -24);
        return Math.Pow(2, -8) + nu / (1 - nu);
    }

    /// <summary>x rounded to bf16 as VCVTNE2PS2BF16 rounds it (nearest even; fp32 subnormals become signed zero).</summary>
    public static ushort RoundActivation(float x)
    {
        uint u = BitConverter.SingleToUInt32Bits(x);
        if ((u & 0x7F800000) == 0) return (ushort)((u >> 16) & 0x8000);
        return HalfFloat.SingleToBF16(x);
    }

    /// <summary>x rounded to bf16 and widened back to float32.</summary>
    public static float ActivationValue(float x) => HalfFloat.BF16ToSingle(RoundActivation(x));

    /// <summary>A bf16 weight as the instruction reads it: subnormals count as zero.</summary>
    public static float WeightValue(ushort bits) => (bits & 0x7F80) == 0 ? HalfFloat.BF16ToSingle((ushort)(bits & 0x8000)) : HalfFloat.BF16ToSingle(bits);

    /// <summary>
    /// The position of the k slice (of width kc, starting at an even k) that the twin's packing puts at p: the pairs
    /// swapped (p ^ 1), so a plain FMA chain over the packed order adds the odd element of each pair first; a lone
    /// last element stays in place.
    /// </summary>
    public static int PairOrder(int p, int kc) => (p ^ 1) < kc ? p ^ 1 : p;

    /// <summary>
    /// The slow obvious form: y[m, n] = x · W (+ bias) (+ y) with W BF16, each output starting from y + bias (or bias,
    /// or 0) and adding the pairs in order as the instruction does.
    /// </summary>
    public static void MatMulReference(ReadOnlySpan<float> x, int m, WeightMatrix w, Span<float> y, ReadOnlySpan<float> bias = default, bool accumulate = false)
    {
        ArgumentNullException.ThrowIfNull(w);
        if (w.DType != DType.BF16) throw new ArgumentException($"weight '{w.View.Name}' is {w.DType}; bf16 dot products need a BF16 weight", nameof(w));
        Gemm.Validate(x, m, w, y, bias);
        int k = w.In, n = w.Out;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                float acc = bias.IsEmpty ? 0f : bias[j];
                if (accumulate) acc = y[i * n + j] + acc;
                for (int p = 0; p < k; p += 2)
                {
                    if (p + 1 < k) acc = MathF.FusedMultiplyAdd(ActivationValue(x[i * k + p + 1]), WeightAt(w, p + 1, j), acc);
                    acc = MathF.FusedMultiplyAdd(ActivationValue(x[i * k + p]), WeightAt(w, p, j), acc);
                }
                y[i * n + j] = acc;
            }
    }

    static float WeightAt(WeightMatrix w, int p, int j) => WeightValue(HalfFloat.SingleToBF16(w[p, j]));   // w[p, j] is a widened bf16: exact
}
