using HeadPursuit.Runtime.Cpu;
using HeadPursuit.Runtime.Tensors;

namespace HeadPursuit.Runtime.Tests.Cpu;

/// <summary>The SIMD widening of BF16 and F16 against the scalar conversions, for every one of the 65536 bit patterns.</summary>
public sealed unsafe class WeightElementTests
{
    static readonly ushort[] AllPatterns = Enumerable.Range(0, 65536).Select(i => (ushort)i).ToArray();

    [Fact]
    public void BF16VectorWideningMatchesScalarForAllPatterns() =>
        AssertAllPatterns<BF16Element>(HalfFloat.BF16ToSingle);

    [Fact]
    public void F16VectorWideningMatchesScalarForAllPatterns() =>
        AssertAllPatterns<F16Element>(HalfFloat.F16ToSingle);

    [Fact]
    public void BF16WideWideningMatchesScalarForAllPatterns() =>
        AssertAllPatterns<BF16Element>(HalfFloat.BF16ToSingle, wide: true);

    [Fact]
    public void F16WideWideningMatchesScalarForAllPatterns() =>
        AssertAllPatterns<F16Element>(HalfFloat.F16ToSingle, wide: true);

    /// <summary>Load8 (AVX2), or Load16 (AVX-512) with <paramref name="wide"/>, against the scalar conversion.</summary>
    static void AssertAllPatterns<TElem>(Func<ushort, float> scalar, bool wide = false) where TElem : struct, IWeightElement
    {
        var needed = wide ? SimdLevel.Avx512 : SimdLevel.Avx2;
        Assert.True(CpuSimd.Best >= needed, $"this test machine is expected to have {needed} (has {CpuSimd.Best})");
        int lanes = wide ? 16 : 8;
        fixed (ushort* p = AllPatterns)
            for (int i = 0; i < AllPatterns.Length; i += lanes)
            {
                float[] v = wide ? ToArray(TElem.Load16((byte*)p, i)) : ToArray(TElem.Load8((byte*)p, i));
                for (int lane = 0; lane < lanes; lane++)
                {
                    float expected = scalar(AllPatterns[i + lane]);
                    // Bit-exact, NaN payloads included.
                    Assert.True(BitConverter.SingleToUInt32Bits(expected) == BitConverter.SingleToUInt32Bits(v[lane]),
                        $"pattern 0x{i + lane:X4}: vector {v[lane]} (0x{BitConverter.SingleToUInt32Bits(v[lane]):X8}), scalar {expected} (0x{BitConverter.SingleToUInt32Bits(expected):X8})");
                    Assert.Equal(BitConverter.SingleToUInt32Bits(expected), BitConverter.SingleToUInt32Bits(TElem.Load1((byte*)p, i + lane)));
                }
            }
    }

    static float[] ToArray(System.Runtime.Intrinsics.Vector256<float> v) { var a = new float[8]; System.Runtime.Intrinsics.Vector256.CopyTo(v, a); return a; }
    static float[] ToArray(System.Runtime.Intrinsics.Vector512<float> v) { var a = new float[16]; System.Runtime.Intrinsics.Vector512.CopyTo(v, a); return a; }
}
