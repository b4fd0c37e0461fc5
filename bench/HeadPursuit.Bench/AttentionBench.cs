using System.Globalization;
using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Backends.Cpu;
using HeadPursuit.Runtime.Cpu;
using HeadPursuit.Runtime.Models;

namespace HeadPursuit.Bench;

/// <summary>
/// The CPU attention op alone: the blocked kernel (online softmax, the default) against the per-key reference, interleaved
/// in rounds, medians reported, at GPT-2 small's and the Llama-GQA shape's heads: prefill 8 x 128 rows, one 1024-row
/// sequence, and decode (one row after 128 and after 1024 cached positions); 1 thread and all threads.
/// Arguments: [rounds = 3].
/// </summary>
public sealed class AttentionBench : IBench
{
    public string Name => "attention";
    public string Description => "CPU attention op: blocked (online softmax) vs per-key reference, prefill and decode, ms and ratio";

    sealed record Shape(string Name, AttentionShape Attention);
    sealed record Work(string Name, BatchLayout Layout, int MaxT);

    public int Run(string[] args)
    {
        int rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3;
        int all = Environment.ProcessorCount;
        int[] threadCounts = all > 1 ? [1, all] : [1];
        Shape[] shapes =
        [
            new("GPT-2 small (H12, d_head 64)", new AttentionShape(12, 12, 64)),
            new("Llama GQA (H16/KV4, d_head 64, RoPE)", new AttentionShape(16, 4, 64) { Rope = new RopeTable(new RopeSettings(10000).InverseFrequencies(64), 1280) }),
        ];
        Work[] works =
        [
            new("prefill 8 x 128", new BatchLayout([0, 1, 2, 3, 4, 5, 6, 7], new int[8], Enumerable.Repeat(128, 8).ToArray()), 128),
            new("prefill 1 x 1024", BatchLayout.Single(1024), 1024),
            new("decode after 128", BatchLayout.Single(1, 128), 129),
            new("decode after 1024", BatchLayout.Single(1, 1024), 1025),
        ];
        Console.WriteLine($"load average before: {GemmBench.LoadAverage()}; SIMD family {CpuSimd.Level}; medians of {rounds} interleaved rounds");
        Console.WriteLine("| heads | work | threads | per-key ms | blocked ms | speed-up |");
        Console.WriteLine("|---|---|---|---|---|---|");
        var rng = new Random(3);
        foreach (var shape in shapes)
            foreach (var work in works)
            {
                var a = shape.Attention;
                int slots = work.Layout.Sequences, rows = work.Layout.Rows;
                var qkv = Enumerable.Range(0, rows * a.QkvDim).Select(_ => (float)rng.NextDouble() * 2 - 1).ToArray();        // [rows, QkvDim]
                var kCache = Enumerable.Range(0, slots * work.MaxT * a.KvDim).Select(_ => (float)rng.NextDouble() * 2 - 1).ToArray();  // [slots * maxT, KvDim]
                var vCache = (float[])kCache.Clone();
                var z = new float[rows * a.QDim];                                                                              // [rows, QDim]
                var epilogue = new CpuAttention.Epilogue(null, null, null, null, 0, 0, null, null, null);
                foreach (int threads in threadCounts)
                {
                    CpuParallel.Threads = threads;
                    List<double> perKey = [], blocked = [];
                    for (int round = 0; round < rounds; round++)
                    {
                        perKey.Add(GemmBench.BestSeconds(() => CpuAttention.Run(qkv, work.Layout, a, kCache, vCache, work.MaxT, z, epilogue, perKeyReference: true), 0.2));
                        blocked.Add(GemmBench.BestSeconds(() => CpuAttention.Run(qkv, work.Layout, a, kCache, vCache, work.MaxT, z, epilogue), 0.2));
                    }
                    double p = GemmBench.Median(perKey), b = GemmBench.Median(blocked);
                    Console.WriteLine(FormattableString.Invariant($"| {shape.Name} | {work.Name} | {threads} | {1e3 * p:F3} | {1e3 * b:F3} | {p / b:F2}x |"));
                }
            }
        CpuParallel.Threads = all;
        Console.WriteLine($"load average after: {GemmBench.LoadAverage()}");
        return 0;
    }
}
