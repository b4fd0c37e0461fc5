using System.Diagnostics;
using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.Models;

namespace HeadPursuit.Runtime.Generation;

/// <summary>
/// Batched generation with a KV cache: all prompts are prefilled in one packed forward call, then each
/// step feeds the newest token of every unfinished sequence. Head scales follow their position policy (PolicyRows):
/// the decode steps' rows are generated tokens, the prefill's are prompt rows.
/// </summary>
public sealed class Generator(Transformer model)
{
    /// <param name="onToken">Called with (prompt index, token) as each new token is chosen (for streaming).</param>
    public GenerationResult Generate(IReadOnlyList<int[]> prompts, SamplingOptions options, HeadScales? scales = null,
                                     Action<int, int>? onToken = null, bool keepStepLogits = false) =>
        Generate(prompts, options, scales, onToken, keepStepLogits, promptImages: null);

    /// <summary>As the public Generate, with images (VisionLanguageModel.Generate).</summary>
    /// <param name="promptImages">Per prompt, what its images add to its rows (image features, and rotary positions or
    /// image blocks where the family has them), or null.</param>
    internal GenerationResult Generate(IReadOnlyList<int[]> prompts, SamplingOptions options, HeadScales? scales,
                                       Action<int, int>? onToken, bool keepStepLogits, IReadOnlyList<ImageRows?>? promptImages)
    {
        options.Validate();
        if (prompts.Count == 0) throw new ArgumentException("no prompts to generate from");
        for (int i = 0; i < prompts.Count; i++)
            if (prompts[i].Length == 0) throw new ArgumentException($"prompt {i} is empty (a model needs at least one token, e.g. BOS)");
        if (scales?.Policy == PositionPolicy.Span && (scales.SpanStart < 0 || scales.SpanEnd <= scales.SpanStart))
            throw new ArgumentException($"the span policy needs 0 <= start < end, got [{scales.SpanStart}, {scales.SpanEnd})");
        if (promptImages != null && promptImages.Count != prompts.Count)
            throw new ArgumentException($"{promptImages.Count} image sets for {prompts.Count} prompts");
        if (scales?.Policy == PositionPolicy.Image && promptImages == null)
            throw new ArgumentException("the image position policy needs a vision-language model (prompts with image embeddings)");
        int vocab = model.Config.Vocab;
        int maxT = prompts.Max(p => p.Length) + options.MaxNewTokens;
        using var cache = model.NewCache(prompts.Count, maxT);
        var samplers = prompts.Select((_, i) => new Sampler(options, i)).ToArray();
        var output = prompts.Select(_ => new List<int>()).ToArray();
        var stepLogits = keepStepLogits ? prompts.Select(_ => new List<float[]>()).ToArray() : null;
        var length = prompts.Select(p => p.Length).ToArray();   // tokens in each slot's cache after the next call
        var done = new bool[prompts.Count];

        // Prefill: every prompt, packed.
        var sw = Stopwatch.StartNew();
        int[] active = Enumerable.Range(0, prompts.Count).ToArray();
        var layout = ImageRows.Prefill(active, length.ToArray(), promptImages);
        var embeddings = promptImages == null ? null : RowEmbeddings.Pack(promptImages.Select(p => p?.Embeddings).ToArray(), layout, model.Config.DModel);
        var logits = new float[prompts.Count * vocab];   // [active sequences, vocab]: the last row's logits of every call, reused
        model.Forward(new ForwardRequest
        {
            Tokens = prompts.SelectMany(p => p).ToArray(), Layout = layout, Scales = scales, Embeddings = embeddings,
        }, cache, logits);
        double prefill = sw.Elapsed.TotalSeconds;
        sw.Restart();

        for (int step = 0; step < options.MaxNewTokens; step++)
        {
            var next = new int[active.Length];
            for (int a = 0; a < active.Length; a++)
            {
                int s = active[a];
                var row = logits.AsSpan(a * vocab, vocab);
                next[a] = samplers[s].Next(row);
                output[s].Add(next[a]);
                stepLogits?[s].Add(row.ToArray());
                onToken?.Invoke(s, next[a]);
                if (options.StopTokens.Contains(next[a])) done[s] = true;
            }
            if (step == options.MaxNewTokens - 1) break;
            var keep = Enumerable.Range(0, active.Length).Where(a => !done[active[a]]).ToArray();
            if (keep.Length == 0) break;
            var slots = keep.Select(a => active[a]).ToArray();
            layout = ImageRows.Decode(slots, slots.Select(s => length[s]).ToArray(), promptImages ?? new ImageRows?[prompts.Count]);
            foreach (int s in slots) length[s]++;
            model.Forward(new ForwardRequest
            {
                Tokens = keep.Select(a => next[a]).ToArray(), Layout = layout, Scales = scales,
                PromptLengths = slots.Select(s => prompts[s].Length).ToArray(),
            }, cache, logits);
            active = slots;
        }
        return new GenerationResult
        {
            NewTokens = output.Select(o => o.ToArray()).ToArray(),
            StepLogits = stepLogits?.Select(l => l.ToArray()).ToArray(),
            PromptTokens = prompts.Sum(p => p.Length),
            PrefillSeconds = prefill,
            DecodeSeconds = sw.Elapsed.TotalSeconds,
        };
    }
}
