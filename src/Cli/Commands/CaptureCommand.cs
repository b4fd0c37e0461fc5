using System.CommandLine;
using System.Globalization;
using HeadPursuit.Runtime.Capture;

namespace HeadPursuit.Cli.Commands;

/// <summary>
/// `headpursuit capture`: prompts (or images, for a LLaVA model) in, pooled per-head z out (a HeadActivations safetensors file), in packed batches,
/// with progress, a resumable checkpoint, and --shard K/N to split one run across processes or machines.
/// </summary>
sealed class CaptureCommand : HeadPursuitCommand
{
    const string PartialSuffix = ".partial";

    readonly Option<string?> _out = Opt.Text("--out", "ACTS.safetensors", "where to write the pooled head outputs").Required();
    readonly Option<string?> _model = CommonOptions.Model("default: the built-in TinyWorld GPT-2, with its 300 capture prompts when neither --prompts nor --images is given");
    readonly Option<string?> _prompts = Opt.Text("--prompts", "FILE", "one prompt per line (.txt) or JSON lines with a \"prompt\" or \"text\" field (.jsonl)");
    readonly Option<string?> _images = Opt.Text("--images", "PATH",
        "for a vision-language model (LLaVA): a folder of images (.png, .jpg, .jpeg; one sample each), one image, or JSON lines with an " +
        "\"image\" path (relative to the file) and an optional \"prompt\" (text, or an array of token ids); z is pooled over each " +
        "sample's image tokens (the paper's VLM pooling)");
    readonly Option<string?> _prompt = Opt.Text("--prompt", "TEXT",
        $"with --images: the prompt of samples that give none (default \"{ImagePrompts.DefaultText.Replace("\n", "\\n")}\")");
    readonly Option<int[]?> _ids = Opt.Ints("--ids", "LIST",
        "with --images: the prompt as token ids, holding the image token id once (a model without tokenizer.json needs this)", min: 0);
    readonly Option<string> _positions = Opt.Choice("--positions",
        "text prompts: the positions pooled: every position except BOS/special tokens, the last one, or all", "all-but-special", "all-but-special", "last", "all");
    readonly Option<int> _batch = Opt.Int("--batch", "N", "prompts per forward call", 8, min: 1);
    readonly Option<Shard> _shard = Shard.Option("capture only the K-th of N contiguous slices of the prompts (0-based); join the parts with merge");
    readonly Option<string?> _chat = Opt.TextOrAlone("--chat", "FAMILY", "wrap text prompts in the model's chat format (or FAMILY's: llama2, mistral, llama3, chatml, gemma)");
    readonly Option<int> _checkpointEvery = Opt.Int("--checkpoint-every", "N", "save a resumable checkpoint every N batches; a rerun continues from it", 16, min: 1);
    readonly Option<string> _encodingErrors = CommonOptions.EncodingErrorsOption();
    readonly BackendOptions _backend = new();

    public CaptureCommand(StatusOutput status)
        : base("capture", "record every head's pooled output over a prompt set (safetensors, resumable, shardable)", status)
    {
        AddOptions([_out, _model, _prompts, _images, _prompt, _ids, _positions, _batch, _shard, _chat, _checkpointEvery, _encodingErrors, .. _backend.All]);
    }

    public override string Notes => """
        Slurm recipe (one task per shard, then one merge; scripts/slurm/ and docs/slurm.md):
          #SBATCH --array=0-7
          headpursuit capture --model M --prompts p.txt --shard $SLURM_ARRAY_TASK_ID/8 --out acts.$SLURM_ARRAY_TASK_ID.safetensors
          headpursuit merge --out acts.safetensors acts.*.safetensors
        """;

