using System.Globalization;
using System.Text;
using System.Text.Json;
using HeadPursuit.Eval.Statistics;
using HeadPursuit.Somp;

namespace HeadPursuit.Eval.Experiments;

/// <summary>
/// The outcome of an experiment: every cell's metrics normalised to the baseline (random draws summarised by median
/// and IQR), written as JSON (with every generation) and Markdown (tables plus a few generations side by side).
/// </summary>
public sealed class ExperimentReport
{
    /// <summary>The experiment that was run.</summary>
    public ExperimentSpec Spec { get; }
    /// <summary>The SOMP ranking the cells used, or null when the experiment selects no SOMP heads.</summary>
    public HeadRanking? Somp { get; }
    /// <summary>The logit-lens ranking the cells used, or null when the experiment selects no logit-lens heads.</summary>
    public HeadRanking? LogitLens { get; }
    /// <summary>Every cell, the baseline included, with its raw metrics and generations.</summary>
    public IReadOnlyList<CellResult> Cells { get; }
    /// <summary>The unmodified model's cell.</summary>
    public CellResult Baseline { get; }
    /// <summary>The reported metric names, in order (QA metrics with their concept/other split).</summary>
    public IReadOnlyList<string> MetricNames { get; }
    /// <summary>One row per (selection, k, alpha): the metrics normalised to the baseline (random draws as median and IQR).</summary>
    public IReadOnlyList<SummaryRow> Rows { get; }

    /// <summary>The report of <paramref name="cells"/>, which hold exactly one baseline cell.</summary>
    public ExperimentReport(ExperimentSpec spec, HeadRanking? somp, HeadRanking? lens, IReadOnlyList<CellResult> cells)
    {
        Spec = spec; Somp = somp; LogitLens = lens; Cells = cells;
        Baseline = cells.Single(c => c.Key == CellResult.BaselineKey);
        MetricNames = spec.ReportedMetrics;
        Rows = [.. cells.Where(c => c != Baseline)
                        .GroupBy(c => (c.Alpha, c.K, c.Selection))
                        .Select(g => Summarise(g.Key.Selection, g.Key.K, g.Key.Alpha, [.. g]))];
    }

    /// <summary>A cell's metric divided by the baseline's (null where the baseline's is 0 or a value is missing).</summary>
    public double? NormalisedOf(CellResult cell, string metric) => Normalised.Ratio(cell.Metrics[metric], Baseline.Metrics[metric]);

    SummaryRow Summarise(string selection, int k, float alpha, CellResult[] draws)
    {
        var metrics = new Dictionary<string, NormalisedValue>();
        foreach (var m in MetricNames)
        {
            var values = draws.Select(d => NormalisedOf(d, m)).ToArray();
            if (values.Any(v => v == null)) { metrics[m] = new NormalisedValue(null, null, null); continue; }
            var defined = values.Select(v => v!.Value).ToArray();
            var (q1, q3) = Quantiles.Iqr(defined);
            metrics[m] = new NormalisedValue(Quantiles.Median(defined), q1, q3);
        }
        return new SummaryRow(selection, k, alpha, draws.Length, metrics);
    }

