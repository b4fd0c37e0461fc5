using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Imaging;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Runtime.SafeTensors;
using HeadPursuit.Runtime.Verification;

namespace HeadPursuit.Runtime.Vision.Gemma3;

/// <summary>
/// Runs every case of a Gemma 3 multimodal fixture folder (its README; MANIFEST section 5) and compares with its
/// tolerances: decoded and resized images exact (an exact port of Pillow), pixel_values within 1e-6, the vision tower's
/// and projector's intermediates, the language model's activations and logits |a - e| &lt;= 1e-4 + 1e-4 |e|, attention
/// probabilities 1e-5, the attention masks (sliding and global, image blocks included) and token types exact, generated
/// ids exact, and the image-token count errors refused.
/// </summary>
internal static class Gemma3Verifier
{
    /// <param name="modelFolder">Where the weights and config are (default: the fixture folder; e.g. a copy in the other tensor layout).</param>
    public static IEnumerable<Comparison> Run(string folder, IBackend backend, string? modelFolder = null)
    {
        var fixture = Gemma3Fixture.Load(folder);
        using var model = Gemma3Model.Load(modelFolder ?? folder, backend);
        using var weights = WeightStore.Open(modelFolder ?? folder);
        using var expected = SafeTensorsFile.Open(fixture.ExpectedFile);
        float[] E(string name) => expected.Get(name).ToFloatArray();
        Gemma3Model.Image[] Images(string[] names) => [.. names.Select(n => new Gemma3Model.Image(n, E(n)))];

        var processor = fixture.PreprocessorConfig != null ? Gemma3ImageProcessor.Load(fixture.PreprocessorConfig) : model.Processor;
        foreach (var p in fixture.Preprocessing)
            foreach (var r in Preprocessing(p, processor, expected))
                yield return r;

        foreach (var fc in fixture.Forward.Concat(fixture.Interventions))
            foreach (var r in ModelCase(model, weights, fc, Images(fc.PixelValues), expected))
                yield return r;

        var t = model.Config.Text;
        foreach (var g in fixture.Generations)
            foreach (var r in VisionVerification.Generation(model, g.Name, model.Prepare(g.PromptIds, Images(g.PixelValues)), g.MaxNewTokens,
                                                            LlavaFixture.ToScales(g.Scales, g.Policy, t.Layers, t.Heads), g.NewIds, g.StepLogits == null ? null : E(g.StepLogits)))
                yield return r;

        foreach (var e in fixture.Errors)
            yield return VisionVerification.Refused(e.Name, () => model.Prepare(e.InputIds, Images(e.PixelValues)));
    }

    static IEnumerable<Comparison> Preprocessing(Gemma3Fixture.PreprocessingCase p, Gemma3ImageProcessor processor, SafeTensorsFile expected)
    {
        int[] U8(string quantity) => expected.Get(p.Tensors[quantity]).ToInt64Array().Select(v => (int)v).ToArray();
        var decoded = ImageFile.Load(p.File);
        yield return Comparison.Exact(p.Name, "decoded", Ints(decoded.Pixels), U8("decoded"));
        yield return Comparison.Exact(p.Name, "resized", Ints(processor.Resize(decoded).Pixels), U8("resized"));
        yield return Comparison.Of(p.Name, "pixel_values", processor.PixelValues(decoded, p.File), expected.Get(p.Tensors["pixel_values"]).ToFloatArray(),
                                   VisionVerification.PixelAtol, 0);
    }

    static int[] Ints(byte[] b) => Array.ConvertAll(b, x => (int)x);

    /// <summary>One image through the tower and projector, step by step: every intermediate the fixture stores.</summary>
    sealed record ImageSteps(VisionRecording Vision, float[] LastHiddenState, float[] Pooled, float[] PooledNormed, float[] Features);

    static ImageSteps Steps(Gemma3Model model, float[] pixelValues)
    {
        var vision = new VisionRecording(model.Config.Vision);
        var last = model.Vision.LastHiddenState(pixelValues, vision);
        var pooled = model.Projector.Pool(last);
        var normed = model.Projector.SoftEmbeddingNorm(pooled);
        return new ImageSteps(vision, last, pooled, normed, model.ImageFeatures(pixelValues));   // the model's own path for the features
    }

