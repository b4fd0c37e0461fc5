namespace HeadPursuit.Eval.Statistics;

/// <summary>Median and inter-quartile range with linear interpolation between order statistics (numpy's default).</summary>
internal static class Quantiles
{
    /// <summary>The q-quantile (0..1) of the values: position q * (n - 1) in the sorted values, interpolated.</summary>
    public static double Of(IReadOnlyCollection<double> values, double q)
    {
        if (values.Count == 0) throw new ArgumentException("no values to take a quantile of");
        if (q is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(q), $"quantile {q} is outside [0, 1]");
        var s = values.Order().ToArray();
        double pos = q * (s.Length - 1);
        int lo = (int)Math.Floor(pos), hi = (int)Math.Ceiling(pos);
        return s[lo] + (s[hi] - s[lo]) * (pos - lo);
    }

    public static double Median(IReadOnlyCollection<double> values) => Of(values, 0.5);

    /// <summary>(25th percentile, 75th percentile).</summary>
    public static (double Q1, double Q3) Iqr(IReadOnlyCollection<double> values) => (Of(values, 0.25), Of(values, 0.75));
}
