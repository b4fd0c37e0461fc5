using HeadPursuit.Runtime.Input;
using System.Text.Json.Nodes;
using HeadPursuit.Runtime.Models;

namespace HeadPursuit.Runtime.Vision.Qwen25Vl;

/// <summary>
/// A Qwen2.5-VL config.json (HF Qwen2_5_VLConfig, model_type "qwen2_5_vl"): the Qwen2 language model with multimodal
/// RoPE, the vision tower and the special token ids. The text keys sit at the top level in the hub's flat layout
/// (Qwen/Qwen2.5-VL-7B-Instruct) and in "text_config" in the nested one (transformers >= 4.52); as in HF, a present
/// text_config is the only place they are read from. Absent keys take the HF class defaults (Qwen2_5_VLTextConfig:
/// vocab 152064, hidden 8192, intermediate 29568, 80 layers, 64 heads, 8 kv heads, silu, rms_norm_eps 1e-5,
/// rope_theta 1e6, untied). head_dim is always hidden_size / num_attention_heads (HF ignores a head_dim key here), and
/// the language model runs as Qwen2 (LlamaFamily "qwen2") with rope_scaling's mrope_section, which HF requires.
/// </summary>
internal sealed record Qwen25VlConfig
{
    public required ModelConfig Text { get; init; }
    public required Qwen25VisionConfig Vision { get; init; }
    public int ImageTokenId { get; init; } = 151655;
    public int VideoTokenId { get; init; } = 151656;
    public int VisionStartTokenId { get; init; } = 151652;
    public int VisionEndTokenId { get; init; } = 151653;

    public static Qwen25VlConfig Load(string path)
    {
        if (!File.Exists(path)) throw new ModelFormatException($"{path}: config.json not found");
        return Parse(TextFile.Read(path), path);
    }

    public static Qwen25VlConfig Parse(string json, string source) => ConfigReader.Parse(json, source, Read);

    static Qwen25VlConfig Read(ConfigReader r)
    {
        string source = r.Source;
        string type = r.String("model_type") ?? throw new ModelFormatException($"{source}: missing \"model_type\" (expected \"qwen2_5_vl\")");
        if (type != "qwen2_5_vl") throw new ModelFormatException($"{source}: model_type \"{type}\" is not a Qwen2.5-VL model (expected \"qwen2_5_vl\")");

        var vision = Qwen25VisionConfig.Read(r.Object("vision_config"));
        var text = ParseText(r.Object("text_config") ?? r, r);
        if (vision.OutHidden != text.DModel)
            throw new ModelFormatException($"{source}: vision_config.out_hidden_size {vision.OutHidden} must equal the language model's hidden_size {text.DModel}");
        var config = new Qwen25VlConfig
        {
            Text = text, Vision = vision,
            ImageTokenId = r.Int("image_token_id") ?? 151655,
            VideoTokenId = r.Int("video_token_id") ?? 151656,
            VisionStartTokenId = r.Int("vision_start_token_id") ?? 151652,
            VisionEndTokenId = r.Int("vision_end_token_id") ?? 151653,
        };
        foreach (var (id, field) in new[] { (config.ImageTokenId, "image_token_id"), (config.VisionStartTokenId, "vision_start_token_id"), (config.VisionEndTokenId, "vision_end_token_id") })
            if (id < 0 || id >= text.Vocab) throw new ModelFormatException($"{source}: {field} {id} is outside the vocabulary (vocab_size {text.Vocab})");
        return config;
    }

    /// <summary>The text keys (<paramref name="t"/>: text_config or the top level) as a Qwen2 config with every default written out.</summary>
    static ModelConfig ParseText(ConfigReader t, ConfigReader root)
    {
        if (t.Bool("use_sliding_window") == true) throw t.Unsupported("use_sliding_window", "false (sliding-window attention is not implemented for Qwen2.5-VL)");
        if (t.Strings("layer_types") is { } types && types.Any(x => x != LayerTypes.Full))
            throw t.Unsupported("layer_types", $"\"{LayerTypes.Full}\" for every layer");
        int hidden = t.Int("hidden_size") ?? 8192, heads = t.Int("num_attention_heads") ?? 64;
        if (heads > 0 && hidden % heads != 0)
            throw new ModelFormatException($"{t.Source}: {t.Name("hidden_size")} {hidden} is not a multiple of {t.Name("num_attention_heads")} {heads} (the head size is their quotient)");
        var text = new JsonObject
        {
            ["model_type"] = "qwen2",
            ["vocab_size"] = t.Int("vocab_size") ?? 152064,
            ["hidden_size"] = hidden,
            ["intermediate_size"] = t.Int("intermediate_size") ?? 29568,
            ["num_hidden_layers"] = t.Int("num_hidden_layers") ?? 80,
            ["num_attention_heads"] = heads,
            ["num_key_value_heads"] = t.IsNull("num_key_value_heads") ? heads : t.Int("num_key_value_heads") ?? 8,
            ["head_dim"] = heads > 0 ? hidden / heads : 0,
            ["hidden_act"] = t.String("hidden_act") ?? "silu",
            ["max_position_embeddings"] = t.Int("max_position_embeddings") ?? 32768,
            ["rms_norm_eps"] = t.Double("rms_norm_eps") ?? 1e-5,
            ["rope_theta"] = t.Double("rope_theta") ?? 1e6,
            ["use_sliding_window"] = false,
            ["tie_word_embeddings"] = t.Bool("tie_word_embeddings") ?? false,
        };
        foreach (string key in new[] { "rope_scaling", "rope_parameters" })
            if (t.Has(key)) text[key] = JsonNode.Parse(t.Raw(key));
        foreach (string key in new[] { "bos_token_id", "eos_token_id" })
            if ((t.Has(key) ? t : root.Has(key) ? root : null) is { } from) text[key] = JsonNode.Parse(from.Raw(key));

        string where = t == root ? t.Source : $"{t.Source} (text_config)";
        var config = ModelConfig.Parse(text.ToJsonString(), where);
        if (config.LayerAttention[0].Rope?.MropeSection == null)
            throw new ModelFormatException(
                $"{where}: rope_scaling.mrope_section is required (Qwen2.5-VL rotates q and k by temporal, height and width positions; " +
                $"e.g. \"rope_scaling\": {{\"type\": \"mrope\", \"mrope_section\": [16, 24, 24]}}; rope types other than default/mrope are not supported here)");
        return config;
    }
}
