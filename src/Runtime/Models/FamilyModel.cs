using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Cpu;

namespace HeadPursuit.Runtime.Models;

/// <summary>
/// A family's model loaded onto a backend: its tensors, and its forward pass written as backend ops over a
/// <see cref="ForwardPass"/> (Embed, then Block for each layer, then the final norm; <see cref="Transformer"/> does the
/// rest: recordings, the unembedding, the logit soft-cap). It also keeps the host weights that SOMP and the
/// verification read: every layer's output projection (whose input blocks are the heads' W_O) and the unembedding.
/// </summary>
public abstract class FamilyModel(ModelConfig config, DeviceTensor tokenTable, Norm finalNorm, WeightMatrix unembedding,
                                  ParameterTensors parameters, OutputProjection[] outputs)
{
    public ModelConfig Config { get; } = config;
    protected DeviceTensor TokenTable { get; } = tokenTable;
    public Norm FinalNorm { get; } = finalNorm;
    /// <summary>The unembedding [in d_model, out vocab] (lm_head, or the tied token embedding) on the host...</summary>
    public WeightMatrix Unembedding { get; } = unembedding;
    /// <summary>...and on the backend.</summary>
    public DeviceTensor Unembed { get; } = parameters.Matrix(unembedding);

    /// <summary>Layer l's attention output projection (input H * d_head, output d_model) and its bias.</summary>
    public OutputProjection Output(int layer) => outputs[layer];

    /// <summary>X = the rows' input embeddings. Default: the token embedding rows; families add positions or a scale.</summary>
    public virtual void Embed(ForwardPass f) => f.B.Embed(TokenTable, f.Tokens, f.X, accumulate: false);

    /// <summary>One decoder layer: reads and updates the residual stream f.X.</summary>
    public abstract void Block(ForwardPass f, int layer);
}

/// <summary>An attention output projection (o_proj, c_proj, dense): the heads' z in, d_model out, and its bias if any.</summary>
public sealed record OutputProjection(WeightMatrix Weight, float[]? Bias);
