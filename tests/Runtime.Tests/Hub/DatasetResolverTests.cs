using System.Text;
using HeadPursuit.Runtime.Hub;

namespace HeadPursuit.Runtime.Tests.Hub;

/// <summary>
/// DatasetResolver against <see cref="FakeHub"/> serving small dataset repositories (placeholder .parquet bytes: only
/// files are resolved and downloaded here), with a fresh cache folder per test.
/// </summary>
public sealed class DatasetResolverTests : HubTestBase
{
    const string Id = "test-org/ds";
    const string Repo = "datasets/" + Id;
    const string ConvertCommit = "5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081";

    string RepoDir => Path.Combine(CacheDir, "datasets--test-org--ds");
    string Snapshot(string commit) => Path.Combine(RepoDir, "snapshots", commit);

    /// <summary>Stand-in bytes for a Parquet file: the magic number around the file's name.</summary>
    static byte[] Parquet(string name) => Encoding.ASCII.GetBytes($"PAR1 {name} PAR1");

    void AddParquet(string file, string commit = FakeHub.Commit) => Hub.AddFile(Repo, file, Parquet(file), commit);

    void AddCard(string yaml, string commit = FakeHub.Commit) =>
        Hub.AddFile(Repo, "README.md", Encoding.UTF8.GetBytes($"---\n{yaml}\n---\n# A dataset\n"), commit);

    /// <summary>The hub's Parquet conversion: refs/convert/parquet with the given files.</summary>
    void AddConversion(params string[] files)
    {
        foreach (string file in files) AddParquet(file, ConvertCommit);
        Hub.SetBranch(Repo, "refs/convert/parquet", ConvertCommit);
    }

    DatasetParquetFiles Resolve(string? config, string split, HubOptions? options = null) =>
        DatasetResolver.ResolveParquet(Id, config, split, options ?? Options);

    void AssertFiles(DatasetParquetFiles found, string commit, params string[] files)
    {
        Assert.Equal(files.Select(f => Path.Combine(Snapshot(commit), f)), found.Files);
        foreach (string f in files) Assert.Equal(Parquet(f), File.ReadAllBytes(Path.Combine(Snapshot(commit), f)));
    }

    [Fact]
    public void TheShardedLayoutOfTheMainBranchIsDownloadedIntoTheDatasetsCache()
    {
        Hub.AddFile(Repo, "README.md", Encoding.UTF8.GetBytes("# No YAML here\n"));
        AddParquet("data/train-00000-of-00002.parquet");
        AddParquet("data/train-00001-of-00002.parquet");
        AddParquet("data/test-00000-of-00001.parquet");

        var found = Resolve(null, "train");

        Assert.Equal(new DatasetParquetFiles(Id, "default", "train", "main", FakeHub.Commit, false, found.Files), found);
        AssertFiles(found, FakeHub.Commit, "data/train-00000-of-00002.parquet", "data/train-00001-of-00002.parquet");
        Assert.Equal(FakeHub.Commit, File.ReadAllText(Path.Combine(RepoDir, "refs", "main")));
        // The listing is cached as huggingface_hub's trees/{commit}.json; the test split was not downloaded.
        Assert.True(File.Exists(Path.Combine(RepoDir, "trees", FakeHub.Commit + ".json")));
        Assert.False(File.Exists(Path.Combine(Snapshot(FakeHub.Commit), "data", "test-00000-of-00001.parquet")));
        // Resolve URLs of datasets carry the "datasets/" prefix, and the API its repo type.
        Assert.Contains(Hub.Requests, r => r.Path == $"/api/datasets/{Id}/revision/main");
        Assert.Contains(Hub.Requests, r => r.Path == $"/{Repo}/resolve/{FakeHub.Commit}/data/train-00000-of-00002.parquet");
    }

