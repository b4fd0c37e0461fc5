using System.Diagnostics;
using HeadPursuit.Bench;
using HeadPursuit.Kernels;
using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.Generation;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Runtime.Tensors;

namespace HeadPursuit.GpuCheck;

/// <summary>
/// Whole-model throughput on the GPU with random BF16 weights at real shapes: prefill with pooled capture of every
/// head (8 x 512 tokens) as model-FLOP utilisation against the GPU's bf16 dense peak, and batch-1 decode against the
/// bound set by streaming every weight once per token from HBM.
/// </summary>
static class ModelBench
{
    public static void Run(CudaBackend cuda)
    {
        // Published dense bf16 peaks and HBM bandwidths (SXM parts); anything else is reported without a fraction.
        (double Flops, double Bandwidth)? spec = cuda.Device.Name.Contains("H200") ? (989e12, 4.8e12)
                                               : cuda.Device.Name.Contains("H100") ? (989e12, 3.35e12) : null;
        Console.WriteLine(spec == null ? "  (unknown GPU: no peak figures)" : $"  assumed peak: {spec.Value.Flops / 1e12:F0} TFLOP/s bf16 dense, {spec.Value.Bandwidth / 1e12:F2} TB/s HBM");
        foreach (var (name, make) in new (string, Func<RandomModel>)[] { ("GPT-2 small", () => RandomModel.Gpt2Small(DType.BF16)), ("Mistral-7B shape", () => RandomModel.Mistral7B(DType.BF16)) })
        {
            var made = Stopwatch.StartNew();
            using var random = make();
            using var model = Transformer.Load(random.Folder, cuda);
            var c = model.Config;
            Console.WriteLine($"  {name}: random weights written and loaded in {made.Elapsed.TotalSeconds:F0} s");
            int batch = 8, T = 512;
            var rng = new Random(5);
            var prompts = Enumerable.Range(0, batch).Select(_ => Enumerable.Range(0, T).Select(_ => rng.Next(c.Vocab)).ToArray()).ToArray();
            double seconds = Best(() => Prefill(cuda, model, prompts));
            double flops = RandomModel.BlockFlopsPerToken(c) * batch * T + RandomModel.AttentionFlops(c, T) * batch;
            string mfu = spec == null ? "" : $", MFU {100 * flops / seconds / spec.Value.Flops:F1}%";
            Console.WriteLine($"ok   {name} prefill + capture {batch}x{T}: {batch * T / seconds:F0} tok/s, {flops / seconds / 1e12:F1} TFLOP/s{mfu}");

            var result = new Generator(model).Generate([prompts[0][..128]], new SamplingOptions { MaxNewTokens = 65 });
            long weightBytes = new FileInfo(Path.Combine(random.Folder, "model.safetensors")).Length;
            string bound = spec == null ? "" : $", bound {spec.Value.Bandwidth / weightBytes:F0} tok/s ({100 * result.DecodeTokensPerSecond * weightBytes / spec.Value.Bandwidth:F0}% of it)";
            Console.WriteLine($"ok   {name} decode batch 1: {result.DecodeTokensPerSecond:F1} tok/s{bound}");
        }
    }

    static double Prefill(CudaBackend cuda, Transformer model, int[][] prompts)
    {
        var c = model.Config;
        var layout = new BatchLayout(Enumerable.Range(0, prompts.Length).ToArray(), new int[prompts.Length], prompts.Select(p => p.Length).ToArray());
        using var cache = model.NewCache(prompts.Length, prompts[0].Length);
        using var sums = cuda.Activations(prompts.Length, c.Layers * c.Heads * c.DHead);
        var plan = PoolingPlan.MeanOver(prompts.Select(p => p.Select((_, t) => t > 0).ToArray()).ToArray());
        cuda.Device.Synchronize();
        var sw = Stopwatch.StartNew();
        model.Forward(new ForwardRequest
        {
            Tokens = prompts.SelectMany(p => p).ToArray(), Layout = layout, Logits = LogitRows.None, Pool = plan, PoolSums = sums,
        }, cache);
        cuda.Device.Synchronize();
        return sw.Elapsed.TotalSeconds;
    }

    static double Best(Func<double> run)
    {
        run();
        double best = double.MaxValue;
        for (int i = 0; i < 3; i++) best = Math.Min(best, run());
        return best;
    }
}
