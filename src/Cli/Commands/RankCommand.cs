using HeadPursuit.Eval.Experiments;
using HeadPursuit.Somp;

namespace HeadPursuit.Cli.Commands;

/// <summary>`headpursuit rank`: concept(s) -> every head scored by SOMP (and the logit-lens baseline), as JSON, CSV, Markdown and an SVG heatmap.</summary>
sealed class RankCommand : ICommand
{
    public string Name => "rank";
    public string Summary => "rank all heads for one or more concepts with SOMP (plus the logit-lens baseline)";
    public string Usage => $"""
        usage: headpursuit rank [--model MODEL] [--activations ACTS.safetensors | --prompts FILE] (--concept NAME[,NAME...] | --concept-ids NAME=ID,...) [options]

          --model MODEL         a local model folder or a hub id (default: the built-in TinyWorld GPT-2, with its 300
                                capture prompts when neither --activations nor --prompts is given)
          --activations A       pooled head outputs written by `headpursuit capture`
          --prompts FILE        or capture them now from these prompts (mean over all positions but special tokens; --batch N)
          --concept C           a built-in list ({string.Join(", ", ConceptLists.BuiltinNames)}), a word-list file, or
                                lexicon:NAME (a list of the model folder's lexicon.json)
          --concept-ids N=IDS   or a concept as token ids, e.g. colours=5,17,99 (N names the output files; no tokenizer needed)
          --iterations N        SOMP iterations (default min(50, |concept tokens|))
          --top K               heads shown in the Markdown table (default 16)
          --out DIR             where to write CONCEPT.somp.json|csv|md|svg, CONCEPT.logit_lens.json|csv|md and
                                CONCEPT.dictionary.md (default: current folder)
          --no-center --no-normalize --fold-final-norm   SOMP options (DESIGN.md section 3)
          --no-space-variant    do not also tokenize " word"
          --concept-tokens T    both ("word" and " word", the default) or space (" word" only)
        {CommonOptions.BackendUsage}
        With the model on CUDA, SOMP runs there too (fp32 correlations; the CPU solver keeps float64).
        """;

    public int Run(CommandLine args)
    {
        string? model = args.String("model"), actsPath = args.String("activations"), promptsPath = args.String("prompts");
        int batch = args.Int("batch", 8);
        if (actsPath != null && promptsPath != null) throw new ArgumentException("give at most one of --activations, --prompts");
        bool noInput = actsPath == null && promptsPath == null;
        if (noInput && model != null) throw new ArgumentException($"give --activations or --prompts for {model}");
        string? defaultPrompts = noInput ? BuiltinModel.CapturePrompts : null;
        promptsPath ??= defaultPrompts;
        string? conceptText = args.String("concept"), conceptIdsText = args.String("concept-ids");
        if ((conceptText == null) == (conceptIdsText == null)) throw new ArgumentException("give exactly one of --concept, --concept-ids");
        int? iterations = args.String("iterations") == null ? null : args.Int("iterations", 0);
        int top = args.Int("top", 16);
        string outDir = args.String("out") ?? ".";
        var options = new SompOptions(Center: !args.Flag("no-center"), Normalize: !args.Flag("no-normalize"), FoldFinalNorm: args.Flag("fold-final-norm"));
        bool spaceVariant = !args.Flag("no-space-variant");
        var tokens = CommonOptions.ConceptTokens(args);
        if (!spaceVariant && tokens != ConceptTokens.Both) throw new ArgumentException("give --no-space-variant (\"word\" only) or --concept-tokens space (\" word\" only), not both");
        using var backend = CommonOptions.Backend(args);
        args.RejectUnknown();

        string modelName = BuiltinModel.Or(model, defaultPrompts);
        using var loaded = LoadedModel.Load(modelName, backend);
        var tok = loaded.Tokenizer;
        ConceptDictionary[] dicts = conceptIdsText != null
            ? [ConceptIds.Parse(conceptIdsText, loaded.Model.Config.Vocab)]
            : [.. conceptText!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                              .Select(concept => spaceVariant
                                  ? ConceptSource.Load(concept, tokens, loaded.Folder, w => loaded.RequireTokenizer().Encode(w))
                                  : ConceptLists.Load(concept, w => loaded.RequireTokenizer().Encode(w), spaceVariant: false))];
        var acts = PromptCapture.LoadOrRun(loaded, modelName, actsPath, promptsPath, batch);
        var readout = ModelReadout.From(loaded.Model);
        var solver = CommonOptions.SompSolver(backend);
        var scorer = new HeadScorer(acts, readout.Blocks, readout.Unembedding, options, options.FoldFinalNorm ? readout.FinalNormGain : null, solver);
        Directory.CreateDirectory(outDir);
        foreach (var dict in dicts)
        {
            string name = dict.Name;
            var somp = scorer.Rank(name, dict.TokenIds, iterations);
            var lens = scorer.LogitLens(name, dict.TokenIds);
            string stem = Path.Combine(outDir, name);
            File.WriteAllText(stem + ".somp.json", somp.ToJson());
            File.WriteAllText(stem + ".somp.csv", somp.ToCsv());
            File.WriteAllText(stem + ".somp.md", somp.ToMarkdown(top));
            File.WriteAllText(stem + ".somp.svg", HeatmapSvg.Write(somp));
            File.WriteAllText(stem + ".logit_lens.json", lens.ToJson());
            File.WriteAllText(stem + ".logit_lens.csv", lens.ToCsv());
            File.WriteAllText(stem + ".logit_lens.md", lens.ToMarkdown(top));
            File.WriteAllText(stem + ".dictionary.md", DictionaryReport.Markdown(dict, tok));
            Console.WriteLine(somp.ToMarkdown(top));
            Console.Error.WriteLine($"{name}: {dict.TokenIds.Length} tokens from {dict.Words.Count} words ({dict.MultiTokenWords.Count} multi-token)");
            Console.Error.WriteLine($"  ranking: {stem}.somp.md (also .json, .csv; the logit-lens baseline in {stem}.logit_lens.*)");
            Console.Error.WriteLine($"  heatmap: {stem}.somp.svg");
            Console.Error.WriteLine($"  report:  {stem}.dictionary.md (the concept's tokens, multi-token words and their fragments)");
        }
        return 0;
    }
}
