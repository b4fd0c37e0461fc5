using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Backends.Cpu;
using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Runtime.Verification;
using HeadPursuit.Tests;

namespace HeadPursuit.Runtime.Tests.Models;

/// <summary>Identities the forward pass must satisfy whatever the weights (checked on the fixtures' models).</summary>
public sealed class ForwardIdentityTests
{
    static readonly int[] Ids = [5, 17, 99, 3, 250, 42, 7, 311, 64, 128, 9];

    static (float[] Logits, ForwardRecording Rec) Run(Transformer m, int[] ids, HeadScales? scales = null)
    {
        var c = m.Config;
        var rec = new ForwardRecording(c.Layers, ids.Length, c.Heads, c.DHead, c.DModel, probs: false);
        using var cache = m.NewCache(1, ids.Length);
        var logits = m.Forward(new ForwardRequest { Tokens = ids, Layout = BatchLayout.Single(ids.Length), Logits = LogitRows.All, Scales = scales, Record = rec }, cache);
        return (logits, rec);
    }

    static void Close(ReadOnlySpan<float> a, ReadOnlySpan<float> b, double tol)
    {
        Assert.Equal(a.Length, b.Length);
        for (int i = 0; i < a.Length; i++) Assert.True(Math.Abs(a[i] - b[i]) <= tol * (1 + Math.Abs(b[i])), $"index {i}: {a[i]} vs {b[i]}");
    }

    [Theory]
    [InlineData("gpt2-tiny")]
    [InlineData("qwen2-tiny")]
    public void HeadOutputsPlusBiasSumToTheAttentionOutput(string fixture)
    {
        using var m = Transformer.Load(Fixtures.Path(fixture), new CpuBackend());
        var c = m.Config;
        var (_, rec) = Run(m, Ids);
        var headOut = HeadOutputs.Compute(m, rec, null);   // [L, T, H, d]
        int T = Ids.Length, d = c.DModel;
        for (int l = 0; l < c.Layers; l++)
        {
            var bias = m.OutputProjection(l).Bias;
            for (int t = 0; t < T; t++)
            {
                var sum = new float[d];
                for (int h = 0; h < c.Heads; h++)
                    for (int i = 0; i < d; i++) sum[i] += headOut[((l * T + t) * c.Heads + h) * d + i];
                if (bias != null) for (int i = 0; i < d; i++) sum[i] += bias[i];
                Close(sum, rec.AttnOut.AsSpan((l * T + t) * d, d), 1e-5);
            }
        }
    }

    [Theory]
    [InlineData("gpt2-tiny")]
    [InlineData("llama-tiny")]
    public void PackedBatchOfDifferentLengthsEqualsEachSequenceAlone(string fixture)
    {
        using var m = Transformer.Load(Fixtures.Path(fixture), new CpuBackend());
        int[][] seqs = [Ids, Ids[..4], [1, 2, 3, 4, 5, 6, 7]];
        var layout = new BatchLayout([0, 1, 2], [0, 0, 0], seqs.Select(s => s.Length).ToArray());
        using var cache = m.NewCache(3, 16);
        var packed = m.Forward(new ForwardRequest { Tokens = seqs.SelectMany(s => s).ToArray(), Layout = layout, Logits = LogitRows.All }, cache);
        int V = m.Config.Vocab, row = 0;
        foreach (var s in seqs)
        {
            var (alone, _) = Run(m, s);
            Close(packed.AsSpan(row * V, s.Length * V), alone, 1e-5);
            row += s.Length;
        }
    }

    [Theory]
    [InlineData("gpt2-tiny")]
    [InlineData("qwen2-tiny")]
    public void KvCacheDecodingEqualsRecomputingTheWholeSequence(string fixture)
    {
        using var m = Transformer.Load(Fixtures.Path(fixture), new CpuBackend());
        int V = m.Config.Vocab;
        var (full, _) = Run(m, Ids);
        using var cache = m.NewCache(1, Ids.Length);
        var first = m.Forward(new ForwardRequest { Tokens = Ids[..4], Layout = BatchLayout.Single(4), Logits = LogitRows.All }, cache);
        Close(first, full.AsSpan(0, 4 * V), 1e-5);
        for (int t = 4; t < Ids.Length; t++)
        {
            var step = m.Forward(new ForwardRequest { Tokens = [Ids[t]], Layout = BatchLayout.Single(1, startPos: t) }, cache);
            Close(step, full.AsSpan(t * V, V), 1e-5);
        }
    }

    [Fact]
    public void DecodingIntoTheCallersBufferEqualsTheAllocatingForward()
    {
        using var m = Transformer.Load(Fixtures.Path("gpt2-tiny"), new CpuBackend());
        int V = m.Config.Vocab;
        var (full, _) = Run(m, Ids);
        using var cache = m.NewCache(1, Ids.Length);
        var buffer = new float[V];   // one row, reused by every step
        Assert.Equal(1, m.Forward(new ForwardRequest { Tokens = Ids[..4], Layout = BatchLayout.Single(4) }, cache, buffer));
        Close(buffer, full.AsSpan(3 * V, V), 1e-5);
        for (int t = 4; t < Ids.Length; t++)
        {
            Assert.Equal(1, m.Forward(new ForwardRequest { Tokens = [Ids[t]], Layout = BatchLayout.Single(1, startPos: t) }, cache, buffer));
            Close(buffer, full.AsSpan(t * V, V), 1e-5);
        }
        using var again = m.NewCache(1, Ids.Length);
        var e = Assert.Throws<ArgumentException>(() => m.Forward(new ForwardRequest { Tokens = Ids, Layout = BatchLayout.Single(Ids.Length), Logits = LogitRows.All },
                                                                   again, buffer));
        Assert.Contains($"cannot hold {Ids.Length} rows x {V}", e.Message);
    }

    [Fact]
    public void AHeadScaledByOneInAScaledLayerChangesNothing()
    {
        // Layer 1 goes through the scaling path (L1H0 is scaled); L1H2's alpha of 1 must leave it as it is.
        using var m = Transformer.Load(Fixtures.Path("llama-tiny"), new CpuBackend());
        var one = HeadScales.Parse("L1H0=-1", m.Config.Layers, m.Config.Heads);
        var withOne = HeadScales.Parse("L1H0=-1,L1H2=1", m.Config.Layers, m.Config.Heads);
        var (a, _) = Run(m, Ids, one);
        var (b, _) = Run(m, Ids, withOne);
        Assert.Equal(a, b);
        var (plain, _) = Run(m, Ids);
        Assert.NotEqual(plain, a);
    }

    [Fact]
    public void ScaleZeroOnEveryHeadOfALayerLeavesOnlyTheOutputBias()
    {
        using var m = Transformer.Load(Fixtures.Path("gpt2-tiny"), new CpuBackend());
        var c = m.Config;
        var zero = new HeadScales(c.Layers, c.Heads);
        for (int h = 0; h < c.Heads; h++) zero[1, h] = 0f;
        var (_, rec) = Run(m, Ids, zero);
        var bias = m.OutputProjection(1).Bias!;
        for (int t = 0; t < Ids.Length; t++)
            Assert.Equal(bias, rec.AttnOut.AsSpan((Ids.Length + t) * c.DModel, c.DModel).ToArray());
        var (_, plain) = Run(m, Ids);
        Assert.NotEqual(plain.AttnOut.AsSpan(Ids.Length * c.DModel).ToArray(), rec.AttnOut.AsSpan(Ids.Length * c.DModel).ToArray());
    }
}
