using System.Text.Json.Nodes;
using HeadPursuit.Runtime.Backends.Cpu;
using HeadPursuit.Runtime.Vision;
using HeadPursuit.Runtime.Vision.LlavaNext;
using HeadPursuit.Tests;

namespace HeadPursuit.Runtime.Tests.Vision;

/// <summary>LlavaNextConfig and LlavaNextImageProcessor: HF class defaults for absent keys, and refusals that name the field.</summary>
public sealed class LlavaNextConfigTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("hp-llava-next-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void AbsentKeysTakeTheHfDefaults()
    {
        var c = LlavaNextConfig.Parse("""{"model_type": "llava_next"}""", "test");
        Assert.Equal(LlavaNextConfig.DefaultPinpoints, c.GridPinpoints);
        Assert.Equal([[336, 672], [672, 336], [672, 672], [1008, 336], [336, 1008]], c.GridPinpoints);
        Assert.Equal("llama", c.Text.ModelType);   // text_config absent: LlamaConfig()
        Assert.Equal((4096, 32, 32, 11008, 32000), (c.Text.DModel, c.Text.Layers, c.Text.Heads, c.Text.DFF, c.Text.Vocab));
        Assert.Equal((1024, 24, 336, 14), (c.Vision.Hidden, c.Vision.Layers, c.Vision.ImageSize, c.Vision.PatchSize));
        Assert.Equal((32000, -2, 23, FeatureSelect.Default), (c.Llava.ImageTokenIndex, c.Llava.FeatureLayer, c.Llava.FeatureLayerResolved, c.Llava.Select));
    }

    [Fact]
    public void AMistralTextConfigTakesMistralsDefaults()
    {
        var c = LlavaNextConfig.Parse("""{"model_type": "llava_next", "text_config": {"model_type": "mistral"}}""", "test");
        Assert.Equal("mistral", c.Text.ModelType);
        Assert.Equal((4096, 32, 8, 14336, 32000), (c.Text.DModel, c.Text.Heads, c.Text.KvHeads, c.Text.DFF, c.Text.Vocab));
        Assert.All(c.Text.LayerAttention, a => Assert.Equal(4096, a.Window));   // MistralConfig's sliding_window
    }

    /// <summary>llava-hf/llava-v1.6-mistral-7b-hf's config.json (its fields as published; Mistral-7B-Instruct-v0.2 has no sliding window).</summary>
    [Fact]
    public void TheLlavaV16MistralConfigReads()
    {
        var c = LlavaNextConfig.Parse("""
            {"architectures": ["LlavaNextForConditionalGeneration"], "ignore_index": -100,
             "image_grid_pinpoints": [[336, 672], [672, 336], [672, 672], [1008, 336], [336, 1008]], "image_token_index": 32000,
             "model_type": "llava_next", "projector_hidden_act": "gelu",
             "text_config": {"_name_or_path": "mistralai/Mistral-7B-Instruct-v0.2", "architectures": ["MistralForCausalLM"],
                             "intermediate_size": 14336, "max_position_embeddings": 32768, "model_type": "mistral", "num_key_value_heads": 8,
                             "rms_norm_eps": 1e-05, "rope_theta": 1000000.0, "sliding_window": null, "torch_dtype": "bfloat16", "vocab_size": 32064},
             "torch_dtype": "float16", "use_image_newline_parameter": true,
             "vision_config": {"hidden_size": 1024, "image_size": 336, "intermediate_size": 4096, "model_type": "clip_vision_model",
                               "num_attention_heads": 16, "num_hidden_layers": 24, "patch_size": 14, "projection_dim": 768, "vocab_size": 32000},
             "vision_feature_layer": -2, "vision_feature_select_strategy": "default", "vocab_size": 32064}
            """, "llava-v1.6");
        Assert.Equal((32064, 8, 1e-5f), (c.Text.Vocab, c.Text.KvHeads, c.Text.NormEps));
        Assert.All(c.Text.LayerAttention, a => Assert.Null(a.Window));
        Assert.Equal(1e6, c.Text.LayerAttention[0].Rope!.Theta);
        Assert.Equal(24, c.Vision.Grid);
    }

    [Theory]
    [InlineData("""{"model_type": "llava"}""", "model_type \"llava\" is not a LLaVA model (expected \"llava_next\")")]
    [InlineData("""{"model_type": "llava_next", "vision_feature_select_strategy": "full"}""", "vision_feature_select_strategy \"full\" is not supported for llava_next")]
    [InlineData("""{"model_type": "llava_next", "vision_feature_layer": [-2, -5]}""", "list of vision_feature_layer")]
    [InlineData("""{"model_type": "llava_next", "text_config": {"model_type": "qwen2"}}""", "text_config model_type \"qwen2\" is not supported (supported: llama, mistral)")]
    [InlineData("""{"model_type": "llava_next", "image_grid_pinpoints": []}""", "image_grid_pinpoints [] should be a non-empty list")]
    [InlineData("""{"model_type": "llava_next", "image_grid_pinpoints": [[336, 672], [672]]}""", "entry 1 is [672]")]
    [InlineData("""{"model_type": "llava_next", "image_grid_pinpoints": [[336, 600]]}""", "positive multiples of the vision tower's image_size 336 (entry 0 is [336, 600])")]
    [InlineData("""{"model_type": "llava_next", "image_grid_pinpoints": "anyres"}""", "image_grid_pinpoints \"anyres\"")]
    [InlineData("""{"model_type": "llava_next", "projector_hidden_act": "relu"}""", "projector_hidden_act")]
    public void UnsupportedConfigsAreRefusedByName(string json, string fragment)
    {
        var e = Assert.Throws<ModelFormatException>(() => LlavaNextConfig.Parse(json, "cfg.json"));
        Assert.Contains(fragment, e.Message);
        Assert.Contains("cfg.json", e.Message);
    }

    [Fact]
    public void TheProcessorReadsItsPinpointsAndTheClipStepsAndRefusesOtherProcessors()
    {
        var p = LlavaNextImageProcessor.Load(Fixtures.Path("llava-next-tiny", "preprocessor_config.json"));
        Assert.Equal([[16, 32], [32, 16], [32, 32]], p.GridPinpoints);
        Assert.Equal((16, 16, 16), (p.Crop.ShortestEdge, p.Crop.CropHeight, p.Crop.CropWidth));

        string path = Path.Combine(_dir, "preprocessor_config.json");
        File.WriteAllText(path, """{"image_processor_type": "CLIPImageProcessor", "crop_size": 336}""");
        Assert.Contains("image_processor_type \"CLIPImageProcessor\" is not a LLaVA-NeXT image processor", Assert.Throws<ModelFormatException>(() => LlavaNextImageProcessor.Load(path)).Message);
        File.WriteAllText(path, """{"image_processor_type": "LlavaNextImageProcessor", "crop_size": 336, "image_grid_pinpoints": [[300, 672]]}""");
        Assert.Contains("image_grid_pinpoints [[300,672]] should hold positive multiples of crop_size 336", Assert.Throws<ModelFormatException>(() => LlavaNextImageProcessor.Load(path)).Message);
        File.WriteAllText(path, """{"image_processor_type": "LlavaNextImageProcessor"}""");   // HF defaults: 224 crops, llava-v1.6 pinpoints
        p = LlavaNextImageProcessor.Load(path);
        Assert.Equal((224, 224), (p.Crop.ShortestEdge, p.Crop.CropHeight));
        Assert.Equal(LlavaNextConfig.DefaultPinpoints, p.GridPinpoints);
    }

    /// <summary>The fixture's weights and config with another preprocessor_config.json (or none).</summary>
    string ModelWithProcessor(Action<JsonObject>? change)
    {
        string folder = Directory.CreateDirectory(Path.Combine(_dir, "model")).FullName;
        foreach (var f in new[] { "config.json", "model.safetensors" }) File.Copy(Fixtures.Path("llava-next-tiny", f), Path.Combine(folder, f), overwrite: true);
        string pre = Path.Combine(folder, "preprocessor_config.json");
        File.Delete(pre);
        if (change != null)
        {
            var o = JsonNode.Parse(File.ReadAllText(Fixtures.Path("llava-next-tiny", "preprocessor_config.json")))!.AsObject();
            change(o);
            File.WriteAllText(pre, o.ToJsonString());
        }
        return folder;
    }

    [Theory]
    [InlineData("crop", "crop_size 8x8 is not the vision tower's image_size 16x16")]
    [InlineData("pinpoints", "image_grid_pinpoints [[16, 32]] differ from config.json's [[16, 32], [32, 16], [32, 32]]")]
    public void AProcessorThatDisagreesWithTheModelIsRefusedAtLoad(string what, string fragment)
    {
        string folder = ModelWithProcessor(o =>
        {
            if (what == "crop") o["crop_size"] = new JsonObject { ["height"] = 8, ["width"] = 8 };
            else o["image_grid_pinpoints"] = new JsonArray(new JsonArray(16, 32));
        });
        var e = Assert.Throws<ModelFormatException>(() => LlavaNextModel.Load(folder, new CpuBackend()));
        Assert.Contains(fragment, e.Message);
        Assert.Contains("preprocessor_config.json", e.Message);
    }

    [Fact]
    public void WithoutAPreprocessorConfigTheTowersSizeAndTheConfigsPinpointsApply()
    {
        using var model = LlavaNextModel.Load(ModelWithProcessor(null), new CpuBackend());
        Assert.Equal((16, 16, 16), (model.Processor.Crop.ShortestEdge, model.Processor.Crop.CropHeight, model.Processor.Crop.CropWidth));
        Assert.Equal(model.Config.GridPinpoints, model.Processor.GridPinpoints);
        // The fixture's own processor has the same values, so it prepares img0 identically.
        var image = (LlavaNextModel.Image)model.Preprocess(Fixtures.Path("llava-next-tiny", "images", "img0_20x37_rgb.png"));
        Assert.Equal(LlavaNextFixtureTests.Image("img0").PixelValues.Length, image.PixelValues.Length);
    }
}
