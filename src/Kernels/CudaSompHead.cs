namespace HeadPursuit.Kernels;

/// <summary>
/// One head for <see cref="CudaSomp"/>: its pooled outputs Z [n, d_head] (one row per sample, not yet centred) and
/// its output block W_O^(h) [d_model, d_head] (head_out = W_O^(h) z), both row-major.
/// </summary>
public sealed record CudaSompHead(float[] Z, float[] OutputBlock);

/// <summary>What <see cref="CudaSomp"/> returns per head: the selected atoms in order [N] and the EVR after each iteration [N].
/// A head whose centred outputs are all zero selects nothing and has EVR zeros (as the CPU SOMP).</summary>
public sealed record CudaSompResult(int[] Selected, double[] Evr)
{
    public double Score => Evr.Length == 0 ? 0 : Evr[^1];
}
