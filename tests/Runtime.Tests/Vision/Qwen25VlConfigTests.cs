using HeadPursuit.Runtime.SafeTensors;
using HeadPursuit.Runtime.Vision.Qwen25Vl;

namespace HeadPursuit.Runtime.Tests.Vision;

/// <summary>Qwen2.5-VL's config (HF class defaults for absent keys, both layouts, refusals), preprocessor config and tensor layouts.</summary>
public sealed class Qwen25VlConfigTests
{
    /// <summary>M-RoPE for hidden 3584 with 32 heads (head size 112: 56 frequencies).</summary>
    const string Mrope = "\"rope_scaling\": {\"type\": \"mrope\", \"mrope_section\": [16, 24, 16]}";

    /// <summary>Qwen/Qwen2.5-VL-7B-Instruct's config.json (flat hub layout).</summary>
    const string Qwen25Vl7B = """
        {"architectures": ["Qwen2_5_VLForConditionalGeneration"], "attention_dropout": 0.0, "bos_token_id": 151643, "eos_token_id": 151645,
         "vision_start_token_id": 151652, "vision_end_token_id": 151653, "vision_token_id": 151654, "image_token_id": 151655, "video_token_id": 151656,
         "hidden_act": "silu", "hidden_size": 3584, "initializer_range": 0.02, "intermediate_size": 18944, "max_position_embeddings": 128000,
         "max_window_layers": 28, "model_type": "qwen2_5_vl", "num_attention_heads": 28, "num_hidden_layers": 28, "num_key_value_heads": 4,
         "rms_norm_eps": 1e-06, "rope_theta": 1000000.0, "sliding_window": 32768, "tie_word_embeddings": false, "torch_dtype": "bfloat16",
         "transformers_version": "4.41.2", "use_cache": true, "use_sliding_window": false,
         "vision_config": {"depth": 32, "hidden_act": "silu", "hidden_size": 1280, "intermediate_size": 3420, "num_heads": 16, "in_chans": 3,
                           "out_hidden_size": 3584, "patch_size": 14, "spatial_merge_size": 2, "spatial_patch_size": 14, "window_size": 112,
                           "fullatt_block_indexes": [7, 15, 23, 31], "tokens_per_second": 2, "temporal_patch_size": 2},
         "rope_scaling": {"type": "mrope", "mrope_section": [16, 24, 24]}, "vocab_size": 152064}
        """;

    [Fact]
    public void TheReleasedSevenBillionConfigReads()
    {
        var c = Qwen25VlConfig.Parse(Qwen25Vl7B, "7b.json");
        var t = c.Text;
        Assert.Equal(("qwen2", 28, 28, 4, 3584, 128, 18944, 152064), (t.ModelType, t.Layers, t.Heads, t.KvHeads, t.DModel, t.DHead, t.DFF, t.Vocab));
        Assert.Equal(1e-6f, t.NormEps);
        Assert.Equal((1e6, (16, 24, 24)), (t.LayerAttention[0].Rope!.Theta, t.LayerAttention[0].Rope!.MropeSection!.Value));
        Assert.All(t.LayerAttention, a => Assert.Null(a.Window));
        Assert.False(t.TieEmbeddings);
        Assert.Equal(151643, t.BosId);
        Assert.Equal([151645], t.EosIds);
        var v = c.Vision;
        Assert.Equal((32, 1280, 3420, 16, 80, 14, 2, 2, 4), (v.Depth, v.Hidden, v.Intermediate, v.Heads, v.DHead, v.PatchSize, v.MergeSize, v.TemporalPatchSize, v.WindowUnits));
        Assert.Equal([7, 15, 23, 31], v.FullAttentionBlocks);
        Assert.Equal((1176, 151655, 151652, 151653), (v.PatchDim, c.ImageTokenId, c.VisionStartTokenId, c.VisionEndTokenId));
    }

