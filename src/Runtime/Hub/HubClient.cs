using System.Net;
using System.Net.Http.Headers;

namespace HeadPursuit.Runtime.Hub;

/// <summary>
/// The two HTTP requests the resolver makes: HEAD on a resolve URL for a file's metadata, and GET of a
/// file's bytes from an offset. Redirects are followed by hand: a HEAD follows only relative ones (a
/// renamed repository) and stops at an absolute one (the CDN of an LFS file: its 302 carries the
/// metadata), a GET follows all of them, and the token goes only to the hub's own host, never to a CDN.
/// Failures become <see cref="ModelFormatException"/>s naming the repository and file, except transport
/// errors (<see cref="HttpRequestException"/>), which the caller may retry.
/// </summary>
sealed class HubClient : IDisposable
{
    const int MaxRedirects = 10;
    static readonly TimeSpan HeadersTimeout = TimeSpan.FromSeconds(30);

    readonly HttpClient _http;
    readonly HubOptions _options;
    readonly Uri _endpoint;

    public HubClient(HubOptions options)
    {
        _options = options;
        _endpoint = new Uri(options.Endpoint + "/");
        _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = HeadersTimeout };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("headpursuit", "1.0"));
    }

    public void Dispose() => _http.Dispose();

    /// <summary>{endpoint}/{repo}/resolve/{revision}/{file}, each part URL-escaped (a revision's '/' too).</summary>
    public Uri ResolveUrl(RepoId repo, string revision, string file) =>
        new(_endpoint, $"{repo.Value}/resolve/{Uri.EscapeDataString(revision)}/{string.Join('/', file.Split('/').Select(Uri.EscapeDataString))}");

    /// <summary>The file's metadata, or null when the hub says the file does not exist (404 for the file only).</summary>
    public async Task<HubFileMetadata?> HeadAsync(RepoId repo, string revision, string file, CancellationToken ct)
    {
        string what = $"{file} of {repo} (revision {revision})";
        Uri url = ResolveUrl(repo, revision, file);
        for (int hop = 0; ; hop++)
        {
            using var response = await HeadOnceAsync(url, what, ct);
            int status = (int)response.StatusCode;
            if (status is >= 300 and < 400 && response.Headers.Location is { IsAbsoluteUri: false } relative && hop < MaxRedirects)
            {
                url = new Uri(url, relative);
                continue;
            }
            if (status == 404 && ErrorCode(response) is null or "EntryNotFound") return null;
            if (status is >= 300 and < 400 || response.IsSuccessStatusCode)
            {
                var meta = HubFileMetadata.FromResponse(response, url, what);
                // A file served by the hub itself is fetched at the commit, not the branch, so that a push
                // between this HEAD and the GET cannot mix two versions.
                return meta.DownloadUrl == url ? meta with { DownloadUrl = ResolveUrl(repo, meta.Commit, file) } : meta;
            }
            throw StatusError(response, repo, revision, what);
        }
    }

    async Task<HttpResponseMessage> HeadOnceAsync(Uri url, string what, CancellationToken ct)
    {
        try { return await SendAsync(HttpMethod.Head, url, offset: 0, what, ct); }
        catch (HttpRequestException e)
        {
            throw new ModelFormatException(
                $"{what}: cannot reach {url.GetLeftPart(UriPartial.Authority)} ({e.Message}): check the network and HF_ENDPOINT, or set HF_HUB_OFFLINE=1 to use only the cache");
        }
    }

    /// <summary>
    /// GET of <paramref name="url"/> from byte <paramref name="offset"/> on (a Range request when offset &gt; 0),
    /// redirects followed; the body is left unread for the caller to stream.
    /// </summary>
    public async Task<HttpResponseMessage> GetAsync(Uri url, long offset, RepoId repo, string revision, string what, CancellationToken ct)
    {
        for (int hop = 0; ; hop++)
        {
            var response = await SendAsync(HttpMethod.Get, url, offset, what, ct);
            int status = (int)response.StatusCode;
            if (status is >= 300 and < 400 && response.Headers.Location is { } next)
            {
                response.Dispose();
                if (hop == MaxRedirects) throw new ModelFormatException($"{what}: more than {MaxRedirects} redirects from {url}");
                url = new Uri(url, next);
                continue;
            }
            if (response.IsSuccessStatusCode || status == (int)HttpStatusCode.RequestedRangeNotSatisfiable) return response;
            using (response) throw StatusError(response, repo, revision, what);
        }
    }

    async Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri url, long offset, string what, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, url);
        if (offset > 0) request.Headers.Range = new RangeHeaderValue(offset, null);
        if (_options.Token is { } token && IsHubHost(url))
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        try
        {
            return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new HttpRequestException($"no answer from {url.Host} within {HeadersTimeout.TotalSeconds:0} s for {what}", e);
        }
    }

    bool IsHubHost(Uri url) => Uri.Compare(url, _endpoint, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;

    static string? ErrorCode(HttpResponseMessage response) =>
        response.Headers.TryGetValues("X-Error-Code", out var v) ? v.FirstOrDefault() : null;

    /// <summary>The error for a failed answer, with the hub's own explanation (X-Error-Message) when it gave one.</summary>
    static ModelFormatException StatusError(HttpResponseMessage response, RepoId repo, string revision, string what)
    {
        string explanation = Explain(response, repo, revision);
        string hubSays = response.Headers.TryGetValues("X-Error-Message", out var said) && said.FirstOrDefault() is { Length: > 0 } message
            ? $" (the hub says: {message})"
            : "";
        return new ModelFormatException($"{what}: {explanation}{hubSays}");
    }

    static string Explain(HttpResponseMessage response, RepoId repo, string revision) => (int)response.StatusCode switch
    {
        401 => $"401 Unauthorized: {repo} is gated or private (or does not exist): set HF_TOKEN to an access token that can read it",
        403 => $"403 Forbidden: {repo} is gated or private and this token has no access: accept its terms on the hub page, or set HF_TOKEN to a token that can read it",
        404 when ErrorCode(response) == "RepoNotFound" => $"404: repository {repo} not found (check the id; a private repository also needs HF_TOKEN)",
        404 when ErrorCode(response) == "RevisionNotFound" => $"404: revision '{revision}' not found in {repo}",
        404 => $"404: file not found in {repo}",
        int status => $"the server answered {status} {response.ReasonPhrase}",
    };
}
