using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Backends.Cpu;
using HeadPursuit.Runtime.Cpu;
using HeadPursuit.Runtime.Tensors;

namespace HeadPursuit.Kernels;

/// <summary>
/// Every <see cref="IBackend"/> op written the slow, obvious way on host arrays, in double precision: the reference that
/// <see cref="BackendComparison"/> checks every backend against (as llama.cpp's test-backend-ops checks its backends).
/// Arrays are row-major [rows, cols]; each method returns the op's result and leaves its inputs alone.
/// </summary>
internal static class PlainOps
{
    /// <summary>x[r] (+)= table[ids[r]].</summary>
    public static float[] Embed(TensorView table, int[] ids, float[] x, bool accumulate)
    {
        int d = table.Shape[1];
        var all = table.ToFloatArray();
        var y = (float[])x.Clone();
        for (int r = 0; r < ids.Length; r++)
            for (int i = 0; i < d; i++)
                y[r * d + i] = (float)((accumulate ? (double)x[r * d + i] : 0) + all[ids[r] * d + i]);
        return y;
    }

    /// <summary>LayerNorm (biased variance) when a bias is given, else RMSNorm, per row of [rows, d].</summary>
    public static float[] Norm(float[] x, int rows, float[] w, float[]? b, float eps)
    {
        int d = w.Length;
        var y = new float[rows * d];
        for (int r = 0; r < rows; r++)
        {
            double mean = 0, sq = 0;
            if (b != null) { for (int i = 0; i < d; i++) mean += x[r * d + i]; mean /= d; }
            for (int i = 0; i < d; i++) sq += (x[r * d + i] - mean) * (x[r * d + i] - mean);
            double inv = 1 / Math.Sqrt(sq / d + eps);
            for (int i = 0; i < d; i++) y[r * d + i] = (float)((x[r * d + i] - mean) * inv * w[i] + (b?[i] ?? 0));
        }
        return y;
    }

