using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Generation;
using HeadPursuit.Runtime.Imaging;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Runtime.SafeTensors;
using HeadPursuit.Runtime.Verification;

namespace HeadPursuit.Runtime.Vision.Qwen25Vl;

/// <summary>
/// Runs every case of a Qwen2.5-VL fixture folder (its README.md) and compares with its tolerances: decoded and resized
/// images, smart_resize's branch and sizes, grids, token counts, window indices and position ids exact; normalized and
/// pixel_values within 1e-6 (an exact Pillow port); vision and language activations and logits |a - e| &lt;= 1e-4 + 1e-4 |e|;
/// attention probabilities 1e-5; generated ids exact; the image-token count errors refused.
/// </summary>
internal static class Qwen25VlVerifier
{
    public const string NewLayoutFolder = "new-layout";

    /// <summary>Every case with the fixture's weights, then again with its new-layout/ copy of them when it has one (case names prefixed "new-layout/").</summary>
    public static IEnumerable<Comparison> RunEveryLayout(string folder, IBackend backend)
    {
        foreach (var r in Run(folder, backend)) yield return r;
        string newLayout = Path.Combine(folder, NewLayoutFolder);
        if (Directory.Exists(newLayout))
            foreach (var r in Run(folder, backend, newLayout)) yield return r with { Case = $"{NewLayoutFolder}/{r.Case}" };
    }

    /// <param name="modelFolder">Where the weights and config are (default: the fixture folder; e.g. its new-layout/).</param>
    public static IEnumerable<Comparison> Run(string folder, IBackend backend, string? modelFolder = null)
    {
        var fixture = Qwen25VlFixture.Load(folder);
        using var model = Qwen25VlModel.Load(modelFolder ?? folder, backend);
        using var expected = SafeTensorsFile.Open(fixture.ExpectedFile);
        var processor = fixture.PreprocessorConfig != null ? Qwen2VlImageProcessor.Load(fixture.PreprocessorConfig) : model.Processor;
        var t = model.Text.Config;
        Qwen25VlModel.Image[] Images(Qwen25VlFixture.Inputs? inputs) =>
            inputs == null ? [] : inputs.PixelValues.Select((name, i) => new Qwen25VlModel.Image(name, expected.Get(name).ToFloatArray(), inputs.Grids[i])).ToArray();

        foreach (var p in fixture.Preprocessing)
            foreach (var r in Preprocessing(p, processor, expected))
                yield return r;

        foreach (var v in fixture.Vision)
            foreach (var r in VisionCase(model, v, Images(v.Inputs), expected))
                yield return r;

        foreach (var fc in fixture.Forward.Concat(fixture.Interventions))
            foreach (var r in ModelCase(model, fc, Images(fc.Inputs), expected))
                yield return r;

        foreach (var g in fixture.Generations)
        {
            var prompt = model.Prepare(g.PromptIds, Images(g.Inputs));
            var scales = LlavaFixture.ToScales(g.Scales, g.Policy, t.Layers, t.Heads);
            var result = model.Generate([prompt], new SamplingOptions { MaxNewTokens = g.MaxNewTokens }, scales, keepStepLogits: g.Tensors.ContainsKey("step_logits"));
            yield return Comparison.Exact(g.Name, "new_ids", result.NewTokens[0], g.NewIds);
            yield return Comparison.Exact(g.Name, "rope_delta", [prompt.Rows.RopeDelta], [g.RopeDelta]);
            if (g.Tensors.TryGetValue("step_logits", out var stepLogits))
                yield return Comparison.Of(g.Name, "step_logits", result.StepLogits![0].SelectMany(x => x).ToArray(), expected.Get(stepLogits).ToFloatArray(),
                                           ModelVerifier.Atol, ModelVerifier.Rtol);
            if (g.Tensors.TryGetValue("position_ids", out var positions))
                yield return Comparison.Exact(g.Name, "position_ids", GenerationPositions(prompt, result.NewTokens[0].Length), Longs(expected, positions));
        }

        foreach (var e in fixture.Errors)
        {
            string? message = null;
            try { model.Prepare(e.InputIds, Images(e.Inputs)); }
            catch (ArgumentException x) { message = x.Message; }
            bool refused = message?.Contains("Image features and image tokens do not match", StringComparison.Ordinal) == true;
            yield return new Comparison(e.Name, "refused", 0, 0, refused, refused ? null : message ?? "the prompt was accepted");
        }
    }

    static IEnumerable<Comparison> Preprocessing(Qwen25VlFixture.PreprocessingCase p, Qwen2VlImageProcessor processor, SafeTensorsFile expected)
    {
        var decoded = ImageFile.Load(p.File);
        yield return Comparison.Exact(p.Name, "decoded", Array.ConvertAll(decoded.Pixels, x => (long)x), Longs(expected, p.Tensors["decoded"]));
        var (h, w, branch) = processor.ResizedSize(decoded.Height, decoded.Width, p.File);
        string Name(SmartResizeBranch? b) => b switch { SmartResizeBranch.MaxPixels => "max_pixels", SmartResizeBranch.MinPixels => "min_pixels", _ => "round" };
        yield return Comparison.Exact(p.Name, "smart_resize",
            [Name(branch), $"{(double)decoded.Height / processor.Factor:R}", $"{(double)decoded.Width / processor.Factor:R}", $"{w}", $"{h}"],
            [p.Branch, $"{p.HeightOverFactor:R}", $"{p.WidthOverFactor:R}", $"{p.ResizeTo[0]}", $"{p.ResizeTo[1]}"]);
        var resized = processor.Resize(decoded, p.File);
        yield return Comparison.Exact(p.Name, "resized", Array.ConvertAll(resized.Pixels, x => (long)x), Longs(expected, p.Tensors["resized"]));
        var normalized = processor.Normalize(resized);
        yield return Comparison.Of(p.Name, "normalized", normalized, expected.Get(p.Tensors["normalized"]).ToFloatArray(), VisionVerification.PixelAtol, 0);
        var (pixels, gh, gw) = processor.Process(decoded, p.File);
        yield return Comparison.Of(p.Name, "pixel_values", pixels, expected.Get(p.Tensors["pixel_values"]).ToFloatArray(), VisionVerification.PixelAtol, 0);
        yield return Comparison.Exact(p.Name, "image_grid_thw", [1L, gh, gw], Longs(expected, p.Tensors["image_grid_thw"]));
        yield return Comparison.Exact(p.Name, "n_image_tokens", [new ImageGrid(1, gh, gw).Tokens(processor.MergeSize)], [p.ImageTokens]);
    }

