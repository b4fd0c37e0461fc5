using System.Numerics.Tensors;
using HeadPursuit.Runtime.Capture;

namespace HeadPursuit.Somp;

/// <summary>
/// Scores every head of a model for a concept (DESIGN.md section 3) from its captured pooled z and its W_O blocks:
/// SOMP (score = EVR after N = min(50, |D_C|) iterations on the concept's unembedding rows) and the logit-lens
/// baseline. All heads are ranked together.
/// </summary>
public sealed class HeadScorer
{
    /// <summary>SOMP iterations when the caller does not choose: min(this, |D_C|).</summary>
    public const int DefaultMaxIterations = 50;

    readonly HeadActivations _activations;
    readonly OutputBlocks _blocks;
    readonly float[] _unembedding; // [vocab, d_model]
    readonly float[]? _finalNormGain; // [d_model] when Options.FoldFinalNorm
    readonly ISompSolver _solver;
    /// <summary>The SOMP options every ranking of this scorer uses.</summary>
    public SompOptions Options { get; }

    /// <param name="unembedding">[vocab, d_model] row-major (lm_head.weight or the tied embedding).</param>
    /// <param name="finalNormGain">[d_model], required exactly when options.FoldFinalNorm.</param>
    /// <param name="solver">where SOMP runs; the CPU (<see cref="SompFast"/>) when not given.</param>
    public HeadScorer(HeadActivations activations, OutputBlocks blocks, float[] unembedding, SompOptions options, float[]? finalNormGain = null,
                      ISompSolver? solver = null)
    {
        ScoringChecks.Inputs(activations, blocks, unembedding, options, finalNormGain);
        _activations = activations; _blocks = blocks; _unembedding = unembedding; _finalNormGain = finalNormGain;
        _solver = solver ?? CpuSompSolver.Instance;
        Options = options;
    }

    /// <summary>SOMP head scores for the concept's tokens (duplicates removed, sorted), all heads ranked.</summary>
    /// <param name="iterations">N; default min(50, |D_C|), and at most d_model (the atoms span no more directions; only a
    /// small model's d_model is below 50). An explicit N larger than |D_C| or d_model is an error.</param>
    public HeadRanking Rank(string concept, IReadOnlyList<int> tokenIds, int? iterations = null)
    {
        var dictionary = Dictionary(concept, tokenIds);
        int n = iterations ?? Math.Min(Math.Min(DefaultMaxIterations, dictionary.Count), _blocks.DModel);
        var heads = AllHeads();
        var results = _solver.RunHeads([.. heads.Select(SompInput)], dictionary, n, Options);
        var scores = heads.Select((id, k) =>
            new HeadScore(id, results[k].Score, results[k].Evr, [.. results[k].Selected.Select(j => dictionary.TokenIds[j])]));
        return new HeadRanking(concept, HeadRanking.SompMethod, Options, n, _activations.Layers, _activations.Heads, _activations.Samples,
            dictionary.TokenIds, scores) { HeadOutput = _blocks.HeadOutput };
    }

    /// <summary>
    /// Logit-lens baseline: mean over samples i and concept tokens j of &lt;u_j, H_i&gt; with the raw (un-normalised)
    /// rows and un-centred H = Zbar W_O^T; equal to &lt;W_O^T mean_j u_j, mean_i z_i&gt;.
    /// </summary>
    public HeadRanking LogitLens(string concept, IReadOnlyList<int> tokenIds)
    {
        var dictionary = Dictionary(concept, tokenIds);
        int dm = _blocks.DModel, n = _activations.Samples;
        var meanAtom = new double[dm]; // mean_j u_j [d_model]
        for (int j = 0; j < dictionary.Count; j++)
            for (int m = 0; m < dm; m++) meanAtom[m] += dictionary.Rows[j * dm + m];
        for (int m = 0; m < dm; m++) meanAtom[m] /= dictionary.Count;

        var scores = AllHeads().Select(id => new HeadScore(id, TensorPrimitives.Dot(meanAtom, _blocks.MeanWrite(_activations, id)), [], [])).ToList();
        return new HeadRanking(concept, HeadRanking.LogitLensMethod, Options, 0, _activations.Layers, _activations.Heads, n,
            dictionary.TokenIds, scores) { HeadOutput = _blocks.HeadOutput };
    }

    AtomSet Dictionary(string concept, IReadOnlyList<int> tokenIds)
    {
        if (tokenIds.Count == 0) throw new ArgumentException($"concept '{concept}' has no tokens");
        int[] ids = [.. tokenIds.Distinct().Order()];
        return AtomSet.FromUnembedding(_unembedding, _blocks.DModel, ids, _finalNormGain);
    }

    List<HeadId> AllHeads() =>
        [.. Enumerable.Range(0, _activations.Layers).SelectMany(l => Enumerable.Range(0, _activations.Heads).Select(h => new HeadId(l, h)))];

    SompHead SompInput(HeadId id) =>
        new(_activations.Head(id.Layer, id.Head).ToArray(), _blocks.Block(id.Layer, id.Head), _activations.Samples, _blocks.DHead, _blocks.DModel);
}
