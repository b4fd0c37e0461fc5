using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.Models;

namespace HeadPursuit.Runtime.Verification;

/// <summary>
/// head_out[l, t, h, :] = alpha_{l,h} * W_O^(h) z[l, t, h, :] (what each head writes into the residual stream,
/// TransformerLens hook_result), computed from a recording. A slow, obvious loop: it is for checks and hooks.
/// </summary>
internal static class HeadOutputs
{
    /// <returns>[L, rows, H, d_model]</returns>
    public static float[] Compute(Transformer model, ForwardRecording rec, HeadScales? scales)
    {
        var c = model.Config;
        return Compute(model.OutputBlocks, rec.Z, c.Layers, rec.Rows, c.Heads, c.DHead, c.DModel, scales);
    }

    /// <param name="outputBlocks">Layer l's W_O^(h) blocks, each [d_model, d_head] (<see cref="OutputProjection.Blocks"/>).</param>
    /// <param name="z">[L, rows, H, d_head]</param>
    /// <returns>[L, rows, H, d_model]</returns>
    public static float[] Compute(Func<int, float[][]> outputBlocks, float[] z, int layers, int rows, int heads, int dHead, int dModel, HeadScales? scales)
    {
        int T = rows, dh = dHead, d = dModel;
        var result = new float[layers * T * heads * d];
        for (int l = 0; l < layers; l++)
        {
            var blocks = outputBlocks(l);
            for (int h = 0; h < heads; h++)
            {
                var w = blocks[h];   // [d, dh]
                float alpha = scales?[l, h] ?? 1f;
                for (int t = 0; t < T; t++)
                {
                    var zt = z.AsSpan(((l * T + t) * heads + h) * dh, dh);
                    var o = result.AsSpan(((l * T + t) * heads + h) * d, d);
                    for (int i = 0; i < d; i++)
                    {
                        double s = 0;
                        for (int j = 0; j < dh; j++) s += (double)w[i * dh + j] * zt[j];
                        o[i] = (float)(alpha * s);
                    }
                }
            }
        }
        return result;
    }
}
