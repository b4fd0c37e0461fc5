using System.Text.Json.Nodes;
using HeadPursuit.Somp;

namespace HeadPursuit.Cli.Tests;

/// <summary>`headpursuit overlap` reads ranking files as `rank` writes them and writes the four outputs; bad input is named.</summary>
[Collection("console")]
public sealed class OverlapCommandTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("hp-overlap-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    string RankingFile(string name, int layers, params int[] order)
    {
        var scores = Enumerable.Range(0, layers * 2).Select(i => new HeadScore(new HeadId(i / 2, i % 2), order.Contains(i) ? 10 - Array.IndexOf(order, i) : 0, [], []));
        string path = Path.Combine(_dir, name + ".somp.json");
        File.WriteAllText(path, new HeadRanking(name, HeadRanking.SompMethod, new SompOptions(), 2, layers, 2, 5, [3, 4], scores).ToJson());
        return path;
    }

    [Fact]
    public void WritesJsonCsvMarkdownAndAHeatmapPerK()
    {
        string a = RankingFile("a", 2, 0, 1, 2), b = RankingFile("b", 2, 0, 3, 1);
        string stem = Path.Combine(_dir, "out", "fig4");
        var (exit, output, err) = CliRunner.Run("overlap", "--k", "1,2", "--out", stem, $"first={a}", b);
        Assert.True(exit == 0, err);
        var json = JsonNode.Parse(File.ReadAllText(stem + ".json"))!;
        Assert.Equal("first", (string)json["rankings"]![0]!["name"]!);
        Assert.Equal("b.somp", (string)json["rankings"]![1]!["name"]!);
        // k = 2 of 4 heads: {L0H0, L0H1} and {L0H0, L1H1} share one; random: E[X] = 1, E[J] = 7/18
        var k2 = json["by_k"]![1]!;
        Assert.Equal("[[2,1],[1,2]]", k2["overlap"]!.ToJsonString());
        Assert.Equal(7 / 18.0, (double)k2["random_expected_jaccard"]!, 1e-12);
        Assert.Contains("2,first,b.somp,1,0.3333333333333333", File.ReadAllText(stem + ".csv"));
        Assert.Contains("## k = 2", File.ReadAllText(stem + ".md"));
        Assert.Contains("## k = 1", output);
        Assert.True(File.Exists(stem + ".k=1.svg"));
        Assert.Contains("first / b.somp: 1 shared", File.ReadAllText(stem + ".k=2.svg"));
    }

    [Fact]
    public void RankingsOfDifferentShapesAndMissingKAreRefused()
    {
        string a = RankingFile("a", 2, 0), c = RankingFile("c", 3, 0);
        var (exit, _, err) = CliRunner.Run("overlap", "--k", "2", a, c);
        Assert.Equal(1, exit);
        Assert.Contains($"{c} ranks 3 x 2 heads but {a} ranks 2 x 2", err);
        (exit, _, err) = CliRunner.Run("overlap", a, c);
        Assert.Equal(1, exit);
        Assert.Contains("missing --k", err);
        (exit, _, err) = CliRunner.Run("overlap", "--k", "2", a, Path.Combine(_dir, "none.json"));
        Assert.Equal(1, exit);
        Assert.Contains("none.json: ranking file not found", err);
    }
}
