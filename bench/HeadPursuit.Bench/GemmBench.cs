using System.Diagnostics;
using HeadPursuit.Runtime.Cpu;
using HeadPursuit.Runtime.Tensors;

namespace HeadPursuit.Bench;

/// <summary>
/// GEMM speed on GPT-2-small shapes against the measured FMA peak: prefill (m = 1024) in GFLOP/s and % of
/// peak, decode (m = 1) in GB/s of weight streamed; F32 and BF16 random weights; 1 thread and all threads.
/// Optional argument: a shape-name filter (e.g. "c_fc").
/// </summary>
public sealed unsafe class GemmBench : IBench
{
    public string Name => "gemm";
    public string Description => "GEMM GFLOP/s and % of FMA peak on GPT-2-small prefill/decode shapes";

    sealed record Shape(string Name, int In, int Out, WeightLayout Layout);

    static readonly Shape[] Shapes =
    [
        new("c_attn 768->2304", 768, 2304, WeightLayout.InOut),
        new("attn.c_proj 768->768", 768, 768, WeightLayout.InOut),
        new("c_fc 768->3072", 768, 3072, WeightLayout.InOut),
        new("mlp.c_proj 3072->768", 3072, 768, WeightLayout.InOut),
        new("lm_head 768->50257", 768, 50257, WeightLayout.OutIn),
    ];

    public int Run(string[] args)
    {
        string filter = args.Length > 0 ? args[0] : "";
        int all = Environment.ProcessorCount;
        int[] threadCounts = all > 1 ? [1, all] : [1];
        var peak = threadCounts.ToDictionary(t => t, t => FmaPeak.Measure(t));
        Console.WriteLine($"FMA peak (fp32): {string.Join(", ", threadCounts.Select(t => $"{t} thread(s) {peak[t]:F1} GFLOP/s"))}");
        Console.WriteLine($"SIMD kernels: {CpuSimd.Level} (widest here: {CpuSimd.Best})\n");

        InCacheKernelLine(peak[1]);

        const int prefillRows = 1024;
        Console.WriteLine($"| shape | layout | dtype | threads | prefill m={prefillRows} GFLOP/s | % of peak | decode m=1 GB/s | decode us |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        var rng = new Random(1234);
        foreach (var shape in Shapes.Where(s => s.Name.Contains(filter)))
            foreach (var dtype in new[] { DType.F32, DType.BF16 })
            {
                var (weight, storage) = RandomWeight(shape, dtype, rng);
                float[] xPrefill = RandomFloats(prefillRows * shape.In, rng), yPrefill = new float[prefillRows * shape.Out];
                float[] xDecode = RandomFloats(shape.In, rng), yDecode = new float[shape.Out];
                foreach (int threads in threadCounts)
                {
                    CpuParallel.Threads = threads;
                    double prefill = BestSeconds(() => Gemm.MatMul(xPrefill, prefillRows, weight, yPrefill), 2);
                    double decode = BestSeconds(() => Gemm.MatMul(xDecode, 1, weight, yDecode), 0.5);
                    double gflops = 2.0 * prefillRows * shape.In * shape.Out / prefill / 1e9;
                    double bytes = (double)shape.In * shape.Out * DTypes.SizeOf(dtype);
                    Console.WriteLine($"| {shape.Name} | {shape.Layout} | {dtype} | {threads} | {gflops:F1} | {100 * gflops / peak[threads]:F0}% | {bytes / decode / 1e9:F1} | {decode * 1e6:F0} |");
                }
                GC.KeepAlive(storage);
            }
        CpuParallel.Threads = all;
        return 0;
    }

    /// <summary>
    /// One thread on a problem that stays in L2 (x 144 x 256, W 256 x 512 F32): the kernel's own efficiency,
    /// with little memory traffic and, as the best of many short runs, little disturbance from other processes.
    /// </summary>
    static void InCacheKernelLine(double peak1)
    {
        const int m = 144, k = 256, n = 512;
        var rng = new Random(5);
        var w = WeightMatrix.FromFloats("in-cache", RandomFloats(k * n, rng), k, n, WeightLayout.InOut);
        float[] x = RandomFloats(m * k, rng), y = new float[m * n];
        CpuParallel.Threads = 1;
        double seconds = BestSeconds(() => Gemm.MatMul(x, m, w, y), 1);
        double gflops = 2.0 * m * k * n / seconds / 1e9;
        Console.WriteLine($"In-cache GEMM {m}x{k}x{n} F32, 1 thread: {gflops:F1} GFLOP/s = {100 * gflops / peak1:F0}% of the 1-thread peak\n");
    }

    /// <summary>The fastest of repeated runs (after one warm-up) within about <paramref name="budget"/> seconds, at least 3 runs.</summary>
    static double BestSeconds(Action run, double budget)
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
    static (WeightMatrix Matrix, Array Storage) RandomWeight(Shape shape, DType dtype, Random rng)
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
