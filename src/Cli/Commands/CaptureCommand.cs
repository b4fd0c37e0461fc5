using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using HeadPursuit.Runtime.Capture;

namespace HeadPursuit.Cli.Commands;

/// <summary>
/// `headpursuit capture`: prompts in, pooled per-head z out (a HeadActivations safetensors file), in packed batches,
/// with progress, a resumable checkpoint, and --shard K/N to split one run across processes or machines.
/// </summary>
sealed class CaptureCommand : ICommand
{
    const string PartialSuffix = ".partial";

    public string Name => "capture";
    public string Summary => "record every head's pooled output over a prompt set (safetensors, resumable, shardable)";
    public string Usage => $"""
        usage: headpursuit capture --model MODEL --prompts FILE --out ACTS.safetensors [options]

          --prompts FILE        one prompt per line (.txt) or JSON lines with a "prompt" or "text" field (.jsonl)
          --positions P         all-but-special (default: every position except BOS/special tokens), last, all
          --batch N             prompts per forward call (default 8)
          --shard K/N           capture only the K-th of N contiguous slices of the prompts (0-based); join them with merge
          --chat [FAMILY]       wrap prompts in the model's chat format
          --checkpoint-every N  save a resumable checkpoint every N batches (default 16); a rerun continues from it
        {CommonOptions.BackendUsage}

        Slurm recipe (one task per shard, then one merge):
          #SBATCH --array=0-7
          headpursuit capture --model M --prompts p.txt --shard $SLURM_ARRAY_TASK_ID/8 --out acts.$SLURM_ARRAY_TASK_ID.safetensors
          headpursuit merge --out acts.safetensors acts.*.safetensors
        """;

    public int Run(CommandLine args)
    {
        string modelName = args.Required("model"), promptsPath = args.Required("prompts"), outPath = args.Required("out");
        var positions = ParsePositions(args.String("positions") ?? "all-but-special");
        int batch = args.Int("batch", 8), every = args.Int("checkpoint-every", 16);
        var (shard, shards) = ParseShard(args.String("shard") ?? "0/1");
        bool chat = args.Flag("chat");
        string? chatFamily = args.String("chat");
        var backend = CommonOptions.Backend(args);
        args.RejectUnknown();
        if (every <= 0) throw new ArgumentException($"--checkpoint-every must be positive, got {every}");

        var texts = PromptFile.Read(promptsPath);
        using var loaded = LoadedModel.Load(modelName, backend);
        var tok = loaded.RequireTokenizer();
        var prompts = PromptEncoding.Encode(tok, texts, chat, chatFamily);
        int start = (int)((long)texts.Length * shard / shards), end = (int)((long)texts.Length * (shard + 1) / shards);
        if (end <= start) throw new ArgumentException($"shard {shard}/{shards} of {texts.Length} prompts is empty");
        var masks = PromptCapture.Masks(tok, prompts, positions);

        var metadata = new Dictionary<string, string>
        {
            ["config_sha256"] = ModelIdentity.ConfigHash(loaded.Folder),
            ["prompts"] = Path.GetFileName(promptsPath),
            ["prompts_sha256"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n", texts)))),
            ["shard"] = $"{shard}/{shards}",
            ["sample_start"] = start.ToString(CultureInfo.InvariantCulture),
            ["samples_total"] = texts.Length.ToString(CultureInfo.InvariantCulture),
        };
        string partial = outPath + PartialSuffix;
        var done = Resume(partial, metadata);
        if (done != null) Console.Error.WriteLine($"resuming from {partial}: {done.Samples} of {end - start} samples already captured");

        var capture = new HeadCapture(loaded.Model);
        var progress = new ConsoleProgress("capture", "samples");
        var parts = done != null ? new List<HeadActivations> { done } : new List<HeadActivations>();
        int next = start + (done?.Samples ?? 0);
        while (next < end)
        {
            int count = Math.Min(batch * every, end - next);
            int offset = next;
            var part = capture.Run(prompts[next..(next + count)], masks[next..(next + count)], batch,
                                   progress: (d, _) => progress.Report(offset - start + d, end - start));
            parts.Add(part);
            next += count;
            if (next < end) Stamp(HeadActivationsJoin.Concat(parts), loaded.Name, positions, metadata).Save(partial);
        }
        Stamp(HeadActivationsJoin.Concat(parts), loaded.Name, positions, metadata).Save(outPath);
        File.Delete(partial);
        var c = loaded.Model.Config;
        Console.Error.WriteLine($"wrote {outPath}: {end - start} samples x {c.Layers} layers x {c.Heads} heads x d_head {c.DHead}");
        return 0;
    }

    static HeadActivations Stamp(HeadActivations a, string model, CapturePositions positions, Dictionary<string, string> metadata) =>
        new(a.Layers, a.Heads, a.Samples, a.DHead, a.Z) { Model = model, Positions = CapturePositionMasks.Describe(positions), Metadata = new(metadata) };

    /// <summary>A checkpoint of the same run (same model, prompts, shard), or null.</summary>
    static HeadActivations? Resume(string partial, Dictionary<string, string> metadata)
    {
        if (!File.Exists(partial)) return null;
        var acts = HeadActivations.Load(partial);
        foreach (var (k, v) in metadata)
            if (acts.Metadata.GetValueOrDefault(k) != v)
                throw new ArgumentException($"{partial} is a checkpoint of another run ({k} = '{acts.Metadata.GetValueOrDefault(k)}', now '{v}'): delete it to start over");
        return acts;
    }

    static CapturePositions ParsePositions(string s) => s switch
    {
        "all-but-special" => CapturePositions.AllButSpecial,
        "last" => CapturePositions.Last,
        "all" => CapturePositions.All,
        _ => throw new ArgumentException($"--positions '{s}' is not one of all-but-special, last, all"),
    };

    static (int, int) ParseShard(string s)
    {
        var parts = s.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], out int k) || !int.TryParse(parts[1], out int n) || n <= 0 || k < 0 || k >= n)
            throw new ArgumentException($"--shard '{s}' must be K/N with 0 <= K < N");
        return (k, n);
    }
}
