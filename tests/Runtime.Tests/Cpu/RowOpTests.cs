using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Backends.Cpu;
using HeadPursuit.Runtime.Cpu;
using HeadPursuit.Runtime.Maths;
using System.Runtime.InteropServices;

namespace HeadPursuit.Runtime.Tests.Cpu;

/// <summary>
/// The CPU's row ops that run their own SIMD lanes (norms, the activations and their gated forms) against their plain
/// references, and with the same bits for every SIMD family this machine runs (CI runs these again with AVX-512 hidden
/// from the process).
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

    /// <summary>
    /// Every 997th float bit pattern (4.3 million values over the whole range: subnormals, the tails, +-huge), a fine grid
    /// over [-20, 20] and the special values, against the double-precision definition: within MaxUlps ulps of the exact
    /// value (an ulp being the float spacing there, 2^-149 among the subnormals), the same infinities, NaN for NaN.
    /// Measured here: SiLU 2.72 ulps (at x = -5.09), the tanh GELU 2.76 (at x = -1.38); over every 61st bit pattern (70
    /// million values) 2.97 and 3.11. The budget: about 1 ulp from the exponential where z &lt; 0, 0.5 from x p, up to 1 from
    /// rounding 1 + e, 0.5 from the division: 3.5 ulps, the bound asserted.
    /// </summary>
    [Theory]
    [InlineData(nameof(Activation.Silu))]
    [InlineData(nameof(Activation.GeluTanh))]
    public void ActivationLanesAreWithinAFewUlpsOverTheWholeFloatRange(string activation)
    {
        var act = Enum.Parse<Activation>(activation);
        const double MaxUlps = 3.5;
        float[] x = [.. WholeRange()];
        var y = new float[x.Length];
        ActivationRow.Apply(act, x, y);
        double worst = 0;
        float worstAt = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double exact = ExactDouble(act, x[i]);
            if (double.IsNaN(exact)) { Assert.True(float.IsNaN(y[i]), $"{act}({x[i]}) = {y[i]}, not NaN"); continue; }
            if (double.IsInfinity(exact)) { Assert.Equal((float)exact, y[i]); continue; }
            Assert.True(float.IsFinite(y[i]), $"{act}({x[i]}) = {y[i]}, exact {exact}");
            Assert.True(y[i] == 0 || Math.Sign(y[i]) == Math.Sign(exact), $"{act}({x[i]}) = {y[i]}, exact {exact}: wrong sign");
            double ulps = Math.Abs(y[i] - exact) / Ulp(exact);
            if (ulps > worst) (worst, worstAt) = (ulps, x[i]);
        }
        Assert.True(worst <= MaxUlps, $"{act}: {worst:F2} ulps at x = {worstAt:R}");
    }

    /// <summary>The test points: every 997th bit pattern, [-20, 20] in steps of 1/512, and the special values.</summary>
    static IEnumerable<float> WholeRange()
    {
        for (long bits = 0; bits <= uint.MaxValue; bits += 997) yield return BitConverter.Int32BitsToSingle((int)(uint)bits);
        for (int i = -20 * 512; i <= 20 * 512; i++) yield return i / 512f;
        float[] special = [0f, -0f, float.Epsilon, -float.Epsilon, 1e-40f, -1e-40f, float.MaxValue, float.MinValue,
                           float.PositiveInfinity, float.NegativeInfinity, float.NaN, -108.7f, -10.78f, 17.33f, 5.1f];
        foreach (float v in special) yield return v;
    }

    /// <summary>The definitions in double, unrounded: x sigmoid(x), and the tanh GELU as x sigmoid(2u) (Gelu.Tanh's form).</summary>
    static double ExactDouble(Activation act, float x)
    {
        double v = x;
        return act == Activation.Silu ? v / (1 + Math.Exp(-v)) : v / (1 + Math.Exp(-2 * Math.Sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
    }

    /// <summary>The float spacing at |v| (2^-149 for the subnormals and 0).</summary>
    static double Ulp(double v)
    {
        double a = Math.Abs(v);
        return a < Math.ScaleB(1.0, -126) ? Math.ScaleB(1.0, -149) : Math.ScaleB(1.0, Math.ILogB(a) - 23);
    }

    /// <summary>
    /// The references are the definitions: ActivationRow.Reference rounds ExactDouble, and the tanh GELU's form agrees with
    /// the literal 0.5 x (1 + tanh(u)) where that does not cancel (x &gt;= -5; below, 1 + tanh(u) loses the digits in double).
    /// </summary>
    [Fact]
    public void TheReferencesAreTheDefinitions()
    {
        foreach (float x in WholeRange().Where(v => !float.IsNaN(v)))
            foreach (var act in new[] { Activation.Silu, Activation.GeluTanh })
                Assert.Equal((float)ExactDouble(act, x), ActivationRow.Reference(act, x));
        Assert.True(float.IsNaN(ActivationRow.Reference(Activation.Silu, float.NaN)) && float.IsNaN(ActivationRow.Reference(Activation.GeluTanh, float.NaN)));
        for (int i = -5 * 512; i <= 10 * 512; i++)
        {
            double v = i / 512.0, literal = 0.5 * v * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
            double form = ExactDouble(Activation.GeluTanh, (float)v);
            Assert.True(Math.Abs(form - literal) <= 1e-9 * Math.Abs(literal) + 1e-300, $"x = {v}: {form} against {literal}");
        }
    }

    /// <summary>The gated row is the activation row times up, rounded as the two steps round (the same bits).</summary>
    [Fact]
    public void GatedRowsAreTheActivationTimesUp()
    {
        foreach (var act in Enum.GetValues<Activation>())
            foreach (int d in Widths)
            {
                float[] gate = Random(d, d, 0f, 8f), up = Random(d, d + 1, 0f, 2f), y = new float[d], expected = new float[d];
                ActivationRow.Apply(act, gate, expected);
                for (int i = 0; i < d; i++) expected[i] *= up[i];
                ActivationRow.ApplyGated(act, gate, up, y);
                Assert.True(Bits(expected).SequenceEqual(Bits(y)), $"{act}, d = {d}");
            }
    }

    static int[] Bits(float[] v) => MemoryMarshal.Cast<float, int>(v).ToArray();

    [Fact]
    public void EverySimdFamilyGivesTheSameBits()
    {
        float[] special = [0f, -0f, float.Epsilon, -1e-40f, float.MaxValue, float.MinValue, float.PositiveInfinity,
                           float.NegativeInfinity, float.NaN, -104f, -95f, -10.4f, -13f, 20f, 1e-20f];
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
                    float[] ln = new float[d], rms = new float[d];
                    NormRow.Apply(x, w, Random(d, d + 2, 0f, 0.1f), 1e-6f, ln);
                    NormRow.Apply(x, w, [], 1e-6f, rms);
                    outputs.AddRange([ln, rms]);
                    float[] wide = [.. Random(d, d + 3, 0f, 30f), .. special], up = Random(wide.Length, d + 4, 0f, 2f);
                    foreach (var act in Enum.GetValues<Activation>())
                    {
                        float[] y = new float[wide.Length], gated = new float[wide.Length];
                        ActivationRow.Apply(act, wide, y);
                        ActivationRow.ApplyGated(act, wide, up, gated);
                        outputs.AddRange([y, gated]);
                    }
                }
                if (first == null) first = outputs;
                else
                    for (int i = 0; i < outputs.Count; i++)
                        Assert.True(Bits(first[i]).SequenceEqual(Bits(outputs[i])), $"output {i} at {level} differs from {CpuSimd.Available[0]}");
            }
        }
        finally
        {
            CpuSimd.Level = saved;
        }
    }
}
