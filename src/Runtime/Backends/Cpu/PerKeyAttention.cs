using System.Numerics.Tensors;
using HeadPursuit.Runtime.Cpu;

namespace HeadPursuit.Runtime.Backends.Cpu;

/// <summary>
/// The plain attention kernel, the reference <see cref="BlockedAttention"/> is tested against: per (sequence, query head),
/// for each of its rows: scores against the cached keys one dot product at a time (scaled, soft-capped when the shape says
/// so), softmax, z = sum_s p_s v_s, then the epilogue. It also records the probabilities when they are asked for.
/// </summary>
struct PerKeyAttention(float[] qkv, BatchLayout batch, AttentionShape shape, float[] kCache, float[] vCache, int maxT, float[] z,
                       CpuAttention.Epilogue e) : IParallelBody
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
            CpuAttention.Finish(e, shape, r, h, zRow);
        }
    }
}
