using System.Text.Json.Nodes;
using HeadPursuit.Eval.Overlap;
using HeadPursuit.Eval.Plots;
using HeadPursuit.Somp;

namespace HeadPursuit.Eval.Tests;

/// <summary>Head-set overlap (Figure 4) and the random expectation, on cases worked by hand.</summary>
public class HeadSetOverlapTests
{
    /// <summary>A 2 x 3 ranking whose heads, best first, are <paramref name="order"/> (scores 6, 5, 4, ...).</summary>
    internal static HeadRanking Ranking(string concept, params string[] order)
    {
        var all = Enumerable.Range(0, 2).SelectMany(l => Enumerable.Range(0, 3).Select(h => new HeadId(l, h))).ToList();
        var ranked = order.Select(HeadId.Parse).ToList();
        var scores = all.Select(h => new HeadScore(h, ranked.Contains(h) ? 10 - ranked.IndexOf(h) : 0, [], []));
        return new HeadRanking(concept, HeadRanking.SompMethod, new SompOptions(), 4, 2, 3, 10, [1, 2], scores);
    }

    [Fact]
    public void TheHypergeometricExpectationsMatchHandWorkedSums()
    {
        // N = 4, k = 2: P(X = 0, 1, 2) = 1/6, 4/6, 1/6; E[X] = 1; E[J] = (4/6)(1/3) + (1/6)(1) = 7/18
        Assert.Equal([1 / 6.0, 4 / 6.0, 1 / 6.0], RandomOverlap.Distribution(4, 2), (a, b) => Math.Abs(a - b) < 1e-14);
        Assert.Equal(1.0, RandomOverlap.ExpectedOverlap(4, 2), 1e-14);
        Assert.Equal(7 / 18.0, RandomOverlap.ExpectedJaccard(4, 2), 1e-14);
        // N = 5, k = 3: X >= 1; P(1, 2, 3) = 3/10, 6/10, 1/10; E[X] = 9/5; E[J] = .3/5 + .6/2 + .1 = .46
        Assert.Equal([0, 0.3, 0.6, 0.1], RandomOverlap.Distribution(5, 3), (a, b) => Math.Abs(a - b) < 1e-14);
        Assert.Equal(1.8, RandomOverlap.ExpectedOverlap(5, 3), 1e-14);
        Assert.Equal(0.46, RandomOverlap.ExpectedJaccard(5, 3), 1e-14);
        // every head chosen: the sets are equal
        Assert.Equal(1.0, RandomOverlap.ExpectedJaccard(6, 6), 1e-14);
        // E[X] = k^2 / N at the paper's sizes (Mistral-7B: 32 x 32 heads)
        foreach (int k in new[] { 8, 16, 32 }) Assert.Equal(k * k / 1024.0, RandomOverlap.ExpectedOverlap(1024, k), 1e-12);
        Assert.Throws<ArgumentException>(() => RandomOverlap.Distribution(4, 5));
    }