    static IEnumerable<Comparison> VisionCase(Qwen25VlModel model, Qwen25VlFixture.VisionCase v, Qwen25VlModel.Image[] images, SafeTensorsFile expected)
    {
        var c = model.Config.Vision;
        var grids = images.Select(i => i.Grid).ToArray();
        var windows = VisionWindows.Of(grids, c.MergeSize, c.WindowUnits);
        yield return Comparison.Exact(v.Name, "window_index(json)", windows.WindowIndex, v.WindowIndex);
        yield return Comparison.Exact(v.Name, "cu_window_seqlens", windows.CuWindowSeqlens, v.CuWindowSeqlens);
        yield return Comparison.Exact(v.Name, "cu_seqlens", windows.CuSeqlens, v.CuSeqlens);
        int n = grids.Sum(g => g.Patches), d = c.Hidden;
        var record = new Qwen25VisionRecording(c, n);
        var embeds = model.ImageFeatures(images, record);
        yield return Comparison.Exact(v.Name, "n_image_tokens", [embeds.Length / c.OutHidden], [v.ImageTokens]);
        foreach (var (quantity, tensorName) in v.Tensors)
        {
            if (quantity is "pos_hw" or "window_index")
            {
                long[] actual = quantity == "pos_hw" ? [.. Qwen25VisionTower.PatchPositions(grids, c.MergeSize).Select(x => (long)x)] : [.. windows.WindowIndex.Select(x => (long)x)];
                yield return Comparison.Exact(v.Name, quantity, actual, Longs(expected, tensorName));
                continue;
            }
            float[] values = quantity switch
            {
                "patch_embeds" => record.HiddenStates.AsSpan(0, n * d).ToArray(),
                "hidden_states" => record.HiddenStates,
                "attn_probs" => record.AttnProbs,
                "image_embeds" => embeds,
                _ => throw new ModelFormatException($"case {v.Name} lists an unknown quantity '{quantity}'"),
            };
            bool probs = quantity == "attn_probs";
            yield return Comparison.Of(v.Name, quantity, values, expected.Get(tensorName).ToFloatArray(),
                                       probs ? ModelVerifier.ProbAtol : ModelVerifier.Atol, probs ? 0 : ModelVerifier.Rtol);
        }
    }

    static IEnumerable<Comparison> ModelCase(Qwen25VlModel model, Qwen25VlFixture.ModelCase fc, Qwen25VlModel.Image[] images, SafeTensorsFile expected)
    {
        var t = model.Text.Config;
        var prompt = model.Prepare(fc.InputIds, images);
        var positions = PositionRows(prompt);   // [3, T]
        if (fc.PositionIds != null) yield return Comparison.Exact(fc.Name, "position_ids(json)", positions, [.. fc.PositionIds.SelectMany(row => row.Select(x => (long)x))]);
        if (fc.RopeDelta is int delta) yield return Comparison.Exact(fc.Name, "rope_delta", [prompt.Rows.RopeDelta], [delta]);
        if (fc.Tensors.TryGetValue("position_ids", out var positionTensor))
            yield return Comparison.Exact(fc.Name, "position_ids", positions, Longs(expected, positionTensor));

        var c = new VisionVerification.ForwardCase(fc.Name, fc.InputIds, images, LlavaFixture.ToScales(fc.Scales, fc.Policy, t.Layers, t.Heads),
                                                   fc.ImagePositions, fc.ScaledPositions, fc.Tensors.Where(x => x.Key != "position_ids"));
        foreach (var r in VisionVerification.ForwardQuantities(model, c, prompt, expected,
                                                               (quantity, _) => quantity == "image_embeds" ? prompt.Rows.Embeddings.Values : null))
            yield return r;
    }

    /// <summary>[3, T]: the prompt's rotary positions as rows t, h, w (0..T-1 in each for a text prompt).</summary>
    static long[] PositionRows(ImagePrompt prompt)
    {
        int T = prompt.Ids.Length;
        var rows = new long[3 * T];
        for (int i = 0; i < T; i++)
            for (int k = 0; k < 3; k++) rows[k * T + i] = prompt.Rows.RopePositions?[3 * i + k] ?? i;
        return rows;
    }

    /// <summary>[3, T + n]: the prompt's positions, then generated token i (sequence index T + i) at T + i + rope delta on all three rows.</summary>
    static long[] GenerationPositions(ImagePrompt prompt, int generated)
    {
        int T = prompt.Ids.Length, all = T + generated;
        var prefix = PositionRows(prompt);
        var rows = new long[3 * all];
        for (int k = 0; k < 3; k++)
        {
            prefix.AsSpan(k * T, T).CopyTo(rows.AsSpan(k * all));
            for (int i = T; i < all; i++) rows[k * all + i] = i + prompt.Rows.RopeDelta;
        }
        return rows;
    }

    static long[] Longs(SafeTensorsFile expected, string name) => expected.Get(name).ToInt64Array();
}
