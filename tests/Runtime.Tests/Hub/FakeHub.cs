using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace HeadPursuit.Runtime.Tests.Hub;

/// <summary>One request the fake hub received.</summary>
public sealed record HubRequest(string Method, string Path, string? Range, string? Authorization);

/// <summary>
/// A minimal Hugging Face hub on 127.0.0.1 speaking HTTP/1.1 over a TcpListener, one request per
/// connection ("Connection: close"). It answers {repo}/resolve/{revision}/{file} like the real hub:
/// plain files with 200, ETag W/"{git sha1}", X-Repo-Commit; *.safetensors files (LFS) with a 302 to
/// /cdn/{sha256} carrying X-Linked-Etag "{sha256}" and X-Linked-Size; 404s with X-Error-Code RepoNotFound,
/// RevisionNotFound or EntryNotFound. Knobs for the tests: a token to demand (401 without one, 403 for another), a file whose
/// next downloads are cut halfway, ignoring Range headers, announcing a wrong LFS size, renamed repositories.
/// </summary>
public sealed class FakeHub : IDisposable
{
    public const string Commit = "4f1c0e8a9b2d3c4e5f60718293a4b5c6d7e8f901";

    readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    readonly Dictionary<string, Dictionary<string, byte[]>> _repos = new(StringComparer.Ordinal);
    readonly Dictionary<string, string> _renames = new(StringComparer.Ordinal);
    readonly ConcurrentQueue<HubRequest> _requests = new();
    readonly Task _acceptLoop;
    int _cutsLeft;

    public FakeHub()
    {
        _listener.Start();
        _acceptLoop = AcceptLoop();
    }

    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>Where LFS files are served: the same listener under another host name, as a CDN would be.</summary>
    public string CdnUrl => $"http://localhost:{((IPEndPoint)_listener.LocalEndpoint).Port}";
    public IReadOnlyList<HubRequest> Requests => [.. _requests];

    /// <summary>When set, every resolve request must carry "Authorization: Bearer {RequiredToken}".</summary>
    public string? RequiredToken { get; set; }

    /// <summary>Answer every download with 200 and the whole body, even when a Range was asked.</summary>
    public bool IgnoreRange { get; set; }

    /// <summary>Added to the true size in X-Linked-Size.</summary>
    public long AnnouncedSizeError { get; set; }

    /// <summary>The next <paramref name="times"/> downloads of this file send half of their body, then close the connection.</summary>
    public void CutNextDownloadsOf(string file, int times = 1) { CutFile = file; _cutsLeft = times; }
    string? CutFile { get; set; }

    /// <summary>Requests for <paramref name="oldRepo"/> get a 307 to the same path under <paramref name="newRepo"/>, with a relative Location.</summary>
    public void AddRename(string oldRepo, string newRepo) => _renames[oldRepo] = newRepo;

    public void AddFile(string repo, string file, byte[] bytes)
    {
        if (!_repos.TryGetValue(repo, out var files)) _repos[repo] = files = new(StringComparer.Ordinal);
        files[file] = bytes;
    }

    public static bool IsLfs(string file) => file.EndsWith(".safetensors", StringComparison.Ordinal);
    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>The id git gives a blob: sha1 of "blob {length}\0" followed by the contents.</summary>
    public static string GitSha1(byte[] bytes) =>
        Convert.ToHexStringLower(SHA1.HashData([.. Encoding.ASCII.GetBytes($"blob {bytes.Length}\0"), .. bytes]));

    /// <summary>The etag the resolver should name the file's blob after.</summary>
    public static string EtagOf(string file, byte[] bytes) => IsLfs(file) ? Sha256(bytes) : GitSha1(bytes);

