using System.Text.Json;
using System.Xml.Linq;

namespace HeadPursuit.Somp.Tests;

/// <summary>HeadRanking order and its JSON / CSV / Markdown / SVG outputs, on the llama-tiny fixture ranking.</summary>
public class RankingOutputTests
{
    static readonly LlamaTinyHeadsCase Case = new();
    static readonly SompOptions Options = new(Center: true, Normalize: true);
    static HeadRanking Ranking() => new HeadScorer(Case.Zbar, Case.Blocks, Case.LmHead, Options).Rank("colours", Case.ConceptIds);

    [Fact]
    public void TiesRankByLayerThenHead()
    {
        var r = new HeadRanking("t", HeadRanking.SompMethod, Options, 1, 2, 2, 3, [5],
            [new(new HeadId(1, 1), 0.5, [], []), new(new HeadId(0, 1), 0.5, [], []), new(new HeadId(1, 0), 0.9, [], []), new(new HeadId(0, 0), 0.1, [], [])]);
        Assert.Equal([new HeadId(1, 0), new HeadId(0, 1), new HeadId(1, 1), new HeadId(0, 0)], r.Entries.Select(e => e.Head));
        Assert.Equal([new HeadId(1, 0), new HeadId(0, 1)], r.Top(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => r.Top(5));
        Assert.Equal(0.1, r.ScoreOf(new HeadId(0, 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => r.ScoreOf(new HeadId(2, 0)));
    }

    [Fact]
    public void JsonHoldsOptionsAndEveryHead()
    {
        var r = Ranking();
        using var doc = JsonDocument.Parse(r.ToJson());
        var root = doc.RootElement;
        Assert.Equal("colours", root.GetProperty("concept").GetString());
        Assert.Equal("somp", root.GetProperty("method").GetString());
        Assert.True(root.GetProperty("options").GetProperty("center").GetBoolean());
        Assert.False(root.GetProperty("options").GetProperty("fold_final_norm").GetBoolean());
        Assert.Equal(12, root.GetProperty("iterations").GetInt32());
        Assert.Equal(Case.ConceptIds, root.GetProperty("token_ids").EnumerateArray().Select(x => x.GetInt32()));
        var heads = root.GetProperty("ranking").EnumerateArray().ToList();
        Assert.Equal(Case.Ranking.Select(h => h.ToString()), heads.Select(h => h.GetProperty("head").GetString()));
        Assert.Equal(r.Entries[0].Score, heads[0].GetProperty("score").GetDouble());
        Assert.Equal(r.Entries[0].EvrCurve, heads[0].GetProperty("evr").EnumerateArray().Select(x => x.GetDouble()));
    }

    [Fact]
    public void CsvHasOneLinePerHeadInRankOrder()
    {
        var r = Ranking();
        var lines = r.ToCsv().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("# concept=colours, method=somp, N = 12, center=true", lines[0]);
        Assert.Equal("rank,head,layer,head_index,score", lines[1]);
        Assert.Equal(8 + 2, lines.Length);
        var first = lines[2].Split(',');
        Assert.Equal(["1", Case.Ranking[0].ToString(), Case.Ranking[0].Layer.ToString(), Case.Ranking[0].Head.ToString()], first[..4]);
        Assert.Equal(r.Entries[0].Score, double.Parse(first[4], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void MarkdownListsTopHeads()
    {
        var md = Ranking().ToMarkdown(top: 3);
        Assert.Contains("| 1 | " + Case.Ranking[0] + " |", md);
        Assert.Contains("| 3 | " + Case.Ranking[2] + " |", md);
        Assert.DoesNotContain("| 4 |", md);
        Assert.Contains("normalize=true", md);
    }

    [Fact]
    public void HeatmapIsSvgWithOneCellPerHeadAndALegend()
    {
        var r = Ranking();
        var svg = XDocument.Parse(HeatmapSvg.Write(r));
        XNamespace ns = "http://www.w3.org/2000/svg";
        var cells = svg.Descendants(ns + "rect").Where(e => e.Element(ns + "title") != null).ToList();
        Assert.Equal(8, cells.Count);
        var best = cells.Single(e => e.Element(ns + "title")!.Value.StartsWith(Case.Ranking[0] + ":"));
        var worst = cells.Single(e => e.Element(ns + "title")!.Value.StartsWith(Case.Ranking[^1] + ":"));
        Assert.Equal(HeatmapSvg.Colour(1, 0, 1), best.Attribute("fill")!.Value);
        Assert.Equal(HeatmapSvg.Colour(0, 0, 1), worst.Attribute("fill")!.Value);
        Assert.Single(svg.Descendants(ns + "linearGradient"));
        Assert.Contains(svg.Descendants(ns + "text"), t => t.Value.Contains("fold_final_norm=false"));
    }

    [Fact]
    public void HeadIdRoundTrips()
    {
        Assert.Equal("L3H7", new HeadId(3, 7).ToString());
        Assert.Equal(new HeadId(11, 0), HeadId.Parse("l11h0"));
        Assert.Throws<FormatException>(() => HeadId.Parse("L3"));
        Assert.Throws<FormatException>(() => HeadId.Parse("H3L1"));
    }
}
