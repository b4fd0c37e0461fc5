using HeadPursuit.Runtime.Hub;
using HeadPursuit.Runtime.SafeTensors;

namespace HeadPursuit.Runtime.Tests.Hub;

/// <summary>ModelResolver against <see cref="FakeHub"/> on 127.0.0.1, with a fresh cache folder per test.</summary>
public sealed class ModelResolverTests : HubTestBase
{
    const string Repo = "test-org/tiny";
    const string RepoFolder = "models--test-org--tiny";

    readonly byte[] _weights = FakeModel.Weights(256, "wte.weight", "h.0.attn.c_proj.weight"); // 512 KiB of data

    public ModelResolverTests()
    {
        Hub.AddFile(Repo, "config.json", FakeModel.Config);
        Hub.AddFile(Repo, "tokenizer.json", FakeModel.Tokenizer);
        Hub.AddFile(Repo, "model.safetensors", _weights);
    }

    string RepoDir => Path.Combine(CacheDir, RepoFolder);
    string Snapshot => Path.Combine(RepoDir, "snapshots", FakeHub.Commit);

    static string[] Names(string dir) => [.. Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    [Fact]
    public void FreshDownloadWritesTheHuggingFaceLayoutAndTheWeightsOpen()
    {
        string folder = ModelResolver.Resolve(Repo, Options);

        Assert.Equal(Snapshot, folder);
        Assert.Equal([".no_exist", "blobs", "refs", "snapshots"], Names(RepoDir));
        Assert.Equal(FakeHub.Commit, File.ReadAllText(Path.Combine(RepoDir, "refs", "main")));
        Assert.Equal([FakeHub.Commit], Names(Path.Combine(RepoDir, "snapshots")));

        var files = new[] { ("config.json", FakeModel.Config), ("tokenizer.json", FakeModel.Tokenizer), ("model.safetensors", _weights) };
        Assert.Equal(files.Select(f => f.Item1).Order(StringComparer.Ordinal), Names(folder));
        Assert.Equal(files.Select(f => FakeHub.EtagOf(f.Item1, f.Item2)).Order(StringComparer.Ordinal), Names(Path.Combine(RepoDir, "blobs")));
        foreach (var (name, bytes) in files)
        {
            string link = Path.Combine(folder, name);
            Assert.Equal("../../blobs/" + FakeHub.EtagOf(name, bytes), new FileInfo(link).LinkTarget);
            Assert.Equal(bytes, File.ReadAllBytes(link));
        }
        // The optional files the hub answered 404 for are remembered, as huggingface_hub does.
        Assert.Equal(["generation_config.json", "preprocessor_config.json", "special_tokens_map.json", "tokenizer_config.json"],
            Names(Path.Combine(RepoDir, ".no_exist", FakeHub.Commit)));

        using var store = WeightStore.Open(folder);
        var values = new float[256 * 256];
        store.Get("h.0.attn.c_proj.weight").CopyTo(values);
        Assert.Equal(FakeModel.Values("h.0.attn.c_proj.weight", 256), values);
    }

    [Fact]
    public void ATokenizerInVocabJsonAndMergesTxtIsFetchedOnlyWhenThereIsNoTokenizerJson()
    {
        ModelResolver.Resolve(Repo, Options);
        Assert.DoesNotContain(Hub.Requests, r => r.Path.EndsWith("/vocab.json", StringComparison.Ordinal) || r.Path.EndsWith("/merges.txt", StringComparison.Ordinal));

        const string Classifier = "test-org/classifier";
        Hub.AddFile(Classifier, "config.json", FakeModel.Config);
        Hub.AddFile(Classifier, "vocab.json", "{\"a\": 0}"u8.ToArray());
        Hub.AddFile(Classifier, "merges.txt", "#version: 0.2\n"u8.ToArray());
        Hub.AddFile(Classifier, "model.safetensors", _weights);
        string folder = ModelResolver.Resolve(Classifier, Options);
        Assert.Equal(["config.json", "merges.txt", "model.safetensors", "vocab.json"], Names(folder));
    }

    [Fact]
    public void LfsFilesAreFetchedFromTheRedirectAndPlainFilesFromTheCommit()
    {
        ModelResolver.Resolve(Repo, Options);

        var gets = Hub.Requests.Where(r => r.Method == "GET").Select(r => r.Path).ToList();
        Assert.Contains("/cdn/" + FakeHub.Sha256(_weights), gets);
        Assert.Contains($"/{Repo}/resolve/{FakeHub.Commit}/config.json", gets);
        Assert.DoesNotContain(gets, p => p.EndsWith("/model.safetensors", StringComparison.Ordinal));
        // The first HEAD asks for the branch; once the commit is known every request names it.
        var heads = Hub.Requests.Where(r => r.Method == "HEAD").Select(r => r.Path).ToList();
        Assert.Equal($"/{Repo}/resolve/main/config.json", heads[0]);
        Assert.All(heads.Skip(1), p => Assert.Contains($"/resolve/{FakeHub.Commit}/", p));
    }

    [Fact]
    public void ASecondResolveOnlyAsksWhereMainPointsNow()
    {
        ModelResolver.Resolve(Repo, Options);
        int before = Hub.Requests.Count;
        Assert.True(before > 0);

        Assert.Equal(Snapshot, ModelResolver.Resolve(Repo, Options));

        // As huggingface_hub does online: a HEAD on the branch (for the first file) re-resolves it; nothing else.
        Assert.Equal([("HEAD", $"/{Repo}/resolve/main/config.json")], Hub.Requests.Skip(before).Select(r => (r.Method, r.Path)));
    }

    [Fact]
    public void ASecondResolveOfACommitOrOfflineMakesNoRequest()
    {
        ModelResolver.Resolve(Repo, Options);
        int before = Hub.Requests.Count;

        Assert.Equal(Snapshot, ModelResolver.Resolve(Repo, Options with { Revision = FakeHub.Commit }));
        Assert.Equal(Snapshot, ModelResolver.Resolve(Repo, Options with { Offline = true }));

        Assert.Equal(before, Hub.Requests.Count);
    }

    [Fact]
    public void AMissingSnapshotFileWhoseBlobIsCachedIsLinkedWithoutDownloading()
    {
        ModelResolver.Resolve(Repo, Options);
        File.Delete(Path.Combine(Snapshot, "model.safetensors"));
        int before = Hub.Requests.Count;

        ModelResolver.Resolve(Repo, Options);

        var after = Hub.Requests.Skip(before).ToList();
        Assert.Equal(
            [("HEAD", $"/{Repo}/resolve/main/config.json"), ("HEAD", $"/{Repo}/resolve/{FakeHub.Commit}/model.safetensors")],
            after.Select(r => (r.Method, r.Path)));
        Assert.Equal(_weights, File.ReadAllBytes(Path.Combine(Snapshot, "model.safetensors")));
    }

    [Fact]
    public void ACutConnectionIsResumedWithARangeRequest()
    {
        Hub.CutNextDownloadsOf("model.safetensors");
        var progress = new List<DownloadProgress>();

        string folder = ModelResolver.Resolve(Repo, Options, new Recorder(progress));

        var downloads = Hub.Requests.Where(r => r.Path.StartsWith("/cdn/", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, downloads.Count);
        Assert.Null(downloads[0].Range);
        Assert.Equal($"bytes={_weights.Length / 2}-", downloads[1].Range);
        Assert.Equal(_weights, File.ReadAllBytes(Path.Combine(folder, "model.safetensors")));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(RepoDir, "blobs"), "*.incomplete"));

        var weightReports = progress.Where(p => p.File == "model.safetensors").ToList();
        Assert.Equal(new DownloadProgress("model.safetensors", _weights.Length, _weights.Length), weightReports[^1]);
        Assert.Contains(weightReports, p => p.BytesDone == _weights.Length / 2 && !p.IsComplete);
    }

