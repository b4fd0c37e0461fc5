using HeadPursuit.Runtime.Cpu;
using HeadPursuit.Runtime.Tensors;

namespace HeadPursuit.Runtime.Tests.Cpu;

[Collection(nameof(CpuParallel))]   // these tests change CpuParallel.Threads
public sealed unsafe class GemmTests : IDisposable
{
    readonly TestWeights _weights = new();
    public void Dispose() => _weights.Dispose();

    /// <summary>
    /// (m, k, n): odd sizes around the tile (6 x 16), the small-m path (m <= 4), k = 1, one size past
    /// each cache block (MC 144 rows, KC 256 of k, NC 512 columns), and for the small-m path of InOut weights several
    /// chunks of rows (a chunk is about 1 MiB of weight: k = 4200 x n = 130 is 2 or 3) and two blocks of columns
    /// (n = 4100), each kept small so the tests stay quick.
    /// </summary>
    public static readonly (int M, int K, int N)[] Sizes =
    [
        (1, 1, 1), (1, 37, 45), (2, 64, 33), (3, 17, 16), (4, 300, 130),
        (5, 1, 19), (6, 16, 16), (7, 33, 17), (13, 40, 40),
        (150, 20, 40), (9, 300, 40), (9, 20, 530), (2, 4200, 130), (2, 9, 4100),
    ];

    /// <summary>Every layout and dtype with every kernel family this machine runs (AVX-512 too on an AVX-512 CPU, unless the runtime was told to hide it).</summary>
    public static TheoryData<string, string, string> LayoutsDtypesKernels()
    {
        var data = new TheoryData<string, string, string>();   // the names of a WeightLayout, a DType and a SimdLevel (internal types)
        foreach (var layout in new[] { WeightLayout.InOut, WeightLayout.OutIn })
            foreach (var dtype in new[] { DType.F32, DType.BF16, DType.F16 })
                foreach (var simd in CpuSimd.Available)
                    data.Add(layout.ToString(), dtype.ToString(), simd.ToString());
        return data;
    }

    [Theory]
    [MemberData(nameof(LayoutsDtypesKernels))]
    public void MatchesReferenceWithinFloat32AccumulationBound(string layoutName, string dtypeName, string simdName)
    {
        var layout = Enum.Parse<WeightLayout>(layoutName);
        var dtype = Enum.Parse<DType>(dtypeName);
        var simd = Enum.Parse<SimdLevel>(simdName);
        int seed = 0;
        foreach (var (m, k, n) in Sizes)
        {
            var w = _weights.Create(TestWeights.Random(k * n, ++seed), k, n, dtype, layout);
            float[] stored = Logical(w);
            float[] x = TestWeights.Random(m * k, ++seed);
            float[] bias = TestWeights.Random(n, ++seed);
            float[] y0 = TestWeights.Random(m * n, ++seed);
            foreach (bool withBias in new[] { false, true })
                foreach (bool accumulate in new[] { false, true })
                {
                    float[] expected = (float[])y0.Clone(), actual = (float[])y0.Clone();
                    ReadOnlySpan<float> b = withBias ? bias : default;
                    Gemm.MatMulReference(x, m, w, expected, b, accumulate);
                    Gemm.MatMul(x, m, w, actual, b, accumulate, simd);
                    for (int i = 0; i < m; i++)
                        for (int j = 0; j < n; j++)
                        {
                            // S = the sum of the magnitudes of everything added into y[i, j].
                            double magnitude = (withBias ? Math.Abs(bias[j]) : 0) + (accumulate ? Math.Abs(y0[i * n + j]) : 0);
                            for (int p = 0; p < k; p++) magnitude += Math.Abs((double)x[i * k + p] * stored[p * n + j]);
                            double tolerance = SummationBound(k) * magnitude;
                            double error = Math.Abs((double)actual[i * n + j] - expected[i * n + j]);
                            Assert.True(error <= tolerance,
                                $"{layout} {dtype} simd={simd} m={m} k={k} n={n} bias={withBias} acc={accumulate} y[{i},{j}]: {actual[i * n + j]} vs {expected[i * n + j]} (error {error:E3} > bound {tolerance:E3})");
                        }
                }
        }
    }

