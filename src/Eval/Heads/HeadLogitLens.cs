using HeadPursuit.Runtime.Capture;
using HeadPursuit.Somp;

namespace HeadPursuit.Eval.Heads;

/// <summary>
/// The aggregated logit lens of one head (the baseline of the paper's Tables 1 and 6): the tokens whose unembedding
/// rows score highest against the head's mean output, logits = W_U (W_O^(h) mean_i z_i), over the whole vocabulary.
/// Raw rows and un-centred outputs, like the logit-lens ranking baseline (DESIGN.md section 3); no final norm.
/// Ties (e.g. tokens sharing one untrained row) keep the lower id first.
/// </summary>
public static class HeadLogitLens
{
    /// <summary>[vocab] the logit-lens logits of a head's mean output.</summary>
    /// <param name="unembedding">[vocab, d_model] row-major.</param>
    public static double[] Logits(HeadActivations activations, OutputBlocks blocks, float[] unembedding, HeadId head)
    {
        int dm = blocks.DModel, dh = blocks.DHead, n = activations.Samples;
        if (activations.DHead != dh) throw new ArgumentException($"activations have d_head {activations.DHead}, the output blocks {dh}");
        if (unembedding.Length % dm != 0) throw new ArgumentException($"unembedding of {unembedding.Length} values is not [vocab, {dm}]");
        if (n == 0) throw new ArgumentException("no samples to average");
        var z = activations.Head(head.Layer, head.Head);
        var meanZ = new double[dh]; // [d_head]
        for (int i = 0; i < n; i++)
            for (int e = 0; e < dh; e++) meanZ[e] += z[i * dh + e];
        for (int e = 0; e < dh; e++) meanZ[e] /= n;
        var wo = blocks.Block(head.Layer, head.Head); // [d_model, d_head]
        var output = new double[dm]; // [d_model] the head's mean write into the residual stream
        for (int m = 0; m < dm; m++)
            for (int e = 0; e < dh; e++) output[m] += wo[m * dh + e] * meanZ[e];
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