    [Fact]
    public void CutsThatBringNoDataEndTheDownloadClearlyAndTheNextRunResumes()
    {
        // Half the file arrives, then six attempts in a row bring nothing: huggingface_hub's rule (five retries
        // without new data, the count starting again whenever data arrived) gives up.
        Hub.CutNextDownloadsOf("model.safetensors");
        Hub.CutNextDownloadsOf("model.safetensors", times: 6, keep: 0);
        string partial = Path.Combine(RepoDir, "blobs", FakeHub.Sha256(_weights) + ".incomplete");

        var e = Assert.Throws<ModelFormatException>(() => ModelResolver.Resolve(Repo, Options));

        Assert.Contains("model.safetensors of test-org/tiny", e.Message);
        Assert.Contains("download failed: 6 attempts in a row brought no data", e.Message);
        Assert.Contains($"the {_weights.Length / 2} bytes received so far stay in {partial} and the next run resumes from there", e.Message);
        Assert.Equal(_weights[..(_weights.Length / 2)], File.ReadAllBytes(partial));
        Assert.Equal(7, Hub.Requests.Count(r => r.Path.StartsWith("/cdn/", StringComparison.Ordinal)));

        int before = Hub.Requests.Count;
        string folder = ModelResolver.Resolve(Repo, Options);

        var resumed = Assert.Single(Hub.Requests.Skip(before), r => r.Path.StartsWith("/cdn/", StringComparison.Ordinal));
        Assert.Equal($"bytes={_weights.Length / 2}-", resumed.Range);
        Assert.Equal(_weights, File.ReadAllBytes(Path.Combine(folder, "model.safetensors")));
        Assert.False(File.Exists(partial));
    }

