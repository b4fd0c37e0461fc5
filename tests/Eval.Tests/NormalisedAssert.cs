using HeadPursuit.Eval.Experiments;

namespace HeadPursuit.Eval.Tests;

static class NormalisedAssert
{
    /// <summary>Every normalised metric of every row and cell is exactly 1.0 (what a run with alpha = 1 everywhere must give).</summary>
    public static void AllOne(ExperimentReport report)
    {
        foreach (var row in report.Rows)
            foreach (var (metric, v) in row.Metrics)
            {
                Assert.True(v.Value == 1.0, $"{row.Selection} k={row.K} {metric}: {v.Value}");
                Assert.Equal((1.0, 1.0), (v.Q1!.Value, v.Q3!.Value));
            }
        foreach (var c in report.Cells)
            foreach (var m in report.MetricNames)
                Assert.Equal(1.0, report.NormalisedOf(c, m));
    }
}
