using HeadPursuit.Runtime.Capture;

namespace HeadPursuit.Somp;

/// <summary>Checks shared by everything that scores captured heads against an unembedding.</summary>
static class ScoringChecks
{
    public static void Inputs(HeadActivations activations, OutputBlocks blocks, float[] unembedding, SompOptions options, float[]? finalNormGain)
    {
        if (activations.Samples == 0) throw new ArgumentException("the activations hold zero samples: nothing to score");
        if (activations.Layers != blocks.Layers || activations.Heads != blocks.Heads || activations.DHead != blocks.DHead)
            throw new ArgumentException(
                $"activations are [L={activations.Layers}, H={activations.Heads}, d_head={activations.DHead}] but the W_O blocks are [L={blocks.Layers}, H={blocks.Heads}, d_head={blocks.DHead}]");
        if (unembedding.Length == 0 || unembedding.Length % blocks.DModel != 0)
            throw new ArgumentException($"unembedding holds {unembedding.Length} floats, not a positive multiple of d_model = {blocks.DModel}");
        if (options.FoldFinalNorm != (finalNormGain != null))
            throw new ArgumentException(options.FoldFinalNorm
                ? "FoldFinalNorm is on but no final-norm gain was given"
                : "a final-norm gain was given but FoldFinalNorm is off");
    }
}
