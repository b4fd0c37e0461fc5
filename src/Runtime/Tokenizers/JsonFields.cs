using System.Text.Json;

namespace HeadPursuit.Runtime.Tokenizers;

/// <summary>Typed reads of JSON fields that name the file and field in their error messages.</summary>
internal static class JsonFields
{
    public static JsonDocument Parse(string path)
    {
        if (!File.Exists(path)) throw new ModelFormatException($"{path}: file not found");
        try { return JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { AllowTrailingCommas = true }); }
        catch (JsonException e) { throw new ModelFormatException($"{path}: not valid JSON ({e.Message})"); }
    }

    /// <summary>The field, or null when it is absent or JSON null.</summary>
    public static JsonElement? Optional(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    public static JsonElement Required(JsonElement obj, string name, string where) =>
        Optional(obj, name) ?? throw new ModelFormatException($"{where}: missing field '{name}'");

    public static string String(JsonElement obj, string name, string where)
    {
        var v = Required(obj, name, where);
        return v.ValueKind == JsonValueKind.String ? v.GetString()! : throw new ModelFormatException($"{where}: field '{name}' must be a string, not {v.ValueKind}");
    }

    public static string? OptionalString(JsonElement obj, string name, string where)
    {
        var v = Optional(obj, name);
        if (v == null) return null;
        return v.Value.ValueKind == JsonValueKind.String ? v.Value.GetString() : throw new ModelFormatException($"{where}: field '{name}' must be a string, not {v.Value.ValueKind}");
    }

    public static bool Bool(JsonElement obj, string name, bool fallback, string where)
    {
        var v = Optional(obj, name);
        if (v == null) return fallback;
        return v.Value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new ModelFormatException($"{where}: field '{name}' must be true or false, not {v.Value.ValueKind}"),
        };
    }

    public static int Int(JsonElement obj, string name, int fallback, string where)
    {
        var v = Optional(obj, name);
        if (v == null) return fallback;
        return v.Value.ValueKind == JsonValueKind.Number && v.Value.TryGetInt32(out int i) ? i
            : throw new ModelFormatException($"{where}: field '{name}' must be an integer");
    }

    public static int NonNegativeInt(JsonElement v, string where) =>
        v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i) && i >= 0 ? i
            : throw new ModelFormatException($"{where}: expected a non-negative integer id, got {v.GetRawText()}");
}
