using System.Numerics.Tensors;
using HeadPursuit.Runtime.Cpu;

namespace HeadPursuit.Runtime.Backends.Cpu;

/// <summary>
/// Causal attention on the CPU, in two parallel passes: (1) per row, RoPE on q and k and the copy of k/v
/// into the cache; (2) per (sequence, query head), for each of its rows: scores against the cached keys (scaled,
/// soft-capped when the shape says so), softmax, z = sum_s p_s v_s, then the epilogue on that head's z (raw copy, pooled capture, head scale).
/// Work items never share outputs (a sample's sums are one sequence's, each head its own columns), so the
/// result does not depend on the thread count.
/// </summary>
static class CpuAttention
{
    /// <summary>The epilogue's buffers as host arrays (null when unused).</summary>
    public readonly record struct Epilogue(float[]? RawZ, int[]? RowSample, float[]? RowWeight, float[]? Sums, int SumsCols, int PoolOffset,
                                           float[]? Alpha, byte[]? ScaleRows, float[]? Probs);

    public static void Run(float[] qkv, BatchLayout batch, AttentionShape shape, float[] kCache, float[] vCache, int maxT, float[] z, Epilogue epilogue)
    {
        batch.CheckFits(maxT);
        var store = new StoreKv(qkv, batch, shape, kCache, vCache, maxT);
        CpuParallel.For(batch.Rows, ref store);
        var heads = new HeadWork(qkv, batch, shape, kCache, vCache, maxT, z, epilogue);
        CpuParallel.For(batch.Sequences * shape.Heads, ref heads);
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

    struct HeadWork(float[] qkv, BatchLayout batch, AttentionShape shape, float[] kCache, float[] vCache, int maxT, float[] z, Epilogue e) : IParallelBody
    {
        [ThreadStatic] static float[]? t_scores;

        public readonly void Run(int item)
        {
            int seq = item / shape.Heads, h = item % shape.Heads;
            int dh = shape.DHead, kvDim = shape.KvDim, kvh = h / (shape.Heads / shape.KvHeads);
            float scale = shape.Scale;
            int slotBase = batch.Slot[seq] * maxT;
            if (t_scores == null || t_scores.Length < maxT) t_scores = new float[maxT];   // [keys of one row]
            for (int t = 0; t < batch.Length[seq]; t++)
            {
                int r = batch.RowStart[seq] + t;
                var (first, last) = batch.VisibleKeys(r, shape.Window);
                int n = last - first + 1;
                var q = qkv.AsSpan(r * shape.QkvDim + h * dh, dh);
                var scores = t_scores.AsSpan(0, n);
                for (int s = 0; s < n; s++)
                    scores[s] = TensorPrimitives.Dot(q, kCache.AsSpan(((slotBase + first + s) * kvDim) + kvh * dh, dh)) * scale;
                if (shape.SoftCap is float cap)
                {
                    TensorPrimitives.Divide(scores, cap, scores);
                    TensorPrimitives.Tanh(scores, scores);
                    TensorPrimitives.Multiply(scores, cap, scores);
                }
                float max = TensorPrimitives.Max(scores);
                TensorPrimitives.Subtract(scores, max, scores);
                TensorPrimitives.Exp(scores, scores);
                TensorPrimitives.Divide(scores, TensorPrimitives.Sum(scores), scores);
                var zRow = z.AsSpan(r * shape.QDim + h * dh, dh);
                zRow.Clear();
                for (int s = 0; s < n; s++)
                    TensorPrimitives.MultiplyAdd(vCache.AsSpan(((slotBase + first + s) * kvDim) + kvh * dh, dh), scores[s], zRow, zRow);
                if (e.Probs != null)
                {
                    int rows = batch.Rows;
                    var dst = e.Probs.AsSpan((h * rows + t) * rows, rows);
                    dst.Clear();
                    scores.CopyTo(dst.Slice(first));
                }
                if (e.RawZ != null) zRow.CopyTo(e.RawZ.AsSpan(r * shape.QDim + h * dh, dh));
                if (e.RowSample != null && e.RowSample[r] >= 0)
                {
                    var acc = e.Sums.AsSpan(e.RowSample[r] * e.SumsCols + e.PoolOffset + h * dh, dh);
                    TensorPrimitives.MultiplyAdd(zRow, e.RowWeight![r], acc, acc);
                }
                if (e.Alpha != null && e.ScaleRows![r] != 0 && e.Alpha[h] != 1f) TensorPrimitives.Multiply(zRow, e.Alpha[h], zRow);
            }
        }
    }
}
