using System.Diagnostics;
using HeadPursuit.Runtime.Cpu;
using HeadPursuit.Runtime.Tensors;

namespace HeadPursuit.Bench;

/// <summary>
/// GEMM speed on GPT-2-small shapes, each kernel family this CPU runs (AVX2, the baseline, and AVX-512) measured
/// interleaved in rounds, medians reported: prefill (m = 1024) in GFLOP/s and % of the widest measured FMA peak,
/// decode (m = 1) in GB/s of weight streamed against the DRAM read bandwidth measured in the same run. Weights F32,
/// BF16 (float32 activations) and BF16 with bf16 dot products (Gemm.Bf16DotProducts); 1 thread and all threads.
/// Arguments: [shape-name filter, e.g. "c_fc"] [rounds = 3].
/// </summary>
public sealed unsafe class GemmBench : IBench
{
    public string Name => "gemm";
    public string Description => "GEMM GFLOP/s and % of FMA peak, GEMV GB/s and % of memory bandwidth, AVX2 vs AVX-512";

    internal sealed record Shape(string Name, int In, int Out, WeightLayout Layout);
    sealed record Config(string Name, DType DType, bool Bf16Dot);

    static readonly Shape[] Shapes =
    [
        new("c_attn 768->2304", 768, 2304, WeightLayout.InOut),
        new("attn.c_proj 768->768", 768, 768, WeightLayout.InOut),
        new("c_fc 768->3072", 768, 3072, WeightLayout.InOut),
        new("mlp.c_proj 3072->768", 3072, 768, WeightLayout.InOut),
        new("lm_head 768->50257", 768, 50257, WeightLayout.OutIn),
    ];

    static readonly Config[] Configs = [new("F32", DType.F32, false), new("BF16", DType.BF16, false), new("BF16 bf16-dot", DType.BF16, true)];

    public int Run(string[] args)
    {
        string filter = args.Length > 0 ? args[0] : "";
        int rounds = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 3;
        int all = Environment.ProcessorCount;
        int[] threadCounts = all > 1 ? [1, all] : [1];
        var families = CpuSimd.Available.Where(l => l != SimdLevel.Scalar).ToArray();
        Console.WriteLine($"load average before: {LoadAverage()}");
        var peak = threadCounts.ToDictionary(t => t, t => FmaPeak.Measure(t));
        var bandwidth = threadCounts.ToDictionary(t => t, t => MemoryBandwidth.Measure(t));
        Console.WriteLine($"FMA peak (fp32, {CpuSimd.Best} FMAs): {string.Join(", ", threadCounts.Select(t => $"{t} thread(s) {peak[t]:F1} GFLOP/s"))}");
        Console.WriteLine($"DRAM read bandwidth: {string.Join(", ", threadCounts.Select(t => $"{t} thread(s) {bandwidth[t]:F1} GB/s"))}");
        Console.WriteLine($"kernel families: {string.Join(", ", families)}; bf16 dot products at {CpuSimd.Best}: {Gemm.Bf16DotProductKernels}\n");

        foreach (var family in families) InCacheKernelLine(family, peak[1]);

        const int prefillRows = 1024;
        string columns = string.Join(" | ", families.Select(f => $"{f} prefill GFLOP/s"));
        string decodeColumns = string.Join(" | ", families.Select(f => $"{f} decode GB/s"));
        Console.WriteLine($"\nMedians of {rounds} interleaved rounds (each the best of repeated runs); % of peak and of bandwidth for the widest family.");
        Console.WriteLine($"| shape | weights | threads | {columns} | % of peak | {decodeColumns} | % of DRAM bw |");
        Console.WriteLine("|---|---|---|" + string.Concat(Enumerable.Repeat("---|", 2 * families.Length + 2)));
        var rng = new Random(1234);
        foreach (var shape in Shapes.Where(s => s.Name.Contains(filter)))
            foreach (var config in Configs)
            {
                var (weight, storage) = RandomWeight(shape, config.DType, rng);
                float[] xPrefill = RandomFloats(prefillRows * shape.In, rng), yPrefill = new float[prefillRows * shape.Out];
                float[] xDecode = RandomFloats(shape.In, rng), yDecode = new float[shape.Out];
                Gemm.Bf16DotProducts = config.Bf16Dot;
                foreach (int threads in threadCounts)
                {
                    CpuParallel.Threads = threads;
                    var prefill = families.ToDictionary(f => f, _ => new List<double>());
                    var decode = families.ToDictionary(f => f, _ => new List<double>());
                    for (int round = 0; round < rounds; round++)
                        foreach (var family in families)
                        {
                            CpuSimd.Level = family;
                            prefill[family].Add(BestSeconds(() => Gemm.MatMul(xPrefill, prefillRows, weight, yPrefill), 0.3));
                            decode[family].Add(BestSeconds(() => Gemm.MatMul(xDecode, 1, weight, yDecode), 0.1));
                        }
                    double bytes = (double)shape.In * shape.Out * DTypes.SizeOf(config.DType);
                    var gflops = families.Select(f => 2.0 * prefillRows * shape.In * shape.Out / Median(prefill[f]) / 1e9).ToArray();
                    var gbs = families.Select(f => bytes / Median(decode[f]) / 1e9).ToArray();
                    Console.WriteLine($"| {shape.Name} | {config.Name} | {threads} | {string.Join(" | ", gflops.Select(g => g.ToString("F1")))} | {100 * gflops[^1] / peak[threads]:F0}% | " +
                        $"{string.Join(" | ", gbs.Select(g => g.ToString("F1")))} | {100 * gbs[^1] / bandwidth[threads]:F0}% |");
                }
                GC.KeepAlive(storage);
            }
        Gemm.Bf16DotProducts = false;
        CpuSimd.Level = CpuSimd.Best;
        CpuParallel.Threads = all;
        Console.WriteLine($"\nload average after: {LoadAverage()}");
        return 0;
    }

