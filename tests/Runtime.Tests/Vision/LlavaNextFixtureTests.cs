using HeadPursuit.Runtime.Backends.Cpu;
using HeadPursuit.Runtime.SafeTensors;
using HeadPursuit.Runtime.Verification;
using HeadPursuit.Runtime.Vision.LlavaNext;
using HeadPursuit.Tests;
using Xunit.Abstractions;

namespace HeadPursuit.Runtime.Tests.Vision;

/// <summary>Every llava-next-tiny case with both tensor layouts, and the image-specific behaviours of LLaVA-NeXT.</summary>
public sealed class LlavaNextFixtureTests(ITestOutputHelper output)
{
    const int ImageToken = 500;
    static string Folder => Fixtures.Path("llava-next-tiny");

    [Theory]
    [InlineData(null)]
    [InlineData("new-layout")]
    public void EveryCaseMatchesTheReference(string? layoutFolder)
    {
        var results = LlavaNextVerifier.Run(Folder, new CpuBackend(), layoutFolder == null ? null : Fixtures.Path("llava-next-tiny", layoutFolder)).ToList();
        foreach (var r in results) output.WriteLine(r.ToString());
        Assert.All(results, r => Assert.True(r.Passed, r.ToString()));
        // Every quantity of every case was compared (nothing silently skipped).
        string[] text = ["logits", "z", "head_out", "attn_out", "attn_probs", "resid", "final_norm"];
        string[] image = ["feature_map", "token_kind", "token_crop", "token_patch", "vision_hidden_states", "vision_attn_probs", "image_selected", "crop_features", "packed_features"];
        string[] expectedChecks =
        [
            .. new[] { "img0", "img1", "img2", "img3", "img4", "img5" }.SelectMany(i => new[] { "decoded", "image_size", "pinpoint_table", "best_resolution",
                "resize_to", "padding", "resized", "padded", "base_resized", "pixel_values", "feature_map" }.Select(q => $"{i}/{q}")),
            .. new[] { "prompt0", "prompt1", "prompt2" }.SelectMany(p => text.Concat(["inputs_embeds", "image_features", "z_image_mean", "head_out_image_mean", "image_pos"])
                .Select(q => $"{p}/{q}")),
            .. new[] { "prompt0.image0", "prompt1.image0", "prompt2.image0", "prompt2.image1" }.SelectMany(p => image.Select(q => $"{p}/{q}")),
            .. text.Select(q => $"text0/{q}"),
            .. new[] { "int_all", "int_image" }.SelectMany(p => new[] { "logits", "z", "head_out", "z_image_mean", "head_out_image_mean", "scaled_pos" }.Select(q => $"{p}/{q}")),
            .. new[] { "gen_base", "gen_int", "gen_int_image" }.SelectMany(g => new[] { $"{g}/new_ids", $"{g}/step_logits" }),
            "too_few_image_tokens/refused", "too_many_image_tokens/refused",
        ];
        var done = results.Select(r => $"{r.Case}/{r.Quantity}").ToHashSet();
        Assert.All(expectedChecks, c => Assert.Contains(c, done));
    }

    [Fact]
    public void TheVerifyEntryPointDispatchesLlavaNextFixtures()
    {
        var results = ModelVerifier.Run(Folder, new CpuBackend()).ToList();
        Assert.Contains(results, r => r.Quantity == "packed_features");
        Assert.All(results, r => Assert.True(r.Passed, r.ToString()));
    }

    [Fact]
    public void BothLayoutsLoadBitIdenticalWeightsAndOutputs()
    {
        using var classic = LlavaNextModel.Load(Folder, new CpuBackend());
        using var sharded = LlavaNextModel.Load(Fixtures.Path("llava-next-tiny", "new-layout"), new CpuBackend());
        Assert.Equal("classic", classic.Layout.Name);
        Assert.Equal("new", sharded.Layout.Name);
        Assert.Equal(classic.ImageNewline, sharded.ImageNewline);
        var image = Image("img0");
        var a = classic.ImageFeatures(image);
        var b = sharded.ImageFeatures(image);
        Assert.Equal(a, b);
        var ids = PromptIds(56);
        Assert.Equal(classic.Forward(classic.MergeFeatures(ids, a, [image])), sharded.Forward(sharded.MergeFeatures(ids, b, [image])));
    }

    [Theory]
    [InlineData(55)]
    [InlineData(57)]
    [InlineData(16)]
    [InlineData(0)]
    public void AnImageTokenCountOtherThanTheFeatureCountIsRefused(int imageTokens)
    {
        using var model = LlavaNextModel.Load(Folder, new CpuBackend());
        var image = Image("img0");
        var e = Assert.Throws<ArgumentException>(() => model.Prepare(PromptIds(imageTokens), [image]));
        Assert.Contains("Image features and image tokens do not match", e.Message);
        Assert.Contains($"{imageTokens} image tokens", e.Message);
        Assert.Contains("20x37: 56", e.Message);   // what this image takes
    }

    [Fact]
    public void OneImageTokenPerImageExpandsToEachImagesCount()
    {
        using var model = LlavaNextModel.Load(Folder, new CpuBackend());
        LlavaNextModel.Image a = Image("img2"), b = Image("img5");   // 52 and 56 image tokens
        var prompt = model.Prepare([1, 7, ImageToken, 8, ImageToken, 9], [a, b]);
        Assert.Equal([1, 7, .. Enumerable.Repeat(ImageToken, 52), 8, .. Enumerable.Repeat(ImageToken, 56), 9], prompt.Ids);
        Assert.Equal([.. model.ImageFeatures(a), .. model.ImageFeatures(b)], prompt.Rows.Embeddings.Values);
        // The same prompt already expanded gives the same logits.
        Assert.Equal(model.Forward(prompt), model.Forward(model.Prepare(prompt.Ids, [a, b])));
    }

    [Fact]
    public void PreprocessingAPngGivesTheFixturesPixelValuesAndSize()
    {
        using var model = LlavaNextModel.Load(Folder, new CpuBackend());
        var image = (LlavaNextModel.Image)model.Preprocess(Path.Combine(Folder, "images", "img1_37x20_rgb_adam7.png"));
        Assert.Equal((20, 37), (image.Height, image.Width));
        var want = Image("img1").PixelValues;
        Assert.Equal(want.Length, image.PixelValues.Length);
        for (int i = 0; i < want.Length; i++) Assert.True(Math.Abs(want[i] - image.PixelValues[i]) <= 1e-6, $"pixel {i}: {image.PixelValues[i]} vs {want[i]}");
    }

    /// <summary>BOS, 3 text ids, the image token n times, 4 text ids (prompt0's shape).</summary>
    static int[] PromptIds(int imageTokens) => [1, 184, 378, 82, .. Enumerable.Repeat(ImageToken, imageTokens), 432, 252, 223, 463];

    /// <summary>A fixture image as the processor gives it: its pixel_values [1, crops, 3, 16, 16] and original size.</summary>
    internal static LlavaNextModel.Image Image(string name)
    {
        using var f = SafeTensorsFile.Open(Fixtures.Path("llava-next-tiny", "expected.safetensors"));
        var decoded = f.Get($"{name}.decoded");   // [H, W, 3]
        return new LlavaNextModel.Image(name, f.Get($"{name}.pixel_values").ToFloatArray(), decoded.Shape[0], decoded.Shape[1]);
    }
}
