using HeadPursuit.Runtime.SafeTensors;
using HeadPursuit.Runtime.Vision;

namespace HeadPursuit.Runtime.Tests.Vision;

/// <summary>LlavaConfig defaults (HF class defaults for absent keys), refusals, and the tensor-layout detection.</summary>
public sealed class LlavaConfigTests
{
    [Fact]
    public void AbsentKeysTakeTheHfDefaults()
    {
        var c = LlavaConfig.Parse("""{"model_type": "llava", "text_config": {"model_type": "llama"}}""", "test");
        Assert.Equal((4096, 32, 32, 32, 11008, 32000), (c.Text.DModel, c.Text.Layers, c.Text.Heads, c.Text.KvHeads, c.Text.DFF, c.Text.Vocab));
        Assert.Equal(1e-6f, c.Text.NormEps);
        Assert.Equal(128, c.Text.DHead);
        Assert.False(c.Text.TieEmbeddings);
        Assert.Equal((1024, 4096, 24, 16, 336, 14), (c.Vision.Hidden, c.Vision.Intermediate, c.Vision.Layers, c.Vision.Heads, c.Vision.ImageSize, c.Vision.PatchSize));
        Assert.Equal((32000, -2, FeatureSelect.Default, true), (c.ImageTokenIndex, c.FeatureLayer, c.Select, c.ProjectorBias));
        Assert.Equal(23, c.FeatureLayerResolved);
        Assert.Equal(576, c.ImageTokens);   // (336 / 14)^2, CLS dropped
    }

    [Fact]
    public void APartialVisionConfigTakesClipVisionDefaults()
    {
        var c = LlavaConfig.Parse("""
            {"model_type": "llava", "image_token_id": 5, "vision_feature_select_strategy": "full", "vision_feature_layer": -1,
             "text_config": {"hidden_size": 64, "num_attention_heads": 4, "num_hidden_layers": 2, "intermediate_size": 160, "vocab_size": 100, "tie_word_embeddings": true},
             "vision_config": {"hidden_size": 32, "num_attention_heads": 2}}
            """, "test");
        Assert.Equal((32, 3072, 12, 224, 32), (c.Vision.Hidden, c.Vision.Intermediate, c.Vision.Layers, c.Vision.ImageSize, c.Vision.PatchSize));
        Assert.Equal(ClipActivation.QuickGelu, c.Vision.Activation);
        Assert.Equal(5, c.ImageTokenIndex);
        Assert.Equal(12, c.FeatureLayerResolved);
        Assert.Equal(50, c.ImageTokens);    // 7 x 7 patches + CLS
        Assert.True(c.Text.TieEmbeddings);  // forced by the text config
    }

    [Theory]
    [InlineData("""{"model_type": "llama"}""", "not a LLaVA model")]
    [InlineData("""{"model_type": "llava", "vision_feature_select_strategy": "cls"}""", "vision_feature_select_strategy")]
    [InlineData("""{"model_type": "llava", "vision_feature_layer": -26}""", "vision_feature_layer -26")]
    [InlineData("""{"model_type": "llava", "vision_feature_layer": [-2, -5]}""", "list of vision_feature_layer")]
    [InlineData("""{"model_type": "llava", "projector_hidden_act": "relu"}""", "projector_hidden_act")]
    [InlineData("""{"model_type": "llava", "text_config": {"model_type": "mistral"}}""", "text_config model_type")]
    [InlineData("""{"model_type": "llava", "vision_config": {"model_type": "siglip_vision_model"}}""", "siglip_vision_model")]
    [InlineData("""{"model_type": "llava", "vision_config": {"image_size": 30, "patch_size": 14}}""", "not a multiple of patch_size")]
    [InlineData("""{"model_type": "llava", "image_token_index": -1}""", "image_token_index -1")]
    public void UnsupportedConfigsAreRefusedByName(string json, string fragment)
    {
        var e = Assert.Throws<ModelFormatException>(() => LlavaConfig.Parse(json, "cfg.json"));
        Assert.Contains(fragment, e.Message);
        Assert.Contains("cfg.json", e.Message);
    }

    [Fact]
    public void AnUnknownTensorLayoutIsRefused()
    {
        string dir = Directory.CreateTempSubdirectory("llava-layout").FullName;
        try
        {
            new SafeTensorsWriter().Add("text.embed.weight", [2, 2], new float[4]).Save(Path.Combine(dir, "model.safetensors"));
            using var store = WeightStore.Open(dir);
            var e = Assert.Throws<ModelFormatException>(() => LlavaWeightLayout.Detect(store));
            Assert.Contains("unknown tensor layout of a vision-language checkpoint (LLaVA, Gemma 3)", e.Message);
            Assert.Contains("'text.embed.weight'", e.Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Theory]
    [InlineData("model.layers.3.mlp.up_proj.weight", "language_model.model.layers.3.mlp.up_proj.weight", "model.language_model.layers.3.mlp.up_proj.weight")]
    [InlineData("lm_head.weight", "language_model.lm_head.weight", "lm_head.weight")]
    public void TextNamesMapToBothLayouts(string llama, string classic, string @new)
    {
        Assert.Equal(classic, LlavaWeightLayout.Classic.TextName(llama));
        Assert.Equal(@new, LlavaWeightLayout.New.TextName(llama));
    }
}
