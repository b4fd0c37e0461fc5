using HeadPursuit.Runtime.Backends.Cpu;
using HeadPursuit.Runtime.Imaging;
using HeadPursuit.Runtime.Vision;
using HeadPursuit.Runtime.Vision.Gemma3;
using HeadPursuit.Tests;

namespace HeadPursuit.Runtime.Tests.Vision;

/// <summary>Gemma3Config and Gemma3ImageProcessor: HF class defaults for absent keys, and refusals that name the field.</summary>
public sealed class Gemma3ConfigTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("hp-gemma3-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>google/gemma-3-12b-it's config.json (the paper's model): everything else is a class default.</summary>
    const string Gemma3_12B = """
        {"architectures": ["Gemma3ForConditionalGeneration"], "boi_token_index": 255999, "eoi_token_index": 256000, "eos_token_id": [1, 106],
         "image_token_index": 262144, "initializer_range": 0.02, "mm_tokens_per_image": 256, "model_type": "gemma3",
         "text_config": {"hidden_size": 3840, "intermediate_size": 15360, "model_type": "gemma3_text", "num_attention_heads": 16,
                         "num_hidden_layers": 48, "num_key_value_heads": 8, "rope_scaling": {"factor": 8.0, "rope_type": "linear"}, "sliding_window": 1024},
         "torch_dtype": "bfloat16", "transformers_version": "4.50.0.dev0",
         "vision_config": {"hidden_size": 1152, "image_size": 896, "intermediate_size": 4304, "model_type": "siglip_vision_model",
                           "num_attention_heads": 16, "num_hidden_layers": 27, "patch_size": 14, "vision_use_head": false}}
        """;

    [Fact]
    public void TheHubConfigTakesTheHfDefaultsForItsAbsentKeys()
    {
        var c = Gemma3Config.Parse(Gemma3_12B, "test");
        Assert.Equal((3840, 48, 16, 8, 256, 15360, 262208), (c.Text.DModel, c.Text.Layers, c.Text.Heads, c.Text.KvHeads, c.Text.DHead, c.Text.DFF, c.Text.Vocab));
        Assert.True(c.Text.TieEmbeddings);
        Assert.Equal(1 / MathF.Sqrt(256), c.Text.AttentionScale);
        Assert.Equal([1024, 1024, 1024, 1024, 1024, null], c.Text.LayerAttention.Take(6).Select(a => a.Window));   // 5 sliding : 1 global
        Assert.Equal(VisionTowerKind.Siglip, c.Vision.Kind);
        Assert.Equal((1152, 4304, 27, 16, 896, 14, 64, 4096), (c.Vision.Hidden, c.Vision.Intermediate, c.Vision.Layers, c.Vision.Heads,
                                                             c.Vision.ImageSize, c.Vision.PatchSize, c.Vision.Grid, c.Vision.Rows));
        Assert.Equal((ClipActivation.GeluTanh, 1e-6f), (c.Vision.Activation, c.Vision.LayerNormEps));
        Assert.Equal((256, 16, 4), (c.MmTokensPerImage, c.TokensPerSide, c.PoolKernel));
        Assert.Equal((255999, 256000, 262144), (c.BoiTokenIndex, c.EoiTokenIndex, c.ImageTokenIndex));
    }

    [Fact]
    public void APartialVisionConfigTakesSiglipVisionDefaults()
    {
        var c = Gemma3Config.Parse("""
            {"model_type": "gemma3", "mm_tokens_per_image": 49, "image_token_id": 7, "boi_token_id": 5, "eoi_token_id": 6,
             "text_config": {"hidden_size": 64, "num_hidden_layers": 2, "vocab_size": 100},
             "vision_config": {"hidden_size": 32, "num_attention_heads": 2}}
            """, "test");
        Assert.Equal((32, 3072, 12, 224, 16, 14), (c.Vision.Hidden, c.Vision.Intermediate, c.Vision.Layers, c.Vision.ImageSize, c.Vision.PatchSize, c.Vision.Grid));
        Assert.Equal((ClipActivation.GeluTanh, 1e-6f, VisionTowerKind.Siglip), (c.Vision.Activation, c.Vision.LayerNormEps, c.Vision.Kind));
        Assert.Equal((7, 2, 7, 5, 6), (c.TokensPerSide, c.PoolKernel, c.ImageTokenIndex, c.BoiTokenIndex, c.EoiTokenIndex));   // the *_id aliases
        Assert.Equal("gemma3_text", c.Text.ModelType);
    }

    [Theory]
    // Gemma3Config() itself: 256 tokens per image from SiglipVisionConfig()'s 14 x 14 patches cannot be pooled (HF fails too).
    [InlineData("""{"model_type": "gemma3"}""", "mm_tokens_per_image 256 does not fit the vision grid")]
    [InlineData("""{"model_type": "llava"}""", "not a Gemma 3 multimodal model")]
    [InlineData("""{"model_type": "gemma3", "mm_tokens_per_image": 50}""", "mm_tokens_per_image 50 is not supported")]
    [InlineData("""{"model_type": "gemma3", "mm_tokens_per_image": 36, "vision_config": {"image_size": 128}}""", "does not fit the vision grid")]
    [InlineData("""{"model_type": "gemma3", "mm_tokens_per_image": 4, "text_config": {"model_type": "llama"}}""", "text_config): model_type \"llama\"")]
    [InlineData("""{"model_type": "gemma3", "mm_tokens_per_image": 4, "vision_config": {"model_type": "clip_vision_model"}}""", "vision_config.model_type")]
    [InlineData("""{"model_type": "gemma3", "mm_tokens_per_image": 4, "vision_config": {"hidden_act": "relu"}}""", "vision_config.hidden_act")]
    [InlineData("""{"model_type": "gemma3", "mm_tokens_per_image": 4, "vision_config": {"image_size": 30}}""", "not a multiple of patch_size")]
    [InlineData("""{"model_type": "gemma3", "mm_tokens_per_image": 4, "boi_token_index": 300000}""", "boi_token_index 300000 is outside the text model's vocabulary")]
    [InlineData("""{"model_type": "gemma3", "mm_tokens_per_image": 4, "text_config": {"use_bidirectional_attention": true}}""", "use_bidirectional_attention")]
    public void UnsupportedConfigsAreRefusedByName(string json, string fragment)
    {
        var e = Assert.Throws<ModelFormatException>(() => Gemma3Config.Parse(json, "cfg.json"));
        Assert.Contains(fragment, e.Message);
        Assert.Contains("cfg.json", e.Message);
    }

    string Write(string name, string json)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void AnEmptyPreprocessorConfigTakesGemma3ImageProcessorDefaults()
    {
        var p = Gemma3ImageProcessor.Load(Write("empty.json", "{}"));
        Assert.Equal((true, 224, 224, "bilinear"), (p.DoResize, p.Height, p.Width, p.Resample.Name));
        Assert.Equal((true, 1 / 255.0, true), (p.DoRescale, p.RescaleFactor, p.DoNormalize));
        Assert.Equal([0.5, 0.5, 0.5], p.Mean);
        Assert.Equal([0.5, 0.5, 0.5], p.Std);
        Assert.Null(p.ImageSeqLength);
        var q = Gemma3ImageProcessor.Load(Write("other.json", """{"size": 48, "resample": 3, "image_mean": 0.25, "image_std": [0.1, 0.2, 0.3]}"""));
        Assert.Equal((48, 48, "bicubic"), (q.Height, q.Width, q.Resample.Name));
        Assert.Equal([0.25, 0.25, 0.25], q.Mean);
        Assert.Equal([0.1, 0.2, 0.3], q.Std);
    }

    [Theory]
    [InlineData("""{"do_pan_and_scan": true}""", "do_pan_and_scan")]
    [InlineData("""{"do_convert_rgb": false}""", "do_convert_rgb")]
    [InlineData("""{"resample": 0}""", "resample")]
    [InlineData("""{"size": {"shortest_edge": 224}}""", "size")]
    [InlineData("""{"image_mean": [0.5, 0.5]}""", "image_mean")]
    [InlineData("""{"image_processor_type": "SiglipImageProcessor"}""", "image_processor_type")]
    public void UnsupportedPreprocessorConfigsAreRefusedByName(string json, string field)
    {
        string path = Write("pre.json", json);
        var e = Assert.Throws<ModelFormatException>(() => Gemma3ImageProcessor.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(field, e.Message);
    }

    /// <summary>gemma3-vlm-tiny with another preprocessor_config.json.</summary>
    string TinyWith(string preprocessor)
    {
        string folder = Directory.CreateDirectory(Path.Combine(_dir, "tiny")).FullName;
        foreach (var f in new[] { "config.json", "model.safetensors" }) File.Copy(Fixtures.Path("gemma3-vlm-tiny", f), Path.Combine(folder, f));
        File.WriteAllText(Path.Combine(folder, "preprocessor_config.json"), preprocessor);
        return folder;
    }

    [Theory]
    [InlineData("""{"size": {"height": 64, "width": 64}}""", "size 64x64 is not the vision tower's input 32x32")]
    [InlineData("""{"size": {"height": 32, "width": 32}, "image_seq_length": 256}""", "image_seq_length 256 is not config.json's mm_tokens_per_image 4")]
    public void APreprocessorConfigThatDoesNotFitTheModelIsRefused(string preprocessor, string message)
    {
        var e = Assert.Throws<ModelFormatException>(() => Gemma3Model.Load(TinyWith(preprocessor), new CpuBackend()));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void WithoutAResizeAnImageOfAnotherSizeIsRefused()
    {
        using var model = Gemma3Model.Load(TinyWith("""{"do_resize": false}"""), new CpuBackend());
        var e = Assert.Throws<ModelFormatException>(() => model.Preprocess(new RgbImage(40, 20), "wide.png"));
        Assert.Contains("wide.png: preprocessing without a resize gives [3, 20, 40], the vision tower takes [3, 32, 32]", e.Message);
        Assert.Equal(3 * 32 * 32, ((Gemma3Model.Image)model.Preprocess(new RgbImage(32, 32), "square.png")).PixelValues.Length);
    }

    [Theory]
    [InlineData(5, 1)]
    [InlineData(40, 3)]
    public void AnImageHfReadsAsChannelsFirstIsRefused(int width, int height)
    {
        var e = Assert.Throws<ArgumentException>(() => new Gemma3ImageProcessor { Height = 32, Width = 32 }.PixelValues(new RgbImage(width, height), "strip.png"));
        Assert.Contains($"strip.png: a {width}x{height} image is too small for Gemma3ImageProcessor", e.Message);
        Assert.Equal(3 * 32 * 32, new Gemma3ImageProcessor { Height = 32, Width = 32 }.PixelValues(new RgbImage(width, 2), "ok.png").Length);
    }
}
