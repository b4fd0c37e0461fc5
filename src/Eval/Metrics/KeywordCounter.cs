namespace HeadPursuit.Eval.Metrics;

/// <summary>
/// Counts occurrences of keywords (single words or multi-word phrases such as "light blue") in text, case-insensitively
/// and on whole words only ("red" does not match "bored"). Scanning left to right, the longest keyword starting at a
/// word wins and the scan resumes after it, so matches never overlap ("light blue" counts once, not also as "blue").
/// </summary>
internal sealed class KeywordCounter
{
    readonly Dictionary<string, List<string[]>> _byFirstWord = new();   // first word -> phrases (as words), longest first

    public int Keywords { get; }

    public KeywordCounter(IEnumerable<string> keywords)
    {
        foreach (var k in keywords.Select(WordTokens.Of).Where(w => w.Length > 0).DistinctBy(w => string.Join(' ', w)))
        {
            if (!_byFirstWord.TryGetValue(k[0], out var list)) _byFirstWord[k[0]] = list = [];
            list.Add(k);
            Keywords++;
        }
        if (Keywords == 0) throw new ArgumentException("the keyword list holds no words");
        foreach (var list in _byFirstWord.Values) list.Sort((a, b) => b.Length.CompareTo(a.Length));
    }

    /// <summary>The number of non-overlapping keyword matches in <paramref name="text"/>.</summary>
    public int Count(string text) => Count(WordTokens.Of(text));

    public int Count(string[] words)
    {
        int hits = 0;
        for (int i = 0; i < words.Length;)
        {
            int matched = LongestMatchAt(words, i);
            if (matched > 0) { hits++; i += matched; }
            else i++;
        }
        return hits;
    }

    /// <summary>True when the whole text is one keyword (e.g. a gold answer "France").</summary>
    public bool IsKeyword(string text)
    {
        var words = WordTokens.Of(text);
        return words.Length > 0 && LongestMatchAt(words, 0) == words.Length;
    }

    int LongestMatchAt(string[] words, int i)
    {
        if (!_byFirstWord.TryGetValue(words[i], out var phrases)) return 0;
        foreach (var p in phrases)
            if (i + p.Length <= words.Length && words.AsSpan(i, p.Length).SequenceEqual(p)) return p.Length;
        return 0;
    }
}
