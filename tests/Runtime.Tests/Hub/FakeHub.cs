using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace HeadPursuit.Runtime.Tests.Hub;

/// <summary>One request the fake hub received; Path without its query string.</summary>
public sealed record HubRequest(string Method, string Path, string Query, string? Range, string? Authorization);

/// <summary>
/// A minimal Hugging Face hub on 127.0.0.1 speaking HTTP/1.1 over a TcpListener, one request per connection
/// ("Connection: close"). Repositories are keyed by their URL path: "org/name" for models, "datasets/org/name" for
/// datasets. Each has commits (file sets) and branches pointing at them; <see cref="AddFile"/> fills the commit
/// <see cref="Commit"/> that "main" points to. It answers like the real hub:
/// <list type="bullet">
/// <item>{repo}/resolve/{branch or commit}/{file}: plain files with 200, ETag W/"{git sha1}", X-Repo-Commit; LFS files
/// (*.safetensors, *.parquet) with a 302 to /cdn/{sha256}?expires=... on "localhost" (another host, as a CDN is),
/// carrying X-Linked-Etag "{sha256}" and X-Linked-Size; 404s with X-Error-Code RepoNotFound, RevisionNotFound or
/// EntryNotFound (the latter with X-Repo-Commit);</item>
/// <item>/api/{models|datasets}/{id}/revision/{rev}: {"id", "sha"}; /api/.../tree/{rev}?recursive=true: the files,
/// <see cref="TreePageSize"/> per page, linked by Link: rel="next".</item>
/// </list>
/// Knobs for the tests: a token to demand, failures (429, 503 with Retry-After) and requests left unanswered, bodies
/// cut or stalled halfway, a gate that holds a download halfway, expired CDN links, ignored Range headers, a wrong
/// announced size, renamed repositories.
/// </summary>
public sealed class FakeHub : IDisposable
{
    public const string Commit = "4f1c0e8a9b2d3c4e5f60718293a4b5c6d7e8f901";

    readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    readonly CancellationTokenSource _stop = new();
    readonly ConcurrentDictionary<string, FakeRepo> _repos = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, string> _renames = new(StringComparer.Ordinal);
    readonly ConcurrentQueue<HubRequest> _requests = new();
    readonly List<Rule> _rules = [];
    readonly ConcurrentDictionary<string, ConcurrentQueue<double>> _cuts = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, ManualResetEventSlim> _gates = new(StringComparer.Ordinal);
    readonly Task _acceptLoop;
    int _expiredLinksLeft;
    int _linksBeforeExpiry;

    public FakeHub()
    {
        _listener.Start();
        _acceptLoop = AcceptLoop();
    }

    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>Where LFS files are served: the same listener under another host name, as a CDN would be.</summary>
    public string CdnUrl => $"http://localhost:{Port}";
    int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public IReadOnlyList<HubRequest> Requests => [.. _requests];

    /// <summary>When set, every resolve and API request must carry "Authorization: Bearer {RequiredToken}".</summary>
    public string? RequiredToken { get; set; }

    /// <summary>Answer every download with 200 and the whole body, even when a Range was asked.</summary>
    public bool IgnoreRange { get; set; }

    /// <summary>Added to the true size in X-Linked-Size.</summary>
    public long AnnouncedSizeError { get; set; }

    /// <summary>How many files one page of a tree listing holds.</summary>
    public int TreePageSize { get; set; } = 1000;

    public static bool IsLfs(string file) =>
        file.EndsWith(".safetensors", StringComparison.Ordinal) || file.EndsWith(".parquet", StringComparison.Ordinal);

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>The id git gives a blob: sha1 of "blob {length}\0" followed by the contents.</summary>
    public static string GitSha1(byte[] bytes) =>
        Convert.ToHexStringLower(SHA1.HashData([.. Encoding.ASCII.GetBytes($"blob {bytes.Length}\0"), .. bytes]));

    /// <summary>The etag the client should name the file's blob after.</summary>
    public static string EtagOf(string file, byte[] bytes) => IsLfs(file) ? Sha256(bytes) : GitSha1(bytes);

    /// <summary>Adds a file to <paramref name="commit"/> of the repository; "main" points to <see cref="Commit"/> unless moved.</summary>
    public void AddFile(string repo, string file, byte[] bytes, string commit = Commit)
    {
        var r = _repos.GetOrAdd(repo, _ => new FakeRepo());
        r.Branches.TryAdd("main", Commit);
        r.Commits.GetOrAdd(commit, _ => new ConcurrentDictionary<string, byte[]>(StringComparer.Ordinal))[file] = bytes;
    }

