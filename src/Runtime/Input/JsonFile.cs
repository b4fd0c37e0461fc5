using System.Globalization;
using System.Text.Json;

namespace HeadPursuit.Runtime.Input;

/// <summary>A JSON file read as strict UTF-8 and parsed, or an error naming the file (and line) when it is neither.</summary>
internal static class JsonFile
{
    public static JsonDocument Parse(string path, JsonDocumentOptions options = default) => ParseText(TextFile.Read(path), path, options);

    /// <summary>A JSON text from <paramref name="source"/> (a file, a line of a file, a header).</summary>
    public static JsonDocument ParseText(string json, string source, JsonDocumentOptions options = default)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json, options); }
        catch (JsonException e) { throw new ModelFormatException($"{source}: not valid JSON ({e.Message})"); }
        if (UnpairedSurrogateEscape(json) is int at)
        {
            doc.Dispose();
            int line = json.AsSpan(0, at).Count('\n') + 1;
            throw new ModelFormatException($"{source}:{line}: {json.Substring(at, 6)} is half of a surrogate pair without its other half (not a Unicode character)");
        }
        return doc;
    }

    /// <summary>A JSON file that must hold one object.</summary>
    public static JsonDocument ParseObject(string path, JsonDocumentOptions options = default)
    {
        var doc = Parse(path, options);
        if (doc.RootElement.ValueKind == JsonValueKind.Object) return doc;
        doc.Dispose();
        throw new ModelFormatException($"{path}: not a JSON object");
    }

    /// <summary>
    /// Where a \uD800-\uDFFF escape stands without its pair, or null. System.Text.Json parses such a string but throws
    /// when it is read, so it is refused here, once, for every reader.
    /// </summary>
    static int? UnpairedSurrogateEscape(string json)
    {
        for (int i = json.IndexOf('\\'); i >= 0; i = json.IndexOf('\\', i))
        {
            if (Escaped(json, i) is not char c) { i += 2; continue; }
            if (char.IsLowSurrogate(c) || char.IsHighSurrogate(c) && !(Escaped(json, i + 6) is char next && char.IsLowSurrogate(next))) return i;
            i += char.IsHighSurrogate(c) ? 12 : 6;
        }
        return null;
    }

    /// <summary>The character of a \uXXXX escape at <paramref name="at"/>, or null when there is none.</summary>
    static char? Escaped(string json, int at) =>
        at + 6 <= json.Length && json[at] == '\\' && json[at + 1] == 'u'
        && ushort.TryParse(json.AsSpan(at + 2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ushort v) ? (char)v : null;
}
