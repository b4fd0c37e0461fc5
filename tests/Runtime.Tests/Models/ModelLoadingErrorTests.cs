using HeadPursuit.Runtime.Backends.Cpu;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Runtime.Models.Families;
using HeadPursuit.Runtime.SafeTensors;
using HeadPursuit.Tests;

namespace HeadPursuit.Runtime.Tests.Models;

/// <summary>Bad checkpoints and configs are refused with a message that names the culprit.</summary>
public sealed class ModelLoadingErrorTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("hp-model-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A copy of a fixture model whose config and tensors the test may change.</summary>
    string CopyFixture(string fixture, Func<string, string>? editConfig = null, Action<SafeTensorsFile, SafeTensorsWriter>? editWeights = null)
    {
        string src = Fixtures.Path(fixture);
        string config = File.ReadAllText(Path.Combine(src, "config.json"));
        File.WriteAllText(Path.Combine(_dir, "config.json"), editConfig?.Invoke(config) ?? config);
        using var f = SafeTensorsFile.Open(Path.Combine(src, "model.safetensors"));
        var w = new SafeTensorsWriter();
        if (editWeights != null) editWeights(f, w);
        else foreach (var n in f.Names) { var t = f.Get(n); w.Add(n, t.DType, t.Shape, t.ToByteArray()); }
        w.Save(Path.Combine(_dir, "model.safetensors"));
        return _dir;
    }

    static ModelFormatException Fails(string folder) =>
        Assert.Throws<ModelFormatException>(() => Transformer.Load(folder, new CpuBackend()).Dispose());

    [Fact]
    public void UnsupportedModelTypeListsTheSupportedOnes()
    {
        var e = Fails(CopyFixture("llama-tiny", c => c.Replace("\"llama\"", "\"falcon\"")));
        Assert.Contains("model_type \"falcon\" is not supported", e.Message);
        Assert.Contains("gpt2, llama, mistral, qwen2", e.Message);
        Assert.Contains("config.json", e.Message);
    }

    [Fact]
    public void UnsupportedRopeScalingIsRefused()
    {
        var e = Fails(CopyFixture("llama-tiny", c => c.Replace("\"rope_scaling\": null", "\"rope_scaling\": {\"type\": \"yarn\", \"factor\": 4.0}")));
        Assert.Contains("rope_scaling", e.Message);
        Assert.Contains("yarn", e.Message);
    }

    [Fact]
    public void MissingTensorIsNamed()
    {
        var e = Fails(CopyFixture("llama-tiny", editWeights: (f, w) =>
        {
            foreach (var n in f.Names.Where(n => n != "model.layers.1.mlp.up_proj.weight"))
            { var t = f.Get(n); w.Add(n, t.DType, t.Shape, t.ToByteArray()); }
        }));
        Assert.Contains("missing tensor 'model.layers.1.mlp.up_proj.weight'", e.Message);
    }

    [Fact]
    public void WrongShapeNamesTheTensorAndBothShapes()
    {
        var e = Fails(CopyFixture("gpt2-tiny", c => c.Replace("\"n_inner\": null", "\"n_inner\": 128")));
        Assert.Contains("transformer.h.0.mlp.c_fc.weight", e.Message);
        Assert.Contains("[64, 256]", e.Message);
        Assert.Contains("expected [64, 128]", e.Message);
    }

    [Fact]
    public void AnAbsentConfigFieldTakesTheHuggingFaceDefault()
    {
        // LlamaConfig's num_hidden_layers defaults to 32, as in transformers: the loader then looks for layer 2 and names it.
        var e = Fails(CopyFixture("llama-tiny", c => c.Replace("\"num_hidden_layers\": 2,", "")));
        Assert.Contains("missing tensor 'model.layers.2.", e.Message);
        Assert.Equal(32, ModelConfig.Load(Path.Combine(_dir, "config.json")).Layers);
    }

    [Fact]
    public void HeadsThatDoNotDivideIntoKvGroupsAreRefused()
    {
        var e = Fails(CopyFixture("llama-tiny", c => c.Replace("\"num_key_value_heads\": 2", "\"num_key_value_heads\": 3")));
        Assert.Contains("num_key_value_heads 3", e.Message);
    }

    [Fact]
    public void ConfigFieldsAreReadForEveryFamily()
    {
        var qwen = (LlamaFamily.Config)ModelConfig.Load(Fixtures.Path("qwen2-tiny", "config.json"));
        Assert.Equal(("llama", 4, 1, 16, true, true, false), (qwen.Family.Name, qwen.Heads, qwen.KvHeads, qwen.DHead, qwen.QkvBias, qwen.TieEmbeddings, qwen.OutputBias));
        Assert.Equal(1e6, qwen.LayerAttention[0].Rope!.Theta);
        Assert.All(qwen.LayerAttention, a => Assert.Null(a.Window));   // use_sliding_window is false
        var stories = ModelConfig.Load(Fixtures.Path("stories260K", "config.json"));
        Assert.Equal((8, 4, 8, 172, 1e-5f), (stories.Heads, stories.KvHeads, stories.DHead, stories.DFF, stories.NormEps));
        var gpt2 = ModelConfig.Load(Fixtures.Path("gpt2-tiny", "config.json"));
        Assert.Equal(("gpt2", 256, 128, true, true), (gpt2.Family.Name, gpt2.DFF, gpt2.MaxPositions, gpt2.TieEmbeddings, gpt2.LearnedPositions));
        var mistral = ModelConfig.Parse("""{"model_type":"mistral","hidden_size":64,"intermediate_size":128,"num_hidden_layers":1,"num_attention_heads":4,"num_key_value_heads":2,"vocab_size":10,"sliding_window":4096,"eos_token_id":[2,3]}""", "mistral.json");
        Assert.Equal((4096, false), (mistral.LayerAttention[0].Window!.Value, mistral.TieEmbeddings));
        Assert.Equal([2, 3], mistral.EosIds);
    }
}
