using HeadPursuit.Runtime.Vision;
using HeadPursuit.Runtime.Maths;

namespace HeadPursuit.Runtime.Tests.Vision;

/// <summary>
/// erf against tabulated values, GELU's identities, the patch unfold against the convolution it replaces, and the vision
/// tower's attention as matrix products against its plain loops.
/// </summary>
public sealed class VisionMathTests
{
    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(0.1, 0.1124629160182849)]
    [InlineData(0.5, 0.5204998778130465)]
    [InlineData(1.0, 0.8427007929497149)]
    [InlineData(2.0, 0.9953222650189527)]
    [InlineData(2.9, 0.9999589021219005)]
    [InlineData(3.0, 0.9999779095030014)]
    [InlineData(3.5, 0.9999992569016276)]
    [InlineData(5.0, 0.9999999999984626)]
    public void ErfMatchesTabulatedValues(double x, double expected)
    {
        Assert.Equal(expected, Erf.Of(x), 1e-13);
        Assert.Equal(-expected, Erf.Of(-x), 1e-13);
    }

    [Fact]
    public void GeluIsXTimesTheNormalCdf()
    {
        float[] x = [-3f, -1f, 0f, 0.5f, 2f];
        var y = (float[])x.Clone();
        Activations.Gelu(y);
        // Phi(x) at these points: 0.0013498980, 0.1586552539, 0.5, 0.6914624613, 0.9772498681
        double[] phi = [0.0013498980316301, 0.15865525393145707, 0.5, 0.6914624612740131, 0.9772498680518208];
        for (int i = 0; i < x.Length; i++) Assert.Equal(x[i] * phi[i], y[i], 1e-6);
    }

    [Fact]
    public void UnfoldTimesThePatchWeightEqualsTheConvolution()
    {
        var c = new ClipVisionConfig { Hidden = 5, Heads = 1, ImageSize = 12, PatchSize = 4 };
        var rng = new Random(3);
        var pixels = Enumerable.Range(0, 3 * 12 * 12).Select(_ => (float)rng.NextDouble()).ToArray();   // [3, 12, 12]
        var weight = Enumerable.Range(0, 5 * 3 * 4 * 4).Select(_ => (float)rng.NextDouble()).ToArray(); // [5, 3, 4, 4]
        var patches = ClipVisionTower.Unfold(pixels, c);                                                  // [9, 48]
        for (int gy = 0; gy < 3; gy++)
            for (int gx = 0; gx < 3; gx++)
                for (int o = 0; o < 5; o++)
                {
                    double conv = 0, matmul = 0;
                    for (int ch = 0; ch < 3; ch++)
                        for (int i = 0; i < 4; i++)
                            for (int j = 0; j < 4; j++)
                                conv += weight[((o * 3 + ch) * 4 + i) * 4 + j] * pixels[(ch * 12 + gy * 4 + i) * 12 + gx * 4 + j];
                    for (int k = 0; k < 48; k++) matmul += weight[o * 48 + k] * patches[(gy * 3 + gx) * 48 + k];
                    Assert.Equal(conv, matmul, 1e-9);
                }
    }

    [Theory]
    [InlineData(17, 2, 8)]
    [InlineData(130, 3, 24)]
    public void AttentionAsMatrixProductsEqualsThePlainLoops(int n, int heads, int dh)
    {
        int d = heads * dh;
        var rng = new Random(n);
        float[] Random() => [.. Enumerable.Range(0, n * d).Select(_ => (float)(rng.NextDouble() * 4 - 2))];
        float[] q = Random(), k = Random(), v = Random();
        float[] z = new float[n * d], zRef = new float[n * d], probs = new float[heads * n * n], probsRef = new float[heads * n * n];
        ClipVisionTower.Attention(q, k, v, z, n, d, heads, probs);
        ClipVisionTower.ReferenceAttention(q, k, v, zRef, n, d, heads, probsRef);
        for (int i = 0; i < z.Length; i++) Assert.Equal(zRef[i], z[i], 1e-5f);
        for (int i = 0; i < probs.Length; i++) Assert.Equal(probsRef[i], probs[i], 1e-6f);
        Assert.All(Enumerable.Range(0, heads * n), r => Assert.Equal(1f, probs.AsSpan(r * n, n).ToArray().Sum(), 1e-5f));
    }
}
