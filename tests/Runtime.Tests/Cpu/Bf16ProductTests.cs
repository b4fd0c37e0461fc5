using HeadPursuit.Runtime.Cpu;
using HeadPursuit.Runtime.Tensors;

namespace HeadPursuit.Runtime.Tests.Cpu;

/// <summary>
/// Bf16 dot products (Gemm.Bf16DotProducts): the native VDPBF16PS kernels and their managed twin give the bits of the
/// slow reference, within the documented tolerance of the exact product; decode-sized matmuls are unaffected.
/// </summary>
[Collection(nameof(CpuParallel))]
public sealed unsafe class Bf16ProductTests : IDisposable
{
    readonly TestWeights _weights = new();
    public void Dispose() => _weights.Dispose();

    /// <summary>(m, k, n) past the 6 x 64 tile, odd k, k over two and three slices (one of odd width), n over a column block, m over a row block.</summary>
    static readonly (int M, int K, int N)[] Sizes =
    [
        (5, 1, 19), (6, 2, 64), (7, 33, 17), (13, 40, 65), (29, 513, 70), (9, 300, 40), (9, 20, 530), (300, 30, 70), (5, 800, 20), (7, 1601, 70),
    ];

    static bool CpuHasBf16 => File.Exists("/proc/cpuinfo") && File.ReadAllText("/proc/cpuinfo").Contains(" avx512_bf16");

    [Fact]
    public void NativeKernelsRunWhereTheCpuHasAvx512Bf16()
    {
        if (!CpuHasBf16 || CpuSimd.Best != SimdLevel.Avx512) return;   // elsewhere the twin runs, tested below
        Assert.True(NativeBf16Kernels.IsAvailable, NativeBf16Kernels.Status);
        Assert.Contains("native VDPBF16PS", Gemm.Bf16DotProductKernels);
    }

    [Theory]
    [InlineData(nameof(WeightLayout.InOut))]
    [InlineData(nameof(WeightLayout.OutIn))]
    public void EveryKernelGivesTheBitsOfTheReference(string layoutName)
    {
        var layout = Enum.Parse<WeightLayout>(layoutName);
        int seed = 100;
        foreach (var (m, k, n) in Sizes)
        {
            var w = _weights.Create(TestWeights.Random(k * n, ++seed), k, n, DType.BF16, layout);
            float[] x = TestWeights.Random(m * k, ++seed), bias = TestWeights.Random(n, ++seed), y0 = TestWeights.Random(m * n, ++seed);
            foreach (bool withBias in new[] { false, true })
                foreach (bool accumulate in new[] { false, true })
                {
                    float[] expected = (float[])y0.Clone();
                    ReadOnlySpan<float> b = withBias ? bias : default;
                    Bf16Products.MatMulReference(x, m, w, expected, b, accumulate);
                    foreach (var simd in CpuSimd.Available)   // AVX-512: the native kernels where present; else the twin
                    {
                        float[] actual = (float[])y0.Clone();
                        Gemm.MatMul(x, m, w, actual, b, accumulate, simd, bf16Dot: true);
                        if (!expected.SequenceEqual(actual))
                            Assert.Fail($"{layout} {simd} m={m} k={k} n={n} bias={withBias} acc={accumulate}: {Describe(expected, actual)}");
                    }
                }
        }
    }

    static string Describe(float[] expected, float[] actual)
    {
        int i = Enumerable.Range(0, actual.Length).First(i => BitConverter.SingleToInt32Bits(actual[i]) != BitConverter.SingleToInt32Bits(expected[i]));
        return $"first difference at {i}: {actual[i]:R} vs {expected[i]:R}";
    }

