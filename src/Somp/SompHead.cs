namespace HeadPursuit.Somp;

/// <summary>
/// One head's SOMP input in the d_head space: pooled z per sample and the head's output block, so that the head's
/// outputs are H = Z W_O^T [n, d_model] without ever being formed.
/// </summary>
internal sealed class SompHead
{
    /// <summary>Z [n, d_head] row-major.</summary>
    public float[] Z { get; }
    /// <summary>W_O^(h) [d_model, d_head] row-major.</summary>
    public float[] OutputBlock { get; }
    public int Samples { get; }
    public int DHead { get; }
    public int DModel { get; }

    public SompHead(float[] z, float[] outputBlock, int samples, int dHead, int dModel)
    {
        if (samples <= 0) throw new ArgumentException("SOMP needs at least one sample (n = 0)");
        if (dHead <= 0 || dModel <= 0) throw new ArgumentException($"invalid head shape d_head = {dHead}, d_model = {dModel}");
        if (z.LongLength != (long)samples * dHead) throw new ArgumentException($"Z holds {z.LongLength} floats, [n={samples}, d_head={dHead}] needs {(long)samples * dHead}");
        if (outputBlock.LongLength != (long)dModel * dHead)
            throw new ArgumentException($"W_O block holds {outputBlock.LongLength} floats, [d_model={dModel}, d_head={dHead}] needs {(long)dModel * dHead}");
        Z = z; OutputBlock = outputBlock; Samples = samples; DHead = dHead; DModel = dModel;
    }

    /// <summary>H given directly [n, d]: W_O is the d x d identity, so Z = H.</summary>
    public static SompHead Direct(float[] h, int samples, int d)
    {
        var identity = new float[d * d]; // [d, d]
        for (int k = 0; k < d; k++) identity[k * d + k] = 1;
        return new SompHead(h, identity, samples, d, d);
    }
}
