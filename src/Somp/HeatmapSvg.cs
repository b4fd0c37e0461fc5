using System.Globalization;
using System.Security;
using System.Text;

namespace HeadPursuit.Somp;

/// <summary>
/// A layer x head heatmap of a ranking as SVG: one cell per head (rows = layers from the top, columns = heads),
/// colour = score on a dark-blue -> yellow ramp from the lowest to the highest score, a legend bar with both ends
/// labelled, and the concept, method and options in the title.
/// </summary>
public static class HeatmapSvg
{
    const int Cell = 28, Left = 48, Top = 44, LegendWidth = 16;

    // colour ramp stops (r, g, b) at 0, 1/3, 2/3, 1
    static readonly (double R, double G, double B)[] Ramp = [(48, 18, 84), (40, 110, 142), (53, 183, 121), (250, 230, 35)];

    /// <summary>The heatmap of a ranking as an SVG document.</summary>
    public static string Write(HeadRanking ranking)
    {
        var scores = new double[ranking.Layers, ranking.Heads];
        foreach (var e in ranking.Entries) scores[e.Head.Layer, e.Head.Head] = e.Score;
        double lo = ranking.Entries.Min(e => e.Score), hi = ranking.Entries.Max(e => e.Score);
        int gridW = ranking.Heads * Cell, gridH = ranking.Layers * Cell;
        int width = Left + gridW + 24 + LegendWidth + 90, height = Top + gridH + 40;
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(c, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"11\">\n");
        sb.Append(c, $"<text x=\"{Left}\" y=\"16\" font-size=\"13\">{Escape($"{ranking.Concept}: {ranking.Method}, N = {ranking.Iterations}")}</text>\n");
        sb.Append(c, $"<text x=\"{Left}\" y=\"32\" fill=\"#555\">{Escape(ranking.Options.ToString())}</text>\n");
        for (int l = 0; l < ranking.Layers; l++)
        {
            sb.Append(c, $"<text x=\"{Left - 6}\" y=\"{Top + l * Cell + Cell / 2 + 4}\" text-anchor=\"end\">L{l}</text>\n");
            for (int h = 0; h < ranking.Heads; h++)
                sb.Append(c, $"<rect x=\"{Left + h * Cell}\" y=\"{Top + l * Cell}\" width=\"{Cell}\" height=\"{Cell}\" fill=\"{Colour(scores[l, h], lo, hi)}\"><title>L{l}H{h}: {scores[l, h]:G6}</title></rect>\n");
        }
        for (int h = 0; h < ranking.Heads; h++)
            sb.Append(c, $"<text x=\"{Left + h * Cell + Cell / 2}\" y=\"{Top + gridH + 14}\" text-anchor=\"middle\">H{h}</text>\n");

        int lx = Left + gridW + 24;
        sb.Append("<defs><linearGradient id=\"ramp\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">");
        for (int k = 0; k < Ramp.Length; k++)
            sb.Append(c, $"<stop offset=\"{k / (double)(Ramp.Length - 1):F3}\" stop-color=\"{Colour(k / (double)(Ramp.Length - 1), 0, 1)}\"/>");
        sb.Append("</linearGradient></defs>\n");
        sb.Append(c, $"<rect x=\"{lx}\" y=\"{Top}\" width=\"{LegendWidth}\" height=\"{gridH}\" fill=\"url(#ramp)\"/>\n");
        sb.Append(c, $"<text x=\"{lx + LegendWidth + 4}\" y=\"{Top + 10}\">{hi:G4}</text>\n");
        sb.Append(c, $"<text x=\"{lx + LegendWidth + 4}\" y=\"{Top + gridH}\">{lo:G4}</text>\n");
        sb.Append(c, $"<text x=\"{lx}\" y=\"{Top + gridH + 14}\">score</text>\n");
        sb.Append("</svg>\n");
        return sb.ToString();
    }

    /// <summary>#rrggbb for a value on the ramp between lo and hi (the middle colour when lo == hi).</summary>
    public static string Colour(double value, double lo, double hi)
    {
        double t = hi > lo ? Math.Clamp((value - lo) / (hi - lo), 0, 1) : 0.5;
        double x = t * (Ramp.Length - 1);
        int k = Math.Min((int)x, Ramp.Length - 2);
        double f = x - k;
        var (a, b) = (Ramp[k], Ramp[k + 1]);
        int r = (int)Math.Round(a.R + f * (b.R - a.R)), g = (int)Math.Round(a.G + f * (b.G - a.G)), bl = (int)Math.Round(a.B + f * (b.B - a.B));
        return string.Create(CultureInfo.InvariantCulture, $"#{r:x2}{g:x2}{bl:x2}");
    }

    static string Escape(string s) => SecurityElement.Escape(s);
}
