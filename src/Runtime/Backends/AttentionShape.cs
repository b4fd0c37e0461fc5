namespace HeadPursuit.Runtime.Backends;

/// <summary>
/// What one layer's attention op needs. The fused qkv activation row is [q (Heads*DHead) | k (KvHeads*DHead) | v (KvHeads*DHead)];
/// query head h reads kv head h / (Heads / KvHeads).
/// Window: a query at position p sees keys p-Window+1..p (null = all earlier keys).
/// Rope: null for learned positions (GPT-2); otherwise the rotate-half tables applied to q and k.
/// Scale: scores are (q . k) * Scale (1/sqrt(d_head) unless the family says otherwise, e.g. Gemma's query_pre_attn_scalar).
/// SoftCap: when set, scores become SoftCap * tanh(scores / SoftCap) before the mask and softmax (Gemma 2).
/// </summary>
internal sealed record AttentionShape(int Heads, int KvHeads, int DHead)
{
    public int? Window { get; init; }
    public RopeTable? Rope { get; init; }
    public float Scale { get; init; } = 1f / MathF.Sqrt(DHead);
    public float? SoftCap { get; init; }

    public int QDim => Heads * DHead;
    public int KvDim => KvHeads * DHead;
    public int QkvDim => QDim + 2 * KvDim;
}
