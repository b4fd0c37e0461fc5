namespace HeadPursuit.Eval.Overlap;

/// <summary>
/// What two head sets of k heads each, drawn uniformly at random without replacement from the same N heads, share:
/// the overlap X is hypergeometric, P(X = x) = C(k, x) C(N - k, k - x) / C(N, k) for max(0, 2k - N) &lt;= x &lt;= k,
/// so E[X] = k^2 / N and E[Jaccard] = sum_x P(X = x) x / (2k - x) (exact sums, no simulation).
/// </summary>
internal static class RandomOverlap
{
    /// <summary>P(X = x) for x = 0..k (zero below max(0, 2k - N)).</summary>
    public static double[] Distribution(int total, int k)
    {
        if (total <= 0 || k < 0 || k > total) throw new ArgumentException($"random head sets of {k} heads cannot be drawn from {total} heads");
        var logFactorial = new double[total + 1];   // ln n!
        for (int n = 2; n <= total; n++) logFactorial[n] = logFactorial[n - 1] + Math.Log(n);
        double LogChoose(int n, int r) => logFactorial[n] - logFactorial[r] - logFactorial[n - r];
        var p = new double[k + 1];
        for (int x = Math.Max(0, 2 * k - total); x <= k; x++)
            p[x] = Math.Exp(LogChoose(k, x) + LogChoose(total - k, k - x) - LogChoose(total, k));
        return p;
    }

    /// <summary>E[|A ∩ B|] = k^2 / N.</summary>
    public static double ExpectedOverlap(int total, int k) => Distribution(total, k).Select((p, x) => p * x).Sum();

    /// <summary>E[|A ∩ B| / |A ∪ B|] = E[X / (2k - X)] (1 when k = 0: two empty sets are equal).</summary>
    public static double ExpectedJaccard(int total, int k) =>
        k == 0 ? 1 : Distribution(total, k).Select((p, x) => p * x / (2.0 * k - x)).Sum();
}
