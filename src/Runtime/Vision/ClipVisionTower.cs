using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using HeadPursuit.Runtime.Cpu;
using HeadPursuit.Runtime.Tensors;

namespace HeadPursuit.Runtime.Vision;

/// <summary>
/// The CLIP or SigLIP vision transformer on the CPU (Dv hidden; N = P + 1 rows with CLIP's class token first, P with SigLIP):
///   CLIP:   x = [class_embedding; unfold(pixels) W_patch^T] + position_embedding;  x = pre_layrnorm(x)  = hidden_states[0]
///   SigLIP: x = unfold(pixels) W_patch^T + b_patch + position_embedding                            = hidden_states[0]
///   per layer: x += out_proj(MHA(layer_norm1(x)));  x += fc2(act(fc1(layer_norm2(x))))           = hidden_states[i+1]
///   SigLIP's last_hidden_state = post_layernorm(hidden_states[Lv])
/// MHA has no mask: every row sees all N. Projections and each head's attention products run through <see cref="Gemm"/>
/// (attention is a few percent of the FLOPs at CLIP's N = 577, a third at SigLIP's N = 4096).
/// </summary>
internal sealed class ClipVisionTower(ClipVisionWeights w)
{
    public ClipVisionConfig Config => w.Config;

    /// <summary>
    /// hidden_states[<paramref name="hiddenState"/>] ([N, Dv]) for one image's pixel_values [3, S, S]. Layers after it
    /// are not run unless a recording asks for everything.
    /// </summary>
    public float[] Run(ReadOnlySpan<float> pixelValues, int hiddenState, VisionRecording? record = null)
    {
        var c = Config;
        int S = c.ImageSize, n = c.Rows, d = c.Hidden;
        if (pixelValues.Length != c.Channels * S * S)
            throw new ArgumentException($"pixel_values hold {pixelValues.Length} values; the vision tower expects [{c.Channels}, {S}, {S}] = {c.Channels * S * S}");
        if ((uint)hiddenState > (uint)c.Layers) throw new ArgumentOutOfRangeException(nameof(hiddenState), $"hidden state {hiddenState} is outside 0..{c.Layers}");

        var x = Embed(pixelValues);                    // [N, Dv]
        if (record != null) x.CopyTo(record.HiddenStates, 0);
        var result = hiddenState == 0 ? (float[])x.Clone() : null;
        var h = new float[n * d];                       // [N, Dv] normed input of a sub-block
        var q = new float[n * d];                       // [N, Dv]
        var k = new float[n * d];                       // [N, Dv]
        var v = new float[n * d];                       // [N, Dv]
        var z = new float[n * d];                       // [N, Dv] concatenated head outputs
        var o = new float[n * d];                       // [N, Dv] a sub-block's output
        var mlp = new float[n * c.Intermediate];        // [N, I]
        int last = record != null ? c.Layers : hiddenState;
        for (int l = 0; l < last; l++)
        {
            var L = w.Layers[l];
            LayerNorm(x, L.Norm1Weight, L.Norm1Bias, h, d, c.LayerNormEps);
            Gemm.MatMul(h, n, L.Q, q, L.QBias);
            Gemm.MatMul(h, n, L.K, k, L.KBias);
            Gemm.MatMul(h, n, L.V, v, L.VBias);
            Attention(q, k, v, z, n, d, c.Heads, record?.AttnProbs.AsMemory(l * c.Heads * n * n, c.Heads * n * n));
            Gemm.MatMul(z, n, L.Out, o, L.OutBias);
            TensorPrimitives.Add(x, o, x);

            LayerNorm(x, L.Norm2Weight, L.Norm2Bias, h, d, c.LayerNormEps);
            Gemm.MatMul(h, n, L.Fc1, mlp, L.Fc1Bias);
            Activations.Apply(c.Activation, mlp);
            Gemm.MatMul(mlp, n, L.Fc2, o, L.Fc2Bias);
            TensorPrimitives.Add(x, o, x);

            if (record != null) x.CopyTo(record.HiddenStates, (l + 1) * n * d);
            if (l + 1 == hiddenState) result = (float[])x.Clone();
        }
        return result!;
    }

