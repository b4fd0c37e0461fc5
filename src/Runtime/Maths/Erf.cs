namespace HeadPursuit.Runtime.Maths;

/// <summary>
/// The error function in double precision (.NET has none): the Maclaurin series
/// erf(x) = 2/sqrt(pi) sum_n (-1)^n x^(2n+1) / (n! (2n+1)) for |x| &lt; 3 (terms shrink below 1e-17 of the sum; the
/// largest term is ~1e3, so ~1e-13 absolute), and 1 - erfc(x) from erfc's continued fraction
/// erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …))))) beyond (erfc(3) = 2.2e-5).
/// </summary>
internal static class Erf
{
    public static double Of(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        double a = Math.Abs(x);
        double r = a < 3 ? Series(a) : 1 - ContinuedFractionErfc(a);
        return x < 0 ? -r : r;
    }

    static double Series(double x)
    {
        double x2 = x * x, term = x, sum = x;   // term = (-1)^n x^(2n+1) / n!
        for (int n = 1; n < 200; n++)
        {
            term *= -x2 / n;
            double add = term / (2 * n + 1);
            sum += add;
            if (Math.Abs(add) < 1e-17 * Math.Abs(sum)) break;
        }
        return 2 / Math.Sqrt(Math.PI) * sum;
    }

    static double ContinuedFractionErfc(double x)
    {
        // Evaluated bottom-up from depth 80 (x >= 3 converges to double precision long before).
        double f = x;
        for (int k = 80; k >= 1; k--) f = x + k / 2.0 / f;
        return Math.Exp(-x * x) / Math.Sqrt(Math.PI) / f;
    }
}
