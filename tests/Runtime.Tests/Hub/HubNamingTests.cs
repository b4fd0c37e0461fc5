using HeadPursuit.Runtime.Hub;

namespace HeadPursuit.Runtime.Tests.Hub;

/// <summary>Repository ids, etags and the file names that become cache paths.</summary>
public sealed class HubNamingTests
{
    [Theory]
    [InlineData("gpt2", "models--gpt2")]
    [InlineData("mistralai/Mistral-7B-Instruct-v0.2", "models--mistralai--Mistral-7B-Instruct-v0.2")]
    [InlineData("EleutherAI/pythia-70m", "models--EleutherAI--pythia-70m")]
    [InlineData("a/b", "models--a--b")]
    public void ValidIdsMapToTheirCacheFolder(string id, string folder)
    {
        Assert.True(RepoId.TryParse(id, out var repo));
        Assert.Equal(folder, repo.CacheFolderName);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/b/c")]
    [InlineData("../etc")]
    [InlineData("org/-name")]
    [InlineData("org/name.")]
    [InlineData("org--x/name")]
    [InlineData("org/na..me")]
    [InlineData("org/name.git")]
    [InlineData("org/na me")]
    [InlineData("/abs")]
    public void InvalidIdsAreRefused(string id) => Assert.False(RepoId.TryParse(id, out _));

    [Theory]
    [InlineData("\"abc123\"", "abc123")]
    [InlineData("W/\"abc123\"", "abc123")]
    [InlineData("abc123", "abc123")]
    [InlineData(" \"abc123\" ", "abc123")]
    public void EtagsLoseQuotesAndTheWeakPrefix(string raw, string etag) => Assert.Equal(etag, HubFileMetadata.NormalizeEtag(raw));

    [Theory]
    [InlineData("model.safetensors", true)]
    [InlineData("sub/dir/file.json", true)]
    [InlineData("../up.safetensors", false)]
    [InlineData("a/../b", false)]
    [InlineData("/abs.safetensors", false)]
    [InlineData("a\\b", false)]
    [InlineData("a//b", false)]
    [InlineData("", false)]
    public void OnlyPlainRelativePathsAreSafe(string path, bool safe) => Assert.Equal(safe, HubNames.IsSafeRelativePath(path));

    [Theory]
    [InlineData("4f1c0e8a9b2d3c4e5f60718293a4b5c6d7e8f901", true)]
    [InlineData("a-b_c.d", true)]
    [InlineData(".hidden", false)]
    [InlineData("a/b", false)]
    [InlineData("", false)]
    public void OnlySinglePlainComponentsAreSafeNames(string name, bool safe) => Assert.Equal(safe, HubNames.IsSafeName(name));
}
