using System.Diagnostics;
using HeadPursuit.Runtime.Cpu;
using HeadPursuit.Runtime.Tensors;

namespace HeadPursuit.Bench;

/// <summary>
/// What a batch-1 decode step does with the weights: one GEMV (m = 1) on each matrix of a model, in layer order, so that
/// every weight streams from DRAM once per step (unlike the `gemm` bench's decode column, whose single matrix stays in
/// the L3). GPT-2 small's 48 block matrices (12 layers: c_attn 768->2304, attn.c_proj 768->768, c_fc 768->3072,
/// mlp.c_proj 3072->768; 85M parameters, 170 MB in BF16), stored InOut as GPT-2's Conv1D does and OutIn as a Linear
/// does. Reported: weight GB/s of a step and its share of the DRAM read bandwidth measured in the same run.
/// </summary>
public sealed class DecodeStreamBench : IBench
{
    public string Name => "decode-stream";
    public string Description => "batch-1 GEMVs over GPT-2 small's 48 block matrices (weights from DRAM): GB/s against the measured read bandwidth";

    static readonly (int In, int Out)[] LayerShapes = [(768, 2304), (768, 768), (768, 3072), (3072, 768)];
    const int Layers = 12;

    public int Run(string[] args)
    {
        int rounds = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 3;
        int all = Environment.ProcessorCount;
        int[] threadCounts = all > 1 ? [1, all] : [1];
        var families = CpuSimd.Available.Where(l => l != SimdLevel.Scalar).ToArray();
        Console.WriteLine($"load average before: {GemmBench.LoadAverage()}");
        var bandwidth = threadCounts.ToDictionary(t => t, t => MemoryBandwidth.Measure(t));
        Console.WriteLine($"DRAM read bandwidth: {string.Join(", ", threadCounts.Select(t => $"{t} thread(s) {bandwidth[t]:F1} GB/s"))}\n");
        Console.WriteLine($"| layout | weights | threads | {string.Join(" | ", families.Select(f => $"{f} GB/s"))} | % of DRAM bw | step ms |");
        Console.WriteLine("|---|---|---|" + string.Concat(Enumerable.Repeat("---|", families.Length + 2)));
        var rng = new Random(99);
        foreach (var layout in new[] { WeightLayout.InOut, WeightLayout.OutIn })
            foreach (var dtype in new[] { DType.F32, DType.BF16 })
            {
                var matrices = new List<(WeightMatrix W, Array Storage)>();
                for (int l = 0; l < Layers; l++)
                    foreach (var (k, n) in LayerShapes)
                        matrices.Add(GemmBench.RandomWeight(new GemmBench.Shape($"layer {l} {k}->{n}", k, n, layout), dtype, rng));
                double bytes = matrices.Sum(m => (double)m.W.In * m.W.Out * DTypes.SizeOf(dtype));
                float[] x = new float[3072], y = new float[3072];   // [k] and [n] of the largest matrix
                for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
                foreach (int threads in threadCounts)
                {
                    CpuParallel.Threads = threads;
                    var seconds = families.ToDictionary(f => f, _ => new List<double>());
                    for (int round = 0; round < rounds; round++)
                        foreach (var family in families)
                        {
                            CpuSimd.Level = family;
                            seconds[family].Add(GemmBench.BestSeconds(() =>
                            {
                                foreach (var (w, _) in matrices) Gemm.MatMul(x.AsSpan(0, w.In), 1, w, y.AsSpan(0, w.Out));
                            }, 0.5));
                        }
                    var gbs = families.Select(f => bytes / GemmBench.Median(seconds[f]) / 1e9).ToArray();
                    Console.WriteLine($"| {layout} | {dtype} | {threads} | {string.Join(" | ", gbs.Select(g => g.ToString("F1")))} | " +
                                      $"{100 * gbs[^1] / bandwidth[threads]:F0}% | {1e3 * GemmBench.Median(seconds[families[^1]]):F2} |");
                }
                foreach (var (_, storage) in matrices) GC.KeepAlive(storage);
            }
        CpuSimd.Level = CpuSimd.Best;
        CpuParallel.Threads = all;
        Console.WriteLine($"\nload average after: {GemmBench.LoadAverage()}");
        return 0;
    }
}
