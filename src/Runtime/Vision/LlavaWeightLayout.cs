using HeadPursuit.Runtime.SafeTensors;

namespace HeadPursuit.Runtime.Vision;

/// <summary>
/// The two tensor-name layouts of LLaVA checkpoints, which Gemma 3's multimodal checkpoints share (same values, same shapes):
///   classic (llava-hf, transformers &lt; 4.52)        new (transformers &gt;= 4.52)
///   vision_tower.vision_model.X                       model.vision_tower.vision_model.X
///   multi_modal_projector.X                            model.multi_modal_projector.X
///   language_model.model.X                             model.language_model.X
///   language_model.lm_head.weight                      lm_head.weight
/// </summary>
internal sealed class LlavaWeightLayout
{
    public string Name { get; }
    /// <summary>Prefix of the CLIP vision model's tensors ("…vision_model.").</summary>
    public string Vision { get; }
    /// <summary>Prefix of the projector's tensors ("…multi_modal_projector.").</summary>
    public string Projector { get; }
    readonly string _text, _lmHead;

    LlavaWeightLayout(string name, string vision, string projector, string text, string lmHead)
    {
        Name = name; Vision = vision; Projector = projector; _text = text; _lmHead = lmHead;
    }

    public static LlavaWeightLayout Classic { get; } =
        new("classic", "vision_tower.vision_model.", "multi_modal_projector.", "language_model.model.", "language_model.lm_head.weight");
    public static LlavaWeightLayout New { get; } =
        new("new", "model.vision_tower.vision_model.", "model.multi_modal_projector.", "model.language_model.", "lm_head.weight");

    /// <summary>Maps a plain Llama name ("model.layers.0.…", "model.norm.weight", "lm_head.weight") to this layout's name.</summary>
    public string TextName(string llamaName) =>
        llamaName == "lm_head.weight" ? _lmHead
        : llamaName.StartsWith("model.", StringComparison.Ordinal) ? _text + llamaName["model.".Length..]
        : throw new ArgumentException($"'{llamaName}' is not a Llama tensor name");

    /// <summary>Recognises the layout by where the token embedding is; refuses anything else, naming what was looked for.</summary>
    public static LlavaWeightLayout Detect(WeightStore store)
    {
        foreach (var layout in new[] { Classic, New })
            if (store.Contains(layout.TextName("model.embed_tokens.weight"))) return layout;
        string sample = string.Join(", ", store.Names.Order(StringComparer.Ordinal).Take(5).Select(n => $"'{n}'"));
        throw new ModelFormatException(
            $"{store.Folder}: unknown tensor layout of a vision-language checkpoint (LLaVA, Gemma 3): neither '{Classic.TextName("model.embed_tokens.weight")}' (classic) nor " +
            $"'{New.TextName("model.embed_tokens.weight")}' (new) is present (first tensors: {sample})");
    }
}
