using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

/// <summary>
/// The forward benchmark's Llama-GQA shape (bench/HeadPursuit.Bench/RandomModel.cs LlamaGqa): 8 layers, d 1024, 16
/// query and 4 key/value heads of 64, SiLU-gated MLP of 2816, vocabulary 32000, RMSNorm eps 1e-5, RoPE theta 10000,
/// untied lm_head; every weight ~N(0, 0.02) (norm weights 1), all in one dtype as after model.to(dtype).
/// </summary>
sealed class LlamaGqa
{
    public const int Layers = 8, D = 1024, Heads = 16, KvHeads = 4, DHead = 64, FF = 2816, Vocab = 32000, MaxPositions = 2048;
    const double Eps = 1e-5, RopeTheta = 10000;

    readonly ScalarType _dtype;
    readonly Tensor _embed, _finalNorm, _lmHead;   // [vocab, d], [d], [vocab, d]
    readonly LlamaLayer[] _layers;
    readonly RotaryEmbedding _rope = new(DHead, RopeTheta);

    public LlamaGqa(ScalarType dtype)
    {
        _dtype = dtype;
        Tensor Normal(long rows, long cols) => (randn(rows, cols) * 0.02).to(dtype);
        Tensor Ones() => ones(D, dtype: dtype);
        _embed = Normal(Vocab, D);
        _layers = Enumerable.Range(0, Layers).Select(_ => new LlamaLayer(
            Ones(), Normal(Heads * DHead, D), Normal(KvHeads * DHead, D), Normal(KvHeads * DHead, D), Normal(D, Heads * DHead),
            Ones(), Normal(FF, D), Normal(FF, D), Normal(D, FF))).ToArray();
        _finalNorm = Ones();
        _lmHead = Normal(Vocab, D);
    }

    /// <summary>
    /// Hugging Face's LlamaRMSNorm: x in f32 times rsqrt(mean(x^2) + eps), cast back to x's dtype, times the weight.
    /// x: [..., d]; weight: [d].
    /// </summary>
    public static Tensor RmsNorm(Tensor x, Tensor weight)
    {
        var x32 = x.to(ScalarType.Float32);
        var normed = x32 * rsqrt(x32.pow(2).mean([-1], keepdim: true) + Eps);
        return weight * normed.to(x.dtype);
    }

    /// <summary>A fresh key/value cache per layer for one sequence of up to <paramref name="positions"/> tokens: [1, kv heads, positions, d_head] each.</summary>
    public (Tensor K, Tensor V)[] NewCache(int positions) =>
        _layers.Select(_ => (zeros([1, KvHeads, positions, DHead], dtype: _dtype), zeros([1, KvHeads, positions, DHead], dtype: _dtype))).ToArray();

    /// <summary>
    /// tokens: [batch, t] at positions pos..pos+t-1. Returns the logits of the positions from <paramref name="logitsFrom"/>
    /// on ([batch, t - logitsFrom, vocab]), or null when <paramref name="logitsFrom"/> is null (no final norm, no
    /// lm_head); with a capture list, fills it with each layer's pooled attention outputs ([batch, heads, d_head] each).
    /// With a cache (from <see cref="NewCache"/>, batch 1), keys and values go into it and attention reads it.
    /// </summary>
    public Tensor? Forward(Tensor tokens, long pos, List<Tensor>? capture, long? logitsFrom, (Tensor K, Tensor V)[]? cache)
    {
        long b = tokens.shape[0], t = tokens.shape[1];
        var x = _embed.index_select(0, tokens.flatten()).view(b, t, D);   // [batch, t, d]
        var (cos, sin) = _rope.Angles(pos, t, _dtype);                   // [t, d_head] each
        for (int l = 0; l < Layers; l++) x = _layers[l].Forward(x, cos, sin, capture, cache?[l], pos);
        if (logitsFrom is not long from) return null;
        return F.linear(RmsNorm(x.narrow(1, from, t - from), _finalNorm), _lmHead);
    }
}
