namespace HeadPursuit.Eval.Metrics;

/// <summary>Keyword hits and word count of one generation.</summary>
internal readonly record struct KeywordHits(int Hits, int Words)
{
    /// <summary>Hits per word (0 for an empty text).</summary>
    public double Frequency => Words == 0 ? 0 : (double)Hits / Words;
}

/// <summary>
/// Concept keyword frequency: per generation, the matches of the concept's words (see <see cref="KeywordCounter"/>) and
/// the number of words; overall, all hits divided by all words (so long generations weigh by their length).
/// </summary>
internal static class KeywordFrequency
{
    public static KeywordHits Of(KeywordCounter counter, string text)
    {
        var words = WordTokens.Of(text);
        return new KeywordHits(counter.Count(words), words.Length);
    }

    public static KeywordHits[] PerGeneration(KeywordCounter counter, IEnumerable<string> texts) =>
        [.. texts.Select(t => Of(counter, t))];

    /// <summary>Total hits / total words over all generations (0 when there are no words).</summary>
    public static double Overall(IReadOnlyCollection<KeywordHits> hits)
    {
        long words = hits.Sum(h => (long)h.Words);
        return words == 0 ? 0 : (double)hits.Sum(h => (long)h.Hits) / words;
    }
}
