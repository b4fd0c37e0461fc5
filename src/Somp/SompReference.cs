namespace HeadPursuit.Somp;

/// <summary>
/// Simultaneous Orthogonal Matching Pursuit exactly as DESIGN.md section 3 and the fixtures' "algorithm" block
/// state it, written for reading, not speed (the fast path, <see cref="SompFast"/>, is tested against it).
/// Everything is float64. Each iteration recomputes the correlations P = atoms R^T from the residual and refits the
/// least squares from scratch. Least squares method: QR of the selected atoms (as the columns of a d x k matrix) by
/// modified Gram-Schmidt applied twice (re-orthogonalisation keeps Q orthonormal to machine precision even for
/// near-collinear atoms); then the projection of H_c onto their span is (H_c Q) Q^T and the coefficients are
/// W = (H_c Q) R^-T (a triangular solve), never the normal equations.
/// Ties: argmax over the not-yet-selected atoms, first index on ties (the same as scoring selected atoms 0 whenever
/// any unselected atom has a positive score).
/// An atom in the span of those selected before it (a duplicate row, or one picked after the span is full) is kept
/// in the selection with coefficient 0: it changes neither the residual nor the EVR (any least-squares solution
/// gives the same residual; we report the one that puts no weight on it).
/// </summary>
internal static class SompReference
{
    /// <param name="h">H [n, d] row-major: one row per sample.</param>
    /// <param name="dictionary">D [v, d] row-major: one atom per row.</param>
    public static SompResult Run(double[] h, int n, int d, double[] dictionary, int v, int iterations, SompOptions options)
    {
        SompChecks.Shapes(h.Length, n, d, dictionary.Length, v, iterations);

        // Hc [n, d]: H with column means removed (or H itself).
        var hc = (double[])h.Clone();
        if (options.Center)
            for (int k = 0; k < d; k++)
            {
                double mean = 0;
                for (int i = 0; i < n; i++) mean += h[i * d + k];
                mean /= n;
                for (int i = 0; i < n; i++) hc[i * d + k] -= mean;
            }
        double total = 0;
        foreach (double x in hc) total += x * x;
        if (total == 0) return SompResult.ZeroVariance(iterations);

        // atoms [v, d]: rows of D, l2-normalised when asked.
        var atoms = (double[])dictionary.Clone();
        if (options.Normalize)
            for (int j = 0; j < v; j++)
            {
                double norm = 0;
                for (int k = 0; k < d; k++) norm += atoms[j * d + k] * atoms[j * d + k];
                norm = Math.Sqrt(norm);
                if (norm == 0) throw new ArgumentException($"dictionary row {j} is all zeros and cannot be normalised");
                for (int k = 0; k < d; k++) atoms[j * d + k] /= norm;
            }

        var selected = new List<int>();
        var evr = new double[iterations];
        var residual = (double[])hc.Clone(); // R [n, d]
        double[] coef = [];
        double firstBest = 0;   // the best score of iteration 0, the scale of SompChecks.NoiseScoreFraction
        for (int t = 0; t < iterations; t++)
        {
            // score_j = sum_i |P[j, i]| with P = atoms R^T [v, n]
            int best = -1;
            double bestScore = double.NegativeInfinity;
            for (int j = 0; j < v; j++)
            {
                if (selected.Contains(j)) continue;
                double score = 0;
                for (int i = 0; i < n; i++)
                {
                    double p = 0;
                    for (int k = 0; k < d; k++) p += atoms[j * d + k] * residual[i * d + k];
                    score += Math.Abs(p);
                }
                if (score <= SompChecks.NoiseScoreFraction * firstBest) score = 0;
                if (score > bestScore) { bestScore = score; best = j; }
            }
            if (t == 0) firstBest = bestScore;
            selected.Add(best);

            (residual, coef) = Refit(hc, n, d, atoms, selected);
            double rr = 0;
            foreach (double x in residual) rr += x * x;
            evr[t] = 1 - rr / total;
        }
        return new SompResult([.. selected], evr, coef);
    }

    /// <summary>Least squares of Hc on the selected atoms, from scratch. Returns (R [n, d], W [n, k]).</summary>
    static (double[] Residual, double[] Coef) Refit(double[] hc, int n, int d, double[] atoms, List<int> selected)
    {
        int k = selected.Count;
        var q = new double[k * d]; // Q^T [k, d]: orthonormal rows spanning the selected atoms
        var r = new double[k * k]; // R [k, k] upper triangular: atom_c = sum_u R[u, c] q_u
        for (int c = 0; c < k; c++)
        {
            var col = atoms.AsSpan(selected[c] * d, d).ToArray(); // [d]
            for (int pass = 0; pass < 2; pass++)
                for (int u = 0; u < c; u++)
                {
                    double dot = 0;
                    for (int m = 0; m < d; m++) dot += q[u * d + m] * col[m];
                    for (int m = 0; m < d; m++) col[m] -= dot * q[u * d + m];
                    r[u * k + c] += dot;
                }
            double norm = 0;
            foreach (double x in col) norm += x * x;
            norm = Math.Sqrt(norm);
            if (norm <= SompChecks.DependenceTolerance) continue;   // in the span of earlier atoms: q_c = 0, R[c, c] = 0, coefficient 0
            r[c * k + c] = norm;
            for (int m = 0; m < d; m++) q[c * d + m] = col[m] / norm;
        }

        var s = new double[n * k]; // S = Hc Q [n, k]
        for (int i = 0; i < n; i++)
            for (int u = 0; u < k; u++)
            {
                double dot = 0;
                for (int m = 0; m < d; m++) dot += hc[i * d + m] * q[u * d + m];
                s[i * k + u] = dot;
            }

        var residual = (double[])hc.Clone(); // R = Hc - S Q^T [n, d]
        for (int i = 0; i < n; i++)
            for (int u = 0; u < k; u++)
                for (int m = 0; m < d; m++) residual[i * d + m] -= s[i * k + u] * q[u * d + m];

        // W [n, k]: W atoms_S = S Q^T and atoms_S = R^T Q^T, so W R^T = S, i.e. S[i, c] = sum_{u>=c} W[i, u] R[c, u]:
        // back substitution, last column first.
        var w = new double[n * k];
        for (int i = 0; i < n; i++)
            for (int c = k - 1; c >= 0; c--)
            {
                double x = s[i * k + c];
                for (int u = c + 1; u < k; u++) x -= w[i * k + u] * r[c * k + u];
                w[i * k + c] = r[c * k + c] == 0 ? 0 : x / r[c * k + c];
            }
        return (residual, w);
    }
}
