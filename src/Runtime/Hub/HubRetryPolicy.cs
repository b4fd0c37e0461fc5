using System.Net;

namespace HeadPursuit.Runtime.Hub;

/// <summary>
/// When a failed hub request is repeated, following huggingface_hub's http_backoff: the answers 408, 429, 500,
/// 502, 503 and 504, a timeout and a failed connection are retried up to <see cref="MaxRetries"/> times, after
/// waits that double from <see cref="FirstWait"/> up to <see cref="MaxWait"/> (1, 2, 4, 8, 8 s), or after the
/// time a Retry-After header asks for. A Retry-After longer than <see cref="MaxRetryAfter"/> is not waited for:
/// the request fails and says how long the hub asked to wait. The schedule is deterministic; <see cref="Delay"/>
/// does the waiting, so tests can record the waits instead of sleeping.
/// </summary>
sealed record HubRetryPolicy(int MaxRetries, TimeSpan FirstWait, TimeSpan MaxWait, TimeSpan MaxRetryAfter)
{
    public static HubRetryPolicy Default { get; } = new(5, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(8), TimeSpan.FromMinutes(5));

    /// <summary>Waits the given time; <see cref="Task.Delay(TimeSpan, CancellationToken)"/> unless a test replaces it.</summary>
    public Func<TimeSpan, CancellationToken, Task> Delay { get; init; } = Task.Delay;

    /// <summary>The wait before retry number <paramref name="retry"/> (1-based) when the server did not say.</summary>
    public TimeSpan WaitBefore(int retry) =>
        TimeSpan.FromTicks(Math.Min(MaxWait.Ticks, FirstWait.Ticks << Math.Min(retry - 1, 30)));

    public static bool IsRetryable(HttpStatusCode status) => (int)status is 408 or 429 or 500 or 502 or 503 or 504;

    /// <summary>The wait a Retry-After header asks for (seconds or an HTTP date), or null when there is none.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };
}
