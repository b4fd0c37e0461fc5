using System.Text.Json;
using HeadPursuit.Runtime.Files;

namespace HeadPursuit.Runtime.Hub;

/// <summary>
/// Fills snapshots/{commit}/ of one repository revision, file by file. The commit is fixed once per fetcher:
/// <list type="bullet">
/// <item>a commit sha revision is its own commit;</item>
/// <item>offline, refs/{revision} says which commit the revision pointed to when it was last resolved;</item>
/// <item>online, the hub is asked where the branch or tag points now, as huggingface_hub does on every call: by the
/// first file's HEAD (<see cref="FetchAsync"/>) or the API (<see cref="PinAsync"/>); refs/{revision} is updated
/// when it moved. When the hub cannot answer (no network, a timeout, 5xx, 429, 401, 403) and the cache holds what
/// was asked at the recorded commit, that commit is used and the hub is not asked again, as huggingface_hub does;
/// "revision not found" is always final.</item>
/// </list>
/// A file already in the snapshot, or known missing from a .no_exist marker, then costs no request; otherwise
/// a HEAD gives its etag, and under the blob's <see cref="FileLock"/> (<see cref="BlobLockAsync"/>) the blob is downloaded (unless another
/// snapshot or another process already did) and linked into the snapshot.
/// </summary>
sealed class SnapshotFetcher : IDisposable
{
    readonly HubOptions _options;
    readonly IProgress<DownloadProgress>? _progress;
    readonly HubClient? _client;          // null when offline
    readonly BlobDownloader? _downloader; // null when offline
    readonly string? _recordedCommit;     // what refs/{revision} said before this fetcher asked the hub
    string? _hubFailure;                  // why the recorded commit is used instead of the hub's answer

    public RepoCache Cache { get; }
    public string Revision => _options.Revision;
    public string? Commit { get; private set; }

    /// <summary>True offline, or when the hub could not be asked and the recorded commit is used: only the cache answers.</summary>
    public bool CacheOnly => _client is null || _hubFailure is not null;

    public SnapshotFetcher(RepoId repo, HubOptions options, IProgress<DownloadProgress>? progress)
    {
        _options = options;
        _progress = progress;
        Cache = new RepoCache(options.CacheDir, repo);
        if (IsCommitSha(options.Revision)) Commit = options.Revision;
        else _recordedCommit = Cache.ReadRef(options.Revision);
        if (options.Offline)
        {
            Commit ??= _recordedCommit;
            return;
        }
        _client = new HubClient(options);
        _downloader = new BlobDownloader(_client, options);
    }

    public void Dispose() => _client?.Dispose();

    /// <summary>
    /// Makes snapshots/{commit}/{file} present. Returns false when the file does not exist on the hub (or,
    /// offline, is not cached) and is not <paramref name="required"/>; throws when it is.
    /// </summary>
    public async Task<bool> FetchAsync(string file, bool required, CancellationToken ct)
    {
        if (Commit is null && _client is not null) return await FetchAskingWhereTheRevisionPointsAsync(file, required, ct);
        if (Commit is not { } commit) return required ? throw NotCached(file) : false;
        if (Cache.HasFile(commit, file)) return true;
        if (Cache.IsKnownMissing(commit, file)) return required ? throw NotFound(file) : false;
        if (CacheOnly) return required ? throw NotCached(file) : false;

        var (_, meta) = await _client!.HeadAsync(Cache.Repo, commit, file, retry: true, ct);
        return await StoreAsync(file, meta, required, ct);
    }

    /// <summary>The first request for a branch or tag online: a HEAD on the revision, which also tells the commit.</summary>
    async Task<bool> FetchAskingWhereTheRevisionPointsAsync(string file, bool required, CancellationToken ct)
    {
        bool cached = _recordedCommit is { } recorded && (Cache.HasFile(recorded, file) || Cache.IsKnownMissing(recorded, file));
        (string? Commit, HubFileMetadata? File) answer;
        try
        {
            answer = await _client!.HeadAsync(Cache.Repo, Revision, file, retry: !cached, ct);
        }
        catch (HubRequestException e) when (cached && !e.IsRevisionNotFound)
        {
            UseRecordedCommit(e);
            return await FetchAsync(file, required, ct);
        }
        if (answer.Commit is not { } commit) return required ? throw NotFound(file) : false;
        PinTo(commit);
        if (answer.File is not null && Cache.HasFile(commit, file)) return true;
        return await StoreAsync(file, answer.File, required, ct);
    }

    /// <summary>
    /// Fixes the commit before any file is fetched (for a caller that lists the files first), asking the hub's
    /// API where the revision points.
    /// </summary>
    public async Task<string> PinAsync(CancellationToken ct)
    {
        if (Commit is { } known) return known;
        if (_client is null) throw NeverDownloaded();
        Uri url = _client.ApiUrl(Cache.Repo, "revision", Revision);
        string what = $"{Cache.Repo} (revision {Revision})";
        JsonDocument json;
        try
        {
            (json, _) = await _client.GetJsonAsync(url, Cache.Repo, Revision, what, retry: _recordedCommit is null, ct);
        }
        catch (HubRequestException e) when (_recordedCommit is not null && !e.IsRevisionNotFound)
        {
            UseRecordedCommit(e);
            return Commit!;
        }
        using (json)
        {
            string? sha = json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("sha", out var s)
                && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
            if (sha is null || !HubNames.IsSafeName(sha))
                throw new HubRequestException($"{what}: the answer of {url} has no usable \"sha\" (the commit)");
            PinTo(sha);
        }
        return Commit!;
    }

