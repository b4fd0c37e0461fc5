using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using HeadPursuit.Runtime.Cpu;

namespace HeadPursuit.Runtime.Backends.Cpu;

/// <summary>
/// Attention in blocks with an online softmax. One work item is one (sequence, kv head): its visible keys are transposed
/// once into blocks of <see cref="AttentionTiles.KeyBlock"/> (kt), then for each query head of the group and each block of
/// <see cref="QueryBlock"/> rows, every key block is read once for the whole query block:
///   S = q K^T * scale (soft-capped, then positions outside each row's visible range set to -inf),
///   m' = max(m, max_j S_ij),  P = exp(S - m'),  l = l exp(m - m') + sum_j P_ij,  O = O exp(m - m') + P V,
/// and z = O / l at the end. When the item has fewer than <see cref="TransposeFrom"/> query rows (a decode row, with up to 7 query heads per KV head),
/// the keys are not transposed and each score is one <see cref="SixteenLanes.Dot"/> (the same for every family, but
/// rounded differently from the tiles: a row's bits depend on which of the two ran). Key blocks start at multiples of KeyBlock in absolute position, so a row's result depends only
/// on its own visible range. The arithmetic of a row does not depend on the lane width (<see cref="AttentionTiles"/>; the
/// softmax steps are the same TensorPrimitives calls for every family), so every <see cref="SimdLevel"/> gives the same
/// bits; against <see cref="PerKeyAttention"/> the sums run in another order (tested within fp32 rounding).
/// </summary>
unsafe struct BlockedAttention(float[] qkv, BatchLayout batch, AttentionShape shape, float[] kCache, float[] vCache, int maxT, float[] z,
                               CpuAttention.Epilogue e) : IParallelBody
{
    /// <summary>Query rows per block.</summary>
    const int QueryBlock = 16;
    const int KB = AttentionTiles.KeyBlock;
    /// <summary>
    /// Query rows (rows x heads of the group) from which transposing the keys pays. A Llama-GQA decode row (4 heads per
    /// KV head) transposed ran at 0.76-0.89x of the per-key kernel with AVX2 (the attention bench); with the dot products
    /// it runs at 1.25-1.82x, so the transpose starts at 8.
    /// </summary>
    const int TransposeFrom = 8;

    [ThreadStatic] static float[]? t_kt;   // [key blocks, dh, KB] the item's keys, transposed block by block
    [ThreadStatic] static float[]? t_q;    // [QueryBlock, dh] the block's queries
    [ThreadStatic] static float[]? t_o;    // [QueryBlock, dh] the unnormalised outputs
    [ThreadStatic] static float[]? t_s;    // [QueryBlock, KB] scores, then probabilities, of one key block

    public readonly void Run(int item)
    {
        switch (CpuSimd.Level)
        {
            case SimdLevel.Avx512: RunItem<Lanes512, Vector512<float>>(item); break;
            case SimdLevel.Avx2: RunItem<Lanes256, Vector256<float>>(item); break;
            default: RunItem<Lanes1, float>(item); break;
        }
    }

    readonly void RunItem<TL, TV>(int item) where TL : struct, ILanes<TV> where TV : struct
    {
        int seq = item / shape.KvHeads, kvh = item % shape.KvHeads, group = shape.Heads / shape.KvHeads;
        int dh = shape.DHead, rowStart = batch.RowStart[seq], length = batch.Length[seq];
        int lo = int.MaxValue, hi = -1;
        for (int r = rowStart; r < rowStart + length; r++)
        {
            var (first, last) = batch.VisibleKeys(r, shape.Window);
            lo = Math.Min(lo, first); hi = Math.Max(hi, last);
        }
        int block0 = lo / KB, blocks = hi / KB - block0 + 1;
        bool transposed = length * group >= TransposeFrom;
        var kt = Grow(ref t_kt, transposed ? blocks * dh * KB : 0);
        var q = Grow(ref t_q, QueryBlock * dh);
        var o = Grow(ref t_o, QueryBlock * dh);
        var s = Grow(ref t_s, QueryBlock * KB);
        Span<float> m = stackalloc float[QueryBlock], l = stackalloc float[QueryBlock];   // running max and sum per row
        Span<int> firsts = stackalloc int[QueryBlock], lasts = stackalloc int[QueryBlock];
        int slotBase = batch.Slot[seq] * maxT;
        if (transposed) TransposeKeys(kt, slotBase, kvh, lo, hi, block0, blocks);

        fixed (float* ktP = kt, qP = q, oP = o, sP = s, kP = kCache, vP = vCache)
        {
            float* k = kP + (long)slotBase * shape.KvDim + kvh * dh;   // [positions, dh] with row stride KvDim
            float* v = vP + (long)slotBase * shape.KvDim + kvh * dh;
            for (int h = kvh * group; h < (kvh + 1) * group; h++)
                for (int t0 = 0; t0 < length; t0 += QueryBlock)
                {
                    int nq = Math.Min(QueryBlock, length - t0), qLo = int.MaxValue, qHi = -1;
                    for (int i = 0; i < nq; i++)
                    {
                        int r = rowStart + t0 + i;
                        (firsts[i], lasts[i]) = batch.VisibleKeys(r, shape.Window);
                        qLo = Math.Min(qLo, firsts[i]); qHi = Math.Max(qHi, lasts[i]);
                        qkv.AsSpan(r * shape.QkvDim + h * dh, dh).CopyTo(q.AsSpan(i * dh, dh));
                    }
                    m.Fill(float.NegativeInfinity); l.Clear(); o.AsSpan(0, nq * dh).Clear();
                    for (int b = qLo / KB; b <= qHi / KB; b++)
                    {
                        int j0 = Math.Max(qLo - b * KB, 0), j1 = Math.Min(qHi - b * KB + 1, KB);   // keys any row of the block sees
                        int i = 0;
                        if (transposed)
                        {
                            float* ktb = ktP + (long)(b - block0) * dh * KB;
                            for (; i + 4 <= nq; i += 4) AttentionTiles.Scores4<TL, TV>(qP + i * dh, dh, ktb, sP + i * KB);
                            for (; i < nq; i++) AttentionTiles.Scores1<TL, TV>(qP + i * dh, dh, ktb, sP + i * KB);
                        }
                        else
                            for (; i < nq; i++)
                                for (int j = j0; j < j1; j++) s[i * KB + j] = SixteenLanes.Dot(qP + i * dh, k + (long)(b * KB + j) * shape.KvDim, dh);
                        for (i = 0; i < nq; i++)
                            UpdateRow(s.AsSpan(i * KB, KB), o.AsSpan(i * dh, dh), ref m[i], ref l[i], firsts[i] - b * KB, lasts[i] - b * KB);
                        float* vb = v + (long)b * KB * shape.KvDim;
                        for (i = 0; i + 4 <= nq; i += 4) Values4<TL, TV>(sP + i * KB, j0, j1, vb, oP + i * dh, dh);
                        for (; i < nq; i++) Values1<TL, TV>(sP + i * KB, j0, j1, vb, oP + i * dh, dh);
                    }
                    for (int i = 0; i < nq; i++)
                    {
                        int r = rowStart + t0 + i;
                        var zRow = z.AsSpan(r * shape.QDim + h * dh, dh);
                        TensorPrimitives.Divide(o.AsSpan(i * dh, dh), l[i], zRow);
                        CpuAttention.Finish(e, shape, r, h, zRow);
                    }
                }
        }
    }

    /// <summary>kt[blk, d, j] = k at position (block0 + blk) * KB + j, for positions lo..hi; zero elsewhere (masked later).</summary>
    readonly void TransposeKeys(float[] kt, int slotBase, int kvh, int lo, int hi, int block0, int blocks)
    {
        int dh = shape.DHead;
        Array.Clear(kt, 0, blocks * dh * KB);
        fixed (float* ktP = kt, kP = kCache)
            for (int pos = lo; pos <= hi; pos++)
            {
                float* k = kP + (long)(slotBase + pos) * shape.KvDim + kvh * dh;
                float* column = ktP + (long)(pos / KB - block0) * dh * KB + pos % KB;   // kt[blk, 0, j]; d strides by KB
                for (int d = 0; d < dh; d++) column[d * KB] = k[d];
            }
    }

    /// <summary>
    /// One row's online-softmax step over a key block: scores (raw dot products in, probabilities out) of keys j whose
    /// position is visible when first &lt;= j &lt;= last (block-relative); the row's output is rescaled to the new maximum.
    /// </summary>
    readonly void UpdateRow(Span<float> scores, Span<float> o, ref float m, ref float l, int first, int last)
    {
        if (first >= KB || last < 0) { scores.Clear(); return; }   // nothing visible in this block
        TensorPrimitives.Multiply(scores, shape.Scale, scores);
        if (shape.SoftCap is float cap)
        {
            TensorPrimitives.Divide(scores, cap, scores);
            TensorPrimitives.Tanh(scores, scores);
            TensorPrimitives.Multiply(scores, cap, scores);
        }
        if (first > 0) scores[..first].Fill(float.NegativeInfinity);
        if (last < KB - 1) scores[(last + 1)..].Fill(float.NegativeInfinity);
        float mNew = Math.Max(m, TensorPrimitives.Max(scores));
        float correction = MathF.Exp(m - mNew);   // 0 while m is still -inf
        TensorPrimitives.Subtract(scores, mNew, scores);
        TensorPrimitives.Exp(scores, scores);
        l = l * correction + TensorPrimitives.Sum(scores);
        if (correction != 1f) TensorPrimitives.Multiply(o, correction, o);
        m = mNew;
    }

    /// <summary>o[4, dh] += p[4, j0..j1) v[j0..j1, dh]: the widest pairs of vectors first, the columns left one by one.</summary>
    readonly void Values4<TL, TV>(float* p, int j0, int j1, float* v, float* o, int dh) where TL : struct, ILanes<TV> where TV : struct
    {
        int c = AttentionTiles.Values4<TL, TV>(p, j0, j1, v, shape.KvDim, o, dh, 0);
        if (TL.Count > Lanes256.Count) c = AttentionTiles.Values4<Lanes256, Vector256<float>>(p, j0, j1, v, shape.KvDim, o, dh, c);
        c = AttentionTiles.Values4<Lanes1, float>(p, j0, j1, v, shape.KvDim, o, dh, c);
        if (c < dh) for (int i = 0; i < 4; i++) OddColumn(p + i * KB, j0, j1, v, o + i * dh, c);
    }

    /// <summary><see cref="Values4{TL, TV}"/> for one row.</summary>
    readonly void Values1<TL, TV>(float* p, int j0, int j1, float* v, float* o, int dh) where TL : struct, ILanes<TV> where TV : struct
    {
        int c = AttentionTiles.Values1<TL, TV>(p, j0, j1, v, shape.KvDim, o, dh, 0);
        if (TL.Count > Lanes256.Count) c = AttentionTiles.Values1<Lanes256, Vector256<float>>(p, j0, j1, v, shape.KvDim, o, dh, c);
        c = AttentionTiles.Values1<Lanes1, float>(p, j0, j1, v, shape.KvDim, o, dh, c);
        if (c < dh) OddColumn(p, j0, j1, v, o, c);
    }

    /// <summary>The last column of an odd d_head, which no pair of lanes covers.</summary>
    readonly void OddColumn(float* p, int j0, int j1, float* v, float* o, int c)
    {
        for (int j = j0; j < j1; j++) o[c] = MathF.FusedMultiplyAdd(p[j], v[(long)j * shape.KvDim + c], o[c]);
    }

    static float[] Grow(ref float[]? buffer, int n)
    {
        if (buffer == null || buffer.Length < n) buffer = new float[n];
        return buffer;
    }
}
