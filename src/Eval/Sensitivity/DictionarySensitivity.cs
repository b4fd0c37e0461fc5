using System.Globalization;
using System.Text;
using System.Text.Json;
using HeadPursuit.Eval.Plots;
using HeadPursuit.Eval.Statistics;
using HeadPursuit.Somp;

namespace HeadPursuit.Eval.Sensitivity;

/// <summary>One variant's ranking compared with the full list's.</summary>
/// <param name="TopKOverlap">Per k: |top-k(variant) ∩ top-k(full)| / k.</param>
/// <param name="Spearman">Spearman's rank correlation of all heads' scores against the full list's.</param>
internal sealed record SensitivityRow(VariantKind Kind, double Fraction, int Seed, string[] Words, int Tokens, int Iterations, double[] TopKOverlap, double Spearman);

/// <summary>Median and inter-quartile range over seeds of one quantity of one (kind, fraction).</summary>
internal sealed record SeedSpread(double Median, double Q1, double Q3);

/// <summary>
/// How much a concept's head ranking depends on its word list (the paper names this as a limitation, unmeasured):
/// every head is ranked again with random subsets of the list and with distractor words added, and each ranking is
/// compared with the full list's by top-k overlap (the share of the full list's top-k heads it keeps) and by
/// Spearman's rank correlation over all heads' scores. SOMP runs with its default N = min(50, |D_C|) for each
/// variant, as a user ranking with that list would. Writes JSON, CSV, Markdown and two line plots.
/// </summary>
internal sealed class DictionarySensitivity
{
    public string Concept { get; }
    public int[] K { get; }
    public HeadRanking Full { get; }
    public IReadOnlyList<SensitivityRow> Rows { get; }

    DictionarySensitivity(string concept, int[] k, HeadRanking full, IReadOnlyList<SensitivityRow> rows) { Concept = concept; K = k; Full = full; Rows = rows; }

    /// <param name="words">The concept's word list.</param>
    /// <param name="variants">The variants to rank (the full list is ranked first in any case).</param>
    /// <param name="rank">Ranks every head with a word list (tokenizing it as the concept's list is).</param>
    /// <param name="progress">Called with (variants ranked, total).</param>
    public static DictionarySensitivity Run(string concept, IReadOnlyList<string> words, IReadOnlyList<WordListVariant> variants, int[] k,
                                           Func<string[], HeadRanking> rank, Action<int, int>? progress = null)
    {
        if (k.Length == 0) throw new ArgumentException("give at least one k");
        var full = rank([.. words]);
        int total = full.Layers * full.Heads;
        foreach (int x in k)
            if (x <= 0 || x > total) throw new ArgumentException($"k = {x} is not between 1 and the {total} heads ranked");
        var fullScores = Scores(full);
        var rows = new List<SensitivityRow>();
        foreach (var v in variants.Prepend(WordListVariant.Full(words)))
        {
            var r = v.Kind == VariantKind.Full ? full : rank(v.Words);
            var overlap = k.Select(x => r.Top(x).Intersect(full.Top(x)).Count() / (double)x).ToArray();
            rows.Add(new SensitivityRow(v.Kind, v.Fraction, v.Seed, v.Words, r.TokenIds.Length, r.Iterations, overlap, RankCorrelation.Spearman(Scores(r), fullScores)));
            progress?.Invoke(rows.Count, variants.Count + 1);
        }
        return new DictionarySensitivity(concept, [.. k], full, rows);
    }

    /// <summary>Scores in (layer, head) order.</summary>
    static double[] Scores(HeadRanking r) => [.. r.Entries.OrderBy(e => e.Head).Select(e => e.Score)];

    /// <summary>Per (kind, fraction), in order: the spread over seeds of each k's overlap and of Spearman's rho.</summary>
    public IEnumerable<(VariantKind Kind, double Fraction, int Seeds, SeedSpread[] Overlap, SeedSpread Spearman)> Summary() =>
        Rows.GroupBy(r => (r.Kind, r.Fraction)).OrderBy(g => g.Key.Kind).ThenBy(g => g.Key.Fraction).Select(g =>
            (g.Key.Kind, g.Key.Fraction, g.Count(),
             K.Select((_, i) => Spread([.. g.Select(r => r.TopKOverlap[i])])).ToArray(), Spread([.. g.Select(r => r.Spearman)])));

    static SeedSpread Spread(double[] values)
    {
        var (q1, q3) = Quantiles.Iqr(values);
        return new SeedSpread(Quantiles.Median(values), q1, q3);
    }

    const string CorrelationNote = "Spearman's rho of all heads' scores against the full list's (ties share their average rank)";

