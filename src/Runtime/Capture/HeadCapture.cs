using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Models;

namespace HeadPursuit.Runtime.Capture;

/// <summary>
/// Streaming pooled capture: runs prompts through the model in packed batches and accumulates, during the
/// forward, the mean of every head's z over each prompt's pooled positions. Memory is O(n * L * H * d_head),
/// independent of prompt length; no logits are computed.
/// </summary>
public sealed class HeadCapture(Transformer model)
{
    /// <param name="prompts">Token ids per sample.</param>
    /// <param name="masks">Per sample, which positions are pooled (same lengths as the prompts).</param>
    /// <param name="progress">Called with (samples done, total) after each batch.</param>
    public HeadActivations Run(IReadOnlyList<int[]> prompts, IReadOnlyList<bool[]> masks, int batchSize = 8, Action<int, int>? progress = null) =>
        Run(prompts, masks, batchSize, progress, imagesOf: null);

    /// <summary>As the public Run, with images (VisionLanguageModel.CaptureImages).</summary>
    /// <param name="imagesOf">Per sample index, what its images add to its rows (a VLM's image features, and rotary
    /// positions or image blocks where the family has them), computed when its batch is run so that only one batch of
    /// them is held; null = text only.</param>
    internal HeadActivations Run(IReadOnlyList<int[]> prompts, IReadOnlyList<bool[]> masks, int batchSize, Action<int, int>? progress,
                                 Func<int, ImageRows?>? imagesOf)
    {
        if (prompts.Count == 0) throw new ArgumentException("no prompts to capture (the prompt set is empty)");
        if (masks.Count != prompts.Count) throw new ArgumentException($"{masks.Count} position masks for {prompts.Count} prompts");
        if (batchSize <= 0) throw new ArgumentException($"batch size must be positive, got {batchSize}");
        var c = model.Config;
        int n = prompts.Count, width = c.Layers * c.Heads * c.DHead;
        var acts = new HeadActivations(c.Layers, c.Heads, n, c.DHead);
        var sums = new float[batchSize * width];   // [batch, L * H * d_head]
        using var sumsOnDevice = model.Backend.Activations(batchSize, width);
        int maxT = prompts.Max(p => p.Length);
        using var cache = model.NewCache(batchSize, maxT);

        for (int start = 0; start < n; start += batchSize)
        {
            int count = Math.Min(batchSize, n - start);
            var batch = Enumerable.Range(start, count).ToArray();
            for (int i = 0; i < count; i++)
                if (masks[start + i].Length != prompts[start + i].Length)
                    throw new ArgumentException($"sample {start + i}: mask of {masks[start + i].Length} positions for {prompts[start + i].Length} tokens");
            var images = imagesOf == null ? null : batch.Select(imagesOf).ToArray();
            var layout = ImageRows.Prefill(Enumerable.Range(0, count).ToArray(), batch.Select(i => prompts[i].Length).ToArray(), images);
            model.Backend.Upload(new float[batchSize * width], sumsOnDevice);
            model.Forward(new ForwardRequest
            {
                Tokens = batch.SelectMany(i => prompts[i]).ToArray(), Layout = layout, Logits = LogitRows.None,
                Embeddings = images == null ? null : RowEmbeddings.Pack(images.Select(x => x?.Embeddings).ToArray(), layout, c.DModel),
                Pool = PoolingPlan.MeanOver(batch.Select(i => masks[i]).ToArray()), PoolSums = sumsOnDevice,
            }, cache);
            model.Backend.Download(sumsOnDevice, count, sums);
            for (int i = 0; i < count; i++)
                for (int l = 0; l < c.Layers; l++)
                    for (int h = 0; h < c.Heads; h++)
                        sums.AsSpan(i * width + (l * c.Heads + h) * c.DHead, c.DHead).CopyTo(acts.Row(l, h, start + i));
            progress?.Invoke(start + count, n);
        }
        return acts;
    }
}
