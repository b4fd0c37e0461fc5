using System.Text.Json;
using HeadPursuit.Runtime.Files;

namespace HeadPursuit.Runtime.Hub;

/// <summary>What the hub's tree listing says about one file (huggingface_hub's TreeCacheEntry).</summary>
readonly record struct RepoTreeEntry(long Size, string BlobId, string? LfsSha256, long? LfsSize, string? XetHash);

/// <summary>
/// The files of a repository at one commit. Read from the hub's listing
/// GET /api/{models|datasets}/{repo}/tree/{commit}?recursive=true (pages linked by Link: rel="next"), and kept in
/// the cache as trees/{commit}.json in huggingface_hub's format, so a listing either of us wrote serves both
/// (a commit never changes, so neither does its listing):
/// <code>
/// {"format_version": 1, "files": {"data/train.parquet": {"size": 10, "blob_id": "{git sha1}", "lfs_sha256": "..", "lfs_size": 10, "xet_hash": ".."}}}
/// </code>
/// lfs_* and xet_hash appear only for files stored that way.
/// </summary>
sealed class RepoTree
{
    const int FormatVersion = 1;

    /// <summary>Every file, by its path in the repository ('/'-separated), in ordinal order.</summary>
    public IReadOnlyDictionary<string, RepoTreeEntry> Files { get; }

    RepoTree(SortedDictionary<string, RepoTreeEntry> files) { Files = files; }

    public IEnumerable<string> Paths => Files.Keys;

    /// <summary>The cached listing, or null when there is none or it cannot be used (another format version, damaged).</summary>
    public static RepoTree? Read(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("format_version", out var version) || version.ValueKind != JsonValueKind.Number || version.GetInt32() != FormatVersion
                || !root.TryGetProperty("files", out var files) || files.ValueKind != JsonValueKind.Object)
                return null;
            var entries = new SortedDictionary<string, RepoTreeEntry>(StringComparer.Ordinal);
            foreach (var file in files.EnumerateObject())
            {
                if (!HubNames.IsSafeRelativePath(file.Name) || file.Value.ValueKind != JsonValueKind.Object) return null;
                var e = file.Value;
                if (Long(e, "size") is not { } size || Text(e, "blob_id") is not { } blob) return null;
                entries[file.Name] = new RepoTreeEntry(size, blob, Text(e, "lfs_sha256"), Long(e, "lfs_size"), Text(e, "xet_hash"));
            }
            return new RepoTree(entries);
        }
        catch (Exception e) when (e is JsonException or FormatException or IOException) { return null; }
    }

    public void Write(string path)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, IndentSize = 1 }))
        {
            json.WriteStartObject();
            json.WriteNumber("format_version", FormatVersion);
            json.WriteStartObject("files");
            foreach (var (file, e) in Files)
            {
                json.WriteStartObject(file);
                json.WriteNumber("size", e.Size);
                json.WriteString("blob_id", e.BlobId);
                if (e.LfsSha256 is { } sha)
                {
                    json.WriteString("lfs_sha256", sha);
                    json.WriteNumber("lfs_size", e.LfsSize ?? e.Size);
                }
                if (e.XetHash is { } xet) json.WriteString("xet_hash", xet);
                json.WriteEndObject();
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        AtomicFile.Write(path, stream.WriteTo);
    }

    /// <summary>The hub's recursive listing of <paramref name="commit"/>, page after page.</summary>
    public static async Task<RepoTree> FetchAsync(HubClient client, RepoId repo, string commit, CancellationToken ct)
    {
        string what = $"the file listing of {repo} (commit {commit})";
        var entries = new SortedDictionary<string, RepoTreeEntry>(StringComparer.Ordinal);
        for (Uri? page = client.ApiUrl(repo, "tree", commit, "?recursive=true"); page is not null;)
        {
            (JsonDocument json, Uri? next) = await client.GetJsonAsync(page, repo, commit, what, retry: true, ct);
            using (json)
            {
                if (json.RootElement.ValueKind != JsonValueKind.Array)
                    throw new HubRequestException($"{what}: {page} did not answer with a list");
                foreach (var item in json.RootElement.EnumerateArray())
                    if (Entry(item, page, what) is { } entry) entries[entry.Path] = entry.Entry;
            }
            page = next;
        }
        return new RepoTree(entries);
    }

    /// <summary>One item of the hub's listing: a file, or null for a directory.</summary>
    static (string Path, RepoTreeEntry Entry)? Entry(JsonElement item, Uri page, string what)
    {
        HubRequestException Bad(string why) => new($"{what}: {page} lists {item.GetRawText()}: {why}");
        if (item.ValueKind != JsonValueKind.Object) throw Bad("not an object");
        string? type = Text(item, "type");
        if (type == "directory") return null;
        if (type != "file") throw Bad("\"type\" is neither \"file\" nor \"directory\"");
        string path = Text(item, "path") ?? throw Bad("no \"path\"");
        if (!HubNames.IsSafeRelativePath(path)) throw Bad("the path is not a plain relative path");
        long size = Long(item, "size") ?? throw Bad("no \"size\"");
        string blob = Text(item, "oid") ?? throw Bad("no \"oid\"");
        JsonElement lfs = item.TryGetProperty("lfs", out var l) && l.ValueKind == JsonValueKind.Object ? l : default;
        bool isLfs = lfs.ValueKind == JsonValueKind.Object;
        return (path, new RepoTreeEntry(size, blob, isLfs ? Text(lfs, "oid") : null, isLfs ? Long(lfs, "size") : null, Text(item, "xetHash")));
    }

    static string? Text(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    static long? Long(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long n) && n >= 0 ? n : null;
}
