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
/// pooled head capture; achieved GFLOP/s against the FMA peak measured in the same run; with --peer, the peers of
/// the peers folder (<see cref="ForwardPeers"/>, <see cref="PeersFolder"/>) on the same shapes and work, interleaved with our runs round by round
/// (--rounds), medians reported with their ranges and our ratio to each peer.
/// </summary>
sealed class ForwardBench : IBench
{
    public string Name => "forward";
    public string Description => "prefill/decode tokens/s with and without capture; --model gpt2|llama|qwen3|gemma3|all --dtype f32|bf16 [--bf16-dot] --batch 8 --T 128 --threads 1,2 --rounds 1 --peer libtorch,llama,pytorch --peers-dir DIR --profile";

    public int Run(string[] args)
    {
        string which = Arg(args, "--model") ?? "all";
        var dtype = (Arg(args, "--dtype") ?? "f32") == "bf16" ? DType.BF16 : DType.F32;
        bool bf16Dot = args.Contains("--bf16-dot");
        int batch = int.Parse(Arg(args, "--batch") ?? "8", CultureInfo.InvariantCulture);
        int T = int.Parse(Arg(args, "--T") ?? "128", CultureInfo.InvariantCulture);
        int rounds = int.Parse(Arg(args, "--rounds") ?? "1", CultureInfo.InvariantCulture);
        string[] peers = (Arg(args, "--peer") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries);
        foreach (var p in peers)
            if (!ForwardPeers.Names.Contains(p)) throw new ArgumentException($"--peer {p}: unknown (known: {string.Join(", ", ForwardPeers.Names)})");
        var runner = peers.Length == 0 ? null : new ForwardPeers(Arg(args, "--peers-dir") ?? PeersFolder.Find());   // looked for only when asked
        bool profile = args.Contains("--profile");
        int all = Environment.ProcessorCount;
        int[] threadCounts = Arg(args, "--threads") is string t ? t.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray()
            : all > 1 ? [1, all] : [1];
        Gemm.Bf16DotProducts = bf16Dot;
        string ourDtype = dtype == DType.BF16 ? (bf16Dot ? "bf16 (bf16 dot products)" : "bf16 (f32 activations)") : "f32";
        string peerDtype = dtype == DType.BF16 ? "bf16" : "f32";

        Console.WriteLine($"# forward benchmark ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, {ourDtype} weights, batch {batch} x {T} tokens, {rounds} round(s))\n");
        Console.WriteLine($"load average before: {GemmBench.LoadAverage()}");
        Console.WriteLine($"kernels: {CpuSimd.Level} (widest here {CpuSimd.Best}){(bf16Dot ? "; bf16 dot products on " + Gemm.Bf16DotProductKernels : "")}");
        var peak = threadCounts.ToDictionary(n => n, n => FmaPeak.Measure(n));
        foreach (var (n, p) in peak) Console.WriteLine($"measured fp32 FMA peak ({CpuSimd.Best}), {n} thread(s): {p:0.0} GFLOP/s");
        Console.WriteLine();

        var results = new Dictionary<(string Model, int Threads, string System), List<ForwardFigures>>();
        void Add(string model, int threads, string system, ForwardFigures f)
        {
            if (!results.TryGetValue((model, threads, system), out var list)) results[(model, threads, system)] = list = [];
            list.Add(f);
            // Each run as it ends (a long run on a busy machine can then be read, or stopped, part way).
            Console.WriteLine($"  {DateTime.UtcNow:HH:mm:ss} {model} {threads} thread(s) {system}: prefill {f.Prefill:0.#}, + capture {f.Captured:0.#}, capture only {f.CaptureOnly:0.#}, decode {f.Decode:0.#} tok/s (load {GemmBench.LoadAverage()})");
        }
        var models = new List<(string Name, Func<RandomModel> Make)>();
        if (which is "gpt2" or "all") models.Add(("gpt2", () => RandomModel.Gpt2Small(dtype)));
        if (which is "llama" or "all") models.Add(("llama", () => RandomModel.LlamaGqa(dtype)));
        if (which is "qwen3" or "all") models.Add(("qwen3", () => RandomModel.Qwen3Small(dtype)));
        if (which is "gemma3" or "all") models.Add(("gemma3", () => RandomModel.Gemma3Small(dtype)));
        string ours = $"HeadPursuit {ourDtype}";
        var gflops = new Dictionary<(string, int), List<double>>();
        foreach (var (name, make) in models)
        {
            using var random = make();
            var timing = new OpTimingBackend(new CpuBackend());
            using var model = Transformer.Load(random.Folder, profile ? timing : new CpuBackend());
            var c = model.Config;
            var rng = new Random(7);
            var prompts = Enumerable.Range(0, batch).Select(_ => Enumerable.Range(0, T).Select(_ => rng.Next(c.Vocab)).ToArray()).ToArray();
            double blockFlops = RandomModel.BlockFlopsPerToken(c) * batch * T + RandomModel.AttentionFlops(c, T) * batch;
            using var cache = model.NewCache(batch, T);   // one cache for every prefill call, as `capture` keeps one for all its batches
            for (int round = 0; round < rounds; round++)
                foreach (int threads in threadCounts)
                {
                    CpuParallel.Threads = threads;
                    double plain = Best(() => Prefill(model, cache, prompts, capture: false, logits: true));
                    double captured = Best(() => Prefill(model, cache, prompts, capture: true, logits: true));
                    double captureOnly = Best(() => Prefill(model, cache, prompts, capture: true, logits: false));
                    double decode = Decode(model, prompts[0]);
                    int tokens = batch * T;
                    Add(name, threads, ours, new(tokens / plain, tokens / captured, tokens / captureOnly, decode));
                    if (!gflops.TryGetValue((name, threads), out var g)) gflops[(name, threads)] = g = [];
                    g.Add(blockFlops / captureOnly / 1e9);
                    if (profile && round == 0)
                    {
                        timing.Reset();
                        double total = Prefill(model, cache, prompts, capture: true, logits: true);
                        Console.Error.WriteLine($"{c.ModelType}, {threads} thread(s), prefill with capture and logits: {total:0.000} s");
                        Breakdown(timing, total);
                        timing.Reset();
                        var sw = Stopwatch.StartNew();
                        Decode(model, prompts[0]);
                        Console.Error.WriteLine($"{c.ModelType}, {threads} thread(s), batch-1 generation (prefill of {T} tokens, then 32 decode steps):");
                        Breakdown(timing, sw.Elapsed.TotalSeconds);
                    }
                    foreach (var peer in peers.Where(p => ForwardPeers.Supports(p, name)))
                    {
                        // llama.cpp's BF16 matmuls widen to f32 in the LLamaSharp build (README there): its F16 file is its fast one.
                        string dt = peer == "llama" && dtype == DType.BF16 ? "f16" : peerDtype;
                        Add(name, threads, ForwardPeers.Label(peer, peer == "pytorch" ? "f32" : dt), runner!.Run(peer, name, dt, threads, batch, T));
                    }
                }
        }
        Gemm.Bf16DotProducts = false;

        Console.WriteLine($"Medians of {rounds} round(s) [min-max]; each HeadPursuit figure is the best of 3 runs after a warm-up (the peers time the same way).\n");
        Console.WriteLine("| model | threads | system | prefill tok/s (all logits) | + capture | capture only (no logits) | decode tok/s (batch 1) |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var ((model, threads, system), list) in results)
            Console.WriteLine($"| {ModelLabel(model)} | {threads} | {system} | {Cell(list, f => f.Prefill)} | {Cell(list, f => f.Captured)} | {Cell(list, f => f.CaptureOnly)} | {Cell(list, f => f.Decode)} |");
        Console.WriteLine();
        foreach (var ((model, threads), g) in gflops)
            Console.WriteLine($"{ModelLabel(model)}, {threads} thread(s): capture-only GFLOP/s {Median(g):0.0} = {100 * Median(g) / peak[threads]:0}% of the measured peak");
        if (peers.Length > 0)
        {
            Console.WriteLine($"\nRatios, HeadPursuit / peer (medians of the same rounds; above 1 = we are faster):\n");
            Console.WriteLine("| model | threads | peer | prefill (all logits) | + capture | capture only | decode |");
            Console.WriteLine("|---|---|---|---|---|---|---|");
            foreach (var ((model, threads, system), list) in results.Where(r => r.Key.System != ours))
            {
                var us = results[(model, threads, ours)];
                string Ratio(Func<ForwardFigures, double> f) => double.IsNaN(Median(list, f)) ? "-" : $"{Median(us, f) / Median(list, f):0.00}x";
                Console.WriteLine($"| {ModelLabel(model)} | {threads} | {system} | {Ratio(f => f.Prefill)} | {Ratio(f => f.Captured)} | {Ratio(f => f.CaptureOnly)} | {Ratio(f => f.Decode)} |");
            }
        }
        Console.WriteLine($"\nload average after: {GemmBench.LoadAverage()}");
        return 0;
    }

    static string ModelLabel(string model) => model switch
    {
        "gpt2" => "GPT-2 small (L12 d768 H12 V50257)",
        "llama" => "Llama GQA (L8 d1024 H16/KV4 ff2816 V32000)",
        "qwen3" => "Qwen3-0.6B shape (L28 d1024 H16/KV8 of 128, QK-norm, ff3072 V151936)",
        "gemma3" => "Gemma-3-1B text shape (L26 d1152 H4/KV1 of 256, 5 local : 1 global, ff6912 V262144)",
        _ => throw new ArgumentException($"no label for model {model}"),
    };

    static double Median(List<double> values)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).Order().ToArray();
        if (sorted.Length == 0) return double.NaN;
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    static double Median(List<ForwardFigures> list, Func<ForwardFigures, double> f) => Median(list.Select(f).ToList());

