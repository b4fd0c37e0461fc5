using System.Net.Http.Headers;

namespace HeadPursuit.Runtime.Hub;

/// <summary>
/// What the hub says about one file in answer to HEAD {endpoint}/{repo}/resolve/{revision}/{file}:
/// the commit the revision points to (X-Repo-Commit), the blob's etag (X-Linked-Etag for LFS files,
/// else ETag; quotes and a weak "W/" prefix removed), its size in bytes (X-Linked-Size, else
/// Content-Length; null if neither) and where to GET it (the 302 Location for LFS files, which live on a
/// CDN, else the resolve URL itself).
/// </summary>
sealed record HubFileMetadata(string Commit, string Etag, long? Size, Uri DownloadUrl)
{
    /// <summary>Reads the metadata from a HEAD response; <paramref name="what"/> names the file for error messages.</summary>
    internal static HubFileMetadata FromResponse(HttpResponseMessage response, Uri resolveUrl, string what)
    {
        HttpResponseHeaders h = response.Headers;
        string commit = Header(h, "X-Repo-Commit")
            ?? throw new HubRequestException($"{what}: the server sent no X-Repo-Commit header (is the endpoint a Hugging Face hub?)");
        string rawEtag = Header(h, "X-Linked-Etag") ?? Header(h, "ETag")
            ?? throw new HubRequestException($"{what}: the server sent no ETag or X-Linked-Etag header");
        string etag = NormalizeEtag(rawEtag);
        if (!HubNames.IsSafeName(commit)) throw new HubRequestException($"{what}: unusable X-Repo-Commit '{commit}'");
        if (!HubNames.IsSafeName(etag)) throw new HubRequestException($"{what}: unusable ETag '{rawEtag}'");

        long? size = Header(h, "X-Linked-Size") is { } linked
            ? (long.TryParse(linked, out long s) && s >= 0 ? s : throw new HubRequestException($"{what}: bad X-Linked-Size '{linked}'"))
            : response.Content.Headers.ContentLength;

        bool redirected = (int)response.StatusCode is >= 300 and < 400;
        Uri url = redirected
            ? new Uri(resolveUrl, h.Location ?? throw new HubRequestException($"{what}: redirect without a Location header"))
            : resolveUrl;
        return new HubFileMetadata(commit, etag, size, url);
    }

    /// <summary>"W/\"abc\"" -> "abc", "\"abc\"" -> "abc".</summary>
    internal static string NormalizeEtag(string raw)
    {
        string e = raw.Trim();
        if (e.StartsWith("W/", StringComparison.Ordinal)) e = e[2..];
        return e.Trim('"');
    }

    internal static string? Header(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
