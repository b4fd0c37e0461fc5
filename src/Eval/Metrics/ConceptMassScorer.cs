using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.Models;

namespace HeadPursuit.Eval.Metrics;

/// <summary>
/// Measures <see cref="ConceptMassOfGeneration"/> for a set of generations: each prompt + continuation is run in one
/// packed forward with the cell's head scales (the rows a position policy scales are the rows generation scaled), and
/// the concept's share of the softmax is read at every position from the last prompt token on.
/// </summary>
internal sealed class ConceptMassScorer(Transformer model, IReadOnlyList<int> conceptIds, int batchSize = 16)
{
    /// <param name="scales">The cell's head scales, or null for the unmodified model. Policies: all, prompt, generated.</param>
    public ConceptMassOfGeneration[] Score(IReadOnlyList<int[]> prompts, IReadOnlyList<int[]> continuations, HeadScales? scales)
    {
        if (prompts.Count != continuations.Count) throw new ArgumentException($"{continuations.Count} continuations for {prompts.Count} prompts");
        if (batchSize <= 0) throw new ArgumentException($"batch size must be positive, got {batchSize}");
        if (scales != null && scales.Policy is not (PositionPolicy.All or PositionPolicy.Prompt or PositionPolicy.Generated))
            throw new ArgumentException($"concept mass supports the position policies all, prompt and generated, not {scales.Policy}");
        int vocab = model.Config.Vocab;
        var result = new ConceptMassOfGeneration[prompts.Count];
        for (int start = 0; start < prompts.Count; start += batchSize)
        {
            int n = Math.Min(batchSize, prompts.Count - start);
            var sequences = Enumerable.Range(start, n).Select(i => prompts[i].Concat(continuations[i]).ToArray()).ToArray();
            var layout = new BatchLayout(Enumerable.Range(0, n).ToArray(), new int[n], sequences.Select(s => s.Length).ToArray());
            using var cache = model.NewCache(n, sequences.Max(s => s.Length));
            // [rows, vocab]: logits of every position, packed like the layout.
            var logits = model.Forward(new ForwardRequest
            {
                Tokens = [.. sequences.SelectMany(s => s)], Layout = layout, Logits = LogitRows.All, Scales = scales,
                PromptLengths = [.. Enumerable.Range(start, n).Select(i => prompts[i].Length)],   // the continuations' rows are generated
            }, cache);
            for (int b = 0; b < n; b++)
            {
                int p = prompts[start + b].Length;
                double Mass(int t) => ConceptMass.Of(logits.AsSpan((layout.RowStart[b] + t) * vocab, vocab), conceptIds);
                double next = Mass(p - 1), sum = 0;
                for (int t = p - 1; t < sequences[b].Length; t++) sum += Mass(t);
                result[start + b] = new ConceptMassOfGeneration(next, sum / (sequences[b].Length - p + 1));
            }
        }
        return result;
    }
}
