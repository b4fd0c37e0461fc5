using HeadPursuit.Runtime.Hub;

namespace HeadPursuit.Runtime.Tests.Hub;

/// <summary>Data-file patterns matched as the datasets library matches them on the hub (fsspec glob plus its filters).</summary>
public sealed class DataFileGlobTests
{
    static readonly string[] Files =
    [
        ".gitattributes", "README.md", "data.csv", "train.csv", "data/train.csv", "data/sub/train.csv", "data/README.md",
        "data/.hidden.csv", ".cache/train.csv", "__pycache__/train.csv", "data/__special__/train.csv", "train/a.parquet",
        "train/deep/b.parquet", "training/c.parquet", "notrain/d.parquet",
    ];

    static string[] Match(string pattern) => [.. DataFileGlob.Match(Files, pattern)];

    [Fact]
    public void AStarStaysWithinOneFolder()
    {
        Assert.Equal(["data/train.csv"], Match("data/*.csv"));
        Assert.Equal(["data.csv", "train.csv"], Match("*.csv"));
        Assert.Equal(["data/sub/train.csv", "data/train.csv"], Match("data/**"));
    }

    [Fact]
    public void DoubleStarSlashMatchesAnyFoldersIncludingNone()
    {
        Assert.Equal(["data/sub/train.csv", "data/train.csv", "train.csv"], Match("**/train[-._ 0-9]*"));
        Assert.Equal(["train/a.parquet", "train/deep/b.parquet"], Match("**/train/**"));
    }

    [Fact]
    public void CharacterClassesAndTheirNegation()
    {
        Assert.Equal(["train.csv"], Match("[t]rain.csv"));
        Assert.Equal(["data.csv"], Match("[!t]*.csv"));
        Assert.Equal(["data.csv"], Match("dat?.csv"));
    }

    [Fact]
    public void HiddenAndDoubleUnderscoreFoldersCountOnlyWhenThePatternNamesThem()
    {
        Assert.DoesNotContain(Match("**"), f => f.Contains("/.", StringComparison.Ordinal) || f.StartsWith('.') || f.Contains("__", StringComparison.Ordinal));
        Assert.Equal(["data/.hidden.csv"], Match("data/.*"));
        Assert.Equal([".cache/train.csv"], Match(".cache/*"));
        Assert.Equal(["__pycache__/train.csv"], Match("__pycache__/*"));
        Assert.Equal(["data/__special__/train.csv"], Match("data/__*/*"));
    }

    [Fact]
    public void TheCardAndOtherNonDataFilesAreSkippedUnlessNamed()
    {
        Assert.DoesNotContain("README.md", Match("**"));
        Assert.DoesNotContain("data/README.md", Match("data/*"));
        Assert.Equal(["README.md"], Match("README.md"));
    }
}