    /// <summary>The weight's values as float32, [in, out] (input p, output j at p * out + j).</summary>
    static float[] Logical(WeightMatrix w)
    {
        var a = new float[w.In * w.Out];
        for (int p = 0; p < w.In; p++)
            for (int j = 0; j < w.Out; j++) a[p * w.Out + j] = w[p, j];
        return a;
    }

    /// <summary>
    /// The worst-case relative error of summing k products plus bias and y in float32 (Higham, Accuracy and
    /// Stability, eq. 4.4): any order of summation with at most N roundings on each path is within
    /// gamma_N * S of the exact sum, gamma_N = N u / (1 - N u), u = 2^-24, S = sum of |terms|. Each FMA
    /// rounds once; the vector paths add at most 3 lane-reduction steps and 2 for bias and y, and the
    /// reference's own final rounding adds u: N = k + 6 covers all of them.
    /// </summary>
    static double SummationBound(int k)
    {
        double nu = (k + 6) * Math.Pow(2, -24);
        return nu / (1 - nu);
    }

    [Theory]
    [MemberData(nameof(LayoutsDtypesKernels))]
    public void SmallIntegerInputsGiveTheExactResult(string layoutName, string dtypeName, string simdName)
    {
        var layout = Enum.Parse<WeightLayout>(layoutName);
        var dtype = Enum.Parse<DType>(dtypeName);
        var simd = Enum.Parse<SimdLevel>(simdName);
        // Integers in [-3, 3] are exact in every dtype, and every partial sum here stays far below 2^24,
        // so any summation order gives the exact value: the fast path must equal the reference bit for bit.
        var rng = new Random(7);
        foreach (var (m, k, n) in Sizes)
        {
            float[] logical = Enumerable.Range(0, k * n).Select(_ => (float)rng.Next(-3, 4)).ToArray();
            var w = _weights.Create(logical, k, n, dtype, layout);
            float[] x = Enumerable.Range(0, m * k).Select(_ => (float)rng.Next(-3, 4)).ToArray();
            float[] bias = Enumerable.Range(0, n).Select(_ => (float)rng.Next(-100, 100)).ToArray();
            float[] expected = Enumerable.Range(0, m * n).Select(_ => (float)rng.Next(-100, 100)).ToArray();
            float[] actual = (float[])expected.Clone();
            Gemm.MatMulReference(x, m, w, expected, bias, accumulate: true);
            Gemm.MatMul(x, m, w, actual, bias, accumulate: true, simd);
            Assert.Equal(expected, actual);
        }
    }

    [Theory]
    [InlineData(nameof(WeightLayout.InOut), nameof(DType.F32))]
    [InlineData(nameof(WeightLayout.OutIn), nameof(DType.BF16))]
    [InlineData(nameof(WeightLayout.InOut), nameof(DType.F16))]
    public void OneAndTwoThreadsAgreeBitForBit(string layoutName, string dtypeName)
    {
        var layout = Enum.Parse<WeightLayout>(layoutName);
        var dtype = Enum.Parse<DType>(dtypeName);
        int saved = CpuParallel.Threads;
        try
        {
            foreach (var (m, k, n) in new[] { (1, 300, 1100), (3, 70, 530), (150, 300, 1100) })
            {
                var w = _weights.Create(TestWeights.Random(k * n, m), k, n, dtype, layout);
                float[] x = TestWeights.Random(m * k, m + 1), bias = TestWeights.Random(n, m + 2);
                float[] one = TestWeights.Random(m * n, m + 3), two = (float[])one.Clone();
                CpuParallel.Threads = 1;
                Gemm.MatMul(x, m, w, one, bias, accumulate: true);
                CpuParallel.Threads = 2;
                Gemm.MatMul(x, m, w, two, bias, accumulate: true);
                Assert.Equal(one, two);
            }
        }
        finally
        {
            CpuParallel.Threads = saved;
        }
    }