    public string ToJson() => JsonSerializer.Serialize(new
    {
        concept = Concept,
        method = Full.Method,
        layers = Full.Layers, heads = Full.Heads, samples = Full.Samples,
        k = K,
        correlation = CorrelationNote,
        full = new { words = Rows[0].Words.Length, tokens = Full.TokenIds.Length, iterations = Full.Iterations, top_heads = K.Select(x => Full.Top(x).Select(h => h.ToString())) },
        variants = Rows.Select(r => new
        {
            kind = Name(r.Kind), fraction = r.Fraction, seed = r.Seed, words = r.Words, tokens = r.Tokens, iterations = r.Iterations,
            top_k_overlap = r.TopKOverlap, spearman = r.Spearman,
        }),
        summary = Summary().Select(s => new
        {
            kind = Name(s.Kind), fraction = s.Fraction, seeds = s.Seeds,
            top_k_overlap = s.Overlap.Select((o, i) => new { k = K[i], median = o.Median, q1 = o.Q1, q3 = o.Q3 }),
            spearman = new { median = s.Spearman.Median, q1 = s.Spearman.Q1, q3 = s.Spearman.Q3 },
        }),
    }, new JsonSerializerOptions { WriteIndented = true });

    /// <summary>One line per variant: kind,fraction,seed,words,tokens,iterations,overlap_k=K...,spearman.</summary>
    public string ToCsv()
    {
        var sb = new StringBuilder($"kind,fraction,seed,words,tokens,iterations,{string.Join(",", K.Select(x => $"overlap_k={x}"))},spearman\n");
        foreach (var r in Rows)
            sb.Append(CultureInfo.InvariantCulture, $"{Name(r.Kind)},{r.Fraction:R},{r.Seed},{r.Words.Length},{r.Tokens},{r.Iterations},{string.Join(",", r.TopKOverlap.Select(o => o.ToString("R", CultureInfo.InvariantCulture)))},{r.Spearman:R}\n");
        return sb.ToString();
    }

    public string ToMarkdown()
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(c, $"# Dictionary sensitivity: {Concept}\n\n");
        sb.Append(c, $"{Full.Layers} layers x {Full.Heads} heads, {Full.Samples} samples, {Full.Method}. Full list: {Rows[0].Words.Length} words, {Full.TokenIds.Length} tokens, N = {Full.Iterations}; ");
        sb.Append(c, $"top-{K.Max()}: {string.Join(", ", Full.Top(K.Max()))}.\n\n");
        sb.Append(c, $"Each variant's ranking against the full list's: the share of the full list's top-k heads it keeps, and {CorrelationNote}. Median [Q1, Q3] over seeds.\n\n");
        sb.Append($"| variant | seeds | {string.Join(" | ", K.Select(x => $"top-{x} overlap"))} | Spearman |\n|---|---:|{string.Concat(K.Select(_ => "---:|"))}---:|\n");
        foreach (var s in Summary())
            sb.Append(c, $"| {Label(s.Kind, s.Fraction)} | {s.Seeds} | {string.Join(" | ", s.Overlap.Select(Show))} | {Show(s.Spearman)} |\n");
        return sb.ToString();
    }

    /// <summary>Two line plots (x in % of the list's size): subsets (words kept) and distractors (words added), one line per k plus Spearman's rho.</summary>
    /// <summary>The names of the plots <see cref="Plots"/> may draw: of the subsets, of the lists with distractors.</summary>
    public static readonly string[] PlotNames = ["subsets", "distractors"];

    public IEnumerable<(string Name, string Svg)> Plots()
    {
        var summary = Summary().ToList();
        var full = summary.Single(s => s.Kind == VariantKind.Full);
        foreach (var (kind, name, axis, fullX) in new[] { (VariantKind.Subset, PlotNames[0], "% of the word list kept", 100.0), (VariantKind.Distractors, PlotNames[1], "distractor words added, % of the list's size", 0.0) })
        {
            var points = summary.Where(s => s.Kind == kind).ToList();
            if (points.Count == 0) continue;
            PlotPoint Point(double x, SeedSpread s) => new(x, s.Median, s.Q1, s.Q3);
            var series = K.Select((x, i) => new PlotSeries($"top-{x} overlap", [.. new[] { (fullX, full.Overlap[i]) }.Concat(points.Select(p => (p.Fraction * 100, p.Overlap[i]))).OrderBy(p => p.Item1).Select(p => Point(p.Item1, p.Item2))],
                                                           Colours[i % Colours.Length], ""))
                          .Append(new PlotSeries("Spearman rho", [.. new[] { (fullX, full.Spearman) }.Concat(points.Select(p => (p.Fraction * 100, p.Spearman))).OrderBy(p => p.Item1).Select(p => Point(p.Item1, p.Item2))], "#444444", "5 3"));
            yield return (name, LinePlotSvg.Write($"{Concept}: ranking with {name} of the word list vs the full list (median, IQR over seeds)", axis, "agreement with the full list", [.. series]));
        }
    }

    static readonly string[] Colours = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e"];

    static string Name(VariantKind kind) => kind.ToString().ToLowerInvariant();

    static string Label(VariantKind kind, double fraction) => kind switch
    {
        VariantKind.Full => "full list",
        VariantKind.Subset => string.Create(CultureInfo.InvariantCulture, $"{fraction * 100:0.#}% of the words"),
        _ => string.Create(CultureInfo.InvariantCulture, $"+ distractors ({fraction * 100:0.#}% of the list's size)"),
    };

    static string Show(SeedSpread s) => s.Q1 == s.Q3
        ? s.Median.ToString("0.###", CultureInfo.InvariantCulture)
        : string.Create(CultureInfo.InvariantCulture, $"{s.Median:0.###} [{s.Q1:0.###}, {s.Q3:0.###}]");
}
