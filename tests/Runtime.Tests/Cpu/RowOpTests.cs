using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Backends.Cpu;
using HeadPursuit.Runtime.Cpu;
using HeadPursuit.Runtime.Maths;

namespace HeadPursuit.Runtime.Tests.Cpu;

/// <summary>
/// The CPU's row ops that run their own SIMD lanes (norms, the exact GELU) against their plain references, and with the same
/// bits for every SIMD family this machine runs (CI runs these again with AVX-512 hidden from the process).
/// </summary>
[Collection(nameof(CpuParallel))]   // changes CpuSimd.Level for the process
public sealed class RowOpTests
{
    static readonly int[] Widths = [1, 7, 16, 50, 64, 768, 1000, 4096];

    static float[] Random(int n, int seed, float offset, float spread)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => offset + spread * (float)(rng.NextDouble() * 2 - 1)).ToArray();
    }

    /// <summary>
    /// The fast norm sums in float (16 lanes), the reference in double: they differ by the float rounding of the sums, under
    /// 2e-6 of the largest |y| for rows up to 4096 wide (observed: 2-4e-7), with a mean far from 0 (3 +- 1) for LayerNorm.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void NormsMatchThePlainRowWithDoubleStatistics(bool layerNorm)
    {
        foreach (int d in Widths)
        {
            var x = Random(d, d, layerNorm ? 3f : 0f, 1f);
            var w = Random(d, d + 1, 1f, 0.5f);
            var b = layerNorm ? Random(d, d + 2, 0f, 0.1f) : [];
            var expected = new float[d];
            var actual = new float[d];
            NormRow.Reference(x, w, b, 1e-5f, expected);
            NormRow.Apply(x, w, b, 1e-5f, actual);
            float scale = expected.Max(MathF.Abs), worst = 0;
            for (int i = 0; i < d; i++) worst = Math.Max(worst, MathF.Abs(expected[i] - actual[i]));
            Assert.True(worst <= 2e-6f * scale, $"d = {d}: differs by {worst} (largest |y| {scale})");
            NormRow.Apply(x, w, b, 1e-5f, x);   // in place
            Assert.Equal(actual, x);
        }
    }

    /// <summary>
    /// Against the double-precision exact GELU on [-12, 12] and random values: |error| &lt;= 4e-7 |x| (erfc's fit is within
    /// 1.2e-7 relative, float rounding of z^2 inside the exponent adds up to about 2e-7 relative at |x| = 8) or, in the
    /// negative tail where y is tiny, 4e-6 |y|.
    /// </summary>
    [Fact]
    public void ExactGeluMatchesTheDoubleReference()
    {
        var x = Enumerable.Range(-1200, 2401).Select(i => i / 100f).Concat(Random(1000, 9, 0f, 6f)).Concat([0f, 1e-30f, -1e-30f, 30f, -30f]).ToArray();
        var y = new float[x.Length];
        ActivationRow.Apply(Activation.GeluErf, x, y);
        for (int i = 0; i < x.Length; i++)
        {
            float exact = Gelu.Exact(x[i]), error = MathF.Abs(y[i] - exact);
            Assert.True(error <= 4e-7f * MathF.Abs(x[i]) || error <= 4e-6f * MathF.Abs(exact), $"gelu({x[i]}) = {y[i]}, exact {exact}");
        }
    }

    [Fact]
    public void EverySimdFamilyGivesTheSameBits()
    {
        var saved = CpuSimd.Level;
        try
        {
            List<float[]>? first = null;
            foreach (var level in CpuSimd.Available)
            {
                CpuSimd.Level = level;
                List<float[]> outputs = [];
                foreach (int d in Widths)
                {
                    var x = Random(d, d, 0.5f, 4f);
                    var w = Random(d, d + 1, 1f, 0.5f);
                    float[] ln = new float[d], rms = new float[d], gelu = new float[d];
                    NormRow.Apply(x, w, Random(d, d + 2, 0f, 0.1f), 1e-6f, ln);
                    NormRow.Apply(x, w, [], 1e-6f, rms);
                    ActivationRow.Apply(Activation.GeluErf, x, gelu);
                    outputs.AddRange([ln, rms, gelu]);
                }
                if (first == null) first = outputs;
                else
                    for (int i = 0; i < outputs.Count; i++)
                        Assert.True(first[i].SequenceEqual(outputs[i]), $"output {i} at {level} differs from {CpuSimd.Available[0]}");
            }
        }
        finally
        {
            CpuSimd.Level = saved;
        }
    }
}