    [Theory]
    [InlineData(nameof(WeightLayout.InOut), nameof(DType.F32))]
    [InlineData(nameof(WeightLayout.InOut), nameof(DType.BF16))]
    [InlineData(nameof(WeightLayout.OutIn), nameof(DType.F32))]
    [InlineData(nameof(WeightLayout.OutIn), nameof(DType.F16))]
    public void EveryKernelFamilyGivesTheSameBits(string layoutName, string dtypeName)
    {
        var layout = Enum.Parse<WeightLayout>(layoutName);
        var dtype = Enum.Parse<DType>(dtypeName);
        // The families add the same products in the same order into each output. m <= 4 takes the streaming path
        // (AVX2 and AVX-512; the scalar family runs the blocked path there, so it is compared on m > 4 only);
        // m = 29 the blocked path with every family. n = 70 and k = 270 leave partial tiles, vectors and panels.
        const int k = 270, n = 70;
        Assert.True(CpuSimd.Available.Count >= 2, $"this test machine is expected to have AVX2 + FMA (has {CpuSimd.Best})");
        var w = _weights.Create(TestWeights.Random(k * n, 1), k, n, dtype, layout);
        foreach (int m in new[] { 1, 2, 3, 4, 29 })
        {
            float[] x = TestWeights.Random(m * k, 2), bias = TestWeights.Random(n, 3), y0 = TestWeights.Random(m * n, 4);
            float[]? first = null;
            foreach (var simd in CpuSimd.Available.Where(l => m > Gemm.GemvRows || l != SimdLevel.Scalar))
            {
                float[] y = (float[])y0.Clone();
                Gemm.MatMul(x, m, w, y, bias, accumulate: true, simd);
                if (first == null) first = y;
                else Assert.True(first.SequenceEqual(y), $"{layout} {dtype} m={m}: {simd} differs from the narrower family");
            }
        }
    }

    [Theory]
    [InlineData(1)]     // the streaming path
    [InlineData(40)]    // the blocked path
    public void SteadyStateMatMulAllocatesNothing(int m)
    {
        int saved = CpuParallel.Threads;
        try
        {
            CpuParallel.Threads = 2;
            const int k = 70, n = 90;
            var w = _weights.Create(TestWeights.Random(k * n, 1), k, n, DType.BF16, WeightLayout.InOut);
            float[] x = TestWeights.Random(m * k, 2), y = new float[m * n], bias = TestWeights.Random(n, 3);
            Gemm.MatMul(x, m, w, y, bias);   // warm up: grows this thread's scratch, starts the pool
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 20; i++) Gemm.MatMul(x, m, w, y, bias);
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        finally
        {
            CpuParallel.Threads = saved;
        }
    }

    [Fact]
    public void MicroKernelsAgreeBitForBit()
    {
        const int kc = 37, ldc = 20;
        float[] a = TestWeights.Random(kc * MicroKernel.MR, 1), b = TestWeights.Random(kc * MicroKernel.NR, 2);
        float[] c1 = TestWeights.Random(MicroKernel.MR * ldc, 3), c2 = (float[])c1.Clone();
        fixed (float* pa = a, pb = b, p1 = c1, p2 = c2)
        {
            MicroKernel.Fma6x16(kc, pa, pb, p1, ldc);
            MicroKernel.Scalar6x16(kc, pa, pb, p2, ldc);
        }
        Assert.Equal(c2, c1);
        Assert.NotEqual(TestWeights.Random(MicroKernel.MR * ldc, 3), c1);   // the kernel did write
        for (int r = 0; r < MicroKernel.MR; r++)                             // ... but not past column 16
            for (int j = MicroKernel.NR; j < ldc; j++)
                Assert.Equal(TestWeights.Random(MicroKernel.MR * ldc, 3)[r * ldc + j], c1[r * ldc + j]);
    }

