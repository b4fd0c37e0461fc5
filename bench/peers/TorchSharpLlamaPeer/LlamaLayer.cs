using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

/// <summary>
/// One Llama decoder layer as Hugging Face's LlamaDecoderLayer (no biases): x + o_proj(attention(rope(q), rope(k), v))
/// over RMS-normed x, then x + down_proj(silu(gate_proj(h)) * up_proj(h)) over RMS-normed x. Weights are [out, in]
/// for F.linear. Attention is scaled_dot_product_attention with each key/value head repeated for its query heads
/// (HF's repeat_kv: expand then reshape).
/// </summary>
sealed record LlamaLayer(Tensor InputNorm, Tensor Q, Tensor K, Tensor V, Tensor O, Tensor PostAttentionNorm, Tensor Gate, Tensor Up, Tensor Down)
{
    /// <summary>
    /// x: [batch, t, d] at positions pos..pos+t-1 (cos, sin: [t, d_head]). With a cache ([1, kv heads, max t, d_head]
    /// each), writes this call's rotated k and v at pos.. and attends over everything up to pos+t-1. Adds each head's
    /// attention output averaged over the t positions, [batch, heads, d_head], to <paramref name="capture"/>.
    /// </summary>
    public Tensor Forward(Tensor x, Tensor cos, Tensor sin, List<Tensor>? capture, (Tensor K, Tensor V)? cache, long pos)
    {
        int H = LlamaGqa.Heads, KV = LlamaGqa.KvHeads, Dh = LlamaGqa.DHead;
        long b = x.shape[0], t = x.shape[1];
        // SDPA's causal mask is aligned top-left: right for a prompt from position 0, wrong for several tokens after a cache.
        if (t > 1 && pos > 0) throw new NotSupportedException($"{t} new tokens at position {pos}: only a prompt from 0 or one token at a time");
        var h = LlamaGqa.RmsNorm(x, InputNorm);
        Tensor Split(Tensor a, int heads) => a.view(b, t, heads, Dh).transpose(1, 2);   // [b, heads, t, d_head]
        var q = RotaryEmbedding.Apply(Split(F.linear(h, Q), H), cos, sin);
        var k = RotaryEmbedding.Apply(Split(F.linear(h, K), KV), cos, sin);
        var v = Split(F.linear(h, V), KV);
        if (cache is var (kc, vc))
        {
            kc.narrow(2, pos, t).copy_(k);
            vc.narrow(2, pos, t).copy_(v);
            k = kc.narrow(2, 0, pos + t);
            v = vc.narrow(2, 0, pos + t);
        }
        Tensor Repeat(Tensor a) => a.unsqueeze(2).expand(b, KV, H / KV, a.shape[2], Dh).reshape(b, H, a.shape[2], Dh);   // [b, heads, keys, d_head]
        // Causal over a prompt; a single new token sees the whole cache.
        var z = F.scaled_dot_product_attention(q, Repeat(k), Repeat(v), null, 0.0, t > 1);   // [b, heads, t, d_head]
        capture?.Add(z.mean([2]));
        x = x + F.linear(z.transpose(1, 2).reshape(b, t, H * Dh), O);
        h = LlamaGqa.RmsNorm(x, PostAttentionNorm);
        return x + F.linear(F.silu(F.linear(h, Gate)) * F.linear(h, Up), Down);
    }
}
