using System.Text.Json;
using HeadPursuit.Runtime.Input;

namespace HeadPursuit.Eval.Experiments;

/// <summary>Reading the fields of an experiment file: each error names the file and the field ("dataset.limit").</summary>
static class JsonFields
{
    public static ArgumentException Error(string source, string message) => new($"{source}: {message}");

    public static void Unknown(JsonElement e, string[] known, string source, string prefix)
    {
        foreach (var p in e.EnumerateObject())
            if (!known.Contains(p.Name))
                throw Error(source, $"unknown field \"{prefix}{p.Name}\" (known: {string.Join(", ", known.Select(k => prefix + k))})");
    }

    public static JsonElement Object(JsonElement e, string name, string source) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Object ? v : throw Error(source, $"missing object \"{name}\"");

    public static string RequiredString(JsonElement e, string name, string source, string prefix) =>
        OptionalString(e, name, source, prefix) ?? throw Error(source, $"missing field \"{prefix}{name}\"");

    public static string? OptionalString(JsonElement e, string name, string source, string prefix)
    {
        if (!e.TryGetProperty(name, out var v)) return null;
        if (v.ValueKind != JsonValueKind.String || v.GetString()!.Trim().Length == 0) throw Error(source, $"\"{prefix}{name}\" must be a non-empty string");
        return v.GetString();
    }

    public static int Int(JsonElement e, string name, int fallback, string source, string prefix)
    {
        if (!e.TryGetProperty(name, out var v)) return fallback;
        return v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int x) ? x : throw Error(source, $"\"{prefix}{name}\" must be an integer");
    }

    public static double Number(JsonElement e, string name, double fallback, string source, string prefix)
    {
        if (!e.TryGetProperty(name, out var v)) return fallback;
        return JsonValues.Double(v, $"{source}: \"{prefix}{name}\"");
    }

    public static int[]? IntArray(JsonElement e, string name, string source, bool required)
    {
        if (!e.TryGetProperty(name, out var v))
            return required ? throw Error(source, $"missing field \"{name}\" (the numbers of heads to scale)") : null;
        if (v.ValueKind != JsonValueKind.Array || v.GetArrayLength() == 0 || v.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.Number || !x.TryGetInt32(out _)))
            throw Error(source, $"\"{name}\" must be a non-empty array of integers");
        return [.. v.EnumerateArray().Select(x => x.GetInt32()).Distinct()];
    }

    public static float[] FloatArray(JsonElement e, string name, string source)
    {
        if (!e.TryGetProperty(name, out var v) || v.ValueKind != JsonValueKind.Array || v.GetArrayLength() == 0
            || v.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.Number || !x.TryGetSingle(out float f) || !float.IsFinite(f)))
            throw Error(source, $"\"{name}\" must be a non-empty array of finite numbers");
        return [.. v.EnumerateArray().Select(x => x.GetSingle()).Distinct()];
    }

    public static string[] StringArray(JsonElement e, string name, string source, string prefix = "")
    {
        if (!e.TryGetProperty(name, out var v) || v.ValueKind != JsonValueKind.Array || v.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.String))
            throw Error(source, $"\"{prefix}{name}\" must be an array of strings");
        return [.. v.EnumerateArray().Select(x => x.GetString()!)];
    }

    /// <summary>An optional half (0 or 1) of a paired split (Data.PairedHalves); null when absent.</summary>
    public static int? Half(JsonElement e, string name, string source, string prefix)
    {
        if (!e.TryGetProperty(name, out _)) return null;
        int h = Int(e, name, 0, source, prefix);
        return h is 0 or 1 ? h : throw Error(source, $"\"{prefix}{name}\" must be 0 or 1, got {h}");
    }
}