    internal static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>/proc/loadavg's first three fields (the machine may be shared), or "n/a".</summary>
    internal static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    /// <summary>
    /// One thread on a problem that stays in L2 (x 144 x 256, W 256 x 512 F32): the kernel's own efficiency,
    /// with little memory traffic and, as the best of many short runs, little disturbance from other processes.
    /// </summary>
    static void InCacheKernelLine(SimdLevel family, double peak1)
    {
        CpuSimd.Level = family;
        const int m = 144, k = 256, n = 512;
        var rng = new Random(5);
        var w = WeightMatrix.FromFloats("in-cache", RandomFloats(k * n, rng), k, n, WeightLayout.InOut);
        float[] x = RandomFloats(m * k, rng), y = new float[m * n];
        CpuParallel.Threads = 1;
        double seconds = BestSeconds(() => Gemm.MatMul(x, m, w, y), 1);
        double gflops = 2.0 * m * k * n / seconds / 1e9;
        Console.WriteLine($"In-cache GEMM {m}x{k}x{n} F32, 1 thread, {family}: {gflops:F1} GFLOP/s = {100 * gflops / peak1:F0}% of the 1-thread peak");
        CpuSimd.Level = CpuSimd.Best;
    }

    /// <summary>The fastest of repeated runs (after one warm-up) within about <paramref name="budget"/> seconds, at least 3 runs.</summary>
    internal static double BestSeconds(Action run, double budget)
    {
        run();
        double best = double.MaxValue, total = 0;
        for (int i = 0; i < 3 || total < budget; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            run();
            double s = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            best = Math.Min(best, s);
            total += s;
        }
        return best;
    }

    static float[] RandomFloats(int count, Random rng)
    {
        var a = new float[count];
        for (int i = 0; i < count; i++) a[i] = (float)(rng.NextDouble() * 2 - 1);
        return a;
    }

    /// <summary>A random weight stored in <paramref name="dtype"/> in pinned memory (the returned array, to keep alive while the matrix is used), viewed as a safetensors tensor would be.</summary>
    internal static (WeightMatrix Matrix, Array Storage) RandomWeight(Shape shape, DType dtype, Random rng)
    {
        int[] stored = shape.Layout == WeightLayout.InOut ? [shape.In, shape.Out] : [shape.Out, shape.In];
        float[] values = RandomFloats(shape.In * shape.Out, rng);
        Array storage;
        byte* data;
        if (dtype == DType.F32)
        {
            var a = GC.AllocateArray<float>(values.Length, pinned: true);
            values.CopyTo(a, 0);
            storage = a;
            fixed (float* p = a) data = (byte*)p;
        }
        else
        {
            var a = GC.AllocateArray<ushort>(values.Length, pinned: true);
            for (int i = 0; i < a.Length; i++) a[i] = HalfFloat.SingleToBF16(values[i]);
            storage = a;
            fixed (ushort* p = a) data = (byte*)p;
        }
        var view = new TensorView(shape.Name, dtype, stored, data, "random");
        return (new WeightMatrix(view, shape.Layout), storage);
    }
}
