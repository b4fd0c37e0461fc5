using System.Text.Json;
using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Input;

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
    /// Reads a JSON file that must hold one object (a config.json, a preprocessor_config.json) with <paramref name="read"/>;
    /// anything else (invalid UTF-8 or JSON, another JSON value) is refused naming the file.
    /// </summary>
    public static T Load<T>(string path, Func<ConfigReader, T> read) => Parse(TextFile.Read(path), path, read);

    /// <summary>As <see cref="Load{T}"/>, from a JSON text; <paramref name="source"/> names it in errors.</summary>
    public static T Parse<T>(string json, string source, Func<ConfigReader, T> read)
    {
        using var doc = JsonFile.ParseText(json, source);
        if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new ModelFormatException($"{source}: the config is not a JSON object");
        return read(new ConfigReader(doc.RootElement, source));
    }

    /// <summary>The field's name as a message shows it: "rope_scaling.factor" inside a nested object.</summary>
    public string Name(string field) => path + field;

    /// <summary>Where a field is, as <see cref="JsonValues"/> names it in errors: the file and the field.</summary>
    string Where(string name) => $"{source}: field \"{Name(name)}\"";

    bool TryGet(string name, out JsonElement e) => root.TryGetProperty(name, out e) && e.ValueKind != JsonValueKind.Null;

    public bool Has(string name) => TryGet(name, out _);
    /// <summary>The field is present and set to null (as opposed to absent, where a default applies).</summary>
    public bool IsNull(string name) => root.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.Null;
    /// <summary>The field is a JSON object (HF's processors accept a number or an object for some sizes).</summary>
    public bool IsObject(string name) => TryGet(name, out var e) && e.ValueKind == JsonValueKind.Object;
    public string Raw(string name) => TryGet(name, out var e) ? e.GetRawText() : "null";
    public IEnumerable<string> Keys => root.EnumerateObject().Select(p => p.Name);

    public string? String(string name) => TryGet(name, out var e) ? JsonValues.String(e, Where(name)) : null;

    /// <summary>An integer field within [<paramref name="min"/>, <paramref name="max"/>], or null when absent.</summary>
    public int? Int(string name, int min = int.MinValue, int max = int.MaxValue) =>
        TryGet(name, out var e) ? JsonValues.Int(e, Where(name), min, max) : null;

    public int RequiredInt(string name, int min = int.MinValue, int max = int.MaxValue) =>
        Int(name, min, max) ?? throw new ModelFormatException($"{source}: missing required field \"{Name(name)}\"");

    /// <summary>A finite number, or null when absent.</summary>
    public double? Double(string name) => TryGet(name, out var e) ? JsonValues.Double(e, Where(name)) : null;

    /// <summary>A normalisation epsilon (added to a variance before its square root): a finite number >= 0.</summary>
    public float NormEpsilon(string name, double fallback)
    {
        double eps = Double(name) ?? fallback;
        return eps >= 0 ? (float)eps : throw new ModelFormatException($"{Where(name)} = {Raw(name)} should be a number >= 0 (a normalisation epsilon)");
    }

    public bool? Bool(string name) => TryGet(name, out var e) ? JsonValues.Bool(e, Where(name)) : null;

    public int[] IntOrList(string name)
    {
        if (!TryGet(name, out var e)) return [];
        return e.ValueKind == JsonValueKind.Array ? JsonValues.List(e, Where(name), (x, w) => JsonValues.Int(x, w)) : [JsonValues.Int(e, Where(name))];
    }

    public double[] DoubleOrList(string name)
    {
        if (!TryGet(name, out var e)) return [];
        return e.ValueKind == JsonValueKind.Array ? JsonValues.List(e, Where(name), JsonValues.Double) : [JsonValues.Double(e, Where(name))];
    }

    public string[]? Strings(string name) => TryGet(name, out var e) ? JsonValues.List(e, Where(name), JsonValues.String) : null;

    /// <summary>A nested object field, or null when absent.</summary>
    public ConfigReader? Object(string name)
    {
        if (!TryGet(name, out var e)) return null;
        return new ConfigReader(JsonValues.Object(e, Where(name)), source, path + name + ".");
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
}
