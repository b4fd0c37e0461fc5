using System.Net;

namespace HeadPursuit.Runtime.Hub;

/// <summary>
/// A hub request that failed: the hub could not be reached, it answered with an error, or the CDN refused a
/// download link it handed out. The message names the file and repository and says what to do. It stays inside
/// the hub code, which decides on it (fall back to the cache, ask for a fresh link); what reaches the caller of
/// <see cref="ModelResolver"/> or <see cref="DatasetResolver"/> is a <see cref="ModelFormatException"/> with the same message.
/// </summary>
sealed class HubRequestException(string message, HttpStatusCode? status = null, string? errorCode = null, bool linkRejected = false)
    : Exception(message)
{
    /// <summary>The status of the hub's answer, or null when no answer came.</summary>
    public HttpStatusCode? Status { get; } = status;

    /// <summary>The hub's X-Error-Code (RepoNotFound, RevisionNotFound, EntryNotFound, GatedRepo), when it sent one.</summary>
    public string? ErrorCode { get; } = errorCode;

    /// <summary>A CDN refused a (signed, expiring) download link: a fresh HEAD gives a new one.</summary>
    public bool LinkRejected { get; } = linkRejected;

    /// <summary>The hub says the branch, tag or commit does not exist: a definite answer, never replaced by the cache.</summary>
    public bool IsRevisionNotFound => Status == HttpStatusCode.NotFound && ErrorCode == "RevisionNotFound";

    public ModelFormatException ToModelFormatException() => new(Message);
}
