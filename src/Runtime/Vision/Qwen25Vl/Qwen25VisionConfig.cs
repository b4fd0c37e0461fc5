using HeadPursuit.Runtime.Models;

namespace HeadPursuit.Runtime.Vision.Qwen25Vl;

/// <summary>
/// The Qwen2.5-VL vision tower's shape (HF Qwen2_5_VLVisionConfig, config.json "vision_config"). Absent keys take the HF
/// class defaults; the hub's "in_chans" and "spatial_patch_size" are not read by HF and not here.
/// </summary>
internal sealed record Qwen25VisionConfig
{
    public int Depth { get; init; } = 32;
    public int Hidden { get; init; } = 3584;
    public int Intermediate { get; init; } = 3420;
    public int Heads { get; init; } = 16;
    public int Channels { get; init; } = 3;
    public int PatchSize { get; init; } = 14;
    public int MergeSize { get; init; } = 2;
    public int TemporalPatchSize { get; init; } = 2;
    /// <summary>The attention window's side in pixels (window_size); in merge units it is <see cref="WindowUnits"/>.</summary>
    public int WindowSize { get; init; } = 112;
    /// <summary>The merger's output width: the language model's hidden size.</summary>
    public int OutHidden { get; init; } = 3584;
    /// <summary>The blocks that attend over the whole image; the others attend within windows.</summary>
    public int[] FullAttentionBlocks { get; init; } = [7, 15, 23, 31];

    public int DHead => Hidden / Heads;
    /// <summary>One patch row of pixel_values: channels x temporal patch x patch x patch.</summary>
    public int PatchDim => Channels * TemporalPatchSize * PatchSize * PatchSize;
    /// <summary>Patch rows per merge unit (one image token): merge_size^2.</summary>
    public int MergeUnit => MergeSize * MergeSize;
    /// <summary>A window's side in merge units (HF vit_merger_window_size = window_size // merge_size // patch_size).</summary>
    public int WindowUnits => WindowSize / MergeSize / PatchSize;

    public static Qwen25VisionConfig Read(ConfigReader? v)
    {
        var d = new Qwen25VisionConfig();
        if (v == null) return d;
        string type = v.String("model_type") ?? "qwen2_5_vl";
        if (type != "qwen2_5_vl") throw v.Unsupported("model_type", "qwen2_5_vl");
        v.Activation("hidden_act", "silu", "silu");   // the SiLU-gated MLP of Qwen2.5-VL's blocks
        var config = new Qwen25VisionConfig
        {
            Depth = v.Int("depth") ?? d.Depth,
            Hidden = v.Int("hidden_size") ?? d.Hidden,
            Intermediate = v.Int("intermediate_size") ?? d.Intermediate,
            Heads = v.Int("num_heads") ?? d.Heads,
            Channels = v.Int("in_channels") ?? d.Channels,
            PatchSize = v.Int("patch_size") ?? d.PatchSize,
            MergeSize = v.Int("spatial_merge_size") ?? d.MergeSize,
            TemporalPatchSize = v.Int("temporal_patch_size") ?? d.TemporalPatchSize,
            WindowSize = v.Int("window_size") ?? d.WindowSize,
            OutHidden = v.Int("out_hidden_size") ?? d.OutHidden,
            FullAttentionBlocks = v.Has("fullatt_block_indexes") ? v.IntOrList("fullatt_block_indexes") : d.FullAttentionBlocks,
        };
        config.Validate(v);
        return config;
    }

    void Validate(ConfigReader v)
    {
        void Positive(int value, string field) { if (value <= 0) throw v.Unsupported(field, "a positive integer"); }
        Positive(Depth, "depth"); Positive(Hidden, "hidden_size"); Positive(Intermediate, "intermediate_size"); Positive(Heads, "num_heads");
        Positive(PatchSize, "patch_size"); Positive(MergeSize, "spatial_merge_size"); Positive(TemporalPatchSize, "temporal_patch_size");
        Positive(OutHidden, "out_hidden_size");
        if (Channels != 3) throw v.Unsupported("in_channels", "3 (RGB)");
        if (Hidden % Heads != 0) throw new ModelFormatException($"{v.Source}: {v.Name("hidden_size")} {Hidden} is not a multiple of {v.Name("num_heads")} {Heads}");
        if (DHead % 4 != 0)
            throw new ModelFormatException($"{v.Source}: the vision head size {DHead} (hidden_size / num_heads) must be a multiple of 4 for the 2-D rotary embedding (half for rows, half for columns)");
        if (WindowUnits < 1)
            throw new ModelFormatException($"{v.Source}: {v.Name("window_size")} {WindowSize} is smaller than one merge unit (spatial_merge_size x patch_size = {MergeSize * PatchSize} pixels)");
    }
}
