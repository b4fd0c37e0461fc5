using System.Text.Json;

namespace HeadPursuit.Eval.Data;

/// <summary>Small JSON reading helpers whose errors name the file and field.</summary>
static class Json
{
    public static JsonDocument Parse(string text, string source)
    {
        try { return JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }); }
        catch (JsonException e) { throw new ArgumentException($"{source}: not valid JSON ({e.Message})"); }
    }

    public static string String(JsonElement e, string name, string where) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()!
            : throw new ArgumentException($"{where}: missing string field \"{name}\"");

    /// <summary>An optional array of strings (empty when absent).</summary>
    public static string[] Strings(JsonElement e, string name, string where)
    {
        if (!e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return [];
        if (v.ValueKind != JsonValueKind.Array || v.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.String))
            throw new ArgumentException($"{where}: \"{name}\" must be an array of strings");
        return [.. v.EnumerateArray().Select(x => x.GetString()!)];
    }
}