    protected override int Run(ParseResult parse)
    {
        string outPath = parse.GetValue(_out)!;
        string? model = parse.GetValue(_model), promptsPath = parse.GetValue(_prompts), imagesPath = parse.GetValue(_images);
        string? prompt = parse.GetValue(_prompt);
        int[]? ids = parse.Given(_ids);
        var positions = ParsePositions(parse.GetValue(_positions)!);
        int batch = parse.GetValue(_batch), every = parse.GetValue(_checkpointEvery);
        var shard = parse.GetValue(_shard);
        bool chat = parse.IsGiven(_chat);
        string? chatFamily = parse.GetValue(_chat);
        if (promptsPath != null && imagesPath != null) throw new ArgumentException("give at most one of --prompts, --images");
        bool noInput = promptsPath == null && imagesPath == null;
        if (noInput && model != null) throw new ArgumentException($"give --prompts or --images for {model}");
        string? defaultPrompts = noInput ? BuiltinModel.CapturePrompts : null;
        promptsPath ??= defaultPrompts;
        if (imagesPath == null && (prompt != null || ids != null))
            throw new ArgumentException("--prompt and --ids give the prompt of --images samples; text prompts come from --prompts FILE");
        if (imagesPath != null && (parse.IsGiven(_positions) || chat))
            throw new ArgumentException("--images pools over the image tokens: --positions and --chat apply to --prompts only");
        if (prompt != null && ids != null) throw new ArgumentException("give at most one of --prompt, --ids");
        string partial = outPath + PartialSuffix;
        using var claim = OutputClaim.Take("--out", [outPath, partial],
            [.. InputFile.Of("--prompts", promptsPath), .. InputFile.Of("--images", imagesPath), .. InputFile.OfModel(model)]);
        var samples = imagesPath == null ? null : ImageSamples.Read(imagesPath, ids != null ? null : prompt ?? ImagePrompts.DefaultText, ids);
        using var backend = _backend.Create(parse, Status);

        using var loaded = ModelArgument.Load(BuiltinModel.Or(model, Status, defaultPrompts), backend, Status);
        var source = samples != null
            ? CaptureSource.FromImages(loaded, imagesPath!, samples, batch)
            : CaptureSource.FromPrompts(loaded, promptsPath!, CommonOptions.EncodingErrors(parse, _encodingErrors), positions, chat, chatFamily, batch);
        var (start, end) = shard.Slice(source.Samples);
        if (end <= start) throw new ArgumentException($"shard {shard} of {source.Samples} {source.Kind} is empty");

        var metadata = new Dictionary<string, string>
        {
            [ModelIdentity.MetadataKey] = ModelIdentity.ConfigHash(loaded.Folder),
            [source.Kind] = source.InputName,
            [source.Kind + "_sha256"] = source.InputSha256,
            ["shard"] = shard.ToString(),
            ["sample_start"] = start.ToString(CultureInfo.InvariantCulture),
            ["samples_total"] = source.Samples.ToString(CultureInfo.InvariantCulture),
        };
        var done = Resume(partial, metadata);
        if (done != null) Status.Note($"resuming from {partial}: {done.Samples} of {end - start} samples already captured");

        var progress = Status.Progress("capture", ProgressUnit.Of("samples"));
        var parts = done != null ? new List<HeadActivations> { done } : new List<HeadActivations>();
        int next = start + (done?.Samples ?? 0);
        while (next < end)
        {
            int count = Math.Min(batch * every, end - next);
            int offset = next;
            var part = source.Capture(next, count, (d, _) => progress.Report(offset - start + d, end - start));
            parts.Add(part);
            next += count;
            if (next < end) Stamp(HeadActivationsJoin.Concat(parts), loaded.Name, source.Positions, metadata, unfinished: true).Save(partial);
        }
        Stamp(HeadActivationsJoin.Concat(parts), loaded.Name, source.Positions, metadata, unfinished: false).Save(outPath);
        File.Delete(partial);
        var c = loaded.Model.Config;
        Status.Note($"wrote {outPath}: {end - start} samples x {c.Layers} layers x {c.Heads} heads x d_head {c.DHead}");
        return ExitCode.Ok;
    }

    static HeadActivations Stamp(HeadActivations a, string model, string positions, Dictionary<string, string> metadata, bool unfinished) =>
        new(a.Layers, a.Heads, a.Samples, a.DHead, a.Z) { Model = model, Positions = positions, Metadata = new(metadata), Unfinished = unfinished };

    /// <summary>A checkpoint of the same run (same model, prompts, shard), or null.</summary>
    static HeadActivations? Resume(string partial, Dictionary<string, string> metadata)
    {
        if (!File.Exists(partial)) return null;
        var acts = HeadActivations.LoadCheckpoint(partial);
        foreach (var (k, v) in metadata)
            if (acts.Metadata.GetValueOrDefault(k) != v)
                throw new ArgumentException($"{partial} is a checkpoint of another run ({k} = '{acts.Metadata.GetValueOrDefault(k)}', now '{v}'): delete it to start over");
        return acts;
    }

    static CapturePositions ParsePositions(string s) => s switch
    {
        "last" => CapturePositions.Last,
        "all" => CapturePositions.All,
        _ => CapturePositions.AllButSpecial,
    };
}
