using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.Models;

namespace HeadPursuit.Runtime.Verification;

/// <summary>
/// head_out[l, t, h, :] = alpha_{l,h} * W_O^(h) z[l, t, h, :] (what each head writes into the residual stream,
/// TransformerLens hook_result), computed from a recording. A slow, obvious loop: it is for checks and hooks.
/// </summary>
public static class HeadOutputs
{
    /// <returns>[L, rows, H, d_model]</returns>
    public static float[] Compute(Transformer model, ForwardRecording rec, HeadScales? scales)
    {
        var c = model.Config;
        int T = rec.Rows, dh = c.DHead, d = c.DModel;
        var result = new float[c.Layers * T * c.Heads * d];
        for (int l = 0; l < c.Layers; l++)
        {
            var blocks = model.OutputBlocks(l);
            for (int h = 0; h < c.Heads; h++)
            {
                var w = blocks[h];   // [d, dh]
                float alpha = scales?[l, h] ?? 1f;
                for (int t = 0; t < T; t++)
                {
                    var z = rec.Z.AsSpan(((l * T + t) * c.Heads + h) * dh, dh);
                    var o = result.AsSpan(((l * T + t) * c.Heads + h) * d, d);
                    for (int i = 0; i < d; i++)
                    {
                        double s = 0;
                        for (int j = 0; j < dh; j++) s += (double)w[i * dh + j] * z[j];
                        o[i] = (float)(alpha * s);
                    }
                }
            }
        }
        return result;
    }
}
