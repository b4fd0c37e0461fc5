namespace HeadPursuit.Eval.Metrics;

/// <summary>
/// CIDEr-D (Vedantam et al., 2015, as in the coco-caption scorer): each caption becomes, for n = 1..4, a vector of
/// n-gram counts weighted by IDF = ln(images) - ln(max(1, df)), where df counts the images whose references contain the
/// n-gram. Per n, the candidate/reference similarity is sum_g min(c_g, r_g) * r_g / (|c| |r|) (clipping: the candidate
/// earns no more than the reference holds), times the length penalty exp(-(len_c - len_r)^2 / (2 sigma^2)), sigma = 6.
/// An image's score is the mean over n, averaged over its references, times 10; the corpus score is the mean over images.
/// Text is tokenized by <see cref="WordTokens"/> (lowercase words, punctuation dropped).
/// </summary>
internal sealed class CiderD
{
    public const int MaxN = 4;
    public const double Sigma = 6;

    readonly Dictionary<string, int> _documentFrequency = new();
    readonly double _logImages;

    /// <param name="references">Per image, its reference captions: the corpus the document frequencies come from.</param>
    public CiderD(IReadOnlyList<IReadOnlyList<string>> references)
    {
        if (references.Count == 0) throw new ArgumentException("CIDEr-D needs at least one image with references");
        foreach (var refs in references)
            foreach (var g in refs.SelectMany(r => NGrams(WordTokens.Of(r)).Keys).Distinct())
                _documentFrequency[g] = _documentFrequency.GetValueOrDefault(g) + 1;
        _logImages = Math.Log(references.Count);
    }

    /// <summary>The score of one candidate against its image's references.</summary>
    public double Score(string candidate, IReadOnlyList<string> references)
    {
        if (references.Count == 0) throw new ArgumentException("an image needs at least one reference caption");
        var c = Vector(candidate);
        double sum = 0;
        foreach (var r in references.Select(Vector))
        {
            double penalty = Math.Exp(-Math.Pow(c.Length - r.Length, 2) / (2 * Sigma * Sigma));
            for (int n = 0; n < MaxN; n++)
            {
                double dot = 0;
                foreach (var (g, cw) in c.Weights[n])
                    if (r.Weights[n].TryGetValue(g, out double rw)) dot += Math.Min(cw, rw) * rw;
                if (c.Norms[n] != 0 && r.Norms[n] != 0) sum += dot / (c.Norms[n] * r.Norms[n]) * penalty;
            }
        }
        return sum / MaxN / references.Count * 10;
    }

    /// <summary>The mean score over images (candidates[i] is scored against references[i]).</summary>
    public double Corpus(IReadOnlyList<string> candidates, IReadOnlyList<IReadOnlyList<string>> references)
    {
        if (candidates.Count != references.Count) throw new ArgumentException($"{candidates.Count} candidates for {references.Count} images");
        return candidates.Select((c, i) => Score(c, references[i])).Average();
    }

    sealed record TfIdf(Dictionary<string, double>[] Weights, double[] Norms, int Length);   // Weights[n] for (n+1)-grams

    TfIdf Vector(string text)
    {
        var words = WordTokens.Of(text);
        var weights = Enumerable.Range(0, MaxN).Select(_ => new Dictionary<string, double>()).ToArray();
        foreach (var (g, count) in NGrams(words))
        {
            int n = g.Count(ch => ch == ' ');
            double idf = _logImages - Math.Log(Math.Max(1, _documentFrequency.GetValueOrDefault(g)));
            weights[n][g] = count * idf;
        }
        var norms = weights.Select(w => Math.Sqrt(w.Values.Sum(x => x * x))).ToArray();
        return new TfIdf(weights, norms, words.Length);
    }

    /// <summary>Every 1..4-gram of the words (joined by single spaces) with its count.</summary>
    static Dictionary<string, int> NGrams(string[] words)
    {
        var counts = new Dictionary<string, int>();
        for (int n = 1; n <= MaxN; n++)
            for (int i = 0; i + n <= words.Length; i++)
            {
                string g = string.Join(' ', words, i, n);
                counts[g] = counts.GetValueOrDefault(g) + 1;
            }
        return counts;
    }
}
