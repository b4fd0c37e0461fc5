namespace HeadPursuit.Eval.Sensitivity;

/// <summary>What a word-list variant is: the full list, a random subset of it, or the full list plus distractor words.</summary>
internal enum VariantKind { Full, Subset, Distractors }

/// <summary>
/// One variant of a concept's word list for <see cref="DictionarySensitivity"/>. Fraction: for a subset, the share of
/// the list's words kept; with distractors, the number of distractor words added as a share of the list's size.
/// </summary>
internal sealed record WordListVariant(VariantKind Kind, double Fraction, int Seed, string[] Words)
{
    public static WordListVariant Full(IReadOnlyList<string> words) => new(VariantKind.Full, 1, 0, [.. words]);

    /// <summary>Every fraction (0 &lt; f &lt; 1) with every seed: round(f n) words (at least one) drawn without replacement, kept in list order.</summary>
    public static IEnumerable<WordListVariant> Subsets(IReadOnlyList<string> words, IEnumerable<double> fractions, IEnumerable<int> seeds)
    {
        foreach (double f in fractions)
        {
            if (f is <= 0 or >= 1) throw new ArgumentException($"a subset keeps a fraction strictly between 0 and 1 of the words (got {f})");
            foreach (int seed in seeds)
                yield return new(VariantKind.Subset, f, seed, Draw(words, Count(f, words.Count), seed));
        }
    }

    /// <summary>
    /// Every fraction (f &gt; 0) with every seed: the full list plus round(f n) words (at least one, at most all) drawn
    /// without replacement from the distractors that are not in the list.
    /// </summary>
    public static IEnumerable<WordListVariant> WithDistractors(IReadOnlyList<string> words, IReadOnlyList<string> distractors, IEnumerable<double> fractions, IEnumerable<int> seeds)
    {
        var pool = distractors.Distinct().Where(d => !words.Contains(d)).ToArray();
        if (pool.Length == 0) throw new ArgumentException("the distractor list holds no word outside the concept's list");
        foreach (double f in fractions)
        {
            if (f <= 0) throw new ArgumentException($"a distractor fraction must be positive (got {f})");
            foreach (int seed in seeds)
                yield return new(VariantKind.Distractors, f, seed, [.. words, .. Draw(pool, Math.Min(pool.Length, Count(f, words.Count)), seed)]);
        }
    }

    static int Count(double fraction, int n) => Math.Max(1, (int)Math.Round(fraction * n, MidpointRounding.AwayFromZero));

    /// <summary>A seeded uniform draw of <paramref name="count"/> items (partial Fisher-Yates), returned in their original order.</summary>
    static string[] Draw(IReadOnlyList<string> items, int count, int seed)
    {
        var random = new Random(seed);
        var index = Enumerable.Range(0, items.Count).ToArray();
        for (int i = 0; i < count; i++)
        {
            int pick = random.Next(i, index.Length);
            (index[i], index[pick]) = (index[pick], index[i]);
        }
        return [.. index[..count].Order().Select(i => items[i])];
    }
}
