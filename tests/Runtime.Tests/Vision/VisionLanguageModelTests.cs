using HeadPursuit.Runtime.Backends.Cpu;
using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.Generation;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Runtime.Vision;
using HeadPursuit.Tests;

namespace HeadPursuit.Runtime.Tests.Vision;

/// <summary>
/// What every vision-language family shares through <see cref="VisionLanguageModel"/>, on each family's fixture with
/// its own PNGs (prompts hold the image token once; the family expands it): the image policy, and batched capture and
/// generation against one prompt at a time.
/// </summary>
public sealed class VisionLanguageModelTests
{
    static VisionLanguageModel Load(string fixture) => VisionLanguageModel.Load(Fixtures.Path(fixture), new CpuBackend());

    /// <summary>The fixture's k-th PNG (in name order) through the family's processor.</summary>
    static PreparedImage Image(VisionLanguageModel model, string fixture, int k) =>
        model.Preprocess(Directory.GetFiles(Fixtures.Path(fixture, "images"), "*.png").Order(StringComparer.Ordinal).ElementAt(k));

    [Theory]
    [InlineData("llava-tiny")]
    [InlineData("llava-next-tiny")]
    public void TheImagePolicyLeavesEveryPositionBeforeTheImageUnchanged(string fixture)
    {
        using var model = Load(fixture);
        var prompt = model.Prepare([1, 184, 378, 82, model.ImageTokenId, 432, 252], [Image(model, fixture, 0)]);
        var t = model.Text.Config;
        var scales = HeadScales.Parse("L0H1=-1,L1H3=5", t.Layers, t.Heads, PositionPolicy.Image);
        var plain = model.Forward(prompt);
        var scaled = model.Forward(prompt, scales);
        int first = prompt.ImagePositions[0], vocab = t.Vocab;
        Assert.Equal(4, first);
        Assert.Equal(plain.AsSpan(0, first * vocab).ToArray(), scaled.AsSpan(0, first * vocab).ToArray());
        Assert.NotEqual(plain.AsSpan(first * vocab, vocab).ToArray(), scaled.AsSpan(first * vocab, vocab).ToArray());
    }

    [Theory]
    [InlineData("llava-tiny")]
    [InlineData("llava-next-tiny")]
    public void BatchedCaptureOfTwoImagesEqualsTheRecordedMeans(string fixture)
    {
        using var model = Load(fixture);
        int[][] prompts = [[1, 184, 378, 82, model.ImageTokenId, 432, 252], [1, model.ImageTokenId, 503, 343]];
        PreparedImage[] images = [Image(model, fixture, 0), Image(model, fixture, 1)];
        AssertBatchedCaptureEqualsRecordedMeans(model, prompts, [.. images.Select(image => new[] { image })]);
    }

    /// <summary>
    /// One packed capture of all <paramref name="prompts"/> (each with its images) against each prompt's own forward pass:
    /// the captured z is the mean of the recorded z over the prompt's image positions.
    /// </summary>
    internal static void AssertBatchedCaptureEqualsRecordedMeans(VisionLanguageModel model, int[][] prompts, IReadOnlyList<PreparedImage>[] images)
    {
        var t = model.Text.Config;
        var acts = model.CaptureImages(prompts, i => images[i], batchSize: prompts.Length);   // one packed forward of all
        for (int i = 0; i < prompts.Length; i++)
        {
            var prompt = model.Prepare(prompts[i], images[i]);
            int T = prompt.Ids.Length;
            var rec = new ForwardRecording(t.Layers, T, t.Heads, t.DHead, t.DModel, probs: false);
            model.Forward(prompt, record: rec);
            var mean = VisionVerification.ImageMean(rec.Z, prompt.ImagePositions, t.Layers, T, t.Heads, t.DHead);   // [L, H, dh]
            for (int l = 0; l < t.Layers; l++)
                for (int h = 0; h < t.Heads; h++)
                    for (int j = 0; j < t.DHead; j++)
                        Assert.Equal(mean[(l * t.Heads + h) * t.DHead + j], acts.Row(l, h, i)[j], 1e-5f);
        }
    }

    [Theory]
    [InlineData("llava-tiny")]
    [InlineData("llava-next-tiny")]
    public void BatchedGenerationOfTwoImagePromptsEqualsSeparateRuns(string fixture)
    {
        using var model = Load(fixture);
        var a = model.Prepare([1, 184, 378, 82, model.ImageTokenId, 432, 252], [Image(model, fixture, 0)]);
        var b = model.Prepare([1, 346, model.ImageTokenId, 49], [Image(model, fixture, 3)]);
        var options = new SamplingOptions { MaxNewTokens = 6 };
        var both = model.Generate([a, b], options);
        Assert.Equal(model.Generate([a], options).NewTokens[0], both.NewTokens[0]);
        Assert.Equal(model.Generate([b], options).NewTokens[0], both.NewTokens[1]);
    }

    /// <summary>The public image API (ids and image files) runs exactly what preparing the images by hand runs.</summary>
    [Fact]
    public void ImageFilesGiveWhatPreparedImagesGive()
    {
        const string fixture = "llava-tiny";
        using var model = Load(fixture);
        var files = Directory.GetFiles(Fixtures.Path(fixture, "images"), "*.png").Order(StringComparer.Ordinal).Take(2).ToArray();
        int[] ids = [1, 184, 378, 82, model.ImageTokenId, 432, 252];
        (int[] Ids, string ImagePath)[] samples = [(ids, files[0]), (ids, files[1])];
        var t = model.Text.Config;
        var scales = HeadScales.Parse("L0H1=-1,L1H3=5", t.Layers, t.Heads, PositionPolicy.Image);
        var options = new SamplingOptions { MaxNewTokens = 4 };

        var prepared = samples.Select(s => model.Prepare(s.Ids, [model.Preprocess(s.ImagePath)])).ToArray();
        Assert.Equal(model.Generate(prepared, options, scales).NewTokens, model.Generate(samples, options, scales).NewTokens);
        Assert.Equal(model.CaptureImages([ids, ids], i => [model.Preprocess(files[i])], batchSize: 2).Z, model.CaptureImages(samples, batchSize: 2).Z);
    }
}
