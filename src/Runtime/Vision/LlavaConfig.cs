using HeadPursuit.Runtime.Input;
using System.Text.Json;
using System.Text.Json.Nodes;
using HeadPursuit.Runtime.Models;

namespace HeadPursuit.Runtime.Vision;

/// <summary>Which hidden states feed the projector: all P patches (CLS dropped) or all P + 1 rows.</summary>
internal enum FeatureSelect { Default, Full }

/// <summary>
/// A LLaVA config.json (HF LlavaConfig, model_type "llava"): the Llama text model, the CLIP vision tower and how
/// they are joined. Absent keys take the HF class defaults (real llava-hf configs rely on this).
/// </summary>
internal sealed record LlavaConfig
{
    public required ModelConfig Text { get; init; }
    public required ClipVisionConfig Vision { get; init; }
    public int ImageTokenIndex { get; init; } = 32000;
    /// <summary>Index into the Lv + 1 vision hidden states, Python style (-2 = output of the second-to-last layer).</summary>
    public int FeatureLayer { get; init; } = -2;
    public FeatureSelect Select { get; init; } = FeatureSelect.Default;
    public bool ProjectorBias { get; init; } = true;

    /// <summary><see cref="FeatureLayer"/> as an index in [0, Lv].</summary>
    public int FeatureLayerResolved => FeatureLayer < 0 ? Vision.Layers + 1 + FeatureLayer : FeatureLayer;
    /// <summary>Image features per image = image-token positions a prompt must hold.</summary>
    public int ImageTokens => Vision.Patches + (Select == FeatureSelect.Full ? 1 : 0);

    public static LlavaConfig Load(string path)
    {
        if (!File.Exists(path)) throw new ModelFormatException($"{path}: config.json not found");
        return Parse(TextFile.Read(path), path);
    }

    public static LlavaConfig Parse(string json, string source) => Read(Root(json, source), source, "llava", textTypes: ["llama"]);

    /// <summary>config.json as a JSON object, or an error naming the file.</summary>
    internal static JsonObject Root(string json, string source)
    {
        JsonFile.ParseText(json, source).Dispose();   // refuses what JsonNode would throw on later (invalid JSON, an unpaired surrogate)
        return JsonNode.Parse(json) as JsonObject ?? throw new ModelFormatException($"{source}: the config is not a JSON object");
    }

    /// <summary>
    /// The fields every LLaVA-style config shares (LLaVA, LLaVA-NeXT): <paramref name="modelType"/> is the model_type the
    /// file must name, <paramref name="textTypes"/> the text_config model_types its language model may have.
    /// </summary>
    internal static LlavaConfig Read(JsonObject root, string source, string modelType, string[] textTypes)
    {
        string type = Str(root, "model_type", source) ?? throw new ModelFormatException($"{source}: missing \"model_type\" (expected \"{modelType}\")");
        if (type != modelType) throw new ModelFormatException($"{source}: model_type \"{type}\" is not a LLaVA model (expected \"{modelType}\")");

        string act = Str(root, "projector_hidden_act", source) ?? "gelu";
        if (act != "gelu") throw new ModelFormatException($"{source}: projector_hidden_act \"{act}\" is not supported (supported: gelu)");
        if (root["vision_feature_layer"] is JsonArray)
            throw new ModelFormatException($"{source}: a list of vision_feature_layer values is not supported (supported: one integer)");
        string select = Str(root, "vision_feature_select_strategy", source) ?? "default";
        var strategy = select switch
        {
            "default" => FeatureSelect.Default,
            "full" => FeatureSelect.Full,
            _ => throw new ModelFormatException($"{source}: vision_feature_select_strategy \"{select}\" is not supported (supported: default, full)"),
        };

        var text = ParseText(root, source, textTypes);
        bool tie = Bool(root, "tie_word_embeddings", source) ?? false;
        var config = new LlavaConfig
        {
            Text = text with { TieEmbeddings = text.TieEmbeddings || tie },
            Vision = ParseVision(root, source),
            ImageTokenIndex = Int(root, "image_token_index", source) ?? Int(root, "image_token_id", source) ?? 32000,
            FeatureLayer = Int(root, "vision_feature_layer", source) ?? -2,
            Select = strategy,
            ProjectorBias = Bool(root, "multimodal_projector_bias", source) ?? true,
        };
        int lv = config.Vision.Layers;
        if (config.FeatureLayer < -(lv + 1) || config.FeatureLayer > lv)
            throw new ModelFormatException($"{source}: vision_feature_layer {config.FeatureLayer} is outside the {lv + 1} hidden states of the vision tower");
        if (config.ImageTokenIndex < 0) throw new ModelFormatException($"{source}: image_token_index {config.ImageTokenIndex} must not be negative");
        return config;
    }

