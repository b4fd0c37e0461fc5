using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace HeadPursuit.Runtime.Hub;

/// <summary>
/// The HTTP requests the hub code makes: HEAD on a resolve URL for a file's metadata, GET of a file's bytes
/// from an offset, and GET of an API listing. Redirects are followed by hand: a HEAD follows only relative ones
/// (a renamed repository) and stops at an absolute one (the CDN of an LFS file: its 302 carries the metadata),
/// a GET follows all of them, and the token goes only to the hub's own host, never to a CDN.
/// Each request waits at most HF_HUB_ETAG_TIMEOUT (HEAD) or HF_HUB_DOWNLOAD_TIMEOUT (GET) for the answer's
/// headers, and is repeated as <see cref="HubRetryPolicy"/> says on timeouts, failed connections, 408, 429 and 5xx.
/// Failures become <see cref="HubRequestException"/>s naming the repository and file.
/// </summary>
sealed partial class HubClient : IDisposable
{
    const int MaxRedirects = 10;
    const int ErrorBodyChars = 2000;

    readonly HttpClient _http;
    readonly HubOptions _options;
    readonly Uri _endpoint;

    public HubClient(HubOptions options)
    {
        _options = options;
        _endpoint = new Uri(options.Endpoint + "/");
        _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("headpursuit", "1.0"));
    }

    public void Dispose() => _http.Dispose();

    /// <summary>{endpoint}/[datasets/]{repo}/resolve/{revision}/{file}, each part URL-escaped (a revision's '/' too).</summary>
    public Uri ResolveUrl(RepoId repo, string revision, string file) =>
        new(_endpoint, $"{repo.Type.UrlPrefix()}{repo.Value}/resolve/{Uri.EscapeDataString(revision)}/{EscapePath(file)}");

    /// <summary>{endpoint}/api/{models|datasets}/{repo}/{what}/{revision}: "revision" gives the commit sha, "tree" the files.</summary>
    public Uri ApiUrl(RepoId repo, string what, string revision, string query = "") =>
        new(_endpoint, $"api/{repo.Type.Plural()}/{repo.Value}/{what}/{Uri.EscapeDataString(revision)}{query}");

    static string EscapePath(string path) => string.Join('/', path.Split('/').Select(Uri.EscapeDataString));

    /// <summary>
    /// The file's metadata, or a null file when the hub says it does not exist (404 for the file only), with the
    /// commit the revision points to (null only when a 404 did not name it). Without <paramref name="retry"/> a
    /// failure is reported at once, for a caller that can fall back on the cache.
    /// </summary>
    public async Task<(string? Commit, HubFileMetadata? File)> HeadAsync(RepoId repo, string revision, string file, bool retry, CancellationToken ct)
    {
        string what = $"{file} of {repo} (revision {revision})";
        Uri url = ResolveUrl(repo, revision, file);
        for (int hop = 0; ; hop++)
        {
            using var response = await SendAsync(HttpMethod.Head, url, offset: 0, _options.EtagTimeout, retry, what, ct);
            int status = (int)response.StatusCode;
            if (status is >= 300 and < 400 && response.Headers.Location is { IsAbsoluteUri: false } relative && hop < MaxRedirects)
            {
                url = new Uri(url, relative);
                continue;
            }
            if (status == 404 && ErrorCode(response) is null or "EntryNotFound")
                return (HubFileMetadata.Header(response.Headers, "X-Repo-Commit"), null);
            if (status is >= 300 and < 400 || response.IsSuccessStatusCode)
            {
                var meta = HubFileMetadata.FromResponse(response, url, what);
                // A file served by the hub itself is fetched at the commit, not the branch, so that a push
                // between this HEAD and the GET cannot mix two versions.
                return (meta.Commit, meta.DownloadUrl == url ? meta with { DownloadUrl = ResolveUrl(repo, meta.Commit, file) } : meta);
            }
            throw StatusError(response, repo, revision, what);
        }
    }

    /// <summary>
    /// GET of <paramref name="url"/> from byte <paramref name="offset"/> on (a Range request when offset &gt; 0),
    /// redirects followed; the body is left unread for the caller to stream. A 416 is returned to the caller.
    /// A CDN that refuses the link (401 or 403 from another host than the hub, or a 400 that says the link
    /// expired) gives a <see cref="HubRequestException"/> with <see cref="HubRequestException.LinkRejected"/> set.
    /// </summary>
    public async Task<HttpResponseMessage> GetAsync(Uri url, long offset, RepoId repo, string revision, string what, CancellationToken ct)
    {
        for (int hop = 0; ; hop++)
        {
            var response = await SendAsync(HttpMethod.Get, url, offset, _options.DownloadTimeout, retry: true, what, ct);
            int status = (int)response.StatusCode;
            if (status is >= 300 and < 400 && response.Headers.Location is { } next)
            {
                response.Dispose();
                if (hop == MaxRedirects) throw new HubRequestException($"{what}: more than {MaxRedirects} redirects from {url}");
                url = new Uri(url, next);
                continue;
            }
            if (response.IsSuccessStatusCode || status == (int)HttpStatusCode.RequestedRangeNotSatisfiable) return response;
            using (response)
            {
                if (!IsHubHost(url) && LinkRefusal(response, await ErrorBody(response, ct)) is { } refusal)
                    throw new HubRequestException(
                        $"{what}: {url.Host} refused the download link the hub handed out ({refusal})", response.StatusCode, linkRejected: true);
                throw StatusError(response, repo, revision, what);
            }
        }
    }

    /// <summary>
    /// GET of an API URL whose answer is JSON, with the next page's URL when a Link header names one
    /// (rel="next", as the hub paginates tree listings).
    /// </summary>
    public async Task<(JsonDocument Json, Uri? Next)> GetJsonAsync(Uri url, RepoId repo, string revision, string what, bool retry, CancellationToken ct)
    {
        var policy = _options.Retry;
        for (int retryNumber = 1; ; retryNumber++)
        {
            string text;
            using (var response = await SendAsync(HttpMethod.Get, url, offset: 0, _options.DownloadTimeout, retry, what, ct))
            {
                if (!response.IsSuccessStatusCode) throw StatusError(response, repo, revision, what);
                try
                {
                    text = await ReadBodyAsync(response, ct);
                    var next = NextPage(response, url);
                    try { return (JsonDocument.Parse(text), next); }
                    catch (JsonException e) { throw new HubRequestException($"{what}: {url} did not answer with JSON ({e.Message})"); }
                }
                catch (HttpRequestException e) when (!retry || retryNumber > policy.MaxRetries) { throw Unreachable(url, what, e); }
                catch (HttpRequestException) { }
            }
            await policy.Delay(policy.WaitBefore(retryNumber), ct); // the body broke off: the whole request again
        }
    }

    /// <summary>A (small) answer body as text, read within HF_HUB_DOWNLOAD_TIMEOUT.</summary>
    async Task<string> ReadBodyAsync(HttpResponseMessage response, CancellationToken ct)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timer.CancelAfter(_options.DownloadTimeout);
        try { return await response.Content.ReadAsStringAsync(timer.Token); }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new HttpRequestException($"the answer stalled for {_options.DownloadTimeout.TotalSeconds:0.###} s", e);
        }
        catch (IOException e) { throw new HttpRequestException(e.Message, e); }
    }

    /// <summary>One request, repeated on timeouts, failed connections and retryable statuses while the policy allows.</summary>
    async Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri url, long offset, TimeSpan timeout, bool retry, string what, CancellationToken ct)
    {
        var policy = _options.Retry;
        for (int retryNumber = 1; ; retryNumber++)
        {
            bool lastTry = !retry || retryNumber > policy.MaxRetries;
            TimeSpan wait;
            try
            {
                var response = await SendOnceAsync(method, url, offset, timeout, ct);
                if (!HubRetryPolicy.IsRetryable(response.StatusCode)) return response;
                using (response)
                {
                    string answer = $"the server answered {(int)response.StatusCode} {response.ReasonPhrase}";
                    TimeSpan? asked = HubRetryPolicy.RetryAfter(response);
                    if (asked > policy.MaxRetryAfter)
                        throw new HubRequestException(
                            $"{what}: {answer} and asks to wait {asked.Value.TotalSeconds:0} s before trying again: try again later", response.StatusCode);
                    if (lastTry)
                        throw new HubRequestException(
                            $"{what}: {answer}{(retry ? $" (and again after {policy.MaxRetries} retries)" : "")}", response.StatusCode);
                    wait = asked ?? policy.WaitBefore(retryNumber);
                }
            }
            catch (HttpRequestException e)
            {
                if (lastTry) throw Unreachable(url, what, e);
                wait = policy.WaitBefore(retryNumber);
            }
            await policy.Delay(wait, ct);
        }
    }

    async Task<HttpResponseMessage> SendOnceAsync(HttpMethod method, Uri url, long offset, TimeSpan timeout, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, url);
        if (offset > 0) request.Headers.Range = new RangeHeaderValue(offset, null);
        if (_options.Token is { } token && IsHubHost(url))
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timer.CancelAfter(timeout);
        try
        {
            return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timer.Token);
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new HttpRequestException($"no answer within {timeout.TotalSeconds:0.###} s", e);
        }
    }

    bool IsHubHost(Uri url) => Uri.Compare(url, _endpoint, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;

    static HubRequestException Unreachable(Uri url, string what, HttpRequestException e) => new(
        $"{what}: cannot reach {url.GetLeftPart(UriPartial.Authority)} ({e.Message}): check the network and HF_ENDPOINT, or set HF_HUB_OFFLINE=1 to use only the cache");

    static Uri? NextPage(HttpResponseMessage response, Uri url)
    {
        if (!response.Headers.TryGetValues("Link", out var links)) return null;
        foreach (string link in links)
            if (NextLink().Match(link) is { Success: true } m) return new Uri(url, m.Groups[1].Value);
        return null;
    }

    /// <summary>
    /// Why a CDN refused a link, from its answer: 401 and 403 always (an expired or bad signature, S3's and
    /// CloudFront's AccessDenied), a 400 only when its body says the link expired; null for other answers.
    /// The body's &lt;Code&gt; and &lt;Message&gt; (the XML that S3 and CloudFront send) are quoted when present.
    /// </summary>
    static string? LinkRefusal(HttpResponseMessage response, string body)
    {
        int status = (int)response.StatusCode;
        if (status is not (400 or 401 or 403)) return null;
        if (status == 400 && !body.Contains("expired", StringComparison.OrdinalIgnoreCase)) return null;
        string code = XmlCode().Match(body) is { Success: true } c ? c.Groups[1].Value.Trim() : "";
        string message = XmlMessage().Match(body) is { Success: true } m ? m.Groups[1].Value.Trim() : "";
        string said = string.Join(": ", new[] { code, message }.Where(s => s.Length > 0));
        return $"{status} {response.ReasonPhrase}{(said.Length > 0 ? ": " + said : "")}";
    }

    /// <summary>The start of an error answer's body, or "" when it cannot be read in time.</summary>
    async Task<string> ErrorBody(HttpResponseMessage response, CancellationToken ct)
    {
        string body;
        try { body = await ReadBodyAsync(response, ct); }
        catch (HttpRequestException) { return ""; }
        return body.Length > ErrorBodyChars ? body[..ErrorBodyChars] : body;
    }

    static string? ErrorCode(HttpResponseMessage response) => HubFileMetadata.Header(response.Headers, "X-Error-Code");

    /// <summary>The error for a failed answer, with the hub's own explanation (X-Error-Message) when it gave one.</summary>
    static HubRequestException StatusError(HttpResponseMessage response, RepoId repo, string revision, string what)
    {
        string explanation = Explain(response, repo, revision);
        string hubSays = HubFileMetadata.Header(response.Headers, "X-Error-Message") is { Length: > 0 } message
            ? $" (the hub says: {message})"
            : "";
        return new HubRequestException($"{what}: {explanation}{hubSays}", response.StatusCode, ErrorCode(response));
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

    [GeneratedRegex(@"<([^>]+)>\s*;\s*rel\s*=\s*""?next""?", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex NextLink();

    [GeneratedRegex("<Code>([^<]*)</Code>", RegexOptions.CultureInvariant)]
    private static partial Regex XmlCode();

    [GeneratedRegex("<Message>([^<]*)</Message>", RegexOptions.CultureInvariant)]
    private static partial Regex XmlMessage();
}
