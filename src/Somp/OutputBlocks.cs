namespace HeadPursuit.Somp;

/// <summary>
/// The per-head blocks W_O^(h) [d_model, d_head] of every layer's attention output projection: what head h writes
/// into the residual stream is W_O^(h) z. Indexed [layer][head].
/// </summary>
public sealed class OutputBlocks
{
    readonly float[][][] _blocks; // [L][H][d_model * d_head]
    /// <summary>The model's layers.</summary>
    public int Layers { get; }
    /// <summary>Attention heads per layer.</summary>
    public int Heads { get; }
    /// <summary>The residual stream's width.</summary>
    public int DModel { get; }
    /// <summary>The width of one head's output z.</summary>
    public int DHead { get; }
    /// <summary>What W_O^(h) z is relative to the residual stream in the model's family (ModelFamily.HeadOutputConvention); null when unknown.</summary>
    public string? HeadOutput { get; init; }

    /// <param name="blocks">[L][H] arrays, each [d_model, d_head] row-major.</param>
    public OutputBlocks(float[][][] blocks, int dModel, int dHead)
    {
        if (blocks.Length == 0 || blocks[0].Length == 0) throw new ArgumentException("no W_O blocks given");
        Layers = blocks.Length; Heads = blocks[0].Length; DModel = dModel; DHead = dHead;
        for (int l = 0; l < Layers; l++)
        {
            if (blocks[l].Length != Heads) throw new ArgumentException($"layer {l} has {blocks[l].Length} W_O blocks, layer 0 has {Heads}");
            for (int h = 0; h < Heads; h++)
                if (blocks[l][h].Length != dModel * dHead)
                    throw new ArgumentException($"W_O block of L{l}H{h} holds {blocks[l][h].Length} floats, [d_model={dModel}, d_head={dHead}] needs {dModel * dHead}");
        }
        _blocks = blocks;
    }

    /// <summary>[d_model, d_head] row-major.</summary>
    public float[] Block(int layer, int head) => _blocks[layer][head];

    /// <summary>
    /// [d_model] a head's mean write, W_O^(h) mean_i z_i, over the samples of <paramref name="activations"/> (its pooled z,
    /// un-centred): what the logit-lens baseline and the logit-lens tokens read.
    /// </summary>
    public double[] MeanWrite(Runtime.Capture.HeadActivations activations, HeadId head)
    {
        int n = activations.Samples;
        if (activations.DHead != DHead) throw new ArgumentException($"activations have d_head {activations.DHead}, the output blocks {DHead}");
        if (n == 0) throw new ArgumentException("no samples to average");
        var z = activations.Head(head.Layer, head.Head);
        var meanZ = new double[DHead];   // [d_head]
        for (int i = 0; i < n; i++)
            for (int e = 0; e < DHead; e++) meanZ[e] += z[i * DHead + e];
        for (int e = 0; e < DHead; e++) meanZ[e] /= n;
        var wo = Block(head.Layer, head.Head);
        var write = new double[DModel];   // [d_model]
        for (int m = 0; m < DModel; m++)
            for (int e = 0; e < DHead; e++) write[m] += wo[m * DHead + e] * meanZ[e];
        return write;
    }
}
