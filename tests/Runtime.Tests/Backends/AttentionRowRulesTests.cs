using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Backends.Cpu;
using HeadPursuit.Runtime.Models;

namespace HeadPursuit.Runtime.Tests.Backends;

/// <summary>
/// The per-row rules vision-language prompts add to attention, on the CPU backend: which keys a row sees (image blocks
/// are bidirectional, Gemma 3) and which positions rotate q and k (multimodal RoPE sections, Qwen2.5-VL).
/// </summary>
public sealed class AttentionRowRulesTests
{
    /// <summary>One attention call over one sequence with random q/k/v; returns the probabilities [H, T, T].</summary>
    static float[] Probs(AttentionShape shape, BatchLayout layout)
    {
        IBackend b = new CpuBackend();
        var rng = new Random(5);
        int T = layout.Rows;
        var qkv = b.Activations(T, shape.QkvDim);
        b.Upload(Enumerable.Range(0, T * shape.QkvDim).Select(_ => (float)rng.NextDouble() * 2 - 1).ToArray(), qkv);
        var probs = new float[shape.Heads * T * T];
        b.Attention(qkv, layout, shape, b.Activations(T, shape.KvDim), b.Activations(T, shape.KvDim), T, b.Activations(T, shape.QDim),
                    new HeadEpilogue { Probs = probs });
        return probs;
    }

    [Fact]
    public void ImageBlocksSeeTheirWholeBlockEvenPastTheWindow()
    {
        // Positions 2..6 are one image: allowed(t, s) = (s <= t and t - s < 3) or (t, s both in 2..6).
        int T = 9;
        int[] first = [-1, -1, 2, 2, 2, 2, 2, -1, -1], last = [-1, -1, 6, 6, 6, 6, 6, -1, -1];
        var shape = new AttentionShape(2, 1, 8) { Window = 3 };
        var probs = Probs(shape, new BatchLayout([0], [0], [T], blockFirst: first, blockLast: last));
        for (int h = 0; h < 2; h++)
            for (int t = 0; t < T; t++)
            {
                double sum = 0;
                for (int s = 0; s < T; s++)
                {
                    bool inBlock = first[t] >= 0 && s >= first[t] && s <= last[t];
                    bool allowed = s <= t && t - s < 3 || inBlock;
                    float p = probs[(h * T + t) * T + s];
                    Assert.True(allowed ? p > 0 : p == 0, $"head {h}, query {t}, key {s}: p = {p}, allowed {allowed}");
                    sum += p;
                }
                Assert.Equal(1.0, sum, 5);
            }
    }

    [Fact]
    public void TheVisibleKeyRangeIsTheUnionOfTheWindowAndTheBlock()
    {
        var layout = new BatchLayout([0], [0], [10], blockFirst: [-1, -1, -1, -1, -1, -1, 6, 6, 6, -1], blockLast: [-1, -1, -1, -1, -1, -1, 8, 8, 8, -1]);
        Assert.Equal((2, 4), layout.VisibleKeys(4, 3));
        Assert.Equal((4, 8), layout.VisibleKeys(6, 3));   // window 4..6, block 6..8
        Assert.Equal((0, 8), layout.VisibleKeys(6, null));
        Assert.Equal((6, 8), layout.VisibleKeys(8, 3));
        Assert.Throws<ArgumentException>(() => new BatchLayout([0], [0], [4], blockFirst: [0, 0, -1, -1], blockLast: [1, 9, -1, -1]));   // past the sequence
        Assert.Throws<ArgumentException>(() => new BatchLayout([0], [0], [4], blockFirst: [2, -1, -1, -1], blockLast: [3, -1, -1, -1]));  // row 0 outside its block
    }

    [Fact]
    public void SectionedRopeWithEqualPositionsIsPlainRope()
    {
        var inv = new RopeSettings(1000).InverseFrequencies(16);
        var plain = new RopeTable(inv, 32);
        var sectioned = new RopeTable(inv, 32, (2, 3, 3));
        var x = Enumerable.Range(0, 16).Select(i => MathF.Sin(i + 1)).ToArray();
        var a = (float[])x.Clone();
        var b = (float[])x.Clone();
        plain.Apply(a, 7, 7, 7);
        sectioned.Apply(b, 7, 7, 7);
        Assert.Equal(a, b);
        // With distinct (t, h, w) each section turns by its own position: frequency j = 3 (the h section) by h = 11.
        var c = (float[])x.Clone();
        sectioned.Apply(c, 7, 11, 13);
        double angle = 11 * inv[3];
        Assert.Equal(x[3] * Math.Cos(angle) - x[3 + 8] * Math.Sin(angle), c[3], 5);
        Assert.Equal(a[0], c[0]);   // the t section (j < 2) is unchanged
        Assert.Throws<ArgumentException>(() => new RopeTable(inv, 32, (2, 3, 4)));
    }

    [Fact]
    public void ProbabilitiesAreRefusedForAPackedBatch()
    {
        IBackend b = new CpuBackend();
        var shape = new AttentionShape(2, 1, 8);
        var layout = new BatchLayout([0, 1], [0, 0], [3, 2]);
        var e = Assert.Throws<ArgumentException>(() => b.Attention(b.Activations(5, shape.QkvDim), layout, shape, b.Activations(6, shape.KvDim),
                                                                    b.Activations(6, shape.KvDim), 3, b.Activations(5, shape.QDim),
                                                                    new HeadEpilogue { Probs = new float[2 * 5 * 5] }));
        Assert.Contains("only recorded for one sequence in slot 0 starting at position 0", e.Message);
    }
}
