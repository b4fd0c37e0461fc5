using System.Text.Json;
using HeadPursuit.Runtime.Input;

namespace HeadPursuit.Runtime.Hub;

/// <summary>
/// Reads model.safetensors.index.json ({"weight_map": {tensor: shard file}}): the shard files to fetch and which shard
/// holds each tensor. Every shard name is checked to be a plain relative path.
/// </summary>
static class ShardIndex
{
    public const string FileName = "model.safetensors.index.json";

    /// <summary>The distinct shard file names, sorted.</summary>
    public static IReadOnlyList<string> ReadShardFiles(string indexPath) => [.. new SortedSet<string>(ReadWeightMap(indexPath).Select(e => e.Shard), StringComparer.Ordinal)];

    /// <summary>tensor name -> shard file name, in the file's order; never empty.</summary>
    public static IReadOnlyList<(string Tensor, string Shard)> ReadWeightMap(string indexPath)
    {
        using var doc = JsonFile.ParseObject(indexPath);
        var field = JsonValues.Field(doc.RootElement, "weight_map", indexPath) ?? throw new ModelFormatException($"{indexPath}: missing the \"weight_map\" object");
        var map = JsonValues.Object(field, $"{indexPath}: weight_map");
        var entries = new List<(string, string)>();
        foreach (var entry in map.EnumerateObject())
        {
            string shard = JsonValues.String(entry.Value, $"{indexPath}: weight_map['{entry.Name}']");
            if (!HubNames.IsSafeRelativePath(shard))
                throw new ModelFormatException($"{indexPath}: weight_map['{entry.Name}'] is not a relative file name: {entry.Value.GetRawText()}");
            entries.Add((entry.Name, shard));
        }
        if (entries.Count == 0) throw new ModelFormatException($"{indexPath}: weight_map is empty");
        return entries;
    }
}
