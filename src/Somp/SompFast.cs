using System.Numerics.Tensors;

namespace HeadPursuit.Somp;

/// <summary>
/// SOMP with the same selections and EVR as <see cref="SompReference"/>, fast (DESIGN.md section 4):
/// - works in the d_head space: P0 = (D_n W_O) Zc^T, H = Zc W_O^T [n, d_model] is never formed;
/// - per iteration one rank-one update P -= (D_n q_t) s_t^T with q_t the newly selected atom orthonormalised against
///   the selected ones and s_t = Zc (W_O^T q_t), instead of recomputing D R^T and refitting from scratch, applied
///   lazily: a row receives its pending terms (in order, so with the same arithmetic) only when an upper bound on its
///   score could make it the best (see <see cref="SompFastHead"/>);
/// - EVR_t = sum_{u&lt;=t} ||s_u||^2 / ||Hc||^2; the coefficients come once, at the end, from the triangular factor;
/// - all heads given in one call share the dictionary: every pass over the atoms serves all of them;
/// - P0 by a register-blocked float64 GEMM (<see cref="Float64Gemm"/>); the atoms are read as float rows times a
///   float64 scale (<see cref="AtomRows"/>); passes over the atoms run in parallel blocks; row operations use
///   TensorPrimitives (SIMD).
/// Memory: one P [v, n] float64 per head in the call (e.g. 402 MB for v = 50257, n = 1000), plus its pending
/// coefficients [N - 1, v] (20 MB at N = 50); the P buffers are kept for the next call (<see cref="CorrelationBuffers"/>).
/// </summary>
internal static class SompFast
{
    const int AtomsPerBlock = 64;

    /// <summary>One problem given as H [n, d] directly (W_O = identity).</summary>
    public static SompResult Run(float[] h, int n, int d, AtomSet dictionary, int iterations, SompOptions options) =>
        RunHeads([SompHead.Direct(h, n, d)], dictionary, iterations, options)[0];

    /// <summary>SOMP for several heads against one dictionary; results in the order of <paramref name="heads"/>.</summary>
    public static SompResult[] RunHeads(IReadOnlyList<SompHead> heads, AtomSet dictionary, int iterations, SompOptions options)
    {
        SompChecks.Heads(heads, dictionary);
        SompChecks.Iterations(iterations, dictionary.Count, dictionary.Dim);
        int v = dictionary.Count, dm = dictionary.Dim;
        var atoms = new AtomRows(dictionary, options.Normalize);
        var states = heads.Select(h => new SompFastHead(h, v, iterations, options.Center)).ToArray();
        var live = states.Where(s => !s.ZeroVariance).ToArray();
        if (live.Length == 0) return [.. states.Select(s => s.Result())];
        int maxDh = live.Max(s => s.DHead);

        // P0 for every head, atom block by atom block. Scratch per thread: the block's atoms [64, dm] and A [64, dh].
        Parallel.For(0, Blocks(v), () => (new double[AtomsPerBlock * dm], new double[AtomsPerBlock * maxDh]), (b, _, scratch) =>
        {
            int first = b * AtomsPerBlock, count = Math.Min(AtomsPerBlock, v - first);
            atoms.CopyRows(first, count, scratch.Item1);
            foreach (var s in live) s.InitBlock(first, count, scratch.Item1.AsSpan(0, count * dm), scratch.Item2.AsSpan(0, count * s.DHead));
            return scratch;
        }, _ => { });

        for (int t = 0; t < iterations; t++)
        {
            foreach (var s in live) s.Select(atoms); // brings up to date only the rows that could be the best
            if (t == iterations - 1) break;
            Parallel.For(0, Blocks(v), b =>
            {
                for (int j = b * AtomsPerBlock; j < Math.Min(v, (b + 1) * AtomsPerBlock); j++)
                    foreach (var s in live) s.RecordUpdate(j, atoms.Dot(j, s.NewestDirection));
            });
            foreach (var s in live) s.EndUpdates();
        }
        var results = states.Select(s => s.Result()).ToArray();
        CorrelationBuffers.Keep(states.Select(s => s.Correlations));
        return results;
    }

    static int Blocks(int v) => (v + AtomsPerBlock - 1) / AtomsPerBlock;
}