    /// <summary>
    /// SigLIP's output, last_hidden_state = post_layernorm(hidden_states[Lv]) ([P, Dv]) for one image's pixel_values
    /// [3, S, S]; every layer runs.
    /// </summary>
    public float[] LastHiddenState(ReadOnlySpan<float> pixelValues, VisionRecording? record = null)
    {
        var c = Config;
        if (w.PostNormWeight is not { } weight || w.PostNormBias is not { } bias)
            throw new InvalidOperationException($"a {c.Kind} vision tower has no post_layernorm (its output is a hidden state)");
        var x = Run(pixelValues, c.Layers, record);   // [N, Dv]
        var y = new float[x.Length];                  // [N, Dv]
        LayerNorm(x, weight, bias, y, c.Hidden, c.LayerNormEps);
        return y;
    }

    /// <summary>[N, Dv]: CLIP [CLS; patch embeddings] + positions, then pre_layrnorm; SigLIP patch embeddings + bias + positions.</summary>
    float[] Embed(ReadOnlySpan<float> pixels)
    {
        var c = Config;
        int d = c.Hidden, n = c.Rows, first = n - c.Patches;   // first patch row: 1 after CLIP's class token, else 0
        var patches = Unfold(pixels, c);                        // [P, 3 p p]
        var embedded = new float[n * d];                        // [N, Dv]
        w.ClassEmbedding?.CopyTo(embedded, 0);
        Gemm.MatMul(patches, c.Patches, w.PatchEmbedding, embedded.AsSpan(first * d), w.PatchBias);
        TensorPrimitives.Add(embedded, w.PositionEmbedding, embedded);
        if (w.PreNormWeight is not { } weight) return embedded;
        var x = new float[n * d];
        LayerNorm(embedded, weight, w.PreNormBias!, x, d, c.LayerNormEps);
        return x;
    }

    /// <summary>
    /// The stride-p convolution's inputs: row gy*g + gx holds pixels[ch, gy*p + i, gx*p + j] at column ch*p*p + i*p + j
    /// (the Conv2d weight's [out, ch, i, j] order). Returns [P, 3 p p].
    /// </summary>
    public static float[] Unfold(ReadOnlySpan<float> pixels, ClipVisionConfig c)
    {
        int p = c.PatchSize, g = c.Grid, S = c.ImageSize, len = c.PatchLength;
        var patches = new float[c.Patches * len];
        for (int gy = 0; gy < g; gy++)
            for (int gx = 0; gx < g; gx++)
                for (int ch = 0; ch < c.Channels; ch++)
                    for (int i = 0; i < p; i++)
                        pixels.Slice((ch * S + gy * p + i) * S + gx * p, p)
                              .CopyTo(patches.AsSpan((gy * g + gx) * len + (ch * p + i) * p, p));
        return patches;
    }

    /// <summary>LayerNorm per row of [rows, d]: biased variance, statistics in double.</summary>
    static void LayerNorm(ReadOnlySpan<float> x, float[] weight, float[] bias, Span<float> y, int d, float eps)
    {
        for (int r = 0; r < x.Length / d; r++)
        {
            var xs = x.Slice(r * d, d);
            double mean = 0, sq = 0;
            foreach (float v in xs) mean += v;
            mean /= d;
            foreach (float v in xs) sq += (v - mean) * (v - mean);
            double inv = 1 / Math.Sqrt(sq / d + eps);
            for (int i = 0; i < d; i++) y[r * d + i] = (float)((xs[i] - mean) * inv) * weight[i] + bias[i];
        }
    }

