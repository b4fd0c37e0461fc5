namespace HeadPursuit.Runtime.Backends;

/// <summary>
/// Sizes the attention op needs. The fused qkv activation row is [q (Heads*DHead) | k (KvHeads*DHead) | v (KvHeads*DHead)];
/// query head h reads kv head h / (Heads / KvHeads). Window: a query at position p sees keys p-Window+1..p (null = all).
/// Rope: null for GPT-2 (learned positions); otherwise the rotate-half RoPE tables.
/// </summary>
public sealed record AttentionShape(int Heads, int KvHeads, int DHead, int? Window, RopeTable? Rope)
{
    public int QDim => Heads * DHead;
    public int KvDim => KvHeads * DHead;
    public int QkvDim => QDim + 2 * KvDim;
}
