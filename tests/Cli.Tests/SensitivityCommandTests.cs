using System.Text.Json.Nodes;
using HeadPursuit.Tests;

namespace HeadPursuit.Cli.Tests;

/// <summary>`headpursuit sensitivity` end to end on stories260K (colours, with numbers as distractors); bad options are named.</summary>
[Collection("console")]
public sealed class SensitivityCommandTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("hp-sensitivity-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    static string Repo(params string[] parts)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "HeadPursuit.sln"))) return Path.Combine([dir.FullName, .. parts]);
        throw new DirectoryNotFoundException("cannot find HeadPursuit.sln above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void RanksEveryVariantAndWritesTheTableAndPlots()
    {
        string stem = Path.Combine(_dir, "colours");
        var (exit, output, err) = CliRunner.Run("sensitivity", "--model", Fixtures.Path("stories260K"), "--prompts", Repo("data", "prompts", "stories-colours.txt"),
            "--concept", "colours", "--fractions", "50", "--seeds", "2", "--distractors", "numbers", "--distractor-fractions", "50", "--k", "2,4",
            "--out", stem, "--device", "cpu");
        Assert.True(exit == 0, err);
        var json = JsonNode.Parse(File.ReadAllText(stem + ".json"))!;
        var variants = json["variants"]!.AsArray();
        Assert.Equal(1 + 2 + 2, variants.Count);   // full, 2 subsets, 2 distractor draws
        Assert.Equal("full", (string)variants[0]!["kind"]!);
        Assert.Equal(1.0, (double)variants[0]!["spearman"]!, 1e-12);
        Assert.Equal(15, variants[1]!["words"]!.AsArray().Count);   // half of the 30 colour words
        Assert.Equal(45, variants[3]!["words"]!.AsArray().Count);   // 30 + 15 number words
        Assert.All(variants, v => Assert.InRange((double)v!["top_k_overlap"]![1]!, 0, 1));
        Assert.Contains("| 50% of the words | 2 |", output);
        Assert.Equal(1 + 5, File.ReadAllLines(stem + ".csv").Length);
        Assert.Contains("top-4 overlap", File.ReadAllText(stem + ".subsets.svg"));
        Assert.True(File.Exists(stem + ".distractors.svg"));
    }

    [Fact]
    public void BadOptionsAreNamed()
    {
        string model = Fixtures.Path("stories260K");
        var (exit, _, err) = CliRunner.Run("sensitivity", "--model", model, "--prompts", "p.txt", "--concept", "colours", "--fractions", "0,50");
        Assert.Equal(1, exit);
        Assert.Contains("--fractions must be between 1 and 100, got 0", err);
        (exit, _, err) = CliRunner.Run("sensitivity", "--model", model, "--prompts", "p.txt", "--concept", "colours", "--concept-tokens", "plain");
        Assert.Equal(1, exit);
        Assert.Contains("--concept-tokens 'plain' is not one of both, space", err);
        (exit, _, err) = CliRunner.Run("sensitivity", "--model", model, "--concept", "colours");
        Assert.Equal(1, exit);
        Assert.Contains("give exactly one of --activations, --prompts", err);
    }
}
