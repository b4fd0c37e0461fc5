using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Models;

namespace HeadPursuit.Eval.Metrics;

/// <summary>
/// The quality measure of the study: how surprised the unmodified model is by a generated continuation. Each prompt +
/// continuation is run in one packed forward (no head scales) and the NLL of every continuation token is read from the
/// logits of the position before it.
/// </summary>
internal sealed class PerplexityScorer(Transformer model, int batchSize = 32)
{
    /// <returns>Per generation, the NLL of its new tokens given the prompt and the tokens before them.</returns>
    public TokenLoss[] Score(IReadOnlyList<int[]> prompts, IReadOnlyList<int[]> continuations)
    {
        if (prompts.Count != continuations.Count) throw new ArgumentException($"{continuations.Count} continuations for {prompts.Count} prompts");
        if (batchSize <= 0) throw new ArgumentException($"batch size must be positive, got {batchSize}");
        int vocab = model.Config.Vocab;
        var result = new TokenLoss[prompts.Count];
        for (int start = 0; start < prompts.Count; start += batchSize)
        {
            var batch = Enumerable.Range(start, Math.Min(batchSize, prompts.Count - start)).Where(i => continuations[i].Length > 0).ToArray();
            if (batch.Length == 0) continue;
            var sequences = batch.Select(i => prompts[i].Concat(continuations[i]).ToArray()).ToArray();
            var layout = new BatchLayout(Enumerable.Range(0, batch.Length).ToArray(), new int[batch.Length], sequences.Select(s => s.Length).ToArray());
            using var cache = model.NewCache(batch.Length, sequences.Max(s => s.Length));
            // [rows, vocab]: the logits of every position of every sequence, packed like the layout.
            var logits = model.Forward(new ForwardRequest { Tokens = sequences.SelectMany(s => s).ToArray(), Layout = layout, Logits = LogitRows.All }, cache);
            for (int b = 0; b < batch.Length; b++)
            {
                int i = batch[b], p = prompts[i].Length;
                double nll = 0;
                for (int t = p; t < sequences[b].Length; t++)
                    nll += Perplexity.Nll(logits.AsSpan((layout.RowStart[b] + t - 1) * vocab, vocab), sequences[b][t]);
                result[i] = new TokenLoss(nll, continuations[i].Length);
            }
        }
        return result;
    }
}
