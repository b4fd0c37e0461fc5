using System.Text.Json;
using HeadPursuit.Runtime.Input;

namespace HeadPursuit.Eval.Data;

/// <summary>Small JSON reading helpers whose errors name the file and field.</summary>
static class Json
{
    public static JsonDocument Parse(string text, string source) =>
        JsonFile.ParseText(text, source, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });

    public static string String(JsonElement e, string name, string where) =>
        JsonValues.Field(e, name, where) is { ValueKind: JsonValueKind.String } v ? JsonValues.String(v, $"{where}: \"{name}\"")
            : throw new ArgumentException($"{where}: missing string field \"{name}\"");

    /// <summary>An optional array of strings (empty when absent).</summary>
    public static string[] Strings(JsonElement e, string name, string where)
    {
        if (JsonValues.Field(e, name, where) is not { } v) return [];
        if (v.ValueKind != JsonValueKind.Array || v.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.String))
            throw new ArgumentException($"{where}: \"{name}\" must be an array of strings");
        return JsonValues.List(v, $"{where}: \"{name}\"", JsonValues.String);
    }
}
