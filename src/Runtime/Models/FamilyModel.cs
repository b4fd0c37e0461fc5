using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Cpu;

namespace HeadPursuit.Runtime.Models;

/// <summary>
/// A family's model loaded onto a backend: its tensors, and its forward pass written as backend ops over a
/// <see cref="ForwardPass"/> (Embed, then Block for each layer, then the final norm; <see cref="Transformer"/> does the
/// rest: recordings, the unembedding, the logit soft-cap). It also keeps the host weights that SOMP and the
/// verification read: every layer's output projection (whose input blocks are the heads' W_O) and the unembedding.
/// </summary>
internal abstract class FamilyModel(ModelConfig config, DeviceTensor tokenTable, Norm finalNorm, WeightMatrix unembedding,
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
internal sealed record OutputProjection(WeightMatrix Weight, float[]? Bias)
{
    /// <summary>
    /// Every head's W_O^(h), each [d_model, d_head] row-major: the block of the projection that reads head h's z, so
    /// head_out = W_O^(h) z. (Linear [d, H*dh]: columns h*dh..; GPT-2 Conv1D [H*dh, d]: rows h*dh.., transposed.)
    /// The projection is widened to fp32 once.
    /// </summary>
    public float[][] Blocks(int heads, int dHead)
    {
        var all = Weight.View.ToFloatArray();
        int d = Weight.Out, q = heads * dHead;
        if (Weight.In != q) throw new ArgumentException($"an output projection of {Weight.In} inputs does not read {heads} heads of {dHead}");
        var blocks = new float[heads][];
        for (int head = 0; head < heads; head++)
        {
            var block = blocks[head] = new float[d * dHead];
            for (int i = 0; i < d; i++)
                for (int j = 0; j < dHead; j++)
                    block[i * dHead + j] = Weight.Layout == WeightLayout.OutIn ? all[i * q + head * dHead + j] : all[(head * dHead + j) * d + i];
        }
        return blocks;
    }
}
