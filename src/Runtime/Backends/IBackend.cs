using HeadPursuit.Runtime.Cpu;
using HeadPursuit.Runtime.Tensors;

namespace HeadPursuit.Runtime.Backends;

/// <summary>
/// The coarse ops a transformer forward is made of. The model code (Models/Transformer.cs) is written once
/// against this interface; a backend decides how each op runs (CPU: SIMD + threads; CUDA: kernels + cuBLAS).
/// Activations are fp32 [rows, cols] with rows = the packed tokens of a <see cref="BatchLayout"/>.
/// Every op has a plain reference in tests that the backends are checked against.
/// </summary>
public interface IBackend : IDisposable
{
    /// <summary>The backend in words for logs and reports, e.g. "cpu (8 threads)" or the CUDA device's name.</summary>
    string Name { get; }

    // ---- memory ----
    internal DeviceTensor Matrix(WeightMatrix w);                       // a projection weight, kept in its file dtype
    internal DeviceTensor Vector(float[] v);                            // [1, n]: a bias or a norm gain
    internal DeviceTensor Table(TensorView table);                      // [rows, d] embedding table for lookups
    internal DeviceTensor Activations(int rows, int cols);              // zero-filled fp32 [rows, cols]
    internal void Upload(ReadOnlySpan<float> src, DeviceTensor dst);    // src = [dst.Rows * dst.Cols]
    internal void Download(DeviceTensor src, int rows, Span<float> dst); // first rows x cols values

    // ---- ops ----
    /// <summary>x[r, :] (+)= table[ids[r], :] for r in [0, ids.Length).</summary>
    internal void Embed(DeviceTensor table, ReadOnlySpan<int> ids, DeviceTensor x, bool accumulate);
    /// <summary>y[r] = (x[r] - mean) / sqrt(var + eps) * w + b (biased variance), r in [0, rows).</summary>
    internal void LayerNorm(DeviceTensor x, DeviceTensor w, DeviceTensor b, float eps, DeviceTensor y, int rows);
    /// <summary>y[r] = x[r] / sqrt(mean(x[r]^2) + eps) * w.</summary>
    internal void RmsNorm(DeviceTensor x, DeviceTensor w, float eps, DeviceTensor y, int rows);
    /// <summary>y[rows, out] (+)= x[rows, in] W (+ bias).</summary>
    internal void MatMul(DeviceTensor x, DeviceTensor w, DeviceTensor? bias, DeviceTensor y, int rows, bool accumulate = false);
    /// <summary>
    /// Causal self-attention over a packed batch. Reads qkv [rows, QkvDim]; applies RoPE to q and k when the shape has
    /// a table (whose rows must cover every position); scores (q . k) * shape.Scale, soft-capped when shape.SoftCap is set,
    /// masked by the causal rule and the window; stores this call's k and v into the cache (kCache/vCache [slots * maxT, KvDim], slot s row block
    /// s*maxT..); writes z [rows, Heads*DHead] (each head's softmax-weighted sum of values) after the epilogue: the raw
    /// z for recordings, the pooled capture and the head scales are applied as each head's z is produced.
    /// </summary>
    internal void Attention(DeviceTensor qkv, BatchLayout batch, AttentionShape shape, DeviceTensor kCache, DeviceTensor vCache, int maxT,
                   DeviceTensor z, HeadEpilogue epilogue);
    /// <summary>
    /// RMSNorm of every query and key head of fused qkv rows, in place (QK-norm, before RoPE): each q head's DHead values
    /// x become x / sqrt(mean(x^2) + eps) * qGain, each k head's likewise with kGain (both [DHead]); v is left alone.
    /// </summary>
    internal void RmsNormHeads(DeviceTensor qkv, AttentionShape shape, DeviceTensor qGain, DeviceTensor kGain, float eps, int rows);
    /// <summary>x = act(x) in place over the first rows.</summary>
    internal void Activate(DeviceTensor x, Activation act, int rows);
    /// <summary>y[r, j] = act(gateUp[r, j]) * gateUp[r, d_ff + j], j in [0, d_ff) where d_ff = y.Cols (SwiGLU, GeGLU).</summary>
    internal void ActivateGated(DeviceTensor gateUp, Activation act, DeviceTensor y, int rows);
    /// <summary>x *= s over the first rows (e.g. Gemma's embedding scale).</summary>
    internal void Scale(DeviceTensor x, float s, int rows);
    /// <summary>x = cap * tanh(x / cap) over the first rows (Gemma 2's final logit soft-capping).</summary>
    internal void SoftCap(DeviceTensor x, float cap, int rows);
    /// <summary>dst[i, :] = src[rows[i], :] (e.g. the last row of each sequence before the unembedding).</summary>
    internal void GatherRows(DeviceTensor src, ReadOnlySpan<int> rows, DeviceTensor dst);
    /// <summary>x += y over the first rows.</summary>
    internal void Add(DeviceTensor x, DeviceTensor y, int rows);
}
