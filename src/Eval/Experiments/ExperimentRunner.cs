using HeadPursuit.Runtime.Models;
using HeadPursuit.Somp;

namespace HeadPursuit.Eval.Experiments;

/// <summary>
/// Runs an experiment, text or image (the <see cref="ExperimentTask"/> says how its samples are prompted, generated from
/// and captured): ranks the heads (capturing, or reading ranking files), then generates for every cell of the grid
/// (see <see cref="CellPlan.Grid"/>), scores each cell and stores it in the results file as it ends, so an interrupted
/// run resumes where it stopped.
/// </summary>
public sealed class ExperimentRunner(ExperimentSpec spec, ExperimentTask task)
{
    /// <summary>Called with (stage, done, total) as work advances.</summary>
    public Action<string, int, int>? Progress { get; init; }
    /// <summary>Where the SOMP ranking runs (the CPU when not set).</summary>
    public ISompSolver? Solver { get; init; }
    /// <summary>The loaded model of the experiment's "toxicity_classifier" (needed when it has one).</summary>
    public SequenceClassifier? ToxicityClassifier { get; init; }

    /// <summary>Runs the experiment: ranks, generates and scores every cell not already in the results file, and returns the report.</summary>
    public ExperimentReport Run()
    {
        var model = task.Model;
        var c = model.Config;
        spec.CheckAgainst(c, spec.Name);
        var concept = task.Concept();
        var toxic = spec.ToxicityWords == null ? null : ConceptLists.Load(spec.ToxicityWords, task.Encode).Words;
        var metrics = CellMetrics.For(spec, model, concept.Words, concept.TokenIds, toxic, ToxicityClassifier);
        var (somp, lens) = Rankings(concept, c);
        var cells = CellPlan.Grid(spec, somp, lens, c.Layers, c.Heads);
        var prompts = task.PromptIds;
        var store = new ResultsStore(spec.ReportStem + ".cells.jsonl", spec.Fingerprint, cells, prompts.Length, spec.Metrics);
        var decoding = spec.Decoding.StopTokens.Length > 0 ? spec.Decoding : spec.Decoding with { StopTokens = c.EosIds };

        var results = CellLoop.Run(cells, store, Progress, cell =>
        {
            var scales = cell.Scales(spec, c.Layers, c.Heads);
            var newTokens = task.Generate(decoding, scales);
            var texts = newTokens.Select(task.Text).ToArray();
            return new CellResult(cell.Key, cell.Selection, cell.K, cell.Draw, cell.Alpha, [.. cell.Heads.Select(h => h.ToString())],
                                  metrics.Compute(prompts, newTokens, texts, scales), texts);
        });
        return new ExperimentReport(spec, somp, lens, results);
    }

    /// <summary>The SOMP and logit-lens rankings the selections need: read from their files, else scored on a capture.</summary>
    (HeadRanking? Somp, HeadRanking? Lens) Rankings(ConceptDictionary concept, ModelConfig c)
    {
        bool needSomp = spec.Selections.Any(s => s.Kind is SelectionKind.Somp or SelectionKind.Random);
        bool needLens = spec.Selections.Any(s => s.Kind == SelectionKind.LogitLens);
        bool capture = needSomp && spec.SompRankingPath == null || needLens && spec.LogitLensRankingPath == null;
        HeadScorer? scorer = capture ? Scorer() : null;
        var somp = !needSomp ? null : spec.SompRankingPath != null ? HeadRankingJson.Read(spec.SompRankingPath) : scorer!.Rank(concept.Name, concept.TokenIds);
        var lens = !needLens ? null : spec.LogitLensRankingPath != null ? HeadRankingJson.Read(spec.LogitLensRankingPath) : scorer!.LogitLens(concept.Name, concept.TokenIds);
        foreach (var r in new[] { somp, lens })
            if (r != null && (r.Layers != c.Layers || r.Heads != c.Heads))
                throw new ArgumentException($"a {r.Method} ranking of {r.Layers} x {r.Heads} heads does not fit the model's {c.Layers} x {c.Heads}");
        return (somp, lens);
    }

    HeadScorer Scorer()
    {
        var acts = task.Capture((d, n) => Progress?.Invoke("capture", d, n));
        var readout = ModelReadout.From(task.Model);
        return new HeadScorer(acts, readout.Blocks, readout.Unembedding, new SompOptions(), solver: Solver);
    }
}
