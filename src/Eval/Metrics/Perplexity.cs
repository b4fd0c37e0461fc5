namespace HeadPursuit.Eval.Metrics;

/// <summary>Negative log-likelihood (natural log) of one generation's tokens and how many tokens it covers.</summary>
internal readonly record struct TokenLoss(double Nll, int Tokens)
{
    /// <summary>exp(mean NLL); 1 for an empty generation (nothing to be surprised by).</summary>
    public double Perplexity => Tokens == 0 ? 1 : Math.Exp(Nll / Tokens);
}

/// <summary>Perplexity over a set of generations: exp(total NLL / total tokens), so every token weighs the same.</summary>
internal static class Perplexity
{
    public static double Overall(IReadOnlyCollection<TokenLoss> losses)
    {
        long tokens = losses.Sum(l => (long)l.Tokens);
        return tokens == 0 ? 1 : Math.Exp(losses.Sum(l => l.Nll) / tokens);
    }

    /// <summary>-log softmax(logits)[token], computed in float64 with the max subtracted.</summary>
    public static double Nll(ReadOnlySpan<float> logits, int token)
    {
        double max = double.NegativeInfinity;
        foreach (float x in logits) max = Math.Max(max, x);
        double sum = 0;
        foreach (float x in logits) sum += Math.Exp(x - max);
        return Math.Log(sum) + max - logits[token];
    }
}
