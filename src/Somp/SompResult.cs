namespace HeadPursuit.Somp;

/// <summary>
/// What one SOMP run returns.
/// Selected: indices into the dictionary rows, in selection order [N].
/// Evr: explained-variance ratio after each iteration [N]: 1 - ||R_t||^2 / ||H_c||^2.
/// Coef: final least-squares coefficients W [n, N] row-major (columns in selection order, w.r.t. the
/// (normalised) atoms), so that H_c ~ W atoms[Selected].
/// A head whose centred outputs are all zero explains nothing: Selected is empty, Evr is N zeros, Coef is empty.
/// </summary>
internal sealed class SompResult
{
    readonly Lazy<double[]> _coef;

    public SompResult(int[] selected, double[] evr, double[] coef) : this(selected, evr, () => coef) { }

    /// <summary>With coefficients computed on first use (a solver that ranks many heads rarely needs them).</summary>
    public SompResult(int[] selected, double[] evr, Func<double[]> coefficients)
    {
        Selected = selected; Evr = evr;
        _coef = new Lazy<double[]>(coefficients);
    }

    public int[] Selected { get; }
    public double[] Evr { get; }
    /// <summary>[n, Selected.Length]</summary>
    public double[] Coef => _coef.Value;
    /// <summary>The head score: EVR after the last iteration (0 when no iteration ran).</summary>
    public double Score => Evr.Length == 0 ? 0 : Evr[^1];

    public static SompResult ZeroVariance(int iterations) => new([], new double[iterations], []);

    /// <summary>
    /// The coefficients W [n, k] of the selected (normalised) atoms from the incremental QR of a solver: W R^T = S by
    /// back substitution (see SompReference), with s [k, n] (row t: s_t = Hc q_t) and R [k, k] upper triangular
    /// (atom_c = sum_u R[u, c] q_u). An atom in the span of earlier ones (R[c, c] = 0) gets coefficient 0.
    /// </summary>
    public static double[] Coefficients(double[] s, double[] r, int n, int k)
    {
        var w = new double[n * k];
        for (int i = 0; i < n; i++)
            for (int c = k - 1; c >= 0; c--)
            {
                double x = s[c * n + i];
                for (int u = c + 1; u < k; u++) x -= w[i * k + u] * r[c * k + u];
                w[i * k + c] = r[c * k + c] == 0 ? 0 : x / r[c * k + c];
            }
        return w;
    }
}