    /// <summary>Points <paramref name="branch"/> of the repository at <paramref name="commit"/>.</summary>
    public void SetBranch(string repo, string branch, string commit) => _repos[repo].Branches[branch] = commit;

    public void DeleteBranch(string repo, string branch) => _repos[repo].Branches.TryRemove(branch, out _);

    /// <summary>Forgets a commit (as after a force-push): asking for it is a RevisionNotFound.</summary>
    public void DeleteCommit(string repo, string commit) => _repos[repo].Commits.TryRemove(commit, out _);

    /// <summary>Requests for <paramref name="oldRepo"/> get a 307 to the same path under <paramref name="newRepo"/>, with a relative Location.</summary>
    public void AddRename(string oldRepo, string newRepo) => _renames[oldRepo] = newRepo;

    /// <summary>The next <paramref name="times"/> requests that <paramref name="when"/> accepts (all by default) are answered with <paramref name="status"/>.</summary>
    public void FailNext(int times, int status, Func<HubRequest, bool>? when = null, string? retryAfter = null)
    {
        lock (_rules) _rules.Add(new Rule(times, when ?? (_ => true), status, retryAfter));
    }

    /// <summary>The next <paramref name="times"/> requests that <paramref name="when"/> accepts get no answer (the connection stays open).</summary>
    public void LeaveUnanswered(int times, Func<HubRequest, bool>? when = null)
    {
        lock (_rules) _rules.Add(new Rule(times, when ?? (_ => true), Status: null, RetryAfter: null));
    }

    /// <summary>The next <paramref name="times"/> downloads of this file send this share of their body (half by default), then close the connection.</summary>
    public void CutNextDownloadsOf(string file, int times = 1, double keep = 0.5)
    {
        var queue = _cuts.GetOrAdd(file, _ => new ConcurrentQueue<double>());
        for (int i = 0; i < times; i++) queue.Enqueue(keep);
    }

    /// <summary>The next download of this file sends half of its body, then sends nothing more until the hub is disposed.</summary>
    public void StallNextDownloadOf(string file) => CutNextDownloadsOf(file, 1, -0.5);

    /// <summary>Downloads of this file send half of their body, then wait until the returned gate is set.</summary>
    public ManualResetEventSlim GateDownloadsOf(string file) => _gates.GetOrAdd(file, _ => new ManualResetEventSlim());