    [Fact]
    public void Avx512MicroKernelEqualsTwoScalarTiles()
    {
        Assert.True(CpuSimd.Best == SimdLevel.Avx512, "this test machine is expected to have AVX-512 (run without DOTNET_EnableAVX512=0)");
        const int kc = 37, ldc = 36, NR = MicroKernel.NR;
        float[] a = TestWeights.Random(kc * MicroKernel.MR, 1), b = TestWeights.Random(2 * kc * NR, 2);   // two panels [kc][16]
        float[] wide = TestWeights.Random(MicroKernel.MR * ldc, 3), narrow = (float[])wide.Clone();
        fixed (float* pa = a, pb = b, pw = wide, pn = narrow)
        {
            MicroKernel.Avx512Fma6x32(kc, pa, pb, pb + kc * NR, pw, ldc);
            MicroKernel.Scalar6x16(kc, pa, pb, pn, ldc);
            MicroKernel.Scalar6x16(kc, pa, pb + kc * NR, pn + NR, ldc);
        }
        Assert.Equal(narrow, wide);
        Assert.NotEqual(TestWeights.Random(MicroKernel.MR * ldc, 3), wide);   // the kernel did write
        for (int r = 0; r < MicroKernel.MR; r++)                               // ... but not past column 32
            for (int j = 2 * NR; j < ldc; j++)
                Assert.Equal(TestWeights.Random(MicroKernel.MR * ldc, 3)[r * ldc + j], wide[r * ldc + j]);
    }

    [Fact]
    public void ZeroRowsIsANoOp()
    {
        var w = _weights.Create(TestWeights.Random(6, 1), 2, 3, DType.F32, WeightLayout.InOut);
        Gemm.MatMul([], 0, w, []);
    }

    [Fact]
    public void RejectsMismatchedSpansNamingTheWeight()
    {
        var w = _weights.Create(TestWeights.Random(6, 1), 2, 3, DType.F32, WeightLayout.InOut);
        var e = Assert.Throws<ArgumentException>(() => Gemm.MatMul(new float[5], 2, w, new float[6]));
        Assert.Contains("x holds 5", e.Message);
        Assert.Contains("'w'", e.Message);
        e = Assert.Throws<ArgumentException>(() => Gemm.MatMul(new float[4], 2, w, new float[5]));
        Assert.Contains("y holds 5", e.Message);
        e = Assert.Throws<ArgumentException>(() => Gemm.MatMul(new float[4], 2, w, new float[6], new float[2]));
        Assert.Contains("bias holds 2", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.MatMul(new float[4], -1, w, new float[6]));
    }

    [Fact]
    public void WeightMatrixReportsShapeForBothLayouts()
    {
        var inOut = _weights.Create(TestWeights.Random(6, 1), 2, 3, DType.BF16, WeightLayout.InOut);
        Assert.Equal((2, 3, DType.BF16), (inOut.In, inOut.Out, inOut.DType));
        Assert.Equal([2, 3], inOut.View.Shape);
        var outIn = _weights.Create(TestWeights.Random(6, 1), 2, 3, DType.F16, WeightLayout.OutIn);
        Assert.Equal((2, 3, WeightLayout.OutIn), (outIn.In, outIn.Out, outIn.Layout));
        Assert.Equal([3, 2], outIn.View.Shape);
    }

    [Fact]
    public void WeightMatrixRejectsWrongRankAndDtypeNamingTheTensor()
    {
        float[] data = new float[8];
        fixed (float* p = data)
        {
            var rank3 = new TensorView("h.0.attn.c_attn.weight", DType.F32, [2, 2, 2], (byte*)p, "model.safetensors");
            var e = Assert.Throws<ModelFormatException>(() => new WeightMatrix(rank3, WeightLayout.InOut));
            Assert.Contains("h.0.attn.c_attn.weight", e.Message);
            Assert.Contains("rank-2", e.Message);
            var ints = new TensorView("wte", DType.I32, [2, 4], (byte*)p, "model.safetensors");
            e = Assert.Throws<ModelFormatException>(() => new WeightMatrix(ints, WeightLayout.OutIn));
            Assert.Contains("'wte'", e.Message);
            Assert.Contains("I32", e.Message);
        }
    }

    [Fact]
    public void FromFloatsBuildsAnF32Matrix()
    {
        float[] stored = [1, 2, 3, 4, 5, 6];   // [out 2, in 3]
        var w = WeightMatrix.FromFloats("lm_head", stored, 2, 3, WeightLayout.OutIn);
        Assert.Equal((3, 2), (w.In, w.Out));
        float[] y = new float[2];
        Gemm.MatMul([1, 0, -1], 1, w, y);
        Assert.Equal([1f - 3f, 4f - 6f], y);
    }
}
