using HeadPursuit.Eval.Experiments;
using HeadPursuit.Eval.Sensitivity;
using HeadPursuit.Somp;

namespace HeadPursuit.Cli.Commands;

/// <summary>
/// `headpursuit sensitivity`: how stable a concept's head ranking is under changes of its word list. A command of its
/// own rather than a flag on `rank`: it ranks the heads once per variant (dozens of SOMP runs over one capture) and
/// writes a comparison table and plots, not rankings, so none of rank's outputs or options apply.
/// </summary>
sealed class SensitivityCommand : ICommand
{
    public string Name => "sensitivity";
    public string Summary => "rank a concept's heads with subsets of its word list and with distractors; how stable is the top-k?";
    public string Usage => $"""
        usage: headpursuit sensitivity --model MODEL (--activations ACTS.safetensors | --prompts FILE) --concept C [options]

          --concept C               a built-in list ({string.Join(", ", ConceptLists.BuiltinNames)}), a word-list file,
                                    or lexicon:NAME (a list of the model folder's lexicon.json)
          --concept-tokens T        both ("word" and " word", the default) or space (" word" only)
          --fractions P,...         random subsets keeping P% of the words (default 25,50,75; the full list is ranked too)
          --seeds N                 subsets (and distractor draws) per fraction, seeds 1..N (default 5)
          --distractors D           a second word list (as --concept) whose words are added to the full list
          --distractor-fractions P,...   distractor words added, as % of the list's size (default 25,50,100)
          --k K,...                 top-k sizes compared (default 8,16,32)
          --out STEM                writes STEM.json|csv|md and STEM.subsets.svg / STEM.distractors.svg
                                    (default CONCEPT.sensitivity)
          --batch N                 capture batch size with --prompts (default 8)
        {CommonOptions.BackendUsage}
        Each variant's ranking is compared with the full list's: the share of the full list's top-k heads it keeps, and
        Spearman's rank correlation over all heads' scores. SOMP runs with N = min(50, |concept tokens|) per variant.
        """;

    public int Run(CommandLine args)
    {
        string modelName = args.Required("model");
        string? actsPath = args.String("activations"), promptsPath = args.String("prompts");
        if ((actsPath == null) == (promptsPath == null)) throw new ArgumentException("give exactly one of --activations, --prompts");
        string concept = args.Required("concept");
        var tokens = CommonOptions.ConceptTokens(args);
        var fractions = Percentages(args, "fractions", [25, 50, 75], 100);
        var distractorFractions = Percentages(args, "distractor-fractions", [25, 50, 100], 1000);
        string? distractorList = args.String("distractors");
        int seeds = args.Int("seeds", 5);
        if (seeds <= 0) throw new ArgumentException($"--seeds must be positive, got {seeds}");
        var ks = args.Ints("k") is { Length: > 0 } given ? given : [8, 16, 32];
        int batch = args.Int("batch", 8);
        string? stem = args.String("out");
        using var backend = CommonOptions.Backend(args);
        args.RejectUnknown();

        using var loaded = LoadedModel.Load(modelName, backend);
        var encode = (string w) => loaded.RequireTokenizer().Encode(w);
        var dict = ConceptSource.Load(concept, tokens, loaded.Folder, encode);
        var build = ConceptSource.Builder(tokens, encode);
        var seedList = Enumerable.Range(1, seeds).ToArray();
        var variants = WordListVariant.Subsets(dict.Words, fractions.Where(f => f < 1), seedList).ToList();
        if (distractorList != null)
        {
            var distractors = ConceptSource.Load(distractorList, tokens, loaded.Folder, encode).Words;
            variants.AddRange(WordListVariant.WithDistractors(dict.Words, distractors, distractorFractions, seedList));
        }

        var acts = PromptCapture.LoadOrRun(loaded, modelName, actsPath, promptsPath, batch);
        var readout = ModelReadout.From(loaded.Model);
        var scorer = new HeadScorer(acts, readout.Blocks, readout.Unembedding, new SompOptions(), solver: CommonOptions.SompSolver(backend));
        var progress = new ConsoleProgress("rank", "word lists");
        var result = DictionarySensitivity.Run(dict.Name, dict.Words, variants, ks, words => scorer.Rank(dict.Name, build(dict.Name, words).TokenIds), progress.Report);

        stem ??= dict.Name + ".sensitivity";
        string? folder = Path.GetDirectoryName(Path.GetFullPath(stem));
        if (folder != null) Directory.CreateDirectory(folder);
        File.WriteAllText(stem + ".json", result.ToJson());
        File.WriteAllText(stem + ".csv", result.ToCsv());
        File.WriteAllText(stem + ".md", result.ToMarkdown());
        foreach (var (name, svg) in result.Plots()) File.WriteAllText($"{stem}.{name}.svg", svg);
        Console.WriteLine(result.ToMarkdown());
        Console.Error.WriteLine($"{dict.Name}: ranked {result.Rows.Count} word lists; wrote {stem}.json, .csv, .md, .svg");
        return 0;
    }

    /// <summary>A comma-separated list of percentages in (0, max], as fractions.</summary>
    static double[] Percentages(CommandLine args, string name, int[] fallback, int max)
    {
        var values = args.Ints(name) is { Length: > 0 } given ? given : fallback;
        foreach (int p in values)
            if (p <= 0 || p > max) throw new ArgumentException($"--{name}: {p} is not a percentage in (0, {max}]");
        return [.. values.Distinct().Order().Select(p => p / 100.0)];
    }
}
