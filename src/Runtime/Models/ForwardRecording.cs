namespace HeadPursuit.Runtime.Models;

/// <summary>
/// Every intermediate of one forward call, for checking against reference dumps and for hooks
/// (TransformerLens names in brackets). Filled only when requested: it costs memory and copies.
/// </summary>
internal sealed class ForwardRecording(int layers, int rows, int heads, int dHead, int dModel, bool probs)
{
    public int Rows { get; } = rows;
    /// <summary>[L + 1, rows, d_model]: embeddings, then the residual stream after each block (blocks.{l}.hook_resid_post).</summary>
    public float[] Resid { get; } = new float[(layers + 1) * rows * dModel];
    /// <summary>[L, rows, H, d_head]: each head's attention output before any scaling (blocks.{l}.attn.hook_z).</summary>
    public float[] Z { get; } = new float[layers * rows * heads * dHead];
    /// <summary>[L, rows, d_model]: what attention adds to the residual (sum of head writes + bias).</summary>
    public float[] AttnOut { get; } = new float[layers * rows * dModel];
    /// <summary>[L, H, rows, rows]: attention probabilities (blocks.{l}.attn.hook_pattern); single sequence only.</summary>
    public float[]? Probs { get; } = probs ? new float[layers * heads * rows * rows] : null;
    /// <summary>[rows, d_model]: input of the unembedding (after the final norm).</summary>
    public float[] FinalNorm { get; } = new float[rows * dModel];
}
