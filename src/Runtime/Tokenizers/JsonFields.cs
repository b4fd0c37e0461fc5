using System.Text.Json;
using HeadPursuit.Runtime.Input;

namespace HeadPursuit.Runtime.Tokenizers;

/// <summary>The fields of tokenizer files by name, read through <see cref="JsonValues"/> (errors name the file and field).</summary>
internal static class JsonFields
{
    public static JsonDocument Parse(string path) => JsonFile.Parse(path, new JsonDocumentOptions { AllowTrailingCommas = true });

    /// <summary>The field, or null when it is absent or JSON null (or <paramref name="obj"/> is not an object).</summary>
    public static JsonElement? Optional(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    public static JsonElement Required(JsonElement obj, string name, string where) =>
        Optional(obj, name) ?? throw new ModelFormatException($"{where}: missing field '{name}'");

    /// <summary>The elements of a required list field.</summary>
    public static JsonElement.ArrayEnumerator Array(JsonElement obj, string name, string where) =>
        JsonValues.Array(Required(obj, name, where), $"{where}: field '{name}'").EnumerateArray();

    public static string String(JsonElement obj, string name, string where) => JsonValues.String(Required(obj, name, where), $"{where}: field '{name}'");

    public static string? OptionalString(JsonElement obj, string name, string where) =>
        Optional(obj, name) is { } v ? JsonValues.String(v, $"{where}: field '{name}'") : null;

    public static bool Bool(JsonElement obj, string name, bool fallback, string where) =>
        Optional(obj, name) is { } v ? JsonValues.Bool(v, $"{where}: field '{name}'") : fallback;

    public static int Int(JsonElement obj, string name, int fallback, string where) =>
        Optional(obj, name) is { } v ? JsonValues.Int(v, $"{where}: field '{name}'") : fallback;

    /// <summary>A token id.</summary>
    public static int NonNegativeInt(JsonElement v, string where) => JsonValues.Int(v, where, 0);
}
