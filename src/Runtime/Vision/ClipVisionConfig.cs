namespace HeadPursuit.Runtime.Vision;

/// <summary>The activation of the vision encoder MLP (config hidden_act).</summary>
internal enum ClipActivation { QuickGelu, Gelu, GeluTanh }

/// <summary>
/// Which vision transformer: CLIP (a class-token row first, pre_layrnorm on the embeddings, no bias on the patch
/// convolution) or SigLIP (no class token, no pre-norm, a biased patch convolution, and post_layernorm on the output).
/// Their encoder layers are the same.
/// </summary>
internal enum VisionTowerKind { Clip, Siglip }

/// <summary>
/// A CLIP or SigLIP vision tower's shape (HF CLIPVisionConfig, SiglipVisionConfig). Absent keys take the HF class
/// defaults (<see cref="SiglipDefaults"/> for SigLIP); LLaVA configs without any vision_config get LLaVA-1.5's CLIP
/// ViT-L/14-336 (<see cref="ViTL14At336"/>).
/// </summary>
internal sealed record ClipVisionConfig
{
    public VisionTowerKind Kind { get; init; } = VisionTowerKind.Clip;
    public int Hidden { get; init; } = 768;
    public int Intermediate { get; init; } = 3072;
    public int Layers { get; init; } = 12;
    public int Heads { get; init; } = 12;
    public int Channels { get; init; } = 3;
    public int ImageSize { get; init; } = 224;
    public int PatchSize { get; init; } = 32;
    public ClipActivation Activation { get; init; } = ClipActivation.QuickGelu;
    public float LayerNormEps { get; init; } = 1e-5f;

    public static ClipVisionConfig ViTL14At336 { get; } = new() { Hidden = 1024, Intermediate = 4096, Layers = 24, Heads = 16, ImageSize = 336, PatchSize = 14 };

    /// <summary>HF SiglipVisionConfig's defaults (the rest as CLIP's: hidden 768, 12 layers, 12 heads, image 224).</summary>
    public static ClipVisionConfig SiglipDefaults { get; } = new()
    {
        Kind = VisionTowerKind.Siglip, PatchSize = 16, Activation = ClipActivation.GeluTanh, LayerNormEps = 1e-6f,
    };

    public int DHead => Hidden / Heads;
    /// <summary>Patches per side (image_size / patch_size).</summary>
    public int Grid => ImageSize / PatchSize;
    /// <summary>P = Grid^2 patches.</summary>
    public int Patches => Grid * Grid;
    /// <summary>Rows the encoder runs on: P + 1 for CLIP (the class token first), P for SigLIP.</summary>
    public int Rows => Patches + (Kind == VisionTowerKind.Clip ? 1 : 0);
    /// <summary>Length of one unfolded patch, in the Conv2d weight's (channel, y, x) order.</summary>
    public int PatchLength => Channels * PatchSize * PatchSize;

    public void Validate(string source)
    {
        void Positive(int v, string field) { if (v <= 0) throw new ModelFormatException($"{source}: vision_config {field} = {v} must be positive"); }
        Positive(Hidden, "hidden_size"); Positive(Intermediate, "intermediate_size"); Positive(Layers, "num_hidden_layers");
        Positive(Heads, "num_attention_heads"); Positive(Channels, "num_channels"); Positive(ImageSize, "image_size"); Positive(PatchSize, "patch_size");
        if (Hidden % Heads != 0) throw new ModelFormatException($"{source}: vision_config hidden_size {Hidden} is not a multiple of num_attention_heads {Heads}");
        if (ImageSize % PatchSize != 0) throw new ModelFormatException($"{source}: vision_config image_size {ImageSize} is not a multiple of patch_size {PatchSize}");
        if (Channels != 3) throw new ModelFormatException($"{source}: vision_config num_channels {Channels} is not supported (supported: 3, RGB)");
    }
}
