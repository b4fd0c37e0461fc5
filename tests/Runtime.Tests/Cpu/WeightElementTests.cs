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

    static void AssertAllPatterns<TElem>(Func<ushort, float> scalar) where TElem : struct, IWeightElement
    {
        Assert.True(Gemm.IsSimdAvailable, "this test machine is expected to have AVX2 + FMA");
        fixed (ushort* p = AllPatterns)
            for (int i = 0; i < AllPatterns.Length; i += 8)
            {
                var v = TElem.Load8((byte*)p, i);
                for (int lane = 0; lane < 8; lane++)
                {
                    float expected = scalar(AllPatterns[i + lane]);
                    // Bit-exact, NaN payloads included.
                    Assert.True(BitConverter.SingleToUInt32Bits(expected) == BitConverter.SingleToUInt32Bits(v[lane]),
                        $"pattern 0x{i + lane:X4}: vector {v[lane]} (0x{BitConverter.SingleToUInt32Bits(v[lane]):X8}), scalar {expected} (0x{BitConverter.SingleToUInt32Bits(expected):X8})");
                    Assert.Equal(BitConverter.SingleToUInt32Bits(expected), BitConverter.SingleToUInt32Bits(TElem.Load1((byte*)p, i + lane)));
                }
            }
    }
}
