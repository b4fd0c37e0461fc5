namespace HeadPursuit.Runtime.Vision.Qwen25Vl;

/// <summary>
/// Every intermediate of one call of the Qwen2.5-VL vision tower, in the processor's row order (not the window order
/// the tower works in), for verification and hooks. N = pixel rows of all the call's images.
/// </summary>
internal sealed class Qwen25VisionRecording(Qwen25VisionConfig c, int rows)
{
    public int Rows { get; } = rows;
    /// <summary>[Lv + 1, N, Dv]: the patch embeddings, then the rows after each block.</summary>
    public float[] HiddenStates { get; } = new float[(c.Depth + 1) * rows * c.Hidden];
    /// <summary>[Lv, Hv, N, N]: each block's attention probabilities (query row, key row); 0 outside the window or image attended.</summary>
    public float[] AttnProbs { get; } = new float[(long)c.Depth * c.Heads * rows * rows];
}
