using System.Globalization;
using System.Security;
using System.Text;
using HeadPursuit.Eval.Overlap;
using HeadPursuit.Somp;

namespace HeadPursuit.Eval.Plots;

/// <summary>
/// One k of a <see cref="HeadSetOverlap"/> as an SVG heatmap: a ranking x ranking grid coloured by Jaccard index on a
/// fixed 0 -> 1 ramp (so plots of different k compare), each cell labelled with its overlap count and Jaccard, and the
/// random expectation in the subtitle and marked on the legend.
/// </summary>
internal static class OverlapHeatmapSvg
{
    const int Cell = 64, Left = 150, Top = 64, LegendWidth = 16;

    public static string Write(HeadSetOverlap overlap, OverlapAtK at)
    {
        var names = overlap.Rankings.Select(r => r.Name).ToArray();
        int n = names.Length, grid = n * Cell;
        int width = Left + grid + 40 + LegendWidth + 120, height = Top + grid + 120;
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(c, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"11\">\n");
        sb.Append(c, $"<text x=\"12\" y=\"18\" font-size=\"13\">{Escape($"top-{at.K} head sets: Jaccard (overlap) of {overlap.Layers} x {overlap.Heads} heads")}</text>\n");
        sb.Append(c, $"<text x=\"12\" y=\"36\" fill=\"#555\">{Escape($"random sets of {at.K}: expected overlap {at.RandomOverlap:0.###}, Jaccard {at.RandomJaccard:0.####}")}</text>\n");
        for (int a = 0; a < n; a++)
        {
            sb.Append(c, $"<text x=\"{Left - 6}\" y=\"{Top + a * Cell + Cell / 2 + 4}\" text-anchor=\"end\">{Escape(names[a])}</text>\n");
            for (int b = 0; b < n; b++)
            {
                double j = at.Jaccard[a, b];
                int x = Left + b * Cell, y = Top + a * Cell;
                sb.Append(c, $"<rect x=\"{x}\" y=\"{y}\" width=\"{Cell}\" height=\"{Cell}\" fill=\"{HeatmapSvg.Colour(j, 0, 1)}\"><title>{Escape($"{names[a]} / {names[b]}: {at.Overlap[a, b]} shared, Jaccard {j:0.####}")}</title></rect>\n");
                string ink = j > 0.6 ? "#000" : "#fff";
                sb.Append(c, $"<text x=\"{x + Cell / 2}\" y=\"{y + Cell / 2 - 2}\" text-anchor=\"middle\" fill=\"{ink}\">{j:0.##}</text>\n");
                sb.Append(c, $"<text x=\"{x + Cell / 2}\" y=\"{y + Cell / 2 + 12}\" text-anchor=\"middle\" fill=\"{ink}\">({at.Overlap[a, b]})</text>\n");
            }
        }
        for (int b = 0; b < n; b++)
        {
            int x = Left + b * Cell + Cell / 2, y = Top + grid + 10;
            sb.Append(c, $"<text x=\"{x}\" y=\"{y}\" transform=\"rotate(40 {x} {y})\">{Escape(names[b])}</text>\n");
        }

        int lx = Left + grid + 40;
        sb.Append("<defs><linearGradient id=\"ramp\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">");
        for (int s = 0; s <= 3; s++) sb.Append(c, $"<stop offset=\"{s / 3.0:F3}\" stop-color=\"{HeatmapSvg.Colour(s / 3.0, 0, 1)}\"/>");
        sb.Append("</linearGradient></defs>\n");
        sb.Append(c, $"<rect x=\"{lx}\" y=\"{Top}\" width=\"{LegendWidth}\" height=\"{grid}\" fill=\"url(#ramp)\"/>\n");
        sb.Append(c, $"<text x=\"{lx + LegendWidth + 4}\" y=\"{Top + 10}\">1</text>\n");
        sb.Append(c, $"<text x=\"{lx + LegendWidth + 4}\" y=\"{Top + grid}\">0</text>\n");
        double ry = Top + grid * (1 - at.RandomJaccard);
        sb.Append(c, $"<line x1=\"{lx - 4}\" y1=\"{ry:0.#}\" x2=\"{lx + LegendWidth + 4}\" y2=\"{ry:0.#}\" stroke=\"#d62728\" stroke-width=\"2\"/>\n");
        sb.Append(c, $"<text x=\"{lx + LegendWidth + 8}\" y=\"{ry + 4:0.#}\" fill=\"#d62728\">random</text>\n");
        sb.Append(c, $"<text x=\"{lx}\" y=\"{Top - 8}\">Jaccard</text>\n");
        sb.Append("</svg>\n");
        return sb.ToString();
    }

    static string Escape(string s) => SecurityElement.Escape(s);
}
