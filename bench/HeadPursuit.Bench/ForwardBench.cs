using System.Diagnostics;
using System.Globalization;
using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Backends.Cpu;
using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.Cpu;
using HeadPursuit.Runtime.Generation;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Runtime.Tensors;

namespace HeadPursuit.Bench;

/// <summary>
/// Prefill and decode throughput of the CPU backend on random weights with real shapes, with and without
/// pooled head capture, on one core and on all cores; achieved GFLOP/s against the FMA peak measured in the
/// same run; optionally the PyTorch peer (shared/peers/torch_forward.py) on the same shapes.
/// </summary>
sealed class ForwardBench : IBench
{
    public string Name => "forward";
    public string Description => "prefill/decode tokens/s with and without capture; --model gpt2|llama|qwen3|gemma3|all --dtype f32|bf16 --batch 8 --T 128 --peer PATH --profile";

    public int Run(string[] args)
    {
        string which = Arg(args, "--model") ?? "all";
        var dtype = (Arg(args, "--dtype") ?? "f32") == "bf16" ? DType.BF16 : DType.F32;
        int batch = int.Parse(Arg(args, "--batch") ?? "8", CultureInfo.InvariantCulture);
        int T = int.Parse(Arg(args, "--T") ?? "128", CultureInfo.InvariantCulture);
        string? peer = Arg(args, "--peer");
        bool profile = args.Contains("--profile");
        int all = Environment.ProcessorCount;
        int[] threadCounts = all > 1 ? [1, all] : [1];

        Console.WriteLine($"# forward benchmark ({DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores, {dtype} weights, batch {batch} x {T} tokens)\n");
        var peak = threadCounts.ToDictionary(t => t, t => FmaPeak.Measure(t));
        foreach (var (t, p) in peak) Console.WriteLine($"measured fp32 FMA peak, {t} thread(s): {p:0.0} GFLOP/s");
        Console.WriteLine();
        Console.WriteLine("| model | threads | prefill tok/s (logits) | + capture | capture overhead | capture only (no logits) | GFLOP/s (capture only) | % of peak | decode tok/s (batch 1) |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");

        var models = new List<Func<RandomModel>>();
        if (which is "gpt2" or "all") models.Add(() => RandomModel.Gpt2Small(dtype));
        if (which is "llama" or "all") models.Add(() => RandomModel.LlamaGqa(dtype));
        if (which is "qwen3" or "all") models.Add(() => RandomModel.Qwen3Small(dtype));
        if (which is "gemma3" or "all") models.Add(() => RandomModel.Gemma3Small(dtype));
        foreach (var make in models)
        {
            using var random = make();
            var timing = new OpTimingBackend(new CpuBackend());
            using var model = Transformer.Load(random.Folder, profile ? timing : new CpuBackend());
            var c = model.Config;
            var rng = new Random(7);
            var prompts = Enumerable.Range(0, batch).Select(_ => Enumerable.Range(0, T).Select(_ => rng.Next(c.Vocab)).ToArray()).ToArray();
            double blockFlops = RandomModel.BlockFlopsPerToken(c) * batch * T + RandomModel.AttentionFlops(c, T) * batch;
            foreach (int threads in threadCounts)
            {
                CpuParallel.Threads = threads;
                double plain = Best(() => Prefill(model, prompts, capture: false, logits: true));
                double captured = Best(() => Prefill(model, prompts, capture: true, logits: true));
                double captureOnly = Best(() => Prefill(model, prompts, capture: true, logits: false));
                double decode = Decode(model, prompts[0]);
                int tokens = batch * T;
                double gflops = blockFlops / captureOnly / 1e9;
                if (profile)
                {
                    timing.Reset();
                    double total = Prefill(model, prompts, capture: true, logits: true);
                    Console.Error.WriteLine($"{c.ModelType}, {threads} thread(s), prefill with capture and logits: {total:0.000} s");
                    foreach (var (op, sec) in timing.Seconds.OrderByDescending(kv => kv.Value))
                        Console.Error.WriteLine($"  {op,-22} {sec,7:0.000} s  {100 * sec / total,5:0.0}%");
                }
                Console.WriteLine($"| {c.ModelType} L{c.Layers} d{c.DModel} H{c.Heads}/{c.KvHeads} V{c.Vocab} | {threads} | {tokens / plain:0} | {tokens / captured:0} | " +
                                  $"{100 * (captured / plain - 1):0.0}% | {tokens / captureOnly:0} | {gflops:0.0} | {100 * gflops / peak[threads]:0}% | {decode:0.0} |");
            }
        }
        if (peer != null)
        {
            Console.WriteLine("\nPeer (PyTorch eager, same GPT-2-small shapes):\n");
            foreach (int threads in threadCounts)
                Console.WriteLine(RunPeer(peer, batch, T, threads));
        }
        return 0;
    }

    /// <summary>Seconds of one packed prefill of the prompts, with pooled capture over every position and/or logits.</summary>
    internal static double Prefill(Transformer model, int[][] prompts, bool capture, bool logits)
    {
        var c = model.Config;
        int width = c.Layers * c.Heads * c.DHead;
        var layout = new BatchLayout(Enumerable.Range(0, prompts.Length).ToArray(), new int[prompts.Length], prompts.Select(p => p.Length).ToArray());
        using var cache = model.NewCache(prompts.Length, prompts.Max(p => p.Length));
        using var sums = model.Backend.Activations(prompts.Length, width);
        var plan = PoolingPlan.MeanOver(prompts.Select(p => CapturePositionMasks.For(p, CapturePositions.All, new HashSet<int>())).ToArray());
        var sw = Stopwatch.StartNew();
        model.Forward(new ForwardRequest
        {
            Tokens = prompts.SelectMany(p => p).ToArray(), Layout = layout, Logits = logits ? LogitRows.All : LogitRows.None,
            Pool = capture ? plan : null, PoolSums = capture ? sums : null,
        }, cache);
        return sw.Elapsed.TotalSeconds;
    }

    static double Decode(Transformer model, int[] prompt)
    {
        var result = new Generator(model).Generate([prompt], new SamplingOptions { MaxNewTokens = 33 });
        return result.DecodeTokensPerSecond;
    }

    /// <summary>Best of 3 timed runs after one warm-up.</summary>
    static double Best(Func<double> run)
    {
        run();
        double best = double.MaxValue;
        for (int i = 0; i < 3; i++) best = Math.Min(best, run());
        return best;
    }

    static string RunPeer(string script, int batch, int T, int threads)
    {
        var psi = new ProcessStartInfo("/usr/bin/python3", $"{script} --batch {batch} --T {T} --threads {threads}")
        { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        return string.Join("\n", output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => "    " + l));
    }

    static string? Arg(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
