namespace HeadPursuit.Runtime.Hub;

/// <summary>
/// Where and how repositories are fetched from a Hugging Face hub. <see cref="FromEnvironment"/> reads the same
/// environment variables as Python's huggingface_hub (see <see cref="HubEnvironment"/>), so both share one cache;
/// tests build one directly (<c>new HubOptions { CacheDir = ..., Endpoint = ... }</c>) or override fields with <c>with</c>.
/// </summary>
public sealed record HubOptions
{
    /// <summary>The Hugging Face hub.</summary>
    public const string DefaultEndpoint = "https://huggingface.co";
    /// <summary>The branch models are fetched from unless told otherwise.</summary>
    public const string DefaultRevision = "main";

    /// <summary>huggingface_hub's default for both timeouts (DEFAULT_ETAG_TIMEOUT, DEFAULT_DOWNLOAD_TIMEOUT).</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Base URL of the hub (HF_ENDPOINT), without a trailing slash.</summary>
    public string Endpoint
    {
        get => _endpoint;
        init => _endpoint = CheckEndpoint(value, "Endpoint");
    }
    string _endpoint = DefaultEndpoint;

    /// <summary>The hub cache folder holding models--{org}--{name}/ and datasets--{org}--{name}/ (HF_HUB_CACHE).</summary>
    public required string CacheDir { get; init; }

    /// <summary>User access token sent as "Authorization: Bearer {Token}" to the hub, or null.</summary>
    public string? Token { get; init; }

    /// <summary>HF_HUB_OFFLINE: never touch the network, use only what the cache holds.</summary>
    public bool Offline { get; init; }

    /// <summary>Branch, tag or commit sha to resolve.</summary>
    public string Revision { get; init; } = DefaultRevision;

    /// <summary>HF_HUB_ETAG_TIMEOUT: how long to wait for the hub's answer to a metadata request (HEAD, API).</summary>
    public TimeSpan EtagTimeout { get; init; } = DefaultTimeout;

    /// <summary>HF_HUB_DOWNLOAD_TIMEOUT: how long a download may wait for the server's headers, or for the next bytes of a body.</summary>
    public TimeSpan DownloadTimeout { get; init; } = DefaultTimeout;

    /// <summary>When and how long to wait before repeating a failed request (tests shorten the waits).</summary>
    internal HubRetryPolicy Retry { get; init; } = HubRetryPolicy.Default;

    /// <summary>Options from this process's environment variables.</summary>
    public static HubOptions FromEnvironment() => HubEnvironment.Read(Environment.GetEnvironmentVariable);

    internal static string CheckEndpoint(string value, string what)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw new ArgumentException($"{what} '{value}' is not an absolute http(s) URL");
        return value.TrimEnd('/');
    }
}
