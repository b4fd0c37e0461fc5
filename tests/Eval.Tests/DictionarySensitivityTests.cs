using System.Text.Json.Nodes;
using HeadPursuit.Eval.Sensitivity;
using HeadPursuit.Eval.Statistics;
using HeadPursuit.Runtime.Capture;
using HeadPursuit.Somp;

namespace HeadPursuit.Eval.Tests;

/// <summary>
/// Dictionary sensitivity on a hand-worked SOMP problem: one layer of 4 heads, d_model = d_head = 4, identity W_O, the
/// unembedding rows the unit vectors e0..e3, and words "w0", "w1", "w2" whose only token is 0, 1, 2. Over 4 samples with
/// zero-mean coordinates a = [1,-1,2,-2], b = [1,1,-1,-1], c = [2,-2,-1,1], d = [1,-1,1,-1] (energies 10, 4, 10, 4):
/// H0 = a e0; H1 = a e0 + b e1 + b e3; H2 = d e0 + 2b e1 + c e3; H3 = c e2 + b e3. With every atom selected, a head's
/// EVR is the share of its energy in the dictionary's coordinates:
/// {w0, w1}: [1, 14/18, 20/30, 0]; {w0}: [1, 10/18, 4/30, 0]; {w1}: [0, 4/18, 16/30, 0]; {w0, w1, w2}: [1, 14/18, 20/30, 10/14].
/// </summary>
public class DictionarySensitivityTests
{
    static HeadScorer Scorer()
    {
        double[] a = [1, -1, 2, -2], b = [1, 1, -1, -1], c = [2, -2, -1, 1], d = [1, -1, 1, -1];
        double[][][] heads =   // [head][sample][coordinate]
        [
            [.. a.Select(x => new[] { x, 0, 0, 0 })],
            [.. Enumerable.Range(0, 4).Select(i => new[] { a[i], b[i], 0, b[i] })],
            [.. Enumerable.Range(0, 4).Select(i => new[] { d[i], 2 * b[i], 0, c[i] })],
            [.. Enumerable.Range(0, 4).Select(i => new[] { 0, 0, c[i], b[i] })],
        ];
        var acts = new HeadActivations(1, 4, 4, 4, [.. heads.SelectMany(h => h.SelectMany(s => s.Select(x => (float)x)))]);   // Z [L, H, n, d_head]
        var identity = Enumerable.Range(0, 16).Select(i => i / 4 == i % 4 ? 1f : 0f).ToArray();   // [d_model, d_head]
        var blocks = new OutputBlocks([[identity, identity, identity, identity]], 4, 4);
        return new HeadScorer(acts, blocks, identity, new SompOptions());   // unembedding [vocab 4, d_model 4] = I
    }

    static HeadRanking Rank(HeadScorer scorer, string[] words) =>
        scorer.Rank("w", ConceptDictionary.Build("w", words, w => [int.Parse(w[1..])], spaceVariant: false).TokenIds);

    [Fact]
    public void TheHandWorkedEvrsHold()
    {
        var scorer = Scorer();
        double Score(HeadRanking r, int head) => r.ScoreOf(new HeadId(0, head));
        var full = Rank(scorer, ["w0", "w1"]);
        Assert.Equal([1, 14 / 18.0, 20 / 30.0, 0], Enumerable.Range(0, 4).Select(h => Score(full, h)), (x, y) => Math.Abs(x - y) < 1e-9);
        var w1 = Rank(scorer, ["w1"]);
        Assert.Equal([0, 4 / 18.0, 16 / 30.0, 0], Enumerable.Range(0, 4).Select(h => Score(w1, h)), (x, y) => Math.Abs(x - y) < 1e-9);
    }

    [Fact]
    public void SpearmanUsesAverageRanksForTies()
    {
        Assert.Equal([4, 3, 1.5, 1.5], RankCorrelation.Ranks([1, 0.5, 0, 0]));
        Assert.Equal(1.0, RankCorrelation.Spearman([1, 2, 3], [10, 20, 30]), 1e-15);
        Assert.Equal(-1.0, RankCorrelation.Spearman([1, 2, 3], [3, 2, 1]), 1e-15);
        // x ranks [4, 3, 2, 1], y ranks [1.5, 3, 4, 1.5]: sum dx dy = -0.5, sum dx^2 = 5, sum dy^2 = 4.5
        Assert.Equal(-0.5 / Math.Sqrt(22.5), RankCorrelation.Spearman([1, 0.7, 0.6, 0], [0, 0.2, 0.5, 0]), 1e-15);
    }

