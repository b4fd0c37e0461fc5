namespace HeadPursuit.Eval.Metrics;

/// <summary>Mean exact match and F1 over a question set, overall and split by whether the gold answer is a concept word.</summary>
internal sealed record QaSummary(double ExactMatch, double F1, int Questions,
                               double ConceptExactMatch, double ConceptF1, int ConceptQuestions,
                               double OtherExactMatch, double OtherF1, int OtherQuestions)
{
    /// <param name="golds">Per question, its gold answers (value and aliases); the first is the answer's value.</param>
    /// <param name="predictions">Per question, the predicted answer text.</param>
    /// <param name="concept">Decides whether a question's answer value belongs to the concept (e.g. is a country).</param>
    public static QaSummary Score(IReadOnlyList<string[]> golds, IReadOnlyList<string> predictions, KeywordCounter concept)
    {
        if (golds.Count != predictions.Count) throw new ArgumentException($"{predictions.Count} predictions for {golds.Count} questions");
        var em = predictions.Select((p, i) => QaScores.ExactMatch(p, golds[i])).ToArray();
        var f1 = predictions.Select((p, i) => QaScores.F1(p, golds[i])).ToArray();
        var inConcept = golds.Select(g => g.Length > 0 && concept.IsKeyword(g[0])).ToArray();
        double Mean(double[] x, Func<int, bool> keep)
        {
            var picked = Enumerable.Range(0, x.Length).Where(keep).Select(i => x[i]).ToArray();
            return picked.Length == 0 ? 0 : picked.Average();
        }
        int nc = inConcept.Count(b => b);
        return new QaSummary(Mean(em, _ => true), Mean(f1, _ => true), golds.Count,
                             Mean(em, i => inConcept[i]), Mean(f1, i => inConcept[i]), nc,
                             Mean(em, i => !inConcept[i]), Mean(f1, i => !inConcept[i]), golds.Count - nc);
    }
}
