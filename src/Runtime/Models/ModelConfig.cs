using HeadPursuit.Runtime.Input;
namespace HeadPursuit.Runtime.Models;

/// <summary>
/// What the forward pass needs from a config.json, normalised across families. Each family reads its own config.json
/// keys (with Hugging Face's defaults for absent ones) into a record derived from this one, which adds the family's own
/// switches (biases, residual layout...). Anything a family cannot run faithfully is refused with a message that names
/// the field, the value and what is supported.
/// </summary>
public abstract record ModelConfig
{
    /// <summary>config.json's model_type, e.g. "gpt2", "llama".</summary>
    public required string ModelType { get; init; }
    /// <summary>The family that read this config (set by every family's reader, as `required` would ask of a public member).</summary>
    internal ModelFamily Family { get; init; } = null!;
    /// <summary>Transformer layers.</summary>
    public required int Layers { get; init; }
    /// <summary>Attention heads per layer.</summary>
    public required int Heads { get; init; }
    /// <summary>Key/value heads (grouped-query attention); equals Heads for multi-head attention.</summary>
    public required int KvHeads { get; init; }
    /// <summary>The residual stream's width.</summary>
    public required int DModel { get; init; }
    /// <summary>The width of one attention head.</summary>
    public required int DHead { get; init; }
    /// <summary>MLP hidden size.</summary>
    public required int DFF { get; init; }
    /// <summary>The MLP's first projection gives [gate | up] (2 d_ff wide) for a gated activation (SwiGLU, GeGLU).</summary>
    public required bool GatedMlp { get; init; }
    /// <summary>Vocabulary size: rows of the unembedding.</summary>
    public required int Vocab { get; init; }
    /// <summary>The longest sequence the model runs (prompt plus generated tokens).</summary>
    public required int MaxPositions { get; init; }
    /// <summary>The epsilon of the model's normalisations.</summary>
    public required float NormEps { get; init; }
    /// <summary>Learned absolute positions (GPT-2): no position at or beyond MaxPositions can be run.</summary>
    public bool LearnedPositions { get; init; }
    /// <summary>[Layers]: each layer's attention window and rotary embedding.</summary>
    internal LayerAttention[] LayerAttention { get; init; } = null!;
    /// <summary>Scores are (q . k) * AttentionScale; null = 1/sqrt(d_head).</summary>
    public float? AttentionScale { get; init; }
    /// <summary>Attention scores become cap * tanh(scores / cap) before the softmax (Gemma 2), when set.</summary>
    public float? AttentionSoftCap { get; init; }
    /// <summary>Logits become cap * tanh(logits / cap) (Gemma 2), when set.</summary>
    public float? FinalSoftCap { get; init; }
    /// <summary>The unembedding is the token embedding.</summary>
    public bool TieEmbeddings { get; init; }
    /// <summary>The beginning-of-sequence token, when the config names one.</summary>
    public int? BosId { get; init; }
    /// <summary>The end-of-sequence tokens (config.json, generation_config.json): what generation stops at.</summary>
    public int[] EosIds { get; init; } = [];

    /// <summary>Reads a config.json of a family we run; an unknown model_type or a missing field is an error naming the file.</summary>
    public static ModelConfig Load(string path)
    {
        if (!File.Exists(path)) throw new ModelFormatException($"{path}: config.json not found");
        return Parse(TextFile.Read(path), path);
    }

    /// <summary>config.json's "model_type", or "" when it names none; a file that is not a JSON object is refused naming it.</summary>
    public static string ModelTypeIn(string path) => ConfigReader.Load(path, r => r.String("model_type") ?? "");

    /// <summary>Reads a config.json text with the family its model_type names.</summary>
    public static ModelConfig Parse(string json, string source) => ConfigReader.Parse(json, source, r =>
    {
        string supported = string.Join(", ", ModelFamily.SupportedModelTypes);
        string type = r.String("model_type") ?? throw new ModelFormatException($"{source}: missing \"model_type\" (supported: {supported})");
        if (SequenceClassifier.Reads(type))
            throw new ModelFormatException($"{source}: model_type \"{type}\" is a sequence classifier: it scores texts (verify, the toxicity metric's " +
                                           $"\"toxicity_classifier\") and has no language-model head to generate with or rank heads on (language models: {supported})");
        var family = ModelFamily.ForModelType(type) ?? throw new ModelFormatException($"{source}: model_type \"{type}\" is not supported (supported: {supported})");
        var config = family.ReadConfig(r, type);
        config.Validate(source);
        return config;
    });

    void Validate(string source)
    {
        void Positive(int v, string field) { if (v <= 0) throw new ModelFormatException($"{source}: {field} = {v} must be positive"); }
        Positive(Layers, "layers"); Positive(Heads, "attention heads"); Positive(KvHeads, "key/value heads");
        Positive(DModel, "hidden size"); Positive(DHead, "head dim"); Positive(DFF, "intermediate size"); Positive(Vocab, "vocab_size");
        Positive(MaxPositions, "max positions");
        if (Heads % KvHeads != 0) throw new ModelFormatException($"{source}: num_attention_heads {Heads} is not a multiple of num_key_value_heads {KvHeads}");
        if (!(NormEps > 0) || float.IsInfinity(NormEps)) throw new ModelFormatException($"{source}: the norm epsilon {NormEps} must be a positive number");
        if (LayerAttention.Length != Layers) throw new ModelFormatException($"{source}: {LayerAttention.Length} layer types for {Layers} layers");
        foreach (var a in LayerAttention)
        {
            if (a.Window is <= 0) throw new ModelFormatException($"{source}: sliding_window {a.Window} must be positive");
            if (a.Rope != null && (a.RotaryDims <= 0 || a.RotaryDims % 2 != 0 || a.RotaryDims > DHead))
                throw new ModelFormatException($"{source}: {a.RotaryDims} rotary dimensions per head must be even and within the head size {DHead}");
            if (a.Rope?.MropeSection is var (t, h, w) && t + h + w != a.RotaryDims / 2)
                throw new ModelFormatException($"{source}: mrope_section [{t}, {h}, {w}] must add up to {a.RotaryDims / 2} (half the rotary dimensions)");
        }
        foreach (var (v, name) in new[] { (AttentionScale, "attention scale"), (AttentionSoftCap, "attention soft-cap"), (FinalSoftCap, "final logit soft-cap") })
            if (v is float x && !(x > 0 && float.IsFinite(x))) throw new ModelFormatException($"{source}: the {name} {x} must be a positive number");
    }
}

/// <summary>
/// One layer's attention: a query sees at most Window keys (itself included; null = every earlier key), and q and k are
/// rotated by Rope over their first RotaryDims dimensions (null Rope: learned positions, no rotation).
/// </summary>
internal sealed record LayerAttention(int? Window, RopeSettings? Rope, int RotaryDims)
{
    public static LayerAttention[] Same(int layers, LayerAttention a) => Enumerable.Repeat(a, layers).ToArray();
}
