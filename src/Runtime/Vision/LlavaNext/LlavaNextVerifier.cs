using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Generation;
using HeadPursuit.Runtime.Imaging;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Runtime.SafeTensors;
using HeadPursuit.Runtime.Verification;

namespace HeadPursuit.Runtime.Vision.LlavaNext;

/// <summary>
/// Runs every case of a LLaVA-NeXT fixture folder and compares with its README's tolerances: the processor's choices
/// (pinpoint scores, best resolution, resize size, padding, grid, unpadded map, token count) and its 8-bit images
/// exact, pixel_values within 1e-6, the packing order exact, the vision tower's and the language model's tensors
/// |a - e| &lt;= 1e-4 + 1e-4 |e| (attention probabilities 1e-5), generated ids exact, and the token-count errors refused.
/// </summary>
internal static class LlavaNextVerifier
{
    /// <param name="modelFolder">Where the weights and config are (default: the fixture folder; e.g. its new-layout/).</param>
    public static IEnumerable<Comparison> Run(string folder, IBackend backend, string? modelFolder = null)
    {
        var fixture = LlavaNextFixture.Load(folder);
        using var model = LlavaNextModel.Load(modelFolder ?? folder, backend);
        using var expected = SafeTensorsFile.Open(fixture.ExpectedFile);
        var processor = fixture.PreprocessorConfig != null ? LlavaNextImageProcessor.Load(fixture.PreprocessorConfig) : model.Processor;

        foreach (var p in fixture.Preprocessing)
            foreach (var r in Preprocessing(p, processor, model, expected))
                yield return r;

        foreach (var fc in fixture.Forward.Concat(fixture.Interventions))
            foreach (var r in ModelCase(model, fc, expected))
                yield return r;

        var t = model.Text.Config;
        foreach (var g in fixture.Generations)
        {
            var prompt = model.Prepare(g.PromptIds, Images(model, g.Name, expected, g.PixelValues, g.ImageSizes));
            var scales = LlavaFixture.ToScales(g.Scales, g.Policy, t.Layers, t.Heads);
            var result = model.Generate([prompt], new SamplingOptions { MaxNewTokens = g.MaxNewTokens }, scales, keepStepLogits: g.StepLogits != null);
            yield return Comparison.Exact(g.Name, "new_ids", result.NewTokens[0], g.NewIds);
            if (g.StepLogits != null)
                yield return Comparison.Of(g.Name, "step_logits", result.StepLogits![0].SelectMany(x => x).ToArray(), expected.Get(g.StepLogits).ToFloatArray(),
                                           ModelVerifier.Atol, ModelVerifier.Rtol);
        }

        foreach (var e in fixture.Errors)
        {
            string? message = null;
            try { model.Prepare(e.InputIds, Images(model, e.Name, expected, e.PixelValues, e.ImageSizes)); }
            catch (ArgumentException x) { message = x.Message; }
            bool refused = message?.Contains("Image features and image tokens do not match", StringComparison.Ordinal) == true;
            yield return new Comparison(e.Name, "refused", 0, 0, refused, refused ? null : message ?? "the prompt was accepted");
        }
    }

    /// <summary>
    /// The images of a case as the model takes them: image i is the first crops of row i of pixel_values
    /// [images, max crops, 3, S, S] (HF pads shorter images with zero crops and reads only their own).
    /// </summary>
    static LlavaNextModel.Image[] Images(LlavaNextModel model, string name, SafeTensorsFile expected, string? tensor, int[][] sizes)
    {
        if (sizes.Length == 0) return [];
        var view = expected.Get(tensor ?? throw new ModelFormatException($"case {name}: image_sizes without pixel_values"));
        var all = view.ToFloatArray();
        int S = model.Config.Vision.ImageSize, length = 3 * S * S;
        if (view.Shape.Length != 5 || view.Shape[0] != sizes.Length || view.Shape[2] * view.Shape[3] * view.Shape[4] != length)
            throw new ModelFormatException($"case {name}: {tensor} has shape [{string.Join(", ", view.Shape)}], expected [{sizes.Length}, crops, 3, {S}, {S}]");
        int perImage = view.Shape[1] * length;
        return sizes.Select((s, i) =>
        {
            int crops = model.Map(s[0], s[1]).Crops;
            if (crops > view.Shape[1]) throw new ModelFormatException($"case {name}: image {i} ({s[1]}x{s[0]}) takes {crops} crops, {tensor} holds {view.Shape[1]}");
            return new LlavaNextModel.Image($"{name}.image{i}", all.AsSpan(i * perImage, crops * length).ToArray(), s[0], s[1]);
        }).ToArray();
    }

