using static TorchSharp.torch;

/// <summary>
/// Rotary position embedding as Hugging Face's LlamaRotaryEmbedding and apply_rotary_pos_emb: inverse frequencies
/// theta^(-2i/d_head) in f32, angles position x frequency in f32, cos and sin of [angles, angles] cast to the
/// activations' dtype, x * cos + rotate_half(x) * sin with rotate_half(x) = [-x2, x1] (the two halves of d_head).
/// </summary>
sealed class RotaryEmbedding(int dHead, double theta)
{
    readonly Tensor _invFreq = tensor(Enumerable.Range(0, dHead / 2).Select(i => (float)(1.0 / Math.Pow(theta, 2.0 * i / dHead))).ToArray());   // [d_head / 2], f32

    /// <summary>cos and sin for positions start..start+count-1: each [count, d_head] in <paramref name="dtype"/>.</summary>
    public (Tensor Cos, Tensor Sin) Angles(long start, long count, ScalarType dtype)
    {
        var freqs = arange(start, start + count, dtype: ScalarType.Float32).unsqueeze(1) * _invFreq.unsqueeze(0);   // [count, d_head / 2]
        var emb = cat([freqs, freqs], -1);                                                                              // [count, d_head]
        return (emb.cos().to(dtype), emb.sin().to(dtype));
    }

    /// <summary>x: [batch, heads, count, d_head]; cos, sin: [count, d_head] from <see cref="Angles"/>.</summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        long half = x.shape[^1] / 2;
        var rotated = cat([-x.narrow(-1, half, half), x.narrow(-1, 0, half)], -1);
        return x * cos + rotated * sin;
    }
}
