namespace HeadPursuit.Eval.Metrics;

/// <summary>
/// Lexical toxicity: matches of a held-out list of toxic words per generation (whole words, case-insensitive, see
/// <see cref="KeywordCounter"/>), and overall the mean count per generation.
/// </summary>
internal sealed class ToxicityCount(IEnumerable<string> toxicWords)
{
    readonly KeywordCounter _counter = new(toxicWords);

    public int Of(string text) => _counter.Count(text);

    /// <summary>Mean matches per generation (0 for no generations).</summary>
    public double MeanPerGeneration(IReadOnlyCollection<string> texts) => texts.Count == 0 ? 0 : texts.Average(t => (double)Of(t));
}