    [Fact]
    public void OverlapAndJaccardOfTopKSetsAreCountedPairwise()
    {
        var rankings = new[]
        {
            new NamedRanking("A", "a.json", Ranking("colours", "L0H0", "L0H1", "L1H2")),
            new NamedRanking("B", "b.json", Ranking("colours", "L0H0", "L1H2", "L0H2")),
            new NamedRanking("C", "c.json", Ranking("countries", "L1H0", "L1H1", "L0H2")),
        };
        var overlap = new HeadSetOverlap(rankings, [3, 2]);
        Assert.Equal([2, 3], overlap.ByK.Select(o => o.K));   // sorted
        var k2 = overlap.ByK[0];
        // A = {L0H0, L0H1}, B = {L0H0, L1H2}, C = {L1H0, L1H1}
        Assert.Equal(new[,] { { 2, 1, 0 }, { 1, 2, 0 }, { 0, 0, 2 } }, k2.Overlap);
        Assert.Equal(1 / 3.0, k2.Jaccard[0, 1], 1e-15);
        Assert.Equal(1.0, k2.Jaccard[2, 2]);
        Assert.Equal(0.0, k2.Jaccard[0, 2]);
        Assert.Equal(2 / 3.0, k2.RandomOverlap, 1e-14);   // 4 / 6
        Assert.Equal(11 / 45.0, k2.RandomJaccard, 1e-14);  // (8/15)(1/3) + (1/15)(1)
        // k = 3: A = {L0H0, L0H1, L1H2}, B = {L0H0, L1H2, L0H2}, C = {L1H0, L1H1, L0H2}
        var k3 = overlap.ByK[1];
        Assert.Equal(new[,] { { 3, 2, 0 }, { 2, 3, 1 }, { 0, 1, 3 } }, k3.Overlap);
        Assert.Equal(0.5, k3.Jaccard[0, 1], 1e-15);
        Assert.Equal(0.2, k3.Jaccard[1, 2], 1e-15);

        var json = JsonNode.Parse(overlap.ToJson())!;
        Assert.Equal(6, (int)json["total_heads"]!);
        Assert.Equal("[[2,1,0],[1,2,0],[0,0,2]]", json["by_k"]![0]!["overlap"]!.ToJsonString());
        Assert.Equal("[\"L0H0\",\"L1H2\"]", json["by_k"]![0]!["top_heads"]![1]!["heads"]!.ToJsonString());
        var csv = overlap.ToCsv().Split('\n');
        Assert.Equal("k,a,b,overlap,jaccard,random_expected_overlap,random_expected_jaccard", csv[0]);
        Assert.Equal(1 + 2 * 9, csv.Count(l => l.Length > 0));
        Assert.StartsWith("2,A,B,1,0.3333333333333333,0.666666666666666", csv[2]);
        var md = overlap.ToMarkdown();
        Assert.Contains("| overlap (heads shared) | A | B | C |", md);
        Assert.Contains("| B | 2 | 3 | 1 |", md);
        Assert.Contains("| A | 1 | 0.5 | 0 |", md);
        Assert.Contains("Two random sets of 2 heads share 0.667 heads on average (Jaccard 0.2444", md);
        var svg = OverlapHeatmapSvg.Write(overlap, k2);
        Assert.Contains("A / B: 1 shared, Jaccard 0.3333", svg);
        Assert.Contains("expected overlap 0.667, Jaccard 0.2444", svg);
    }

    [Fact]
    public void TiedScoresAreBrokenByLayerThenHead()
    {
        var tied = new HeadRanking("t", HeadRanking.SompMethod, new SompOptions(), 1, 2, 3, 1, [1],
            Enumerable.Range(0, 6).Select(i => new HeadScore(new HeadId(i / 3, i % 3), i == 4 ? 2 : 1, [], [])));
        var other = Ranking("o", "L0H0", "L0H1");
        var o = new HeadSetOverlap([new("t", "t.json", tied), new("o", "o.json", other)], [2]);
        Assert.Equal([new HeadId(1, 1), new HeadId(0, 0)], o.ByK[0].TopHeads[0]);   // L1H1 first, then the tie at 1 by (layer, head)
        Assert.Equal(1, o.ByK[0].Overlap[0, 1]);
    }

    [Fact]
    public void BadComparisonsAreRefusedByName()
    {
        var a = new NamedRanking("A", "a.json", Ranking("x", "L0H0"));
        var wide = new NamedRanking("W", "w.json", new HeadRanking("x", "somp", new SompOptions(), 1, 3, 3, 1, [1],
            Enumerable.Range(0, 9).Select(i => new HeadScore(new HeadId(i / 3, i % 3), i, [], []))));
        Assert.Contains("w.json ranks 3 x 3 heads but a.json ranks 2 x 3", Assert.Throws<ArgumentException>(() => new HeadSetOverlap([a, wide], [2])).Message);
        Assert.Contains("k = 7 is not between 1 and the 6 heads", Assert.Throws<ArgumentException>(() => new HeadSetOverlap([a, a with { Name = "B" }], [7])).Message);
        Assert.Contains("at least two rankings", Assert.Throws<ArgumentException>(() => new HeadSetOverlap([a], [2])).Message);
        Assert.Contains("two rankings are named 'A'", Assert.Throws<ArgumentException>(() => new HeadSetOverlap([a, a], [2])).Message);
    }
}
