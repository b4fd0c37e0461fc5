namespace HeadPursuit.Somp.Tests;

/// <summary>Element-wise comparisons that report the worst index.</summary>
static class Close
{
    /// <summary>|a - e| &lt;= rel * |e| + abs for every element.</summary>
    public static void All(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, double rel, double abs, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double err = Math.Abs(actual[i] - expected[i]);
            Assert.True(err <= rel * Math.Abs(expected[i]) + abs,
                $"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R} (|diff| {err:E2})");
        }
    }
}
