using System.CommandLine;
using HeadPursuit.Runtime.Capture;
using HeadPursuit.Somp;

namespace HeadPursuit.Cli.Commands;

/// <summary>`headpursuit decompose`: full-vocabulary SOMP per head: the tokens each head writes, in selection order, with its EVR curve,
/// beside the head's aggregated logit-lens tokens (top of W_U times its mean output; the paper's Tables 1 and 6).</summary>
sealed class DecomposeCommand : HeadPursuitCommand
{
    readonly Option<string?> _model = CommonOptions.Model("the model the activations were captured from (default: the built-in TinyWorld GPT-2)");
    readonly Option<string?> _activations = Opt.Text("--activations", "ACTS.safetensors", "pooled head outputs written by `headpursuit capture`").Required();
    readonly Option<int> _iterations = Opt.Int("--iterations", "N", "SOMP iterations per head", VocabularyDecomposition.DefaultIterations, min: 1);
    readonly Option<HeadId[]?> _heads = Opt.Parsed<HeadId[]?>("--heads", "L0H1,L3H2", "only these heads (default: all)", HeadList.Parse);
    readonly Option<Shard> _shard = Shard.Option(
        "only the K-th of N contiguous slices of those heads (0-based), e.g. one Slurm array task each; join the parts' decompose.json with merge (docs/slurm.md)");
    readonly Option<int> _top = Opt.Int("--top", "K", "tokens shown per head in the Markdown table, and logit-lens tokens per head", 10, min: 1);
    readonly Option<string?> _out = Opt.Text("--out", "DIR", "where to write decompose.json and decompose.md").WithDefault(".");
    readonly SompFlags _somp = new();
    readonly BackendOptions _backend = new();

    public DecomposeCommand(StatusOutput status)
        : base("decompose", "each head's top tokens over the whole vocabulary (full-vocabulary SOMP, and the logit lens) and its EVR curve", status)
    {
        AddOptions([_model, _activations, _iterations, _heads, _shard, _top, _out, .. _somp.All, .. _backend.All]);
    }

    protected override int Run(ParseResult parse)
    {
        string? model = parse.GetValue(_model);
        string actsPath = parse.GetValue(_activations)!;
        int iterations = parse.GetValue(_iterations), top = parse.GetValue(_top);
        var shard = parse.GetValue(_shard);
        string outDir = parse.GetValue(_out)!;
        var options = _somp.Read(parse);
        var wanted = parse.Given(_heads)?.Distinct().Order().ToArray();
        using var claim = OutputClaim.Take("--out", DecompositionReport.Files(outDir), [.. InputFile.Of("--activations", actsPath), .. InputFile.OfModel(model)]);
        using var backend = _backend.Create(parse, Status);

        string modelName = BuiltinModel.Or(model, Status);
        using var loaded = ModelArgument.Load(modelName, backend, Status);
        var tok = loaded.Tokenizer;
        if (tok == null) Status.Note($"{loaded.Folder} has no tokenizer.json: tokens are shown as #ID");
        // Ids past the tokenizer's vocabulary (a model's padded embedding rows) have no text either.
        string Text(int id) => tok?.IdToToken(id) != null ? tok.Decode([id]) : $"#{id}";
        var acts = HeadActivations.Load(actsPath);
        ModelIdentity.Check(acts, actsPath, loaded.Folder, modelName);
        // The heads asked for, in (layer, head) order, and this shard's contiguous slice of them.
        var selection = wanted ?? [.. Enumerable.Range(0, acts.Layers * acts.Heads).Select(i => new HeadId(i / acts.Heads, i % acts.Heads))];
        VocabularyDecomposition.CheckHeads(acts, selection);
        var (start, end) = shard.Slice(selection.Length);
        if (end <= start) throw new ArgumentException($"shard {shard} of {selection.Length} heads is empty");
        var heads = selection[start..end];

        var readout = ModelReadout.From(loaded.Model);
        var solver = CommonOptions.SompSolver(backend, Status);
        var results = VocabularyDecomposition.Run(acts, readout.Blocks, readout.Unembedding, options,
                                                  options.FoldFinalNorm ? readout.FinalNormGain : null, iterations, heads: heads, solver: solver);
        var report = new DecompositionReport
        {
            Model = modelName, Activations = Path.GetFileName(actsPath), Samples = acts.Samples, Iterations = iterations,
            Center = options.Center, Normalize = options.Normalize, FoldFinalNorm = options.FoldFinalNorm, Top = top,
            HeadOutput = readout.Blocks.HeadOutput, Selection = wanted == null ? "all" : string.Join(",", wanted), Shard = shard.ToString(),
            Heads = [.. results.Select(r =>
            {
                int[] lens = LogitLensTokens.TopTokens(acts, readout.Blocks, readout.Unembedding, r.Head, top);
                return new DecomposedHead(r.Head.ToString(), r.TokenIds, [.. r.TokenIds.Select(Text)], r.Evr, lens, [.. lens.Select(Text)]);
            })],
        };
        report.Write(outDir);
        Console.WriteLine(report.ToMarkdown());
        return ExitCode.Ok;
    }
}
