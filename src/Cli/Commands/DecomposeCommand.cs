using HeadPursuit.Eval.Heads;
using HeadPursuit.Runtime.Capture;
using HeadPursuit.Somp;

namespace HeadPursuit.Cli.Commands;

/// <summary>`headpursuit decompose`: full-vocabulary SOMP per head: the tokens each head writes, in selection order, with its EVR curve,
/// beside the head's aggregated logit-lens tokens (top of W_U times its mean output; the paper's Tables 1 and 6).</summary>
sealed class DecomposeCommand : ICommand
{
    public string Name => "decompose";
    public string Summary => "each head's top tokens over the whole vocabulary (full-vocabulary SOMP, and the logit lens) and its EVR curve";
    public string Usage => $"""
        usage: headpursuit decompose [--model MODEL] --activations ACTS.safetensors [options]

          --model MODEL         the model the activations were captured from (default: the built-in TinyWorld GPT-2)
          --iterations N        SOMP iterations per head (default 50)
          --heads L0H1,L3H2     only these heads (default: all)
          --shard K/N           only the K-th of N contiguous slices of those heads (0-based), e.g. one Slurm array task
                                each; join the parts' decompose.json with merge (docs/slurm.md)
          --top K               tokens shown per head in the Markdown table (default 10)
          --out DIR             writes decompose.json and decompose.md (default: current folder)
          --no-center --no-normalize --fold-final-norm   SOMP options
        {CommonOptions.BackendUsage}
        """;

    public int Run(CommandLine args)
    {
        string? model = args.String("model");
        string actsPath = args.Required("activations");
        int iterations = args.Int("iterations", VocabularyDecomposition.DefaultIterations), top = args.Int("top", 10);
        string? headList = args.String("heads");
        var shard = Shard.Parse(args.String("shard"));
        string outDir = args.String("out") ?? ".";
        var options = new SompOptions(Center: !args.Flag("no-center"), Normalize: !args.Flag("no-normalize"), FoldFinalNorm: args.Flag("fold-final-norm"));
        using var backend = CommonOptions.Backend(args);
        args.RejectUnknown();
        var wanted = headList == null ? null : HeadList.Parse(headList).Distinct().Order().ToArray();

        string modelName = BuiltinModel.Or(model);
        using var loaded = LoadedModel.Load(modelName, backend);
        var tok = loaded.Tokenizer;
        if (tok == null) Console.Error.WriteLine($"{loaded.Folder} has no tokenizer.json: tokens are shown as #ID");
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
        var solver = CommonOptions.SompSolver(backend);
        var results = VocabularyDecomposition.Run(acts, readout.Blocks, readout.Unembedding, options,
                                                  options.FoldFinalNorm ? readout.FinalNormGain : null, iterations, heads: heads, solver: solver);
        var report = new DecompositionReport
        {
            Model = modelName, Activations = Path.GetFileName(actsPath), Samples = acts.Samples, Iterations = iterations,
            Center = options.Center, Normalize = options.Normalize, FoldFinalNorm = options.FoldFinalNorm, Top = top,
            HeadOutput = readout.Blocks.HeadOutput, Selection = wanted == null ? "all" : string.Join(",", wanted), Shard = shard.ToString(),
            Heads = [.. results.Select(r =>
            {
                int[] lens = HeadLogitLens.TopTokens(acts, readout.Blocks, readout.Unembedding, r.Head, top);
                return new DecomposedHead(r.Head.ToString(), r.TokenIds, [.. r.TokenIds.Select(Text)], r.Evr, lens, [.. lens.Select(Text)]);
            })],
        };
        report.Write(outDir);
        Console.WriteLine(report.ToMarkdown());
        return 0;
    }
}
