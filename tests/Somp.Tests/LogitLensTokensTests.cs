using HeadPursuit.Runtime.Capture;

namespace HeadPursuit.Somp.Tests;

public class LogitLensTokensTests
{
    // 1 layer x 2 heads, d_model 3, d_head 2, 3 samples, vocab 4
    static (HeadActivations, OutputBlocks, float[]) Tiny()
    {
        var z = new float[]
        {
            1, 0,   2, 0,   3, 1,     // L0H0: samples [n, d_head]
            0, 1,   0, 2,   0, -6,    // L0H1
        };
        var acts = new HeadActivations(1, 2, 3, 2, z);
        float[] h0 = [1, 0, 0, 1, 0, 0];     // [d_model, d_head]: m0 <- e0, m1 <- e1
        float[] h1 = [0, 0, 0, 0, 0, 1];     // m2 <- e1
        var blocks = new OutputBlocks([[h0, h1]], 3, 2);
        float[] unembedding = [1, 0, 0,   0, 1, 0,   0, 0, 1,   1, 1, 1];   // [vocab, d_model]
        return (acts, blocks, unembedding);
    }

    [Fact]
    public void LogitsAreTheUnembeddingTimesTheMeanHeadOutput()
    {
        var (acts, blocks, u) = Tiny();
        // L0H0: mean z = (2, 1/3) -> output (2, 1/3, 0) -> logits (2, 1/3, 0, 7/3)
        var logits = LogitLensTokens.Logits(acts, blocks, u, new HeadId(0, 0));
        Assert.Equal([2, 1.0 / 3, 0, 7.0 / 3], logits, (a, b) => Math.Abs(a - b) < 1e-12);
        Assert.Equal([3, 0], LogitLensTokens.TopTokens(acts, blocks, u, new HeadId(0, 0), 2));
        // L0H1: mean z = (0, -1) -> output (0, 0, -1): token 2 and 3 lowest, tokens 0 and 1 tie at 0 (lower id first)
        Assert.Equal([0, 1, 2, 3], LogitLensTokens.TopTokens(acts, blocks, u, new HeadId(0, 1), 4));
    }

    [Fact]
    public void LogitsOfTheMeanEqualTheMeanOfPerSampleLogits()
    {
        var (acts, blocks, u) = Tiny();
        var head = new HeadId(0, 0);
        var mean = LogitLensTokens.Logits(acts, blocks, u, head);
        var perSample = Enumerable.Range(0, acts.Samples).Select(i =>
        {
            var one = new HeadActivations(1, 2, 1, 2, [.. acts.Row(0, 0, i).ToArray(), .. acts.Row(0, 1, i).ToArray()]);
            return LogitLensTokens.Logits(one, blocks, u, head);
        }).ToArray();
        for (int v = 0; v < mean.Length; v++)
            Assert.Equal(perSample.Average(l => l[v]), mean[v], 12);
    }

    [Fact]
    public void ATopOfZeroIsRefused()
    {
        var (acts, blocks, u) = Tiny();
        Assert.Throws<ArgumentException>(() => LogitLensTokens.TopTokens(acts, blocks, u, new HeadId(0, 0), 0));
    }
}
