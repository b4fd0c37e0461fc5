using System.Text.Json;

namespace HeadPursuit.Runtime.Models;

/// <summary>
/// The fields of a Hugging Face config.json that the forward pass needs, normalised across families.
/// Anything we cannot run faithfully (another model_type, RoPE scaling, GPT-2's per-layer attention scaling)
/// is refused with a message that lists what is supported.
/// </summary>
public sealed record ModelConfig
{
    public static readonly string[] SupportedModelTypes = ["gpt2", "llama", "mistral", "qwen2"];

    public required string ModelType { get; init; }
    public required ModelFamily Family { get; init; }
    public required int Layers { get; init; }
    public required int Heads { get; init; }
    /// <summary>Key/value heads (grouped-query attention); equals Heads for multi-head attention.</summary>
    public required int KvHeads { get; init; }
    public required int DModel { get; init; }
    public required int DHead { get; init; }
    /// <summary>MLP hidden size.</summary>
    public required int DFF { get; init; }
    public required int Vocab { get; init; }
    public required int MaxPositions { get; init; }
    public required float NormEps { get; init; }
    public double RopeTheta { get; init; } = 10000;
    public bool TieEmbeddings { get; init; }
    /// <summary>q/k/v projections carry a bias (GPT-2 and Qwen2 always; Llama with attention_bias).</summary>
    public bool QkvBias { get; init; }
    /// <summary>The attention output projection carries a bias (GPT-2; Llama with attention_bias).</summary>
    public bool OutputBias { get; init; }
    public bool MlpBias { get; init; }
    /// <summary>Mistral/Qwen2 sliding-window attention: a query sees at most this many keys (itself included).</summary>
    public int? SlidingWindow { get; init; }
    public int? BosId { get; init; }
    public int[] EosIds { get; init; } = [];

    public int QueriesPerKv => Heads / KvHeads;

    public static ModelConfig Load(string path)
    {
        if (!File.Exists(path)) throw new ModelFormatException($"{path}: config.json not found");
        return Parse(File.ReadAllText(path), path);
    }