    [Fact]
    public void TheCardsConfigsChooseTheFiles()
    {
        AddCard("""
            configs:
            - config_name: rc.nocontext
              data_files:
              - split: train
                path: rc.nocontext/train-*
              - split: validation
                path: rc.nocontext/validation-*
            - config_name: unfiltered
              default: true
              data_files:
              - split: train
                path: unfiltered/train-*
            """);
        AddParquet("rc.nocontext/train-00000-of-00002.parquet");
        AddParquet("rc.nocontext/train-00001-of-00002.parquet");
        AddParquet("rc.nocontext/validation-00000-of-00001.parquet");
        AddParquet("unfiltered/train-00000-of-00001.parquet");

        var rc = Resolve("rc.nocontext", "validation");
        Assert.Equal(("rc.nocontext", "validation", "main"), (rc.Config, rc.Split, rc.Revision));
        AssertFiles(rc, FakeHub.Commit, "rc.nocontext/validation-00000-of-00001.parquet");

        var byDefault = Resolve(null, "train");
        Assert.Equal("unfiltered", byDefault.Config);
        AssertFiles(byDefault, FakeHub.Commit, "unfiltered/train-00000-of-00001.parquet");
        Assert.Equal("unfiltered", Resolve("default", "train").Config);
    }

    [Fact]
    public void SeveralConfigsWithoutADefaultNeedOneNamed()
    {
        AddCard("configs:\n- config_name: a\n  data_files: a/*.parquet\n- config_name: b\n  data_files: b/*.parquet");
        AddParquet("a/x.parquet");
        AddParquet("b/y.parquet");

        var e = Assert.Throws<ModelFormatException>(() => Resolve(null, "train"));

        Assert.Equal("dataset test-org/ds has several configs and none is the default: name one of a, b (a (train); b (train))", e.Message);
        AssertFiles(Resolve("b", "train"), FakeHub.Commit, "b/y.parquet");
    }

    [Fact]
    public void ACardWithTwoDefaultConfigsIsAnErrorNamingThem()
    {
        AddCard("configs:\n- config_name: a\n  default: true\n  data_files: a/*.parquet\n- config_name: default\n  data_files: b/*.parquet");
        AddParquet("a/x.parquet");
        AddParquet("b/y.parquet");

        var e = Assert.Throws<ModelFormatException>(() => Resolve(null, "train"));

        Assert.Equal("dataset test-org/ds: its dataset card marks several configs as the default: a, default", e.Message);
    }

    [Fact]
    public void AConfigFolderWithoutACardIsThatConfigsFiles()
    {
        AddParquet("mnist/train-00000-of-00001.parquet");
        AddParquet("mnist/test-00000-of-00001.parquet");
        AddParquet("fashion/test-00000-of-00001.parquet");

        var found = Resolve("mnist", "test");

        Assert.Equal("mnist", found.Config);
        AssertFiles(found, FakeHub.Commit, "mnist/test-00000-of-00001.parquet");
    }

    [Fact]
    public void ADatasetStoredAsCsvIsReadFromTheHubsParquetConversion()
    {
        Hub.AddFile(Repo, "train.csv", Encoding.ASCII.GetBytes("text\nhello\n"));
        Hub.AddFile(Repo, "test.csv", Encoding.ASCII.GetBytes("text\nbye\n"));
        AddConversion("default/train/0000.parquet", "default/train/0001.parquet", "default/test/0000.parquet");

        var found = Resolve(null, "train");

        Assert.Equal(new DatasetParquetFiles(Id, "default", "train", "refs/convert/parquet", ConvertCommit, false, found.Files), found);
        AssertFiles(found, ConvertCommit, "default/train/0000.parquet", "default/train/0001.parquet");
        // huggingface_hub keeps a ref for that branch under its full name.
        Assert.Equal(ConvertCommit, File.ReadAllText(Path.Combine(RepoDir, "refs", "refs", "convert", "parquet")));
        Assert.Contains(Hub.Requests, r => r.Path == $"/api/datasets/{Id}/revision/refs%2Fconvert%2Fparquet");
    }

