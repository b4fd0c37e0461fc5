namespace HeadPursuit.Runtime.Verification;

/// <summary>
/// One tensor compared with its reference: the largest absolute error, the largest error relative to the
/// reference's max |value|, and whether every element passed |a - e| &lt;= atol + rtol * |e|.
/// </summary>
internal sealed record Comparison(string Case, string Quantity, double MaxAbs, double MaxRel, bool Passed, string? Detail = null)
{
    public static Comparison Of(string caseName, string quantity, ReadOnlySpan<float> actual, ReadOnlySpan<float> expected, double atol, double rtol)
    {
        if (actual.Length != expected.Length)
            return new Comparison(caseName, quantity, double.NaN, double.NaN, false, $"length {actual.Length} != expected {expected.Length}");
        double maxAbs = 0, maxE = 0;
        bool ok = true;
        int worst = -1;
        for (int i = 0; i < actual.Length; i++)
        {
            double e = expected[i], err = Math.Abs(actual[i] - e);
            if (double.IsNaN(err)) err = double.PositiveInfinity;
            if (err > maxAbs) { maxAbs = err; worst = i; }
            maxE = Math.Max(maxE, Math.Abs(e));
            if (err > atol + rtol * Math.Abs(e)) ok = false;
        }
        string? detail = ok || worst < 0 ? null : $"worst at flat index {worst}: {actual[worst]} vs {expected[worst]}";
        return new Comparison(caseName, quantity, maxAbs, maxE > 0 ? maxAbs / maxE : maxAbs, ok, detail);
    }

    public static Comparison Exact<T>(string caseName, string quantity, IReadOnlyList<T> actual, IReadOnlyList<T> expected)
    {
        int mismatches = 0, first = -1;
        for (int i = 0; i < Math.Max(actual.Count, expected.Count); i++)
            if (i >= actual.Count || i >= expected.Count || !EqualityComparer<T>.Default.Equals(actual[i], expected[i])) { mismatches++; if (first < 0) first = i; }
        return new Comparison(caseName, quantity, mismatches, 0, mismatches == 0,
            mismatches == 0 ? null : $"{mismatches} differ, first at {first}: got [{string.Join(",", actual)}], expected [{string.Join(",", expected)}]");
    }

    public override string ToString() =>
        $"{(Passed ? "ok  " : "FAIL")} {Case,-12} {Quantity,-12} max_abs {MaxAbs,10:0.000e+00}  max_rel {MaxRel,10:0.000e+00}{(Detail == null ? "" : "  " + Detail)}";
}