    /// <summary>After <paramref name="after"/> more CDN downloads, the next <paramref name="times"/> are refused with 403 and S3's "Request has expired".</summary>
    public void ExpireLinks(int times, int after = 0)
    {
        _linksBeforeExpiry = after;
        _expiredLinksLeft = times;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try { _acceptLoop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
    }

    sealed class FakeRepo
    {
        public ConcurrentDictionary<string, string> Branches { get; } = new(StringComparer.Ordinal);
        public ConcurrentDictionary<string, ConcurrentDictionary<string, byte[]>> Commits { get; } = new(StringComparer.Ordinal);

        /// <summary>The commit a branch or commit sha names, or null.</summary>
        public string? CommitOf(string revision) =>
            Branches.TryGetValue(revision, out string? c) ? (Commits.ContainsKey(c) ? c : null) : Commits.ContainsKey(revision) ? revision : null;
    }

    /// <summary>A failure to inject: a status to answer with, or none (no answer at all).</summary>
    sealed record Rule(int Times, Func<HubRequest, bool> When, int? Status, string? RetryAfter)
    {
        public int Left { get; set; } = Times;
    }

    async Task AcceptLoop()
    {
        while (true)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(); }
            catch (Exception e) when (e is SocketException or ObjectDisposedException) { return; }
            // A thread of its own per connection: unanswered requests and held downloads block it for a while.
            _ = Task.Factory.StartNew(() => Serve(client), TaskCreationOptions.LongRunning);
        }
    }

    void Serve(TcpClient client)
    {
        using var _ = client;
        using var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII, false, 1, leaveOpen: true);
        string? requestLine;
        try { requestLine = reader.ReadLine(); }
        catch (IOException) { return; }
        if (requestLine is null) return;
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (string? line = reader.ReadLine(); !string.IsNullOrEmpty(line); line = reader.ReadLine())
        {
            int colon = line.IndexOf(':');
            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        string[] parts = requestLine.Split(' ');
        string target = parts[1];
        int q = target.IndexOf('?');
        var request = new HubRequest(parts[0], q < 0 ? target : target[..q], q < 0 ? "" : target[(q + 1)..],
            headers.GetValueOrDefault("Range"), headers.GetValueOrDefault("Authorization"));
        _requests.Enqueue(request);
        try
        {
            if (InjectedFailure(request) is { } rule)
            {
                if (rule.Status is int status)
                    Write(stream, status, rule.RetryAfter is { } after ? [("Retry-After", after)] : [], [], request.Method == "HEAD");
                else
                    _stop.Token.WaitHandle.WaitOne(TimeSpan.FromSeconds(30));
                return;
            }
            Answer(stream, request);
        }
        catch (IOException) { } // the client went away
    }

    Rule? InjectedFailure(HubRequest request)
    {
        lock (_rules)
        {
            var rule = _rules.FirstOrDefault(r => r.Left > 0 && r.When(request));
            if (rule is not null) rule.Left--;
            return rule;
        }
    }

    void Answer(Stream stream, HubRequest request)
    {
        bool head = request.Method == "HEAD";
        if (request.Path.StartsWith("/cdn/", StringComparison.Ordinal))
        {
            if (!head && Interlocked.Decrement(ref _linksBeforeExpiry) < 0 && Interlocked.Decrement(ref _expiredLinksLeft) >= 0)
            {
                Write(stream, 403, [("Content-Type", "application/xml")], Encoding.UTF8.GetBytes(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>"), head);
                return;
            }
            string sha = request.Path["/cdn/".Length..];
            var found = _repos.Values.SelectMany(r => r.Commits.Values).SelectMany(f => f)
                .FirstOrDefault(f => IsLfs(f.Key) && Sha256(f.Value) == sha);
            if (found.Value is null) { Write(stream, 404, [], [], head); return; }
            SendBody(stream, found.Key, found.Value, request, [], head);
            return;
        }
        if (RequiredToken is { } token && request.Authorization != "Bearer " + token)
        {
            // No token: 401. A token without access to the repository: 403.
            Write(stream, request.Authorization is null ? 401 : 403,
                [("X-Error-Code", "GatedRepo"), ("X-Error-Message", "Access to this model is restricted.")], [], head);
            return;
        }
        if (request.Path.StartsWith("/api/", StringComparison.Ordinal)) { AnswerApi(stream, request); return; }

        int at = request.Path.IndexOf("/resolve/", StringComparison.Ordinal);
        if (at < 0) { Write(stream, 404, [], [], head); return; }
        string repo = request.Path[1..at];
        string[] rest = request.Path[(at + "/resolve/".Length)..].Split('/', 2);
        string revision = Uri.UnescapeDataString(rest[0]);
        string file = Uri.UnescapeDataString(rest[1]);
        if (_renames.TryGetValue(repo, out string? renamed))
        {
            Write(stream, 307, [("Location", "/" + renamed + request.Path[at..])], [], head);
            return;
        }
        if (!_repos.TryGetValue(repo, out var r)) { Write(stream, 404, [("X-Error-Code", "RepoNotFound")], [], head); return; }
        if (r.CommitOf(revision) is not { } commit) { Write(stream, 404, [("X-Error-Code", "RevisionNotFound")], [], head); return; }
        if (!r.Commits[commit].TryGetValue(file, out var bytes))
        {
            Write(stream, 404, [("X-Error-Code", "EntryNotFound"), ("X-Repo-Commit", commit)], [], head);
            return;
        }

        if (IsLfs(file))
        {
            Write(stream, 302,
            [
                ("Location", $"{CdnUrl}/cdn/{Sha256(bytes)}?expires=1700000000&signature=abc"),
                ("X-Repo-Commit", commit),
                ("X-Linked-Etag", $"\"{Sha256(bytes)}\""),
                ("X-Linked-Size", (bytes.Length + AnnouncedSizeError).ToString()),
                ("ETag", $"\"{GitSha1(Encoding.ASCII.GetBytes("lfs pointer"))}\""),
            ], [], head);
            return;
        }
        SendBody(stream, file, bytes, request, [("X-Repo-Commit", commit), ("ETag", $"W/\"{GitSha1(bytes)}\"")], head);
    }

    /// <summary>/api/{models|datasets}/{id}/revision/{rev} and /api/{models|datasets}/{id}/tree/{rev}?recursive=true[&amp;cursor=N].</summary>
    void AnswerApi(Stream stream, HubRequest request)
    {
        string[] parts = request.Path["/api/".Length..].Split('/');
        int verbAt = Array.FindIndex(parts, p => p is "revision" or "tree");
        if (parts.Length < 4 || verbAt < 2 || verbAt != parts.Length - 2) { Write(stream, 404, [], [], false); return; }
        string id = string.Join('/', parts[1..verbAt]);
        string repo = parts[0] == "models" ? id : $"{parts[0]}/{id}";
        string revision = Uri.UnescapeDataString(parts[^1]);
        if (!_repos.TryGetValue(repo, out var r)) { Write(stream, 404, [("X-Error-Code", "RepoNotFound")], [], false); return; }
        if (r.CommitOf(revision) is not { } commit) { Write(stream, 404, [("X-Error-Code", "RevisionNotFound")], [], false); return; }
        if (parts[verbAt] == "revision")
        {
            WriteJson(stream, new { id, sha = commit }, []);
            return;
        }
        var files = r.Commits[commit].OrderBy(f => f.Key, StringComparer.Ordinal).ToList();
        int from = request.Query.Split('&').FirstOrDefault(p => p.StartsWith("cursor=", StringComparison.Ordinal)) is { } c ? int.Parse(c[7..]) : 0;
        var page = files.Skip(from).Take(TreePageSize).Select(f => IsLfs(f.Key)
            ? (object)new { type = "file", oid = GitSha1(Encoding.ASCII.GetBytes("lfs pointer")), size = f.Value.Length, path = f.Key, lfs = new { oid = Sha256(f.Value), size = f.Value.Length, pointerSize = 134 } }
            : new { type = "file", oid = GitSha1(f.Value), size = f.Value.Length, path = f.Key });
        var folders = from == 0
            ? files.SelectMany(f => Folders(f.Key)).Distinct().Select(d => (object)new { type = "directory", oid = "0", size = 0, path = d })
            : [];
        (string, string)[] link = from + TreePageSize < files.Count
            ? [("Link", $"<{Url}{request.Path}?recursive=true&cursor={from + TreePageSize}>; rel=\"next\"")]
            : [];
        WriteJson(stream, folders.Concat(page).ToArray(), link);
    }

    static IEnumerable<string> Folders(string file)
    {
        for (int slash = file.IndexOf('/'); slash > 0; slash = file.IndexOf('/', slash + 1)) yield return file[..slash];
    }

    void WriteJson(Stream stream, object value, (string, string)[] headers) =>
        Write(stream, 200, [("Content-Type", "application/json"), .. headers], JsonSerializer.SerializeToUtf8Bytes(value), false);

    /// <summary>The file's bytes: all with 200, or from a "bytes=N-" Range with 206; cut, stalled or held halfway when asked.</summary>
    void SendBody(Stream stream, string file, byte[] bytes, HubRequest request, (string, string)[] headers, bool head)
    {
        long from = 0;
        if (!IgnoreRange && request.Range is { } range && range.StartsWith("bytes=", StringComparison.Ordinal) && range.EndsWith('-'))
            from = long.Parse(range["bytes=".Length..^1]);
        byte[] body = bytes[(int)from..];
        (string, string)[] all = from > 0 ? [.. headers, ("Content-Range", $"bytes {from}-{bytes.Length - 1}/{bytes.Length}")] : headers;
        int status = from > 0 ? 206 : 200;
        if (!head && _cuts.TryGetValue(file, out var cuts) && cuts.TryDequeue(out double keep))
        {
            WriteHead(stream, status, all, body.Length);
            stream.Write(body, 0, (int)(body.Length * Math.Abs(keep)));
            stream.Flush();
            if (keep < 0) _stop.Token.WaitHandle.WaitOne(TimeSpan.FromSeconds(30)); // stalled: nothing more comes
            return; // closing the connection now leaves the body short of its Content-Length
        }
        if (!head && _gates.TryGetValue(file, out var gate))
        {
            WriteHead(stream, status, all, body.Length);
            stream.Write(body, 0, body.Length / 2);
            stream.Flush();
            WaitHandle.WaitAny([gate.WaitHandle, _stop.Token.WaitHandle], TimeSpan.FromSeconds(30));
            stream.Write(body, body.Length / 2, body.Length - body.Length / 2);
            stream.Flush();
            return;
        }
        Write(stream, status, all, body, head);
    }

    static void Write(Stream stream, int status, (string, string)[] headers, byte[] body, bool head)
    {
        WriteHead(stream, status, headers, body.Length);
        if (!head) stream.Write(body);
        stream.Flush();
    }

    static void WriteHead(Stream stream, int status, (string Name, string Value)[] headers, long contentLength)
    {
        var sb = new StringBuilder($"HTTP/1.1 {status} {Reason(status)}\r\n");
        foreach (var (name, value) in headers) sb.Append($"{name}: {value}\r\n");
        sb.Append($"Content-Length: {contentLength}\r\nConnection: close\r\n\r\n");
        stream.Write(Encoding.ASCII.GetBytes(sb.ToString()));
    }

    static string Reason(int status) => status switch
    {
        200 => "OK", 206 => "Partial Content", 302 => "Found", 307 => "Temporary Redirect", 401 => "Unauthorized", 403 => "Forbidden",
        404 => "Not Found", 429 => "Too Many Requests", 500 => "Internal Server Error", 503 => "Service Unavailable", _ => "Status",
    };
}
