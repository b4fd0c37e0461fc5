using System.CommandLine;
using HeadPursuit.Eval.Experiments;
using HeadPursuit.Runtime.Files;
using HeadPursuit.Somp;

namespace HeadPursuit.Cli.Commands;

/// <summary>`headpursuit rank`: concept(s) -> every head scored by SOMP (and the logit-lens baseline), as JSON, CSV, Markdown and an SVG heatmap.</summary>
sealed class RankCommand : HeadPursuitCommand
{
    readonly Option<string?> _model = CommonOptions.Model("default: the built-in TinyWorld GPT-2, with its 300 capture prompts when neither --activations nor --prompts is given");
    readonly Option<string?> _activations = Opt.Text("--activations", "ACTS.safetensors", "pooled head outputs written by `headpursuit capture`");
    readonly Option<string?> _prompts = Opt.Text("--prompts", "FILE", "or capture them now from these prompts (mean over all positions but special tokens)");
    readonly Option<int> _batch = Opt.Int("--batch", "N", "prompts per forward call with --prompts", 8, min: 1);
    readonly Option<string[]?> _concept = CommonOptions.Concepts("--concept",
        $"concepts, comma-separated: a built-in list ({string.Join(", ", ConceptLists.BuiltinNames)}), a word-list file, or lexicon:NAME (a list of the model folder's lexicon.json)");
    readonly Option<string?> _conceptIds = Opt.Text("--concept-ids", "NAME=IDS", "or a concept as token ids, e.g. colours=5,17,99 (NAME names the output files; no tokenizer needed)");
    readonly Option<int?> _iterations = Opt.OptionalInt("--iterations", "N", "SOMP iterations (default: min(50, |concept tokens|))", min: 1);
    readonly Option<int> _top = Opt.Int("--top", "K", "heads shown in the Markdown table", 16, min: 1);
    readonly Option<string?> _out = Opt.Text("--out", "DIR",
        "where to write CONCEPT.somp.json|csv|md|svg, CONCEPT.logit_lens.json|csv|md and CONCEPT.dictionary.md").WithDefault(".");
    readonly SompFlags _somp = new();
    readonly Option<bool> _noSpaceVariant = Opt.Flag("--no-space-variant", "do not also tokenize \" word\" (\"word\" only)");
    readonly Option<string> _conceptTokens = CommonOptions.ConceptTokensOption();
    readonly Option<string> _encodingErrors = CommonOptions.EncodingErrorsOption();
    readonly BackendOptions _backend = new();

    public RankCommand(StatusOutput status) : base("rank", "rank all heads for one or more concepts with SOMP (plus the logit-lens baseline)", status)
    {
        AddOptions([_model, _activations, _prompts, _batch, _concept, _conceptIds, _iterations, _top, _out, .. _somp.All,
                    _noSpaceVariant, _conceptTokens, _encodingErrors, .. _backend.All]);
    }

    public override string Notes => "With the model on CUDA, SOMP runs there too (fp32 correlations; the CPU solver keeps float64).";

