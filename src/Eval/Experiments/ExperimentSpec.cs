using System.Globalization;
using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.Generation;
using HeadPursuit.Runtime.Models;

namespace HeadPursuit.Eval.Experiments;

/// <summary>
/// A parsed, validated experiment file (see <see cref="ExperimentFile"/> for the JSON layout). Paths are absolute.
/// </summary>
public sealed record ExperimentSpec
{
    /// <summary>The experiment's name (the file's "name").</summary>
    public required string Name { get; init; }
    /// <summary>A model folder or a Hugging Face hub id.</summary>
    public required string Model { get; init; }
    /// <summary>How the dataset is read.</summary>
    public required DatasetFormat DatasetFormat { get; init; }
    /// <summary>Where the dataset came from: its file or folder, or "hub ID (config C, split S)".</summary>
    public required string DatasetSource { get; init; }
    /// <summary>The half of the dataset kept (Data.PairedHalves), or null for all of it.</summary>
    public int? DatasetHalf { get; init; }
    /// <summary>
    /// The samples, read (and checked non-empty) when the file is parsed, as the report names them: for a text task each
    /// sample's prompt text (what the model is prompted with); for an image task each image's name (its prompt is the
    /// task's one prompt, <see cref="ImageTaskSpec"/>).
    /// </summary>
    public required string[] Samples { get; init; }
    /// <summary>Per sample, the gold answers (question datasets), the class (image classification) or the reference captions (image captioning).</summary>
    public string[][]? Golds { get; init; }
    /// <summary>A built-in concept name or an absolute path to a word list.</summary>
    public required string Concept { get; init; }
    /// <summary>The image task, or null for a text experiment.</summary>
    public ImageTaskSpec? Images { get; init; }
    /// <summary>Which tokenizations of the concept's words make its dictionary (plain, " word" or both).</summary>
    public ConceptTokens ConceptTokens { get; init; } = ConceptTokens.Both;
    /// <summary>Where the prompts captured to rank the heads came from (file, folder or hub dataset), or null when rankings come from files.</summary>
    public string? CaptureSource { get; init; }
    /// <summary>The prompts captured to rank the heads ("capture_half" applied), read when the file is parsed.</summary>
    public string[]? CapturePrompts { get; init; }
    /// <summary>Which positions of a capture prompt are pooled.</summary>
    public CapturePositions CapturePositions { get; init; } = CapturePositions.AllButSpecial;
    /// <summary>The half of the capture prompts used (Data.PairedHalves), or null for all of them.</summary>
    public int? CaptureHalf { get; init; }
    /// <summary>Template text at the start / end of every capture prompt whose tokens are left out of the pooling.</summary>
    public string? ExcludePrefix { get; init; }
    /// <summary>See <see cref="ExcludePrefix"/>.</summary>
    public string? ExcludeSuffix { get; init; }
    /// <summary>Ranking files written by `headpursuit rank` (instead of capturing).</summary>
    public string? SompRankingPath { get; init; }
    /// <summary>See <see cref="SompRankingPath"/>.</summary>
    public string? LogitLensRankingPath { get; init; }
    /// <summary>The head counts of the grid.</summary>
    public required int[] K { get; init; }
    /// <summary>The scales of the grid (-1 suppresses, 0 ablates, above 1 enhances).</summary>
    public required float[] Alphas { get; init; }
    /// <summary>Where the scales apply.</summary>
    public PositionPolicy Policy { get; init; } = PositionPolicy.All;
    /// <summary>Under the Span policy: the first prompt position scaled.</summary>
    public int SpanStart { get; init; }
    /// <summary>Under the Span policy: one past the last prompt position scaled.</summary>
    public int SpanEnd { get; init; }
    /// <summary>How the heads of each cell are chosen (SOMP, logit lens, random, explicit lists).</summary>
    public required SelectionSpec[] Selections { get; init; }
    /// <summary>Random head sets drawn per (k, alpha).</summary>
    public int RandomDraws { get; init; } = 10;
    /// <summary>Decoding settings of every generation.</summary>
    public required SamplingOptions Decoding { get; init; }
    /// <summary>Seed of the random head draws.</summary>
    public int Seed { get; init; }
    /// <summary>The metrics asked for (<see cref="MetricNames"/>).</summary>
    public required string[] Metrics { get; init; }
    /// <summary>The values the metrics report, in order (<see cref="MetricNames.Reported"/>).</summary>
    public IReadOnlyList<string> ReportedMetrics => [.. Metrics.SelectMany(m => MetricNames.Reported(m, ToxicityClassifier != null))];
    /// <summary>A toxic-word list for the toxicity metric, or null for the built-in one.</summary>
    public string? ToxicityWords { get; init; }
    /// <summary>The classifier that also scores toxicity, or null for the word count only.</summary>
    public ToxicityClassifierSpec? ToxicityClassifier { get; init; }
    /// <summary>Prompts per generation batch.</summary>
    public int Batch { get; init; } = 32;
    /// <summary>Reported metric values drawn in the line plots.</summary>
    public string[] PlotMetrics { get; init; } = [];
    /// <summary>Report path without extension: STEM.json, STEM.md and the resumable STEM.cells.jsonl.</summary>
    public required string ReportStem { get; init; }
    /// <summary>SHA-256 of the experiment file's text: a results file of another experiment is refused.</summary>
    public required string Fingerprint { get; init; }

    /// <summary>The files the report is written to (STEM.json, STEM.md, the results store, the plots and heatmaps).</summary>
    public IEnumerable<string> ReportFiles() =>
        new[] { ".json", ".md", ".cells.jsonl", ".somp.svg", ".logit_lens.svg" }.Select(e => ReportStem + e)
            .Concat(Alphas.Select(PlotFile));

    /// <summary>STEM.alpha=A.svg: the metrics against k at one alpha.</summary>
    public string PlotFile(float alpha) => string.Create(CultureInfo.InvariantCulture, $"{ReportStem}.alpha={alpha}.svg");

    /// <summary>The files the experiment reads, by the field that names them (a report must not overwrite them).</summary>
    public IEnumerable<(string Field, string Path)> InputFiles() =>
        new[] { ("dataset.source", DatasetSource), ("ranking.capture_prompts", CaptureSource), ("ranking.somp", SompRankingPath),
                ("ranking.logit_lens", LogitLensRankingPath) }
            .Where(f => f.Item2 != null).Select(f => (f.Item1, f.Item2!));

    /// <summary>Checks what needs the model's shape (read from its config.json, before any weights are loaded).</summary>
    public void CheckAgainst(ModelConfig config, string source)
    {
        int total = config.Layers * config.Heads;
        foreach (int k in K)
            if (k > total) throw new ArgumentException($"{source}: \"k\" asks for {k} heads but the model has only {total} ({config.Layers} layers x {config.Heads} heads)");
        if (Selections.Any(s => s.Kind == SelectionKind.Random) && K.Max() * 2 > total)
            throw new ArgumentException($"{source}: \"k\" = {K.Max()} leaves too few of the model's {total} heads for random sets disjoint from SOMP's");
        foreach (var s in Selections.Where(s => s.Kind == SelectionKind.Explicit))
            foreach (var h in s.Heads)
                if (h.Layer >= config.Layers || h.Head >= config.Heads)
                    throw new ArgumentException($"{source}: selection \"{s.Name}\": head {h} is out of range (the model has L0H0..L{config.Layers - 1}H{config.Heads - 1})");
    }
}
