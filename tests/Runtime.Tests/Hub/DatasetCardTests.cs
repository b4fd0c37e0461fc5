using HeadPursuit.Runtime.Hub;

namespace HeadPursuit.Runtime.Tests.Hub;

/// <summary>The "configs" of a dataset card's YAML block, in every form the hub's "Manual Configuration" guide shows.</summary>
public sealed class DatasetCardTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("hp-card-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    string Card(string text)
    {
        string path = Path.Combine(_dir, "README.md");
        File.WriteAllText(path, text);
        return path;
    }

    static string Describe(CardConfig c) =>
        $"{c.Name}{(c.IsDefault ? "*" : "")} [{c.DataDir}] " +
        (c.DataFiles is null ? "infer" : string.Join(" ", c.DataFiles.Select(s => $"{s.Split}={string.Join("|", s.Patterns)}")));

    [Fact]
    public void EveryFormOfDataFilesIsRead()
    {
        string card = Card("""
            ---
            license: mit
            configs:
            - config_name: one
              data_files: "main_data.csv"
            - config_name: listed
              data_files:
              - a.csv
              - b.csv
            - config_name: split
              default: true
              data_files:
              - split: train
                path: "data/*.csv"
              - split: test
                path:
                - holdout/ghi.csv
                - holdout/jkl.csv
            - config_name: dir
              data_dir: extra/
            - config_name: both
              data_dir: data
              data_files:
              - split: train
                path: training_*.csv
            ---
            # My dataset
            """);

        Assert.Equal(
        [
            "one [] train=main_data.csv",
            "listed [] train=a.csv|b.csv",
            "split* [] train=data/*.csv test=holdout/ghi.csv|holdout/jkl.csv",
            "dir [extra] infer",
            "both [data] train=data/training_*.csv",
        ], DatasetCard.ReadConfigs(card).Select(Describe));
    }

    [Fact]
    public void ACardWithoutFrontMatterOrConfigsHasNone()
    {
        Assert.Empty(DatasetCard.ReadConfigs(Card("# Just a title\n\nconfigs: not yaml front matter\n")));
        Assert.Empty(DatasetCard.ReadConfigs(Card("---\nlicense: mit\n---\n# Title\n")));
    }

    [Theory]
    [InlineData("configs: {a: 1}", 2, "\"configs\" must be a list")]
    [InlineData("configs:\n- data_files: x.csv", 3, "an entry of \"configs\" has no \"config_name\"")]
    [InlineData("configs:\n- config_name: a\n  data_files:\n  - split: train-x\n    path: x.csv", 5, "each entry must be {split:")]
    [InlineData("configs:\n- config_name: a\n  data_files:\n  - split: train\n    path: {x: 1}", 6, "the path of split 'train' must be a pattern or a list of patterns")]
    [InlineData("configs:\n- config_name: a\n- config_name: a", 4, "config 'a' appears twice")]
    public void AMalformedConfigsBlockIsAnErrorNamingTheLine(string yaml, int line, string why)
    {
        string card = Card("---\n" + yaml + "\n---\n");

        var e = Assert.Throws<ModelFormatException>(() => DatasetCard.ReadConfigs(card));

        Assert.StartsWith($"{card}: line {line}: ", e.Message);
        Assert.Contains(why, e.Message);
    }

    [Fact]
    public void InvalidYamlIsAnErrorNamingTheCard()
    {
        string card = Card("---\nconfigs: [unclosed\n---\n");

        var e = Assert.Throws<ModelFormatException>(() => DatasetCard.ReadConfigs(card));

        Assert.StartsWith($"{card}: the YAML block at the top is not valid YAML", e.Message);
    }
}