    /// <summary>
    /// The files of the pinned commit: trees/{commit}.json when cached (written by us or by huggingface_hub's
    /// snapshot_download), else the hub's recursive tree listing, which is then cached.
    /// </summary>
    public async Task<RepoTree> ListFilesAsync(CancellationToken ct)
    {
        string commit = await PinAsync(ct);
        string treePath = Cache.TreePath(commit);
        if (RepoTree.Read(treePath) is { } cached) return cached;
        if (CacheOnly) throw Missing($"the file listing of {Cache.Repo} at commit {commit} is not in the cache ({treePath})");
        var tree = await RepoTree.FetchAsync(_client!, Cache.Repo, commit, ct);
        Directory.CreateDirectory(Path.GetDirectoryName(treePath)!);
        tree.Write(treePath);
        return tree;
    }

    void PinTo(string commit)
    {
        Commit = commit;
        if (Revision != commit) Cache.WriteRef(Revision, commit);
    }

    void UseRecordedCommit(HubRequestException e)
    {
        Commit = _recordedCommit;
        _hubFailure = e.Message;
    }

    /// <summary>
    /// Given the HEAD's answer for <paramref name="file"/> at the pinned commit (null: the hub says it does not
    /// exist), downloads the blob unless it is present and links it into the snapshot, under the blob's lock.
    /// </summary>
    async Task<bool> StoreAsync(string file, HubFileMetadata? meta, bool required, CancellationToken ct)
    {
        string commit = Commit!;
        if (meta is null)
        {
            Cache.MarkMissing(commit, file);
            return required ? throw NotFound(file) : false;
        }
        if (meta.Commit != commit)
            throw new HubRequestException($"{file} of {Cache.Repo}: asked for commit {commit}, the hub answered for commit {meta.Commit}");

        string blob = Cache.BlobPath(meta.Etag);
        using (await BlobLockAsync(Cache.LockPath(meta.Etag), () => ReportOtherDownload(file, blob, meta.Size), ct))
        {
            // Another process may have downloaded the blob while this one waited for the lock.
            if (!File.Exists(blob))
                await _downloader!.DownloadAsync(Cache.Repo, file, meta, blob, c => FreshLinkAsync(file, meta, c), _progress, ct);
            Cache.Link(commit, file, meta.Etag);
        }
        return true;
    }

    /// <summary>
    /// The lock one process holds while it downloads a blob and links it into a snapshot: the file
    /// {cache}/.locks/{repo folder}/{etag}.lock, as huggingface_hub names it; a second process waits for it.
    /// </summary>
    static async Task<FileLock> BlobLockAsync(string path, Action whileWaiting, CancellationToken ct)
    {
        try { return await FileLock.WaitAsync(path, whileWaiting, ct); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new HubRequestException($"cannot create the download lock {path}: {e.Message}");
        }
    }

    /// <summary>While another process holds the blob's lock, its .incomplete file shows how far it got.</summary>
    void ReportOtherDownload(string file, string blob, long? size)
    {
        var partial = new FileInfo(blob + ".incomplete");
        _progress?.Report(new DownloadProgress(file, partial.Exists ? partial.Length : 0, size));
    }

    /// <summary>A new download link for a blob whose old one a CDN refused: another HEAD at the commit.</summary>
    async Task<Uri> FreshLinkAsync(string file, HubFileMetadata old, CancellationToken ct)
    {
        var (_, meta) = await _client!.HeadAsync(Cache.Repo, old.Commit, file, retry: true, ct);
        if (meta is null || meta.Etag != old.Etag)
            throw new HubRequestException($"{file} of {Cache.Repo} (commit {old.Commit}): asked again for a download link, the hub now describes another file");
        return meta.DownloadUrl;
    }

    /// <summary>The error for a file that the cache does not hold when offline, or when the hub could not be asked.</summary>
    public HubRequestException NotCached(string file) =>
        Missing($"{file} of {Cache.Repo} is not in the cache at {Cache.Folder} ({(Commit is null ? NeverResolved : $"snapshot {Commit}")})");

    HubRequestException NeverDownloaded() => Missing($"{Cache.Repo} is not in the cache at {Cache.Folder} ({NeverResolved})");

    string NeverResolved => $"revision '{Revision}' was never downloaded: no refs/{Revision}";

    /// <summary>Only the cache could answer (offline, or the hub failed) and it lacks <paramref name="what"/>.</summary>
    HubRequestException Missing(string what) =>
        new(_hubFailure is null ? $"HF_HUB_OFFLINE is set and {what}" : $"{what}, and the hub could not be asked: {_hubFailure}");

    HubRequestException NotFound(string file) =>
        new($"{file} not found in {Cache.Repo} at revision {Revision} (commit {Commit})");

    static bool IsCommitSha(string revision) => revision.Length == 40 && revision.All(char.IsAsciiHexDigitLower);
}