    public static ModelConfig Parse(string json, string source)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json); }
        catch (JsonException e) { throw new ModelFormatException($"{source}: not valid JSON ({e.Message})"); }
        using var _ = doc;
        var r = new ConfigReader(doc.RootElement, source);
        string type = r.String("model_type") ?? throw new ModelFormatException($"{source}: missing \"model_type\" (supported: {string.Join(", ", SupportedModelTypes)})");
        var config = type switch
        {
            "gpt2" => ParseGpt2(r),
            "llama" or "mistral" or "qwen2" => ParseLlama(r, type),
            _ => throw new ModelFormatException($"{source}: model_type \"{type}\" is not supported (supported: {string.Join(", ", SupportedModelTypes)})"),
        };
        config.Validate(source);
        return config;
    }

    static ModelConfig ParseGpt2(ConfigReader r)
    {
        int d = r.RequiredInt("n_embd");
        string act = r.String("activation_function") ?? "gelu_new";
        if (act is not ("gelu_new" or "gelu_pytorch_tanh"))
            throw new ModelFormatException($"{r.Source}: activation_function \"{act}\" is not supported for gpt2 (supported: gelu_new, gelu_pytorch_tanh)");
        if (r.Bool("scale_attn_by_inverse_layer_idx") == true)
            throw new ModelFormatException($"{r.Source}: scale_attn_by_inverse_layer_idx = true is not supported (supported: false)");
        if (r.Bool("scale_attn_weights") == false)
            throw new ModelFormatException($"{r.Source}: scale_attn_weights = false is not supported (supported: true)");
        int heads = r.RequiredInt("n_head");
        return new ModelConfig
        {
            ModelType = "gpt2", Family = ModelFamily.Gpt2,
            Layers = r.RequiredInt("n_layer"), Heads = heads, KvHeads = heads, DModel = d,
            DHead = d / heads, DFF = r.Int("n_inner") ?? 4 * d, Vocab = r.RequiredInt("vocab_size"),
            MaxPositions = r.Int("n_positions") ?? r.RequiredInt("n_ctx"),
            NormEps = (float)(r.Double("layer_norm_epsilon") ?? 1e-5),
            TieEmbeddings = r.Bool("tie_word_embeddings") ?? true,
            QkvBias = true, OutputBias = true, MlpBias = true,
            BosId = r.Int("bos_token_id"), EosIds = r.IntOrList("eos_token_id"),
        };
    }

    static ModelConfig ParseLlama(ConfigReader r, string type)
    {
        if (r.HasNonNull("rope_scaling"))
            throw new ModelFormatException($"{r.Source}: rope_scaling {r.Raw("rope_scaling")} is not supported (supported: null, i.e. plain RoPE)");
        string act = r.String("hidden_act") ?? "silu";
        if (act != "silu") throw new ModelFormatException($"{r.Source}: hidden_act \"{act}\" is not supported for {type} (supported: silu)");
        int d = r.RequiredInt("hidden_size");
        int heads = r.RequiredInt("num_attention_heads");
        bool attnBias = r.Bool("attention_bias") ?? false;
        int? window = type switch
        {
            "mistral" => r.Int("sliding_window"),
            "qwen2" when r.Bool("use_sliding_window") == true => r.Int("sliding_window"),
            _ => null,
        };
        return new ModelConfig
        {
            ModelType = type, Family = ModelFamily.Llama,
            Layers = r.RequiredInt("num_hidden_layers"), Heads = heads,
            KvHeads = r.Int("num_key_value_heads") ?? heads, DModel = d,
            DHead = r.Int("head_dim") ?? d / heads, DFF = r.RequiredInt("intermediate_size"),
            Vocab = r.RequiredInt("vocab_size"), MaxPositions = r.Int("max_position_embeddings") ?? 2048,
            NormEps = (float)(r.Double("rms_norm_eps") ?? 1e-6), RopeTheta = r.Double("rope_theta") ?? 10000,
            TieEmbeddings = r.Bool("tie_word_embeddings") ?? false,
            QkvBias = type == "qwen2" || attnBias, OutputBias = type != "qwen2" && attnBias,
            MlpBias = r.Bool("mlp_bias") ?? false, SlidingWindow = window,
            BosId = r.Int("bos_token_id"), EosIds = r.IntOrList("eos_token_id"),
        };
    }

    void Validate(string source)
    {
        void Positive(int v, string field) { if (v <= 0) throw new ModelFormatException($"{source}: {field} = {v} must be positive"); }
        Positive(Layers, "layers"); Positive(Heads, "attention heads"); Positive(KvHeads, "key/value heads");
        Positive(DModel, "hidden size"); Positive(DHead, "head dim"); Positive(DFF, "intermediate size"); Positive(Vocab, "vocab_size");
        if (Heads % KvHeads != 0) throw new ModelFormatException($"{source}: num_attention_heads {Heads} is not a multiple of num_key_value_heads {KvHeads}");
        if (Family == ModelFamily.Gpt2 && DModel % Heads != 0) throw new ModelFormatException($"{source}: n_embd {DModel} is not a multiple of n_head {Heads}");
        if (Family == ModelFamily.Llama && DHead % 2 != 0) throw new ModelFormatException($"{source}: head_dim {DHead} must be even for RoPE");
    }

    /// <summary>Typed access to config fields with errors that name the file and field.</summary>
    sealed class ConfigReader(JsonElement root, string source)
    {
        public string Source => source;

        bool TryGet(string name, out JsonElement e) =>
            root.TryGetProperty(name, out e) && e.ValueKind != JsonValueKind.Null;

        public bool HasNonNull(string name) => TryGet(name, out _);
        public string Raw(string name) => TryGet(name, out var e) ? e.GetRawText() : "null";

        public string? String(string name) => TryGet(name, out var e) ? e.ValueKind == JsonValueKind.String ? e.GetString() : throw Bad(name, "a string") : null;

        public int? Int(string name)
        {
            if (!TryGet(name, out var e)) return null;
            return e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out int v) ? v : throw Bad(name, "an integer");
        }

        public int RequiredInt(string name) => Int(name) ?? throw new ModelFormatException($"{source}: missing required field \"{name}\"");

        public double? Double(string name)
        {
            if (!TryGet(name, out var e)) return null;
            return e.ValueKind == JsonValueKind.Number ? e.GetDouble() : throw Bad(name, "a number");
        }

        public bool? Bool(string name)
        {
            if (!TryGet(name, out var e)) return null;
            return e.ValueKind switch { JsonValueKind.True => true, JsonValueKind.False => false, _ => throw Bad(name, "true or false") };
        }

        public int[] IntOrList(string name)
        {
            if (!TryGet(name, out var e)) return [];
            if (e.ValueKind == JsonValueKind.Array) return e.EnumerateArray().Select(x => x.TryGetInt32(out int v) ? v : throw Bad(name, "a list of integers")).ToArray();
            return [Int(name)!.Value];
        }

        ModelFormatException Bad(string name, string what) => new($"{source}: field \"{name}\" = {Raw(name)} should be {what}");
    }
}
