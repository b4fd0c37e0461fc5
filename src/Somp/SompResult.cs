namespace HeadPursuit.Somp;

/// <summary>
/// What one SOMP run returns.
/// Selected: indices into the dictionary rows, in selection order [N].
/// Evr: explained-variance ratio after each iteration [N]: 1 - ||R_t||^2 / ||H_c||^2.
/// Coef: final least-squares coefficients W [n, N] row-major (columns in selection order, w.r.t. the
/// (normalised) atoms), so that H_c ~ W atoms[Selected].
/// A head whose centred outputs are all zero explains nothing: Selected is empty, Evr is N zeros, Coef is empty.
/// </summary>
public sealed class SompResult(int[] selected, double[] evr, double[] coef)
{
    public int[] Selected { get; } = selected;
    public double[] Evr { get; } = evr;
    /// <summary>[n, Selected.Length]</summary>
    public double[] Coef { get; } = coef;
    /// <summary>The head score: EVR after the last iteration (0 when no iteration ran).</summary>
    public double Score => Evr.Length == 0 ? 0 : Evr[^1];

    internal static SompResult ZeroVariance(int iterations) => new([], new double[iterations], []);
}
