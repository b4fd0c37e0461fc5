using HeadPursuit.Runtime.Input;
using System.Text.Json;

namespace HeadPursuit.Eval.Data;

/// <summary>
/// Word lists from a model folder's lexicon.json (TinyWorld's concept words: {"colours": ["red", ...], ...}). An
/// experiment names one as "lexicon:colours"; the words are read at run time, never copied into this repository.
/// </summary>
internal static class LexiconFile
{
    public const string Prefix = "lexicon:";
    public const string FileName = "lexicon.json";

    public static bool IsReference(string concept) => concept.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>The list <paramref name="name"/> of <paramref name="path"/>: an array of strings.</summary>
    public static string[] Read(string path, string name)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: lexicon not found", path);
        using var doc = Json.Parse(TextFile.Read(path), path);
        if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty(name, out _))
            throw new ArgumentException($"{path}: no list \"{name}\"");
        var words = Json.Strings(doc.RootElement, name, path);
        if (words.Length == 0) throw new ArgumentException($"{path}: \"{name}\" must be a non-empty array of strings");
        return words;
    }
}
