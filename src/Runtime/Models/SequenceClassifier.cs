using HeadPursuit.Runtime.Input;
using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Models.Families;
using HeadPursuit.Runtime.SafeTensors;
using HeadPursuit.Runtime.Tokenizers;

namespace HeadPursuit.Runtime.Models;

/// <summary>
/// A text classifier from a model folder (config.json, safetensors weights, tokenizer): RoBERTa sequence classification
/// (<see cref="Roberta"/>), such as s-nlp/roberta_toxicity_classifier. Texts are tokenized with the tokenizer's special
/// tokens (&lt;s&gt; ... &lt;/s&gt;), cut to the model's length, run packed in batches, and turned into per-label
/// probabilities as Hugging Face's text-classification pipeline does: a softmax over the labels, or each label's sigmoid
/// for a multi-label (or one-label) model.
/// </summary>
public sealed class SequenceClassifier : IDisposable
{
    readonly WeightStore _store;

    /// <summary>The folder the classifier was loaded from.</summary>
    public string Folder { get; }
    internal Roberta.Model Model { get; }
    internal Roberta.Config Config => Model.Config;
    /// <summary>The classifier's tokenizer.</summary>
    public Tokenizer Tokenizer { get; }
    /// <summary>The label names by id (config.json's id2label).</summary>
    public IReadOnlyList<string> Labels => Config.Labels;

    SequenceClassifier(string folder, Roberta.Model model, Tokenizer tokenizer, WeightStore store)
    {
        Folder = folder; Model = model; Tokenizer = tokenizer; _store = store;
    }

    /// <summary>Whether a config.json model_type is a sequence classifier this runs.</summary>
    public static bool Reads(string modelType) => Roberta.ModelTypes.Contains(modelType);

    /// <summary>Loads a sequence-classification checkpoint folder (config.json with id2label, safetensors weights, tokenizer).</summary>
    public static SequenceClassifier Load(string folder, IBackend backend)
    {
        var config = ReadConfig(Path.Combine(folder, "config.json"));
        var tokenizer = Tokenizer.FromFolder(folder);
        var store = WeightStore.Open(folder);
        var parameters = new ParameterTensors(backend);
        try { return new SequenceClassifier(folder, Roberta.Load(config, new CheckpointTensors(store), parameters), tokenizer, store); }
        catch { parameters.Dispose(); store.Dispose(); throw; }
    }

    /// <summary>Reads a classifier's config.json.</summary>
    internal static Roberta.Config ReadConfig(string path) =>
        File.Exists(path) ? ParseConfig(TextFile.Read(path), path) : throw new ModelFormatException($"{path}: config.json not found");

    /// <summary>A config.json text; another model_type is refused, naming the supported ones.</summary>
    internal static Roberta.Config ParseConfig(string json, string source) => ConfigReader.Parse(json, source, r =>
    {
        string supported = string.Join(", ", Roberta.ModelTypes);
        string type = r.String("model_type") ?? throw new ModelFormatException($"{source}: missing \"model_type\" (sequence classifiers: {supported})");
        if (!Reads(type)) throw new ModelFormatException($"{source}: model_type \"{type}\" is not a sequence classifier this runs (supported: {supported})");
        return Roberta.ReadConfig(r);
    });

    /// <summary>The id of a label name, or an error listing the labels.</summary>
    public int LabelIndex(string label)
    {
        int i = Array.IndexOf(Config.Labels, label);
        return i >= 0 ? i : throw new ArgumentException($"{Folder} has no label '{label}' (its config.json id2label: {string.Join(", ", Config.Labels)})");
    }

    /// <summary>The ids the model reads for a text: with &lt;s&gt; and &lt;/s&gt;, cut to the model's longest text.</summary>
    public int[] Encode(string text) => Tokenizer.EncodeTruncated(text, Config.MaxTokens);

    /// <summary>Per text, the probability of each label ([texts][labels]), <paramref name="batchSize"/> texts per forward call.</summary>
    public float[][] Probabilities(IReadOnlyList<string> texts, int batchSize)
    {
        if (batchSize <= 0) throw new ArgumentException($"batch size must be positive, got {batchSize}");
        int labels = Config.Labels.Length;
        var result = new List<float[]>(texts.Count);
        for (int start = 0; start < texts.Count; start += batchSize)
        {
            var ids = texts.Skip(start).Take(batchSize).Select(Encode).ToArray();
            var logits = Model.Logits(ids);   // [batch, labels]
            for (int i = 0; i < ids.Length; i++) result.Add(Probabilities(logits.AsSpan(i * labels, labels)));
        }
        return [.. result];
    }

    /// <summary>One text's label probabilities from its logits: softmax, or sigmoid per label (computed in double).</summary>
    public float[] Probabilities(ReadOnlySpan<float> logits)
    {
        var p = new float[logits.Length];
        if (Config.Sigmoid)
        {
            for (int j = 0; j < p.Length; j++) p[j] = (float)(1 / (1 + Math.Exp(-(double)logits[j])));
            return p;
        }
        double max = double.NegativeInfinity, sum = 0;
        foreach (float x in logits) max = Math.Max(max, x);
        for (int j = 0; j < p.Length; j++) sum += Math.Exp(logits[j] - max);
        for (int j = 0; j < p.Length; j++) p[j] = (float)(Math.Exp(logits[j] - max) / sum);
        return p;
    }

    /// <summary>Frees the weights.</summary>
    public void Dispose()
    {
        Model.Dispose();
        _store.Dispose();
    }
}