    static IEnumerable<Comparison> ModelCase(Gemma3Model model, WeightStore weights, Gemma3Fixture.ModelCase fc, Gemma3Model.Image[] images,
                                             SafeTensorsFile expected)
    {
        var t = model.Config.Text;
        var steps = images.Select(i => Steps(model, i.PixelValues)).ToArray();
        float[] Stack(Func<ImageSteps, float[]> part) => [.. steps.SelectMany(part)];   // leading axis: the image
        var prompt = model.MergeFeatures(fc.InputIds, Stack(s => s.Features));
        if (fc.TokenTypeIds != null)
            yield return Comparison.Exact(fc.Name, "token_type_ids", prompt.ImageMask().Select(b => b ? 1 : 0).ToArray(), fc.TokenTypeIds);
        var listed = fc.Tensors.Concat(fc.Extra).ToArray();
        foreach (var (quantity, tensorName) in listed.Where(x => x.Key.StartsWith("mask_", StringComparison.Ordinal)))
            yield return Comparison.Of(fc.Name, quantity, Mask(model, prompt, quantity), expected.Get(tensorName).ToFloatArray(), 0, 0);   // 0 or 1, exact

        var c = new VisionVerification.ForwardCase(fc.Name, fc.InputIds, images, LlavaFixture.ToScales(fc.Scales, fc.Policy, t.Layers, t.Heads),
                                                   fc.ImagePositions, fc.ScaledPositions, listed.Where(x => !x.Key.StartsWith("mask_", StringComparison.Ordinal)));
        int T = fc.InputIds.Length;
        float[]? attnPostNorm = null;   // [L, T, d], computed once from the recording when a case lists it
        float[] AttnPostNormOf(ForwardRecording rec) => attnPostNorm ??= AttnPostNorm(model, weights, rec.AttnOut);
        foreach (var r in VisionVerification.ForwardQuantities(model, c, prompt, expected, (quantity, rec) => quantity switch
        {
            "attn_post_norm" => AttnPostNormOf(rec),
            "mlp_out_post_norm" => MlpPostNorm(rec.Resid, AttnPostNormOf(rec), t.Layers, T * t.DModel),
            "vision_hidden_states" => Stack(s => s.Vision.HiddenStates),
            "vision_attn_probs" => Stack(s => s.Vision.AttnProbs),
            "vision_last_hidden_state" => Stack(s => s.LastHiddenState),
            "image_pooled" => Stack(s => s.Pooled),
            "image_pooled_normed" => Stack(s => s.PooledNormed),
            "image_features" => Stack(s => s.Features),
            _ => null,
        }))
            yield return r;
    }

    /// <summary>
    /// [T, T], 1 where query t may attend to key s: the key range the attention kernels take for each row of the prompt
    /// (<see cref="BatchLayout.VisibleKeys"/>), on a sliding layer (mask_sliding_attention) or a global one.
    /// </summary>
    static float[] Mask(Gemma3Model model, ImagePrompt prompt, string quantity)
    {
        int T = prompt.Ids.Length;
        int? window = quantity switch
        {
            "mask_sliding_attention" => model.Config.Text.LayerAttention.Select(a => a.Window).FirstOrDefault(w => w != null)
                                        ?? throw new ModelFormatException($"{quantity}: the model has no sliding-window layer"),
            "mask_full_attention" => null,
            _ => throw new ModelFormatException($"unknown mask '{quantity}'"),
        };
        var layout = ImageRows.Prefill([0], [T], [prompt.Rows]);
        var mask = new float[T * T];
        for (int r = 0; r < T; r++)
        {
            var (first, last) = layout.VisibleKeys(r, window);
            for (int s = first; s <= last; s++) mask[r * T + s] = 1;
        }
        return mask;
    }

    /// <summary>[L, T, d]: RMSNorm1p(attn_out, post_attention_layernorm) per layer, what attention adds to the residual stream.</summary>
    static float[] AttnPostNorm(Gemma3Model model, WeightStore weights, float[] attnOut)
    {
        var t = model.Config.Text;
        int rows = attnOut.Length / t.Layers;
        var result = new float[attnOut.Length];
        for (int l = 0; l < t.Layers; l++)
        {
            var w = weights.Get(model.Layout.TextName($"model.layers.{l}.post_attention_layernorm.weight")).ExpectShape(t.DModel).ToFloatArray();
            Gemma3Projector.RmsNorm(attnOut.AsSpan(l * rows, rows), Norm.OnePlus(w), t.NormEps).CopyTo(result, l * rows);
        }
        return result;
    }

    /// <summary>[L, T, d]: what the MLP adds, resid[l + 1] - resid[l] - attn_post_norm[l].</summary>
    static float[] MlpPostNorm(float[] resid, float[] attnPostNorm, int layers, int size)
    {
        var result = new float[layers * size];
        for (int l = 0; l < layers; l++)
            for (int i = 0; i < size; i++)
                result[l * size + i] = resid[(l + 1) * size + i] - resid[l * size + i] - attnPostNorm[l * size + i];
        return result;
    }
}
