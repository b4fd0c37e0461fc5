using System.Numerics.Tensors;
using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Cpu;
using HeadPursuit.Runtime.Models;

namespace HeadPursuit.Runtime.Vision.Qwen25Vl;

/// <summary>
/// The Qwen2.5-VL vision transformer on the CPU (N pixel rows of one or more images, Dv hidden, U = N / m^2 merge units):
///   x = pixel_values W_patch^T                                  the Conv3d as a matrix multiply   = hidden_states[0]
///   rows permuted into window order (<see cref="VisionWindows"/>: each unit's m^2 rows kept together)
///   per block: x += proj(attention(rotary(q), rotary(k), v of norm1(x)))  within windows, or within each image in the
///              full-attention blocks; x += down(silu(gate(h)) * up(h)), h = norm2(x)          = hidden_states[i+1]
///   merger: ln_q(x), each unit's m^2 rows side by side [U, m^2 Dv], mlp.2(gelu(mlp.0(.)))  -> [U, d]
///   units put back in their own order (row-major per image, images in order).
/// 2-D rotary: a row at patch (h, w) rotates the first half of each head's frequencies by h and the second by w
/// (a <see cref="RopeTable"/> with sections (0, dh/4, dh/4) over the frequencies 10000^(-2i / (dh/2)), i &lt; dh/4, twice).
/// RMSNorms use eps 1e-6 (fixed in HF's code). Projections run through <see cref="Gemm"/>; attention is plain loops
/// over (window or image, head), in parallel.
/// </summary>
internal sealed class Qwen25VisionTower(Qwen25VisionWeights w)
{
    const float NormEps = 1e-6f;

    public Qwen25VisionConfig Config => w.Config;

    /// <summary>
    /// Image embeddings [U, d] of the images whose pixel rows [N, PatchDim] are concatenated in <paramref name="pixelRows"/>
    /// (grids in the same order): units row-major per image, images in order.
    /// </summary>
    public float[] Run(ReadOnlySpan<float> pixelRows, IReadOnlyList<ImageGrid> grids, Qwen25VisionRecording? record = null)
    {
        var c = Config;
        int n = CheckRows(pixelRows.Length, grids), d = c.Hidden, f = c.Intermediate, units = n / c.MergeUnit;
        if (record != null && record.Rows != n) throw new ArgumentException($"the recording holds {record.Rows} rows; the images have {n}");
        var windows = VisionWindows.Of(grids, c.MergeSize, c.WindowUnits);
        var order = windows.RowOrder;                           // [N] window-order row -> processor row
        var pos = PatchPositions(grids, c.MergeSize);          // [N, 2] (h, w) per processor row
        var rope = Rotary(grids);

        var embedded = new float[n * d];                         // [N, Dv] processor order
        Gemm.MatMul(pixelRows, n, w.PatchEmbedding, embedded);
        if (record != null) embedded.CopyTo(record.HiddenStates, 0);
        var x = new float[n * d];                                // [N, Dv] window order
        for (int r = 0; r < n; r++) embedded.AsSpan(order[r] * d, d).CopyTo(x.AsSpan(r * d, d));

        var h = new float[n * d];                                // [N, Dv] normed input of a sub-block
        var qkv = new float[n * 3 * d];                          // [N, 3 Dv] q | k | v
        var z = new float[n * d];                                // [N, Dv] heads concatenated
        var o = new float[n * d];                                // [N, Dv] a sub-block's output
        var gateUp = new float[n * 2 * f];                       // [N, 2 I] gate | up
        var act = new float[n * f];                              // [N, I]
        for (int l = 0; l < c.Depth; l++)
        {
            var B = w.Blocks[l];
            RmsNorm(x, B.Norm1, h, d);
            Gemm.MatMul(h, n, B.Qkv, qkv, B.QkvBias);
            Rotate(qkv, n, order, pos, rope);
            var bounds = c.FullAttentionBlocks.Contains(l) ? windows.CuSeqlens : windows.CuWindowSeqlens;
            var probs = record?.AttnProbs.AsMemory(l * c.Heads * n * n, c.Heads * n * n);
            var attention = new SegmentAttention(qkv, z, bounds, d, c.DHead, c.Heads, n, order, probs);
            CpuParallel.For((bounds.Length - 1) * c.Heads, ref attention);
            Gemm.MatMul(z, n, B.Proj, o, B.ProjBias);
            TensorPrimitives.Add(x, o, x);

            RmsNorm(x, B.Norm2, h, d);
            Gemm.MatMul(h, n, B.GateUp, gateUp, B.GateUpBias);
            SiluGate(gateUp, act, n, f);
            Gemm.MatMul(act, n, B.Down, o, B.DownBias);
            TensorPrimitives.Add(x, o, x);

            if (record != null)
                for (int r = 0; r < n; r++) x.AsSpan(r * d, d).CopyTo(record.HiddenStates.AsSpan(((l + 1) * n + order[r]) * d, d));
        }

        RmsNorm(x, w.MergerNorm, h, d);                          // h = [U, m^2 Dv]: a unit's rows side by side
        var hidden = new float[units * c.MergeUnit * d];         // [U, m^2 Dv]
        Gemm.MatMul(h, units, w.MergerFc1, hidden, w.MergerFc1Bias);
        Activations.Gelu(hidden);
        var merged = new float[units * c.OutHidden];             // [U, d] window order
        Gemm.MatMul(hidden, units, w.MergerFc2, merged, w.MergerFc2Bias);
        var result = new float[units * c.OutHidden];             // [U, d] unit order
        for (int k = 0; k < units; k++)
            merged.AsSpan(k * c.OutHidden, c.OutHidden).CopyTo(result.AsSpan(windows.WindowIndex[k] * c.OutHidden, c.OutHidden));
        return result;
    }

