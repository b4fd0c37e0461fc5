using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Backends.Cpu;
using HeadPursuit.Runtime.Cpu;
using HeadPursuit.Runtime.Models;

namespace HeadPursuit.Runtime.Tests.Backends;

/// <summary>
/// The blocked attention kernel (online softmax over key blocks) against the per-key reference, on every rule the attention
/// op has: packed sequences, a cached prefix then decode rows (scored by 16-lane dot products), GQA, RoPE (full, partial, multimodal sections), sliding
/// windows, soft-caps, a custom scale, image blocks, odd and wide head sizes, and the epilogue (raw z, pooled sums, head
/// scales). The two sum in different orders, so they agree within fp32 rounding: |blocked - reference| &lt;= Tolerance for
/// outputs of order 1 (inputs uniform in [-1, 1]; observed: 1.5e-7 to 3.6e-7,
/// and 1.2e-6 where soft-capped scores of scale 1 reach +-20, whose rounding exp turns into relative error of p). Every SIMD family of the blocked
/// kernel gives the same bits.
/// </summary>
[Collection(nameof(CpuParallel))]   // changes CpuSimd.Level for the process
public sealed class BlockedAttentionTests
{
    const float Tolerance = 2e-6f;

    /// <summary>One attention case: the shape and the calls made in turn on one KV cache (a prefix, then more rows).</summary>
    internal sealed record Case(string Name, AttentionShape Shape, int MaxT, int Slots, BatchLayout[] Calls);

    static RopeTable Rope(int rotaryDims, (int, int, int)? sections = null) => new(new RopeSettings(10000).InverseFrequencies(rotaryDims), 512, sections);

    /// <summary>The cases by name (the theories take the name: the shapes are internal to the runtime).</summary>
    public static TheoryData<string> CaseNames() => [.. All.Select(c => c.Name)];

    static readonly Case[] All = Cases();

    static Case ByName(string name) => All.Single(c => c.Name == name);

