using System.Globalization;
using System.Security;
using System.Text;

namespace HeadPursuit.Eval.Plots;

/// <summary>One point of a line; Low/High draw a vertical bar (an inter-quartile range) when both are given.</summary>
internal readonly record struct PlotPoint(double X, double Y, double? Low = null, double? High = null);

/// <summary>A line of a plot: its legend name, points in x order, stroke colour (#rrggbb) and SVG dash pattern ("" = solid).</summary>
internal sealed record PlotSeries(string Name, IReadOnlyList<PlotPoint> Points, string Colour, string Dash);

/// <summary>
/// A line plot as SVG (like the paper's Figure 2): linear axes, x ticks at every distinct x of the data, five y ticks,
/// a dashed reference line at y = 1 (the unmodified model) when it is in range, one polyline with dots and
/// inter-quartile bars per series, and a legend on the right.
/// </summary>
internal static class LinePlotSvg
{
    public const int Width = 760, Height = 440, Left = 64, Right = 250, Top = 40, Bottom = 52;
    const int PlotWidth = Width - Left - Right, PlotHeight = Height - Top - Bottom;

    public static string Write(string title, string xLabel, string yLabel, IReadOnlyList<PlotSeries> series)
    {
        var points = series.SelectMany(s => s.Points).ToArray();
        if (points.Length == 0) throw new ArgumentException($"plot '{title}': no points to draw");
        if (points.Any(p => !double.IsFinite(p.X) || !double.IsFinite(p.Y)))
            throw new ArgumentException($"plot '{title}': every point needs a finite x and y");
        var (x0, x1) = Range(points.Select(p => p.X));
        var ys = points.SelectMany(p => new[] { p.Y, p.Low ?? p.Y, p.High ?? p.Y }).Append(1.0).Append(0.0);
        var (y0, y1) = Range(ys);
        double pad = (y1 - y0) * 0.05;
        (y0, y1) = (y0 - pad, y1 + pad);
        double Px(double x) => Left + (x - x0) / (x1 - x0) * PlotWidth;
        double Py(double y) => Top + (y1 - y) / (y1 - y0) * PlotHeight;

        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(c, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" font-family=\"sans-serif\" font-size=\"11\">\n");
        sb.Append(c, $"<text x=\"{Left}\" y=\"20\" font-size=\"13\">{Escape(title)}</text>\n");
        sb.Append(c, $"<rect x=\"{Left}\" y=\"{Top}\" width=\"{PlotWidth}\" height=\"{PlotHeight}\" fill=\"none\" stroke=\"#333\"/>\n");
        foreach (double x in points.Select(p => p.X).Distinct().Order())
            sb.Append(c, $"<text x=\"{Px(x):F1}\" y=\"{Top + PlotHeight + 16}\" text-anchor=\"middle\">{x:G4}</text>\n");
        for (int i = 0; i <= 4; i++)
        {
            double y = y0 + (y1 - y0) * i / 4;
            sb.Append(c, $"<line x1=\"{Left - 4}\" y1=\"{Py(y):F1}\" x2=\"{Left}\" y2=\"{Py(y):F1}\" stroke=\"#333\"/>");
            sb.Append(c, $"<text x=\"{Left - 6}\" y=\"{Py(y) + 4:F1}\" text-anchor=\"end\">{y:0.##}</text>\n");
        }
        sb.Append(c, $"<line x1=\"{Left}\" y1=\"{Py(1):F1}\" x2=\"{Left + PlotWidth}\" y2=\"{Py(1):F1}\" stroke=\"#aaa\" stroke-dasharray=\"2 3\"/>\n");
        sb.Append(c, $"<text x=\"{Left + PlotWidth / 2}\" y=\"{Height - 12}\" text-anchor=\"middle\">{Escape(xLabel)}</text>\n");
        sb.Append(c, $"<text transform=\"translate(16 {Top + PlotHeight / 2}) rotate(-90)\" text-anchor=\"middle\">{Escape(yLabel)}</text>\n");

        for (int s = 0; s < series.Count; s++)
        {
            var line = series[s];
            string dash = line.Dash.Length > 0 ? $" stroke-dasharray=\"{line.Dash}\"" : "";
            string coords = string.Join(" ", line.Points.Select(p => string.Create(c, $"{Px(p.X):F1},{Py(p.Y):F1}")));
            sb.Append(c, $"<polyline points=\"{coords}\" fill=\"none\" stroke=\"{line.Colour}\" stroke-width=\"1.8\"{dash}><title>{Escape(line.Name)}</title></polyline>\n");
            foreach (var p in line.Points)
            {
                if (p.Low is { } lo && p.High is { } hi)
                    sb.Append(c, $"<line x1=\"{Px(p.X):F1}\" y1=\"{Py(lo):F1}\" x2=\"{Px(p.X):F1}\" y2=\"{Py(hi):F1}\" stroke=\"{line.Colour}\" stroke-width=\"1\"/>");
                sb.Append(c, $"<circle cx=\"{Px(p.X):F1}\" cy=\"{Py(p.Y):F1}\" r=\"2.5\" fill=\"{line.Colour}\"/>\n");
            }
            int ly = Top + 8 + s * 16, lx = Left + PlotWidth + 14;
            sb.Append(c, $"<line x1=\"{lx}\" y1=\"{ly}\" x2=\"{lx + 26}\" y2=\"{ly}\" stroke=\"{line.Colour}\" stroke-width=\"1.8\"{dash}/>");
            sb.Append(c, $"<text x=\"{lx + 32}\" y=\"{ly + 4}\">{Escape(line.Name)}</text>\n");
        }
        sb.Append("</svg>\n");
        return sb.ToString();
    }

    /// <summary>Min and max; a single value v gives [v - 0.5, v + 0.5] so that the axis has a width.</summary>
    static (double Lo, double Hi) Range(IEnumerable<double> values)
    {
        double lo = values.Min(), hi = values.Max();
        return hi > lo ? (lo, hi) : (lo - 0.5, hi + 0.5);
    }

    static string Escape(string s) => SecurityElement.Escape(s);
}