    static IEnumerable<Comparison> Preprocessing(LlavaNextFixture.PreprocessingCase p, LlavaNextImageProcessor processor, LlavaNextModel model, SafeTensorsFile expected)
    {
        int[] U8(string quantity) => expected.Get(p.Tensors[quantity]).ToInt64Array().Select(v => (int)v).ToArray();
        static int[] Ints(RgbImage image) => Array.ConvertAll(image.Pixels, x => (int)x);
        var image = ImageFile.Load(p.File);
        yield return Comparison.Exact(p.Name, "decoded", Ints(image), U8("decoded"));
        yield return Comparison.Exact(p.Name, "image_size", [image.Height, image.Width], [p.Height, p.Width]);
        yield return Comparison.Exact(p.Name, "pinpoint_table",
            processor.GridPinpoints.SelectMany(pin => AnyResolution.Fit(image.Height, image.Width, pin) is var (e, w) ? new[] { e, w } : []).ToArray(),
            p.Table.SelectMany(x => x).ToArray());
        var best = processor.BestResolution(image);
        yield return Comparison.Exact(p.Name, "best_resolution", [best.Height, best.Width], p.BestResolution);
        var resized = processor.ResizeForPatching(image, best);
        yield return Comparison.Exact(p.Name, "resize_to", [resized.Width, resized.Height], p.ResizeTo);   // PIL's (width, height), as in LLaVA's cases
        var (top, left) = LlavaNextImageProcessor.Padding(resized.Height, resized.Width, best);
        yield return Comparison.Exact(p.Name, "padding", [top, best.Height - resized.Height - top, left, best.Width - resized.Width - left], p.Padding);
        yield return Comparison.Exact(p.Name, "resized", Ints(resized), U8("resized"));
        yield return Comparison.Exact(p.Name, "padded", Ints(LlavaNextImageProcessor.Pad(resized, best)), U8("padded"));
        yield return Comparison.Exact(p.Name, "base_resized", Ints(processor.Base(image)), U8("base_resized"));
        yield return Comparison.Of(p.Name, "pixel_values", processor.PixelValues(image), expected.Get(p.Tensors["pixel_values"]).ToFloatArray(), VisionVerification.PixelAtol, 0);
        var map = model.Map(image.Height, image.Width);
        yield return Comparison.Exact(p.Name, "feature_map", MapFacts(map, model.ImageTokens(image.Height, image.Width)), [.. p.Grid, p.Crops, .. p.Map, p.ImageTokens]);
    }

    /// <summary>(grid rows, grid cols, crops, map rows, map cols, rows kept, cols kept, image tokens).</summary>
    static int[] MapFacts(AnyResolution.FeatureMap m, int tokens) => [m.GridRows, m.GridCols, m.Crops, m.Rows, m.Cols, m.Kept.Rows, m.Kept.Cols, tokens];

    static IEnumerable<Comparison> ModelCase(LlavaNextModel model, LlavaNextFixture.ModelCase fc, SafeTensorsFile expected)
    {
        var t = model.Text.Config;
        var v = model.Config.Vision;
        var images = Images(model, fc.Name, expected, fc.PixelValues, fc.ImageSizes);
        var maps = images.Select(i => model.Map(i.Height, i.Width)).ToArray();
        var towers = maps.Select(m => Enumerable.Range(0, m.Crops).Select(_ => new VisionRecording(v)).ToArray()).ToArray();   // [image][crop]
        var cropFeatures = images.Select((image, i) => model.CropFeatures(image, towers[i])).ToArray();                           // [image][crops, P, d]
        var packed = images.Select((image, i) => model.Pack(image, cropFeatures[i])).ToArray();                                   // [image][tokens, d]
        var features = packed.SelectMany(x => x).ToArray();
        var prompt = model.MergeFeatures(fc.InputIds, features, images);
        if (fc.Images.Length != 0 && fc.Images.Length != images.Length)   // intervention cases repeat no packing facts
            yield return new Comparison(fc.Name, "per_image", 0, 0, false, $"{fc.Images.Length} per_image entries for {images.Length} images");
        for (int i = 0; i < Math.Min(images.Length, fc.Images.Length); i++)
        {
            var facts = fc.Images[i];
            string name = $"{fc.Name}.image{i}";
            yield return Comparison.Exact(name, "feature_map", MapFacts(maps[i], model.ImageTokens(images[i].Height, images[i].Width)),
                                          [.. facts.Grid, facts.Crops, .. facts.Map, facts.ImageTokens]);
            var rows = AnyResolution.PackedRows(maps[i]);   // [tokens]: crop * P + patch, or -1
            int P = v.Patches;
            if (facts.TokenKind != null) yield return Comparison.Exact(name, "token_kind", rows.Select(r => r < 0 ? 2 : r < P ? 0 : 1).ToArray(), facts.TokenKind);
            if (facts.TokenCrop != null) yield return Comparison.Exact(name, "token_crop", rows.Select(r => r < 0 ? -1 : r / P).ToArray(), facts.TokenCrop);
            if (facts.TokenPatch != null) yield return Comparison.Exact(name, "token_patch", rows.Select(r => r < 0 ? -1 : r % P).ToArray(), facts.TokenPatch);
            foreach (var (quantity, tensorName) in facts.Tensors)
            {
                float[] actual = quantity switch
                {
                    "vision_hidden_states" => [.. towers[i].SelectMany(r => r.HiddenStates)],
                    "vision_attn_probs" => [.. towers[i].SelectMany(r => r.AttnProbs)],
                    "image_selected" => [.. towers[i].SelectMany(r => r.Selected)],
                    "crop_features" => cropFeatures[i],
                    "packed_features" => packed[i],
                    _ => throw new ModelFormatException($"case {fc.Name} image {i} lists an unknown quantity '{quantity}'"),
                };
                yield return Compare(name, quantity, actual, expected.Get(tensorName).ToFloatArray());
            }
        }

        var c = new VisionVerification.ForwardCase(fc.Name, fc.InputIds, images, LlavaFixture.ToScales(fc.Scales, fc.Policy, t.Layers, t.Heads),
                                                   fc.ImagePositions, fc.ScaledPositions, fc.Tensors);
        foreach (var r in VisionVerification.ForwardQuantities(model, c, prompt, expected, (quantity, _) => quantity == "image_features" ? features : null))
            yield return r;
    }

    static Comparison Compare(string caseName, string quantity, float[] actual, float[] expected)
    {
        bool probs = quantity is "attn_probs" or "vision_attn_probs";
        return Comparison.Of(caseName, quantity, actual, expected, probs ? ModelVerifier.ProbAtol : ModelVerifier.Atol, probs ? 0 : ModelVerifier.Rtol);
    }
}