    [Fact]
    public void APartialConversionSaysSo()
    {
        Hub.AddFile(Repo, "data.jsonl", Encoding.ASCII.GetBytes("{\"text\": \"hi\"}\n"));
        AddConversion("default/partial-train/0000.parquet", "default/partial-train/0001.parquet");

        var found = Resolve("default", "train");

        Assert.True(found.Partial);
        AssertFiles(found, ConvertCommit, "default/partial-train/0000.parquet", "default/partial-train/0001.parquet");
    }

    [Fact]
    public void TheConversionCanBeAskedForDirectly()
    {
        AddParquet("data/train-00000-of-00001.parquet");
        AddConversion("default/train/0000.parquet");

        var found = Resolve(null, "train", Options with { Revision = "refs/convert/parquet" });

        Assert.Equal(("refs/convert/parquet", ConvertCommit), (found.Revision, found.Commit));
        AssertFiles(found, ConvertCommit, "default/train/0000.parquet");
    }

    [Fact]
    public void AMissingSplitNamesTheDatasetConfigAndSplitAndListsWhatEachSourceHas()
    {
        AddParquet("data/train-00000-of-00001.parquet");
        AddParquet("data/test-00000-of-00001.parquet");
        AddConversion("default/train/0000.parquet", "default/test/0000.parquet");

        var e = Assert.Throws<ModelFormatException>(() => Resolve(null, "validation"));

        Assert.Equal(
            "dataset test-org/ds has no Parquet files for config '(default)', split 'validation': " +
            $"its files (revision main, commit {FakeHub.Commit}) have no split 'validation' in config 'default'; they hold: default (train, test); " +
            $"its Parquet conversion (refs/convert/parquet, commit {ConvertCommit}) has no split 'validation' in config 'default'; it holds: default (train, test)",
            e.Message);
    }

    [Fact]
    public void AMissingConfigIsNamedWithTheConfigsThatExist()
    {
        AddCard("configs:\n- config_name: a\n  data_files: a/*.parquet");
        AddParquet("a/x.parquet");
        AddConversion("a/train/0000.parquet");

        var e = Assert.Throws<ModelFormatException>(() => Resolve("b", "train"));

        Assert.Equal(
            "dataset test-org/ds has no Parquet files for config 'b', split 'train': " +
            $"its files (revision main, commit {FakeHub.Commit}) have no config 'b'; they hold: a (train); " +
            $"its Parquet conversion (refs/convert/parquet, commit {ConvertCommit}) has no config 'b'; it holds: a (train)",
            e.Message);
    }

    [Fact]
    public void ACsvDatasetWithoutAConversionSaysBoth()
    {
        Hub.AddFile(Repo, "train.csv", Encoding.ASCII.GetBytes("text\nhello\n"));

        var e = Assert.Throws<ModelFormatException>(() => Resolve(null, "train"));

        Assert.Equal(
            "dataset test-org/ds has no Parquet files for config '(default)', split 'train': " +
            $"its files (revision main, commit {FakeHub.Commit}) store config 'default' as csv, not Parquet; they hold: default (csv: train); " +
            "and the hub has no Parquet conversion of it (refs/convert/parquet does not exist)",
            e.Message);
    }

    [Fact]
    public void OnlyTheMainBranchHasAConversion()
    {
        Hub.AddFile(Repo, "train.csv", Encoding.ASCII.GetBytes("text\nhello\n"));
        Hub.SetBranch(Repo, "v1", FakeHub.Commit);
        AddConversion("default/train/0000.parquet");

        var e = Assert.Throws<ModelFormatException>(() => Resolve(null, "train", Options with { Revision = "v1" }));

        Assert.EndsWith("The hub's Parquet conversion (refs/convert/parquet) is made from the main branch only", e.Message);
    }

