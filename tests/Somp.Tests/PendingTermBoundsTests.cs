namespace HeadPursuit.Somp.Tests;

/// <summary>
/// PendingTermBounds must never be below the score a refresh computes (SompFastHead's arithmetic: each value receives
/// its pending terms in order, one FMA each, then the magnitudes are summed), on random terms, on terms that cancel
/// nearly or exactly (where only the rounding margins keep the bound valid) and at extreme scales; and the Euclidean
/// bound must be the tighter one once several terms partly cancel (else it would be dead weight).
/// </summary>
public class PendingTermBoundsTests
{
    /// <summary>
    /// Records one term per iteration for one row and, after each, checks the bound against a refresh of a copy of
    /// the row; every <paramref name="refreshEvery"/> terms (0: never) the row is really refreshed.
    /// Returns the ratio bound / (S + sum_u |c_u| ||s_u||_1) after the last term, to compare with the triangle bound.
    /// </summary>
    static double Check(double[] p0, Func<int, double[]> sOf, Func<int, double> cOf, int iterations, int refreshEvery, string what)
    {
        int n = p0.Length;
        var bounds = new PendingTermBounds(1, n, iterations);
        var s = new double[iterations * n];   // S^T [iterations, n]
        var p = (double[])p0.Clone();         // the stored row [n]
        double score = SumOfMagnitudes(p), triangle = score;
        bounds.SetExact(0, score);
        var pending = new List<(int Term, double C)>();
        for (int t = 0; t < iterations; t++)
        {
            sOf(t).CopyTo(s, t * n);
            bounds.AddTerm(t, s);
            double c = cOf(t);
            bounds.Record(0, t, c, score, [.. pending.Select(x => x.C)]);
            pending.Add((t, c));
            triangle += Math.Abs(c) * SumOfMagnitudes(s.AsSpan(t * n, n));

            var x = Refresh(p, s, pending);
            double computed = SumOfMagnitudes(x);
            Assert.True(computed <= bounds.Upper(0),
                $"{what}, term {t}: refresh computes {computed:R}, above the bound {bounds.Upper(0):R}");
            if (refreshEvery > 0 && (t + 1) % refreshEvery == 0)
            {
                p = x;
                score = triangle = computed;
                bounds.SetExact(0, score);
                pending.Clear();
            }
        }
        return bounds.Upper(0) / triangle;
    }

    /// <summary>The row with its pending terms applied as SompFastHead.Refresh applies them.</summary>
    static double[] Refresh(double[] p, double[] s, List<(int Term, double C)> pending)
    {
        int n = p.Length;
        var x = (double[])p.Clone();
        for (int i = 0; i < n; i++)
            foreach (var (u, c) in pending) x[i] = Math.FusedMultiplyAdd(s[u * n + i], -c, x[i]);
        return x;
    }

    static double SumOfMagnitudes(ReadOnlySpan<double> x)
    {
        double sum = 0;
        foreach (double v in x) sum += Math.Abs(v);
        return sum;
    }

    static double[] Gaussian(Random rng, int n, double scale) => [.. RandomProblem.Gaussian(rng, n).Select(x => x * scale)];

    [Fact]
    public void RandomTermsNeverExceedTheBound()
    {
        var rng = new Random(21);
        for (int trial = 0; trial < 200; trial++)
        {
            int n = rng.Next(1, 200), iterations = rng.Next(1, 60), refreshEvery = rng.Next(0, 6);
            var sVectors = Enumerable.Range(0, iterations).Select(_ => Gaussian(rng, n, 1)).ToArray();
            var c = Gaussian(rng, iterations, 0.05);
            Check(Gaussian(rng, n, 1), t => sVectors[t], t => c[t], iterations, refreshEvery, $"random trial {trial}");
        }
    }

    [Fact]
    public void EuclideanBoundIsTighterOncePendingTermsPartlyCancel()
    {
        var rng = new Random(22);
        const int n = 500, iterations = 40;
        var sVectors = Enumerable.Range(0, iterations).Select(_ => Gaussian(rng, n, 1)).ToArray();
        var c = Gaussian(rng, iterations, 0.05);
        double ratio = Check(Gaussian(rng, n, 1), t => sVectors[t], t => c[t], iterations, 0, "40 stale terms");
        // S ~ 400, T1 ~ 40 * 0.04 * 400: the Euclidean increment is about sqrt(40) / 40 * 1.25 of the triangle one
        Assert.True(ratio < 0.7, $"bound / triangle bound = {ratio:F3}: the Euclidean bound should be well below it");
    }

    [Fact]
    public void NearlyAndExactlyCancellingTermsStayBounded()
    {
        var rng = new Random(23);
        for (int trial = 0; trial < 50; trial++)
        {
            int n = rng.Next(1, 300), iterations = rng.Next(2, 50);
            var baseS = Gaussian(rng, n, 1);
            double jitter = trial % 3 == 0 ? 0 : Math.Pow(10, -rng.Next(4, 16));
            var sVectors = Enumerable.Range(0, iterations).Select(_ => baseS.Select(x => x + jitter * RandomProblem.Gaussian(rng, 1)[0]).ToArray()).ToArray();
            double a = Math.Pow(10, rng.Next(-3, 4)) * (1 + rng.NextDouble());
            // alternating +a, -a: the terms cancel (exactly when jitter is 0), leaving only rounding
            double[] p0 = trial % 2 == 0 ? new double[n] : Gaussian(rng, n, 1e-12);
            Check(p0, t => sVectors[t], t => t % 2 == 0 ? a : -a, iterations, rng.Next(0, 4), $"cancelling trial {trial} (jitter {jitter})");
        }
    }

    [Fact]
    public void ExtremeScalesStayBounded()
    {
        var rng = new Random(24);
        double[] scales = [1e-320, 1e-300, 1e-200, 1e-160, 1e-140, 1e-100, 1e-20, 1, 1e20, 1e100, 1e140, 1e150];
        foreach (double sScale in scales)
            foreach (double cScale in new[] { 1e-150, 1e-20, 1, 1e20, 1e150 })
                foreach (double pScale in new[] { 0, 1e-310, 1e-150, 1, 1e150 })
                {
                    int n = rng.Next(1, 64), iterations = rng.Next(1, 20);
                    var sVectors = Enumerable.Range(0, iterations).Select(_ => Gaussian(rng, n, sScale)).ToArray();
                    var c = Gaussian(rng, iterations, cScale);
                    Check(Gaussian(rng, n, pScale), t => sVectors[t], t => c[t], iterations, rng.Next(0, 4),
                        $"scales s {sScale:E0}, c {cScale:E0}, p {pScale:E0}");
                }
    }
}
