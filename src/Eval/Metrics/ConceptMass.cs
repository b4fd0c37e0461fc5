namespace HeadPursuit.Eval.Metrics;

/// <summary>The probability the model puts on a concept's tokens: sum over the concept ids of softmax(logits).</summary>
internal static class ConceptMass
{
    /// <summary>softmax(logits)[ids] summed, in float64 with the max subtracted; ids must be distinct.</summary>
    public static double Of(ReadOnlySpan<float> logits, IReadOnlyList<int> ids)
    {
        double max = double.NegativeInfinity;
        foreach (float x in logits) max = Math.Max(max, x);
        double all = 0;
        foreach (float x in logits) all += Math.Exp(x - max);
        double concept = 0;
        foreach (int id in ids) concept += Math.Exp(logits[id] - max);
        return concept / all;
    }
}

/// <summary>
/// A generation's concept mass: at the next position after the prompt (before anything is generated), and averaged over
/// the positions of the prompt + continuation that predict a new token (the next position included, the final token's
/// position too), under the same head scales the continuation was generated with.
/// </summary>
internal readonly record struct ConceptMassOfGeneration(double Next, double Generated);
