namespace HeadPursuit.Runtime.Hub;

/// <summary>
/// Fills snapshots/{commit}/ of one repository file by file. The commit is fixed once: the revision
/// itself when it is a commit sha, else what refs/{revision} records, else what the hub answers for the
/// first file fetched (then written to refs/{revision}). A file already in the snapshot, or known missing
/// from a .no_exist marker, costs no request; otherwise a HEAD gives its etag, the blob is downloaded
/// unless another snapshot already holds it, and the snapshot links to it. A cached branch is therefore
/// not re-checked against the hub: to update, delete refs/{revision} or ask for a commit.
/// </summary>
sealed class SnapshotFetcher : IDisposable
{
    readonly HubOptions _options;
    readonly IProgress<DownloadProgress>? _progress;
    readonly HubClient? _client;         // null when offline
    readonly BlobDownloader? _downloader; // null when offline

    public RepoCache Cache { get; }
    public string? Commit { get; private set; }

    public SnapshotFetcher(RepoId repo, HubOptions options, IProgress<DownloadProgress>? progress)
    {
        _options = options;
        _progress = progress;
        Cache = new RepoCache(options.CacheDir, repo);
        Commit = IsCommitSha(options.Revision) ? options.Revision : Cache.ReadRef(options.Revision);
        if (!options.Offline)
        {
            _client = new HubClient(options);
            _downloader = new BlobDownloader(_client);
        }
    }

    public void Dispose() => _client?.Dispose();

    /// <summary>
    /// Makes snapshots/{commit}/{file} present. Returns false when the file does not exist on the hub (or,
    /// offline, is not cached) and is not <paramref name="required"/>; throws when it is.
    /// </summary>
    public async Task<bool> FetchAsync(string file, bool required, CancellationToken ct)
    {
        if (Commit is { } known)
        {
            if (Cache.HasFile(known, file)) return true;
            if (Cache.IsKnownMissing(known, file)) return required ? throw NotFound(file) : false;
        }
        if (_client is null || _downloader is null) return required ? throw NotCached(file) : false;

        var meta = await _client.HeadAsync(Cache.Repo, Commit ?? _options.Revision, file, ct);
        if (meta is null)
        {
            if (Commit is { } c) Cache.MarkMissing(c, file);
            return required ? throw NotFound(file) : false;
        }
        if (Commit is null)
        {
            Commit = meta.Commit;
            if (_options.Revision != meta.Commit) Cache.WriteRef(_options.Revision, meta.Commit);
        }
        else if (meta.Commit != Commit)
        {
            throw new ModelFormatException($"{file} of {Cache.Repo}: asked for commit {Commit}, the hub answered for commit {meta.Commit}");
        }

        string blob = Cache.BlobPath(meta.Etag);
        if (!File.Exists(blob)) await _downloader.DownloadAsync(Cache.Repo, file, meta, blob, _progress, ct);
        Cache.Link(Commit, file, meta.Etag);
        return true;
    }

    /// <summary>The error for a file that offline mode cannot find in the cache.</summary>
    public ModelFormatException NotCached(string file) => new(
        $"HF_HUB_OFFLINE is set and {file} of {Cache.Repo} is not in the cache at {Cache.Folder}" +
        (Commit is null ? $" (revision '{_options.Revision}' was never downloaded: no refs/{_options.Revision})" : $" (snapshot {Commit})"));

    ModelFormatException NotFound(string file) =>
        new($"{file} not found in {Cache.Repo} at revision {_options.Revision} (commit {Commit})");

    static bool IsCommitSha(string revision) => revision.Length == 40 && revision.All(char.IsAsciiHexDigitLower);
}
