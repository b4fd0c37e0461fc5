using System.Text.Json;
using HeadPursuit.Runtime.Backends;

namespace HeadPursuit.Runtime.Models;

/// <summary>
/// Typed access to the fields of a config.json object (or of a nested object such as rope_scaling) with errors that
/// name the file, the field, its value and what was expected. A field set to null counts as absent, as in Hugging
/// Face's config classes, so the family's default applies.
/// </summary>
internal sealed class ConfigReader(JsonElement root, string source, string path = "")
{
    public string Source => source;

    /// <summary>
    /// Reads a JSON text that must hold one object (a config.json, a preprocessor_config.json) with <paramref name="read"/>;
    /// anything else is refused naming <paramref name="source"/>.
    /// </summary>
    public static T Parse<T>(string json, string source, Func<ConfigReader, T> read)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json); }
        catch (JsonException e) { throw new ModelFormatException($"{source}: not valid JSON ({e.Message})"); }
        using var _ = doc;
        if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new ModelFormatException($"{source}: the config is not a JSON object");
        return read(new ConfigReader(doc.RootElement, source));
    }

    /// <summary>The field's name as a message shows it: "rope_scaling.factor" inside a nested object.</summary>
    public string Name(string field) => path + field;

    bool TryGet(string name, out JsonElement e) => root.TryGetProperty(name, out e) && e.ValueKind != JsonValueKind.Null;

    public bool Has(string name) => TryGet(name, out _);
    /// <summary>The field is present and set to null (as opposed to absent, where a default applies).</summary>
    public bool IsNull(string name) => root.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.Null;
    public string Raw(string name) => TryGet(name, out var e) ? e.GetRawText() : "null";
    public IEnumerable<string> Keys => root.EnumerateObject().Select(p => p.Name);

    public string? String(string name) =>
        TryGet(name, out var e) ? e.ValueKind == JsonValueKind.String ? e.GetString() : throw Bad(name, "a string") : null;

    public int? Int(string name)
    {
        if (!TryGet(name, out var e)) return null;
        return e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out int v) ? v : throw Bad(name, "an integer");
    }

    public int RequiredInt(string name) => Int(name) ?? throw new ModelFormatException($"{source}: missing required field \"{Name(name)}\"");

    public double? Double(string name)
    {
        if (!TryGet(name, out var e)) return null;
        return e.ValueKind == JsonValueKind.Number ? e.GetDouble() : throw Bad(name, "a number");
    }

    public bool? Bool(string name)
    {
        if (!TryGet(name, out var e)) return null;
        return e.ValueKind switch { JsonValueKind.True => true, JsonValueKind.False => false, _ => throw Bad(name, "true or false") };
    }

    public int[] IntOrList(string name)
    {
        if (!TryGet(name, out var e)) return [];
        if (e.ValueKind == JsonValueKind.Array) return e.EnumerateArray().Select(x => x.TryGetInt32(out int v) ? v : throw Bad(name, "a list of integers")).ToArray();
        return [Int(name)!.Value];
    }

    public double[] DoubleOrList(string name)
    {
        if (!TryGet(name, out var e)) return [];
        if (e.ValueKind == JsonValueKind.Array)
            return e.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.Number ? x.GetDouble() : throw Bad(name, "a list of numbers")).ToArray();
        return [Double(name)!.Value];
    }

    public string[]? Strings(string name)
    {
        if (!TryGet(name, out var e)) return null;
        if (e.ValueKind != JsonValueKind.Array) throw Bad(name, "a list of strings");
        return e.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? x.GetString()! : throw Bad(name, "a list of strings")).ToArray();
    }

    /// <summary>A nested object field, or null when absent.</summary>
    public ConfigReader? Object(string name)
    {
        if (!TryGet(name, out var e)) return null;
        return e.ValueKind == JsonValueKind.Object ? new ConfigReader(e, source, path + name + ".") : throw Bad(name, "an object");
    }

    /// <summary>
    /// An activation by its Hugging Face name (ACT2FN), limited to the ones the family's block is written for;
    /// anything else is refused with the list.
    /// </summary>
    public Activation Activation(string name, string fallback, params string[] supported)
    {
        string act = String(name) ?? fallback;
        if (!supported.Contains(act))
            throw new ModelFormatException($"{source}: {Name(name)} \"{act}\" is not supported (supported: {string.Join(", ", supported)})");
        return act switch
        {
            "gelu" => Backends.Activation.GeluErf,
            "gelu_new" or "gelu_pytorch_tanh" => Backends.Activation.GeluTanh,
            "silu" or "swish" => Backends.Activation.Silu,
            _ => throw new ModelFormatException($"{source}: {Name(name)} \"{act}\" has no implementation"),
        };
    }

    /// <summary>An error for a field whose value is not what the family supports.</summary>
    public ModelFormatException Unsupported(string name, string supported) =>
        new($"{source}: {Name(name)} = {Raw(name)} is not supported (supported: {supported})");

    ModelFormatException Bad(string name, string what) => new($"{source}: field \"{Name(name)}\" = {Raw(name)} should be {what}");
}
