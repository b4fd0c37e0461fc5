using HeadPursuit.Runtime.Backends.Cpu;
using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.Generation;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Runtime.SafeTensors;
using HeadPursuit.Runtime.Verification;
using HeadPursuit.Runtime.Vision;
using HeadPursuit.Tests;
using Xunit.Abstractions;

namespace HeadPursuit.Runtime.Tests.Vision;

/// <summary>Every llava-tiny case (MANIFEST section 5) with both tensor layouts, and the image-specific behaviours.</summary>
public sealed class LlavaFixtureTests(ITestOutputHelper output)
{
    static string Folder => Fixtures.Path("llava-tiny");

    [Theory]
    [InlineData(null)]
    [InlineData("new-layout")]
    public void EveryCaseMatchesTheReference(string? layoutFolder)
    {
        var results = LlavaVerifier.Run(Folder, new CpuBackend(), layoutFolder == null ? null : Fixtures.Path("llava-tiny", layoutFolder)).ToList();
        foreach (var r in results) output.WriteLine(r.ToString());
        Assert.All(results, r => Assert.True(r.Passed, r.ToString()));
        // Every quantity of every case was compared (nothing silently skipped).
        string[] expectedChecks =
        [
            .. new[] { "img0", "img1", "img2", "img3", "img4", "img5" }.SelectMany(i => new[] { $"{i}/decoded", $"{i}/resized", $"{i}/pixel_values", $"{i}/crop_box" }),
            .. new[] { "prompt0", "prompt1" }.SelectMany(p => new[] { "logits", "z", "head_out", "attn_out", "attn_probs", "resid", "final_norm",
                "vision_hidden_states", "vision_attn_probs", "image_selected", "image_features", "z_image_mean", "head_out_image_mean", "image_pos" }
                .Select(q => $"{p}/{q}")),
            .. new[] { "int_all", "int_image" }.SelectMany(p => new[] { "logits", "z", "head_out", "z_image_mean", "scaled_pos" }.Select(q => $"{p}/{q}")),
            "gen_base/new_ids", "gen_base/step_logits", "gen_int/new_ids", "gen_int/step_logits",
            "too_few_image_tokens/refused", "too_many_image_tokens/refused",
        ];
        var done = results.Select(r => $"{r.Case}/{r.Quantity}").ToHashSet();
        Assert.All(expectedChecks, c => Assert.Contains(c, done));
    }

    [Fact]
    public void TheVerifyEntryPointDispatchesLlavaFixtures()
    {
        var results = ModelVerifier.Run(Folder, new CpuBackend()).ToList();
        Assert.Contains(results, r => r.Quantity == "vision_hidden_states");
        Assert.All(results, r => Assert.True(r.Passed, r.ToString()));
    }

    [Fact]
    public void BothLayoutsLoadBitIdenticalWeightsAndOutputs()
    {
        using var classic = LlavaModel.Load(Folder, new CpuBackend());
        using var sharded = LlavaModel.Load(Fixtures.Path("llava-tiny", "new-layout"), new CpuBackend());
        Assert.Equal("classic", classic.Layout.Name);
        Assert.Equal("new", sharded.Layout.Name);
        var pixels = PixelValues("img0.pixel_values");
        var a = classic.ImageFeatures(pixels);
        var b = sharded.ImageFeatures(pixels);
        Assert.Equal(a, b);
        var ids = PromptIds(16);
        Assert.Equal(classic.Forward(classic.MergeFeatures(ids, a)), sharded.Forward(sharded.MergeFeatures(ids, b)));
    }

    [Theory]
    [InlineData(15)]
    [InlineData(17)]
    [InlineData(0)]
    public void AnImageTokenCountOtherThanTheFeatureCountIsRefused(int imageTokens)
    {
        using var model = LlavaModel.Load(Folder, new CpuBackend());
        var features = model.ImageFeatures(PixelValues("img0.pixel_values"));
        var e = Assert.Throws<ArgumentException>(() => model.MergeFeatures(PromptIds(imageTokens), features));
        Assert.Contains("Image features and image tokens do not match", e.Message);
        Assert.Contains($"{imageTokens} image tokens", e.Message);
    }

