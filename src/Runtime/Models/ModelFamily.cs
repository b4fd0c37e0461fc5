using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Models.Families;

namespace HeadPursuit.Runtime.Models;

/// <summary>
/// A model architecture, described in one file under Models/Families: which config.json model_types it takes, how
/// it reads them (Hugging Face's defaults for absent keys), which tensors it loads, and its block as a short
/// sequence of backend ops (see Models/README.md). Everything else (capture, head scales, KV cache, packing,
/// generation, verification, SOMP) is shared and works for every family through <see cref="Transformer"/>.
/// </summary>
internal abstract class ModelFamily
{
    /// <summary>Every family we run; a new family is added here (one line) and in its own file.</summary>
    public static IReadOnlyList<ModelFamily> All { get; } = [new Gpt2Family(), new LlamaFamily(), new Qwen3Family(), new GptNeoXFamily(), new GemmaFamily()];

    public static IEnumerable<string> SupportedModelTypes => All.SelectMany(f => f.ModelTypes);

    /// <summary>The family that reads <paramref name="modelType"/>, or null.</summary>
    public static ModelFamily? ForModelType(string modelType) => All.FirstOrDefault(f => f.ModelTypes.Contains(modelType));

    public abstract string Name { get; }
    public abstract IReadOnlyList<string> ModelTypes { get; }

    /// <summary>
    /// What a head's output (head_out = W_O^(h) z, the hook_result of TransformerLens) is relative to the residual stream
    /// in this family: rank and decompose write it beside their results.
    /// </summary>
    public virtual string HeadOutputConvention => "head_out = W_O^(h) z is added to the residual stream as it is";

    /// <summary>Reads config.json (already known to name one of <see cref="ModelTypes"/>) into the family's config record.</summary>
    public abstract ModelConfig ReadConfig(ConfigReader r, string modelType);

    /// <summary>Loads the family's tensors onto a backend through <paramref name="parameters"/> (names checked, shapes checked against the config).</summary>
    public abstract FamilyModel Load(ModelConfig config, CheckpointTensors tensors, ParameterTensors parameters);

    public override string ToString() => Name;
}