    static Case[] Cases()
    {
        int[] imageFirst = new int[120], imageLast = new int[120];
        for (int t = 0; t < 120; t++) (imageFirst[t], imageLast[t]) = t is >= 50 and <= 95 ? (50, 95) : (-1, -1);
        var ropePositions = Enumerable.Range(0, 3 * 120).Select(i => i / 3 + (i % 3) * 7 % 11).ToArray();
        return
        [
            new("learned positions, two packed sequences, then one decode row each",
                new AttentionShape(4, 4, 16), 128, 2, [new([0, 1], [0, 0], [3, 70]), new([0, 1], [3, 70], [1, 1])]),
            new("GQA 8/2 with partial rotary, a long prefix then two rows",
                new AttentionShape(8, 2, 32) { Rope = Rope(16) }, 160, 1, [BatchLayout.Single(130), BatchLayout.Single(2, 130)]),
            new("GQA 16/4 decode rows (4 query heads per KV head: dot products) after 90 positions",
                new AttentionShape(16, 4, 64) { Rope = Rope(64) }, 100, 1, [BatchLayout.Single(90), BatchLayout.Single(1, 90), BatchLayout.Single(1, 91)]),
            new("sliding window 37 over 200 positions, then 20 more, then one",
                new AttentionShape(4, 2, 24) { Window = 37, Rope = Rope(24) }, 256, 1, [BatchLayout.Single(200), BatchLayout.Single(20, 200), BatchLayout.Single(1, 220)]),
            new("soft-cap 20 with scale 1 (caps bite), in a second slot, then one row",
                new AttentionShape(2, 1, 64) { SoftCap = 20f, Scale = 1f }, 100, 2, [new([1], [0], [90]), new([1], [90], [1])]),
            new("decode rows of 50 dims (the 16-lane dot products' tail) after 100 positions",
                new AttentionShape(3, 3, 50) { Rope = Rope(50) }, 110, 1, [BatchLayout.Single(100), BatchLayout.Single(1, 100), BatchLayout.Single(1, 101)]),
            new("odd d_head 13",
                new AttentionShape(3, 1, 13), 80, 1, [BatchLayout.Single(67)]),
            new("d_head 80 (tails past the widest vectors)",
                new AttentionShape(2, 2, 80) { Rope = Rope(80) }, 80, 1, [BatchLayout.Single(65)]),
            new("image block 50..95 with a window of 10 and multimodal RoPE sections",
                new AttentionShape(4, 2, 16) { Window = 10, Rope = Rope(16, (2, 3, 3)) }, 120, 1,
                [new BatchLayout([0], [0], [120], ropePositions, imageFirst, imageLast)]),
        ];
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void BlockedAgreesWithThePerKeyReference(string caseName)
    {
        var c = ByName(caseName);
        var reference = Run(c, perKey: true);
        var blocked = Run(c, perKey: false);
        foreach (var (name, a, b) in new[] { ("z", reference.Z, blocked.Z), ("raw z", reference.Raw, blocked.Raw), ("pooled sums", reference.Sums, blocked.Sums) })
        {
            Assert.Equal(a.Length, b.Length);
            float worst = 0;
            for (int i = 0; i < a.Length; i++) worst = Math.Max(worst, Math.Abs(a[i] - b[i]));
            Assert.True(worst <= Tolerance, $"{c.Name}: {name} differs by up to {worst} (tolerance {Tolerance})");
        }
        Assert.True(reference.Z.Any(v => v != 0) && reference.Sums.Any(v => v != 0), "the case produced no output");
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void EverySimdFamilyGivesTheSameBits(string caseName)
    {
        var c = ByName(caseName);
        var saved = CpuSimd.Level;
        try
        {
            Outputs? first = null;
            foreach (var level in CpuSimd.Available)
            {
                CpuSimd.Level = level;
                var o = Run(c, perKey: false);
                if (first == null) first = o;
                else Assert.True(first.Z.SequenceEqual(o.Z) && first.Sums.SequenceEqual(o.Sums), $"{c.Name}: {level} differs from {CpuSimd.Available[0]}");
            }
        }
        finally
        {
            CpuSimd.Level = saved;
        }
    }

    sealed record Outputs(float[] Z, float[] Raw, float[] Sums);

    /// <summary>
    /// Runs the case's calls in turn on one KV cache with random q/k/v (the same for both kernels); every row is pooled into
    /// its sequence's sample with a random weight near 1 / length (so the sums are of order 1, like means), and head 1 is scaled by 1.5 on even rows. Returns every call's z, raw z
    /// and the final pooled sums.
    /// </summary>
    static Outputs Run(Case c, bool perKey)
    {
        var shape = c.Shape;
        var rng = new Random(17);
        var kCache = new float[c.Slots * c.MaxT * shape.KvDim];   // [slots * maxT, KvDim]
        var vCache = new float[c.Slots * c.MaxT * shape.KvDim];
        int samples = c.Calls.Max(b => b.Sequences);
        var sums = new float[samples * shape.QDim];               // [samples, QDim]
        var alpha = Enumerable.Range(0, shape.Heads).Select(h => h == 1 ? 1.5f : 1f).ToArray();
        List<float> zs = [], raws = [];
        foreach (var batch in c.Calls)
        {
            var qkv = Enumerable.Range(0, batch.Rows * shape.QkvDim).Select(_ => (float)rng.NextDouble() * 2 - 1).ToArray();   // [rows, QkvDim]
            var z = new float[batch.Rows * shape.QDim];            // [rows, QDim]
            var raw = new float[batch.Rows * shape.QDim];
            var weights = Enumerable.Range(0, batch.Rows).Select(r => (float)(0.5 + 0.5 * rng.NextDouble()) / batch.Length[batch.RowSequence[r]]).ToArray();   // means, roughly
            var scaleRows = Enumerable.Range(0, batch.Rows).Select(r => (byte)(r % 2 == 0 ? 1 : 0)).ToArray();
            var e = new CpuAttention.Epilogue(raw, batch.RowSequence, weights, sums, shape.QDim, 0, alpha, scaleRows, null);
            CpuAttention.Run(qkv, batch, shape, kCache, vCache, c.MaxT, z, e, perKey);
            zs.AddRange(z); raws.AddRange(raw);
        }
        return new Outputs([.. zs], [.. raws], sums);
    }
}
