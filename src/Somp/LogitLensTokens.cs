using HeadPursuit.Runtime.Capture;

namespace HeadPursuit.Somp;

/// <summary>
/// The aggregated logit lens of one head (the baseline of the paper's Tables 1 and 6): the tokens whose unembedding
/// rows score highest against the head's mean output, logits = W_U (W_O^(h) mean_i z_i), over the whole vocabulary.
/// Raw rows and un-centred outputs, like the logit-lens ranking baseline (DESIGN.md section 3); no final norm.
/// Ties (e.g. tokens sharing one untrained row) keep the lower id first.
/// </summary>
internal static class LogitLensTokens
{
    /// <summary>[vocab] the logit-lens logits of a head's mean output.</summary>
    /// <param name="unembedding">[vocab, d_model] row-major.</param>
    public static double[] Logits(HeadActivations activations, OutputBlocks blocks, float[] unembedding, HeadId head)
    {
        int dm = blocks.DModel;
        if (unembedding.Length % dm != 0) throw new ArgumentException($"unembedding of {unembedding.Length} values is not [vocab, {dm}]");
        var output = blocks.MeanWrite(activations, head);   // [d_model] the head's mean write into the residual stream
        int vocab = unembedding.Length / dm;
        var logits = new double[vocab]; // [vocab]
        for (int v = 0; v < vocab; v++)
        {
            double s = 0;
            for (int m = 0; m < dm; m++) s += unembedding[v * dm + m] * output[m];
            logits[v] = s;
        }
        return logits;
    }

    /// <summary>The ids of the <paramref name="top"/> highest logits, highest first (lower id first on ties).</summary>
    public static int[] TopTokens(HeadActivations activations, OutputBlocks blocks, float[] unembedding, HeadId head, int top)
    {
        if (top <= 0) throw new ArgumentException($"top must be positive, got {top}");
        var logits = Logits(activations, blocks, unembedding, head);
        return [.. Enumerable.Range(0, logits.Length).OrderByDescending(v => logits[v]).ThenBy(v => v).Take(top)];
    }
}