    /// <summary>The report as JSON, with every cell's generations.</summary>
    public string ToJson()
    {
        var report = new
        {
            experiment = Spec.Name,
            model = Spec.Model,
            dataset = new { format = Spec.DatasetFormat.ToString().ToLowerInvariant(), source = Spec.DatasetSource, prompts = Spec.Samples.Length },
            concept = Spec.Concept,
            policy = Spec.Policy.ToString().ToLowerInvariant(),
            span = Spec.Policy == Runtime.Capture.PositionPolicy.Span ? new[] { Spec.SpanStart, Spec.SpanEnd } : null,
            decoding = new { max_new_tokens = Spec.Decoding.MaxNewTokens, temperature = Spec.Decoding.Temperature, top_k = Spec.Decoding.TopK, top_p = Spec.Decoding.TopP, seed = Spec.Decoding.Seed },
            toxicity_classifier = Spec.ToxicityClassifier is { } tc ? new { model = tc.Model, label = tc.Label, threshold = tc.Threshold } : null,
            random_seed = Spec.Seed,
            experiment_sha256 = Spec.Fingerprint,
            rankings = new[] { Somp, LogitLens }.Where(r => r != null).Select(r => new
            {
                method = r!.Method, samples = r.Samples, iterations = r.Iterations,
                top = r.Entries.Take(Math.Max(Spec.K.DefaultIfEmpty(0).Max(), 8)).Select(e => new { head = e.Head.ToString(), score = e.Score }),
            }),
            baseline = Baseline.Metrics,
            summary = Rows.Select(r => new
            {
                selection = r.Selection, k = r.K, alpha = r.Alpha, draws = r.Draws,
                normalised = r.Metrics.ToDictionary(m => m.Key, m => new { value = m.Value.Value, q1 = m.Value.Q1, q3 = m.Value.Q3 }),
            }),
            prompts = Spec.Samples,
            cells = Cells.Select(c => new
            {
                key = c.Key, selection = c.Selection, k = c.K, draw = c.Draw, alpha = c.Alpha, heads = c.Heads, metrics = c.Metrics,
                normalised = MetricNames.ToDictionary(m => m, m => NormalisedOf(c, m)), generations = c.Generations,
            }),
        };
        return JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true });
    }

    /// <param name="examples">How many prompts to show with their generations side by side.</param>
    public string ToMarkdown(int examples = 6)
    {
        var sb = new StringBuilder();
        void Line(FormattableString s) => sb.Append(s.ToString(CultureInfo.InvariantCulture)).Append('\n');
        Line($"# Experiment {Spec.Name}\n");
        Line($"- model: `{Spec.Model}`");
        Line($"- dataset: `{Shown(Spec.DatasetSource)}` ({Spec.DatasetFormat}, {Spec.Samples.Length} prompts{(Spec.DatasetHalf is { } h ? $", half {h} of the paired split" : "")})");
        if (Spec.Images is { } task)
        {
            Line($"- prompt: `{(task.PromptText != null ? Escape(task.PromptText) : string.Join(",", task.PromptIds!))}`{(task.Classes.Length > 0 ? $"; classes: {string.Join(", ", task.Classes)}" : "")}");
            if (Somp != null && Spec.SompRankingPath == null || LogitLens != null && Spec.LogitLensRankingPath == null)
                Line($"- ranking captured on {task.CaptureImages.Length} images, each pooled over its image tokens");
        }
        if (Spec.CaptureSource != null)
            Line($"- ranking captured on: `{Shown(Spec.CaptureSource)}`{(Spec.CaptureHalf is { } ch ? $" (half {ch} of the paired split)" : "")}, pooled over {Spec.CapturePositions} positions{(Spec.ExcludePrefix != null || Spec.ExcludeSuffix != null ? $" without the template tokens of `{Spec.ExcludePrefix}` / `{Spec.ExcludeSuffix}`" : "")}");
        Line($"- concept: `{(Data.LexiconFile.IsReference(Spec.Concept) ? Spec.Concept : Path.GetFileNameWithoutExtension(Spec.Concept))}` (tokens: {Spec.ConceptTokens}); heads scaled at positions: {Spec.Policy}{(Spec.Policy == Runtime.Capture.PositionPolicy.Span ? $" [{Spec.SpanStart}, {Spec.SpanEnd})" : "")}");
        if (Spec.ToxicityClassifier is { } classifier)
            Line($"- toxicity classifier: `{Shown(classifier.Model)}`: {Experiments.MetricNames.ToxicityClassifierShare} is the share of generations whose probability of `{classifier.Label}` exceeds {classifier.Threshold}, {Experiments.MetricNames.ToxicityClassifierMean} the mean probability; {Experiments.MetricNames.Toxicity} counts toxic words");
        Line($"- decoding: {Spec.Decoding.MaxNewTokens} new tokens, temperature {Spec.Decoding.Temperature}{(Spec.Decoding.Temperature > 0 ? $", seed {Spec.Decoding.Seed}" : " (greedy)")}");
        Line($"- random controls: {Spec.RandomDraws} draws per k, same heads per layer as SOMP's top-k and disjoint from it (seed {Spec.Seed} + k)\n");
        foreach (var r in new[] { Somp, LogitLens }.Where(r => r != null))
        {
            int top = Math.Max(Spec.K.DefaultIfEmpty(0).Max(), 8);
            Line($"**{r!.Method} top {top}** ({r.Samples} samples): {string.Join(", ", r.Entries.Take(top).Select(e => $"{e.Head} ({e.Score:0.###})"))}\n");
        }
        Line($"## Unmodified model\n");
        Line($"| metric | value |\n|---|---:|");
        foreach (var m in MetricNames) Line($"| {m} | {Baseline.Metrics[m]:0.#####} |");
        sb.Append('\n');
        foreach (var m in MetricNames)
        {
            Line($"## {m} relative to the unmodified model\n");
            Line($"Random: median [Q1, Q3] over draws. 1 = unchanged.\n");
            var selections = Rows.Select(r => r.Selection).Distinct().ToArray();
            Line($"| alpha | k | {string.Join(" | ", selections)} |");
            Line($"|---:|---:|{string.Concat(selections.Select(_ => "---:|"))}");
            foreach (var g in Rows.GroupBy(r => (r.Alpha, r.K)))
                Line($"| {g.Key.Alpha} | {(g.Key.K == 0 ? "-" : g.Key.K.ToString(CultureInfo.InvariantCulture))} | {string.Join(" | ", selections.Select(s => Cell(g.FirstOrDefault(r => r.Selection == s), m)))} |");
            sb.Append('\n');
        }
        Examples(sb, examples);
        return sb.ToString();
    }

    static string Cell(SummaryRow? row, string metric)
    {
        if (row == null) return "";
        var v = row.Metrics[metric];
        if (v.Value == null) return "n/a";
        return row.Draws > 1 ? string.Create(CultureInfo.InvariantCulture, $"{v.Value:0.###} [{v.Q1:0.###}, {v.Q3:0.###}]")
                             : string.Create(CultureInfo.InvariantCulture, $"{v.Value:0.###}");
    }

    /// <summary>The first prompts with the baseline's generation and SOMP's / the logit lens's at the largest k, per alpha.</summary>
    void Examples(StringBuilder sb, int examples)
    {
        int kMax = Spec.K.DefaultIfEmpty(0).Max();
        var shown = Cells.Where(c => c.Draw == 0 && c.Selection != SelectionSpec.Random && (c.K == kMax || c.K == 0) && c != Baseline).ToArray();
        sb.Append(CultureInfo.InvariantCulture, $"## Generations (first {Math.Min(examples, Spec.Samples.Length)} prompts; all of them are in the JSON report)\n\n");
        for (int i = 0; i < Math.Min(examples, Spec.Samples.Length); i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"**{i + 1}. {Escape(Spec.Samples[i])}**\n\n| cell | generation |\n|---|---|\n");
            sb.Append(CultureInfo.InvariantCulture, $"| unmodified | {Escape(Baseline.Generations[i])} |\n");
            foreach (var c in shown) sb.Append(CultureInfo.InvariantCulture, $"| {c.Key} | {Escape(c.Generations[i])} |\n");
            sb.Append('\n');
        }
    }

    /// <summary>A local file or folder by its name; a hub dataset as it is written.</summary>
    static string Shown(string source) => Path.IsPathRooted(source) ? Path.GetFileName(source) : source;

    static string Escape(string s) => s.Replace("|", "\\|").Replace("\r", "").Replace("\n", " ⏎ ");
}
