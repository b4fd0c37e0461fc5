using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.Generation;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Runtime.Verification;

namespace HeadPursuit.Runtime.Vision;

/// <summary>
/// The quantities every vision-language fixture (MANIFEST section 5) checks the same way, whatever the family: the
/// per-head writes with the position policy applied, and means over the image positions.
/// </summary>
internal static class VisionVerification
{
    /// <summary>pixel_values from an exact port of the processor: within float rounding of the float64 reference.</summary>
    public const double PixelAtol = 1e-6;

    /// <summary>head_out [L, T, H, d] with each head's alpha applied only at the rows its position policy scales.</summary>
    public static float[] ScaledHeadOutputs(VisionLanguageModel model, ForwardRecording rec, ImagePrompt prompt, HeadScales? scales)
    {
        var headOut = HeadOutputs.Compute(model.Text, rec, null);
        if (scales == null) return headOut;
        var t = model.Text.Config;
        var rows = VisionLanguageModel.ScaleRows(prompt, scales);
        int T = rec.Rows, d = t.DModel;
        for (int l = 0; l < t.Layers; l++)
            for (int r = 0; r < T; r++)
                for (int h = 0; h < t.Heads; h++)
                    if (rows[r] != 0)
                    {
                        var o = headOut.AsSpan(((l * T + r) * t.Heads + h) * d, d);
                        for (int i = 0; i < d; i++) o[i] *= scales[l, h];
                    }
        return headOut;
    }

    /// <summary>Mean of x [L, T, H, n] (z or head_out) over the image positions: [L, H, n] (a plain loop, the reference).</summary>
    public static float[] ImageMean(float[] x, int[] positions, int layers, int T, int heads, int n)
    {
        var mean = new float[layers * heads * n];
        for (int l = 0; l < layers; l++)
            for (int h = 0; h < heads; h++)
                for (int j = 0; j < n; j++)
                {
                    double s = 0;
                    foreach (int t in positions) s += x[((l * T + t) * heads + h) * n + j];
                    mean[(l * heads + h) * n + j] = (float)(s / positions.Length);
                }
        return mean;
    }

    /// <summary>z_image_mean [L, H, dh] of one prompt through the streaming capture (what `capture --images` runs).</summary>
    public static float[] CapturedImageMean(VisionLanguageModel model, int[] ids, IReadOnlyList<PreparedImage> images) =>
        model.CaptureImages([ids], _ => images, batchSize: 1).Z;   // Z [L, H, n = 1, dh]

    /// <summary>A greedy generation case: the new ids exactly, and the logits of every step when the case stores them ([steps, vocab]).</summary>
    public static IEnumerable<Comparison> Generation(VisionLanguageModel model, string name, ImagePrompt prompt, int maxNewTokens, HeadScales? scales,
                                                     int[] newIds, float[]? stepLogits)
    {
        var result = model.Generate([prompt], new SamplingOptions { MaxNewTokens = maxNewTokens }, scales, keepStepLogits: stepLogits != null);
        yield return Comparison.Exact(name, "new_ids", result.NewTokens[0], newIds);
        if (stepLogits != null)
            yield return Comparison.Of(name, "step_logits", result.StepLogits![0].SelectMany(x => x).ToArray(), stepLogits, ModelVerifier.Atol, ModelVerifier.Rtol);
    }

    /// <summary>An error case: preparing the prompt must be refused with HF's "Image features and image tokens do not match".</summary>
    public static Comparison Refused(string name, Action prepare)
    {
        string? message = null;
        try { prepare(); }
        catch (ArgumentException x) { message = x.Message; }
        bool refused = message?.Contains("Image features and image tokens do not match", StringComparison.Ordinal) == true;
        return new Comparison(name, "refused", 0, 0, refused, refused ? null : message ?? "the prompt was accepted");
    }
}