    static ModelConfig ParseText(JsonObject root, string source, string[] textTypes)
    {
        var text = root["text_config"] is JsonObject t ? (JsonObject)t.DeepClone() : new JsonObject();
        string type = Str(text, "model_type", source) ?? "llama";
        if (!textTypes.Contains(type))
            throw new ModelFormatException($"{source}: text_config model_type \"{type}\" is not supported (supported: {string.Join(", ", textTypes)})");
        text["model_type"] = type;   // absent keys take that family's HF defaults (LlamaConfig's when model_type is absent)
        return ModelConfig.Parse(text.ToJsonString(), source + " (text_config)");
    }

    static ClipVisionConfig ParseVision(JsonObject root, string source)
    {
        if (root["vision_config"] is not JsonObject v) return ClipVisionConfig.ViTL14At336;
        string where = source + " (vision_config)";
        string type = Str(v, "model_type", where) ?? "clip_vision_model";
        if (type != "clip_vision_model") throw new ModelFormatException($"{where}: model_type \"{type}\" is not supported (supported: clip_vision_model)");
        string act = Str(v, "hidden_act", where) ?? "quick_gelu";
        var d = new ClipVisionConfig();
        var config = new ClipVisionConfig
        {
            Hidden = Int(v, "hidden_size", where) ?? d.Hidden,
            Intermediate = Int(v, "intermediate_size", where) ?? d.Intermediate,
            Layers = Int(v, "num_hidden_layers", where) ?? d.Layers,
            Heads = Int(v, "num_attention_heads", where) ?? d.Heads,
            Channels = Int(v, "num_channels", where) ?? d.Channels,
            ImageSize = Int(v, "image_size", where) ?? d.ImageSize,
            PatchSize = Int(v, "patch_size", where) ?? d.PatchSize,
            LayerNormEps = (float)(Num(v, "layer_norm_eps", where) ?? d.LayerNormEps),
            Activation = act switch
            {
                "quick_gelu" => ClipActivation.QuickGelu,
                "gelu" => ClipActivation.Gelu,
                _ => throw new ModelFormatException($"{where}: hidden_act \"{act}\" is not supported (supported: quick_gelu, gelu)"),
            },
        };
        config.Validate(where);
        return config;
    }

    static JsonValue? Field(JsonObject o, string key) => o[key] as JsonValue;

    static string? Str(JsonObject o, string key, string source) =>
        o[key] is null ? null : Field(o, key) is { } v && v.TryGetValue(out string? s) ? s : throw Bad(o, key, source, "a string");

    static int? Int(JsonObject o, string key, string source) =>
        o[key] is null ? null : Field(o, key) is { } v && v.TryGetValue(out int i) ? i : throw Bad(o, key, source, "an integer");

    static double? Num(JsonObject o, string key, string source) =>
        o[key] is null ? null : Field(o, key) is { } v && v.TryGetValue(out double x) ? x : throw Bad(o, key, source, "a number");

    static bool? Bool(JsonObject o, string key, string source) =>
        o[key] is null ? null : Field(o, key) is { } v && v.TryGetValue(out bool b) ? b : throw Bad(o, key, source, "true or false");

    static ModelFormatException Bad(JsonObject o, string key, string source, string what) =>
        new($"{source}: field \"{key}\" = {o[key]!.ToJsonString()} should be {what}");
}
