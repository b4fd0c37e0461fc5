using System.Diagnostics;
using HeadPursuit.Runtime.Hub;

namespace HeadPursuit.Runtime.Tests.Hub;

/// <summary>
/// Two downloads of one blob at once: the second waits on the blob's lock file ({cache}/.locks/{repo}/{etag}.lock,
/// an flock as huggingface_hub's filelock takes) and then uses what the first downloaded; a lock whose holder died
/// does not block.
/// </summary>
public sealed class ConcurrentDownloadTests : HubTestBase
{
    const string Repo = "test-org/tiny";
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    readonly byte[] _weights = FakeModel.Weights(128, "wte.weight", "lm_head.weight"); // 256 KiB of data

    public ConcurrentDownloadTests()
    {
        Hub.AddFile(Repo, "config.json", FakeModel.Config);
        Hub.AddFile(Repo, "model.safetensors", _weights);
    }

    string Snapshot => Path.Combine(CacheDir, "models--test-org--tiny", "snapshots", FakeHub.Commit);
    string LockFile => Path.Combine(CacheDir, ".locks", "models--test-org--tiny", FakeHub.Sha256(_weights) + ".lock");
    int CdnGets => Hub.Requests.Count(r => r.Path.StartsWith("/cdn/", StringComparison.Ordinal));

    static async Task WaitUntil(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > Patience) Assert.Fail($"waited {Patience.TotalSeconds} s for {what}");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task TwoClientsDownloadingOneFileAtOnceFetchItOnce()
    {
        var gate = Hub.GateDownloadsOf("model.safetensors"); // the first download stops halfway until the gate opens
        var first = Task.Run(() => ModelResolver.Resolve(Repo, Options));
        await WaitUntil(() => CdnGets == 1, "the first client to start downloading");

        // The second client has its own HttpClient and its own thread; it finds the lock taken and waits, showing
        // the first download's progress from its .incomplete file.
        var seen = new Recorder();
        var second = Task.Run(() => ModelResolver.Resolve(Repo, Options, seen));
        await WaitUntil(() => seen.Has(new DownloadProgress("model.safetensors", _weights.Length / 2, _weights.Length)),
            "the second client to report the first one's half-done download while it waits");
        Assert.False(second.IsCompleted);

        gate.Set();

        Assert.Equal(Snapshot, await first);
        Assert.Equal(Snapshot, await second);
        Assert.Equal(1, CdnGets);
        Assert.Equal(_weights, File.ReadAllBytes(Path.Combine(Snapshot, "model.safetensors")));
    }

    [Fact]
    public async Task AnotherProcessHoldingTheLockIsWaitedForUntilItDies()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(LockFile)!);
        // A separate process takes the lock with flock(2), as Python's filelock does, and keeps it: bash opens the
        // file on descriptor 9, flock(1) locks that descriptor, and bash becomes sleep, which keeps it open.
        using var holder = Process.Start(new ProcessStartInfo("bash", ["-c", "exec 9>>\"$0\" && flock -x 9 && echo locked && exec sleep 60", LockFile])
        {
            RedirectStandardOutput = true,
        })!;
        try
        {
            Assert.Equal("locked", holder.StandardOutput.ReadLine());

            var seen = new Recorder();
            var resolve = Task.Run(() => ModelResolver.Resolve(Repo, Options, seen));
            await WaitUntil(() => seen.Has(new DownloadProgress("model.safetensors", 0, _weights.Length)), "the client to wait on the lock");
            await Task.Delay(300);
            Assert.False(resolve.IsCompleted);
            Assert.Equal(0, CdnGets);

            holder.Kill(); // SIGKILL: the kernel drops the dead process's lock
            holder.WaitForExit();

            Assert.Equal(Snapshot, await resolve);
            Assert.Equal(1, CdnGets);
            Assert.Equal(_weights, File.ReadAllBytes(Path.Combine(Snapshot, "model.safetensors")));
        }
        finally
        {
            if (!holder.HasExited) holder.Kill();
        }
    }

    [Fact]
    public void ALockFileLeftBehindBlocksNobody()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(LockFile)!);
        File.WriteAllText(LockFile, "");

        Assert.Equal(Snapshot, ModelResolver.Resolve(Repo, Options));
        Assert.True(File.Exists(LockFile)); // as huggingface_hub leaves its lock files
    }

    sealed class Recorder : IProgress<DownloadProgress>
    {
        readonly List<DownloadProgress> _reports = [];
        public void Report(DownloadProgress value) { lock (_reports) _reports.Add(value); }
        public bool Has(DownloadProgress p) { lock (_reports) return _reports.Contains(p); }
    }
}
