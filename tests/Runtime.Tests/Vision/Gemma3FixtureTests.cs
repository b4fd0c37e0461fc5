using HeadPursuit.Runtime.Backends.Cpu;
using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.Generation;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Runtime.SafeTensors;
using HeadPursuit.Runtime.Verification;
using HeadPursuit.Runtime.Vision;
using HeadPursuit.Runtime.Vision.Gemma3;
using HeadPursuit.Tests;
using Xunit.Abstractions;

namespace HeadPursuit.Runtime.Tests.Vision;

/// <summary>
/// Every gemma3-vlm-tiny case (its README; MANIFEST section 5) with both tensor layouts, and the Gemma 3 image
/// behaviours: the expansion of the image token, bidirectional attention inside one image, batching.
/// </summary>
public sealed class Gemma3FixtureTests(ITestOutputHelper output) : IDisposable
{
    const int Image = 1020, Boi = 1000, Eoi = 1001, NewlineNewline = 108;
    static string Folder => Fixtures.Path("gemma3-vlm-tiny");
    readonly string _dir = Directory.CreateTempSubdirectory("hp-gemma3-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The fixture's model under the transformers &gt;= 4.52 tensor names (model.vision_tower..., model.language_model...).</summary>
    string NewLayout()
    {
        string folder = Directory.CreateDirectory(Path.Combine(_dir, "new-layout")).FullName;
        foreach (var f in new[] { "config.json", "preprocessor_config.json" }) File.Copy(Path.Combine(Folder, f), Path.Combine(folder, f));
        using var classic = SafeTensorsFile.Open(Path.Combine(Folder, "model.safetensors"));
        var writer = new SafeTensorsWriter();
        foreach (var name in classic.Names)
        {
            string renamed = name.StartsWith("language_model.model.", StringComparison.Ordinal)
                ? "model.language_model." + name["language_model.model.".Length..]
                : "model." + name;   // vision_tower.vision_model.X, multi_modal_projector.X
            var t = classic.Get(name);
            writer.Add(renamed, t.Shape, t.ToFloatArray());
        }
        writer.Save(Path.Combine(folder, "model.safetensors"));
        return folder;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EveryCaseMatchesTheReference(bool newLayout)
    {
        var results = Gemma3Verifier.Run(Folder, new CpuBackend(), newLayout ? NewLayout() : null).ToList();
        foreach (var r in results) output.WriteLine(r.ToString());
        Assert.All(results, r => Assert.True(r.Passed, r.ToString()));
        // Every quantity of every case was compared (nothing silently skipped).
        string[] model = ["logits", "z", "head_out", "attn_out", "attn_probs", "resid", "final_norm", "attn_post_norm", "mlp_out_post_norm",
                          "inputs_embeds", "mask_full_attention", "mask_sliding_attention", "image_pos", "token_type_ids"];
        string[] image = ["vision_hidden_states", "vision_attn_probs", "vision_last_hidden_state", "image_pooled", "image_pooled_normed",
                          "image_features", "z_image_mean", "head_out_image_mean"];
        string[] expectedChecks =
        [
            .. new[] { "img0", "img1", "img2", "img3" }.SelectMany(i => new[] { $"{i}/decoded", $"{i}/resized", $"{i}/pixel_values" }),
            .. new[] { "prompt0", "prompt1" }.SelectMany(p => model.Concat(image).Select(q => $"{p}/{q}")),
            .. model.Select(q => $"prompt2/{q}"),
            .. new[] { "int_all", "int_image" }.SelectMany(p => new[] { "logits", "z", "head_out", "attn_out", "z_image_mean", "head_out_image_mean", "scaled_pos" }
                .Select(q => $"{p}/{q}")),
            .. new[] { "gen_base", "gen_int", "gen_int_image" }.SelectMany(g => new[] { $"{g}/new_ids", $"{g}/step_logits" }),
            "too_few_image_tokens/refused",
        ];
        var done = results.Select(r => $"{r.Case}/{r.Quantity}").ToHashSet();
        Assert.All(expectedChecks, c => Assert.Contains(c, done));
    }

    [Fact]
    public void TheVerifyEntryPointDispatchesGemma3Fixtures()
    {
        var results = ModelVerifier.Run(Folder, new CpuBackend()).ToList();
        Assert.Contains(results, r => r.Quantity == "mask_sliding_attention");
        Assert.All(results, r => Assert.True(r.Passed, r.ToString()));
    }

    [Fact]
    public void BothLayoutsLoadBitIdenticalWeightsAndOutputs()
    {
        using var classic = Gemma3Model.Load(Folder, new CpuBackend());
        using var renamed = Gemma3Model.Load(NewLayout(), new CpuBackend());
        Assert.Equal("classic", classic.Layout.Name);
        Assert.Equal("new", renamed.Layout.Name);
        var pixels = PixelValues("img0.pixel_values");
        var a = classic.ImageFeatures(pixels);
        Assert.Equal(a, renamed.ImageFeatures(pixels));
        var ids = PromptIds(4);
        Assert.Equal(classic.Forward(classic.MergeFeatures(ids, a)), renamed.Forward(renamed.MergeFeatures(ids, a)));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(8)]
    [InlineData(0)]
    public void AnImageTokenCountOtherThanTheFeatureCountIsRefused(int imageTokens)
    {
        using var model = Gemma3Model.Load(Folder, new CpuBackend());
        var e = Assert.Throws<ArgumentException>(() => model.Prepare(PromptIds(imageTokens), [Img("img0")]));
        Assert.Contains("Image features and image tokens do not match", e.Message);
        Assert.Contains($"{imageTokens} image tokens (id {Image})", e.Message);
        Assert.Contains("108, 1000, 1020, 1001, 108", e.Message);
    }

    [Fact]
    public void TheImageTokenOnceExpandsToMmTokensPerImageAsTheProcessorWritesIt()
    {
        using var model = Gemma3Model.Load(Folder, new CpuBackend());
        var once = model.Prepare(PromptIds(1), [Img("img0")]);
        var expanded = model.Prepare(PromptIds(4), [Img("img0")]);
        Assert.Equal(PromptIds(4), once.Ids);
        Assert.Equal([6, 7, 8, 9], once.ImagePositions);
        Assert.Equal(model.Forward(expanded), model.Forward(once));
    }

    [Fact]
    public void ImageBlocksAreTheRunsOfConsecutiveImageTokens()
    {
        var (first, last) = Gemma3Model.ImageBlocks([5, Image, Image, 7, Image, Image, Image, 8, Image], Image);
        Assert.Equal([-1, 1, 1, -1, 4, 4, 4, -1, 8], first);
        Assert.Equal([-1, 2, 2, -1, 6, 6, 6, -1, 8], last);
        // Two images with nothing between them are one run, as HF's token_type_ids groups make them.
        (first, last) = Gemma3Model.ImageBlocks([Image, Image, Image, Image], Image);
        Assert.Equal([0, 0, 0, 0], first);
        Assert.Equal([3, 3, 3, 3], last);
    }

    /// <summary>
    /// Layer 0's z at every position of prompt1 (two images), and again with the features of one image token changed:
    /// the positions whose z moves are those that may attend to that token.
    /// </summary>
    static int[] PositionsThatSee(Gemma3Model model, int changedPosition)
    {
        int[] ids = [2, 804, 823, 108, Boi, Image, Image, Image, Image, Eoi, 108, 286, 877, 108, Boi, Image, Image, Image, Image, Eoi, 108, 103];
        var features = model.ImageFeatures(PixelValues("img1.pixel_values")).Concat(model.ImageFeatures(PixelValues("img3.pixel_values"))).ToArray();
        var t = model.Config.Text;
        float[] Z(float[] f)
        {
            var rec = new ForwardRecording(t.Layers, ids.Length, t.Heads, t.DHead, t.DModel, probs: false);
            model.Forward(model.MergeFeatures(ids, f), record: rec);
            return rec.Z[..(ids.Length * t.Heads * t.DHead)];   // layer 0 [T, H, dh]
        }
        var plain = Z(features);
        var changed = (float[])features.Clone();
        int row = Array.IndexOf(model.MergeFeatures(ids, features).ImagePositions, changedPosition);
        for (int i = 0; i < t.DModel; i++) changed[row * t.DModel + i] += 1f;
        var moved = Z(changed);
        int n = t.Heads * t.DHead;
        return [.. Enumerable.Range(0, ids.Length).Where(p => !plain.AsSpan(p * n, n).SequenceEqual(moved.AsSpan(p * n, n)))];
    }

    [Fact]
    public void AnImageTokenIsSeenByEveryTokenOfItsImageButNotByAnotherImageBeyondTheWindow()
    {
        using var model = Gemma3Model.Load(Folder, new CpuBackend());
        Assert.True(model.Config.Text.LayerAttention[0].Window == 3, "layer 0 slides with a window of 3");
        // The last token of image 1 (position 8): the earlier tokens of its image see it (bidirectional, even position
        // 5, outside the window), then the next two positions through the window; text before the image does not.
        Assert.Equal([5, 6, 7, 8, 9, 10], PositionsThatSee(model, 8));
        // The first token of image 2 (position 15): its own image, the next two; image 1 never sees image 2.
        Assert.Equal([15, 16, 17, 18], PositionsThatSee(model, 15));
    }

    [Fact]
    public void BatchedCaptureOfTwoPromptsEqualsTheRecordedMeans()
    {
        using var model = Gemma3Model.Load(Folder, new CpuBackend());
        int[][] prompts = [PromptIds(1), [2, 804, 108, Boi, Image, Eoi, 108, 286, 108, Boi, Image, Eoi, 108, 103, 976]];
        Gemma3Model.Image[][] images = [[Img("img0")], [Img("img1"), Img("img3")]];
        VisionLanguageModelTests.AssertBatchedCaptureEqualsRecordedMeans(model, prompts, images);
    }

    [Fact]
    public void BatchedGenerationOfTwoImagePromptsEqualsSeparateRuns()
    {
        using var model = Gemma3Model.Load(Folder, new CpuBackend());
        var a = model.Prepare(PromptIds(1), [Img("img0")]);
        var b = model.Prepare([2, 346, 108, Boi, Image, Eoi, 108, 749], [Img("img3")]);
        var options = new SamplingOptions { MaxNewTokens = 6 };
        var scales = HeadScales.Parse("L0H1=-1,L3H3=5", model.Config.Text.Layers, model.Config.Text.Heads, PositionPolicy.Image);
        var both = model.Generate([a, b], options, scales);
        Assert.Equal(model.Generate([a], options, scales).NewTokens[0], both.NewTokens[0]);
        Assert.Equal(model.Generate([b], options, scales).NewTokens[0], both.NewTokens[1]);
    }

    /// <summary>prompt0's shape: BOS, 3 text ids, "\n\n", &lt;start_of_image&gt;, the image token n times, &lt;end_of_image&gt;, "\n\n", 4 text ids.</summary>
    static int[] PromptIds(int imageTokens) =>
        [2, 851, 28, 806, NewlineNewline, Boi, .. Enumerable.Repeat(Image, imageTokens), Eoi, NewlineNewline, 916, 577, 459, 324];

    static Gemma3Model.Image Img(string name) => new(name, PixelValues($"{name}.pixel_values"));

    static float[] PixelValues(string tensor)
    {
        using var f = SafeTensorsFile.Open(Fixtures.Path("gemma3-vlm-tiny", "expected.safetensors"));
        return f.Get(tensor).ToFloatArray();
    }
}