    [Fact]
    public void AbsentKeysTakeTheHfDefaults()
    {
        // Only what HF's defaults leave unusable is given: their text hidden_size 8192 does not match the vision tower's
        // out_hidden_size 3584, and HF's attention reads rope_scaling's mrope_section (64 heads of 56: 28 frequencies).
        var c = Qwen25VlConfig.Parse("""{"model_type": "qwen2_5_vl", "hidden_size": 3584, "rope_scaling": {"mrope_section": [8, 10, 10]}}""", "test");
        var t = c.Text;
        Assert.Equal((80, 64, 8, 3584, 56, 29568, 152064, 32768), (t.Layers, t.Heads, t.KvHeads, t.DModel, t.DHead, t.DFF, t.Vocab, t.MaxPositions));
        Assert.Equal(1e-5f, t.NormEps);
        Assert.Equal(1e6, t.LayerAttention[0].Rope!.Theta);
        Assert.False(t.TieEmbeddings);
        var v = c.Vision;
        Assert.Equal((32, 3584, 3420, 16, 14, 2, 2, 112, 3584), (v.Depth, v.Hidden, v.Intermediate, v.Heads, v.PatchSize, v.MergeSize, v.TemporalPatchSize, v.WindowSize, v.OutHidden));
        Assert.Equal([7, 15, 23, 31], v.FullAttentionBlocks);
        Assert.Equal((151655, 151656, 151652, 151653), (c.ImageTokenId, c.VideoTokenId, c.VisionStartTokenId, c.VisionEndTokenId));
    }

    [Fact]
    public void APresentTextConfigIsTheOnlyPlaceTextKeysAreReadFrom()
    {
        var c = Qwen25VlConfig.Parse("""
            {"model_type": "qwen2_5_vl", "hidden_size": 64, "num_hidden_layers": 2, "eos_token_id": 7,
             "text_config": {"hidden_size": 3584, "num_attention_heads": 32, "head_dim": 64, "num_key_value_heads": null, MROPE}}
            """.Replace("MROPE", Mrope), "nested.json");
        Assert.Equal((3584, 80, 32, 112), (c.Text.DModel, c.Text.Layers, c.Text.KvHeads, c.Text.DHead));   // head_dim is hidden / heads; null kv heads = heads
        Assert.Equal([7], c.Text.EosIds);                                                                  // special ids may sit at the top
    }

    [Theory]
    [InlineData("""{"model_type": "qwen2_vl"}""", "not a Qwen2.5-VL model")]
    [InlineData("""{"model_type": "qwen2_5_vl", "hidden_size": 3584, "num_attention_heads": 32}""", "rope_scaling.mrope_section is required")]
    [InlineData("""{"model_type": "qwen2_5_vl", "hidden_size": 3584, "num_attention_heads": 32, "rope_scaling": {"type": "linear", "factor": 2.0}}""", "rope_scaling.mrope_section is required")]
    [InlineData("""{"model_type": "qwen2_5_vl", "hidden_size": 3584, "num_attention_heads": 32, "rope_scaling": {"type": "yarn", "factor": 2.0, "mrope_section": [16, 24, 24]}}""", "rope_scaling.type")]
    [InlineData("""{"model_type": "qwen2_5_vl", "hidden_size": 3584, "num_attention_heads": 32, "use_sliding_window": true, MROPE}""", "use_sliding_window")]
    [InlineData("""{"model_type": "qwen2_5_vl", "hidden_size": 3584, "num_attention_heads": 32, "num_hidden_layers": 2, "layer_types": ["full_attention", "sliding_attention"], MROPE}""", "layer_types")]
    [InlineData("""{"model_type": "qwen2_5_vl", "hidden_size": 3584, "num_attention_heads": 27, MROPE}""", "hidden_size 3584 is not a multiple of num_attention_heads 27")]
    [InlineData("""{"model_type": "qwen2_5_vl", "hidden_size": 3584, "num_attention_heads": 32, "rope_scaling": {"type": "mrope", "mrope_section": [16, 24, 17]}}""", "mrope_section [16, 24, 17] must add up to 56")]
    [InlineData("""{"model_type": "qwen2_5_vl", "hidden_size": 64, "num_attention_heads": 4, "num_key_value_heads": 2, "rope_scaling": {"type": "mrope", "mrope_section": [2, 3, 3]}}""", "out_hidden_size 3584 must equal the language model's hidden_size 64")]
    [InlineData("""{"model_type": "qwen2_5_vl", "hidden_size": 3584, "num_attention_heads": 32, "vision_config": {"hidden_act": "quick_gelu"}, MROPE}""", "vision_config.hidden_act \"quick_gelu\"")]
    [InlineData("""{"model_type": "qwen2_5_vl", "hidden_size": 3584, "num_attention_heads": 32, "vision_config": {"model_type": "qwen2_vl"}, MROPE}""", "vision_config.model_type")]
    [InlineData("""{"model_type": "qwen2_5_vl", "hidden_size": 3584, "num_attention_heads": 32, "vision_config": {"in_channels": 4}, MROPE}""", "vision_config.in_channels")]
    [InlineData("""{"model_type": "qwen2_5_vl", "hidden_size": 3584, "num_attention_heads": 32, "vision_config": {"hidden_size": 36, "num_heads": 2}, MROPE}""", "vision head size 18")]
    [InlineData("""{"model_type": "qwen2_5_vl", "hidden_size": 3584, "num_attention_heads": 32, "vision_config": {"window_size": 16}, MROPE}""", "vision_config.window_size 16 is smaller than one merge unit")]
    [InlineData("""{"model_type": "qwen2_5_vl", "hidden_size": 3584, "num_attention_heads": 32, "vocab_size": 1000, MROPE}""", "image_token_id 151655 is outside the vocabulary")]
    public void UnsupportedConfigsAreRefusedByName(string json, string fragment)
    {
        var e = Assert.Throws<ModelFormatException>(() => Qwen25VlConfig.Parse(json.Replace("MROPE", Mrope), "cfg.json"));
        Assert.Contains(fragment, e.Message);
        Assert.Contains("cfg.json", e.Message);
    }

