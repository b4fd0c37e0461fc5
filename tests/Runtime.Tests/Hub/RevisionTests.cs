using HeadPursuit.Runtime.Hub;

namespace HeadPursuit.Runtime.Tests.Hub;

/// <summary>
/// A branch is re-resolved whenever the hub can be asked (a cached refs/main that went stale recovers, as in
/// huggingface_hub), the cache answers when the hub cannot, and refs are replaced atomically.
/// </summary>
public sealed class RevisionTests : HubTestBase
{
    const string Repo = "test-org/tiny";
    const string NewCommit = "b2c3d4e5f60718293a4b5c6d7e8f9010a1b2c3d4";

    readonly byte[] _weights = FakeModel.Weights(64, "wte.weight");
    readonly byte[] _newWeights = FakeModel.Weights(64, "wte.weight", "lm_head.weight");

    public RevisionTests()
    {
        Hub.AddFile(Repo, "config.json", FakeModel.Config);
        Hub.AddFile(Repo, "tokenizer.json", FakeModel.Tokenizer);
        Hub.AddFile(Repo, "model.safetensors", _weights);
    }

    string RepoDir => Path.Combine(CacheDir, "models--test-org--tiny");
    string RefsMain => Path.Combine(RepoDir, "refs", "main");
    string Snapshot(string commit) => Path.Combine(RepoDir, "snapshots", commit);

    /// <summary>main moves to a new commit with new weights; the old commit is gone from the hub (a force-push).</summary>
    void ForcePushNewWeights()
    {
        Hub.AddFile(Repo, "config.json", FakeModel.Config, NewCommit);
        Hub.AddFile(Repo, "tokenizer.json", FakeModel.Tokenizer, NewCommit);
        Hub.AddFile(Repo, "model.safetensors", _newWeights, NewCommit);
        Hub.SetBranch(Repo, "main", NewCommit);
        Hub.DeleteCommit(Repo, FakeHub.Commit);
    }

    [Fact]
    public void AStaleRefIsReResolvedAndOnlyTheChangedFileDownloaded()
    {
        ModelResolver.Resolve(Repo, Options);
        ForcePushNewWeights();
        int before = Hub.Requests.Count;

        string folder = ModelResolver.Resolve(Repo, Options);

        Assert.Equal(Snapshot(NewCommit), folder);
        Assert.Equal(NewCommit, File.ReadAllText(RefsMain));
        Assert.Equal(_newWeights, File.ReadAllBytes(Path.Combine(folder, "model.safetensors")));
        Assert.Equal(FakeModel.Config, File.ReadAllBytes(Path.Combine(folder, "config.json")));
        // config.json and tokenizer.json did not change: their blobs are linked again, only the new weights are fetched.
        var gets = Hub.Requests.Skip(before).Where(r => r.Method == "GET").Select(r => r.Path);
        Assert.Equal(["/cdn/" + FakeHub.Sha256(_newWeights)], gets);
        // The old snapshot stays, as huggingface_hub leaves it.
        Assert.Equal(_weights, File.ReadAllBytes(Path.Combine(Snapshot(FakeHub.Commit), "model.safetensors")));
        Assert.Equal(["main"], Directory.GetFiles(Path.Combine(RepoDir, "refs")).Select(Path.GetFileName));
    }

    [Fact]
    public void OfflineTheRecordedCommitIsUsedEvenWhenTheHubHasMovedOn()
    {
        ModelResolver.Resolve(Repo, Options);
        ForcePushNewWeights();

        Assert.Equal(Snapshot(FakeHub.Commit), ModelResolver.Resolve(Repo, Options with { Offline = true }));
        Assert.Equal(FakeHub.Commit, File.ReadAllText(RefsMain));
    }

    [Theory]
    [InlineData(503)]
    [InlineData(429)]
    [InlineData(401)]
    public void WhenTheHubCannotAnswerTheCachedCommitIsUsedAtOnce(int status)
    {
        ModelResolver.Resolve(Repo, Options);
        Hub.FailNext(100, status);
        int before = Hub.Requests.Count;

        Assert.Equal(Snapshot(FakeHub.Commit), ModelResolver.Resolve(Repo, Options));

        // One HEAD, no retry and no wait: the cache can answer, so the hub is not waited for (huggingface_hub's fast fallback).
        Assert.Single(Hub.Requests.Skip(before));
        Assert.Empty(Waits);
    }

    [Fact]
    public void WhenTheHubCannotAnswerAndAFileIsNotCachedTheErrorSaysBoth()
    {
        ModelResolver.Resolve(Repo, Options);
        File.Delete(Path.Combine(Snapshot(FakeHub.Commit), "model.safetensors"));
        Hub.FailNext(100, 503);

        var e = Assert.Throws<ModelFormatException>(() => ModelResolver.Resolve(Repo, Options));

        Assert.Equal(
            $"model.safetensors of test-org/tiny is not in the cache at {RepoDir} (snapshot {FakeHub.Commit}), and the hub could not be asked: " +
            "config.json of test-org/tiny (revision main): the server answered 503 Service Unavailable",
            e.Message);
    }

    [Fact]
    public void ABranchTheHubNoLongerHasIsAnErrorEvenWhenCached()
    {
        Hub.SetBranch(Repo, "v1", FakeHub.Commit);
        ModelResolver.Resolve(Repo, Options with { Revision = "v1" });
        Hub.DeleteBranch(Repo, "v1");

        var e = Assert.Throws<ModelFormatException>(() => ModelResolver.Resolve(Repo, Options with { Revision = "v1" }));

        Assert.Equal("config.json of test-org/tiny (revision v1): 404: revision 'v1' not found in test-org/tiny", e.Message);
    }

    [Fact]
    public async Task RefsAreReplacedAtomically()
    {
        // Writers switch refs/main between two commits while a reader reads it: the reader must only ever see a whole sha.
        Assert.True(RepoId.TryParse(Repo, out var repo));
        var cache = new RepoCache(CacheDir, repo);
        cache.WriteRef("main", FakeHub.Commit);
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            for (int i = 0; !stop.IsCancellationRequested; i++) cache.WriteRef("main", (i + w) % 2 == 0 ? FakeHub.Commit : NewCommit);
        })).ToArray();

        var seen = new HashSet<string>();
        for (int i = 0; i < 3000; i++) seen.Add(cache.ReadRef("main")!);
        stop.Cancel();
        await Task.WhenAll(writers);

        Assert.Subset(new HashSet<string> { FakeHub.Commit, NewCommit }, seen);
        Assert.Equal(["main"], Directory.GetFiles(Path.Combine(RepoDir, "refs")).Select(Path.GetFileName));
    }
}
