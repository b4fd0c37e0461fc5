namespace HeadPursuit.Eval.Data;

/// <summary>A question with its answer's value and aliases (TriviaQA's Answer.Value / Aliases / NormalizedAliases).</summary>
internal sealed record QaItem(string Question, string Answer, string[] Aliases)
{
    /// <summary>Every accepted answer, the value first, without duplicates.</summary>
    public string[] Golds => [.. new[] { Answer }.Concat(Aliases).Distinct()];
}