    [Fact]
    public void ACutAfterEveryFewBytesStillFinishesBecauseEachAttemptBringsData()
    {
        // Ten cuts in a row, each after a quarter of what is left: more failures than the retry limit, but none without data.
        Hub.CutNextDownloadsOf("model.safetensors", times: 10, keep: 0.25);

        string folder = ModelResolver.Resolve(Repo, Options);

        Assert.Equal(11, Hub.Requests.Count(r => r.Path.StartsWith("/cdn/", StringComparison.Ordinal)));
        Assert.Equal(_weights, File.ReadAllBytes(Path.Combine(folder, "model.safetensors")));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void APartialFileFromAnEarlierRunIsResumed(bool serverIgnoresRange)
    {
        Hub.IgnoreRange = serverIgnoresRange;
        string blobs = Path.Combine(RepoDir, "blobs");
        Directory.CreateDirectory(blobs);
        int have = 100_000;
        File.WriteAllBytes(Path.Combine(blobs, FakeHub.Sha256(_weights) + ".incomplete"), _weights[..have]);

        string folder = ModelResolver.Resolve(Repo, Options);

        var download = Assert.Single(Hub.Requests, r => r.Path.StartsWith("/cdn/", StringComparison.Ordinal));
        Assert.Equal($"bytes={have}-", download.Range);
        Assert.Equal(_weights, File.ReadAllBytes(Path.Combine(folder, "model.safetensors")));
    }

    [Fact]
    public void AWrongAnnouncedSizeIsASizeMismatchAndThePartialFileIsDropped()
    {
        Hub.AnnouncedSizeError = 10;

        var e = Assert.Throws<ModelFormatException>(() => ModelResolver.Resolve(Repo, Options));

        Assert.Contains("model.safetensors of test-org/tiny", e.Message);
        Assert.Contains($"size mismatch: the hub announced {_weights.Length + 10} bytes but {_weights.Length} arrived", e.Message);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(RepoDir, "blobs"), FakeHub.Sha256(_weights) + "*"));
    }

    [Fact]
    public void WithoutTheTokenAGatedRepoIsA401NamingHfToken()
    {
        Hub.RequiredToken = "hf_secret";

        var e = Assert.Throws<ModelFormatException>(() => ModelResolver.Resolve(Repo, Options));

        Assert.Contains("config.json of test-org/tiny", e.Message);
        Assert.Contains("401", e.Message);
        Assert.Contains("gated or private", e.Message);
        Assert.Contains("set HF_TOKEN", e.Message);
        Assert.EndsWith("(the hub says: Access to this model is restricted.)", e.Message);
    }

    [Fact]
    public void ATokenWithoutAccessIsA403()
    {
        Hub.RequiredToken = "hf_secret";

        var e = Assert.Throws<ModelFormatException>(() => ModelResolver.Resolve(Repo, Options with { Token = "hf_other" }));

        Assert.Contains("config.json of test-org/tiny", e.Message);
        Assert.Contains("403 Forbidden: test-org/tiny is gated or private and this token has no access", e.Message);
        Assert.Equal("Bearer hf_other", Assert.Single(Hub.Requests).Authorization);
    }

    [Fact]
    public void TheTokenIsSentAsABearerHeaderToTheHub()
    {
        Hub.RequiredToken = "hf_secret";

        ModelResolver.Resolve(Repo, Options with { Token = "hf_secret" });

        var toHub = Hub.Requests.Where(r => r.Path.Contains("/resolve/", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(toHub);
        Assert.All(toHub, r => Assert.Equal("Bearer hf_secret", r.Authorization));
        // The CDN (another host) never sees the token.
        var toCdn = Assert.Single(Hub.Requests, r => r.Path.StartsWith("/cdn/", StringComparison.Ordinal));
        Assert.Null(toCdn.Authorization);
        Assert.True(File.Exists(Path.Combine(Snapshot, "model.safetensors")));
    }

    [Fact]
    public void ARenamedRepositoryIsFollowedAndCachedUnderTheNameAsked()
    {
        Hub.AddRename("test-org/old-name", Repo);

        string folder = ModelResolver.Resolve("test-org/old-name", Options);

        Assert.Equal(Path.Combine(CacheDir, "models--test-org--old-name", "snapshots", FakeHub.Commit), folder);
        Assert.Equal(_weights, File.ReadAllBytes(Path.Combine(folder, "model.safetensors")));
    }

    [Fact]
    public void AnUnknownRepositoryIsA404NamingIt()
    {
        var e = Assert.Throws<ModelFormatException>(() => ModelResolver.Resolve("test-org/nope", Options));
        Assert.Contains("repository test-org/nope not found", e.Message);
    }

    [Fact]
    public void AnUnknownRevisionIsA404NamingIt()
    {
        var e = Assert.Throws<ModelFormatException>(() => ModelResolver.Resolve(Repo, Options with { Revision = "v9" }));
        Assert.Contains("revision 'v9' not found in test-org/tiny", e.Message);
    }

    [Fact]
    public void ARepositoryWithoutSafetensorsWeightsIsNamed()
    {
        Hub.AddFile("test-org/pt-only", "config.json", FakeModel.Config);
        Hub.AddFile("test-org/pt-only", "pytorch_model.bin", [1, 2, 3]);

        var e = Assert.Throws<ModelFormatException>(() => ModelResolver.Resolve("test-org/pt-only", Options));

        Assert.Contains("test-org/pt-only (revision main) has neither model.safetensors nor model.safetensors.index.json", e.Message);
    }

    [Fact]
    public void AnUnreachableHubIsANetworkErrorThatSuggestsOfflineMode()
    {
        string url = Hub.Url;
        Hub.Dispose();

        var e = Assert.Throws<ModelFormatException>(() => ModelResolver.Resolve(Repo, Options with { Endpoint = url }));

        Assert.Contains("config.json of test-org/tiny", e.Message);
        Assert.Contains("cannot reach " + url, e.Message);
        Assert.Contains("HF_HUB_OFFLINE=1", e.Message);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void CachedFilesResolveWithNoServer(bool offline)
    {
        ModelResolver.Resolve(Repo, Options);
        Hub.Dispose();

        string folder = ModelResolver.Resolve(Repo, Options with { Offline = offline });

        Assert.Equal(Snapshot, folder);
        using var store = WeightStore.Open(folder);
        Assert.True(store.Contains("wte.weight"));
    }

    [Fact]
    public void OfflineWithNothingCachedNamesTheFileRepoAndCachePath()
    {
        var e = Assert.Throws<ModelFormatException>(() => ModelResolver.Resolve(Repo, Options with { Offline = true }));

        Assert.StartsWith($"HF_HUB_OFFLINE is set and config.json of test-org/tiny is not in the cache at {RepoDir}", e.Message);
        Assert.Empty(Hub.Requests);
    }

    [Fact]
    public void OfflineWithTheWeightsMissingNamesThem()
    {
        ModelResolver.Resolve(Repo, Options);
        File.Delete(Path.Combine(Snapshot, "model.safetensors"));

        var e = Assert.Throws<ModelFormatException>(() => ModelResolver.Resolve(Repo, Options with { Offline = true }));

        Assert.StartsWith($"HF_HUB_OFFLINE is set and model.safetensors of test-org/tiny is not in the cache at {RepoDir}", e.Message);
    }

    [Fact]
    public void ACommitShaRevisionNeedsNoRefsFile()
    {
        ModelResolver.Resolve(Repo, Options with { Revision = FakeHub.Commit });

        Assert.False(Directory.Exists(Path.Combine(RepoDir, "refs")));
        Assert.Equal(_weights, File.ReadAllBytes(Path.Combine(Snapshot, "model.safetensors")));
        Assert.Equal(Snapshot, ModelResolver.Resolve(Repo, Options with { Revision = FakeHub.Commit, Offline = true }));
    }

    [Fact]
    public void AShardedCheckpointDownloadsEveryShard()
    {
        const string sharded = "test-org/sharded";
        byte[] shard1 = FakeModel.Weights(64, "wte.weight");
        byte[] shard2 = FakeModel.Weights(32, "h.0.attn.c_proj.weight", "lm_head.weight");
        Hub.AddFile(sharded, "config.json", FakeModel.Config);
        Hub.AddFile(sharded, "model-00001-of-00002.safetensors", shard1);
        Hub.AddFile(sharded, "model-00002-of-00002.safetensors", shard2);
        Hub.AddFile(sharded, "model.safetensors.index.json", FakeModel.Index(
            ("wte.weight", "model-00001-of-00002.safetensors"),
            ("h.0.attn.c_proj.weight", "model-00002-of-00002.safetensors"),
            ("lm_head.weight", "model-00002-of-00002.safetensors")));

        string folder = ModelResolver.Resolve(sharded, Options);

        Assert.Equal(shard1, File.ReadAllBytes(Path.Combine(folder, "model-00001-of-00002.safetensors")));
        Assert.Equal(shard2, File.ReadAllBytes(Path.Combine(folder, "model-00002-of-00002.safetensors")));
        Assert.Equal(2, Hub.Requests.Count(r => r.Method == "GET" && r.Path.StartsWith("/cdn/", StringComparison.Ordinal)));
        using (var store = WeightStore.Open(folder))
        {
            var values = new float[32 * 256];
            store.Get("lm_head.weight").CopyTo(values);
            Assert.Equal(FakeModel.Values("lm_head.weight", 32), values);
            Assert.True(store.Contains("wte.weight"));
        }

        int before = Hub.Requests.Count;
        ModelResolver.Resolve(sharded, Options);
        Assert.Equal([("HEAD", $"/{sharded}/resolve/main/config.json")], Hub.Requests.Skip(before).Select(r => (r.Method, r.Path)));
    }

    [Fact]
    public void AShardNameThatLeavesTheSnapshotIsRejected()
    {
        const string evil = "test-org/evil";
        Hub.AddFile(evil, "config.json", FakeModel.Config);
        Hub.AddFile(evil, "model.safetensors.index.json", FakeModel.Index(("wte.weight", "../../../outside.safetensors")));

        var e = Assert.Throws<ModelFormatException>(() => ModelResolver.Resolve(evil, Options));

        Assert.Contains("model.safetensors.index.json", e.Message);
        Assert.Contains("weight_map['wte.weight'] is not a relative file name", e.Message);
    }

    [Fact]
    public void AnExistingFolderIsReturnedAsIs()
    {
        Assert.Equal(CacheDir, ModelResolver.Resolve(CacheDir, Options));
        Assert.Empty(Hub.Requests);
    }

    [Theory]
    [InlineData("./no/such/folder")]
    [InlineData("org/name/extra")]
    [InlineData("org--x/name")]
    public void TextThatIsNeitherAFolderNorAHubIdIsRejected(string text)
    {
        var e = Assert.Throws<ArgumentException>(() => ModelResolver.Resolve(text, Options));
        Assert.Contains($"'{text}' is neither an existing folder nor a hub model id", e.Message);
    }

    sealed class Recorder(List<DownloadProgress> reports) : IProgress<DownloadProgress>
    {
        public void Report(DownloadProgress value) { lock (reports) reports.Add(value); }
    }
}
