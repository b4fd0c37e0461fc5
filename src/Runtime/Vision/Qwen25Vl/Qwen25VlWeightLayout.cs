using HeadPursuit.Runtime.SafeTensors;

namespace HeadPursuit.Runtime.Vision.Qwen25Vl;

/// <summary>
/// The two tensor-name layouts of Qwen2.5-VL checkpoints (same values, same shapes):
///   hub (Qwen/Qwen2.5-VL-*, transformers &lt; 4.52)   new (transformers &gt;= 4.52)
///   visual.X                                       model.visual.X
///   model.X   (the Qwen2 language model)           model.language_model.X
///   lm_head.weight                                 lm_head.weight
/// </summary>
internal sealed class Qwen25VlWeightLayout
{
    public string Name { get; }
    /// <summary>Prefix of the vision tower's tensors ("…visual.").</summary>
    public string Vision { get; }
    readonly string _text;

    Qwen25VlWeightLayout(string name, string vision, string text) { Name = name; Vision = vision; _text = text; }

    public static Qwen25VlWeightLayout Hub { get; } = new("hub", "visual.", "model.");
    public static Qwen25VlWeightLayout New { get; } = new("new", "model.visual.", "model.language_model.");

    /// <summary>Maps a plain Qwen2 name ("model.layers.0.…", "model.norm.weight", "lm_head.weight") to this layout's name.</summary>
    public string TextName(string qwen2Name) =>
        qwen2Name == "lm_head.weight" ? qwen2Name
        : qwen2Name.StartsWith("model.", StringComparison.Ordinal) ? _text + qwen2Name["model.".Length..]
        : throw new ArgumentException($"'{qwen2Name}' is not a Qwen2 tensor name");

    /// <summary>Recognises the layout by where the token embedding and the patch embedding are; refuses anything else, naming what was looked for.</summary>
    public static Qwen25VlWeightLayout Detect(WeightStore store)
    {
        foreach (var layout in new[] { New, Hub })
            if (store.Contains(layout.TextName("model.embed_tokens.weight")) && store.Contains(layout.Vision + "patch_embed.proj.weight")) return layout;
        string sample = string.Join(", ", store.Names.Order(StringComparer.Ordinal).Take(5).Select(n => $"'{n}'"));
        throw new ModelFormatException(
            $"{store.Folder}: unknown Qwen2.5-VL tensor layout: neither 'model.embed_tokens.weight' with 'visual.patch_embed.proj.weight' (hub) nor " +
            $"'model.language_model.embed_tokens.weight' with 'model.visual.patch_embed.proj.weight' (new) is present (first tensors: {sample})");
    }
}
