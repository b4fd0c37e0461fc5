using System.Globalization;
using System.Xml.Linq;
using HeadPursuit.Eval.Plots;

namespace HeadPursuit.Eval.Tests;

public class LinePlotSvgTests
{
    static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    static (double X, double Y)[] Coordinates(XElement polyline) =>
        [.. polyline.Attribute("points")!.Value.Split(' ').Select(p => p.Split(','))
                    .Select(p => (double.Parse(p[0], CultureInfo.InvariantCulture), double.Parse(p[1], CultureInfo.InvariantCulture)))];

    [Fact]
    public void EverySeriesIsALineOverTheWholeXRangeWithHigherValuesDrawnHigher()
    {
        var somp = new PlotSeries("somp", [new(1, 1.0), new(4, 0.5), new(16, 0.2)], "#d62728", "");
        var random = new PlotSeries("random", [new(1, 1.0, 0.9, 1.1), new(4, 0.9, 0.8, 1.0), new(16, 0.8, 0.6, 0.95)], "#7f7f7f", "6 3");
        var doc = XDocument.Parse(LinePlotSvg.Write("t", "k", "F1", [somp, random]));

        var lines = doc.Descendants(Svg + "polyline").ToArray();
        Assert.Equal(2, lines.Length);
        var a = Coordinates(lines[0]);
        var b = Coordinates(lines[1]);
        Assert.Equal(3, a.Length);
        Assert.Equal(LinePlotSvg.Left, a[0].X, 1);
        Assert.Equal(LinePlotSvg.Width - LinePlotSvg.Right, a[2].X, 1);
        Assert.Equal(a[0].Y, b[0].Y, 1);                                    // equal values, equal height
        Assert.True(a[0].Y < a[1].Y && a[1].Y < a[2].Y, "a falling series must go down the page");
        Assert.True(b[2].Y < a[2].Y, "0.8 is drawn above 0.2");
        // x is linear in k: 4 lies 3/15 of the way from 1 to 16
        Assert.Equal(a[0].X + (a[2].X - a[0].X) * 3 / 15, a[1].X, 1);
        Assert.Equal("6 3", lines[1].Attribute("stroke-dasharray")!.Value);
        // one inter-quartile bar per random point, spanning its Q1..Q3
        var bars = doc.Descendants(Svg + "line").Where(l => l.Attribute("stroke")?.Value == "#7f7f7f" && l.Attribute("x1")!.Value == l.Attribute("x2")!.Value).ToArray();
        Assert.Equal(3, bars.Length);
        Assert.Contains(doc.Descendants(Svg + "text"), t => t.Value == "random");
    }

    [Fact]
    public void NoPointsOrANonFiniteValueIsRefused()
    {
        Assert.Throws<ArgumentException>(() => LinePlotSvg.Write("t", "k", "y", [new PlotSeries("s", [], "#000000", "")]));
        Assert.Throws<ArgumentException>(() => LinePlotSvg.Write("t", "k", "y", [new PlotSeries("s", [new(1, double.NaN)], "#000000", "")]));
    }
}
