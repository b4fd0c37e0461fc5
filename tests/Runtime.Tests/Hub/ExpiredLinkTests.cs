using HeadPursuit.Runtime.Hub;

namespace HeadPursuit.Runtime.Tests.Hub;

/// <summary>
/// The CDN links the hub hands out for LFS files are signed and expire: a CDN that refuses one (403 with S3's
/// "AccessDenied: Request has expired") gets a fresh link from the hub, and the download goes on from where it was.
/// </summary>
public sealed class ExpiredLinkTests : HubTestBase
{
    const string Repo = "test-org/tiny";

    readonly byte[] _weights = FakeModel.Weights(64, "wte.weight");

    public ExpiredLinkTests()
    {
        Hub.AddFile(Repo, "config.json", FakeModel.Config);
        Hub.AddFile(Repo, "model.safetensors", _weights);
    }

    (string, string, string?)[] WeightRequests() =>
    [
        .. Hub.Requests
            .Where(r => r.Path.StartsWith("/cdn/", StringComparison.Ordinal) || r.Path.EndsWith("/model.safetensors", StringComparison.Ordinal))
            .Select(r => (r.Method, r.Path.StartsWith("/cdn/", StringComparison.Ordinal) ? "cdn" : r.Path, r.Range)),
    ];

    [Fact]
    public void AnExpiredLinkIsReplacedByAFreshOne()
    {
        Hub.ExpireLinks(1);

        string folder = ModelResolver.Resolve(Repo, Options);

        string head = $"/{Repo}/resolve/{FakeHub.Commit}/model.safetensors";
        Assert.Equal([("HEAD", head, null), ("GET", "cdn", null), ("HEAD", head, null), ("GET", "cdn", null)], WeightRequests());
        Assert.Equal(_weights, File.ReadAllBytes(Path.Combine(folder, "model.safetensors")));
    }

    [Fact]
    public void ALinkThatExpiresWhileADownloadResumesIsRenewedAndTheDownloadResumes()
    {
        Hub.CutNextDownloadsOf("model.safetensors");
        Hub.ExpireLinks(1, after: 1);

        string folder = ModelResolver.Resolve(Repo, Options);

        string head = $"/{Repo}/resolve/{FakeHub.Commit}/model.safetensors";
        string resume = $"bytes={_weights.Length / 2}-";
        Assert.Equal([("HEAD", head, null), ("GET", "cdn", null), ("GET", "cdn", resume), ("HEAD", head, null), ("GET", "cdn", resume)], WeightRequests());
        Assert.Equal(_weights, File.ReadAllBytes(Path.Combine(folder, "model.safetensors")));
    }

    [Fact]
    public void LinksRefusedEvenWhenFreshAreAClearErrorThatDoesNotBlameAccessRights()
    {
        Hub.CutNextDownloadsOf("model.safetensors");
        Hub.ExpireLinks(100, after: 1);
        string partial = Path.Combine(CacheDir, "models--test-org--tiny", "blobs", FakeHub.Sha256(_weights) + ".incomplete");

        var e = Assert.Throws<ModelFormatException>(() => ModelResolver.Resolve(Repo, Options));

        Assert.Equal(
            $"model.safetensors of test-org/tiny (commit {FakeHub.Commit}): localhost refused the download link the hub handed out " +
            "(403 Forbidden: AccessDenied: Request has expired); fresh links from the hub were refused too (2 times). Signed links expire: " +
            "check that this machine's clock is right and that no proxy rewrites the URL; " +
            $"the {_weights.Length / 2} bytes received so far stay in {partial} and the next run resumes from there",
            e.Message);
        Assert.DoesNotContain("gated", e.Message);
        Assert.Equal(4, Hub.Requests.Count(r => r.Path.StartsWith("/cdn/", StringComparison.Ordinal)));
    }
}
