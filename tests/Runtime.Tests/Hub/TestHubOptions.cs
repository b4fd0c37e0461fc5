using HeadPursuit.Runtime.Hub;

namespace HeadPursuit.Runtime.Tests.Hub;

/// <summary>Hub options for tests against <see cref="FakeHub"/>: the retry schedule is the real one, but its waits take no time.</summary>
static class TestHubOptions
{
    /// <param name="waits">When given, receives every wait the retry policy asks for, in order.</param>
    public static HubOptions For(string cacheDir, FakeHub hub, List<TimeSpan>? waits = null) => new()
    {
        CacheDir = cacheDir,
        Endpoint = hub.Url,
        Retry = HubRetryPolicy.Default with
        {
            Delay = (wait, _) =>
            {
                if (waits is not null) lock (waits) waits.Add(wait);
                return Task.CompletedTask;
            },
        },
    };
}