    [Fact]
    public void TheImagePolicyLeavesEveryPositionBeforeTheImageUnchanged()
    {
        using var model = LlavaModel.Load(Folder, new CpuBackend());
        var prompt = model.Prepare(PromptIds(16), [new LlavaModel.Image("test", PixelValues("img0.pixel_values"))]);
        var t = model.Config.Text;
        var scales = HeadScales.Parse("L0H1=-1,L1H3=5", t.Layers, t.Heads, PositionPolicy.Image);
        var plain = model.Forward(prompt);
        var scaled = model.Forward(prompt, scales);
        int first = prompt.ImagePositions[0], vocab = t.Vocab;
        Assert.Equal(plain.AsSpan(0, first * vocab).ToArray(), scaled.AsSpan(0, first * vocab).ToArray());
        Assert.NotEqual(plain.AsSpan(first * vocab, vocab).ToArray(), scaled.AsSpan(first * vocab, vocab).ToArray());
    }

    [Fact]
    public void BatchedCaptureOfTwoImagesEqualsTheRecordedMeans()
    {
        using var model = LlavaModel.Load(Folder, new CpuBackend());
        var t = model.Config.Text;
        int[][] prompts = [PromptIds(16), [1, .. Enumerable.Repeat(1023, 16), 503, 510, 343]];
        float[][] pixels = [PixelValues("img0.pixel_values"), PixelValues("img1.pixel_values")];
        var acts = model.CaptureImages(prompts, i => [new LlavaModel.Image("test", pixels[i])], batchSize: 2);   // one packed forward of both
        for (int i = 0; i < 2; i++)
        {
            var prompt = model.Prepare(prompts[i], [new LlavaModel.Image("test", pixels[i])]);
            int T = prompts[i].Length;
            var rec = new ForwardRecording(t.Layers, T, t.Heads, t.DHead, t.DModel, probs: false);
            model.Forward(prompt, record: rec);
            var mean = VisionVerification.ImageMean(rec.Z, prompt.ImagePositions, t.Layers, T, t.Heads, t.DHead);   // [L, H, dh]
            for (int l = 0; l < t.Layers; l++)
                for (int h = 0; h < t.Heads; h++)
                    for (int j = 0; j < t.DHead; j++)
                        Assert.Equal(mean[(l * t.Heads + h) * t.DHead + j], acts.Row(l, h, i)[j], 1e-5f);
        }
    }

    [Fact]
    public void BatchedGenerationOfTwoImagePromptsEqualsSeparateRuns()
    {
        using var model = LlavaModel.Load(Folder, new CpuBackend());
        var a = model.Prepare(PromptIds(16), [new LlavaModel.Image("test", PixelValues("img0.pixel_values"))]);
        var b = model.Prepare([1, 346, .. Enumerable.Repeat(1023, 16), 749], [new LlavaModel.Image("test", PixelValues("img3.pixel_values"))]);
        var options = new SamplingOptions { MaxNewTokens = 6 };
        var both = model.Generate([a, b], options);
        Assert.Equal(model.Generate([a], options).NewTokens[0], both.NewTokens[0]);
        Assert.Equal(model.Generate([b], options).NewTokens[0], both.NewTokens[0 + 1]);
    }

    /// <summary>BOS, 3 text ids, the image token n times, 4 text ids (prompt0's shape).</summary>
    static int[] PromptIds(int imageTokens) => [1, 425, 113, 950, .. Enumerable.Repeat(1023, imageTokens), 468, 79, 994, 262];

    static float[] PixelValues(string tensor)
    {
        using var f = SafeTensorsFile.Open(Fixtures.Path("llava-tiny", "expected.safetensors"));
        return f.Get(tensor).ToFloatArray();
    }
}