    [Fact]
    public void OfflineTheCacheAnswersWithoutARequest()
    {
        AddParquet("data/train-00000-of-00001.parquet");
        var online = Resolve(null, "train");
        int before = Hub.Requests.Count;

        var offline = Resolve(null, "train", Options with { Offline = true });

        Assert.Equal(online with { Files = offline.Files }, offline);
        Assert.Equal(online.Files, offline.Files);
        Assert.Equal(before, Hub.Requests.Count);
    }

    [Fact]
    public void OfflineWithNothingCachedNamesHfHubOffline()
    {
        var e = Assert.Throws<ModelFormatException>(() => Resolve(null, "train", Options with { Offline = true }));

        Assert.Equal($"HF_HUB_OFFLINE is set and dataset test-org/ds is not in the cache at {RepoDir} (revision 'main' was never downloaded: no refs/main)", e.Message);
        Assert.Empty(Hub.Requests);
    }

    [Fact]
    public void OfflineAFileListingNotCachedIsNamed()
    {
        AddParquet("data/train-00000-of-00001.parquet");
        Resolve(null, "train");
        string tree = Path.Combine(RepoDir, "trees", FakeHub.Commit + ".json");
        File.Delete(tree);

        var e = Assert.Throws<ModelFormatException>(() => Resolve(null, "train", Options with { Offline = true }));

        Assert.Equal($"HF_HUB_OFFLINE is set and the file listing of dataset test-org/ds at commit {FakeHub.Commit} is not in the cache ({tree})", e.Message);
    }

    [Fact]
    public void WhenTheHubIsDownTheCachedCommitAnswers()
    {
        AddParquet("data/train-00000-of-00001.parquet");
        var online = Resolve(null, "train");
        Hub.FailNext(100, 503);

        Assert.Equal(online.Files, Resolve(null, "train").Files);
    }

    [Fact]
    public void AMovedMainBranchIsFollowed()
    {
        const string NewCommit = "b2c3d4e5f60718293a4b5c6d7e8f9010a1b2c3d4";
        AddParquet("data/train-00000-of-00001.parquet");
        Resolve(null, "train");
        AddParquet("data/train-00000-of-00002.parquet", NewCommit);
        AddParquet("data/train-00001-of-00002.parquet", NewCommit);
        Hub.SetBranch(Repo, "main", NewCommit);

        var found = Resolve(null, "train");

        Assert.Equal(NewCommit, found.Commit);
        AssertFiles(found, NewCommit, "data/train-00000-of-00002.parquet", "data/train-00001-of-00002.parquet");
        Assert.Equal(NewCommit, File.ReadAllText(Path.Combine(RepoDir, "refs", "main")));
    }

    [Fact]
    public void APaginatedListingIsFollowedToItsLastPage()
    {
        Hub.TreePageSize = 2;
        for (int i = 0; i < 5; i++) AddParquet($"data/train-0000{i}-of-00005.parquet");

        var found = Resolve(null, "train");

        Assert.Equal(5, found.Files.Count);
        Assert.True(Hub.Requests.Count(r => r.Path.StartsWith($"/api/datasets/{Id}/tree/", StringComparison.Ordinal)) >= 3);
    }

    [Fact]
    public void AnUnknownDatasetIsA404NamingIt()
    {
        var e = Assert.Throws<ModelFormatException>(() => DatasetResolver.ResolveParquet("test-org/nope", null, "train", Options));
        Assert.Contains("repository dataset test-org/nope not found", e.Message);
    }

    [Theory]
    [InlineData("test-org/ds/extra", "train", "'test-org/ds/extra' is not a hub dataset id")]
    [InlineData("test-org/ds", "partial-train", "'partial-train' is not a split name")]
    [InlineData("test-org/ds", "", "'' is not a split name")]
    public void BadArgumentsAreRefusedBeforeAnyRequest(string dataset, string split, string why)
    {
        var e = Assert.Throws<ArgumentException>(() => DatasetResolver.ResolveParquet(dataset, null, split, Options));
        Assert.StartsWith(why, e.Message);
        Assert.Empty(Hub.Requests);
    }
}