    [Fact]
    public void PreprocessorSettingsReadTheirHfNames()
    {
        string dir = Directory.CreateTempSubdirectory("qwen-pre").FullName;
        try
        {
            string path = Path.Combine(dir, "preprocessor_config.json");
            Qwen2VlImageProcessor Load(string json) { File.WriteAllText(path, json); return Qwen2VlImageProcessor.Load(path); }
            var d = Load("{}");
            Assert.Equal((3136L, 1003520L, 14, 2, 2, 28), (d.MinPixels, d.MaxPixels, d.PatchSize, d.MergeSize, d.TemporalPatchSize, d.Factor));
            var sized = Load("""{"size": {"shortest_edge": 100, "longest_edge": 5000}, "patch_size": 4}""");
            Assert.Equal((100L, 5000L, 8), (sized.MinPixels, sized.MaxPixels, sized.Factor));
            var both = Load("""{"min_pixels": 300, "max_pixels": 600, "size": {"shortest_edge": 100, "longest_edge": 5000}}""");
            Assert.Equal((300L, 600L), (both.MinPixels, both.MaxPixels));   // min_pixels / max_pixels win, as in HF
            var old = Load("""{"size": {"min_pixels": 200, "max_pixels": 900}}""");
            Assert.Equal((200L, 900L), (old.MinPixels, old.MaxPixels));

            foreach (var (json, fragment) in new[]
            {
                ("""{"resample": 2}""", "resample"), ("""{"image_processor_type": "CLIPImageProcessor"}""", "image_processor_type"),
                ("""{"image_mean": [0.5, 0.5]}""", "image_mean"), ("""{"min_pixels": 900, "max_pixels": 300}""", "min_pixels 900 is above max_pixels 300"),
                ("""{"merge_size": 0}""", "merge_size 0 must be positive"), ("""{"do_convert_rgb": false}""", "do_convert_rgb"),
            })
            {
                var e = Assert.Throws<ModelFormatException>(() => Load(json));
                Assert.Contains(fragment, e.Message);
                Assert.Contains(path, e.Message);
            }
            var tower = Qwen25VlConfig.Parse(Qwen25Vl7B, "7b.json").Vision;
            var mismatch = Assert.Throws<ModelFormatException>(() => sized.CheckAgainst(tower, path));
            Assert.Contains("patch_size 4, merge_size 2, temporal_patch_size 2 do not match the vision tower's 14, 2, 2", mismatch.Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void AnUnknownTensorLayoutIsRefused()
    {
        string dir = Directory.CreateTempSubdirectory("qwen-layout").FullName;
        try
        {
            new SafeTensorsWriter().Add("model.embed_tokens.weight", [2, 2], new float[4]).Save(Path.Combine(dir, "model.safetensors"));
            using var store = WeightStore.Open(dir);
            var e = Assert.Throws<ModelFormatException>(() => Qwen25VlWeightLayout.Detect(store));
            Assert.Contains("unknown Qwen2.5-VL tensor layout", e.Message);
            Assert.Contains("'model.embed_tokens.weight'", e.Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Theory]
    [InlineData("model.layers.3.mlp.up_proj.weight", "model.layers.3.mlp.up_proj.weight", "model.language_model.layers.3.mlp.up_proj.weight")]
    [InlineData("lm_head.weight", "lm_head.weight", "lm_head.weight")]
    public void TextNamesMapToBothLayouts(string qwen2, string hub, string @new)
    {
        Assert.Equal(hub, Qwen25VlWeightLayout.Hub.TextName(qwen2));
        Assert.Equal(@new, Qwen25VlWeightLayout.New.TextName(qwen2));
    }
}
