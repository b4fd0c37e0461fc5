using HeadPursuit.Runtime.Input;
using System.Text.Json.Nodes;
using HeadPursuit.Runtime.Models;

namespace HeadPursuit.Runtime.Vision.Gemma3;

/// <summary>
/// A Gemma 3 multimodal config.json (HF Gemma3Config, model_type "gemma3"): the Gemma 3 text model (text_config, read
/// by the gemma3_text family), the SigLIP vision tower (vision_config) and how they are joined. Absent keys take the HF
/// class defaults (Gemma3Config, Gemma3TextConfig, SiglipVisionConfig), as the hub checkpoints rely on.
/// </summary>
internal sealed record Gemma3Config
{
    public required ModelConfig Text { get; init; }
    public required ClipVisionConfig Vision { get; init; }
    /// <summary>Image features per image = the image tokens one image takes in a prompt.</summary>
    public required int MmTokensPerImage { get; init; }
    /// <summary>&lt;start_of_image&gt;, written before an image's tokens.</summary>
    public required int BoiTokenIndex { get; init; }
    /// <summary>&lt;end_of_image&gt;, written after them.</summary>
    public required int EoiTokenIndex { get; init; }
    /// <summary>The image token, whose positions receive the image features.</summary>
    public required int ImageTokenIndex { get; init; }

    /// <summary>Image features per side: sqrt(mm_tokens_per_image), as HF's int(mm_tokens_per_image ** 0.5).</summary>
    public int TokensPerSide => (int)Math.Sqrt(MmTokensPerImage);
    /// <summary>The average pool's kernel and stride over the patch grid: patches per side // tokens per side.</summary>
    public int PoolKernel => Vision.Grid / TokensPerSide;

    public static Gemma3Config Load(string path)
    {
        if (!File.Exists(path)) throw new ModelFormatException($"{path}: config.json not found");
        return Parse(TextFile.Read(path), path);
    }

    public static Gemma3Config Parse(string json, string source) => ConfigReader.Parse(json, source, r => Read(r, source));

    static Gemma3Config Read(ConfigReader r, string source)
    {
        string type = r.String("model_type") ?? throw new ModelFormatException($"{source}: missing \"model_type\" (expected \"gemma3\")");
        if (type != "gemma3") throw new ModelFormatException($"{source}: model_type \"{type}\" is not a Gemma 3 multimodal model (expected \"gemma3\")");

        var config = new Gemma3Config   // Gemma3Config's defaults; the *_id spellings are its attribute_map aliases
        {
            Text = ReadText(r, source),
            Vision = ReadVision(r.Object("vision_config"), source),
            MmTokensPerImage = r.Int("mm_tokens_per_image") ?? 256,
            BoiTokenIndex = r.Int("boi_token_index") ?? r.Int("boi_token_id") ?? 255_999,
            EoiTokenIndex = r.Int("eoi_token_index") ?? r.Int("eoi_token_id") ?? 256_000,
            ImageTokenIndex = r.Int("image_token_index") ?? r.Int("image_token_id") ?? 262_144,
        };
        config.Validate(source);
        return config;
    }

    void Validate(string source)
    {
        int g = Vision.Grid, n = MmTokensPerImage;
        if (n <= 0 || TokensPerSide * TokensPerSide != n)
            throw new ModelFormatException($"{source}: mm_tokens_per_image {n} is not supported (supported: a positive square number, the pooled grid's tokens)");
        if (TokensPerSide > g || g / PoolKernel != TokensPerSide)
            throw new ModelFormatException(
                $"{source}: mm_tokens_per_image {n} does not fit the vision grid: average pooling the {g}x{g} patches " +
                $"(image_size {Vision.ImageSize} / patch_size {Vision.PatchSize}) cannot give {TokensPerSide}x{TokensPerSide} tokens");
        foreach (var (id, field) in new[] { (BoiTokenIndex, "boi_token_index"), (EoiTokenIndex, "eoi_token_index") })
            if (id < 0 || id >= Text.Vocab)
                throw new ModelFormatException($"{source}: {field} {id} is outside the text model's vocabulary (text_config vocab_size {Text.Vocab})");
        if (ImageTokenIndex < 0) throw new ModelFormatException($"{source}: image_token_index {ImageTokenIndex} must not be negative");
    }

    /// <summary>text_config as a Gemma3TextConfig: its own model_type, if any, must be gemma3_text; absent keys take its defaults.</summary>
    static ModelConfig ReadText(ConfigReader r, string source)
    {
        var text = r.Object("text_config") != null ? JsonNode.Parse(r.Raw("text_config"))!.AsObject() : new JsonObject();
        string where = source + " (text_config)";
        if (text["model_type"] is JsonValue v && v.TryGetValue(out string? type) && type != "gemma3_text")
            throw new ModelFormatException($"{where}: model_type \"{type}\" is not supported (supported: gemma3_text)");
        text["model_type"] = "gemma3_text";
        return ModelConfig.Parse(text.ToJsonString(), where);
    }

    /// <summary>vision_config as a SiglipVisionConfig (its defaults when absent).</summary>
    static ClipVisionConfig ReadVision(ConfigReader? v, string source)
    {
        var d = ClipVisionConfig.SiglipDefaults;
        if (v == null) return d;
        string where = source + " (vision_config)";
        string type = v.String("model_type") ?? "siglip_vision_model";
        if (type != "siglip_vision_model") throw v.Unsupported("model_type", "siglip_vision_model");
        var config = d with
        {
            Hidden = v.Int("hidden_size") ?? d.Hidden,
            Intermediate = v.Int("intermediate_size") ?? d.Intermediate,
            Layers = v.Int("num_hidden_layers") ?? d.Layers,
            Heads = v.Int("num_attention_heads") ?? d.Heads,
            Channels = v.Int("num_channels") ?? d.Channels,
            ImageSize = v.Int("image_size") ?? d.ImageSize,
            PatchSize = v.Int("patch_size") ?? d.PatchSize,
            LayerNormEps = v.NormEpsilon("layer_norm_eps", d.LayerNormEps),
            Activation = (v.String("hidden_act") ?? "gelu_pytorch_tanh") switch
            {
                "gelu_pytorch_tanh" or "gelu_new" => ClipActivation.GeluTanh,
                "gelu" => ClipActivation.Gelu,
                "quick_gelu" => ClipActivation.QuickGelu,
                _ => throw v.Unsupported("hidden_act", "gelu_pytorch_tanh, gelu_new, gelu, quick_gelu"),
            },
        };
        config.Validate(where);
        return config;
    }
}
