using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.Imaging;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Runtime.SafeTensors;
using HeadPursuit.Runtime.Verification;

namespace HeadPursuit.Runtime.Vision;

/// <summary>
/// Runs every case of a LLaVA fixture folder (MANIFEST section 5) and compares with its tolerances: decoded and
/// resized images and crop boxes exact (this is an exact port of Pillow), pixel_values within 1e-6, activations and
/// logits |a - e| &lt;= 1e-4 + 1e-4 |e|, attention probabilities 1e-5, generated ids exact, and the image-token count
/// errors refused.
/// </summary>
internal static class LlavaVerifier
{
    /// <param name="modelFolder">Where the weights and config are (default: the fixture folder; e.g. its new-layout/).</param>
    public static IEnumerable<Comparison> Run(string folder, IBackend backend, string? modelFolder = null)
    {
        var fixture = LlavaFixture.Load(folder);
        using var model = LlavaModel.Load(modelFolder ?? folder, backend);
        using var expected = SafeTensorsFile.Open(fixture.ExpectedFile);
        float[] E(string name) => expected.Get(name).ToFloatArray();

        var processor = fixture.PreprocessorConfig != null ? ClipImageProcessor.Load(fixture.PreprocessorConfig) : model.Preprocessor;
        foreach (var p in fixture.Preprocessing)
            foreach (var r in Preprocessing(p, processor ?? throw new ModelFormatException($"{folder}: no preprocessor_config.json"), expected))
                yield return r;

        foreach (var fc in fixture.Forward.Concat(fixture.Interventions))
            foreach (var r in ModelCase(model, fc, E(fc.PixelValues), expected))
                yield return r;

        var t = model.Config.Text;
        foreach (var g in fixture.Generations)
            foreach (var r in VisionVerification.Generation(model, g.Name, model.Prepare(g.PromptIds, [new LlavaModel.Image(g.Name, E(g.PixelValues))]), g.MaxNewTokens,
                                                            LlavaFixture.ToScales(g.Scales, g.Policy, t.Layers, t.Heads), g.NewIds, g.StepLogits == null ? null : E(g.StepLogits)))
                yield return r;

        foreach (var e in fixture.Errors)
            yield return VisionVerification.Refused(e.Name, () => model.Prepare(e.InputIds, [new LlavaModel.Image(e.Name, E(e.PixelValues))]));
    }

    static IEnumerable<Comparison> Preprocessing(LlavaFixture.PreprocessingCase p, ClipImageProcessor processor, SafeTensorsFile expected)
    {
        int[] U8(string quantity) => expected.Get(p.Tensors[quantity]).ToInt64Array().Select(v => (int)v).ToArray();
        var decoded = ImageFile.Load(p.File);
        yield return Comparison.Exact(p.Name, "decoded", Ints(decoded.Pixels), U8("decoded"));
        var (w, h) = processor.ResizedSize(decoded.Width, decoded.Height);
        var (left, top) = processor.CropOrigin(w, h);
        yield return Comparison.Exact(p.Name, "crop_box", [w, h, left, top, left + processor.CropWidth, top + processor.CropHeight], [.. p.ResizeTo, .. p.CropBox]);
        yield return Comparison.Exact(p.Name, "resized", Ints(processor.Resize(decoded).Pixels), U8("resized"));
        yield return Comparison.Of(p.Name, "pixel_values", processor.PixelValues(decoded), expected.Get(p.Tensors["pixel_values"]).ToFloatArray(), VisionVerification.PixelAtol, 0);
    }

    static int[] Ints(byte[] b) => Array.ConvertAll(b, x => (int)x);

    static IEnumerable<Comparison> ModelCase(LlavaModel model, LlavaFixture.ModelCase fc, float[] pixelValues, SafeTensorsFile expected)
    {
        var t = model.Config.Text;
        var vision = new VisionRecording(model.Config.Vision);
        var features = model.ImageFeatures(pixelValues, vision);
        var prompt = model.MergeFeatures(fc.InputIds, features);
        var scales = LlavaFixture.ToScales(fc.Scales, fc.Policy, t.Layers, t.Heads);
        var c = new VisionVerification.ForwardCase(fc.Name, fc.InputIds, [new LlavaModel.Image("capture", pixelValues)], scales,
                                                   fc.ImagePositions, fc.ScaledPositions, fc.Tensors);
        return VisionVerification.ForwardQuantities(model, c, prompt, expected, (quantity, _) => quantity switch
        {
            "vision_hidden_states" => vision.HiddenStates,
            "vision_attn_probs" => vision.AttnProbs,
            "image_selected" => vision.Selected,
            "image_features" => features,
            _ => null,
        });
    }
}
