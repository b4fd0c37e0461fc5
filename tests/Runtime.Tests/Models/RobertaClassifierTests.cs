using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Backends.Cpu;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Runtime.Models.Families;
using HeadPursuit.Runtime.SafeTensors;
using HeadPursuit.Tests;

namespace HeadPursuit.Runtime.Tests.Models;

/// <summary>
/// RoBERTa sequence classification beyond the fixture's cases (which FixtureParityTests runs): HF RobertaConfig's
/// defaults and the refusals, packing, truncation, probabilities, and errors that name what is wrong.
/// </summary>
public sealed class RobertaClassifierTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("hp-roberta-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    static string Folder => Fixtures.Path("roberta-cls-tiny");

    static Roberta.Config Parse(string json) => SequenceClassifier.ParseConfig(json.Replace('\'', '"'), "test/config.json");

    static ModelFormatException Refused(string json) => Assert.Throws<ModelFormatException>(() => Parse(json));

    [Fact]
    public void AbsentKeysTakeRobertaConfigsDefaults()
    {
        var c = Parse("{'model_type': 'roberta'}");
        Assert.Equal((12, 12, 768, 64, 3072, 50265, 512, 2, 1, 1e-12f, Activation.GeluErf),
                     (c.Layers, c.Heads, c.DModel, c.DHead, c.DFF, c.Vocab, c.MaxPositions, c.TypeVocab, c.PadId, c.NormEps, c.Activation));
        Assert.Equal(["LABEL_0", "LABEL_1"], c.Labels);
        Assert.False(c.Sigmoid);
        Assert.Equal(510, c.MaxTokens);   // positions 2..511
    }

    [Fact]
    public void TheFixturesConfigIsTheToxicityClassifiersLayout()
    {
        var c = SequenceClassifier.ReadConfig(Path.Combine(Folder, "config.json"));
        Assert.Equal((2, 4, 64, 16, 256, 309, 66, 1, 1, 1e-5f), (c.Layers, c.Heads, c.DModel, c.DHead, c.DFF, c.Vocab, c.MaxPositions, c.TypeVocab, c.PadId, c.NormEps));
        Assert.Equal(["neutral", "toxic"], c.Labels);
        Assert.Equal(64, c.MaxTokens);
    }

    [Fact]
    public void LabelsComeFromId2labelOrNumLabels()
    {
        Assert.Equal(["LABEL_0", "LABEL_1", "LABEL_2"], Parse("{'model_type': 'roberta', 'num_labels': 3}").Labels);
        Assert.Equal(["b", "a"], Parse("{'model_type': 'roberta', 'id2label': {'1': 'a', '0': 'b'}}").Labels);
        Assert.True(Parse("{'model_type': 'roberta', 'id2label': {'0': 'toxic'}}").Sigmoid);
        Assert.True(Parse("{'model_type': 'roberta', 'problem_type': 'multi_label_classification', 'num_labels': 6}").Sigmoid);
        Assert.Contains("num_labels = 3 but id2label names 2 labels", Refused("{'model_type': 'roberta', 'num_labels': 3, 'id2label': {'0': 'a', '1': 'b'}}").Message);
        Assert.Contains("id2label must name the labels 0..n-1, it names 0, 2", Refused("{'model_type': 'roberta', 'id2label': {'0': 'a', '2': 'b'}}").Message);
    }

    [Theory]
    [InlineData("'position_embedding_type': 'relative_key'", "position_embedding_type = \"relative_key\" is not supported (supported: \"absolute\")")]
    [InlineData("'is_decoder': true", "is_decoder = true is not supported (supported: false: an encoder)")]
    [InlineData("'add_cross_attention': true", "add_cross_attention = true is not supported")]
    [InlineData("'problem_type': 'regression'", "problem_type = \"regression\" is not supported (supported: single_label_classification, multi_label_classification)")]
    [InlineData("'architectures': ['RobertaForMaskedLM']", "architectures = [\"RobertaForMaskedLM\"] is not supported (supported: [\"RobertaForSequenceClassification\"])")]
    [InlineData("'hidden_act': 'relu'", "hidden_act \"relu\" is not supported (supported: gelu, gelu_new, gelu_pytorch_tanh, silu, swish)")]
    [InlineData("'hidden_size': 100", "hidden_size 100 is not a multiple of num_attention_heads 12")]
    [InlineData("'max_position_embeddings': 3", "max_position_embeddings 3 leaves no room for a text")]
    public void UnsupportedOptionsAreRefusedByName(string field, string message)
    {
        var e = Refused("{'model_type': 'roberta', " + field + "}");
        Assert.Contains(message, e.Message.Replace('\'', '"'));
        Assert.Contains("test/config.json", e.Message);
    }

    [Fact]
    public void AClassifierIsNotALanguageModelAndALanguageModelIsNotAClassifier()
    {
        var e = Assert.Throws<ModelFormatException>(() => ModelConfig.Load(Path.Combine(Folder, "config.json")));
        Assert.Contains("model_type \"roberta\" is a sequence classifier", e.Message);
        e = Assert.Throws<ModelFormatException>(() => SequenceClassifier.ReadConfig(Fixtures.Path("gpt2-tiny", "config.json")));
        Assert.Contains("model_type \"gpt2\" is not a sequence classifier this runs (supported: roberta)", e.Message);
    }

    [Fact]
    public void APackedBatchGivesEachTextItsSingleRunsLogits()
    {
        using var classifier = SequenceClassifier.Load(Folder, new CpuBackend());
        string[] texts = ["Thanks!", "", "What a stupid idea.", "<pad> counts as padding: its position is the pad's"];
        var ids = texts.Select(classifier.Encode).ToArray();
        Assert.Equal([0, 2], ids[1]);
        Assert.Equal([2, 1, 3, 4], Roberta.PositionIds([5, 1, 7, 8], padId: 1));   // a pad token keeps position pad; the others count on
        var packed = classifier.Model.Logits(ids);   // [4, 2]
        for (int i = 0; i < texts.Length; i++)
        {
            var single = classifier.Model.Logits([ids[i]]);
            for (int j = 0; j < 2; j++) Assert.Equal(single[j], packed[i * 2 + j], 5e-6f);
        }
    }

    [Fact]
    public void ProbabilitiesAreTheFixturesAndALongTextIsCutToTheModelsLength()
    {
        using var classifier = SequenceClassifier.Load(Folder, new CpuBackend());
        var probs = classifier.Probabilities(["Thanks!", "What a stupid idea. Nobody wants to hear your nonsense, so just stop talking and go away!", "Shut up, idiot."], batchSize: 2);
        Assert.Equal([0.651488f, 0.348512f], probs[0], (a, b) => Math.Abs(a - b) < 2e-6);
        Assert.Equal([0.428187f, 0.571813f], probs[1], (a, b) => Math.Abs(a - b) < 2e-6);
        Assert.Equal([0.560881f, 0.439119f], probs[2], (a, b) => Math.Abs(a - b) < 2e-6);
        Assert.Equal(1, classifier.LabelIndex("toxic"));
        Assert.Contains("has no label 'toxicity' (its config.json id2label: neutral, toxic)", Assert.Throws<ArgumentException>(() => classifier.LabelIndex("toxicity")).Message);

        string longText = string.Concat(Enumerable.Repeat("Thank you for your help! ", 20));
        var ids = classifier.Encode(longText);
        Assert.Equal(64, ids.Length);
        Assert.Equal(0, ids[0]);
        Assert.Equal(2, ids[^1]);
        Assert.Equal(classifier.Tokenizer.Encode(longText)[..62], ids[1..^1]);
        var p = Assert.Single(classifier.Probabilities([longText], batchSize: 8));
        Assert.Equal(1f, p.Sum(), 1e-6f);
        var e = Assert.Throws<ArgumentException>(() => classifier.Model.Logits([[0, .. Enumerable.Repeat(5, 63), 2]]));
        Assert.Contains("text 0 has 65 tokens, more than the model's 64", e.Message);
    }

    [Fact]
    public void AMissingClassifierTensorIsNamed()
    {
        foreach (string file in Directory.GetFiles(Folder)) File.Copy(file, Path.Combine(_dir, Path.GetFileName(file)));
        var w = new SafeTensorsWriter();
        using (var original = SafeTensorsFile.Open(Path.Combine(Folder, "model.safetensors")))
            foreach (string name in original.Names.Where(n => n != "classifier.out_proj.weight"))
            {
                var t = original.Get(name);
                w.Add(name, t.Shape, t.ToFloatArray());
            }
        w.Save(Path.Combine(_dir, "model.safetensors"));
        var e = Assert.ThrowsAny<Exception>(() => SequenceClassifier.Load(_dir, new CpuBackend()));
        Assert.Contains("classifier.out_proj.weight", e.Message);
    }
}
