using System.Text.Json;

namespace HeadPursuit.Runtime.Hub;

/// <summary>Reads model.safetensors.index.json ({"weight_map": {tensor: shard file}}) for the shard files to fetch.</summary>
static class ShardIndex
{
    public const string FileName = "model.safetensors.index.json";

    /// <summary>The distinct shard file names, sorted; each is checked to be a plain relative path.</summary>
    public static IReadOnlyList<string> ReadShardFiles(string indexPath)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllText(indexPath)); }
        catch (JsonException e) { throw new ModelFormatException($"{indexPath}: not valid JSON ({e.Message})"); }
        using var _ = doc;
        if (doc.RootElement.ValueKind != JsonValueKind.Object
            || !doc.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
            throw new ModelFormatException($"{indexPath}: missing the \"weight_map\" object");

        var shards = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var entry in map.EnumerateObject())
        {
            string? shard = entry.Value.ValueKind == JsonValueKind.String ? entry.Value.GetString() : null;
            if (shard is null || !HubNames.IsSafeRelativePath(shard))
                throw new ModelFormatException($"{indexPath}: weight_map['{entry.Name}'] is not a relative file name: {entry.Value.GetRawText()}");
            shards.Add(shard);
        }
        if (shards.Count == 0) throw new ModelFormatException($"{indexPath}: weight_map is empty");
        return [.. shards];
    }
}
