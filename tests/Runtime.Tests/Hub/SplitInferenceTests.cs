using HeadPursuit.Runtime.Hub;

namespace HeadPursuit.Runtime.Tests.Hub;

/// <summary>The split names the datasets library infers from file layouts, on the examples of the hub's "File names and splits" guide.</summary>
public sealed class SplitInferenceTests
{
    static (string Split, string[] Files)[] Infer(string baseDir, params string[] files)
    {
        string[] all = [".gitattributes", "README.md", .. files];
        return [.. SplitInference.Patterns(all, baseDir).Select(s => (s.Split, SplitInference.Resolve(all, s.Patterns).ToArray()))];
    }

    static void Same((string, string[])[] expected, (string, string[])[] actual) =>
        Assert.Equal(expected.Select(e => $"{e.Item1}: {string.Join(", ", e.Item2)}"), actual.Select(a => $"{a.Item1}: {string.Join(", ", a.Item2)}"));

    [Fact]
    public void OneFileWithoutASplitNameIsTheTrainSplit() =>
        Same([("train", ["data.csv"])], Infer("", "data.csv"));

    [Fact]
    public void FileNamesGiveTheSplitsInTrainValidationTestOrder() =>
        Same([("train", ["train.csv"]), ("validation", ["validation.csv"]), ("test", ["test.csv"])],
            Infer("", "test.csv", "train.csv", "validation.csv"));

    [Fact]
    public void KeywordsMayBeSynonymsAndSitAnywhereBetweenSeparators() =>
        Same([("train", ["data/my_train_file_00001.csv", "data/training.csv"]), ("validation", ["data/valid.csv"]), ("test", ["data/eval.csv"])],
            Infer("", "data/training.csv", "data/eval.csv", "data/valid.csv", "data/my_train_file_00001.csv"));

    [Fact]
    public void AKeywordGluedToOtherLettersIsNotASplitName() =>
        Same([("train", ["testfile.csv"])], Infer("", "testfile.csv"));

    [Fact]
    public void FolderNamesGiveTheSplitsBeforeFileNamesDo() =>
        Same([("train", ["data/train/shard_0.csv", "data/train/shard_1.csv"]), ("test", ["data/test/shard_0.csv"])],
            Infer("", "data/train/shard_0.csv", "data/train/shard_1.csv", "data/test/shard_0.csv"));

    [Fact]
    public void TheShardedLayoutGivesCustomSplitsAfterTheUsualOnes() =>
        Same(
        [
            ("train", ["data/train-00000-of-00002.parquet", "data/train-00001-of-00002.parquet"]),
            ("test", ["data/test-00000-of-00001.parquet"]),
            ("random", ["data/random-00000-of-00001.parquet"]),
        ],
        Infer("", "data/random-00000-of-00001.parquet", "data/test-00000-of-00001.parquet",
            "data/train-00001-of-00002.parquet", "data/train-00000-of-00002.parquet"));

    [Fact]
    public void ABaseFolderLimitsTheSearch() =>
        Same([("train", ["rc/train-00000.parquet"]), ("validation", ["rc/validation-00000.parquet"])],
            Infer("rc", "rc/train-00000.parquet", "rc/validation-00000.parquet", "other/train-00000.parquet"));

    [Fact]
    public void SplitNamesAreWordsJoinedByDots()
    {
        Assert.True(SplitInference.IsValidName("train"));
        Assert.True(SplitInference.IsValidName("test.clean"));
        Assert.False(SplitInference.IsValidName("partial-train"));
        Assert.False(SplitInference.IsValidName("../train"));
        Assert.False(SplitInference.IsValidName(""));
    }
}
