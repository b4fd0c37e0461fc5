namespace HeadPursuit.Eval.Metrics;

/// <summary>SQuAD-style question answering scores of one prediction against its gold answers (max over aliases).</summary>
internal static class QaScores
{
    /// <summary>1 if the normalised prediction equals any normalised gold answer, else 0.</summary>
    public static double ExactMatch(string prediction, IEnumerable<string> golds)
    {
        string p = AnswerNormalizer.Normalize(prediction);
        return golds.Any(g => AnswerNormalizer.Normalize(g) == p) ? 1 : 0;
    }

    /// <summary>The best token F1 over the gold answers.</summary>
    public static double F1(string prediction, IEnumerable<string> golds)
    {
        var p = AnswerNormalizer.Tokens(prediction);
        return golds.Select(g => F1(p, AnswerNormalizer.Tokens(g))).DefaultIfEmpty(0).Max();
    }

    /// <summary>Token F1 of normalised token lists: overlap counted with multiplicity; two empty lists score 1, one empty 0.</summary>
    public static double F1(string[] prediction, string[] gold)
    {
        if (prediction.Length == 0 || gold.Length == 0) return prediction.Length == gold.Length ? 1 : 0;
        var goldCounts = gold.GroupBy(t => t).ToDictionary(g => g.Key, g => g.Count());
        int same = 0;
        foreach (var t in prediction)
            if (goldCounts.TryGetValue(t, out int c) && c > 0) { same++; goldCounts[t] = c - 1; }
        if (same == 0) return 0;
        double precision = (double)same / prediction.Length, recall = (double)same / gold.Length;
        return 2 * precision * recall / (precision + recall);
    }

    /// <summary>The answer part of a free generation: its first line, trimmed ("Paris.\nQ: ..." -> "Paris.").</summary>
    public static string AnswerOf(string generation)
    {
        string t = generation.TrimStart();
        int nl = t.IndexOf('\n');
        return (nl >= 0 ? t[..nl] : t).Trim();
    }
}
