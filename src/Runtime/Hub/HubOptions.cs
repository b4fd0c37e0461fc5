namespace HeadPursuit.Runtime.Hub;

/// <summary>
/// Where and how models are fetched from a Hugging Face hub. <see cref="FromEnvironment"/> reads the same
/// environment variables as Python's huggingface_hub, so both share one cache; tests build one directly
/// (<c>new HubOptions { CacheDir = ..., Endpoint = ... }</c>) or override fields with <c>with</c>.
/// </summary>
public sealed record HubOptions
{
    public const string DefaultEndpoint = "https://huggingface.co";
    public const string DefaultRevision = "main";

    /// <summary>Base URL of the hub (HF_ENDPOINT), without a trailing slash.</summary>
    public string Endpoint
    {
        get => _endpoint;
        init => _endpoint = CheckEndpoint(value, "Endpoint");
    }
    string _endpoint = DefaultEndpoint;

    /// <summary>The hub cache folder holding models--{org}--{name}/ (HF_HUB_CACHE).</summary>
    public required string CacheDir { get; init; }

    /// <summary>User access token sent as "Authorization: Bearer {Token}" to the hub, or null.</summary>
    public string? Token { get; init; }

    /// <summary>HF_HUB_OFFLINE: never touch the network, use only what the cache holds.</summary>
    public bool Offline { get; init; }

    /// <summary>Branch, tag or commit sha to resolve.</summary>
    public string Revision { get; init; } = DefaultRevision;

    /// <summary>Options from this process's environment variables.</summary>
    public static HubOptions FromEnvironment() => FromVariables(Environment.GetEnvironmentVariable);

    /// <summary>
    /// Options from the variables <paramref name="env"/> returns (null or empty = unset):
    /// HF_ENDPOINT; HF_HUB_CACHE, else $HF_HOME/hub, else $XDG_CACHE_HOME/huggingface/hub, else
    /// ~/.cache/huggingface/hub; HF_TOKEN, else the file HF_TOKEN_PATH or $HF_HOME/token that
    /// `huggingface-cli login` writes; HF_HUB_OFFLINE (1, true, yes, on in any case).
    /// </summary>
    internal static HubOptions FromVariables(Func<string, string?> env)
    {
        string? Get(string name) => env(name) is { Length: > 0 } v ? v : null;

        string home = Get("HF_HOME") ?? Path.Combine(
            Get("XDG_CACHE_HOME") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"),
            "huggingface");
        string tokenPath = Get("HF_TOKEN_PATH") ?? Path.Combine(home, "token");
        string? token = Get("HF_TOKEN") ?? (File.Exists(tokenPath) ? File.ReadAllText(tokenPath).Trim() : null);

        return new HubOptions
        {
            Endpoint = Get("HF_ENDPOINT") is { } e ? CheckEndpoint(e, "HF_ENDPOINT") : DefaultEndpoint,
            CacheDir = Get("HF_HUB_CACHE") ?? Path.Combine(home, "hub"),
            Token = string.IsNullOrEmpty(token) ? null : token,
            Offline = IsTrue(Get("HF_HUB_OFFLINE")),
        };
    }

    static bool IsTrue(string? value) =>
        value is not null && value.Trim().ToUpperInvariant() is "1" or "TRUE" or "YES" or "ON";

    static string CheckEndpoint(string value, string what)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw new ArgumentException($"{what} '{value}' is not an absolute http(s) URL");
        return value.TrimEnd('/');
    }
}
