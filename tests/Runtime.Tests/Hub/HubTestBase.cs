using HeadPursuit.Runtime.Hub;

namespace HeadPursuit.Runtime.Tests.Hub;

/// <summary>
/// What each hub test starts from: a <see cref="FakeHub"/> on 127.0.0.1 and a fresh cache folder, both removed
/// afterwards, and <see cref="Options"/> pointing at them with the real retry schedule, whose waits are recorded in
/// <see cref="Waits"/> instead of slept.
/// </summary>
public abstract class HubTestBase : IDisposable
{
    protected FakeHub Hub { get; } = new();
    protected string CacheDir { get; } = Directory.CreateTempSubdirectory("hp-hub-").FullName;
    protected List<TimeSpan> Waits { get; } = [];

    private protected HubOptions Options => new()
    {
        CacheDir = CacheDir,
        Endpoint = Hub.Url,
        Retry = HubRetryPolicy.Default with
        {
            Delay = (wait, _) =>
            {
                lock (Waits) Waits.Add(wait);
                return Task.CompletedTask;
            },
        },
    };

    public void Dispose()
    {
        Hub.Dispose();
        Directory.Delete(CacheDir, recursive: true);
        GC.SuppressFinalize(this);
    }
}