    /// <summary>
    /// Unmasked multi-head attention of one layer, z[:, h] = softmax(q_h k_h^T / sqrt(dh)) v_h for every head h, as two
    /// matrix products per head (its scores [N, N] at a time, heads one after another, each product on all cores).
    /// q, k, v, z are [N, Dv]; <paramref name="probs"/>, when given, receives [Hv, N, N].
    /// </summary>
    internal static unsafe void Attention(float[] q, float[] k, float[] v, float[] z, int n, int d, int heads, Memory<float>? probs)
    {
        int dh = d / heads;
        var qh = new float[n * dh];                                               // [N, dh] one head's queries
        var kh = GC.AllocateUninitializedArray<float>(n * dh, pinned: true);      // [N, dh], read by the GEMM as k_h^T
        var vh = GC.AllocateUninitializedArray<float>(n * dh, pinned: true);      // [N, dh]
        var scores = new float[n * n];                                            // [N, N] its scores, then probabilities
        var zh = new float[n * dh];                                               // [N, dh]
        var kMatrix = new WeightMatrix(new TensorView("k_h", DType.F32, [n, dh], (byte*)Marshal.UnsafeAddrOfPinnedArrayElement(kh, 0), "memory", owner: kh),
                                       WeightLayout.OutIn);
        var vMatrix = new WeightMatrix(new TensorView("v_h", DType.F32, [n, dh], (byte*)Marshal.UnsafeAddrOfPinnedArrayElement(vh, 0), "memory", owner: vh),
                                       WeightLayout.InOut);
        for (int h = 0; h < heads; h++)
        {
            Columns(q, h * dh, dh, d, qh);
            Columns(k, h * dh, dh, d, kh);
            Columns(v, h * dh, dh, d, vh);
            Gemm.MatMul(qh, n, kMatrix, scores);    // q_h k_h^T
            var softmax = new ScaledSoftmax(scores, n, 1f / MathF.Sqrt(dh));
            CpuParallel.For(n, ref softmax);
            Gemm.MatMul(scores, n, vMatrix, zh);    // P v_h
            for (int t = 0; t < n; t++) zh.AsSpan(t * dh, dh).CopyTo(z.AsSpan(t * d + h * dh, dh));
            if (probs is { } all) scores.CopyTo(all.Span.Slice(h * n * n, n * n));
        }
        GC.KeepAlive(kMatrix);   // the GEMMs read the pinned arrays through raw pointers
        GC.KeepAlive(vMatrix);
    }

    /// <summary>dst [N, width] = columns first..first + width of src [N, stride].</summary>
    static void Columns(float[] src, int first, int width, int stride, float[] dst)
    {
        for (int t = 0; t < dst.Length / width; t++) src.AsSpan(t * stride + first, width).CopyTo(dst.AsSpan(t * width, width));
    }

    /// <summary>Row t of scores [N, N]: softmax(scale * row).</summary>
    readonly struct ScaledSoftmax(float[] scores, int n, float scale) : IParallelBody
    {
        public void Run(int t)
        {
            var row = scores.AsSpan(t * n, n);
            TensorPrimitives.Multiply(row, scale, row);
            TensorPrimitives.SoftMax(row, row);
        }
    }

    /// <summary>The same attention as plain loops, one query row and one key at a time (the reference the tests compare with).</summary>
    internal static void ReferenceAttention(float[] q, float[] k, float[] v, float[] z, int n, int d, int heads, Memory<float>? probs)
    {
        var attention = new HeadAttention(q, k, v, z, n, d, d / heads, probs);
        CpuParallel.For(heads, ref attention);
    }

    /// <summary>One head of unmasked attention: z[:, head] = softmax(q_h k_h^T / sqrt(dh)) v_h, over all N rows.</summary>
    readonly struct HeadAttention(float[] q, float[] k, float[] v, float[] z, int n, int d, int dh, Memory<float>? probs) : IParallelBody
    {
        public void Run(int head)
        {
            float scale = 1f / MathF.Sqrt(dh);
            var p = new float[n];   // [N] probabilities of one query row
            for (int t = 0; t < n; t++)
            {
                var qt = q.AsSpan(t * d + head * dh, dh);
                for (int s = 0; s < n; s++) p[s] = TensorPrimitives.Dot(qt, k.AsSpan(s * d + head * dh, dh)) * scale;
                TensorPrimitives.SoftMax(p, p);
                var zt = z.AsSpan(t * d + head * dh, dh);
                zt.Clear();
                for (int s = 0; s < n; s++) TensorPrimitives.MultiplyAdd(v.AsSpan(s * d + head * dh, dh), p[s], zt, zt);
                if (probs is { } all) p.CopyTo(all.Span.Slice((head * n + t) * n, n));
            }
        }
    }
}
