using HeadPursuit.Runtime.Hub;

namespace HeadPursuit.Runtime.Tests.Hub;

/// <summary>A repository's configs, splits and data format, as the datasets library decides them.</summary>
public sealed class RepositoryLayoutTests
{
    static LayoutConfig Only(params string[] files) => Assert.Single(RepositoryLayout.Build([], files, null).Configs);

    [Fact]
    public void TheMostCommonExtensionIsTheFormatAndParquetWinsATie()
    {
        Assert.Equal("png", Only("train/a.png", "train/b.png", "train/c.parquet").Format);
        Assert.Equal("parquet", Only("train/a.parquet", "test/b.csv").Format);
        Assert.Equal("jsonl", Only("train.jsonl.gz").Format);
        Assert.Equal("bin", Only("train.bin").Format);
    }

    [Fact]
    public void MetadataFilesDoNotDecideTheFormat() =>
        Assert.Equal("parquet", Only("train/metadata.csv", "train/metadata.jsonl", "train/a.parquet").Format);

    [Fact]
    public void AParquetConfigKeepsOnlyItsParquetFiles()
    {
        var config = Only("data/train.parquet", "data/train.parquet.md5", "data/train-notes.txt", "data/train_2.parquet");

        Assert.Equal("parquet", config.Format);
        Assert.Equal(["data/train.parquet", "data/train_2.parquet"], config.Split("train")!.Files);
    }

    [Fact]
    public void ACardConfigWithoutDataFilesInfersItsSplitsUnderItsDataDir()
    {
        var layout = RepositoryLayout.Build(
            [new CardConfig("main", false, "main", null), new CardConfig("extra", true, "extra", null)],
            ["main/train.parquet", "main/test.parquet", "extra/train.parquet"], null);

        Assert.Equal("main (train, test); extra (train)", layout.Describe());
        Assert.Equal(["extra"], layout.Defaults().Select(c => c.Name));
    }
}
