using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.Generation;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Runtime.SafeTensors;
using HeadPursuit.Runtime.Verification;

namespace HeadPursuit.Runtime.Vision;

/// <summary>
/// The quantities every vision-language fixture (MANIFEST section 5) checks the same way, whatever the family: the
/// language model's side of a forward case (logits, the recorded activations, the per-head writes with the position
/// policy applied, means over the image positions), generations and refusals.
/// </summary>
internal static class VisionVerification
{
    /// <summary>pixel_values from an exact port of the processor: within float rounding of the float64 reference.</summary>
    public const double PixelAtol = 1e-6;

    /// <summary>A forward or intervention case's inputs and what it lists, as every family's cases.json gives them.</summary>
    /// <param name="Tensors">quantity -> tensor name in expected.safetensors</param>
    public sealed record ForwardCase(string Name, int[] InputIds, IReadOnlyList<PreparedImage> Images, HeadScales? Scales,
                                     int[]? ImagePositions, int[]? ScaledPositions, IEnumerable<KeyValuePair<string, string>> Tensors);

    /// <summary>
    /// Runs the prepared prompt through the language model with the case's scales and compares: image_pos and scaled_pos
    /// when the case gives them, then every listed quantity. The language model's quantities are the same for every
    /// family; the family's own (its tower's steps, its features) come from <paramref name="familyQuantity"/>, given the
    /// recording, which returns null for a name it does not know (an unknown name is an error).
    /// </summary>
    public static IEnumerable<Comparison> ForwardQuantities(VisionLanguageModel model, ForwardCase fc, ImagePrompt prompt, SafeTensorsFile expected,
                                                            Func<string, ForwardRecording, float[]?> familyQuantity)
    {
        var t = model.Text.Config;
        int T = fc.InputIds.Length;
        var tensors = fc.Tensors.ToArray();
        var rec = new ForwardRecording(t.Layers, T, t.Heads, t.DHead, t.DModel, probs: tensors.Any(x => x.Key == "attn_probs"));
        var logits = model.Forward(prompt, fc.Scales, rec);

        if (fc.ImagePositions != null) yield return Comparison.Exact(fc.Name, "image_pos", prompt.ImagePositions, fc.ImagePositions);
        if (fc.ScaledPositions != null && fc.Scales != null)
        {
            var rows = VisionLanguageModel.ScaleRows(prompt, fc.Scales);
            yield return Comparison.Exact(fc.Name, "scaled_pos", Enumerable.Range(0, T).Where(i => rows[i] != 0).ToArray(), fc.ScaledPositions);
        }
        float[]? headOut = null;   // [L, T, H, d], computed once when a quantity needs it
        float[] HeadOut() => headOut ??= ScaledHeadOutputs(model, rec, prompt, fc.Scales);
        float[] Mean(float[] x, int n) => ImageMean(x, prompt.ImagePositions, t.Layers, T, t.Heads, n);
        foreach (var (quantity, tensorName) in tensors)
        {
            float[] actual = quantity switch
            {
                "logits" => logits,
                "z" => rec.Z,
                "head_out" => HeadOut(),
                "attn_out" => rec.AttnOut,
                "attn_probs" => rec.Probs!,
                "resid" => rec.Resid,
                "final_norm" => rec.FinalNorm,
                "inputs_embeds" => rec.Resid[..(T * t.DModel)],   // resid[0]
                // The streaming capture path for the plain model; the recording's mean when scales are applied.
                "z_image_mean" => fc.Scales == null ? CapturedImageMean(model, fc.InputIds, fc.Images) : Mean(rec.Z, t.DHead),
                "head_out_image_mean" => Mean(HeadOut(), t.DModel),
                _ => familyQuantity(quantity, rec) ?? throw new ModelFormatException($"case {fc.Name} lists an unknown quantity '{quantity}'"),
            };
            bool probs = quantity is "attn_probs" or "vision_attn_probs";
            yield return Comparison.Of(fc.Name, quantity, actual, expected.Get(tensorName).ToFloatArray(),
                                       probs ? ModelVerifier.ProbAtol : ModelVerifier.Atol, probs ? 0 : ModelVerifier.Rtol);
        }
    }

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
