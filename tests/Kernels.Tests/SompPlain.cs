namespace HeadPursuit.Kernels.Tests;

/// <summary>
/// SOMP exactly as the fixture's `algorithm` states it, in float64 and with H formed explicitly: the slow, obvious
/// reference that the GPU SOMP is compared with (the somp branch's SompReference plays this role after the merge).
/// The least-squares refit is a projection onto the span of the selected atoms (Gram-Schmidt twice).
/// </summary>
static class SompPlain
{
    /// <param name="h">H [n, d]</param><param name="atoms">D [v, d]</param>
    public static (int[] Selected, double[] Evr) Run(double[] h, int n, int d, double[] atoms, int v, int iterations, bool center, bool normalize)
    {
        var hc = (double[])h.Clone();
        if (center)
            for (int e = 0; e < d; e++)
            {
                double mean = 0;
                for (int i = 0; i < n; i++) mean += hc[i * d + e];
                for (int i = 0; i < n; i++) hc[i * d + e] -= mean / n;
            }
        var a = (double[])atoms.Clone();
        if (normalize)
            for (int j = 0; j < v; j++)
            {
                double norm = Math.Sqrt(Enumerable.Range(0, d).Sum(k => a[j * d + k] * a[j * d + k]));
                for (int k = 0; k < d; k++) a[j * d + k] /= norm;
            }
        double total = hc.Sum(x => x * x);
        var residual = (double[])hc.Clone();
        var basis = new List<double[]>();
        var selected = new List<int>();
        var evr = new double[iterations];
        for (int t = 0; t < iterations; t++)
        {
            int best = -1;
            double bestScore = -1;
            for (int j = 0; j < v; j++)
            {
                if (selected.Contains(j)) continue;
                double score = 0;
                for (int i = 0; i < n; i++)
                {
                    double p = 0;
                    for (int k = 0; k < d; k++) p += a[j * d + k] * residual[i * d + k];
                    score += Math.Abs(p);
                }
                if (score > bestScore) { bestScore = score; best = j; }
            }
            selected.Add(best);
            var q = a.AsSpan(best * d, d).ToArray();
            for (int pass = 0; pass < 2; pass++)
                foreach (var b in basis)
                {
                    double dot = Enumerable.Range(0, d).Sum(k => b[k] * q[k]);
                    for (int k = 0; k < d; k++) q[k] -= dot * b[k];
                }
            double qn = Math.Sqrt(q.Sum(x => x * x));
            for (int k = 0; k < d; k++) q[k] /= qn;
            basis.Add(q);
            for (int i = 0; i < n; i++)   // R = Hc minus its projection on span(selected)
            {
                double dot = 0;
                for (int k = 0; k < d; k++) dot += residual[i * d + k] * q[k];
                for (int k = 0; k < d; k++) residual[i * d + k] -= dot * q[k];
            }
            evr[t] = 1 - residual.Sum(x => x * x) / total;
        }
        return ([.. selected], evr);
    }
}