    /// <summary>The images' rows (checked against the pixel values given) after checking every grid fits the merge size.</summary>
    int CheckRows(int values, IReadOnlyList<ImageGrid> grids)
    {
        var c = Config;
        if (grids.Count == 0) throw new ArgumentException("the vision tower needs at least one image");
        foreach (var g in grids)
            if (g.T <= 0 || g.H <= 0 || g.W <= 0 || g.H % c.MergeSize != 0 || g.W % c.MergeSize != 0)
                throw new ArgumentException($"image grid {g} (t, h, w in patches) must be positive with h and w multiples of spatial_merge_size {c.MergeSize}");
        long rows = grids.Sum(g => (long)g.Patches);
        if (values != rows * c.PatchDim)
            throw new ArgumentException($"pixel_values hold {values} values; grids {string.Join(" ", grids)} need [{rows}, {c.PatchDim}]");
        return (int)rows;
    }

    /// <summary>
    /// [N, 2]: each pixel row's patch (row, column) in its frame, in the processor's order (merge blocks row-major,
    /// rows inside a block row-major; HF rot_pos_emb's pos_ids).
    /// </summary>
    public static int[] PatchPositions(IReadOnlyList<ImageGrid> grids, int mergeSize)
    {
        var pos = new List<int>();
        int m = mergeSize;
        foreach (var g in grids)
            for (int t = 0; t < g.T; t++)
                for (int bh = 0; bh < g.H / m; bh++)
                    for (int bw = 0; bw < g.W / m; bw++)
                        for (int mh = 0; mh < m; mh++)
                            for (int mw = 0; mw < m; mw++) { pos.Add(bh * m + mh); pos.Add(bw * m + mw); }
        return [.. pos];
    }

    /// <summary>The 2-D rotary table: frequencies 10000^(-2i / (dh/2)) for rows, then the same for columns.</summary>
    RopeTable Rotary(IReadOnlyList<ImageGrid> grids)
    {
        int quarter = Config.DHead / 4;
        var inv = new RopeSettings(10000).InverseFrequencies(2 * quarter);   // [dh/4]
        return new RopeTable([.. inv, .. inv], grids.Max(g => Math.Max(g.H, g.W)), sections: (0, quarter, quarter));
    }

    /// <summary>q and k of every head of every row rotated by the row's patch position (qkv [N, 3 Dv], window order).</summary>
    void Rotate(float[] qkv, int n, int[] order, int[] pos, RopeTable rope)
    {
        int d = Config.Hidden, dh = Config.DHead;
        for (int r = 0; r < n; r++)
        {
            int ph = pos[2 * order[r]], pw = pos[2 * order[r] + 1];
            for (int head = 0; head < Config.Heads; head++)
            {
                rope.Apply(qkv.AsSpan(r * 3 * d + head * dh, dh), 0, ph, pw);
                rope.Apply(qkv.AsSpan(r * 3 * d + d + head * dh, dh), 0, ph, pw);
            }
        }
    }

    /// <summary>RMSNorm per row of [rows, d]: w * x / sqrt(mean(x^2) + 1e-6), statistics in double.</summary>
    static void RmsNorm(ReadOnlySpan<float> x, float[] weight, Span<float> y, int d)
    {
        for (int r = 0; r < x.Length / d; r++)
        {
            var xs = x.Slice(r * d, d);
            double sq = 0;
            foreach (float v in xs) sq += (double)v * v;
            double inv = 1 / Math.Sqrt(sq / d + NormEps);
            for (int i = 0; i < d; i++) y[r * d + i] = weight[i] * (float)(xs[i] * inv);
        }
    }

    /// <summary>act [rows, I] = silu(gate) * up from gateUp [rows, 2 I] (gate columns first).</summary>
    static void SiluGate(float[] gateUp, float[] act, int rows, int f)
    {
        for (int r = 0; r < rows; r++)
            for (int i = 0; i < f; i++)
            {
                float g = gateUp[r * 2 * f + i];
                act[r * f + i] = g / (1f + MathF.Exp(-g)) * gateUp[r * 2 * f + f + i];
            }
    }

    /// <summary>
    /// One (segment, head) of attention without a mask inside the segment [bounds[s], bounds[s+1]) of window-order rows:
    /// z[t, head] = softmax(q_t k^T / sqrt(dh)) v over the segment. Probabilities go to the processor-order rows of a
    /// recording [Hv, N, N] when one is given.
    /// </summary>
    readonly struct SegmentAttention(float[] qkv, float[] z, int[] bounds, int d, int dh, int heads, int n, int[] order, Memory<float>? probs) : IParallelBody
    {
        public void Run(int index)
        {
            int s = index / heads, head = index % heads, first = bounds[s], len = bounds[s + 1] - first;
            float scale = 1f / MathF.Sqrt(dh);
            var p = new float[len];   // [len] probabilities of one query row
            for (int t = first; t < first + len; t++)
            {
                var q = qkv.AsSpan(t * 3 * d + head * dh, dh);
                for (int u = 0; u < len; u++) p[u] = TensorPrimitives.Dot(q, qkv.AsSpan((first + u) * 3 * d + d + head * dh, dh)) * scale;
                TensorPrimitives.SoftMax(p, p);
                var zt = z.AsSpan(t * d + head * dh, dh);
                zt.Clear();
                for (int u = 0; u < len; u++) TensorPrimitives.MultiplyAdd(qkv.AsSpan((first + u) * 3 * d + 2 * d + head * dh, dh), p[u], zt, zt);
                if (probs is { } all)
                {
                    var row = all.Span.Slice((head * n + order[t]) * n, n);
                    for (int u = 0; u < len; u++) row[order[first + u]] = p[u];
                }
            }
        }
    }
}