    public void Dispose()
    {
        _listener.Stop();
        try { _acceptLoop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
    }

    async Task AcceptLoop()
    {
        while (true)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(); }
            catch (Exception e) when (e is SocketException or ObjectDisposedException) { return; }
            _ = Task.Run(() => Serve(client));
        }
    }

    void Serve(TcpClient client)
    {
        using var _ = client;
        using var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII, false, 1, leaveOpen: true);
        string? requestLine = reader.ReadLine();
        if (requestLine is null) return;
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (string? line = reader.ReadLine(); !string.IsNullOrEmpty(line); line = reader.ReadLine())
        {
            int colon = line.IndexOf(':');
            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        string[] parts = requestLine.Split(' ');
        var request = new HubRequest(parts[0], parts[1], headers.GetValueOrDefault("Range"), headers.GetValueOrDefault("Authorization"));
        _requests.Enqueue(request);
        try { Answer(stream, request); }
        catch (IOException) { } // the client went away
    }

    void Answer(Stream stream, HubRequest request)
    {
        bool head = request.Method == "HEAD";
        if (request.Path.StartsWith("/cdn/", StringComparison.Ordinal))
        {
            var found = _repos.Values.SelectMany(f => f).FirstOrDefault(f => IsLfs(f.Key) && Sha256(f.Value) == request.Path["/cdn/".Length..]);
            if (found.Value is null) { Write(stream, 404, [], [], head); return; }
            SendBody(stream, found.Key, found.Value, request, [], head);
            return;
        }

        int at = request.Path.IndexOf("/resolve/", StringComparison.Ordinal);
        if (at < 0) { Write(stream, 404, [], [], head); return; }
        if (RequiredToken is { } token && request.Authorization != "Bearer " + token)
        {
            // No token: 401. A token without access to the repository: 403.
            Write(stream, request.Authorization is null ? 401 : 403,
                [("X-Error-Code", "GatedRepo"), ("X-Error-Message", "Access to this model is restricted.")], [], head);
            return;
        }
        string repo = request.Path[1..at];
        string[] rest = request.Path[(at + "/resolve/".Length)..].Split('/', 2);
        string revision = Uri.UnescapeDataString(rest[0]);
        string file = Uri.UnescapeDataString(rest[1]);
        if (_renames.TryGetValue(repo, out string? renamed))
        {
            Write(stream, 307, [("Location", "/" + renamed + request.Path[at..])], [], head);
            return;
        }
        if (!_repos.TryGetValue(repo, out var files)) { Write(stream, 404, [("X-Error-Code", "RepoNotFound")], [], head); return; }
        if (revision != "main" && revision != Commit) { Write(stream, 404, [("X-Error-Code", "RevisionNotFound")], [], head); return; }
        if (!files.TryGetValue(file, out var bytes)) { Write(stream, 404, [("X-Error-Code", "EntryNotFound"), ("X-Repo-Commit", Commit)], [], head); return; }

        if (IsLfs(file))
        {
            Write(stream, 302,
            [
                ("Location", $"{CdnUrl}/cdn/{Sha256(bytes)}"),
                ("X-Repo-Commit", Commit),
                ("X-Linked-Etag", $"\"{Sha256(bytes)}\""),
                ("X-Linked-Size", (bytes.Length + AnnouncedSizeError).ToString()),
                ("ETag", $"\"{GitSha1(Encoding.ASCII.GetBytes("lfs pointer"))}\""),
            ], [], head);
            return;
        }
        SendBody(stream, file, bytes, request, [("X-Repo-Commit", Commit), ("ETag", $"W/\"{GitSha1(bytes)}\"")], head);
    }

    /// <summary>The file's bytes: all with 200, or from a "bytes=N-" Range with 206, or cut halfway when asked.</summary>
    void SendBody(Stream stream, string file, byte[] bytes, HubRequest request, (string, string)[] headers, bool head)
    {
        long from = 0;
        if (!IgnoreRange && request.Range is { } range && range.StartsWith("bytes=", StringComparison.Ordinal) && range.EndsWith('-'))
            from = long.Parse(range["bytes=".Length..^1]);
        byte[] body = bytes[(int)from..];
        (string, string)[] all = from > 0 ? [.. headers, ("Content-Range", $"bytes {from}-{bytes.Length - 1}/{bytes.Length}")] : headers;
        if (!head && file == CutFile && Interlocked.Decrement(ref _cutsLeft) >= 0)
        {
            WriteHead(stream, from > 0 ? 206 : 200, all, body.Length);
            stream.Write(body, 0, body.Length / 2);
            stream.Flush();
            return; // closing the connection now leaves the body short of its Content-Length
        }
        Write(stream, from > 0 ? 206 : 200, all, body, head);
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
        200 => "OK", 206 => "Partial Content", 302 => "Found", 307 => "Temporary Redirect", 401 => "Unauthorized", 403 => "Forbidden", 404 => "Not Found", _ => "Status",
    };
}
