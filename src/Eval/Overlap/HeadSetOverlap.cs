using System.Globalization;
using System.Text;
using System.Text.Json;
using HeadPursuit.Somp;

namespace HeadPursuit.Eval.Overlap;

/// <summary>A ranking compared by <see cref="HeadSetOverlap"/>, under the name it is shown with.</summary>
internal sealed record NamedRanking(string Name, string File, HeadRanking Ranking);

/// <summary>The top-k sets of every ranking compared pairwise at one k, beside what random sets of k heads share.</summary>
/// <param name="Overlap">[rankings, rankings] |A ∩ B|.</param>
/// <param name="Jaccard">[rankings, rankings] |A ∩ B| / |A ∪ B|.</param>
internal sealed record OverlapAtK(int K, HeadId[][] TopHeads, int[,] Overlap, double[,] Jaccard, double RandomOverlap, double RandomJaccard);

/// <summary>
/// The paper's Figure 4: how much the top-k heads chosen for different datasets, concepts or models (rankings of the
/// same layer x head shape) agree, as overlap counts and Jaccard indices, with the exact expectation for two random
/// head sets of the same size (<see cref="RandomOverlap"/>). Writes JSON, CSV and Markdown; OverlapHeatmapSvg draws it.
/// </summary>
internal sealed class HeadSetOverlap
{
    public IReadOnlyList<NamedRanking> Rankings { get; }
    public int Layers { get; }
    public int Heads { get; }
    public IReadOnlyList<OverlapAtK> ByK { get; }

    public HeadSetOverlap(IReadOnlyList<NamedRanking> rankings, IReadOnlyList<int> ks)
    {
        if (rankings.Count < 2) throw new ArgumentException($"comparing head sets needs at least two rankings (got {rankings.Count})");
        if (ks.Count == 0) throw new ArgumentException("give at least one k");
        var first = rankings[0];
        foreach (var r in rankings)
            if (r.Ranking.Layers != first.Ranking.Layers || r.Ranking.Heads != first.Ranking.Heads)
                throw new ArgumentException($"{r.File} ranks {r.Ranking.Layers} x {r.Ranking.Heads} heads but {first.File} ranks {first.Ranking.Layers} x {first.Ranking.Heads}: compare rankings of the same shape");
        var dup = rankings.GroupBy(r => r.Name).FirstOrDefault(g => g.Count() > 1);
        if (dup != null) throw new ArgumentException($"two rankings are named '{dup.Key}': name them NAME=FILE");
        int total = first.Ranking.Layers * first.Ranking.Heads;
        foreach (int k in ks)
            if (k <= 0 || k > total) throw new ArgumentException($"k = {k} is not between 1 and the {total} heads ranked");
        Rankings = rankings; Layers = first.Ranking.Layers; Heads = first.Ranking.Heads;
        ByK = [.. ks.Distinct().Order().Select(k => At(k, total))];
    }

    OverlapAtK At(int k, int total)
    {
        var top = Rankings.Select(r => r.Ranking.Top(k).ToArray()).ToArray();
        int n = top.Length;
        var overlap = new int[n, n];
        var jaccard = new double[n, n];
        for (int a = 0; a < n; a++)
            for (int b = 0; b < n; b++)
            {
                int shared = top[a].Intersect(top[b]).Count();
                overlap[a, b] = shared;
                jaccard[a, b] = shared / (double)(2 * k - shared);
            }
        return new OverlapAtK(k, top, overlap, jaccard, RandomOverlap.ExpectedOverlap(total, k), RandomOverlap.ExpectedJaccard(total, k));
    }

    public string ToJson()
    {
        var doc = new
        {
            layers = Layers, heads = Heads, total_heads = Layers * Heads,
            rankings = Rankings.Select(r => new { name = r.Name, file = r.File, concept = r.Ranking.Concept, method = r.Ranking.Method, samples = r.Ranking.Samples }),
            by_k = ByK.Select(o => new
            {
                k = o.K,
                random_expected_overlap = o.RandomOverlap,
                random_expected_jaccard = o.RandomJaccard,
                overlap = Rows(o.Overlap),
                jaccard = Rows(o.Jaccard),
                top_heads = Rankings.Select((r, i) => new { name = r.Name, heads = o.TopHeads[i].Select(h => h.ToString()) }),
            }),
        };
        return JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>One line per k and ordered pair: k,a,b,overlap,jaccard,random_expected_overlap,random_expected_jaccard.</summary>
    public string ToCsv()
    {
        var sb = new StringBuilder("k,a,b,overlap,jaccard,random_expected_overlap,random_expected_jaccard\n");
        foreach (var o in ByK)
            for (int a = 0; a < Rankings.Count; a++)
                for (int b = 0; b < Rankings.Count; b++)
                    sb.Append(CultureInfo.InvariantCulture, $"{o.K},{Csv(Rankings[a].Name)},{Csv(Rankings[b].Name)},{o.Overlap[a, b]},{o.Jaccard[a, b]:R},{o.RandomOverlap:R},{o.RandomJaccard:R}\n");
        return sb.ToString();
    }

    public string ToMarkdown()
    {
        var sb = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        sb.Append(c, $"# Top-k head-set overlap\n\n{Rankings.Count} rankings of {Layers} layers x {Heads} heads ({Layers * Heads} heads):\n\n");
        foreach (var r in Rankings) sb.Append(c, $"- **{r.Name}**: {r.Ranking.Concept}, {r.Ranking.Method}, {r.Ranking.Samples} samples (`{Path.GetFileName(r.File)}`)\n");
        foreach (var o in ByK)
        {
            sb.Append(c, $"\n## k = {o.K}\n\nTwo random sets of {o.K} heads share {o.RandomOverlap:0.###} heads on average (Jaccard {o.RandomJaccard:0.####}; exact hypergeometric expectation).\n\n");
            Table(sb, "overlap (heads shared)", (a, b) => o.Overlap[a, b].ToString(c));
            Table(sb, "Jaccard", (a, b) => o.Jaccard[a, b].ToString("0.###", c));
        }
        return sb.ToString();
    }

    void Table(StringBuilder sb, string title, Func<int, int, string> cell)
    {
        sb.Append($"| {title} | {string.Join(" | ", Rankings.Select(r => r.Name))} |\n|---|{string.Concat(Rankings.Select(_ => "---:|"))}\n");
        for (int a = 0; a < Rankings.Count; a++)
            sb.Append($"| {Rankings[a].Name} | {string.Join(" | ", Enumerable.Range(0, Rankings.Count).Select(b => cell(a, b)))} |\n");
        sb.Append('\n');
    }

    static T[][] Rows<T>(T[,] m) => [.. Enumerable.Range(0, m.GetLength(0)).Select(a => Enumerable.Range(0, m.GetLength(1)).Select(b => m[a, b]).ToArray())];

    static string Csv(string s) => s.Contains(',') || s.Contains('"') ? $"\"{s.Replace("\"", "\"\"")}\"" : s;
}
