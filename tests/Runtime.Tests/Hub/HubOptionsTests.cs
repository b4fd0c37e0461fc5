using HeadPursuit.Runtime.Hub;

namespace HeadPursuit.Runtime.Tests.Hub;

/// <summary>The environment variables of huggingface_hub and their precedence (its constants.py and utils/_auth.py).</summary>
public sealed class HubOptionsTests : IDisposable
{
    readonly string _home = Directory.CreateTempSubdirectory("hp-hf-home-").FullName;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    static HubOptions From(params (string Name, string Value)[] vars) =>
        HubEnvironment.Read(name => vars.FirstOrDefault(v => v.Name == name).Value);

    static string UserHome => Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    [Fact]
    public void DefaultsFollowHuggingfaceHub()
    {
        var o = From();
        Assert.Equal("https://huggingface.co", o.Endpoint);
        Assert.Equal(Path.Combine(UserHome, ".cache", "huggingface", "hub"), o.CacheDir);
        Assert.Equal("main", o.Revision);
        Assert.False(o.Offline);
        Assert.Equal(TimeSpan.FromSeconds(10), o.EtagTimeout);
        Assert.Equal(TimeSpan.FromSeconds(10), o.DownloadTimeout);
    }

    [Fact]
    public void CacheDirPrefersHfHubCacheThenTheOlderHuggingfaceHubCacheThenHfHomeThenXdgCacheHome()
    {
        Assert.Equal("/x/hub", From(("HF_HUB_CACHE", "/x/hub"), ("HUGGINGFACE_HUB_CACHE", "/old"), ("HF_HOME", "/h")).CacheDir);
        Assert.Equal("/old", From(("HUGGINGFACE_HUB_CACHE", "/old"), ("HF_HOME", "/h"), ("XDG_CACHE_HOME", "/xdg")).CacheDir);
        Assert.Equal(Path.Combine("/h", "hub"), From(("HF_HOME", "/h"), ("XDG_CACHE_HOME", "/xdg")).CacheDir);
        Assert.Equal(Path.Combine("/xdg", "huggingface", "hub"), From(("XDG_CACHE_HOME", "/xdg")).CacheDir);
        Assert.Equal(Path.Combine("/h", "hub"), From(("HF_HUB_CACHE", ""), ("HF_HOME", "/h")).CacheDir);
    }

    [Fact]
    public void PathsExpandTheHomeTildeAndVariablesAsHuggingfaceHubDoes()
    {
        Assert.Equal(Path.Combine(UserHome, "hf", "hub"), From(("HF_HOME", "~/hf")).CacheDir);
        Assert.Equal("/data/user7/hub", From(("HF_HUB_CACHE", "/data/$USER_ID/hub"), ("USER_ID", "user7")).CacheDir);
        Assert.Equal("/data/user7x/hub", From(("HF_HUB_CACHE", "/data/${USER_ID}x/hub"), ("USER_ID", "user7")).CacheDir);
        Assert.Equal("/data/$UNSET/hub", From(("HF_HUB_CACHE", "/data/$UNSET/hub")).CacheDir);
    }

    [Fact]
    public void TokenComesFromHfTokenThenTheOlderHuggingFaceHubTokenThenTheLoginTokenFile()
    {
        File.WriteAllText(Path.Combine(_home, "token"), "hf_from_file\n");
        Assert.Equal("hf_from_env", From(("HF_TOKEN", "hf_from_env"), ("HUGGING_FACE_HUB_TOKEN", "hf_old"), ("HF_HOME", _home)).Token);
        Assert.Equal("hf_old", From(("HUGGING_FACE_HUB_TOKEN", "hf_old"), ("HF_HOME", _home)).Token);
        Assert.Equal("hf_from_file", From(("HF_HOME", _home)).Token);

        string custom = Path.Combine(_home, "other-token");
        File.WriteAllText(custom, "hf_custom");
        Assert.Equal("hf_custom", From(("HF_HOME", _home), ("HF_TOKEN_PATH", custom)).Token);
        Assert.Null(From(("HF_HOME", Path.Combine(_home, "empty"))).Token);
    }

    [Fact]
    public void TokensLoseLineBreaksAndSpacesAndABlankOneCountsAsNone()
    {
        File.WriteAllText(Path.Combine(_home, "token"), "hf_from_file");
        Assert.Equal("hf_abc", From(("HF_TOKEN", " hf_a\r\nbc \n")).Token);
        // A blank HF_TOKEN is no token, so the login file is used (huggingface_hub's _clean_token, then the file).
        Assert.Equal("hf_from_file", From(("HF_TOKEN", " \n"), ("HF_HOME", _home)).Token);
    }

    [Theory]
    [InlineData("1", true)]
    [InlineData("true", true)]
    [InlineData("YES", true)]
    [InlineData("On", true)]
    [InlineData("0", false)]
    [InlineData("false", false)]
    [InlineData("offline", false)]
    public void OfflineAcceptsTheSameWordsAsHuggingfaceHub(string value, bool offline) =>
        Assert.Equal(offline, From(("HF_HUB_OFFLINE", value)).Offline);

    [Fact]
    public void TransformersOfflineCountsWhenHfHubOfflineIsUnset()
    {
        Assert.True(From(("TRANSFORMERS_OFFLINE", "1")).Offline);
        Assert.False(From(("HF_HUB_OFFLINE", "0"), ("TRANSFORMERS_OFFLINE", "1")).Offline);
    }

    [Fact]
    public void TimeoutsAreWholeSecondsAndZeroMeansTheDefault()
    {
        var o = From(("HF_HUB_ETAG_TIMEOUT", "3"), ("HF_HUB_DOWNLOAD_TIMEOUT", " 60 "));
        Assert.Equal(TimeSpan.FromSeconds(3), o.EtagTimeout);
        Assert.Equal(TimeSpan.FromSeconds(60), o.DownloadTimeout);
        Assert.Equal(TimeSpan.FromSeconds(10), From(("HF_HUB_ETAG_TIMEOUT", "0")).EtagTimeout);

        foreach (string bad in new[] { "ten", "1.5", "-4" })
        {
            var e = Assert.Throws<ArgumentException>(() => From(("HF_HUB_DOWNLOAD_TIMEOUT", bad)));
            Assert.Equal($"HF_HUB_DOWNLOAD_TIMEOUT '{bad}' is not a whole number of seconds", e.Message);
        }
    }

    [Fact]
    public void EndpointLosesItsTrailingSlashAndMustBeHttp()
    {
        Assert.Equal("http://mirror.local:8080", From(("HF_ENDPOINT", "http://mirror.local:8080/")).Endpoint);
        var e = Assert.Throws<ArgumentException>(() => From(("HF_ENDPOINT", "mirror.local")));
        Assert.Contains("HF_ENDPOINT 'mirror.local'", e.Message);
        Assert.Throws<ArgumentException>(() => new HubOptions { CacheDir = "/c", Endpoint = "ftp://x" });
    }
}
