using HeadPursuit.Runtime.Cpu;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Runtime.SafeTensors;

namespace HeadPursuit.Runtime.Vision.Gemma3;

/// <summary>
/// Gemma 3's multi-modal projector (HF Gemma3MultiModalProjector) on the CPU: SigLIP's last hidden state [P, Dv], its
/// rows the g x g patch grid row-major, becomes n = t x t image features [n, d]:
///   pooled   = mean of each k x k block of the grid (k = g // t, stride k, no overlap), row-major     [n, Dv]
///   normed   = pooled / sqrt(mean(pooled^2) + eps) * (1 + w)   (mm_soft_emb_norm, eps = vision layer_norm_eps)
///   features = normed @ mm_input_projection_weight            (a [Dv, d] parameter, not an nn.Linear)  [n, d]
/// </summary>
internal sealed class Gemma3Projector
{
    readonly Gemma3Config _c;
    readonly float[] _gain;             // [Dv] 1 + mm_soft_emb_norm.weight
    readonly WeightMatrix _projection;  // stored [Dv, d]: in x out

    /// <param name="gain">[Dv] 1 + mm_soft_emb_norm.weight.</param>
    /// <param name="projection">mm_input_projection_weight, stored [Dv, d] (<see cref="WeightLayout.InOut"/>).</param>
    public Gemma3Projector(Gemma3Config c, float[] gain, WeightMatrix projection)
    {
        if (gain.Length != c.Vision.Hidden || projection.In != c.Vision.Hidden || projection.Out != c.Text.DModel)
            throw new ArgumentException($"the projector maps {c.Vision.Hidden} vision features to {c.Text.DModel}; got a gain of {gain.Length} and a {projection.In} -> {projection.Out} matrix");
        _c = c; _gain = gain; _projection = projection;
    }

    public static Gemma3Projector Load(WeightStore s, string prefix, Gemma3Config c)
    {
        int dv = c.Vision.Hidden, d = c.Text.DModel;
        var gain = Norm.OnePlus(s.Get(prefix + "mm_soft_emb_norm.weight").ExpectShape(dv).ToFloatArray());
        var projection = new WeightMatrix(s.Get(prefix + "mm_input_projection_weight").ExpectShape(dv, d), WeightLayout.InOut);
        return new Gemma3Projector(c, gain, projection);
    }

    /// <summary>[P, Dv] -> image features [n, d].</summary>
    public float[] Run(ReadOnlySpan<float> lastHiddenState) => Project(SoftEmbeddingNorm(Pool(lastHiddenState)));

    /// <summary>[P, Dv] -> [n, Dv]: HF's AvgPool2d(k, stride k) over the grid (rows and columns past t k are dropped, as there).</summary>
    public float[] Pool(ReadOnlySpan<float> hidden)
    {
        int g = _c.Vision.Grid, dv = _c.Vision.Hidden, t = _c.TokensPerSide, k = _c.PoolKernel;
        if (hidden.Length != g * g * dv) throw new ArgumentException($"{hidden.Length} vision values are not the {g}x{g} patch grid of {dv}");
        var pooled = new float[t * t * dv];   // [n, Dv]
        var sum = new double[dv];             // [Dv]
        for (int oy = 0; oy < t; oy++)
            for (int ox = 0; ox < t; ox++)
            {
                Array.Clear(sum);
                for (int y = oy * k; y < oy * k + k; y++)
                    for (int x = ox * k; x < ox * k + k; x++)
                    {
                        var row = hidden.Slice((y * g + x) * dv, dv);
                        for (int i = 0; i < dv; i++) sum[i] += row[i];
                    }
                var o = pooled.AsSpan((oy * t + ox) * dv, dv);
                for (int i = 0; i < dv; i++) o[i] = (float)(sum[i] / (k * k));
            }
        return pooled;
    }

    /// <summary>[n, Dv] -> [n, Dv]: Gemma's RMSNorm with the (1 + w) gain and the vision tower's eps.</summary>
    public float[] SoftEmbeddingNorm(ReadOnlySpan<float> pooled) => RmsNorm(pooled, _gain, _c.Vision.LayerNormEps);

    /// <summary>Each row of x [rows, gain.Length]: x / sqrt(mean(x^2) + eps) * gain, statistics in double.</summary>
    public static float[] RmsNorm(ReadOnlySpan<float> x, float[] gain, double eps)
    {
        int d = gain.Length;
        var y = new float[x.Length];   // [rows, d]
        for (int r = 0; r < x.Length / d; r++)
        {
            var row = x.Slice(r * d, d);
            double sq = 0;
            foreach (float v in row) sq += (double)v * v;
            double inv = 1 / Math.Sqrt(sq / d + eps);
            for (int i = 0; i < d; i++) y[r * d + i] = (float)(row[i] * inv) * gain[i];
        }
        return y;
    }

    /// <summary>[n, Dv] -> [n, d].</summary>
    public float[] Project(ReadOnlySpan<float> normed)
    {
        int n = normed.Length / _projection.In;
        var features = new float[n * _projection.Out];   // [n, d]
        Gemm.MatMul(normed, n, _projection, features);
        return features;
    }
}
