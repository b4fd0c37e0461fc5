using System.Globalization;
using HeadPursuit.Runtime.Capture;

namespace HeadPursuit.Cli.Commands;

/// <summary>
/// `headpursuit capture`: prompts (or images, for a LLaVA model) in, pooled per-head z out (a HeadActivations safetensors file), in packed batches,
/// with progress, a resumable checkpoint, and --shard K/N to split one run across processes or machines.
/// </summary>
sealed class CaptureCommand : ICommand
{
    const string PartialSuffix = ".partial";

    public string Name => "capture";
    public string Summary => "record every head's pooled output over a prompt set (safetensors, resumable, shardable)";
    public string Usage => $"""
        usage: headpursuit capture [--model MODEL] [--prompts FILE | --images PATH] --out ACTS.safetensors [options]

          --model MODEL         a local model folder or a hub id (default: the built-in TinyWorld GPT-2, with its 300
                                capture prompts when neither --prompts nor --images is given)
          --prompts FILE        one prompt per line (.txt) or JSON lines with a "prompt" or "text" field (.jsonl)
          --images PATH         for a vision-language model (LLaVA): a folder of images (.png, .jpg, .jpeg; one sample each),
                                one image, or JSON lines with an "image" path (relative to the file) and an optional
                                "prompt" (text, or an array of token ids); z is pooled over each sample's image tokens (the
                                paper's VLM pooling)
          --prompt TEXT         with --images: the prompt of samples that give none (default "{ImagePrompts.DefaultText.Replace("\n", "\\n")}")
          --ids LIST            or its token ids, holding the image token id once (a model without tokenizer.json needs this)
          --positions P         text prompts: all-but-special (default: every position except BOS/special tokens), last, all
          --batch N             prompts per forward call (default 8)
          --shard K/N           capture only the K-th of N contiguous slices of the prompts (0-based); join them with merge
          --chat [FAMILY]       wrap text prompts in the model's chat format
          --checkpoint-every N  save a resumable checkpoint every N batches (default 16); a rerun continues from it
        {CommonOptions.BackendUsage}

        Slurm recipe (one task per shard, then one merge; scripts/slurm/ and docs/slurm.md):
          #SBATCH --array=0-7
          headpursuit capture --model M --prompts p.txt --shard $SLURM_ARRAY_TASK_ID/8 --out acts.$SLURM_ARRAY_TASK_ID.safetensors
          headpursuit merge --out acts.safetensors acts.*.safetensors
        """;

    public int Run(CommandLine args)
    {
        string outPath = args.Required("out");
        string? model = args.String("model"), promptsPath = args.String("prompts"), imagesPath = args.String("images"), positionsText = args.String("positions");
        string? prompt = args.String("prompt");
        var ids = args.Ints("ids");
        var positions = ParsePositions(positionsText ?? "all-but-special");
        int batch = args.Int("batch", 8), every = args.Int("checkpoint-every", 16);
        var shard = Shard.Parse(args.String("shard"));
        bool chat = args.Flag("chat");
        string? chatFamily = args.String("chat");
        using var backend = CommonOptions.Backend(args);
        args.RejectUnknown();
        if (every <= 0) throw new ArgumentException($"--checkpoint-every must be positive, got {every}");
        if (promptsPath != null && imagesPath != null) throw new ArgumentException("give at most one of --prompts, --images");
        bool noInput = promptsPath == null && imagesPath == null;
        if (noInput && model != null) throw new ArgumentException($"give --prompts or --images for {model}");
        string? defaultPrompts = noInput ? BuiltinModel.CapturePrompts : null;
        promptsPath ??= defaultPrompts;
        if (imagesPath == null && (prompt != null || ids.Length > 0))
            throw new ArgumentException("--prompt and --ids give the prompt of --images samples; text prompts come from --prompts FILE");
        if (imagesPath != null && (positionsText != null || chat))
            throw new ArgumentException("--images pools over the image tokens: --positions and --chat apply to --prompts only");
        if (prompt != null && ids.Length > 0) throw new ArgumentException("give at most one of --prompt, --ids");
        var samples = imagesPath == null ? null
            : ImageSamples.Read(imagesPath, ids.Length > 0 ? null : prompt ?? ImagePrompts.DefaultText, ids.Length > 0 ? ids : null);

        using var loaded = LoadedModel.Load(BuiltinModel.Or(model, defaultPrompts), backend);
        var source = samples != null
            ? CaptureSource.FromImages(loaded, imagesPath!, samples, batch)
            : CaptureSource.FromPrompts(loaded, promptsPath!, positions, chat, chatFamily, batch);
        var (start, end) = shard.Slice(source.Samples);
        if (end <= start) throw new ArgumentException($"shard {shard} of {source.Samples} {source.Kind} is empty");

        var metadata = new Dictionary<string, string>
        {
            ["config_sha256"] = ModelIdentity.ConfigHash(loaded.Folder),
            [source.Kind] = source.InputName,
            [source.Kind + "_sha256"] = source.InputSha256,
            ["shard"] = shard.ToString(),
            ["sample_start"] = start.ToString(CultureInfo.InvariantCulture),
            ["samples_total"] = source.Samples.ToString(CultureInfo.InvariantCulture),
        };
        string partial = outPath + PartialSuffix;
        var done = Resume(partial, metadata);
        if (done != null) Console.Error.WriteLine($"resuming from {partial}: {done.Samples} of {end - start} samples already captured");

        var progress = new ConsoleProgress("capture", "samples");
        var parts = done != null ? new List<HeadActivations> { done } : new List<HeadActivations>();
        int next = start + (done?.Samples ?? 0);
        while (next < end)
        {
            int count = Math.Min(batch * every, end - next);
            int offset = next;
            var part = source.Capture(next, count, (d, _) => progress.Report(offset - start + d, end - start));
            parts.Add(part);
            next += count;
            if (next < end) Stamp(HeadActivationsJoin.Concat(parts), loaded.Name, source.Positions, metadata).Save(partial);
        }
        Stamp(HeadActivationsJoin.Concat(parts), loaded.Name, source.Positions, metadata).Save(outPath);
        File.Delete(partial);
        var c = loaded.Model.Config;
        Console.Error.WriteLine($"wrote {outPath}: {end - start} samples x {c.Layers} layers x {c.Heads} heads x d_head {c.DHead}");
        return 0;
    }

    static HeadActivations Stamp(HeadActivations a, string model, string positions, Dictionary<string, string> metadata) =>
        new(a.Layers, a.Heads, a.Samples, a.DHead, a.Z) { Model = model, Positions = positions, Metadata = new(metadata) };

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
}