    protected override int Run(ParseResult parse)
    {
        string? model = parse.GetValue(_model), actsPath = parse.GetValue(_activations), promptsPath = parse.GetValue(_prompts);
        int batch = parse.GetValue(_batch);
        var encodingErrors = CommonOptions.EncodingErrors(parse, _encodingErrors);
        if (actsPath != null && promptsPath != null) throw new ArgumentException("give at most one of --activations, --prompts");
        bool noInput = actsPath == null && promptsPath == null;
        if (noInput && model != null) throw new ArgumentException($"give --activations or --prompts for {model}");
        string? defaultPrompts = noInput ? BuiltinModel.CapturePrompts : null;
        promptsPath ??= defaultPrompts;
        string[]? concepts = parse.Given(_concept);
        string? conceptIdsText = parse.GetValue(_conceptIds);
        if ((concepts == null) == (conceptIdsText == null)) throw new ArgumentException("give exactly one of --concept, --concept-ids");
        int? iterations = parse.GetValue(_iterations);
        int top = parse.GetValue(_top);
        string outDir = parse.GetValue(_out)!;
        var options = _somp.Read(parse);
        bool spaceVariant = !parse.GetValue(_noSpaceVariant);
        var tokens = CommonOptions.ConceptTokens(parse.GetValue(_conceptTokens)!);
        if (!spaceVariant && tokens != ConceptTokens.Both) throw new ArgumentException("give --no-space-variant (\"word\" only) or --concept-tokens space (\" word\" only), not both");
        using var backend = _backend.Create(parse, Status);

        string modelName = BuiltinModel.Or(model, Status, defaultPrompts);
        using var loaded = ModelArgument.Load(modelName, backend, Status);
        var tok = loaded.Tokenizer;
        ConceptDictionary[] dicts = conceptIdsText != null
            ? [ConceptIds.Parse(conceptIdsText, loaded.Model.Config.Vocab)]
            : [.. concepts!.Select(concept => spaceVariant
                                  ? ConceptSource.Load(concept, tokens, loaded.Folder, w => loaded.RequireTokenizer().Encode(w), encodingErrors)
                                  : ConceptLists.Load(concept, w => loaded.RequireTokenizer().Encode(w), spaceVariant: false, encodingErrors))];
        string[] suffixes = [".somp.json", ".somp.csv", ".somp.md", ".somp.svg", ".logit_lens.json", ".logit_lens.csv", ".logit_lens.md", ".dictionary.md"];
        using var claim = OutputClaim.Take("--out", [.. dicts.SelectMany(d => suffixes.Select(e => Path.Combine(outDir, d.Name) + e))],
            [.. InputFile.Of("--activations", actsPath), .. InputFile.Of("--prompts", promptsPath), .. (concepts ?? []).SelectMany(c => InputFile.Of("--concept", c)),
             .. InputFile.OfModel(model)]);
        var acts = PromptCapture.LoadOrRun(loaded, modelName, actsPath, promptsPath, encodingErrors, batch, Status);
        var readout = ModelReadout.From(loaded.Model);
        var solver = CommonOptions.SompSolver(backend, Status);
        var scorer = new HeadScorer(acts, readout.Blocks, readout.Unembedding, options, options.FoldFinalNorm ? readout.FinalNormGain : null, solver);
        foreach (var dict in dicts)
        {
            string name = dict.Name;
            var somp = scorer.Rank(name, dict.TokenIds, iterations);
            var lens = scorer.LogitLens(name, dict.TokenIds);
            string stem = Path.Combine(outDir, name);
            AtomicFile.WriteText(stem + ".somp.json", somp.ToJson());
            AtomicFile.WriteText(stem + ".somp.csv", somp.ToCsv());
            AtomicFile.WriteText(stem + ".somp.md", somp.ToMarkdown(top));
            AtomicFile.WriteText(stem + ".somp.svg", HeatmapSvg.Write(somp));
            AtomicFile.WriteText(stem + ".logit_lens.json", lens.ToJson());
            AtomicFile.WriteText(stem + ".logit_lens.csv", lens.ToCsv());
            AtomicFile.WriteText(stem + ".logit_lens.md", lens.ToMarkdown(top));
            AtomicFile.WriteText(stem + ".dictionary.md", DictionaryReport.Markdown(dict, tok));
            Console.WriteLine(somp.ToMarkdown(top));
            Status.Note($"{name}: {dict.TokenIds.Length} tokens from {dict.Words.Count} words ({dict.MultiTokenWords.Count} multi-token)");
            Status.Note($"  ranking: {stem}.somp.md (also .json, .csv; the logit-lens baseline in {stem}.logit_lens.*)");
            Status.Note($"  heatmap: {stem}.somp.svg");
            Status.Note($"  report:  {stem}.dictionary.md (the concept's tokens, multi-token words and their fragments)");
        }
        return ExitCode.Ok;
    }
}
