using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.Generation;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Runtime.Tokenizers;
using HeadPursuit.Somp;

namespace HeadPursuit.Eval.Experiments;

/// <summary>
/// Runs an experiment: ranks the heads (capturing the ranking prompts, or reading ranking files), then generates for
/// every cell of the grid (see <see cref="CellPlan.Grid"/>) over the dataset's prompts, scores each cell and stores it
/// in the results file as it ends, so an interrupted run resumes where it stopped.
/// </summary>
public sealed class ExperimentRunner(ExperimentSpec spec, Transformer model, Tokenizer tokenizer)
{
    /// <summary>Called with (stage, done, total) as work advances.</summary>
    public Action<string, int, int>? Progress { get; init; }
    /// <summary>Where the SOMP ranking runs (the CPU when not set).</summary>
    public ISompSolver? Solver { get; init; }
    /// <summary>The loaded model of the experiment's "toxicity_classifier" (needed when it has one).</summary>
    public SequenceClassifier? ToxicityClassifier { get; init; }

    public ExperimentReport Run()
    {
        var c = model.Config;
        spec.CheckAgainst(c, spec.Name);
        var concept = ConceptSource.Load(spec.Concept, spec.ConceptTokens, spec.Model, w => tokenizer.Encode(w));
        var toxic = spec.ToxicityWords == null ? null : ConceptLists.Load(spec.ToxicityWords, w => tokenizer.Encode(w)).Words;
        var metrics = CellMetrics.For(spec, model, concept.Words, concept.TokenIds, toxic, ToxicityClassifier);
        var (somp, lens) = Rankings(concept);
        var cells = CellPlan.Grid(spec, somp, lens, c.Layers, c.Heads);
        var store = new ResultsStore(spec.ReportStem + ".cells.jsonl", spec.Fingerprint);
        var prompts = spec.Prompts.Select(p => tokenizer.Encode(p, addSpecialTokens: true)).ToArray();
        for (int i = 0; i < prompts.Length; i++)
            if (prompts[i].Length == 0) throw new ArgumentException($"{spec.DatasetSource}: prompt {i + 1} encodes to no tokens");
        var decoding = spec.Decoding.StopTokens.Length > 0 ? spec.Decoding : spec.Decoding with { StopTokens = c.EosIds };

        var results = CellLoop.Run(cells, store, Progress, cell =>
        {
            var scales = cell.Scales(spec, model.Config.Layers, model.Config.Heads);
            var newTokens = Generate(prompts, decoding, scales);
            var texts = newTokens.Select(t => tokenizer.Decode(t, skipSpecialTokens: true)).ToArray();
            return new CellResult(cell.Key, cell.Selection, cell.K, cell.Draw, cell.Alpha, [.. cell.Heads.Select(h => h.ToString())],
                                  metrics.Compute(prompts, newTokens, texts, scales), texts);
        });
        return new ExperimentReport(spec, somp, lens, results);
    }

    int[][] Generate(int[][] prompts, SamplingOptions decoding, HeadScales? scales)
    {
        var result = new List<int[]>(prompts.Length);
        for (int start = 0; start < prompts.Length; start += spec.Batch)
            result.AddRange(new Generator(model).Generate(prompts[start..Math.Min(prompts.Length, start + spec.Batch)], decoding, scales).NewTokens);
        return [.. result];
    }

    (HeadRanking? Somp, HeadRanking? Lens) Rankings(ConceptDictionary concept)
    {
        bool needSomp = spec.Selections.Any(s => s.Kind is SelectionKind.Somp or SelectionKind.Random);
        bool needLens = spec.Selections.Any(s => s.Kind == SelectionKind.LogitLens);
        if (!needSomp && !needLens) return (null, null);
        HeadScorer? scorer = spec.CapturePrompts == null ? null : Scorer();
        var somp = !needSomp ? null : spec.SompRankingPath != null ? HeadRankingJson.Read(spec.SompRankingPath) : scorer!.Rank(concept.Name, concept.TokenIds);
        var lens = !needLens ? null : spec.LogitLensRankingPath != null ? HeadRankingJson.Read(spec.LogitLensRankingPath) : scorer!.LogitLens(concept.Name, concept.TokenIds);
        foreach (var r in new[] { somp, lens })
            if (r != null && (r.Layers != model.Config.Layers || r.Heads != model.Config.Heads))
                throw new ArgumentException($"a {r.Method} ranking of {r.Layers} x {r.Heads} heads does not fit the model's {model.Config.Layers} x {model.Config.Heads}");
        return (somp, lens);
    }

    HeadScorer Scorer()
    {
        var texts = spec.CapturePrompts!;
        var ids = texts.Select(t => tokenizer.Encode(t, addSpecialTokens: true)).ToArray();
        var special = Enumerable.Range(0, tokenizer.VocabSize).Where(tokenizer.IsSpecial).ToHashSet();
        var masks = ids.Select(p => CapturePositionMasks.For(p, spec.CapturePositions, special)).ToArray();
        if (spec.ExcludePrefix != null || spec.ExcludeSuffix != null)
        {
            int[] prefix = spec.ExcludePrefix == null ? [] : tokenizer.Encode(spec.ExcludePrefix);
            int[] suffix = spec.ExcludeSuffix == null ? [] : tokenizer.Encode(spec.ExcludeSuffix);
            masks = [.. masks.Select((m, i) => TemplatePositions.Exclude(ids[i], m, prefix, suffix, $"{spec.CaptureSource}: capture prompt {i + 1}"))];
        }
        var acts = new HeadCapture(model).Run(ids, masks, spec.Batch, progress: (d, n) => Progress?.Invoke("capture", d, n));
        var readout = ModelReadout.From(model);
        return new HeadScorer(acts, readout.Blocks, readout.Unembedding, new SompOptions(), solver: Solver);
    }
}