    [Fact]
    public void SubsetsAndDistractorsAreComparedWithTheFullList()
    {
        var scorer = Scorer();
        string[] words = ["w0", "w1"];
        var variants = WordListVariant.Subsets(words, [0.5], [1, 2, 3, 4, 5, 6])
            .Concat(WordListVariant.WithDistractors(words, ["w2", "w0"], [0.5], [1])).ToArray();
        Assert.Contains(variants, v => v.Words.SequenceEqual(["w0"]));   // six seeds draw each single word at least once
        Assert.Contains(variants, v => v.Words.SequenceEqual(["w1"]));
        Assert.Equal(["w0", "w1", "w2"], variants[^1].Words);            // "w0" is in the list: not a distractor

        var s = DictionarySensitivity.Run("w", words, variants, [1, 2, 3], w => Rank(scorer, w));
        Assert.Equal(1 + 7, s.Rows.Count);
        var full = s.Rows[0];
        Assert.Equal((VariantKind.Full, 2, 2), (full.Kind, full.Tokens, full.Iterations));
        Assert.Equal([1.0, 1.0, 1.0], full.TopKOverlap);
        Assert.Equal(1.0, full.Spearman, 1e-12);
        // {w0}: same order as the full list ([1, 10/18, 4/30, 0] vs [1, 14/18, 20/30, 0])
        var w0 = s.Rows.First(r => r.Words.SequenceEqual(["w0"]));
        Assert.Equal([1.0, 1.0, 1.0], w0.TopKOverlap);
        Assert.Equal(1.0, w0.Spearman, 1e-12);
        Assert.Equal((1, 1), (w0.Tokens, w0.Iterations));
        // {w1}: top-1 {H2} vs {H0}; top-2 {H2, H1} vs {H0, H1}; top-3 {H2, H1, H0} vs {H0, H1, H2}; rho = -0.5 / sqrt(22.5)
        var w1 = s.Rows.First(r => r.Words.SequenceEqual(["w1"]));
        Assert.Equal([0.0, 0.5, 1.0], w1.TopKOverlap);
        Assert.Equal(-0.5 / Math.Sqrt(22.5), w1.Spearman, 1e-9);
        // + w2: order H0, H1, H3 (10/14), H2: top-3 keeps 2 of 3; ranks [4, 3, 1, 2] against [4, 3, 2, 1]: rho = 4/5
        var distract = s.Rows[^1];
        Assert.Equal(VariantKind.Distractors, distract.Kind);
        Assert.Equal([1.0, 1.0, 2 / 3.0], distract.TopKOverlap);
        Assert.Equal(0.8, distract.Spearman, 1e-9);

        // the summary over seeds: median / IQR of the subset rows
        var subset = s.Summary().Single(x => x.Kind == VariantKind.Subset);
        int ones = s.Rows.Count(r => r.Kind == VariantKind.Subset && r.Words[0] == "w0");
        Assert.Equal(6, subset.Seeds);
        var topOne = s.Rows.Where(r => r.Kind == VariantKind.Subset).Select(r => r.TopKOverlap[0]).ToArray();
        Assert.Equal(Quantiles.Median(topOne), subset.Overlap[0].Median);
        Assert.Equal(ones, topOne.Count(x => x == 1));

        var json = JsonNode.Parse(s.ToJson())!;
        Assert.Equal("subset", (string)json["variants"]![1]!["kind"]!);
        Assert.Equal("[\"L0H0\",\"L0H1\"]", json["full"]!["top_heads"]![1]!.ToJsonString());
        Assert.StartsWith("Spearman", (string)json["correlation"]!);
        Assert.Equal("kind,fraction,seed,words,tokens,iterations,overlap_k=1,overlap_k=2,overlap_k=3,spearman", s.ToCsv().Split('\n')[0]);
        Assert.StartsWith("full,1,0,2,2,2,1,1,1,1", s.ToCsv().Split('\n')[1]);
        var md = s.ToMarkdown();
        Assert.Contains("| full list | 1 | 1 | 1 | 1 | 1 |", md);
        Assert.Contains("| + distractors (50% of the list's size) | 1 | 1 | 1 | 0.667 | 0.8 |", md);
        var plots = s.Plots().ToList();
        Assert.Equal(["subsets", "distractors"], plots.Select(p => p.Name));
        Assert.Contains("top-3 overlap", plots[0].Svg);
    }

    [Fact]
    public void VariantsAreSeededAndChecked()
    {
        string[] words = ["a", "b", "c", "d", "e", "f", "g", "h"];
        var first = WordListVariant.Subsets(words, [0.25, 0.75], [7]).ToArray();
        Assert.Equal(first.Select(v => v.Words), WordListVariant.Subsets(words, [0.25, 0.75], [7]).Select(v => v.Words));
        Assert.Equal([2, 6], first.Select(v => v.Words.Length));
        Assert.All(first, v => Assert.Equal(v.Words.Order(), v.Words.Select(w => w)));   // list order kept (the words are sorted)
        Assert.Contains("strictly between 0 and 1", Assert.Throws<ArgumentException>(() => WordListVariant.Subsets(words, [1.0], [1]).ToArray()).Message);
        Assert.Contains("no word outside the concept's list", Assert.Throws<ArgumentException>(() => WordListVariant.WithDistractors(words, ["a"], [0.5], [1]).ToArray()).Message);
        Assert.Equal(9, WordListVariant.WithDistractors(words, ["x"], [1.0], [1]).Single().Words.Length);   // at most every distractor
    }
}
