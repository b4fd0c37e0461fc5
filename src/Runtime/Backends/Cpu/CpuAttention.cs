using System.Numerics.Tensors;
using HeadPursuit.Runtime.Cpu;

namespace HeadPursuit.Runtime.Backends.Cpu;

/// <summary>
/// Causal attention on the CPU, in two parallel passes: (1) per row, RoPE on q and k and the copy of k/v into the cache;
/// (2) the heads, by one of two kernels that compute the same softmax(q K^T * scale, soft-capped when the shape says so) V:
///   - <see cref="BlockedAttention"/> (the default): per (sequence, kv head), blocks of queries against blocks of keys
///     with an online softmax, so each key and value is read once per block of queries;
///   - <see cref="PerKeyAttention"/>: the plain reference, one dot product per (query, key); it also runs when the
///     probabilities are asked for (they need the whole row of scores).
/// Both then apply the epilogue to each head's z (raw copy, pooled capture, head scale, <see cref="Finish"/>). Work items
/// never share outputs (a sample's sums are one sequence's, each head its own columns) and each visits its rows in order,
/// so the result does not depend on the thread count.
/// </summary>
static class CpuAttention
{
    /// <summary>The epilogue's buffers as host arrays (null when unused).</summary>
    public readonly record struct Epilogue(float[]? RawZ, int[]? RowSample, float[]? RowWeight, float[]? Sums, int SumsCols, int PoolOffset,
                                           float[]? Alpha, byte[]? ScaleRows, float[]? Probs);

    public static void Run(float[] qkv, BatchLayout batch, AttentionShape shape, float[] kCache, float[] vCache, int maxT, float[] z, Epilogue epilogue,
                           bool perKeyReference = false)
    {
        batch.CheckFits(maxT);
        var store = new StoreKv(qkv, batch, shape, kCache, vCache, maxT);
        CpuParallel.For(batch.Rows, ref store);
        if (perKeyReference || epilogue.Probs != null)
        {
            var heads = new PerKeyAttention(qkv, batch, shape, kCache, vCache, maxT, z, epilogue);
            CpuParallel.For(batch.Sequences * shape.Heads, ref heads);
        }
        else
        {
            var heads = new BlockedAttention(qkv, batch, shape, kCache, vCache, maxT, z, epilogue);
            CpuParallel.For(batch.Sequences * shape.KvHeads, ref heads);
        }
    }

    /// <summary>The epilogue on head h's z of row r (zRow, written in place): raw copy, pooled capture, then the head scale.</summary>
    public static void Finish(in Epilogue e, AttentionShape shape, int r, int h, Span<float> zRow)
    {
        int dh = shape.DHead;
        if (e.RawZ != null) zRow.CopyTo(e.RawZ.AsSpan(r * shape.QDim + h * dh, dh));
        if (e.RowSample != null && e.RowSample[r] >= 0)
        {
            var acc = e.Sums.AsSpan(e.RowSample[r] * e.SumsCols + e.PoolOffset + h * dh, dh);
            TensorPrimitives.MultiplyAdd(zRow, e.RowWeight![r], acc, acc);
        }
        if (e.Alpha != null && e.ScaleRows![r] != 0 && e.Alpha[h] != 1f) TensorPrimitives.Multiply(zRow, e.Alpha[h], zRow);
    }

    struct StoreKv(float[] qkv, BatchLayout batch, AttentionShape shape, float[] kCache, float[] vCache, int maxT) : IParallelBody
    {
        public readonly void Run(int r)
        {
            int dh = shape.DHead, pos = batch.RowPosition[r];
            var row = qkv.AsSpan(r * shape.QkvDim, shape.QkvDim);
            if (shape.Rope is { } rope)
            {
                var p = batch.RopePositions;
                var (t, h, w) = p == null ? (pos, pos, pos) : (p[3 * r], p[3 * r + 1], p[3 * r + 2]);
                for (int head = 0; head < shape.Heads + shape.KvHeads; head++)   // q heads then k heads are adjacent in the row
                    rope.Apply(row.Slice(head * dh, dh), t, h, w);
            }
            int cacheRow = batch.Slot[batch.RowSequence[r]] * maxT + pos;
            row.Slice(shape.QDim, shape.KvDim).CopyTo(kCache.AsSpan(cacheRow * shape.KvDim));
            row.Slice(shape.QDim + shape.KvDim, shape.KvDim).CopyTo(vCache.AsSpan(cacheRow * shape.KvDim));
        }
    }
}
