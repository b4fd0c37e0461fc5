using System.CommandLine;
using HeadPursuit.Eval.Experiments;
using HeadPursuit.Eval.Sensitivity;
using HeadPursuit.Runtime.Files;
using HeadPursuit.Somp;

namespace HeadPursuit.Cli.Commands;

/// <summary>
/// `headpursuit sensitivity`: how stable a concept's head ranking is under changes of its word list. A command of its
/// own rather than a flag on `rank`: it ranks the heads once per variant (dozens of SOMP runs over one capture) and
/// writes a comparison table and plots, not rankings, so none of rank's outputs or options apply.
/// </summary>
sealed class SensitivityCommand : HeadPursuitCommand
{
    readonly Option<string?> _model = CommonOptions.Model("the model to rank the heads of").Required();
    readonly Option<string?> _activations = Opt.Text("--activations", "ACTS.safetensors", "pooled head outputs written by `headpursuit capture`");
    readonly Option<string?> _prompts = Opt.Text("--prompts", "FILE", "or capture them now from these prompts");
    readonly Option<string?> _concept = CommonOptions.Concept("--concept",
        $"a built-in list ({string.Join(", ", ConceptLists.BuiltinNames)}), a word-list file, or lexicon:NAME (a list of the model folder's lexicon.json)").Required();
    readonly Option<string> _conceptTokens = CommonOptions.ConceptTokensOption();
    readonly Option<int[]?> _fractions = Opt.Ints("--fractions", "P,...", "random subsets keeping P% of the words (default 25,50,75; the full list is ranked too)", min: 1, max: 100);
    readonly Option<int> _seeds = Opt.Int("--seeds", "N", "subsets (and distractor draws) per fraction, seeds 1..N", 5, min: 1);
    readonly Option<string?> _distractors = CommonOptions.Concept("--distractors", "a second word list (as --concept) whose words are added to the full list");
    readonly Option<int[]?> _distractorFractions = Opt.Ints("--distractor-fractions", "P,...",
        "distractor words added, as % of the list's size (default 25,50,100)", min: 1, max: 1000);
    readonly Option<int[]?> _k = Opt.Ints("--k", "K,...", "top-k sizes compared (default 8,16,32)", min: 1);
    readonly Option<string?> _out = Opt.Text("--out", "STEM", "writes STEM.json|csv|md and STEM.subsets.svg / STEM.distractors.svg (default CONCEPT.sensitivity)");
    readonly Option<int> _batch = Opt.Int("--batch", "N", "capture batch size with --prompts", 8, min: 1);
    readonly Option<string> _encodingErrors = CommonOptions.EncodingErrorsOption();
    readonly BackendOptions _backend = new();

    public SensitivityCommand(StatusOutput status)
        : base("sensitivity", "rank a concept's heads with subsets of its word list and with distractors; how stable is the top-k?", status)
    {
        AddOptions([_model, _activations, _prompts, _concept, _conceptTokens, _fractions, _seeds, _distractors, _distractorFractions, _k, _out, _batch,
                    _encodingErrors, .. _backend.All]);
    }

    public override string Notes => """
        Each variant's ranking is compared with the full list's: the share of the full list's top-k heads it keeps, and
        Spearman's rank correlation over all heads' scores. SOMP runs with N = min(50, |concept tokens|) per variant.
        """;

    protected override int Run(ParseResult parse)
    {
        string modelName = parse.GetValue(_model)!;
        string? actsPath = parse.GetValue(_activations), promptsPath = parse.GetValue(_prompts);
        if ((actsPath == null) == (promptsPath == null)) throw new ArgumentException("give exactly one of --activations, --prompts");
        string concept = parse.Given(_concept)!;
        var tokens = CommonOptions.ConceptTokens(parse.GetValue(_conceptTokens)!);
        var fractions = Fractions(parse.Given(_fractions) ?? [25, 50, 75]);
        var distractorFractions = Fractions(parse.Given(_distractorFractions) ?? [25, 50, 100]);
        string? distractorList = parse.GetValue(_distractors);
        int seeds = parse.GetValue(_seeds);
        var ks = parse.Given(_k) ?? [8, 16, 32];
        int batch = parse.GetValue(_batch);
        var encodingErrors = CommonOptions.EncodingErrors(parse, _encodingErrors);
        string? stem = parse.GetValue(_out);
        using var backend = _backend.Create(parse, Status);

        using var loaded = ModelArgument.Load(modelName, backend, Status);
        var encode = (string w) => loaded.RequireTokenizer().Encode(w);
        var dict = ConceptSource.Load(concept, tokens, loaded.Folder, encode, encodingErrors);
        stem ??= dict.Name + ".sensitivity";
        using var claim = OutputClaim.Take("--out", [.. new[] { ".json", ".csv", ".md" }.Concat(DictionarySensitivity.PlotNames.Select(n => $".{n}.svg")).Select(e => stem + e)],
            [.. InputFile.Of("--activations", actsPath), .. InputFile.Of("--prompts", promptsPath), .. InputFile.Of("--concept", concept),
             .. InputFile.Of("--distractors", distractorList), .. InputFile.OfModel(modelName)]);
        var build = ConceptSource.Builder(tokens, encode);
        var seedList = Enumerable.Range(1, seeds).ToArray();
        var variants = WordListVariant.Subsets(dict.Words, fractions.Where(f => f < 1), seedList).ToList();
        if (distractorList != null)
        {
            var distractors = ConceptSource.Load(distractorList, tokens, loaded.Folder, encode, encodingErrors).Words;
            variants.AddRange(WordListVariant.WithDistractors(dict.Words, distractors, distractorFractions, seedList));
        }

        var acts = PromptCapture.LoadOrRun(loaded, modelName, actsPath, promptsPath, encodingErrors, batch, Status);
        var readout = ModelReadout.From(loaded.Model);
        var scorer = new HeadScorer(acts, readout.Blocks, readout.Unembedding, new SompOptions(), solver: CommonOptions.SompSolver(backend, Status));
        var progress = Status.Progress("rank", ProgressUnit.Of("word lists"));
        var result = DictionarySensitivity.Run(dict.Name, dict.Words, variants, ks, words => scorer.Rank(dict.Name, build(dict.Name, words).TokenIds),
                                               (done, total) => progress.Report(done, total));

        AtomicFile.WriteText(stem + ".json", result.ToJson());
        AtomicFile.WriteText(stem + ".csv", result.ToCsv());
        AtomicFile.WriteText(stem + ".md", result.ToMarkdown());
        foreach (var (name, svg) in result.Plots()) AtomicFile.WriteText($"{stem}.{name}.svg", svg);
        Console.WriteLine(result.ToMarkdown());
        Status.Note($"{dict.Name}: ranked {result.Rows.Count} word lists; wrote {stem}.json, .csv, .md, .svg");
        return ExitCode.Ok;
    }

    /// <summary>Percentages (checked by their options) as fractions, each once, in order.</summary>
    static double[] Fractions(int[] percentages) => [.. percentages.Distinct().Order().Select(p => p / 100.0)];
}
