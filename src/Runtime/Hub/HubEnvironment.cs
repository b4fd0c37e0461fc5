using System.Globalization;
using System.Text.RegularExpressions;

namespace HeadPursuit.Runtime.Hub;

/// <summary>
/// Reads the environment variables of Python's huggingface_hub that apply here, with its precedence
/// (huggingface_hub's constants.py and utils/_auth.py). A variable set to the empty string counts as unset.
/// <list type="bullet">
/// <item>HF_ENDPOINT: the hub's base URL (default https://huggingface.co).</item>
/// <item>HF_HOME: default $XDG_CACHE_HOME/huggingface, else ~/.cache/huggingface.</item>
/// <item>HF_HUB_CACHE, else the older HUGGINGFACE_HUB_CACHE, else $HF_HOME/hub.</item>
/// <item>HF_TOKEN, else the older HUGGING_FACE_HUB_TOKEN, else the file HF_TOKEN_PATH (default $HF_HOME/token) that
/// `hf auth login` writes; line breaks and surrounding spaces are removed, and a token left empty counts as none.</item>
/// <item>HF_HUB_OFFLINE, else TRANSFORMERS_OFFLINE: true for 1, ON, YES or TRUE in any case.</item>
/// <item>HF_HUB_ETAG_TIMEOUT and HF_HUB_DOWNLOAD_TIMEOUT: whole seconds; 0 or unset means the default of 10.</item>
/// </list>
/// Paths get huggingface_hub's expansion of a leading "~" and of $VAR / ${VAR}.
/// </summary>
static partial class HubEnvironment
{
    public static HubOptions Read(Func<string, string?> env)
    {
        string? Get(string name) => env(name) is { Length: > 0 } v ? v : null;
        string ExpandPath(string path) => HubEnvironment.ExpandPath(path, Get);

        string home = ExpandPath(Get("HF_HOME") ?? Path.Combine(
            Get("XDG_CACHE_HOME") ?? Path.Combine(UserHome, ".cache"),
            "huggingface"));
        string tokenPath = ExpandPath(Get("HF_TOKEN_PATH") ?? Path.Combine(home, "token"));
        string? token = CleanToken(Get("HF_TOKEN") ?? Get("HUGGING_FACE_HUB_TOKEN"))
            ?? (File.Exists(tokenPath) ? CleanToken(File.ReadAllText(tokenPath)) : null);

        return new HubOptions
        {
            Endpoint = Get("HF_ENDPOINT") is { } e ? HubOptions.CheckEndpoint(e, "HF_ENDPOINT") : HubOptions.DefaultEndpoint,
            CacheDir = ExpandPath(Get("HF_HUB_CACHE") ?? Get("HUGGINGFACE_HUB_CACHE") ?? Path.Combine(home, "hub")),
            Token = token,
            Offline = IsTrue(Get("HF_HUB_OFFLINE") ?? Get("TRANSFORMERS_OFFLINE")),
            EtagTimeout = Seconds(Get, "HF_HUB_ETAG_TIMEOUT"),
            DownloadTimeout = Seconds(Get, "HF_HUB_DOWNLOAD_TIMEOUT"),
        };
    }

    static string UserHome => Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    static string? CleanToken(string? token) =>
        token?.Replace("\r", "").Replace("\n", "").Trim() is { Length: > 0 } clean ? clean : null;

    static bool IsTrue(string? value) => value?.ToUpperInvariant() is "1" or "ON" or "YES" or "TRUE";

    static TimeSpan Seconds(Func<string, string?> get, string name)
    {
        if (get(name) is not { } text) return HubOptions.DefaultTimeout;
        if (!int.TryParse(text, NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite, CultureInfo.InvariantCulture, out int seconds))
            throw new ArgumentException($"{name} '{text}' is not a whole number of seconds");
        return seconds == 0 ? HubOptions.DefaultTimeout : TimeSpan.FromSeconds(seconds);
    }

    /// <summary>"~" or "~/..." becomes the user's home; $NAME and ${NAME} become the variable's value when it is set.</summary>
    static string ExpandPath(string path, Func<string, string?> get)
    {
        if (path == "~" || path.StartsWith("~/", StringComparison.Ordinal)) path = UserHome + path[1..];
        return Variable().Replace(path, m => get(m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value) ?? m.Value);
    }

    [GeneratedRegex(@"\$(?:\{(\w+)\}|(\w+))", RegexOptions.CultureInvariant)]
    private static partial Regex Variable();
}