    static string Cell(List<ForwardFigures> list, Func<ForwardFigures, double> f)
    {
        double median = Median(list, f);
        if (double.IsNaN(median)) return "-";
        string format = median < 200 ? "0.0" : "0";
        return list.Count == 1 ? median.ToString(format, CultureInfo.InvariantCulture)
            : $"{median.ToString(format, CultureInfo.InvariantCulture)} [{list.Min(f).ToString(format, CultureInfo.InvariantCulture)}-{list.Max(f).ToString(format, CultureInfo.InvariantCulture)}]";
    }

    /// <summary>Seconds of one packed prefill of the prompts, with pooled capture over every position and/or logits.</summary>
    internal static double Prefill(Transformer model, KvCache cache, int[][] prompts, bool capture, bool logits)
    {
        var c = model.Config;
        int width = c.Layers * c.Heads * c.DHead;
        var layout = new BatchLayout(Enumerable.Range(0, prompts.Length).ToArray(), new int[prompts.Length], prompts.Select(p => p.Length).ToArray());
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

    static void Breakdown(OpTimingBackend timing, double total)
    {
        foreach (var (op, sec) in timing.Seconds.OrderByDescending(kv => kv.Value))
            Console.Error.WriteLine($"  {op,-22} {sec,7:0.000} s  {100 * sec / total,5:0.0}%");
    }

    /// <summary>
    /// Decode tok/s of one batch-1 generation (a 128-token prompt, then 32 greedy steps), timed once as the peers time it,
    /// after one untimed generation: the decode path's methods reach their optimised JIT tier there, not in the timed
    /// steps (the native peers have no JIT to warm up).
    /// </summary>
    static double Decode(Transformer model, int[] prompt)
    {
        var generator = new Generator(model);
        var options = new SamplingOptions { MaxNewTokens = 33 };
        generator.Generate([prompt], options);
        return generator.Generate([prompt], options).DecodeTokensPerSecond;
    }

    /// <summary>Best of 3 timed runs after one warm-up.</summary>
    static double Best(Func<double> run)
    {
        run();
        double best = double.MaxValue;
        for (int i = 0; i < 3; i++) best = Math.Min(best, run());
        return best;
    }

    static string? Arg(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
