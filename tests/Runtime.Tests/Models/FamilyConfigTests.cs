using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Backends.Cpu;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Runtime.Models.Families;
using HeadPursuit.Runtime.SafeTensors;
using HeadPursuit.Runtime.Tensors;
using HeadPursuit.Tests;

namespace HeadPursuit.Runtime.Tests.Models;

/// <summary>
/// How each family reads config.json: Hugging Face's defaults, RoPE scaling in both config generations, layer types,
/// and refusals that name the field, the value and what is supported.
/// </summary>
public sealed class FamilyConfigTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("hp-family-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    static ModelConfig Parse(string json) => ModelConfig.Parse(json, "test/config.json");

    /// <summary>JSON written with single quotes, for readability here.</summary>
    static string J(string s) => s.Replace('\'', '"');

    static readonly string TinyLlama = J("'model_type': 'llama', 'hidden_size': 64, 'intermediate_size': 128, 'num_hidden_layers': 4, 'num_attention_heads': 4, 'vocab_size': 10");

    [Fact]
    public void Llama3FrequenciesMatchTheFixture()
    {
        var c = ModelConfig.Load(Fixtures.Path("llama3-rope-tiny", "config.json"));
        var rope = c.LayerAttention[0].Rope!;
        Assert.Equal(("llama3", 8.0, 1.0, 4.0, 256, 500000.0), (rope.Type, rope.Factor, rope.LowFreqFactor, rope.HighFreqFactor, rope.OriginalMaxPositions, rope.Theta));
        using var expected = SafeTensorsFile.Open(Fixtures.Path("llama3-rope-tiny", "expected.safetensors"));
        var want = expected.Get("rope.inv_freq").ToFloatArray();
        var got = rope.InverseFrequencies(c.DHead);
        Assert.Equal(want.Length, got.Length);
        for (int j = 0; j < want.Length; j++) Assert.Equal(want[j], (float)got[j]);   // float64 rounded once, as the fixture
    }

    [Fact]
    public void LinearScalingDividesEveryFrequencyByTheFactor()
    {
        var plain = new RopeSettings(1e4).InverseFrequencies(16);
        var linear = new RopeSettings(1e4, "linear", 8).InverseFrequencies(16);
        Assert.Equal(plain.Select(f => f / 8), linear);
    }

    [Fact]
    public void Transformers5RopeParametersReadLikeRopeScaling()
    {
        var old = Parse("{" + TinyLlama + J(", 'rope_theta': 5e5, 'rope_scaling': {'type': 'llama3', 'factor': 8, 'low_freq_factor': 1, 'high_freq_factor': 4, 'original_max_position_embeddings': 256}}"));
        var v5 = Parse("{" + TinyLlama + J(", 'rope_parameters': {'rope_type': 'llama3', 'rope_theta': 5e5, 'factor': 8, 'low_freq_factor': 1, 'high_freq_factor': 4, 'original_max_position_embeddings': 256}}"));
        Assert.Equal(old.LayerAttention[0].Rope, v5.LayerAttention[0].Rope);
    }

    [Theory]
    [InlineData("dynamic")]
    [InlineData("yarn")]
    [InlineData("longrope")]
    public void OtherRopeTypesAreRefusedByName(string type)
    {
        var e = Assert.Throws<ModelFormatException>(() => Parse("{" + TinyLlama + J($", 'rope_scaling': {{'rope_type': '{type}', 'factor': 4}}}}")));
        Assert.Contains($"rope_scaling.rope_type = \"{type}\" is not supported", e.Message);
        Assert.Contains("default, linear, llama3", e.Message);
        Assert.Contains("test/config.json", e.Message);
    }

    [Fact]
    public void Llama3ScalingWithoutItsBandsNamesTheMissingField()
    {
        var e = Assert.Throws<ModelFormatException>(() => Parse("{" + TinyLlama + J(", 'rope_scaling': {'rope_type': 'llama3', 'factor': 8}}")));
        Assert.Contains("rope_scaling.low_freq_factor is required", e.Message);
    }

    [Fact]
    public void AnActivationTheBlockDoesNotRunIsRefused()
    {
        var e = Assert.Throws<ModelFormatException>(() => Parse("{" + TinyLlama + J(", 'hidden_act': 'relu'}")));
        Assert.Contains("hidden_act \"relu\" is not supported (supported: silu, gelu, gelu_new, gelu_pytorch_tanh)", e.Message);
    }

    [Fact]
    public void Qwen2SlidesOnlyFromMaxWindowLayersWhenAsked()
    {
        string qwen = J("'model_type': 'qwen2', 'hidden_size': 64, 'intermediate_size': 128, 'num_hidden_layers': 4, 'num_attention_heads': 4, 'num_key_value_heads': 2, 'vocab_size': 10, 'sliding_window': 16, 'max_window_layers': 2");
        Assert.All(Parse("{" + qwen + "}").LayerAttention, a => Assert.Null(a.Window));
        Assert.Equal([null, null, 16, 16], Parse("{" + qwen + J(", 'use_sliding_window': true}")).LayerAttention.Select(a => a.Window));
        var listed = Parse("{" + qwen + J(", 'use_sliding_window': true, 'layer_types': ['sliding_attention', 'full_attention', 'full_attention', 'sliding_attention']}"));
        Assert.Equal([16, null, null, 16], listed.LayerAttention.Select(a => a.Window));
        var e = Assert.Throws<ModelFormatException>(() => Parse("{" + qwen + J(", 'layer_types': ['full_attention', 'chunked_attention', 'full_attention', 'full_attention']}")));
        Assert.Contains("layer_types[1] \"chunked_attention\" is not supported (supported: full_attention, sliding_attention)", e.Message);
    }

    [Fact]
    public void Gemma3LayersFollowTheFixturesDerivedFacts()
    {
        var c = (GemmaFamily.Config)ModelConfig.Load(Fixtures.Path("gemma3-text-tiny", "config.json"));
        Assert.Equal([8, 8, 8, 8, 8, null], c.LayerAttention.Select(a => a.Window));
        Assert.Equal(new RopeSettings(10000), c.LayerAttention[0].Rope);
        Assert.Equal(new RopeSettings(1e6, "linear", 8), c.LayerAttention[5].Rope);
        Assert.Equal((float)0.28867513459481287, c.AttentionScale);
        Assert.Equal((null, null, true), (c.AttentionSoftCap, c.FinalSoftCap, c.QkNorm));
        var g2 = (GemmaFamily.Config)ModelConfig.Load(Fixtures.Path("gemma2-tiny", "config.json"));
        Assert.Equal([8, null, 8, null], g2.LayerAttention.Select(a => a.Window));
        Assert.Equal((50f, 30f, 0.25f, false), (g2.AttentionSoftCap, g2.FinalSoftCap, g2.AttentionScale, g2.QkNorm));
    }

    [Fact]
    public void Gemma3PerLayerTypeRopeParametersOfTransformers5()
    {
        var c = Parse("""
            {"model_type": "gemma3_text", "hidden_size": 48, "intermediate_size": 64, "num_hidden_layers": 2, "num_attention_heads": 2, "num_key_value_heads": 1,
             "head_dim": 16, "vocab_size": 10, "sliding_window": 8, "layer_types": ["sliding_attention", "full_attention"],
             "rope_parameters": {"sliding_attention": {"rope_type": "default", "rope_theta": 10000.0},
                                 "full_attention": {"rope_type": "linear", "factor": 8.0, "rope_theta": 1000000.0}}}
            """);
        Assert.Equal(new RopeSettings(1e4), c.LayerAttention[0].Rope);
        Assert.Equal(new RopeSettings(1e6, "linear", 8), c.LayerAttention[1].Rope);
    }

    [Fact]
    public void GptNeoXRotatesAQuarterOfEachHeadByDefault()
    {
        var c = ModelConfig.Load(Fixtures.Path("pythia-tiny", "config.json"));
        Assert.Equal((4, 10000.0), (c.LayerAttention[0].RotaryDims, c.LayerAttention[0].Rope!.Theta));
        var v5 = Parse(J("{'model_type': 'gpt_neox', 'hidden_size': 64, 'intermediate_size': 128, 'num_hidden_layers': 1, 'num_attention_heads': 2, 'vocab_size': 10, 'rope_parameters': {'rope_type': 'default', 'rope_theta': 500.0, 'partial_rotary_factor': 0.5}}"));
        Assert.Equal((16, 500.0), (v5.LayerAttention[0].RotaryDims, v5.LayerAttention[0].Rope!.Theta));
        Assert.True(((GptNeoXFamily.Config)v5).ParallelResidual);
    }

    [Theory]
    [InlineData(1152, nameof(DType.BF16), 34f)]
    [InlineData(72, nameof(DType.BF16), 8.5f)]
    [InlineData(48, nameof(DType.F32), 6.928203105926514f)]
    public void GemmaEmbeddingScaleIsRoundedToTheEmbeddingDtype(int hidden, string dtype, float expected) =>
        Assert.Equal(expected, GemmaFamily.EmbedScale(hidden, Enum.Parse<DType>(dtype)));

    [Fact]
    public void ABf16GemmaScalesItsEmbeddingsByTheBf16Scale()
    {
        // Every weight rounded to BF16: resid[0] must be bf16(embed row) * bf16(sqrt(48)) = row * 6.9375, exactly.
        string folder = Path.Combine(_dir, "gemma3-bf16");
        Directory.CreateDirectory(folder);
        File.Copy(Fixtures.Path("gemma3-text-tiny", "config.json"), Path.Combine(folder, "config.json"));
        using (var f = SafeTensorsFile.Open(Fixtures.Path("gemma3-text-tiny", "model.safetensors")))
        {
            var w = new SafeTensorsWriter();
            foreach (var n in f.Names)
                w.Add(n, DType.BF16, f.Get(n).Shape, f.Get(n).ToFloatArray().SelectMany(x => BitConverter.GetBytes(HalfFloat.SingleToBF16(x))).ToArray());
            w.Save(Path.Combine(folder, "model.safetensors"));
        }
        using var m = Transformer.Load(folder, new CpuBackend());
        int[] ids = [2, 17, 900];
        var rec = new ForwardRecording(m.Config.Layers, ids.Length, m.Config.Heads, m.Config.DHead, m.Config.DModel, probs: false);
        using var cache = m.NewCache(1, ids.Length);
        m.Forward(new ForwardRequest { Tokens = ids, Layout = BatchLayout.Single(ids.Length), Logits = LogitRows.None, Record = rec }, cache);
        using var bf16 = SafeTensorsFile.Open(Path.Combine(folder, "model.safetensors"));
        var table = bf16.Get("model.embed_tokens.weight").ToFloatArray();
        int d = m.Config.DModel;
        for (int t = 0; t < ids.Length; t++)
            for (int i = 0; i < d; i++)
                Assert.Equal(table[ids[t] * d + i] * 6.9375f, rec.Resid[t * d + i]);
    }

    [Fact]
    public void AFamilysOwnTensorIsNamedWhenMissing()
    {
        string folder = Path.Combine(_dir, "qwen3-no-qnorm");
        Directory.CreateDirectory(folder);
        File.Copy(Fixtures.Path("qwen3-tiny", "config.json"), Path.Combine(folder, "config.json"));
        using (var f = SafeTensorsFile.Open(Fixtures.Path("qwen3-tiny", "model.safetensors")))
        {
            var w = new SafeTensorsWriter();
            foreach (var n in f.Names.Where(n => n != "model.layers.1.self_attn.q_norm.weight"))
            { var t = f.Get(n); w.Add(n, t.DType, t.Shape, t.ToByteArray()); }
            w.Save(Path.Combine(folder, "model.safetensors"));
        }
        var e = Assert.Throws<ModelFormatException>(() => Transformer.Load(folder, new CpuBackend()).Dispose());
        Assert.Contains("missing tensor 'model.layers.1.self_attn.q_norm.weight'", e.Message);
    }

    [Fact]
    public void BidirectionalGemmaIsRefused()
    {
        var e = Assert.Throws<ModelFormatException>(() => Parse(J("{'model_type': 'gemma3_text', 'use_bidirectional_attention': true}")));
        Assert.Contains("use_bidirectional_attention = true is not supported", e.Message);
    }

    [Fact]
    public void MultimodalRopeSectionsAreReadAndChecked()
    {
        string qwen = J("'model_type': 'qwen2', 'hidden_size': 64, 'intermediate_size': 128, 'num_hidden_layers': 1, 'num_attention_heads': 4, 'num_key_value_heads': 2, 'vocab_size': 10, 'rope_theta': 1000");
        var c = Parse("{" + qwen + J(", 'rope_scaling': {'type': 'mrope', 'mrope_section': [2, 3, 3]}}"));
        Assert.Equal((2, 3, 3), c.LayerAttention[0].Rope!.MropeSection);
        var v5 = Parse("{" + qwen + J(", 'rope_scaling': {'rope_type': 'default', 'mrope_section': [2, 3, 3]}}"));
        Assert.Equal(c.LayerAttention[0].Rope, v5.LayerAttention[0].Rope);
        var e = Assert.Throws<ModelFormatException>(() => Parse("{" + qwen + J(", 'rope_scaling': {'type': 'mrope', 'mrope_section': [2, 3, 4]}}")));
        Assert.Contains("mrope_section [2, 3, 4] must add up to 8", e.Message);
    }
}
