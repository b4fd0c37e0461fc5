using System.Globalization;
using HeadPursuit.Eval.Experiments;

namespace HeadPursuit.Eval.Plots;

/// <summary>
/// The line plots of an experiment, one per alpha that was run at two or more k: every plotted metric (normalised to
/// the unmodified model) against k, one line per selection (colour) and metric (dash); random controls show their
/// median with inter-quartile bars.
/// </summary>
public static class ExperimentPlots
{
    static readonly string[] Dashes = ["", "6 3", "2 2", "8 3 2 3"];
    static readonly Dictionary<string, string> SelectionColours = new()
    {
        [SelectionSpec.Somp] = "#d62728", [SelectionSpec.LogitLens] = "#1f77b4", [SelectionSpec.Random] = "#7f7f7f",
    };

    /// <summary>The plots of <paramref name="report"/>'s metrics (the experiment's "plot_metrics", else all).</summary>
    /// <returns>Per alpha, the SVG text.</returns>
    public static IEnumerable<(float Alpha, string Svg)> Write(ExperimentReport report)
    {
        var metrics = report.Spec.PlotMetrics.Length > 0 ? report.Spec.PlotMetrics : [.. report.MetricNames];
        foreach (var byAlpha in report.Rows.Where(r => r.K > 0).GroupBy(r => r.Alpha))
        {
            if (byAlpha.Select(r => r.K).Distinct().Count() < 2) continue;
            var series = new List<PlotSeries>();
            foreach (var (metric, m) in metrics.Select((m, i) => (m, i)))
                foreach (var bySelection in byAlpha.GroupBy(r => r.Selection))
                {
                    var points = bySelection.OrderBy(r => r.K)
                        .Where(r => r.Metrics[metric].Value != null)
                        .Select(r => r.Metrics[metric] is var v && r.Draws > 1 ? new PlotPoint(r.K, v.Value!.Value, v.Q1, v.Q3) : new PlotPoint(r.K, v.Value!.Value))
                        .ToArray();
                    if (points.Length == 0) continue;
                    string colour = SelectionColours.GetValueOrDefault(bySelection.Key, "#2ca02c");
                    series.Add(new PlotSeries($"{bySelection.Key}: {metric}", points, colour, Dashes[m % Dashes.Length]));
                }
            string title = string.Create(CultureInfo.InvariantCulture, $"{report.Spec.Name}: top-k heads scaled by alpha = {byAlpha.Key}");
            yield return (byAlpha.Key, LinePlotSvg.Write(title, "k (heads scaled)", "relative to the unmodified model", series));
        }
    }
}
