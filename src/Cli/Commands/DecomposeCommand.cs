using System.Globalization;
using System.Text;
using System.Text.Json;
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
        string outDir = args.String("out") ?? ".";
        var options = new SompOptions(Center: !args.Flag("no-center"), Normalize: !args.Flag("no-normalize"), FoldFinalNorm: args.Flag("fold-final-norm"));
        var backend = CommonOptions.Backend(args);
        args.RejectUnknown();

        string modelName = BuiltinModel.Or(model);
        using var loaded = LoadedModel.Load(modelName, backend);
        var tok = loaded.Tokenizer;
        if (tok == null) Console.Error.WriteLine($"{loaded.Folder} has no tokenizer.json: tokens are shown as #ID");
        string Text(int id) => tok?.Decode([id]) ?? $"#{id}";
        var acts = HeadActivations.Load(actsPath);
        ModelIdentity.Check(acts, actsPath, loaded.Folder, modelName);
        var readout = ModelReadout.From(loaded.Model);
        var wanted = headList?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(HeadId.Parse).ToHashSet();
        var solver = CommonOptions.SompSolver(backend);
        var results = VocabularyDecomposition.Run(acts, readout.Blocks, readout.Unembedding, options,
                                                  options.FoldFinalNorm ? readout.FinalNormGain : null, iterations, heads: wanted, solver: solver);
        var lensTokens = results.ToDictionary(r => r.Head, r => HeadLogitLens.TopTokens(acts, readout.Blocks, readout.Unembedding, r.Head, top));
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, "decompose.json"), JsonSerializer.Serialize(new
        {
            model = modelName, activations = Path.GetFileName(actsPath), samples = acts.Samples, iterations,
            center = options.Center, normalize = options.Normalize, fold_final_norm = options.FoldFinalNorm,
            heads = results.Select(r => new
            {
                head = r.Head.ToString(), token_ids = r.TokenIds, tokens = r.TokenIds.Select(Text), evr = r.Evr,
                logit_lens_token_ids = lensTokens[r.Head], logit_lens_tokens = lensTokens[r.Head].Select(Text),
            }),
        }, new JsonSerializerOptions { WriteIndented = true }));
        var md = new StringBuilder();
        md.AppendLine($"# Full-vocabulary decomposition ({acts.Samples} samples, {iterations} SOMP iterations)\n");
        md.AppendLine($"Logit lens: the top {top} tokens of W_U (W_O^(h) mean z) per head (raw rows, no final norm).\n");
        // EVR after the tokens shown, and after all iterations when that is more.
        int[] evrAt = top < iterations ? [top, iterations] : [iterations];
        md.AppendLine($"| head | {string.Join(" | ", evrAt.Select(k => $"EVR@{k}"))} | top tokens in selection order | logit lens |");
        md.AppendLine($"|---|{string.Concat(evrAt.Select(_ => "---|"))}---|---|");
        foreach (var r in results)
        {
            string Tokens(IEnumerable<int> ids) => string.Join(" ", ids.Select(id => "`" + Text(id).Replace("`", "'").Replace("|", "\\|").Replace("\n", "\\n") + "`"));
            string At(int k) => r.Evr.Length >= k ? r.Evr[k - 1].ToString("0.000", CultureInfo.InvariantCulture) : "-";
            md.AppendLine($"| {r.Head} | {string.Join(" | ", evrAt.Select(At))} | {Tokens(r.TokenIds.Take(top))} | {Tokens(lensTokens[r.Head])} |");
        }
        File.WriteAllText(Path.Combine(outDir, "decompose.md"), md.ToString());
        Console.WriteLine(md);
        return 0;
    }
}
