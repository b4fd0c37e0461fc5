using HeadPursuit.Runtime.Hub;

namespace HeadPursuit.Runtime.Tests.Hub;

/// <summary>
/// Retries against <see cref="FakeHub"/>: 429 with Retry-After, 5xx, requests left unanswered and stalled bodies, for
/// HEAD and GET. The waits are the real schedule (huggingface_hub's 1, 2, 4, 8, 8 s), recorded instead of slept.
/// </summary>
public sealed class HubRetryTests : HubTestBase
{
    const string Repo = "test-org/tiny";

    readonly byte[] _weights = FakeModel.Weights(64, "wte.weight", "lm_head.weight"); // 128 KiB of data

    public HubRetryTests()
    {
        Hub.AddFile(Repo, "config.json", FakeModel.Config);
        Hub.AddFile(Repo, "model.safetensors", _weights);
    }

    static bool HeadOfConfig(HubRequest r) => r.Method == "HEAD" && r.Path.EndsWith("/config.json", StringComparison.Ordinal);
    static bool Cdn(HubRequest r) => r.Path.StartsWith("/cdn/", StringComparison.Ordinal);
    static TimeSpan[] Seconds(params double[] s) => [.. s.Select(TimeSpan.FromSeconds)];

    string Weights(string folder) => Path.Combine(folder, "model.safetensors");

    [Fact]
    public void A429IsRetriedAfterTheWaitItsRetryAfterAsks()
    {
        Hub.FailNext(1, 429, HeadOfConfig, retryAfter: "7");

        string folder = ModelResolver.Resolve(Repo, Options);

        Assert.Equal(Seconds(7), Waits);
        Assert.Equal(2, Hub.Requests.Count(HeadOfConfig));
        Assert.Equal(_weights, File.ReadAllBytes(Weights(folder)));
    }

    [Fact]
    public void ARetryAfterGivenAsADateIsHonoured()
    {
        Hub.FailNext(1, 503, HeadOfConfig, retryAfter: DateTimeOffset.UtcNow.AddSeconds(40).ToString("R"));

        ModelResolver.Resolve(Repo, Options);

        // An HTTP date has whole seconds and the clock moves on: the wait is the 40 s asked, less under a second and a half.
        var wait = Assert.Single(Waits);
        Assert.InRange(wait.TotalSeconds, 38.5, 40);
    }

    [Fact]
    public void Answers503AreRetriedAfterDoublingWaits()
    {
        Hub.FailNext(3, 503, HeadOfConfig);

        ModelResolver.Resolve(Repo, Options);

        Assert.Equal(Seconds(1, 2, 4), Waits);
        Assert.Equal(4, Hub.Requests.Count(HeadOfConfig));
    }

    [Fact]
    public void ADownloadAnswered500And502IsRetried()
    {
        Hub.FailNext(1, 500, Cdn);
        Hub.FailNext(1, 502, Cdn);

        string folder = ModelResolver.Resolve(Repo, Options);

        Assert.Equal(Seconds(1, 2), Waits);
        Assert.Equal(3, Hub.Requests.Count(Cdn));
        Assert.Equal(_weights, File.ReadAllBytes(Weights(folder)));
    }

    [Fact]
    public void AServerThatKeepsFailingIsReportedAfterFiveRetries()
    {
        Hub.FailNext(100, 503, HeadOfConfig);

        var e = Assert.Throws<ModelFormatException>(() => ModelResolver.Resolve(Repo, Options));

        Assert.Equal("config.json of test-org/tiny (revision main): the server answered 503 Service Unavailable (and again after 5 retries)", e.Message);
        Assert.Equal(Seconds(1, 2, 4, 8, 8), Waits);
        Assert.Equal(6, Hub.Requests.Count(HeadOfConfig));
    }

    [Fact]
    public void ARetryAfterLongerThanFiveMinutesIsNotWaitedFor()
    {
        Hub.FailNext(1, 429, HeadOfConfig, retryAfter: "3600");

        var e = Assert.Throws<ModelFormatException>(() => ModelResolver.Resolve(Repo, Options));

        Assert.Equal(
            "config.json of test-org/tiny (revision main): the server answered 429 Too Many Requests and asks to wait 3600 s before trying again: try again later",
            e.Message);
        Assert.Empty(Waits);
        Assert.Single(Hub.Requests);
    }

    [Fact]
    public void AHeadLeftUnansweredTimesOutAndIsRetried()
    {
        Hub.LeaveUnanswered(1, HeadOfConfig);

        string folder = ModelResolver.Resolve(Repo, Options with { EtagTimeout = TimeSpan.FromSeconds(2) });

        Assert.Equal(Seconds(1), Waits);
        Assert.Equal(2, Hub.Requests.Count(HeadOfConfig));
        Assert.Equal(_weights, File.ReadAllBytes(Weights(folder)));
    }

    [Fact]
    public void AHeadThatNeverAnswersNamesTheTimeout()
    {
        Hub.LeaveUnanswered(100, HeadOfConfig);

        var e = Assert.Throws<ModelFormatException>(() =>
            ModelResolver.Resolve(Repo, Options with { EtagTimeout = TimeSpan.FromMilliseconds(100) }));

        Assert.Equal(
            $"config.json of test-org/tiny (revision main): cannot reach {Hub.Url} (no answer within 0.1 s): check the network and HF_ENDPOINT, " +
            "or set HF_HUB_OFFLINE=1 to use only the cache",
            e.Message);
        Assert.Equal(6, Hub.Requests.Count(HeadOfConfig));
    }

    [Fact]
    public void AStalledBodyTimesOutAndTheDownloadResumes()
    {
        Hub.StallNextDownloadOf("model.safetensors");

        string folder = ModelResolver.Resolve(Repo, Options with { DownloadTimeout = TimeSpan.FromMilliseconds(300) });

        var downloads = Hub.Requests.Where(Cdn).ToList();
        Assert.Equal(2, downloads.Count);
        Assert.Equal($"bytes={_weights.Length / 2}-", downloads[1].Range);
        Assert.Equal(Seconds(1), Waits);
        Assert.Equal(_weights, File.ReadAllBytes(Weights(folder)));
    }
}