    [Theory]
    [InlineData(nameof(WeightLayout.InOut))]
    [InlineData(nameof(WeightLayout.OutIn))]
    public void StaysWithinTheDocumentedToleranceOfTheExactProduct(string layoutName)
    {
        var layout = Enum.Parse<WeightLayout>(layoutName);
        const int m = 29, k = 513, n = 70;
        var w = _weights.Create(TestWeights.Random(k * n, 1), k, n, DType.BF16, layout);
        float[] x = TestWeights.Random(m * k, 2), bias = TestWeights.Random(n, 3);
        float[] exact = new float[m * n], rounded = new float[m * n];
        Gemm.MatMulReference(x, m, w, exact, bias);
        Gemm.MatMul(x, m, w, rounded, bias, accumulate: false, CpuSimd.Best, bf16Dot: true);
        int changed = 0;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double magnitude = Math.Abs(bias[j]);
                for (int p = 0; p < k; p++) magnitude += Math.Abs((double)x[i * k + p] * w[p, j]);
                double error = Math.Abs((double)rounded[i * n + j] - exact[i * n + j]);
                Assert.True(error <= Bf16Products.Tolerance(k) * magnitude, $"y[{i},{j}]: {rounded[i * n + j]} vs {exact[i * n + j]} (error {error:E3})");
                if (rounded[i * n + j] != exact[i * n + j]) changed++;
            }
        Assert.True(changed > m * n / 2, $"only {changed} of {m * n} outputs moved: x was not rounded to bf16");
    }

    [Fact]
    public void DecodeRowsKeepFloat32Activations()
    {
        const int k = 70, n = 90;
        var w = _weights.Create(TestWeights.Random(k * n, 1), k, n, DType.BF16, WeightLayout.OutIn);
        for (int m = 1; m <= 4; m++)
        {
            float[] x = TestWeights.Random(m * k, m), exact = new float[m * n], dot = new float[m * n];
            Gemm.MatMul(x, m, w, exact, default, accumulate: false, CpuSimd.Best, bf16Dot: false);
            Gemm.MatMul(x, m, w, dot, default, accumulate: false, CpuSimd.Best, bf16Dot: true);
            Assert.Equal(exact, dot);
        }
    }

    [Fact]
    public void RoundingFollowsTheInstruction()
    {
        Assert.Equal(0x3F80, Bf16Products.RoundActivation(1f));
        Assert.Equal(0x3F80, Bf16Products.RoundActivation(BitConverter.UInt32BitsToSingle(0x3F808000)));   // tie: to even
        Assert.Equal(0x3F82, Bf16Products.RoundActivation(BitConverter.UInt32BitsToSingle(0x3F818000)));   // tie: to even
        Assert.Equal(0x3F81, Bf16Products.RoundActivation(BitConverter.UInt32BitsToSingle(0x3F808001)));
        Assert.Equal(0x8000, Bf16Products.RoundActivation(BitConverter.UInt32BitsToSingle(0x807FFFFF)));   // subnormal: signed zero
        Assert.Equal(0x7FC0, Bf16Products.RoundActivation(BitConverter.UInt32BitsToSingle(0x7F800001)));   // NaN: quiet
        Assert.Equal(0x7F80, Bf16Products.RoundActivation(float.PositiveInfinity));
        Assert.Equal(0f, Bf16Products.WeightValue(0x0001));                                                  // subnormal weight: zero
        Assert.Equal(1f, Bf16Products.WeightValue(0x3F80));
    }

    [Fact]
    public void NativeRoundingEqualsTheManagedOneForEveryHighHalf()
    {
        if (!NativeBf16Kernels.IsAvailable) return;   // NativeKernelsRunWhereTheCpuHasAvx512Bf16 says whether it must be
        // Every upper half with low halves at, below and above the tie, one row per pass through the packer.
        ushort[] lows = [0x0000, 0x7FFF, 0x8000, 0x8001, 0xFFFF];
        const int kc = 65536 * 5 / 8;   // 8 passes
        for (int pass = 0; pass < 8; pass++)
        {
            float[] x = new float[kc];
            for (int i = 0; i < kc; i++)
            {
                int index = pass * kc + i;
                x[i] = BitConverter.UInt32BitsToSingle((uint)(index / 5) << 16 | lows[index % 5]);
            }
            uint[] packed = new uint[PackedBf16Input.PanelPairs((kc + 1) / 2)];   // one micro-panel: [groups][6][16] pairs
            fixed (float* px = x)
            fixed (uint* pp = packed)
                NativeBf16Kernels.PackA(px, kc, 1, kc, pp);
            for (int i = 0; i < kc; i++)
            {
                int q = i / 2;
                uint pair = packed[q / PackedBf16Input.Group * PackedBf16Input.Group * 6 + q % PackedBf16Input.Group];   // row 0 of q's group
                ushort native = (ushort)(i % 2 == 0 ? pair : pair >> 16);
                ushort managed = Bf16Products.RoundActivation(x[i]);
                bool bothNaN = float.IsNaN(x[i]) && (native & 0x7FFF) > 0x7F80 && (managed & 0x7FFF) > 0x7F80;
                Assert.True(native == managed || bothNaN, $"0x{BitConverter.SingleToUInt32Bits(x[i]):X8}: native 0x{native:X4}, managed 0x{managed:X4}");
            }
        }
    }
}
