using HeadPursuit.Runtime.Capture;

namespace HeadPursuit.Somp;

/// <summary>One head's full-vocabulary SOMP: the tokens it writes, in selection order, and the EVR after each.</summary>
public sealed record HeadDecomposition(HeadId Head, int[] TokenIds, double[] Evr);

/// <summary>
/// Full-vocabulary decomposition of every head, or of the heads asked for (the `decompose` command): SOMP with D = the
/// whole unembedding, N = 50 by default. Heads of a layer run together in batches sized so that their correlation
/// matrices (P [vocab, n] float64 each on the CPU) fit in the memory budget.
/// </summary>
public static class VocabularyDecomposition
{
    /// <summary>SOMP iterations per head unless told otherwise (N = 50).</summary>
    public const int DefaultIterations = 50;
    /// <summary>The memory the correlation matrices of a batch of heads may take unless told otherwise (4 GiB).</summary>
    public const long DefaultMemoryBudgetBytes = 4L << 30;

    /// <param name="unembedding">[vocab, d_model] row-major.</param>
    /// <param name="finalNormGain">[d_model], required exactly when options.FoldFinalNorm.</param>
    /// <param name="heads">the heads to decompose (all when null); results come in (layer, head) order.</param>
    /// <param name="solver">where SOMP runs; the CPU when not given.</param>
    public static IReadOnlyList<HeadDecomposition> Run(HeadActivations activations, OutputBlocks blocks, float[] unembedding, SompOptions options,
        float[]? finalNormGain = null, int iterations = DefaultIterations, long memoryBudgetBytes = DefaultMemoryBudgetBytes,
        IReadOnlyCollection<HeadId>? heads = null, ISompSolver? solver = null)
    {
        ScoringChecks.Inputs(activations, blocks, unembedding, options, finalNormGain);
        CheckHeads(activations, heads ?? []);
        solver ??= CpuSompSolver.Instance;
        int vocab = unembedding.Length / blocks.DModel;
        var vocabulary = AtomSet.FromUnembedding(unembedding, blocks.DModel, Enumerable.Range(0, vocab).ToArray(), finalNormGain);
        long perHead = (long)vocab * activations.Samples * sizeof(double);
        int batch = (int)Math.Clamp(memoryBudgetBytes / perHead, 1, activations.Heads);

        var result = new List<HeadDecomposition>();
        for (int l = 0; l < activations.Layers; l++)
        {
            var layer = Enumerable.Range(0, activations.Heads).Select(h => new HeadId(l, h)).Where(id => heads == null || heads.Contains(id)).ToArray();
            foreach (var ids in layer.Chunk(batch))
            {
                var inputs = ids.Select(id => new SompHead(activations.Head(id.Layer, id.Head).ToArray(), blocks.Block(id.Layer, id.Head),
                    activations.Samples, blocks.DHead, blocks.DModel)).ToArray();
                var runs = solver.RunHeads(inputs, vocabulary, iterations, options);
                for (int k = 0; k < ids.Length; k++)
                    result.Add(new HeadDecomposition(ids[k], runs[k].Selected, runs[k].Evr));
            }
        }
        return result;
    }

    /// <summary>Throws naming the first of <paramref name="heads"/> that the activations do not hold.</summary>
    public static void CheckHeads(HeadActivations activations, IEnumerable<HeadId> heads)
    {
        foreach (var id in heads)
            if ((uint)id.Layer >= activations.Layers || (uint)id.Head >= activations.Heads)
                throw new ArgumentOutOfRangeException(nameof(heads), $"{id} is outside the model's {activations.Layers} layers x {activations.Heads} heads");
    }
}
