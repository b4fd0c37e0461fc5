using HeadPursuit.Runtime.Models;

namespace HeadPursuit.Somp;

/// <summary>
/// What SOMP needs from a model besides the captured activations: every head's W_O block, the unembedding rows
/// [vocab, d_model] (lm_head or the tied embedding) and the final norm's gain (for the FoldFinalNorm option).
/// </summary>
public sealed record ModelReadout(OutputBlocks Blocks, float[] Unembedding, float[] FinalNormGain)
{
    /// <summary>Reads the W_O blocks, unembedding and final norm gain of a loaded model (copies on the host).</summary>
    public static ModelReadout From(Transformer model)
    {
        var c = model.Config;
        var blocks = Enumerable.Range(0, c.Layers).Select(model.OutputBlocks).ToArray();
        return new ModelReadout(new OutputBlocks(blocks, c.DModel, c.DHead) { HeadOutput = model.Family.HeadOutputConvention }, model.Unembedding.View.ToFloatArray(), model.FinalNormGain);
    }
}
