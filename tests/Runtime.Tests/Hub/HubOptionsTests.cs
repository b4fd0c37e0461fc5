using HeadPursuit.Runtime.Hub;

namespace HeadPursuit.Runtime.Tests.Hub;

public sealed class HubOptionsTests : IDisposable
{
    readonly string _home = Directory.CreateTempSubdirectory("hp-hf-home-").FullName;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    static HubOptions From(params (string Name, string Value)[] vars) =>
        HubOptions.FromVariables(name => vars.FirstOrDefault(v => v.Name == name).Value);

    [Fact]
    public void DefaultsFollowHuggingfaceHub()
    {
        var o = From();
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        Assert.Equal("https://huggingface.co", o.Endpoint);
        Assert.Equal(Path.Combine(home, ".cache", "huggingface", "hub"), o.CacheDir);
        Assert.Equal("main", o.Revision);
        Assert.False(o.Offline);
    }

    [Fact]
    public void CacheDirPrefersHfHubCacheThenHfHomeThenXdgCacheHome()
    {
        Assert.Equal("/x/hub", From(("HF_HUB_CACHE", "/x/hub"), ("HF_HOME", "/h"), ("XDG_CACHE_HOME", "/xdg")).CacheDir);
        Assert.Equal(Path.Combine("/h", "hub"), From(("HF_HOME", "/h"), ("XDG_CACHE_HOME", "/xdg")).CacheDir);
        Assert.Equal(Path.Combine("/xdg", "huggingface", "hub"), From(("XDG_CACHE_HOME", "/xdg")).CacheDir);
        Assert.Equal(Path.Combine("/h", "hub"), From(("HF_HUB_CACHE", ""), ("HF_HOME", "/h")).CacheDir);
    }

    [Fact]
    public void TokenComesFromHfTokenElseTheLoginTokenFile()
    {
        File.WriteAllText(Path.Combine(_home, "token"), "hf_from_file\n");
        Assert.Equal("hf_from_env", From(("HF_TOKEN", "hf_from_env"), ("HF_HOME", _home)).Token);
        Assert.Equal("hf_from_file", From(("HF_HOME", _home)).Token);

        string custom = Path.Combine(_home, "other-token");
        File.WriteAllText(custom, "hf_custom");
        Assert.Equal("hf_custom", From(("HF_HOME", _home), ("HF_TOKEN_PATH", custom)).Token);
        Assert.Null(From(("HF_HOME", Path.Combine(_home, "empty"))).Token);
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
    public void EndpointLosesItsTrailingSlashAndMustBeHttp()
    {
        Assert.Equal("http://mirror.local:8080", From(("HF_ENDPOINT", "http://mirror.local:8080/")).Endpoint);
        var e = Assert.Throws<ArgumentException>(() => From(("HF_ENDPOINT", "mirror.local")));
        Assert.Contains("HF_ENDPOINT 'mirror.local'", e.Message);
        Assert.Throws<ArgumentException>(() => new HubOptions { CacheDir = "/c", Endpoint = "ftp://x" });
    }
}
