using HeadPursuit.Runtime.Files;

namespace HeadPursuit.Runtime.Hub;

/// <summary>
/// One repository's folder in the hub cache, laid out as huggingface_hub writes it:
/// <code>
/// {cache}/{models|datasets}--{org}--{name}/
///   blobs/{etag}                       file contents, named by ETag (sha256 for LFS files, git sha1 otherwise)
///   blobs/{etag}.incomplete            a download in progress
///   snapshots/{commit}/{filename}      relative symlink to ../../blobs/{etag}
///   refs/{revision}                    the commit sha a branch or tag pointed to (no newline); refs/refs/convert/parquet for that branch
///   .no_exist/{commit}/{filename}      empty marker: the hub answered 404 for this file at this commit
///   trees/{commit}.json                the commit's file listing (<see cref="RepoTree"/>)
/// {cache}/.locks/{models|datasets}--{org}--{name}/{etag}.lock   held while the blob is downloaded (<see cref="FileLock"/>)
/// </code>
/// </summary>
sealed class RepoCache(string cacheDir, RepoId repo)
{
    public RepoId Repo { get; } = repo;
    public string Folder { get; } = Path.Combine(cacheDir, repo.CacheFolderName);

    public string BlobPath(string etag) => Path.Combine(Folder, "blobs", etag);
    public string LockPath(string etag) => Path.Combine(cacheDir, ".locks", Repo.CacheFolderName, etag + ".lock");
    public string SnapshotFolder(string commit) => Path.Combine(Folder, "snapshots", commit);
    public string SnapshotFile(string commit, string file) => Path.Combine(SnapshotFolder(commit), file);
    public string TreePath(string commit) => Path.Combine(Folder, "trees", commit + ".json");
    string RefPath(string revision) => Path.Combine(Folder, "refs", revision);
    string NoExistPath(string commit, string file) => Path.Combine(Folder, ".no_exist", commit, file);

    /// <summary>The commit sha refs/{revision} records, or null when the revision was never resolved.</summary>
    public string? ReadRef(string revision)
    {
        string path = RefPath(revision);
        if (!File.Exists(path)) return null;
        string commit = File.ReadAllText(path).Trim();
        if (!HubNames.IsSafeName(commit))
            throw new ModelFormatException($"{path}: does not hold a commit sha (found '{commit}')");
        return commit;
    }

    /// <summary>
    /// Records that <paramref name="revision"/> points to <paramref name="commit"/>, when it is not recorded already:
    /// written to a temporary file and renamed, so a reader never sees half a sha.
    /// </summary>
    public void WriteRef(string revision, string commit)
    {
        string path = RefPath(revision);
        if (File.Exists(path) && File.ReadAllText(path) == commit) return;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        AtomicFile.WriteText(path, commit);
    }

    /// <summary>True when snapshots/{commit}/{file} exists and, if it is a symlink, its blob exists too.</summary>
    public bool HasFile(string commit, string file)
    {
        var info = new FileInfo(SnapshotFile(commit, file));
        if (info.LinkTarget is null) return info.Exists;
        return info.ResolveLinkTarget(returnFinalTarget: true)?.Exists ?? false;
    }

    public bool IsKnownMissing(string commit, string file) => File.Exists(NoExistPath(commit, file));

    public void MarkMissing(string commit, string file)
    {
        string path = NoExistPath(commit, file);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, []);
    }

    /// <summary>
    /// Points snapshots/{commit}/{file} at blobs/{etag} with a relative symlink (the snapshot stays valid
    /// if the cache folder moves), or copies the blob where symlinks cannot be made.
    /// </summary>
    public string Link(string commit, string file, string etag)
    {
        string link = SnapshotFile(commit, file);
        string blob = BlobPath(etag);
        Directory.CreateDirectory(Path.GetDirectoryName(link)!);
        if (File.Exists(link) || new FileInfo(link).LinkTarget is not null) File.Delete(link);
        try
        {
            File.CreateSymbolicLink(link, Path.GetRelativePath(Path.GetDirectoryName(link)!, blob));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            File.Copy(blob, link, overwrite: true);
        }
        return link;
    }
}
