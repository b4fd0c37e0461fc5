using HeadPursuit.Runtime.Input;

namespace HeadPursuit.Somp;

/// <summary>
/// Where a concept's words come from: a built-in list (data/concepts/NAME.txt, embedded in this assembly) or a
/// user's word-list file (one word per line, '#' comments).
/// </summary>
public static class ConceptLists
{
    /// <summary>The names of the built-in concepts (data/concepts/NAME.txt).</summary>
    public static IReadOnlyList<string> BuiltinNames { get; } =
        typeof(ConceptLists).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("concepts/") && n.EndsWith(".txt"))
            .Select(n => n["concepts/".Length..^".txt".Length]).Order().ToArray();

    /// <summary>A built-in name (e.g. "colours") or a path to a word list.</summary>
    public static ConceptDictionary Load(string nameOrPath, Func<string, int[]> tokenize, bool spaceVariant = true, EncodingErrors encodingErrors = EncodingErrors.Strict)
    {
        if (File.Exists(nameOrPath)) return ConceptDictionary.Load(nameOrPath, tokenize, spaceVariant, encodingErrors);
        using var stream = typeof(ConceptLists).Assembly.GetManifestResourceStream($"concepts/{nameOrPath}.txt");
        if (stream == null)
            throw new FileNotFoundException($"concept '{nameOrPath}' is neither a word-list file nor a built-in list ({string.Join(", ", BuiltinNames)})");
        using var reader = new StreamReader(stream);
        var words = reader.ReadToEnd().Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'));
        return ConceptDictionary.Build(nameOrPath, words, tokenize, spaceVariant);
    }
}