    /// <summary>y = x W (+ bias) (+ y when accumulating), W read element by element in its layout and dtype.</summary>
    public static float[] MatMul(float[] x, int rows, WeightMatrix w, float[]? bias, float[] y, bool accumulate)
    {
        var result = new float[rows * w.Out];
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < w.Out; j++)
            {
                double s = (accumulate ? y[r * w.Out + j] : 0) + (bias?[j] ?? 0);
                for (int p = 0; p < w.In; p++) s += (double)x[r * w.In + p] * w[p, j];
                result[r * w.Out + j] = (float)s;
            }
        return result;
    }

    /// <summary>RMSNorm of each q head (gain q) and each k head (gain k) of fused qkv rows; v unchanged.</summary>
    public static float[] NormHeads(float[] qkv, int rows, AttentionShape shape, float[] qGain, float[] kGain, float eps)
    {
        var y = (float[])qkv.Clone();
        int dh = shape.DHead;
        for (int r = 0; r < rows; r++)
            for (int h = 0; h < shape.Heads + shape.KvHeads; h++)
            {
                int at = r * shape.QkvDim + h * dh;
                var g = h < shape.Heads ? qGain : kGain;
                double sq = 0;
                for (int i = 0; i < dh; i++) sq += (double)qkv[at + i] * qkv[at + i];
                double inv = 1 / Math.Sqrt(sq / dh + eps);
                for (int i = 0; i < dh; i++) y[at + i] = (float)(qkv[at + i] * inv * g[i]);
            }
        return y;
    }

    /// <summary>act(v) by the CPU's double-precision reference (v is a float value).</summary>
    public static double Activation(Activation act, double v) => ActivationRow.Reference(act, (float)v);

    public static float[] Activate(float[] x, Activation act) => Array.ConvertAll(x, v => (float)Activation(act, v));

    /// <summary>y[r, j] = act(gateUp[r, j]) * gateUp[r, f + j].</summary>
    public static float[] ActivateGated(float[] gateUp, int rows, int f, Activation act)
    {
        var y = new float[rows * f];
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < f; j++) y[r * f + j] = (float)(Activation(act, gateUp[r * 2 * f + j]) * gateUp[r * 2 * f + f + j]);
        return y;
    }

    public static float[] SoftCap(float[] x, float cap) => Array.ConvertAll(x, v => (float)(cap * Math.Tanh(v / cap)));

    /// <summary>The results of one attention call: z (after the head scales), the raw z, the pooled sums, the caches, the probabilities.</summary>
    public sealed record AttentionResult(float[] Z, float[] RawZ, float[] Sums, float[] K, float[] V, float[] Probs);

    /// <summary>
    /// Causal attention over a packed batch as IBackend.Attention specifies it: RoPE on the first RotaryDims of each q and k
    /// head (the row's t/h/w positions for sectioned RoPE), k and v stored into the caches, scores (q . k) * scale soft-capped
    /// when asked, keys first..last of BatchLayout.VisibleKeys, softmax, z = sum p v; then the epilogue: raw z, pooled sums
    /// (+= weight * raw z), z *= alpha where the row is scaled. Caches are [slots * maxT, KvDim]; sums [samples, cols].
    /// </summary>
    public static AttentionResult Attention(float[] qkv, BatchLayout batch, AttentionShape shape, float[] kCache, float[] vCache, int maxT,
                                            int[]? rowSample, float[]? rowWeight, float[]? sums, int sumsCols, int poolOffset,
                                            float[]? alpha, byte[]? scaleRows)
    {
        int dh = shape.DHead, rows = batch.Rows;
        var q = (float[])qkv.Clone();
        var k = (float[])kCache.Clone();
        var v = (float[])vCache.Clone();
        for (int r = 0; r < rows; r++)
        {
            int pos = batch.RowPosition[r];
            if (shape.Rope is { } rope)
            {
                var p = batch.RopePositions;
                int[] rp = p == null ? [pos, pos, pos] : [p[3 * r], p[3 * r + 1], p[3 * r + 2]];
                for (int h = 0; h < shape.Heads + shape.KvHeads; h++) Rotate(q, r * shape.QkvDim + h * dh, rope, rp);
            }
            long cacheRow = (long)batch.Slot[batch.RowSequence[r]] * maxT + pos;
            Array.Copy(q, r * shape.QkvDim + shape.QDim, k, cacheRow * shape.KvDim, shape.KvDim);
            Array.Copy(q, r * shape.QkvDim + shape.QDim + shape.KvDim, v, cacheRow * shape.KvDim, shape.KvDim);
        }
        var z = new float[rows * shape.QDim];
        var raw = new float[rows * shape.QDim];
        var pooled = sums == null ? [] : (float[])sums.Clone();
        var probs = new float[shape.Heads * rows * rows];
        for (int r = 0; r < rows; r++)
        {
            var (first, last) = batch.VisibleKeys(r, shape.Window);
            int slotBase = batch.Slot[batch.RowSequence[r]] * maxT;
            for (int h = 0; h < shape.Heads; h++)
            {
                int kvh = h / (shape.Heads / shape.KvHeads);
                var scores = new double[last - first + 1];
                for (int s = first; s <= last; s++)
                {
                    double dot = 0;
                    for (int c = 0; c < dh; c++) dot += (double)q[r * shape.QkvDim + h * dh + c] * k[(long)(slotBase + s) * shape.KvDim + kvh * dh + c];
                    double score = dot * shape.Scale;
                    scores[s - first] = shape.SoftCap is float cap ? cap * Math.Tanh(score / cap) : score;
                }
                double max = scores.Max(), total = scores.Sum(x => Math.Exp(x - max));
                for (int c = 0; c < dh; c++)
                {
                    double acc = 0;
                    for (int s = first; s <= last; s++) acc += Math.Exp(scores[s - first] - max) / total * v[(long)(slotBase + s) * shape.KvDim + kvh * dh + c];
                    int at = r * shape.QDim + h * dh + c;
                    raw[at] = (float)acc;
                    if (rowSample != null && rowSample[r] >= 0)
                        pooled[rowSample[r] * sumsCols + poolOffset + h * dh + c] = (float)(pooled[rowSample[r] * sumsCols + poolOffset + h * dh + c] + rowWeight![r] * acc);
                    z[at] = (float)(alpha != null && scaleRows![r] != 0 ? alpha[h] * acc : acc);
                }
                if (batch.Sequences == 1)
                    for (int s = first; s <= last; s++) probs[(h * rows + r) * rows + s] = (float)(Math.Exp(scores[s - first] - max) / total);
            }
        }
        return new AttentionResult(z, raw, pooled, k, v, probs);
    }

    /// <summary>Rotate-half RoPE on x[at..at + RotaryDims) with angles computed from the table's inverse frequencies.</summary>
    static void Rotate(float[] x, int at, RopeTable rope, int[] pos)
    {
        int half = rope.RotaryDims / 2;
        for (int j = 0; j < half; j++)
        {
            int p = j < rope.SectionEnd1 ? pos[0] : j < rope.SectionEnd2 ? pos[1] : pos[2];
            double angle = p * rope.InvFreq[j], a = x[at + j], b = x[at + j + half];
            x[at + j] = (float)(a * Math.Cos(angle) - b * Math.Sin(angle));
            x[at + j + half] = (float)(b * Math.Cos(angle) + a * Math.Sin(angle));
        }
    }
}
